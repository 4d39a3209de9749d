/*
 * What goes between a reader's thread and its workers: the pieces of an
 * input's text a worker reads (dsr_pieces), and the records it read from
 * them (dsr_batch), kept in the order read, each after the diagnostics found
 * before it, to be handed on in order by the reading thread. With a packer
 * (dsr_input.packer) each record is packed and freed in the worker, and only
 * its bytes are kept.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A record kept: itself, or where it is packed in the batch's bytes. */
struct dsr_batch_record {
    struct dsr_record *rec;
    size_t packed_at, packed_len;
    struct dsr_diags before; /* found before it */
};

void dsr_batch_init(struct dsr_batch *b, const struct dsr_input *in) {
    *b = (struct dsr_batch){.in = in};
    dsr_diags_init(&b->diags);
}

int dsr_batch_keep(void *batch, struct dsr_record *rec) {
    struct dsr_batch *b = batch;
    const struct dsr_packer *packer = b->in->packer;
    size_t at = b->packed.len;
    int rc = packer ? packer->pack(packer->ctx, rec, &b->packed) : 0;
    if (packer) {
        dsr_record_free(rec);
        rec = NULL;
    }
    struct dsr_batch_record *recs =
        rc == 0 ? dsr_room(b->recs, &b->cap, b->n, sizeof(*recs)) : NULL;
    if (recs)
        b->recs = recs;
    else
        rc = -1;
    if (rc < 0) {
        dsr_record_free(rec);
        dsr_diag_add(&b->diags, DSR_DIAG_REFUSED, b->in->name, 0, 0, NULL,
                     "out of memory");
        return -1;
    }
    struct dsr_batch_record *k = &b->recs[b->n++];
    *k = (struct dsr_batch_record){rec, at, b->packed.len - at, {0}};
    dsr_diags_init(&k->before);
    if (b->diags.count || b->diags.dropped)
        dsr_diags_move(&k->before, &b->diags);
    return 0;
}

int dsr_batch_emit(struct dsr_batch *b, dsr_record_fn emit, void *ctx,
                   struct dsr_diags *diags) {
    for (size_t i = 0; i < b->n; i++) {
        struct dsr_batch_record *k = &b->recs[i];
        dsr_diags_move(diags, &k->before);
        struct dsr_record *rec = k->rec;
        k->rec = NULL;
        if ((rec ? emit(ctx, rec)
                 : b->in->packer->take(ctx, b->packed.data + k->packed_at,
                                       k->packed_len)) < 0)
            return -1;
    }
    dsr_diags_move(diags, &b->diags);
    return 0;
}

void dsr_batch_reset(struct dsr_batch *b) {
    for (size_t i = 0; i < b->n; i++) {
        dsr_record_free(b->recs[i].rec);
        dsr_diags_release(&b->recs[i].before);
    }
    dsr_diags_release(&b->diags);
    dsr_diags_init(&b->diags);
    b->n = 0;
    b->packed.len = 0;
}

void dsr_batch_release(struct dsr_batch *b) {
    dsr_batch_reset(b);
    dsr_diags_release(&b->diags);
    free(b->recs);
    free(b->packed.data);
}

int dsr_pieces_add(struct dsr_pieces *p, const char *text, size_t len, size_t index,
                   int line, int column, size_t room) {
    struct dsr_piece *at = dsr_room(p->at, &p->cap_at, p->n, sizeof(*at));
    if (!at)
        return -1;
    p->at = at;
    if (p->len + len > p->cap) {
        size_t cap = p->len + len > room ? p->len + len : room;
        char *t = realloc(p->text, cap);
        if (!t)
            return -1;
        p->text = t;
        p->cap = cap;
    }
    memcpy(p->text + p->len, text, len);
    p->at[p->n++] = (struct dsr_piece){p->len, len, index, line, column};
    p->len += len;
    return 0;
}

void dsr_pieces_release(struct dsr_pieces *p) {
    free(p->text);
    free(p->at);
}
