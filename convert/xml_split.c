/*
 * One XML dataset document read by several threads. This thread scans the
 * markup lightly (tags, comments, CDATA sections, processing instructions),
 * following how deep elements go, and cuts the document into blocks of whole
 * records: each block ends at a line end after a record, inside a section.
 * Workers read each block on its own (dsr_xml_read_piece) after the start tags
 * of the dataset and of the section it lies in, and before their end tags,
 * against the XSD, in the document's lines and record paths. Blocks are taken
 * back in order, so records and diagnostics come as with one thread.
 *
 * A block's reading is kept only when nothing in it could depend on what the
 * block does not see: a problem outside records (the dataset's or a section's
 * structure, stray text), a syntax error or a refusal make it unsure. Then
 * this thread reads that block and all that follows in one pass, as a whole
 * document is read, and the output is the one-thread reader's in every case:
 * a scan led astray by broken markup only cuts blocks past the first problem,
 * and those are read again. The same one pass reads the document's end, and
 * anything this scan does not cut: a start that is not plain UTF-8 XML, a
 * DOCTYPE, or UNCUT_MAX bytes without a place to cut (one record that large,
 * or a document without line ends).
 */
#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xml.h"

#define READ (64u << 10)     /* read at a time */
#define UNCUT_MAX (4u << 20) /* no cut in this much: the rest is read in one pass */
/* The longest dataset or section start tag, which blocks repeat. */
#define OPEN_TAG_MAX (4u << 10)

size_t dsr_xml_split_block = 256u << 10;

/* What is open where a block starts. */
struct context {
    struct dsr_bytes prefix; /* their start tags on one line, "\n"; empty at the start */
    struct dsr_xml_piece at; /* their places, the first line, the records before */
};

/* A start tag kept: the dataset's or the open section's. */
struct open_tag {
    struct dsr_bytes tag; /* as written, line ends made spaces */
    size_t name_len;
    int line, column;
};

/* Where the scan of the input stands, in the bytes not yet in a block. */
struct scan {
    size_t at;   /* where scanning goes on */
    int depth;   /* elements open there */
    int section; /* kind of the open section's records, or -1 */
    size_t counts[DSR_KIND_COUNT];
    struct open_tag open[2];
    size_t lined; /* the line of this offset is known: */
    int line;
    int doc_start; /* the bytes start with the document */
    int started;   /* the document's start was found plain */
    int stop;      /* nothing more is cut */
};

struct block {
    struct block *next; /* among the spares */
    struct dsr_batch batch;
    const struct dsr_input *in;
    struct context start;
    struct dsr_bytes text;
    char suffix[2 * DSR_XML_TAG_MAX + 8];
    int unsure;
};

/*
 * The compiled XSD, one a thread reading at a time: libxml2 does not say
 * that threads may validate against one schema together.
 */
struct schemas {
    pthread_mutex_t lock;
    xmlSchemaPtr idle[64];
    size_t n_idle;
};

struct split {
    const struct dsr_input *in;
    xmlSchemaPtr schema; /* this thread's */
    struct schemas schemas;
    dsr_record_fn emit;
    void *ctx;
    struct dsr_diags *diags;
    struct dsr_workers *workers; /* made at the first cut */
    struct block *spares;        /* taken back: their buffers serve again */
    struct dsr_bytes buf;        /* the input read and not in a block */
    struct context start;        /* what is open where buf starts */
    struct scan scan;
    int eof;
    int stopped; /* emit said stop */
    int redo;    /* an unsure block came back: read it and all after in one pass */
    struct context redo_start;
    struct dsr_bytes redo_text;
};

/* ---- the scan ---- */

/* Counts the line ends in p[0..n), eight bytes at a time. */
static size_t line_ends(const unsigned char *p, size_t n) {
    size_t count = 0, i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        /* 0x80 in each byte that is a line end, exactly (no borrow from the
         * byte below, as in dsr_bytes_equal); their sum, in the top byte */
        uint64_t x = w ^ (DSR_ONES * '\n');
        uint64_t ends = ~(((x & ~DSR_HIGH_BITS) + ~DSR_HIGH_BITS) | x) & DSR_HIGH_BITS;
        count += (size_t)(((ends >> 7) * DSR_ONES) >> 56);
    }
    for (; i < n; i++)
        count += p[i] == '\n';
    return count;
}

