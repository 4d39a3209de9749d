/*
 * CSV -> records. libcsv splits fields and undoes quoting; it reports no
 * positions, so a small scanner runs over each chunk first, mirroring
 * libcsv's states (strict mode, no space trimming), and queues where each
 * field starts for the field callback to pop. The scanner also rejects what
 * libcsv would let through: NUL bytes, invalid UTF-8, rows too long to
 * buffer. Each row becomes a JSON object shaped like the record's JSON form,
 * which record.c checks; memory is bounded by one row.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "csv_read.h"

/* Scanner states, as libcsv names them. */
enum { ROW_NOT_BEGUN, FIELD_NOT_BEGUN, FIELD_BEGUN, FIELD_MIGHT_HAVE_ENDED };

struct pos {
    int line, column; /* 1-based; column in characters */
    int quoted;       /* the field at this position opens with a quote */
};

struct cell {
    char *text; /* unquoted content, NUL-terminated, in the row's text; set at its end */
    size_t off; /* where text starts in the row's text */
    size_t len; /* bytes */
    struct pos at; /* where the field starts in the file */
};

struct reader {
    const struct dsr_input *in;
    dsr_record_fn emit;  /* dataset tables: records go here */
    dsr_csv_row_fn take; /* any table: rows as objects of strings go here instead */
    dsr_csv_raw_fn raw;  /* no header: rows as fields with positions go here instead */
    void *ctx;
    struct dsr_diags *diags;
    enum dsr_kind kind;
    size_t row_max;
    int stop;  /* set by a callback or the scanner: read no further */
    int ended; /* raw: a 0x1A end-of-file byte was met; nothing may follow */

    /* the scanner */
    int state, quoted, prev_cr;
    int line, column;            /* position of the next byte */
    struct pos field_at, row_at; /* the field and the row being scanned */
    size_t row_bytes;            /* bytes of the row being scanned */
    int u8_need;                 /* continuation bytes still expected */
    unsigned char u8_lo, u8_hi;  /* range of the next continuation byte */
    unsigned char u8_lead;       /* first byte of the sequence */
    struct pos u8_at;            /* where the sequence started */

    /* field starts queued by the scanner, popped by the field callback */
    struct pos *queue;
    size_t q_head, q_len, q_cap;

    /* the row libcsv is handing over */
    struct cell *cells;
    size_t n_cells, cap_cells;
    char *row_text; /* the cells' text, one after another; owned */
    size_t row_len, row_cap;

    /* the header: column j holds field col_field[j], or (any table) is named col_name[j]
     */
    int *col_field;
    char **col_name;
    size_t n_cols;
    int have_header;
    size_t rows; /* data rows seen: the next row's index */
};

static void oom(struct reader *r) {
    dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, 0, 0, NULL, "out of memory");
    r->stop = 1;
}

static void syntax(struct reader *r, struct pos at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reports a syntax error at `at`; it stops the table. */
static void syntax(struct reader *r, struct pos at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    dsr_diag_vadd(r->diags, DSR_DIAG_SYNTAX, r->in->name, at.line, at.column, NULL, fmt,
                  ap);
    va_end(ap);
    r->stop = 1;
}

/* ---- the scanner ---- */

static int push(struct reader *r, struct pos at) {
    if (r->q_len == r->q_cap) {
        size_t cap = r->q_cap ? r->q_cap * 2 : 64;
        struct pos *q = realloc(r->queue, cap * sizeof(*q));
        if (!q) {
            oom(r);
            return -1;
        }
        r->queue = q;
        r->q_cap = cap;
    }
    r->queue[r->q_len++] = at;
    return 0;
}

/* Checks one byte as part of UTF-8 text (RFC 3629 ranges). 0, or -1 after reporting. */
static int utf8_byte(struct reader *r, unsigned char c, struct pos here) {
    if (r->u8_need) {
        if (c < r->u8_lo || c > r->u8_hi) {
            syntax(r, r->u8_at, "invalid UTF-8 sequence starting with byte 0x%02X",
                   r->u8_lead);
            return -1;
        }
        r->u8_need--;
        r->u8_lo = 0x80;
        r->u8_hi = 0xBF;
        return 0;
    }
    if (c == 0) {
        syntax(r, here, "NUL byte in input");
        return -1;
    }
    if (c < 0x80)
        return 0;
    r->u8_lead = c;
    r->u8_at = here;
    r->u8_lo = 0x80;
    r->u8_hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        r->u8_need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        r->u8_need = 2;
        if (c == 0xE0)
            r->u8_lo = 0xA0; /* overlong */
        if (c == 0xED)
            r->u8_hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        r->u8_need = 3;
        if (c == 0xF0)
            r->u8_lo = 0x90; /* overlong */
        if (c == 0xF4)
            r->u8_hi = 0x8F; /* past U+10FFFF */
    } else {
        syntax(r, here, "invalid UTF-8 sequence starting with byte 0x%02X", c);
        return -1;
    }
    return 0;
}

