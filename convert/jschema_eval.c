/*
 * Validation of instances against a compiled schema (jschema.c). Locations
 * live in frames on the C stack and become JSON Pointers only when an error
 * is reported, so a valid instance costs no string building. Annotations for
 * unevaluatedProperties/Items are collected only under a schema that uses
 * them. Branches whose failure is not an error (anyOf, not, if, contains)
 * run quietly and stop at their first failure.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

/* Nesting of schemas applied at once; deeper instances or schemas are refused. */
#define MAX_DEPTH 1000

struct ipath {
    const struct ipath *up;
    const char *key; /* member name, or NULL for an array index */
    size_t index;
};

struct kpath {
    const struct kpath *up;
    const char *tok; /* keyword or name, or NULL for an index */
    size_t index;
};

/* What a schema evaluated of an array or object (for unevaluated*). */
struct ann {
    int all;             /* every item or member */
    size_t upto;         /* items [0, upto) */
    unsigned char *bits; /* items marked one by one (contains); nbits of them */
    size_t nbits;
    const char **keys; /* members, as the instance's own key pointers */
    size_t nkeys, capkeys;
    int oom; /* 1 when an allocation failed */
};

struct vctx {
    const struct dsr_jschema *js;
    dsr_jschema_error_fn report;
    void *rctx;
    int quiet;  /* > 0 inside a branch whose failures are not errors */
    int errors; /* errors reported */
    int fatal;  /* validation could not run */
    int depth;  /* schemas being applied */
    int meta;   /* 1 = checking a schema: only a vocabulary makes format assert */
    int cycle;  /* 1 = a reference cycle was reached: the instance is invalid */
    void *md;   /* PCRE2 match data */
    /* A document checked in pieces (dsr_jschema_split): its split arrays' stand-ins,
       empty arrays standing for sizes[i] elements checked one at a time. */
    const json_t *const *stand_ins;
    const size_t *sizes;
    size_t n_stand_ins;
    const struct dsr_jschema_res
        *scope[MAX_DEPTH + 1]; /* dynamic scope, outermost first */
    size_t n_scope;
};

static int eval_node(struct vctx *c, const struct dsr_jschema_node *n, const json_t *inst,
                     const struct ipath *ip, const struct kpath *kp, struct ann *out);

static void ann_release(struct ann *a) {
    free(a->bits);
    free(a->keys);
}

static void ann_key(struct ann *a, const char *key) {
    if (!a)
        return;
    if (a->nkeys == a->capkeys) {
        size_t cap = a->capkeys ? a->capkeys * 2 : 8;
        const char **p = realloc(a->keys, cap * sizeof *p);
        if (!p) {
            a->oom = 1;
            return;
        }
        a->keys = p;
        a->capkeys = cap;
    }
    a->keys[a->nkeys++] = key;
}

static void ann_bit(struct ann *a, size_t i, size_t n) {
    if (!a->bits && !(a->bits = calloc(n, 1))) {
        a->oom = 1;
        return;
    }
    a->nbits = n;
    a->bits[i] = 1;
}

static void ann_merge(struct ann *to, const struct ann *from) {
    to->all |= from->all;
    to->oom |= from->oom;
    if (from->upto > to->upto)
        to->upto = from->upto;
    for (size_t i = 0; from->bits && i < from->nbits; i++)
        if (from->bits[i])
            ann_bit(to, i, from->nbits);
    for (size_t i = 0; i < from->nkeys; i++)
        ann_key(to, from->keys[i]);
}

static int ann_has_key(const struct ann *a, const char *key) {
    for (size_t i = 0; i < a->nkeys; i++)
        if (a->keys[i] == key || !strcmp(a->keys[i], key))
            return 1;
    return 0;
}

/* Appends "/token", escaped as RFC 6901 says, to buf (size n, cut when full). */
static void put_token(char *buf, size_t n, const char *tok, size_t index) {
    size_t len = strlen(buf);
    char num[24];
    if (!tok) {
        snprintf(num, sizeof num, "%zu", index);
        tok = num;
    }
    if (len + 1 < n)
        buf[len++] = '/';
    buf[len] = '\0';
    /* a cut pointer still ends between characters: reports need valid UTF-8 */
    if (len + dsr_pointer_escape(buf + len, n - len, tok) >= n)
        buf[dsr_utf8_trim(buf, strlen(buf))] = '\0';
}

static void render_i(const struct ipath *p, char *buf, size_t n) {
    if (!p) {
        buf[0] = '\0';
        return;
    }
    render_i(p->up, buf, n);
    put_token(buf, n, p->key, p->index);
}

static void render_k(const struct kpath *p, char *buf, size_t n) {
    if (!p) {
        buf[0] = '\0';
        return;
    }
    render_k(p->up, buf, n);
    put_token(buf, n, p->tok, p->index);
}