static int line_at(struct scan *s, const unsigned char *b, size_t at) {
    s->line += (int)line_ends(b + s->lined, at - s->lined);
    s->lined = at;
    return s->line;
}

/*
 * The column of b[at] as the reader counts it: characters from the line's
 * start, which buf always holds (it starts at a line's start), a BOM not
 * counted.
 */
static int column_at(const struct scan *s, const unsigned char *b, size_t at) {
    size_t from = at;
    while (from > 0 && b[from - 1] != '\n')
        from--;
    if (from == 0 && s->doc_start && at >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
        from = 3;
    int column = 1;
    for (size_t i = from; i < at; i++)
        column += (b[i] & 0xC0) != 0x80;
    return column;
}

/* 1 when b[0..n) starts with the n first bytes of literal (or all of it). */
static int starts(const unsigned char *b, size_t n, const char *literal) {
    size_t len = strlen(literal);
    return !memcmp(b, literal, n < len ? n : len);
}

/*
 * Where the markup at b[at] ("<") ends, past its ">"; 0 when it goes on past
 * b[len], SIZE_MAX when the scan does not follow it (a DOCTYPE).
 */
static size_t markup_end(const unsigned char *b, size_t at, size_t len) {
    const unsigned char *p = b + at, *end = b + len, *q;
    size_t n = len - at;
    if (n < 2)
        return 0;
    if (p[1] == '!') {
        if (n >= 4 && starts(p, n, "<!--"))
            q = memmem(p + 4, (size_t)(end - p - 4), "-->", 3), n = 3;
        else if (n >= 9 && starts(p, n, "<![CDATA["))
            q = memmem(p + 9, (size_t)(end - p - 9), "]]>", 3), n = 3;
        else if (starts(p, n, "<!--") || starts(p, n, "<![CDATA["))
            return 0;
        else
            return SIZE_MAX;
        return q ? (size_t)(q - b) + n : 0;
    }
    if (p[1] == '?') {
        q = memmem(p + 2, n - 2, "?>", 2);
        return q ? (size_t)(q - b) + 2 : 0;
    }
    if (p[1] == '/') {
        q = memchr(p + 2, '>', n - 2);
        return q ? (size_t)(q - b) + 1 : 0;
    }
    for (q = p + 1; q < end; q++) { /* a start tag: ">" may stand in quoted values */
        if (*q == '>')
            return (size_t)(q - b) + 1;
        if (*q == '"' || *q == '\'') {
            q = memchr(q + 1, *q, (size_t)(end - q - 1));
            if (!q)
                return 0;
        }
    }
    return 0;
}

/* Keeps the start tag b[at..end) of an element at depth 1 or 2. -1: it cannot be. */
static int keep_open(struct scan *s, const unsigned char *b, size_t at, size_t end,
                     size_t name_len, int depth) {
    struct open_tag *o = &s->open[depth - 1];
    if (end - at > OPEN_TAG_MAX || name_len >= DSR_XML_TAG_MAX)
        return -1;
    o->tag.len = 0;
    if (dsr_bytes_reserve(&o->tag, end - at) < 0)
        return -1;
    for (size_t i = at; i < end; i++) {
        if (b[i] == '\r' && i + 1 < end && b[i + 1] == '\n')
            continue; /* a line end is one space in a value, as the parser reads it */
        o->tag.data[o->tag.len++] = b[i] == '\r' || b[i] == '\n' ? ' ' : b[i];
    }
    o->name_len = name_len;
    o->line = line_at(s, b, at);
    o->column = column_at(s, b, at);
    return 0;
}

/* A start tag b[at..end): its depth's part. -1 when the scan cannot go on. */
static int start_tag(struct scan *s, const unsigned char *b, size_t at, size_t end,
                     int self) {
    int depth = s->depth + 1;
    if (depth > 3)
        return 0;
    const unsigned char *name = b + at + 1;
    size_t name_len = 0;
    while (at + 1 + name_len < end && !strchr(" \t\r\n/>", name[name_len]))
        name_len++;
    if (depth == 3) {
        const char *record = s->section >= 0 ? dsr_kind_info(s->section)->name : NULL;
        if (record && strlen(record) == name_len && !memcmp(name, record, name_len))
            s->counts[s->section]++;
        return 0;
    }
    if ((depth == 1 && self) || keep_open(s, b, at, end, name_len, depth) < 0)
        return -1; /* an empty root: nothing to cut */
    s->section = -1;
    for (int k = 0; depth == 2 && k < DSR_KIND_COUNT; k++) {
        const char *plural = dsr_kind_info(k)->plural;
        if (strlen(plural) == name_len && !memcmp(name, plural, name_len))
            s->section = k;
    }
    return 0;
}

/* The quoted value of pseudo-attribute name in an XML declaration, or "". */
static void decl_value(const char *decl, const char *name, char *out, size_t n) {
    const char *p = strstr(decl, name), *q = p ? strpbrk(p, "\"'") : NULL;
    const char *end = q ? strchr(q + 1, *q) : NULL;
    size_t len = end ? (size_t)(end - q - 1) : 0;
    snprintf(out, n, "%.*s", (int)(len < n ? len : 0), end ? q + 1 : "");
}

/*
 * 1 when the document starts plainly: a BOM at most, then "<" after white
 * space, and an XML declaration, if any, of version 1.0 in UTF-8 (blocks are
 * read without it). 0 when not; -1 when more bytes are needed to tell.
 */
static int plain_start(const unsigned char *b, size_t len, int eof) {
    size_t i = len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < len && b[i] && strchr(" \t\r\n", b[i]))
        i++;
    if (i + 6 > len && !eof)
        return -1;
    if (i == len || b[i] != '<')
        return 0;
    if (len - i < 6 || memcmp(b + i, "<?xml", 5) || !strchr(" \t\r\n", b[i + 5]))
        return 1;
    const unsigned char *end = memmem(b + i, len - i, "?>", 2);
    if (!end)
        return eof ? 0 : -1;
    char decl[256], version[16], encoding[16];
    size_t n = (size_t)(end - b) - i;
    if (n >= sizeof(decl) || memchr(b + i, '\0', n))
        return 0;
    memcpy(decl, b + i, n);
    decl[n] = '\0';
    decl_value(decl, "version", version, sizeof(version));
    decl_value(decl, "encoding", encoding, sizeof(encoding));
    return !strcmp(version, "1.0") &&
           (!strstr(decl, "encoding") || !strcasecmp(encoding, "UTF-8"));
}

