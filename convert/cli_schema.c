/*
 * dossier validate --schema FILE (a JSON Schema): the general validator, as
 * options over the library's dsr_jschema_new_from_file and
 * dsr_jschema_check_path (instance.c). Exit: 0 all valid, 1 some instance
 * invalid or not JSON, 2 usage error, unreadable file or unusable schema.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jschema.h"

/* Options shared by the steps of one run. */
struct opts {
    struct dsr_jschema_options js;
    struct dsr_jschema_root *roots;
    struct dsr_jschema_doc *docs;
    int format; /* --format, or -1 for "by extension" */
    int report; /* enum dsr_report_format */
};

const struct cli_option cli_schema_options[] = {
    {"schema", required_argument, 's', 0, "FILE",
     "validate against this XSD or JSON Schema"},
    {"draft", required_argument, 'd', 0, "D",
     "draft when $schema is absent: 2020-12, 2019-09, 7, 6, 4"},
    {"ref-root", required_argument, 'R', 0, "URI=DIR", "resolve $ref under URI from DIR"},
    {"ref", required_argument, 'r', 0, "FILE", "a schema that $ref may name by its $id"},
    {"format-assert", no_argument, 'a', 0, NULL, "make \"format\" an assertion"},
    {"format", required_argument, 'f', 0, "F", "read inputs as F: json, jsonl or csv"},
    {"report", required_argument, 'o', 0, "FORM",
     "text, json, junit, github, sarif or html"},
    {NULL, 0, 0, 0, NULL, NULL}};

/* Returns -1 to go on, or the status to exit with: 0 after --help, 2 after an error. */
static int parse_options(int argc, char **argv, struct opts *o, const char **schema) {
    int opt, status = -1;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "validate", cli_schema_options, &status)) !=
           -1) {
        char *eq;
        switch (opt) {
        case 's': *schema = optarg; break;
        case 'd':
            if ((o->js.default_draft = dsr_jschema_draft_from_name(optarg)) < 0)
                return cli_usage_error(
                    "validate", NULL,
                    "unknown draft \"%s\": expected 2020-12, 2019-09, 7, 6 or 4", optarg);
            break;
        case 'R':
            if (!(eq = strchr(optarg, '=')) || eq == optarg || !eq[1])
                return cli_usage_error("validate", NULL,
                                       "bad --ref-root \"%s\": expected URI=DIR", optarg);
            *eq = '\0';
            o->roots[o->js.n_roots].uri = optarg;
            o->roots[o->js.n_roots++].dir = eq + 1;
            break;
        case 'r': o->docs[o->js.n_docs++].name = optarg; break;
        case 'a': o->js.format_assert = 1; break;
        case 'f':
            if ((o->format = dsr_format_from_name(optarg)) < 0 ||
                o->format == DSR_FORMAT_XML)
                return cli_usage_error(
                    "validate", NULL,
                    "unknown format \"%s\": expected json, jsonl or csv", optarg);
            break;
        case 'o':
            if ((o->report = dsr_report_format_from_name(optarg)) < 0)
                return cli_usage_error("validate", NULL,
                                       "unknown report \"%s\": expected text, json, "
                                       "junit, github, sarif or html",
                                       optarg);
            break;
        }
    }
    if (status >= 0)
        return status;
    if (optind >= argc)
        return cli_usage_error("validate", NULL, "no input given");
    return -1;
}

/* Prints the diagnostics in the form asked for: the same forms as for datasets. */
static int finish(struct dsr_diags *diags, const struct opts *o, char **names, size_t n) {
    dsr_diags_sort(diags);
    if (cli_report(o->report, 1, diags, (const char *const *)names, n))
        return 2;
    return dsr_diags_status(diags);
}

int cmd_validate_schema(int argc, char **argv) {
    struct opts o = {.format = -1, .report = DSR_REPORT_TEXT};
    struct dsr_diags diags;
    const char *schema_name = NULL;
    struct dsr_jschema *js = NULL;
    int rc = 2;
    dsr_diags_init(&diags);
    o.roots = calloc((size_t)argc, sizeof *o.roots);
    o.docs = calloc((size_t)argc, sizeof *o.docs);
    if (!o.roots || !o.docs || (rc = parse_options(argc, argv, &o, &schema_name)) >= 0)
        goto out;
    o.js.roots = o.roots;
    o.js.docs = o.docs;
    o.js.file = schema_name; /* relative references name files beside it */
    for (size_t i = 0; i < o.js.n_docs; i++)
        if (!(o.docs[i].schema = dsr_jschema_read_file(o.docs[i].name, &diags)))
            goto report;
    if (!(js = dsr_jschema_new_from_file(schema_name, &o.js, &diags)))
        goto report;
    for (int i = optind; i < argc; i++)
        dsr_jschema_check_path(js, argv[i], o.format, cli_threads(), &diags);
report:
    rc = finish(&diags, &o, argv + optind, (size_t)(argc - optind));
out:
    dsr_jschema_free(js);
    for (size_t i = 0; o.docs && i < o.js.n_docs; i++)
        json_decref(o.docs[i].schema);
    free(o.roots);
    free(o.docs);
    dsr_diags_release(&diags);
    return rc;
}
