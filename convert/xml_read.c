/*
 * XML -> records, and XSD validation of any XML document. libxml2's push
 * parser streams the input through SAX2 callbacks with the XSD validator
 * plugged in between (xmlSchemaSAXPlug), so one pass checks the schema and
 * builds records; memory holds one record at a time. The validator speaks
 * just after our own callback for the element concerned, so a record is
 * finished only at the next event. A record the XSD rejected is reported in
 * the model's words and dropped; one it accepted still goes through
 * dsr_record_check, which adds the rules an XSD cannot say (days in a month).
 *
 * Size limits are ours, not libxml2's (XML_PARSE_HUGE lifts its own): what a
 * JSON record or a CSV row can hold, 64 MiB, XML holds too, so what dossier
 * writes it reads back; past that, a field's text or one piece of markup is
 * refused with that limit named.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemastypes.h>

#include "xml.h"

#define CHUNK 65536
#define DEPTH_MAX 256          /* libxml2's own default nesting limit */
#define TEXT_MAX (64u << 20)   /* longest field text kept: a JSON record's, a CSV row's */
#define MARKUP_MAX (64u << 20) /* longest tag, comment or instruction buffered whole */
#define CHUNK_MAX (16u << 20)  /* largest read, while markup is pending */
#define RAWS_MAX 64            /* schema errors kept for one record */
#define RECENT (32u << 10)     /* input kept from before the chunk being parsed */
#define LINE_SCAN_MAX (16u << 10) /* how far back a tag's line start is looked for */
/* How the patterns of dossier.xsd's text and item types begin. */
#define TEXT_PATTERN "<xs:pattern value=\"[\\s\\p{Z}&#x85;]*[^\\s\\p{Z}&#x85;&#x7F;"

struct pos {
    int line, column;
};

struct reader {
    const struct dsr_input *in;
    struct dsr_diags *diags;
    dsr_record_fn emit; /* NULL: validate only, any document */
    void *emit_ctx;
    xmlParserCtxtPtr parser;
    struct dsr_xml_elem *stack; /* open elements, root first */
    size_t depth, alloc;
    struct dsr_xml_elem last; /* what the validator's next error is about */
    int last_line,
        last_column; /* where the last schema error was put; repeats are dropped */
    char last_attr[DSR_XML_TAG_MAX];
    size_t counts[DSR_KIND_COUNT]; /* records seen per section: path indexes */
    struct dsr_record *rec;        /* the record being read; NULL outside one */
    char rec_path[DSR_PATH_MAX];
    int pending;              /* rec is closed: finish it at the next event */
    int seen[DSR_FIELDS_MAX]; /* field elements met in rec */
    struct pos fields[DSR_FIELDS_MAX];
    struct pos *items[DSR_FIELDS_MAX];
    size_t n_items[DSR_FIELDS_MAX], alloc_items[DSR_FIELDS_MAX];
    char *text; /* text of the open field or item */
    size_t text_len, text_alloc;
    char *role;                 /* role attribute of the open item; NULL = none */
    struct dsr_xml_error *raws; /* schema errors about rec */
    size_t n_raws;
    int rejected;  /* the XSD rejected rec */
    int stopped;   /* syntax error, refusal or emit failure: ignore the rest */
    int root_seen; /* the root element has started */
    const struct dsr_xml_piece *piece; /* what is read: a document, or a piece of one */
    int prefix_opened;                 /* the piece's prefix elements started */
    int in_prefix;                     /* its prefix is being read */
    int in_suffix;                     /* its suffix is being read */
    int unsure; /* a piece: it holds what its start could change (see xml_split.c) */
    /* The input as fed, from which a start tag's column is counted (line_column). */
    const unsigned char *chunk; /* being parsed; it starts at the input's byte chunk_at */
    size_t chunk_at, chunk_len;
    unsigned char *recent; /* the RECENT bytes before it (fewer at the start) */
    size_t recent_len;
};

/* The document's line of a line the parser counts in a piece, after its prefix's. */
static int doc_line(const struct reader *r, int line) {
    const struct dsr_xml_piece *p = r->piece;
    if (!p->prefix_len)
        return line;
    if (line <= 1) /* the prefix's line: its elements' */
        return p->n_open ? p->open_line[p->n_open - 1] : 1;
    return line - 2 + p->line;
}

static void report(struct reader *r, const struct dsr_xml_error *e) {
    char msg[DSR_MSG_MAX], path[DSR_PATH_MAX];
    dsr_xml_describe(e, r->emit != NULL, r->rec, r->seen, msg, sizeof(msg));
    /* A record's attribute is one of its fields: point at it as JSON would. */
    if (r->emit && e->at.role == DSR_XML_RECORD && e->attr[0])
        dsr_xml_path_join(path, e->at.path, e->attr);
    else
        snprintf(path, sizeof(path), "%s", e->at.path);
    dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->in->name, e->at.line, e->at.column, path,
                 "%s", msg);
}

/* ---- records ---- */

