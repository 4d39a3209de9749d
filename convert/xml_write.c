/*
 * Records -> canonical XML. The output is already in Canonical XML 1.0 form
 * (C14N), so `xmllint --c14n` leaves it byte for byte as it is: no XML
 * declaration, one attribute per element (so no ordering question), empty
 * elements as start and end tag, C14N's escapes, and nothing after the root
 * end tag, not even a newline. The indentation (a newline and two spaces per
 * level) is white-space text and part of the canonical document we define.
 * Element order follows the field tables in record.c, as schemas/dossier.xsd does.
 */
/* Written by one thread at a time: stdio without its lock (_unlocked). */
#define _GNU_SOURCE
#include <string.h>

#include "internal.h"

/* C14N text escapes (section 2.3): & < > and carriage return. */
static void put_text(FILE *out, const char *s) {
    for (;;) {
        size_t plain = strcspn(s, "&<>\r");
        fwrite_unlocked(s, 1, plain, out);
        s += plain;
        switch (*s++) {
        case '&': fputs_unlocked("&amp;", out); break;
        case '<': fputs_unlocked("&lt;", out); break;
        case '>': fputs_unlocked("&gt;", out); break;
        case '\r': fputs_unlocked("&#xD;", out); break;
        default: return; /* the end */
        }
    }
}

/* C14N attribute escapes: & < " and the white-space characters tab, newline, return. */
static void put_attr(FILE *out, const char *name, const char *value) {
    putc_unlocked(' ', out);
    fputs_unlocked(name, out);
    fputs_unlocked("=\"", out);
    for (const char *s = value;;) {
        size_t plain = strcspn(s, "&<\"\t\n\r");
        fwrite_unlocked(s, 1, plain, out);
        s += plain;
        switch (*s++) {
        case '&': fputs_unlocked("&amp;", out); break;
        case '<': fputs_unlocked("&lt;", out); break;
        case '"': fputs_unlocked("&quot;", out); break;
        case '\t': fputs_unlocked("&#x9;", out); break;
        case '\n': fputs_unlocked("&#xA;", out); break;
        case '\r': fputs_unlocked("&#xD;", out); break;
        default: putc_unlocked('"', out); return; /* the end */
        }
    }
}

/* A tag: <name> (end = 0) or </name> (end = 1); open = 1 leaves it open for attributes.
 */
static void tag(FILE *out, const char *name, int end, int open) {
    fputs_unlocked(end ? "</" : "<", out);
    fputs_unlocked(name, out);
    if (!open)
        putc_unlocked('>', out);
}

/* A newline and two spaces per level of nesting. */
static void indent(FILE *out, int level) {
    putc_unlocked('\n', out);
    for (int i = 0; i < level; i++)
        fputs_unlocked("  ", out);
}

static void put_list(FILE *out, const struct dsr_field *spec, const struct dsr_value *v) {
    indent(out, 3);
    tag(out, spec->name, 0, 0);
    for (size_t i = 0; i < v->n; i++) {
        indent(out, 4);
        tag(out, spec->item, 0, 1);
        if (v->roles)
            put_attr(out, "role", v->roles[i]);
        putc_unlocked('>', out);
        put_text(out, v->items[i]);
        tag(out, spec->item, 1, 0);
    }
    indent(out, 3);
    tag(out, spec->name, 1, 0);
}

/* Closes the sections of kinds before `upto` and opens the rest up to it. */
static void advance_to(struct dsr_writer *w, int upto) {
    while (w->kind < upto) {
        if (w->kind >= 0) {
            if (w->in_kind)
                indent(w->out, 1);
            tag(w->out, dsr_kind_info(w->kind)->plural, 1, 0);
        }
        w->kind++;
        if (w->kind < DSR_KIND_COUNT) {
            indent(w->out, 1);
            tag(w->out, dsr_kind_info(w->kind)->plural, 0, 0);
            w->in_kind = 0;
        }
    }
}

int dsr_xml_write_begin(struct dsr_writer *w) {
    return fputs_unlocked("<dataset>", w->out) == EOF ? -1 : 0;
}

int dsr_xml_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    advance_to(w, (int)rec->kind);
    w->in_kind++;
    indent(w->out, 2);
    tag(w->out, info->name, 0, 1);
    put_attr(w->out, info->fields[0].name, dsr_record_id(rec));
    putc_unlocked('>', w->out);
    for (size_t f = 1; f < info->n_fields; f++) {
        const struct dsr_field *spec = &info->fields[f];
        const struct dsr_value *v = &rec->values[f];
        if (spec->item) {
            if (v->n)
                put_list(w->out, spec, v);
        } else if (v->text) {
            indent(w->out, 3);
            tag(w->out, spec->name, 0, 0);
            put_text(w->out, v->text);
            tag(w->out, spec->name, 1, 0);
        }
    }
    indent(w->out, 2);
    tag(w->out, info->name, 1, 0);
    return ferror(w->out) ? -1 : 0;
}

int dsr_xml_write_end(struct dsr_writer *w) {
    advance_to(w, DSR_KIND_COUNT);
    /* C14N drops everything outside the root element: no final newline. */
    fputs_unlocked("\n</dataset>", w->out);
    return ferror(w->out) ? -1 : 0;
}
