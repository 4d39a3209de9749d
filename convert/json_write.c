/*
 * Records -> canonical JSON (RFC 8785) and JSON Lines. Our values are strings,
 * lists and objects, never numbers, so canonical form comes down to members
 * sorted by name (all our names are ASCII, where UTF-16 order is byte order),
 * no white space, and the minimal escapes of RFC 8785 section 3.2.2.2.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int dsr_json_put_string(FILE *out, const char *s) {
    static const char hex[] = "0123456789abcdef";
    putc('"', out);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        /* Most text needs no escape: write it a run at a time. */
        const unsigned char *run = p;
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        fwrite(run, 1, (size_t)(p - run), out);
        if (!*p)
            break;
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default: fprintf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
        }
        p++;
    }
    return putc('"', out) == EOF ? -1 : 0;
}

/* Fills order with the field indexes of info in member-name order. */
static void member_order(const struct dsr_kind_info *info, int *order) {
    for (size_t i = 0; i < info->n_fields; i++) {
        size_t j = i;
        while (j > 0 &&
               strcmp(info->fields[order[j - 1]].name, info->fields[i].name) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = (int)i;
    }
}

static void put_value(FILE *out, const struct dsr_field *spec,
                      const struct dsr_value *v) {
    if (spec->type != DSR_FIELD_LIST && spec->type != DSR_FIELD_ROLES) {
        dsr_json_put_string(out, v->text);
        return;
    }
    putc('[', out);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            putc(',', out);
        if (v->roles) {
            fputs("{\"entity\":", out);
            dsr_json_put_string(out, v->items[i]);
            fputs(",\"role\":", out);
            dsr_json_put_string(out, v->roles[i]);
            putc('}', out);
        } else {
            dsr_json_put_string(out, v->items[i]);
        }
    }
    putc(']', out);
}

/* Writes one record as a canonical object; with_kind adds JSON Lines' "record". */
static int put_record(FILE *out, const struct dsr_record *rec, int with_kind) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    int order[DSR_FIELDS_MAX];
    member_order(info, order);
    int first = 1, kind_done = !with_kind;
    putc('{', out);
    for (size_t i = 0; i <= info->n_fields; i++) {
        /* "record" sorts between the field names around it. */
        if (!kind_done &&
            (i == info->n_fields || strcmp("record", info->fields[order[i]].name) < 0)) {
            fprintf(out, "%s\"record\":", first ? "" : ",");
            dsr_json_put_string(out, info->name);
            kind_done = 1;
            first = 0;
        }
        if (i == info->n_fields)
            break;
        const struct dsr_field *spec = &info->fields[order[i]];
        const struct dsr_value *v = &rec->values[order[i]];
        if (!v->text && v->n == 0)
            continue;
        if (!first)
            putc(',', out);
        first = 0;
        dsr_json_put_string(out, spec->name);
        putc(':', out);
        put_value(out, spec, v);
    }
    return putc('}', out) == EOF ? -1 : 0;
}

/* Closes the arrays of kinds before `upto` and opens the rest up to it. */
static void advance_to(struct dsr_writer *w, int upto) {
    while (w->kind < upto) {
        if (w->kind >= 0)
            putc(']', w->out);
        w->kind++;
        if (w->kind < DSR_KIND_COUNT) {
            fprintf(w->out, "%s\"%s\":[", w->kind ? "," : "",
                    dsr_kind_info(w->kind)->plural);
            w->in_kind = 0;
        }
    }
}

int dsr_json_write_begin(struct dsr_writer *w) {
    return putc('{', w->out) == EOF ? -1 : 0;
}

int dsr_json_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    advance_to(w, (int)rec->kind);
    if (w->in_kind++)
        putc(',', w->out);
    return put_record(w->out, rec, 0);
}

int dsr_json_write_end(struct dsr_writer *w) {
    advance_to(w, DSR_KIND_COUNT);
    return fputs("}\n", w->out) == EOF ? -1 : 0;
}

int dsr_jsonl_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    if (put_record(w->out, rec, 1) < 0)
        return -1;
    return putc('\n', w->out) == EOF ? -1 : 0;
}
