/*
 * Diagnostics as markup: JUnit XML for CI test reporters (GitLab, Jenkins,
 * GitHub test-report actions) and a self-contained HTML page for people.
 * Both list every input (a test suite or a table row per file), so a clean
 * file shows as passed. Escaping for both is dsr_report_put_markup's; the
 * page is also well-formed XML (void elements closed), so xmllint checks it.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

void dsr_report_put_markup(FILE *out, const char *s, int attr) {
    while (*s) {
        const char *start = s;
        long cp = dsr_utf8_next(&s);
        /* XML 1.0 forbids C0 controls, U+FFFE, U+FFFF; HTML forbids C1 controls too. */
        if (cp < 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
            fputs("\xEF\xBF\xBD", out);
        else if (cp == '&')
            fputs("&amp;", out);
        else if (cp == '<')
            fputs("&lt;", out);
        else if (cp == '>')
            fputs("&gt;", out);
        else if (cp == '"' && attr)
            fputs("&quot;", out);
        /* Parsers turn a raw CR into LF, and tab or LF in an attribute into a space. */
        else if (cp == '\r' || (attr && (cp == '\n' || cp == '\t')))
            fprintf(out, "&#%ld;", cp);
        else
            fwrite(start, 1, (size_t)(s - start), out);
    }
}

/* Writes d's text form and a newline, escaped as markup. 0, or -1 when out of memory. */
static int put_text_markup(FILE *out, const struct dsr_diag *d) {
    char *line = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&line, &len);
    if (!mem)
        return -1;
    dsr_report_put_text(mem, d);
    putc('\n', mem);
    if (fclose(mem) != 0) {
        free(line);
        return -1;
    }
    dsr_report_put_markup(out, line, 0);
    free(line);
    return 0;
}

/* ---- JUnit XML ---- */

/*
 * One <testsuite> per input; in it one <testcase> per diagnostic, carrying
 * file and line attributes: the ones GitHub's JUnit report actions
 * (mikepenz/action-junit-report) and GitLab's test report read to point at
 * the line. A clean file is one passing test case; a warning is a passing
 * test case with its text in <system-out>; a file that could not be checked
 * (exit status 2) gives <error>, invalid data <failure>.
 */

static void put_counts(FILE *out, size_t tests, const size_t *counts) {
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
            tests, counts[1], counts[2], counts[3]);
}

/* The test cases a group gives and their outcomes: counts[status] += ... */
static size_t group_counts(const struct dsr_report_group *g, size_t *counts) {
    if (g->status == 3 || g->n == 0) {
        counts[g->status]++;
        return 1;
    }
    for (size_t i = 0; i < g->n; i++)
        counts[dsr_diag_status(&g->diags[i])]++;
    return g->n;
}

/* <testcase classname=… name=… file=… [line=…] — the element left open. */
static void open_testcase(FILE *out, const char *file, const struct dsr_diag *d) {
    fputs("    <testcase classname=\"dossier.validate\" name=\"", out);
    dsr_report_put_markup(out, file, 1);
    if (d && d->line > 0)
        fprintf(out, ":%d", d->line);
    if (d && d->line > 0 && d->column > 0)
        fprintf(out, ":%d", d->column);
    fputs("\" file=\"", out);
    dsr_report_put_markup(out, file, 1);
    putc('"', out);
    if (d && d->line > 0)
        fprintf(out, " line=\"%d\"", d->line);
}

static int put_diag_testcase(FILE *out, const char *file, const struct dsr_diag *d) {
    int status = dsr_diag_status(d);
    open_testcase(out, file, d);
    if (status == 0) {
        fputs(">\n      <system-out>", out);
    } else {
        fprintf(out, ">\n      <%s message=\"", status == 2 ? "error" : "failure");
        dsr_report_put_markup(out, d->message, 1);
        fprintf(out, "\" type=\"%s\">", dsr_report_kind_name(d->kind));
    }
    if (put_text_markup(out, d) < 0)
        return -1;
    fprintf(out, "</%s>\n    </testcase>\n",
            status == 0   ? "system-out"
            : status == 2 ? "error"
                          : "failure");
    return 0;
}

