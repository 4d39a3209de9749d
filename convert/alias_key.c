/*
 * Names and their keys for alias normalisation: splitting an alias list into
 * names, the exact key (utf8proc: NFKC, case folding, marks stripped), the
 * --fuzzy transliteration key of Arabic names written in Latin letters, and
 * id slugs. Pure functions: alias.c decides what keys mean for merging.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "alias.h"

/* ---- splitting ---- */

static int is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Keywords that separate names; also skipped where they open a name. */
static const char *const keywords[] = {"a.k.a.", "a.k.a", "f.k.a.", "f.k.a",
                                       "aka",    "fka",   "alias",  NULL};

/* Length of the keyword at text[i], which must end at a blank or the end; else 0. */
static size_t keyword_at(const char *text, size_t len, size_t i) {
    char first = (char)(text[i] | 0x20); /* every keyword starts with a or f */
    if (first != 'a' && first != 'f')
        return 0;
    for (int k = 0; keywords[k]; k++) {
        size_t n = strlen(keywords[k]);
        if (i + n <= len && !strncasecmp(text + i, keywords[k], n) &&
            (i + n == len || is_blank(text[i + n]) || text[i + n] == ')'))
            return n;
    }
    return 0;
}

struct splitter {
    const char *text;
    struct dsr_alias_name *out;
    int max, count;
    size_t start; /* where the current name begins */
    int open;     /* 1 = the current name began after ")": it may be empty */
    int inside;   /* 1 = the current name began after "(" */
    int intro;    /* 1 = the current name was introduced by a keyword or "(" */
};

/*
 * Ends the name text[s->start..end). Empty is allowed only outside a pair of
 * parentheses, next to one: "A (B)" and "(B) A" leave nothing between, "()" is empty.
 */
static void end_name(struct splitter *s, size_t end, int at_paren) {
    size_t a = s->start, b = end;
    while (a < b && is_blank(s->text[a]))
        a++;
    while (b > a && is_blank(s->text[b - 1]))
        b--;
    if (a == b && (s->open || (at_paren && !s->inside)))
        return;
    if (s->count < s->max) {
        s->out[s->count].start = a;
        s->out[s->count].len = b - a;
        s->out[s->count].lead = s->count == 0 && !s->intro;
    }
    s->count++;
}

static int name_empty_so_far(const struct splitter *s, size_t i) {
    for (size_t j = s->start; j < i; j++)
        if (!is_blank(s->text[j]))
            return 0;
    return 1;
}

/* Byte offset of the ")" closing the "(" at text[i], or len when none does. */
static size_t closing(const char *text, size_t len, size_t i) {
    int depth = 0;
    for (; i < len; i++)
        if (text[i] == '(')
            depth++;
        else if (text[i] == ')' && --depth == 0)
            return i;
    return len;
}

/* Words an acronym may skip: "Al-Qaeda in Iraq (AQI)", "Tehrik-i-Taliban Pakistan (TTP)".
 */
static int skippable(const char *w, size_t n) {
    static const char *const words[] = {"in", "of", "for", "and", "the", "on", "to",
                                        "al", "el", "de",  "du",  "des", "la", "le",
                                        "wa", "ul", "ud",  "e",   "i",   "y",  NULL};
    for (int k = 0; words[k]; k++)
        if (strlen(words[k]) == n && !strncasecmp(words[k], w, n))
            return 1;
    return 0;
}

#define ACRONYM_WORDS 16

/* 1 when the letters a[0..n) are the initials of words w[from..k), skipping only what
 * skippable() allows. */
static int initials(const char *a, size_t n, const char *const *w, const size_t *wl,
                    size_t from, size_t k) {
    if (n == 0) {
        for (; from < k; from++)
            if (!skippable(w[from], wl[from]))
                return 0;
        return 1;
    }
    if (from == k)
        return 0;
    if (toupper((unsigned char)w[from][0]) == a[0] &&
        initials(a + 1, n - 1, w, wl, from + 1, k))
        return 1;
    return skippable(w[from], wl[from]) && initials(a, n, w, wl, from + 1, k);
}

/*
 * 1 when the parenthesis text[open..close] is an acronym of the name before it,
 * text[start..open): two to ten capitals, dots allowed (A.Q.I.).
 */
