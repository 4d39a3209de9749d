/*
 * The common road for a JSON record: a plain object whose members are the
 * record's fields with values of the right types is parsed straight into a
 * struct dsr_record, without a jansson value in between, and each reference
 * is placed as it is read. Anything else (a syntax error, an unknown or
 * repeated member, a value of the wrong type, a NUL) is left to the general
 * road in json_read.c, which parses with jansson and says what is wrong in
 * its words: this parser only has to know when to step aside.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct parser {
    const char *p, *end;
    char *scratch; /* a string's decoded bytes, when it holds escapes */
    size_t scratch_cap;
    /* Positions: (at, line, column) is a place already counted, moved forward only. */
    const char *at;
    int line, column;
};

static void skip_ws(struct parser *ps) {
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r'))
        ps->p++;
}

/* Line and column of q, counted from the last place asked for (q never goes back). */
static void place_of(struct parser *ps, const char *q, int *line, int *column) {
    dsr_text_advance(ps->at, (size_t)(q - ps->at), &ps->line, &ps->column);
    ps->at = q;
    *line = ps->line;
    *column = ps->column;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(char *w, unsigned cp) {
    if (cp < 0x80) {
        w[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (char)(0xC0 | cp >> 6);
        w[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | cp >> 12);
        w[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | cp >> 18);
    w[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    w[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * Decodes the escapes of raw[0..len) (the text between a string's quotes)
 * into ps->scratch. Returns the decoded length, or -1 when the general road
 * must speak (a bad escape, a NUL, a lone surrogate) or memory runs out.
 */
static long unescape(struct parser *ps, const char *raw, size_t len) {
    if (ps->scratch_cap < len + 1) {
        char *s = realloc(ps->scratch, len + 1);
        if (!s)
            return -1;
        ps->scratch = s;
        ps->scratch_cap = len + 1;
    }
    char *w = ps->scratch;
    for (const char *r = raw, *end = raw + len; r < end;) {
        if (*r != '\\') {
            *w++ = *r++;
            continue;
        }
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = r[1] ? strchr(from, r[1]) : NULL;
        if (k) {
            *w++ = to[k - from];
            r += 2;
            continue;
        }
        unsigned cp, low;
        if (r[1] != 'u' || end - r < 6 || hex4(r + 2, &cp) < 0 || cp == 0)
            return -1;
        r += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return -1;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - r < 6 || r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &low) < 0 ||
                low < 0xDC00 || low > 0xDFFF)
                return -1;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            r += 6;
        }
        w += put_utf8(w, cp);
    }
    return w - ps->scratch;
}

/*
 * Reads the string at ps->p ('"'): its text in *text, *len (pointing into the
 * input, or into ps->scratch when it held escapes, valid until the next
 * string). 0, or -1 to step aside.
 */
static int string(struct parser *ps, const char **text, size_t *len) {
    if (ps->p >= ps->end || *ps->p != '"')
        return -1;
    const char *start = ++ps->p;
    int escaped = 0, ascii = 1;
    for (;;) {
#ifdef __SSE2__
        /* Sixteen bytes at a time, straight to a quote, a backslash or a control
           character. */
        while (ps->end - ps->p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)ps->p);
            unsigned stop = (unsigned)_mm_movemask_epi8(dsr_json_stops16(v));
            unsigned high = (unsigned)_mm_movemask_epi8(v);
            if (stop) {
                unsigned at = (unsigned)__builtin_ctz(stop);
                ascii &= !(high & ((1u << at) - 1));
                ps->p += at;
                break;
            }
            ascii &= !high;
            ps->p += 16;
        }
#else
        /* Eight bytes at a time up to a quote, a backslash or a control character. */
        uint64_t w, high = 0;
        while (ps->end - ps->p >= 8) {
            memcpy(&w, ps->p, 8);
            if (dsr_bytes_equal(w, '"') | dsr_bytes_equal(w, '\\') |
                dsr_bytes_below(w, 0x20))
                break;
            high |= w;
            ps->p += 8;
        }
        ascii &= !(high & DSR_HIGH_BITS);
#endif
        if (ps->p >= ps->end)
            return -1;
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return -1; /* the general road names the control character */
        if (c == '\\') {
            escaped = 1;
            if (++ps->p >= ps->end)
                return -1;
        }
        ascii &= c < 0x80;
        ps->p++;
    }
    size_t n = (size_t)(ps->p - start);
    ps->p++; /* the closing quote */
    if (!ascii && !dsr_utf8_valid(start, n))
        return -1;
    if (!escaped) {
        *text = start;
        *len = n;
        return 0;
    }
    long m = unescape(ps, start, n);
    if (m < 0)
        return -1;
    *text = ps->scratch;
    *len = (size_t)m;
    return 0;
}

static int expect(struct parser *ps, char c) {
    skip_ws(ps);
    if (ps->p >= ps->end || *ps->p != c)
        return -1;
    ps->p++;
    skip_ws(ps);
    return 0;
}

/* After a member or item: 1 at a ',' (consumed), 0 at the closing char, -1 else. */
static int next(struct parser *ps, char close) {
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
        ps->p++;
        skip_ws(ps);
        return 1;
    }
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return 0;
    }
    return -1;
}

