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

/*
 * The XSD text without its identity constraints (prefix:unique, :key and
 * :keyref elements): a new string of *n bytes (free()), or NULL when out of
 * memory. A streaming validator keeps every value they name; readers that
 * check what those constraints say themselves load the XSD without them.
 */
char *dsr_xsd_without_identity(const char *xsd, size_t len, const char *prefix,
                               size_t *n);

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
int dsr_xml_validate(const struct dsr_input *in, xmlSchemaPtr schema,
                     struct dsr_diags *diags);

/*
 * Looks at a document's first n bytes (24 are enough): refuses UTF-16 and
 * UTF-32 unless an XML declaration names the encoding. 0, or -1 after adding
 * a DSR_DIAG_REFUSED diagnostic naming name.
 */
int dsr_xml_check_encoding(const unsigned char *b, size_t n, const char *name,
                           struct dsr_diags *diags);

/* ---- between xml_read.c and xml_split.c ---- */

/* dossier.xsd as the dataset reader checks with it (see xml_read.c). NULL: said in diags.
 */
xmlSchemaPtr dsr_xml_dataset_schema(struct dsr_diags *diags);

/*
 * A piece of a dataset document, read on its own. Its text follows `prefix`:
 * the start tags of the elements open where it starts, on one line, then a
 * newline (none at the document's start); it ends with `suffix`, their end
 * tags, or with the rest of the input (last).
 */
struct dsr_xml_piece {
    const char *prefix, *suffix;
    size_t prefix_len, suffix_len;
    int n_open;                       /* elements the prefix opens: 0 or 2 */
    int open_line[2], open_column[2]; /* where their start tags are in the document */
    int line; /* the document's line where text starts, at its start */
    size_t counts[DSR_KIND_COUNT]; /* records of each kind before text */
    const unsigned char *text;
    size_t len;
    int last; /* the input's rest (in->fp) follows text */
};

/*
 * Reads a piece as dsr_xml_read reads a document, in the document's lines
 * and record paths. *unsure = 1 when what it found could depend on what the
 * piece does not see: a problem outside records, or reading stopped. 0, or
 * -1 when reading stopped.
 */
int dsr_xml_read_piece(const struct dsr_input *in, xmlSchemaPtr schema,
                       const struct dsr_xml_piece *piece, dsr_record_fn emit, void *ctx,
                       struct dsr_diags *diags, int *unsure);

/* dsr_xml_read with in->jobs threads (xml_split.c). */
extern size_t dsr_xml_split_block; /* bytes a block holds at least; tests make it small */
int dsr_xml_read_split(const struct dsr_input *in, xmlSchemaPtr schema,
                       dsr_record_fn emit, void *ctx, struct dsr_diags *diags);

/* ---- between xml_read.c and xml_diag.c ---- */

#define DSR_XML_TAG_MAX 64 /* element and attribute names kept, NUL included */

/* What an element is in the dataset's structure; DSR_XML_OTHER in any other document. */
enum dsr_xml_role {
    DSR_XML_OTHER,
    DSR_XML_DATASET,
    DSR_XML_SECTION,
    DSR_XML_RECORD,
    DSR_XML_FIELD,
    DSR_XML_ITEM,
};

/* One open element, or the element a schema error concerns. */
struct dsr_xml_elem {
    enum dsr_xml_role role;
    int in_ns;                    /* 1 = the element has a namespace (ours have none) */
    int kind;                     /* a section and below: enum dsr_kind; else -1 */
    int field, item;              /* fields, items: field index, item index; else -1 */
    int line, column;             /* where the start tag begins; 0 = unknown */
    char name[DSR_XML_TAG_MAX];   /* local name, cut */
    char parent[DSR_XML_TAG_MAX]; /* the parent's local name; "" for the root */
    char path[DSR_PATH_MAX];      /* JSON Pointer into the dataset; "" in any document */
};

/* A schema error as libxml2 gave it, with the element it concerns. */
struct dsr_xml_error {
    int code;                   /* xmlParserErrors */
    struct dsr_xml_elem at;     /* the element concerned */
    char attr[DSR_XML_TAG_MAX]; /* the attribute concerned, or "" */
    char msg[DSR_MSG_MAX];      /* libxml2's text */
};

/*
 * Writes e in dossier's words into out (size n). With dataset = 1 the error is
 * about dossier's own XSD: rec is the record it concerns (NULL outside one) and
 * seen[f] counts the elements of field f met in it, so that field values are
 * judged in dsr_record_check's words.
 */
void dsr_xml_describe(const struct dsr_xml_error *e, int dataset,
                      const struct dsr_record *rec, const int *seen, char *out, size_t n);

/* libxml2's text without its "Element 'x': " head, final full stop and newlines. */
void dsr_xml_clean_message(const char *msg, char *out, size_t n);

/* Copies the text between `after` and the next `until` in msg into out; "" when absent.
 */
void dsr_xml_extract(const char *msg, const char *after, const char *until, char *out,
                     size_t n);

/* dst (DSR_PATH_MAX bytes) = base/tail, cut from the left when long. */
void dsr_xml_path_join(char *dst, const char *base, const char *tail);

#endif