static int is_acronym_of(const char *text, size_t start, size_t open, size_t close) {
    char a[11];
    size_t n = 0;
    for (size_t i = open + 1; i < close; i++) {
        if (text[i] == '.' || is_blank(text[i]))
            continue;
        if (text[i] < 'A' || text[i] > 'Z' || n == sizeof(a) - 1)
            return 0;
        a[n++] = text[i];
    }
    const char *w[ACRONYM_WORDS];
    size_t wl[ACRONYM_WORDS], k = 0;
    for (size_t i = start; i < open;) {
        if (!isalnum((unsigned char)text[i]) && !((unsigned char)text[i] & 0x80)) {
            i++;
            continue;
        }
        if (k == ACRONYM_WORDS)
            return 0;
        w[k] = text + i;
        while (i < open &&
               (isalnum((unsigned char)text[i]) || (unsigned char)text[i] & 0x80))
            i++;
        wl[k] = (size_t)(text + i - w[k]);
        k++;
    }
    return n >= 2 && initials(a, n, w, wl, 0, k);
}

/* 1 when nothing but blanks stands between text[i] and the end of the name. */
static int ends_name(const char *text, size_t len, size_t i) {
    while (i < len && is_blank(text[i]))
        i++;
    return i == len || text[i] == ';' || text[i] == '|' || text[i] == '(' ||
           (text[i] == '/' && is_blank(text[i - 1]) &&
            (i + 1 == len || is_blank(text[i + 1]))) ||
           keyword_at(text, len, i);
}

/*
 * A parenthesis holds an alias only when it reads as one: a keyword inside
 * ("(alias X)", "(a.k.a. X)"), or an acronym of the name it ends ("Al-Qaeda in
 * Iraq (AQI)"). Otherwise it is part of the name: "Bank Melli (PVT) LTD.",
 * "Islamic Revolutionary Guard Corps (IRGC)-Qods Force".
 */
static int alias_paren(const char *text, size_t len, size_t start, size_t open,
                       size_t close) {
    size_t j = open + 1;
    while (j < close && is_blank(text[j]))
        j++;
    if (j == close || keyword_at(text, len, j))
        return 1; /* "()" is an empty name: an error */
    return ends_name(text, len, close + 1) && is_acronym_of(text, start, open, close);
}

int dsr_alias_split(const char *text, size_t len, struct dsr_alias_name *out, int max,
                    size_t *bad) {
    struct splitter s = {text, out, max, 0, 0, 0, 0, 0};
    size_t open_at = 0;
    int depth = 0;
    if (name_empty_so_far(&s, len))
        return 0;
    for (size_t i = 0; i < len;) {
        char c = text[i];
        size_t kw;
        if (c == '(' && depth == 0) {
            size_t close = closing(text, len, i);
            if (close == len) {
                *bad = i;
                return -1;
            }
            if (!alias_paren(text, len, s.start, i, close)) {
                i = close + 1; /* part of the name */
                continue;
            }
        }
        if (c == '(' || c == ')') {
            if (c == ')' && depth == 0) {
                *bad = i;
                return -1;
            }
            if (c == '(' && depth++ == 0)
                open_at = i;
            if (c == ')')
                depth--;
            end_name(&s, i, 1);
            s.start = ++i;
            s.intro = 1;
            s.open = c == ')';
            s.inside = c == '(';
        } else if (c == ';' || c == '|' ||
                   (c == '/' && (i == 0 || is_blank(text[i - 1])) &&
                    (i + 1 == len || is_blank(text[i + 1])))) {
            end_name(&s, i, 0);
            s.start = ++i;
            s.open = s.intro = s.inside = 0;
        } else if ((i == 0 || is_blank(text[i - 1]) || text[i - 1] == '(') &&
                   (kw = keyword_at(text, len, i))) {
            /* A keyword opening a name introduces it; inside a name it separates. */
            if (!name_empty_so_far(&s, i)) {
                end_name(&s, i, 0);
                s.open = 0;
            }
            s.start = i += kw;
            s.intro = 1;
        } else {
            i++;
        }
    }
    if (depth > 0) {
        *bad = open_at;
        return -1;
    }
    end_name(&s, len, 0);
    return s.count;
}

/* ---- the exact key ---- */

