/*
 * The dataset index: the ids of every entity and source read, so that the
 * references of designations and events (subjects, participants, sources) can
 * be checked once everything is read. It keeps one string per entity and
 * source, nothing per designation or event. Names given as references, not
 * ids, are left to alias resolution. References to a kind the dataset holds
 * none of (a lone CSV table of events, say) are not checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct dsr_index {
    char **slots;      /* open addressing; each "K:id" with K the kind's letter, owned */
    size_t n, alloc;   /* used slots, slots (a power of two) */
    size_t entities, sources; /* ids added of each kind */
};

struct dsr_index *dsr_index_new(void) { return calloc(1, sizeof(struct dsr_index)); }

void dsr_index_free(struct dsr_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->alloc; i++)
        free(ix->slots[i]);
    free(ix->slots);
    free(ix);
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static size_t find(const struct dsr_index *ix, const char *key)
{
    size_t i = hash(key) & (ix->alloc - 1);
    while (ix->slots[i] && strcmp(ix->slots[i], key))
        i = (i + 1) & (ix->alloc - 1);
    return i;
}

static int grow(struct dsr_index *ix)
{
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

static char *key_of(enum dsr_kind kind, const char *id)
{
    size_t len = strlen(id);
    char *key = malloc(len + 3);
    if (key) {
        key[0] = dsr_kind_info(kind)->name[0];
        key[1] = ':';
        memcpy(key + 2, id, len + 1);
    }
    return key;
}

int dsr_index_add(struct dsr_index *ix, const struct dsr_record *rec)
{
    if (rec->kind != DSR_ENTITY && rec->kind != DSR_SOURCE)
        return 0;
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

int dsr_index_has(const struct dsr_index *ix, enum dsr_kind kind, const char *id)
{
    if (!ix->alloc)
        return 0;
    char *key = key_of(kind, id);
    int found = key && ix->slots[find(ix, key)] != NULL;
    free(key);
    return found;
}

int dsr_index_check_refs(const struct dsr_index *ix, const struct dsr_record *rec,
                         struct dsr_diags *diags)
{
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
            if (entities && !dsr_id_valid(ref))
                continue;
            dsr_diag_add(diags, DSR_DIAG_SCHEMA, rec->file, rec->line, rec->column, NULL,
                         "unknown %s \"%s\" in %s of %s \"%s\"", sources ? "source" : "entity",
                         ref, spec->name, info->name, dsr_record_id(rec));
            problems++;
        }
    }
    return problems;
}
