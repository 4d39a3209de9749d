/*
 * dossier: validate record datasets (XML, JSON, JSON Lines, CSV) against XSD
 * and JSON Schema, convert them to canonical output, and normalise alias
 * lists into entities. This is the library's public API, the only header
 * another program includes; link with `pkg-config --libs dossier`.
 *
 * Ownership: a function that returns a pointer says whether it is new (free
 * it with the matching _free) or borrowed (valid while its owner lives).
 * Strings passed in are borrowed for the call only unless stated otherwise.
 * Nothing here prints, exits, installs signal handlers or reads the
 * environment: problems are returned as diagnostics in a struct dsr_diags
 * that the caller owns. Objects are not shared between threads unless a
 * function says otherwise.
 */
#ifndef DOSSIER_H
#define DOSSIER_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DSR_API __attribute__((visibility("default")))

/* The library's version, as "MAJOR.MINOR.PATCH"; the soname carries MAJOR. */
#define DSR_VERSION "0.1.0"
/* The version of the library actually linked (a static string). */
DSR_API const char *dsr_version(void);

/* ---- diagnostics ---- */

#define DSR_PATH_MAX 256
#define DSR_MSG_MAX 512

enum dsr_severity { DSR_ERROR, DSR_WARNING, DSR_NOTE };

enum dsr_diag_kind {
    DSR_DIAG_SYNTAX,     /* input is not well-formed: exit 1 */
    DSR_DIAG_SCHEMA,     /* input breaks a schema or model rule: exit 1 */
    DSR_DIAG_IO,         /* unreadable input, unwritable output: exit 2 */
    DSR_DIAG_REFUSED,    /* hostile or unsupported input refused: exit 2 */
    DSR_DIAG_BAD_SCHEMA, /* the schema itself is unusable: exit 2 */
    DSR_DIAG_USAGE,      /* bad request, such as an unknown format: exit 2 */
};

/* One problem found. Fixed-size text: nothing to free. */
struct dsr_diag {
    enum dsr_severity severity; /* a warning never changes the status */
    enum dsr_diag_kind kind;    /* decides the status of an error */
    const char *file;           /* name as given by the caller, whole; "-" for stdin;
                                   "" when about no file. Owned by the list */
    int line;                   /* 1-based; 0 = unknown */
    int column;                 /* 1-based, in characters; 0 = unknown */
    char path[DSR_PATH_MAX];    /* JSON Pointer (RFC 6901) into the data; "" = root */
    char message[DSR_MSG_MAX];  /* lowercase, no final full stop */
};

/*
 * A list of diagnostics, allocated by the caller: dsr_diags_init before use,
 * dsr_diags_release after. Every field may be read.
 */
struct dsr_diags {
    struct dsr_diag *items;       /* owned */
    size_t count;                 /* diagnostics kept */
    size_t alloc;                 /* slots allocated */
    size_t dropped;               /* diagnostics past DSR_DIAGS_KEEP, counted only */
    int worst;                    /* the status: highest among all errors added */
    struct dsr_diag_files *files; /* the file names items point to; owned */
};

/* Past this many, diagnostics are counted, not kept, so memory stays bounded. */
#define DSR_DIAGS_KEEP 10000

DSR_API void dsr_diags_init(struct dsr_diags *diags);
DSR_API void dsr_diags_release(struct dsr_diags *diags);
/* Sorts by (file, line, column, path), keeping the order of equal ones. */
DSR_API void dsr_diags_sort(struct dsr_diags *diags);
/* 0 when no error was added, 1 for bad data, 2 for anything refused or unreadable. */
DSR_API int dsr_diags_status(const struct dsr_diags *diags);
/* What one diagnostic means for the status: 0 for a warning or note, else 1 or 2. */
DSR_API int dsr_diag_status(const struct dsr_diag *d);

