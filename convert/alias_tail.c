/*
 * Short forms: "Zawahiri", "Khalil", "Abu Ghayth" stand for the one person
 * whose full name ends in them. Every name of two or more words registers its
 * first word (the given name) in an index, and a person's name (no word that
 * marks an organisation) its proper word tails too; after all input is read,
 * each loose name found among the tails joins the owner when there is exactly
 * one, and marks its entity ambiguous when there are more. A record's names
 * are whole names, never short forms. Decisions are all taken on the same
 * state, then applied: input order cannot change them.
 */
#include <stdlib.h>
#include <string.h>

#include "alias_set.h"

/* A tail never starts after these: "Iraq" is not a short form of "Al-Qaeda in Iraq". */
static const char *const connectors[] = {"in",  "of", "for", "and",
                                         "the", "on", "to",  NULL};

/*
 * Words that mark an organisation's name (English, legal forms, and Arabic
 * words for group, brigade, front...): "Islamic Group" is not a short form of
 * a longer group, "COMMERCIAL PARS OIL CO." is a company.
 */
static const char *const generic[] = {"group",
                                      "front",
                                      "movement",
                                      "organization",
                                      "organisation",
                                      "party",
                                      "corps",
                                      "council",
                                      "committee",
                                      "army",
                                      "brigade",
                                      "brigades",
                                      "network",
                                      "foundation",
                                      "company",
                                      "ltd",
                                      "inc",
                                      "llc",
                                      "bank",
                                      "ministry",
                                      "jihad",
                                      "state",
                                      "union",
                                      "center",
                                      "centre",
                                      "institute",
                                      "university",
                                      "society",
                                      "association",
                                      "agency",
                                      "office",
                                      "department",
                                      "forces",
                                      "force",
                                      "guard",
                                      "commission",
                                      "authority",
                                      "government",
                                      "republic",
                                      "islamic",
                                      "national",
                                      "international",
                                      "revolutionary",
                                      "liberation",
                                      "resistance",
                                      "fighting",
                                      "security",
                                      "intelligence",
                                      "general",
                                      "co",
                                      "corp",
                                      "corporation",
                                      "limited",
                                      "plc",
                                      "gmbh",
                                      "pvt",
                                      "pte",
                                      "jsc",
                                      "ojsc",
                                      "cjsc",
                                      "pjsc",
                                      "establishment",
                                      "trading",
                                      "shipping",
                                      "industries",
                                      "industrial",
                                      "industry",
                                      "enterprise",
                                      "enterprises",
                                      "holding",
                                      "holdings",
                                      "services",
                                      "charity",
                                      "trust",
                                      "fund",
                                      "air",
                                      "airlines",
                                      "airways",
                                      "petroleum",
                                      "investment",
                                      "investments",
                                      "bureau",
                                      "logistics",
                                      "maritime",
                                      "navigation",
                                      "kataib",
                                      "katibat",
                                      "asaib",
                                      "jaysh",
                                      "jaish",
                                      "jabhat",
                                      "ansar",
                                      "harakat",
                                      "harakah",
                                      "liwa",
                                      "saraya",
                                      "hizb",
                                      "tanzim",
                                      "jamaat",
                                      "jamaah",
                                      "jemaah",
                                      "majlis",
                                      NULL};

int dsr_alias_stop_word(const char *w, size_t n) {
    static const char *const *lists[] = {connectors, generic};
    for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l][i]; i++)
            if (strlen(lists[l][i]) == n && !strncmp(lists[l][i], w, n))
                return l + 1;
    return 0;
}

struct stops {
    struct smap words; /* word (exact or transliterated) -> 1 connector, 2 generic */
    char **owned;      /* transliterated copies */
    size_t n_owned;
};

