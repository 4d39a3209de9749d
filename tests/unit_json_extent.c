/*
 * The JSON scanner finds where each element of a dataset's array ends, 64
 * bytes at a time inside containers (quotes, brackets and the strings between
 * them as bit masks), a byte at a time around backslashes. Random documents,
 * whose elements are nested objects and arrays with strings full of brackets,
 * quotes, escapes, multibyte characters and line breaks, each string landing
 * anywhere against the 64-byte blocks, must come back from dsr_json_walk
 * element by element: the same bytes, at the same line and column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static unsigned long long state = 88172645463325252ull;

static unsigned pick(unsigned n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state % n);
}

struct text {
    char *at;
    size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n) {
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        if (!(t->at = realloc(t->at, t->cap)))
            abort();
    }
    memcpy(t->at + t->len, s, n);
    t->len += n;
    t->at[t->len] = '\0';
}

static void puts_(struct text *t, const char *s) {
    put(t, s, strlen(s));
}

/* Space between tokens: mostly none, sometimes a line break. */
static void space(struct text *t) {
    static const char *const spaces[] = {"", "", "", " ", "\n", "\r\n  ", "\t"};
    puts_(t, spaces[pick(7)]);
}

/* A string; with_escapes 0 gives none, so that whole blocks go 64 bytes at a time. */
static void string(struct text *t, int with_escapes) {
    static const char *const plain[] = {"a",
                                        "{",
                                        "}",
                                        "[",
                                        "]",
                                        ",",
                                        ":",
                                        " ",
                                        "Z",
                                        "\xc3\xa9",
                                        "\xd0\x96",
                                        "\xd8\xa3",
                                        "\xe4\xb8\xad",
                                        "\xf0\x9f\x98\x80",
                                        "0"};
    static const char *const escapes[] = {"\\\"",    "\\\\", "\\n",
                                          "\\u00e9", "\\/",  "\\\\\\\""};
    unsigned n = pick(5) ? pick(12) : pick(150);
    puts_(t, "\"");
    for (unsigned i = 0; i < n; i++)
        puts_(t, with_escapes && !pick(6) ? escapes[pick(6)] : plain[pick(15)]);
    puts_(t, "\"");
}

static void value(struct text *t, int depth, int with_escapes) {
    static const char *const scalars[] = {"0", "-12.5e3", "true", "false", "null"};
    unsigned kind = depth > 4 ? 2 + pick(2) : pick(4);
    if (kind < 2) { /* an object, or an array */
        unsigned n = pick(kind == 0 ? 6 : 5);
        puts_(t, kind == 0 ? "{" : "[");
        for (unsigned i = 0; i < n; i++) {
            space(t);
            if (kind == 0) {
                string(t, with_escapes);
                space(t);
                puts_(t, ":");
                space(t);
            }
            value(t, depth + 1, with_escapes);
            space(t);
            if (i + 1 < n)
                puts_(t, ",");
        }
        puts_(t, kind == 0 ? "}" : "]");
    } else if (kind == 2) {
        string(t, with_escapes);
    } else {
        puts_(t, scalars[pick(5)]);
    }
}

#define ELEMENTS 24

struct expected {
    size_t off[ELEMENTS], len[ELEMENTS];
    int line[ELEMENTS], column[ELEMENTS];
    size_t n, seen;
    const char *doc;
    long wrong;
};

/* Line and column of doc + off, counted the plain way. */
static void position(const char *doc, size_t off, int *line, int *column) {
    *line = *column = 1;
    for (size_t i = 0; i < off; i++) {
        if (doc[i] == '\n')
            ++*line, *column = 1;
        else if (((unsigned char)doc[i] & 0xC0) != 0x80)
            ++*column;
    }
}

static void root(void *ctx, int line, int column) {
    (void)ctx, (void)line, (void)column;
}

static int member(void *ctx, const char *name, int is_array, int *split) {
    (void)ctx, (void)name;
    *split = is_array;
    return 0;
}

static int element(void *ctx, size_t index, const char *text, size_t len, int line,
                   int column) {
    struct expected *e = ctx;
    size_t i = e->seen++;
    int ok = i == index && i < e->n && len == e->len[i] &&
             !memcmp(text, e->doc + e->off[i], len) && line == e->line[i] &&
             column == e->column[i];
    if (!ok && e->wrong++ < 5)
        printf("FAIL json_extent: element %zu: %zu bytes at %d:%d, expected %zu at "
               "%d:%d\n",
               index, len, line, column, i < e->n ? e->len[i] : 0,
               i < e->n ? e->line[i] : 0, i < e->n ? e->column[i] : 0);
    return 0;
}

static int array_end(void *ctx, size_t count, int line, int column) {
    (void)ctx, (void)count, (void)line, (void)column;
    return 0;
}

static int whole(void *ctx, const char *text, size_t len, int line, int column) {
    (void)ctx, (void)text, (void)len, (void)line, (void)column;
    return 0;
}

int main(void) {
    const struct dsr_json_walker walker = {root, member, element, array_end, whole};
    long documents = 0, elements = 0, wrong = 0;
    for (int round = 0; round < 3000; round++) {
        struct text doc = {0};
        struct expected e = {.n = 1 + pick(ELEMENTS)};
        int with_escapes = round % 2;
        puts_(&doc, "{\"entities\":");
        space(&doc);
        puts_(&doc, "[");
        for (size_t i = 0; i < e.n; i++) {
            space(&doc);
            e.off[i] = doc.len;
            value(&doc, pick(3) ? 0 : 5, with_escapes);
            e.len[i] = doc.len - e.off[i];
            space(&doc);
            if (i + 1 < e.n)
                puts_(&doc, ",");
        }
        puts_(&doc, "]}\n");
        e.doc = doc.at;
        for (size_t i = 0; i < e.n; i++)
            position(doc.at, e.off[i], &e.line[i], &e.column[i]);
        FILE *fp = fmemopen(doc.at, doc.len, "rb");
        struct dsr_input in = {
            .name = "random.json", .fp = fp, .format = DSR_FORMAT_JSON};
        int rc = fp ? dsr_json_walk(&in, &walker, &e) : 1;
        if (rc != 0 || e.seen != e.n) {
            if (e.wrong++ < 5)
                printf("FAIL json_extent: document %d: walk gave %d after %zu of %zu "
                       "elements\n%s",
                       round, rc, e.seen, e.n, doc.at);
        }
        if (fp)
            fclose(fp);
        documents++;
        elements += (long)e.n;
        wrong += e.wrong;
        free(doc.at);
    }
    printf("%s json_extent: %ld documents, %ld elements, %ld wrong\n",
           wrong ? "FAIL" : "ok", documents, elements, wrong);
    return wrong ? 1 : 0;
}