/* Follows libcsv's state machine for one byte; queues field starts. 0 or -1. */
static int structure(struct reader *r, unsigned char c, struct pos here) {
    int newline = c == '\r' || c == '\n';
    switch (r->state) {
    case ROW_NOT_BEGUN:
    case FIELD_NOT_BEGUN:
        if (newline && r->state == ROW_NOT_BEGUN)
            return 0; /* libcsv skips blank lines */
        if (r->state == ROW_NOT_BEGUN)
            r->row_at = here;
        here.quoted = c == '"';
        r->field_at = here;
        if (push(r, here) < 0)
            return -1;
        if (newline)
            r->state = ROW_NOT_BEGUN;
        else if (c == ',')
            r->state = FIELD_NOT_BEGUN;
        else
            r->state = FIELD_BEGUN;
        r->quoted = here.quoted;
        return 0;
    case FIELD_BEGUN:
        if (c == '"' && !r->quoted) {
            syntax(r, here,
                   "quote inside an unquoted field: quote the whole field and "
                   "double the quotes in it");
            return -1;
        }
        if (c == '"')
            r->state = FIELD_MIGHT_HAVE_ENDED;
        else if (c == ',' && !r->quoted)
            r->state = FIELD_NOT_BEGUN;
        else if (newline && !r->quoted)
            r->state = ROW_NOT_BEGUN;
        return 0;
    default: /* FIELD_MIGHT_HAVE_ENDED: after a quote inside a quoted field */
        if (c == '"')
            r->state = FIELD_BEGUN; /* a doubled quote */
        else if (c == ',')
            r->state = FIELD_NOT_BEGUN;
        else if (newline)
            r->state = ROW_NOT_BEGUN;
        else {
            syntax(r, here,
                   "text after the closing quote of a field: expected \",\" or a "
                   "line end");
            return -1;
        }
        return 0;
    }
}

/* Moves the position past byte c: CR, LF and CRLF each end a line. */
static void step(struct reader *r, unsigned char c) {
    if (c == '\n' || c == '\r') {
        if (!(c == '\n' && r->prev_cr))
            r->line++;
        r->column = 1;
        r->prev_cr = c == '\r';
        return;
    }
    r->prev_cr = 0;
    if ((c & 0xC0) != 0x80)
        r->column++;
}

/*
 * Raw files may end with 0x1A, the DOS end-of-file byte (OFAC's do): outside
 * a quoted field it ends the input, and nothing may follow it. 1 when p[i] is
 * that mark or follows it (then *fit is set, or an error reported), else 0.
 */
static int end_mark(struct reader *r, unsigned char c, struct pos here, size_t i,
                    size_t *fit) {
    if (r->ended) {
        syntax(r, here, "data after the end-of-file byte 0x1A");
        return 1;
    }
    if (!r->raw || c != 0x1A || (r->state == FIELD_BEGUN && r->quoted))
        return 0;
    r->ended = 1;
    *fit = i;
    return 1;
}

/* How many bytes of p[0..n) continue a UTF-8 character (10xxxxxx). */
static size_t continuation_bytes(const unsigned char *p, size_t n) {
    size_t count = 0, i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        count += dsr_bytes_counted(dsr_continuation_bytes(w));
    }
    for (; i < n; i++)
        count += (p[i] & 0xC0) == 0x80;
    return count;
}

/*
 * Inside a field: a run of plain text at the start of p[0..n), taken eight
 * bytes at a time, with no quote, comma or control character (line ends, NUL,
 * 0x1A) and only whole, valid UTF-8 characters. Moves the position past it
 * and returns its length; anything else is left to the byte-by-byte scan,
 * which says what is wrong with it.
 */
static size_t plain_run(struct reader *r, const unsigned char *p, size_t n) {
    size_t len = 0, room = r->row_max - r->row_bytes;
    uint64_t high = 0;
    while (n - len >= 8 && room - len >= 8) {
        uint64_t w;
        memcpy(&w, p + len, 8);
        if (dsr_bytes_below(w, 0x20) | dsr_bytes_equal(w, '"') | dsr_bytes_equal(w, ','))
            break;
        high |= w & DSR_HIGH_BITS;
        len += 8;
    }
    size_t chars = len;
    if (high) {
        const char *text = (const char *)p;
        len = dsr_utf8_trim(text, len);
        if (!dsr_utf8_valid(text, len)) {
            /* Only the valid part: the byte-by-byte scan then meets the bad byte at once.
             */
            size_t good = 0, bad = len;
            while (bad - good > 1) {
                size_t mid = good + (bad - good) / 2;
                *(dsr_utf8_valid(text, dsr_utf8_trim(text, mid)) ? &good : &bad) = mid;
            }
            len = dsr_utf8_trim(text, good);
        }
        chars = len - continuation_bytes(p, len);
    }
    r->row_bytes += len;
    r->column += (int)chars;
    if (len)
        r->prev_cr = 0;
    return len;
}

/* Scans p[0..n); returns how many bytes are fit to hand to libcsv (n unless an error). */
static size_t scan(struct reader *r, const unsigned char *p, size_t n) {
    size_t fit = r->ended ? 0 : n;
    if (r->q_head > 0) { /* drop what libcsv has taken */
        memmove(r->queue, r->queue + r->q_head,
                (r->q_len - r->q_head) * sizeof(*r->queue));
        r->q_len -= r->q_head;
        r->q_head = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (r->state == FIELD_BEGUN && !r->u8_need)
            i += plain_run(r, p + i, n - i);
        if (i >= n)
            break;
        struct pos here = {r->line, r->column, 0};
        if (end_mark(r, p[i], here, i, &fit)) {
            if (r->stop)
                return fit;
            step(r, p[i]);
            continue;
        }
        if (utf8_byte(r, p[i], here) < 0 || structure(r, p[i], here) < 0)
            return i;
        if (r->state == ROW_NOT_BEGUN) {
            r->row_bytes = 0;
        } else if (++r->row_bytes > r->row_max) {
            dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, r->row_at.line,
                         r->row_at.column, NULL, "row longer than %zu bytes refused",
                         r->row_max);
            r->stop = 1;
            return i;
        }
        step(r, p[i]);
    }
    return fit;
}