/* Reports a failure of keyword kw of node n (unless quiet). */
static void fail(struct vctx *c, const struct dsr_jschema_node *n, const struct kpath *kp,
                 const char *kw, const struct ipath *ip, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void fail(struct vctx *c, const struct dsr_jschema_node *n, const struct kpath *kp,
                 const char *kw, const struct ipath *ip, const char *fmt, ...) {
    if (c->quiet || !c->report)
        return;
    char ipb[1024], kpb[1024], abs[2048], msg[DSR_MSG_MAX];
    struct kpath last = {kp, kw, 0};
    render_i(ip, ipb, sizeof ipb);
    render_k(kw ? &last : kp, kpb, sizeof kpb);
    if (snprintf(abs, sizeof abs, "%s", n->abs) >= (int)sizeof abs)
        abs[dsr_utf8_trim(abs, strlen(abs))] = '\0';
    if (kw)
        put_token(abs, sizeof abs, kw, 0);
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) >= (int)sizeof msg)
        msg[dsr_utf8_trim(msg, strlen(msg))] = '\0';
    va_end(ap);
    c->errors++;
    c->report(c->rctx, ipb, kpb, abs, msg);
}

static int short_circuit(const struct vctx *c) {
    return c->quiet || !c->report;
}

static const char *type_name(const json_t *v) {
    static const char *const names[] = {"object", "array",   "string",  "integer",
                                        "number", "boolean", "boolean", "null"};
    return dsr_jschema_bignum(v) ? "integer" : names[json_typeof(v)];
}

static int type_ok(unsigned types, const json_t *v, int draft) {
    /* a bignum is an integer literal: an integer in every draft */
    if (dsr_jschema_bignum(v))
        return (types & (DSR_JSCHEMA_INTEGER | 1u << JSON_REAL)) != 0;
    if (types & (1u << json_typeof(v)))
        return 1;
    if (!(types & DSR_JSCHEMA_INTEGER) || !json_is_number(v))
        return 0;
    return json_is_integer(v) || (draft > 4 && dsr_jschema_is_integral(v));
}

static void type_names(unsigned types, char *buf, size_t n) {
    static const char *const names[] = {"object", "array",   "string", "integer",
                                        "number", "boolean", "null"};
    static const unsigned bits[] = {
        1u << JSON_OBJECT, 1u << JSON_ARRAY, 1u << JSON_STRING, DSR_JSCHEMA_INTEGER,
        1u << JSON_REAL,   1u << JSON_TRUE,  1u << JSON_NULL};
    buf[0] = '\0';
    for (int i = 0; i < 7; i++)
        if (types & bits[i]) {
            size_t len = strlen(buf);
            snprintf(buf + len, n - len, "%s%s", len ? " or " : "", names[i]);
        }
}

/* Applies sub to the same instance; its annotations join a only when it passes. */
static int in_place(struct vctx *c, const struct dsr_jschema_node *sub,
                    const json_t *inst, const struct ipath *ip, const struct kpath *kp,
                    struct ann *a) {
    struct ann mine = {0};
    int ok = eval_node(c, sub, inst, ip, kp, a ? &mine : NULL);
    if (ok && a)
        ann_merge(a, &mine);
    ann_release(&mine);
    return ok;
}

static const struct dsr_jschema_node *dynamic_target(struct vctx *c,
                                                     const struct dsr_jschema_kw *k) {
    const struct dsr_jschema_node *t = k->sub;
    const struct dsr_jschema_reg *reg = &c->js->reg;
    if (k->op == DSR_OP_RECREF) {
        if (!t->res->recursive_anchor)
            return t;
        for (size_t i = 0; i < c->n_scope; i++)
            if (c->scope[i]->recursive_anchor) {
                const struct dsr_jschema_node *d =
                    dsr_jschema_node_get(c->js, c->scope[i]->root);
                return d ? d : t;
            }
        return t;
    }
    /* 2020-12: only a target that is itself a $dynamicAnchor of that name is dynamic */
    const char *own = dsr_jschema_string(json_object_get(t->schema, "$dynamicAnchor"));
    if (!k->anchor || !own || strcmp(own, k->anchor))
        return t;
    for (size_t i = 0; i < c->n_scope; i++) {
        json_t *idx = json_object_get(c->scope[i]->dyn_anchors, k->anchor);
        if (idx) {
            const struct dsr_jschema_node *d =
                dsr_jschema_node_get(c->js, reg->infos[json_integer_value(idx)]->schema);
            return d ? d : t;
        }
    }
    return t;
}