static void locate_xml(void *ctx, const char *pointer, struct dsr_diag *d) {
    struct reader *r = ctx;
    char name[DSR_XML_TAG_MAX] = "", path[DSR_PATH_MAX * 2];
    int item = -1;
    struct pos at = {r->rec->line, r->rec->column};
    if (pointer[0] == '/')
        sscanf(pointer, "/%63[^/]/%d", name, &item);
    int f = name[0] ? dsr_field_index(r->rec->kind, name) : -1;
    if (f > 0 && r->seen[f])
        at = r->fields[f];
    if (f > 0 && item >= 0 && (size_t)item < r->n_items[f])
        at = r->items[f][item];
    d->line = at.line;
    d->column = at.column;
    snprintf(path, sizeof(path), "%s%s", r->rec_path, pointer);
    dsr_copy_tail(d->path, sizeof(d->path), path);
}

/*
 * Stops the parser from a SAX callback as xmlStopParser does, but without
 * freeing its input: the XSD validator, plugged in after our callback, still
 * reads the text or attributes it was given.
 */
static void halt(struct reader *r) {
    r->stopped = 1;
    if (r->parser) {
        r->parser->disableSAX = 1;
        r->parser->instate = XML_PARSER_EOF;
    }
}

static void oom(struct reader *r) {
    dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, 0, 0, NULL, "out of memory");
    halt(r);
}

static void record_reset(struct reader *r) {
    dsr_record_free(r->rec);
    r->rec = NULL;
    r->pending = r->rejected = 0;
    r->n_raws = 0;
    memset(r->seen, 0, sizeof(r->seen));
    memset(r->n_items, 0, sizeof(r->n_items));
}

/*
 * Ends the record once the validator has spoken: reports what the XSD found,
 * or runs the model's own check and hands the record on.
 */
static void finish_record(struct reader *r) {
    if (!r->rec)
        return;
    if (r->rejected || r->stopped) {
        for (size_t i = 0; i < r->n_raws; i++)
            report(r, &r->raws[i]);
    } else {
        int problems = dsr_record_check(r->rec, r->in->name, locate_xml, r, r->diags);
        if (problems < 0) {
            oom(r);
        } else if (problems == 0) {
            struct dsr_record *rec = r->rec;
            r->rec = NULL;
            if (r->emit(r->emit_ctx, rec) < 0)
                halt(r);
        }
    }
    record_reset(r);
}

static void finish_pending(struct reader *r) {
    if (r->pending)
        finish_record(r);
}

/* ---- SAX callbacks ---- */

/* The input's byte at `at`, or -1 when it is no longer kept. */
static int input_byte(const struct reader *r, size_t at) {
    if (at >= r->chunk_at)
        return at - r->chunk_at < r->chunk_len ? r->chunk[at - r->chunk_at] : -1;
    size_t back = r->chunk_at - at;
    return back <= r->recent_len ? r->recent[r->recent_len - back] : -1;
}

/*
 * The column of a start tag that spans lines, from its "<": characters from
 * its line's start (a BOM not counted) in the input as fed, which does not
 * depend on what libxml2 still buffers, nor so on how the input came in
 * chunks; 0 (unknown) when the line starts more than LINE_SCAN_MAX bytes back.
 */
static int line_column(const struct reader *r, const xmlChar *lt) {
    xmlParserInputPtr in = r->parser->input;
    size_t at = (size_t)in->consumed + (size_t)(lt - in->base);
    int column = 1;
    for (size_t back = 1; back <= LINE_SCAN_MAX && back <= at; back++) {
        int b = input_byte(r, at - back);
        if (b < 0)
            return 0;
        if (b == '\n')
            return column;
        column += (b & 0xC0) != 0x80;
    }
    if (at > LINE_SCAN_MAX)
        return 0;
    return column - (input_byte(r, 0) == 0xEF && input_byte(r, 1) == 0xBB &&
                     input_byte(r, 2) == 0xBF);
}

/* Where the start tag just parsed begins: libxml2 stands at its end. */
static void tag_position(const struct reader *r, int *line, int *column) {
    xmlParserInputPtr in = r->parser->input;
    const xmlChar *p = in->cur, *lt = in->cur;
    int newlines = 0, chars = 0;
    *line = doc_line(r, in->line);
    *column = in->col;
    while (lt > in->base && *lt != '<')
        lt--;
    if (*lt != '<')
        return;
    for (p = lt; p < in->cur; p++) {
        newlines += *p == '\n';
        chars += (*p & 0xC0) != 0x80;
    }
    *line = doc_line(r, in->line - newlines);
    if (newlines == 0) {
        *column = in->col - chars;
        return;
    }
    if (!in->buf || !in->buf->encoder) {
        *column = line_column(r, lt);
        return;
    }
    /* Decoded from another encoding: from the line start, when the buffer holds it. */
    for (p = lt, chars = 1; p > in->base && p[-1] != '\n'; p--)
        chars += (p[-1] & 0xC0) != 0x80;
    if (p > in->base || in->consumed == 0)
        *column =
            chars - (p == in->base && in->end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3));
    else
        *column = 0;
}

