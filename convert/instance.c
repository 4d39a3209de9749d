/*
 * JSON Schema over files: a schema read from its file (its problems placed at
 * their line and column), and the instances of one input checked against it:
 * every JSON document, JSON Lines line or CSV row (an object of strings keyed
 * by the header) is one instance. Errors are placed in the input by their
 * instance pointer (json_pos.c). JSON Lines is read a line at a time, so
 * memory is bounded by the longest line; a JSON document a member at a time,
 * the elements of an array member one by one, when the schema allows it
 * (dsr_jschema_split), else whole, as a CSV table is.
 */
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

struct input {
    char *text; /* the whole input, NUL-terminated, BOM skipped */
    char *buf;  /* what to free */
    size_t len; /* bytes of text */
};

/* One instance being checked: where its text lies, and where errors go. */
struct check {
    struct dsr_diags *diags;
    const char *file;
    const char *text; /* the instance's JSON text, or NULL (CSV rows) */
    size_t len;
    int line, column;     /* where text starts in the file */
    dsr_locate_fn locate; /* CSV: places a pointer in the row's cells; else NULL */
    void *locate_ctx;
    size_t ip_skip; /* bytes of an error's instance pointer that lead to text */
};

/* A JSON Lines line longer than this is refused, as the dataset reader refuses it. */
#define LINE_MAX_BYTES (64u << 20)
#define CHUNK (1u << 16)

/* Opens a file, or stdin for "-"; NULL after a diagnostic. */
static FILE *open_input(const char *name, struct dsr_diags *diags) {
    FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
    if (!f)
        dsr_diag_add(diags, DSR_DIAG_IO, name, 0, 0, NULL,
                     "cannot read: no such file or not readable");
    return f;
}

static void close_input(FILE *f) {
    if (f != stdin)
        fclose(f);
}

/*
 * Looks at an input's first bytes (dsr_input_start decides): returns the bytes
 * of BOM to skip, or -1 after refusing UTF-16 or UTF-32 as a diagnostic of kind bad.
 */
static int input_start(const char *b, size_t n, const char *name, enum dsr_diag_kind bad,
                       struct dsr_diags *diags) {
    int skip = dsr_input_start((const unsigned char *)b, n < 4 ? n : 4, name, 1, NULL);
    if (skip < 0)
        dsr_diag_add(diags, bad, name, 1, 1, NULL,
                     "UTF-16 or UTF-32 input refused: dossier reads UTF-8");
    return skip;
}

/* Reads a file (or stdin for "-") whole; refuses UTF-16 and UTF-32, skips a BOM. */
static int read_input(const char *name, struct input *in, enum dsr_diag_kind bad,
                      struct dsr_diags *diags) {
    FILE *f = open_input(name, diags);
    if (!f)
        return -1;
    size_t cap = CHUNK, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    int err = !buf || ferror(f);
    close_input(f);
    if (err) {
        free(buf);
        dsr_diag_add(diags, DSR_DIAG_IO, name, 0, 0, NULL, "cannot read: read error");
        return -1;
    }
    buf[n] = '\0';
    int skip = input_start(buf, n, name, bad, diags);
    if (skip < 0) {
        free(buf);
        return -1;
    }
    in->buf = buf;
    in->text = buf + skip;
    in->len = n - (size_t)skip;
    return 0;
}

/* Parses one JSON value; integers past 64 bits are kept exactly, as bignums. */
static json_t *parse(const char *text, size_t len, json_error_t *err) {
    size_t flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL;
    return dsr_jschema_loadb(text, len, flags, err);
}

