/*
 * JSON Schema compilation: each schema object becomes a node holding its
 * keywords as structs (subschemas linked, patterns compiled, property names
 * in a hash), once, so validation never reads the schema's JSON again.
 * References are resolved here through the registry (jschema_ref.c); a
 * reference cycle that never moves into the instance is refused, as is a
 * schema that breaks its metaschema. Validation itself is jschema_eval.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

static struct dsr_jschema_node *compile(struct dsr_jschema *js,
                                        struct dsr_jschema_sinfo *si);

static void schema_error(struct dsr_jschema *js, const struct dsr_jschema_sinfo *si,
                         const char *kw, const char *fmt, const char *arg,
                         const char *why) {
    char path[DSR_PATH_MAX], msg[DSR_MSG_MAX], file[4096]; /* a path, as PATH_MAX */
    snprintf(path, sizeof path, "%s%s%s", si ? si->ptr : "", kw ? "/" : "", kw ? kw : "");
    if (snprintf(msg, sizeof msg, fmt, arg, why ? why : "") >= (int)sizeof msg)
        msg[dsr_utf8_trim(msg, strlen(msg))] = '\0';
    /* a problem in a file read beside the schema names that file */
    dsr_jschema_reg_file(&js->reg, si ? si->res : NULL, file, sizeof file);
    dsr_diag_add(js->reg.diags, DSR_DIAG_BAD_SCHEMA, file, 0, 0, path, "%s", msg);
    js->failed = 1;
}

const struct dsr_jschema_node *dsr_jschema_node_get(const struct dsr_jschema *js,
                                                    const json_t *schema) {
    return dsr_jschema_pmap_get(&js->nodes, schema);
}

/* Compiles the subschema s found under si; NULL after a diagnostic. */
static struct dsr_jschema_node *sub(struct dsr_jschema *js, const json_t *s) {
    struct dsr_jschema_sinfo *si = dsr_jschema_reg_info(&js->reg, s);
    if (!si)
        schema_error(js, NULL, NULL, "invalid schema%s%s: a subschema was not indexed",
                     "", NULL);
    return si ? compile(js, si) : NULL;
}

/*
 * Resolves a reference. Its URI is resolved against the base URI first. When
 * that names no document known or loadable, the same reference is tried as a
 * --ref document's name, then against the URI the document was read under
 * (the file beside the schema when an "$id" gave another base).
 */
static struct dsr_jschema_node *resolve_ref(struct dsr_jschema *js,
                                            struct dsr_jschema_sinfo *si, const char *kw,
                                            const char *ref) {
    char why[DSR_MSG_MAX] = "", why2[DSR_MSG_MAX / 2] = "";
    struct dsr_jschema_reg *reg = &js->reg;
    char *uris[3] = {dsr_jschema_uri_resolve(si->res->uri, ref), NULL, NULL};
    int relative = ref[0] && ref[0] != '#';
    if (relative && si->res->uri[0]) /* a --ref document named as written */
        uris[1] = dsr_jschema_uri_resolve("", ref);
    if (relative && si->res->doc_uri[0] && strcmp(si->res->doc_uri, si->res->uri))
        uris[2] = dsr_jschema_uri_resolve(si->res->doc_uri, ref);
    struct dsr_jschema_sinfo *t = NULL;
    int pick = -1;
    for (int i = 0; i < 3 && pick < 0; i++)
        if (uris[i] && dsr_jschema_reg_known(reg, uris[i]))
            pick = i;
    if (pick >= 0) {
        t = dsr_jschema_reg_lookup(reg, uris[pick], si->res->draft, why, sizeof why);
    } else if (uris[0]) {
        t = dsr_jschema_reg_lookup(reg, uris[0], si->res->draft, why, sizeof why);
        if (!t && uris[2] && !dsr_jschema_reg_known(reg, uris[0])) {
            t = dsr_jschema_reg_lookup(reg, uris[2], si->res->draft, why2, sizeof why2);
            if (!t && !dsr_jschema_reg_known(reg, uris[2]))
                snprintf(why + strlen(why), sizeof why - strlen(why),
                         "; nor beside the schema: %s", why2);
            else if (!t)
                snprintf(why, sizeof why, "%s", why2);
        }
    }
    for (int i = 0; i < 3; i++)
        free(uris[i]);
    if (!t) {
        schema_error(js, si, kw, "unresolvable reference \"%s\": %s", ref, why);
        return NULL;
    }
    return compile(js, t);
}

