/*
 * libxml2's errors in dossier's words: a schema error about a dataset field
 * is said as dsr_record_check would say it, so XML and JSON input get the same
 * diagnostics; other errors keep libxml2's text, cleaned to our form. Also
 * loads XSDs with every libxml2 message routed into diagnostics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "xml.h"

/* The innermost name matters most, so a long path loses its beginning. */
void dsr_xml_path_join(char *dst, const char *base, const char *tail) {
    size_t b = strlen(base), t = strlen(tail);
    if (b + 1 + t < DSR_PATH_MAX && t < DSR_XML_TAG_MAX) { /* the common case: it fits */
        memmove(dst, base, b);
        dst[b] = '/';
        memcpy(dst + b + 1, tail, t + 1);
        return;
    }
    char buf[DSR_PATH_MAX + DSR_XML_TAG_MAX + 2];
    snprintf(buf, sizeof(buf), "%.*s/%.*s", DSR_PATH_MAX - 1, base, DSR_XML_TAG_MAX - 1,
             tail);
    dsr_copy_tail(dst, DSR_PATH_MAX, buf);
}

/* libxml2 writes sentences ("Element 'x': The value ... .\n"); we write one lowercase
 * clause. */
void dsr_xml_clean_message(const char *msg, char *out, size_t n) {
    const char *p = msg;
    if (!strncmp(p, "Element '", 9)) {
        const char *colon = strstr(p, "': ");
        if (colon)
            p = colon + 3;
    }
    if (!strncmp(p, "[facet '", 8) && strstr(p, "] "))
        p = strstr(p, "] ") + 2;
    size_t k = 0;
    for (; *p && k + 1 < n; p++) {
        char c = *p == '\n' ? ' ' : *p;
        if (c == ' ' && (k == 0 || out[k - 1] == ' '))
            continue;
        out[k++] = c;
    }
    while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '.'))
        k--;
    out[k] = '\0';
    /* Lowercase a leading word, not an acronym such as "UTF-8". */
    if (out[0] >= 'A' && out[0] <= 'Z' && !(out[1] >= 'A' && out[1] <= 'Z'))
        out[0] = (char)(out[0] + 32);
}

/* libxml2 gives names and values only inside its message text, quoted. */
void dsr_xml_extract(const char *msg, const char *after, const char *until, char *out,
                     size_t n) {
    const char *p = strstr(msg, after);
    out[0] = '\0';
    if (!p)
        return;
    p += strlen(after);
    const char *e = strstr(p, until);
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= n)
        len = n - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

/* The names after "Expected is ( a )" or "Expected is one of ( a, b )". */
static void expected_names(const char *msg, char *out, size_t n) {
    dsr_xml_extract(msg, "Expected is ( ", " )", out, n);
    if (!out[0])
        dsr_xml_extract(msg, "Expected is one of ( ", " )", out, n);
}

/* Says what is wrong with a field value the XSD refused, as dsr_record_check would. */
static int value_message(const struct dsr_record *rec, const struct dsr_xml_error *e,
                         char *out, size_t n) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    /* The values the model judges: field and item texts, the id, an item's role. */
    int f;
    if (e->at.role == DSR_XML_RECORD)
        f = strcmp(e->attr, "id") ? -1 : 0;
    else if (e->attr[0] && strcmp(e->attr, "role"))
        f = -1;
    else
        f = e->at.field;
    if (f < 0)
        return -1;
    const struct dsr_field *spec = &info->fields[f];
    const struct dsr_value *v = &rec->values[f];
    const char *value = v->text, *what = spec->name;
    if (e->at.role == DSR_XML_ITEM) {
        if (e->at.item < 0 || (size_t)e->at.item >= v->n)
            return -1;
        value = v->items[e->at.item];
        what = spec->item;
        if (!strcmp(e->attr, "role") && v->roles) {
            snprintf(out, n, "invalid role \"%s\" of %s \"%s\": expected lowercase words",
                     v->roles[e->at.item], what, value);
            return 0;
        }
    }
    if (!value || !strcmp(e->attr, "role"))
        return -1;
    /* As dsr_record_check: text normalised, an id, a date or a kind as written. */
    int as_written = spec->type == DSR_FIELD_ID || spec->type == DSR_FIELD_DATE ||
                     spec->type == DSR_FIELD_ENUM;
    char *t = as_written ? strdup(value) : dsr_text_normalize(value, strlen(value));
    if (!t)
        return -1;
    char reason[128];
    if (strchr(t, 0x7F))
        snprintf(out, n, "control character in %s", what);
    else if (!*t)
        snprintf(out, n, "empty %s", what);
    else if (spec->type == DSR_FIELD_ID)
        snprintf(out, n, "invalid %s \"%s\": %s", what, t,
                 dsr_id_problem(t) ? dsr_id_problem(t) : "not an id");
    else if (spec->type == DSR_FIELD_DATE)
        snprintf(out, n, "invalid %s \"%s\": %s", what, t,
                 dsr_edtf_normalize(t, reason, sizeof(reason)) < 0
                     ? reason
                     : "expected an EDTF date");
    else if (spec->type == DSR_FIELD_ENUM)
        snprintf(out, n, "unknown %s \"%s\"", what, t);
    else if (e->at.role == DSR_XML_ITEM && strchr(t, ';'))
        snprintf(out, n, "\";\" in %s \"%s\": it separates list items in CSV", what, t);
    else
        snprintf(out, n, "invalid %s \"%s\"", what, t);
    free(t);
    return 0;
}

