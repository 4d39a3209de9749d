/*
 * A JSON text read straight into jansson values, for the common case of
 * valid JSON: one pass, eight bytes at a time through strings, without
 * jansson's character-by-character lexer. It gives what json_loadb gives with
 * JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL: the same values,
 * types and member order. Anything else (a syntax error, a duplicate member,
 * invalid UTF-8, a lone surrogate, an integer past 64 bits, a real that
 * overflows, a raw NUL, deep nesting, memory running out) gives NULL, and the
 * caller asks jansson, which words the problem where it stands.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

#define DEPTH_MAX 512 /* deeper documents go to jansson, which has its own limit */

struct reader {
    const char *p, *end;
    int allow_nul; /* JSON_ALLOW_NUL: a string may hold U+0000 */
    char *scratch; /* a string with escapes, decoded; owned */
    size_t cap;
    int depth;
};

static void skip_space(struct reader *r) {
    while (r->p < r->end &&
           (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* Appends n bytes to the scratch string (len bytes so far). 0, or -1. */
static int put(struct reader *r, size_t len, const char *s, size_t n) {
    if (len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 256;
        while (cap < len + n + 1)
            cap *= 2;
        char *grown = realloc(r->scratch, cap);
        if (!grown)
            return -1;
        r->scratch = grown;
        r->cap = cap;
    }
    memcpy(r->scratch + len, s, n);
    return 0;
}

/* The four hex digits of a \u escape at p; -1 when they are not that. */
static long hex4(const char *p, const char *end) {
    long v = 0;
    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Writes code point cp as UTF-8 into out; returns its length. */
static size_t encode(long cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One escape after its backslash at r->p, decoded onto scratch[*len]. 0, or -1. */
static int escape(struct reader *r, size_t *len) {
    static const char plain[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
    if (r->p >= r->end)
        return -1;
    const char *e = memchr(plain, *r->p, sizeof(plain) - 1);
    if (e && *r->p) {
        r->p++;
        return put(r, (*len)++, &meant[e - plain], 1);
    }
    if (*r->p != 'u')
        return -1;
    long cp = hex4(r->p + 1, r->end);
    r->p += 5;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return -1; /* a lone low surrogate */
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long low = r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u'
                       ? hex4(r->p + 2, r->end)
                       : -1;
        if (low < 0xDC00 || low > 0xDFFF)
            return -1;
        r->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp < 0)
        return -1;
    char utf8[4];
    size_t n = encode(cp, utf8);
    if (put(r, *len, utf8, n) < 0)
        return -1;
    *len += n;
    return 0;
}

/*
 * A string, its opening quote at r->p: *s and *len give its text, in the
 * input when it has no escape, else in scratch (valid until the next string).
 * 0, or -1.
 */
static int string(struct reader *r, const char **s, size_t *len) {
    const char *start = ++r->p, *q = start;
    size_t out = 0;
    int escaped = 0;
    for (;;) {
        while (r->end - q >= 8) {
            uint64_t w;
            memcpy(&w, q, 8);
            if (dsr_bytes_below(w, 0x20) | dsr_bytes_equal(w, '"') |
                dsr_bytes_equal(w, '\\'))
                break;
            q += 8;
        }
        while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
            q++;
        if (q >= r->end || (unsigned char)*q < 0x20)
            return -1;
        /* A run without escapes: whole characters, as a quote or backslash ends it. */
        if (!dsr_utf8_valid(start, (size_t)(q - start)))
            return -1;
        if (*q == '"' && !escaped) {
            *s = start;
            *len = (size_t)(q - start);
            r->p = q + 1;
            return 0;
        }
        if (put(r, out, start, (size_t)(q - start)) < 0)
            return -1;
        out += (size_t)(q - start);
        if (*q == '"') {
            r->scratch[out] = '\0';
            *s = r->scratch;
            *len = out;
            r->p = q + 1;
            return 0;
        }
        escaped = 1;
        r->p = q + 1;
        if (escape(r, &out) < 0)
            return -1;
        start = q = r->p;
    }
}

static int is_digit(const char *p, const char *end) {
    return p < end && *p >= '0' && *p <= '9';
}

/* A number as JSON writes it: an integer when it has no fraction or exponent. */
static json_t *number(struct reader *r) {
    const char *p = r->p, *start = p;
    int real = 0;
    if (p < r->end && *p == '-')
        p++;
    if (!is_digit(p, r->end))
        return NULL;
    if (*p++ != '0')
        while (is_digit(p, r->end))
            p++;
    if (p < r->end && *p == '.') {
        real = 1;
        if (!is_digit(++p, r->end))
            return NULL;
        while (is_digit(p, r->end))
            p++;
    }
    if (p < r->end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < r->end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, r->end))
            return NULL;
        while (is_digit(p, r->end))
            p++;
    }
    size_t n = (size_t)(p - start);
    if (put(r, 0, start, n) < 0)
        return NULL;
    r->scratch[n] = '\0';
    r->p = p;
    errno = 0;
    if (!real) {
        long long v = strtoll(r->scratch, NULL, 10);
        return errno == ERANGE ? NULL : json_integer(v);
    }
    double d = strtod(r->scratch, NULL);
    return isinf(d) ? NULL : json_real(d);
}

static json_t *value(struct reader *r);

static json_t *array(struct reader *r) {
    json_t *a = json_array();
    r->p++;
    skip_space(r);
    if (a && r->p < r->end && *r->p == ']') {
        r->p++;
        return a;
    }
    while (a) {
        json_t *v = value(r);
        if (!v || json_array_append_new(a, v) < 0)
            break;
        skip_space(r);
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return a;
        }
        if (r->p >= r->end || *r->p != ',')
            break;
        r->p++;
    }
    json_decref(a);
    return NULL;
}

static json_t *object(struct reader *r) {
    json_t *o = json_object();
    r->p++;
    skip_space(r);
    if (o && r->p < r->end && *r->p == '}') {
        r->p++;
        return o;
    }
    while (o) {
        const char *key;
        size_t len;
        char *copy = NULL;
        if (r->p >= r->end || *r->p != '"' || string(r, &key, &len) < 0 ||
            memchr(key, '\0', len) || json_object_getn(o, key, len))
            break;
        /* A decoded key lives in scratch, which the value may need. */
        if (key == r->scratch && !(key = copy = strndup(key, len)))
            break;
        skip_space(r);
        json_t *v = NULL;
        if (r->p < r->end && *r->p == ':') {
            r->p++;
            v = value(r);
        }
        int ok = v && json_object_setn_new_nocheck(o, key, len, v) == 0;
        free(copy);
        if (!ok)
            break;
        skip_space(r);
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return o;
        }
        if (r->p >= r->end || *r->p != ',')
            break;
        r->p++;
        skip_space(r);
    }
    json_decref(o);
    return NULL;
}

static json_t *word(struct reader *r, const char *w, json_t *v) {
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n))
        return NULL;
    r->p += n;
    return v;
}

