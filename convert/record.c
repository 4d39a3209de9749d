/*
 * The record model: the four kinds of record, their fields in canonical order,
 * and the checks and normalisation every reader applies, whatever the format.
 * Schemas (XSD, JSON Schema) say the same rules for tools outside dossier;
 * the readers report positions, this module only says which field is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

static const char *const entity_kinds[] = {"person", "organization", "vessel", "aircraft",
                                           NULL};

static const char *const event_kinds[] = {
    "agreement",   "arrest",    "attack",      "communication",
    "conviction",  "death",     "designation", "detention",
    "extradition", "hearing",   "invasion",    "kidnapping",
    "meeting",     "plot",      "proposal",    "publication",
    "raid",        "release",   "relocation",  "sanctuary",
    "sentencing",  "statement", "testimony",   "training",
    "transfer",    "transit",   "travel",      "trial",
    NULL};

static const struct dsr_field designation_fields[] = {
    {"id", NULL, DSR_FIELD_ID, 1, NULL, 0, DSR_REFERS_NONE},
    {"date", NULL, DSR_FIELD_DATE, 1, NULL, 0, DSR_REFERS_NONE},
    {"authority", NULL, DSR_FIELD_TEXT, 1, NULL, 0, DSR_REFERS_NONE},
    {"program", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
    {"subjects", "subject", DSR_FIELD_LIST, 1, NULL, 0, DSR_REFERS_ENTITY},
    {"reason", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
    {"sources", "source", DSR_FIELD_LIST, 0, NULL, 0, DSR_REFERS_SOURCE},
    {"evidence", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
};

static const struct dsr_field entity_fields[] = {
    [DSR_ENTITY_ID] = {"id", NULL, DSR_FIELD_ID, 1, NULL, 0, DSR_REFERS_NONE},
    [DSR_ENTITY_KIND] = {"kind", NULL, DSR_FIELD_ENUM, 1, entity_kinds, 0,
                         DSR_REFERS_NONE},
    [DSR_ENTITY_NAME] = {"name", NULL, DSR_FIELD_TEXT, 1, NULL, 0, DSR_REFERS_NONE},
    [DSR_ENTITY_ALIASES] = {"aliases", "alias", DSR_FIELD_LIST, 0, NULL, 1,
                            DSR_REFERS_NONE},
    [DSR_ENTITY_NOTES] = {"notes", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
    [DSR_ENTITY_EVIDENCE] = {"evidence", NULL, DSR_FIELD_TEXT, 0, NULL, 0,
                             DSR_REFERS_NONE},
};

static const struct dsr_field event_fields[] = {
    {"id", NULL, DSR_FIELD_ID, 1, NULL, 0, DSR_REFERS_NONE},
    {"date", NULL, DSR_FIELD_DATE, 1, NULL, 0, DSR_REFERS_NONE},
    {"kind", NULL, DSR_FIELD_ENUM, 1, event_kinds, 0, DSR_REFERS_NONE},
    {"summary", NULL, DSR_FIELD_TEXT, 1, NULL, 0, DSR_REFERS_NONE},
    {"place", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
    {"participants", "participant", DSR_FIELD_ROLES, 0, NULL, 0, DSR_REFERS_ENTITY},
    {"sources", "source", DSR_FIELD_LIST, 0, NULL, 0, DSR_REFERS_SOURCE},
    {"evidence", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
};

static const struct dsr_field source_fields[] = {
    {"id", NULL, DSR_FIELD_ID, 1, NULL, 0, DSR_REFERS_NONE},
    {"title", NULL, DSR_FIELD_TEXT, 1, NULL, 0, DSR_REFERS_NONE},
    {"publisher", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
    {"date", NULL, DSR_FIELD_DATE, 0, NULL, 0, DSR_REFERS_NONE},
    {"evidence", NULL, DSR_FIELD_TEXT, 0, NULL, 0, DSR_REFERS_NONE},
};

#define FIELDS(a) a, sizeof(a) / sizeof(a[0])

static const struct dsr_kind_info kinds[DSR_KIND_COUNT] = {
    {"designation", "designations", FIELDS(designation_fields)},
    {"entity", "entities", FIELDS(entity_fields)},
    {"event", "events", FIELDS(event_fields)},
    {"source", "sources", FIELDS(source_fields)},
};

const struct dsr_kind_info *dsr_kind_info(enum dsr_kind kind) {
    return &kinds[kind];
}

int dsr_kind_from_name(const char *name) {
    for (int k = 0; k < DSR_KIND_COUNT; k++)
        if (!strcmp(name, kinds[k].name) || !strcmp(name, kinds[k].plural))
            return k;
    return -1;
}

int dsr_field_index(enum dsr_kind kind, const char *name) {
    for (size_t i = 0; i < kinds[kind].n_fields; i++)
        if (!strcmp(kinds[kind].fields[i].name, name))
            return (int)i;
    return -1;
}

/*
 * A record's memory: its strings, lists and places come from blocks it owns,
 * the first allocated with the record itself, and all go when it goes. A
 * record lives from one read to one write, so nothing is freed piece by piece:
 * a value replaced (normalised, resolved) stays until the record is freed.
 */