/* Notes where item i of field f (its string at q) stands, for reference checks. */
static int note_place(struct parser *ps, struct dsr_record *rec, int f, const char *q,
                      const char *prefix) {
    struct dsr_value *v = &rec->values[f];
    if (dsr_record_reserve(rec, f, v->n, 1) < 0)
        return -1;
    char path[DSR_PATH_MAX];
    const struct dsr_field *spec = &dsr_kind_info(rec->kind)->fields[f];
    snprintf(path, sizeof(path), v->roles ? "%s/%s/%zu/entity" : "%s/%s/%zu", prefix,
             spec->name, v->n - 1);
    struct dsr_place *place = &v->at[v->n - 1];
    place_of(ps, q, &place->line, &place->column);
    place->path = dsr_record_copy(rec, path, strlen(path));
    return place->path ? 0 : -1;
}

/* One {"entity": ..., "role": ...} object; where its entity's string starts in *q. */
static int participant(struct parser *ps, struct dsr_record *rec, int f, const char **q) {
    const char *text[2] = {NULL, NULL}; /* entity, role */
    size_t len[2] = {0, 0};
    char *copy[2] = {NULL, NULL}; /* an escaped string, kept past the next one */
    int more = 1, rc = -1;
    if (expect(ps, '{') < 0)
        return -1;
    while (more == 1) {
        const char *key, *value_at;
        size_t key_len;
        if (string(ps, &key, &key_len) < 0 || expect(ps, ':') < 0)
            goto out;
        int which = key_len == 6 && !memcmp(key, "entity", 6) ? 0
                    : key_len == 4 && !memcmp(key, "role", 4) ? 1
                                                              : -1;
        value_at = ps->p;
        if (which < 0 || text[which] || string(ps, &text[which], &len[which]) < 0)
            goto out;
        if (text[which] == ps->scratch) {
            if (!(copy[which] = malloc(len[which] + 1))) {
                rc = -2;
                goto out;
            }
            memcpy(copy[which], text[which], len[which]);
            text[which] = copy[which];
        }
        if (which == 0)
            *q = value_at;
        more = next(ps, '}');
    }
    if (more == 0 && text[0] && text[1])
        rc = dsr_record_add(rec, f, text[0], len[0], text[1], len[1]) < 0 ? -2 : 0;
out:
    free(copy[0]);
    free(copy[1]);
    return rc;
}

/* The value of field f: a string, or an array of strings or of participants. */
static int field(struct parser *ps, struct dsr_record *rec, int f, const char *prefix) {
    const struct dsr_field *spec = &dsr_kind_info(rec->kind)->fields[f];
    const char *text;
    size_t len;
    if (spec->type != DSR_FIELD_LIST && spec->type != DSR_FIELD_ROLES) {
        if (string(ps, &text, &len) < 0)
            return -1;
        return dsr_record_set(rec, f, text, len) < 0 ? -2 : 0;
    }
    if (ps->p >= ps->end || *ps->p != '[')
        return -1;
    ps->p++;
    skip_ws(ps);
    int more = 1;
    while (more == 1) {
        const char *q = ps->p;
        int r;
        if (spec->type == DSR_FIELD_ROLES)
            r = participant(ps, rec, f, &q);
        else if ((r = string(ps, &text, &len)) == 0)
            r = dsr_record_add(rec, f, text, len, NULL, 0) < 0 ? -2 : 0;
        if (r < 0)
            return r;
        if (spec->refers != DSR_REFERS_NONE && note_place(ps, rec, f, q, prefix) < 0)
            return -2;
        more = next(ps, ']');
    }
    return more; /* an empty array steps aside too: the general road reports it */
}