/* At the end of input: reports what is left open. 0, or -1 after reporting. */
static int scan_end(struct reader *r) {
    if (r->u8_need) {
        syntax(r, r->u8_at, "invalid UTF-8 sequence starting with byte 0x%02X",
               r->u8_lead);
        return -1;
    }
    if (r->state == FIELD_BEGUN && r->quoted) {
        syntax(r, r->field_at,
               "unterminated quoted field: no closing quote before the end "
               "of input");
        return -1;
    }
    if (r->state == FIELD_NOT_BEGUN) { /* a trailing comma: libcsv adds an empty field */
        struct pos here = {r->line, r->column, 0};
        return push(r, here);
    }
    return 0;
}

/* ---- rows ---- */

static void free_cells(struct reader *r) {
    r->n_cells = 0;
    r->row_len = 0;
}

/* libcsv's field callback: copies the field, valid only during the call. */
static void on_field(void *text, size_t len, void *data) {
    struct reader *r = data;
    if (r->stop)
        return;
    if (r->q_head >= r->q_len) { /* cannot happen while the scanner mirrors libcsv */
        dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name, r->line, r->column, NULL,
                     "malformed CSV");
        r->stop = 1;
        return;
    }
    struct pos at = r->queue[r->q_head++];
    if (r->n_cells == r->cap_cells) {
        size_t cap = r->cap_cells ? r->cap_cells * 2 : 16;
        struct cell *cells = realloc(r->cells, cap * sizeof(*cells));
        if (!cells) {
            oom(r);
            return;
        }
        r->cells = cells;
        r->cap_cells = cap;
    }
    if (r->row_len + len + 1 > r->row_cap) {
        size_t cap = r->row_cap ? r->row_cap : 4096;
        while (cap < r->row_len + len + 1)
            cap *= 2;
        char *grown = realloc(r->row_text, cap);
        if (!grown) {
            oom(r);
            return;
        }
        r->row_text = grown;
        r->row_cap = cap;
    }
    memcpy(r->row_text + r->row_len, text, len);
    r->row_text[r->row_len + len] = '\0';
    r->cells[r->n_cells++] = (struct cell){NULL, r->row_len, len, at};
    r->row_len += len + 1;
}

/* Lists the kind's columns for a message: "id, kind, name, ... or evidence". */
static void column_list(enum dsr_kind kind, char *out, size_t n) {
    const struct dsr_kind_info *info = dsr_kind_info(kind);
    size_t used = 0;
    out[0] = '\0';
    for (size_t f = 0; f < info->n_fields && used < n; f++) {
        const char *sep = f == 0 ? "" : f + 1 == info->n_fields ? " or " : ", ";
        int w = snprintf(out + used, n - used, "%s%s", sep, info->fields[f].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* Checks the header row and maps columns to fields. 0, or -1 when the table stops. */

/* Spreadsheets write "Name" or " name ": header cells match field names trimmed, in any
 * case. */
static int header_field(enum dsr_kind kind, const char *text) {
    char name[32];
    size_t n = 0;
    while (*text == ' ')
        text++;
    for (; *text && n + 1 < sizeof(name); text++)
        name[n++] = (char)(*text >= 'A' && *text <= 'Z' ? *text + 32 : *text);
    while (n > 0 && name[n - 1] == ' ')
        n--;
    name[n] = '\0';
    return *text ? -1 : dsr_field_index(kind, name);
}

/* The header of a table of any kind: names must be unique. */
static int take_names(struct reader *r) {
    int problems = 0;
    struct dsr_table seen = {0}; /* the names so far, for wide tables */
    r->col_name = calloc(r->n_cells, sizeof(*r->col_name));
    if (!r->col_name) {
        oom(r);
        return -1;
    }
    r->n_cols = r->n_cells;
    for (size_t j = 0; j < r->n_cells; j++) {
        const struct cell *c = &r->cells[j];
        if (dsr_table_get(&seen, c->text)) {
            dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, c->at.line, c->at.column,
                         NULL, "duplicate column \"%s\"", c->text);
            problems++;
        }
        if (!(r->col_name[j] = strdup(c->text)) ||
            !dsr_table_put(&seen, r->col_name[j], NULL)) {
            dsr_table_release(&seen);
            oom(r);
            return -1;
        }
    }
    dsr_table_release(&seen);
    r->have_header = 1;
    if (problems)
        r->stop = 1;
    return problems ? -1 : 0;
}

/*
 * A header of one column holding ";" or a tab is a spreadsheet's export with
 * another separator: say so once, rather than a line per missing column.
 * 1 after saying it, else 0.
 */
static int other_separator(struct reader *r) {
    const struct cell *c = &r->cells[0];
    const char *sep = r->n_cells != 1         ? NULL
                      : strchr(c->text, ';')  ? "\";\""
                      : strchr(c->text, '\t') ? "tabs"
                                              : NULL;
    if (!sep)
        return 0;
    dsr_diag_add(
        r->diags, DSR_DIAG_SYNTAX, r->in->name, c->at.line, c->at.column, NULL,
        "the header is one column separated by %s: dossier reads comma-separated "
        "CSV (RFC 4180); export the table with commas",
        sep);
    r->stop = 1;
    return 1;
}

static int take_header(struct reader *r) {
    if (other_separator(r))
        return -1;
    if (r->take)
        return take_names(r);
    const struct dsr_kind_info *info = dsr_kind_info(r->kind);
    const char *table = info->plural;
    int seen[DSR_FIELDS_MAX] = {0}, problems = 0;
    char expected[256];
    column_list(r->kind, expected, sizeof(expected));
    r->col_field = malloc(r->n_cells * sizeof(*r->col_field));
    if (!r->col_field) {
        oom(r);
        return -1;
    }
    r->n_cols = r->n_cells;
    for (size_t j = 0; j < r->n_cells; j++) {
        const struct cell *c = &r->cells[j];
        int f = header_field(r->kind, c->text);
        r->col_field[j] = f;
        if (f < 0 || seen[f]++) {
            dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, c->at.line, c->at.column,
                         NULL, "%s column \"%s\" in %s%s%s",
                         f < 0 ? "unknown" : "duplicate", c->text, table,
                         f < 0 ? ": expected " : "", f < 0 ? expected : "");
            problems++;
        }
    }
    for (size_t f = 0; f < info->n_fields; f++)
        if (info->fields[f].required && !seen[f]) {
            dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, r->cells[0].at.line,
                         r->cells[0].at.column, NULL,
                         "missing required column \"%s\" in %s", info->fields[f].name,
                         table);
            problems++;
        }
    r->have_header = 1;
    if (problems)
        r->stop = 1;
    return problems ? -1 : 0;
}