static int eval_combinator(struct vctx *c, const struct dsr_jschema_node *n,
                           const struct dsr_jschema_kw *k, const json_t *inst,
                           const struct ipath *ip, const struct kpath *kp,
                           struct ann *a) {
    struct kpath here = {kp, k->name, 0};
    size_t matched = 0;
    int ok = 1;
    if (k->op == DSR_OP_ALLOF) {
        for (size_t i = 0; i < k->n && (ok || !short_circuit(c)); i++) {
            struct kpath at = {&here, NULL, i};
            ok &= eval_node(c, k->subs[i], inst, ip, &at, a);
        }
        return ok;
    }
    c->quiet++;
    for (size_t i = 0; i < k->n && !c->fatal; i++) {
        struct kpath at = {&here, NULL, i};
        matched += (size_t)in_place(c, k->subs[i], inst, ip, &at, a);
        if (!a && matched > (k->op == DSR_OP_ONEOF))
            break;
    }
    c->quiet--;
    char found[128];
    if ((k->op == DSR_OP_ANYOF && !matched) || (k->op == DSR_OP_ONEOF && matched != 1))
        dsr_jschema_describe(inst, found, sizeof found);
    if (k->op == DSR_OP_ANYOF && !matched) {
        fail(c, n, kp, k->name, ip,
             "anyOf: found %s, which matches none of the %zu schemas", found, k->n);
        return 0;
    }
    if (k->op == DSR_OP_ONEOF && matched != 1) {
        fail(c, n, kp, k->name, ip,
             "oneOf: found %s, which matches %s of the %zu schemas, expected exactly one",
             found, matched ? "more than one" : "none", k->n);
        return 0;
    }
    return 1;
}

static int eval_applicator(struct vctx *c, const struct dsr_jschema_node *n,
                           const struct dsr_jschema_kw *k, const json_t *inst,
                           const struct ipath *ip, const struct kpath *kp,
                           struct ann *a) {
    struct kpath here = {kp, k->name, 0};
    switch (k->op) {
    case DSR_OP_REF: return eval_node(c, k->sub, inst, ip, &here, a);
    case DSR_OP_DYNREF:
    case DSR_OP_RECREF: return eval_node(c, dynamic_target(c, k), inst, ip, &here, a);
    case DSR_OP_NOT: {
        c->quiet++;
        int ok = eval_node(c, k->sub, inst, ip, &here, NULL);
        c->quiet--;
        if (ok)
            fail(c, n, kp, k->name, ip,
                 "not: found a value that the \"not\" schema accepts");
        return !ok;
    }
    case DSR_OP_IF: {
        c->quiet++;
        int cond = in_place(c, k->sub, inst, ip, &here, a);
        c->quiet--;
        const struct dsr_jschema_node *branch = k->subs[cond ? 0 : 1];
        struct kpath then = {kp, cond ? "then" : "else", 0};
        return branch ? eval_node(c, branch, inst, ip, &then, a) : 1;
    }
    default: return eval_combinator(c, n, k, inst, ip, kp, a);
    }
}

/* Writes the first values of an enum into buf (size n), ", ..." when not all fit. */
static void list_values(const json_t *values, char *buf, size_t n) {
    size_t len = 0, count = json_array_size(values);
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        char one[128];
        dsr_jschema_describe(json_array_get(values, i), one, sizeof one);
        size_t need = strlen(one) + (i ? 2 : 0);
        /* keep room for a final ", ..." */
        if (i == 6 || len + need + 6 > n) {
            snprintf(buf + len, n - len, "%s...", i ? ", " : "");
            return;
        }
        snprintf(buf + len, n - len, "%s%s", i ? ", " : "", one);
        len += need;
    }
}

