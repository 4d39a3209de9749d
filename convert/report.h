/*
 * Shared by the report writers: report.c (text, JSON, GitHub, SARIF) and
 * report_xml.c (JUnit XML, HTML). Reports that list files work on groups:
 * the sorted diagnostics cut into one run per file, with a group for every
 * input read cleanly too.
 */
#ifndef DSR_REPORT_H
#define DSR_REPORT_H

#include "internal.h"

/* One file's share of the diagnostics. */
struct dsr_report_group {
    const char *file; /* as in the diagnostics, borrowed; "" = not about one file */
    const struct dsr_diag *diags; /* its diagnostics, borrowed from the sorted list */
    size_t n;                     /* how many kept */
    size_t dropped;               /* how many more were counted but not kept */
    int status; /* 0 valid, 1 invalid data, 2 refused or unreadable, 3 skipped (below) */
};

/*
 * Groups the sorted diagnostics by file, adding a diagnostic-free group for
 * each clean input. Groups are in file name order, the "" group (if any)
 * first, so each group's diagnostics are a run of the list. When a schema
 * was unusable, nothing was validated against it: clean inputs are then
 * skipped (status 3), not valid. Returns an array of *n groups (free with
 * free()), or NULL when out of memory.
 */
struct dsr_report_group *dsr_report_groups(const struct dsr_diags *diags,
                                           const char *const *inputs, size_t n_inputs,
                                           size_t *n);

/* "syntax", "schema", "io", "refused", "bad-schema" or "usage". */
const char *dsr_report_kind_name(enum dsr_diag_kind kind);
/* "error", "warning" or "note". */
const char *dsr_report_severity_name(enum dsr_severity severity);

/* The name a report shows for a file: "stdin" for "-", fallback for "". */
const char *dsr_report_file_label(const char *file, const char *fallback);

/*
 * Writes one diagnostic in text form, FILE:LINE:COLUMN: error: MESSAGE [at
 * POINTER], without the newline. Control characters are written as escapes,
 * so a diagnostic is always one line, whatever the input held.
 */
void dsr_report_put_text(FILE *out, const struct dsr_diag *d);

/*
 * Writes s escaped for XML 1.0 and HTML text; attr also escapes quotes and
 * white space for a double-quoted attribute. Invalid UTF-8 and characters XML
 * 1.0 forbids or discourages (controls but tab, LF, CR) become U+FFFD.
 */
void dsr_report_put_markup(FILE *out, const char *s, int attr);

/* Lines of an input read back for the HTML page (excerpt.c). */
struct dsr_excerpt_line {
    int line, column; /* the window's place: column 0 = the line's start */
    char *text;       /* a window of the line, NUL-terminated; may be NULL */
    size_t len;
    int cut_start, cut_end; /* 1 = characters left out before / after */
};

struct dsr_excerpts {
    struct dsr_excerpt_line *lines; /* sorted by line */
    size_t n;
};

/*
 * Reads, in one pass over file, the lines around the first max_diags
 * problems of g (each problem's line around its column, the lines beside it
 * from their start). A file that cannot
 * be read again (stdin, gone) gives none. 0, or -1 when out of memory.
 */
int dsr_excerpts_read(const char *file, const struct dsr_report_group *g,
                      size_t max_diags, struct dsr_excerpts *ex);
/* The window kept of that line around that column (0: its start), or NULL. */
const struct dsr_excerpt_line *dsr_excerpt_find(const struct dsr_excerpts *ex, int line,
                                                int column);
void dsr_excerpts_free(struct dsr_excerpts *ex);

/* JUnit XML and the HTML page (report_xml.c). 0, or -1 when out of memory. */
int dsr_report_junit(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                     size_t n_inputs);
int dsr_report_html(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                    size_t n_inputs);

#endif