/* Where a problem lies in the row being read; see dsr_locate_fn. */
struct row_place {
    struct reader *r;
    size_t row; /* 0-based data row */
};

/* Returns the column holding the named field (name ends at the first "/"), or -1. */
static int column_of(const struct reader *r, const char *name) {
    size_t n = strcspn(name, "/");
    const struct dsr_kind_info *info = dsr_kind_info(r->kind);
    for (size_t j = 0; j < r->n_cols; j++) {
        const char *field = info->fields[r->col_field[j]].name;
        if (strlen(field) == n && !strncmp(field, name, n))
            return (int)j;
    }
    return -1;
}

static int has_role(const char *item, size_t len) {
    return memchr(item, '=', len) != NULL;
}

/* The number of spaces and tabs s[0..len) starts with ("; " leaves one). */
static size_t blanks(const char *s, size_t len) {
    size_t n = 0;
    while (n < len && (s[n] == ' ' || s[n] == '\t'))
        n++;
    return n;
}

/*
 * Finds the content offset of list item `index` of a cell; for role lists
 * the index counts only items with a role, as the row object holds only
 * those. Writes the item's number in the cell; returns the offset or -1.
 */
static long item_offset(const struct cell *c, int roles, size_t index, size_t *in_cell) {
    size_t start = 0, k = 0, kept = 0;
    for (;;) {
        size_t len = strcspn(c->text + start, ";");
        if (!roles || has_role(c->text + start, len)) {
            if (kept++ == index) {
                *in_cell = k;
                return (long)(start + blanks(c->text + start, len));
            }
        }
        if (start + len >= c->len)
            return -1;
        start += len + 1;
        k++;
    }
}

/* The file position of content offset `off` of a cell: quotes inside were doubled. */
static void cell_position(const struct cell *c, size_t off, int *line, int *column) {
    *line = c->at.line;
    *column = c->at.column + c->at.quoted;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)c->text[i];
        if (ch == '\n' || ch == '\r') {
            if (!(ch == '\n' && i > 0 && c->text[i - 1] == '\r'))
                (*line)++;
            *column = 1;
        } else if (ch == '"') {
            *column += 2;
        } else if ((ch & 0xC0) != 0x80) {
            (*column)++;
        }
    }
}

/* Places a problem in a row of any table: at the cell its first token names. */
static void locate_cell(void *ctx, const char *pointer, struct dsr_diag *d) {
    struct row_place *p = ctx;
    struct reader *r = p->r;
    char path[DSR_PATH_MAX * 2];
    d->line = r->cells[0].at.line;
    d->column = r->cells[0].at.column;
    size_t len = pointer[0] == '/' ? strcspn(pointer + 1, "/") : 0;
    for (size_t j = 0; len && j < r->n_cols; j++)
        if (strlen(r->col_name[j]) == len && !strncmp(r->col_name[j], pointer + 1, len)) {
            d->line = r->cells[j].at.line;
            d->column = r->cells[j].at.column;
        }
    snprintf(path, sizeof(path), "/%zu%s", p->row, pointer);
    dsr_copy_tail(d->path, sizeof(d->path), path);
}

/* Hands a row of any table on as an object of strings keyed by the header. */
static void take_cells(struct reader *r, size_t row) {
    json_t *obj = json_object();
    for (size_t j = 0; obj && j < r->n_cols; j++)
        if (json_object_set_new(obj, r->col_name[j],
                                json_stringn(r->cells[j].text, r->cells[j].len)) < 0) {
            json_decref(obj);
            obj = NULL;
        }
    if (!obj) {
        oom(r);
        return;
    }
    struct row_place place = {r, row};
    if (r->take(r->ctx, obj, locate_cell, &place) < 0)
        r->stop = 1;
    json_decref(obj);
}

static void locate_row(void *ctx, const char *pointer, struct dsr_diag *d) {
    struct row_place *p = ctx;
    struct reader *r = p->r;
    char path[DSR_PATH_MAX * 2];
    d->line = r->cells[0].at.line;
    d->column = r->cells[0].at.column;
    snprintf(path, sizeof(path), "/%zu%s", p->row, pointer);
    int j = pointer[0] == '/' ? column_of(r, pointer + 1) : -1;
    if (j >= 0) {
        const struct cell *c = &r->cells[j];
        const struct dsr_field *spec = &dsr_kind_info(r->kind)->fields[r->col_field[j]];
        const char *rest = pointer + 1 + strlen(spec->name);
        d->line = c->at.line;
        d->column = c->at.column;
        if (rest[0] == '/') {
            size_t index = strtoul(rest + 1, NULL, 10), in_cell = 0;
            long off = item_offset(c, spec->type == DSR_FIELD_ROLES, index, &in_cell);
            if (off >= 0) {
                cell_position(c, (size_t)off, &d->line, &d->column);
                snprintf(path, sizeof(path), "/%zu/%s/%zu", p->row, spec->name, in_cell);
            }
        }
    }
    dsr_copy_tail(d->path, sizeof(d->path), path);
}