/* Copies src into dst (size n), cut to fit: snprintf's result, without its cost. */
static void copy_cut(char *dst, size_t n, const char *src) {
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Writes v in decimal into buf (at least 21 bytes). */
static void decimal(char *buf, size_t v) {
    char digits[21];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    for (size_t i = 0; i < n; i++)
        buf[i] = digits[n - 1 - i];
    buf[n] = '\0';
}

/* Sets what e is in the dataset's structure, from its parent and name. */
static void classify(struct reader *r, struct dsr_xml_elem *e, const xmlChar *uri) {
    const struct dsr_xml_elem *up = r->depth ? &r->stack[r->depth - 1] : NULL;
    e->role = DSR_XML_OTHER;
    e->kind = up ? up->kind : -1;
    e->field = e->item = -1;
    e->in_ns = uri != NULL;
    copy_cut(e->parent, sizeof(e->parent), up ? up->name : "");
    if (!r->emit)
        return;
    if (up)
        dsr_xml_path_join(e->path, up->path, e->name);
    if (uri)
        return;
    if (!up) {
        if (!strcmp(e->name, "dataset")) {
            e->role = DSR_XML_DATASET;
            e->path[0] = '\0';
        }
    } else if (up->role == DSR_XML_DATASET) {
        int k = dsr_kind_from_name(e->name);
        if (k >= 0 && !strcmp(e->name, dsr_kind_info(k)->plural)) {
            e->role = DSR_XML_SECTION;
            e->kind = k;
        }
    } else if (up->role == DSR_XML_SECTION &&
               !strcmp(e->name, dsr_kind_info(up->kind)->name)) {
        char index[21];
        e->role = DSR_XML_RECORD;
        decimal(index, r->counts[up->kind]++);
        dsr_xml_path_join(e->path, "", dsr_kind_info(up->kind)->plural);
        dsr_xml_path_join(e->path, e->path, index);
    } else if (up->role == DSR_XML_RECORD) {
        e->field = dsr_field_index(up->kind, e->name);
        e->role = e->field > 0 ? DSR_XML_FIELD : DSR_XML_OTHER;
        e->field = e->field > 0 ? e->field : -1;
    } else if (up->role == DSR_XML_FIELD &&
               dsr_kind_info(up->kind)->fields[up->field].item &&
               !strcmp(e->name, dsr_kind_info(up->kind)->fields[up->field].item)) {
        e->role = DSR_XML_ITEM;
        e->field = up->field;
        e->item = (int)r->n_items[up->field];
        char index[21];
        decimal(index, (size_t)e->item);
        dsr_xml_path_join(e->path, up->path, index);
    }
}

/* The value of the unqualified attribute name among SAX2's quintuples, or NULL. */
static char *attribute(const xmlChar **attrs, int n, const char *name) {
    for (int i = 0; i < n; i++, attrs += 5)
        if (!attrs[2] && !strcmp((const char *)attrs[0], name)) {
            size_t len = (size_t)(attrs[4] - attrs[3]);
            char *v = malloc(len + 1);
            if (v) {
                memcpy(v, attrs[3], len);
                v[len] = '\0';
            }
            return v;
        }
    return NULL;
}

static int note_item(struct reader *r, const struct dsr_xml_elem *e) {
    size_t f = (size_t)e->field;
    if (r->n_items[f] == r->alloc_items[f]) {
        size_t alloc = r->alloc_items[f] ? r->alloc_items[f] * 2 : 8;
        struct pos *p = realloc(r->items[f], alloc * sizeof(*p));
        if (!p)
            return -1;
        r->items[f] = p;
        r->alloc_items[f] = alloc;
    }
    r->items[f][r->n_items[f]++] = (struct pos){e->line, e->column};
    return 0;
}

/* Starts what the new element opens: a record, a field's text, an item. */
static int open_elem(struct reader *r, const struct dsr_xml_elem *e,
                     const xmlChar **attrs, int n) {
    if (e->role == DSR_XML_RECORD) {
        record_reset(r);
        r->rec = dsr_record_new((enum dsr_kind)e->kind);
        if (!r->rec)
            return -1;
        r->rec->file = r->in->name;
        r->rec->line = e->line;
        r->rec->column = e->column;
        copy_cut(r->rec_path, sizeof(r->rec_path), e->path);
        char *id = attribute(attrs, n, "id");
        int rc = id ? dsr_record_set(r->rec, 0, id, strlen(id)) : 0;
        free(id);
        return rc;
    }
    if (!r->rec || (e->role != DSR_XML_FIELD && e->role != DSR_XML_ITEM))
        return 0;
    r->text_len = 0;
    if (e->role == DSR_XML_FIELD) {
        if (r->seen[e->field]++ == 0)
            r->fields[e->field] = (struct pos){e->line, e->column};
        return 0;
    }
    free(r->role);
    r->role = attribute(attrs, n, "role");
    return note_item(r, e);
}

/* At each event: a piece's prefix has been read once its elements have all started. */
static void after_prefix(struct reader *r) {
    if (r->in_prefix && r->prefix_opened == r->piece->n_open)
        r->in_prefix = 0;
}

static void start_element(void *ctx, const xmlChar *name, const xmlChar *prefix,
                          const xmlChar *uri, int nb_ns, const xmlChar **ns, int n_attrs,
                          int n_defaulted, const xmlChar **attrs) {
    struct reader *r = ctx;
    (void)prefix, (void)nb_ns, (void)ns, (void)n_defaulted;
    after_prefix(r);
    if (r->stopped)
        return;
    finish_pending(r);
    struct dsr_xml_elem e;
    if (r->prefix_opened < r->piece->n_open) {
        e.line = r->piece->open_line[r->prefix_opened];
        e.column = r->piece->open_column[r->prefix_opened++];
    } else {
        tag_position(r, &e.line, &e.column);
    }
    if (r->depth >= DEPTH_MAX) {
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, e.line, e.column, NULL,
                     "nesting deeper than %d elements refused", DEPTH_MAX);
        halt(r);
        return;
    }
    e.path[0] = '\0';
    copy_cut(e.name, sizeof(e.name), (const char *)name);
    classify(r, &e, uri);
    if (r->depth == r->alloc) {
        size_t alloc = r->alloc ? r->alloc * 2 : 16;
        struct dsr_xml_elem *s = realloc(r->stack, alloc * sizeof(*s));
        if (!s) {
            oom(r);
            return;
        }
        r->stack = s;
        r->alloc = alloc;
    }
    r->stack[r->depth++] = e;
    r->root_seen = 1;
    r->last = e;
    if (open_elem(r, &e, attrs, n_attrs) < 0)
        oom(r);
}

