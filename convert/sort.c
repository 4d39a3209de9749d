/*
 * Canonical order: records by kind, then id, the way sort(1) sorts files
 * larger than memory. Records are held in memory up to a budget; past it they
 * are sorted and spilled as a run to a temporary file in the caller's folder,
 * nameless from the start (O_TMPFILE) or unlinked as soon as it is made, so
 * nothing is left behind whatever happens. Runs are merged as they pile up:
 * FAN_IN runs of one level make one run of the next, so a few dozen files at
 * most are open, whatever the input, and each record is rewritten once a
 * level. finish() merges what is left into one sorted stream, dropping and
 * reporting records of one kind that share an id. Equal keys keep input
 * order, so the first record read is the one kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_BUDGET (64u << 20)
#define DEFAULT_TMPDIR "/tmp"
#define FAN_IN 8    /* runs of one level merged into one of the next */
#define MAX_RUNS 48 /* runs open at most; past it the youngest are merged early */

struct entry {
    struct dsr_record *rec; /* owned */
    size_t seq;             /* order taken in: ties keep it */
};

struct run {
    FILE *fp;                /* records in canonical order, from its start */
    struct dsr_record *head; /* the next record of the run, owned; NULL = run ended */
    unsigned level;          /* 0 = spilled from memory; n + 1 = merged from level n */
};

/* A record as the run files hold it (see put_record). */
struct buf {
    unsigned char *data; /* owned */
    size_t len, cap;     /* bytes used, allocated */
};

struct dsr_sorter {
    size_t budget;                 /* bytes of records held before spilling */
    size_t held;                   /* estimated bytes held now */
    struct entry *recs;            /* in memory, owned */
    size_t n, alloc, seq;          /* records held, slots, records taken so far */
    struct run runs[MAX_RUNS + 1]; /* spilled runs, oldest (and largest) first */
    size_t n_runs;
    size_t next;            /* in memory, after finish: next index handed out */
    struct run merged;      /* after finish, when runs were spilled: the result */
    struct dsr_record *out; /* last record handed out from merged, owned */
    char *tmpdir;           /* where run files are made, owned */
    int failed;             /* 1 once something failed: see err and doing */
    int err;                /* errno of a temporary file's failure */
    const char *doing;      /* what failed on it ("write"...); NULL = out of memory */
    int reported;           /* 1 once the failure is in a diagnostic */
    struct buf io;          /* one record on its way to or from a run file */
};

struct dsr_sorter *dsr_sorter_new(size_t budget, const char *tmpdir) {
    struct dsr_sorter *s = calloc(1, sizeof(*s));
    if (s && !(s->tmpdir = strdup(tmpdir ? tmpdir : DEFAULT_TMPDIR))) {
        free(s);
        return NULL;
    }
    if (s)
        s->budget = budget ? budget : DEFAULT_BUDGET;
    return s;
}

static void run_release(struct run *r) {
    if (r->fp)
        fclose(r->fp);
    dsr_record_free(r->head);
    memset(r, 0, sizeof(*r));
}

void dsr_sorter_free(struct dsr_sorter *s) {
    if (!s)
        return;
    for (size_t i = s->next; i < s->n; i++)
        dsr_record_free(s->recs[i].rec);
    for (size_t i = 0; i < s->n_runs; i++)
        run_release(&s->runs[i]);
    run_release(&s->merged);
    dsr_record_free(s->out);
    free(s->recs);
    free(s->tmpdir);
    free(s->io.data);
    free(s);
}

/* Keeps the first failure: of a temporary file (doing, err), or of memory (NULL). */
static void fail(struct dsr_sorter *s, const char *doing, int err) {
    if (s->failed)
        return;
    s->failed = 1;
    s->doing = doing;
    s->err = err ? err : EIO;
}

