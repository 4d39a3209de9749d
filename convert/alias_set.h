/*
 * The alias set's insides, shared by alias.c (adding, merging),
 * alias_tail.c (short forms), alias_entity.c (entities, ids) and
 * alias_write.c (output, lookups).
 */
#ifndef DSR_ALIAS_SET_H
#define DSR_ALIAS_SET_H

#include <stdint.h>

#include "alias.h"

/* String keys (borrowed from their owner) to indexes: the one hash table. */
struct smap {
    struct dsr_table t;
};

struct u32vec {
    uint32_t *v;
    size_t n, alloc;
};

/* Why two names are one entity. */
enum dsr_alias_rule {
    DSR_RULE_SAME_LINE,  /* written in one alias list */
    DSR_RULE_SAME_KEY,   /* spellings with one exact key (output only) */
    DSR_RULE_TAIL,       /* a short form that ends exactly one entity's full name */
    DSR_RULE_FUZZY,      /* one transliteration key */
    DSR_RULE_FUZZY_TAIL, /* a short form matching by transliteration key */
};

struct variant {
    char *text;     /* the name as written, NFC, white space collapsed */
    unsigned count; /* times met */
    unsigned lead;  /* times it was the first name of a list */
};

/* A dataset record a name belongs to: its dataset (dsr_alias_next_dataset) and id. */
struct pin {
    uint32_t scope;
    const char *id; /* borrowed from the node that holds it as pinned */
};

struct pins {
    struct pin *v;
    size_t n;
};

/*
 * One distinct exact key among loose names (alias lists), or one exact key of
 * one dataset record: a record's names are its own nodes, so that two records
 * sharing a name stay two entities.
 */
struct node {
    char *key;           /* exact key (dsr_alias_key) */
    char *form;          /* key the mode compares words by: exact or transliteration */
    struct variant *var; /* spellings met, n_var of them */
    size_t n_var;
    struct u32vec lines; /* input lines whose list starts with this name */
    char *pinned;        /* id of the dataset record with this name, or NULL */
    uint32_t scope;      /* the record's dataset */
    int named;           /* 1 = the record's own name (not one of its aliases) */
    uint32_t same;       /* next node with this exact key, or NO_NODE */
    struct pins pins;    /* a root's: the records its names belong to */
    uint32_t parent;     /* union-find */
    uint32_t best;       /* after resolve: the variant shown for this name */
};

struct edge {
    uint32_t a, b; /* node a joined through node b */
    enum dsr_alias_rule rule;
};

/* One resolved entity (alias_entity.c). */
struct entity {
    uint32_t root;   /* union-find root */
    uint32_t *nodes; /* its nodes, n_nodes */
    size_t n_nodes;
    uint32_t first_line; /* order of output */
    uint32_t primary;    /* node of the primary name */
    const char *name;    /* primary display form, borrowed from a variant */
    char *id;
    struct u32vec cands; /* ambiguous: candidate nodes (any node of each) */
};

#define NO_NODE UINT32_MAX

/* Candidates listed for one ambiguous entity, at most: enough to act on, bounded work. */
#define MAX_CANDIDATES 32

struct dsr_alias_set {
    int flags;      /* DSR_ALIAS_FUZZY */
    uint32_t scope; /* dataset of the records added now */
    int last_line;  /* the highest line added so far */
    struct node *nodes;
    size_t n_nodes, a_nodes;
    struct smap keys;           /* exact key -> first node with it (then ->same) */
    struct dsr_table edge_seen; /* edges already recorded, as pointer-sized keys */
    struct edge *edges;
    size_t n_edges, a_edges;
    /* short-form index (alias_tail.c) */
    struct smap tails;     /* proper word tail of a form -> owner list */
    struct smap heads;     /* first word of a form of 2+ words -> owner list */
    struct u32vec *owners; /* owner lists */
    size_t n_owners;
    char **head_words; /* copies of first words, n_owners at most */
    size_t n_head_words;
    struct u32vec *ambiguous; /* per node: candidate roots when its entity is ambiguous */
    /* entities (alias_entity.c) */
    struct entity *ents;
    size_t n_ents;
    uint32_t *ent_of;     /* root node -> entity index */
    struct smap ids;      /* id -> entity index */
    const char **scratch; /* lookup and names results */
    size_t n_scratch;
};

long dsr_alias_smap_get(const struct smap *m, const char *key);
int dsr_alias_smap_put(struct smap *m, const char *key, uint32_t val);
void dsr_alias_smap_release(struct smap *m);
int dsr_alias_push(struct u32vec *v, uint32_t x);
uint32_t dsr_alias_find(struct dsr_alias_set *set, uint32_t x);

typedef int (*dsr_alias_edge_fn)(struct dsr_alias_set *set, uint32_t a, uint32_t b,
                                 enum dsr_alias_rule rule);

/* alias.c: 1 when the roots of a and b hold two records of one dataset. */
int dsr_alias_kept_apart(struct dsr_alias_set *set, uint32_t a, uint32_t b);

/*
 * alias_join.c: joins names with one key (exact, or the transliteration key
 * with --fuzzy): loose names with each other, and with records when that is
 * certain; marks the ambiguous. Allocates set->ambiguous.
 */
int dsr_alias_join_keys(struct dsr_alias_set *set, dsr_alias_edge_fn add_edge);

/* alias_tail.c: indexes every node's tails and heads; merges unique short forms. */
int dsr_alias_index_build(struct dsr_alias_set *set);
int dsr_alias_merge_tails(struct dsr_alias_set *set, dsr_alias_edge_fn add_edge);
/* Candidate roots of a form taken as a short form, excluding `self` (a root, or -1). */
int dsr_alias_short_owners(struct dsr_alias_set *set, const char *form, long self,
                           struct u32vec *out);
void dsr_alias_index_release(struct dsr_alias_set *set);

/* alias_entity.c */
long dsr_alias_entities_build(struct dsr_alias_set *set);
void dsr_alias_entities_release(struct dsr_alias_set *set);

#endif
