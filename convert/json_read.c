/*
 * JSON and JSON Lines -> records. jansson parses whole values, so we stream
 * around it: a small scanner walks the dataset document's outer object and
 * arrays itself and hands jansson one record's text at a time (one line, for
 * JSON Lines). Memory is bounded by the largest record, not the file. The
 * scanner only finds where values end; jansson checks everything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A record's text larger than this is refused rather than buffered. */
#define RECORD_MAX (64u << 20)
#define CHUNK 65536

struct scan {
    const struct dsr_input *in;
    struct dsr_diags *diags;
    char *buf; /* bytes read and not yet consumed start at buf + pos */
    size_t pos, len, cap;
    int eof;          /* nothing more to read */
    int line, column; /* position of buf + pos */
};

/* Makes at least `want` bytes available from pos, unless the input ends first. */
static int fill(struct scan *s, size_t want) {
    if (s->len - s->pos >= want || s->eof)
        return 0;
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    while (s->len < want && !s->eof) {
        if (s->cap - s->len < CHUNK) {
            size_t cap = s->cap ? s->cap * 2 : CHUNK * 2;
            char *buf = realloc(s->buf, cap);
            if (!buf) {
                dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                             "out of memory");
                return -1;
            }
            s->buf = buf;
            s->cap = cap;
        }
        size_t n = fread(s->buf + s->len, 1, s->cap - s->len, s->in->fp);
        s->len += n;
        if (n == 0) {
            if (ferror(s->in->fp)) {
                dsr_diag_add(s->diags, DSR_DIAG_IO, s->in->name, 0, 0, NULL,
                             "cannot read: read error");
                return -1;
            }
            s->eof = 1;
        }
    }
    return 0;
}

static int peek(struct scan *s) {
    if (fill(s, 1) < 0)
        return -2;
    return s->pos < s->len ? (unsigned char)s->buf[s->pos] : -1;
}

/* Consumes n bytes (all available), keeping line and column. */
static void advance(struct scan *s, size_t n) {
    dsr_text_advance(s->buf + s->pos, n, &s->line, &s->column);
    s->pos += n;
}

static int skip_ws(struct scan *s) {
    for (;;) {
        int c = peek(s);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return c;
        advance(s, 1);
    }
}

static void scan_init(struct scan *s, const struct dsr_input *in,
                      struct dsr_diags *diags) {
    memset(s, 0, sizeof(*s));
    s->in = in;
    s->diags = diags;
    s->line = s->column = 1;
}

/* Reports a syntax error at the scan position: "expected X", or message as is. */
static void syntax(struct scan *s, const char *message) {
    dsr_diag_add(s->diags, DSR_DIAG_SYNTAX, s->in->name, s->line, s->column, NULL, "%s",
                 message);
}

/* Where value_extent is in a value: at byte i, how deep, in a string or not. */
struct extent {
    size_t i;
    int depth, in_string;
};

#define NOT_YET SIZE_MAX

/*
 * value_extent a byte at a time, from e->i up to end (or a little past, when
 * an escape ends there): the value's length when it ends, else NOT_YET.
 */
static size_t extent_bytes(const char *text, size_t end, struct extent *e) {
    while (e->i < end) {
        char c = text[e->i];
        if (e->in_string && c != '"' && c != '\\') {
            /* Inside a string: on to the next quote or backslash, eight bytes at a time.
             */
            const char *p = text + e->i + 1, *stop = text + end;
            while (stop - p >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                if (dsr_bytes_equal(w, '"') | dsr_bytes_equal(w, '\\'))
                    break;
                p += 8;
            }
            e->i = (size_t)(p - text);
            continue;
        }
        if (e->in_string) {
            if (c == '\\')
                e->i++;
            else if (c == '"')
                e->in_string = 0;
            if (!e->in_string && e->depth == 0)
                return e->i + 1;
        } else if (c == '"') {
            e->in_string = 1;
        } else if (c == '{' || c == '[') {
            e->depth++;
        } else if (c == '}' || c == ']') {
            if (e->depth == 0)
                return e->i; /* a scalar ended by its container */
            if (--e->depth == 0)
                return e->i + 1;
        } else if (e->depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' ||
                                     c == '\r' || c == ':')) {
            return e->i;
        }
        e->i++;
    }
    return NOT_YET;
}

#ifdef __SSE2__
/* Bit k set where byte k of the 64 in v is c. */
static inline uint64_t bytes_where(const __m128i v[4], char c) {
    __m128i want = _mm_set1_epi8(c);
    return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[0], want)) |
           (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[1], want)) << 16 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[2], want)) << 32 |
           (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[3], want)) << 48;
}