struct dsr_record_block {
    struct dsr_record_block *next;
    max_align_t data[];
};

#define FIRST_ROOM 512       /* bytes in the record's first block: a short record fits */
#define ALIGN sizeof(void *) /* strings, pointer arrays and places alike */

struct dsr_record *dsr_record_new(enum dsr_kind kind) {
    struct dsr_record *rec = malloc(sizeof(*rec) + FIRST_ROOM);
    if (!rec)
        return NULL;
    memset(rec, 0, sizeof(*rec));
    rec->kind = kind;
    rec->room = (char *)(rec + 1);
    rec->room_left = FIRST_ROOM;
    return rec;
}

void *dsr_record_alloc(struct dsr_record *rec, size_t size) {
    size = (size + ALIGN - 1) & ~(ALIGN - 1);
    if (size > rec->room_left) {
        size_t room = rec->block_room ? 2 * rec->block_room : 2 * FIRST_ROOM;
        while (room < size)
            room *= 2;
        struct dsr_record_block *b = malloc(sizeof(*b) + room);
        if (!b)
            return NULL;
        b->next = rec->blocks;
        rec->blocks = b;
        rec->block_room = room;
        rec->room = (char *)b->data;
        rec->room_left = room;
    }
    void *p = rec->room;
    rec->room += size;
    rec->room_left -= size;
    return p;
}

char *dsr_record_copy(struct dsr_record *rec, const char *s, size_t len) {
    char *c = dsr_record_alloc(rec, len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = '\0';
    }
    return c;
}

