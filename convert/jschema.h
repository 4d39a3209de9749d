/*
 * JSON Schema validator (drafts 4, 6, 7, 2019-09 and 2020-12) on jansson.
 *
 * A schema is compiled once into a graph of nodes (jschema.c), its references
 * resolved through a registry of documents that never touches the network
 * (jschema_ref.c, jschema_uri.c, built-in metaschemas in jschema_meta.c);
 * instances are then checked against the graph (jschema_eval.c) with numbers
 * and equality from jschema_value.c, patterns from jschema_regex.c and formats
 * from jschema_format.c. The API is in dossier.h; this header is shared
 * between those modules only.
 */
#ifndef DSR_JSCHEMA_H
#define DSR_JSCHEMA_H

#include "internal.h"

/* Maps pointers to pointers: the one hash table, keyed by pointer. */
struct dsr_jschema_pmap {
    struct dsr_table t;
};
void *dsr_jschema_pmap_get(const struct dsr_jschema_pmap *m, const void *key);
int dsr_jschema_pmap_put(struct dsr_jschema_pmap *m, const void *key, void *val);
void dsr_jschema_pmap_release(struct dsr_jschema_pmap *m);

/* URIs (RFC 3986). Results are new strings (free()), NULL when out of memory. */
char *dsr_jschema_uri_resolve(const char *base, const char *ref);
/* Copies uri without its fragment; *frag (may be NULL) points at the fragment or NULL. */
char *dsr_jschema_uri_strip(const char *uri, const char **frag);
/* Decodes %XX escapes of a fragment into a new string. */
char *dsr_jschema_uri_unescape(const char *s);
/* Appends one JSON Pointer token, escaped (~0, ~1), to a new string. */
char *dsr_jschema_ptr_append(const char *ptr, const char *token);

/* One schema resource: a document root or a subschema with its own $id. */
struct dsr_jschema_res {
    char *uri;            /* absolute URI without fragment; "" when none */
    char *doc_uri;        /* the URI its document was read under; "" when none */
    const json_t *root;   /* the resource's schema, borrowed from a document */
    int draft;            /* 4, 6, 7, 2019, 2020 */
    unsigned vocab;       /* DSR_JSV_* keyword groups in force */
    json_t *dyn_anchors;  /* 2020-12 $dynamicAnchor name -> integer index of sinfo */
    int recursive_anchor; /* 2019-09 "$recursiveAnchor": true at the root */
};

#define DSR_JSV_APPLICATOR 1u
#define DSR_JSV_VALIDATION 2u
#define DSR_JSV_UNEVALUATED 4u
#define DSR_JSV_FORMAT_ASSERT 8u
#define DSR_JSV_ALL 7u

/* Where a schema value sits: its resource and its location in it. */
struct dsr_jschema_sinfo {
    const json_t *schema;        /* the subschema, borrowed */
    struct dsr_jschema_res *res; /* its resource */
    char *ptr;                   /* JSON Pointer from the resource root */
    size_t index;                /* in dsr_jschema_reg.infos */
};

/* Every document and location known while compiling. */
struct dsr_jschema_reg {
    json_t *docs;                     /* array owning the loaded documents */
    json_t *uris;                     /* "uri" and "uri#anchor" -> integer sinfo index */
    struct dsr_jschema_sinfo **infos; /* owned */
    size_t n_infos, alloc_infos;
    struct dsr_jschema_res **res; /* owned */
    size_t n_res, alloc_res;
    struct dsr_jschema_pmap by_schema; /* json_t * -> sinfo */
    const struct dsr_jschema_options *opts;
    int default_draft;
    struct dsr_diags *diags;
    const char *name; /* schema name for diagnostics */
    /* opts->file given: the schema's file:// URI, its folder's URI (ending in
       "/"), the folder's real path and its name as given ("." for none); else NULL */
    char *file_uri, *folder_uri, *folder, *folder_name;
};

int dsr_jschema_reg_init(struct dsr_jschema_reg *reg,
                         const struct dsr_jschema_options *opts, struct dsr_diags *diags,
                         const char *name);
