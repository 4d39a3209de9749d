/*
 * Declarations shared between dossier's modules; not installed.
 *
 * The pipeline: a reader (json_read.c, xml_read.c, csv_read.c) turns one input
 * into records and hands them on one at a time; record.c checks and normalises
 * each record; sort.c puts them in canonical order; a writer (json_write.c,
 * xml_write.c, csv_write.c) prints them. Diagnostics travel in a struct
 * dsr_diags that the caller passes in (diag.c); report.c prints them.
 */
#ifndef DSR_INTERNAL_H
#define DSR_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dossier.h"

/* ---- diagnostics (diag.c, report.c) ---- */

/*
 * Adds an error of the given kind. diags may be NULL (nothing is collected).
 * file, path may be NULL. Overlong file or path text is cut from the left and
 * starts with "...". Returns the diagnostic added, or NULL when none was kept.
 */
struct dsr_diag *dsr_diag_add(struct dsr_diags *diags, enum dsr_diag_kind kind,
                              const char *file, int line, int column, const char *path,
                              const char *fmt, ...) __attribute__((format(printf, 7, 8)));
struct dsr_diag *dsr_diag_vadd(struct dsr_diags *diags, enum dsr_diag_kind kind,
                               const char *file, int line, int column, const char *path,
                               const char *fmt, va_list ap);

/* Adds a warning: reported like an error, but it leaves the exit status alone. */
struct dsr_diag *dsr_diag_warn(struct dsr_diags *diags, const char *file, int line,
                               int column, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
 * Appends src's diagnostics to dst (both counted against dst's limit) and
 * raises dst's status to src's; src is left empty.
 */
void dsr_diags_move(struct dsr_diags *dst, struct dsr_diags *src);

/* Copies src into a fixed buffer of size n, cutting from the left with "...". */
void dsr_copy_tail(char *dst, size_t n, const char *src);

/* ---- record model (record.c) ---- */

enum dsr_field_type {
    DSR_FIELD_ID,    /* one identifier: lowercase letters, digits and single hyphens */
    DSR_FIELD_TEXT,  /* one string */
    DSR_FIELD_DATE,  /* one EDTF date (edtf.c) */
    DSR_FIELD_ENUM,  /* one of dsr_field.values */
    DSR_FIELD_LIST,  /* a list of strings */
    DSR_FIELD_ROLES, /* a list of entity references, each with a role */
};

/* What a list field's items refer to. */
enum dsr_refers {
    DSR_REFERS_NONE,
    DSR_REFERS_ENTITY, /* an entity id or name */
    DSR_REFERS_SOURCE, /* a source id */
};

struct dsr_field {
    const char *name;          /* JSON member, XML element, CSV column */
    const char *item;          /* XML element of one list item; NULL for one value */
    enum dsr_field_type type;  /* what the value holds */
    int required;              /* 1 = must be present */
    const char *const *values; /* DSR_FIELD_ENUM: allowed values, NULL-terminated */
    int sorted;                /* 1 = a set: canonical form sorted, duplicates rejected */
    enum dsr_refers refers;    /* list items that name other records */
};

#define DSR_FIELDS_MAX 10

struct dsr_kind_info {
    const char *name;               /* "entity": JSON Lines "record", XML element */
    const char *plural;             /* "entities": JSON member, XML wrapper, CSV table */
    const struct dsr_field *fields; /* canonical order; fields[0] is "id" */
    size_t n_fields;                /* at most DSR_FIELDS_MAX */
};

const struct dsr_kind_info *dsr_kind_info(enum dsr_kind kind);
/* Returns the index of the named field of kind, or -1. */
int dsr_field_index(enum dsr_kind kind, const char *name);

/* One field's value. Lists keep items[i] and, for DSR_FIELD_ROLES, roles[i]. */
/* An entity's fields, in the order of dsr_kind_info(DSR_ENTITY)->fields. */
enum dsr_entity_field {
    DSR_ENTITY_ID,
    DSR_ENTITY_KIND,
    DSR_ENTITY_NAME,
    DSR_ENTITY_ALIASES,
    DSR_ENTITY_NOTES,
    DSR_ENTITY_EVIDENCE
};

/* Where a value was written: for reporting a reference where it stands. */
struct dsr_place {
    int line, column; /* 0 = unknown */
    char *path;       /* JSON Pointer into the input, as diagnostics give it */
};

struct dsr_value {
    char *text;           /* one-valued fields; NULL = absent */
    char **items;         /* list fields: n strings */
    char **roles;         /* DSR_FIELD_ROLES: n roles, parallel to items; else NULL */
    struct dsr_place *at; /* reference fields: where each item was written, parallel
                             to items (dsr_record_check sets it); else NULL */
    size_t n;             /* number of list items; 0 = absent */
    size_t cap;           /* room in items, roles and at (dsr_record_reserve) */
};