void dsr_record_free(struct dsr_record *rec) {
    if (!rec)
        return;
    for (struct dsr_record_block *b = rec->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(rec);
}

int dsr_record_set(struct dsr_record *rec, int field, const char *text, size_t len) {
    char *c = dsr_record_copy(rec, text, len);
    if (!c)
        return -1;
    rec->values[field].text = c;
    return 0;
}

/* A copy of n elements of size bytes at from, with room for cap; NULL: no memory. */
static void *grown(struct dsr_record *rec, const void *from, size_t n, size_t cap,
                   size_t size) {
    void *to = dsr_record_alloc(rec, cap * size);
    if (to) {
        memset(to, 0, cap * size);
        if (n)
            memcpy(to, from, n * size);
    }
    return to;
}

int dsr_record_reserve(struct dsr_record *rec, int field, size_t n, int places) {
    struct dsr_value *v = &rec->values[field];
    int with_role = kinds[rec->kind].fields[field].type == DSR_FIELD_ROLES;
    size_t cap = v->cap;
    if (n > cap) {
        cap = cap ? 2 * cap : 4;
        while (cap < n)
            cap *= 2;
        char **items = grown(rec, v->items, v->n, cap, sizeof(*items));
        char **roles = with_role ? grown(rec, v->roles, v->n, cap, sizeof(*roles)) : NULL;
        struct dsr_place *at = v->at ? grown(rec, v->at, v->n, cap, sizeof(*at)) : NULL;
        if (!items || (with_role && !roles) || (v->at && !at))
            return -1;
        v->items = items;
        v->roles = roles;
        v->at = at;
        v->cap = cap;
    }
    if (places && !v->at && !(v->at = grown(rec, NULL, 0, cap, sizeof(*v->at))))
        return -1;
    return 0;
}

int dsr_record_add(struct dsr_record *rec, int field, const char *item, size_t len,
                   const char *role, size_t role_len) {
    struct dsr_value *v = &rec->values[field];
    if (dsr_record_reserve(rec, field, v->n + 1, 0) < 0)
        return -1;
    char *c = dsr_record_copy(rec, item, len);
    char *r =
        v->roles ? dsr_record_copy(rec, role ? role : "", role ? role_len : 0) : NULL;
    if (!c || (v->roles && !r))
        return -1;
    v->items[v->n] = c;
    if (v->roles)
        v->roles[v->n] = r;
    v->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b);

void dsr_record_sort_set(struct dsr_record *rec, int field) {
    struct dsr_value *v = &rec->values[field];
    if (v->n < 2)
        return;
    qsort(v->items, v->n, sizeof(*v->items), cmp_str);
    size_t kept = 1;
    for (size_t i = 1; i < v->n; i++) {
        if (strcmp(v->items[i], v->items[kept - 1]))
            v->items[kept++] = v->items[i];
    }
    v->n = kept;
}

const char *dsr_record_id(const struct dsr_record *rec) {
    return rec->values[0].text ? rec->values[0].text : "";
}

int dsr_record_cmp(const struct dsr_record *a, const struct dsr_record *b) {
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(dsr_record_id(a), dsr_record_id(b));
}

/* ---- text ---- */

/* White space as Unicode says (White_Space: C0 spaces, U+0085, category Zs, U+2028/9). */
static inline int is_space(long cp) {
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
    if (cp > 0xA0 && cp < 0x1680) /* most letters of most scripts */
        return 0;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* What one scan of a text finds. */
struct text_facts {
    int invalid; /* not UTF-8 (or holds a NUL) */
    int control; /* holds a control character other than tab, LF and CR, or DEL */
    long unfit;  /* the first U+FFFE or U+FFFF, which XML 1.0 cannot hold; else -1 */
    /*
     * Already what dsr_text_normalize makes of it: valid UTF-8 made only of
     * characters NFC never touches, wherever they stand (dsr_nfc_stable), and
     * marks that follow them in order of class (dsr_nfc_mark_class), with
     * single spaces between words and none around them.
     */
    int normal;
};

static struct text_facts scan_text(const char *s, size_t len) {
    struct text_facts t = {0, 0, -1, 1};
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    int space = 1;       /* after a space, or at the start: a space here is not normal */
    int last_class = -1; /* of the mark before; -1: no base to follow */
    while (p < end) {
#ifdef __SSE2__
        /* Sixteen bytes at a time, as far as they are printable ASCII, tracking
           spaces; not tried on a letter of another script (the next is one too). */
        while (end - p >= 16 && *p < 0x80) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i odd =
                _mm_or_si128(dsr_controls16(v), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
            /* Not ASCII, a control character or DEL: a byte at a time from there. */
            unsigned stop = (unsigned)(_mm_movemask_epi8(v) | _mm_movemask_epi8(odd));
            unsigned n = stop ? (unsigned)__builtin_ctz(stop) : 16;
            unsigned spaces =
                (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' '))) &
                ((1u << n) - 1);
            if ((spaces & (spaces << 1)) || (space && (spaces & 1)))
                t.normal = 0; /* two spaces in a row, or a space first */
            if (n) {
                space = (int)(spaces >> (n - 1) & 1);
                last_class = 0;
            }
            p += n;
            if (stop)
                break;
        }
#else
        /* Eight bytes of printable ASCII and single spaces at a time. */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if ((w & DSR_HIGH_BITS) | dsr_bytes_below(w, 0x20) | dsr_bytes_equal(w, 0x7F))
                break;
            uint64_t x = w ^ (DSR_ONES * ' '); /* zero bytes where the spaces are */
            /* The high bit of each byte that is a space, exactly (no borrows). */
            uint64_t spaces =
                ~(((x & ~DSR_HIGH_BITS) + ~DSR_HIGH_BITS) | x | ~DSR_HIGH_BITS);
            if ((spaces & (spaces << 8)) || (space && (spaces & 0x80)))
                t.normal = 0; /* two spaces in a row, or a space first */
            space = (int)(spaces >> 63);
            last_class = 0;
            p += 8;
        }
#endif
        if (p == end)
            break;
        unsigned c = *p;
        if (c > 0x20 && c < 0x7F) { /* printable ASCII, the common case */
            space = 0;
            last_class = 0;
            p++;
            continue;
        }
        if (c < 0x80) {
            if (c != ' ' || space)
                t.normal = 0;
            if (c == 0 || c == 0x7F || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
                t.control = 1;
            t.invalid |= c == 0;
            space = c == ' ';
            last_class = 0;
            p++;
            continue;
        }
        long cp;
        if (c >= 0xC2 && c <= 0xDF && end - p >= 2 && (p[1] & 0xC0) == 0x80) {
            cp = (long)(c & 0x1F) << 6 | (p[1] & 0x3F); /* two bytes, the common case */
            p += 2;
        } else {
            long need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            const char *q = (const char *)p;
            cp = end - p < need ? -1 : dsr_utf8_next(&q); /* refuses overlong forms */
            if (cp < 0) {
                t.invalid = 1;
                t.normal = 0;
                return t;
            }
            p = (const unsigned char *)q;
        }
        if ((cp == 0xFFFE || cp == 0xFFFF) && t.unfit < 0)
            t.unfit = cp;
        if (is_space(cp)) {
            t.normal = 0;
        } else if (dsr_nfc_stable(cp)) {
            last_class = 0;
        } else {
            int class = dsr_nfc_mark_class(cp);
            if (!class || class < last_class || last_class < 0)
                t.normal = 0;
            last_class = class;
        }
        space = 0;
    }
    if (space && len)
        t.normal = 0; /* a space last */
    return t;
}

