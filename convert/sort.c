/*
 * Canonical order: records by kind, then id, the way sort(1) sorts files
 * larger than memory. Each record taken is packed at once into a compact
 * binary form (kind and id first, as the key), and the packed records are
 * held in one buffer up to a budget; past it they are sorted and spilled as a
 * run to a temporary file in the caller's folder, nameless from the start
 * (O_TMPFILE) or unlinked as soon as it is made, so nothing is left behind
 * whatever happens. Runs are merged as they pile up: FAN_IN runs of one level
 * make one run of the next, so a few dozen files at most are open, whatever
 * the input, and each record is copied once a level, never unpacked.
 * finish() merges what is left into one sorted stream, dropping and reporting
 * records of one kind that share an id; when the records are read back, the
 * runs are merged once more as they are, rather than the stream being written
 * to a file and read again. Equal keys keep input order, so the
 * first record read is the one kept. With dsr_sorter_spill_aside, what is
 * held is sorted and spilled by a thread of its own while more is taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define DEFAULT_BUDGET (64u << 20)
#define DEFAULT_TMPDIR "/tmp"
#define FAN_IN 8    /* runs of one level merged into one of the next */
#define MAX_RUNS 48 /* runs open at most; past it the youngest are merged early */
#define RUN_BUFFER (32u << 10) /* each run file's stdio buffer, for writing */
#define RUN_READ (64u << 10)   /* what a merge reads of a run file at a time */

struct run {
    FILE *fp;                  /* packed records in canonical order, from its start */
    struct dsr_bytes in;       /* read from fp, not yet merged from `taken` on */
    size_t taken;              /* where in `in` the record after the head starts */
    const unsigned char *head; /* the next record, packed: in `in`, or held */
    uint32_t head_len;
    int has_head;     /* 0 = the run ended */
    unsigned level;   /* 0 = spilled from memory; n + 1 = merged from level n */
    int held;         /* 1: no file, but what the sorter holds, sorted */
    size_t next_held; /* then: the next record held to read */
};

/*
 * A merge's tournament (a loser tree) over k runs: node[0] is the run whose
 * head comes first, and each node[1..k) the run that lost there, the runs
 * being the leaves k..2k-1 below. A run's next head plays its way up once:
 * one comparison a level.
 */
struct tree {
    struct run *runs;
    size_t k;
    size_t node[MAX_RUNS + 1];
};

struct dsr_sorter {
    size_t budget;                 /* bytes of records held before spilling */
    struct dsr_bytes held;         /* records in memory: each its size, then packed */
    size_t *at;                    /* where each record held starts in held, owned */
    size_t n, alloc;               /* records held, slots of at */
    struct run runs[MAX_RUNS + 1]; /* spilled runs, oldest (and largest) first */
    size_t n_runs;
    size_t next;            /* in memory, after finish: next index handed out */
    struct dsr_record *out; /* last record handed out, owned */
    /*
     * After finish with records kept, when runs were spilled: the runs are
     * merged again as records are handed out (out_next), each visited again,
     * instead of the merge being written to a file and read back.
     */
    int handing_out;
    struct tree out_tree;
    int tree_made, has_out_key; /* out_key: the key of the last handed out */
    struct dsr_bytes out_key;
    dsr_visit_fn visit;
    void *visit_ctx;
    char *tmpdir;          /* where run files are made, owned */
    int failed;            /* 1 once something failed: see err and doing */
    int err;               /* errno of a temporary file's failure */
    const char *doing;     /* what failed on it ("write"...); NULL = out of memory */
    int reported;          /* 1 once the failure is in a diagnostic */
    struct dsr_bytes io;   /* one record packed on its way to a run file */
    struct dsr_bytes last; /* the final merge: the last record kept */
    dsr_item_fn each;      /* finishing items (not records): who sees them */
    void *each_ctx;
    int in_order; /* dsr_sorter_keep_order: no sorting, one run */
    /*
     * dsr_sorter_spill_aside: a second sorter, whose runs these are, spills
     * what this one held in the spiller thread (spilling 1 while it runs).
     */
    int spill_aside;
    struct dsr_sorter *aside;
    pthread_t spiller;
    int spilling;
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
    free(r->in.data);
    memset(r, 0, sizeof(*r));
}

static int wait_aside(struct dsr_sorter *s);

void dsr_sorter_free(struct dsr_sorter *s) {
    if (!s)
        return;
    wait_aside(s);
    dsr_sorter_free(s->aside);
    for (size_t i = 0; i < s->n_runs; i++)
        run_release(&s->runs[i]);
    dsr_record_free(s->out);
    free(s->out_key.data);
    free(s->held.data);
    free(s->at);
    free(s->tmpdir);
    free(s->io.data);
    free(s->last.data);
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
    if (fp) /* records go by the thousand: fewer, larger reads and writes */
        setvbuf(fp, NULL, _IOFBF, RUN_BUFFER);
    return fp;
}

/* ---- packed records: a private binary form, read back by this process ---- */

/*
 * A record packed: kind, whether it has an id, the id (the key, first), then
 * file (a pointer borrowed by this same process), line, column, and per other
 * field a text flag and text, and a count of list items (with roles and
 * places). Strings are a 32-bit length and their bytes. In memory and in run
 * files each packed record follows its size (32 bits).
 */