/*
 * Scans b[s->at..len) for a cut at or past want: the offset after the line
 * end that follows a record's end inside a section. 0 when there is none yet.
 */
static size_t find_cut(struct scan *s, const unsigned char *b, size_t len, int eof,
                       size_t want) {
    if (!s->started) {
        int plain = plain_start(b, len, eof);
        if (plain < 0)
            return 0;
        s->stop = !plain;
        s->started = 1;
    }
    size_t i = s->at;
    while (!s->stop) {
        const unsigned char *lt = i < len ? memchr(b + i, '<', len - i) : NULL;
        if (!lt) {
            i = len;
            break;
        }
        size_t at = (size_t)(lt - b), end = markup_end(b, at, len);
        if (end == 0) { /* read on, or the input ends inside it */
            s->stop = eof;
            i = at;
            break;
        }
        if (end == SIZE_MAX) {
            s->stop = 1;
            break;
        }
        i = end;
        int closed = 0; /* an element of depth 3 (a record) ended */
        if (b[at + 1] == '/') {
            closed = s->depth == 3;
            s->stop = --s->depth <= 0; /* the root ended: what follows is its end */
            if (s->depth < 2)
                s->section = -1;
        } else if (b[at + 1] != '!' && b[at + 1] != '?') {
            int self = b[end - 2] == '/';
            if (start_tag(s, b, at, end, self) < 0)
                s->stop = 1;
            else if (self)
                closed = s->depth == 2;
            else
                s->depth++;
        }
        if (closed && end >= want && s->depth == 2) {
            size_t j = end;
            while (j < len && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r'))
                j++;
            if (j < len && b[j] == '\n') {
                s->at = j + 1;
                return j + 1;
            }
        }
    }
    s->at = i;
    return 0;
}

/* ---- blocks ---- */

/* A schema for this thread's block: an idle one, or one compiled. NULL: said in diags. */
static xmlSchemaPtr schema_take(struct schemas *pool, struct dsr_diags *diags) {
    xmlSchemaPtr schema = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->n_idle)
        schema = pool->idle[--pool->n_idle];
    pthread_mutex_unlock(&pool->lock);
    return schema ? schema : dsr_xml_dataset_schema(diags);
}

