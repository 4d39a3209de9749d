/*
 * The alias set: one node per distinct name key, merged into entities with a
 * union-find. Lists add nodes and same-list merges; dsr_alias_resolve adds
 * the merges that need every name at hand (transliteration keys, tail short
 * forms), so the result does not depend on input order. Memory is per
 * distinct name and per distinct merge, plus one int per input line.
 * Entities and ids are in alias_entity.c, output and lookups in alias_write.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alias_set.h"

/* ---- string -> index, and a set of pairs: both in the one hash table ---- */

long dsr_alias_smap_get(const struct smap *m, const char *key) {
    void **v = dsr_table_get(&m->t, key);
    return v ? (long)(uintptr_t)*v : -1;
}

/* Maps key (borrowed: it must outlive the table) to val. 0, or -1 when out of memory. */
int dsr_alias_smap_put(struct smap *m, const char *key, uint32_t val) {
    return dsr_table_put(&m->t, key, (void *)(uintptr_t)val) ? 0 : -1;
}

void dsr_alias_smap_release(struct smap *m) {
    dsr_table_release(&m->t);
}

/*
 * Adds x (never 0) to the set of pairs, a table of pointer-sized keys; returns
 * 1 when it was new, 0 when present, -1 when out of memory.
 */
static int pairs_add(struct dsr_table *s, uint64_t x) {
    const void *key = (const void *)(uintptr_t)x;
    s->pointers = 1;
    if (dsr_table_get(s, key))
        return 0;
    return dsr_table_put(s, key, NULL) ? 1 : -1;
}

/* Appends x to a growable array of uint32_t. 0 or -1. */
int dsr_alias_push(struct u32vec *v, uint32_t x) {
    if (v->n == v->alloc) {
        size_t alloc = v->alloc ? v->alloc * 2 : 4;
        uint32_t *p = realloc(v->v, alloc * sizeof(*p));
        if (!p)
            return -1;
        v->v = p;
        v->alloc = alloc;
    }
    v->v[v->n++] = x;
    return 0;
}

/* ---- union-find ---- */

uint32_t dsr_alias_find(struct dsr_alias_set *set, uint32_t x) {
    while (set->nodes[x].parent != x) {
        set->nodes[x].parent = set->nodes[set->nodes[x].parent].parent;
        x = set->nodes[x].parent;
    }
    return x;
}

/* Records a dataset keeps apart (two ids of one dataset) are never merged. */
int dsr_alias_kept_apart(struct dsr_alias_set *set, uint32_t a, uint32_t b) {
    const struct pins *pa = &set->nodes[dsr_alias_find(set, a)].pins;
    const struct pins *pb = &set->nodes[dsr_alias_find(set, b)].pins;
    for (size_t i = 0; i < pa->n; i++)
        for (size_t j = 0; j < pb->n; j++)
            if (pa->v[i].scope == pb->v[j].scope && strcmp(pa->v[i].id, pb->v[j].id))
                return 1;
    return 0;
}

/* Adds a pin to a root's list once. 0 or -1. */
static int add_pin(struct pins *ps, struct pin p) {
    for (size_t i = 0; i < ps->n; i++)
        if (ps->v[i].scope == p.scope && !strcmp(ps->v[i].id, p.id))
            return 0;
    struct pin *v = realloc(ps->v, (ps->n + 1) * sizeof(*v));
    if (!v)
        return -1;
    ps->v = v;
    ps->v[ps->n++] = p;
    return 0;
}

/* The root kept is the smaller index; which one does not matter to the output. 0 or -1.
 */
static int unite(struct dsr_alias_set *set, uint32_t a, uint32_t b) {
    a = dsr_alias_find(set, a);
    b = dsr_alias_find(set, b);
    if (a == b)
        return 0;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    set->nodes[b].parent = a;
    struct pins *from = &set->nodes[b].pins;
    for (size_t i = 0; i < from->n; i++)
        if (add_pin(&set->nodes[a].pins, from->v[i]) < 0)
            return -1;
    free(from->v);
    memset(from, 0, sizeof(*from));
    return 0;
}

/* Records that node a joined node b by rule; duplicates are kept once. 0 or -1. */
static int add_edge(struct dsr_alias_set *set, uint32_t a, uint32_t b,
                    enum dsr_alias_rule rule) {
    if (dsr_alias_kept_apart(set, a, b))
        return 0;
    int fresh = pairs_add(&set->edge_seen, ((uint64_t)a << 32 | b) * 8 + rule + 1);
    if (fresh <= 0)
        return fresh;
    if (set->n_edges == set->a_edges) {
        size_t alloc = set->a_edges ? set->a_edges * 2 : 64;
        struct edge *e = realloc(set->edges, alloc * sizeof(*e));
        if (!e)
            return -1;
        set->edges = e;
        set->a_edges = alloc;
    }
    set->edges[set->n_edges++] = (struct edge){a, b, rule};
    return unite(set, a, b);
}

