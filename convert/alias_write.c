/*
 * Resolved entities out: one canonical JSON object (RFC 8785: members sorted,
 * minimal escapes) a line, in order of first input line; and the lookups
 * convert needs to turn references into entity ids.
 */
#include <stdlib.h>
#include <string.h>

#include "alias_set.h"

static const char *const rule_names[] = {"same-line", "same-key", "tail", "fuzzy",
                                         "fuzzy-tail"};

/* One merge as written in "explain" and "evidence". */
struct why {
    const char *key;  /* the transliteration key shared, or NULL */
    const char *name; /* the name that joined */
    const char *rule; /* rule_names[] */
    const char *with; /* the name it joined through */
    int fuzzy;        /* 1 = listed in "evidence" too */
};

static int why_cmp(const void *a, const void *b) {
    const struct why *x = a, *y = b;
    int c = strcmp(x->rule, y->rule);
    if (!c)
        c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->with, y->with);
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int str_cmp(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *shown(const struct dsr_alias_set *set, uint32_t node) {
    return set->nodes[node].var[set->nodes[node].best].text;
}

/* Writes a sorted array of strings as a JSON array, each distinct string once. */
static void put_strings(FILE *out, const char **s, size_t n) {
    putc('[', out);
    for (size_t i = 0, w = 0; i < n; i++)
        if (!i || strcmp(s[i], s[i - 1])) {
            fputs(w++ ? "," : "", out);
            dsr_json_put_string(out, s[i]);
        }
    putc(']', out);
}

/* Writes the merges as an array member; fuzzy_only keeps the transliteration ones. */
static void put_whys(FILE *out, const char *member, const struct why *w, size_t n,
                     int fuzzy_only) {
    fprintf(out, ",\"%s\":[", member);
    for (size_t i = 0, k = 0; i < n; i++) {
        if ((fuzzy_only && !w[i].fuzzy) || (i && !why_cmp(&w[i], &w[i - 1])))
            continue;
        fputs(k++ ? ",{" : "{", out);
        if (w[i].key) {
            fputs("\"key\":", out);
            dsr_json_put_string(out, w[i].key);
            putc(',', out);
        }
        fputs("\"name\":", out);
        dsr_json_put_string(out, w[i].name);
        fprintf(out, ",\"rule\":\"%s\",\"with\":", w[i].rule);
        dsr_json_put_string(out, w[i].with);
        putc('}', out);
    }
    putc(']', out);
}

/* Gathers an entity's merges: its edges, and each name's other spellings. */
static struct why *gather(const struct dsr_alias_set *set, const struct entity *e,
                          const struct u32vec *edges, size_t *n) {
    size_t max = edges->n;
    for (size_t i = 0; i < e->n_nodes; i++)
        max += set->nodes[e->nodes[i]].n_var;
    struct why *w = malloc((max ? max : 1) * sizeof(*w));
    if (!w)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < edges->n; i++) {
        const struct edge *g = &set->edges[edges->v[i]];
        int fz = g->rule == DSR_RULE_FUZZY || g->rule == DSR_RULE_FUZZY_TAIL;
        w[(*n)++] = (struct why){fz ? set->nodes[g->a].form : NULL, shown(set, g->a),
                                 rule_names[g->rule], shown(set, g->b), fz};
    }
    for (size_t i = 0; i < e->n_nodes; i++) {
        const struct node *nd = &set->nodes[e->nodes[i]];
        for (size_t v = 0; v < nd->n_var; v++)
            if (v != nd->best)
                w[(*n)++] =
                    (struct why){NULL, nd->var[v].text, rule_names[DSR_RULE_SAME_KEY],
                                 nd->var[nd->best].text, 0};
    }
    qsort(w, *n, sizeof(*w), why_cmp);
    return w;
}

/* The candidates' ids, sorted, without the entity's own. */
static size_t candidate_ids(struct dsr_alias_set *set, const struct entity *e,
                            const char **ids) {
    size_t n = 0;
    for (size_t i = 0; i < e->cands.n; i++) {
        const struct entity *c =
            &set->ents[set->ent_of[dsr_alias_find(set, e->cands.v[i])]];
        if (c != e)
            ids[n++] = c->id;
    }
    qsort(ids, n, sizeof(*ids), str_cmp);
    return n;
}