/* Apostrophes and the ʿayn/hamza marks of transliteration: dropped, not spaces. */
static int is_dropped(utf8proc_int32_t cp) {
    switch (cp) {
    case '\'':
    case '`':
    case 0x2018:
    case 0x2019:
    case 0x02BB:
    case 0x02BC:
    case 0x02BE:
    case 0x02BF:
    case 0x02B9:
    case 0x00B4:
    case 0x0640: return 1;
    default: return 0;
    }
}

/* Arabic letters that one writer spells two ways: teh marbuta, alef maksura, Persian yeh
 * and kaf. */
static utf8proc_int32_t fold_arabic(utf8proc_int32_t cp) {
    switch (cp) {
    case 0x0629: return 0x0647;
    case 0x0649:
    case 0x06CC: return 0x064A;
    case 0x06A9: return 0x0643;
    default: return cp;
    }
}

/* Letters, digits and symbols stay in a key; everything else separates words. */
static int is_word(utf8proc_int32_t cp) {
    if (cp < 0x80) /* ASCII's letters, digits and symbols, without asking utf8proc */
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
               (cp >= '0' && cp <= '9') || (cp > 0 && strchr("$+<=>^`|~", (int)cp));
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO) ||
           (c >= UTF8PROC_CATEGORY_SM && c <= UTF8PROC_CATEGORY_SO);
}

/* Appends word w (n bytes) to key unless it is a particle; folds ibn into bin. */
static void put_word(char *key, size_t *k, const char *w, size_t n, int last) {
    if (!last && n == 2 && (!memcmp(w, "al", 2) || !memcmp(w, "el", 2)))
        return;
    if (n == 3 && !memcmp(w, "ibn", 3))
        w = "bin";
    if (*k)
        key[(*k)++] = ' ';
    memcpy(key + *k, w, n);
    *k += n;
    key[*k] = '\0';
}

/* NFKC, case folding and mark stripping leave ASCII as it is, but for its case. */
static utf8proc_uint8_t *ascii_folded(const char *name, size_t len) {
    utf8proc_uint8_t *norm = malloc(len + 1);
    for (size_t i = 0; norm && i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x80 || !c) {
            free(norm);
            return NULL;
        }
        norm[i] = (utf8proc_uint8_t)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (norm)
        norm[len] = '\0';
    return norm;
}

