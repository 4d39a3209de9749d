/*
 * Source excerpts for the HTML report: the lines around each problem, read
 * back from the input file in one streaming pass. A line is kept as a window
 * of characters around the problem's column, so a one-line document of a
 * gigabyte costs a few hundred bytes, not a gigabyte.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

/* Characters kept of one line: before the problem's column, and in all. */
#define BEFORE 60
#define WIDTH 160

/* One line wanted: its number, the column to centre on (0: the start). */
struct wanted {
    int line, column;
};

static int by_place(const void *a, const void *b) {
    const struct wanted *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->column > y->column) - (x->column < y->column);
}

void dsr_excerpts_free(struct dsr_excerpts *ex) {
    for (size_t i = 0; ex && i < ex->n; i++)
        free(ex->lines[i].text);
    if (ex)
        free(ex->lines);
}

const struct dsr_excerpt_line *dsr_excerpt_find(const struct dsr_excerpts *ex, int line,
                                                int column) {
    size_t lo = 0, hi = ex->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct dsr_excerpt_line *m = &ex->lines[mid];
        if (m->line < line || (m->line == line && m->column < column))
            lo = mid + 1;
        else
            hi = mid;
    }
    const struct dsr_excerpt_line *l = lo < ex->n ? &ex->lines[lo] : NULL;
    return l && l->line == line && l->column == column ? l : NULL;
}

/*
 * The windows to keep: each problem's line around its column, and the start
 * of the lines beside it (column 0); once each, sorted.
 */
static struct wanted *wanted_lines(const struct dsr_report_group *g, size_t max_diags,
                                   size_t *n) {
    size_t k = 0, count = g->n < max_diags ? g->n : max_diags;
    struct wanted *w = malloc((3 * count + 1) * sizeof(*w));
    if (!w)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        int line = g->diags[i].line;
        if (line <= 0)
            continue;
        if (line > 1)
            w[k++] = (struct wanted){line - 1, 0};
        w[k++] = (struct wanted){line, g->diags[i].column > 0 ? g->diags[i].column : 0};
        w[k++] = (struct wanted){line + 1, 0};
    }
    qsort(w, k, sizeof(*w), by_place);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (!u || w[u - 1].line != w[i].line || w[u - 1].column != w[i].column)
            w[u++] = w[i];
    *n = u;
    return w;
}

/* Appends byte c to a line being kept. 0, or -1 when out of memory. */
static int keep(struct dsr_excerpt_line *l, size_t *cap, char c) {
    if (l->len + 1 >= *cap) {
        size_t grown = *cap ? 2 * *cap : 64;
        char *t = realloc(l->text, grown);
        if (!t)
            return -1;
        l->text = t;
        *cap = grown;
    }
    l->text[l->len++] = c;
    l->text[l->len] = '\0';
    return 0;
}

/* Window i of the current line: the first column it keeps. */
static int window_start(const struct wanted *w) {
    return w->column > BEFORE ? w->column - BEFORE : 1;
}

int dsr_excerpts_read(const char *file, const struct dsr_report_group *g,
                      size_t max_diags, struct dsr_excerpts *ex) {
    struct stat st;
    memset(ex, 0, sizeof(*ex));
    if (!file[0] || !strcmp(file, "-") || stat(file, &st) != 0 || !S_ISREG(st.st_mode))
        return 0; /* stdin and the like cannot be read again */
    size_t n_wanted = 0, next = 0, end = 0;
    struct wanted *w = wanted_lines(g, max_diags, &n_wanted);
    size_t *cap = w ? calloc(n_wanted + 1, sizeof(*cap)) : NULL;
    FILE *fp = cap && n_wanted ? fopen(file, "rb") : NULL;
    int rc = w && cap ? 0 : -1;
    if (fp && !(ex->lines = calloc(n_wanted, sizeof(*ex->lines))))
        rc = -1;
    /* Windows [next, end) belong to the line being read; column is its character's. */
    int line = 1, column = 0, c;
    while (fp && rc == 0 && next < n_wanted && (c = getc(fp)) != EOF) {
        if (end == next && line == w[next].line) {
            for (end = next; end < n_wanted && w[end].line == line; end++) {
                struct dsr_excerpt_line *l = &ex->lines[ex->n++];
                *l = (struct dsr_excerpt_line){
                    line, w[end].column, NULL, 0, window_start(&w[end]) > 1, 0};
            }
        }
        if (c == '\n') {
            next = end;
            line++;
            column = 0;
            continue;
        }
        if (c == '\r' || end == next)
            continue;
        column += ((unsigned char)c & 0xC0) != 0x80; /* a byte that starts a character */
        for (size_t k = next; k < end && rc == 0; k++) {
            struct dsr_excerpt_line *l = &ex->lines[ex->n - (end - k)];
            int from = window_start(&w[k]);
            if (column >= from && column < from + WIDTH)
                rc = keep(l, &cap[k], (char)c);
            else if (column >= from + WIDTH)
                l->cut_end = 1;
        }
    }
    if (fp)
        fclose(fp);
    free(cap);
    free(w);
    return rc;
}