struct dsr_record {
    enum dsr_kind kind; /* which of the four */
    struct dsr_value
        values[DSR_FIELDS_MAX]; /* indexed like dsr_kind_info(kind)->fields */
    unsigned given;             /* bit f: field f was in the input, even if invalid */
    const char *file;           /* input name, borrowed from the caller; may be NULL */
    int line;                   /* where the record starts; 0 = unknown */
    int column;                 /* 1-based; 0 = unknown */
    /* Its memory (record.c): every string, list and place above lives in it. */
    struct dsr_record_block *blocks; /* blocks after the first, newest first */
    size_t block_room;               /* size of the newest block */
    char *room;                      /* free memory left in the newest block */
    size_t room_left;
};

/* Returns a new empty record, or NULL when out of memory; free with dsr_record_free(). */
struct dsr_record *dsr_record_new(enum dsr_kind kind);
void dsr_record_free(struct dsr_record *rec);

/*
 * Memory that lives as long as rec, aligned for pointers; NULL when out of
 * memory. Every string and list a record holds is made here.
 */
void *dsr_record_alloc(struct dsr_record *rec, size_t size);
/* A copy of s (len bytes, then a NUL) in rec's memory; NULL when out of memory. */
char *dsr_record_copy(struct dsr_record *rec, const char *s, size_t len);
/*
 * Makes room for n items in list field (and its roles), and with places = 1
 * room for their places (zeroed). 0, or -1 when out of memory.
 */
int dsr_record_reserve(struct dsr_record *rec, int field, size_t n, int places);

/* Copies text (len bytes) into a one-valued field. Returns 0, or -1 when out of memory.
 */
int dsr_record_set(struct dsr_record *rec, int field, const char *text, size_t len);
/* Appends a copy of item (and role, for DSR_FIELD_ROLES) to a list field. 0 or -1. */
int dsr_record_add(struct dsr_record *rec, int field, const char *item, size_t len,
                   const char *role, size_t role_len);

/* Sorts a list field's items in byte order and drops exact duplicates. */
void dsr_record_sort_set(struct dsr_record *rec, int field);

#define DSR_ID_MAX 100

/* 1 when s is a valid id: lowercase letters, digits, single hyphens, at most 100 bytes.
 */
int dsr_id_valid(const char *s);
/* What is wrong with an id, as the end of a message; NULL for a valid one. */
const char *dsr_id_problem(const char *s);

/* Returns the record's id, borrowed, or "" when it has none. */
const char *dsr_record_id(const struct dsr_record *rec);

/*
 * Says where a problem lies: pointer is a JSON Pointer relative to the record
 * ("" for the record itself, "/aliases/1" for its second alias). The reader
 * fills line, column and path of d, which arrives with file and message set.
 */
typedef void (*dsr_locate_fn)(void *ctx, const char *pointer, struct dsr_diag *d);

/*
 * Checks rec against the model's own rules (required fields, enumerations, id
 * and date forms, list items) and normalises it into canonical form: NFC,
 * white space collapsed, EDTF dates reprinted, sets sorted. Problems go to
 * diags as DSR_DIAG_SCHEMA, placed by locate. Returns the number of problems,
 * or -1 when out of memory.
 */
int dsr_record_check(struct dsr_record *rec, const char *file, dsr_locate_fn locate,
                     void *locate_ctx, struct dsr_diags *diags);

/*
 * Places d (in diags) with locate. A locate may also point d->file at the
 * name of another file (an OFAC alias is in alt.csv): the list keeps its own
 * copy of that name.
 */
void dsr_diag_locate(struct dsr_diags *diags, struct dsr_diag *d, dsr_locate_fn locate,
                     void *ctx, const char *pointer);

/*
 * The files some diagnostics of which were counted but not kept: their count,
 * and their names into names (borrowed from the list) unless it is NULL.
 */
size_t dsr_diags_dropped_files(const struct dsr_diags *diags, const char **names);
/* How many diagnostics about file were counted but not kept; *worst their status. */
size_t dsr_diags_dropped_in(const struct dsr_diags *diags, const char *file, int *worst);

/* Orders records canonically: by kind, then id (bytes). */
int dsr_record_cmp(const struct dsr_record *a, const struct dsr_record *b);

/*
 * NFC with white space runs collapsed to one space and trimmed. Returns a new
 * string (free with free()), or NULL when s is not valid UTF-8 or memory ran out.
 */
char *dsr_text_normalize(const char *s, size_t len);

/* ---- the hash table (table.c) ---- */

/*
 * String (or pointer) keys to void * values. Zero-initialise one for an empty
 * table of strings; set pointers = 1 before the first put to compare keys as
 * pointers. Keys are borrowed. Iterate with keys[i] != NULL for i < cap.
 */
struct dsr_table {
    const void **keys; /* cap slots, NULL = empty */
    void **vals;       /* parallel to keys */
    uint64_t *hashes;  /* parallel to keys */
    size_t n;          /* keys held */
    size_t cap;        /* a power of two, or 0 */
    int pointers;      /* 1 = keys are compared as pointers */
};

/* The value slot of key, or NULL when absent. */
void **dsr_table_get(const struct dsr_table *t, const void *key);
/* Maps key to val, replacing; returns its value slot, or NULL when out of memory. */
void **dsr_table_put(struct dsr_table *t, const void *key, void *val);
/* Frees the table's own memory (not keys or values), leaving it empty. */
void dsr_table_release(struct dsr_table *t);