/*
 * Splits a list cell on ";" into field f's items; a role item is role=entity.
 * Returns the problems reported, or -1 when out of memory.
 */
static int take_list(struct reader *r, struct dsr_record *rec, int f,
                     const struct cell *c, size_t row) {
    const struct dsr_field *spec = &dsr_kind_info(r->kind)->fields[f];
    int problems = 0;
    for (size_t start = 0, k = 0;; k++) {
        const char *item = c->text + start;
        size_t len = strcspn(item, ";");
        int rc = 0;
        if (spec->type != DSR_FIELD_ROLES) {
            rc = dsr_record_add(rec, f, item, len, NULL, 0);
        } else if (!has_role(item, len)) {
            int line, column;
            char path[DSR_PATH_MAX];
            size_t skip = blanks(item, len);
            cell_position(c, start + skip, &line, &column);
            snprintf(path, sizeof(path), "/%zu/%s/%zu", row, spec->name, k);
            dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, line, column, path,
                         "%s \"%.*s\" has no role: expected role=entity", spec->item,
                         (int)(len - skip), item + skip);
            problems++;
        } else {
            /* The role is one lowercase word: trim the blanks "; " leaves around it. */
            const char *eq = memchr(item, '=', len), *rs = item + blanks(item, len),
                       *re = eq;
            while (re > rs && (re[-1] == ' ' || re[-1] == '\t'))
                re--;
            rc = dsr_record_add(rec, f, eq + 1, (size_t)(item + len - eq - 1), rs,
                                (size_t)(re - rs));
        }
        if (rc < 0)
            return -1;
        if (start + len >= c->len)
            return problems;
        start += len + 1;
    }
}

/* Makes a data row's cells a record's fields and hands the record on. */
static void take_row(struct reader *r) {
    size_t row = r->rows++;
    const struct pos at = r->cells[0].at;
    char path[64];
    snprintf(path, sizeof(path), "/%zu", row);
    if (r->n_cells != r->n_cols) {
        dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, at.line, at.column, path,
                     "too %s cells in row: %zu, the header has %zu columns",
                     r->n_cells < r->n_cols ? "few" : "many", r->n_cells, r->n_cols);
        return;
    }
    if (r->take) {
        take_cells(r, row);
        return;
    }
    const struct dsr_kind_info *info = dsr_kind_info(r->kind);
    struct dsr_record *rec = dsr_record_new(r->kind);
    int problems = 0;
    for (size_t j = 0; rec && j < r->n_cols; j++) {
        const struct cell *c = &r->cells[j];
        int f = r->col_field[j];
        if (c->len == 0)
            continue; /* an empty cell is an absent field */
        rec->given |= 1u << f;
        int type = info->fields[f].type;
        int k = type == DSR_FIELD_LIST || type == DSR_FIELD_ROLES
                    ? take_list(r, rec, f, c, row)
                    : dsr_record_set(rec, f, c->text, c->len);
        if (k < 0) {
            dsr_record_free(rec);
            rec = NULL;
        }
        problems += k;
    }
    struct row_place place = {r, row};
    int checked =
        rec ? dsr_record_check(rec, r->in->name, locate_row, &place, r->diags) : -1;
    if (checked < 0) {
        dsr_record_free(rec);
        oom(r);
        return;
    }
    if (checked + problems) {
        dsr_record_free(rec);
        return;
    }
    rec->file = r->in->name;
    rec->line = at.line;
    rec->column = at.column;
    if (r->emit(r->ctx, rec) < 0)
        r->stop = 1;
}

/* Hands a row of a file without a header on, its fields with their positions. */
static void take_raw(struct reader *r) {
    struct dsr_csv_field *fields = malloc(r->n_cells * sizeof(*fields));
    if (!fields) {
        oom(r);
        return;
    }
    for (size_t j = 0; j < r->n_cells; j++)
        fields[j] = (struct dsr_csv_field){r->cells[j].text, r->cells[j].len,
                                           r->cells[j].at.line, r->cells[j].at.column};
    if (r->raw(r->ctx, fields, r->n_cells) < 0)
        r->stop = 1;
    free(fields);
}

/* libcsv's row callback. */
static void on_row(int term, void *data) {
    struct reader *r = data;
    (void)term;
    for (size_t i = 0; i < r->n_cells; i++) /* the row's text has stopped moving */
        r->cells[i].text = r->row_text + r->cells[i].off;
    if (!r->stop && r->n_cells > 0) {
        if (r->raw)
            take_raw(r);
        else if (!r->have_header)
            take_header(r);
        else
            take_row(r);
    }
    free_cells(r);
}

/* ---- the table ---- */

int dsr_csv_table_from_name(const char *name) {
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (n > 4 && !strcasecmp(base + n - 4, ".csv"))
        n -= 4;
    int found = -1;
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        const char *plural = dsr_kind_info(k)->plural;
        size_t p = strlen(plural);
        int match =
            n == p ? !strncmp(base, plural, p)
                   : n > p && ((!strncmp(base, plural, p) && strchr("-_.", base[p])) ||
                               (!strncmp(base + n - p, plural, p) &&
                                strchr("-_.", base[n - p - 1])));
        if (match && found >= 0)
            return -1; /* "entities-events": ambiguous */
        if (match)
            found = k;
    }
    return found;
}