static void check_text_pattern(struct reader *r, const struct dsr_xml_elem *e);

static void end_element(void *ctx, const xmlChar *name, const xmlChar *prefix,
                        const xmlChar *uri) {
    struct reader *r = ctx;
    (void)name, (void)prefix, (void)uri;
    after_prefix(r);
    if (r->stopped || r->depth == 0)
        return;
    finish_pending(r);
    const struct dsr_xml_elem *e = &r->stack[--r->depth];
    r->last = *e;
    int rc = 0;
    if (r->rec && e->role == DSR_XML_FIELD &&
        !dsr_kind_info(r->rec->kind)->fields[e->field].item)
        rc = dsr_record_set(r->rec, e->field, r->text ? r->text : "", r->text_len);
    else if (r->rec && e->role == DSR_XML_ITEM)
        rc = dsr_record_add(r->rec, e->field, r->text ? r->text : "", r->text_len,
                            r->role, r->role ? strlen(r->role) : 0);
    else if (r->rec && e->role == DSR_XML_RECORD)
        r->pending = 1;
    if (rc < 0)
        oom(r);
    else if (r->rec && (e->role == DSR_XML_FIELD || e->role == DSR_XML_ITEM))
        check_text_pattern(r, e);
}

static void characters(void *ctx, const xmlChar *ch, int len) {
    struct reader *r = ctx;
    after_prefix(r);
    if (r->stopped || r->depth == 0)
        return;
    finish_pending(r);
    const struct dsr_xml_elem *top = &r->stack[r->depth - 1];
    r->last = *top;
    if (!r->rec || (top->role != DSR_XML_FIELD && top->role != DSR_XML_ITEM))
        return;
    if (r->text_len + (size_t)len > TEXT_MAX) {
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, top->line, top->column,
                     top->path, "text longer than %u MiB refused", TEXT_MAX >> 20);
        halt(r);
        return;
    }
    if (r->text_len + (size_t)len + 1 > r->text_alloc) {
        size_t alloc = (r->text_len + (size_t)len + 1) * 2;
        char *t = realloc(r->text, alloc);
        if (!t) {
            oom(r);
            return;
        }
        r->text = t;
        r->text_alloc = alloc;
    }
    memcpy(r->text + r->text_len, ch, (size_t)len);
    r->text_len += (size_t)len;
}

/* A DOCTYPE could declare entities (bombs, external files) or load a DTD: refuse it. */
static void internal_subset(void *ctx, const xmlChar *name, const xmlChar *public_id,
                            const xmlChar *system_id) {
    struct reader *r = ctx;
    (void)name, (void)public_id, (void)system_id;
    if (r->stopped)
        return;
    dsr_diag_add(
        r->diags, DSR_DIAG_REFUSED, r->in->name, doc_line(r, r->parser->input->line), 1,
        NULL,
        "DOCTYPE refused: dossier reads no DTDs, entity declarations or external files");
    r->stopped = 1;
    xmlStopParser(r->parser);
}

/* The line of the start tag an end tag does not match (in a prefix: the element's). */
static int start_line(const struct reader *r, int line) {
    if (r->piece->prefix_len && line <= 1 && r->depth)
        return r->stack[r->depth - 1].line;
    return doc_line(r, line);
}