/*
 * nfc_stable.c (generated by tools/nfc_stable.py): 1 when NFC leaves code
 * point cp as it is wherever it stands, so that text made only of such
 * characters needs no normalising. Only the Basic Multilingual Plane is known.
 */
extern const uint32_t dsr_nfc_stable_bits[2048];
static inline int dsr_nfc_stable(long cp) {
    return cp >= 0 && cp < 0x10000 && (dsr_nfc_stable_bits[cp >> 5] >> (cp & 31) & 1);
}
/*
 * The combining class of a combining mark that NFC leaves as it is after a
 * base, as long as the marks after a base come in order of class (UAX #15's
 * quick check); 0 for anything else. Basic Multilingual Plane only.
 */
int dsr_nfc_mark_class(long cp);

/* ---- UTF-8 (utf8.c) ---- */

/* Returns 1 when s[0..len) is valid UTF-8 (no NUL bytes, no surrogates), else 0. */
int dsr_utf8_valid(const char *s, size_t len);

/* Returns the number of code points in s[0..len), assuming valid UTF-8. */
size_t dsr_utf8_length(const char *s, size_t len);

/*
 * Decodes the UTF-8 sequence at *s and moves *s past it. Returns the code
 * point, or -1 for a byte that starts no valid sequence (*s moves one byte).
 * Inline: the text scanners call it for every character past ASCII.
 */
static inline long dsr_utf8_next(const char **s) {
    const unsigned char *p = (const unsigned char *)*s;
    long cp, min;
    int len;
    if (p[0] < 0x80)
        cp = p[0], len = 1, min = 0;
    else if ((p[0] & 0xE0) == 0xC0)
        cp = p[0] & 0x1F, len = 2, min = 0x80;
    else if ((p[0] & 0xF0) == 0xE0)
        cp = p[0] & 0x0F, len = 3, min = 0x800;
    else if ((p[0] & 0xF8) == 0xF0)
        cp = p[0] & 0x07, len = 4, min = 0x10000;
    else
        goto invalid;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) /* also stops at the NUL */
            goto invalid;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        goto invalid;
    *s += len;
    return cp;
invalid:
    *s += 1;
    return -1;
}

/*
 * Eight bytes at a time (a uint64_t read with memcpy): nonzero when any byte
 * of w is below n (n at most 0x80), or equal to c. Exact as yes-or-no answers,
 * which is all the scanners ask before looking at the bytes one by one.
 */
#define DSR_ONES 0x0101010101010101u
#define DSR_HIGH_BITS 0x8080808080808080u
static inline uint64_t dsr_bytes_below(uint64_t w, unsigned n) {
    return (w - DSR_ONES * n) & ~w & DSR_HIGH_BITS;
}
static inline uint64_t dsr_bytes_equal(uint64_t w, unsigned char c) {
    return dsr_bytes_below(w ^ (DSR_ONES * c), 1);
}
/* The high bit of each byte of w that continues a UTF-8 character (10xxxxxx). */
static inline uint64_t dsr_continuation_bytes(uint64_t w) {
    return w & ~(w << 1) & DSR_HIGH_BITS;
}
/* How many bytes have their high bit set in high, which has no other bits. */
static inline unsigned dsr_bytes_counted(uint64_t high) {
    return (unsigned)(((high >> 7) * DSR_ONES) >> 56);
}

/*
 * Sixteen bytes at a time where SSE2 is (every x86-64 processor); the
 * scanners fall back to the eight-byte words above elsewhere.
 */
#ifdef __SSE2__
#include <emmintrin.h>
/* 0xFF in each byte of v below 0x20 (a control character), 0 in the others. */
static inline __m128i dsr_controls16(__m128i v) {
    return _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
}
/* 0xFF in each byte of v that a JSON string escapes: quote, backslash, control. */
static inline __m128i dsr_json_stops16(__m128i v) {
    return _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                        dsr_controls16(v));
}
#endif

/* The length of s[0..len) without an incomplete UTF-8 sequence at its end. */
size_t dsr_utf8_trim(const char *s, size_t len);

/*
 * Moves a position (line, column) over text[0..n): "\n" starts a line, and
 * columns count characters. The one rule every JSON position follows.
 */
void dsr_text_advance(const char *text, size_t n, int *line, int *column);

/* ---- EDTF dates (edtf.c) ---- */

/*
 * Parses the EDTF level-1 subset PRODUCT.md names: YYYY, YYYY-MM, YYYY-MM-DD,
 * an optional qualifier ? ~ or %, X for unspecified digits, and intervals A/B
 * with an open (..) or unknown (empty) end. On success writes the canonical
 * form into out (size n) and returns 0; else returns -1 and writes the reason.
 */
int dsr_edtf_normalize(const char *s, char *out, size_t n);

/* ---- sorting into canonical order (sort.c) ---- */

struct dsr_sorter;

/*
 * Returns a new sorter that holds about `budget` bytes of records in memory
 * (0 = the default, 64 MiB) and spills sorted runs to nameless temporary files
 * in the folder tmpdir (copied; NULL = "/tmp") past that; NULL when out of
 * memory. Free with dsr_sorter_free().
 */
