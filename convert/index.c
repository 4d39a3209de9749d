/*
 * The dataset index: what the references of designations and events
 * (subjects, participants, sources) need, to be checked, and names resolved
 * to entity ids, once everything is read. Memory stays flat whatever the
 * size: every id defined and every reference made goes into a sorter of its
 * own, and resolve joins them, the way a sort-merge join does, keeping only
 * the references no id answers (names, or ids of nothing). Each entity's
 * names go into another sorter, read back only when some reference is a name
 * ("Yasin al-Suri (alias Khalil)"): then they make an alias set (alias.c),
 * and names met in references that resolve to an entity and that it lacks
 * become its aliases. References to a kind the dataset holds none of (a lone
 * CSV table of events, say) are not checked.
 */
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "internal.h"

/* An entity's names, read back when some reference is a name. */
struct pending {
    char *names;      /* id, then name and aliases, each NUL-terminated; owned */
    size_t n;         /* names after the id */
    const char *file; /* borrowed, as records borrow it */
    int line;
};

/* The entities that bear one name. */
struct ids {
    size_t n;
    const char *id[]; /* borrowed from the pending names */
};

/* A name met in a reference, for the entity it resolved to. */
struct extra {
    const char *id; /* borrowed from the alias set */
    char *name;     /* normalised, owned */
};

/* At most this many candidates of an ambiguous reference are named. */
#define CANDIDATES_MAX 8

struct candidates {
    const char *id[CANDIDATES_MAX]; /* borrowed from the index or the alias set */
    size_t n;
};

static void candidate_add(struct candidates *c, const char *id) {
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->id[i], id))
            return;
    if (c->n < CANDIDATES_MAX)
        c->id[c->n++] = id;
}

struct dsr_index {
    /*
     * One table, open addressing, of what resolve found: "r:ref" for entity
     * references that are no entity's id (names, or ids of nothing), "u:ref"
     * for source references that are no source's id, and "n:key" for entity
     * name keys, whose value is the ids of the entities bearing that name
     * (several: namesakes). Keys and values owned.
     */
    struct dsr_table table;
    size_t entities, sources; /* records added of each kind */
    size_t names_unknown;     /* "r:" keys: references that may be names */
    /*
     * "e:id" and "s:id" for each entity and source, "e:ref\1" and "s:ref\1"
     * for each reference: sorted, a reference comes right after the id it
     * names, if any.
     */
    struct dsr_sorter *refs;
    char *last_id; /* the join: the last id met, "e:id" or "s:id"; owned */
    size_t last_len, last_cap;
    struct dsr_sorter *names; /* each entity's id and names, kept in the order read */
    struct dsr_alias_set *aliases; /* entity names, for references by name; owned */
    struct pending *pending;       /* names read back; owned */
    size_t n_pending, alloc_pending;
    struct extra *extras; /* sorted by id after resolve; owned */
    size_t n_extras;
};

struct dsr_index *dsr_index_new(size_t budget, const char *tmpdir) {
    struct dsr_index *ix = calloc(1, sizeof(*ix));
    if (ix && (!(ix->aliases = dsr_alias_set_new(0)) ||
               !(ix->refs = dsr_sorter_new(budget, tmpdir)) ||
               !(ix->names = dsr_sorter_new(budget, tmpdir)))) {
        dsr_index_free(ix);
        return NULL;
    }
    if (ix)
        dsr_sorter_keep_order(ix->names);
    return ix;
}

void dsr_index_spill_aside(struct dsr_index *ix) {
    dsr_sorter_spill_aside(ix->refs);
    dsr_sorter_spill_aside(ix->names);
}

void dsr_index_free(struct dsr_index *ix) {
    if (!ix)
        return;
    for (size_t i = 0; i < ix->table.cap; i++) {
        free((void *)ix->table.keys[i]);
        free(ix->table.vals[i]);
    }
    dsr_table_release(&ix->table);
    for (size_t i = 0; i < ix->n_extras; i++)
        free(ix->extras[i].name);
    free(ix->extras);
    dsr_alias_set_free(ix->aliases);
    dsr_sorter_free(ix->refs);
    dsr_sorter_free(ix->names);
    free(ix->last_id);
    for (size_t i = 0; i < ix->n_pending; i++)
        free(ix->pending[i].names);
    free(ix->pending);
    free(ix);
}

