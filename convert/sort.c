/*
 * Canonical order: records by kind, then id. The sorter holds the records
 * taken and sorts them when asked; duplicates (one kind, one id) are reported
 * there, where they meet. Spilling sorted runs to temporary files and merging
 * them, as sort(1) does for files larger than memory, fits behind this same
 * interface.
 */
#include <stdlib.h>

#include "internal.h"

struct entry {
    struct dsr_record *rec; /* owned */
    size_t seq;             /* order taken in: equal keys keep it */
};

struct dsr_sorter {
    struct entry *recs;       /* owned */
    size_t n, alloc;          /* records taken, slots allocated */
    size_t next;              /* after finish: index of the next record to hand out */
};

struct dsr_sorter *dsr_sorter_new(void) { return calloc(1, sizeof(struct dsr_sorter)); }

void dsr_sorter_free(struct dsr_sorter *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        dsr_record_free(s->recs[i].rec);
    free(s->recs);
    free(s);
}

int dsr_sorter_take(struct dsr_sorter *s, struct dsr_record *rec)
{
    if (s->n == s->alloc) {
        size_t alloc = s->alloc ? s->alloc * 2 : 256;
        struct entry *recs = realloc(s->recs, alloc * sizeof(*recs));
        if (!recs) {
            dsr_record_free(rec);
            return -1;
        }
        s->recs = recs;
        s->alloc = alloc;
    }
    s->recs[s->n].rec = rec;
    s->recs[s->n].seq = s->n;
    s->n++;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = dsr_record_cmp(x->rec, y->rec);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

int dsr_sorter_finish(struct dsr_sorter *s, struct dsr_diags *diags)
{
    int duplicates = 0;
    if (s->n > 1)
        qsort(s->recs, s->n, sizeof(*s->recs), cmp);
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct dsr_record *r = s->recs[i].rec;
        if (kept > 0 && dsr_record_cmp(s->recs[kept - 1].rec, r) == 0) {
            const struct dsr_record *first = s->recs[kept - 1].rec;
            dsr_diag_add(
                diags, DSR_DIAG_SCHEMA, r->file, r->line, r->column, NULL,
                "duplicate %s id \"%s\": first defined at %s:%d", dsr_kind_info(r->kind)->name,
                dsr_record_id(r), first->file ? first->file : "-", first->line);
            dsr_record_free(r);
            duplicates++;
            continue;
        }
        s->recs[kept++] = s->recs[i];
    }
    s->n = kept;
    s->next = 0;
    return duplicates;
}

const struct dsr_record *dsr_sorter_next(struct dsr_sorter *s)
{
    return s->next < s->n ? s->recs[s->next++].rec : NULL;
}
