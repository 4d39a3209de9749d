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

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t slot(const struct dsr_table *t, const void *key) {
    size_t i = (t->pointers ? hash_pointer(key) : hash_string(key)) & (t->cap - 1);
    while (t->keys[i] && (t->pointers ? t->keys[i] != key : strcmp(t->keys[i], key) != 0))
        i = (i + 1) & (t->cap - 1);
    return i;
}

void **dsr_table_get(const struct dsr_table *t, const void *key) {
    if (!t->cap)
        return NULL;
    size_t i = slot(t, key);
    return t->keys[i] ? &t->vals[i] : NULL;
}

/* Doubles the table when one more key would make it more than half full. 0 or -1. */
static int grow(struct dsr_table *t) {
    if (2 * (t->n + 1) <= t->cap)
        return 0;
    struct dsr_table big = {NULL, NULL, t->n, t->cap ? t->cap * 2 : 64, t->pointers};
    big.keys = calloc(big.cap, sizeof(*big.keys));
    big.vals = calloc(big.cap, sizeof(*big.vals));
    if (!big.keys || !big.vals) {
        free(big.keys);
        free(big.vals);
        return -1;
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->keys[i]) {
            size_t j = slot(&big, t->keys[i]);
            big.keys[j] = t->keys[i];
            big.vals[j] = t->vals[i];
        }
    free(t->keys);
    free(t->vals);
    *t = big;
    return 0;
}

void **dsr_table_put(struct dsr_table *t, const void *key, void *val) {
    if (grow(t) < 0)
        return NULL;
    size_t i = slot(t, key);
    if (!t->keys[i])
        t->n++;
    t->keys[i] = key;
    t->vals[i] = val;
    return &t->vals[i];
}

void dsr_table_release(struct dsr_table *t) {
    free(t->keys);
    free(t->vals);
    t->keys = NULL;
    t->vals = NULL;
    t->n = t->cap = 0;
}