static void schema_give_back(struct schemas *pool, xmlSchemaPtr schema) {
    pthread_mutex_lock(&pool->lock);
    if (pool->n_idle < sizeof(pool->idle) / sizeof(*pool->idle)) {
        pool->idle[pool->n_idle++] = schema;
        schema = NULL;
    }
    pthread_mutex_unlock(&pool->lock);
    xmlSchemaFree(schema);
}

/* A piece from where c stands: text, then suffix (a block), or with none the input's
 * rest. */
static struct dsr_xml_piece piece_at(const struct context *c,
                                     const struct dsr_bytes *text, const char *suffix) {
    struct dsr_xml_piece p = c->at;
    p.prefix = (const char *)c->prefix.data;
    p.prefix_len = c->prefix.len;
    p.suffix = suffix;
    p.suffix_len = suffix ? strlen(suffix) : 0;
    p.text = text->data;
    p.len = text->len;
    p.last = !suffix;
    return p;
}

static void read_block(void *ctx, void *item) {
    struct split *s = ctx;
    struct block *b = item;
    struct dsr_xml_piece piece = piece_at(&b->start, &b->text, b->suffix);
    xmlSchemaPtr schema = schema_take(&s->schemas, &b->batch.diags);
    b->unsure = 1; /* unless read */
    if (schema) {
        dsr_xml_read_piece(b->in, schema, &piece, dsr_batch_keep, &b->batch,
                           &b->batch.diags, &b->unsure);
        schema_give_back(&s->schemas, schema);
    }
}

static void block_free(struct block *b) {
    dsr_batch_release(&b->batch);
    free(b->start.prefix.data);
    free(b->text.data);
    free(b);
}

/* Keeps a block taken back, with its buffers: large ones freed and made again
 * at each block would each come back as fresh pages, or stay resident. */
static void block_spare(struct split *s, struct block *b) {
    dsr_batch_reset(&b->batch);
    free(b->start.prefix.data);
    b->start.prefix.data = NULL;
    b->next = s->spares;
    s->spares = b;
}

static void out_of_memory(struct split *s) {
    dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL, "out of memory");
    s->stopped = 1;
}

/*
 * Takes a block back, in order: its records and diagnostics on, or, from the
 * first unsure one, its text to read again.
 */
static void take(struct split *s, struct block *b) {
    if (!s->stopped && !s->redo && b->unsure) {
        s->redo = 1;
        s->redo_start = b->start;
        b->start.prefix.data = NULL;
    }
    if (s->stopped) {
        /* nothing more is handed on */
    } else if (s->redo) {
        if (dsr_bytes_append(&s->redo_text, b->text.data, b->text.len) < 0)
            out_of_memory(s);
    } else if (dsr_batch_emit(&b->batch, s->emit, s->ctx, s->diags) < 0) {
        s->stopped = 1;
    }
    block_spare(s, b);
}

/* What is open at the scan's place, where the next block starts. -1: out of memory. */
static int context_here(struct split *s, struct context *c, size_t at) {
    const struct scan *sc = &s->scan;
    c->prefix = (struct dsr_bytes){0};
    if (dsr_bytes_append(&c->prefix, sc->open[0].tag.data, sc->open[0].tag.len) < 0 ||
        dsr_bytes_append(&c->prefix, sc->open[1].tag.data, sc->open[1].tag.len) < 0 ||
        dsr_bytes_append(&c->prefix, "\n", 1) < 0) {
        free(c->prefix.data);
        c->prefix.data = NULL;
        return -1;
    }
    c->at =
        (struct dsr_xml_piece){.n_open = 2, .line = line_at(&s->scan, s->buf.data, at)};
    for (int i = 0; i < 2; i++) {
        c->at.open_line[i] = sc->open[i].line;
        c->at.open_column[i] = sc->open[i].column;
    }
    memcpy(c->at.counts, sc->counts, sizeof(c->at.counts));
    return 0;
}