static int type_bit(const char *name) {
    static const char *const names[] = {"object", "array",   "string", "integer",
                                        "number", "boolean", "null"};
    static const unsigned bits[] = {1u << JSON_OBJECT,
                                    1u << JSON_ARRAY,
                                    1u << JSON_STRING,
                                    DSR_JSCHEMA_INTEGER,
                                    (1u << JSON_INTEGER) | (1u << JSON_REAL),
                                    (1u << JSON_TRUE) | (1u << JSON_FALSE),
                                    1u << JSON_NULL};
    for (int i = 0; i < 7; i++)
        if (!strcmp(name, names[i]))
            return (int)bits[i];
    return 0;
}

static int compile_list(struct dsr_jschema *js, struct dsr_jschema_kw *k,
                        const json_t *a) {
    k->n = json_array_size(a);
    if (!(k->subs = calloc(k->n + 1, sizeof *k->subs)))
        return -1;
    for (size_t i = 0; i < k->n; i++)
        if (!(k->subs[i] = sub(js, json_array_get(a, i))))
            return -1;
    return 0;
}

/* Object of subschemas (properties, dependentSchemas...): keys, subs and a lookup. */
static int compile_map(struct dsr_jschema *js, struct dsr_jschema_kw *k, json_t *o,
                       int deps) {
    const char *key;
    json_t *v;
    size_t i = 0;
    k->n = json_object_size(o);
    k->subs = calloc(k->n + 1, sizeof *k->subs);
    k->keys = calloc(k->n + 1, sizeof *k->keys);
    k->lists = calloc(k->n + 1, sizeof *k->lists);
    k->lookup = json_object();
    if (!k->subs || !k->keys || !k->lists || !k->lookup)
        return -1;
    json_object_foreach(o, key, v) {
        k->keys[i] = key;
        if (deps && json_is_array(v))
            k->lists[i] = v;
        else if (!(k->subs[i] = sub(js, v)))
            return -1;
        if (json_object_set_new(k->lookup, key, json_integer((json_int_t)i)))
            return -1;
        i++;
    }
    return 0;
}

/* Compiles pattern (len bytes; a NUL is one of its characters); NULL after a diagnostic.
 */
static struct dsr_jschema_regex *regex(struct dsr_jschema *js,
                                       struct dsr_jschema_sinfo *si, const char *kw,
                                       const char *pattern, size_t len) {
    char why[DSR_MSG_MAX / 2], quoted[DSR_MSG_MAX / 2];
    struct dsr_jschema_regex *re = dsr_jschema_regex_new(pattern, len, why, sizeof why);
    if (!re) {
        dsr_jschema_quote(pattern, len, "\"", SIZE_MAX, quoted, sizeof quoted);
        schema_error(js, si, kw, "invalid regular expression %s: %s", quoted, why);
    }
    return re;
}

static int compile_patterns(struct dsr_jschema *js, struct dsr_jschema_sinfo *si,
                            struct dsr_jschema_kw *k, json_t *o) {
    if (compile_map(js, k, o, 0))
        return -1;
    if (!(k->regexes = calloc(k->n + 1, sizeof *k->regexes)))
        return -1;
    for (size_t i = 0; i < k->n; i++)
        if (!(k->regexes[i] = regex(js, si, k->name, k->keys[i], strlen(k->keys[i]))))
            return -1;
    return 0;
}