static void on_error(void *ctx, const char *ip, const char *kl, const char *al,
                     const char *msg) {
    (void)al; /* the keyword location relative to the document is enough here */
    struct check *c = ctx;
    int line = c->line, column = c->column;
    char text[DSR_MSG_MAX];
    if (c->text)
        dsr_json_locate(c->text, c->len, c->line, c->column, ip + c->ip_skip, &line,
                        &column);
    /* a long message is cut between characters: reports need valid UTF-8 */
    if (snprintf(text, sizeof text, "%s (schema %s)", msg, kl[0] ? kl : "root") >=
        (int)sizeof text)
        text[dsr_utf8_trim(text, strlen(text))] = '\0';
    struct dsr_diag *d =
        dsr_diag_add(c->diags, DSR_DIAG_SCHEMA, c->file, line, column, ip, "%s", text);
    if (d && c->locate)
        dsr_diag_locate(c->diags, d, c->locate, c->locate_ctx, ip);
}

/* Validates one instance. */
static void check_one(const struct dsr_jschema *js, struct check *c, const json_t *inst) {
    if (dsr_jschema_validate(js, inst, on_error, c) < 0)
        dsr_diag_add(c->diags, DSR_DIAG_REFUSED, c->file, c->line, c->column, NULL,
                     "validation stopped on this value: a limit was reached");
}

static void check_json(const struct dsr_jschema *js, struct check *c) {
    json_error_t err;
    json_t *inst = parse(c->text, c->len, &err);
    if (!inst) {
        dsr_diag_add(c->diags, DSR_DIAG_SYNTAX, c->file, c->line + err.line - 1,
                     err.line == 1 ? c->column + err.column - 1 : err.column, NULL,
                     "invalid JSON: %s", err.text);
        return;
    }
    check_one(js, c, inst);
    json_decref(inst);
}

/* ---- a JSON document in pieces ---- */

/* One member of the document's root object, as the walk met it. */
struct member {
    char *name; /* owned */
    int split;  /* 1: its elements were checked one at a time (plan) */
    struct dsr_jschema_split plan;
    json_t *stand_in; /* split: the empty array standing for its elements */
    size_t size;      /* split: how many elements it has */
    char *text;       /* not split: its value's text, to place errors; owned */
    size_t len;
    int line, column; /* where its value starts */
};

/*
 * Elements of one split member, checked by a worker (check_elements), a block
 * at a time; blocks are taken back in order, so diagnostics are the same with
 * any number of threads.
 */
struct elements {
    const struct dsr_jschema *js;
    struct dsr_jschema_split plan; /* the member's; its name borrowed */
    struct check c;                /* c.diags is the block's own list */
    struct dsr_diags diags;
    struct dsr_pieces text; /* the elements */
    int unparsed;           /* an element was not JSON: the document is read whole */
};

/* A block's elements: this many bytes of text, or this many elements, at most. */
#define ELEMENTS_BYTES (256u << 10)
#define ELEMENTS_MAX 8192

/* A document checked a member, or an array's element, at a time (dsr_jschema_split). */
struct split_doc {
    const struct dsr_jschema *js;
    struct check *c;
    json_t *rest; /* the document without the split members' elements */
    struct member *members;
    size_t n, cap;
    int line, column;            /* where the document starts */
    struct dsr_workers *workers; /* check the elements */
    struct elements *open;       /* the block being filled, or NULL */
    int unparsed;                /* some block had an element that was not JSON */
    int no_memory;
};

static void split_root(void *ctx, int line, int column) {
    struct split_doc *d = ctx;
    d->line = line;
    d->column = column;
}

static int split_member(void *ctx, const char *name, int is_array, int *split) {
    struct split_doc *d = ctx;
    if (json_object_get(d->rest, name))
        return 1; /* a duplicate: reading it whole says so */
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        struct member *m = realloc(d->members, cap * sizeof(*m));
        if (!m)
            return 1;
        d->members = m;
        d->cap = cap;
    }
    struct member *m = &d->members[d->n];
    memset(m, 0, sizeof(*m));
    if (!(m->name = strdup(name)))
        return 1;
    d->n++;
    *split = m->split = is_array && dsr_jschema_split(d->js, m->name, &m->plan);
    return 0;
}