/*
 * value_extent inside a container, 64 bytes at a time: which bytes are
 * quotes and brackets, which lie inside strings (every bit after an odd
 * number of quotes), and the brackets outside them taken in turn. A block
 * with a backslash is left to extent_bytes (an escaped quote is no quote).
 * Returns the value's length, NOT_YET when it goes on past the block, or 0
 * when the block has a backslash.
 */
static size_t extent_block(const char *text, struct extent *e) {
    __m128i v[4], folded[4];
    for (int k = 0; k < 4; k++) {
        v[k] = _mm_loadu_si128((const __m128i *)(text + e->i + 16 * k));
        folded[k] = _mm_or_si128(v[k], _mm_set1_epi8(0x20)); /* '[' -> '{', ']' -> '}' */
    }
    if (bytes_where(v, '\\'))
        return 0;
    uint64_t strings = bytes_where(v, '"');
    strings ^= strings << 1;
    strings ^= strings << 2;
    strings ^= strings << 4;
    strings ^= strings << 8;
    strings ^= strings << 16;
    strings ^= strings << 32;
    if (e->in_string)
        strings = ~strings;
    uint64_t opens = bytes_where(folded, '{') & ~strings;
    uint64_t brackets = (opens | bytes_where(folded, '}')) & ~strings;
    for (; brackets; brackets &= brackets - 1) {
        int at = __builtin_ctzll(brackets);
        if (opens >> at & 1) {
            e->depth++;
        } else if (--e->depth == 0) {
            return e->i + (size_t)at + 1;
        }
    }
    e->in_string = (int)(strings >> 63);
    e->i += 64;
    return NOT_YET;
}
#endif

/* Found where the next JSON value's text ends; returns its length, or 0 on error. */
static size_t value_extent(struct scan *s) {
    struct extent e = {0, 0, 0};
    for (;;) {
        if (s->pos + e.i >= s->len) {
            if (e.i >= RECORD_MAX) {
                dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, s->line, s->column,
                             NULL, "record larger than %u MiB refused", RECORD_MAX >> 20);
                return 0;
            }
            if (fill(s, e.i + CHUNK) < 0)
                return 0;
            if (s->pos + e.i >= s->len) /* input ends: jansson reports what is missing */
                return s->len - s->pos; /* (a final backslash skipped past the end) */
        }
        const char *text = s->buf + s->pos;
        size_t avail = s->len - s->pos, n;
#ifdef __SSE2__
        if (e.depth > 0 && avail - e.i >= 64 && (n = extent_block(text, &e))) {
            if (n != NOT_YET)
                return n;
            continue;
        }
#endif
        /* A byte at a time outside any container or string (the next may open one),
         * else a block's worth: at the input's end, or past a backslash. */
        size_t bytes = e.depth == 0 && !e.in_string ? 1 : 64;
        if ((n = extent_bytes(text, avail - e.i > bytes ? e.i + bytes : avail, &e)) !=
            NOT_YET)
            return n;
    }
}

/* jansson's wording, where it speaks of its own API or bytes, in a user's terms. */
static const char *reword(const char *text) {
    if (strstr(text, "JSON_ALLOW_NUL"))
        return "\\u0000 (a NUL character) is not allowed in a string";
    if (!strncmp(text, "unable to decode byte", 21))
        return "invalid UTF-8";
    return text;
}

/* Parses text with jansson; on error reports it at its place in the file. */
static json_t *load(const struct dsr_input *in, const char *text, size_t n, int line0,
                    int column0, struct dsr_diags *diags) {
    json_error_t err;
    json_t *v = json_loadb(text, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!v) {
        /* jansson counts from the start of the text we gave it. */
        int line = line0 + (err.line > 0 ? err.line - 1 : 0);
        int column =
            err.line <= 1 ? column0 + (err.column > 0 ? err.column - 1 : 0) : err.column;
        if (err.line < 0) {
            line = line0;
            column = column0;
        }
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, line, column, NULL, "%s",
                     reword(err.text));
    }
    return v;
}

/* Places diagnostics for one record whose text is known. */
struct json_place {
    const char *file;
    const char *text;
    size_t len;
    int line, column;
    char prefix[DSR_PATH_MAX]; /* pointer of the record in the document */
};

static void locate_json(void *ctx, const char *pointer, struct dsr_diag *d) {
    struct json_place *p = ctx;
    char path[DSR_PATH_MAX * 2];
    dsr_json_locate(p->text, p->len, p->line, p->column, pointer, &d->line, &d->column);
    snprintf(path, sizeof(path), "%s%s", p->prefix, pointer);
    dsr_copy_tail(d->path, sizeof(d->path), path);
}

