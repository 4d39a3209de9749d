/*
 * Diagnostics out. Text goes one a line in the form compilers use, so editors
 * and CI pick it up: FILE:LINE:COLUMN: error: MESSAGE [at /pointer]. The other
 * forms are for machines: JSON, GitHub workflow annotations, JUnit XML, SARIF
 * 2.1.0, and an HTML page for people.
 */
#include <string.h>

#include "internal.h"

static const char *const names[] = {"text", "json", "junit", "github", "sarif", "html"};

int dsr_report_format_from_name(const char *s)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i]))
            return (int)i;
    return -1;
}

static const char *severity_name(enum dsr_severity s)
{
    return s == DSR_ERROR ? "error" : s == DSR_WARNING ? "warning" : "note";
}

static void put_text(FILE *out, const struct dsr_diag *d)
{
    fputs(d->file[0] ? d->file : "dossier", out);
    if (d->line > 0) {
        fprintf(out, ":%d", d->line);
        if (d->column > 0)
            fprintf(out, ":%d", d->column);
    }
    fprintf(out, ": %s: %s", severity_name(d->severity), d->message);
    if (d->path[0])
        fprintf(out, " [at %s]", d->path);
    putc('\n', out);
}

static void put_json(FILE *out, const struct dsr_diags *diags)
{
    fputs("{\"diagnostics\":[", out);
    for (size_t i = 0; i < diags->count; i++) {
        const struct dsr_diag *d = &diags->items[i];
        fprintf(out, "%s{\"column\":%d,\"file\":", i ? "," : "", d->column);
        dsr_json_put_string(out, d->file);
        fprintf(out, ",\"line\":%d,\"message\":", d->line);
        dsr_json_put_string(out, d->message);
        fputs(",\"path\":", out);
        dsr_json_put_string(out, d->path);
        fprintf(out, ",\"severity\":\"%s\"}", severity_name(d->severity));
    }
    fprintf(out, "],\"dropped\":%zu,\"valid\":%s}\n", diags->dropped,
            diags->worst ? "false" : "true");
}

/* GitHub annotations: the message's %, CR and LF must be escaped. */
static void put_github_data(FILE *out, const char *s, int property)
{
    for (; *s; s++) {
        if (*s == '%') fputs("%25", out);
        else if (*s == '\r') fputs("%0D", out);
        else if (*s == '\n') fputs("%0A", out);
        else if (property && *s == ':') fputs("%3A", out);
        else if (property && *s == ',') fputs("%2C", out);
        else putc(*s, out);
    }
}

static void put_github(FILE *out, const struct dsr_diag *d)
{
    fprintf(out, "::%s file=", severity_name(d->severity));
    put_github_data(out, d->file, 1);
    if (d->line > 0)
        fprintf(out, ",line=%d", d->line);
    if (d->column > 0)
        fprintf(out, ",col=%d", d->column);
    fputs("::", out);
    put_github_data(out, d->message, 0);
    if (d->path[0]) {
        fputs(" [at ", out);
        put_github_data(out, d->path, 0);
        putc(']', out);
    }
    putc('\n', out);
}

int dsr_report_write(FILE *out, enum dsr_report_format format, const struct dsr_diags *diags,
                     const char *const *inputs, size_t n_inputs)
{
    (void)inputs;
    (void)n_inputs;
    switch (format) {
    case DSR_REPORT_JSON:
        put_json(out, diags);
        break;
    case DSR_REPORT_GITHUB:
        for (size_t i = 0; i < diags->count; i++)
            put_github(out, &diags->items[i]);
        break;
    default:
        for (size_t i = 0; i < diags->count; i++)
            put_text(out, &diags->items[i]);
        if (diags->dropped)
            fprintf(out, "dossier: note: %zu more diagnostics not shown\n", diags->dropped);
        break;
    }
    return ferror(out) ? -1 : 0;
}
