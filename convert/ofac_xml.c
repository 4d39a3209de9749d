/*
 * OFAC's advanced SDN XML (namespace http://www.un.org/sanctions/1.0, root
 * Sanctions) -> records. libxml2's xmlTextReader validates the document
 * against OFAC's sdn_advanced.xsd (built in from schemas/) as it reads; the
 * reference values are kept (a few hundred), and each DistinctParty and
 * SanctionsEntry is expanded alone, mapped, and freed before the next, so
 * memory does not grow with the list. The XSD's 107 key and keyref
 * constraints are left out when it is compiled: libxml2 keeps a table of
 * every element they select, which made 100,000 parties take 167 s and
 * 730 MB; the references this reader follows are checked here instead.
 * Parties become entities with the ids and names the CSV gives
 * (ofac_csv.c); entries become dated designations. README.md states the
 * mapping.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>
#include <utf8proc.h>

#include "xml.h"

#define OFAC_NS "http://www.un.org/sanctions/1.0"
#define AUTHORITY "US Department of the Treasury, Office of Foreign Assets Control"
#define CHUNK 65536

/* The reference value sets kept: ID -> text, and PartySubType -> PartyTypeID. */
static const char *const kept_sets[] = {"AliasType",    "PartySubType", "PartyType",
                                        "NamePartType", "FeatureType",  "DetailReference",
                                        "LegalBasis",   "SanctionsType"};
#define N_SETS (sizeof(kept_sets) / sizeof(kept_sets[0]))

struct reader {
    const struct dsr_input *in;
    struct dsr_diags *diags;
    dsr_record_fn emit;
    void *ctx;
    xmlTextReaderPtr xr;
    json_t *sets[N_SETS];   /* ID -> text, owned */
    json_t *party_type;     /* PartySubType ID -> PartyType ID, owned */
    unsigned char head[24]; /* the first bytes, read before the parser starts */
    size_t n_head, head_used;
    int syntax; /* 1 after a syntax error or refusal: stop */
    int oom;
};

static int set_index(const char *name) {
    for (size_t i = 0; i < N_SETS; i++)
        if (!strcmp(kept_sets[i], name))
            return (int)i;
    return -1;
}

static const char *ref_value(struct reader *r, const char *set, const char *id) {
    int i = set_index(set);
    return id ? json_string_value(json_object_get(r->sets[i], id)) : NULL;
}

/* ref_value, reporting an ID that names no value (the XSD's keyref, checked here). */
static const char *ref_checked(struct reader *r, const char *set, const char *id,
                               xmlNodePtr at) {
    const char *v = ref_value(r, set, id);
    if (!v && id)
        dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, (int)xmlGetLineNo(at), 0,
                     NULL, "unknown %sID \"%s\": no %s of that ID in ReferenceValueSets",
                     set, id, set);
    return v;
}

/* ---- libxml2 glue ---- */

static int read_input(void *ctx, char *buf, int len) {
    struct reader *r = ctx;
    if (r->head_used < r->n_head) {
        size_t n = r->n_head - r->head_used;
        if (n > (size_t)len)
            n = (size_t)len;
        memcpy(buf, r->head + r->head_used, n);
        r->head_used += n;
        return (int)n;
    }
    size_t got = fread(buf, 1, (size_t)len, r->in->fp);
    return ferror(r->in->fp) ? -1 : (int)got;
}

/*
 * Parse errors. libxml2 2.9's reader hands a structured handler the wrong
 * context once a schema is plugged in, so this plain one is used, and the
 * error itself (line, column, text) is libxml2's last.
 */
static void on_parse_error(void *ctx, const char *msg, xmlParserSeverities severity,
                           xmlTextReaderLocatorPtr locator) {
    struct reader *r = ctx;
    (void)msg, (void)locator;
    if (severity != XML_PARSER_SEVERITY_ERROR || r->syntax)
        return;
    xmlErrorPtr err = xmlGetLastError();
    char clean[DSR_MSG_MAX];
    dsr_xml_clean_message(err && err->message ? err->message : "malformed XML", clean,
                          sizeof(clean));
    dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name, err ? err->line : 0,
                 err ? err->int2 : 0, NULL, "%s", clean);
    r->syntax = 1;
}

