/*
 * Diagnostics out. Text goes one a line in the form compilers use, so editors
 * and CI pick it up: FILE:LINE:COLUMN: error: MESSAGE [at /pointer]. The other
 * forms are for machines: JSON, GitHub workflow annotations and SARIF 2.1.0
 * here; JUnit XML and an HTML page for people in report_xml.c. Every form
 * keeps the sorted order of the list it is given.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const format_names[] = {"text",   "json",  "junit",
                                           "github", "sarif", "html"};

int dsr_report_format_from_name(const char *s) {
    for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
        if (!strcmp(s, format_names[i]))
            return (int)i;
    return -1;
}

/* Indexed by enum dsr_diag_kind: the rule ids of SARIF, "kind" of JSON. */
static const struct {
    const char *name;
    const char *about;
} kinds[] = {
    {"syntax", "the input is not well-formed"},
    {"schema", "the input breaks a schema or model rule"},
    {"io", "an input cannot be read or an output written"},
    {"refused", "a hostile or unsupported input was refused"},
    {"bad-schema", "the schema itself is unusable"},
    {"usage", "the command line names something that cannot be used"},
};

const char *dsr_report_kind_name(enum dsr_diag_kind kind) {
    return kinds[kind].name;
}

const char *dsr_report_severity_name(enum dsr_severity s) {
    return s == DSR_ERROR ? "error" : s == DSR_WARNING ? "warning" : "note";
}

const char *dsr_report_file_label(const char *file, const char *fallback) {
    return !file[0] ? fallback : !strcmp(file, "-") ? "stdin" : file;
}

/* Copies s into dst (size n >= 4) with U+FFFD for invalid UTF-8, cut at a character. */
static void utf8_clean(char *dst, size_t n, const char *s) {
    size_t k = 0;
    while (*s) {
        const char *start = s;
        long cp = dsr_utf8_next(&s);
        size_t len = cp < 0 ? 3 : (size_t)(s - start);
        if (k + len >= n)
            break;
        memcpy(dst + k, cp < 0 ? "\xEF\xBF\xBD" : start, len);
        k += len;
    }
    dst[k] = '\0';
}

/* JSON strings must be UTF-8: names of files as given may not be. */
static void put_json_string(FILE *out, const char *s) {
    size_t n = 3 * strlen(s) + 4;
    char small[3 * DSR_MSG_MAX + 4], *clean = n <= sizeof(small) ? small : malloc(n);
    if (!clean) /* out of memory: nothing safer to write than nothing */
        clean = small, n = 4;
    utf8_clean(clean, n, s);
    dsr_json_put_string(out, clean);
    if (clean != small)
        free(clean);
}

/* ---- text ---- */

/* Control characters as C escapes: a value quoted in a message cannot break the line. */
static void put_line_safe(FILE *out, const char *s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\r')
            fputs("\\r", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7F)
            fprintf(out, "\\x%02x", *p);
        else
            putc(*p, out);
    }
}

/* ANSI colours as compilers use them: the place bold, the severity in colour. */
#define BOLD "\033[1m"
#define PLAIN "\033[0m"
static const char *const severity_colour[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};

/* One diagnostic in text form, in colour when colour is 1. */
static void put_text_line(FILE *out, const struct dsr_diag *d, int colour) {
    fputs(colour ? BOLD : "", out);
    put_line_safe(out, d->file[0] ? d->file : "dossier");
    if (d->line > 0) {
        fprintf(out, ":%d", d->line);
        if (d->column > 0)
            fprintf(out, ":%d", d->column);
    }
    fprintf(out, ":%s %s%s:%s ", colour ? PLAIN : "",
            colour ? severity_colour[d->severity] : "",
            dsr_report_severity_name(d->severity), colour ? PLAIN : "");
    put_line_safe(out, d->message);
    if (d->path[0]) {
        fputs(" [at ", out);
        put_line_safe(out, d->path);
        putc(']', out);
    }
}

void dsr_report_put_text(FILE *out, const struct dsr_diag *d) {
    put_text_line(out, d, 0);
}

static void put_text(FILE *out, const struct dsr_diags *diags, int colour) {
    for (size_t i = 0; i < diags->count; i++) {
        put_text_line(out, &diags->items[i], colour);
        putc('\n', out);
    }
    if (diags->dropped)
        fprintf(out, "dossier: note: %zu more diagnostics not shown\n", diags->dropped);
}

/* ---- groups ---- */

