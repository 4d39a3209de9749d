/*
 * Resolved entities: grouping nodes by their union-find root, the spelling
 * shown for each name, the primary name and the ids. Every choice here
 * depends on the set of names met, never on the order they came in.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "alias_set.h"

/* 1 when text has an uppercase letter and no lowercase one (YASIN AL-SURI). */
static int all_caps(const char *text) {
    int upper = 0;
    utf8proc_int32_t cp;
    for (const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text; *p;) {
        p += utf8proc_iterate(p, -1, &cp);
        utf8proc_category_t c = utf8proc_category(cp);
        if (c == UTF8PROC_CATEGORY_LL)
            return 0;
        upper |= c == UTF8PROC_CATEGORY_LU;
    }
    return upper;
}

/* Spelling shown for a name: mixed case over capitals, then the most used, then bytes. */
static int variant_cmp(const struct variant *a, const struct variant *b) {
    int ca = all_caps(a->text), cb = all_caps(b->text);
    if (ca != cb)
        return ca - cb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->text, b->text);
}

static size_t words(const char *key) {
    size_t n = 1;
    for (; *key; key++)
        n += *key == ' ';
    return n;
}

static int has_ascii_letter(const char *s) {
    for (; *s; s++)
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
            return 1;
    return 0;
}

static unsigned leads(const struct node *nd) {
    unsigned n = 0;
    for (size_t i = 0; i < nd->n_var; i++)
        n += nd->var[i].lead;
    return n;
}

/* 1 when node x's key is the word tail of another name of the entity (a short form). */
static int is_short(const struct dsr_alias_set *set, const struct entity *e, uint32_t x) {
    const char *a = set->nodes[x].key;
    size_t la = strlen(a);
    for (size_t i = 0; i < e->n_nodes && e->n_nodes <= 256; i++) {
        const char *b = set->nodes[e->nodes[i]].key;
        size_t lb = strlen(b);
        if (la < lb && b[lb - la - 1] == ' ' && !strcmp(b + lb - la, a))
            return 1;
    }
    return 0;
}

/*
 * The primary-name rule, as README states it: a full name over a short form,
 * Latin script over others, the name that leads the most lists (aliases come
 * after it), more words, a shorter key, the better spelling, the smaller key.
 */
static int primary_cmp(const struct dsr_alias_set *set, const struct entity *e,
                       uint32_t x, uint32_t y) {
    const struct node *a = &set->nodes[x], *b = &set->nodes[y];
    int d;
    /* A record's own name is what its publisher calls it. */
    if ((d = b->named - a->named))
        return d;
    if ((d = is_short(set, e, x) - is_short(set, e, y)))
        return d;
    if ((d = has_ascii_letter(b->var[b->best].text) -
             has_ascii_letter(a->var[a->best].text)))
        return d;
    if (leads(a) != leads(b))
        return leads(a) > leads(b) ? -1 : 1;
    if (words(a->key) != words(b->key))
        return words(a->key) > words(b->key) ? -1 : 1;
    /* Of two spellings of one length in words, the plainer: Osama over Ussama. */
    if (strlen(a->key) != strlen(b->key))
        return strlen(a->key) < strlen(b->key) ? -1 : 1;
    if ((d = variant_cmp(&a->var[a->best], &b->var[b->best])))
        return d;
    return strcmp(a->key, b->key);
}

/* Id prefix: org- for an acronym or an organisation word, person- for a name of 2+ words.
 */
static const char *kind_prefix(const struct dsr_alias_set *set, const struct entity *e) {
    int person = 0;
    for (size_t i = 0; i < e->n_nodes; i++) {
        const struct node *nd = &set->nodes[e->nodes[i]];
        for (const char *p = nd->key; *p;) {
            size_t n = strcspn(p, " ");
            if (dsr_alias_stop_word(p, n))
                return "org-";
            p += n + (p[n] == ' ');
        }
        for (size_t v = 0; v < nd->n_var; v++) {
            const char *t = nd->var[v].text;
            size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            if (n >= 2 && n <= 6 && t[n] == '\0')
                return "org-";
        }
        person |= words(nd->key) >= 2;
    }
    return person ? "person-" : "entity-";
}

static int by_first_line(const void *a, const void *b) {
    const struct entity *x = a, *y = b;
    return (x->first_line > y->first_line) - (x->first_line < y->first_line);
}

/* Groups nodes by root into entities, in order of first line. 0 or -1. */
static int group(struct dsr_alias_set *set) {
    size_t n = set->n_nodes;
    set->ent_of = malloc((n ? n : 1) * sizeof(uint32_t));
    set->ents = calloc(n ? n : 1, sizeof(struct entity));
    if (!set->ent_of || !set->ents)
        return -1;
    for (size_t i = 0; i < n; i++)
        set->ent_of[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        uint32_t r = dsr_alias_find(set, (uint32_t)i);
        if (set->ent_of[r] == UINT32_MAX) {
            set->ent_of[r] = (uint32_t)set->n_ents;
            set->ents[set->n_ents++] =
                (struct entity){.root = r, .first_line = UINT32_MAX};
        }
        struct entity *e = &set->ents[set->ent_of[r]];
        uint32_t *nodes = realloc(e->nodes, (e->n_nodes + 1) * sizeof(*nodes));
        if (!nodes)
            return -1;
        e->nodes = nodes;
        e->nodes[e->n_nodes++] = (uint32_t)i;
        for (size_t k = 0; k < set->nodes[i].lines.n; k++)
            if (set->nodes[i].lines.v[k] < e->first_line)
                e->first_line = set->nodes[i].lines.v[k];
    }
    qsort(set->ents, set->n_ents, sizeof(struct entity), by_first_line);
    for (size_t k = 0; k < set->n_ents; k++)
        set->ent_of[set->ents[k].root] = (uint32_t)k;
    return 0;
}