/* A worker's part: each element of the block, until one is not JSON. */
static void check_elements(void *ctx, void *item) {
    struct elements *b = item;
    char prefix[DSR_PATH_MAX] = "";
    (void)ctx;
    dsr_pointer_append(prefix, sizeof(prefix), b->plan.member);
    for (size_t i = 0; i < b->text.n; i++) {
        const struct dsr_piece *e = &b->text.at[i];
        json_t *v = parse(b->text.text + e->off, e->len, NULL);
        if (!v) {
            b->unparsed = 1;
            return;
        }
        struct check c = b->c;
        c.text = b->text.text + e->off;
        c.len = e->len;
        c.line = e->line;
        c.column = e->column;
        c.ip_skip = strlen(prefix) + (size_t)snprintf(NULL, 0, "/%zu", e->index);
        if (dsr_jschema_split_element(b->js, &b->plan, e->index, v, on_error, &c) < 0)
            dsr_diag_add(c.diags, DSR_DIAG_REFUSED, c.file, e->line, e->column, NULL,
                         "validation stopped on this value: a limit was reached");
        json_decref(v);
    }
}

static void elements_free(struct elements *b) {
    dsr_diags_release(&b->diags);
    dsr_pieces_release(&b->text);
    free(b);
}

/* Takes a checked block back: its diagnostics to the document's, in order. */
static void take_elements(struct split_doc *d, struct elements *b) {
    d->unparsed |= b->unparsed;
    dsr_diags_move(d->c->diags, &b->diags);
    elements_free(b);
}

/* Hands the open block to the workers, taking the oldest back first when they are full.
 */
static void submit_elements(struct split_doc *d) {
    if (!d->open)
        return;
    if (dsr_workers_full(d->workers))
        take_elements(d, dsr_workers_next(d->workers));
    dsr_workers_submit(d->workers, d->open);
    d->open = NULL;
}

/* Adds an element to the open block (a new one for a new member). 0, or -1. */
static int add_element(struct split_doc *d, const struct member *m, size_t index,
                       const char *text, size_t len, int line, int column) {
    struct elements *b = d->open;
    if (!b) {
        if (!(b = d->open = calloc(1, sizeof(*b))))
            return -1;
        b->js = d->js;
        b->plan = m->plan;
        b->c = *d->c;
        b->c.diags = &b->diags;
        dsr_diags_init(&b->diags);
    }
    return dsr_pieces_add(&b->text, text, len, index, line, column,
                          ELEMENTS_BYTES + CHUNK);
}

static int split_element(void *ctx, size_t index, const char *text, size_t len, int line,
                         int column) {
    struct split_doc *d = ctx;
    if (d->unparsed)
        return 1;
    if (add_element(d, &d->members[d->n - 1], index, text, len, line, column) < 0) {
        d->no_memory = 1;
        return 1;
    }
    if (d->open->text.len >= ELEMENTS_BYTES || d->open->text.n >= ELEMENTS_MAX)
        submit_elements(d);
    return 0;
}

static int split_array_end(void *ctx, size_t count, int line, int column) {
    struct split_doc *d = ctx;
    struct member *m = &d->members[d->n - 1];
    submit_elements(d); /* the next member's elements go in blocks of their own */
    m->size = count;
    m->line = line;
    m->column = column;
    m->stand_in = json_array();
    return !m->stand_in || json_object_set_new(d->rest, m->name, m->stand_in) < 0;
}

static int split_value(void *ctx, const char *text, size_t len, int line, int column) {
    struct split_doc *d = ctx;
    struct member *m = &d->members[d->n - 1];
    json_t *v = parse(text, len, NULL);
    if (!v || json_object_set_new(d->rest, m->name, v) < 0 || !(m->text = malloc(len)))
        return 1;
    memcpy(m->text, text, len);
    m->len = len;
    m->line = line;
    m->column = column;
    return 0;
}