enum dsr_report_format {
    DSR_REPORT_TEXT,     /* FILE:LINE:COLUMN: error: MESSAGE, one a line */
    DSR_REPORT_JSON,     /* one JSON document */
    DSR_REPORT_JUNIT,    /* JUnit XML */
    DSR_REPORT_GITHUB,   /* GitHub workflow annotations */
    DSR_REPORT_SARIF,    /* SARIF 2.1.0 */
    DSR_REPORT_HTML,     /* a page for people */
    DSR_REPORT_TERMINAL, /* TEXT with ANSI colours, for a terminal (no --report name) */
};

/* Returns the report format named s ("text", "json", ...), or -1. */
DSR_API int dsr_report_format_from_name(const char *s);

/*
 * Writes the diagnostics (sorted first with dsr_diags_sort) in the given
 * form; inputs names every input checked (dsr_dataset_inputs), so reports
 * list the clean ones too. Returns 0, or -1 on a write error.
 */
DSR_API int dsr_report_write(FILE *out, enum dsr_report_format format,
                             const struct dsr_diags *diags, const char *const *inputs,
                             size_t n_inputs);

/*
 * Writes the one-line summary people read after text diagnostics:
 * "dossier: 3 files checked: 2 valid, 1 invalid; 5 errors, 1 warning".
 * Counts files as dsr_report_write does. Returns 0, or -1 on a write error.
 */
DSR_API int dsr_report_summary(FILE *out, const struct dsr_diags *diags,
                               const char *const *inputs, size_t n_inputs);

/* ---- datasets ---- */

enum dsr_format { DSR_FORMAT_XML, DSR_FORMAT_JSON, DSR_FORMAT_JSONL, DSR_FORMAT_CSV };

/* Canonical order of record kinds; a CSV table is named by its kind's plural. */
enum dsr_kind { DSR_DESIGNATION, DSR_ENTITY, DSR_EVENT, DSR_SOURCE, DSR_KIND_COUNT };

/* Returns the format named s ("xml", "json", "jsonl", "ndjson", "csv"), or -1. */
DSR_API int dsr_format_from_name(const char *s);
/* Returns the format a file name's extension names, or -1. */
DSR_API int dsr_format_from_path(const char *path);
/* Returns the kind named by its singular or plural ("entity", "entities"), or -1. */
DSR_API int dsr_kind_from_name(const char *name);

/* Foreign dialects mapped into the model (--from). */
enum dsr_dialect {
    DSR_DIALECT_NONE,     /* dossier's own formats */
    DSR_DIALECT_OFAC_CSV, /* OFAC's legacy SDN CSV: sdn.csv, alt.csv, add.csv,
                             sdn_comments.csv, joined by ent_num */
    DSR_DIALECT_OFAC_XML, /* OFAC's advanced SDN XML, root Sanctions */
};

/* Returns the dialect named s ("ofac-csv", "ofac-xml"), or -1. */
DSR_API int dsr_dialect_from_name(const char *s);

struct dsr_dataset_options {
    int keep_records;   /* 1 = keep whole records for dsr_dataset_write (convert);
                           0 = keep only what the checks need (validate) */
    size_t sort_memory; /* bytes of records held while sorting; 0 = 64 MiB when
                           records are kept, 6 MiB when only ids and references are */
    const char *tmpdir; /* where sorting spills past sort_memory; NULL = "/tmp" */
    const char *xslt;   /* a stylesheet mapping every input from another XML
                           dialect (read as XML whatever its name); NULL = none */
    int from;           /* enum dsr_dialect: a foreign dialect every input is in;
                           0 (DSR_DIALECT_NONE) = dossier's own formats */
    /* Called every few megabytes while an input is read: its name, the bytes
       read so far and its size (0 when not known). NULL = not called. */
    void (*progress)(void *ctx, const char *name, long long done, long long size);
    void *progress_ctx;
    /* Threads that read and check records (JSON Lines, JSON documents, XML
       datasets and CSV tables in blocks, a folder's small files a file a
       thread; sorts spill and finish beside them); 0 or 1 = the calling
       thread alone. What is read, reported and written does not depend on it. */
    int jobs;
};

struct dsr_dataset;

/*
 * Returns a new empty dataset, or NULL with a diagnostic in diags (an
 * unusable stylesheet, out of memory). diags is borrowed and must outlive
 * the dataset: everything found while reading and finishing is added to it.
 * opts may be NULL for the defaults; it is copied, its strings borrowed.
 */