static int eval_scalar(struct vctx *c, const struct dsr_jschema_node *n,
                       const struct dsr_jschema_kw *k, const json_t *inst,
                       const struct ipath *ip, const struct kpath *kp) {
    char found[128], want[128], list[256];
    const json_t *v = k->value;
    int cmp;
    switch (k->op) {
    case DSR_OP_TYPE:
        if (type_ok(k->types, inst, n->draft))
            return 1;
        if (short_circuit(c)) /* nobody reads the message: do not build it */
            return 0;
        type_names(k->types, want, sizeof want);
        dsr_jschema_describe(inst, found, sizeof found);
        fail(c, n, kp, k->name, ip, "type: expected %s, found %s%s%s", want,
             json_is_number(inst) || json_is_string(inst) ? type_name(inst) : "",
             json_is_number(inst) || json_is_string(inst) ? " " : "", found);
        return 0;
    case DSR_OP_CONST:
        if (dsr_jschema_equal(inst, v))
            return 1;
        if (short_circuit(c))
            return 0;
        dsr_jschema_describe(v, want, sizeof want);
        dsr_jschema_describe(inst, found, sizeof found);
        fail(c, n, kp, k->name, ip, "const: expected %s, found %s", want, found);
        return 0;
    case DSR_OP_ENUM:
        for (size_t i = 0; i < json_array_size(v); i++)
            if (dsr_jschema_equal(inst, json_array_get(v, i)))
                return 1;
        if (short_circuit(c))
            return 0;
        dsr_jschema_describe(inst, found, sizeof found);
        list_values(v, list, sizeof list);
        fail(c, n, kp, k->name, ip, "enum: found %s, expected one of %s", found, list);
        return 0;
    default: break;
    }
    if (!dsr_jschema_is_number(inst))
        return 1;
    switch (k->op) {
    case DSR_OP_MULTIPLE_OF:
        if (dsr_jschema_multiple_of(inst, v))
            return 1;
        break;
    case DSR_OP_MAXIMUM:
    case DSR_OP_EXCL_MAXIMUM:
        cmp = dsr_jschema_num_cmp(inst, v);
        if (cmp < 0 || (cmp == 0 && k->op == DSR_OP_MAXIMUM && !k->from))
            return 1;
        break;
    default:
        cmp = dsr_jschema_num_cmp(inst, v);
        if (cmp > 0 || (cmp == 0 && k->op == DSR_OP_MINIMUM && !k->from))
            return 1;
        break;
    }
    if (short_circuit(c))
        return 0;
    static const char *const rel[] = {"a multiple of", "at most", "less than", "at least",
                                      "more than"};
    int r = k->op == DSR_OP_MULTIPLE_OF    ? 0
            : k->op == DSR_OP_MAXIMUM      ? (k->from ? 2 : 1)
            : k->op == DSR_OP_EXCL_MAXIMUM ? 2
            : k->op == DSR_OP_MINIMUM      ? (k->from ? 4 : 3)
                                           : 4;
    dsr_jschema_describe(v, want, sizeof want);
    dsr_jschema_describe(inst, found, sizeof found);
    fail(c, n, kp, k->name, ip, "%s: expected %s %s, found %s", k->name, rel[r], want,
         found);
    return 0;
}

static int eval_string(struct vctx *c, const struct dsr_jschema_node *n,
                       const struct dsr_jschema_kw *k, const json_t *inst,
                       const struct ipath *ip, const struct kpath *kp) {
    if (!json_is_string(inst) || dsr_jschema_bignum(inst))
        return 1;
    const char *s = json_string_value(inst);
    size_t len = json_string_length(inst), chars;
    char found[128], pattern[DSR_MSG_MAX / 2];
    int r;
    switch (k->op) {
    case DSR_OP_MAX_LENGTH:
    case DSR_OP_MIN_LENGTH:
        chars = dsr_utf8_length(s, len);
        if (k->op == DSR_OP_MAX_LENGTH ? chars <= k->from : chars >= k->from)
            return 1;
        dsr_jschema_describe(inst, found, sizeof found);
        fail(c, n, kp, k->name, ip, "%s: expected %s %zu characters, found %zu in %s",
             k->name, k->op == DSR_OP_MAX_LENGTH ? "at most" : "at least", k->from, chars,
             found);
        return 0;
    case DSR_OP_PATTERN:
        r = dsr_jschema_regex_search(k->regexes[0], s, len, c->md);
        if (r > 0)
            return 1;
        dsr_jschema_describe(inst, found, sizeof found);
        dsr_jschema_quote(json_string_value(k->value), json_string_length(k->value), "\"",
                          SIZE_MAX, pattern, sizeof pattern);
        if (r < 0) {
            int quiet = c->quiet;
            c->quiet = 0;
            fail(c, n, kp, k->name, ip,
                 "pattern: gave up matching %s against %s: the match "
                 "limit was reached",
                 pattern, found);
            c->quiet = quiet;
            c->fatal = 1;
            return 0;
        }
        fail(c, n, kp, k->name, ip, "pattern: found %s, which does not match %s", found,
             pattern);
        return 0;
    default: /* format; from 0: asserted by --format-assert, for instances only */
        if ((c->meta && !k->from) ||
            dsr_jschema_format_check(json_string_value(k->value), s, len))
            return 1;
        dsr_jschema_describe(inst, found, sizeof found);
        fail(c, n, kp, k->name, ip, "format: found %s, which is not a valid %s", found,
             json_string_value(k->value));
        return 0;
    }
}