struct dsr_sorter *dsr_sorter_new(size_t budget, const char *tmpdir);
void dsr_sorter_free(struct dsr_sorter *s);
/* Takes rec (frees it even on failure). Returns 0, or -1 when out of memory. */
int dsr_sorter_take(struct dsr_sorter *s, struct dsr_record *rec);
/*
 * rec, or an item (see dsr_sorter_take_item), packed as a sorter holds it
 * into out; with out NULL only counted. Returns the bytes it takes. Any
 * thread may pack; dsr_sorter_take_packed then takes n bytes of such packed
 * records or items at p as they are: 0, or -1 (see dsr_sorter_report).
 */
size_t dsr_sorter_pack(unsigned char *out, const struct dsr_record *rec);
size_t dsr_sorter_pack_item(unsigned char *out, const char *key, size_t key_len,
                            const void *data, size_t len);
int dsr_sorter_take_packed(struct dsr_sorter *s, const unsigned char *p, size_t n);
/*
 * Called by finish for each record kept, in canonical order: returns 0, 1 when
 * it changed the record (what dsr_sorter_next() hands out is then the change),
 * or -1 to fail.
 */
typedef int (*dsr_visit_fn)(void *ctx, struct dsr_record *rec);

/*
 * Puts everything taken so far in canonical order and reports records of one
 * kind sharing an id; visit (may be NULL) sees each record kept, and may
 * change it. keep: 1 when dsr_sorter_next() will read the records back. When
 * runs were spilled they are then merged again as it hands records out, and
 * visit sees each again first: it must change it the same way, and what it
 * reports then is not to be kept. Returns the number of duplicates, or -1.
 */
int dsr_sorter_finish(struct dsr_sorter *s, struct dsr_diags *diags, dsr_visit_fn visit,
                      void *ctx, int keep);
/*
 * Finishing in two steps, the first while something else is done: check
 * reports records of one kind sharing an id in dups, a list of the caller's
 * own, and returns their number, or -1; revisit then shows visit each record
 * kept, and leaves in dups what finish with that visit would have reported.
 * After check, dsr_sorter_free alone is fine too.
 */
int dsr_sorter_check(struct dsr_sorter *s, struct dsr_diags *dups);
int dsr_sorter_revisit(struct dsr_sorter *s, struct dsr_diags *dups, dsr_visit_fn visit,
                       void *ctx);
/*
 * After finish: the next record in canonical order, or NULL at the end (or on
 * a read error: see dsr_sorter_failed). Borrowed until the next call.
 */
const struct dsr_record *dsr_sorter_next(struct dsr_sorter *s);
/* 1 when a temporary file could not be written or read back. */
int dsr_sorter_failed(const struct dsr_sorter *s);

/*
 * Items that are not records, for a sorter that holds nothing else: a key and
 * bytes, held, spilled and merged as records are, and seen in key order
 * (ties in the order taken, none dropped). take_item: 0, or -1 (see
 * dsr_sorter_report). finish_items calls each(ctx, key, data) for every
 * item, and returns 0, or -1: a failure it reported, or each's own.
 */
typedef int (*dsr_item_fn)(void *ctx, const char *key, size_t key_len, const char *data,
                           size_t len);
int dsr_sorter_take_item(struct dsr_sorter *s, const char *key, size_t key_len,
                         const void *data, size_t len);
int dsr_sorter_finish_items(struct dsr_sorter *s, struct dsr_diags *diags,
                            dsr_item_fn each, void *ctx);
/*
 * Before the first take: items come back in the order taken, unsorted, and
 * past the budget go to one temporary file, appended to.
 */
void dsr_sorter_keep_order(struct dsr_sorter *s);
/*
 * Before the first take: past half the budget, what is held is sorted and
 * spilled by a thread of its own while the other half fills.
 */
void dsr_sorter_spill_aside(struct dsr_sorter *s);
/*
 * After dsr_sorter_take() returned -1, or dsr_sorter_next() returned NULL with
 * dsr_sorter_failed() set: adds one diagnostic saying why, "out of memory"
 * (DSR_DIAG_REFUSED) or the temporary file's failure with its cause
 * (DSR_DIAG_IO, naming the folder). dsr_sorter_finish() reports its own
 * failures; nothing is reported twice. When finish returns -1 and
 * dsr_sorter_failed() is 0, visit failed, and reporting is visit's concern.
 */
void dsr_sorter_report(struct dsr_sorter *s, struct dsr_diags *diags);

/* ---- the dataset index: entity and source ids, for references (index.c) ---- */

struct dsr_index;

/*
 * Returns a new empty index whose sorters hold about budget bytes in memory
 * and spill to tmpdir past it (as dsr_sorter_new), or NULL; free with
 * dsr_index_free().
 */