static int stops_init(struct stops *st) {
    static const char *const *lists[] = {connectors, generic};
    memset(st, 0, sizeof(*st));
    st->owned = calloc(2 * 160, sizeof(char *));
    if (!st->owned)
        return -1;
    for (int l = 0; l < 2; l++)
        for (int i = 0; lists[l][i]; i++) {
            char *f = dsr_alias_fuzzy_key(lists[l][i]);
            if (!f)
                return -1;
            st->owned[st->n_owned++] = f;
            if (dsr_alias_smap_put(&st->words, lists[l][i], (uint32_t)l + 1) < 0 ||
                dsr_alias_smap_put(&st->words, f, (uint32_t)l + 1) < 0)
                return -1;
        }
    return 0;
}

static void stops_release(struct stops *st) {
    for (size_t i = 0; i < st->n_owned; i++)
        free(st->owned[i]);
    free(st->owned);
    dsr_alias_smap_release(&st->words);
}

static long stop_kind(const struct stops *st, const char *w, size_t n) {
    char buf[64];
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, w, n);
    buf[n] = '\0';
    return dsr_alias_smap_get(&st->words, buf);
}

/* Appends node to the owner list that key maps to in m, creating it. 0 or -1. */
static int own(struct dsr_alias_set *set, struct smap *m, const char *key,
               uint32_t node) {
    long i = dsr_alias_smap_get(m, key);
    if (i < 0) {
        struct u32vec *o = realloc(set->owners, (set->n_owners + 1) * sizeof(*o));
        if (!o)
            return -1;
        set->owners = o;
        memset(&o[set->n_owners], 0, sizeof(*o));
        i = (long)set->n_owners++;
        if (dsr_alias_smap_put(m, key, (uint32_t)i) < 0)
            return -1;
    }
    struct u32vec *v = &set->owners[i];
    if (v->n && v->v[v->n - 1] == node)
        return 0;
    return dsr_alias_push(v, node);
}

#define MAX_WORDS 64

/* Registers the admissible tails and the first word of one node's form. */
static int index_node(struct dsr_alias_set *set, const struct stops *st, uint32_t i) {
    const char *f = set->nodes[i].form;
    size_t start[MAX_WORDS + 1], w = 0;
    long kind[MAX_WORDS];
    for (const char *p = f; *p && w < MAX_WORDS; w++) {
        size_t n = strcspn(p, " ");
        start[w] = (size_t)(p - f);
        kind[w] = stop_kind(st, p, n);
        p += n + (p[n] == ' ');
    }
    if (w < 2)
        return 0;
    /* An organisation's name gives no tails: its leading words are what tell it from
     * its namesakes (PARS OIL CO. is not COMMERCIAL PARS OIL CO.). */
    int organisation = 0;
    for (size_t j = 0; j < w; j++)
        organisation |= kind[j] >= 0;
    for (size_t j = w - 1; j >= 1 && !organisation; j--)
        if (own(set, &set->tails, f + start[j], i) < 0)
            return -1;
    char head[128];
    size_t n = start[1] - 1;
    if (n >= sizeof(head))
        return 0;
    memcpy(head, f, n);
    head[n] = '\0';
    if (dsr_alias_smap_get(&set->heads, head) < 0) {
        char **hw = realloc(set->head_words, (set->n_head_words + 1) * sizeof(*hw));
        if (!hw)
            return -1;
        set->head_words = hw;
        if (!(hw[set->n_head_words] = strdup(head)))
            return -1;
        return own(set, &set->heads, hw[set->n_head_words++], i);
    }
    return own(set, &set->heads, head, i);
}

int dsr_alias_index_build(struct dsr_alias_set *set) {
    struct stops st;
    int rc = stops_init(&st);
    for (size_t i = 0; i < set->n_nodes && rc == 0; i++)
        rc = index_node(set, &st, (uint32_t)i);
    stops_release(&st);
    return rc;
}

void dsr_alias_index_release(struct dsr_alias_set *set) {
    dsr_alias_smap_release(&set->tails);
    dsr_alias_smap_release(&set->heads);
    for (size_t i = 0; i < set->n_owners; i++)
        free(set->owners[i].v);
    free(set->owners);
    for (size_t i = 0; i < set->n_head_words; i++)
        free(set->head_words[i]);
    free(set->head_words);
    if (set->ambiguous)
        for (size_t i = 0; i < set->n_nodes; i++)
            free(set->ambiguous[i].v);
    free(set->ambiguous);
}