void dsr_sorter_report(struct dsr_sorter *s, struct dsr_diags *diags) {
    if (!s->failed || s->reported)
        return;
    s->reported = 1;
    if (!s->doing)
        dsr_diag_add(diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
    else
        dsr_diag_add(diags, DSR_DIAG_IO, s->tmpdir, 0, 0, NULL,
                     "cannot %s a temporary file for sorting: %s", s->doing,
                     strerror(s->err));
}

/* A new empty run file, or NULL (failure recorded). */
static FILE *temp_file(struct dsr_sorter *s) {
    int fd = -1, err;
#ifdef O_TMPFILE
    fd = open(s->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    /* Not every file system makes nameless files: then a name, removed at once. */
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
#endif
    {
        size_t len = strlen(s->tmpdir) + 32;
        char *path = malloc(len);
        if (!path) {
            fail(s, NULL, 0);
            return NULL;
        }
        snprintf(path, len, "%s/.dossier-sort-XXXXXX", s->tmpdir);
        fd = mkstemp(path);
        err = errno;
        if (fd >= 0)
            unlink(path);
        free(path);
        errno = err;
    }
    FILE *fp = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (!fp) {
        fail(s, "create", errno);
        if (fd >= 0)
            close(fd);
    }
    return fp;
}

static size_t record_size(const struct dsr_record *rec) {
    size_t size = sizeof(*rec) + sizeof(struct entry);
    for (size_t f = 0; f < dsr_kind_info(rec->kind)->n_fields; f++) {
        const struct dsr_value *v = &rec->values[f];
        if (v->text)
            size += strlen(v->text) + 17;
        for (size_t i = 0; i < v->n; i++)
            size += strlen(v->items[i]) + 25 + (v->roles ? strlen(v->roles[i]) + 17 : 0);
    }
    return size;
}

/* ---- run files: records in a private binary form, read back by this process ---- */

/*
 * A record is written as its size, then its bytes, in one write: kind, file
 * (a pointer borrowed by this same process), line, column, then per field a
 * text flag and text, and a count of list items (with roles). Strings are a
 * 32-bit length and their bytes.
 */
static int buf_put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *data = realloc(b->data, cap);
        if (!data)
            return -1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int buf_str(struct buf *b, const char *s) {
    uint32_t len = (uint32_t)strlen(s);
    return buf_put(b, &len, sizeof(len)) || buf_put(b, s, len) ? -1 : 0;
}

/* Writes rec to fp through s->io. 0, or -1 (failure recorded). */
static int put_record(struct dsr_sorter *s, FILE *fp, const struct dsr_record *rec) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    struct buf *b = &s->io;
    uint8_t kind = (uint8_t)rec->kind;
    int32_t pos[2] = {rec->line, rec->column};
    int rc = 0;
    b->len = sizeof(uint32_t); /* room for the size */
    rc |= buf_put(b, &kind, 1) | buf_put(b, &rec->file, sizeof(rec->file)) |
          buf_put(b, pos, sizeof(pos));
    for (size_t f = 0; f < info->n_fields && !rc; f++) {
        const struct dsr_value *v = &rec->values[f];
        uint8_t has_text = v->text != NULL;
        uint32_t n = (uint32_t)v->n;
        uint8_t has_at = v->at != NULL;
        rc |= buf_put(b, &has_text, 1) | (has_text ? buf_str(b, v->text) : 0) |
              buf_put(b, &n, sizeof(n)) | buf_put(b, &has_at, 1);
        for (size_t i = 0; i < v->n && !rc; i++) {
            rc |= buf_str(b, v->items[i]) | (v->roles ? buf_str(b, v->roles[i]) : 0);
            if (has_at) {
                int32_t at[2] = {v->at[i].line, v->at[i].column};
                rc |= buf_put(b, at, sizeof(at)) | buf_str(b, v->at[i].path);
            }
        }
    }
    if (rc) {
        fail(s, NULL, 0);
        return -1;
    }
    uint32_t size = (uint32_t)(b->len - sizeof(uint32_t));
    memcpy(b->data, &size, sizeof(size));
    if (fwrite(b->data, 1, b->len, fp) != b->len) {
        fail(s, "write", errno);
        return -1;
    }
    return 0;
}

/* Reading one record back: the bytes left, and whether they ran short. */
struct cursor {
    const unsigned char *p, *end;
    int short_read;
};

static const void *take(struct cursor *c, size_t n) {
    if ((size_t)(c->end - c->p) < n) {
        c->short_read = 1;
        return NULL;
    }
    const void *at = c->p;
    c->p += n;
    return at;
}

static char *take_str(struct cursor *c) {
    uint32_t len;
    const void *at = take(c, sizeof(len));
    if (!at)
        return NULL;
    memcpy(&len, at, sizeof(len));
    const char *s = take(c, len);
    char *copy = s ? malloc((size_t)len + 1) : NULL;
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Decodes a record's bytes; NULL when they are short or memory ran out. */
static struct dsr_record *decode(struct cursor *c) {
    const uint8_t *kind = take(c, 1);
    if (!kind || *kind >= DSR_KIND_COUNT)
        return NULL;
    struct dsr_record *rec = dsr_record_new((enum dsr_kind) * kind);
    const void *file = take(c, sizeof(rec->file));
    const int32_t *pos = take(c, 2 * sizeof(int32_t));
    if (!rec || !file || !pos)
        goto fail;
    memcpy(&rec->file, file, sizeof(rec->file));
    memcpy(&rec->line, &pos[0], sizeof(int32_t));
    memcpy(&rec->column, &pos[1], sizeof(int32_t));
    for (size_t f = 0; f < dsr_kind_info(rec->kind)->n_fields; f++) {
        struct dsr_value *v = &rec->values[f];
        int with_roles = dsr_kind_info(rec->kind)->fields[f].type == DSR_FIELD_ROLES;
        const uint8_t *has_text = take(c, 1), *has_at;
        const void *count;
        uint32_t n;
        if (!has_text || (*has_text && !(v->text = take_str(c))) ||
            !(count = take(c, sizeof(n))) || !(has_at = take(c, 1)))
            goto fail;
        memcpy(&n, count, sizeof(n));
        if (n && (!(v->items = calloc(n, sizeof(char *))) ||
                  (with_roles && !(v->roles = calloc(n, sizeof(char *)))) ||
                  (*has_at && !(v->at = calloc(n, sizeof(*v->at))))))
            goto fail;
        /* Count an item in as soon as it is there, so that cleanup frees it. */
        for (; v->n < n; v->n++) {
            const void *at = NULL;
            if (!(v->items[v->n] = take_str(c)) ||
                (with_roles && !(v->roles[v->n] = take_str(c))) ||
                (v->at && (!(at = take(c, 2 * sizeof(int32_t))) ||
                           !(v->at[v->n].path = take_str(c))))) {
                v->n += v->items[v->n] != NULL;
                goto fail;
            }
            if (at) {
                memcpy(&v->at[v->n].line, at, sizeof(int32_t));
                memcpy(&v->at[v->n].column, (const char *)at + sizeof(int32_t),
                       sizeof(int32_t));
            }
        }
    }
    return rec;
fail:
    dsr_record_free(rec);
    return NULL;
}

/* Reads the next record; NULL at the end of the run, or on a failure (recorded). */
static struct dsr_record *get_record(struct dsr_sorter *s, FILE *fp) {
    struct buf *b = &s->io;
    uint32_t size;
    if (fread(&size, sizeof(size), 1, fp) != 1) {
        if (ferror(fp))
            fail(s, "read back", errno);
        return NULL;
    }
    b->len = 0;
    if (size > b->cap) {
        unsigned char *data = realloc(b->data, size);
        if (!data) {
            fail(s, NULL, 0);
            return NULL;
        }
        b->data = data;
        b->cap = size;
    }
    if (fread(b->data, 1, size, fp) != size) {
        fail(s, "read back", ferror(fp) ? errno : EIO);
        return NULL;
    }
    struct cursor c = {b->data, b->data + size, 0};
    struct dsr_record *rec = decode(&c);
    if (!rec)
        fail(s, c.short_read ? "read back" : NULL, EIO);
    return rec;
}

/* Writes out and rewinds a run file just written. 0, or -1 (failure recorded). */
static int finish_file(struct dsr_sorter *s, FILE *fp) {
    if (fflush(fp) != 0 || ferror(fp)) {
        fail(s, "write", errno);
        return -1;
    }
    rewind(fp);
    return 0;
}

/* ---- in memory ---- */

static int entry_cmp(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    int c = dsr_record_cmp(x->rec, y->rec);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Reports rec, which shares its kind and id with first, read before it. */
static void report_duplicate(struct dsr_diags *diags, const struct dsr_record *rec,
                             const struct dsr_record *first) {
    dsr_diag_add(diags, DSR_DIAG_SCHEMA, rec->file, rec->line, rec->column, NULL,
                 "duplicate %s id \"%s\": first defined at %s:%d:%d",
                 dsr_kind_info(rec->kind)->name, dsr_record_id(rec),
                 first->file ? first->file : "-", first->line, first->column);
}

/* ---- merging ---- */

/* Is run a's head before run b's? Ended runs sort last; ties go to the older run. */
static int run_before(const struct run *a, const struct run *b) {
    if (!a->head || !b->head)
        return a->head != NULL;
    int c = dsr_record_cmp(a->head, b->head);
    return c ? c < 0 : a < b;
}

static void sift_down(struct run **heap, size_t n, size_t i) {
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && run_before(heap[l], heap[least]))
            least = l;
        if (r < n && run_before(heap[r], heap[least]))
            least = r;
        if (least == i)
            return;
        struct run *t = heap[i];
        heap[i] = heap[least];
        heap[least] = t;
        i = least;
    }
}

/*
 * Merges runs[0..n) (oldest first) into out, in order. With diags (the final
 * merge), records sharing a key with the one before are dropped and reported,
 * and visit sees each record kept. Returns duplicates found, -1 on a failure
 * (recorded), or -2 when visit failed.
 */
static int merge(struct dsr_sorter *s, struct run *runs, size_t n, FILE *out,
                 struct dsr_diags *diags, dsr_visit_fn visit, void *ctx) {
    struct run *heap[MAX_RUNS + 1];
    struct dsr_record *last = NULL;
    int duplicates = 0, visit_failed = 0;
    for (size_t i = 0; i < n; i++) {
        heap[i] = &runs[i];
        runs[i].head = get_record(s, runs[i].fp);
    }
    for (size_t i = n / 2; i-- > 0;)
        sift_down(heap, n, i);
    while (!s->failed && !visit_failed && heap[0]->head) {
        struct dsr_record *rec = heap[0]->head;
        heap[0]->head = get_record(s, heap[0]->fp);
        sift_down(heap, n, 0);
        if (diags && last && dsr_record_cmp(last, rec) == 0) {
            report_duplicate(diags, rec, last);
            duplicates++;
            dsr_record_free(rec);
            continue;
        }
        if (visit && visit(ctx, rec) < 0)
            visit_failed = 1;
        put_record(s, out, rec);
        dsr_record_free(last);
        last = rec;
    }
    dsr_record_free(last);
    if (s->failed || finish_file(s, out) < 0)
        return -1;
    return visit_failed ? -2 : duplicates;
}

/* Merges the n youngest runs into one. 0, or -1 (failure recorded). */
static int merge_youngest(struct dsr_sorter *s, size_t n) {
    struct run *first = &s->runs[s->n_runs - n];
    int same_level = first->level == s->runs[s->n_runs - 1].level;
    struct run merged = {temp_file(s), NULL, first->level + (same_level ? 1 : 0)};
    if (!merged.fp || merge(s, first, n, merged.fp, NULL, NULL, NULL) < 0) {
        run_release(&merged);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        run_release(&first[i]);
    *first = merged;
    s->n_runs -= n - 1;
    return 0;
}

/*
 * Sorts what is held and writes it out as a new run of level 0, then merges
 * every FAN_IN runs of one level into one of the next, so that about
 * FAN_IN - 1 runs per level stay open (and never more than MAX_RUNS).
 */
static int spill(struct dsr_sorter *s) {
    struct run *r = &s->runs[s->n_runs];
    memset(r, 0, sizeof(*r));
    if (!(r->fp = temp_file(s)))
        return -1;
    s->n_runs++;
    qsort(s->recs, s->n, sizeof(*s->recs), entry_cmp);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->failed)
            put_record(s, r->fp, s->recs[i].rec);
        dsr_record_free(s->recs[i].rec);
    }
    s->n = 0;
    s->held = 0;
    if (s->failed || finish_file(s, r->fp) < 0)
        return -1;
    while (s->n_runs >= FAN_IN &&
           (s->runs[s->n_runs - FAN_IN].level == s->runs[s->n_runs - 1].level ||
            s->n_runs > MAX_RUNS))
        if (merge_youngest(s, FAN_IN) < 0)
            return -1;
    return 0;
}