static int group_cmp(const void *a, const void *b) {
    return strcmp(((const struct dsr_report_group *)a)->file,
                  ((const struct dsr_report_group *)b)->file);
}

struct dsr_report_group *dsr_report_groups(const struct dsr_diags *diags,
                                           const char *const *inputs, size_t n_inputs,
                                           size_t *n) {
    const struct dsr_diag *items = diags->items;
    size_t k = 0, m = 0, j = 0;
    int bad_schema = 0;
    size_t n_dropped = dsr_diags_dropped_files(diags, NULL);
    struct dsr_report_group *g =
        calloc(n_inputs + diags->count + n_dropped + 1, sizeof(*g));
    const char **dropped = calloc(n_dropped + 1, sizeof(*dropped));
    if (!g || !dropped) {
        free(g);
        free(dropped);
        return NULL;
    }
    for (size_t i = 0; i < n_inputs; i++)
        g[k++].file = inputs[i];
    /* Files whose problems all came past the cap are files too. */
    dsr_diags_dropped_files(diags, dropped);
    for (size_t i = 0; i < n_dropped; i++)
        g[k++].file = dropped[i];
    free(dropped);
    for (size_t i = 0; i < diags->count; i++) {
        if (i == 0 || strcmp(items[i].file, items[i - 1].file))
            g[k++].file = items[i].file;
        bad_schema |= items[i].kind == DSR_DIAG_BAD_SCHEMA;
    }
    qsort(g, k, sizeof(*g), group_cmp);
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && !strcmp(g[m - 1].file, g[i].file))
            continue;
        g[m].file = g[i].file;
        g[m].diags = items ? items + j : NULL; /* NULL + 0 is undefined */
        g[m].n = 0;
        g[m].status = bad_schema ? 3 : 0;
        for (; j < diags->count && !strcmp(items[j].file, g[m].file); j++) {
            int status = dsr_diag_status(&items[j]);
            if (g[m].n++ == 0 || status > g[m].status)
                g[m].status = status;
        }
        /* Problems counted past the cap count for their file too. */
        int worst = 0;
        g[m].dropped = g[m].file[0] ? dsr_diags_dropped_in(diags, g[m].file, &worst) : 0;
        if (g[m].dropped && worst > g[m].status)
            g[m].status = worst;
        m++;
    }
    *n = m;
    return g;
}

/* ---- summary ---- */

/* ", N word" with the plural when N is not 1; nothing when N is 0 and skip_zero. */
static void put_count(FILE *out, const char *sep, size_t n, const char *word,
                      int skip_zero) {
    if (n || !skip_zero)
        fprintf(out, "%s%zu %s%s", sep, n, word, n == 1 ? "" : "s");
}

int dsr_report_summary(FILE *out, const struct dsr_diags *diags,
                       const char *const *inputs, size_t n_inputs) {
    size_t n, files = 0, by_status[4] = {0, 0, 0, 0}, errors = diags->dropped,
              warnings = 0;
    struct dsr_report_group *g = dsr_report_groups(diags, inputs, n_inputs, &n);
    if (!g)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (g[i].file[0]) {
            files++;
            by_status[g[i].status]++;
        }
    free(g);
    for (size_t i = 0; i < diags->count; i++) {
        errors += diags->items[i].severity == DSR_ERROR;
        warnings += diags->items[i].severity == DSR_WARNING;
    }
    fputs("dossier: ", out);
    put_count(out, "", files, "file", 0);
    fprintf(out, " checked: %zu valid", by_status[0]);
    if (by_status[1])
        fprintf(out, ", %zu invalid", by_status[1]);
    if (by_status[2])
        fprintf(out, ", %zu unreadable or refused", by_status[2]);
    if (by_status[3])
        fprintf(out, ", %zu not checked", by_status[3]);
    put_count(out, "; ", errors, "error", errors + warnings == 0);
    put_count(out, errors ? ", " : "; ", warnings, "warning", 1);
    return fputs("\n", out) == EOF ? -1 : 0;
}

/* ---- JSON ---- */

/*
 * {"diagnostics":[{"column","file","kind","line","message","path","severity"}],
 *  "dropped":N,"files":[every input and every file named in a diagnostic],
 *  "valid":bool}, members sorted as RFC 8785 sorts them. line and column are
 * 0 when unknown, path "" when there is no pointer; dropped counts the
 * diagnostics past DSR_DIAGS_KEEP, which are not listed.
 */