struct dsr_index *dsr_index_new(size_t budget, const char *tmpdir);
/* Before the first add: its sorters spill aside (dsr_sorter_spill_aside). */
void dsr_index_spill_aside(struct dsr_index *ix);
void dsr_index_free(struct dsr_index *ix);
/*
 * What the index keeps of rec, packed for dsr_index_take (in any thread): its
 * id when it is an entity or a source, and its references when it is not,
 * into keys; an entity's names, for resolve (which reports problems with
 * them), into names. With keys and names NULL the bytes are only counted;
 * either way their lengths are set. 0, or -1 when out of memory.
 */
int dsr_index_pack(const struct dsr_record *rec, unsigned char *keys, size_t *keys_len,
                   unsigned char *names, size_t *names_len);
/* Takes what dsr_index_pack packed of a record of kind. 0, or -1 (said in diags). */
int dsr_index_take(struct dsr_index *ix, enum dsr_kind kind, const unsigned char *keys,
                   size_t keys_len, const unsigned char *names, size_t names_len,
                   struct dsr_diags *diags);
/*
 * After the last add: finds the references no id answers, and when some of
 * them may be names, merges entity names into entities (alias.c). 0, -1 when
 * out of memory, or -2 after reporting a temporary file's failure.
 */
int dsr_index_resolve(struct dsr_index *ix, struct dsr_diags *diags);
/*
 * Resolve's two steps: the join finds the references no id answers; then
 * names go to entities, or, unneeded, their run files are freed. Each
 * returns what resolve returns.
 */
int dsr_index_join(struct dsr_index *ix, struct dsr_diags *diags);
int dsr_index_resolve_names(struct dsr_index *ix, struct dsr_diags *diags);
/* After the join: 1 when some reference is answered by no id (a name, or nothing). */
int dsr_index_unanswered(const struct dsr_index *ix);
/*
 * After resolve: adds to an entity record the names met in references to it
 * that it lacks (by exact alias key), and sorts its aliases again. 1 when it
 * added any, 0 when none, -1 when out of memory.
 */
int dsr_index_complete(const struct dsr_index *ix, struct dsr_record *rec);
/*
 * After resolve: replaces each entity reference of rec given by name with the
 * id of the one entity it names, and reports references that name no record
 * read, or (a short form) several entities, when any record of that kind was
 * read. Sets *changed to 1 when it replaced or dropped a reference. Returns
 * the number reported, or -1 when out of memory.
 */
int dsr_index_check_refs(const struct dsr_index *ix, struct dsr_record *rec,
                         struct dsr_diags *diags, int *changed);

/* ---- formats, readers and writers ---- */

/* Bytes that grow; data owned. */
struct dsr_bytes {
    unsigned char *data;
    size_t len, cap; /* bytes used, allocated */
};

/* Room for n bytes more in b. 0, or -1 when out of memory. */
int dsr_bytes_reserve(struct dsr_bytes *b, size_t n);
/* Appends p[0..n) to b. 0, or -1 when out of memory. */
int dsr_bytes_append(struct dsr_bytes *b, const void *p, size_t n);
/*
 * Hands buf's first n bytes over without copying them: *to gets buf's
 * buffer, holding those bytes, and buf goes on in to's old buffer with what
 * followed them and room for `room` more. 0, or -1 when out of memory
 * (nothing moved).
 */
int dsr_bytes_hand_over(struct dsr_bytes *buf, size_t n, struct dsr_bytes *to,
                        size_t room);
/*
 * An array of *cap items of size bytes, n of them used, with room for one
 * more: items itself, or it grown (doubled; 256 at first), *cap updated.
 * NULL when out of memory, items then unchanged.
 */
void *dsr_room(void *items, size_t *cap, size_t n, size_t size);

/*
 * How a receiver of records takes them packed, in a form of its own: readers
 * whose threads read records (dsr_input.jobs) call pack on each record in the
 * thread that read it, and free it there; then take on the bytes, in order,
 * in place of emit. Work the receiver would do anyway, done in parallel, and
 * no record's memory moves between threads.
 */
struct dsr_packer {
    /* Appends rec packed to out; any thread. 0, or -1 when out of memory. */
    int (*pack)(void *ctx, const struct dsr_record *rec, struct dsr_bytes *out);
    /* Takes n bytes pack made, as emit would take the record. 0, or -1 to stop. */
    int (*take)(void *ctx, const unsigned char *p, size_t n);
    void *ctx; /* pack's; take gets emit's */
};

/* One input to read. */
struct dsr_input {
    const char *name;                /* as given by the user, "-" for stdin */
    FILE *fp;                        /* open for reading, binary */
    enum dsr_format format;          /* from the extension or --format */
    int table;                       /* CSV: enum dsr_kind, or -1 for "from the name" */
    int jobs;                        /* threads that may read it; 0 or 1 = this one */
    const struct dsr_packer *packer; /* NULL, or how a receiver takes records packed */
};

/* Receives each record read; takes ownership. Returns 0, or -1 to stop reading. */
typedef int (*dsr_record_fn)(void *ctx, struct dsr_record *rec);

/*
 * Readers hand each checked, normalised record to emit as soon as it is read.
 * Invalid records are reported in diags and not handed on. They return 0 when
 * the input was read to its end (diags may hold schema errors), -1 when reading
 * stopped early: a syntax error, a refused input, an I/O error, or emit
 * returning -1.
 */