static void report(struct dsr_diags *diags, const char *file, dsr_locate_fn locate,
                   void *ctx, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void report(struct dsr_diags *diags, const char *file, dsr_locate_fn locate,
                   void *ctx, const char *pointer, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    struct dsr_diag *d = dsr_diag_vadd(diags, DSR_DIAG_SCHEMA, file, 0, 0, NULL, fmt, ap);
    va_end(ap);
    if (d && locate)
        dsr_diag_locate(diags, d, locate, ctx, pointer);
}

static const char *type_name(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Copies one list member's items; returns problems found, or -1 when out of memory. */
static int take_list(struct dsr_record *rec, int f, const char *name, json_t *arr,
                     const char *file, dsr_locate_fn locate, void *ctx,
                     struct dsr_diags *diags) {
    const struct dsr_field *spec = &dsr_kind_info(rec->kind)->fields[f];
    size_t i;
    json_t *item;
    int problems = 0;
    char pointer[DSR_PATH_MAX];
    json_array_foreach(arr, i, item) {
        snprintf(pointer, sizeof(pointer), "/%s/%zu", name, i);
        if (spec->type == DSR_FIELD_ROLES) {
            json_t *entity = json_object_get(item, "entity"),
                   *role = json_object_get(item, "role");
            if (!json_is_object(item) || !json_is_string(entity) ||
                !json_is_string(role) || json_object_size(item) != 2) {
                report(diags, file, locate, ctx, pointer,
                       "invalid %s: expected {\"entity\": string, \"role\": string}",
                       spec->item);
                problems++;
                continue;
            }
            if (dsr_record_add(rec, f, json_string_value(entity),
                               json_string_length(entity), json_string_value(role),
                               json_string_length(role)) < 0)
                return -1;
        } else if (!json_is_string(item)) {
            report(diags, file, locate, ctx, pointer,
                   "invalid %s: expected a string, found %s", spec->item,
                   type_name(item));
            problems++;
        } else if (dsr_record_add(rec, f, json_string_value(item),
                                  json_string_length(item), NULL, 0) < 0) {
            return -1;
        }
    }
    return problems;
}

struct dsr_record *dsr_record_from_json(enum dsr_kind kind, json_t *obj, const char *file,
                                        dsr_locate_fn locate, void *locate_ctx,
                                        struct dsr_diags *diags) {
    const struct dsr_kind_info *info = dsr_kind_info(kind);
    if (!json_is_object(obj)) {
        report(diags, file, locate, locate_ctx, "",
               "invalid %s: expected an object, found %s", info->name, type_name(obj));
        return NULL;
    }
    struct dsr_record *rec = dsr_record_new(kind);
    if (!rec)
        return NULL;
    int problems = 0;
    const char *name;
    json_t *value;
    char pointer[DSR_PATH_MAX];
    json_object_foreach(obj, name, value) {
        int f = dsr_field_index(kind, name);
        pointer[0] = '\0';
        dsr_pointer_append(pointer, sizeof(pointer), name);
        if (f < 0) {
            report(diags, file, locate, locate_ctx, pointer, "unknown field \"%s\" in %s",
                   name, info->name);
            problems++;
            continue;
        }
        const struct dsr_field *spec = &info->fields[f];
        int list = spec->type == DSR_FIELD_LIST || spec->type == DSR_FIELD_ROLES;
        if (list ? !json_is_array(value) : !json_is_string(value)) {
            report(diags, file, locate, locate_ctx, pointer,
                   "invalid %s: expected %s, found %s", name,
                   list ? "an array" : "a string", type_name(value));
            rec->given |= 1u << f; /* reported: not also "missing" */
            problems++;
            continue;
        }
        if (list && json_array_size(value) == 0) { /* as the schemas say: minItems 1 */
            report(diags, file, locate, locate_ctx, pointer,
                   "empty %s: %sgive at least one %s", name,
                   spec->required ? "" : "leave it out, or ", spec->item);
            rec->given |= 1u << f;
            problems++;
            continue;
        }
        if (list) {
            int r = take_list(rec, f, name, value, file, locate, locate_ctx, diags);
            if (r < 0)
                goto oom;
            problems += r;
        } else if (dsr_record_set(rec, f, json_string_value(value),
                                  json_string_length(value)) < 0) {
            goto oom;
        }
    }
    int r = dsr_record_check(rec, file, locate, locate_ctx, diags);
    if (r < 0)
        goto oom;
    if (r + problems == 0)
        return rec;
    dsr_record_free(rec);
    return NULL;
oom:
    dsr_diag_add(diags, DSR_DIAG_REFUSED, file, 0, 0, NULL, "out of memory");
    dsr_record_free(rec);
    return NULL;
}

/*
 * The common road (json_record.c) for the record at place: checks and emits
 * it. Returns 1 when the record is not for the common road, else what
 * take_record returns (0 to go on, -1 to stop).
 */
static int take_common(struct scan *s, struct json_place *place, int kind,
                       dsr_record_fn emit, void *ctx) {
    struct dsr_record *rec;
    int rc = dsr_json_record_parse(place->text, place->len, kind, place->line,
                                   place->column, place->prefix, &rec);
    if (rc == 0)
        return 1;
    int checked =
        rc < 0 ? -1 : dsr_record_check(rec, s->in->name, locate_json, place, s->diags);
    if (checked < 0) {
        dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                     "out of memory");
        dsr_record_free(rec);
        return -1;
    }
    if (checked > 0) {
        dsr_record_free(rec);
        return 0;
    }
    rec->file = s->in->name;
    return emit(ctx, rec);
}

/*
 * Loads the value at the scan position, n bytes long (0: none is there),
 * turns it into a record of kind (or, with kind -1, of the kind its "record"
 * member names) and emits it. The scan stays where it was. Returns 0 to go
 * on, -1 to stop.
 */
static int take_record(struct scan *s, size_t n, int kind, const char *prefix,
                       dsr_record_fn emit, void *ctx) {
    if (n == 0) {
        if (dsr_diags_status(s->diags) < 2)
            syntax(s, "expected a value");
        return -1;
    }
    struct json_place place = {s->in->name, s->buf + s->pos, n, s->line, s->column, ""};
    dsr_copy_tail(place.prefix, sizeof(place.prefix), prefix);
    struct dsr_record *rec;
    int rc = take_common(s, &place, kind, emit, ctx);
    if (rc != 1)
        return rc;
    rc = 0;
    json_t *obj = load(s->in, place.text, n, s->line, s->column, s->diags);
    if (!obj)
        return -1;
    if (kind < 0) {
        json_t *name = json_object_get(obj, "record");
        kind = json_is_string(name) ? dsr_kind_from_name(json_string_value(name)) : -1;
        if (kind < 0 || strcmp(json_string_value(name), dsr_kind_info(kind)->name)) {
            report(s->diags, s->in->name, locate_json, &place, name ? "/record" : "",
                   "%s: expected \"record\": \"entity\", \"designation\", \"event\" or "
                   "\"source\"",
                   name ? "unknown record kind" : "missing record kind");
            goto out;
        }
        json_object_del(obj, "record");
    }
    rec = dsr_record_from_json(kind, obj, s->in->name, locate_json, &place, s->diags);
    if (rec) {
        rec->file = s->in->name;
        rec->line = place.line;
        rec->column = place.column;
        rc = emit(ctx, rec);
    }
out:
    json_decref(obj);
    return rc;
}

/*
 * Refuses UTF-16 and UTF-32 and skips a UTF-8 BOM; an empty input is refused
 * where a document is needed (JSON), and is zero records in JSON Lines.
 */
static int check_encoding(struct scan *s, int empty_ok) {
    if (fill(s, 4) < 0)
        return -1;
    int skip =
        dsr_input_start((const unsigned char *)s->buf, s->len, s->in->name, 1, s->diags);
    if (skip < 0)
        return -1;
    s->pos = (size_t)skip; /* the column stays 1: a BOM is not a character of the text */
    if (s->len == s->pos && !empty_ok) {
        syntax(s, "empty input");
        return -1;
    }
    return 0;
}

static int expect(struct scan *s, int want, const char *what) {
    int c = skip_ws(s);
    if (c == -2)
        return -1;
    if (c != want) {
        if (c < 0)
            dsr_diag_add(s->diags, DSR_DIAG_SYNTAX, s->in->name, s->line, s->column, NULL,
                         "unexpected end of input: expected %s", what);
        else
            dsr_diag_add(s->diags, DSR_DIAG_SYNTAX, s->in->name, s->line, s->column, NULL,
                         "expected %s", what);
        return -1;
    }
    advance(s, 1);
    return 0;
}

/*
 * After an item of an array (close is ']') or a member of an object ('}'):
 * moves past a "," and returns the next character (close, or what starts the
 * next item), or returns -3 after reporting what is wrong.
 */
static int after_item(struct scan *s, int close) {
    int c = skip_ws(s);
    if (c == ',') {
        advance(s, 1);
        if ((c = skip_ws(s)) != close)
            return c;
        syntax(s, close == ']' ? "expected a value after \",\""
                               : "expected a member name after \",\"");
        return -3;
    }
    if (c == close)
        return c;
    if (c >= -1)
        syntax(s, close == ']' ? "expected \",\" or \"]\"" : "expected \",\" or \"}\"");
    return -3;
}

/* Reads one member name of the outer object into name (size n). */
static int member_name(struct scan *s, char *name, size_t n) {
    size_t len = value_extent(s);
    if (len == 0 || s->buf[s->pos] != '"') {
        syntax(s, "expected a member name");
        return -1;
    }
    json_t *v = load(s->in, s->buf + s->pos, len, s->line, s->column, s->diags);
    if (!v)
        return -1;
    snprintf(name, n, "%s", json_string_value(v));
    json_decref(v);
    advance(s, len);
    return 0;
}

/*
 * Records are read in blocks (whole JSON Lines lines, or a dataset array's
 * elements) that workers (dsr_workers) parse and check, each into lists of
 * its own; the blocks are taken back in order, so records and diagnostics
 * come out the same with any number of threads. With one thread the same
 * road is taken, block after block.
 */
#define BLOCK (256u << 10)
/* At most this many array elements a block: small ones cost their entries too. */
#define BLOCK_ELEMENTS 8192

struct block {
    struct dsr_batch batch; /* the records read, and what was found */
    /* Whole lines (only the input's last may lack its "\n"), or elements. */
    struct dsr_pieces text;
    int line;           /* lines: the number of the first */
    int last;           /* nothing is read after this block */
    int stopped;        /* elements: one was not JSON: nothing is read after it */
    enum dsr_kind kind; /* elements: their kind */
    struct block *next; /* among the spares */
};

/*
 * A new empty block of in: a spare taken back, with its buffers (made again
 * at each block, they would come back as fresh pages), or a new one. NULL
 * when out of memory.
 */
static struct block *block_new(const struct dsr_input *in, struct block **spares) {
    struct block *b = *spares;
    if (b) {
        *spares = b->next;
        dsr_batch_reset(&b->batch);
        struct dsr_pieces text = b->text;
        text.len = text.n = 0;
        *b = (struct block){.batch = b->batch, .text = text};
    } else if ((b = calloc(1, sizeof(*b)))) {
        dsr_batch_init(&b->batch, in);
    }
    return b;
}

static void block_free(struct block *b) {
    dsr_batch_release(&b->batch);
    dsr_pieces_release(&b->text);
    free(b);
}

static void free_spares(struct block *spares) {
    for (struct block *b; (b = spares);) {
        spares = b->next;
        block_free(b);
    }
}

/* Emits a block's records, each after the diagnostics found before it. 0 or -1 to stop.
 */
static int take_block(struct block *b, dsr_record_fn emit, void *ctx,
                      struct dsr_diags *diags) {
    int fatal = b->last || b->stopped || dsr_diags_status(&b->batch.diags) == 2;
    return dsr_batch_emit(&b->batch, emit, ctx, diags) < 0 || fatal ? -1 : 0;
}

/* A worker's part for a dataset array: each element of the block, until one is not JSON.
 */
static void read_elements(void *ctx, void *item) {
    struct block *b = item;
    (void)ctx;
    for (size_t i = 0; i < b->text.n; i++) {
        const struct dsr_piece *e = &b->text.at[i];
        char prefix[DSR_PATH_MAX];
        struct scan s;
        scan_init(&s, b->batch.in, &b->batch.diags);
        s.buf = b->text.text + e->off;
        s.len = s.cap = e->len;
        s.eof = 1;
        s.line = e->line;
        s.column = e->column;
        snprintf(prefix, sizeof(prefix), "/%s/%zu", dsr_kind_info(b->kind)->plural,
                 e->index);
        /* Its end was found when the block was made. */
        int r = take_record(&s, e->len, (int)b->kind, prefix, dsr_batch_keep, &b->batch);
        s.buf = NULL; /* the block's */
        if (r < 0) {
            b->stopped = 1;
            break;
        }
    }
}

/*
 * Takes the oldest block back from w (emitting nothing once stopped), as a
 * spare. 0 when w had none.
 */
static int take_back(struct dsr_workers *w, struct block **spares, dsr_record_fn emit,
                     void *ctx, struct dsr_diags *diags, int *stopped) {
    struct block *done = dsr_workers_next(w);
    if (!done)
        return 0;
    if (!*stopped && take_block(done, emit, ctx, diags) < 0)
        *stopped = 1;
    done->next = *spares;
    *spares = done;
    return 1;
}

/* Hands b to the workers, taking the oldest block back first when they are full. */
static void submit(struct dsr_workers *w, struct block *b, struct block **spares,
                   dsr_record_fn emit, void *ctx, struct dsr_diags *diags, int *stopped) {
    if (dsr_workers_full(w))
        take_back(w, spares, emit, ctx, diags, stopped);
    dsr_workers_submit(w, b);
}

/* Takes every block still in w back, in order. */
static void drain(struct dsr_workers *w, struct block **spares, dsr_record_fn emit,
                  void *ctx, struct dsr_diags *diags, int *stopped) {
    while (take_back(w, spares, emit, ctx, diags, stopped))
        ;
}

/*
 * Streams the elements of one kind's array: this thread finds where each
 * ends, workers read them (read_elements), in blocks taken back in order.
 * What finding the ends reports comes after every element before it.
 */
static int read_array(struct scan *s, enum dsr_kind kind, dsr_record_fn emit, void *ctx) {
    if (expect(s, '[', "\"[\" to open the array") < 0)
        return -1;
    struct dsr_diags *diags = s->diags, scanning;
    dsr_diags_init(&scanning);
    s->diags = &scanning;
    struct dsr_workers *w = dsr_workers_new(s->in->jobs, read_elements, NULL);
    struct block *b = NULL, *spares = NULL;
    int stopped = 0, done = 0, c = skip_ws(s);
    if (!w)
        dsr_diag_add(&scanning, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                     "out of memory");
    for (size_t i = 0; w && !stopped; i++) {
        if (c == ']') {
            done = 1;
            break;
        }
        if (c < 0) {
            if (c == -1)
                syntax(s, "unexpected end of input: expected \"]\"");
            break;
        }
        size_t n = value_extent(s);
        if (n == 0) {
            if (dsr_diags_status(&scanning) < 2)
                syntax(s, "expected a value");
            break;
        }
        if (!b && (b = block_new(s->in, &spares)))
            b->kind = kind;
        if (!b || dsr_pieces_add(&b->text, s->buf + s->pos, n, i, s->line, s->column,
                                 BLOCK + CHUNK) < 0) {
            dsr_diag_add(&scanning, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                         "out of memory");
            break;
        }
        advance(s, n);
        if (b->text.len >= BLOCK || b->text.n >= BLOCK_ELEMENTS) {
            submit(w, b, &spares, emit, ctx, diags, &stopped);
            b = NULL;
        }
        if ((c = after_item(s, ']')) == -3)
            break;
    }
    if (done)
        advance(s, 1);
    if (b && w) {
        submit(w, b, &spares, emit, ctx, diags, &stopped);
        b = NULL;
    }
    if (scanning.count || scanning.dropped) { /* last, after the elements before it */
        struct block *last = w ? block_new(s->in, &spares) : NULL;
        if (last) {
            last->last = 1;
            dsr_diags_move(&last->batch.diags, &scanning);
            submit(w, last, &spares, emit, ctx, diags, &stopped);
        } else {
            dsr_diags_move(diags, &scanning);
        }
    }
    if (w)
        drain(w, &spares, emit, ctx, diags, &stopped);
    if (b)
        block_free(b);
    free_spares(spares);
    dsr_workers_free(w);
    dsr_diags_release(&scanning);
    s->diags = diags;
    return stopped || !done ? -1 : 0;
}

static int seen_any(const int *seen) {
    for (int k = 0; k < DSR_KIND_COUNT; k++)
        if (seen[k])
            return 1;
    return 0;
}

int dsr_json_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                  struct dsr_diags *diags) {
    struct scan s;
    int seen[DSR_KIND_COUNT] = {0}, rc = -1;
    char name[256];
    scan_init(&s, in, diags);
    if (check_encoding(&s, 0) < 0)
        goto out;
    if (skip_ws(&s) == '<') { /* the common mistake: say what it is */
        dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, s.line, s.column, NULL,
                     "this is XML, not JSON: name the file .xml, or pass --format xml");
        goto out;
    }
    if (expect(&s, '{', "a dataset object \"{\"") < 0)
        goto out;
    int c = skip_ws(&s);
    while (c != '}') {
        if (c == -1)
            syntax(&s, "unexpected end of input: expected \"}\"");
        int line = s.line, column = s.column;
        if (c < 0 || member_name(&s, name, sizeof(name)) < 0 ||
            expect(&s, ':', "\":\" after a member name") < 0 || skip_ws(&s) < -1)
            goto out;
        int kind = dsr_kind_from_name(name);
        if (kind >= 0 && !strcmp(name, dsr_kind_info(kind)->plural)) {
            if (seen[kind]++) {
                dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, line, column, NULL,
                             "duplicate object key \"%s\"", name);
                goto out;
            }
            if (read_array(&s, kind, emit, ctx) < 0)
                goto out;
        } else if (!strcmp(name, "record") && !seen_any(seen)) {
            /* {"record":"entity",...} first: one record a line, saved as .json */
            dsr_diag_add(diags, DSR_DIAG_SYNTAX, in->name, line, column, NULL,
                         "this looks like JSON Lines (one record a line, each naming its "
                         "kind in \"record\"): name the file .jsonl, or pass --format "
                         "jsonl");
            goto out;
        } else {
            dsr_diag_add(
                diags, DSR_DIAG_SCHEMA, in->name, line, column, NULL,
                "unknown member \"%s\": expected \"entities\", \"designations\", "
                "\"events\" or \"sources\"",
                name);
            size_t n = value_extent(&s);
            json_t *v = n ? load(in, s.buf + s.pos, n, s.line, s.column, diags) : NULL;
            if (!v)
                goto out;
            json_decref(v);
            advance(&s, n);
        }
        if ((c = after_item(&s, '}')) == -3)
            goto out;
    }
    advance(&s, 1);
    c = skip_ws(&s);
    if (c >= 0) {
        syntax(&s, "unexpected text after the dataset object");
        goto out;
    }
    rc = c == -1 ? 0 : -1;
