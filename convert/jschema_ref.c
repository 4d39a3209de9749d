/*
 * The registry of schema documents: every subschema's resource and location,
 * every URI that $id, $anchor and $dynamicAnchor give, and loading of what a
 * reference names. Documents come only from the caller, the built-in
 * metaschemas (jschema_meta.c), --ref-root folders and the schema file's own
 * folder (files beside it or below it): never the network.
 * Indexing follows the keywords that hold schemas, so an "$id" inside "enum"
 * or "const" names nothing (the specification's rule).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jschema.h"

static const struct {
    const char *uri;
    int draft;
} dialects[] = {
    {"http://json-schema.org/draft-04/schema", 4},
    {"http://json-schema.org/draft-06/schema", 6},
    {"http://json-schema.org/draft-07/schema", 7},
    {"https://json-schema.org/draft/2019-09/schema", 2019},
    {"https://json-schema.org/draft/2020-12/schema", 2020},
};

int dsr_jschema_draft_from_uri(const char *uri) {
    size_t n = strcspn(uri, "#");
    if (uri[n] == '#' && uri[n + 1])
        return -1;
    for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
        if (strlen(dialects[i].uri) == n && !strncmp(dialects[i].uri, uri, n))
            return dialects[i].draft;
    return -1;
}

int dsr_jschema_draft_from_name(const char *s) {
    static const char *const names[] = {"2020-12", "2019-09", "7", "6", "4"};
    static const int drafts[] = {2020, 2019, 7, 6, 4};
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return drafts[i];
    return -1;
}

/* Percent-encodes what the path of a file:// URI cannot hold as it is. */
static char *path_escape(const char *s) {
    static const char keep[] = "-._~/!$&'()*+,;=:@";
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    for (; out && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr(keep, c))
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    if (out)
        *o = '\0';
    return out;
}

/*
 * Gives the schema file its file:// URI and its folder, from which references
 * may read files. A folder that cannot be found leaves the schema without
 * them (as a schema read from standard input is); -1 when out of memory.
 */
static int set_file(struct dsr_jschema_reg *reg, const char *file) {
    const char *slash = strrchr(file, '/');
    size_t dn = slash ? (size_t)(slash - file) : 0;
    reg->folder_name = slash ? strndup(file, dn ? dn : 1) : strdup(".");
    if (!reg->folder_name)
        return -1;
    if (!(reg->folder = realpath(reg->folder_name, NULL))) {
        free(reg->folder_name);
        reg->folder_name = NULL;
        return errno == ENOMEM ? -1 : 0;
    }
    char *dir = path_escape(reg->folder), *base = path_escape(slash ? slash + 1 : file);
    size_t len = (dir ? strlen(dir) : 0) + (base ? strlen(base) : 0) + 16;
    reg->folder_uri = dir && base ? malloc(len) : NULL;
    reg->file_uri = reg->folder_uri ? malloc(len) : NULL;
    if (reg->file_uri) {
        snprintf(reg->folder_uri, len, "file://%s%s", dir,
                 strcmp(reg->folder, "/") ? "/" : "");
        snprintf(reg->file_uri, len, "%s%s", reg->folder_uri, base);
    }
    free(dir);
    free(base);
    return reg->file_uri ? 0 : -1;
}

int dsr_jschema_reg_init(struct dsr_jschema_reg *reg,
                         const struct dsr_jschema_options *opts, struct dsr_diags *diags,
                         const char *name) {
    memset(reg, 0, sizeof *reg);
    reg->docs = json_array();
    reg->uris = json_object();
    reg->opts = opts;
    reg->default_draft = opts && opts->default_draft ? opts->default_draft : 2020;
    reg->diags = diags;
    reg->name = name;
    if (opts && opts->file && strcmp(opts->file, "-") && set_file(reg, opts->file))
        return -1;
    return reg->docs && reg->uris ? 0 : -1;
}

void dsr_jschema_reg_file(const struct dsr_jschema_reg *reg,
                          const struct dsr_jschema_res *res, char *buf, size_t n) {
    const char *rest = res ? dsr_jschema_reg_display(reg, res->doc_uri) : "";
    char *name = *rest && rest != res->doc_uri ? dsr_jschema_uri_unescape(rest) : NULL;
    if (name && strcmp(reg->folder_name, "."))
        snprintf(buf, n, "%s/%s", reg->folder_name, name);
    else
        snprintf(buf, n, "%s", name ? name : reg->name);
    free(name);
}