static int eval_contains(struct vctx *c, const struct dsr_jschema_node *n,
                         const struct dsr_jschema_kw *k, const json_t *inst,
                         const struct ipath *ip, const struct kpath *kp, struct ann *a) {
    struct kpath here = {kp, k->name, 0};
    size_t size = json_array_size(inst), count = 0;
    int mark = a && n->draft >= 2020;
    c->quiet++;
    for (size_t i = 0; i < size && !c->fatal; i++) {
        struct ipath at = {ip, NULL, i};
        if (eval_node(c, k->sub, json_array_get(inst, i), &at, &here, NULL)) {
            count++;
            if (mark)
                ann_bit(a, i, size);
        }
        if (!mark && count >= k->from && k->max == SIZE_MAX)
            break;
    }
    c->quiet--;
    if (count < k->from) {
        fail(c, n, kp, k->name, ip,
             "contains: expected at least %zu matching items, found %zu", k->from, count);
        return 0;
    }
    if (count > k->max) {
        fail(c, n, kp, "maxContains", ip,
             "maxContains: expected at most %zu matching items, found %zu", k->max,
             count);
        return 0;
    }
    return 1;
}

static int eval_array(struct vctx *c, const struct dsr_jschema_node *n,
                      const struct dsr_jschema_kw *k, const json_t *inst,
                      const struct ipath *ip, const struct kpath *kp, struct ann *a) {
    struct kpath here = {kp, k->name, 0};
    size_t size = json_array_size(inst);
    int ok = 1;
    for (size_t i = 0; i < c->n_stand_ins; i++)
        if (inst == c->stand_ins[i]) {
            if (k->op == DSR_OP_ITEMS)
                return 1; /* its elements were checked one at a time */
            size = c->sizes[i];
        }
    switch (k->op) {
    case DSR_OP_PREFIX_ITEMS:
        for (size_t i = 0; i < size && i < k->n && (ok || !short_circuit(c)); i++) {
            struct ipath at = {ip, NULL, i};
            struct kpath kat = {&here, NULL, i};
            ok &= eval_node(c, k->subs[i], json_array_get(inst, i), &at, &kat, NULL);
        }
        if (a && k->n > a->upto)
            a->upto = k->n;
        return ok;
    case DSR_OP_ITEMS:
    case DSR_OP_UNEVAL_ITEMS:
        if (k->sub->boolean == 0 && k->op == DSR_OP_ITEMS && size > k->from) {
            fail(c, n, kp, k->name, ip, "%s: expected at most %zu items, found %zu",
                 k->name, k->from, size);
            return 0;
        }
        for (size_t i = k->from * (k->op == DSR_OP_ITEMS); i < size; i++) {
            if (k->op == DSR_OP_UNEVAL_ITEMS && a &&
                (a->all || i < a->upto || (a->bits && a->bits[i])))
                continue;
            struct ipath at = {ip, NULL, i};
            if (k->sub->boolean == 0) {
                fail(c, n, kp, k->name, &at,
                     "unevaluatedItems: item %zu is not allowed: no "
                     "subschema evaluated it",
                     i);
                return 0;
            }
            ok &= eval_node(c, k->sub, json_array_get(inst, i), &at, &here, NULL);
            if (!ok && short_circuit(c))
                break;
        }
        if (a)
            a->all = 1;
        return ok;
    case DSR_OP_CONTAINS: return eval_contains(c, n, k, inst, ip, kp, a);
    case DSR_OP_UNIQUE:
        for (size_t i = 0; json_is_true(k->value) && i < size; i++)
            for (size_t j = i + 1; j < size; j++)
                if (dsr_jschema_equal(json_array_get(inst, i), json_array_get(inst, j))) {
                    fail(c, n, kp, k->name, ip,
                         "uniqueItems: found equal items at %zu and %zu", i, j);
                    return 0;
                }
        return 1;
    default:
        if (k->op == DSR_OP_MAX_ITEMS ? size <= k->from : size >= k->from)
            return 1;
        fail(c, n, kp, k->name, ip, "%s: expected %s %zu items, found %zu", k->name,
             k->op == DSR_OP_MAX_ITEMS ? "at most" : "at least", k->from, size);
        return 0;
    }
}

/* 1 when key is named by properties or matched by patternProperties of k. */
static int covered(struct vctx *c, const struct dsr_jschema_kw *k, const char *key,
                   size_t len) {
    if (k->props && json_object_get(k->props->lookup, key))
        return 1;
    for (size_t i = 0; k->pprops && i < k->pprops->n; i++) {
        int r = dsr_jschema_regex_search(k->pprops->regexes[i], key, len, c->md);
        if (r != 0)
            return 1;
    }
    return 0;
}

static int missing(struct vctx *c, const struct dsr_jschema_node *n,
                   const struct kpath *kp, const char *kw, const struct ipath *ip,
                   const json_t *inst, const json_t *names, const char *because) {
    int ok = 1;
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *name = json_string_value(json_array_get(names, i));
        if (!name || json_object_get(inst, name))
            continue;
        ok = 0;
        if (because)
            fail(c, n, kp, kw, ip,
                 "%s: missing property \"%s\", required when \"%s\" is present", kw, name,
                 because);
        else
            fail(c, n, kp, kw, ip, "required: missing property \"%s\"", name);
        if (short_circuit(c))
            break;
    }
    return ok;
}