/* A key of the table: a letter, ':', then s; in buf when it fits, else allocated. */
static char *make_key(char letter, const char *s, char *buf, size_t size) {
    size_t len = strlen(s);
    char *key = len + 3 <= size ? buf : malloc(len + 3);
    if (key) {
        key[0] = letter;
        key[1] = ':';
        memcpy(key + 2, s, len + 1);
    }
    return key;
}

/* Is letter:s in the table? 1, 0, or -1 when out of memory. */
static int has_key(const struct dsr_index *ix, char letter, const char *s) {
    char buf[128], *key = make_key(letter, s, buf, sizeof(buf));
    if (!key)
        return -1;
    int found = dsr_table_get(&ix->table, key) != NULL;
    if (key != buf)
        free(key);
    return found;
}

/* Adds letter:s to the table; returns 1 when added, 0 when there already, -1. */
static int insert(struct dsr_index *ix, char letter, const char *s) {
    int found = has_key(ix, letter, s);
    if (found)
        return found < 0 ? -1 : 0;
    char *key = make_key(letter, s, NULL, 0);
    if (!key || !dsr_table_put(&ix->table, key, NULL)) {
        free(key);
        return -1;
    }
    return 1;
}

/* "n:" and the exact alias key of a name; NULL when it has none or memory ran out. */
static char *name_key(const char *name, size_t len) {
    char *key = dsr_alias_key(name, len), *prefixed = NULL;
    if (key && *key && (prefixed = malloc(strlen(key) + 3)))
        sprintf(prefixed, "n:%s", key);
    free(key);
    return prefixed;
}

/*
 * An entity's id, name and aliases, packed for the names sorter (which keeps
 * them in order, for resolve): file, line, how many names, and the names.
 * Into out, or counted when out is NULL; the bytes, or 0 when out of memory.
 */
static size_t pack_names(unsigned char *out, const struct dsr_record *rec) {
    const struct dsr_value *aliases = &rec->values[DSR_ENTITY_ALIASES];
    const char *name = rec->values[DSR_ENTITY_NAME].text;
    uint32_t n = (uint32_t)aliases->n + 1;
    size_t head = sizeof(rec->file) + sizeof(rec->line) + sizeof(n);
    size_t size = head + strlen(dsr_record_id(rec)) + strlen(name) + 2;
    for (size_t i = 0; i < aliases->n; i++)
        size += strlen(aliases->items[i]) + 1;
    if (!out)
        return dsr_sorter_pack_item(NULL, "", 0, NULL, size);
    char *buf = malloc(size), *w = buf + head;
    if (!buf)
        return 0;
    memcpy(buf, &rec->file, sizeof(rec->file));
    memcpy(buf + sizeof(rec->file), &rec->line, sizeof(rec->line));
    memcpy(buf + sizeof(rec->file) + sizeof(rec->line), &n, sizeof(n));
    w = stpcpy(w, dsr_record_id(rec)) + 1;
    w = stpcpy(w, name) + 1;
    for (size_t i = 0; i < aliases->n; i++)
        w = stpcpy(w, aliases->items[i]) + 1;
    size_t packed = dsr_sorter_pack_item(out, "", 0, buf, size);
    free(buf);
    return packed;
}

/* Reads one entity's names back from the names sorter (see pack_names). */
static int load_names(void *ctx, const char *key, size_t key_len, const char *data,
                      size_t len) {
    struct dsr_index *ix = ctx;
    struct pending p;
    uint32_t n;
    size_t head = sizeof(p.file) + sizeof(p.line) + sizeof(n);
    (void)key;
    (void)key_len;
    if (len < head)
        return -1;
    struct pending *grown =
        dsr_room(ix->pending, &ix->alloc_pending, ix->n_pending, sizeof(*grown));
    if (!grown)
        return -1;
    ix->pending = grown;
    memcpy(&p.file, data, sizeof(p.file));
    memcpy(&p.line, data + sizeof(p.file), sizeof(p.line));
    memcpy(&n, data + sizeof(p.file) + sizeof(p.line), sizeof(n));
    p.n = n;
    if (!(p.names = malloc(len - head)))
        return -1;
    memcpy(p.names, data + head, len - head);
    ix->pending[ix->n_pending++] = p;
    return 0;
}