char *dsr_text_normalize(const char *s, size_t len) {
    utf8proc_uint8_t *nfc = NULL;
    /* Spaces around the text are the common difference (a CSV list's "a; b"), and
       a space never composes with what follows it: they go first. */
    while (len > 0 && *s == ' ')
        s++, len--;
    while (len > 0 && s[len - 1] == ' ')
        len--;
    utf8proc_ssize_t n = (utf8proc_ssize_t)len;
    struct text_facts facts = scan_text(s, len);
    if (facts.normal) {
        if ((nfc = malloc(len + 1))) {
            memcpy(nfc, s, len);
            nfc[len] = '\0';
        }
        return (char *)nfc;
    }
    if (facts.invalid)
        return NULL;
    n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &nfc,
                     UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (!nfc || n < 0)
        return NULL;
    /* Collapse in place: the result is never longer than the NFC text. */
    char *w = (char *)nfc;
    const char *r = (const char *)nfc, *end = r + n;
    int pending_space = 0;
    while (r < end) {
        const char *start = r;
        long cp = (unsigned char)*r;
        if (cp < 0x80) /* ASCII, the common case, needs no decoding */
            r++;
        else
            cp = dsr_utf8_next(&r); /* utf8proc wrote valid UTF-8 */
        if (is_space(cp)) {
            pending_space = w > (char *)nfc;
        } else {
            if (pending_space)
                *w++ = ' ';
            pending_space = 0;
            memmove(w, start, (size_t)(r - start));
            w += r - start;
        }
    }
    *w = '\0';
    return (char *)nfc;
}

/* ---- checks ---- */

struct checker {
    struct dsr_record *rec;
    const char *file;
    dsr_locate_fn locate;
    void *ctx;
    struct dsr_diags *diags;
    int problems;
};