/* Places an error of the rest of the document: in the member its pointer names. */
static void on_rest_error(void *ctx, const char *ip, const char *kl, const char *al,
                          const char *msg) {
    struct split_doc *d = ctx;
    struct check c = *d->c;
    c.line = d->line;
    c.column = d->column;
    for (size_t i = 0; i < d->n && *ip; i++) {
        char token[DSR_PATH_MAX] = "";
        dsr_pointer_append(token, sizeof(token), d->members[i].name);
        size_t n = strlen(token);
        if (strncmp(ip, token, n) || (ip[n] && ip[n] != '/'))
            continue;
        c.line = d->members[i].line;
        c.column = d->members[i].column;
        c.text = d->members[i].text;
        c.len = d->members[i].len;
        c.ip_skip = n;
        break;
    }
    on_error(&c, ip, kl, al, msg);
}

/*
 * Checks the JSON document in f in pieces, each split member's elements one
 * at a time, so memory holds the largest element, not the document. Returns
 * 1, having reported nothing, when the document must be read whole instead:
 * it is not an object of well-formed members, or out of memory.
 */
static int check_split(const struct dsr_jschema *js, struct check *c, FILE *f, int jobs) {
    struct dsr_diags found;
    dsr_diags_init(&found);
    struct check mine = *c;
    mine.diags = &found;
    struct split_doc d = {js,   &mine, json_object(),
                          NULL, 0,     0,
                          1,    1,     dsr_workers_new(jobs, check_elements, NULL),
                          NULL, 0,     0};
    static const struct dsr_json_walker walker = {split_root, split_member, split_element,
                                                  split_array_end, split_value};
    struct dsr_input in = {c->file, f, DSR_FORMAT_JSON, -1, 0, NULL};
    int whole = !d.rest || !d.workers || dsr_json_walk(&in, &walker, &d);
    if (d.workers) {
        submit_elements(&d);
        for (struct elements *done; (done = dsr_workers_next(d.workers));)
            take_elements(&d, done);
        dsr_workers_free(d.workers);
    }
    if (d.open)
        elements_free(d.open);
    whole |= d.unparsed || d.no_memory;
    const json_t **stand_ins = whole ? NULL : malloc((d.n + 1) * sizeof(*stand_ins));
    size_t *sizes = whole ? NULL : malloc((d.n + 1) * sizeof(*sizes)), k = 0;
    whole |= !stand_ins || !sizes;
    if (!whole) {
        for (size_t i = 0; i < d.n; i++)
            if (d.members[i].split) {
                stand_ins[k] = d.members[i].stand_in;
                sizes[k++] = d.members[i].size;
            }
        if (dsr_jschema_split_rest(js, d.rest, stand_ins, sizes, k, on_rest_error, &d) <
            0)
            dsr_diag_add(&found, DSR_DIAG_REFUSED, c->file, d.line, d.column, NULL,
                         "validation stopped on this value: a limit was reached");
        dsr_diags_move(c->diags, &found);
    }
    free(stand_ins);
    free(sizes);
    for (size_t i = 0; i < d.n; i++) {
        free(d.members[i].name);
        free(d.members[i].text);
    }
    free(d.members);
    json_decref(d.rest);
    dsr_diags_release(&found);
    return whole;
}

/* A stream read a line at a time: memory holds the longest line, not the input. */
struct lines {
    FILE *f;
    char *buf;         /* owned */
    size_t cap;        /* bytes allocated */
    size_t start, end; /* bytes read and not yet taken: buf[start..end) */
    int eof;           /* 1 = f has nothing more */
};

/* What reading a line gave: LINES_OK for a line, else why none. */
enum {
    LINES_OK,
    LINES_END,
    LINES_REFUSED,
    LINES_TOO_LONG,
    LINES_READ_ERROR,
    LINES_NO_MEMORY
};