DSR_API struct dsr_dataset *dsr_dataset_new(const struct dsr_dataset_options *opts,
                                            struct dsr_diags *diags);
DSR_API void dsr_dataset_free(struct dsr_dataset *ds);

/*
 * Empties the dataset to read another one with the same options, keeping
 * what was compiled (the built-in schemas, the stylesheet): cheaper than
 * free and new when many datasets are checked one after another. The names
 * dsr_dataset_inputs gave are freed. 0, or -1 with a diagnostic (out of
 * memory: the dataset then takes nothing more).
 */
DSR_API int dsr_dataset_reset(struct dsr_dataset *ds);

/*
 * Reads one input into the dataset: a file, or a folder's regular files with
 * a known extension in name order (links and subfolders skipped). format is
 * an enum dsr_format, or -1 for "by the file's extension"; table is the kind
 * of a CSV table, or -1 for "by the file's name". Each record is checked and
 * normalised as it is read. Returns this input's own status: 0 valid, 1
 * invalid data, 2 unreadable or refused (a folder holding no dataset file
 * too), whatever other inputs gave.
 */
DSR_API int dsr_dataset_add_path(struct dsr_dataset *ds, const char *path, int format,
                                 int table);
/* The same for an open stream (borrowed, not closed); name is used in diagnostics. */
DSR_API int dsr_dataset_add_stream(struct dsr_dataset *ds, const char *name, FILE *fp,
                                   int format, int table);

/*
 * After the last add: resolves entity references (names to ids, through the
 * alias rules), puts the records in canonical order, and reports duplicate
 * ids and references to nothing. Returns the dataset's status (0, 1 or 2).
 */
DSR_API int dsr_dataset_finish(struct dsr_dataset *ds);

/*
 * After finish, with keep_records: writes the dataset canonically. With a
 * stream (XML, JSON, JSON Lines), out receives it; with a path, the output is
 * replaced atomically (a CSV dataset's path is a folder for the four tables),
 * and on failure the previous output stays as it was. Refuses to write a
 * dataset whose status is not 0. Returns 0, or -1 with a diagnostic.
 */
DSR_API int dsr_dataset_write(struct dsr_dataset *ds, enum dsr_format format, FILE *out);
DSR_API int dsr_dataset_write_path(struct dsr_dataset *ds, enum dsr_format format,
                                   const char *path);

/* The status so far: 0, 1 or 2, the worst over every input and finish. */
DSR_API int dsr_dataset_status(const struct dsr_dataset *ds);

/*
 * The names of the files read, in order (borrowed; *n receives the count),
 * for dsr_report_write.
 */
DSR_API const char *const *dsr_dataset_inputs(const struct dsr_dataset *ds, size_t *n);

/* ---- JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12) ---- */

enum {
    DSR_JSCHEMA_DRAFT4 = 4,
    DSR_JSCHEMA_DRAFT6 = 6,
    DSR_JSCHEMA_DRAFT7 = 7,
    DSR_JSCHEMA_DRAFT2019 = 2019,
    DSR_JSCHEMA_DRAFT2020 = 2020,
};

/* A URI prefix served from a local folder. */
struct dsr_jschema_root {
    const char *uri; /* prefix, e.g. "http://localhost:1234/" */
    const char *dir; /* folder holding the files under that prefix */
};

/* A schema document known in advance, borrowed. */
struct dsr_jschema_doc {
    json_t *schema;   /* the document */
    const char *name; /* its name: used as its URI when it has no $id */
};

struct dsr_jschema_options {
    int default_draft;                    /* for schemas without $schema; 0 = 2020 */
    int format_assert;                    /* 1 = "format" is an assertion */
    const struct dsr_jschema_root *roots; /* n_roots prefix mappings, borrowed */
    size_t n_roots;
    const struct dsr_jschema_doc *docs; /* n_docs extra documents, borrowed */
    size_t n_docs;
    /*
     * The schema's own file, or NULL. When given, the schema's base URI is that
     * file's file:// URI (its "$id" still wins), and a reference may name files
     * beside it or below its folder, read from there (never above it, never
     * through a link that leaves it).
     */
    const char *file;
};