/* Hands p[0..n) to the scanner, then to libcsv, `chunk` bytes at a time. */
static void feed(struct reader *r, struct csv_parser *parser, const unsigned char *p,
                 size_t n, size_t chunk) {
    for (size_t off = 0; off < n && !r->stop; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        size_t ok = scan(r, p + off, len);
        /* The rows before a bad byte are still read and checked; then reading stops. */
        int bad = r->stop;
        r->stop = 0;
        size_t parsed = csv_parse(parser, p + off, ok, on_field, on_row, r);
        r->stop |= bad;
        if (parsed < ok && !r->stop) {
            if (csv_error(parser) == CSV_EPARSE)
                dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name, r->line, r->column,
                             NULL, "malformed CSV");
            else
                oom(r);
            r->stop = 1;
        }
    }
}

static int no_space(unsigned char c) {
    (void)c;
    return 0; /* RFC 4180: spaces belong to the field */
}

/* Reads the input through parser; returns 0 at its end, -1 when stopped. */
static int read_table(struct reader *r, struct csv_parser *parser, size_t chunk) {
    unsigned char *buf = malloc(chunk > 4 ? chunk : 4);
    size_t n = 0, got;
    if (!buf) {
        oom(r);
        return -1;
    }
    /* The first bytes decide the encoding. */
    while (n < 4 && (got = fread(buf + n, 1, 4 - n, r->in->fp)) > 0)
        n += got;
    int skip = dsr_input_start(buf, n, r->in->name, 1, r->diags);
    if (skip < 0)
        r->stop = 1;
    else
        feed(r, parser, buf + skip, n - (size_t)skip, chunk);
    while (!r->stop && n == 4 && (got = fread(buf, 1, chunk, r->in->fp)) > 0)
        feed(r, parser, buf, got, chunk);
    free(buf);
    if (!r->stop && ferror(r->in->fp)) {
        dsr_diag_add(r->diags, DSR_DIAG_IO, r->in->name, 0, 0, NULL,
                     "cannot read: read error");
        r->stop = 1;
    }
    if (!r->stop && scan_end(r) == 0 && csv_fini(parser, on_field, on_row, r) != 0 &&
        !r->stop)
        syntax(r, r->field_at, "malformed CSV");
    if (!r->stop && !r->have_header && !r->raw) {
        struct pos start = {1, 1, 0};
        syntax(r, start, "empty input: expected a header row");
    }
    return r->stop ? -1 : 0;
}

/*
 * Reads a table: records of a dataset table to emit, or with take, rows of any
 * table, or with raw, rows of a file without a header.
 */
static int read_csv(const struct dsr_input *in, size_t chunk, size_t row_max,
                    dsr_record_fn emit, dsr_csv_row_fn take, dsr_csv_raw_fn raw,
                    void *ctx, struct dsr_diags *diags) {
    int kind = take || raw      ? 0
               : in->table >= 0 ? in->table
                                : dsr_csv_table_from_name(in->name);
    if (kind < 0) {
        dsr_diag_add(diags, DSR_DIAG_USAGE, in->name, 0, 0, NULL,
                     "cannot tell which table this file holds: name it entities.csv, "
                     "designations.csv, events.csv or sources.csv, or use --table");
        return -1;
    }
    struct reader r = {.in = in,
                       .emit = emit,
                       .take = take,
                       .raw = raw,
                       .ctx = ctx,
                       .diags = diags,
                       .kind = (enum dsr_kind)kind,
                       .row_max = row_max ? row_max : DSR_CSV_ROW_MAX,
                       .line = 1,
                       .column = 1};
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        oom(&r);
        return -1;
    }
    csv_set_space_func(&parser, no_space);
    csv_set_blk_size(&parser, 16384);
    int rc = read_table(&r, &parser, chunk ? chunk : DSR_CSV_CHUNK);
    csv_free(&parser);
    free_cells(&r);
    free(r.cells);
    free(r.row_text);
    free(r.queue);
    free(r.col_field);
    for (size_t j = 0; r.col_name && j < r.n_cols; j++)
        free(r.col_name[j]);
    free(r.col_name);
    return rc;
}

int dsr_csv_read_chunked(const struct dsr_input *in, size_t chunk, size_t row_max,
                         dsr_record_fn emit, void *ctx, struct dsr_diags *diags) {
    return read_csv(in, chunk, row_max, emit, NULL, NULL, ctx, diags);
}

int dsr_csv_read_rows(const struct dsr_input *in, dsr_csv_row_fn take, void *ctx,
                      struct dsr_diags *diags) {
    return read_csv(in, DSR_CSV_CHUNK, 0, NULL, take, NULL, ctx, diags);
}

int dsr_csv_read_raw(const struct dsr_input *in, size_t chunk, dsr_csv_raw_fn take,
                     void *ctx, struct dsr_diags *diags) {
    return read_csv(in, chunk ? chunk : DSR_CSV_CHUNK, 0, NULL, NULL, take, ctx, diags);
}

/* ---- a dataset table in blocks of rows, read by workers ---- */

/*
 * A dataset table is read in blocks of whole rows: this thread reads the
 * header, then finds where rows end (a line end outside quotes), counting
 * lines and rows as it goes, and workers parse and check each block with a
 * reader of their own that starts there (read_rows). Blocks are taken back in
 * order (batch.c), so records and diagnostics are the same with any number of
 * threads. Quotes can be counted this way because the scanner stops the table
 * at the first quote out of place: past it nothing is read.
 */