static size_t count_of(const json_t *v) {
    const char *big = dsr_jschema_bignum(v);
    if (big)
        return big[0] == '-' ? 0 : SIZE_MAX;
    if (json_is_integer(v))
        return json_integer_value(v) < 0 ? 0 : (size_t)json_integer_value(v);
    double d = json_real_value(v);
    return d < 0 ? 0 : d > 1e18 ? SIZE_MAX : (size_t)d;
}

/* Keyword groups by the vocabulary that defines them (2019-09 and later). */
static unsigned vocab_of(enum dsr_jschema_op op) {
    if (op <= DSR_OP_RECREF)
        return 0;
    if (op >= DSR_OP_UNEVAL_ITEMS)
        return DSR_JSV_UNEVALUATED;
    if (op <= DSR_OP_IF || op == DSR_OP_PREFIX_ITEMS || op == DSR_OP_ITEMS ||
        op == DSR_OP_CONTAINS || op == DSR_OP_PROPERTIES || op == DSR_OP_PATTERN_PROPS ||
        op == DSR_OP_ADDITIONAL_PROPS || op == DSR_OP_PROPERTY_NAMES ||
        op == DSR_OP_DEP_SCHEMAS)
        return DSR_JSV_APPLICATOR;
    return op == DSR_OP_FORMAT ? 0 : DSR_JSV_VALIDATION;
}

struct kwdef {
    const char *name;
    enum dsr_jschema_op op;
    int min_draft, max_draft;
};

/* Evaluation order: properties before additionalProperties, unevaluated* last. */
static const struct kwdef kwdefs[] = {
    {"$ref", DSR_OP_REF, 4, 2020},
    {"$dynamicRef", DSR_OP_DYNREF, 2020, 2020},
    {"$recursiveRef", DSR_OP_RECREF, 2019, 2019},
    {"type", DSR_OP_TYPE, 4, 2020},
    {"const", DSR_OP_CONST, 6, 2020},
    {"enum", DSR_OP_ENUM, 4, 2020},
    {"multipleOf", DSR_OP_MULTIPLE_OF, 4, 2020},
    {"maximum", DSR_OP_MAXIMUM, 4, 2020},
    {"exclusiveMaximum", DSR_OP_EXCL_MAXIMUM, 6, 2020},
    {"minimum", DSR_OP_MINIMUM, 4, 2020},
    {"exclusiveMinimum", DSR_OP_EXCL_MINIMUM, 6, 2020},
    {"maxLength", DSR_OP_MAX_LENGTH, 4, 2020},
    {"minLength", DSR_OP_MIN_LENGTH, 4, 2020},
    {"pattern", DSR_OP_PATTERN, 4, 2020},
    {"format", DSR_OP_FORMAT, 4, 2020},
    {"maxItems", DSR_OP_MAX_ITEMS, 4, 2020},
    {"minItems", DSR_OP_MIN_ITEMS, 4, 2020},
    {"uniqueItems", DSR_OP_UNIQUE, 4, 2020},
    {"prefixItems", DSR_OP_PREFIX_ITEMS, 2020, 2020},
    {"items", DSR_OP_ITEMS, 4, 2020},
    {"additionalItems", DSR_OP_ITEMS, 4, 2019},
    {"contains", DSR_OP_CONTAINS, 6, 2020},
    {"maxProperties", DSR_OP_MAX_PROPS, 4, 2020},
    {"minProperties", DSR_OP_MIN_PROPS, 4, 2020},
    {"required", DSR_OP_REQUIRED, 4, 2020},
    {"dependentRequired", DSR_OP_DEP_REQUIRED, 2019, 2020},
    {"dependentSchemas", DSR_OP_DEP_SCHEMAS, 2019, 2020},
    {"dependencies", DSR_OP_DEP_SCHEMAS, 4, 2020}, /* 2019+: kept for old schemas */
    {"properties", DSR_OP_PROPERTIES, 4, 2020},
    {"patternProperties", DSR_OP_PATTERN_PROPS, 4, 2020},
    {"additionalProperties", DSR_OP_ADDITIONAL_PROPS, 4, 2020},
    {"propertyNames", DSR_OP_PROPERTY_NAMES, 6, 2020},
    {"allOf", DSR_OP_ALLOF, 4, 2020},
    {"anyOf", DSR_OP_ANYOF, 4, 2020},
    {"oneOf", DSR_OP_ONEOF, 4, 2020},
    {"not", DSR_OP_NOT, 4, 2020},
    {"if", DSR_OP_IF, 7, 2020},
    {"unevaluatedItems", DSR_OP_UNEVAL_ITEMS, 2019, 2020},
    {"unevaluatedProperties", DSR_OP_UNEVAL_PROPS, 2019, 2020},
};

