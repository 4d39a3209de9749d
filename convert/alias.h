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

/*
 * alias_tail.c: 1 when the n-byte key word w is a connector (in, of, ...), 2
 * when it marks an organisation (group, brigade, co, kataib...), else 0.
 */
int dsr_alias_stop_word(const char *w, size_t n);

/* ---- the alias set (alias.c) ---- */

/* The set itself (dsr_alias_set_*) is declared in dossier.h. */

/*
 * After resolve: every name (display form, NFC) of the entity with the given
 * id, sorted, borrowed from set; *n receives the count. NULL when the id is
 * unknown. Lets convert put aliases met in other records onto the entity.
 */
const char *const *dsr_alias_names(struct dsr_alias_set *set, const char *id, size_t *n);

#endif