static int put_testsuite(FILE *out, const struct dsr_report_group *g) {
    size_t counts[4] = {0, 0, 0, 0}, tests = group_counts(g, counts);
    const char *file = dsr_report_file_label(g->file, "dossier");
    fputs("  <testsuite name=\"", out);
    dsr_report_put_markup(out, file, 1);
    putc('"', out);
    put_counts(out, tests, counts);
    if (g->status == 3) {
        open_testcase(out, file, NULL);
        fputs(">\n      <skipped message=\"not checked: the schema is unusable\"/>\n"
              "    </testcase>\n",
              out);
    } else if (g->n == 0 && g->dropped) { /* all its problems came past the cap */
        const char *element = g->status == 2 ? "error" : "failure";
        open_testcase(out, file, NULL);
        fprintf(
            out,
            ">\n      <%s message=\"%zu %s counted but not kept\" type=\"dropped\"/>\n"
            "    </testcase>\n",
            element, g->dropped, g->dropped == 1 ? "problem" : "problems");
    } else if (g->n == 0) {
        open_testcase(out, file, NULL);
        fputs("/>\n", out);
    }
    for (size_t i = 0; g->status != 3 && i < g->n; i++)
        if (put_diag_testcase(out, file, &g->diags[i]) < 0)
            return -1;
    fputs("  </testsuite>\n", out);
    return 0;
}

int dsr_report_junit(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                     size_t n_inputs) {
    size_t n, tests = 0, counts[4] = {0, 0, 0, 0};
    struct dsr_report_group *groups = dsr_report_groups(diags, inputs, n_inputs, &n);
    if (!groups)
        return -1;
    for (size_t i = 0; i < n; i++)
        tests += group_counts(&groups[i], counts);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fputs("<testsuites name=\"dossier validate\"", out);
    put_counts(out, tests, counts);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = put_testsuite(out, &groups[i]);
    if (diags->dropped)
        fprintf(out, "  <system-err>%zu more diagnostics not shown</system-err>\n",
                diags->dropped);
    fputs("</testsuites>\n", out);
    free(groups);
    return rc;
}

/* ---- HTML ---- */

/* Light and dark, GitHub-like colours; nothing is loaded from elsewhere. */
static const char html_style[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;"
    "--panel:#f6f8fa;--line:#d1d9e0;--pass:#1a7f37;--fail:#cf222e;--error:#9a6700}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;"
    "--bg:#0d1117;--panel:#151b23;--line:#3d444d;--pass:#238636;--fail:#da3633;"
    "--error:#9e6a03}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,"
    "-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif}\n"
    "main{max-width:1080px;margin:0 auto;padding:32px 24px 48px}\n"
    "h1{font-size:26px;margin:0 0 4px}\n"
    "h2{font-size:18px;margin:0;display:flex;gap:10px;align-items:center;"
    "flex-wrap:wrap}\n"
    ".lead{color:var(--muted);margin:0 0 24px}\n"
    ".cards{display:flex;gap:12px;flex-wrap:wrap;margin:0 0 28px}\n"
    ".card{flex:1 1 120px;background:var(--panel);border:1px solid var(--line);"
    "border-radius:8px;padding:12px 16px}\n"
    ".card b{display:block;font-size:26px;line-height:1.2}\n"
    ".card span{color:var(--muted);font-size:13px}\n"
    "section{border:1px solid var(--line);border-radius:8px;margin:0 0 20px;"
    "overflow-x:auto}\n"
    "section>header{background:var(--panel);padding:10px 16px;"
    "border-bottom:1px solid var(--line)}\n"
    ".count{color:var(--muted);font-size:14px;font-weight:normal}\n"
    "table{width:100%;border-collapse:collapse;table-layout:fixed}\n"
    "table.problems{min-width:640px}\n"
    ".w-num{width:5.5em}.w-kind{width:9em}.w-ptr{width:16em}.w-badge{width:8em}\n"
    "th,td{text-align:left;padding:7px 16px;border-top:1px solid var(--line);"
    "vertical-align:top}\n"
    "thead th{border-top:0;font-size:12px;text-transform:uppercase;"
    "letter-spacing:.04em;color:var(--muted)}\n"
    "th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.num{color:var(--muted)}\n"
    "td.msg{overflow-wrap:anywhere}\n"
    "tr.src td{border-top:0;padding-top:0}\n"
    "pre{margin:0;padding:6px 10px;background:var(--panel);border-radius:6px;"
    "overflow-x:auto;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace}\n"
    "pre .ln{display:inline-block;min-width:4em;color:var(--muted);user-select:none}\n"
    "pre mark{display:block;background:rgba(207,34,46,.15);color:inherit}\n"
    "code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "overflow-wrap:anywhere}\n"
    "a{color:inherit}\n"
    ".badge{display:inline-block;min-width:4.2em;text-align:center;padding:1px 10px;"
    "border-radius:999px;font-size:12px;font-weight:600;text-transform:uppercase;"
    "letter-spacing:.04em;color:#fff}\n"
    ".pass{background:var(--pass)}.fail{background:var(--fail)}\n"
    ".error{background:var(--error)}.skipped{background:var(--muted)}\n"
    ".note{color:var(--muted)}\n"
    "footer{color:var(--muted);font-size:13px;margin-top:32px}\n"
    "@media (max-width:760px){main{padding:20px 12px}th,td{padding:6px 8px}}\n";