/* Reads more after the bytes not yet taken, moved to the front of buf first. */
static int lines_fill(struct lines *l) {
    memmove(l->buf, l->buf + l->start, l->end - l->start);
    l->end -= l->start;
    l->start = 0;
    if (l->end == l->cap) {
        size_t cap =
            l->cap * 2 < LINE_MAX_BYTES + CHUNK ? l->cap * 2 : LINE_MAX_BYTES + CHUNK;
        char *buf = realloc(l->buf, cap);
        if (!buf)
            return LINES_NO_MEMORY;
        l->buf = buf;
        l->cap = cap;
    }
    size_t got = fread(l->buf + l->end, 1, l->cap - l->end, l->f);
    l->end += got;
    if (!got && ferror(l->f))
        return LINES_READ_ERROR;
    l->eof = !got;
    return LINES_OK;
}

/* The next line without its "\n" in *text (borrowed until the next call) and *len. */
static int lines_next(struct lines *l, const char **text, size_t *len) {
    size_t scanned = 0;
    const char *nl;
    for (;;) {
        size_t avail = l->end - l->start;
        nl = memchr(l->buf + l->start + scanned, '\n', avail - scanned);
        if (nl || avail > LINE_MAX_BYTES || l->eof)
            break;
        scanned = avail;
        int rc = lines_fill(l);
        if (rc != LINES_OK)
            return rc;
    }
    *text = l->buf + l->start;
    *len = nl ? (size_t)(nl - *text) : l->end - l->start;
    if (*len > LINE_MAX_BYTES)
        return LINES_TOO_LONG;
    if (!nl && !*len)
        return LINES_END;
    l->start += *len + (nl != NULL);
    return LINES_OK;
}

/*
 * JSON Lines are checked in blocks of lines, by worker threads when there are
 * several (dsr_workers), each block's diagnostics its own; the blocks are
 * taken back in order, so what is reported does not depend on the threads.
 */
#define BLOCK_LINES_BYTES (1u << 20)

struct lines_block {
    const struct dsr_jschema *js;
    struct check c; /* the file; c.diags is the block's own list */
    struct dsr_diags diags;
    char *text; /* whole lines, each ending in "\n" but maybe the last */
    size_t len, cap;
    int line; /* the number of its first line */
};

/* A worker's part: each line of the block that is not blank, as one instance. */
static void check_block(void *ctx, void *item) {
    struct lines_block *b = item;
    (void)ctx;
    const char *p = b->text, *end = b->text + b->len;
    for (int line = b->line; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *text = p;
        p += n + (nl != NULL);
        if (n && text[n - 1] == '\r')
            n--;
        size_t blank = 0;
        while (blank < n && (text[blank] == ' ' || text[blank] == '\t'))
            blank++;
        if (blank < n) {
            struct check lc = b->c;
            lc.text = text;
            lc.len = n;
            lc.line = line;
            check_json(b->js, &lc);
        }
    }
}

/* Takes a checked block back: its diagnostics to the input's, in order. */
static void take_block(struct check *c, struct lines_block *b) {
    dsr_diags_move(c->diags, &b->diags);
    free(b->text);
    free(b);
}