static void problem(struct checker *c, int field, int item, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct checker *c, int field, int item, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    struct dsr_diag *d = dsr_diag_vadd(c->diags, DSR_DIAG_SCHEMA, c->file, c->rec->line,
                                       c->rec->column, "", fmt, ap);
    va_end(ap);
    if (d && c->locate) {
        char pointer[DSR_PATH_MAX] = "";
        if (field >= 0 && item >= 0)
            snprintf(pointer, sizeof(pointer), "/%s/%d",
                     kinds[c->rec->kind].fields[field].name, item);
        else if (field >= 0)
            snprintf(pointer, sizeof(pointer), "/%s",
                     kinds[c->rec->kind].fields[field].name);
        dsr_diag_locate(c->diags, d, c->locate, c->ctx, pointer);
    }
    c->problems++;
}

const char *dsr_id_problem(const char *s) {
    size_t len = strlen(s);
    int shape = len > 0 && s[0] != '-' && s[len - 1] != '-';
    for (size_t i = 0; i < len && shape; i++) {
        char ch = s[i];
        shape = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                (ch == '-' && s[i + 1] != '-');
    }
    if (!shape)
        return "expected lowercase letters, digits and single hyphens";
    return len > DSR_ID_MAX ? "longer than 100 characters" : NULL;
}

int dsr_id_valid(const char *s) {
    return dsr_id_problem(s) == NULL;
}

/*
 * 0 when s is UTF-8 without control characters, that XML can hold, else 1
 * (reported). What the scan found is left in *facts.
 */
static int check_chars(struct checker *c, int field, int item, const char *s,
                       const char *what, struct text_facts *facts) {
    *facts = scan_text(s, strlen(s));
    if (facts->invalid) {
        problem(c, field, item, "invalid UTF-8 in %s", what);
        return 1;
    }
    if (facts->control) {
        problem(c, field, item, "control character in %s", what);
        return 1;
    }
    if (facts->unfit >= 0) {
        problem(c, field, item, "character U+%04lX in %s: XML cannot hold it",
                facts->unfit, what);
        return 1;
    }
    return 0;
}

static int normalize_text(struct checker *c, int field, int item, char **s,
                          const char *what) {
    struct text_facts facts;
    if (check_chars(c, field, item, *s, what, &facts))
        return 1;
    if (facts.normal && **s)
        return 0; /* the common case: nothing to change, nothing to copy */
    char *normal = dsr_text_normalize(*s, strlen(*s));
    char *n = normal ? dsr_record_copy(c->rec, normal, strlen(normal)) : NULL;
    free(normal);
    if (!n)
        return -1;
    *s = n;
    if (!*n) {
        problem(c, field, item, "empty %s", what);
        return 1;
    }
    return 0;
}

static int in_list(const char *const *values, const char *s) {
    for (; *values; values++)
        if (!strcmp(*values, s))
            return 1;
    return 0;
}

static int check_one(struct checker *c, int f, const struct dsr_field *spec) {
    char **text = &c->rec->values[f].text;
    struct text_facts facts;
    /* Text is normalised; an id, a date or an enumerated value is taken as written. */
    int r = spec->type == DSR_FIELD_TEXT
                ? normalize_text(c, f, -1, text, spec->name)
                : check_chars(c, f, -1, *text, spec->name, &facts);
    if (r)
        return r;
    switch (spec->type) {
    case DSR_FIELD_ID:
        if (!dsr_id_valid(*text))
            problem(c, f, -1, "invalid %s \"%s\": %s", spec->name, *text,
                    dsr_id_problem(*text));
        break;
    case DSR_FIELD_DATE: {
        char out[128];
        if (dsr_edtf_normalize(*text, out, sizeof(out)) < 0) {
            problem(c, f, -1, "invalid date \"%s\": %s", *text, out);
        } else if (strcmp(out, *text)) {
            char *n = dsr_record_copy(c->rec, out, strlen(out));
            if (!n)
                return -1;
            *text = n;
        }
        break;
    }
    case DSR_FIELD_ENUM:
        if (!in_list(spec->values, *text))
            problem(c, f, -1, "unknown %s \"%s\"", spec->name, *text);
        break;
    default: break;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lowercase words joined by single hyphens, as the schemas' role pattern says. */
static int valid_role(const char *s) {
    size_t len = strlen(s);
    if (len == 0 || s[0] == '-' || s[len - 1] == '-')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] == '-' && s[i + 1] != '-')))
            return 0;
    return 1;
}