static const char *const badge_names[] = {"pass", "fail", "error", "skipped"};

static void put_badge(FILE *out, int status) {
    fprintf(out, "<span class=\"badge %s\">%s</span>", badge_names[status],
            badge_names[status]);
}

static void put_head(FILE *out, size_t files, size_t bad) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n",
          out);
    if (bad)
        fprintf(out, "<title>dossier validate: %zu of %zu %s failed</title>\n", bad,
                files, files == 1 ? "file" : "files");
    else
        fprintf(out, "<title>dossier validate: all %zu %s valid</title>\n", files,
                files == 1 ? "file" : "files");
    fprintf(out, "<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_style);
}

static void put_card(FILE *out, size_t value, const char *label) {
    fprintf(out, "<div class=\"card\"><b>%zu</b><span>%s</span></div>\n", value, label);
}

/* The table of every file: badge, name (a link to its problems) and count. */
static void put_overview(FILE *out, const struct dsr_report_group *groups, size_t n) {
    fputs("<section>\n<header><h2>Files</h2></header>\n<table>\n"
          "<colgroup><col class=\"w-badge\"/><col/><col class=\"w-badge\"/></colgroup>\n"
          "<thead><tr><th>Result</th><th>File</th><th class=\"num\">Problems</th></tr>"
          "</thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < n; i++) {
        const struct dsr_report_group *g = &groups[i];
        fputs("<tr><td>", out);
        put_badge(out, g->status);
        fputs("</td><td>", out);
        if (g->n)
            fprintf(out, "<a href=\"#file-%zu\">", i + 1);
        fputs("<code>", out);
        dsr_report_put_markup(out, dsr_report_file_label(g->file, "(not about one file)"),
                              0);
        fprintf(out, "</code>%s</td><td class=\"num\">%zu</td></tr>\n",
                g->n ? "</a>" : "", g->n + g->dropped);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
}

static void put_cell_number(FILE *out, int value) {
    if (value > 0)
        fprintf(out, "<td class=\"num\">%d</td>", value);
    else
        fputs("<td class=\"num\">&#8212;</td>", out);
}

/* Problems given an excerpt of the source, at most, per file: the page stays readable. */
#define EXCERPTS_MAX 200

/* The lines around d, as read back: its line marked, each with its number. */
static void put_excerpt(FILE *out, const struct dsr_excerpts *ex,
                        const struct dsr_diag *d) {
    int column = d->column > 0 ? d->column : 0;
    if (d->line <= 0 || !dsr_excerpt_find(ex, d->line, column))
        return;
    fputs("<tr class=\"src\"><td colspan=\"5\"><pre>", out);
    for (int line = d->line - 1; line <= d->line + 1; line++) {
        const struct dsr_excerpt_line *l =
            dsr_excerpt_find(ex, line, line == d->line ? column : 0);
        if (!l)
            continue;
        fprintf(out, "%s<span class=\"ln\">%d</span> ", line == d->line ? "<mark>" : "",
                line);
        fputs(l->cut_start ? "\xE2\x80\xA6" : "", out);
        dsr_report_put_markup(out, l->text ? l->text : "", 0);
        fputs(l->cut_end ? "\xE2\x80\xA6" : "", out);
        fputs(line == d->line ? "</mark>\n" : "\n", out);
    }
    fputs("</pre></td></tr>\n", out);
}

/* One file's problems, a row each: line, column, kind, message, pointer; and the source
 * lines around each. 0, or -1 when out of memory. */
static int put_file_table(FILE *out, const struct dsr_report_group *g, size_t index) {
    struct dsr_excerpts ex;
    if (dsr_excerpts_read(g->file, g, EXCERPTS_MAX, &ex) < 0)
        return -1;
    fprintf(out, "<section id=\"file-%zu\">\n<header><h2>", index);
    put_badge(out, g->status);
    fputs("<code>", out);
    dsr_report_put_markup(out, dsr_report_file_label(g->file, "(not about one file)"), 0);
    size_t total = g->n + g->dropped;
    fprintf(out, "</code><span class=\"count\">%zu %s", total,
            total == 1 ? "problem" : "problems");
    if (g->dropped)
        fprintf(out, ", the first %zu shown", g->n);
    fputs("</span></h2></header>\n", out);
    fputs("<table class=\"problems\">\n<colgroup><col class=\"w-num\"/>"
          "<col class=\"w-num\"/><col class=\"w-kind\"/><col/><col class=\"w-ptr\"/>"
          "</colgroup>\n<thead><tr><th class=\"num\">Line</th>"
          "<th class=\"num\">Column</th><th>Kind</th><th>Message</th><th>Pointer</th>"
          "</tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < g->n; i++) {
        const struct dsr_diag *d = &g->diags[i];
        fputs("<tr>", out);
        put_cell_number(out, d->line);
        put_cell_number(out, d->column);
        fprintf(out, "<td>%s</td><td class=\"msg\">", dsr_report_kind_name(d->kind));
        dsr_report_put_markup(out, d->message, 0);
        fputs("</td><td><code>", out);
        dsr_report_put_markup(out, d->path, 0);
        fputs("</code></td></tr>\n", out);
        if (i < EXCERPTS_MAX)
            put_excerpt(out, &ex, d);
    }
    fputs("</tbody>\n</table>\n</section>\n", out);
    dsr_excerpts_free(&ex);
    return 0;
}

/* The summary line a terminal shows, as the page's lead. 0, or -1 when out of memory. */
static int put_summary(FILE *out, const struct dsr_diags *diags,
                       const char *const *inputs, size_t n_inputs) {
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return -1;
    int rc = dsr_report_summary(mem, diags, inputs, n_inputs);
    if (fclose(mem) != 0 || rc < 0) {
        free(text);
        return -1;
    }
    text[strcspn(text, "\n")] = '\0';
    const char *shown = strncmp(text, "dossier: ", 9) ? text : text + 9;
    fputs(" ", out);
    dsr_report_put_markup(out, shown, 0);
    fputs(".", out);
    free(text);
    return 0;
}

int dsr_report_html(FILE *out, const struct dsr_diags *diags, const char *const *inputs,
                    size_t n_inputs) {
    size_t n, files = 0, counts[4] = {0, 0, 0, 0};
    struct dsr_report_group *groups = dsr_report_groups(diags, inputs, n_inputs, &n);
    if (!groups)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (groups[i].file[0]) {
            files++;
            counts[groups[i].status]++;
        }
    put_head(out, files, counts[1] + counts[2] + counts[3]);
    fputs("<h1>dossier validate</h1>\n<p class=\"lead\">", out);
    put_badge(out, diags->worst);
    static const char *const verdicts[] = {"Every input is valid.",
                                           "Some input is not valid.",
                                           "Some input could not be checked."};
    fprintf(out, " %s", verdicts[diags->worst]);
    if (put_summary(out, diags, inputs, n_inputs) < 0) {
        free(groups);
        return -1;
    }
    fputs("</p>\n<div class=\"cards\">\n", out);
    put_card(out, files, "files");
    put_card(out, counts[0], "valid");
    put_card(out, counts[1], "invalid");
    put_card(out, counts[2] + counts[3], "not checked");
    put_card(out, diags->count + diags->dropped, "problems");
    fputs("</div>\n", out);
    if (n)
        put_overview(out, groups, n);
    for (size_t i = 0; i < n; i++)
        if (groups[i].n && put_file_table(out, &groups[i], i + 1) < 0) {
            free(groups);
            return -1;
        }
    if (diags->dropped)
        fprintf(out,
                "<p class=\"note\">%zu more problems were counted but not kept.</p>\n",
                diags->dropped);
    fputs("<footer>Made by dossier " DSR_VERSION
          ".</footer>\n</main>\n</body>\n</html>\n",
          out);
    free(groups);
    return 0;
}