int dsr_sorter_take(struct dsr_sorter *s, struct dsr_record *rec) {
    if (s->failed) {
        dsr_record_free(rec);
        return -1;
    }
    if (s->n == s->alloc) {
        size_t alloc = s->alloc ? s->alloc * 2 : 256;
        struct entry *recs = realloc(s->recs, alloc * sizeof(*recs));
        if (!recs) {
            dsr_record_free(rec);
            fail(s, NULL, 0);
            return -1;
        }
        s->recs = recs;
        s->alloc = alloc;
    }
    s->recs[s->n].rec = rec;
    s->recs[s->n].seq = s->seq++;
    s->n++;
    s->held += record_size(rec);
    if (s->held > s->budget && spill(s) < 0)
        return -1;
    return 0;
}

/* Reports and drops duplicates among the sorted records held in memory. */
static int drop_duplicates(struct dsr_sorter *s, struct dsr_diags *diags) {
    int duplicates = 0;
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct dsr_record *r = s->recs[i].rec;
        if (kept > 0 && dsr_record_cmp(s->recs[kept - 1].rec, r) == 0) {
            const struct dsr_record *first = s->recs[kept - 1].rec;
            report_duplicate(diags, r, first);
            dsr_record_free(r);
            duplicates++;
            continue;
        }
        s->recs[kept++] = s->recs[i];
    }
    s->n = kept;
    return duplicates;
}