const char *dsr_jschema_reg_display(const struct dsr_jschema_reg *reg, const char *uri) {
    if (reg->file_uri && !strcmp(uri, reg->file_uri))
        return "";
    size_t k = reg->folder_uri ? strlen(reg->folder_uri) : 0;
    return k && !strncmp(uri, reg->folder_uri, k) ? uri + k : uri;
}

void dsr_jschema_reg_release(struct dsr_jschema_reg *reg) {
    for (size_t i = 0; i < reg->n_infos; i++) {
        free(reg->infos[i]->ptr);
        free(reg->infos[i]);
    }
    for (size_t i = 0; i < reg->n_res; i++) {
        free(reg->res[i]->uri);
        free(reg->res[i]->doc_uri);
        json_decref(reg->res[i]->dyn_anchors);
        free(reg->res[i]);
    }
    free(reg->infos);
    free(reg->res);
    dsr_jschema_pmap_release(&reg->by_schema);
    json_decref(reg->docs);
    json_decref(reg->uris);
    free(reg->file_uri);
    free(reg->folder_uri);
    free(reg->folder);
    free(reg->folder_name);
    memset(reg, 0, sizeof *reg);
}

static int grow(void **items, size_t *alloc, size_t n) {
    if (n < *alloc)
        return 0;
    size_t a = *alloc ? *alloc * 2 : 32;
    void *p = realloc(*items, a * sizeof(void *));
    if (!p)
        return -1;
    *items = p;
    *alloc = a;
    return 0;
}

static struct dsr_jschema_res *res_new(struct dsr_jschema_reg *reg, const char *uri,
                                       const char *doc_uri, const json_t *root,
                                       int draft) {
    struct dsr_jschema_res *r = calloc(1, sizeof *r);
    if (!r || grow((void **)&reg->res, &reg->alloc_res, reg->n_res) ||
        !(r->uri = strdup(uri)) || !(r->doc_uri = strdup(doc_uri))) {
        if (r)
            free(r->uri);
        free(r);
        return NULL;
    }
    r->root = root;
    r->draft = draft;
    r->vocab = DSR_JSV_ALL;
    reg->res[reg->n_res++] = r;
    return r;
}

static struct dsr_jschema_sinfo *info_new(struct dsr_jschema_reg *reg, const json_t *s,
                                          struct dsr_jschema_res *res, const char *ptr) {
    struct dsr_jschema_sinfo *si = calloc(1, sizeof *si);
    if (!si || grow((void **)&reg->infos, &reg->alloc_infos, reg->n_infos) ||
        !(si->ptr = strdup(ptr)) || dsr_jschema_pmap_put(&reg->by_schema, s, si)) {
        if (si)
            free(si->ptr);
        free(si);
        return NULL;
    }
    si->schema = s;
    si->res = res;
    si->index = reg->n_infos;
    reg->infos[reg->n_infos++] = si;
    return si;
}

struct dsr_jschema_sinfo *dsr_jschema_reg_info(struct dsr_jschema_reg *reg,
                                               const json_t *s) {
    return dsr_jschema_pmap_get(&reg->by_schema, s);
}

/* Names uri (a resource or "resource#anchor"); the first to claim a URI keeps it. */
static int name_uri(struct dsr_jschema_reg *reg, const char *uri,
                    struct dsr_jschema_sinfo *si) {
    if (json_object_get(reg->uris, uri))
        return 0;
    return json_object_set_new(reg->uris, uri, json_integer((json_int_t)si->index));
}

static unsigned vocab_of(const json_t *meta) {
    const json_t *v = json_object_get(meta, "$vocabulary");
    if (!json_is_object(v))
        return DSR_JSV_ALL;
    unsigned flags = 0;
    const char *k;
    json_t *on;
    json_object_foreach((json_t *)v, k, on) {
        const char *name = strrchr(k, '/');
        name = name ? name + 1 : k;
        if (!strcmp(name, "applicator"))
            flags |=
                DSR_JSV_APPLICATOR | (strstr(k, "2019-09") ? DSR_JSV_UNEVALUATED : 0);
        else if (!strcmp(name, "validation"))
            flags |= DSR_JSV_VALIDATION;
        else if (!strcmp(name, "unevaluated"))
            flags |= DSR_JSV_UNEVALUATED;
        else if (!strcmp(name, "format-assertion"))
            flags |= DSR_JSV_FORMAT_ASSERT;
    }
    return flags;
}