/* Checks each line that is not blank as one instance, reading f a line at a time. */
static void check_lines(const struct dsr_jschema *js, struct check *c, FILE *f,
                        int jobs) {
    struct lines l = {f, malloc(CHUNK), CHUNK, 0, 0, 0};
    int rc = l.buf ? LINES_OK : LINES_NO_MEMORY, line = 1;
    struct dsr_workers *workers = dsr_workers_new(jobs, check_block, NULL);
    if (!workers)
        rc = LINES_NO_MEMORY;
    while (rc == LINES_OK && l.end < 4 && !l.eof)
        rc = lines_fill(&l);
    if (rc == LINES_OK) {
        int skip = input_start(l.buf, l.end, c->file, DSR_DIAG_REFUSED, c->diags);
        rc = skip < 0 ? LINES_REFUSED : LINES_OK;
        l.start = skip < 0 ? 0 : (size_t)skip;
    }
    struct lines_block *b = NULL;
    const char *text = NULL;
    size_t n = 0;
    while (rc == LINES_OK) {
        rc = lines_next(&l, &text, &n);
        if (rc == LINES_OK && !b && (b = calloc(1, sizeof(*b)))) {
            *b = (struct lines_block){js, *c, {0}, NULL, 0, 0, line};
            b->c.diags = &b->diags;
        }
        /* Room for a block, or a line past it: one size, so freed blocks are reused. */
        size_t want = b ? b->len + n + 1 : 0;
        if (rc == LINES_OK && b && want > b->cap) {
            size_t cap =
                want > BLOCK_LINES_BYTES + CHUNK ? want : BLOCK_LINES_BYTES + CHUNK;
            char *grown = realloc(b->text, cap);
            if (grown)
                b->text = grown, b->cap = cap;
        }
        if (rc == LINES_OK && (!b || b->cap < want)) {
            rc = LINES_NO_MEMORY;
        } else if (rc == LINES_OK) {
            memcpy(b->text + b->len, text, n);
            b->text[b->len + n] = '\n';
            b->len += n + 1;
            line++;
        }
        /* A block full, or the input done: to the workers (one taken back if full). */
        if (b && (b->len >= BLOCK_LINES_BYTES || rc != LINES_OK)) {
            if (dsr_workers_full(workers))
                take_block(c, dsr_workers_next(workers));
            dsr_workers_submit(workers, b);
            b = NULL;
        }
    }
    for (struct lines_block *done; workers && (done = dsr_workers_next(workers));)
        take_block(c, done);
    dsr_workers_free(workers);
    if (rc == LINES_TOO_LONG)
        dsr_diag_add(c->diags, DSR_DIAG_REFUSED, c->file, line, 1, NULL,
                     "line longer than %u MiB refused", LINE_MAX_BYTES >> 20);
    else if (rc == LINES_READ_ERROR)
        dsr_diag_add(c->diags, DSR_DIAG_IO, c->file, 0, 0, NULL,
                     "cannot read: read error");
    else if (rc == LINES_NO_MEMORY)
        dsr_diag_add(c->diags, DSR_DIAG_REFUSED, c->file, 0, 0, NULL, "out of memory");
    free(l.buf);
}

/* CSV: every row after the header is an object of strings (csv_read.c reads it). */
struct csv_check {
    const struct dsr_jschema *js;
    struct check *c;
};

static int check_row(void *ctx, json_t *row, dsr_locate_fn locate, void *locate_ctx) {
    struct csv_check *cc = ctx;
    struct check rc = *cc->c;
    struct dsr_diag where = {0};
    locate(locate_ctx, "", &where); /* the row's first cell */
    rc.text = NULL;
    rc.line = where.line;
    rc.column = where.column;
    rc.locate = locate;
    rc.locate_ctx = locate_ctx;
    check_one(cc->js, &rc, row);
    return 0;
}

static void check_csv(const struct dsr_jschema *js, struct check *c) {
    struct csv_check cc = {js, c};
    FILE *fp = fmemopen((void *)c->text, c->len ? c->len : 1, "rb");
    if (!fp) {
        dsr_diag_add(c->diags, DSR_DIAG_REFUSED, c->file, 0, 0, NULL, "out of memory");
        return;
    }
    if (!c->len)
        fgetc(fp); /* fmemopen wants a size of at least 1: read that byte away */
    struct dsr_input in = {c->file, fp, DSR_FORMAT_CSV, -1, 0, NULL};
    dsr_csv_read_rows(&in, check_row, &cc, c->diags);
    fclose(fp);
}

/* Reads and parses a schema file into *in's text; NULL after a diagnostic. */
static json_t *load_schema(const char *name, struct input *in, struct dsr_diags *diags) {
    json_error_t err;
    if (read_input(name, in, DSR_DIAG_BAD_SCHEMA, diags))
        return NULL;
    json_t *j = parse(in->text, in->len, &err);
    if (!j)
        dsr_diag_add(diags, DSR_DIAG_BAD_SCHEMA, name, err.line, err.column, NULL,
                     "invalid schema: not JSON: %s", err.text);
    return j;
}

