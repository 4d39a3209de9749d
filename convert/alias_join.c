/*
 * Joins by key: names with one exact key (with --fuzzy, one transliteration
 * key) are one name. Loose names (alias lists) with one key always join. A
 * dataset record joins what shares a key with it only when that is certain:
 * every match is gathered first; a record or loose name that matches two
 * records of one dataset is ambiguous and joins nothing, and joins that would
 * put two records of one dataset into one entity are not made. Decisions are
 * taken on one state, then applied: input order cannot change them.
 */
#include <stdlib.h>
#include <string.h>

#include "alias_set.h"

/* The key --fuzzy merges on: one short word (an acronym, most often) stays exact. */
static char *identity_key(const struct node *nd) {
    if (!strchr(nd->key, ' ') && strlen(nd->key) <= 4) {
        char *k = malloc(strlen(nd->key) + 2);
        if (k) {
            k[0] = '=';
            strcpy(k + 1, nd->key);
        }
        return k;
    }
    return dsr_alias_fuzzy_key(nd->key);
}

/* Sets grp[i] to the first node with node i's key (exact, or --fuzzy's). 0 or -1. */
static int group_nodes(struct dsr_alias_set *set, uint32_t *grp) {
    size_t n = set->n_nodes;
    if (!(set->flags & DSR_ALIAS_FUZZY)) {
        for (size_t i = 0; i < n; i++)
            grp[i] = (uint32_t)dsr_alias_smap_get(&set->keys, set->nodes[i].key);
        return 0;
    }
    char **ik = calloc(n ? n : 1, sizeof(*ik));
    struct smap first = {0};
    int rc = ik ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!(ik[i] = identity_key(&set->nodes[i]))) {
            rc = -1;
            break;
        }
        long g = dsr_alias_smap_get(&first, ik[i]);
        if (g < 0)
            rc = dsr_alias_smap_put(&first, ik[i], (uint32_t)(g = (long)i));
        grp[i] = (uint32_t)g;
    }
    dsr_alias_smap_release(&first);
    for (size_t i = 0; ik && i < n; i++)
        free(ik[i]);
    free(ik);
    return rc;
}

/* Loose names of one group join the one with the smallest exact key. 0 or -1. */
static int join_loose(struct dsr_alias_set *set, const uint32_t *grp,
                      dsr_alias_edge_fn add_edge) {
    size_t n = set->n_nodes;
    uint32_t *anchor = malloc((n ? n : 1) * sizeof(*anchor));
    if (!anchor)
        return -1;
    for (size_t i = 0; i < n; i++)
        anchor[i] = NO_NODE;
    for (size_t i = 0; i < n; i++) {
        uint32_t *a = &anchor[grp[i]];
        if (!set->nodes[i].pinned &&
            (*a == NO_NODE || strcmp(set->nodes[i].key, set->nodes[*a].key) < 0))
            *a = (uint32_t)i;
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!set->nodes[i].pinned && anchor[grp[i]] != i)
            rc = add_edge(set, (uint32_t)i, anchor[grp[i]], DSR_RULE_FUZZY);
    free(anchor);
    return rc;
}

/* One root of a group, with the node through which it is there. */
struct member {
    uint32_t root, node, scope; /* scope: NO_NODE for loose names */
};

/* A join one root asks for: its node a with node b of a record. */
struct proposal {
    uint32_t x, y; /* roots */
    uint32_t a, b; /* nodes */
    uint32_t y_scope;
};

struct joins {
    struct proposal *v;
    size_t n, alloc;
    unsigned char *ambiguous; /* per root */
};

static int by_scope_root(const void *p, const void *q) {
    const struct member *a = p, *b = q;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return (a->root > b->root) - (a->root < b->root);
}

static int propose(struct joins *j, struct proposal p) {
    if (j->n == j->alloc) {
        size_t alloc = j->alloc ? j->alloc * 2 : 64;
        struct proposal *v = realloc(j->v, alloc * sizeof(*v));
        if (!v)
            return -1;
        j->v = v;
        j->alloc = alloc;
    }
    j->v[j->n++] = p;
    return 0;
}