/* Schema violations, with the element concerned. */
static void on_error(void *ctx, xmlErrorPtr err) {
    struct reader *r = ctx;
    char msg[DSR_MSG_MAX];
    if (!err || err->level < XML_ERR_ERROR)
        return;
    int schema = err->domain == XML_FROM_SCHEMASV;
    if (!schema && r->syntax)
        return; /* the first error of a document that is not well-formed */
    dsr_xml_clean_message(err->message ? err->message : "invalid XML", msg, sizeof(msg));
    int line = err->line, column = err->int2;
    if (schema && err->node) {
        line = (int)xmlGetLineNo((xmlNodePtr)err->node);
        column = 0;
    }
    if (schema && err->node && ((xmlNodePtr)err->node)->type == XML_ELEMENT_NODE)
        dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, line, column, NULL,
                     "%s, in element \"%s\"", msg, ((xmlNodePtr)err->node)->name);
    else
        dsr_diag_add(r->diags, schema ? DSR_DIAG_SCHEMA : DSR_DIAG_SYNTAX, r->in->name,
                     line, column, NULL, "%s", msg);
    if (!schema)
        r->syntax = 1;
}

/* ---- small helpers ---- */

static const char *attr(xmlNodePtr n, const char *name) {
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (!strcmp((const char *)a->name, name) && a->children &&
            a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    return NULL;
}

static int is(xmlNodePtr n, const char *name) {
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The first child element called name, or NULL. */
static xmlNodePtr child(xmlNodePtr n, const char *name) {
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name))
            return c;
    return NULL;
}