/* Sets a resource's draft and vocabularies from its "$schema"; -1 when unknown. */
static int set_dialect(struct dsr_jschema_reg *reg, struct dsr_jschema_res *res,
                       const json_t *s) {
    const char *uri = dsr_jschema_string(json_object_get(s, "$schema"));
    if (!uri)
        return 0;
    int d = dsr_jschema_draft_from_uri(uri);
    if (d > 0) {
        res->draft = d;
        return 0;
    }
    char why[DSR_MSG_MAX];
    struct dsr_jschema_sinfo *meta =
        dsr_jschema_reg_lookup(reg, uri, reg->default_draft, why, sizeof why);
    if (!meta || meta->schema == s) {
        dsr_diag_add(reg->diags, DSR_DIAG_BAD_SCHEMA, reg->name, 0, 0, "",
                     "unknown \"$schema\" \"%s\": not a draft this validator knows", uri);
        return -1;
    }
    res->draft = meta->res->draft;
    res->vocab = vocab_of(meta->schema);
    return 0;
}

static int index_schema(struct dsr_jschema_reg *reg, const json_t *s,
                        struct dsr_jschema_res *res, const char *ptr);

static int index_child(struct dsr_jschema_reg *reg, const json_t *s,
                       struct dsr_jschema_res *res, const char *ptr, const char *tok1,
                       const char *tok2) {
    char *p = dsr_jschema_ptr_append(ptr, tok1), *q = p;
    if (p && tok2) {
        q = dsr_jschema_ptr_append(p, tok2);
        free(p);
    }
    if (!q)
        return -1;
    int rc = index_schema(reg, s, res, q);
    free(q);
    return rc;
}

static const char *const one_kw[] = {"additionalProperties",
                                     "additionalItems",
                                     "items",
                                     "contains",
                                     "propertyNames",
                                     "not",
                                     "if",
                                     "then",
                                     "else",
                                     "unevaluatedProperties",
                                     "unevaluatedItems",
                                     "contentSchema",
                                     NULL};
static const char *const array_kw[] = {"allOf",       "anyOf", "oneOf",
                                       "prefixItems", "items", NULL};
static const char *const object_kw[] = {
    "properties",       "patternProperties", "$defs", "definitions",
    "dependentSchemas", "dependencies",      NULL};

static int index_children(struct dsr_jschema_reg *reg, const json_t *s,
                          struct dsr_jschema_res *res, const char *ptr) {
    char idx[24];
    for (size_t k = 0; one_kw[k]; k++) {
        const json_t *c = json_object_get(s, one_kw[k]);
        if ((json_is_object(c) || json_is_boolean(c)) &&
            index_child(reg, c, res, ptr, one_kw[k], NULL))
            return -1;
    }
    for (size_t k = 0; array_kw[k]; k++) {
        const json_t *a = json_object_get(s, array_kw[k]);
        for (size_t i = 0; json_is_array(a) && i < json_array_size(a); i++) {
            snprintf(idx, sizeof idx, "%zu", i);
            if (index_child(reg, json_array_get(a, i), res, ptr, array_kw[k], idx))
                return -1;
        }
    }
    for (size_t k = 0; object_kw[k]; k++) {
        json_t *o = json_object_get(s, object_kw[k]);
        const char *key;
        json_t *c;
        if (!json_is_object(o))
            continue;
        json_object_foreach(
            o, key, c) if ((json_is_object(c) || json_is_boolean(c)) &&
                           index_child(reg, c, res, ptr, object_kw[k], key)) return -1;
    }
    return 0;
}

/*
 * Handles "$id" (or draft 4's "id"): a new resource, or a draft 7 "#name" anchor.
 * Before 2019-09 "$ref" hides its siblings, but a document root's "$id" beside it
 * still gives the document its base URI, as ajv and python-jsonschema take it.
 */