/* Adds root r to a candidate list once, up to MAX_CANDIDATES. 0 or -1. */
static int add_candidate(struct u32vec *c, uint32_t r) {
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] == r)
            return 0;
    return c->n < MAX_CANDIDATES ? dsr_alias_push(c, r) : 0;
}

/*
 * The matches within one group (its distinct roots m[0..k), sorted by scope):
 * every root asks to join the one record of each other dataset; two or more
 * records of one dataset make it ambiguous instead. 0 or -1.
 */
static int match_group(struct dsr_alias_set *set, struct member *m, size_t k,
                       struct joins *j) {
    qsort(m, k, sizeof(*m), by_scope_root);
    for (size_t x = 0; x < k; x++)
        for (size_t s = 0, e; s < k && m[s].scope != NO_NODE; s = e) {
            for (e = s; e < k && m[e].scope == m[s].scope; e++)
                ;
            if (m[s].scope == m[x].scope)
                continue;
            if (e - s == 1) {
                struct proposal p = {m[x].root, m[s].root, m[x].node, m[s].node,
                                     m[s].scope};
                if (propose(j, p) < 0)
                    return -1;
                continue;
            }
            j->ambiguous[m[x].root] = 1;
            for (size_t c = s; c < e; c++)
                if (add_candidate(&set->ambiguous[m[x].root], m[c].root) < 0)
                    return -1;
        }
    return 0;
}

/* A node with its group, to sort nodes by group. */
struct grouped {
    uint32_t grp, node;
};

static int by_group(const void *p, const void *q) {
    const struct grouped *a = p, *b = q;
    if (a->grp != b->grp)
        return a->grp < b->grp ? -1 : 1;
    return (a->node > b->node) - (a->node < b->node);
}

static int by_x_scope(const void *p, const void *q) {
    const struct proposal *a = p, *b = q;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y_scope != b->y_scope)
        return a->y_scope < b->y_scope ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

/* Gathers every group's matches into j. 0 or -1. */
static int match_all(struct dsr_alias_set *set, const uint32_t *grp, struct joins *j) {
    size_t n = set->n_nodes;
    struct grouped *order = malloc((n ? n : 1) * sizeof(*order));
    struct member *m = malloc((n ? n : 1) * sizeof(*m));
    int rc = order && m ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        order[i] = (struct grouped){grp[i], (uint32_t)i};
    if (rc == 0)
        qsort(order, n, sizeof(*order), by_group);
    for (size_t s = 0, e; s < n && rc == 0; s = e) {
        size_t k = 0, pinned = 0;
        for (e = s; e < n && order[e].grp == order[s].grp; e++) {
            uint32_t r = dsr_alias_find(set, order[e].node);
            size_t c = 0;
            while (c < k && m[c].root != r)
                c++;
            if (c == k) {
                const struct pins *p = &set->nodes[r].pins;
                m[k++] =
                    (struct member){r, order[e].node, p->n ? p->v[0].scope : NO_NODE};
                pinned += p->n > 0;
            }
        }
        if (pinned && k > 1)
            rc = match_group(set, m, k, j);
    }
    /* Across groups too: matching two records of one dataset is ambiguous. */
    if (rc == 0 && j->n > 1)
        qsort(j->v, j->n, sizeof(*j->v), by_x_scope);
    for (size_t i = 0; i + 1 < j->n && rc == 0; i++) {
        const struct proposal *p = &j->v[i], *q = p + 1;
        if (p->x == q->x && p->y_scope == q->y_scope && p->y != q->y) {
            j->ambiguous[p->x] = 1;
            if (add_candidate(&set->ambiguous[p->x], p->y) < 0 ||
                add_candidate(&set->ambiguous[p->x], q->y) < 0)
                rc = -1;
        }
    }
    free(order);
    free(m);
    return rc;
}

/* Union-find over the roots, for trying joins before making them. */
static uint32_t trial_find(uint32_t *t, uint32_t x) {
    while (t[x] != x)
        x = t[x] = t[t[x]];
    return x;
}