/* The key of a name as written. */
static char *written_key(const char *name, size_t len) {
    utf8proc_uint8_t *norm = ascii_folded(name, len);
    utf8proc_ssize_t n = (utf8proc_ssize_t)len;
    if (!norm) {
        if (!dsr_utf8_valid(name, len))
            return NULL;
        n = utf8proc_map((const utf8proc_uint8_t *)name, (utf8proc_ssize_t)len, &norm,
                         UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                             UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    }
    if (n < 0)
        return NULL;
    /* Words are gathered into `word`, then handed to put_word with one-word lookahead. */
    char *key = malloc((size_t)n + 2), *word = malloc((size_t)n + 1),
         *prev = malloc((size_t)n + 1);
    size_t k = 0, w = 0, p = 0;
    int have_prev = 0;
    if (!key || !word || !prev) {
        free(key);
        key = NULL;
        goto out;
    }
    key[0] = '\0';
    for (utf8proc_ssize_t i = 0; i <= n;) {
        utf8proc_int32_t cp = 0;
        utf8proc_ssize_t step = 1;
        if (i < n)
            step = utf8proc_iterate(norm + i, n - i, &cp);
        if (i < n && is_dropped(cp)) {
            i += step;
            continue;
        }
        if (i < n && is_word(cp)) {
            w += (size_t)utf8proc_encode_char(fold_arabic(cp),
                                              (utf8proc_uint8_t *)word + w);
        } else if (w) {
            if (have_prev)
                put_word(key, &k, prev, p, 0);
            memcpy(prev, word, w);
            p = w;
            have_prev = 1;
            w = 0;
        }
        i += step;
    }
    if (have_prev)
        put_word(key, &k, prev, p, 1);
out:
    free(norm);
    free(word);
    free(prev);
    return key;
}

/* Legal forms written after a comma: "ACME, S.A." is no person. */
static int legal_form(const char *w, size_t n) {
    static const char *const forms[] = {"sa",  "ag",   "bv",  "nv",  "oy",   "ab",
                                        "kg",  "spa",  "srl", "sro", "sarl", "sas",
                                        "ooo", "zao",  "oao", "pao", "tov",  "doo",
                                        "dd",  "ltda", "cia", "as",  NULL};
    for (int k = 0; forms[k]; k++)
        if (strlen(forms[k]) == n && !strncmp(forms[k], w, n))
            return 1;
    return 0;
}

/*
 * Number of words in a key that can be part of a person's name, or 0 when a
 * word marks an organisation or a legal form, is a number, or no word has two
 * letters (S.R.O. keys as "s r o").
 */
static size_t person_words(const char *key) {
    size_t w = 0, long_words = 0;
    for (const char *p = key; *p; w++) {
        size_t n = strcspn(p, " ");
        if (dsr_alias_stop_word(p, n) || legal_form(p, n) || strspn(p, "0123456789") == n)
            return 0;
        long_words += n >= 2;
        p += n + (p[n] == ' ');
    }
    return long_words ? w : 0;
}

/*
 * Sanctions lists write people "SURNAME, Given Names": such a name has the key
 * of "Given Names SURNAME", so that it meets the name written in natural order.
 * Only a person's name turns (one comma, up to four words each side, no word
 * of an organisation or a number): "AIR FORCE, IRGC" and "ACME, INC." stay.
 */
char *dsr_alias_key(const char *name, size_t len) {
    const char *comma = memchr(name, ',', len);
    if (!comma || memchr(comma + 1, ',', len - (size_t)(comma + 1 - name)))
        return written_key(name, len);
    char *family = written_key(name, (size_t)(comma - name));
    char *given = written_key(comma + 1, len - (size_t)(comma + 1 - name));
    char *key = NULL;
    if (family && given) {
        size_t f = person_words(family), g = person_words(given);
        if (f >= 1 && f <= 4 && g >= 1 && g <= 4 &&
            (key = malloc(strlen(family) + strlen(given) + 2)))
            sprintf(key, "%s %s", given, family);
        else
            key = written_key(name, len);
    }
    free(family);
    free(given);
    return key;
}

/* ---- the transliteration key ---- */

static int is_vowel(char c) {
    return c && strchr("aeiou", c) != NULL;
}

/* y is a vowel inside a word unless a vowel follows it (Sayf, but Sayyid, Atiyah). */
static int vowel_at(const char *s, size_t i) {
    if (s[i] == 'y')
        return i > 0 && !is_vowel(s[i + 1]);
    return is_vowel(s[i]);
}

/* Spelling pairs of Arabic transliteration, folded before the skeleton is taken. */
static const char *const pairs[][2] = {{"qu", "k"}, {"ck", "k"}, {"q", "k"},  {"kh", "x"},
                                       {"gh", "g"}, {"dh", "z"}, {"th", "t"}, {"ph", "f"},
                                       {"dj", "j"}, {"ou", "u"}, {"oo", "u"}, {"ee", "i"},
                                       {"o", "u"},  {NULL, NULL}};

/* Class of a vowel run: A, Y, W for long vowels and diphthongs, else a short a, i or u.
 */
static char run_class(const char *r, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if ((r[i] == 'a' || r[i] == 'e') &&
            (r[i + 1] == 'i' || r[i + 1] == 'y' || r[i + 1] == 'e'))
            return 'Y';
        if (r[i] == 'a' && r[i + 1] == 'u')
            return 'W';
        if (r[i] == 'a' && r[i + 1] == 'a')
            return 'A';
    }
    return r[0] == 'u' ? 'u' : r[0] == 'a' ? 'a' : 'i';
}

/*
 * One word's skeleton: its consonants, the class of its first vowel (which
 * tells Mahmud from Muhammad, Saad from Said), later long vowels; later short
 * vowels are dropped, since Arabic does not write them (Hizballah, Hezbollah).
 */