/* The element's text (new string, "" when none); NULL when out of memory. */
static char *text_of(xmlNodePtr n) {
    xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
    char *s = strdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

/* Year, Month, Day children as EDTF YYYY-MM-DD into out. 0, or -1 when absent. */
static int date_of(xmlNodePtr n, char *out, size_t size) {
    xmlNodePtr y = child(n, "Year"), m = child(n, "Month"), d = child(n, "Day");
    char *ys = text_of(y), *ms = text_of(m), *ds = text_of(d);
    int rc = -1;
    if (ys && ms && ds && *ys) {
        if (*ms && *ds)
            snprintf(out, size, "%04d-%02d-%02d", atoi(ys), atoi(ms), atoi(ds));
        else if (*ms)
            snprintf(out, size, "%04d-%02d", atoi(ys), atoi(ms));
        else
            snprintf(out, size, "%04d", atoi(ys));
        rc = 0;
    }
    free(ys), free(ms), free(ds);
    return rc;
}

/* A DatePeriod as EDTF: one date, or start/end; "~" when approximate. */
static void period_of(xmlNodePtr p, char *out, size_t size) {
    char a[32] = "", b[32] = "";
    xmlNodePtr start = child(p, "Start"), end = child(p, "End");
    xmlNodePtr sf = child(start, "From") ? child(start, "From") : child(start, "To");
    xmlNodePtr et = child(end, "To") ? child(end, "To") : child(end, "From");
    if (sf)
        date_of(sf, a, sizeof(a));
    if (et)
        date_of(et, b, sizeof(b));
    const char *sa = attr(start ? start : p, "Approximate");
    int approx = sa && !strcmp(sa, "true");
    if (!*b || !strcmp(a, b))
        snprintf(out, size, "%s%s", a, approx ? "~" : "");
    else
        snprintf(out, size, "%s%s/%s", a, approx ? "~" : "", b);
}

/* Appends s, a string (dsr_ofac_append). */
static void append(struct dsr_ofac_text *t, const char *s) {
    dsr_ofac_append(t, s, strlen(s));
}

/* One note, as ofac_csv.c writes them (dsr_ofac_note). */
static void note(struct dsr_ofac_text *t, const char *label, const char *value) {
    dsr_ofac_note(t, label, value, strlen(value));
}

/* Appends s in upper case (Unicode simple mapping). */
static void append_upper(struct dsr_ofac_text *t, const char *s) {
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k;
    while (*p && (k = utf8proc_iterate(p, -1, &cp)) > 0) {
        utf8proc_uint8_t buf[8];
        utf8proc_ssize_t w = utf8proc_encode_char(utf8proc_toupper(cp), buf);
        buf[w] = '\0';
        append(t, (const char *)buf);
        p += k;
    }
}

/* ---- reference values ---- */

static int take_values(struct reader *r, xmlNodePtr set) {
    const char *name = (const char *)set->name;
    size_t n = strlen(name);
    char item[64];
    if (n < 7 || n - 6 >= sizeof(item))
        return 0;
    snprintf(item, sizeof(item), "%.*s", (int)(n - 6), name);
    int i = set_index(item);
    if (i < 0)
        return 0;
    for (xmlNodePtr c = set->children; c; c = c->next) {
        const char *id = is(c, item) ? attr(c, "ID") : NULL;
        char *t = id ? text_of(c) : NULL;
        if (id && (!t || json_object_set_new(r->sets[i], id, json_string(t)) < 0 ||
                   (!strcmp(item, "PartySubType") && attr(c, "PartyTypeID") &&
                    json_object_set_new(r->party_type, id,
                                        json_string(attr(c, "PartyTypeID"))) < 0))) {
            free(t);
            return -1;
        }
        free(t);
    }
    return 0;
}

/* ---- parties ---- */

struct party {
    struct dsr_record *rec; /* the entity, owned until emitted */
    struct dsr_ofac_text notes;
    int person;
    int line; /* the DistinctParty's line */
};

/*
 * An alias's DocumentedName as OFAC's legacy files write it: an individual's
 * "LAST NAME, Other Parts" (last-name parts upper-cased), else the parts in
 * order. groups maps NamePartGroup ID -> NamePartType text.
 */
static char *written_name(xmlNodePtr name, json_t *groups, int person) {
    struct dsr_ofac_text last = {0}, rest = {0};
    for (xmlNodePtr p = name->children; p; p = p->next) {
        xmlNodePtr v = is(p, "DocumentedNamePart") ? child(p, "NamePartValue") : NULL;
        char *t = v ? text_of(v) : NULL;
        if (!t)
            continue;
        const char *type =
            json_string_value(json_object_get(groups, attr(v, "NamePartGroupID")));
        int is_last = person && type && !strcmp(type, "Last Name");
        struct dsr_ofac_text *into = is_last ? &last : &rest;
        if (into->len)
            append(into, " ");
        if (is_last)
            append_upper(into, t);
        else
            append(into, t);
        free(t);
    }
    if (last.len && rest.len) {
        append(&last, ", ");
        append(&last, rest.s);
    }
    struct dsr_ofac_text *w = last.len ? &last : &rest;
    char *s = w->failed ? NULL : strdup(w->s ? w->s : "");
    free(last.s);
    free(rest.s);
    return s;
}

static int add_alias(struct party *p, const char *name) {
    char *n = dsr_text_normalize(name, strlen(name)); /* the parser gave UTF-8 */
    if (!n)
        return -1;
    const struct dsr_value *aliases = &p->rec->values[DSR_ENTITY_ALIASES];
    const char *primary = p->rec->values[DSR_ENTITY_NAME].text;
    int known = !*n || (primary && !strcmp(primary, n));
    for (size_t i = 0; i < aliases->n; i++)
        known |= !strcmp(aliases->items[i], n);
    int rc =
        known ? 0 : dsr_record_add(p->rec, DSR_ENTITY_ALIASES, n, strlen(n), NULL, 0);
    free(n);
    return rc;
}

/* One Alias: the name (type Name, primary), an alias, or a weak one in the notes. */
static int take_alias(struct reader *r, struct party *p, xmlNodePtr a, json_t *groups) {
    const char *type = ref_checked(r, "AliasType", attr(a, "AliasTypeID"), a);
    const char *low = attr(a, "LowQuality"), *primary = attr(a, "Primary");
    xmlNodePtr dn = child(a, "DocumentedName");
    char *w = dn ? written_name(dn, groups, p->person) : NULL;
    if (!w)
        return dn ? -1 : 0;
    char label[16] = "aka";
    if (type && strlen(type) == 6 && type[1] == '.') /* "F.K.A." -> "fka" */
        snprintf(label, sizeof(label), "%c%c%c", type[0] | 32, type[2] | 32,
                 type[4] | 32);
    int rc = 0;
    if (primary && !strcmp(primary, "true") && type && !strcmp(type, "Name")) {
        char *nat = p->person ? dsr_ofac_natural_name(w) : strdup(w);
        rc = !nat || dsr_record_set(p->rec, DSR_ENTITY_NAME, nat, strlen(nat)) < 0 ? -1
                                                                                   : 0;
        free(nat);
        if (!rc)
            rc = add_alias(p, w);
    } else if (low && !strcmp(low, "true")) {
        char weak[24];
        snprintf(weak, sizeof(weak), "weak %s", label);
        note(&p->notes, weak, w);
    } else {
        rc = add_alias(p, w);
        if (strcmp(label, "aka") && strcmp(label, "Name"))
            note(&p->notes, label, w);
    }
    free(w);
    return rc;
}

/* A Feature as a note "feature: TYPE: VALUE (COMMENT)". */
static void take_feature(struct reader *r, struct party *p, xmlNodePtr f) {
    const char *type = ref_checked(r, "FeatureType", attr(f, "FeatureTypeID"), f);
    for (xmlNodePtr v = f->children; v; v = v->next) {
        if (!is(v, "FeatureVersion"))
            continue;
        struct dsr_ofac_text t = {0};
        char date[80];
        append(&t, type ? type : "feature");
        append(&t, ": ");
        xmlNodePtr period = child(v, "DatePeriod"), detail = child(v, "VersionDetail");
        if (period) {
            period_of(period, date, sizeof(date));
            append(&t, date);
        }
        if (detail) {
            const char *ref =
                ref_value(r, "DetailReference", attr(detail, "DetailReferenceID"));
            char *s = ref ? NULL : text_of(detail);
            append(&t, ref ? ref : s ? s : "");
            free(s);
        }
        char *comment = text_of(child(v, "Comment"));
        if (comment && *comment) {
            append(&t, " (");
            append(&t, comment);
            append(&t, ")");
        }
        free(comment);
        if (!t.failed)
            note(&p->notes, "feature", t.s);
        p->notes.failed |= t.failed;
        free(t.s);
    }
}

/* The NamePartType text of an ID, "" when unknown (reported). */
static const char *part_type(struct reader *r, const char *id, xmlNodePtr at) {
    const char *t = ref_checked(r, "NamePartType", id, at);
    return t ? t : "";
}

/* The entity kind of a Profile's PartySubTypeID, or NULL. */
static const char *party_kind(struct reader *r, const char *subtype) {
    const char *sub = ref_value(r, "PartySubType", subtype);
    const char *type =
        subtype ? json_string_value(json_object_get(r->party_type, subtype)) : NULL;
    const char *party = ref_value(r, "PartyType", type);
    if (!sub || !party)
        return NULL;
    if (!strcmp(party, "Individual"))
        return "person";
    if (!strcmp(party, "Entity"))
        return "organization";
    if (!strcmp(sub, "Vessel"))
        return "vessel";
    if (!strcmp(sub, "Aircraft"))
        return "aircraft";
    return NULL;
}

static void locate_node(void *ctx, const char *pointer, struct dsr_diag *d) {
    const struct party *p = ctx;
    d->line = p->line;
    d->column = 0;
    dsr_copy_tail(d->path, sizeof(d->path), pointer);
}

/* Emits rec (taking it) once the model has checked it. 0, or -1 to stop. */
static int emit_record(struct reader *r, struct dsr_record *rec, struct party *at) {
    rec->file = r->in->name;
    rec->line = at->line;
    int checked = dsr_record_check(rec, r->in->name, locate_node, at, r->diags);
    if (checked != 0) {
        dsr_record_free(rec);
        if (checked < 0)
            dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, 0, 0, NULL,
                         "out of memory");
        return checked < 0 ? -1 : 0;
    }
    return r->emit(r->ctx, rec);
}

