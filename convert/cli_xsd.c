/*
 * dossier validate --schema FILE.xsd: any XML document against any XSD. The
 * schema may include or import files beside it; nothing is fetched from the
 * network, and inputs get the dataset reader's hostile-input rules.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parserInternals.h>

#include "cli.h"
#include "xml.h"

static xmlExternalEntityLoader default_loader;

/*
 * Schema documents come only from local files. A refused or missing file
 * makes the schema parser report that it cannot load it; the reader's own
 * parse errors are silenced here because libxml2 would print them, and the
 * schema parser reports the failure in its place.
 */
static xmlParserInputPtr local_loader(const char *url, const char *id,
                                      xmlParserCtxtPtr ctxt) {
    if (!url || (strstr(url, "://") && strncmp(url, "file://", 7)))
        return NULL;
    const char *path = strncmp(url, "file://", 7) ? url : url + 7;
    if (access(path, R_OK) != 0)
        return NULL;
    if (ctxt && ctxt->sax && !ctxt->_private) {
        ctxt->sax->warning = NULL;
        ctxt->sax->error = NULL;
        ctxt->sax->serror = NULL;
        ctxt->vctxt.error = NULL;
        ctxt->vctxt.warning = NULL;
    }
    return default_loader(url, id, ctxt);
}

static void validate_one(const char *path, xmlSchemaPtr schema, struct dsr_diags *diags) {
    struct stat st;
    int is_stdin = !strcmp(path, "-");
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot read: it is a folder");
        return;
    }
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return;
    }
    struct dsr_input in = {path, fp, DSR_FORMAT_XML, -1};
    dsr_xml_validate(&in, schema, diags);
    if (!is_stdin)
        fclose(fp);
}

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
    default_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(local_loader);
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    xmlSchemaPtr schema = dsr_xsd_load_file(schema_path, &diags);
    if (schema) {
        for (int i = optind; i < argc; i++)
            validate_one(argv[i], schema, &diags);
        xmlSchemaFree(schema);
    }
    dsr_diags_sort(&diags);
    int rc = cli_report((enum dsr_report_format)report, 1, &diags,
                        (const char *const *)argv + optind, (size_t)(argc - optind));
    if (rc == 0)
        rc = dsr_diags_status(&diags);
    dsr_diags_release(&diags);
    return rc;
}