/* Makes buf[0..n) a block for the workers; buf keeps what follows. */
static void cut(struct split *s, size_t n) {
    if (!s->workers && !(s->workers = dsr_workers_new(s->in->jobs, read_block, s))) {
        s->scan.stop = 1; /* read in one pass */
        return;
    }
    if (dsr_workers_full(s->workers))
        take(s, dsr_workers_next(s->workers));
    if (s->redo || s->stopped)
        return;
    struct block *b = s->spares;
    if (b)
        s->spares = b->next;
    else if ((b = calloc(1, sizeof(*b))))
        dsr_batch_init(&b->batch, s->in);
    struct context next = {0};
    /* The block takes buf's first n bytes; buf goes on in the spare's buffer. */
    if (!b || context_here(s, &next, n) < 0 ||
        dsr_bytes_hand_over(&s->buf, n, &b->text, READ) < 0) {
        free(next.prefix.data);
        if (b)
            block_free(b);
        out_of_memory(s);
        return;
    }
    b->in = s->in;
    b->start = s->start;
    snprintf(b->suffix, sizeof(b->suffix), "</%.*s></%.*s>",
             (int)s->scan.open[1].name_len, s->scan.open[1].tag.data + 1,
             (int)s->scan.open[0].name_len, s->scan.open[0].tag.data + 1);
    dsr_workers_submit(s->workers, b);
    s->start = next;
    s->scan.at -= n;
    s->scan.lined -= n;
    s->scan.doc_start = 0;
}

/* Reads more of the input into buf. */
static void fill(struct split *s) {
    if (dsr_bytes_reserve(&s->buf, READ) < 0) {
        out_of_memory(s);
        return;
    }
    size_t got = fread(s->buf.data + s->buf.len, 1, READ, s->in->fp);
    s->buf.len += got;
    s->eof = got == 0; /* a read error too: the last pass reads again and says so */
}

/* Reads text, then the rest of the input, in one pass from where c stands. */
static int read_rest(struct split *s, const struct context *c,
                     const struct dsr_bytes *text) {
    struct dsr_xml_piece piece = piece_at(c, text, NULL);
    int unsure;
    return dsr_xml_read_piece(s->in, s->schema, &piece, s->emit, s->ctx, s->diags,
                              &unsure);
}

int dsr_xml_read_split(const struct dsr_input *in, xmlSchemaPtr schema,
                       dsr_record_fn emit, void *ctx, struct dsr_diags *diags) {
    struct split s = {
        .in = in, .schema = schema, .emit = emit, .ctx = ctx, .diags = diags};
    s.start.at.line = s.scan.line = 1;
    s.scan.doc_start = 1;
    s.scan.section = -1;
    dsr_xml_before_threads();
    while (!s.stopped && !s.redo) {
        size_t n =
            find_cut(&s.scan, s.buf.data, s.buf.len, s.eof,
                     s.start.at.n_open ? dsr_xml_split_block : dsr_xml_split_block / 2);
        if (n)
            cut(&s, n);
        else if (s.scan.stop || s.eof || s.buf.len >= UNCUT_MAX)
            break;
        else
            fill(&s);
    }
    for (struct block *b; s.workers && (b = dsr_workers_next(s.workers));)
        take(&s, b);
    dsr_workers_free(s.workers);
    for (struct block *b; (b = s.spares);) {
        s.spares = b->next;
        block_free(b);
    }
    while (s.schemas.n_idle)
        xmlSchemaFree(s.schemas.idle[--s.schemas.n_idle]);
    pthread_mutex_destroy(&s.schemas.lock);
    int rc = -1;
    if (s.redo && dsr_bytes_append(&s.redo_text, s.buf.data, s.buf.len) < 0)
        out_of_memory(&s);
    if (!s.stopped)
        rc = s.redo ? read_rest(&s, &s.redo_start, &s.redo_text)
                    : read_rest(&s, &s.start, &s.buf);
    free(s.buf.data);
    free(s.start.prefix.data);
    free(s.redo_start.prefix.data);
    free(s.redo_text.data);
    for (int i = 0; i < 2; i++)
        free(s.scan.open[i].tag.data);
    return rc;
}