/* Chooses the spellings shown, the primary name and the ambiguity candidates. */
static int choose(struct dsr_alias_set *set, struct entity *e) {
    for (size_t i = 0; i < e->n_nodes; i++) {
        struct node *nd = &set->nodes[e->nodes[i]];
        for (size_t v = 1; v < nd->n_var; v++)
            if (variant_cmp(&nd->var[v], &nd->var[nd->best]) < 0)
                nd->best = (uint32_t)v;
    }
    e->primary = e->nodes[0];
    for (size_t i = 1; i < e->n_nodes; i++)
        if (primary_cmp(set, e, e->nodes[i], e->primary) < 0)
            e->primary = e->nodes[i];
    e->name = set->nodes[e->primary].var[set->nodes[e->primary].best].text;
    for (size_t i = 0; i < e->n_nodes; i++) {
        const struct u32vec *c = &set->ambiguous[e->nodes[i]];
        for (size_t k = 0; k < c->n; k++)
            if (dsr_alias_push(&e->cands, c->v[k]) < 0)
                return -1;
    }
    return 0;
}

struct id_slot {
    const char *base; /* pinned id, or prefix + slug */
    const char *key;  /* primary key, which is unique to the entity */
    int pinned;
    size_t ent;
};

static int id_cmp(const void *a, const void *b) {
    const struct id_slot *x = a, *y = b;
    int c = strcmp(x->base, y->base);
    if (c)
        return c;
    if (x->pinned != y->pinned)
        return y->pinned - x->pinned;
    return strcmp(x->key, y->key);
}

/* The id of an entity holding dataset records: the smallest of theirs, or NULL. */
static const char *pinned_id(const struct dsr_alias_set *set, const struct entity *e) {
    const struct pins *p = &set->nodes[e->root].pins;
    const char *id = NULL;
    for (size_t i = 0; i < p->n; i++)
        if (!id || strcmp(p->v[i].id, id) < 0)
            id = p->v[i].id;
    return id;
}

/* Ids: kept from the dataset, else a slug; equal slugs get -2, -3 in key order. */
static int assign_ids(struct dsr_alias_set *set) {
    struct id_slot *slots = calloc(set->n_ents ? set->n_ents : 1, sizeof(*slots));
    char **bases = calloc(set->n_ents ? set->n_ents : 1, sizeof(*bases));
    int rc = slots && bases ? 0 : -1;
    for (size_t k = 0; k < set->n_ents && rc == 0; k++) {
        struct entity *e = &set->ents[k];
        const char *pin = pinned_id(set, e);
        char slug[96];
        dsr_alias_slug(e->name, slug, sizeof(slug));
        if (!slug[0]) { /* another script: a hash of the key, stable across runs */
            uint32_t h = 2166136261u;
            for (const char *p = set->nodes[e->primary].key; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
            snprintf(slug, sizeof(slug), "n%08lx", (unsigned long)h);
        }
        bases[k] = malloc(strlen(slug) + 16);
        if (!bases[k]) {
            rc = -1;
            break;
        }
        sprintf(bases[k], "%s%s", kind_prefix(set, e), slug);
        slots[k] =
            (struct id_slot){pin ? pin : bases[k], set->nodes[e->primary].key, !!pin, k};
    }
    if (rc == 0)
        qsort(slots, set->n_ents, sizeof(*slots), id_cmp);
    for (size_t k = 0, run = 0; k < set->n_ents && rc == 0; k++) {
        run = k && !strcmp(slots[k].base, slots[k - 1].base) ? run + 1 : 0;
        char *id = malloc(strlen(slots[k].base) + 24);
        if (!id) {
            rc = -1;
            break;
        }
        if (run)
            sprintf(id, "%s-%zu", slots[k].base, run + 1);
        else
            strcpy(id, slots[k].base);
        set->ents[slots[k].ent].id = id;
        rc = dsr_alias_smap_put(&set->ids, id, (uint32_t)slots[k].ent);
    }
    for (size_t k = 0; bases && k < set->n_ents; k++)
        free(bases[k]);
    free(bases);
    free(slots);
    return rc;
}

long dsr_alias_entities_build(struct dsr_alias_set *set) {
    if (group(set) < 0)
        return -1;
    for (size_t k = 0; k < set->n_ents; k++)
        if (choose(set, &set->ents[k]) < 0)
            return -1;
    if (assign_ids(set) < 0)
        return -1;
    return (long)set->n_ents;
}

void dsr_alias_entities_release(struct dsr_alias_set *set) {
    for (size_t k = 0; k < set->n_ents; k++) {
        free(set->ents[k].nodes);
        free(set->ents[k].id);
        free(set->ents[k].cands.v);
    }
    free(set->ents);
    free(set->ent_of);
    dsr_alias_smap_release(&set->ids);
    free(set->scratch);
}
