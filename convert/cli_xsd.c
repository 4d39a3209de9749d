/*
 * dossier validate --schema FILE.xsd: any XML document against any XSD, as
 * options over the library's dsr_xsd_new_from_file and dsr_xsd_check_path
 * (xsd_check.c).
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

/* What validate --help lists under --schema covers these too. */
static const struct cli_option xsd_options[] = {
    {"schema", required_argument, 's', 0, "FILE.xsd", "validate against this XSD"},
    {"report", required_argument, 'r', 0, "FORM",
     "text, json, junit, github, sarif or html"},
    {"format", required_argument, 'f', 0, "xml", "read inputs as XML (the only choice)"},
    {NULL, 0, 0, 0, NULL, NULL}};

int cmd_validate_xsd(int argc, char **argv) {
    const char *schema_path = NULL;
    int report = DSR_REPORT_TEXT, opt, status = -1;
    while ((opt = cli_getopt(argc, argv, "validate", xsd_options, &status)) != -1) {
        if (opt == 's')
            schema_path = optarg;
        if (opt == 'r' && (report = dsr_report_format_from_name(optarg)) < 0)
            return cli_usage_error("validate", NULL,
                                   "unknown report \"%s\": expected text, json, junit, "
                                   "github, sarif or html",
                                   optarg);
        if (opt == 'f' && dsr_format_from_name(optarg) != DSR_FORMAT_XML)
            return cli_usage_error(
                "validate", NULL,
                "format \"%s\" cannot be checked against an XSD: expected xml", optarg);
    }
    if (status >= 0)
        return status;
    if (optind >= argc)
        return cli_usage_error("validate", NULL, "no input given");
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_xsd *xsd = dsr_xsd_new_from_file(schema_path, &diags);
    for (int i = optind; xsd && i < argc; i++)
        dsr_xsd_check_path(xsd, argv[i], &diags);
    dsr_xsd_free(xsd);
    dsr_diags_sort(&diags);
    int rc = cli_report((enum dsr_report_format)report, 1, &diags,
                        (const char *const *)argv + optind, (size_t)(argc - optind));
    if (rc == 0)
        rc = dsr_diags_status(&diags);
    dsr_diags_release(&diags);
    return rc;
}