struct dsr_jschema;

/* Returns the draft named by s ("2020-12", "2019-09", "7", "6", "4"), or -1. */
DSR_API int dsr_jschema_draft_from_name(const char *s);

/*
 * Compiles schema (borrowed; a reference is kept while the result lives)
 * after checking it against its metaschema. References resolve only within
 * the schema, opts->docs, opts->roots and the folder of opts->file: never the
 * network. A reference cycle that never moves into the instance is an error
 * of the instances that reach it, not of the schema. Returns the
 * validator, or NULL with DSR_DIAG_BAD_SCHEMA diagnostics naming
 * schema_name; opts may be NULL. Free with dsr_jschema_free().
 */
DSR_API struct dsr_jschema *dsr_jschema_new(json_t *schema, const char *schema_name,
                                            const struct dsr_jschema_options *opts,
                                            struct dsr_diags *diags);
DSR_API void dsr_jschema_free(struct dsr_jschema *js);

/* Receives one error: where in the instance, where in the schema, and why. */
typedef void (*dsr_jschema_error_fn)(void *ctx, const char *instance_pointer,
                                     const char *keyword_location,
                                     const char *absolute_location, const char *message);

/*
 * Validates one instance (any JSON value, borrowed). report may be NULL.
 * Returns the number of errors, 0 = valid, or -1 when validation could not
 * run (nesting too deep, a pattern over its match limit, out of memory;
 * reported too). A compiled schema is never modified: once dsr_jschema_new
 * has returned, any number of threads may validate with it at once.
 */
DSR_API int dsr_jschema_validate(const struct dsr_jschema *js, const json_t *instance,
                                 dsr_jschema_error_fn report, void *ctx);

/*
 * Reads a JSON document from a file ("-" for stdin), for a schema or a
 * document $ref may name (dsr_jschema_options.docs): UTF-8, a BOM skipped,
 * integers past 64 bits kept exactly. NULL after a DSR_DIAG_BAD_SCHEMA or
 * DSR_DIAG_IO diagnostic. The caller owns the result.
 */
DSR_API json_t *dsr_jschema_read_file(const char *path, struct dsr_diags *diags);

/*
 * dsr_jschema_read_file, then dsr_jschema_new (opts->file defaults to path,
 * so relative references name files beside it), with the schema's own
 * problems placed at their line and column. NULL after diagnostics.
 */
DSR_API struct dsr_jschema *
dsr_jschema_new_from_file(const char *path, const struct dsr_jschema_options *opts,
                          struct dsr_diags *diags);

/*
 * Checks the instances of one input ("-" for stdin) against js: a JSON
 * document, each line of JSON Lines (read a line at a time), or each row of a
 * CSV table as an object of strings keyed by the header. format is an enum
 * dsr_format, or -1 for "by the file's extension" (JSON otherwise). Errors go
 * to diags at file, line and column, with the instance pointer. JSON Lines
 * are checked by jobs threads (0 or 1: the calling thread alone), with the
 * same diagnostics whatever their number. Returns this input's status: 0
 * valid, 1 an invalid instance or not JSON, 2 unreadable.
 */
DSR_API int dsr_jschema_check_path(const struct dsr_jschema *js, const char *path,
                                   int format, int jobs, struct dsr_diags *diags);

/* ---- any XML against any XSD ---- */

struct dsr_xsd;

/*
 * Loads an XSD from a file; it may include or import files beside it, never
 * anything from the network. NULL after DSR_DIAG_BAD_SCHEMA (or IO)
 * diagnostics. Free with dsr_xsd_free(). libxml2's entity loader is set for
 * the call and restored after: do not load or check from two threads at once.
 */
DSR_API struct dsr_xsd *dsr_xsd_new_from_file(const char *path, struct dsr_diags *diags);
DSR_API void dsr_xsd_free(struct dsr_xsd *xsd);

/*
 * Validates one XML document ("-" for stdin) against xsd, with the dataset
 * reader's hostile-input rules (no DOCTYPE, bounded sizes). Problems go to
 * diags at file, line and column. Returns this input's status (0, 1 or 2).
 */