#define ROWS_BLOCK (256u << 10)

struct rows_block {
    struct dsr_batch batch;
    const struct reader *table; /* the table's reader, its header taken; borrowed */
    struct dsr_bytes text;
    struct rows_block *next; /* among the spares */
    int line;                /* where the block starts, at the start of a line */
    size_t row;              /* the index of its first data row */
    int last;                /* the input ends with it: what is left open is an error */
    int stop;                /* reading stopped in it, or before it (a read error) */
};

/* A worker's part: the block's rows, read as the table's reader would read them. */
static void read_rows(void *ctx, void *item) {
    struct rows_block *b = item;
    const struct reader *t = b->table;
    (void)ctx;
    if (b->stop)
        return; /* a read error: only its diagnostic */
    struct reader r = {.in = t->in,
                       .emit = dsr_batch_keep,
                       .ctx = &b->batch,
                       .diags = &b->batch.diags,
                       .kind = t->kind,
                       .row_max = t->row_max,
                       .line = b->line,
                       .column = 1,
                       .col_field = t->col_field,
                       .n_cols = t->n_cols,
                       .have_header = 1,
                       .rows = b->row};
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        oom(&r);
    } else {
        csv_set_space_func(&parser, no_space);
        csv_set_blk_size(&parser, 16384);
        feed(&r, &parser, b->text.data, b->text.len, DSR_CSV_CHUNK);
        if (b->last && !r.stop && scan_end(&r) == 0 &&
            csv_fini(&parser, on_field, on_row, &r) != 0 && !r.stop)
            syntax(&r, r.field_at, "malformed CSV");
        csv_free(&parser);
    }
    b->stop = r.stop;
    free(r.cells);
    free(r.row_text);
    free(r.queue);
}

static void rows_block_free(struct rows_block *b) {
    dsr_batch_release(&b->batch);
    free(b->text.data);
    free(b);
}

/* Where rows end, as the reading thread finds them. */
struct cutter {
    int quoted;  /* inside a quoted field */
    int content; /* the row under way has begun (a blank line has not) */
    int prev_cr;
    int line;    /* of the next byte */
    size_t rows; /* rows ended, the header's too */
};

/*
 * Goes on from p[from] to the first row end at or past p[want - 1] that a
 * block may end with (a "\n", or a "\r" before anything else), and returns
 * the length up to it; 0 when p[0..n) holds none, the cutter then standing at
 * n. The cutter counts as the reader's scanner counts.
 */
