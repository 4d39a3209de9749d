/*
 * The diagnostic list: readers, validators and the CLI add to it; report.c
 * prints it. Pointer and message are fixed-size fields; file names, which
 * machine-readable reports must give whole, are kept once per list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void dsr_diags_init(struct dsr_diags *diags) {
    memset(diags, 0, sizeof(*diags));
}

/* The file names of one list: each kept once, whole. */
struct dsr_diag_files {
    struct dsr_table by_name; /* name -> its index + 1 */
    char **names;
    struct {
        size_t n;  /* diagnostics about the file counted past DSR_DIAGS_KEEP */
        int worst; /* the highest status among them */
    } * dropped;   /* parallel to names */
    size_t n;
};

void dsr_diags_release(struct dsr_diags *diags) {
    free(diags->items);
    if (diags->files) {
        for (size_t i = 0; i < diags->files->n; i++)
            free(diags->files->names[i]);
        free(diags->files->names);
        free(diags->files->dropped);
        dsr_table_release(&diags->files->by_name);
        free(diags->files);
    }
    dsr_diags_init(diags);
}

/* The index of file in the list's names, adding it; -1 when out of memory. */
static long file_index(struct dsr_diags *diags, const char *file) {
    struct dsr_diag_files *f = diags->files;
    if (!f && !(f = diags->files = calloc(1, sizeof(*f))))
        return -1;
    void **known = dsr_table_get(&f->by_name, file);
    if (known)
        return (long)(uintptr_t)*known - 1;
    char **names = realloc(f->names, (f->n + 1) * sizeof(*names));
    if (names)
        f->names = names;
    void *dropped = names ? realloc(f->dropped, (f->n + 1) * sizeof(*f->dropped)) : NULL;
    if (!dropped)
        return -1;
    f->dropped = dropped;
    f->dropped[f->n].n = 0;
    f->dropped[f->n].worst = 0;
    if (!(names[f->n] = strdup(file)))
        return -1;
    if (!dsr_table_put(&f->by_name, names[f->n], (void *)(uintptr_t)(f->n + 1))) {
        free(names[f->n]);
        return -1;
    }
    return (long)f->n++;
}

/* The list's copy of a file name; NULL when out of memory. */
static const char *file_of(struct dsr_diags *diags, const char *file) {
    if (!file || !file[0])
        return "";
    long i = file_index(diags, file);
    return i < 0 ? NULL : diags->files->names[i];
}

/* Counts a diagnostic that is not kept, for its file too. */
static void drop(struct dsr_diags *diags, const char *file, int status, size_t count) {
    long i = file && file[0] ? file_index(diags, file) : -1;
    diags->dropped += count;
    if (i >= 0) {
        diags->files->dropped[i].n += count;
        if (status > diags->files->dropped[i].worst)
            diags->files->dropped[i].worst = status;
    }
}

size_t dsr_diags_dropped_files(const struct dsr_diags *diags, const char **names) {
    size_t k = 0;
    for (size_t i = 0; diags->files && i < diags->files->n; i++)
        if (diags->files->dropped[i].n) {
            if (names)
                names[k] = diags->files->names[i];
            k++;
        }
    return k;
}

size_t dsr_diags_dropped_in(const struct dsr_diags *diags, const char *file, int *worst) {
    void **known = diags->files ? dsr_table_get(&diags->files->by_name, file) : NULL;
    long i = known ? (long)(uintptr_t)*known - 1 : -1;
    *worst = i >= 0 ? diags->files->dropped[i].worst : 0;
    return i >= 0 ? diags->files->dropped[i].n : 0;
}

void dsr_copy_tail(char *dst, size_t n, const char *src) {
    size_t len = strlen(src);
    if (len < n) {
        memcpy(dst, src, len + 1);
        return;
    }
    /* Keep the end, which names the file or the innermost member. */
    const char *tail = src + len - (n - 4);
    while ((*tail & 0xC0) == 0x80) /* do not start inside a UTF-8 sequence */
        tail++;
    memcpy(dst, "...", 3);
    memcpy(dst + 3, tail, strlen(tail) + 1);
}

int dsr_diag_status(const struct dsr_diag *d) {
    if (d->severity != DSR_ERROR)
        return 0;
    return d->kind == DSR_DIAG_SYNTAX || d->kind == DSR_DIAG_SCHEMA ? 1 : 2;
}

