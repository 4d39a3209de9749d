/*
 * Records -> canonical JSON (RFC 8785) and JSON Lines. Our values are strings,
 * lists and objects, never numbers, so canonical form comes down to members
 * sorted by name (all our names are ASCII, where UTF-16 order is byte order),
 * no white space, and the minimal escapes of RFC 8785 section 3.2.2.2.
 */
/* Written by one thread at a time: stdio without its lock (_unlocked). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where the text from p on first needs an escape, or end. */
static const unsigned char *plain_end(const unsigned char *p, const unsigned char *end) {
#ifdef __SSE2__
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        unsigned stop = (unsigned)_mm_movemask_epi8(dsr_json_stops16(v));
        if (stop)
            return p + __builtin_ctz(stop);
    }
#endif
    while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
        p++;
    return p;
}

int dsr_json_put_string(FILE *out, const char *s) {
    static const char hex[] = "0123456789abcdef";
    putc_unlocked('"', out);
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
    while (p < end) {
        /* Most text needs no escape: write it a run at a time. */
        const unsigned char *run = p;
        p = plain_end(p, end);
        fwrite_unlocked(run, 1, (size_t)(p - run), out);
        if (p == end)
            break;
        switch (*p) {
        case '"': fputs_unlocked("\\\"", out); break;
        case '\\': fputs_unlocked("\\\\", out); break;
        case '\b': fputs_unlocked("\\b", out); break;
        case '\f': fputs_unlocked("\\f", out); break;
        case '\n': fputs_unlocked("\\n", out); break;
        case '\r': fputs_unlocked("\\r", out); break;
        case '\t': fputs_unlocked("\\t", out); break;
        default: fprintf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
        }
        p++;
    }
    return putc_unlocked('"', out) == EOF ? -1 : 0;
}

/*
 * Each kind's field indexes in member-name order, and where JSON Lines'
 * "record" goes among them: worked out once, not at every record.
 */
static int member_order[DSR_KIND_COUNT][DSR_FIELDS_MAX];
static size_t record_at[DSR_KIND_COUNT];
static pthread_once_t orders_made = PTHREAD_ONCE_INIT;

static void make_orders(void) {
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        const struct dsr_kind_info *info = dsr_kind_info((enum dsr_kind)k);
        int *order = member_order[k];
        for (size_t i = 0; i < info->n_fields; i++) {
            size_t j = i;
            while (j > 0 &&
                   strcmp(info->fields[order[j - 1]].name, info->fields[i].name) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = (int)i;
        }
        size_t at = 0;
        while (at < info->n_fields && strcmp(info->fields[order[at]].name, "record") < 0)
            at++;
        record_at[k] = at;
    }
}

static void put_value(FILE *out, const struct dsr_field *spec,
                      const struct dsr_value *v) {
    if (spec->type != DSR_FIELD_LIST && spec->type != DSR_FIELD_ROLES) {
        dsr_json_put_string(out, v->text);
        return;
    }
    putc_unlocked('[', out);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            putc_unlocked(',', out);
        if (v->roles) {
            fputs_unlocked("{\"entity\":", out);
            dsr_json_put_string(out, v->items[i]);
            fputs_unlocked(",\"role\":", out);
            dsr_json_put_string(out, v->roles[i]);
            putc_unlocked('}', out);
        } else {
            dsr_json_put_string(out, v->items[i]);
        }
    }
    putc_unlocked(']', out);
}

/* Writes one record as a canonical object; with_kind adds JSON Lines' "record". */
static int put_record(FILE *out, const struct dsr_record *rec, int with_kind) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    pthread_once(&orders_made, make_orders);
    const int *order = member_order[rec->kind];
    int first = 1;
    putc_unlocked('{', out);
    for (size_t i = 0; i <= info->n_fields; i++) {
        /* "record" sorts between the field names around it. */
        if (with_kind && i == record_at[rec->kind]) {
            fputs_unlocked(first ? "\"record\":" : ",\"record\":", out);
            dsr_json_put_string(out, info->name);
            first = 0;
        }
        if (i == info->n_fields)
            break;
        const struct dsr_field *spec = &info->fields[order[i]];
        const struct dsr_value *v = &rec->values[order[i]];
        if (!v->text && v->n == 0)
            continue;
        if (!first)
            putc_unlocked(',', out);
        first = 0;
        dsr_json_put_string(out, spec->name);
        putc_unlocked(':', out);
        put_value(out, spec, v);
    }
    return putc_unlocked('}', out) == EOF ? -1 : 0;
}

/* Closes the arrays of kinds before `upto` and opens the rest up to it. */
static void advance_to(struct dsr_writer *w, int upto) {
    while (w->kind < upto) {
        if (w->kind >= 0)
            putc_unlocked(']', w->out);
        w->kind++;
        if (w->kind < DSR_KIND_COUNT) {
            fprintf(w->out, "%s\"%s\":[", w->kind ? "," : "",
                    dsr_kind_info(w->kind)->plural);
            w->in_kind = 0;
        }
    }
}

int dsr_json_write_begin(struct dsr_writer *w) {
    return putc_unlocked('{', w->out) == EOF ? -1 : 0;
}

int dsr_json_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    advance_to(w, (int)rec->kind);
    if (w->in_kind++)
        putc_unlocked(',', w->out);
    return put_record(w->out, rec, 0);
}

int dsr_json_write_end(struct dsr_writer *w) {
    advance_to(w, DSR_KIND_COUNT);
    return fputs_unlocked("}\n", w->out) == EOF ? -1 : 0;
}

int dsr_jsonl_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    if (put_record(w->out, rec, 1) < 0)
        return -1;
    return putc_unlocked('\n', w->out) == EOF ? -1 : 0;
}