/* Sets rec's field called name to text. 0, or -1 when out of memory. */
static int set_field(struct dsr_record *rec, const char *name, const char *text) {
    return dsr_record_set(rec, dsr_field_index(rec->kind, name), text, strlen(text));
}

static int take_party(struct reader *r, xmlNodePtr dp) {
    const char *fixed = attr(dp, "FixedRef");
    xmlNodePtr profile = child(dp, "Profile");
    struct party p = {dsr_record_new(DSR_ENTITY), {0}, 0, (int)xmlGetLineNo(dp)};
    int rc = 0;
    const char *kind = profile ? party_kind(r, attr(profile, "PartySubTypeID")) : NULL;
    char id[64];
    if (!p.rec)
        return -1;
    if (!fixed || strspn(fixed, "0123456789") != strlen(fixed) || !*fixed ||
        strlen(fixed) > 18 || !kind) {
        dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, p.line, 0, NULL,
                     !kind ? "DistinctParty %s: unknown party subtype"
                           : "DistinctParty \"%s\": FixedRef is not a number",
                     fixed ? fixed : "");
        dsr_record_free(p.rec);
        return 0;
    }
    p.person = !strcmp(kind, "person");
    snprintf(id, sizeof(id), "ofac-%llu", strtoull(fixed, NULL, 10));
    if (set_field(p.rec, "id", id) < 0 || set_field(p.rec, "kind", kind) < 0)
        rc = -1;
    for (xmlNodePtr idn = profile->children; idn && !rc; idn = idn->next) {
        if (!is(idn, "Identity"))
            continue;
        json_t *groups = json_object();
        xmlNodePtr npg = child(idn, "NamePartGroups");
        for (xmlNodePtr m = npg ? npg->children : NULL; groups && m; m = m->next)
            for (xmlNodePtr g = is(m, "MasterNamePartGroup") ? m->children : NULL; g;
                 g = g->next)
                if (is(g, "NamePartGroup") && attr(g, "ID"))
                    json_object_set_new(
                        groups, attr(g, "ID"),
                        json_string(part_type(r, attr(g, "NamePartTypeID"), g)));
        for (xmlNodePtr a = idn->children; groups && a && !rc; a = a->next)
            if (is(a, "Alias"))
                rc = take_alias(r, &p, a, groups);
        if (!groups)
            rc = -1;
        json_decref(groups);
    }
    for (xmlNodePtr f = profile->children; f; f = f->next)
        if (is(f, "Feature"))
            take_feature(r, &p, f);
    if (!rc && p.notes.len)
        rc = dsr_record_set(p.rec, DSR_ENTITY_NOTES, p.notes.s, p.notes.len);
    if (!rc && !p.notes.failed)
        rc = emit_record(r, p.rec, &p);
    else
        rc = -1, dsr_record_free(p.rec);
    free(p.notes.s);
    return rc;
}