/* Not well-formed: keep the first error and stop, as every reader does. */
static void parser_error(void *data, xmlErrorPtr err) {
    (void)data;
    xmlParserCtxtPtr p = err->ctxt;
    struct reader *r = p ? p->_private : NULL;
    if (!r || r->stopped || err->level == XML_ERR_WARNING)
        return;
    char msg[DSR_MSG_MAX];
    dsr_xml_clean_message(err->message ? err->message : "not well-formed", msg,
                          sizeof(msg));
    enum dsr_diag_kind kind = DSR_DIAG_SYNTAX;
    /* The push parser says "extra content" where input ran out too soon. */
    if (err->code == XML_ERR_DOCUMENT_END && r->depth > 0)
        snprintf(msg, sizeof(msg),
                 "unexpected end of input: element \"%s\" is not closed",
                 r->stack[r->depth - 1].name);
    else if (err->code == XML_ERR_DOCUMENT_END && !r->root_seen)
        snprintf(msg, sizeof(msg), "document is empty");
    else if (err->code == XML_ERR_TAG_NAME_MISMATCH && err->str1 && err->str2)
        snprintf(msg, sizeof(msg),
                 "end tag \"%s\" does not match start tag \"%s\" of line %d", err->str2,
                 err->str1, start_line(r, err->int1));
    else if (err->code == XML_ERR_ENTITYREF_SEMICOL_MISSING)
        snprintf(msg, sizeof(msg), "missing \";\" at the end of an entity reference");
    else if (strstr(msg, "not proper UTF-8") && strstr(msg, "Bytes: "))
        snprintf(msg, sizeof(msg), "invalid UTF-8 at byte %.4s",
                 strstr(msg, "Bytes: ") + 7);
    if (err->code == XML_ERR_NO_MEMORY || strstr(msg, "XML_PARSE_HUGE") ||
        strstr(msg, "Huge input lookup")) {
        kind = DSR_DIAG_REFUSED;
        snprintf(msg, sizeof(msg), "input beyond libxml2's safety limits refused");
    }
    dsr_diag_add(r->diags, kind, r->in->name, doc_line(r, err->line), err->int2, NULL,
                 "%s", msg);
    r->stopped = 1;
    if (r->rec)
        finish_record(r); /* reports what the XSD found before; checks nothing more */
    xmlStopParser(p);
}

/* Keeps a schema error about r->last: reported now outside a record, else with it. */
static void add_schema_error(struct reader *r, int code, const char *message) {
    struct dsr_xml_error e;
    e.code = code;
    e.at = r->last;
    snprintf(e.msg, sizeof(e.msg), "%s", message);
    dsr_xml_extract(e.msg, "', attribute '", "'", e.attr, sizeof(e.attr));
    /* libxml2 often adds a second error for the same value: keep the first. */
    if (e.at.line == r->last_line && e.at.column == r->last_column &&
        !strcmp(e.attr, r->last_attr))
        return;
    r->last_line = e.at.line;
    r->last_column = e.at.column;
    snprintf(r->last_attr, sizeof(r->last_attr), "%s", e.attr);
    if (r->in_prefix)
        return; /* the piece's prefix: read where it stands by the piece that holds it */
    if (!r->rec) {
        /* About the dataset or a section, which a piece sees in part; the first
         * piece sees all before it, but not what follows its suffix. */
        r->unsure |= r->piece->prefix_len || r->in_suffix;
        report(r, &e);
        return;
    }
    r->rejected = 1;
    if (r->n_raws == RAWS_MAX)
        return;
    if (!r->raws && !(r->raws = malloc(RAWS_MAX * sizeof(*r->raws)))) {
        oom(r);
        return;
    }
    r->raws[r->n_raws++] = e;
}

static void schema_error(void *data, xmlErrorPtr err) {
    struct reader *r = data;
    if (r->stopped || err->level == XML_ERR_WARNING)
        return;
    /* The sorter reports duplicate ids, with where each one is. */
    if (r->emit && err->code == XML_SCHEMAV_CVC_IDC && err->message &&
        strstr(err->message, "Duplicate key-sequence"))
        return;
    add_schema_error(r, err->code, err->message ? err->message : "invalid");
}