/* Adds one diagnostic; the status rises with an error's, even when it is not kept. */
static struct dsr_diag *push(struct dsr_diags *diags, enum dsr_severity severity,
                             enum dsr_diag_kind kind, const char *file, int line,
                             int column, const char *path, const char *fmt, va_list ap) {
    if (!diags)
        return NULL;
    struct dsr_diag probe = {.severity = severity, .kind = kind};
    if (dsr_diag_status(&probe) > diags->worst)
        diags->worst = dsr_diag_status(&probe);
    if (diags->count >= DSR_DIAGS_KEEP) {
        drop(diags, file, dsr_diag_status(&probe), 1);
        return NULL;
    }
    const char *name = file_of(diags, file);
    if (diags->count == diags->alloc && name) {
        size_t alloc = diags->alloc ? diags->alloc * 2 : 16;
        struct dsr_diag *items = realloc(diags->items, alloc * sizeof(*items));
        diags->items = items ? items : diags->items;
        diags->alloc = items ? alloc : diags->alloc;
    }
    if (!name || diags->count == diags->alloc) {
        diags->dropped++; /* out of memory: counted, not placed */
        return NULL;
    }
    struct dsr_diag *d = &diags->items[diags->count++];
    d->severity = severity;
    d->kind = kind;
    d->file = name;
    d->line = line;
    d->column = column;
    dsr_copy_tail(d->path, sizeof(d->path), path ? path : "");
    /* A message cut to fit is cut between characters: reports need valid UTF-8. */
    if (vsnprintf(d->message, sizeof(d->message), fmt, ap) >= (int)sizeof(d->message))
        d->message[dsr_utf8_trim(d->message, strlen(d->message))] = '\0';
    return d;
}

struct dsr_diag *dsr_diag_vadd(struct dsr_diags *diags, enum dsr_diag_kind kind,
                               const char *file, int line, int column, const char *path,
                               const char *fmt, va_list ap) {
    return push(diags, DSR_ERROR, kind, file, line, column, path, fmt, ap);
}

struct dsr_diag *dsr_diag_warn(struct dsr_diags *diags, const char *file, int line,
                               int column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    struct dsr_diag *d =
        push(diags, DSR_WARNING, DSR_DIAG_SCHEMA, file, line, column, NULL, fmt, ap);
    va_end(ap);
    return d;
}

struct dsr_diag *dsr_diag_add(struct dsr_diags *diags, enum dsr_diag_kind kind,
                              const char *file, int line, int column, const char *path,
                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    struct dsr_diag *d = dsr_diag_vadd(diags, kind, file, line, column, path, fmt, ap);
    va_end(ap);
    return d;
}

static int diag_cmp(const struct dsr_diag *a, const struct dsr_diag *b) {
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    return strcmp(a->path, b->path);
}

/* Equal keys compare by address, which is the order they were added in. */
static int diag_ptr_cmp(const void *a, const void *b) {
    const struct dsr_diag *x = *(const struct dsr_diag *const *)a;
    const struct dsr_diag *y = *(const struct dsr_diag *const *)b;
    int c = diag_cmp(x, y);
    return c ? c : (x > y) - (x < y);
}

void dsr_diags_sort(struct dsr_diags *diags) {
    if (diags->count < 2)
        return;
    struct dsr_diag **order = malloc(diags->count * sizeof(*order));
    struct dsr_diag *sorted = malloc(diags->count * sizeof(*sorted));
    if (order && sorted) {
        for (size_t i = 0; i < diags->count; i++)
            order[i] = &diags->items[i];
        qsort(order, diags->count, sizeof(*order), diag_ptr_cmp);
        for (size_t i = 0; i < diags->count; i++)
            sorted[i] = *order[i];
        free(diags->items);
        diags->items = sorted;
        diags->alloc = diags->count;
        sorted = NULL;
    }
    free(order);
    free(sorted);
}

int dsr_diags_status(const struct dsr_diags *diags) {
    return diags ? diags->worst : 0;
}

void dsr_diags_move(struct dsr_diags *dst, struct dsr_diags *src) {
    if (!dst) { /* a reader called without a list: nothing is kept */
        dsr_diags_release(src);
        return;
    }
    size_t room =
        DSR_DIAGS_KEEP - (dst->count < DSR_DIAGS_KEEP ? dst->count : DSR_DIAGS_KEEP);
    size_t n = src->count < room ? src->count : room;
    if (n && dst->count + n > dst->alloc) {
        struct dsr_diag *items = realloc(dst->items, (dst->count + n) * sizeof(*items));
        if (items) {
            dst->items = items;
            dst->alloc = dst->count + n;
        } else
            n = 0;
    }
    for (size_t i = 0; i < n; i++) { /* the names are the source list's */
        const char *name = file_of(dst, src->items[i].file);
        dst->items[dst->count] = src->items[i];
        dst->items[dst->count].file = name ? name : "";
        dst->count++;
    }
    for (size_t i = n; i < src->count; i++)
        drop(dst, src->items[i].file, dsr_diag_status(&src->items[i]), 1);
    size_t placed = 0;
    for (size_t i = 0; src->files && i < src->files->n; i++)
        if (src->files->dropped[i].n) {
            drop(dst, src->files->names[i], src->files->dropped[i].worst,
                 src->files->dropped[i].n);
            placed += src->files->dropped[i].n;
        }
    dst->dropped += src->dropped - placed; /* those counted without a file */
    if (src->worst > dst->worst)
        dst->worst = src->worst;
    dsr_diags_release(src);
}

void dsr_diag_locate(struct dsr_diags *diags, struct dsr_diag *d, dsr_locate_fn locate,
                     void *ctx, const char *pointer) {
    const char *before = d->file;
    locate(ctx, pointer, d);
    if (d->file != before) { /* placed in another file: keep the list's own copy */
        const char *name = file_of(diags, d->file);
        d->file = name ? name : before;
    }
}
