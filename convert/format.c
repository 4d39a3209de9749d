/*
 * Formats by name and extension, and the dispatch from one reader or writer
 * call to the format's module. Writers take their streams from an output
 * (output.c), which puts the result in place.
 */
#include <string.h>

#include "output.h"

int dsr_format_from_name(const char *s) {
    static const struct {
        const char *name;
        enum dsr_format format;
    } names[] = {
        {"xml", DSR_FORMAT_XML},     {"json", DSR_FORMAT_JSON},
        {"jsonl", DSR_FORMAT_JSONL}, {"ndjson", DSR_FORMAT_JSONL},
        {"csv", DSR_FORMAT_CSV},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i].name))
            return (int)names[i].format;
    return -1;
}

int dsr_dialect_from_name(const char *s) {
    return !strcmp(s, "ofac-csv")   ? DSR_DIALECT_OFAC_CSV
           : !strcmp(s, "ofac-xml") ? DSR_DIALECT_OFAC_XML
                                    : -1;
}

int dsr_format_from_path(const char *path) {
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (!dot)
        return -1;
    char ext[8];
    size_t n = strlen(dot + 1);
    if (n == 0 || n >= sizeof(ext))
        return -1;
    for (size_t i = 0; i <= n; i++)
        ext[i] =
            (char)(dot[1 + i] >= 'A' && dot[1 + i] <= 'Z' ? dot[1 + i] + 32 : dot[1 + i]);
    return dsr_format_from_name(ext);
}

int dsr_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
             struct dsr_diags *diags) {
    switch (in->format) {
    case DSR_FORMAT_JSON: return dsr_json_read(in, emit, ctx, diags);
    case DSR_FORMAT_JSONL: return dsr_jsonl_read(in, emit, ctx, diags);
    case DSR_FORMAT_XML: return dsr_xml_read(in, emit, ctx, diags);
    case DSR_FORMAT_CSV: return dsr_csv_read(in, emit, ctx, diags);
    }
    return -1;
}

/* Writes the preamble of the format. 0, or -1 when the stream failed. */
static int writer_begin(struct dsr_writer *w) {
    switch (w->format) {
    case DSR_FORMAT_JSON: return dsr_json_write_begin(w);
    case DSR_FORMAT_JSONL: return 0;
    case DSR_FORMAT_XML: return dsr_xml_write_begin(w);
    case DSR_FORMAT_CSV: return dsr_csv_write_begin(w);
    }
    return -1;
}

int dsr_writer_open(struct dsr_writer *w, enum dsr_format format, struct dsr_output *o) {
    memset(w, 0, sizeof(*w));
    w->format = format;
    w->kind = -1;
    if (format != DSR_FORMAT_CSV) {
        w->out = dsr_output_stream(o, NULL);
        return w->out ? writer_begin(w) : -1;
    }
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", dsr_kind_info((enum dsr_kind)k)->plural);
        if (!(w->tables[k] = dsr_output_stream(o, name)))
            return -1;
    }
    return writer_begin(w);
}

int dsr_writer_record(struct dsr_writer *w, const struct dsr_record *rec) {
    switch (w->format) {
    case DSR_FORMAT_JSON: return dsr_json_write_record(w, rec);
    case DSR_FORMAT_JSONL: return dsr_jsonl_write_record(w, rec);
    case DSR_FORMAT_XML: return dsr_xml_write_record(w, rec);
    case DSR_FORMAT_CSV: return dsr_csv_write_record(w, rec);
    }
    return -1;
}

int dsr_writer_close(struct dsr_writer *w) {
    switch (w->format) {
    case DSR_FORMAT_JSON: return dsr_json_write_end(w);
    case DSR_FORMAT_JSONL: return 0;
    case DSR_FORMAT_XML: return dsr_xml_write_end(w);
    case DSR_FORMAT_CSV: return dsr_csv_write_end(w);
    }
    return -1;
}