static int index_id(struct dsr_jschema_reg *reg, const json_t *s,
                    struct dsr_jschema_res **res, const char **ptr,
                    struct dsr_jschema_sinfo **anchor_of) {
    int draft = (*res)->draft;
    const char *id = dsr_jschema_string(json_object_get(s, draft == 4 ? "id" : "$id"));
    if (!id || (draft <= 7 && json_object_get(s, "$ref") && (*res)->root != s))
        return 0;
    char *abs = dsr_jschema_uri_resolve((*res)->uri, id);
    if (!abs)
        return -1;
    const char *frag;
    char *base = dsr_jschema_uri_strip(abs, &frag);
    int rc = -1;
    if (base && id[0] == '#' && frag && *frag) {
        *anchor_of = (struct dsr_jschema_sinfo *)abs; /* named once the sinfo exists */
        free(base);
        return 0;
    }
    if (base) {
        struct dsr_jschema_res *r = res_new(reg, base, (*res)->doc_uri, s, draft);
        if (r) {
            r->vocab = (*res)->vocab;
            *res = r;
            *ptr = "";
            rc = set_dialect(reg, r, s);
        }
    }
    free(base);
    free(abs);
    return rc;
}

static int index_anchors(struct dsr_jschema_reg *reg, const json_t *s,
                         struct dsr_jschema_sinfo *si) {
    struct dsr_jschema_res *res = si->res;
    const char *names[2] = {dsr_jschema_string(json_object_get(s, "$anchor")), NULL};
    if (res->draft == 2020)
        names[1] = dsr_jschema_string(json_object_get(s, "$dynamicAnchor"));
    if (res->draft < 2019)
        return 0;
    if (res->draft == 2019 && res->root == s &&
        json_is_true(json_object_get(s, "$recursiveAnchor")))
        res->recursive_anchor = 1;
    for (int i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        size_t n = strlen(res->uri) + strlen(names[i]) + 2;
        char *u = malloc(n);
        if (!u)
            return -1;
        snprintf(u, n, "%s#%s", res->uri, names[i]);
        int rc = name_uri(reg, u, si);
        free(u);
        if (rc)
            return -1;
        if (i == 1) {
            if (!res->dyn_anchors && !(res->dyn_anchors = json_object()))
                return -1;
            if (json_object_set_new(res->dyn_anchors, names[i],
                                    json_integer((json_int_t)si->index)))
                return -1;
        }
    }
    return 0;
}

static int index_schema(struct dsr_jschema_reg *reg, const json_t *s,
                        struct dsr_jschema_res *res, const char *ptr) {
    if (dsr_jschema_reg_info(reg, s))
        return 0;
    struct dsr_jschema_sinfo *anchor = NULL;
    if (json_is_object(s) && index_id(reg, s, &res, &ptr, &anchor))
        return -1;
    struct dsr_jschema_sinfo *si = info_new(reg, s, res, ptr);
    int rc = si ? 0 : -1;
    if (si && res->root == s && res->uri[0] && name_uri(reg, res->uri, si))
        rc = -1;
    if (anchor) {
        if (si && name_uri(reg, (const char *)anchor, si))
            rc = -1;
        free(anchor);
    }
    if (rc || !json_is_object(s))
        return rc;
    if (index_anchors(reg, s, si))
        return -1;
    return index_children(reg, s, res, si->ptr);
}

struct dsr_jschema_sinfo *dsr_jschema_reg_add(struct dsr_jschema_reg *reg, json_t *doc,
                                              const char *uri, int draft) {
    if (json_array_append(reg->docs, doc))
        return NULL;
    struct dsr_jschema_res *res = res_new(reg, uri, uri, doc, draft);
    if (!res || (json_is_object(doc) && set_dialect(reg, res, doc)))
        return NULL;
    if (index_schema(reg, doc, res, ""))
        return NULL;
    struct dsr_jschema_sinfo *si = dsr_jschema_reg_info(reg, doc);
    if (si && name_uri(reg, uri, si))
        return NULL;
    return si;
}

static struct dsr_jschema_sinfo *by_uri(struct dsr_jschema_reg *reg, const char *uri) {
    json_t *i = json_object_get(reg->uris, uri);
    return i ? reg->infos[json_integer_value(i)] : NULL;
}

/* A schema file read for a reference larger than this is refused. */
#define SCHEMA_FILE_MAX (64u << 20)