/* The "items"/"additionalItems" pair before 2020-12, and 2020-12's "items". */
static int compile_items(struct dsr_jschema *js, struct dsr_jschema_node *n,
                         struct dsr_jschema_kw *k) {
    const json_t *s = n->schema, *items = json_object_get(s, "items");
    if (!strcmp(k->name, "additionalItems")) {
        if (!json_is_array(items))
            return 1; /* without an items array, additionalItems does nothing */
        k->from = json_array_size(items);
        return (k->sub = sub(js, k->value)) ? 0 : -1;
    }
    if (json_is_array(items) && n->draft < 2020) {
        k->op = DSR_OP_PREFIX_ITEMS;
        return compile_list(js, k, items);
    }
    if (n->draft >= 2020)
        k->from = json_array_size(json_object_get(s, "prefixItems"));
    return (k->sub = sub(js, k->value)) ? 0 : -1;
}

static int compile_kw(struct dsr_jschema *js, struct dsr_jschema_sinfo *si,
                      struct dsr_jschema_node *n, struct dsr_jschema_kw *k) {
    json_t *v = (json_t *)k->value;
    switch (k->op) {
    case DSR_OP_REF:
    case DSR_OP_DYNREF:
        if (k->op == DSR_OP_DYNREF && strchr(json_string_value(v), '#') &&
            strchr(json_string_value(v), '#')[1] != '/')
            k->anchor = strchr(json_string_value(v), '#') + 1;
        return (k->sub = resolve_ref(js, si, k->name, json_string_value(v))) ? 0 : -1;
    case DSR_OP_RECREF: return (k->sub = resolve_ref(js, si, k->name, "#")) ? 0 : -1;
    case DSR_OP_ALLOF:
    case DSR_OP_ANYOF:
    case DSR_OP_ONEOF:
    case DSR_OP_PREFIX_ITEMS: return compile_list(js, k, v);
    case DSR_OP_ITEMS: return compile_items(js, n, k);
    case DSR_OP_NOT:
    case DSR_OP_CONTAINS:
    case DSR_OP_PROPERTY_NAMES:
    case DSR_OP_UNEVAL_ITEMS:
    case DSR_OP_UNEVAL_PROPS:
        k->from = 1;
        k->max = SIZE_MAX;
        if (k->op == DSR_OP_CONTAINS && n->draft >= 2019) {
            const json_t *mn = json_object_get(n->schema, "minContains");
            const json_t *mx = json_object_get(n->schema, "maxContains");
            if (dsr_jschema_is_number(mn))
                k->from = count_of(mn);
            if (dsr_jschema_is_number(mx))
                k->max = count_of(mx);
        }
        return (k->sub = sub(js, v)) ? 0 : -1;
    case DSR_OP_IF:
        k->n = 2;
        if (!(k->subs = calloc(2, sizeof *k->subs)) || !(k->sub = sub(js, v)))
            return -1;
        if (json_object_get(n->schema, "then"))
            k->subs[0] = sub(js, json_object_get(n->schema, "then"));
        if (json_object_get(n->schema, "else"))
            k->subs[1] = sub(js, json_object_get(n->schema, "else"));
        return js->failed ? -1 : 0;
    case DSR_OP_TYPE:
        if (json_is_string(v))
            k->types = (unsigned)type_bit(json_string_value(v));
        for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
            k->types |= (unsigned)type_bit(json_string_value(json_array_get(v, i)));
        return 0;
    case DSR_OP_PATTERN:
        k->n = 1;
        if (!(k->regexes = calloc(1, sizeof *k->regexes)))
            return -1;
        k->regexes[0] =
            regex(js, si, k->name, json_string_value(v), json_string_length(v));
        return k->regexes[0] ? 0 : -1;
    case DSR_OP_MAX_LENGTH:
    case DSR_OP_MIN_LENGTH:
    case DSR_OP_MAX_ITEMS:
    case DSR_OP_MIN_ITEMS:
    case DSR_OP_MAX_PROPS:
    case DSR_OP_MIN_PROPS: k->from = count_of(v); return 0;
    case DSR_OP_MAXIMUM:
    case DSR_OP_MINIMUM:
        if (n->draft == 4) {
            const char *ex =
                k->op == DSR_OP_MAXIMUM ? "exclusiveMaximum" : "exclusiveMinimum";
            k->from = json_is_true(json_object_get(n->schema, ex));
        }
        return 0;
    case DSR_OP_REQUIRED: k->n = json_array_size(v); return 0;
    case DSR_OP_DEP_SCHEMAS:
    case DSR_OP_PROPERTIES: return compile_map(js, k, v, k->op == DSR_OP_DEP_SCHEMAS);
    case DSR_OP_PATTERN_PROPS: return compile_patterns(js, si, k, v);
    case DSR_OP_ADDITIONAL_PROPS:
        for (struct dsr_jschema_kw *o = n->kws; o < k; o++) {
            if (o->op == DSR_OP_PROPERTIES)
                k->props = o;
            if (o->op == DSR_OP_PATTERN_PROPS)
                k->pprops = o;
        }
        return (k->sub = sub(js, v)) ? 0 : -1;
    default: return 0;
    }
}

