/*
 * XML validation shared by the dataset reader (xml_read.c) and `dossier
 * validate --schema FILE.xsd` (cli_xsd.c): loading an XSD and checking any
 * XML document against it while streaming, with libxml2 kept quiet and
 * every problem turned into a diagnostic.
 */
#ifndef DSR_XML_H
#define DSR_XML_H

#include <libxml/xmlschemas.h>

#include "internal.h"

/*
 * Loads the XSD at path; files it includes or imports are read from beside
 * it, never from the network. Returns the schema (free with xmlSchemaFree()),
 * or NULL after adding a DSR_DIAG_BAD_SCHEMA or DSR_DIAG_IO diagnostic.
 */
xmlSchemaPtr dsr_xsd_load_file(const char *path, struct dsr_diags *diags);

/* Loads an XSD held in memory (name is used in diagnostics). As above. */
xmlSchemaPtr dsr_xsd_load_memory(const char *text, size_t len, const char *name,
                                 struct dsr_diags *diags);

/*
 * Checks in->fp, any XML document, against schema while reading it: every
 * violation is added to diags with its line and column, and the hostile-input
 * rules of the dataset reader apply (DOCTYPE, UTF-16/32 without a declaration
 * refused). Returns 0 when the input was read to its end, -1 when reading
 * stopped early (a syntax error, a refused input, an I/O error).
 */
int dsr_xml_validate(const struct dsr_input *in, xmlSchemaPtr schema, struct dsr_diags *diags);

#endif