/* ---- sanctions entries ---- */

/* "RUSSIA-EO14024" -> "russia-eo14024": lowercase letters and digits, single hyphens. */
static void slug(const char *s, char *out, size_t n) {
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
        else if (k > 0 && out[k - 1] != '-')
            out[k++] = '-';
    }
    while (k > 0 && out[k - 1] == '-')
        k--;
    out[k] = '\0';
}

/* One designation per EntryEvent and program measure of the entry. */
static int take_entry(struct reader *r, xmlNodePtr e) {
    const char *profile = attr(e, "ProfileID");
    struct party at = {NULL, {0}, 0, (int)xmlGetLineNo(e)};
    int events = 0, rc = 0;
    char subject[64];
    snprintf(subject, sizeof(subject), "ofac-%llu",
             profile ? strtoull(profile, NULL, 10) : 0ULL);
    for (xmlNodePtr c = e->children; c; c = c->next)
        events += is(c, "EntryEvent");
    for (xmlNodePtr ev = e->children; ev && !rc; ev = ev->next) {
        char date[32];
        if (!is(ev, "EntryEvent") || date_of(child(ev, "Date"), date, sizeof(date)) < 0)
            continue;
        const char *basis = ref_checked(r, "LegalBasis", attr(ev, "LegalBasisID"), ev);
        for (xmlNodePtr m = e->children; m && !rc; m = m->next) {
            const char *type =
                is(m, "SanctionsMeasure")
                    ? ref_checked(r, "SanctionsType", attr(m, "SanctionsTypeID"), m)
                    : NULL;
            char *program =
                type && !strcmp(type, "Program") ? text_of(child(m, "Comment")) : NULL;
            if (program && *program) {
                char id[256], s[96];
                slug(program, s, sizeof(s));
                if (events > 1)
                    snprintf(id, sizeof(id), "%s-%s-%s", subject, s, attr(ev, "ID"));
                else
                    snprintf(id, sizeof(id), "%s-%s", subject, s);
                struct dsr_record *rec = dsr_record_new(DSR_DESIGNATION);
                char reason[512];
                snprintf(reason, sizeof(reason), "legal basis: %s", basis ? basis : "");
                int subjects = dsr_field_index(DSR_DESIGNATION, "subjects");
                if (!rec || set_field(rec, "id", id) < 0 ||
                    set_field(rec, "date", date) < 0 ||
                    set_field(rec, "authority", AUTHORITY) < 0 ||
                    set_field(rec, "program", program) < 0 ||
                    dsr_record_add(rec, subjects, subject, strlen(subject), NULL, 0) <
                        0 ||
                    (basis && set_field(rec, "reason", reason) < 0)) {
                    dsr_record_free(rec);
                    rc = -1;
                } else {
                    rc = emit_record(r, rec, &at);
                }
            }
            free(program);
        }
    }
    return rc;
}