/* 1 when the value has the form the keyword needs, else it is ignored. */
static int well_formed(enum dsr_jschema_op op, const json_t *v) {
    int string = json_is_string(v) && !dsr_jschema_bignum(v);
    switch (op) {
    case DSR_OP_REF:
    case DSR_OP_DYNREF:
    case DSR_OP_PATTERN:
    case DSR_OP_FORMAT: return string;
    case DSR_OP_RECREF: return string;
    case DSR_OP_ALLOF:
    case DSR_OP_ANYOF:
    case DSR_OP_ONEOF:
    case DSR_OP_PREFIX_ITEMS:
    case DSR_OP_ENUM:
    case DSR_OP_REQUIRED: return json_is_array(v);
    case DSR_OP_PROPERTIES:
    case DSR_OP_PATTERN_PROPS:
    case DSR_OP_DEP_SCHEMAS:
    case DSR_OP_DEP_REQUIRED: return json_is_object(v);
    case DSR_OP_TYPE: return string || json_is_array(v);
    case DSR_OP_CONST: return 1;
    case DSR_OP_UNIQUE: return json_is_boolean(v);
    case DSR_OP_MULTIPLE_OF:
    case DSR_OP_MAXIMUM:
    case DSR_OP_MINIMUM:
    case DSR_OP_MAX_LENGTH:
    case DSR_OP_MIN_LENGTH:
    case DSR_OP_MAX_ITEMS:
    case DSR_OP_MIN_ITEMS:
    case DSR_OP_MAX_PROPS:
    case DSR_OP_MIN_PROPS: return dsr_jschema_is_number(v);
    case DSR_OP_EXCL_MAXIMUM:
    case DSR_OP_EXCL_MINIMUM: return dsr_jschema_is_number(v);
    default: return json_is_object(v) || json_is_boolean(v) || json_is_array(v);
    }
}

