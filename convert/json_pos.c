/*
 * Positions for JSON values. jansson keeps none once a value is parsed, so
 * when a diagnostic needs one we scan the record's text again, following the
 * JSON Pointer (RFC 6901) to its value: valid input never pays for this.
 * The text has already been parsed by jansson, so it is well-formed.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* p at '"': returns the byte after the closing quote. */
static const char *skip_string(const char *p, const char *end) {
    for (p++; p < end && *p != '"'; p++)
        if (*p == '\\')
            p++;
    return p < end ? p + 1 : end;
}

static const char *skip_value(const char *p, const char *end) {
    int depth = 0;
    do {
        p = skip_ws(p, end);
        if (p >= end)
            return end;
        if (*p == '"') {
            p = skip_string(p, end);
        } else if (*p == '{' || *p == '[') {
            depth++;
            p++;
        } else if (*p == '}' || *p == ']') {
            depth--;
            p++;
        } else if (*p == ',' || *p == ':') {
            p++;
        } else {
            while (p < end && !strchr(" \t\r\n,:]}", *p))
                p++;
        }
    } while (depth > 0 && p < end);
    return p;
}

/* Does the JSON string at p (a member name) equal the pointer token tok[0..n)? */
static int key_equals(const char *p, const char *end, const char *tok, size_t n) {
    char name[DSR_PATH_MAX];
    if (n >= sizeof(name))
        return 0;
    memcpy(name, tok, n);
    name[n] = '\0';
    n = dsr_pointer_unescape(name);
    const char *q = skip_string(p, end) - 1; /* closing quote */
    size_t i = 0;
    for (p++; p < q; p++) {
        char c = *p;
        if (c == '\\') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *k = strchr(from, *++p);
            if (!k) /* \uXXXX: not compared; no match */
                return 0;
            c = to[k - from];
        }
        if (i >= n || name[i++] != c)
            return 0;
    }
    return i == n;
}

/* Moves from the value at p to its child named by tok; NULL if there is none. */
static const char *child(const char *p, const char *end, const char *tok, size_t n) {
    p = skip_ws(p, end);
    if (p >= end)
        return NULL;
    if (*p == '{') {
        p = skip_ws(p + 1, end);
        while (p < end && *p == '"') {
            int match = key_equals(p, end, tok, n);
            p = skip_ws(skip_string(p, end), end);
            p = skip_ws(p + 1, end); /* ':' */
            if (match)
                return p;
            p = skip_ws(skip_value(p, end), end);
            if (p < end && *p == ',')
                p = skip_ws(p + 1, end);
        }
        return NULL;
    }
    if (*p == '[') {
        char *stop;
        char buf[24];
        if (n == 0 || n >= sizeof(buf))
            return NULL;
        memcpy(buf, tok, n);
        buf[n] = '\0';
        long index = strtol(buf, &stop, 10);
        if (*stop || index < 0)
            return NULL;
        p = skip_ws(p + 1, end);
        for (long i = 0; p < end && *p != ']'; i++) {
            if (i == index)
                return p;
            p = skip_ws(skip_value(p, end), end);
            if (p < end && *p == ',')
                p = skip_ws(p + 1, end);
        }
    }
    return NULL;
}

int dsr_json_locate(const char *text, size_t len, int line0, int column0,
                    const char *pointer, int *line, int *column) {
    const char *end = text + len, *at = skip_ws(text, end);
    int found = 0;
    const char *tok = pointer;
    while (*tok == '/') {
        tok++;
        size_t n = strcspn(tok, "/");
        const char *next = child(at, end, tok, n);
        if (!next)
            goto place;
        at = next;
        tok += n;
    }
    found = 1;
place:
    *line = line0;
    *column = column0;
    dsr_text_advance(text, (size_t)(at - text), line, column);
    return found ? 0 : -1;
}

size_t dsr_pointer_escape(char *out, size_t n, const char *token) {
    size_t len = 0, written = 0;
    for (; *token; token++) {
        int escaped = *token == '~' || *token == '/';
        char pair[2] = {escaped ? '~' : *token, *token == '~' ? '0' : '1'};
        size_t k = escaped ? 2 : 1;
        if (written == len && len + k < n) { /* still writing: never half an escape */
            memcpy(out + len, pair, k);
            written += k;
        }
        len += k;
    }
    if (n)
        out[written] = '\0';
    return len;
}

size_t dsr_pointer_unescape(char *token) {
    char *o = token;
    for (const char *t = token; *t; t++)
        *o++ = *t == '~' && t[1] == '1'   ? (t++, '/')
               : *t == '~' && t[1] == '0' ? (t++, '~')
                                          : *t;
    *o = '\0';
    return (size_t)(o - token);
}

int dsr_pointer_append(char *buf, size_t n, const char *token) {
    size_t len = strlen(buf);
    if (len + 1 + dsr_pointer_escape(NULL, 0, token) >= n)
        return -1;
    buf[len] = '/';
    dsr_pointer_escape(buf + len + 1, n - len - 1, token);
    return 0;
}