/* ---- the document ---- */

/* Handles the element the reader is on; 1 when its subtree was taken (skip it). */
static int take_element(struct reader *r, int *rc) {
    const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
    int depth = xmlTextReaderDepth(r->xr);
    if (depth == 0) {
        const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r->xr);
        if (strcmp(name, "Sanctions") || !ns || strcmp(ns, OFAC_NS)) {
            dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name,
                         xmlTextReaderGetParserLineNumber(r->xr),
                         xmlTextReaderGetParserColumnNumber(r->xr), NULL,
                         "not OFAC's advanced SDN XML: the root is \"%s\", expected "
                         "\"Sanctions\" in namespace " OFAC_NS,
                         name);
            r->syntax = 1;
        }
        return 0;
    }
    int values =
        depth == 2 && strlen(name) > 6 && !strcmp(name + strlen(name) - 6, "Values");
    if (!values && !(depth == 2 &&
                     (!strcmp(name, "DistinctParty") || !strcmp(name, "SanctionsEntry"))))
        return 0;
    xmlNodePtr node = xmlTextReaderExpand(r->xr);
    if (!node)
        return 0; /* the parser reports why */
    if (values)
        *rc = take_values(r, node);
    else if (!strcmp(name, "DistinctParty"))
        *rc = take_party(r, node);
    else
        *rc = take_entry(r, node);
    return 1;
}

/* libxml2's generic messages (its validator's internal ones) are not ours to print. */
static void quiet(void *ctx, const char *msg, ...) {
    (void)ctx, (void)msg;
}