static int write_entity(struct dsr_alias_set *set, const struct entity *e,
                        const struct u32vec *edges, FILE *out, int explain) {
    size_t n_names = 0, n_lines = 0, n_why = 0;
    for (size_t i = 0; i < e->n_nodes; i++) {
        n_names += set->nodes[e->nodes[i]].n_var;
        n_lines += set->nodes[e->nodes[i]].lines.n;
    }
    const char **names =
        malloc((n_names + e->cands.n + set->nodes[e->root].pins.n + 1) * sizeof(*names));
    uint32_t *lines = malloc((n_lines + 1) * sizeof(*lines));
    struct why *why = gather(set, e, edges, &n_why);
    int rc = -1, fuzzy = 0;
    if (!names || !lines || !why)
        goto out;
    n_names = n_lines = 0;
    for (size_t i = 0; i < e->n_nodes; i++) {
        const struct node *nd = &set->nodes[e->nodes[i]];
        for (size_t v = 0; v < nd->n_var; v++)
            if (strcmp(nd->var[v].text, e->name))
                names[n_names++] = nd->var[v].text;
        if (nd->lines.n)
            memcpy(lines + n_lines, nd->lines.v, nd->lines.n * sizeof(*lines));
        n_lines += nd->lines.n;
    }
    qsort(names, n_names, sizeof(*names), str_cmp);
    qsort(lines, n_lines, sizeof(*lines), u32_cmp);
    fputs("{\"aliases\":", out);
    put_strings(out, names, n_names);
    size_t n_cands = candidate_ids(set, e, names);
    if (n_cands) {
        fputs(",\"ambiguous\":true,\"candidates\":", out);
        put_strings(out, names, n_cands);
    }
    for (size_t i = 0; i < n_why; i++)
        fuzzy |= why[i].fuzzy;
    if (fuzzy)
        put_whys(out, "evidence", why, n_why, 1);
    if (explain)
        put_whys(out, "explain", why, n_why, 0);
    fputs(",\"id\":", out);
    dsr_json_put_string(out, e->id);
    const struct pins *pins = &set->nodes[e->root].pins;
    if (pins->n > 1) { /* records of several datasets: say which */
        for (size_t i = 0; i < pins->n; i++)
            names[i] = pins->v[i].id;
        qsort(names, pins->n, sizeof(*names), str_cmp);
        fputs(",\"ids\":", out);
        put_strings(out, names, pins->n);
    }
    fputs(",\"lines\":[", out);
    for (size_t i = 0; i < n_lines; i++)
        fprintf(out, "%s%u", i ? "," : "", (unsigned)lines[i]);
    fputs("],\"name\":", out);
    dsr_json_put_string(out, e->name);
    rc = fputs("}\n", out) == EOF ? -1 : 0;
out:
    free(names);
    free(lines);
    free(why);
    return rc;
}

int dsr_alias_write(struct dsr_alias_set *set, FILE *out, int explain) {
    struct u32vec *edges = calloc(set->n_ents ? set->n_ents : 1, sizeof(*edges));
    int rc = edges ? 0 : -1;
    for (size_t i = 0; i < set->n_edges && rc == 0; i++)
        rc = dsr_alias_push(&edges[set->ent_of[dsr_alias_find(set, set->edges[i].a)]],
                            (uint32_t)i);
    for (size_t k = 0; k < set->n_ents && rc == 0; k++)
        rc = write_entity(set, &set->ents[k], &edges[k], out, explain);
    for (size_t k = 0; edges && k < set->n_ents; k++)
        free(edges[k].v);
    free(edges);
    return rc;
}

/* ---- lookups ---- */

/* Room for n borrowed strings in the set's scratch array. 0 or -1. */
static int scratch(struct dsr_alias_set *set, size_t n) {
    if (n <= set->n_scratch)
        return 0;
    const char **s = realloc(set->scratch, n * sizeof(*s));
    if (!s)
        return -1;
    set->scratch = s;
    set->n_scratch = n;
    return 0;
}