/* The first required field of the record among libxml2's expected names. */
static const char *required_among(int kind, const char *names) {
    const struct dsr_kind_info *info = dsr_kind_info(kind);
    for (size_t f = 1; f < info->n_fields; f++) {
        const char *p = strstr(names, info->fields[f].name);
        size_t len = strlen(info->fields[f].name);
        if (info->fields[f].required && p && (p[len] == '\0' || p[len] == ',') &&
            (p == names || p[-1] == ' '))
            return info->fields[f].name;
    }
    return NULL;
}

/* Content-model errors: an element missing, unknown, repeated or out of order. */
static void content_message(int dataset, const struct dsr_record *rec, const int *seen,
                            const struct dsr_xml_error *e, char *out, size_t n) {
    char names[256];
    const struct dsr_xml_elem *at = &e->at;
    expected_names(e->msg, names, sizeof(names));
    if (strstr(e->msg, "Missing child")) {
        const char *req = dataset && at->role == DSR_XML_RECORD
                              ? required_among(at->kind, names)
                              : NULL;
        if (req)
            snprintf(out, n, "missing required field \"%s\" in %s", req, at->name);
        else if (dataset && at->role == DSR_XML_FIELD)
            snprintf(out, n, "missing required field \"%s\" in %s", at->name, at->parent);
        else
            snprintf(out, n, "missing element %s in %s", names, at->name);
    } else if (dataset && at->role == DSR_XML_FIELD && rec && seen[at->field] > 1) {
        snprintf(out, n, "duplicate element \"%s\" in %s", at->name, at->parent);
    } else if (dataset && at->role == DSR_XML_SECTION) {
        snprintf(out, n,
                 "section \"%s\" out of order in dataset: expected designations, "
                 "entities, events, sources, each once, in that order",
                 at->name);
    } else if (dataset && at->role == DSR_XML_FIELD) {
        snprintf(out, n, "element \"%s\" out of order in %s: expected %s", at->name,
                 at->parent, names[0] ? names : "its end");
    } else if (dataset && at->role == DSR_XML_OTHER && rec) {
        snprintf(out, n, "unknown element \"%s\" in %s%s%s", at->name, at->parent,
                 names[0] ? ": expected " : "", names);
    } else if (names[0]) {
        snprintf(out, n, "unexpected element \"%s\" in %s: expected %s", at->name,
                 at->parent, names);
    } else {
        snprintf(out, n, "unexpected element \"%s\" in %s", at->name, at->parent);
    }
}

/* Turns one libxml2 schema error into our wording. */
void dsr_xml_describe(const struct dsr_xml_error *e, int dataset,
                      const struct dsr_record *rec, const int *seen, char *out,
                      size_t n) {
    char name[DSR_XML_TAG_MAX], clean[DSR_MSG_MAX];
    const struct dsr_xml_elem *at = &e->at;
    switch (e->code) {
    case XML_SCHEMAV_ELEMENT_CONTENT:
        content_message(dataset, rec, seen, e, out, n);
        return;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_1:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
        snprintf(out, n, "unexpected text in %s", at->name);
        return;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
        dsr_xml_extract(e->msg, "attribute '", "'", name, sizeof(name));
        if (dataset && at->role == DSR_XML_RECORD)
            snprintf(out, n, "missing required field \"%s\" in %s", name, at->name);
        else
            snprintf(out, n, "missing attribute \"%s\" in %s", name, at->name);
        return;
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
    case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
        snprintf(out, n, "unknown attribute \"%s\" in %s", e->attr, at->name);
        return;
    case XML_SCHEMAV_CVC_ELT_1:
        if (at->in_ns)
            snprintf(out, n, "unexpected namespace on root element \"%s\"%s", at->name,
                     dataset ? ": dossier's elements have none" : "");
        else
            snprintf(out, n, "unexpected root element \"%s\"%s", at->name,
                     dataset ? ": expected dataset" : "");
        return;
    case XML_SCHEMAV_CVC_PATTERN_VALID:
    case XML_SCHEMAV_CVC_ENUMERATION_VALID:
    case XML_SCHEMAV_CVC_LENGTH_VALID:
    case XML_SCHEMAV_CVC_MINLENGTH_VALID:
    case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
    case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
        if (rec && value_message(rec, e, out, n) == 0)
            return;
        break;
    default: break;
    }
    dsr_xml_clean_message(e->msg, clean, sizeof(clean));
    char buf[DSR_MSG_MAX + 3 * DSR_XML_TAG_MAX];
    if (e->attr[0])
        snprintf(buf, sizeof(buf), "%s, in attribute \"%s\" of element \"%s\"", clean,
                 e->attr, at->name);
    else
        snprintf(buf, sizeof(buf), "%s, in element \"%s\"", clean, at->name);
    snprintf(out, n, "%.*s", (int)n - 1, buf);
}