out:
    free(s.buf);
    return rc;
}

int dsr_json_walk(const struct dsr_input *in, const struct dsr_json_walker *w,
                  void *ctx) {
    struct dsr_diags scratch; /* what goes wrong is the whole reading's to say */
    struct scan s;
    char name[DSR_PATH_MAX];
    int rc = 1, c;
    dsr_diags_init(&scratch);
    scan_init(&s, in, &scratch);
    if (check_encoding(&s, 0) < 0 || skip_ws(&s) != '{')
        goto out;
    w->root(ctx, s.line, s.column);
    advance(&s, 1);
    for (c = skip_ws(&s); c != '}';) {
        int split = 0, r;
        size_t n;
        if (c != '"' || member_name(&s, name, sizeof(name)) < 0 ||
            strlen(name) + 1 >= sizeof(name) || expect(&s, ':', "\":\"") < 0 ||
            (c = skip_ws(&s)) < 0 || (r = w->member(ctx, name, c == '[', &split)))
            goto out;
        if (split) {
            int line = s.line, column = s.column;
            size_t i = 0;
            advance(&s, 1);
            for (c = skip_ws(&s); c != ']'; i++) {
                if (!(n = value_extent(&s)) ||
                    (r = w->element(ctx, i, s.buf + s.pos, n, s.line, s.column)))
                    goto out;
                advance(&s, n);
                if ((c = after_item(&s, ']')) == -3)
                    goto out;
            }
            advance(&s, 1);
            if ((r = w->array_end(ctx, i, line, column)))
                goto out;
        } else {
            if (!(n = value_extent(&s)) ||
                (r = w->value(ctx, s.buf + s.pos, n, s.line, s.column)))
                goto out;
            advance(&s, n);
        }
        if ((c = after_item(&s, '}')) == -3)
            goto out;
    }
    advance(&s, 1);
    rc = skip_ws(&s) == -1 ? 0 : 1;
out:
    free(s.buf);
    dsr_diags_release(&scratch);
    return rc;
}

