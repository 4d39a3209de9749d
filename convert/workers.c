/*
 * Work on pieces of one input by several threads, handed back in the order
 * they were given, so that what a reader emits does not depend on how many
 * threads there are. The caller submits items and takes them back, oldest
 * first, once done; a few items are in flight at a time, so memory stays
 * bounded. With no threads the work is done in the caller's thread, on the
 * same road.
 */
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

#define SLACK 2 /* items in flight beyond two a worker */

enum slot_state { SLOT_EMPTY, SLOT_QUEUED, SLOT_WORKING, SLOT_DONE };

struct slot {
    void *item;
    enum slot_state state;
};

struct dsr_workers {
    void (*work)(void *ctx, void *item);
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t queued; /* a slot was queued, or the pool is closing */
    pthread_cond_t done;   /* the oldest slot's work is done */
    struct slot *slots;    /* a ring: items in submission order from oldest */
    size_t n_slots, oldest, count;
    pthread_t *threads;
    int n_threads, closing;
};

static void *run(void *arg) {
    struct dsr_workers *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct slot *mine = NULL;
        for (size_t i = 0; i < w->count && !mine; i++) {
            struct slot *s = &w->slots[(w->oldest + i) % w->n_slots];
            if (s->state == SLOT_QUEUED)
                mine = s;
        }
        if (!mine) {
            if (w->closing)
                break;
            pthread_cond_wait(&w->queued, &w->lock);
            continue;
        }
        mine->state = SLOT_WORKING;
        pthread_mutex_unlock(&w->lock);
        w->work(w->ctx, mine->item);
        pthread_mutex_lock(&w->lock);
        mine->state = SLOT_DONE;
        /* Only the oldest is waited for (dsr_workers_next): the rest wait for it. */
        if (mine == &w->slots[w->oldest])
            pthread_cond_signal(&w->done);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

struct dsr_workers *dsr_workers_new(int threads, void (*work)(void *ctx, void *item),
                                    void *ctx) {
    struct dsr_workers *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->queued, NULL);
    pthread_cond_init(&w->done, NULL);
    w->work = work;
    w->ctx = ctx;
    /*
     * Two items a worker, and SLACK more: when the scheduler gives a worker's
     * core to another thread for a while (a spill, the reader), the oldest
     * item is late, and the other workers go on with what is queued instead
     * of waiting at a full ring.
     */
    w->n_slots = threads > 1 ? 2 * (size_t)threads + SLACK : 1;
    w->slots = calloc(w->n_slots, sizeof(*w->slots));
    w->threads = threads > 1 ? calloc((size_t)threads, sizeof(*w->threads)) : NULL;
    if (!w->slots || (threads > 1 && !w->threads)) {
        dsr_workers_free(w);
        return NULL;
    }
    for (int i = 0; threads > 1 && i < threads; i++) {
        if (pthread_create(&w->threads[i], NULL, run, w) != 0)
            break; /* fewer threads still do all the work */
        w->n_threads++;
    }
    return w;
}

int dsr_workers_full(const struct dsr_workers *w) {
    return w->count == w->n_slots;
}

void dsr_workers_submit(struct dsr_workers *w, void *item) {
    if (w->n_threads == 0) { /* no threads: the work is done here, now */
        w->work(w->ctx, item);
        w->slots[(w->oldest + w->count) % w->n_slots] = (struct slot){item, SLOT_DONE};
        w->count++;
        return;
    }
    pthread_mutex_lock(&w->lock);
    w->slots[(w->oldest + w->count) % w->n_slots] = (struct slot){item, SLOT_QUEUED};
    w->count++;
    pthread_cond_signal(&w->queued);
    pthread_mutex_unlock(&w->lock);
}

void *dsr_workers_next(struct dsr_workers *w) {
    if (w->count == 0)
        return NULL;
    pthread_mutex_lock(&w->lock);
    struct slot *s = &w->slots[w->oldest];
    while (s->state != SLOT_DONE)
        pthread_cond_wait(&w->done, &w->lock);
    void *item = s->item;
    *s = (struct slot){NULL, SLOT_EMPTY};
    w->oldest = (w->oldest + 1) % w->n_slots;
    w->count--;
    pthread_mutex_unlock(&w->lock);
    return item;
}

void dsr_workers_free(struct dsr_workers *w) {
    if (!w)
        return;
    if (w->n_threads > 0) {
        pthread_mutex_lock(&w->lock);
        w->closing = 1;
        pthread_cond_broadcast(&w->queued);
        pthread_mutex_unlock(&w->lock);
        for (int i = 0; i < w->n_threads; i++)
            pthread_join(w->threads[i], NULL);
    }
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->queued);
    pthread_cond_destroy(&w->done);
    free(w->threads);
    free(w->slots);
    free(w);
}