/* ---- loading schemas ---- */

struct load_ctx {
    struct dsr_diags *diags;
    const char *name; /* the schema as the user named it */
    int errors;       /* problems reported */
};

/* Any problem with the schema, its includes or imports makes it unusable: exit 2. */
static void load_error(void *data, xmlErrorPtr err) {
    struct load_ctx *lc = data;
    char msg[DSR_MSG_MAX];
    if (err->level == XML_ERR_WARNING && err->domain != XML_FROM_SCHEMASP)
        return;
    dsr_xml_clean_message(err->message ? err->message : "invalid schema", msg,
                          sizeof(msg));
    dsr_diag_add(lc->diags, DSR_DIAG_BAD_SCHEMA, err->file ? err->file : lc->name,
                 err->line, err->int2, NULL, "invalid schema: %s", msg);
    lc->errors++;
}

/* Parse errors of a schema document reach us through the parser's _private. */
static void load_parse_error(void *data, xmlErrorPtr err) {
    xmlParserCtxtPtr p = err->ctxt;
    (void)data;
    /* As in every reader, the first error of a document that is not well-formed. */
    if (p && p->_private && err->level != XML_ERR_WARNING &&
        !((struct load_ctx *)p->_private)->errors)
        load_error(p->_private, err);
}

/* Parses the schema of pctxt (freed here); says "does not load" when libxml2 said
 * nothing. */
static xmlSchemaPtr parse_schema(xmlSchemaParserCtxtPtr pctxt, struct load_ctx *lc) {
    xmlSchemaPtr schema = NULL;
    if (pctxt) {
        xmlSchemaSetParserStructuredErrors(pctxt, load_error, lc);
        schema = xmlSchemaParse(pctxt);
        xmlSchemaFreeParserCtxt(pctxt);
    }
    if (!schema && lc->errors == 0)
        dsr_diag_add(lc->diags, DSR_DIAG_BAD_SCHEMA, lc->name, 0, 0, NULL,
                     "invalid schema: it does not load");
    return schema;
}

/* The identity-constraint element (unique, key or keyref) a tag opens at p, or NULL. */
static const char *identity_element(const char *p, const char *prefix) {
    static const char *const names[] = {"unique", "keyref", "key", NULL};
    size_t n = strlen(prefix);
    if (p[0] != '<' || strncmp(p + 1, prefix, n) || p[1 + n] != ':')
        return NULL;
    for (int i = 0; names[i]; i++) {
        size_t k = strlen(names[i]);
        if (!strncmp(p + 2 + n, names[i], k) && strchr(" \t\r\n>/", p[2 + n + k]))
            return names[i];
    }
    return NULL;
}

char *dsr_xsd_without_identity(const char *xsd, size_t len, const char *prefix,
                               size_t *n) {
    char *out = malloc(len + 1);
    size_t k = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        const char *name = xsd[i] == '<' ? identity_element(xsd + i, prefix) : NULL;
        if (!name) {
            out[k++] = xsd[i++];
            continue;
        }
        char close[64];
        snprintf(close, sizeof(close), "</%s:%s>", prefix, name);
        const char *stop = strstr(xsd + i, close);
        i = stop ? (size_t)(stop - xsd) + strlen(close) : len;
    }
    out[k] = '\0';
    *n = k;
    return out;
}

xmlSchemaPtr dsr_xsd_load_memory(const char *text, size_t len, const char *name,
                                 struct dsr_diags *diags) {
    struct load_ctx lc = {diags, name, 0};
    return parse_schema(xmlSchemaNewMemParserCtxt(text, (int)len), &lc);
}

xmlSchemaPtr dsr_xsd_load_file(const char *path, struct dsr_diags *diags) {
    struct load_ctx lc = {diags, path, 0};
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open schema: %s",
                     strerror(errno));
        return NULL;
    }
    fclose(fp);
    /* Read it once ourselves: libxml2's schema loader would print parse errors. */
    xmlParserCtxtPtr p = xmlNewParserCtxt();
    if (!p) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, path, 0, 0, NULL, "out of memory");
        return NULL;
    }
    p->_private = &lc;
    p->sax->serror = load_parse_error;
    xmlDocPtr doc = xmlCtxtReadFile(p, path, NULL, XML_PARSE_NONET);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(p);
    if (!doc) {
        if (lc.errors == 0)
            dsr_diag_add(diags, DSR_DIAG_BAD_SCHEMA, path, 0, 0, NULL,
                         "invalid schema: it is not well-formed XML");
        return NULL;
    }
    return parse_schema(xmlSchemaNewParserCtxt(path), &lc);
}