/* Notes that entity id bears name; a name two entities bear is a namesake, warned of. */
static int add_name_key(struct dsr_index *ix, const char *name, const char *id,
                        const struct pending *p, struct dsr_diags *diags) {
    char *key = name_key(name, strlen(name));
    if (!key)
        return 0; /* the alias set reports names it cannot read */
    void **slot = dsr_table_get(&ix->table, key);
    if (slot)
        free(key);
    else if (!(slot = dsr_table_put(&ix->table, key, NULL))) {
        free(key);
        return -1;
    }
    struct ids *ids = *slot;
    size_t n = ids ? ids->n : 0;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(ids->id[k], id))
            return 0; /* one entity giving a name twice */
    if (n)
        dsr_diag_warn(diags, p->file, p->line, 0,
                      "entities %s and %s share the name \"%s\": a reference by it is "
                      "ambiguous",
                      ids->id[0], id, name);
    if (!(ids = realloc(ids, sizeof(*ids) + (n + 1) * sizeof(ids->id[0]))))
        return -1;
    ids->id[n] = id;
    ids->n = n + 1;
    *slot = ids;
    return 0;
}

/* Hands the kept entities to the alias set. 0, or -1 when out of memory. */
static int add_pending(struct dsr_index *ix, struct dsr_diags *diags) {
    for (size_t i = 0; i < ix->n_pending; i++) {
        struct pending *p = &ix->pending[i];
        const char **names = malloc(p->n * sizeof(*names));
        if (!names)
            return -1;
        const char *at = p->names + strlen(p->names) + 1;
        for (size_t k = 0; k < p->n; k++, at += strlen(at) + 1) {
            names[k] = at;
            if (add_name_key(ix, at, p->names, p, diags) < 0) {
                free(names);
                return -1;
            }
        }
        int rc = dsr_alias_add_entity(ix->aliases, p->names, names, p->n, p->file,
                                      p->line, diags);
        free(names);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/*
 * "e:id" or "s:id" (ref = 0), or the same with "\1" after it (ref = 1),
 * packed for the refs sorter into out, or counted when out is NULL; the
 * bytes, or 0 when out of memory.
 */
static size_t pack_key(unsigned char *out, char letter, const char *id, int ref) {
    size_t n = strlen(id), len = n + 2 + (ref != 0);
    if (!out)
        return dsr_sorter_pack_item(NULL, NULL, len, NULL, 0);
    char buf[256], *key = len <= sizeof(buf) ? buf : malloc(len);
    if (!key)
        return 0;
    key[0] = letter;
    key[1] = ':';
    memcpy(key + 2, id, n);
    if (ref)
        key[len - 1] = '\1';
    size_t packed = dsr_sorter_pack_item(out, key, len, NULL, 0);
    if (key != buf)
        free(key);
    return packed;
}

int dsr_index_pack(const struct dsr_record *rec, unsigned char *keys, size_t *keys_len,
                   unsigned char *names, size_t *names_len) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    size_t k = 0, m = 0, one;
    if (rec->kind == DSR_ENTITY || rec->kind == DSR_SOURCE) {
        if (!(one = pack_key(keys, info->name[0], dsr_record_id(rec), 0)))
            return -1;
        k += one;
        if (rec->kind == DSR_ENTITY && !(m = pack_names(names, rec)))
            return -1;
    }
    for (size_t f = 0;
         rec->kind != DSR_ENTITY && rec->kind != DSR_SOURCE && f < info->n_fields; f++) {
        enum dsr_refers refers = info->fields[f].refers;
        for (size_t i = 0; refers != DSR_REFERS_NONE && i < rec->values[f].n; i++) {
            if (!(one = pack_key(keys ? keys + k : NULL,
                                 refers == DSR_REFERS_ENTITY ? 'e' : 's',
                                 rec->values[f].items[i], 1)))
                return -1;
            k += one;
        }
    }
    *keys_len = k;
    *names_len = m;
    return 0;
}

int dsr_index_take(struct dsr_index *ix, enum dsr_kind kind, const unsigned char *keys,
                   size_t keys_len, const unsigned char *names, size_t names_len,
                   struct dsr_diags *diags) {
    /* Duplicate ids count too: the count only says whether there are any. */
    ix->entities += kind == DSR_ENTITY;
    ix->sources += kind == DSR_SOURCE;
    if (dsr_sorter_take_packed(ix->refs, keys, keys_len) < 0) {
        dsr_sorter_report(ix->refs, diags);
        return -1;
    }
    if (dsr_sorter_take_packed(ix->names, names, names_len) < 0) {
        dsr_sorter_report(ix->names, diags);
        return -1;
    }
    return 0;
}

/* Does the entity's own name list hold a name with this key? */
static int entity_has_key(struct dsr_index *ix, const char *id, const char *key) {
    size_t n;
    const char *const *names = dsr_alias_names(ix->aliases, id, &n);
    int found = 0;
    for (size_t i = 0; names && i < n && !found; i++) {
        char *k = dsr_alias_key(names[i], strlen(names[i]));
        found = k && !strcmp(k, key);
        free(k);
    }
    return found;
}

/* Adds the names of one resolved reference that its entity lacks. 0, or -1. */
static int learn_names(struct dsr_index *ix, const char *ref, const char *id) {
    struct dsr_alias_name names[64];
    size_t bad;
    int n = dsr_alias_split(ref, strlen(ref), names, 64, &bad);
    for (int i = 0; i < n && i < 64; i++) {
        char *name = dsr_text_normalize(ref + names[i].start, names[i].len);
        char *key = name ? dsr_alias_key(name, strlen(name)) : NULL;
        int keep = key && *key && !entity_has_key(ix, id, key);
        free(key);
        if (keep) {
            struct extra *e = realloc(ix->extras, (ix->n_extras + 1) * sizeof(*e));
            if (!e) {
                free(name);
                return -1;
            }
            ix->extras = e;
            ix->extras[ix->n_extras++] = (struct extra){id, name};
        } else {
            free(name);
        }
    }
    return 0;
}

static size_t capitals(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += *s >= 'A' && *s <= 'Z';
    return n;
}

/* By entity; then, of two spellings of one new name, mixed case before shouting. */
static int extra_cmp(const void *a, const void *b) {
    const struct extra *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    size_t cx = capitals(x->name), cy = capitals(y->name);
    return cx != cy ? (cx > cy) - (cx < cy) : strcmp(x->name, y->name);
}

static enum dsr_alias_match resolve_ref(const struct dsr_index *ix, const char *ref,
                                        const char **id, struct candidates *c);

/*
 * The join, seeing the refs sorter's keys in order: an id ("e:id"), then the
 * references to it ("e:id\1"). A reference right after its id is answered;
 * one that is not is kept: "r:" for an entity's (a name, perhaps), "u:" for a
 * source's.
 */
static int join(void *ctx, const char *key, size_t len, const char *data, size_t n) {
    struct dsr_index *ix = ctx;
    (void)data;
    (void)n;
    if (key[len - 1] != '\1') {
        if (len + 1 > ix->last_cap) {
            char *grown = realloc(ix->last_id, len + 1);
            if (!grown)
                return -1;
            ix->last_id = grown;
            ix->last_cap = len + 1;
        }
        memcpy(ix->last_id, key, len);
        ix->last_len = len;
        return 0;
    }
    len--;
    if (ix->last_id && ix->last_len == len && !memcmp(ix->last_id, key, len))
        return 0;
    if (key[0] == 'e' ? !ix->entities : !ix->sources)
        return 0; /* no record of that kind to check it against */
    char *ref = strndup(key + 2, len - 2);
    int added = ref ? insert(ix, key[0] == 'e' ? 'r' : 'u', ref) : -1;
    free(ref);
    if (added > 0 && key[0] == 'e')
        ix->names_unknown++;
    return added < 0 ? -1 : 0;
}

int dsr_index_unanswered(const struct dsr_index *ix) {
    return ix->table.n > 0;
}

int dsr_index_join(struct dsr_index *ix, struct dsr_diags *diags) {
    if (dsr_sorter_finish_items(ix->refs, diags, join, ix) < 0)
        return dsr_sorter_failed(ix->refs) ? -2 : -1;
    return 0;
}

int dsr_index_resolve_names(struct dsr_index *ix, struct dsr_diags *diags) {
    /*
     * Names only matter to references given by name: most datasets use ids.
     * Unneeded, they go now (their run files with them), in the thread resolving.
     */
    if (!ix->names_unknown) {
        dsr_sorter_free(ix->names);
        ix->names = NULL;
        return 0;
    }
    if (dsr_sorter_finish_items(ix->names, diags, load_names, ix) < 0)
        return dsr_sorter_failed(ix->names) ? -2 : -1;
    if (add_pending(ix, diags) < 0 || dsr_alias_resolve(ix->aliases, diags) < 0)
        return -1;
    const char *const *keys = (const char *const *)ix->table.keys;
    for (size_t i = 0; i < ix->table.cap; i++) {
        const char *id;
        struct candidates c;
        if (!keys[i] || strncmp(keys[i], "r:", 2))
            continue;
        /* Names learned go where the reference itself resolves, by the same rules. */
        if (resolve_ref(ix, keys[i] + 2, &id, &c) == DSR_ALIAS_RESOLVED &&
            learn_names(ix, keys[i] + 2, id) < 0)
            return -1;
    }
    if (ix->n_extras > 1)
        qsort(ix->extras, ix->n_extras, sizeof(*ix->extras), extra_cmp);
    return 0;
}

int dsr_index_resolve(struct dsr_index *ix, struct dsr_diags *diags) {
    int joined = dsr_index_join(ix, diags);
    return joined ? joined : dsr_index_resolve_names(ix, diags);
}

int dsr_index_complete(const struct dsr_index *ix, struct dsr_record *rec) {
    if (rec->kind != DSR_ENTITY || !ix->n_extras)
        return 0;
    int f = dsr_field_index(DSR_ENTITY, "aliases");
    const char *id = dsr_record_id(rec);
    /* The first extra of this id: extras are sorted by id. */
    size_t lo = 0, hi = ix->n_extras;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(ix->extras[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = rec->values[f].n;
    for (size_t i = lo; i < ix->n_extras && !strcmp(ix->extras[i].id, id); i++) {
        /* Two references may spell one new name two ways: keep the first in order. */
        const char *name = ix->extras[i].name;
        char *key = dsr_alias_key(name, strlen(name));
        int seen = !key;
        for (size_t j = first; j < rec->values[f].n && !seen; j++) {
            char *k =
                dsr_alias_key(rec->values[f].items[j], strlen(rec->values[f].items[j]));
            seen = !k || !strcmp(k, key);
            free(k);
        }
        free(key);
        if (!seen && dsr_record_add(rec, f, name, strlen(name), NULL, 0) < 0)
            return -1;
    }
    if (rec->values[f].n == first)
        return 0;
    dsr_record_sort_set(rec, f);
    return 1;
}

/*
 * Looks the names of ref up by exact key among the entities' own names: one
 * entity gives its id; namesakes, or names of several entities, give
 * AMBIGUOUS with their ids in *c; no name known leaves short forms to the
 * alias set (UNRESOLVED).
 */
static enum dsr_alias_match exact_match(const struct dsr_index *ix, const char *ref,
                                        const char **id, struct candidates *c) {
    struct dsr_alias_name names[64];
    size_t bad;
    int n = dsr_alias_split(ref, strlen(ref), names, 64, &bad);
    for (int k = 0; k < n && k < 64; k++) {
        char *key = name_key(ref + names[k].start, names[k].len);
        void **slot = key ? dsr_table_get(&ix->table, key) : NULL;
        const struct ids *ids = slot ? *slot : NULL;
        free(key);
        for (size_t i = 0; ids && i < ids->n; i++)
            candidate_add(c, ids->id[i]);
    }
    *id = c->n ? c->id[0] : NULL;
    return c->n > 1 ? DSR_ALIAS_AMBIGUOUS
           : c->n   ? DSR_ALIAS_RESOLVED
                    : DSR_ALIAS_UNRESOLVED;
}

/*
 * Resolves a reference by name: by exact key among the entities' own names
 * first, then through the alias set for short forms. An ambiguous one gives
 * its candidates in *c.
 */
static enum dsr_alias_match resolve_ref(const struct dsr_index *ix, const char *ref,
                                        const char **id, struct candidates *c) {
    c->n = 0;
    enum dsr_alias_match match = exact_match(ix, ref, id, c);
    if (match != DSR_ALIAS_UNRESOLVED)
        return match;
    const char *const *found;
    size_t n = 0;
    match = dsr_alias_lookup(ix->aliases, ref, id, &found, &n);
    for (size_t i = 0; match == DSR_ALIAS_AMBIGUOUS && i < n; i++)
        candidate_add(c, found[i]);
    return match;
}

/* Adds a problem of reference i of field f where it was written, else at the record. */
static void reference_problem(struct dsr_diags *diags, const struct dsr_record *rec,
                              int f, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void reference_problem(struct dsr_diags *diags, const struct dsr_record *rec,
                              int f, size_t i, const char *fmt, ...) {
    const struct dsr_place *at = rec->values[f].at ? &rec->values[f].at[i] : NULL;
    va_list ap;
    va_start(ap, fmt);
    dsr_diag_vadd(
        diags, DSR_DIAG_SCHEMA, rec->file, at && at->line ? at->line : rec->line,
        at && at->line ? at->column : rec->column, at ? at->path : NULL, fmt, ap);
    va_end(ap);
}

/* 0: ref, a name, is now the id it names; 1: reported; -1: out of memory. */
static int resolve_name(const struct dsr_index *ix, struct dsr_record *rec, int f,
                        size_t i, struct dsr_diags *diags) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    char **ref = &rec->values[f].items[i];
    const char *id;
    struct candidates c;
    switch (resolve_ref(ix, *ref, &id, &c)) {
    case DSR_ALIAS_RESOLVED: {
        char *copy = dsr_record_copy(rec, id, strlen(id));
        if (!copy)
            return -1;
        *ref = copy;
        return 0;
    }
    case DSR_ALIAS_AMBIGUOUS: {
        char list[DSR_MSG_MAX / 2] = "";
        for (size_t k = 0; k < c.n && strlen(list) + strlen(c.id[k]) + 3 < sizeof(list);
             k++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                     k ? ", " : "", c.id[k]);
        reference_problem(diags, rec, f, i,
                          "ambiguous entity \"%s\" in %s of %s \"%s\": could be %s", *ref,
                          info->fields[f].name, info->name, dsr_record_id(rec), list);
        return 1;
    }
    default:
        reference_problem(diags, rec, f, i, "unknown entity \"%s\" in %s of %s \"%s\"",
                          *ref, info->fields[f].name, info->name, dsr_record_id(rec));
        return 1;
    }
}

/* Two names of one entity resolve to one id: keep its first mention (and role). */
static void drop_repeats(struct dsr_value *v) {
    size_t kept = 0;
    for (size_t i = 0; i < v->n; i++) {
        int repeat = 0;
        for (size_t j = 0; j < kept && !repeat; j++)
            repeat = !strcmp(v->items[j], v->items[i]) &&
                     (!v->roles || !strcmp(v->roles[j], v->roles[i]));
        if (repeat)
            continue;
        v->items[kept] = v->items[i];
        if (v->roles)
            v->roles[kept] = v->roles[i];
        if (v->at)
            v->at[kept] = v->at[i];
        kept++;
    }
    v->n = kept;
}

int dsr_index_check_refs(const struct dsr_index *ix, struct dsr_record *rec,
                         struct dsr_diags *diags, int *changed) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    int problems = 0;
    for (size_t f = 0; f < info->n_fields; f++) {
        const struct dsr_field *spec = &info->fields[f];
        int sources = spec->refers == DSR_REFERS_SOURCE;
        int entities = spec->refers == DSR_REFERS_ENTITY;
        /* A dataset without entities (one CSV table, say) cannot check them. */
        if ((!sources && !entities) || (sources && !ix->sources) ||
            (entities && !ix->entities))
            continue;
        for (size_t i = 0; i < rec->values[f].n; i++) {
            const char *ref = rec->values[f].items[i];
            /* Only what the join kept is not an id of a record read. */
            int kept = has_key(ix, sources ? 'u' : 'r', ref);
            if (kept < 0)
                return -1;
            if (!kept)
                continue;
            /* An entity may be named rather than given by id; a source may not. */
            if (entities) {
                int r = resolve_name(ix, rec, (int)f, i, diags);
                if (r < 0)
                    return -1;
                problems += r;
                *changed |= r == 0;
                continue;
            }
            reference_problem(diags, rec, (int)f, i,
                              "unknown %s \"%s\" in %s of %s \"%s\"",
                              sources ? "source" : "entity", ref, spec->name, info->name,
                              dsr_record_id(rec));
            problems++;
        }
        size_t n = rec->values[f].n;
        if (entities)
            drop_repeats(&rec->values[f]);
        *changed |= rec->values[f].n != n;
    }
    return problems;
}