/* Adds entity k to the found list once. */
static void found(size_t *list, size_t *n, size_t k) {
    for (size_t i = 0; i < *n; i++)
        if (list[i] == k)
            return;
    list[(*n)++] = k;
}

/* The entities one name of a reference stands for: by key, else as a short form. */
static int lookup_name(struct dsr_alias_set *set, const char *name, size_t len,
                       size_t *list, size_t *n, size_t max) {
    char *key = dsr_alias_key(name, len);
    if (!key)
        return -1;
    long nd = dsr_alias_smap_get(&set->keys, key);
    if (nd >= 0) {
        for (uint32_t i = (uint32_t)nd; i != NO_NODE && *n < max; i = set->nodes[i].same)
            found(list, n, set->ent_of[dsr_alias_find(set, i)]);
        free(key);
        return 0;
    }
    char *form = set->flags & DSR_ALIAS_FUZZY ? dsr_alias_fuzzy_key(key) : key;
    struct u32vec roots = {0};
    int rc = form ? dsr_alias_short_owners(set, form, -1, &roots) : -1;
    for (size_t i = 0; rc >= 0 && i < roots.n && *n < max; i++)
        found(list, n, set->ent_of[roots.v[i]]);
    if (form != key)
        free(form);
    free(key);
    free(roots.v);
    return rc < 0 ? -1 : 0;
}

enum dsr_alias_match dsr_alias_lookup(struct dsr_alias_set *set, const char *ref,
                                      const char **id, const char *const **candidates,
                                      size_t *n) {
    struct dsr_alias_name names[64];
    size_t list[64], n_found = 0, bad;
    long k = dsr_alias_smap_get(&set->ids, ref);
    *n = 0;
    *id = NULL;
    if (candidates)
        *candidates = NULL;
    if (k >= 0) {
        *id = set->ents[k].id;
        return DSR_ALIAS_RESOLVED;
    }
    int count = dsr_alias_split(ref, strlen(ref), names, 64, &bad);
    for (int i = 0; i < count && i < 64; i++)
        if (names[i].len &&
            lookup_name(set, ref + names[i].start, names[i].len, list, &n_found, 64) < 0)
            return DSR_ALIAS_UNRESOLVED;
    if (n_found == 0)
        return DSR_ALIAS_UNRESOLVED;
    const struct entity *e = &set->ents[list[0]];
    if (n_found == 1 && !e->cands.n) {
        *id = e->id;
        return DSR_ALIAS_RESOLVED;
    }
    if (scratch(set, n_found + e->cands.n + 1) < 0)
        return DSR_ALIAS_AMBIGUOUS;
    if (n_found == 1) {
        *n = candidate_ids(set, e, set->scratch);
    } else {
        for (size_t i = 0; i < n_found; i++)
            set->scratch[i] = set->ents[list[i]].id;
        *n = n_found;
        qsort(set->scratch, *n, sizeof(*set->scratch), str_cmp);
    }
    if (candidates)
        *candidates = set->scratch;
    return DSR_ALIAS_AMBIGUOUS;
}

const char *const *dsr_alias_names(struct dsr_alias_set *set, const char *id, size_t *n) {
    long k = dsr_alias_smap_get(&set->ids, id);
    *n = 0;
    if (k < 0)
        return NULL;
    const struct entity *e = &set->ents[k];
    size_t total = 0;
    for (size_t i = 0; i < e->n_nodes; i++)
        total += set->nodes[e->nodes[i]].n_var;
    if (scratch(set, total + 1) < 0)
        return NULL;
    for (size_t i = 0; i < e->n_nodes; i++) {
        const struct node *nd = &set->nodes[e->nodes[i]];
        for (size_t v = 0; v < nd->n_var; v++)
            set->scratch[(*n)++] = nd->var[v].text;
    }
    qsort(set->scratch, *n, sizeof(*set->scratch), str_cmp);
    return set->scratch;
}
