/*
 * Integers beyond 64 bits, kept exactly. jansson holds integers as long long
 * and refuses longer ones (or, with JSON_DECODE_INT_AS_REAL, turns every
 * integer of the document into a double). dsr_jschema_loadb reads such an
 * integer as a "bignum": a string value that no parsed document can hold (a
 * 0xFF byte, never valid UTF-8, then the integer's decimal text), which the
 * validator treats as the number it is (jschema_value.c compares them on
 * their digits). Other values are read as jansson reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

#define MARK '\xff'

const char *dsr_jschema_bignum(const json_t *v) {
    const char *s = json_string_value(v);
    return s && s[0] == MARK && json_string_length(v) > 1 ? s + 1 : NULL;
}

const char *dsr_jschema_string(const json_t *v) {
    return dsr_jschema_bignum(v) ? NULL : json_string_value(v);
}

int dsr_jschema_is_number(const json_t *v) {
    return json_is_number(v) || dsr_jschema_bignum(v);
}

/* ---- reading ---- */

/* 1 when the integer token s[0..n) (digits, maybe a leading '-') overflows long long. */
static int too_big(const char *s, size_t n) {
    int neg = s[0] == '-';
    size_t digits = n - (size_t)neg;
    const char *limit = neg ? "9223372036854775808" : "9223372036854775807";
    if (digits != 19)
        return digits > 19;
    return memcmp(s + neg, limit, 19) > 0;
}

/* Length of the number token at s (JSON syntax already checked), and whether it is an
 * integer. */
static size_t number_extent(const char *s, size_t left, int *integer) {
    size_t n = 0;
    *integer = 1;
    while (n < left && s[n] && strchr("-+0123456789.eE", s[n])) {
        if (s[n] == '.' || s[n] == 'e' || s[n] == 'E')
            *integer = 0;
        n++;
    }
    return n;
}

/*
 * Copies text with every integer beyond 64 bits put in quotes; NULL when out
 * of memory. The text is valid JSON: outside strings, a '-' or a digit starts
 * a number.
 */
static char *quote_big(const char *text, size_t len, size_t *out_len) {
    size_t extra = 0, i = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = pass ? malloc(len + extra + 1) : NULL;
        size_t o = 0;
        if (pass && !out)
            return NULL;
        for (i = 0; i < len;) {
            size_t start = i;
            int integer = 0;
            if (text[i] == '"') {
                for (i++; i < len && text[i] != '"'; i++)
                    i += text[i] == '\\';
                i++;
            } else if (text[i] == '-' || (text[i] >= '0' && text[i] <= '9')) {
                i += number_extent(text + i, len - i, &integer);
            } else {
                i++;
            }
            if (i > len)
                i = len;
            int big = integer && too_big(text + start, i - start);
            if (!pass) {
                extra += big ? 2 : 0;
                continue;
            }
            if (big)
                out[o++] = '"';
            memcpy(out + o, text + start, i - start);
            o += i - start;
            if (big)
                out[o++] = '"';
        }
        if (pass) {
            out[o] = '\0';
            *out_len = o;
            return out;
        }
    }
    return NULL;
}

static json_t *bignum_new(const char *digits, size_t n) {
    char *s = malloc(n + 1);
    json_t *v = NULL;
    if (s) {
        s[0] = MARK;
        memcpy(s + 1, digits, n);
        v = json_stringn_nocheck(s, n + 1);
        free(s);
    }
    return v;
}

/*
 * Walks q (the quoted reading) beside d (the same document read with reals):
 * where q holds a string and d a number, q's string is a quoted integer.
 * Returns the value to put in q's place, q itself when nothing changes, or
 * NULL when out of memory.
 */
static json_t *graft(json_t *q, const json_t *d) {
    if (json_is_string(q) && json_is_number(d))
        return bignum_new(json_string_value(q), json_string_length(q));
    if (json_is_array(q)) {
        for (size_t i = 0; i < json_array_size(q); i++) {
            json_t *c = json_array_get(q, i), *r = graft(c, json_array_get(d, i));
            if (!r || (r != c && json_array_set_new(q, i, r)))
                return NULL;
        }
    } else if (json_is_object(q)) {
        for (void *it = json_object_iter(q); it; it = json_object_iter_next(q, it)) {
            json_t *c = json_object_iter_value(it),
                   *r = graft(c, json_object_get(d, json_object_iter_key(it)));
            if (!r || (r != c && json_object_iter_set_new(q, it, r)))
                return NULL;
        }
    }
    return q;
}

/* The error a parse that succeeded should have given: a raw NUL byte at nul. */
static void nul_error(const char *text, const char *nul, json_error_t *err) {
    int line = 1, column = 1;
    for (const char *p = text; p < nul; p++) {
        if (*p == '\n') {
            line++;
            column = 1;
        } else if ((*p & 0xC0) != 0x80) {
            column++;
        }
    }
    memset(err, 0, sizeof *err);
    err->line = line;
    err->column = column;
    err->position = (int)(nul - text);
    snprintf(err->text, sizeof err->text, "unexpected NUL byte");
}

static void oom_error(json_error_t *err) {
    memset(err, 0, sizeof *err);
    err->line = err->column = -1;
    snprintf(err->text, sizeof err->text, "out of memory");
}

/* Reads the integers beyond 64 bits that made jansson refuse text; see jschema.h. */
static json_t *load_big(const char *text, size_t len, size_t flags, json_error_t *err) {
    /* the reading with reals finds any other error, at its place in text */
    json_t *d = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, err), *q = NULL,
           *r;
    if (!d)
        return NULL;
    size_t qlen = 0;
    char *quoted = quote_big(text, len, &qlen);
    json_error_t qerr;
    if (quoted)
        q = json_loadb(quoted, qlen, flags, &qerr);
    free(quoted);
    r = q ? graft(q, d) : NULL;
    if (r != q)
        json_decref(q);
    json_decref(d);
    if (!r)
        oom_error(err);
    return r;
}

json_t *dsr_jschema_loadb(const char *text, size_t len, size_t flags, json_error_t *err) {
    json_error_t unwanted;
    if (!err)
        err = &unwanted; /* as json_loadb, err may be NULL */
    json_t *j = dsr_json_load_plain(text, len, flags);
    if (j)
        return j;
    j = json_loadb(text, len, flags, err);
    if (!j && strstr(err->text, "too big"))
        j = load_big(text, len, flags, err);
    /*
     * No JSON text holds a raw NUL byte, but jansson takes "123" followed by
     * one for 123, and words other errors at one as an early end of the text.
     */
    const char *nul = memchr(text, '\0', len);
    if (nul &&
        (j || err->position < 0 || (size_t)err->position >= (size_t)(nul - text))) {
        json_decref(j);
        nul_error(text, nul, err);
        return NULL;
    }
    return j;
}