static size_t skeleton(const char *w, size_t n, char *out) {
    char t[256];
    size_t m = 0;
    for (size_t i = 0; i < n && m < sizeof(t) - 1;) {
        int k = 0;
        while (pairs[k][0] && strncmp(w + i, pairs[k][0], strlen(pairs[k][0])))
            k++;
        /* Doubled consonants count once; ta marbuta (Usamah) is silent. */
        char c = pairs[k][0] ? pairs[k][1][0] : w[i];
        i += pairs[k][0] ? strlen(pairs[k][0]) : 1;
        if (m && c == t[m - 1] && !is_vowel(c))
            continue;
        if (c == 'h' && i == n && m >= 2 && is_vowel(t[m - 1]))
            continue;
        t[m++] = c;
    }
    t[m] = '\0';
    size_t o = 0;
    int first = 1;
    for (size_t i = 0; i < m;) {
        if (!vowel_at(t, i)) {
            out[o++] = t[i++];
            continue;
        }
        size_t j = i;
        while (j < m && vowel_at(t, j))
            j++;
        char c = run_class(t + i, j - i);
        if (first || (c >= 'A' && c <= 'Z'))
            out[o++] = c;
        first = 0;
        i = j;
    }
    out[o] = '\0';
    return o;
}

/* The sun letters assimilate the article: ad-Din, ash-Shabab, az-Zawahiri. */
static int is_assimilated(const char *w, size_t n, const char *next) {
    if (n < 2 || n > 3 || !strchr("aeu", w[0]))
        return 0;
    if (n == 2 && w[1] == 'l')
        return 1;
    return strchr("dnrstz", w[1]) && !strncmp(next, w + 1, n - 1);
}

/* Abdul Aziz, Abdelaziz, Abd al-Aziz: the "servant of" prefix spelled one way. */
static size_t split_abd(const char *w, size_t n, size_t *rest) {
    static const char *const forms[] = {"abdoul", "abdul", "abdel",
                                        "abdal",  "abdol", NULL};
    for (int k = 0; forms[k]; k++) {
        size_t f = strlen(forms[k]);
        if (n >= f && !strncmp(w, forms[k], f) && (n == f || n - f >= 2)) {
            *rest = f;
            return 3;
        }
    }
    return 0;
}

char *dsr_alias_fuzzy_key(const char *key) {
    size_t len = strlen(key);
    char *out = malloc(len * 2 + 8);
    if (!out)
        return NULL;
    size_t o = 0;
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, " ");
        const char *next = p[n] ? p + n + 1 : "";
        int plain = n >= 3 && n < 128;
        for (size_t i = 0; i < n && plain; i++)
            plain = p[i] >= 'a' && p[i] <= 'z';
        size_t rest = 0;
        if (*next && is_assimilated(p, n, next)) {
            /* dropped, like al- in the exact key */
        } else if (!plain) {
            o += (size_t)sprintf(out + o, "%s%.*s", o ? " " : "", (int)n, p);
        } else if (!strncmp(p, "ben", n) || !strncmp(p, "ibn", n)) {
            o += (size_t)sprintf(out + o, "%sbin", o ? " " : "");
        } else if (split_abd(p, n, &rest)) {
            o += (size_t)sprintf(out + o, "%sabd", o ? " " : "");
            if (rest < n) {
                out[o++] = ' ';
                o += skeleton(p + rest, n - rest, out + o);
            }
        } else {
            if (o)
                out[o++] = ' ';
            o += skeleton(p, n, out + o);
        }
        p += n + (p[n] != '\0');
    }
    out[o] = '\0';
    return out;
}

/* ---- id slugs ---- */

void dsr_alias_slug(const char *name, char *out, size_t max) {
    utf8proc_uint8_t *s = NULL;
    size_t o = 0;
    if (utf8proc_map((const utf8proc_uint8_t *)name, -1, &s,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
                         UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK) >=
        0) {
        int hyphen = 0;
        for (const utf8proc_uint8_t *p = s; *p && o + 2 < max; p++) {
            if (*p == '\'' || *p >= 0x80)
                continue;
            if (isalnum(*p)) {
                if (hyphen && o)
                    out[o++] = '-';
                out[o++] = (char)tolower(*p);
                hyphen = 0;
            } else {
                hyphen = 1;
            }
        }
        /* A slug cut short ends at a word boundary, never inside a word. */
        if (o + 2 >= max) {
            while (o && out[o - 1] != '-')
                o--;
            if (o)
                o--;
        }
    }
    out[o] = '\0';
    free(s);
}