/* One member against one subschema, under keyword location here/tok. */
static int eval_member(struct vctx *c, const struct dsr_jschema_node *n,
                       const struct dsr_jschema_kw *k, const struct dsr_jschema_node *sub,
                       const char *key, const json_t *v, const struct ipath *ip,
                       const struct kpath *here, const char *tok) {
    struct ipath at = {ip, key, 0};
    struct kpath kat = {here, tok, 0};
    if (sub->boolean == 0 && !tok) {
        fail(c, n, here->up, k->name, &at, "%s: property \"%s\" is not allowed%s",
             k->name, key,
             k->op == DSR_OP_UNEVAL_PROPS ? ": no subschema evaluated it" : "");
        return 0;
    }
    return eval_node(c, sub, v, &at, tok ? &kat : here, NULL);
}

static int eval_object(struct vctx *c, const struct dsr_jschema_node *n,
                       const struct dsr_jschema_kw *k, const json_t *inst,
                       const struct ipath *ip, const struct kpath *kp, struct ann *a) {
    struct kpath here = {kp, k->name, 0};
    const char *key;
    json_t *v;
    int ok = 1;
    switch (k->op) {
    case DSR_OP_REQUIRED: return missing(c, n, kp, k->name, ip, inst, k->value, NULL);
    case DSR_OP_DEP_REQUIRED:
        json_object_foreach((json_t *)k->value, key,
                            v) if (json_object_get(inst, key) &&
                                   !missing(c, n, kp, k->name, ip, inst, v, key) &&
                                   !(ok = 0) && short_circuit(c)) break;
        return ok;
    case DSR_OP_DEP_SCHEMAS:
        for (size_t i = 0; i < k->n && (ok || !short_circuit(c)); i++) {
            if (!json_object_get(inst, k->keys[i]))
                continue;
            struct kpath at = {&here, k->keys[i], 0};
            if (k->lists[i])
                ok &= missing(c, n, kp, k->name, ip, inst, k->lists[i], k->keys[i]);
            else
                ok &= eval_node(c, k->subs[i], inst, ip, &at, a);
        }
        return ok;
    case DSR_OP_MAX_PROPS:
    case DSR_OP_MIN_PROPS: {
        size_t size = json_object_size(inst);
        if (k->op == DSR_OP_MAX_PROPS ? size <= k->from : size >= k->from)
            return 1;
        fail(c, n, kp, k->name, ip, "%s: expected %s %zu properties, found %zu", k->name,
             k->op == DSR_OP_MAX_PROPS ? "at most" : "at least", k->from, size);
        return 0;
    }
    default: break;
    }
    void *it = json_object_iter((json_t *)inst);
    for (; it && (ok || !short_circuit(c)) && !c->fatal;
         it = json_object_iter_next((json_t *)inst, it)) {
        key = json_object_iter_key(it);
        v = json_object_iter_value(it);
        size_t len = strlen(key);
        if (k->op == DSR_OP_PROPERTIES) {
            json_t *idx = json_object_get(k->lookup, key);
            if (!idx)
                continue;
            ok &= eval_member(c, n, k, k->subs[json_integer_value(idx)], key, v, ip,
                              &here, key);
        } else if (k->op == DSR_OP_PATTERN_PROPS) {
            int hit = 0;
            for (size_t i = 0; i < k->n && (ok || !short_circuit(c)); i++) {
                int r = dsr_jschema_regex_search(k->regexes[i], key, len, c->md);
                if (r > 0)
                    ok &= eval_member(c, n, k, k->subs[i], key, v, ip, &here, k->keys[i]);
                hit |= r > 0;
            }
            if (!hit)
                continue;
        } else if (k->op == DSR_OP_ADDITIONAL_PROPS) {
            if (covered(c, k, key, len))
                continue;
            ok &= eval_member(c, n, k, k->sub, key, v, ip, &here, NULL);
        } else if (k->op == DSR_OP_UNEVAL_PROPS) {
            if (a && (a->all || ann_has_key(a, key)))
                continue;
            ok &= eval_member(c, n, k, k->sub, key, v, ip, &here, NULL);
        } else { /* propertyNames */
            json_t *name = json_stringn(key, len);
            struct ipath at = {ip, key, 0};
            ok &= name && eval_node(c, k->sub, name, &at, &here, NULL);
            json_decref(name);
            continue;
        }
        ann_key(a, key);
    }
    return ok;
}