static int check_list(struct checker *c, int f, const struct dsr_field *spec) {
    struct dsr_value *v = &c->rec->values[f];
    for (size_t i = 0; i < v->n; i++) {
        int r = normalize_text(c, f, (int)i, &v->items[i], spec->item);
        if (r < 0)
            return -1;
        if (r == 0 && strchr(v->items[i], ';'))
            problem(c, f, (int)i, "\";\" in %s \"%s\": it separates list items in CSV",
                    spec->item, v->items[i]);
        if (v->roles && !valid_role(v->roles[i]))
            problem(c, f, (int)i,
                    "invalid role \"%s\" of %s \"%s\": expected lowercase words",
                    v->roles[i], spec->item, v->items[i]);
    }
    if (spec->sorted && v->n > 1) {
        /* Report duplicates where the user wrote them, then sort. */
        for (size_t i = 1; i < v->n; i++)
            for (size_t j = 0; j < i; j++)
                if (!strcmp(v->items[i], v->items[j])) {
                    problem(c, f, (int)i, "duplicate %s \"%s\"", spec->item, v->items[i]);
                    break;
                }
        qsort(v->items, v->n, sizeof(*v->items), cmp_str);
    }
    return 0;
}

/*
 * Notes where each reference of field f was written, while the reader can
 * still say: references are checked after the whole dataset is read, and an
 * unknown one is reported where it stands. 0, or -1 when out of memory.
 */
static int note_places(struct checker *c, int f) {
    struct dsr_value *v = &c->rec->values[f];
    const char *name = kinds[c->rec->kind].fields[f].name;
    if (!c->locate || !v->n || v->at)
        return 0;
    if (dsr_record_reserve(c->rec, f, v->n, 1) < 0)
        return -1;
    for (size_t i = 0; i < v->n; i++) {
        char pointer[DSR_PATH_MAX];
        struct dsr_diag d = {
            .file = c->file, .line = c->rec->line, .column = c->rec->column};
        snprintf(pointer, sizeof(pointer), v->roles ? "/%s/%zu/entity" : "/%s/%zu", name,
                 i);
        c->locate(c->ctx, pointer, &d);
        v->at[i] = (struct dsr_place){d.line, d.column,
                                      dsr_record_copy(c->rec, d.path, strlen(d.path))};
        if (!v->at[i].path)
            return -1;
    }
    return 0;
}

int dsr_record_check(struct dsr_record *rec, const char *file, dsr_locate_fn locate,
                     void *locate_ctx, struct dsr_diags *diags) {
    struct checker c = {rec, file, locate, locate_ctx, diags, 0};
    const struct dsr_kind_info *info = &kinds[rec->kind];
    for (size_t f = 0; f < info->n_fields; f++) {
        const struct dsr_field *spec = &info->fields[f];
        const struct dsr_value *v = &rec->values[f];
        int present = (spec->type == DSR_FIELD_LIST || spec->type == DSR_FIELD_ROLES)
                          ? v->n > 0
                          : v->text != NULL;
        if (!present) {
            if (spec->required && !(rec->given & (1u << f)))
                problem(&c, -1, -1, "missing required field \"%s\" in %s", spec->name,
                        info->name);
            continue;
        }
        int r = (spec->type == DSR_FIELD_LIST || spec->type == DSR_FIELD_ROLES)
                    ? check_list(&c, (int)f, spec)
                    : check_one(&c, (int)f, spec);
        if (r < 0 || (spec->refers != DSR_REFERS_NONE && note_places(&c, (int)f) < 0))
            return -1;
    }
    return c.problems;
}