static int compile_keywords(struct dsr_jschema *js, struct dsr_jschema_sinfo *si,
                            struct dsr_jschema_node *n) {
    const json_t *s = n->schema;
    int only_ref = n->draft <= 7 && json_object_get(s, "$ref");
    if (!(n->kws = calloc(sizeof kwdefs / sizeof kwdefs[0] + 1, sizeof *n->kws)))
        return -1;
    for (size_t i = 0; i < sizeof kwdefs / sizeof kwdefs[0]; i++) {
        const struct kwdef *d = &kwdefs[i];
        json_t *v = json_object_get(s, d->name);
        if (!v || n->draft < d->min_draft || n->draft > d->max_draft ||
            (only_ref && d->op != DSR_OP_REF) || !well_formed(d->op, v))
            continue;
        if (n->draft >= 2019 && vocab_of(d->op) && !(n->res->vocab & vocab_of(d->op)))
            continue;
        if (d->op == DSR_OP_FORMAT && !js->format_assert &&
            !(n->res->vocab & DSR_JSV_FORMAT_ASSERT))
            continue;
        struct dsr_jschema_kw *k = &n->kws[n->n_kws];
        k->op = d->op;
        k->name = d->name;
        k->value = v;
        if (d->op == DSR_OP_FORMAT) /* 1: asserted by the vocabulary, not the option */
            k->from = (n->res->vocab & DSR_JSV_FORMAT_ASSERT) != 0;
        int rc = compile_kw(js, si, n, k);
        if (rc < 0)
            return -1;
        if (rc == 0)
            n->n_kws++;
        if (d->op >= DSR_OP_UNEVAL_ITEMS)
            n->track = 1;
    }
    return 0;
}

static struct dsr_jschema_node *compile(struct dsr_jschema *js,
                                        struct dsr_jschema_sinfo *si) {
    struct dsr_jschema_node *n = dsr_jschema_pmap_get(&js->nodes, si->schema);
    if (n)
        return n;
    n = calloc(1, sizeof *n);
    if (!n || dsr_jschema_pmap_put(&js->nodes, si->schema, n) ||
        (js->n_all == js->alloc_all &&
         !(js->all =
               realloc(js->all, (js->alloc_all = js->alloc_all * 2 + 64) * sizeof n)))) {
        free(n);
        js->failed = 1;
        return NULL;
    }
    js->all[js->n_all++] = n;
    n->schema = si->schema;
    n->res = si->res;
    n->draft = si->res->draft;
    const char *uri = dsr_jschema_reg_display(&js->reg, si->res->uri);
    size_t len = strlen(uri) + strlen(si->ptr) + 2;
    if (!(n->abs = malloc(len)))
        return NULL;
    snprintf(n->abs, len, "%s#%s", uri, si->ptr);
    n->boolean = json_is_true(si->schema) ? 1 : json_is_false(si->schema) ? 0 : -1;
    if (!json_is_object(si->schema)) {
        if (n->boolean < 0)
            schema_error(js, si, NULL,
                         "invalid schema%s%s: expected an object or a boolean", "", NULL);
        return n->boolean < 0 ? NULL : n;
    }
    if (compile_keywords(js, si, n)) {
        js->failed = 1;
        return NULL;
    }
    return n;
}

/* Keywords that apply a subschema to the same instance: a cycle of them never ends. */
static int in_place(enum dsr_jschema_op op) {
    return op <= DSR_OP_IF || op == DSR_OP_DEP_SCHEMAS;
}

/* Schemas followed in place, one inside the other, before the schema is refused. */
#define MAX_CHAIN 10000

/*
 * A stand-in for the edge that closes a reference cycle to t: validation
 * that reaches it reports the cycle there (jschema_eval.c), instead of
 * following it for ever. NULL when out of memory.
 */
static struct dsr_jschema_node *loop_node(struct dsr_jschema *js,
                                          const struct dsr_jschema_node *t) {
    struct dsr_jschema_node *n = calloc(1, sizeof *n);
    if (!n || !(n->abs = strdup(t->abs)) ||
        (js->n_all == js->alloc_all &&
         !(js->all =
               realloc(js->all, (js->alloc_all = js->alloc_all * 2 + 64) * sizeof n)))) {
        if (n)
            free(n->abs);
        free(n);
        return NULL;
    }
    js->all[js->n_all++] = n;
    n->schema = t->schema;
    n->res = t->res;
    n->draft = t->draft;
    n->boolean = -1;
    n->loop = t;
    return n;
}