/* ---- adding names ---- */

struct dsr_alias_set *dsr_alias_set_new(int flags) {
    struct dsr_alias_set *set = calloc(1, sizeof(*set));
    if (set)
        set->flags = flags;
    return set;
}

static void node_release(struct node *nd) {
    free(nd->key);
    free(nd->form);
    free(nd->pinned);
    free(nd->pins.v);
    for (size_t i = 0; i < nd->n_var; i++)
        free(nd->var[i].text);
    free(nd->var);
    free(nd->lines.v);
}

void dsr_alias_set_free(struct dsr_alias_set *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->n_nodes; i++)
        node_release(&set->nodes[i]);
    free(set->nodes);
    dsr_alias_smap_release(&set->keys);
    dsr_table_release(&set->edge_seen);
    free(set->edges);
    dsr_alias_index_release(set);
    dsr_alias_entities_release(set);
    free(set);
}

/* Adds one display form to a node, counting repeats. 0 or -1. */
static int add_variant(struct node *nd, char *text, int lead) {
    for (size_t i = 0; i < nd->n_var; i++)
        if (!strcmp(nd->var[i].text, text)) {
            nd->var[i].count++;
            nd->var[i].lead += lead != 0;
            free(text);
            return 0;
        }
    struct variant *v = realloc(nd->var, (nd->n_var + 1) * sizeof(*v));
    if (!v) {
        free(text);
        return -1;
    }
    nd->var = v;
    nd->var[nd->n_var++] = (struct variant){text, 1, lead != 0};
    return 0;
}

void dsr_alias_next_dataset(struct dsr_alias_set *set) {
    set->scope++;
}

/* 1 when node nd holds names of the record pinned (in this dataset), or of no record. */
static int node_is(const struct dsr_alias_set *set, const struct node *nd,
                   const char *pinned) {
    if (!pinned || !nd->pinned)
        return !pinned && !nd->pinned;
    return nd->scope == set->scope && !strcmp(nd->pinned, pinned);
}

/*
 * Returns the node of key (taking it) for the record pinned (NULL: a loose
 * name), creating it; -1 when out of memory.
 */
static long node_of(struct dsr_alias_set *set, char *key, const char *pinned) {
    long head = dsr_alias_smap_get(&set->keys, key);
    for (long i = head; i >= 0 && (uint32_t)i != NO_NODE; i = set->nodes[i].same)
        if (node_is(set, &set->nodes[i], pinned)) {
            free(key);
            return i;
        }
    struct node *nodes =
        dsr_room(set->nodes, &set->a_nodes, set->n_nodes, sizeof(*nodes));
    if (!nodes) {
        free(key);
        return -1;
    }
    set->nodes = nodes;
    struct node *nd = &set->nodes[set->n_nodes];
    memset(nd, 0, sizeof(*nd));
    nd->key = key;
    nd->parent = (uint32_t)set->n_nodes;
    nd->same = NO_NODE;
    nd->scope = set->scope;
    if (pinned && (!(nd->pinned = strdup(pinned)) ||
                   add_pin(&nd->pins, (struct pin){set->scope, nd->pinned}) < 0)) {
        node_release(nd);
        return -1;
    }
    if (head >= 0) {
        nd->same = set->nodes[head].same;
        set->nodes[head].same = (uint32_t)set->n_nodes;
    } else if (dsr_alias_smap_put(&set->keys, key, (uint32_t)set->n_nodes) < 0) {
        node_release(nd);
        return -1;
    }
    return (long)set->n_nodes++;
}

/* Column (characters, 1-based) of byte offset off in text. */
static int column_of(const char *text, size_t off) {
    return (int)dsr_utf8_length(text, off) + 1;
}

/* Byte offset of the first invalid UTF-8 sequence or NUL in text. */
static size_t first_invalid(const char *text, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t n = 1;
        while (n < 4 && i + n < len && ((unsigned char)text[i + n] & 0xC0) == 0x80)
            n++;
        if (!dsr_utf8_valid(text + i, n))
            break;
        i += n;
    }
    return i;
}

static int blank_line(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n", text[i]))
            return 0;
    return 1;
}

#define MAX_NAMES 256

/* One name to add: its text and where it stands. */
struct span {
    const char *text;
    size_t len;
    int lead;   /* 1 = its list's first name */
    int column; /* where it starts in its line, for diagnostics */
};

/*
 * Adds names as one entity; the line goes to the first. A list line (strict)
 * is refused whole, with diagnostics, when a name is empty or has no letters
 * or digits: 1. A dataset entity's names were checked by the model, so such
 * a name is skipped instead. 0, 1, or -1 when out of memory.
 */