static size_t find_cut(struct cutter *c, const unsigned char *p, size_t from, size_t n,
                       size_t want, int eof) {
    for (size_t i = from; i < n; i++) {
        while (n - i >= 8) { /* eight bytes at a time past plain text */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (dsr_bytes_equal(w, '"') | dsr_bytes_equal(w, '\n') |
                dsr_bytes_equal(w, '\r'))
                break;
            c->content = 1;
            c->prev_cr = 0;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char b = p[i];
        if (b != '\n' && b != '\r') {
            c->quoted ^= b == '"';
            c->content = 1;
            c->prev_cr = 0;
            continue;
        }
        if (!(b == '\n' && c->prev_cr))
            c->line++;
        c->prev_cr = b == '\r';
        if (c->quoted)
            continue;
        c->rows += c->content;
        c->content = 0;
        if (i + 1 >= want && (b == '\n' || (i + 1 < n ? p[i + 1] != '\n' : eof)))
            return i + 1;
    }
    return 0;
}

/* The blocks' reading: the input's bytes not yet in a block, and where rows end. */
struct rows_reading {
    struct reader *table;
    struct csv_parser *parser;
    struct dsr_workers *workers;
    dsr_record_fn emit;
    void *ctx;
    struct dsr_bytes buf; /* from the next block's start */
    size_t scanned;       /* bytes of buf the cutter has gone over */
    struct cutter cut;
    int line;   /* where buf starts */
    size_t row; /* the data rows before buf */
    int stopped;
    struct rows_block *spares; /* taken back: their buffers serve again */
};

/*
 * Takes a block back: its records on, in order, then keeps it with its
 * buffers, which would come back as fresh pages if made again at each block.
 */
static void take_rows(struct rows_reading *rr, struct rows_block *b) {
    if (rr->stopped ||
        dsr_batch_emit(&b->batch, rr->emit, rr->ctx, rr->table->diags) < 0 || b->stop)
        rr->stopped = 1;
    dsr_batch_reset(&b->batch);
    b->next = rr->spares;
    rr->spares = b;
}

/* Hands a block to the workers, taking the oldest back first when they are full. */
static void submit_rows(struct rows_reading *rr, struct rows_block *b) {
    if (dsr_workers_full(rr->workers))
        take_rows(rr, dsr_workers_next(rr->workers));
    dsr_workers_submit(rr->workers, b);
}

/* Makes buf[0..n) a block (the last: the input's end), and keeps what follows. 0 or -1.
 */
static int cut_block(struct rows_reading *rr, size_t n, int last) {
    struct rows_block *b = rr->spares;
    if (b)
        rr->spares = b->next;
    else if ((b = calloc(1, sizeof(*b))))
        dsr_batch_init(&b->batch, rr->table->in);
    /* The block takes buf's first n bytes; buf goes on in the spare's buffer. */
    if (!b || dsr_bytes_hand_over(&rr->buf, n, &b->text, ROWS_BLOCK) < 0) {
        if (b)
            rows_block_free(b);
        oom(rr->table);
        return -1;
    }
    b->table = rr->table;
    b->line = rr->line;
    b->row = rr->row;
    b->last = last;
    b->stop = 0;
    submit_rows(rr, b);
    rr->scanned = 0;
    rr->line = rr->cut.line;
    rr->row = rr->cut.rows - 1; /* the header is no data row */
    return 0;
}

/* A block with only a diagnostic, the last: reading failed there. */
static void failed_block(struct rows_reading *rr, const char *message) {
    struct rows_block *b = calloc(1, sizeof(*b));
    if (!b) {
        oom(rr->table);
        return;
    }
    dsr_batch_init(&b->batch, rr->table->in);
    b->table = rr->table;
    b->stop = b->last = 1;
    dsr_diag_add(&b->batch.diags, DSR_DIAG_IO, rr->table->in->name, 0, 0, NULL, "%s",
                 message);
    submit_rows(rr, b);
}

/*
 * Reads the table: the header by this thread's reader (which reports what is
 * wrong with it, and what the input's start says), then blocks of rows.
 */
static void read_in_blocks(struct rows_reading *rr) {
    struct reader *t = rr->table;
    int eof = 0, more = 1; /* more: no row end found in what was read */
    while (!t->stop && !rr->stopped) {
        size_t want = t->have_header ? ROWS_BLOCK : 1;
        if (more && !eof) {
            if (dsr_bytes_reserve(&rr->buf, ROWS_BLOCK) < 0) {
                oom(t);
                break;
            }
            size_t got = fread(rr->buf.data + rr->buf.len, 1, ROWS_BLOCK, t->in->fp);
            rr->buf.len += got;
            if (got == 0 && ferror(t->in->fp)) {
                failed_block(rr, "cannot read: read error");
                break;
            }
            eof = got == 0;
            if (!eof && rr->buf.len < want)
                continue;
        }
        size_t n = find_cut(&rr->cut, rr->buf.data, rr->scanned, rr->buf.len, want, eof);
        rr->scanned = n ? 0 : rr->buf.len;
        more = n == 0;
        int too_long = !n && rr->buf.len > want + t->row_max;
        if (!t->have_header && (n || eof || too_long)) {
            /* The header, or all there is: this thread's reader reads it. */
            size_t len = n ? n : rr->buf.len;
            feed(t, rr->parser, rr->buf.data, len, DSR_CSV_CHUNK);
            memmove(rr->buf.data, rr->buf.data + len, rr->buf.len - len);
            rr->buf.len -= len;
            rr->line = rr->cut.line;
            rr->row = 0;
            if (!n && !t->stop && scan_end(t) == 0 &&
                csv_fini(rr->parser, on_field, on_row, t) != 0 && !t->stop)
                syntax(t, t->field_at, "malformed CSV");
            if (!n || t->stop)
                break;
        } else if (n || too_long) {
            /* A row longer than a reader may hold ends the table: its block is the last.
             */
            if (cut_block(rr, n ? n : rr->buf.len, !n) < 0 || !n)
                break;
        } else if (eof) {
            if (rr->buf.len)
                cut_block(rr, rr->buf.len, 1);
            break;
        }
    }
    if (!t->stop && !t->have_header) {
        struct pos start = {1, 1, 0};
        syntax(t, start, "empty input: expected a header row");
    }
}

int dsr_csv_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags) {
    int kind = in->table >= 0 ? in->table : dsr_csv_table_from_name(in->name);
    if (kind < 0)
        return read_csv(in, DSR_CSV_CHUNK, 0, emit, NULL, NULL, ctx,
                        diags); /* says why */
    struct reader t = {.in = in,
                       .emit = emit,
                       .ctx = ctx,
                       .diags = diags,
                       .kind = (enum dsr_kind)kind,
                       .row_max = DSR_CSV_ROW_MAX,
                       .line = 1,
                       .column = 1};
    struct csv_parser parser;
    struct rows_reading rr = {.table = &t,
                              .parser = &parser,
                              .workers = dsr_workers_new(in->jobs, read_rows, NULL),
                              .emit = emit,
                              .ctx = ctx,
                              .cut = {.line = 1},
                              .line = 1};
    unsigned char start[4];
    size_t n = 0, got;
    if (!rr.workers ||
        csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
        dsr_workers_free(rr.workers);
        oom(&t);
        return -1;
    }
    csv_set_space_func(&parser, no_space);
    csv_set_blk_size(&parser, 16384);
    /* The first bytes decide the encoding. */
    while (n < 4 && (got = fread(start + n, 1, 4 - n, in->fp)) > 0)
        n += got;
    int skip = dsr_input_start(start, n, in->name, 1, diags);
    if (skip < 0)
        t.stop = 1;
    else if (dsr_bytes_reserve(&rr.buf, ROWS_BLOCK) < 0)
        oom(&t);
    else {
        memcpy(rr.buf.data, start + skip, n - (size_t)skip);
        rr.buf.len = n - (size_t)skip;
        read_in_blocks(&rr);
    }
    for (struct rows_block *b; (b = dsr_workers_next(rr.workers));)
        take_rows(&rr, b);
    dsr_workers_free(rr.workers);
    for (struct rows_block *b; (b = rr.spares);) {
        rr.spares = b->next;
        rows_block_free(b);
    }
    csv_free(&parser);
    free(rr.buf.data);
    free_cells(&t);
    free(t.cells);
    free(t.row_text);
    free(t.queue);
    free(t.col_field);
    return t.stop || rr.stopped ? -1 : 0;
}