static int run(struct reader *r, xmlSchemaValidCtxtPtr vctxt) {
    r->xr = xmlReaderForIO(read_input, NULL, r, r->in->name, NULL,
                           XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (r->xr)
        xmlTextReaderSetErrorHandler(r->xr, on_parse_error, r);
    if (!r->xr || xmlTextReaderSchemaValidateCtxt(r->xr, vctxt, 0) != 0) {
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, 0, 0, NULL,
                     "out of memory");
        return -1;
    }
    /* The reader relays the validator's errors to on_parse_error: ours take them. */
    xmlSchemaSetValidErrors(vctxt, NULL, NULL, NULL);
    xmlSchemaSetValidStructuredErrors(vctxt, on_error, r);
    int ret = xmlTextReaderRead(r->xr), rc = 0;
    while (ret == 1 && !r->syntax && rc == 0) {
        int type = xmlTextReaderNodeType(r->xr), skip = 0;
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name,
                         xmlTextReaderGetParserLineNumber(r->xr), 1, NULL,
                         "DOCTYPE refused: no DTD, external entity or entity definition "
                         "is read");
            r->syntax = 1;
            break;
        }
        if (type == XML_READER_TYPE_ELEMENT)
            skip = take_element(r, &rc);
        ret = skip ? xmlTextReaderNext(r->xr) : xmlTextReaderRead(r->xr);
    }
    if (rc < 0 && !r->syntax)
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, 0, 0, NULL,
                     "out of memory or stopped");
    if (ret < 0 && !r->syntax) {
        /* The reader gave the parse error to no handler: it is libxml2's last. */
        xmlErrorPtr err = xmlGetLastError();
        char msg[DSR_MSG_MAX];
        dsr_xml_clean_message(err && err->message ? err->message : "malformed XML", msg,
                              sizeof(msg));
        dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name, err ? err->line : 0,
                     err ? err->int2 : 0, NULL, "%s", msg);
        r->syntax = 1;
    }
    return r->syntax || rc < 0 ? -1 : 0;
}

int dsr_ofac_xml_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                      struct dsr_diags *diags) {
    struct reader r = {.in = in, .diags = diags, .emit = emit, .ctx = ctx};
    size_t got;
    while (r.n_head < sizeof(r.head) &&
           (got = fread(r.head + r.n_head, 1, sizeof(r.head) - r.n_head, in->fp)) > 0)
        r.n_head += got;
    /* UTF-16 and UTF-32 need a declaration, as in xml_read.c; libxml2 reads the rest. */
    if (dsr_xml_check_encoding(r.head, r.n_head, in->name, diags) < 0)
        return -1;
    if (r.n_head == 0) {
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, 1, 1, NULL,
                     "empty input: expected an XML document");
        return -1;
    }
    size_t xsd_len;
    char *xsd = dsr_xsd_without_identity((const char *)dsr_schema_ofac,
                                         dsr_schema_ofac_len, "xsd", &xsd_len);
    xmlSchemaPtr schema =
        xsd ? dsr_xsd_load_memory(xsd, xsd_len, "sdn_advanced.xsd", diags) : NULL;
    if (!xsd)
        dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL, "out of memory");
    free(xsd);
    if (!schema)
        return -1;
    int rc = -1;
    xmlSchemaValidCtxtPtr vctxt = xmlSchemaNewValidCtxt(schema);
    if (!vctxt)
        goto out;
    for (size_t i = 0; i < N_SETS; i++)
        if (!(r.sets[i] = json_object()))
            goto out;
    if (!(r.party_type = json_object()))
        goto out;
    xmlGenericErrorFunc caller_handler = xmlGenericError;
    void *caller_ctx = xmlGenericErrorContext;
    xmlResetLastError();
    xmlSetGenericErrorFunc(NULL, quiet);
    rc = run(&r, vctxt);
    xmlSetGenericErrorFunc(caller_ctx, caller_handler);
out:
    if (r.xr)
        xmlFreeTextReader(r.xr);
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(schema);
    for (size_t i = 0; i < N_SETS; i++)
        json_decref(r.sets[i]);
    json_decref(r.party_type);
    return rc;
}