int dsr_json_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                  struct dsr_diags *diags);
int dsr_jsonl_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                   struct dsr_diags *diags);
int dsr_xml_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags);
/* libxml2's global set-up, done lazily: once, before threads read XML side by side. */
void dsr_xml_before_threads(void);
int dsr_csv_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags);

/*
 * Receives one CSV row of a table of any kind as an object of strings keyed
 * by the header (borrowed), and where its cells lie. Returns 0, or -1 to stop.
 */
typedef int (*dsr_csv_row_fn)(void *ctx, json_t *row, dsr_locate_fn locate,
                              void *locate_ctx);
/*
 * Reads a CSV table whatever its columns (validate --schema), with the same
 * checks of the text as dsr_csv_read: RFC 4180, UTF-8, positions, ragged rows.
 */
int dsr_csv_read_rows(const struct dsr_input *in, dsr_csv_row_fn take, void *ctx,
                      struct dsr_diags *diags);

/* ---- OFAC's legacy SDN CSV files (ofac_csv.c) ---- */

struct dsr_ofac_csv;

/*
 * Returns a new, empty join of OFAC's sdn.csv, alt.csv, add.csv and
 * sdn_comments.csv, whose rows are sorted by ent_num in about sort_memory
 * bytes (0 = the sorter's default), spilling to tmpdir; NULL when out of
 * memory. Free with dsr_ofac_csv_free().
 */
struct dsr_ofac_csv *dsr_ofac_csv_new(size_t sort_memory, const char *tmpdir);
void dsr_ofac_csv_free(struct dsr_ofac_csv *oc);
/*
 * Reads one of the four files, told by its rows' field count, and keeps its
 * rows until finish; bad rows are reported and left out. in->name must live
 * as long as oc. Returns as dsr_csv_read(); _chunked reads `chunk` bytes at a
 * time (0 = the default), for tests.
 */
int dsr_ofac_csv_read(struct dsr_ofac_csv *oc, const struct dsr_input *in,
                      struct dsr_diags *diags);
int dsr_ofac_csv_read_chunked(struct dsr_ofac_csv *oc, const struct dsr_input *in,
                              size_t chunk, struct dsr_diags *diags);
/*
 * After the last read: joins the rows entry by entry, in ent_num order, and
 * hands each entry's entity record, checked like any reader's, to emit.
 * Returns 0, or -1 when it stopped (out of memory, a temporary file, emit).
 */
int dsr_ofac_csv_finish(struct dsr_ofac_csv *oc, dsr_record_fn emit, void *ctx,
                        struct dsr_diags *diags);

/* ---- what the OFAC readers share (ofac.c) ---- */

/* A growing string; zero-initialised before use, its s freed with free(). */
struct dsr_ofac_text {
    char *s;         /* owned, NUL-terminated; NULL until the first append */
    size_t len, cap; /* bytes used, allocated */
    int failed;      /* 1 once memory ran out: later appends do nothing */
};

/* Appends s[0..n). */
void dsr_ofac_append(struct dsr_ofac_text *t, const char *s, size_t n);
/* Appends one note "label: value" (value n bytes), after " | " when not the first. */
void dsr_ofac_note(struct dsr_ofac_text *t, const char *label, const char *value,
                   size_t n);

/*
 * An individual's "SURNAME, Given Names" in natural order, "Given Names
 * SURNAME" (case kept as written); a name without exactly one comma, or with
 * nothing on a side of it, is kept as written. Returns a new string (free()),
 * or NULL when out of memory. Both OFAC readers name people so.
 */
char *dsr_ofac_natural_name(const char *name);

/* ---- OFAC's advanced SDN XML (ofac_xml.c) ---- */

/*
 * Reads OFAC's advanced XML (root Sanctions), validated against the built-in
 * sdn_advanced.xsd while it is read: each DistinctParty becomes an entity,
 * each SanctionsEntry's events and programs dated designations, handed to
 * emit. Returns as dsr_xml_read().
 */
int dsr_ofac_xml_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                      struct dsr_diags *diags);

/* ---- other XML dialects through a stylesheet (xslt.c) ---- */

struct dsr_xslt;

/*
 * Compiles the XSLT stylesheet at path, which maps another XML dialect to a
 * dossier dataset document. Returns it, or NULL with a DSR_DIAG_BAD_SCHEMA
 * diagnostic; free with dsr_xslt_free().
 */
struct dsr_xslt *dsr_xslt_new(const char *path, struct dsr_diags *diags);
void dsr_xslt_free(struct dsr_xslt *x);
/* Transforms the XML input in and reads the result as dsr_xml_read does. */
int dsr_xslt_read(const struct dsr_xslt *x, const struct dsr_input *in,
                  dsr_record_fn emit, void *ctx, struct dsr_diags *diags);

/*
 * Looks at an input's first bytes (4, or all there are): returns how many
 * bytes of UTF-8 byte-order mark to skip (0 or 3), or -1 for UTF-16 or UTF-32,
 * refused in diags at name:line:1 (line 0 when no line applies).
 */
int dsr_input_start(const unsigned char *b, size_t n, const char *name, int line,
                    struct dsr_diags *diags);