/*
 * Gives the schema's own diagnostics a line and column from their pointer, and
 * those of a file read beside it too (read again here, each file once).
 */
static void place_schema_diags(struct dsr_diags *diags, const char *name,
                               const struct input *in) {
    for (size_t i = 0; i < diags->count; i++) {
        struct dsr_diag *d = &diags->items[i];
        if (d->kind != DSR_DIAG_BAD_SCHEMA || d->line)
            continue;
        if (!strcmp(d->file, name)) {
            if (in->buf)
                dsr_json_locate(in->text, in->len, 1, 1, d->path, &d->line, &d->column);
            continue;
        }
        struct dsr_diags scratch;
        struct input other = {NULL, NULL, 0};
        dsr_diags_init(&scratch);
        int unread = read_input(d->file, &other, DSR_DIAG_BAD_SCHEMA, &scratch);
        for (size_t j = i; !unread && j < diags->count; j++) {
            struct dsr_diag *e = &diags->items[j];
            if (e->kind == DSR_DIAG_BAD_SCHEMA && !e->line && !strcmp(e->file, d->file))
                dsr_json_locate(other.text, other.len, 1, 1, e->path, &e->line,
                                &e->column);
        }
        free(other.buf);
        dsr_diags_release(&scratch);
    }
}

json_t *dsr_jschema_read_file(const char *path, struct dsr_diags *diags) {
    struct input in = {NULL, NULL, 0};
    json_t *doc = load_schema(path, &in, diags);
    free(in.buf);
    return doc;
}

struct dsr_jschema *dsr_jschema_new_from_file(const char *path,
                                              const struct dsr_jschema_options *opts,
                                              struct dsr_diags *diags) {
    struct input in = {NULL, NULL, 0};
    struct dsr_jschema_options o = {0};
    if (opts)
        o = *opts;
    if (!o.file)
        o.file = path; /* relative references name files beside it */
    json_t *schema = load_schema(path, &in, diags);
    struct dsr_jschema *js = schema ? dsr_jschema_new(schema, path, &o, diags) : NULL;
    if (!js)
        place_schema_diags(diags, path, &in);
    json_decref(schema); /* the validator keeps its own reference */
    free(in.buf);
    return js;
}
int dsr_jschema_check_path(const struct dsr_jschema *js, const char *name, int format,
                           int jobs, struct dsr_diags *diags) {
    struct dsr_diags mine; /* this input's own, for its status */
    dsr_diags_init(&mine);
    struct check c = {&mine, name, NULL, 0, 1, 1, NULL, NULL, 0};
    if (format < 0)
        format = dsr_format_from_path(name);
    struct input in = {NULL, NULL, 0};
    struct dsr_jschema_split plan;
    FILE *f = NULL;
    int whole = 1;
    if (format == DSR_FORMAT_JSONL && (f = open_input(name, &mine))) {
        check_lines(js, &c, f, jobs);
        close_input(f);
        whole = 0;
    } else if (format == DSR_FORMAT_JSON && strcmp(name, "-") &&
               dsr_jschema_split(js, NULL, &plan) && (f = fopen(name, "rb"))) {
        /* In pieces when the schema allows; read whole to say what is wrong. */
        whole = check_split(js, &c, f, jobs);
        fclose(f);
    }
    if (whole && format != DSR_FORMAT_JSONL &&
        !read_input(name, &in, DSR_DIAG_REFUSED, &mine)) {
        c.text = in.text;
        c.len = in.len;
        if (format == DSR_FORMAT_CSV)
            check_csv(js, &c);
        else
            check_json(js, &c);
        free(in.buf);
    }
    int status = dsr_diags_status(&mine);
    dsr_diags_move(diags, &mine);
    return status;
}