static int put_json(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                    size_t n_inputs) {
    size_t n_groups;
    struct dsr_report_group *groups =
        dsr_report_groups(diags, inputs, n_inputs, &n_groups);
    if (!groups)
        return -1;
    fputs("{\"diagnostics\":[", out);
    for (size_t i = 0; i < diags->count; i++) {
        const struct dsr_diag *d = &diags->items[i];
        fprintf(out, "%s{\"column\":%d,\"file\":", i ? "," : "", d->column);
        put_json_string(out, d->file);
        fprintf(out, ",\"kind\":\"%s\",\"line\":%d,\"message\":",
                dsr_report_kind_name(d->kind), d->line);
        put_json_string(out, d->message);
        fputs(",\"path\":", out);
        put_json_string(out, d->path);
        fprintf(out, ",\"severity\":\"%s\"}", dsr_report_severity_name(d->severity));
    }
    fprintf(out, "],\"dropped\":%zu,\"files\":[", diags->dropped);
    for (size_t i = 0, first = 1; i < n_groups; i++) {
        if (!groups[i].file[0])
            continue;
        if (!first)
            putc(',', out);
        put_json_string(out, groups[i].file);
        first = 0;
    }
    fprintf(out, "],\"valid\":%s}\n", diags->worst ? "false" : "true");
    free(groups);
    return 0;
}

/* ---- GitHub workflow commands ---- */

/*
 * Escaped as @actions/core's command.ts does: % CR LF in the message, and
 * also : and , in a property, where they would end the value.
 */
static void put_github_data(FILE *out, const char *s, int property) {
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            putc(*s, out);
    }
}

static void put_github(FILE *out, const struct dsr_diag *d) {
    /* GitHub's levels: notice, not note. */
    fprintf(out, "::%s",
            d->severity == DSR_NOTE ? "notice" : dsr_report_severity_name(d->severity));
    if (d->file[0]) {
        fputs(" file=", out);
        put_github_data(out, dsr_report_file_label(d->file, ""), 1);
        if (d->line > 0)
            fprintf(out, ",line=%d", d->line);
        if (d->line > 0 && d->column > 0)
            fprintf(out, ",col=%d", d->column);
    }
    /* The annotation's heading: what kind of problem, "schema error". */
    fprintf(out, "%stitle=%s %s::", d->file[0] ? "," : " ", dsr_report_kind_name(d->kind),
            dsr_report_severity_name(d->severity));
    put_github_data(out, d->message, 0);
    if (d->path[0]) {
        fputs(" [at ", out);
        put_github_data(out, d->path, 0);
        putc(']', out);
    }
    putc('\n', out);
}

static void put_github_all(FILE *out, const struct dsr_diags *diags) {
    for (size_t i = 0; i < diags->count; i++)
        put_github(out, &diags->items[i]);
    if (diags->dropped)
        fprintf(out, "::notice::%zu more diagnostics not shown\n", diags->dropped);
}

/* ---- SARIF 2.1.0 ---- */

#define SARIF_SCHEMA                                                                     \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"                \
    "sarif-schema-2.1.0.json"

/*
 * artifactLocation.uri must be a URI reference: a relative path as given,
 * an absolute one as a file: URI, bytes outside RFC 3986's unreserved set
 * percent-encoded (":" too, which would read as a scheme).
 */
static void put_sarif_uri(FILE *out, const char *file) {
    static const char hex[] = "0123456789ABCDEF";
    const char *path = dsr_report_file_label(file, "");
    /* Every byte kept is a JSON string's plain character: written as is. */
    fputs(path[0] == '/' ? "\"file://" : "\"", out);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            putc(*p, out);
        } else {
            putc('%', out);
            putc(hex[*p >> 4], out);
            putc(hex[*p & 15], out);
        }
    }
    putc('"', out);
}

static void put_sarif_rules(FILE *out) {
    fputs("\"rules\":[", out);
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        fprintf(out,
                "%s{\"defaultConfiguration\":{\"level\":\"error\"},\"id\":\"%s\","
                "\"shortDescription\":{\"text\":",
                i ? "," : "", kinds[i].name);
        dsr_json_put_string(out, kinds[i].about);
        fputs("}}", out);
    }
    putc(']', out);
}