/* White space as the XSD's text patterns say: \s, \p{Z} in libxml2's table, U+0085. */
static int xsd_space(long cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x85 ||
           cp == 0xA0 || cp == 0x1680 || cp == 0x180E || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/*
 * The patterns of dossier.xsd's "text" and "item" types, which the reader
 * checks itself (libxml2's regular expressions take a third of a validation
 * on them): some character that is not white space, no DEL, and in an item
 * no ";". A text that fails is a schema error where the XSD would put it,
 * after the value's element ends.
 */
static void check_text_pattern(struct reader *r, const struct dsr_xml_elem *e) {
    int item = e->role == DSR_XML_ITEM;
    if (!item && dsr_kind_info(r->rec->kind)->fields[e->field].type != DSR_FIELD_TEXT)
        return;
    const char *text = r->text ? r->text : "", *p = text, *end = text + r->text_len;
    int visible = 0;
    while (p < end && !visible)
        visible = !xsd_space(dsr_utf8_next(&p));
    /* Past the first visible character only DEL (and in an item ";") fails it. */
    if (visible && !memchr(text, 0x7F, r->text_len) &&
        !(item && memchr(text, ';', r->text_len)))
        return;
    char message[DSR_MSG_MAX];
    snprintf(message, sizeof(message),
             "Element '%s': [facet 'pattern'] The value is not accepted by the "
             "pattern of type '%s'.\n",
             e->name, item ? "item" : "text");
    add_schema_error(r, XML_SCHEMAV_CVC_PATTERN_VALID, message);
}

/* ---- driving the parser ---- */

int dsr_xml_check_encoding(const unsigned char *b, size_t n, const char *name,
                           struct dsr_diags *diags) {
    static const unsigned char decls[][20] = {
        {'<', 0, '?', 0, 'x', 0, 'm', 0, 'l', 0},
        {0, '<', 0, '?', 0, 'x', 0, 'm', 0, 'l'},
        {'<', 0, 0, 0, '?', 0, 0, 0, 'x', 0, 0, 0, 'm', 0, 0, 0, 'l', 0, 0, 0},
        {0, 0, 0, '<', 0, 0, 0, '?', 0, 0, 0, 'x', 0, 0, 0, 'm', 0, 0, 0, 'l'},
    };
    static const size_t lens[] = {10, 10, 20, 20};
    int wide =
        (n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE))) ||
        (n >= 1 && b[0] == 0) || (n >= 2 && b[1] == 0);
    if (!wide)
        return 0;
    size_t skip = n >= 4 && ((b[0] == 0xFF && b[1] == 0xFE && !b[2] && !b[3]) ||
                             (!b[0] && !b[1] && b[2] == 0xFE && b[3] == 0xFF))
                      ? 4
                  : (b[0] == 0xFE || b[0] == 0xFF) ? 2
                                                   : 0;
    for (size_t i = 0; i < 4; i++)
        if (n >= skip + lens[i] && !memcmp(b + skip, decls[i], lens[i]))
            return 0;
    dsr_diag_add(
        diags, DSR_DIAG_REFUSED, name, 1, 1, NULL,
        "UTF-16 or UTF-32 input without an XML declaration refused: dossier reads "
        "UTF-8");
    return -1;
}

/*
 * Refuses markup that libxml2 holds whole (a start tag with its attributes, a
 * comment, a processing instruction; in push mode a CDATA section too) once
 * it has buffered MARKUP_MAX bytes of it: text streams through the callbacks.
 */
static void check_markup(struct reader *r) {
    xmlParserInputPtr in = r->parser->input;
    if (r->stopped || !in || !in->cur || (size_t)(in->end - in->cur) <= MARKUP_MAX)
        return;
    dsr_diag_add(r->diags, DSR_DIAG_REFUSED, r->in->name, doc_line(r, in->line), in->col,
                 NULL,
                 "markup longer than %u MiB refused: a tag with its attributes, a "
                 "comment, a CDATA section or a processing instruction",
                 MARKUP_MAX >> 20);
    halt(r);
}

/*
 * What the parser reads: parts held in memory (a piece's prefix, text and
 * suffix), then the rest of a file, or only the file.
 */
struct source {
    const unsigned char *part[3];
    size_t len[3];
    size_t n_parts, at, off; /* parts; the one being read and where in it */
    FILE *fp;                /* read after the parts; NULL: they are all */
};

/*
 * Up to want bytes more: in place from the part being read, else read from
 * fp into *buf (size *cap, grown to want). Sets *bytes and returns their
 * count, 0 at the end, -1 after an I/O error (said), -2 when out of memory.
 */
static long source_next(struct reader *r, struct source *s, unsigned char **buf,
                        size_t *cap, size_t want, const unsigned char **bytes) {
    while (s->at < s->n_parts && s->off == s->len[s->at])
        s->at++, s->off = 0;
    if (s->at < s->n_parts) {
        size_t n = s->len[s->at] - s->off < want ? s->len[s->at] - s->off : want;
        r->in_suffix = s->at == 2;
        *bytes = s->part[s->at] + s->off;
        s->off += n;
        return (long)n;
    }
    if (!s->fp)
        return 0;
    if (want > *cap) {
        unsigned char *more = realloc(*buf, want);
        if (!more)
            return -2;
        *buf = more;
        *cap = want;
    }
    size_t n = fread(*buf, 1, want, s->fp);
    if (n == 0 && ferror(s->fp)) {
        dsr_diag_add(r->diags, DSR_DIAG_IO, r->in->name, 0, 0, NULL,
                     "cannot read: read error");
        return -1;
    }
    *bytes = *buf;
    return (long)n;
}