/* The kind a JSON Lines record names in its "record" member, found by a light scan. */
static int kind_named(const char *text, size_t len) {
    struct parser ps = {text, text + len, NULL, 0, text, 1, 1};
    const char *key, *name;
    size_t key_len, name_len;
    int kind = -1;
    if (expect(&ps, '{') < 0)
        return -1;
    for (;;) {
        if (string(&ps, &key, &key_len) < 0 || expect(&ps, ':') < 0)
            break;
        if (key_len == 6 && !memcmp(key, "record", 6)) {
            if (string(&ps, &name, &name_len) < 0 || name == ps.scratch)
                break;
            for (int k = 0; k < DSR_KIND_COUNT; k++) {
                const char *singular = dsr_kind_info((enum dsr_kind)k)->name;
                if (strlen(singular) == name_len && !memcmp(singular, name, name_len))
                    kind = k;
            }
            break;
        }
        /* Skip the value: strings, and arrays and objects of them. */
        int depth = 0;
        do {
            skip_ws(&ps);
            if (ps.p >= ps.end)
                goto out;
            if (*ps.p == '"') {
                if (string(&ps, &name, &name_len) < 0)
                    goto out;
            } else if (*ps.p == '[' || *ps.p == '{') {
                depth++;
                ps.p++;
            } else if (*ps.p == ']' || *ps.p == '}') {
                depth--;
                ps.p++;
            } else if (*ps.p == ',' || *ps.p == ':') {
                ps.p++;
            } else {
                goto out; /* numbers and literals: the general road */
            }
        } while (depth > 0);
        if (next(&ps, '}') != 1)
            break;
    }
out:
    free(ps.scratch);
    return kind;
}

int dsr_json_record_parse(const char *text, size_t len, int kind, int line, int column,
                          const char *prefix, struct dsr_record **out) {
    *out = NULL;
    int named = kind < 0;
    if (named && (kind = kind_named(text, len)) < 0)
        return 0;
    struct dsr_record *rec = dsr_record_new((enum dsr_kind)kind);
    if (!rec)
        return -1;
    struct parser ps = {text, text + len, NULL, 0, text, line, column};
    int rc = 0, seen_record = 0;
    unsigned seen = 0; /* fields met: a repeated one is the general road's to report */
    if (expect(&ps, '{') < 0)
        goto out;
    for (int more = 1; more == 1;) {
        const char *key;
        size_t key_len;
        char name[32];
        if (string(&ps, &key, &key_len) < 0 || key_len >= sizeof(name) ||
            expect(&ps, ':') < 0)
            goto out;
        memcpy(name, key, key_len);
        name[key_len] = '\0';
        if (named && !strcmp(name, "record")) {
            const char *value;
            size_t value_len;
            if (seen_record++ || string(&ps, &value, &value_len) < 0)
                goto out;
        } else {
            int f = dsr_field_index(rec->kind, name);
            if (f < 0 || seen & (1u << f))
                goto out;
            seen |= 1u << f;
            int r = field(&ps, rec, f, prefix);
            if (r == -2) {
                rc = -1;
                goto out;
            }
            if (r < 0)
                goto out;
        }
        more = next(&ps, '}');
        if (more < 0)
            goto out;
    }
    skip_ws(&ps);
    if (ps.p == ps.end && (!named || seen_record)) {
        rec->line = line;
        rec->column = column;
        *out = rec;
        rc = 1;
    }
out:
    free(ps.scratch);
    if (rc != 1)
        dsr_record_free(rec);
    return rc;
}