static int add_spans(struct dsr_alias_set *set, const struct span *names, int n,
                     const char *pinned, int strict, const char *file, int line,
                     struct dsr_diags *diags) {
    char **keys = calloc(2 * (size_t)(n ? n : 1), sizeof(*keys)), **shown = keys + n;
    if (!keys)
        return -1;
    if (line > set->last_line)
        set->last_line = line;
    int rc = 0;
    for (int i = 0; i < n && rc >= 0; i++) {
        if (names[i].len == 0) {
            if (strict)
                dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line, names[i].column, NULL,
                             "empty name in alias list");
            rc = strict ? 1 : rc;
            continue;
        }
        keys[i] = dsr_alias_key(names[i].text, names[i].len);
        shown[i] = dsr_text_normalize(names[i].text, names[i].len);
        if (!keys[i] || !shown[i])
            rc = -1;
        else if (!keys[i][0] && strict) {
            dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line, names[i].column, NULL,
                         "name has no letters or digits: \"%s\"", shown[i]);
            rc = 1;
        }
    }
    long first = -1;
    for (int i = 0; i < n && rc == 0; i++) {
        if (!keys[i] || !keys[i][0])
            continue;
        long nd = node_of(set, keys[i], pinned);
        keys[i] = NULL;
        if (nd < 0 || add_variant(&set->nodes[nd], shown[i], names[i].lead) < 0)
            rc = -1;
        shown[i] = NULL;
        if (rc == 0 && first < 0) {
            first = nd;
            set->nodes[nd].named |= pinned && names[i].lead;
            rc = dsr_alias_push(&set->nodes[nd].lines, (uint32_t)line);
        } else if (rc == 0 && nd != first) {
            rc = add_edge(set, (uint32_t)nd, (uint32_t)first, DSR_RULE_SAME_LINE);
        }
    }
    for (int i = 0; i < 2 * n; i++)
        free(keys[i]);
    free(keys);
    return rc;
}

int dsr_alias_add_line(struct dsr_alias_set *set, const char *text, size_t len,
                       const char *file, int line, struct dsr_diags *diags) {
    if (!dsr_utf8_valid(text, len)) {
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line,
                     column_of(text, first_invalid(text, len)), NULL,
                     "invalid UTF-8 in alias list");
        return 1;
    }
    struct dsr_alias_name names[MAX_NAMES];
    struct span spans[MAX_NAMES];
    size_t badpos = 0;
    int n = dsr_alias_split(text, len, names, MAX_NAMES, &badpos);
    if (n < 0) {
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line, column_of(text, badpos), NULL,
                     "unbalanced parenthesis in alias list");
        return 1;
    }
    if (n > MAX_NAMES) {
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line, 1, NULL,
                     "alias list has %d names: at most %d are allowed", n, MAX_NAMES);
        return 1;
    }
    if (n == 0 && !blank_line(text, len)) {
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, file, line, 1, NULL,
                     "no name in alias list");
        return 1;
    }
    for (int i = 0; i < n; i++)
        spans[i] = (struct span){text + names[i].start, names[i].len, names[i].lead,
                                 column_of(text, names[i].start)};
    return add_spans(set, spans, n, NULL, 1, file, line, diags);
}

int dsr_alias_add_entity(struct dsr_alias_set *set, const char *id,
                         const char *const *names, size_t n_names, const char *file,
                         int line, struct dsr_diags *diags) {
    /* Each name is a name, never split again: "Smile (grin" and "|pipe|" stay whole. */
    struct span *spans = malloc((n_names ? n_names : 1) * sizeof(*spans));
    if (!spans)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < n_names; i++)
        if (dsr_utf8_valid(names[i], strlen(names[i])))
            spans[n++] = (struct span){names[i], strlen(names[i]), i == 0, 0};
    int rc = add_spans(set, spans, (int)n, id, 0, file, line, diags);
    free(spans);
    return rc;
}

/* ---- resolving ---- */

long dsr_alias_resolve(struct dsr_alias_set *set, struct dsr_diags *diags) {
    for (size_t i = 0; i < set->n_nodes; i++) {
        struct node *nd = &set->nodes[i];
        nd->form =
            set->flags & DSR_ALIAS_FUZZY ? dsr_alias_fuzzy_key(nd->key) : strdup(nd->key);
        if (!nd->form)
            return -1;
    }
    if (dsr_alias_join_keys(set, add_edge) < 0 || dsr_alias_index_build(set) < 0 ||
        dsr_alias_merge_tails(set, add_edge) < 0)
        return -1;
    (void)diags; /* nothing to report yet: ambiguity is part of the result */
    return dsr_alias_entities_build(set);
}