/* Keeps the last RECENT bytes fed, n more from bytes: line_column looks back in them. */
static void fed(struct reader *r, const unsigned char *bytes, size_t n) {
    r->chunk = NULL;
    r->chunk_len = 0;
    if (n == 0)
        return; /* the end: bytes may be NULL */
    if (n >= RECENT) {
        memcpy(r->recent, bytes + n - RECENT, RECENT);
        r->recent_len = RECENT;
    } else {
        size_t keep = r->recent_len + n > RECENT ? RECENT - n : r->recent_len;
        memmove(r->recent, r->recent + r->recent_len - keep, keep);
        memcpy(r->recent + keep, bytes, n);
        r->recent_len = keep + n;
    }
    r->chunk_at += n;
}

static void parse_chunk(struct reader *r, const unsigned char *bytes, size_t n, int end) {
    r->chunk = bytes;
    r->chunk_len = n;
    xmlParseChunk(r->parser, (const char *)bytes, (int)n, end);
    fed(r, bytes, n);
}

/*
 * Feeds the rest of the source to the parser, in chunks of CHUNK bytes or,
 * while markup is pending, as large as it (up to CHUNK_MAX): libxml2 scans
 * pending markup again at each chunk, which would make a long tag cost its
 * square. *buf (size *cap) may be reallocated. 0, or -1 after an I/O error.
 */
static int feed(struct reader *r, struct source *src, unsigned char **buf, size_t *cap) {
    while (!r->stopped) {
        xmlParserInputPtr in = r->parser->input;
        size_t pending = in && in->cur ? (size_t)(in->end - in->cur) : 0;
        size_t want = pending < CHUNK ? CHUNK : pending < CHUNK_MAX ? pending : CHUNK_MAX;
        /* at most a CHUNK past the limit unseen: check_markup sees it, or markup ended */
        size_t room = pending < MARKUP_MAX ? MARKUP_MAX - pending : 0;
        if (want > room)
            want = room > CHUNK ? room : CHUNK;
        const unsigned char *bytes = NULL;
        long n = source_next(r, src, buf, cap, want, &bytes);
        if (n == -2)
            oom(r);
        if (n < 0)
            return n == -1 ? -1 : 0;
        parse_chunk(r, bytes, (size_t)n, n == 0);
        check_markup(r);
        if (n == 0)
            break;
    }
    return 0;
}

/*
 * libxml2 reports a failed encoding conversion through its process-wide
 * generic handler, which prints: while we parse, it only notes the failure.
 */
static void conversion_error(void *ctx, const char *msg, ...) {
    (void)msg;
    *(int *)ctx = 1;
}

/* Streams in->fp through the parser with schema plugged in; see dsr_xml_read. */
/*
 * JSON saved as .xml is the common mistake: libxml2 would say "document is
 * empty". 1 after saying what the input is, else 0.
 */
static int looks_like_json(struct reader *r, const unsigned char *buf, size_t n) {
    size_t i = n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0;
    int line = 1, column = 1;
    for (; i < n && buf[i] && strchr(" \t\r\n", buf[i]); i++, column++)
        if (buf[i] == '\n')
            line++, column = 0;
    if (i == n || (buf[i] != '{' && buf[i] != '['))
        return 0;
    dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name, line, column, NULL,
                 "this is JSON, not XML: name the file .json (one document) or .jsonl "
                 "(a record a line), or pass --format");
    r->stopped = 1;
    return 1;
}