void dsr_jschema_reg_release(struct dsr_jschema_reg *reg);
/* Adds a document (a reference is taken) under uri (may be ""); returns its root sinfo.
 */
struct dsr_jschema_sinfo *dsr_jschema_reg_add(struct dsr_jschema_reg *reg, json_t *doc,
                                              const char *uri, int draft);
/*
 * Finds the schema an absolute URI (with fragment) names, loading a built-in
 * metaschema, a --ref-root file or a file beside the schema when needed (a
 * document without "$schema" is then of this draft). NULL when it cannot, with
 * the reason written to why (size n).
 */
struct dsr_jschema_sinfo *dsr_jschema_reg_lookup(struct dsr_jschema_reg *reg,
                                                 const char *uri, int draft, char *why,
                                                 size_t n);
/* The schema an already known URI names (no fragment, or an anchor), or NULL. */
struct dsr_jschema_sinfo *dsr_jschema_reg_known(struct dsr_jschema_reg *reg,
                                                const char *uri);
/* uri as diagnostics show it: "" for the schema's file, relative to its folder. */
const char *dsr_jschema_reg_display(const struct dsr_jschema_reg *reg, const char *uri);
/*
 * Writes into buf (size n) the file diagnostics name for a problem in res: a
 * file read beside the schema by its path, else the schema's name.
 */
void dsr_jschema_reg_file(const struct dsr_jschema_reg *reg,
                          const struct dsr_jschema_res *res, char *buf, size_t n);
/* The sinfo of a subschema indexed earlier, or NULL. */
struct dsr_jschema_sinfo *dsr_jschema_reg_info(struct dsr_jschema_reg *reg,
                                               const json_t *s);
/* Draft named by a $schema URI, or -1. */
int dsr_jschema_draft_from_uri(const char *uri);

/* Parses the built-in metaschema with this URI (no fragment): a new reference, or NULL.
 */
json_t *dsr_jschema_meta_load(const char *uri);

/* What a compiled keyword does; the order of evaluation within a schema. */
enum dsr_jschema_op {
    DSR_OP_REF,
    DSR_OP_DYNREF,
    DSR_OP_RECREF,
    DSR_OP_ALLOF,
    DSR_OP_ANYOF,
    DSR_OP_ONEOF,
    DSR_OP_NOT,
    DSR_OP_IF,
    DSR_OP_TYPE,
    DSR_OP_CONST,
    DSR_OP_ENUM,
    DSR_OP_MULTIPLE_OF,
    DSR_OP_MAXIMUM,
    DSR_OP_EXCL_MAXIMUM,
    DSR_OP_MINIMUM,
    DSR_OP_EXCL_MINIMUM,
    DSR_OP_MAX_LENGTH,
    DSR_OP_MIN_LENGTH,
    DSR_OP_PATTERN,
    DSR_OP_FORMAT,
    DSR_OP_PREFIX_ITEMS,
    DSR_OP_ITEMS,
    DSR_OP_CONTAINS,
    DSR_OP_MAX_ITEMS,
    DSR_OP_MIN_ITEMS,
    DSR_OP_UNIQUE,
    DSR_OP_PROPERTIES,
    DSR_OP_PATTERN_PROPS,
    DSR_OP_ADDITIONAL_PROPS,
    DSR_OP_PROPERTY_NAMES,
    DSR_OP_REQUIRED,
    DSR_OP_DEP_REQUIRED,
    DSR_OP_DEP_SCHEMAS,
    DSR_OP_MAX_PROPS,
    DSR_OP_MIN_PROPS,
    DSR_OP_UNEVAL_ITEMS,
    DSR_OP_UNEVAL_PROPS,
};

struct dsr_jschema_node;

