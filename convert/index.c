/*
 * The dataset index: the ids of every entity and source read, and the
 * entities' names in an alias set (alias.c), so that the references of
 * designations and events (subjects, participants, sources) can be checked,
 * and names resolved to entity ids, once everything is read. It keeps what is
 * needed per entity and source, nothing per designation or event. References
 * to a kind the dataset holds none of (a lone CSV table of events, say) are
 * not checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "internal.h"

struct dsr_index {
    char **slots;    /* open addressing; each "K:id" with K the kind's letter, owned */
    size_t n, alloc; /* used slots, slots (a power of two) */
    size_t entities, sources;      /* ids added of each kind */
    struct dsr_alias_set *aliases; /* entity names, for references by name; owned */
};

struct dsr_index *dsr_index_new(void) {
    struct dsr_index *ix = calloc(1, sizeof(*ix));
    if (ix && !(ix->aliases = dsr_alias_set_new(0))) {
        free(ix);
        return NULL;
    }
    return ix;
}

void dsr_index_free(struct dsr_index *ix) {
    if (!ix)
        return;
    for (size_t i = 0; i < ix->alloc; i++)
        free(ix->slots[i]);
    free(ix->slots);
    dsr_alias_set_free(ix->aliases);
    free(ix);
}

static uint64_t hash(const char *s) {
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t find(const struct dsr_index *ix, const char *key) {
    size_t i = hash(key) & (ix->alloc - 1);
    while (ix->slots[i] && strcmp(ix->slots[i], key))
        i = (i + 1) & (ix->alloc - 1);
    return i;
}

static int grow(struct dsr_index *ix) {
    size_t alloc = ix->alloc ? ix->alloc * 2 : 1024;
    char **old = ix->slots, **slots = calloc(alloc, sizeof(*slots));
    size_t old_alloc = ix->alloc;
    if (!slots)
        return -1;
    ix->slots = slots;
    ix->alloc = alloc;
    for (size_t i = 0; i < old_alloc; i++)
        if (old[i])
            ix->slots[find(ix, old[i])] = old[i];
    free(old);
    return 0;
}

static char *key_of(enum dsr_kind kind, const char *id) {
    size_t len = strlen(id);
    char *key = malloc(len + 3);
    if (key) {
        key[0] = dsr_kind_info(kind)->name[0];
        key[1] = ':';
        memcpy(key + 2, id, len + 1);
    }
    return key;
}

/* Adds an entity's name and aliases to the alias set. 0, or -1 when out of memory. */
static int add_names(struct dsr_index *ix, const struct dsr_record *rec,
                     struct dsr_diags *diags) {
    const struct dsr_value *aliases =
        &rec->values[dsr_field_index(DSR_ENTITY, "aliases")];
    const char *name = rec->values[dsr_field_index(DSR_ENTITY, "name")].text;
    const char **names = malloc((aliases->n + 1) * sizeof(*names));
    if (!names)
        return -1;
    names[0] = name;
    for (size_t i = 0; i < aliases->n; i++)
        names[i + 1] = aliases->items[i];
    int rc = dsr_alias_add_entity(ix->aliases, dsr_record_id(rec), names, aliases->n + 1,
                                  rec->file, rec->line, diags);
    free(names);
    return rc < 0 ? -1 : 0;
}

int dsr_index_add(struct dsr_index *ix, const struct dsr_record *rec,
                  struct dsr_diags *diags) {
    if (rec->kind != DSR_ENTITY && rec->kind != DSR_SOURCE)
        return 0;
    if (rec->kind == DSR_ENTITY && add_names(ix, rec, diags) < 0)
        return -1;
    if ((ix->n + 1) * 2 > ix->alloc && grow(ix) < 0)
        return -1;
    char *key = key_of(rec->kind, dsr_record_id(rec));
    if (!key)
        return -1;
    size_t i = find(ix, key);
    if (ix->slots[i]) {
        free(key); /* a duplicate id: the sorter reports it */
    } else {
        ix->slots[i] = key;
        ix->n++;
        if (rec->kind == DSR_ENTITY)
            ix->entities++;
        else
            ix->sources++;
    }
    return 0;
}

int dsr_index_has(const struct dsr_index *ix, enum dsr_kind kind, const char *id) {
    if (!ix->alloc)
        return 0;
    char *key = key_of(kind, id);
    int found = key && ix->slots[find(ix, key)] != NULL;
    free(key);
    return found;
}

int dsr_index_resolve(struct dsr_index *ix, struct dsr_diags *diags) {
    return dsr_alias_resolve(ix->aliases, diags) < 0 ? -1 : 0;
}

/* Resolves an entity reference given by name; replaces it with the entity's id. */
static int resolve_name(const struct dsr_index *ix, struct dsr_record *rec, int f,
                        size_t i, struct dsr_diags *diags) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    char **ref = &rec->values[f].items[i];
    const char *id;
    const char *const *candidates;
    size_t n;
    switch (dsr_alias_lookup(ix->aliases, *ref, &id, &candidates, &n)) {
    case DSR_ALIAS_RESOLVED: {
        char *copy = strdup(id);
        if (!copy)
            return -1;
        free(*ref);
        *ref = copy;
        return 0;
    }
    case DSR_ALIAS_AMBIGUOUS: {
        char list[DSR_MSG_MAX / 2] = "";
        for (size_t c = 0;
             c < n && strlen(list) + strlen(candidates[c]) + 3 < sizeof(list); c++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                     c ? ", " : "", candidates[c]);
        dsr_diag_add(diags, DSR_DIAG_SCHEMA, rec->file, rec->line, rec->column, NULL,
                     "ambiguous entity \"%s\" in %s of %s \"%s\": could be %s", *ref,
                     info->fields[f].name, info->name, dsr_record_id(rec), list);
        return 1;
    }
    default:
        dsr_diag_add(diags, DSR_DIAG_SCHEMA, rec->file, rec->line, rec->column, NULL,
                     "unknown entity \"%s\" in %s of %s \"%s\"", *ref,
                     info->fields[f].name, info->name, dsr_record_id(rec));
        return 1;
    }
}

int dsr_index_check_refs(const struct dsr_index *ix, struct dsr_record *rec,
                         struct dsr_diags *diags) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    int problems = 0;
    for (size_t f = 0; f < info->n_fields; f++) {
        const struct dsr_field *spec = &info->fields[f];
        int sources = !strcmp(spec->name, "sources");
        int entities = !strcmp(spec->name, "subjects") || spec->type == DSR_FIELD_ROLES;
        /* A dataset without entities (one CSV table, say) cannot check them. */
        if ((!sources && !entities) || (sources && !ix->sources) ||
            (entities && !ix->entities))
            continue;
        for (size_t i = 0; i < rec->values[f].n; i++) {
            const char *ref = rec->values[f].items[i];
            if (dsr_index_has(ix, sources ? DSR_SOURCE : DSR_ENTITY, ref))
                continue;
            /* An entity may be named rather than given by id; a source may not. */
            if (entities) {
                int r = resolve_name(ix, rec, (int)f, i, diags);
                if (r < 0)
                    return -1;
                problems += r;
                continue;
            }
            dsr_diag_add(diags, DSR_DIAG_SCHEMA, rec->file, rec->line, rec->column, NULL,
                         "unknown %s \"%s\" in %s of %s \"%s\"",
                         sources ? "source" : "entity", ref, spec->name, info->name,
                         dsr_record_id(rec));
            problems++;
        }
    }
    return problems;
}