/*
 * Calls fn for each regular file of a folder with a known extension (only
 * that format's when only is an enum dsr_format, any when -1), in name order:
 * no subfolders, links skipped with a warning. A folder holding none is an
 * error in diags (a run that checked nothing must not pass). Returns 0, or
 * the first nonzero fn returned (the walk then stops).
 */
int dsr_folder_each(const char *path, int only, int (*fn)(void *ctx, const char *file),
                    void *ctx, struct dsr_diags *diags);

/*
 * fp read through a counter that calls progress every few megabytes (name,
 * bytes so far, fp's size or 0). Close the result, then fp. NULL when out of
 * memory.
 */
FILE *dsr_input_watch(FILE *fp, const char *name,
                      void (*progress)(void *, const char *, long long, long long),
                      void *ctx);

/* Reads any input by its format. */
int dsr_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
             struct dsr_diags *diags);

/*
 * A writer takes records in canonical order (dsr_record_cmp) and prints the
 * dataset canonically. Every kind's section is written, empty or not. Its
 * streams come from a struct dsr_output (output.h), which checks them and puts
 * the result in place; a writer call fails only when a stream does.
 */
struct dsr_output; /* output.h */

struct dsr_writer {
    enum dsr_format format;       /* what to write */
    FILE *out;                    /* XML, JSON, JSON Lines: the stream, borrowed */
    FILE *tables[DSR_KIND_COUNT]; /* CSV: one stream per table, borrowed from output */
    int kind;                     /* kind of the last record written; -1 = none yet */
    size_t in_kind;               /* records written of that kind */
};

/*
 * Opens a writer on an output (output.h): the stream for XML, JSON and JSON
 * Lines, the four tables (<plural>.csv) for CSV, then writes the preamble.
 * Returns 0, or -1 when a stream failed: dsr_output_commit() reports why.
 */
int dsr_writer_open(struct dsr_writer *w, enum dsr_format format, struct dsr_output *o);
int dsr_writer_record(struct dsr_writer *w, const struct dsr_record *rec);
/* Writes the end of the dataset, leaving the output to dsr_output_commit(). 0 or -1. */
int dsr_writer_close(struct dsr_writer *w);

/* Per-format halves of the writer, called by dsr_writer_*. Each returns 0 or -1. */
int dsr_json_write_begin(struct dsr_writer *w);
int dsr_json_write_record(struct dsr_writer *w, const struct dsr_record *rec);
int dsr_json_write_end(struct dsr_writer *w);
int dsr_jsonl_write_record(struct dsr_writer *w, const struct dsr_record *rec);
int dsr_xml_write_begin(struct dsr_writer *w);
int dsr_xml_write_record(struct dsr_writer *w, const struct dsr_record *rec);
int dsr_xml_write_end(struct dsr_writer *w);
int dsr_csv_write_begin(struct dsr_writer *w);
int dsr_csv_write_record(struct dsr_writer *w, const struct dsr_record *rec);
int dsr_csv_write_end(struct dsr_writer *w);

/* Writes s as an RFC 8785 JSON string, quotes included. 0 or -1. */
int dsr_json_put_string(FILE *out, const char *s);

/*
 * Builds a record from one JSON object (a dataset member's element or a JSON
 * Lines line that the common road, dsr_json_record_parse, stepped aside
 * from): the model reports unknown members, wrong types and its rules
 * through locate. The model alone judges:
 * tests/unit_agreement.c proves it agrees with schemas/dossier.schema.json.
 * Returns the record, or NULL when it is invalid (problems added to diags)
 * or memory ran out.
 */
struct dsr_record *dsr_record_from_json(enum dsr_kind kind, json_t *obj, const char *file,
                                        dsr_locate_fn locate, void *locate_ctx,
                                        struct dsr_diags *diags);

/*
 * The common road for one JSON record (json_record.c): parses text[0..len), an
 * object starting at (line, column) of its file, straight into a record of
 * kind (with kind -1, of the kind its "record" member names), each reference
 * placed under the JSON Pointer prefix. Returns 1 with *out set (its fields
 * not yet checked: dsr_record_check), 0 when the text is not a plain object
 * of the kind's fields with values of the right types (the jansson road then
 * says what is wrong), or -1 when memory ran out.
 */
int dsr_json_record_parse(const char *text, size_t len, int kind, int line, int column,
                          const char *prefix, struct dsr_record **out);

/*
 * A JSON document whose root is an object, read a member at a time
 * (json_read.c): each member's name goes to member(), which sets *split to
 * take an array's elements one by one (element(), then array_end() with their
 * number and where the array starts) rather than its whole text (value()).
 * Texts are the values' own, at their line and column. Callbacks return 0 to
 * go on. dsr_json_walk returns 0 after the whole document, or 1 when it
 * stopped: a callback's nonzero return, or anything not well-formed, which
 * it does not report (the caller reads the document whole to say what).
 */