/*
 * Follows one in-place edge: a target on the current path closes a cycle that
 * never moves into the instance, so the edge becomes a loop_node.
 */
static int find_cycle(struct dsr_jschema *js, struct dsr_jschema_pmap *state,
                      struct dsr_jschema_node *n, int depth);

static int follow(struct dsr_jschema *js, struct dsr_jschema_pmap *state,
                  struct dsr_jschema_node **edge, int depth) {
    if (!*edge)
        return 0;
    uintptr_t st = (uintptr_t)dsr_jschema_pmap_get(state, *edge);
    if (st == 1)
        return (*edge = loop_node(js, *edge)) ? 0 : -1;
    return st == 2 ? 0 : find_cycle(js, state, *edge, depth + 1);
}

/* Depth-first search over in-place edges; state: 1 on the path, 2 done. */
static int find_cycle(struct dsr_jschema *js, struct dsr_jschema_pmap *state,
                      struct dsr_jschema_node *n, int depth) {
    if ((uintptr_t)dsr_jschema_pmap_get(state, n) == 2)
        return 0;
    if (depth > MAX_CHAIN) {
        dsr_diag_add(js->reg.diags, DSR_DIAG_BAD_SCHEMA, js->reg.name, 0, 0, "",
                     "schema too deep: more than %d schemas apply in place, one "
                     "inside the other, from \"%s\"",
                     MAX_CHAIN, n->abs);
        return -1;
    }
    if (dsr_jschema_pmap_put(state, n, (void *)1))
        return -1;
    for (size_t i = 0; i < n->n_kws; i++) {
        struct dsr_jschema_kw *k = &n->kws[i];
        if (!in_place(k->op))
            continue;
        if (follow(js, state, &k->sub, depth))
            return -1;
        for (size_t j = 0; k->subs && j < k->n; j++)
            if (follow(js, state, &k->subs[j], depth))
                return -1;
    }
    return dsr_jschema_pmap_put(state, n, (void *)2);
}

/* Compiles every $dynamicAnchor of every resource loaded, for $dynamicRef at run time. */
static void compile_dynamic_anchors(struct dsr_jschema *js) {
    for (size_t r = 0; r < js->reg.n_res && !js->failed; r++) {
        const char *name;
        json_t *idx;
        json_object_foreach(js->reg.res[r]->dyn_anchors, name, idx)
            compile(js, js->reg.infos[json_integer_value(idx)]);
    }
}

struct meta_errors {
    struct dsr_jschema *js;
    int n;
};

static void meta_error(void *ctx, const char *ip, const char *kl, const char *al,
                       const char *msg) {
    struct meta_errors *m = ctx;
    (void)kl;
    (void)al;
    m->n++;
    dsr_diag_add(m->js->reg.diags, DSR_DIAG_BAD_SCHEMA, m->js->reg.name, 0, 0, ip,
                 "invalid schema: %s", msg);
}