static int run(struct reader *r, xmlSchemaPtr schema, struct source *src) {
    xmlSAXHandler sax;
    xmlSAXHandlerPtr saxp = &sax;
    void *user = r;
    unsigned char *buf = malloc(CHUNK);
    size_t cap = CHUNK;
    int rc = -1;
    xmlSchemaValidCtxtPtr vctxt = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    xmlSchemaSAXPlugPtr plug = NULL;
    xmlGenericErrorFunc caller_handler = xmlGenericError;
    void *caller_ctx = xmlGenericErrorContext;
    int undecodable = 0;
    memset(&sax, 0, sizeof(sax));
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = start_element;
    sax.endElementNs = end_element;
    sax.characters = characters;
    sax.cdataBlock = characters;
    sax.internalSubset = internal_subset;
    r->recent = malloc(RECENT);
    if (!buf || !vctxt || !r->recent) {
        oom(r);
        goto out;
    }
    xmlSchemaSetValidStructuredErrors(vctxt, schema_error, r);
    plug = xmlSchemaSAXPlug(vctxt, &saxp, &user);
    xmlSetGenericErrorFunc(&undecodable, conversion_error);
    const unsigned char *first = buf;
    long got = source_next(r, src, &buf, &cap, CHUNK, &first);
    if (got == -2)
        oom(r);
    if (got < 0)
        goto out;
    size_t n = (size_t)got;
    if ((!r->piece || !r->piece->prefix_len) &&
        (dsr_xml_check_encoding(first, n, r->in->name, r->diags) < 0 ||
         looks_like_json(r, first, n)))
        goto out;
    /* The first bytes let libxml2 detect the encoding and skip a BOM. */
    size_t head = n < 4 ? n : 4;
    r->parser =
        xmlCreatePushParserCtxt(saxp, user, (const char *)first, (int)head, r->in->name);
    if (!plug || !r->parser) {
        oom(r);
        goto out;
    }
    r->parser->_private = r;
    r->parser->sax->serror = parser_error; /* the plug does not pass it on */
    xmlCtxtUseOptions(r->parser, XML_PARSE_NONET | XML_PARSE_HUGE);
    fed(r, first, head);
    parse_chunk(r, first + head, n - head, 0);
    check_markup(r);
    if (feed(r, src, &buf, &cap) < 0)
        goto out;
    /* A conversion failure ends the input early without a parser error. */
    if ((undecodable || !r->parser->wellFormed) && !r->stopped) {
        dsr_diag_add(r->diags, DSR_DIAG_SYNTAX, r->in->name,
                     doc_line(r, r->parser->input->line), r->parser->input->col, NULL,
                     undecodable ? "the input does not match its declared encoding"
                                 : "not well-formed XML");
        r->stopped = 1;
    }
    finish_pending(r);
    rc = r->stopped ? -1 : 0;
    /*
     * Input that stopped inside elements leaves their identity-constraint
     * state in the validator, which libxml2 2.9 then leaks: close them for it.
     */
    for (size_t i = r->depth; i > 0 && saxp->endElementNs; i--)
        saxp->endElementNs(user, (const xmlChar *)r->stack[i - 1].name, NULL, NULL);
out:
    if (plug)
        xmlSchemaSAXUnplug(plug);
    if (r->parser)
        xmlFreeParserCtxt(r->parser);
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSetGenericErrorFunc(caller_ctx, caller_handler);
    free(buf);
    free(r->recent);
    r->recent = NULL;
    return rc;
}

static void reader_release(struct reader *r) {
    record_reset(r);
    for (int f = 0; f < DSR_FIELDS_MAX; f++)
        free(r->items[f]);
    free(r->stack);
    free(r->text);
    free(r->role);
    free(r->raws);
}

/* Reads the whole of in->fp in one pass. */
static int read_whole(const struct dsr_input *in, xmlSchemaPtr schema, dsr_record_fn emit,
                      void *ctx, struct dsr_diags *diags) {
    struct dsr_xml_piece whole = {.last = 1};
    int unsure;
    return dsr_xml_read_piece(in, schema, &whole, emit, ctx, diags, &unsure);
}

int dsr_xml_validate(const struct dsr_input *in, xmlSchemaPtr schema,
                     struct dsr_diags *diags) {
    return read_whole(in, schema, NULL, NULL, diags);
}

void dsr_xml_before_threads(void) {
    xmlInitParser();
    xmlSchemaInitTypes(); /* else two threads' first schemas race to make the types */
}

int dsr_xml_read_piece(const struct dsr_input *in, xmlSchemaPtr schema,
                       const struct dsr_xml_piece *piece, dsr_record_fn emit, void *ctx,
                       struct dsr_diags *diags, int *unsure) {
    struct reader r;
    struct source src = {{(const unsigned char *)piece->prefix, piece->text,
                          (const unsigned char *)piece->suffix},
                         {piece->prefix_len, piece->len, piece->suffix_len},
                         3,
                         0,
                         0,
                         piece->last ? in->fp : NULL};
    memset(&r, 0, sizeof(r));
    r.in = in;
    r.diags = diags;
    r.emit = emit;
    r.emit_ctx = ctx;
    r.piece = piece;
    r.in_prefix = piece->prefix_len > 0;
    memcpy(r.counts, piece->counts, sizeof(r.counts));
    int rc = run(&r, schema, &src);
    *unsure = r.unsure || r.stopped;
    reader_release(&r);
    return rc;
}

xmlSchemaPtr dsr_xml_dataset_schema(struct dsr_diags *diags) {
    /* Unique ids are the sort's to check, over every input: the streaming
     * validator would keep each id of the document in memory. */
    size_t len;
    char *xsd = dsr_xsd_without_identity((const char *)dsr_schema_xsd, dsr_schema_xsd_len,
                                         "xs", &len);
    /* The text and item patterns are check_text_pattern's: libxml2 is slow at them. */
    for (char *q, *after;
         xsd && (q = strstr(xsd, TEXT_PATTERN)) && (after = strstr(q, "/>"));) {
        after += 2;
        memmove(q, after, strlen(after) + 1);
        len -= (size_t)(after - q);
    }
    xmlSchemaPtr schema =
        xsd ? dsr_xsd_load_memory(xsd, len, "dossier.xsd", diags) : NULL;
    free(xsd);
    return schema;
}

int dsr_xml_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags) {
    xmlSchemaPtr schema = dsr_xml_dataset_schema(diags);
    if (!schema)
        return -1;
    int rc = in->jobs > 1 ? dsr_xml_read_split(in, schema, emit, ctx, diags)
                          : read_whole(in, schema, emit, ctx, diags);
    xmlSchemaFree(schema);
    return rc;
}