int dsr_sorter_finish(struct dsr_sorter *s, struct dsr_diags *diags, dsr_visit_fn visit,
                      void *ctx) {
    int duplicates = -1;
    if (s->failed)
        goto fail;
    if (s->n_runs == 0) {
        if (s->n > 1)
            qsort(s->recs, s->n, sizeof(*s->recs), entry_cmp);
        duplicates = drop_duplicates(s, diags);
        for (size_t i = 0; visit && i < s->n; i++)
            if (visit(ctx, s->recs[i].rec) < 0)
                return -1;
        return duplicates;
    }
    if (s->n > 0 && spill(s) < 0)
        goto fail;
    /* The records held went to a run of their own: memory is free for none but heads. */
    free(s->recs);
    s->recs = NULL;
    s->alloc = 0;
    if (!(s->merged.fp = temp_file(s)))
        goto fail;
    duplicates = merge(s, s->runs, s->n_runs, s->merged.fp, diags, visit, ctx);
    for (size_t i = 0; i < s->n_runs; i++)
        run_release(&s->runs[i]);
    s->n_runs = 0;
    if (duplicates == -2)
        return -1; /* visit's own failure: dsr_sorter_failed() stays 0 */
    if (duplicates >= 0)
        return duplicates;
fail:
    dsr_sorter_report(s, diags);
    return -1;
}

const struct dsr_record *dsr_sorter_next(struct dsr_sorter *s) {
    if (!s->merged.fp) {
        if (s->next >= s->n)
            return NULL;
        /* Hand each record out once and free it with the next call. */
        dsr_record_free(s->out);
        s->out = s->recs[s->next++].rec;
        return s->out;
    }
    dsr_record_free(s->out);
    s->out = s->failed ? NULL : get_record(s, s->merged.fp);
    return s->out;
}

int dsr_sorter_failed(const struct dsr_sorter *s) {
    return s->failed;
}
