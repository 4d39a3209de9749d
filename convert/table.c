/*
 * The one hash table: open addressing, linear probing, at most half full.
 * Keys are borrowed (they must outlive their slot) and compared as strings,
 * or as pointers for a table made with pointers = 1. Every lookup of names,
 * ids, column names and schema nodes goes through it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static uint64_t hash_string(const char *s) {
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ^ (h >> 29); /* FNV's low bits alone cluster: the table masks them */
}

static uint64_t hash_pointer(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    return x ^ (x >> 33);
}

static uint64_t hash_of(const struct dsr_table *t, const void *key) {
    return t->pointers ? hash_pointer(key) : hash_string(key);
}

/* The slot of key (hashed to h): where it is, or the empty slot where it would go. */
static size_t slot(const struct dsr_table *t, const void *key, uint64_t h) {
    size_t i = h & (t->cap - 1);
    /* The hash kept beside each key spares most probes a string comparison. */
    while (t->keys[i] &&
           (t->pointers ? t->keys[i] != key
                        : t->hashes[i] != h || strcmp(t->keys[i], key) != 0))
        i = (i + 1) & (t->cap - 1);
    return i;
}

void **dsr_table_get(const struct dsr_table *t, const void *key) {
    if (!t->cap)
        return NULL;
    size_t i = slot(t, key, hash_of(t, key));
    return t->keys[i] ? &t->vals[i] : NULL;
}

/* Doubles the table when one more key would make it more than half full. 0 or -1. */
static int grow(struct dsr_table *t) {
    if (2 * (t->n + 1) <= t->cap)
        return 0;
    struct dsr_table big = {NULL,       NULL, NULL, t->n, t->cap ? t->cap * 2 : 64,
                            t->pointers};
    big.keys = calloc(big.cap, sizeof(*big.keys));
    big.vals = calloc(big.cap, sizeof(*big.vals));
    big.hashes = malloc(big.cap * sizeof(*big.hashes));
    if (!big.keys || !big.vals || !big.hashes) {
        dsr_table_release(&big);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i]) {
            size_t j = slot(&big, t->keys[i], t->hashes[i]);
            big.keys[j] = t->keys[i];
            big.vals[j] = t->vals[i];
            big.hashes[j] = t->hashes[i];
        }
    dsr_table_release(t);
    *t = big;
    return 0;
}

void **dsr_table_put(struct dsr_table *t, const void *key, void *val) {
    if (grow(t) < 0)
        return NULL;
    uint64_t h = hash_of(t, key);
    size_t i = slot(t, key, h);
    if (!t->keys[i])
        t->n++;
    t->keys[i] = key;
    t->vals[i] = val;
    t->hashes[i] = h;
    return &t->vals[i];
}

void dsr_table_release(struct dsr_table *t) {
    free(t->keys);
    free(t->vals);
    free(t->hashes);
    t->keys = NULL;
    t->vals = NULL;
    t->hashes = NULL;
    t->n = t->cap = 0;
}
