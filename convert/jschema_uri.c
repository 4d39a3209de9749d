/*
 * URI reference resolution (RFC 3986 section 5), fragments and JSON Pointer
 * tokens for the JSON Schema registry, plus the pointer map (over the one
 * hash table) the compiler uses to find what it already built. No
 * normalisation beyond dot segments: schemas name their URIs exactly, and the
 * specification compares them as strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

void *dsr_jschema_pmap_get(const struct dsr_jschema_pmap *m, const void *key) {
    void **v = dsr_table_get(&m->t, key);
    return v ? *v : NULL;
}

int dsr_jschema_pmap_put(struct dsr_jschema_pmap *m, const void *key, void *val) {
    m->t.pointers = 1;
    return dsr_table_put(&m->t, key, val) ? 0 : -1;
}

void dsr_jschema_pmap_release(struct dsr_jschema_pmap *m) {
    dsr_table_release(&m->t);
}

/* The five parts of RFC 3986 appendix B; a NULL start means "absent". */
struct uri_parts {
    const char *s[5]; /* scheme, authority, path, query, fragment */
    size_t n[5];
};

static void uri_split(const char *u, struct uri_parts *p) {
    memset(p, 0, sizeof *p);
    const char *c = u + strcspn(u, ":/?#");
    if (*c == ':' && c > u) {
        p->s[0] = u;
        p->n[0] = (size_t)(c - u);
        u = c + 1;
    }
    if (u[0] == '/' && u[1] == '/') {
        p->s[1] = u + 2;
        p->n[1] = strcspn(u + 2, "/?#");
        u = p->s[1] + p->n[1];
    }
    p->s[2] = u;
    p->n[2] = strcspn(u, "?#");
    u += p->n[2];
    if (*u == '?') {
        p->s[3] = u + 1;
        p->n[3] = strcspn(u + 1, "#");
        u = p->s[3] + p->n[3];
    }
    if (*u == '#') {
        p->s[4] = u + 1;
        p->n[4] = strlen(u + 1);
    }
}

/* RFC 3986 5.2.4, in place on a NUL-terminated path. */
static void remove_dot_segments(char *path) {
    char *in = path, *out = path;
    while (*in) {
        if (!strncmp(in, "../", 3)) {
            in += 3;
        } else if (!strncmp(in, "./", 2)) {
            in += 2;
        } else if (!strncmp(in, "/./", 3)) {
            in += 2;
        } else if (!strcmp(in, "/.")) {
            in[1] = '\0';
        } else if (!strncmp(in, "/../", 4) || !strcmp(in, "/..")) {
            in += 3;
            if (*in == '\0')
                *--in = '/';
            while (out > path && *--out != '/')
                ;
        } else if (!strcmp(in, ".") || !strcmp(in, "..")) {
            in += strlen(in);
        } else {
            do
                *out++ = *in++;
            while (*in && *in != '/');
        }
    }
    *out = '\0';
}

static char *cat_part(char *o, const char *pre, const char *s, size_t n) {
    if (!s)
        return o;
    o = stpcpy(o, pre);
    memcpy(o, s, n);
    return o + n;
}

char *dsr_jschema_uri_resolve(const char *base, const char *ref) {
    struct uri_parts b, r, t;
    uri_split(base ? base : "", &b);
    uri_split(ref, &r);
    size_t cap = strlen(base ? base : "") + strlen(ref) + 8;
    char *path = malloc(cap), *out = malloc(cap + 8);
    if (!path || !out) {
        free(path);
        free(out);
        return NULL;
    }
    t = r;
    if (!r.s[0]) {
        t.s[0] = b.s[0], t.n[0] = b.n[0];
        if (!r.s[1]) {
            t.s[1] = b.s[1], t.n[1] = b.n[1];
            if (r.n[2] == 0) {
                t.s[2] = b.s[2], t.n[2] = b.n[2];
                if (!r.s[3])
                    t.s[3] = b.s[3], t.n[3] = b.n[3];
            } else if (r.s[2][0] != '/') {
                /* merge: the base path up to its last slash, then the reference's */
                size_t keep = b.n[2];
                while (keep > 0 && b.s[2][keep - 1] != '/')
                    keep--;
                char *p = path;
                if (b.s[1] && b.n[2] == 0)
                    *p++ = '/';
                memcpy(p, b.s[2], keep);
                memcpy(p + keep, r.s[2], r.n[2]);
                p[keep + r.n[2]] = '\0';
                t.s[2] = path;
                t.n[2] = strlen(path);
            }
        }
    }
    if (t.s[2] != path) {
        memcpy(path, t.s[2], t.n[2]);
        path[t.n[2]] = '\0';
    }
    if (t.s[0] || t.s[1])
        remove_dot_segments(path);
    char *o = out;
    if (t.s[0]) {
        memcpy(o, t.s[0], t.n[0]);
        o += t.n[0];
        *o++ = ':';
    }
    o = cat_part(o, "//", t.s[1], t.n[1]);
    o = stpcpy(o, path);
    o = cat_part(o, "?", t.s[3], t.n[3]);
    o = cat_part(o, "#", t.s[4], t.n[4]);
    *o = '\0';
    free(path);
    return out;
}

char *dsr_jschema_uri_strip(const char *uri, const char **frag) {
    const char *h = strchr(uri, '#');
    size_t n = h ? (size_t)(h - uri) : strlen(uri);
    if (frag)
        *frag = h ? h + 1 : NULL;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, uri, n);
        s[n] = '\0';
    }
    return s;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *dsr_jschema_uri_unescape(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out)
        return NULL;
    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

char *dsr_jschema_ptr_append(const char *ptr, const char *token) {
    size_t n = strlen(ptr), m = dsr_pointer_escape(NULL, 0, token);
    char *out = malloc(n + m + 2);
    if (!out)
        return NULL;
    memcpy(out, ptr, n);
    out[n] = '/';
    dsr_pointer_escape(out + n + 1, m + 1, token);
    return out;
}