int dsr_bytes_reserve(struct dsr_bytes *b, size_t n) {
    if (b->len + n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
        cap *= 2;
    unsigned char *data = realloc(b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

void *dsr_room(void *items, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return items;
    size_t grown = *cap ? 2 * *cap : 256;
    void *p = realloc(items, grown * size);
    if (p)
        *cap = grown;
    return p;
}

int dsr_bytes_append(struct dsr_bytes *b, const void *p, size_t n) {
    if (dsr_bytes_reserve(b, n) < 0)
        return -1;
    if (n) /* an empty b may have no buffer yet */
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int dsr_bytes_hand_over(struct dsr_bytes *buf, size_t n, struct dsr_bytes *to,
                        size_t room) {
    struct dsr_bytes rest = *to;
    rest.len = 0;
    if (dsr_bytes_reserve(&rest, buf->len - n + room) < 0 ||
        dsr_bytes_append(&rest, buf->data + n, buf->len - n) < 0)
        return -1;
    *to = *buf;
    to->len = n;
    *buf = rest;
    return 0;
}

/* Where packing goes: to out when it is not NULL; len counts the bytes either way. */
struct packer {
    unsigned char *out;
    size_t len;
};

static void put(struct packer *p, const void *src, size_t n) {
    if (p->out && n)
        memcpy(p->out + p->len, src, n);
    p->len += n;
}

static void put_str(struct packer *p, const char *s) {
    uint32_t len = (uint32_t)strlen(s);
    put(p, &len, sizeof(len));
    put(p, s, len);
}

/* Puts the size of what was packed in the four bytes left for it first; the bytes. */
static size_t put_size(struct packer *p) {
    uint32_t size = (uint32_t)(p->len - sizeof(size));
    if (p->out)
        memcpy(p->out, &size, sizeof(size));
    return p->len;
}

/* A field's first packed byte: what follows it. An empty field is this byte alone. */
enum { FIELD_TEXT = 1, FIELD_ITEMS = 2, FIELD_AT = 4 };

size_t dsr_sorter_pack(unsigned char *out, const struct dsr_record *rec) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    struct packer p = {out, 0};
    uint8_t head[2] = {(uint8_t)rec->kind, rec->values[0].text != NULL};
    int32_t pos[2] = {rec->line, rec->column};
    put(&p, &(uint32_t){0}, sizeof(uint32_t));
    put(&p, head, sizeof(head));
    put_str(&p, dsr_record_id(rec));
    put(&p, &rec->file, sizeof(rec->file));
    put(&p, pos, sizeof(pos));
    for (size_t f = 1; f < info->n_fields; f++) {
        const struct dsr_value *v = &rec->values[f];
        uint8_t has = (v->text ? FIELD_TEXT : 0) | (v->n ? FIELD_ITEMS : 0) |
                      (v->at ? FIELD_AT : 0);
        uint32_t n = (uint32_t)v->n;
        put(&p, &has, 1);
        if (v->text)
            put_str(&p, v->text);
        if (v->n)
            put(&p, &n, sizeof(n));
        for (size_t i = 0; i < v->n; i++) {
            put_str(&p, v->items[i]);
            if (v->roles)
                put_str(&p, v->roles[i]);
            if (v->at) {
                int32_t at[2] = {v->at[i].line, v->at[i].column};
                put(&p, at, sizeof(at));
                put_str(&p, v->at[i].path);
            }
        }
    }
    return put_size(&p);
}

/*
 * An item that is not a record is packed with the same head, so that it
 * sorts and merges as records do: ITEM for its kind, whether it has data,
 * its key for an id, then its data, if any, as one string; no file or
 * position, which would be a third of an index's key, and no length for no
 * data (the index's references have none).
 */
#define ITEM 0xFF

size_t dsr_sorter_pack_item(unsigned char *out, const char *key, size_t key_len,
                            const void *data, size_t len) {
    struct packer p = {out, 0};
    uint32_t klen = (uint32_t)key_len, dlen = (uint32_t)len;
    uint8_t head[2] = {ITEM, len > 0};
    put(&p, &(uint32_t){0}, sizeof(uint32_t));
    put(&p, head, sizeof(head));
    put(&p, &klen, sizeof(klen));
    put(&p, key, key_len);
    if (len) {
        put(&p, &dlen, sizeof(dlen));
        put(&p, data, len);
    }
    return put_size(&p);
}

/* Appends rec's size and packed bytes to b. 0, or -1 when out of memory. */
static int pack(struct dsr_bytes *b, const struct dsr_record *rec) {
    size_t size = dsr_sorter_pack(NULL, rec);
    if (dsr_bytes_reserve(b, size) < 0)
        return -1;
    b->len += dsr_sorter_pack(b->data + b->len, rec);
    return 0;
}

/* What a packed record says before its fields. */
struct packed_head {
    enum dsr_kind kind;
    const char *id; /* not NUL-terminated */
    uint32_t id_len;
    const char *file;
    int32_t line, column;
};

/* The head of a packed record (an item has no file or position). */
static struct packed_head head_of(const unsigned char *p) {
    struct packed_head h = {(enum dsr_kind)p[0], (const char *)p + 6, 0, NULL, 0, 0};
    memcpy(&h.id_len, p + 2, sizeof(h.id_len));
    const unsigned char *after = p + 6 + h.id_len;
    memcpy(&h.file, after, sizeof(h.file));
    memcpy(&h.line, after + sizeof(h.file), sizeof(h.line));
    memcpy(&h.column, after + sizeof(h.file) + sizeof(h.line), sizeof(h.column));
    return h;
}

/* The canonical order of two packed records: kind, then id bytes. */
static int key_cmp(const unsigned char *a, const unsigned char *b) {
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    uint32_t la, lb;
    memcpy(&la, a + 2, sizeof(la));
    memcpy(&lb, b + 2, sizeof(lb));
    int c = memcmp(a + 6, b + 6, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Reading a packed record: the bytes left, and whether they ran short. */
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

/* A string packed at the cursor, copied into rec's memory; NULL when short or out. */
static char *take_str(struct cursor *c, struct dsr_record *rec) {
    uint32_t len;
    const void *at = take(c, sizeof(len));
    if (!at)
        return NULL;
    memcpy(&len, at, sizeof(len));
    const char *s = take(c, len);
    return s ? dsr_record_copy(rec, s, len) : NULL;
}

/* The record packed in p (size bytes); NULL when they are short or memory ran out. */
static struct dsr_record *unpack(const unsigned char *p, size_t size, int *short_read) {
    struct cursor c = {p, p + size, 0};
    const uint8_t *head = take(&c, 2);
    struct dsr_record *rec =
        head && head[0] < DSR_KIND_COUNT ? dsr_record_new((enum dsr_kind)head[0]) : NULL;
    char *id = rec ? take_str(&c, rec) : NULL;
    const void *file = take(&c, sizeof(rec->file));
    const int32_t *pos = take(&c, 2 * sizeof(int32_t));
    if (!id || !file || !pos)
        goto fail;
    if (head[1])
        rec->values[0].text = id;
    memcpy(&rec->file, file, sizeof(rec->file));
    memcpy(&rec->line, &pos[0], sizeof(int32_t));
    memcpy(&rec->column, &pos[1], sizeof(int32_t));
    for (size_t f = 1; f < dsr_kind_info(rec->kind)->n_fields; f++) {
        struct dsr_value *v = &rec->values[f];
        const uint8_t *has = take(&c, 1);
        const void *count = NULL;
        uint32_t n = 0;
        if (!has || ((*has & FIELD_TEXT) && !(v->text = take_str(&c, rec))) ||
            ((*has & FIELD_ITEMS) && !(count = take(&c, sizeof(n)))))
            goto fail;
        if (count)
            memcpy(&n, count, sizeof(n));
        if (n && dsr_record_reserve(rec, (int)f, n, (*has & FIELD_AT) != 0) < 0)
            goto fail;
        for (; v->n < n; v->n++) {
            const void *at = NULL;
            if (!(v->items[v->n] = take_str(&c, rec)) ||
                (v->roles && !(v->roles[v->n] = take_str(&c, rec))) ||
                (v->at && (!(at = take(&c, 2 * sizeof(int32_t))) ||
                           !(v->at[v->n].path = take_str(&c, rec)))))
                goto fail;
            if (at) {
                memcpy(&v->at[v->n].line, at, sizeof(int32_t));
                memcpy(&v->at[v->n].column, (const char *)at + sizeof(int32_t),
                       sizeof(int32_t));
            }
        }
    }
    return rec;
fail:
    *short_read = c.short_read;
    dsr_record_free(rec);
    return NULL;
}

/* Unpacks for the caller; NULL on a failure (recorded). */
static struct dsr_record *unpack_or_fail(struct dsr_sorter *s, const unsigned char *p,
                                         size_t size) {
    int short_read = 0;
    struct dsr_record *rec = unpack(p, size, &short_read);
    if (!rec)
        fail(s, short_read ? "read back" : NULL, EIO);
    return rec;
}

/* The record held at i: its packed bytes, and their size. */
static const unsigned char *held_record(const struct dsr_sorter *s, size_t i,
                                        uint32_t *size) {
    const unsigned char *p = s->held.data + s->at[i];
    memcpy(size, p, sizeof(*size));
    return p + sizeof(*size);
}

/* ---- run files ---- */

/* A run file is used by one thread at a time (spilling, or merging): no stdio lock. */

/* Writes one packed record (size bytes at p) to fp. 0, or -1 (failure recorded). */
static int put_packed(struct dsr_sorter *s, FILE *fp, const unsigned char *p,
                      uint32_t size) {
    if (fwrite_unlocked(&size, sizeof(size), 1, fp) != 1 ||
        fwrite_unlocked(p, 1, size, fp) != size) {
        fail(s, "write", errno);
        return -1;
    }
    return 0;
}

/* Packs rec and writes it to fp. 0, or -1 (failure recorded). */
static int put_record(struct dsr_sorter *s, FILE *fp, const struct dsr_record *rec) {
    s->io.len = 0;
    if (pack(&s->io, rec) < 0) {
        fail(s, NULL, 0);
        return -1;
    }
    return put_packed(s, fp, s->io.data + sizeof(uint32_t),
                      (uint32_t)(s->io.len - sizeof(uint32_t)));
}

/*
 * Makes need bytes of r's file readable in r->in from r->taken on, reading
 * RUN_READ bytes or more at a time. 1, 0 when the file ended first, or -1
 * (failure recorded).
 */
static int run_fill(struct dsr_sorter *s, struct run *r, size_t need) {
    size_t have = r->in.len - r->taken;
    if (have >= need)
        return 1;
    if (have && r->taken) /* what is left moves to the front; the head read goes */
        memmove(r->in.data, r->in.data + r->taken, have);
    r->in.len = have;
    r->taken = 0;
    if (dsr_bytes_reserve(&r->in, need > RUN_READ ? need : RUN_READ) < 0) {
        fail(s, NULL, 0);
        return -1;
    }
    while (r->in.len < need) {
        size_t got =
            fread_unlocked(r->in.data + r->in.len, 1, r->in.cap - r->in.len, r->fp);
        if (got == 0) {
            if (ferror(r->fp)) {
                fail(s, "read back", errno);
                return -1;
            }
            return 0;
        }
        r->in.len += got;
    }
    return 1;
}

/*
 * Points r's head at its next record, read in place (never copied); has_head
 * 0 at the end or on a failure. The head before it is gone.
 */
static void read_head(struct dsr_sorter *s, struct run *r) {
    uint32_t size;
    r->has_head = 0;
    if (r->held) {
        if (r->next_held < s->n) {
            r->head = held_record(s, r->next_held++, &r->head_len);
            r->has_head = 1;
        }
        return;
    }
    int filled = run_fill(s, r, sizeof(size));
    if (filled <= 0) {
        if (filled == 0 && r->in.len > r->taken) /* part of a size: cut short */
            fail(s, "read back", EIO);
        return;
    }
    memcpy(&size, r->in.data + r->taken, sizeof(size));
    if ((filled = run_fill(s, r, sizeof(size) + (size_t)size)) <= 0) {
        if (filled == 0)
            fail(s, "read back", EIO);
        return;
    }
    r->head = r->in.data + r->taken + sizeof(size);
    r->head_len = size;
    r->taken += sizeof(size) + (size_t)size;
    r->has_head = 1;
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

/* Reports the record packed in dup, which shares its kind and id with first. */
static void report_duplicate(struct dsr_diags *diags, const unsigned char *dup,
                             const unsigned char *first) {
    struct packed_head d = head_of(dup), f = head_of(first);
    dsr_diag_add(diags, DSR_DIAG_SCHEMA, d.file, d.line, d.column, NULL,
                 "duplicate %s id \"%.*s\": first defined at %s:%d:%d",
                 dsr_kind_info(d.kind)->name, (int)d.id_len, d.id, f.file ? f.file : "-",
                 f.line, f.column);
}

/*
 * The final pass over one record kept, packed in b: visit sees it unpacked,
 * and out (when there is one) gets it, packed again if visit changed it.
 * 0, -1 (failure recorded), or -2 when visit failed.
 */
static int keep_record(struct dsr_sorter *s, const unsigned char *p, uint32_t size,
                       FILE *out, dsr_visit_fn visit, void *ctx) {
    int changed = 0;
    if (visit) {
        struct dsr_record *rec = unpack_or_fail(s, p, size);
        if (!rec)
            return -1;
        changed = visit(ctx, rec);
        if (changed > 0 && out && put_record(s, out, rec) < 0)
            changed = -1;
        dsr_record_free(rec);
        if (changed < 0)
            return s->failed ? -1 : -2;
    }
    if (out && !changed)
        return put_packed(s, out, p, size);
    return 0;
}

/*
 * Copies the head of the record packed in p (size bytes) into to: its key,
 * file and position, what key_cmp and report_duplicate read, for the head's
 * own bytes are overwritten as its run is read on. 0, or -1 (failure recorded).
 */
static int keep_key(struct dsr_sorter *s, struct dsr_bytes *to, const unsigned char *p,
                    uint32_t size) {
    uint32_t id_len;
    memcpy(&id_len, p + 2, sizeof(id_len));
    size_t n = 6 + (size_t)id_len + sizeof(const char *) + 2 * sizeof(int32_t);
    to->len = 0;
    if (dsr_bytes_append(to, p, n < size ? n : size) < 0) {
        fail(s, NULL, 0);
        return -1;
    }
    return 0;
}

/* Shows the item packed in p (size bytes) to s->each. 0, or -2 when it failed. */
static int each_item(struct dsr_sorter *s, const unsigned char *p, size_t size) {
    uint32_t key_len, len = 0;
    memcpy(&key_len, p + 2, sizeof(key_len));
    const unsigned char *data = p + 6 + key_len;
    size_t head = (size_t)(data - p) + (p[1] ? sizeof(len) : 0);
    if (p[0] == ITEM && p[1] && head <= size) {
        memcpy(&len, data, sizeof(len));
        data += sizeof(len);
    }
    if (p[0] != ITEM || head > size || len > size - head) {
        fail(s, "read back", EIO);
        return -1;
    }
    return s->each(s->each_ctx, (const char *)p + 6, key_len, (const char *)data, len) < 0
               ? -2
               : 0;
}

/* ---- merging ---- */

/* Is run a's head before run b's? Ended runs sort last; ties go to the older run. */
static int run_before(const struct tree *t, size_t a, size_t b) {
    const struct run *x = &t->runs[a], *y = &t->runs[b];
    if (!x->has_head || !y->has_head)
        return x->has_head;
    int c = key_cmp(x->head, y->head);
    return c ? c < 0 : a < b;
}

/* Plays the subtree at node: the losers stay in its nodes; returns the winner. */
static size_t play(struct tree *t, size_t node) {
    if (node >= t->k)
        return node - t->k;
    size_t a = play(t, 2 * node), b = play(t, 2 * node + 1);
    int a_wins = run_before(t, a, b);
    t->node[node] = a_wins ? b : a;
    return a_wins ? a : b;
}

/* Reads the first head of each of runs[0..k), k >= 1, and plays them all. */
static void tree_start(struct dsr_sorter *s, struct tree *t, struct run *runs, size_t k) {
    t->runs = runs;
    t->k = k;
    for (size_t i = 0; i < k; i++)
        read_head(s, &runs[i]);
    t->node[0] = play(t, 1);
}

/* The run whose head comes first. */
static struct run *tree_first(const struct tree *t) {
    return &t->runs[t->node[0]];
}

/* Reads the first run's next head, and plays it up from its leaf. */
static void tree_next(struct dsr_sorter *s, struct tree *t) {
    size_t winner = t->node[0];
    read_head(s, &t->runs[winner]);
    for (size_t node = (t->k + winner) / 2; node > 0; node /= 2)
        if (run_before(t, t->node[node], winner)) {
            size_t loser = winner;
            winner = t->node[node];
            t->node[node] = loser;
        }
    t->node[0] = winner;
}

/*
 * Merges runs[0..n) (oldest first) into out (NULL: nowhere), in order. The
 * final merge shows items to s->each; of records, it drops and reports those
 * sharing a key with the one before (in diags), and visit sees each one kept.
 * Returns duplicates found, -1 on a failure (recorded), or -2 when visit or
 * each failed.
 */
static int merge(struct dsr_sorter *s, struct run *runs, size_t n, FILE *out, int final,
                 struct dsr_diags *diags, dsr_visit_fn visit, void *ctx) {
    struct tree t;
    int duplicates = 0, rc = 0, has_last = 0;
    tree_start(s, &t, runs, n);
    while (!s->failed && rc == 0 && tree_first(&t)->has_head) {
        struct run *r = tree_first(&t);
        if (!final) {
            rc = put_packed(s, out, r->head, r->head_len);
        } else if (s->each) {
            rc = each_item(s, r->head, r->head_len);
        } else if (has_last && key_cmp(s->last.data, r->head) == 0) {
            report_duplicate(diags, r->head, s->last.data);
            duplicates++;
        } else {
            rc = keep_record(s, r->head, r->head_len, out, visit, ctx);
            if (rc == 0) /* the record kept becomes the last */
                rc = keep_key(s, &s->last, r->head, r->head_len);
            has_last = 1;
        }
        tree_next(s, &t);
    }
    if (s->failed || rc == -1 || (out && finish_file(s, out) < 0))
        return -1;
    return rc == -2 ? -2 : duplicates;
}

/* Merges the n youngest runs into one. 0, or -1 (failure recorded). */
static int merge_youngest(struct dsr_sorter *s, size_t n) {
    struct run *first = &s->runs[s->n_runs - n];
    int same_level = first->level == s->runs[s->n_runs - 1].level;
    struct run merged = {.fp = temp_file(s),
                         .level = first->level + (same_level ? 1 : 0)};
    if (!merged.fp || merge(s, first, n, merged.fp, 0, NULL, NULL, NULL) < 0) {
        run_release(&merged);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        run_release(&first[i]);
    *first = merged;
    s->n_runs -= n - 1;
    return 0;
}

/* ---- in memory ---- */

/* By key; ties by where they are held, which is the order taken in. */
static int held_cmp(const void *a, const void *b, void *data) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    const unsigned char *base = data;
    int c = key_cmp(base + x + sizeof(uint32_t), base + y + sizeof(uint32_t));
    return c ? c : (x > y) - (x < y);
}

/*
 * Sorting what is held goes eight bytes of key at a time: each record's next
 * eight bytes of key (kind, then id) are read once into an entry, as a
 * big-endian number, and the entries are sorted by those numbers with a
 * stable radix sort; entries that tie and have more key are then sorted on
 * their next eight bytes, and so on. Stable, so ties keep the order taken.
 */
struct sort_entry {
    uint64_t chunk; /* key bytes [depth, depth + 8), zero past its end */
    size_t at;      /* where the record is held */
};

/* The length of the key of the record held at at: its kind byte, then its id's. */
static size_t key_len(const unsigned char *base, size_t at) {
    uint32_t id_len;
    memcpy(&id_len, base + at + sizeof(uint32_t) + 2, sizeof(id_len));
    return 1 + (size_t)id_len;
}

static void load_chunk(struct sort_entry *e, const unsigned char *base, size_t depth) {
    const unsigned char *p = base + e->at + sizeof(uint32_t);
    size_t len = key_len(base, e->at);
    uint64_t chunk = 0;
    if (depth > 0 && depth + 8 <= len) {
        const unsigned char *k = p + 6 + depth - 1;
        for (int i = 0; i < 8; i++)
            chunk = chunk << 8 | k[i];
    } else {
        for (size_t i = depth; i < depth + 8; i++)
            chunk = chunk << 8 | (i >= len ? 0 : i == 0 ? p[0] : p[6 + i - 1]);
    }
    e->chunk = chunk;
}

/*
 * One stable counting pass of e into out, on the byte of each chunk at
 * shift. 1, or 0 when every entry has the same byte there and none moved.
 */
static int radix_pass(const struct sort_entry *e, struct sort_entry *out, size_t n,
                      int shift) {
    size_t count[256] = {0};
    for (size_t i = 0; i < n; i++)
        count[(e[i].chunk >> shift) & 0xFF]++;
    for (size_t d = 0; d < 256; d++)
        if (count[d] == n)
            return 0;
    for (size_t d = 0, sum = 0; d < 256; d++) {
        size_t c = count[d];
        count[d] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        out[count[(e[i].chunk >> shift) & 0xFF]++] = e[i];
    return 1;
}

/* Sorts e[0..n) by chunk, stably (tmp: room for n more). */
static void sort_chunks(struct sort_entry *e, struct sort_entry *tmp, size_t n) {
    if (n < 32) { /* few: by insertion */
        for (size_t i = 1; i < n; i++) {
            struct sort_entry x = e[i];
            size_t j = i;
            for (; j > 0 && x.chunk < e[j - 1].chunk; j--)
                e[j] = e[j - 1];
            e[j] = x;
        }
        return;
    }
    struct sort_entry *from = e, *to = tmp;
    for (int shift = 0; shift < 64; shift += 8) { /* least significant byte first */
        if (radix_pass(from, to, n, shift)) {
            struct sort_entry *t = from;
            from = to;
            to = t;
        }
    }
    if (from != e)
        memcpy(e, from, n * sizeof(*e));
}

static void sort_entries(struct sort_entry *e, struct sort_entry *tmp, size_t n,
                         const unsigned char *base, size_t depth) {
    for (size_t i = 0; i < n; i++)
        load_chunk(&e[i], base, depth);
    sort_chunks(e, tmp, n);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && e[j].chunk == e[i].chunk; j++)
            ;
        if (j - i < 2)
            continue;
        /* Keys that end here come first (their kin are longer); the rest go on. */
        size_t ended = 0, more = 0;
        for (size_t k = i; k < j; k++) {
            if (key_len(base, e[k].at) <= depth + 8)
                e[i + ended++] = e[k];
            else
                tmp[more++] = e[k];
        }
        memcpy(e + i + ended, tmp, more * sizeof(*e));
        if (more > 1)
            sort_entries(e + i + ended, tmp, more, base, depth + 8);
    }
}

static void sort_held(struct dsr_sorter *s) {
    if (s->n < 2 || s->in_order)
        return;
    struct sort_entry *e = malloc(2 * s->n * sizeof(*e));
    if (!e) { /* no room for entries: the same order, a key at a time */
        qsort_r(s->at, s->n, sizeof(*s->at), held_cmp, s->held.data);
        return;
    }
    for (size_t i = 0; i < s->n; i++)
        e[i].at = s->at[i];
    sort_entries(e, e + s->n, s->n, s->held.data, 0);
    for (size_t i = 0; i < s->n; i++)
        s->at[i] = e[i].at;
    free(e);
}

/* Writes what is held to fp, in order. 0, or -1 (failure recorded). */
static int put_held(struct dsr_sorter *s, FILE *fp) {
    if (s->in_order) { /* held as taken: the run's bytes, as they are */
        if (fwrite_unlocked(s->held.data, 1, s->held.len, fp) != s->held.len)
            fail(s, "write", errno);
        return s->failed ? -1 : 0;
    }
    for (size_t i = 0; i < s->n && !s->failed; i++) {
        uint32_t size;
        const unsigned char *p = held_record(s, i, &size);
        put_packed(s, fp, p, size);
    }
    return s->failed ? -1 : 0;
}

/* Frees what is held, and the room for it. */
static void drop_held(struct dsr_sorter *s) {
    free(s->held.data);
    free(s->at);
    s->held = (struct dsr_bytes){0};
    s->at = NULL;
    s->n = s->alloc = 0;
}

/*
 * Sorts what is held and writes it out as a new run of level 0. First, every
 * FAN_IN runs of one level are merged into one of the next, so that at most
 * FAN_IN runs a level stay open (and never more than MAX_RUNS): only when
 * another run comes, as the final merge takes FAN_IN runs as well as one.
 */
static int spill(struct dsr_sorter *s) {
    while (s->n_runs >= FAN_IN &&
           (s->runs[s->n_runs - FAN_IN].level == s->runs[s->n_runs - 1].level ||
            s->n_runs >= MAX_RUNS))
        if (merge_youngest(s, FAN_IN) < 0)
            return -1;
    /* Kept in order: one run, appended to. */
    int append = s->in_order && s->n_runs == 1;
    struct run *r = &s->runs[append ? 0 : s->n_runs];
    if (append && fseek(r->fp, 0, SEEK_END) != 0) {
        fail(s, "write", errno);
        return -1;
    }
    if (!append) {
        memset(r, 0, sizeof(*r));
        if (!(r->fp = temp_file(s)))
            return -1;
        s->n_runs++;
    }
    if (!s->in_order)
        sort_held(s);
    int put = put_held(s, r->fp);
    s->n = 0;
    s->held.len = 0;
    return put < 0 || finish_file(s, r->fp) < 0 ? -1 : 0;
}

/* Room for one more record or item held. 0, or -1 (failure recorded). */
static int room(struct dsr_sorter *s) {
    if (s->failed)
        return -1;
    size_t *at = dsr_room(s->at, &s->alloc, s->n, sizeof(*at));
    if (!at) {
        fail(s, NULL, 0);
        return -1;
    }
    s->at = at;
    return 0;
}

/* ---- spilling aside ---- */

void dsr_sorter_spill_aside(struct dsr_sorter *s) {
    s->spill_aside = 1;
}

static void *spiller(void *aside) {
    spill(aside);
    return NULL;
}

/* Waits for the spill in flight, if any. 0, or -1 when it failed (recorded in s). */
static int wait_aside(struct dsr_sorter *s) {
    if (s->spilling) {
        pthread_join(s->spiller, NULL);
        s->spilling = 0;
    }
    if (s->aside && s->aside->failed && !s->failed) {
        fail(s, s->aside->doing, s->aside->err);
        return -1;
    }
    return s->failed ? -1 : 0;
}

/*
 * Spills what is held in the spiller thread: the aside sorter takes the held
 * records, and gives back its empty buffers to hold more. 0, or -1 (failure
 * recorded). One spill at a time, so runs are made in the order taken.
 */
static int spill_aside(struct dsr_sorter *s) {
    if (wait_aside(s) < 0)
        return -1;
    if (!s->aside && !(s->aside = dsr_sorter_new(s->budget, s->tmpdir))) {
        fail(s, NULL, 0);
        return -1;
    }
    struct dsr_sorter *a = s->aside;
    struct dsr_bytes held = a->held;
    size_t *at = a->at, alloc = a->alloc;
    a->in_order = s->in_order;
    a->held = s->held;
    a->at = s->at;
    a->n = s->n;
    a->alloc = s->alloc;
    s->held = held;
    s->at = at;
    s->alloc = alloc;
    s->n = 0;
    if (pthread_create(&s->spiller, NULL, spiller, a) != 0) {
        spill(a); /* no thread: spilled here */
        return wait_aside(s);
    }
    s->spilling = 1;
    return 0;
}

/* After the last take: the runs spilled aside become this sorter's. 0, or -1. */
static int take_aside_runs(struct dsr_sorter *s) {
    if (wait_aside(s) < 0)
        return -1;
    if (s->aside) {
        memcpy(s->runs, s->aside->runs, s->aside->n_runs * sizeof(*s->runs));
        s->n_runs = s->aside->n_runs;
        s->aside->n_runs = 0;
    }
    return 0;
}

/*
 * Holds what was just packed at offset start (packed: 0, or -1 when packing
 * ran out of memory), and spills past the budget (half of it each, when two
 * halves take turns spilling aside). 0, or -1 (failure recorded).
 */
static int held_one(struct dsr_sorter *s, size_t start, int packed) {
    if (packed < 0) {
        fail(s, NULL, 0);
        return -1;
    }
    s->at[s->n++] = start;
    size_t budget = s->spill_aside ? s->budget / 2 : s->budget;
    /* Each record held costs its offset, and two entries while it is sorted. */
    if (s->held.len + s->n * (sizeof(*s->at) + 2 * sizeof(struct sort_entry)) > budget &&
        (s->spill_aside ? spill_aside(s) : spill(s)) < 0)
        return -1;
    return 0;
}

int dsr_sorter_take(struct dsr_sorter *s, struct dsr_record *rec) {
    size_t start = s->held.len;
    int rc = room(s) < 0 ? -1 : held_one(s, start, pack(&s->held, rec));
    dsr_record_free(rec);
    return rc;
}

void dsr_sorter_keep_order(struct dsr_sorter *s) {
    s->in_order = 1;
}

int dsr_sorter_take_item(struct dsr_sorter *s, const char *key, size_t key_len,
                         const void *data, size_t len) {
    size_t start = s->held.len,
           size = dsr_sorter_pack_item(NULL, key, key_len, data, len);
    if (room(s) < 0)
        return -1;
    int reserved = dsr_bytes_reserve(&s->held, size);
    if (reserved == 0)
        s->held.len +=
            dsr_sorter_pack_item(s->held.data + start, key, key_len, data, len);
    return held_one(s, start, reserved);
}

int dsr_sorter_take_packed(struct dsr_sorter *s, const unsigned char *p, size_t n) {
    while (n > 0) {
        uint32_t size;
        memcpy(&size, p, sizeof(size));
        size_t whole = sizeof(size) + size, start = s->held.len;
        if (room(s) < 0)
            return -1;
        int reserved = dsr_bytes_append(&s->held, p, whole);
        if (held_one(s, start, reserved) < 0)
            return -1;
        p += whole;
        n -= whole;
    }
    return 0;
}

/*
 * Finishing in memory: reports and drops duplicates among the sorted records
 * held (items are shown to s->each instead). Returns duplicates, or what
 * each_item returned.
 */
static int drop_held_duplicates(struct dsr_sorter *s, struct dsr_diags *diags) {
    int duplicates = 0;
    size_t kept = 0;
    for (size_t i = 0; s->each && i < s->n; i++) {
        uint32_t size;
        const unsigned char *p = held_record(s, i, &size);
        int rc = each_item(s, p, size);
        if (rc < 0)
            return rc;
    }
    if (s->each)
        return 0;
    for (size_t i = 0; i < s->n; i++) {
        uint32_t size, first_size;
        const unsigned char *p = held_record(s, i, &size);
        const unsigned char *first = kept ? held_record(s, kept - 1, &first_size) : NULL;
        if (first && key_cmp(first, p) == 0) {
            report_duplicate(diags, p, first);
            duplicates++;
            continue;
        }
        s->at[kept++] = s->at[i];
    }
    s->n = kept;
    return duplicates;
}

/*
 * Shows visit each record held; one visit changed is held again, packed
 * anew. 0, -1 on a failure (recorded), or -2 when visit failed.
 */
static int visit_held(struct dsr_sorter *s, dsr_visit_fn visit, void *ctx) {
    for (size_t i = 0; visit && i < s->n; i++) {
        uint32_t size;
        const unsigned char *p = held_record(s, i, &size);
        struct dsr_record *rec = unpack_or_fail(s, p, size);
        if (!rec)
            return -1;
        int changed = visit(ctx, rec);
        size_t at = s->held.len;
        if (changed > 0 && pack(&s->held, rec) < 0) {
            fail(s, NULL, 0);
            changed = -1;
        }
        dsr_record_free(rec);
        if (changed < 0)
            return s->failed ? -1 : -2;
        if (changed)
            s->at[i] = at;
    }
    return 0;
}

/*
 * After the last take: what is held is sorted, and when runs were spilled it
 * becomes the youngest run, merged from memory. 0, or -1 (failure recorded).
 */
static int last_run(struct dsr_sorter *s) {
    sort_held(s); /* while the last spill aside, if any, ends */
    if (take_aside_runs(s) < 0)
        return -1;
    if (s->n_runs > 0 && s->n > 0)
        s->runs[s->n_runs++] = (struct run){.held = 1};
    return 0;
}

/* After the final merge: the runs and what was held go; the result's head stays. */
static void release_runs(struct dsr_sorter *s) {
    for (size_t i = 0; i < s->n_runs; i++)
        run_release(&s->runs[i]);
    s->n_runs = 0;
    drop_held(s);
}

/* What finish returns for what a final step returned: -2 (visit's failure) is -1. */
static int finished(struct dsr_sorter *s, struct dsr_diags *diags, int rc) {
    if (rc >= 0)
        return rc;
    if (rc != -2) /* visit's own failure is visit's to report: dsr_sorter_failed() is 0 */
        dsr_sorter_report(s, diags);
    return -1;
}

/* Makes the runs ready to be merged again from their starts. 0, or -1 (failure recorded).
 */
static int rewind_runs(struct dsr_sorter *s) {
    for (size_t i = 0; i < s->n_runs; i++) {
        s->runs[i].next_held = 0;
        s->runs[i].in.len = s->runs[i].taken = 0;
        if (s->runs[i].fp && fseek(s->runs[i].fp, 0, SEEK_SET) != 0) {
            fail(s, "read back", errno);
            return -1;
        }
    }
    return 0;
}

/*
 * Writes the run held in memory (the youngest) to a file of its own and frees
 * the memory: records handed out after finish come from files alone, so a
 * sorter finished holds no budget's worth of memory while whoever reads it
 * fills a sorter of their own. 0, or -1 (failure recorded).
 */
static int held_to_file(struct dsr_sorter *s) {
    struct run *r = &s->runs[s->n_runs - 1];
    if (!r->held)
        return 0;
    FILE *fp = temp_file(s);
    if (!fp || put_held(s, fp) < 0 || finish_file(s, fp) < 0) {
        if (fp)
            fclose(fp);
        return -1;
    }
    r->held = 0;
    r->fp = fp;
    drop_held(s);
    return 0;
}

int dsr_sorter_finish(struct dsr_sorter *s, struct dsr_diags *diags, dsr_visit_fn visit,
                      void *ctx, int keep) {
    if (last_run(s) < 0)
        return finished(s, diags, -1);
    if (s->n_runs == 0) {
        int duplicates = drop_held_duplicates(s, diags);
        int rc = duplicates < 0 ? duplicates : visit_held(s, visit, ctx);
        return finished(s, diags, rc < 0 ? rc : duplicates);
    }
    int duplicates = merge(s, s->runs, s->n_runs, NULL, 1, diags, visit, ctx);
    if (keep && duplicates >= 0) { /* merged again as they are handed out */
        duplicates = rewind_runs(s) < 0 || held_to_file(s) < 0 ? -1 : duplicates;
        s->handing_out = 1;
        s->visit = visit;
        s->visit_ctx = ctx;
    } else {
        release_runs(s);
    }
    return finished(s, diags, duplicates);
}

int dsr_sorter_check(struct dsr_sorter *s, struct dsr_diags *dups) {
    if (last_run(s) < 0)
        return finished(s, dups, -1);
    int duplicates = s->n_runs == 0
                         ? drop_held_duplicates(s, dups)
                         : merge(s, s->runs, s->n_runs, NULL, 1, dups, NULL, NULL);
    if (duplicates >= 0 && rewind_runs(s) < 0)
        duplicates = -1;
    return finished(s, dups, duplicates);
}

int dsr_sorter_revisit(struct dsr_sorter *s, struct dsr_diags *dups, dsr_visit_fn visit,
                       void *ctx) {
    if (s->n_runs == 0) /* in memory, duplicates are reported before any visit */
        return finished(s, dups, visit_held(s, visit, ctx));
    /* Merged again, duplicates reported again among what visit reports. */
    dsr_diags_release(dups);
    dsr_diags_init(dups);
    int duplicates = merge(s, s->runs, s->n_runs, NULL, 1, dups, visit, ctx);
    release_runs(s);
    return finished(s, dups, duplicates);
}

int dsr_sorter_finish_items(struct dsr_sorter *s, struct dsr_diags *diags,
                            dsr_item_fn each, void *ctx) {
    s->each = each;
    s->each_ctx = ctx;
    return dsr_sorter_finish(s, diags, NULL, NULL, 0) < 0 ? -1 : 0;
}

/*
 * The next record of the final merge, done again: records sharing a key with
 * the one before are dropped (finish reported them), and the visit finish
 * made is made again. NULL at the end or on a failure (recorded).
 */
static struct dsr_record *out_next(struct dsr_sorter *s) {
    if (!s->tree_made) {
        tree_start(s, &s->out_tree, s->runs, s->n_runs);
        s->tree_made = 1;
    }
    while (!s->failed && tree_first(&s->out_tree)->has_head) {
        struct run *r = tree_first(&s->out_tree);
        struct dsr_record *rec = NULL;
        if (!s->has_out_key || key_cmp(s->out_key.data, r->head) != 0) {
            rec = unpack_or_fail(s, r->head, r->head_len);
            s->has_out_key = keep_key(s, &s->out_key, r->head, r->head_len) == 0;
        }
        tree_next(s, &s->out_tree);
        if (rec && s->visit && s->visit(s->visit_ctx, rec) < 0)
            fail(s, NULL, 0);
        if (rec && !s->failed)
            return rec;
        dsr_record_free(rec);
    }
    return NULL;
}

const struct dsr_record *dsr_sorter_next(struct dsr_sorter *s) {
    dsr_record_free(s->out);
    s->out = NULL;
    if (s->failed)
        return NULL;
    if (s->handing_out) {
        s->out = out_next(s);
        return s->out;
    }
    if (s->next >= s->n)
        return NULL;
    uint32_t size;
    const unsigned char *p = held_record(s, s->next++, &size);
    s->out = unpack_or_fail(s, p, size);
    return s->out;
}

int dsr_sorter_failed(const struct dsr_sorter *s) {
    return s->failed;
}