static int eval_kw(struct vctx *c, const struct dsr_jschema_node *n,
                   const struct dsr_jschema_kw *k, const json_t *inst,
                   const struct ipath *ip, const struct kpath *kp, struct ann *a) {
    switch (k->op) {
    case DSR_OP_REF:
    case DSR_OP_DYNREF:
    case DSR_OP_RECREF:
    case DSR_OP_ALLOF:
    case DSR_OP_ANYOF:
    case DSR_OP_ONEOF:
    case DSR_OP_NOT:
    case DSR_OP_IF: return eval_applicator(c, n, k, inst, ip, kp, a);
    case DSR_OP_TYPE:
    case DSR_OP_CONST:
    case DSR_OP_ENUM:
    case DSR_OP_MULTIPLE_OF:
    case DSR_OP_MAXIMUM:
    case DSR_OP_EXCL_MAXIMUM:
    case DSR_OP_MINIMUM:
    case DSR_OP_EXCL_MINIMUM: return eval_scalar(c, n, k, inst, ip, kp);
    case DSR_OP_MAX_LENGTH:
    case DSR_OP_MIN_LENGTH:
    case DSR_OP_PATTERN:
    case DSR_OP_FORMAT: return eval_string(c, n, k, inst, ip, kp);
    case DSR_OP_PREFIX_ITEMS:
    case DSR_OP_ITEMS:
    case DSR_OP_CONTAINS:
    case DSR_OP_MAX_ITEMS:
    case DSR_OP_MIN_ITEMS:
    case DSR_OP_UNIQUE:
    case DSR_OP_UNEVAL_ITEMS:
        return json_is_array(inst) ? eval_array(c, n, k, inst, ip, kp, a) : 1;
    default: return json_is_object(inst) ? eval_object(c, n, k, inst, ip, kp, a) : 1;
    }
}

static int eval_node(struct vctx *c, const struct dsr_jschema_node *n, const json_t *inst,
                     const struct ipath *ip, const struct kpath *kp, struct ann *out) {
    if (n->boolean == 1)
        return 1;
    if (n->boolean == 0) {
        fail(c, n, kp, NULL, ip, "found a value where the schema allows none (false)");
        return 0;
    }
    if (n->loop) {
        int quiet = c->quiet;
        c->quiet = 0;
        fail(c, n, kp, NULL, ip,
             "reference cycle: \"%s\" leads back to itself without moving into the "
             "instance",
             n->abs);
        c->quiet = quiet;
        c->cycle = 1;
        return 0;
    }
    if (c->depth >= MAX_DEPTH) {
        int quiet = c->quiet;
        c->quiet = 0;
        fail(c, n, kp, NULL, ip, "gave up: schemas nested deeper than %d levels",
             MAX_DEPTH);
        c->quiet = quiet;
        c->fatal = 1;
        return 0;
    }
    int pushed = !c->n_scope || c->scope[c->n_scope - 1] != n->res;
    if (pushed)
        c->scope[c->n_scope++] = n->res;
    c->depth++;
    struct ann local = {0}, *a = out || n->track ? &local : NULL;
    int ok = 1;
    for (size_t i = 0; i < n->n_kws && !c->fatal; i++) {
        if (!eval_kw(c, n, &n->kws[i], inst, ip, kp, a)) {
            ok = 0;
            if (short_circuit(c))
                break;
        }
    }
    if (local.oom)
        c->fatal = 1;
    if (ok && out)
        ann_merge(out, &local);
    ann_release(&local);
    c->depth--;
    if (pushed)
        c->n_scope--;
    return ok && !c->fatal;
}

/* A context to evaluate with; NULL when out of memory. Free with context_free. */
static struct vctx *context_new(const struct dsr_jschema *js, int meta,
                                dsr_jschema_error_fn report, void *ctx) {
    struct vctx *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, offsetof(struct vctx, scope));
    c->js = js;
    c->report = report;
    c->rctx = ctx;
    c->meta = meta;
    c->n_scope = 0;
    if (!(c->md = dsr_jschema_regex_md_new())) {
        free(c);
        return NULL;
    }
    return c;
}

/* What dsr_jschema_eval returns after an evaluation that gave ok; frees c. */
static int context_free(struct vctx *c, int ok) {
    int rc = c->fatal ? -1 : ok && !c->cycle ? 0 : c->errors ? c->errors : 1;
    dsr_jschema_regex_md_free(c->md);
    free(c);
    return rc;
}

int dsr_jschema_eval(const struct dsr_jschema *js, const struct dsr_jschema_node *n,
                     const json_t *instance, int meta, dsr_jschema_error_fn report,
                     void *ctx) {
    struct vctx *c = context_new(js, meta, report, ctx);
    if (!c)
        return -1;
    return context_free(c, eval_node(c, n, instance, NULL, NULL, NULL));
}

