/*
 * "pattern" and "patternProperties": ECMA-262 regular expressions (with the
 * u flag, as the 2020-12 specification asks) run on PCRE2 in UTF mode. The
 * pattern is rewritten where the two dialects differ: \d and \w are ASCII in
 * ECMA-262 (so no PCRE2_UCP), \s is Unicode white space, \uXXXX escapes, long
 * property names, and "$" matches only at the very end. A pattern is text of
 * a known length: "\u0000" in the JSON is a NUL character of the pattern.
 * Matching runs under match and depth limits, so catastrophic backtracking
 * fails fast.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

/* Enough for any sane pattern on the strings of a dataset; a runaway one stops. */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 10000

struct dsr_jschema_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
};

/* ECMA-262's white space and line terminators (WhiteSpace, LineTerminator). */
static const char ecma_space[] =
    "\\t\\n\\x{b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
    "\\x{202f}\\x{205f}\\x{3000}\\x{feff}";

static const char *const long_props[][2] = {
    {"Letter", "L"},
    {"Lowercase_Letter", "Ll"},
    {"Uppercase_Letter", "Lu"},
    {"Number", "N"},
    {"Decimal_Number", "Nd"},
    {"digit", "Nd"},
    {"Punctuation", "P"},
    {"Symbol", "S"},
    {"Mark", "M"},
    {"Separator", "Z"},
    {"Other", "C"},
    {"Letter_Number", "Nl"},
    {"Space_Separator", "Zs"},
    {"Titlecase_Letter", "Lt"},
    {"Other_Letter", "Lo"},
};

struct buf {
    char *s;
    size_t n, cap;
};

static int put(struct buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static int puts_(struct buf *b, const char *s) {
    return put(b, s, strlen(s));
}

/*
 * Rewrites one escape at p (p[0] == '\\', end the pattern's end); returns the
 * characters consumed. The pattern is NUL-terminated at end, so the string
 * functions below stop there at the latest.
 */
static size_t escape(struct buf *b, const char *p, const char *end, int in_class,
                     int *err) {
    char c = p + 1 < end ? p[1] : '\0';
    if (c == 'd' || c == 'D' || c == 'w' || c == 'W') {
        const char *set = c == 'd' || c == 'D' ? "0-9" : "A-Za-z0-9_";
        if (in_class && (c == 'd' || c == 'w'))
            *err |= puts_(b, set);
        else if (in_class)
            *err |= put(b, p, 2); /* without UCP PCRE2's own \D and \W are ASCII too */
        else
            *err |= puts_(b, c == 'd' || c == 'w' ? "[" : "[^") | puts_(b, set) |
                    puts_(b, "]");
        return 2;
    }
    if (c == 's' || (c == 'S' && !in_class)) {
        if (!in_class)
            *err |= puts_(b, c == 's' ? "[" : "[^");
        *err |= puts_(b, ecma_space);
        if (!in_class)
            *err |= puts_(b, "]");
        return 2;
    }
    if ((c == 'p' || c == 'P') && p[2] == '{') {
        const char *close = strchr(p + 3, '}');
        if (close) {
            size_t n = (size_t)(close - (p + 3));
            for (size_t i = 0; i < sizeof long_props / sizeof long_props[0]; i++)
                if (strlen(long_props[i][0]) == n &&
                    !strncmp(p + 3, long_props[i][0], n)) {
                    *err |= put(b, p, 3) | puts_(b, long_props[i][1]) | puts_(b, "}");
                    return (size_t)(close - p) + 1;
                }
        }
    }
    if (c == 'u' && p[2] == '{') {
        *err |= puts_(b, "\\x");
        return 2;
    }
    if (c == 'u' && strspn(p + 2, "0123456789abcdefABCDEF") >= 4) {
        *err |= puts_(b, "\\x{") | put(b, p + 2, 4) | puts_(b, "}");
        return 6;
    }
    *err |= put(b, p, p + 1 < end ? 2 : 1);
    return p + 1 < end ? 2 : 1;
}

/* The pattern in PCRE2's dialect, its length in *out_len; NULL when out of memory. */
static char *translate(const char *pat, size_t len, size_t *out_len) {
    struct buf b = {NULL, 0, 0};
    int err = puts_(&b, ""), in_class = 0;
    for (const char *p = pat, *end = pat + len; p < end && !err;) {
        if (*p == '\\') {
            p += escape(&b, p, end, in_class, &err);
            continue;
        }
        /* ECMA-262: [] matches nothing and [^] anything; PCRE2 reads "]" as a member */
        if (!in_class && !strncmp(p, "[]", 2)) {
            err |= puts_(&b, "(?!)");
            p += 2;
            continue;
        }
        if (!in_class && !strncmp(p, "[^]", 3)) {
            err |= puts_(&b, "[\\s\\S]");
            p += 3;
            continue;
        }
        if (*p == '[' && !in_class)
            in_class = 1;
        else if (*p == ']' && in_class)
            in_class = 0;
        err |= put(&b, p, 1);
        p++;
    }
    if (err) {
        free(b.s);
        return NULL;
    }
    *out_len = b.n;
    return b.s;
}

struct dsr_jschema_regex *dsr_jschema_regex_new(const char *pattern, size_t len,
                                                char *err, size_t n) {
    struct dsr_jschema_regex *re = calloc(1, sizeof *re);
    size_t pat_len = 0;
    char *pat = translate(pattern, len, &pat_len);
    int code;
    PCRE2_SIZE off;
    if (!re || !pat) {
        snprintf(err, n, "out of memory");
        goto fail;
    }
    re->code = pcre2_compile((PCRE2_SPTR)pat, pat_len,
                             PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_NO_UTF_CHECK, &code,
                             &off, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, n, "%s", (const char *)msg);
        goto fail;
    }
    pcre2_jit_compile(re->code,
                      PCRE2_JIT_COMPLETE); /* optional: the interpreter remains */
    if (!(re->mctx = pcre2_match_context_create(NULL))) {
        snprintf(err, n, "out of memory");
        goto fail;
    }
    pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
    free(pat);
    return re;
fail:
    free(pat);
    dsr_jschema_regex_free(re);
    return NULL;
}

void dsr_jschema_regex_free(struct dsr_jschema_regex *re) {
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    free(re);
}

void *dsr_jschema_regex_md_new(void) {
    return pcre2_match_data_create(1, NULL);
}

void dsr_jschema_regex_md_free(void *md) {
    pcre2_match_data_free(md);
}

int dsr_jschema_regex_search(const struct dsr_jschema_regex *re, const char *s,
                             size_t len, void *md) {
    /* the instance strings come from jansson: valid UTF-8 already */
    int rc =
        pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, md, re->mctx);
    if (rc >= 0)
        return 1; /* 0: a match whose groups did not fit, still a match */
    return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}