/* Reads a schema file as the CLI reads one: bignums kept (dsr_jschema_loadb). */
static json_t *load_file(const char *path, json_error_t *err) {
    FILE *f = fopen(path, "rb");
    int open_errno = errno;
    struct stat st;
    size_t len = 0, cap = 1 << 16, got;
    const char *bad = !f ? strerror(open_errno)
                      : fstat(fileno(f), &st) || !S_ISREG(st.st_mode) ? "not a file"
                      : st.st_size > (off_t)SCHEMA_FILE_MAX ? "larger than 64 MiB"
                                                            : NULL;
    char *buf = bad ? NULL : malloc(cap);
    json_t *doc = NULL;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len > SCHEMA_FILE_MAX) {
            bad = "larger than 64 MiB";
            free(buf);
            buf = NULL;
            break;
        }
        char *p = len == cap ? realloc(buf, cap *= 2) : buf;
        if (!p)
            free(buf);
        buf = p;
    }
    if (buf && !ferror(f))
        doc = dsr_jschema_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, err);
    else
        snprintf(err->text, sizeof err->text, "%s",
                 bad ? bad : "read error or out of memory");
    free(buf);
    if (f)
        fclose(f);
    return doc;
}

/* 1 when a URI path (the part under a folder) may name a file below that folder. */
static int below(const char *rest) {
    if (!*rest || *rest == '/' || strpbrk(rest, "?\\") || strstr(rest, "%00"))
        return 0;
    char *d = dsr_jschema_uri_unescape(rest);
    int ok = d && *d != '/' && !strchr(d, '\\');
    for (const char *p = d; ok && p;
         p = p[strcspn(p, "/")] ? p + strcspn(p, "/") + 1 : NULL)
        if (strcspn(p, "/") == 2 && !strncmp(p, "..", 2))
            ok = 0;
    free(d);
    return ok;
}

/*
 * Reads the file a URI path names below folder dir (real path real, or NULL to
 * find it), refusing one that a link takes out of the folder. NULL with the
 * reason in why, where the file is called shown.
 */
static json_t *load_below(const char *dir, const char *real, const char *rest,
                          const char *shown, char *why, size_t n) {
    char *name = dsr_jschema_uri_unescape(rest), *path = NULL, *rdir = NULL,
         *rfile = NULL;
    json_t *doc = NULL;
    json_error_t err;
    size_t len = name ? strlen(dir) + strlen(name) + 2 : 0;
    if (name && (path = malloc(len)))
        snprintf(path, len, "%s/%s", dir, name);
    if (path && !real)
        real = rdir = realpath(dir, NULL);
    if (path && real && !(rfile = realpath(path, NULL)))
        snprintf(why, n, "cannot read \"%s\": %s", shown, strerror(errno));
    size_t k = real ? strlen(real) : 0;
    if (rfile && (strncmp(rfile, real, k) || (rfile[k] != '/' && strcmp(real, "/"))))
        snprintf(why, n, "refusing \"%s\": a link takes it out of \"%s\"", shown, dir);
    else if (rfile && !(doc = load_file(rfile, &err)))
        snprintf(why, n, "cannot read \"%s\": %s", shown, err.text);
    if (path && !real)
        snprintf(why, n, "cannot find the folder \"%s\": %s", dir, strerror(errno));
    else if (!path)
        snprintf(why, n, "out of memory");
    free(name);
    free(path);
    free(rdir);
    free(rfile);
    return doc;
}

/* Reads the file a --ref-root or the schema's folder maps uri to; NULL with why. */
static json_t *load_root_file(struct dsr_jschema_reg *reg, const char *uri, char *why,
                              size_t n) {
    const struct dsr_jschema_options *o = reg->opts;
    for (size_t i = 0; o && i < o->n_roots; i++) {
        size_t k = strlen(o->roots[i].uri);
        if (strncmp(uri, o->roots[i].uri, k))
            continue;
        const char *rest = uri + k;
        /* the URI is already free of dot segments; refuse anything that could leave dir
         */
        if (!below(rest)) {
            snprintf(why, n, "refusing \"%s\": it does not name a file under \"%s\"", uri,
                     o->roots[i].dir);
            return NULL;
        }
        return load_below(o->roots[i].dir, NULL, rest, uri, why, n);
    }
    size_t k = reg->folder_uri ? strlen(reg->folder_uri) : 0;
    if (k && !strncmp(uri, reg->folder_uri, k) && below(uri + k)) {
        char *shown = dsr_jschema_uri_unescape(uri + k);
        size_t len = shown ? strlen(reg->folder_name) + strlen(shown) + 2 : 0;
        char *path = len ? malloc(len) : NULL;
        json_t *doc = NULL;
        if (path) {
            snprintf(path, len, "%s/%s",
                     strcmp(reg->folder_name, ".") ? reg->folder_name : "", shown);
            doc = load_below(reg->folder_name, reg->folder, uri + k,
                             path + !strcmp(reg->folder_name, "."), why, n);
        }
        free(shown);
        free(path);
        return doc;
    }
    if (k && !strncmp(uri, "file:", 5))
        snprintf(why, n,
                 "refusing a file outside the schema's folder \"%s\": only files beside "
                 "the schema or below its folder are read",
                 reg->folder_name);
    else
        snprintf(why, n, "no built-in schema, --ref or --ref-root provides \"%s\"", uri);
    return NULL;
}