/* A record's place in a trial component, to find two records of one dataset. */
struct held {
    uint32_t comp, scope, root;
    const char *id;
};

static int by_comp_scope(const void *p, const void *q) {
    const struct held *a = p, *b = q;
    if (a->comp != b->comp)
        return a->comp < b->comp ? -1 : 1;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return strcmp(a->id, b->id);
}

/*
 * Makes the joins of roots that are not ambiguous, unless together they would
 * put two records of one dataset in one entity: loose names there are marked
 * ambiguous with those records as candidates. 0 or -1.
 */
static int apply(struct dsr_alias_set *set, struct joins *j, dsr_alias_edge_fn add_edge) {
    size_t n = set->n_nodes, n_held = 0;
    uint32_t *t = malloc((n ? n : 1) * sizeof(*t));
    unsigned char *bad = calloc(n ? n : 1, 1);
    struct held *h = NULL;
    int rc = t && bad ? 0 : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        t[i] = (uint32_t)i;
        n_held += set->nodes[i].pins.n;
    }
    for (size_t i = 0; i < j->n && rc == 0; i++)
        if (!j->ambiguous[j->v[i].x])
            t[trial_find(t, j->v[i].x)] = trial_find(t, j->v[i].y);
    if (rc == 0 && !(h = malloc((n_held ? n_held : 1) * sizeof(*h))))
        rc = -1;
    n_held = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t p = 0; p < set->nodes[i].pins.n; p++)
            h[n_held++] =
                (struct held){trial_find(t, (uint32_t)i), set->nodes[i].pins.v[p].scope,
                              (uint32_t)i, set->nodes[i].pins.v[p].id};
    if (rc == 0)
        qsort(h, n_held, sizeof(*h), by_comp_scope);
    for (size_t i = 0; i + 1 < n_held && rc == 0; i++)
        if (h[i].comp == h[i + 1].comp && h[i].scope == h[i + 1].scope &&
            strcmp(h[i].id, h[i + 1].id))
            bad[h[i].comp] = 1;
    for (size_t i = 0; i < j->n && rc == 0; i++) {
        const struct proposal *p = &j->v[i];
        uint32_t c = trial_find(t, p->x);
        if (j->ambiguous[p->x] || dsr_alias_find(set, p->a) == dsr_alias_find(set, p->b))
            continue; /* ambiguous, or joined already (from the other side) */
        if (!bad[c]) {
            int same = !strcmp(set->nodes[p->a].key, set->nodes[p->b].key);
            rc = add_edge(set, p->a, p->b, same ? DSR_RULE_SAME_KEY : DSR_RULE_FUZZY);
        } else if (!set->nodes[p->x].pins.n) {
            size_t lo = 0, hi = n_held; /* the component's first record */
            while (lo < hi)
                if (h[(lo + hi) / 2].comp < c)
                    lo = (lo + hi) / 2 + 1;
                else
                    hi = (lo + hi) / 2;
            for (size_t k = lo; k < n_held && h[k].comp == c && rc == 0; k++)
                rc = add_candidate(&set->ambiguous[p->x], h[k].root);
        }
    }
    free(h);
    free(bad);
    free(t);
    return rc;
}

int dsr_alias_join_keys(struct dsr_alias_set *set, dsr_alias_edge_fn add_edge) {
    size_t n = set->n_nodes;
    uint32_t *grp = malloc((n ? n : 1) * sizeof(*grp));
    struct joins j = {0};
    set->ambiguous = calloc(n ? n : 1, sizeof(*set->ambiguous));
    j.ambiguous = calloc(n ? n : 1, 1);
    int rc = grp && set->ambiguous && j.ambiguous ? 0 : -1;
    if (rc == 0)
        rc = group_nodes(set, grp);
    if (rc == 0)
        rc = join_loose(set, grp, add_edge);
    if (rc == 0)
        rc = match_all(set, grp, &j);
    if (rc == 0)
        rc = apply(set, &j, add_edge);
    free(j.v);
    free(j.ambiguous);
    free(grp);
    return rc;
}