/* A worker's part: every line of the block, until something refuses to go on. */
static void read_lines(void *ctx, void *item) {
    struct block *b = item;
    struct scan s;
    (void)ctx;
    scan_init(&s, b->batch.in, &b->batch.diags);
    s.buf = b->text.text;
    s.len = s.cap = b->text.len;
    s.eof = 1;
    s.line = b->line;
    while (s.pos < s.len) {
        char *nl = memchr(s.buf + s.pos, '\n', s.len - s.pos);
        size_t n = nl ? (size_t)(nl - (s.buf + s.pos)) : s.len - s.pos;
        size_t text_len = n;
        if (text_len && s.buf[s.pos + text_len - 1] == '\r')
            text_len--;
        size_t k = 0;
        while (k < text_len && strchr(" \t", s.buf[s.pos + k]))
            k++;
        struct json_place place = {b->batch.in->name, s.buf + s.pos + k,
                                   text_len - k,      s.line,
                                   s.column + (int)k, ""};
        int r = k < text_len ? take_common(&s, &place, -1, dsr_batch_keep, &b->batch) : 1;
        if (r != 1) {   /* the common road took the line */
            s.pos += n; /* to the newline, or the end of the input */
        } else if (k < text_len) {
            /* Let the record run no further than its line. */
            size_t save_len = s.len;
            s.len = s.pos + text_len;
            advance(&s, k);
            size_t extent = value_extent(&s);
            r = take_record(&s, extent, -1, "", dsr_batch_keep, &b->batch);
            if (r == 0) {
                advance(&s, extent);
                if (skip_ws(&s) >= 0)
                    syntax(&s, "unexpected text after the record");
            }
            s.len = save_len;
        }
        if (r < 0 && dsr_diags_status(&b->batch.diags) == 2)
            break;
        /* Move to the next line whatever happened on this one. */
        while (s.pos < s.len && s.buf[s.pos] != '\n')
            advance(&s, 1);
        if (s.pos < s.len)
            advance(&s, 1);
    }
}