struct dsr_json_walker {
    void (*root)(void *ctx, int line, int column);
    int (*member)(void *ctx, const char *name, int is_array, int *split);
    int (*element)(void *ctx, size_t index, const char *text, size_t len, int line,
                   int column);
    int (*array_end)(void *ctx, size_t count, int line, int column);
    int (*value)(void *ctx, const char *text, size_t len, int line, int column);
};
int dsr_json_walk(const struct dsr_input *in, const struct dsr_json_walker *w, void *ctx);

/* ---- pieces of an input for a worker, and the records it read (batch.c) ---- */

/* One piece of an input's text in a struct dsr_pieces: an element of an array. */
struct dsr_piece {
    size_t off, len;  /* where its text is in the pieces' text */
    size_t index;     /* its place in the array */
    int line, column; /* where it starts in the input */
};

/* Pieces of an input's text copied one after another, for a worker to read. */
struct dsr_pieces {
    char *text;
    size_t len, cap;
    struct dsr_piece *at;
    size_t n, cap_at;
};

/*
 * Appends text[0..len) as one more piece, at index in its array and (line,
 * column) in the input; the text grows to `room` bytes at least. 0, or -1
 * when out of memory.
 */
int dsr_pieces_add(struct dsr_pieces *p, const char *text, size_t len, size_t index,
                   int line, int column, size_t room);
void dsr_pieces_release(struct dsr_pieces *p);

struct dsr_batch_record;

/* The records a reader's worker read from one piece of an input. */
struct dsr_batch {
    const struct dsr_input *in;
    struct dsr_diags diags; /* found since the last record kept */
    struct dsr_batch_record *recs;
    size_t n, cap;
    struct dsr_bytes packed; /* the records packed, with the input's packer */
};

void dsr_batch_init(struct dsr_batch *b, const struct dsr_input *in);
/*
 * A dsr_record_fn for the worker: keeps rec (packed, with the input's
 * packer). 0, or -1 when out of memory (said in the batch's diagnostics).
 */
int dsr_batch_keep(void *batch, struct dsr_record *rec);
/*
 * In the reading thread: hands each record on to emit (or the packer's
 * take), each after the diagnostics found before it, then the rest of the
 * diagnostics to diags. 0, or -1 when emit or take stopped.
 */
int dsr_batch_emit(struct dsr_batch *b, dsr_record_fn emit, void *ctx,
                   struct dsr_diags *diags);
/* Empties b for records read next, keeping what it allocated. */
void dsr_batch_reset(struct dsr_batch *b);
void dsr_batch_release(struct dsr_batch *b);

/* ---- work on pieces of an input by several threads, in order (workers.c) ---- */

struct dsr_workers;

/*
 * A pool of threads (none when threads < 2: then each item's work is done
 * in dsr_workers_submit) that call work(ctx, item) on the items submitted.
 * NULL when out of memory.
 */
struct dsr_workers *dsr_workers_new(int threads, void (*work)(void *ctx, void *item),
                                    void *ctx);
/* 1 when as many items are in flight as the pool holds: take one back first. */
int dsr_workers_full(const struct dsr_workers *w);
/* Hands item to the pool; the pool must not be full. */
void dsr_workers_submit(struct dsr_workers *w, void *item);
/* The oldest item submitted, once its work is done (waits for it); NULL when none. */
void *dsr_workers_next(struct dsr_workers *w);
/* Stops the threads; take every item back first. NULL is allowed. */
void dsr_workers_free(struct dsr_workers *w);

/* ---- the dataset schemas, built in from schemas/ (build/gen/schemas.c) ---- */

extern const unsigned char dsr_schema_xsd[];  /* schemas/dossier.xsd, NUL-terminated */
extern const size_t dsr_schema_xsd_len;       /* its length in bytes, without the NUL */
extern const unsigned char dsr_schema_json[]; /* schemas/dossier.schema.json */
extern const size_t dsr_schema_json_len;
extern const unsigned char dsr_schema_ofac[]; /* schemas/sdn_advanced.xsd (OFAC's) */
extern const size_t dsr_schema_ofac_len;

/* ---- JSON positions (json_pos.c) ---- */

/*
 * Finds where the value at JSON Pointer `pointer` starts in the JSON text
 * text[0..len), which begins at (line0, column0) of its file. Writes line and
 * column (characters, 1-based) and returns 0, or -1 when the pointer does not
 * resolve (then the position of the nearest enclosing value is written).
 */
int dsr_json_locate(const char *text, size_t len, int line0, int column0,
                    const char *pointer, int *line, int *column);

/*
 * Appends "/" and token, escaped as RFC 6901 says (~ as ~0, / as ~1), to the
 * JSON Pointer in buf (size n). Returns 0, or -1 when it did not fit (buf is
 * then left as it was).
 */
int dsr_pointer_append(char *buf, size_t n, const char *token);
/*
 * Writes token escaped as a JSON Pointer token (~0, ~1) into out (size n),
 * as much as fits without half an escape, NUL-terminated when n > 0. Returns
 * the whole escaped length, as snprintf does (out may be NULL when n is 0).
 */
size_t dsr_pointer_escape(char *out, size_t n, const char *token);
/* Decodes one pointer token's ~1 and ~0 in place; returns its new length. */
size_t dsr_pointer_unescape(char *token);

#endif