/* Follows a JSON Pointer fragment (percent-decoded) from a resource root. */
static struct dsr_jschema_sinfo *walk_pointer(struct dsr_jschema_reg *reg,
                                              struct dsr_jschema_sinfo *root,
                                              const char *frag, char *why, size_t n) {
    char *ptr = dsr_jschema_uri_unescape(frag);
    const json_t *cur = root->schema;
    struct dsr_jschema_sinfo *last = root;
    size_t last_at = 0;
    for (char *p = ptr; p && *p == '/' && cur;) {
        char *end = p + 1 + strcspn(p + 1, "/"), save = *end;
        *end = '\0';
        dsr_pointer_unescape(p + 1);
        if (json_is_object(cur))
            cur = json_object_get(cur, p + 1);
        else if (json_is_array(cur) && strspn(p + 1, "0123456789") == strlen(p + 1) &&
                 p[1])
            cur = json_array_get(cur, strtoul(p + 1, NULL, 10));
        else
            cur = NULL;
        *end = save;
        struct dsr_jschema_sinfo *si = cur ? dsr_jschema_reg_info(reg, cur) : NULL;
        if (si) {
            last = si;
            last_at = (size_t)(end - ptr);
        }
        p = end;
    }
    struct dsr_jschema_sinfo *found = NULL;
    if (!cur) {
        snprintf(why, n, "cannot resolve pointer \"#%s\": no such location", frag);
    } else if (!(found = dsr_jschema_reg_info(reg, cur))) {
        /* a schema under a keyword this draft does not know: index it now */
        char *rel = dsr_jschema_uri_unescape(frag + last_at);
        size_t len = strlen(last->ptr) + (rel ? strlen(rel) : 0) + 1;
        char *full = malloc(len);
        if (rel && full) {
            snprintf(full, len, "%s%s", last->ptr, rel);
            if (!index_schema(reg, cur, last->res, full))
                found = dsr_jschema_reg_info(reg, cur);
        }
        free(rel);
        free(full);
    }
    free(ptr);
    return found;
}

struct dsr_jschema_sinfo *dsr_jschema_reg_known(struct dsr_jschema_reg *reg,
                                                const char *uri) {
    char *base = dsr_jschema_uri_strip(uri, NULL);
    struct dsr_jschema_sinfo *si = base ? by_uri(reg, base) : NULL;
    free(base);
    return si;
}

struct dsr_jschema_sinfo *dsr_jschema_reg_lookup(struct dsr_jschema_reg *reg,
                                                 const char *uri, int draft, char *why,
                                                 size_t n) {
    const char *frag;
    char *base = dsr_jschema_uri_strip(uri, &frag);
    struct dsr_jschema_sinfo *root = NULL, *found = NULL;
    if (!base)
        return NULL;
    if (!(root = by_uri(reg, base))) {
        json_t *doc = dsr_jschema_meta_load(base);
        if (!doc)
            doc = load_root_file(reg, base, why, n);
        if (doc) {
            root = dsr_jschema_reg_add(reg, doc, base, draft);
            json_decref(doc);
        }
    }
    if (!root) {
        free(base);
        return NULL;
    }
    if (!frag || !*frag) {
        found = root;
    } else if (*frag == '/') {
        found = walk_pointer(reg, root, frag, why, n);
    } else {
        found = by_uri(reg, uri);
        if (!found)
            snprintf(why, n, "cannot resolve \"%s\": no \"$anchor\" or \"$id\" names it",
                     uri);
    }
    free(base);
    return found;
}