/* ---- a document in pieces ---- */

/* Follows a schema that is one "$ref" and nothing else, noting the keyword. */
static const struct dsr_jschema_node *through_refs(const struct dsr_jschema_node *n,
                                                   struct dsr_jschema_split *plan) {
    while (n && n->boolean < 0 && !n->loop && n->n_kws == 1 &&
           n->kws[0].op == DSR_OP_REF && plan->n_kp < DSR_SPLIT_DEPTH - 3) {
        plan->kp[plan->n_kp++] = n->kws[0].name;
        n = n->kws[0].sub;
    }
    return n;
}

/* 1 when node n only says what keywords of the listed ops say. */
static int only(const struct dsr_jschema_node *n, const enum dsr_jschema_op *ops,
                size_t n_ops) {
    if (!n || n->boolean >= 0 || n->loop || n->track)
        return 0;
    for (size_t i = 0; i < n->n_kws; i++) {
        size_t j = 0;
        while (j < n_ops && ops[j] != n->kws[i].op)
            j++;
        if (j == n_ops)
            return 0;
    }
    return 1;
}

int dsr_jschema_split(const struct dsr_jschema *js, const char *member,
                      struct dsr_jschema_split *plan) {
    static const enum dsr_jschema_op root_ops[] = {
        DSR_OP_TYPE,      DSR_OP_PROPERTIES, DSR_OP_REQUIRED,    DSR_OP_ADDITIONAL_PROPS,
        DSR_OP_MAX_PROPS, DSR_OP_MIN_PROPS,  DSR_OP_DEP_REQUIRED};
    static const enum dsr_jschema_op array_ops[] = {DSR_OP_TYPE, DSR_OP_ITEMS,
                                                    DSR_OP_MIN_ITEMS, DSR_OP_MAX_ITEMS};
    memset(plan, 0, sizeof(*plan));
    const struct dsr_jschema_node *root = through_refs(js->root, plan);
    if (!only(root, root_ops, sizeof root_ops / sizeof *root_ops))
        return 0;
    const struct dsr_jschema_node *array = NULL;
    for (size_t i = 0; i < root->n_kws && !member; i++)
        if (root->kws[i].op == DSR_OP_PROPERTIES)
            return 1; /* some member may split */
    for (size_t i = 0; i < root->n_kws && member && !array; i++) {
        const struct dsr_jschema_kw *k = &root->kws[i];
        json_t *at =
            k->op == DSR_OP_PROPERTIES ? json_object_get(k->lookup, member) : NULL;
        if (at) {
            array = k->subs[json_integer_value(at)];
            plan->kp[plan->n_kp++] = k->name;
            plan->kp[plan->n_kp++] = k->keys[json_integer_value(at)];
        }
    }
    array = through_refs(array, plan);
    if (!only(array, array_ops, sizeof array_ops / sizeof *array_ops))
        return 0;
    for (size_t i = 0; i < array->n_kws; i++) {
        const struct dsr_jschema_kw *k = &array->kws[i];
        if (k->op == DSR_OP_ITEMS && k->from == 0 && k->sub->boolean != 0) {
            plan->kp[plan->n_kp++] = k->name;
            plan->items = k->sub;
        }
    }
    /* One resource throughout, so the dynamic scope is that resource's alone. */
    plan->member = member;
    return plan->items && root->res == js->root->res && array->res == js->root->res;
}

int dsr_jschema_split_element(const struct dsr_jschema *js,
                              const struct dsr_jschema_split *plan, size_t index,
                              const json_t *element, dsr_jschema_error_fn report,
                              void *ctx) {
    struct vctx *c = context_new(js, 0, report, ctx);
    if (!c)
        return -1;
    struct kpath kp[DSR_SPLIT_DEPTH];
    for (size_t i = 0; i < plan->n_kp; i++)
        kp[i] = (struct kpath){i ? &kp[i - 1] : NULL, plan->kp[i], 0};
    struct ipath member = {NULL, plan->member, 0}, at = {&member, NULL, index};
    c->scope[c->n_scope++] = js->root->res;
    return context_free(c, eval_node(c, plan->items, element, &at,
                                     plan->n_kp ? &kp[plan->n_kp - 1] : NULL, NULL));
}

int dsr_jschema_split_rest(const struct dsr_jschema *js, const json_t *document,
                           const json_t *const *stand_ins, const size_t *sizes, size_t n,
                           dsr_jschema_error_fn report, void *ctx) {
    struct vctx *c = context_new(js, 0, report, ctx);
    if (!c)
        return -1;
    c->stand_ins = stand_ins;
    c->sizes = sizes;
    c->n_stand_ins = n;
    return context_free(c, eval_node(c, js->root, document, NULL, NULL, NULL));
}