/* Where d lies: its pointer as a logical location, file and position as physical. */
static void put_sarif_location(FILE *out, const struct dsr_diag *d, long artifact) {
    fputs("\"locations\":[{", out);
    if (d->path[0]) {
        fputs("\"logicalLocations\":[{\"fullyQualifiedName\":", out);
        put_json_string(out, d->path);
        fputs("}]", out);
    }
    if (artifact >= 0) {
        fprintf(out,
                "%s\"physicalLocation\":{\"artifactLocation\":{\"index\":%ld,\"uri\":",
                d->path[0] ? "," : "", artifact);
        put_sarif_uri(out, d->file);
        putc('}', out);
        /* A region needs a start line; the column counts code points (run.columnKind). */
        if (d->line > 0) {
            fputs(",\"region\":{", out);
            if (d->column > 0)
                fprintf(out, "\"startColumn\":%d,", d->column);
            fprintf(out, "\"startLine\":%d}", d->line);
        }
        putc('}', out);
    }
    fputs("}],", out);
}

/* One result; artifact is the index of its file in run.artifacts, or -1. */
static void put_sarif_result(FILE *out, const struct dsr_diag *d, long artifact) {
    fprintf(out, "{\"level\":\"%s\",", dsr_report_severity_name(d->severity));
    if (d->path[0] || artifact >= 0)
        put_sarif_location(out, d, artifact);
    fputs("\"message\":{\"text\":", out);
    put_json_string(out, d->message);
    fprintf(out, "},\"ruleId\":\"%s\",\"ruleIndex\":%d}", dsr_report_kind_name(d->kind),
            (int)d->kind);
}

static int put_sarif(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                     size_t n_inputs) {
    size_t n_groups;
    struct dsr_report_group *groups =
        dsr_report_groups(diags, inputs, n_inputs, &n_groups);
    if (!groups)
        return -1;
    /* The "" group, not about one file, sorts first and is no artifact. */
    size_t skip = n_groups > 0 && !groups[0].file[0];
    fputs("{\"$schema\":\"" SARIF_SCHEMA "\",\"runs\":[{\"artifacts\":[", out);
    for (size_t i = skip; i < n_groups; i++) {
        fputs(i > skip ? ",{\"location\":{\"uri\":" : "{\"location\":{\"uri\":", out);
        put_sarif_uri(out, groups[i].file);
        fputs("},\"roles\":[\"analysisTarget\"]}", out);
    }
    /* Finding invalid data is a successful run; exit status 2 is not. */
    fprintf(out,
            "],\"columnKind\":\"unicodeCodePoints\",\"invocations\":[{"
            "\"executionSuccessful\":%s,\"exitCode\":%d",
            diags->worst < 2 ? "true" : "false", diags->worst);
    if (diags->dropped)
        fprintf(out,
                ",\"toolExecutionNotifications\":[{\"level\":\"note\",\"message\":"
                "{\"text\":\"%zu more diagnostics not shown\"}}]",
                diags->dropped);
    fputs("}],\"results\":[", out);
    for (size_t g = 0, first = 1; g < n_groups; g++)
        for (size_t i = 0; i < groups[g].n; i++, first = 0) {
            if (!first)
                putc(',', out);
            put_sarif_result(out, &groups[g].diags[i],
                             groups[g].file[0] ? (long)(g - skip) : -1);
        }
    fputs("],\"tool\":{\"driver\":{\"name\":\"dossier\",", out);
    put_sarif_rules(out);
    fputs(",\"semanticVersion\":\"" DSR_VERSION "\",\"version\":\"" DSR_VERSION "\"}}}],"
          "\"version\":\"2.1.0\"}\n",
          out);
    free(groups);
    return 0;
}

int dsr_report_write(FILE *out, enum dsr_report_format format,
                     const struct dsr_diags *diags, const char *const *inputs,
                     size_t n_inputs) {
    int rc = 0;
    switch (format) {
    case DSR_REPORT_JSON: rc = put_json(out, diags, inputs, n_inputs); break;
    case DSR_REPORT_JUNIT: rc = dsr_report_junit(out, diags, inputs, n_inputs); break;
    case DSR_REPORT_GITHUB: put_github_all(out, diags); break;
    case DSR_REPORT_SARIF: rc = put_sarif(out, diags, inputs, n_inputs); break;
    case DSR_REPORT_HTML: rc = dsr_report_html(out, diags, inputs, n_inputs); break;
    case DSR_REPORT_TERMINAL: put_text(out, diags, 1); break;
    default: put_text(out, diags, 0); break;
    }
    return rc < 0 || ferror(out) ? -1 : 0;
}
