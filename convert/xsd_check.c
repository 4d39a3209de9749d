/*
 * Any XML document against any XSD (validate --schema FILE.xsd), as library
 * calls. The schema may include or import files beside it; nothing is fetched
 * from the network; inputs get the dataset reader's hostile-input rules. The
 * entity loader that keeps schema documents local is libxml2's process-wide
 * one: it is set for each call and restored after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parserInternals.h>

#include "xml.h"

struct dsr_xsd {
    xmlSchemaPtr schema;
};

static xmlExternalEntityLoader caller_loader;

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
    return caller_loader(url, id, ctxt);
}

static void local_files_only(void) {
    caller_loader = xmlGetExternalEntityLoader();
    xmlSetExternalEntityLoader(local_loader);
}

static void restore_loader(void) {
    xmlSetExternalEntityLoader(caller_loader);
}

struct dsr_xsd *dsr_xsd_new_from_file(const char *path, struct dsr_diags *diags) {
    struct dsr_xsd *x = calloc(1, sizeof(*x));
    if (!x) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, path, 0, 0, NULL, "out of memory");
        return NULL;
    }
    local_files_only();
    x->schema = dsr_xsd_load_file(path, diags);
    restore_loader();
    if (!x->schema) {
        free(x);
        return NULL;
    }
    return x;
}

void dsr_xsd_free(struct dsr_xsd *x) {
    if (x)
        xmlSchemaFree(x->schema);
    free(x);
}

int dsr_xsd_check_path(const struct dsr_xsd *x, const char *path,
                       struct dsr_diags *diags) {
    struct dsr_diags mine; /* this input's own, for its status */
    struct stat st;
    int is_stdin = !strcmp(path, "-");
    FILE *fp = NULL;
    dsr_diags_init(&mine);
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        dsr_diag_add(&mine, DSR_DIAG_IO, path, 0, 0, NULL, "cannot read: it is a folder");
    else if (!(fp = is_stdin ? stdin : fopen(path, "rb")))
        dsr_diag_add(&mine, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
    if (fp) {
        struct dsr_input in = {path, fp, DSR_FORMAT_XML, -1, 0, NULL};
        local_files_only();
        dsr_xml_validate(&in, x->schema, &mine);
        restore_loader();
        if (!is_stdin)
            fclose(fp);
    }
    int status = dsr_diags_status(&mine);
    dsr_diags_move(diags, &mine);
    return status;
}