/* Adds the roots of a list's nodes to out, once each; notes whether self is one. */
static int add_roots(struct dsr_alias_set *set, const struct u32vec *list, long self,
                     struct u32vec *out, int *mine) {
    for (size_t i = 0; i < list->n && out->n < MAX_CANDIDATES; i++) {
        uint32_t r = dsr_alias_find(set, list->v[i]);
        size_t j = 0;
        if ((long)r == self) {
            *mine = 1;
            continue;
        }
        while (j < out->n && out->v[j] != r)
            j++;
        if (j == out->n && dsr_alias_push(out, r) < 0)
            return -1;
    }
    return 0;
}

int dsr_alias_short_owners(struct dsr_alias_set *set, const char *form, long self,
                           struct u32vec *out) {
    int mine = 0;
    out->n = 0;
    long t = dsr_alias_smap_get(&set->tails, form);
    if (t < 0)
        return 0;
    if (add_roots(set, &set->owners[t], self, out, &mine) < 0)
        return -1;
    /* A one-word short form that is also someone's given name is not certain. */
    long h = strchr(form, ' ') ? -1 : dsr_alias_smap_get(&set->heads, form);
    if (h >= 0 && add_roots(set, &set->owners[h], self, out, &mine) < 0)
        return -1;
    return mine;
}

/* 1 when key b ends with the words of key a (a shorter). */
static int word_tail(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    return la < lb && b[lb - la - 1] == ' ' && !strcmp(b + lb - la, a);
}

/* The owner node the short form joins: the smallest key among the target's owners. */
static long pick_owner(struct dsr_alias_set *set, const char *form, uint32_t target) {
    const struct u32vec *list = &set->owners[dsr_alias_smap_get(&set->tails, form)];
    long best = -1;
    for (size_t i = 0; i < list->n; i++)
        if (dsr_alias_find(set, list->v[i]) == target &&
            (best < 0 || strcmp(set->nodes[list->v[i]].key, set->nodes[best].key) < 0))
            best = list->v[i];
    return best;
}

int dsr_alias_merge_tails(struct dsr_alias_set *set, dsr_alias_edge_fn add_edge) {
    size_t n = set->n_nodes;
    struct u32vec owners = {0}, joins = {0}, pairs = {0};
    int rc = 0;
    /* First: every entity's targets, from the state after the certain merges. A
     * record's names are whole names, never short forms of another's. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (set->nodes[i].pinned)
            continue;
        uint32_t a = dsr_alias_find(set, (uint32_t)i);
        int mine = dsr_alias_short_owners(set, set->nodes[i].form, a, &owners);
        if (mine < 0)
            rc = -1;
        if (mine != 0 || owners.n == 0)
            continue;
        rc = dsr_alias_push(&joins, (uint32_t)i);
        int m2 = 0;
        if (rc == 0)
            rc = add_roots(set, &owners, -1, &set->ambiguous[a], &m2);
    }
    /* Then the joins: only an entity with one target joins it. */
    for (size_t k = 0; k < joins.n && rc == 0; k++) {
        uint32_t i = joins.v[k], a = dsr_alias_find(set, i);
        if (set->ambiguous[a].n == 1)
            rc = dsr_alias_push(&pairs, i) < 0 ||
                         dsr_alias_push(&pairs,
                                        (uint32_t)pick_owner(set, set->nodes[i].form,
                                                             set->ambiguous[a].v[0])) < 0
                     ? -1
                     : 0;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        if (set->ambiguous[i].n == 1)
            set->ambiguous[i].n = 0;
    for (size_t k = 0; k + 1 < pairs.n && rc == 0; k += 2) {
        uint32_t i = pairs.v[k], o = pairs.v[k + 1];
        rc = add_edge(set, i, o,
                      word_tail(set->nodes[i].key, set->nodes[o].key)
                          ? DSR_RULE_TAIL
                          : DSR_RULE_FUZZY_TAIL);
    }
    free(pairs.v);
    free(owners.v);
    free(joins.v);
    return rc;
}