/* One compiled keyword; which fields mean something depends on op. */
struct dsr_jschema_kw {
    enum dsr_jschema_op op;
    const char *name;                   /* the keyword, for locations */
    const json_t *value;                /* its value in the schema, borrowed */
    struct dsr_jschema_node *sub;       /* one subschema (if: the condition) */
    struct dsr_jschema_node **subs;     /* n subschemas (if: then, else; NULL = absent) */
    const char **keys;                  /* n names parallel to subs, or alone */
    const json_t **lists;               /* n arrays of names (dependencies) or NULL */
    struct dsr_jschema_regex **regexes; /* n patterns (pattern: one) */
    size_t n;
    json_t *lookup;                     /* properties: name -> integer index */
    size_t from;                        /* items: first index; counts; minContains */
    size_t max;                         /* maxContains; SIZE_MAX = none */
    unsigned types;                     /* type: bit (1 << json_type), integer bit 16 */
    const char *anchor;                 /* $dynamicRef: the anchor name, or NULL */
    const struct dsr_jschema_kw *props; /* additionalProperties: the sibling keywords */
    const struct dsr_jschema_kw *pprops;
};

/* One compiled schema. */
struct dsr_jschema_node {
    const json_t *schema;        /* borrowed from a registry document */
    struct dsr_jschema_res *res; /* its resource */
    char *abs;                   /* absolute location: "uri#pointer" */
    int boolean;                 /* -1 object schema, 0 false, 1 true */
    struct dsr_jschema_kw *kws;  /* n_kws keywords, in evaluation order */
    size_t n_kws;
    int track; /* 1 = holds unevaluated*: needs annotations */
    int draft; /* its resource's draft */
    /* non-NULL: no keywords, this stands for a reference back to loop that closes
       a cycle never moving into the instance; reaching it is an error */
    const struct dsr_jschema_node *loop;
};

#define DSR_JSCHEMA_INTEGER (1u << 16)

struct dsr_jschema {
    struct dsr_jschema_reg reg;    /* every document and location */
    struct dsr_jschema_pmap nodes; /* json_t * -> node */
    struct dsr_jschema_node **all; /* owned nodes */
    size_t n_all, alloc_all;
    struct dsr_jschema_node *root; /* the schema validated against */
    int format_assert;             /* --format-assert */
    int failed;                    /* a compile error was reported */
};

/* The compiled node of a schema value, or NULL (jschema.c). */
const struct dsr_jschema_node *dsr_jschema_node_get(const struct dsr_jschema *js,
                                                    const json_t *schema);
/*
 * Validates instance against node n of js (jschema_eval.c), as dsr_jschema_validate;
 * meta 1 checks a schema against its metaschema, where --format-assert does not apply.
 */
int dsr_jschema_eval(const struct dsr_jschema *js, const struct dsr_jschema_node *n,
                     const json_t *instance, int meta, dsr_jschema_error_fn report,
                     void *ctx);

/*
 * A document checked in pieces: when the schema's root (through "$ref"s of
 * one resource) says only type, properties, required, additionalProperties,
 * min/maxProperties and dependentRequired, and the schema of its member
 * `member` only type, items (one schema for every element) and min/maxItems,
 * each element of that array can be checked alone, as it is read; the rest
 * of the document is then checked with an empty array standing in for it.
 * Errors are the same as dsr_jschema_validate's on the whole document.
 */
#define DSR_SPLIT_DEPTH 16
struct dsr_jschema_split {
    const char *member;                   /* borrowed from the caller */
    const struct dsr_jschema_node *items; /* the elements' schema */
    const char *kp[DSR_SPLIT_DEPTH];      /* the keywords that lead to it */
    size_t n_kp;
};
/*
 * 1 when member's elements can be checked one at a time (plan written), else 0;
 * with member NULL, 1 when some member's might be.
 */
int dsr_jschema_split(const struct dsr_jschema *js, const char *member,
                      struct dsr_jschema_split *plan);
/* Checks element number index of the member; returns as dsr_jschema_validate. */
int dsr_jschema_split_element(const struct dsr_jschema *js,
                              const struct dsr_jschema_split *plan, size_t index,
                              const json_t *element, dsr_jschema_error_fn report,
                              void *ctx);
