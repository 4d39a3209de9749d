/*
 * Alias normalisation: alias lists as people write them ("Yasin al-Suri /
 * Khalil") resolved into entities without inventing identities. alias_key.c
 * splits lists into names and builds the name keys; alias.c keeps one node per
 * distinct key, merges nodes into entities and writes them as JSON Lines.
 * Nothing here prints to stderr or exits: problems go to a struct dsr_diags.
 */
#ifndef DSR_ALIAS_H
#define DSR_ALIAS_H

#include "internal.h"

/* ---- names and keys (alias_key.c) ---- */

/* One name cut out of an alias list: a span of the list's text, trimmed. */
struct dsr_alias_name {
    size_t start; /* byte offset of the first byte in the list */
    size_t len;   /* bytes; 0 = an empty name (an error) */
    int lead;     /* 1 = the list's first name, not introduced by alias, (, a.k.a. ... */
};

/*
 * Splits one alias list on " / ", ";", "|", " a.k.a. ", " aka ", " alias ",
 * " f.k.a. " and parentheses (keywords in any case; "(alias X)" and "(X)" both
 * give X). Stores at most max names in out and returns how many there are, or
 * -1 when a parenthesis is unbalanced (*bad is then its byte offset). A list
 * with nothing but white space gives 0 names.
 */
int dsr_alias_split(const char *text, size_t len, struct dsr_alias_name *out, int max,
                    size_t *bad);

/*
 * The exact name key: NFKC, case folded, diacritics stripped, the marks
 * ' ` ’ ‘ ʿ ʾ ʻ ʼ and the tatweel removed, Arabic letter variants folded, every
 * dash, other punctuation and white-space run one space, the article al/el
 * before another word dropped, ibn spelled bin. Returns a new string (free()),
 * "" when the name has no letters or digits, or NULL for invalid UTF-8 or
 * when out of memory.
 */
char *dsr_alias_key(const char *name, size_t len);

/*
 * The transliteration key of an exact key (--fuzzy): per word, a consonant
 * skeleton that ignores short vowels, doubled letters and the spelling pairs
 * ou/u, ee/i, q/k, dh/z, th/t, kh, gh, ph/f, while long vowels and diphthongs
 * (aa, ai/ay/ei/ae, au) still count. Words in other scripts, digits, or of two
 * letters stay as they are. Returns a new string, or NULL when out of memory.
 */
char *dsr_alias_fuzzy_key(const char *key);

/*
 * An id slug of name: ASCII letters and digits, lowercase, words joined by
 * single hyphens, at most max-1 bytes, cut at a hyphen. Writes "" when
 * nothing is left (a name in another script).
 */
void dsr_alias_slug(const char *name, char *out, size_t max);

/* ---- the alias set (alias.c) ---- */

enum { DSR_ALIAS_FUZZY = 1 };

/* What a reference resolves to (dsr_alias_lookup). */
enum dsr_alias_match {
    DSR_ALIAS_UNRESOLVED, /* no entity has that name */
    DSR_ALIAS_RESOLVED,   /* exactly one entity */
    DSR_ALIAS_AMBIGUOUS,  /* a short form that several entities own */
};

struct dsr_alias_set;

/* Returns a new empty set, or NULL when out of memory; free with dsr_alias_set_free(). */
struct dsr_alias_set *dsr_alias_set_new(int flags);
void dsr_alias_set_free(struct dsr_alias_set *set);

/*
 * Adds one alias list, the line-th of the input (line numbers are kept for
 * the output's "lines" and must be unique). Empty names, unbalanced
 * parentheses and invalid UTF-8 are reported in diags at file:line:column and
 * the line is left out. A blank line is skipped. Returns 0 when the line was
 * added or skipped, 1 when it was invalid, -1 when out of memory.
 */
int dsr_alias_add_line(struct dsr_alias_set *set, const char *text, size_t len,
                       const char *file, int line, struct dsr_diags *diags);

/*
 * Adds an entity record of a dataset: its id is kept as the entity's id
 * and its names (name, then aliases) are one list. Returns like
 * dsr_alias_add_line; line is the record's line, used as its "lines" entry.
 */
int dsr_alias_add_entity(struct dsr_alias_set *set, const char *id,
                         const char *const *names, size_t n_names, const char *file,
                         int line, struct dsr_diags *diags);

/*
 * Merges what the mode allows (same list, equal key, --fuzzy's key, unique
 * tail short forms), chooses primary names and ids. Two dataset entities
 * that end up merged are reported in diags. Call once, after the last add.
 * Returns the number of entities, or -1 when out of memory.
 */
long dsr_alias_resolve(struct dsr_alias_set *set, struct dsr_diags *diags);

/*
 * Writes the entities as JSON Lines (RFC 8785), in order of first line:
 * {"aliases":[…],"id":…,"lines":[…],"name":…} plus "ambiguous" and
 * "candidates" for an ambiguous short form, "evidence" for transliteration
 * merges, and with explain every merge as "explain". Returns 0 or -1.
 */
int dsr_alias_write(struct dsr_alias_set *set, FILE *out, int explain);

/*
 * After resolve: resolves a reference as a designation subject or event
 * participant holds it (an entity id, a name, or an alias list) to the id of
 * its entity (*id, borrowed from set). An ambiguous name gives its candidates
 * (*candidates, n borrowed ids, NULL when not wanted).
 */
enum dsr_alias_match dsr_alias_lookup(struct dsr_alias_set *set, const char *ref,
                                      const char **id, const char *const **candidates,
                                      size_t *n);

/*
 * After resolve: every name (display form, NFC) of the entity with the given
 * id, sorted, borrowed from set; *n receives the count. NULL when the id is
 * unknown. Lets convert put aliases met in other records onto the entity.
 */
const char *const *dsr_alias_names(struct dsr_alias_set *set, const char *id, size_t *n);

#endif