/*
 * Reads the next block from s: whole lines, about BLOCK bytes, at least one.
 * NULL at the end of the input, or when out of memory (reported). A line too
 * long or a read error makes a block holding only that diagnostic, the last.
 */
static struct block *next_block(struct scan *s, struct block **spares) {
    struct block *b = block_new(s->in, spares);
    if (!b) {
        dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                     "out of memory");
        return NULL;
    }
    struct dsr_diags *input_diags = s->diags;
    b->line = s->line;
    s->diags = &b->batch.diags; /* what reading finds comes in its turn */
    size_t cut = 0;
    if (fill(s, BLOCK) < 0)
        goto last;
    size_t avail = s->len - s->pos, n = avail < BLOCK ? avail : BLOCK;
    if (avail == 0) {
        block_free(b);
        b = NULL;
        goto out;
    }
    const char *nl = NULL;
    for (size_t i = n; !(s->eof && avail <= BLOCK) && i > 0 && !nl; i--)
        if (s->buf[s->pos + i - 1] == '\n')
            nl = s->buf + s->pos + i - 1; /* the block ends after its last newline */
    if (s->eof && avail <= BLOCK)
        cut = avail;
    else if (nl)
        cut = (size_t)(nl - (s->buf + s->pos)) + 1;
    while (!cut) { /* a line longer than a block: read on to its end */
        nl = memchr(s->buf + s->pos + n, '\n', avail - n);
        if (nl) {
            cut = (size_t)(nl - (s->buf + s->pos)) + 1;
        } else if (s->eof) {
            cut = avail;
        } else if (avail >= RECORD_MAX) {
            dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, s->line, 1, NULL,
                         "line longer than %u MiB refused", RECORD_MAX >> 20);
            goto last;
        } else {
            n = avail;
            if (fill(s, avail + CHUNK) < 0)
                goto last;
            avail = s->len - s->pos;
        }
    }
    /* The lines, as one piece. */
    if (dsr_pieces_add(&b->text, s->buf + s->pos, cut, 0, b->line, 1, cut) < 0) {
        dsr_diag_add(s->diags, DSR_DIAG_REFUSED, s->in->name, 0, 0, NULL,
                     "out of memory");
        goto last;
    }
    for (const char *p = b->text.text, *end = p + cut; (p = memchr(p, '\n', end - p));
         p++)
        s->line++;
    s->pos += cut;
    goto out;
last:
    b->last = 1;
out:
    s->diags = input_diags;
    return b;
}

int dsr_jsonl_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                   struct dsr_diags *diags) {
    struct scan s;
    int rc = -1, reading = 1, stopped = 0;
    struct dsr_workers *workers = NULL;
    struct block *spares = NULL;
    scan_init(&s, in, diags);
    if (check_encoding(&s, 1) < 0)
        goto out;
    if (!(workers = dsr_workers_new(in->jobs, read_lines, NULL))) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL, "out of memory");
        goto out;
    }
    while (reading && !stopped) {
        struct block *b = next_block(&s, &spares);
        if (!b || b->last)
            reading = 0;
        if (b)
            submit(workers, b, &spares, emit, ctx, diags, &stopped);
    }
    drain(workers, &spares, emit, ctx, diags, &stopped);
    free_spares(spares);
    rc = stopped ? -1 : 0;
out:
    dsr_workers_free(workers);
    free(s.buf);
    return rc;
}