DSR_API int dsr_xsd_check_path(const struct dsr_xsd *xsd, const char *path,
                               struct dsr_diags *diags);

/* ---- alias normalisation ---- */

enum { DSR_ALIAS_FUZZY = 1 }; /* flag: also merge transliteration variants */

/* What a reference resolves to (dsr_alias_lookup). */
enum dsr_alias_match {
    DSR_ALIAS_UNRESOLVED, /* no entity has that name */
    DSR_ALIAS_RESOLVED,   /* exactly one entity */
    DSR_ALIAS_AMBIGUOUS,  /* a short form that several entities own */
};

struct dsr_alias_set;

/* Returns a new empty set, or NULL when out of memory; free with dsr_alias_set_free(). */
DSR_API struct dsr_alias_set *dsr_alias_set_new(int flags);
DSR_API void dsr_alias_set_free(struct dsr_alias_set *set);

/*
 * Adds one alias list ("Yasin al-Suri / Khalil"), the line-th of the input
 * (line numbers must be unique; they are the output's "lines"). Empty names,
 * unbalanced parentheses and invalid UTF-8 are reported in diags at
 * file:line:column and the line is left out; a blank line is skipped.
 * Returns 0 when added or skipped, 1 when invalid, -1 when out of memory.
 */
DSR_API int dsr_alias_add_line(struct dsr_alias_set *set, const char *text, size_t len,
                               const char *file, int line, struct dsr_diags *diags);

/*
 * Adds an entity record of a dataset: its names (the name, then the aliases:
 * each one name, never split) are one entity. Two records of one dataset
 * with different ids are never merged, even when they share names; a record
 * joins a record of another dataset, or loose names, only when the names
 * match it and no other record of its dataset. The entity's id is the
 * record's (the smallest in byte order when records of several datasets
 * joined; "ids" then lists them all). Returns like dsr_alias_add_line; line
 * is the record's line, its "lines" entry.
 */
DSR_API int dsr_alias_add_entity(struct dsr_alias_set *set, const char *id,
                                 const char *const *names, size_t n_names,
                                 const char *file, int line, struct dsr_diags *diags);

/*
 * Reads an input into the set: a dataset file (by extension) or a folder of
 * them gives its entity records, as one dataset (see dsr_alias_add_entity);
 * any other file, or "-" for stdin, gives alias lists, one a line. Lines are
 * numbered on from the last one added. Problems go to diags. 0, or -1 when
 * out of memory.
 */
DSR_API int dsr_alias_add_path(struct dsr_alias_set *set, const char *path,
                               struct dsr_diags *diags);

/*
 * Records added after this call belong to another dataset (a set starts with
 * one): their ids are another publisher's, so they may join earlier records.
 */
DSR_API void dsr_alias_next_dataset(struct dsr_alias_set *set);

/*
 * Merges what the mode allows (same list, equal key, --fuzzy's key, unique
 * tail short forms), chooses primary names and ids. Call once, after the last
 * add. Returns the number of entities, or -1 when out of memory.
 */
DSR_API long dsr_alias_resolve(struct dsr_alias_set *set, struct dsr_diags *diags);

/*
 * Writes the entities as JSON Lines (RFC 8785), in order of first line:
 * {"aliases":[…],"id":…,"lines":[…],"name":…}, plus "ambiguous" and
 * "candidates" for an ambiguous short form, "evidence" for transliteration
 * merges, and with explain every merge as "explain". Returns 0 or -1.
 */
DSR_API int dsr_alias_write(struct dsr_alias_set *set, FILE *out, int explain);

/*
 * After resolve: the entity that a reference (an id, a name or an alias
 * list) names: *id (borrowed from set) when resolved; an ambiguous short
 * form gives its candidates (*candidates: *n ids, borrowed; pass NULL when
 * not wanted).
 */
DSR_API enum dsr_alias_match dsr_alias_lookup(struct dsr_alias_set *set, const char *ref,
                                              const char **id,
                                              const char *const **candidates, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
