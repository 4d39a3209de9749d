/*
 * Records -> canonical CSV: one RFC 4180 table per kind, header row in the
 * model's field order, CRLF line ends, a field quoted only when it holds a
 * comma, a quote, CR or LF. List cells are joined with "; ", participants
 * written role=entity. The four table streams come from the writer's output
 * (output.c), which puts the folder in place as a whole or not at all.
 */
/* Written by one thread at a time: stdio without its lock (_unlocked). */
#define _GNU_SOURCE
#include <string.h>

#include "csv_read.h"

static int needs_quotes(const char *s) {
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* Writes s, doubling its quotes when the field is quoted. */
static void put_text(FILE *out, const char *s, int quoted) {
    if (!quoted) {
        fputs_unlocked(s, out);
        return;
    }
    for (const char *q; (q = strchr(s, '"')); s = q + 1) {
        fwrite_unlocked(s, 1, (size_t)(q - s) + 1, out);
        putc_unlocked('"', out);
    }
    fputs_unlocked(s, out);
}

/* Writes one field, quoted only when RFC 4180 requires it. */
static void put_field(FILE *out, const char *s) {
    int quoted = needs_quotes(s);
    if (quoted)
        putc_unlocked('"', out);
    put_text(out, s, quoted);
    if (quoted)
        putc_unlocked('"', out);
}

/* Writes a list cell: items joined with "; ", as role=entity for participants. */
static void put_list(FILE *out, const struct dsr_value *v) {
    int quoted = 0;
    for (size_t i = 0; i < v->n; i++)
        quoted |= needs_quotes(v->items[i]) || (v->roles && needs_quotes(v->roles[i]));
    if (quoted)
        putc_unlocked('"', out);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            fputs_unlocked("; ", out);
        if (v->roles) {
            put_text(out, v->roles[i], quoted);
            putc_unlocked('=', out);
        }
        put_text(out, v->items[i], quoted);
    }
    if (quoted)
        putc_unlocked('"', out);
}

int dsr_csv_write_begin(struct dsr_writer *w) {
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        const struct dsr_kind_info *info = dsr_kind_info((enum dsr_kind)k);
        if (!w->tables[k])
            return -1;
        for (size_t f = 0; f < info->n_fields; f++) {
            if (f)
                putc_unlocked(',', w->tables[k]);
            put_field(w->tables[k], info->fields[f].name);
        }
        if (fputs_unlocked("\r\n", w->tables[k]) == EOF)
            return -1;
    }
    return 0;
}

int dsr_csv_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    FILE *out = w->tables[rec->kind];
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    if (!out)
        return -1;
    for (size_t f = 0; f < info->n_fields; f++) {
        const struct dsr_value *v = &rec->values[f];
        if (f)
            putc_unlocked(',', out);
        if (info->fields[f].type == DSR_FIELD_LIST ||
            info->fields[f].type == DSR_FIELD_ROLES)
            put_list(out, v);
        else if (v->text)
            put_field(out, v->text);
    }
    w->kind = (int)rec->kind;
    w->in_kind++;
    return fputs_unlocked("\r\n", out) == EOF ? -1 : 0;
}

int dsr_csv_write_end(struct dsr_writer *w) {
    /* The output flushes and closes the tables; here only errors so far show. */
    for (int k = 0; k < DSR_KIND_COUNT; k++)
        if (!w->tables[k] || ferror(w->tables[k]))
            return -1;
    return 0;
}