/*
 * Checks the document without its split members' elements: split member i
 * holds stand_ins[i], an empty array taken to have sizes[i] elements.
 */
int dsr_jschema_split_rest(const struct dsr_jschema *js, const json_t *document,
                           const json_t *const *stand_ins, const size_t *sizes, size_t n,
                           dsr_jschema_error_fn report, void *ctx);

/*
 * Reads JSON text as json_loadb does with flags, but keeps integers beyond 64
 * bits exactly, as bignums (jschema_bignum.c), where jansson refuses them; a
 * raw NUL byte anywhere is an error. Returns a new reference, or NULL with err
 * set (err may be NULL, as for json_loadb). The validator takes a bignum for the integer
 * it is; json_dump* cannot write one.
 */
json_t *dsr_jschema_loadb(const char *text, size_t len, size_t flags, json_error_t *err);
/*
 * The fast road of dsr_jschema_loadb (json_load.c): plain valid JSON read as
 * json_loadb reads it with flags, which must be JSON_DECODE_ANY |
 * JSON_REJECT_DUPLICATES, with or without JSON_ALLOW_NUL. NULL for anything
 * else (an error, other flags, memory running out): jansson then reads it.
 */
json_t *dsr_json_load_plain(const char *text, size_t len, size_t flags);
/* The decimal text ("-123...") of a bignum, borrowed from v; NULL for any other value. */
const char *dsr_jschema_bignum(const json_t *v);
/* The text of a string value, as json_string_value; NULL for a bignum too. */
const char *dsr_jschema_string(const json_t *v);
/* 1 when v is a number: an integer, a real or a bignum. */
int dsr_jschema_is_number(const json_t *v);

/* Numbers and equality (JSON Schema's: 1 equals 1.0); bignums are numbers. */
int dsr_jschema_equal(const json_t *a, const json_t *b);
/* <0, 0, >0 comparing two numbers exactly enough for JSON Schema bounds. */
int dsr_jschema_num_cmp(const json_t *a, const json_t *b);
/* 1 when a is a multiple of m (m > 0), computed on decimals, not floats. */
int dsr_jschema_multiple_of(const json_t *a, const json_t *m);
/* 1 when n is a number with no fractional part. */
int dsr_jschema_is_integral(const json_t *n);
/*
 * Writes a short text form of v (numbers, strings quoted, "object", "array")
 * into buf (size n): cut at a character boundary, never past n.
 */
void dsr_jschema_describe(const json_t *v, char *buf, size_t n);
/*
 * Writes s[0..len) between quote marks (quote may be "") into buf (size n):
 * NUL as \u0000, at most max characters, "..." before the closing mark when
 * cut; the cut falls between characters, never past n.
 */
void dsr_jschema_quote(const char *s, size_t len, const char *quote, size_t max,
                       char *buf, size_t n);

/* Patterns: ECMA-262 regular expressions on PCRE2. */
struct dsr_jschema_regex;
/*
 * Compiles pattern[0..len), NUL-terminated at len (a NUL before is one of its
 * characters); NULL with the reason in err (size n) when it does not compile.
 */
struct dsr_jschema_regex *dsr_jschema_regex_new(const char *pattern, size_t len,
                                                char *err, size_t n);
void dsr_jschema_regex_free(struct dsr_jschema_regex *re);
/* Scratch space for matching (one per validation run); free with _md_free(). */
void *dsr_jschema_regex_md_new(void);
void dsr_jschema_regex_md_free(void *md);
/* 1 match, 0 no match, -1 the match limit was hit or memory ran out. */
int dsr_jschema_regex_search(const struct dsr_jschema_regex *re, const char *s,
                             size_t len, void *md);

/* Host names (jschema_idna.c): 1 valid; unicode 1 allows IDNA2008 U-labels. */
int dsr_jschema_hostname_check(const char *s, size_t len, int unicode);

/* Formats: 1 valid (or unknown format), 0 invalid. */
int dsr_jschema_format_check(const char *format, const char *s, size_t len);

#endif