static json_t *value(struct reader *r) {
    skip_space(r);
    if (r->p >= r->end)
        return NULL;
    json_t *v = NULL;
    switch (*r->p) {
    case '{':
    case '[':
        if (++r->depth <= DEPTH_MAX)
            v = *r->p == '{' ? object(r) : array(r);
        r->depth--;
        return v;
    case '"': {
        const char *s;
        size_t len;
        if (string(r, &s, &len) < 0 || (!r->allow_nul && memchr(s, '\0', len)))
            return NULL;
        return json_stringn_nocheck(s, len);
    }
    case 't': return word(r, "true", json_true());
    case 'f': return word(r, "false", json_false());
    case 'n': return word(r, "null", json_null());
    default: return number(r);
    }
}

json_t *dsr_json_load_plain(const char *text, size_t len, size_t flags) {
    if ((flags & ~(size_t)JSON_ALLOW_NUL) != (JSON_DECODE_ANY | JSON_REJECT_DUPLICATES))
        return NULL;
    struct reader r = {text, text + len, (flags & JSON_ALLOW_NUL) != 0, NULL, 0, 0};
    json_t *v = value(&r);
    skip_space(&r);
    free(r.scratch);
    if (v && r.p != r.end) {
        json_decref(v);
        v = NULL;
    }
    return v;
}