/* Checks the schema against its metaschema; 0 when it conforms. */
static int check_meta(struct dsr_jschema *js, json_t *schema,
                      const struct dsr_jschema_sinfo *si) {
    static const char *const uris[] = {"http://json-schema.org/draft-04/schema",
                                       "http://json-schema.org/draft-06/schema",
                                       "http://json-schema.org/draft-07/schema",
                                       "https://json-schema.org/draft/2019-09/schema",
                                       "https://json-schema.org/draft/2020-12/schema"};
    const char *uri = dsr_jschema_string(json_object_get(schema, "$schema"));
    int d = si->res->draft;
    if (!uri)
        uri = uris[d == 4 ? 0 : d == 6 ? 1 : d == 7 ? 2 : d == 2019 ? 3 : 4];
    char why[DSR_MSG_MAX] = "";
    struct dsr_jschema_sinfo *msi =
        dsr_jschema_reg_lookup(&js->reg, uri, js->reg.default_draft, why, sizeof why);
    struct dsr_jschema_node *meta = msi ? compile(js, msi) : NULL;
    compile_dynamic_anchors(js);
    if (!meta || js->failed) {
        if (!js->failed)
            schema_error(js, NULL, NULL, "unusable metaschema \"%s\": %s", uri, why);
        return -1;
    }
    struct meta_errors m = {js, 0};
    int rc = dsr_jschema_eval(js, meta, schema, 1, meta_error, &m);
    return rc == 0 && m.n == 0 ? 0 : -1;
}

static int add_docs(struct dsr_jschema *js, const struct dsr_jschema_options *opts) {
    for (size_t i = 0; opts && i < opts->n_docs; i++) {
        const struct dsr_jschema_doc *d = &opts->docs[i];
        if (!dsr_jschema_reg_add(&js->reg, d->schema, d->name, js->reg.default_draft))
            return -1;
    }
    return 0;
}

struct dsr_jschema *dsr_jschema_new(json_t *schema, const char *schema_name,
                                    const struct dsr_jschema_options *opts,
                                    struct dsr_diags *diags) {
    struct dsr_jschema *js = calloc(1, sizeof *js);
    struct dsr_jschema_pmap state = {0};
    if (!js ||
        dsr_jschema_reg_init(&js->reg, opts, diags, schema_name ? schema_name : "")) {
        dsr_diag_add(diags, DSR_DIAG_BAD_SCHEMA, schema_name, 0, 0, NULL,
                     "out of memory");
        goto fail;
    }
    js->format_assert = opts && opts->format_assert;
    struct dsr_jschema_sinfo *si = NULL;
    if (add_docs(js, opts) ||
        !(si = dsr_jschema_reg_add(&js->reg, schema,
                                   js->reg.file_uri ? js->reg.file_uri : "",
                                   js->reg.default_draft))) {
        if (!dsr_diags_status(diags))
            schema_error(js, NULL, NULL, "cannot index schema%s%s", "", NULL);
        goto fail;
    }
    if (check_meta(js, schema, si))
        goto fail;
    js->root = compile(js, si);
    compile_dynamic_anchors(js);
    if (!js->root || js->failed)
        goto fail;
    int cyc = find_cycle(js, &state, js->root, 0);
    for (size_t i = 0; !cyc && i < js->n_all; i++)
        cyc = find_cycle(js, &state, js->all[i], 0);
    dsr_jschema_pmap_release(&state);
    if (cyc)
        goto fail;
    return js;
fail:
    dsr_jschema_pmap_release(&state);
    dsr_jschema_free(js);
    return NULL;
}

static void free_kw(struct dsr_jschema_kw *k) {
    for (size_t i = 0; k->regexes && i < k->n; i++)
        dsr_jschema_regex_free(k->regexes[i]);
    free(k->regexes);
    free(k->subs);
    free(k->keys);
    free(k->lists);
    json_decref(k->lookup);
}

void dsr_jschema_free(struct dsr_jschema *js) {
    if (!js)
        return;
    for (size_t i = 0; i < js->n_all; i++) {
        struct dsr_jschema_node *n = js->all[i];
        for (size_t k = 0; k <= n->n_kws && n->kws; k++)
            free_kw(&n->kws[k]);
        free(n->kws);
        free(n->abs);
        free(n);
    }
    free(js->all);
    dsr_jschema_pmap_release(&js->nodes);
    dsr_jschema_reg_release(&js->reg);
    free(js);
}

int dsr_jschema_validate(const struct dsr_jschema *js, const json_t *instance,
                         dsr_jschema_error_fn report, void *ctx) {
    return dsr_jschema_eval(js, js->root, instance, 0, report, ctx);
}
