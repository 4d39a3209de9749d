/*
 * Host names for "hostname" and "idn-hostname": RFC 1123 labels, and for
 * internationalised labels IDNA2008 as far as Unicode properties from
 * utf8proc reach: Punycode A-labels (RFC 3492) decoded and re-encoded, no
 * leading combining mark, the DISALLOWED exceptions and CONTEXTJ/CONTEXTO
 * rules of RFC 5892, and the Bidi rule of RFC 5893. Not covered: the full
 * derived-property table (IDNA2008 decides PVALID per code point; here
 * letters, marks and digits pass).
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <utf8proc.h>

#include "jschema.h"

#define MAX_CP 256

/* RFC 3492 parameters. */
enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, IBIAS = 72, IN = 128 };

static uint32_t adapt(uint32_t delta, uint32_t n, int first) {
    uint32_t k = 0;
    delta = first ? delta / DAMP : delta / 2;
    delta += delta / n;
    for (; delta > ((BASE - TMIN) * TMAX) / 2; k += BASE)
        delta /= BASE - TMIN;
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static int digit_of(int c) {
    if (c >= '0' && c <= '9')
        return c - '0' + 26;
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    return -1;
}

/* Decodes Punycode s[0..len) into out; returns the count, or -1. */
static int puny_decode(const char *s, size_t len, uint32_t *out) {
    size_t b = 0, n_out = 0;
    for (size_t j = 0; j < len; j++)
        if (s[j] == '-')
            b = j;
    for (size_t j = 0; j < b; j++) {
        if ((unsigned char)s[j] >= 0x80)
            return -1;
        out[n_out++] = (unsigned char)s[j];
    }
    uint32_t n = IN, bias = IBIAS, i = 0;
    for (size_t in = b > 0 ? b + 1 : 0; in < len;) {
        uint32_t oldi = i, w = 1;
        for (uint32_t k = BASE;; k += BASE) {
            int d = in < len ? digit_of(s[in++]) : -1;
            if (d < 0 || (uint32_t)d > (UINT32_MAX - i) / w)
                return -1;
            i += (uint32_t)d * w;
            uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
            if ((uint32_t)d < t)
                break;
            w *= BASE - t;
        }
        bias = adapt(i - oldi, (uint32_t)n_out + 1, oldi == 0);
        n += i / ((uint32_t)n_out + 1);
        i %= (uint32_t)n_out + 1;
        if (n_out >= MAX_CP || n > 0x10FFFF)
            return -1;
        memmove(out + i + 1, out + i, (n_out - i) * sizeof *out);
        out[i++] = n;
        n_out++;
    }
    return (int)n_out;
}

static char encode_digit(uint32_t d) {
    return (char)(d < 26 ? 'a' + d : '0' + d - 26);
}

/* Encodes cps into out (size n, NUL-terminated); returns 0, or -1 when it does not fit.
 */
static int puny_encode(const uint32_t *cps, size_t count, char *out, size_t size) {
    size_t o = 0, h, b = 0;
    for (size_t j = 0; j < count; j++)
        if (cps[j] < 0x80 && o + 1 < size)
            out[o++] = (char)cps[j], b++;
    h = b;
    if (b && o + 1 < size)
        out[o++] = '-';
    uint32_t n = IN, delta = 0, bias = IBIAS;
    while (h < count) {
        uint32_t m = UINT32_MAX;
        for (size_t j = 0; j < count; j++)
            if (cps[j] >= n && cps[j] < m)
                m = cps[j];
        delta += (m - n) * (uint32_t)(h + 1);
        n = m;
        for (size_t j = 0; j < count; j++) {
            if (cps[j] < n)
                delta++;
            if (cps[j] != n)
                continue;
            uint32_t q = delta;
            for (uint32_t k = BASE;; k += BASE) {
                uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
                if (q < t)
                    break;
                if (o + 1 >= size)
                    return -1;
                out[o++] = encode_digit(t + (q - t) % (BASE - t));
                q = (q - t) / (BASE - t);
            }
            if (o + 1 >= size)
                return -1;
            out[o++] = encode_digit(q);
            bias = adapt(delta, (uint32_t)h + 1, h == b);
            delta = 0;
            h++;
        }
        delta++;
        n++;
    }
    out[o] = '\0';
    return 0;
}

static int category(uint32_t c) {
    return utf8proc_get_property((utf8proc_int32_t)c)->category;
}

static int bidi(uint32_t c) {
    return utf8proc_get_property((utf8proc_int32_t)c)->bidi_class;
}

static int is_virama(uint32_t c) {
    return utf8proc_get_property((utf8proc_int32_t)c)->combining_class == 9;
}

static int in(uint32_t c, uint32_t lo, uint32_t hi) {
    return c >= lo && c <= hi;
}

/* RFC 5892: exceptions, CONTEXTJ and CONTEXTO rules, and what a label may hold. */
static int idna_rules(const uint32_t *cp, size_t n) {
    int arabic = 0, extended = 0, kana = 0, has_katakana_dot = 0;
    int cat0 = category(cp[0]);
    if (cat0 == UTF8PROC_CATEGORY_MN || cat0 == UTF8PROC_CATEGORY_MC ||
        cat0 == UTF8PROC_CATEGORY_ME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        int cat = category(c);
        if (c == 0x0640 || c == 0x07FA || c == 0x302E || c == 0x302F ||
            in(c, 0x3031, 0x3035) || c == 0x303B)
            return 0;
        if (c == 0x00B7 && (i == 0 || i + 1 >= n || cp[i - 1] != 'l' || cp[i + 1] != 'l'))
            return 0;
        if (c == 0x0375 && (i + 1 >= n || !(in(cp[i + 1], 0x370, 0x3FF) ||
                                            in(cp[i + 1], 0x1F00, 0x1FFF))))
            return 0;
        if ((c == 0x05F3 || c == 0x05F4) && (i == 0 || !in(cp[i - 1], 0x590, 0x5FF)))
            return 0;
        if (c == 0x200D && (i == 0 || !is_virama(cp[i - 1])))
            return 0;
        /* ZWNJ: after a virama, or between joining letters (Arabic letters here) */
        if (c == 0x200C && (i == 0 || !is_virama(cp[i - 1])) &&
            (i == 0 || i + 1 >= n || !in(cp[i - 1], 0x620, 0x64A) ||
             !in(cp[i + 1], 0x620, 0x64A)))
            return 0;
        arabic |= in(c, 0x660, 0x669);
        extended |= in(c, 0x6F0, 0x6F9);
        has_katakana_dot |= c == 0x30FB;
        kana |= (in(c, 0x3040, 0x30FF) && c != 0x30FB) || in(c, 0x3400, 0x4DBF) ||
                in(c, 0x4E00, 0x9FFF) || in(c, 0x20000, 0x2FFFF);
        /* contextual ones checked above, and RFC 5892 2.6's PVALID exceptions */
        if (c == 0x200C || c == 0x200D || c == 0x00B7 || c == 0x0375 || c == 0x05F3 ||
            c == 0x05F4 || c == 0x30FB || c == '-' || c == 0x00DF || c == 0x03C2 ||
            c == 0x06FD || c == 0x06FE || c == 0x0F0B || c == 0x3007)
            continue;
        if (cat != UTF8PROC_CATEGORY_LL && cat != UTF8PROC_CATEGORY_LO &&
            cat != UTF8PROC_CATEGORY_LM && cat != UTF8PROC_CATEGORY_MN &&
            cat != UTF8PROC_CATEGORY_MC && cat != UTF8PROC_CATEGORY_ND &&
            !(c < 0x80 && (in(c, 'A', 'Z') || in(c, '0', '9'))))
            return 0;
    }
    return !(arabic && extended) && !(has_katakana_dot && !kana);
}

static int is_rtl(int b) {
    return b == UTF8PROC_BIDI_CLASS_R || b == UTF8PROC_BIDI_CLASS_AL ||
           b == UTF8PROC_BIDI_CLASS_AN;
}

/* RFC 5893 section 2, for every label of a domain that holds right-to-left text. */
static int bidi_rule(const uint32_t *cp, size_t n) {
    int first = bidi(cp[0]), en = 0, an = 0;
    int rtl = first == UTF8PROC_BIDI_CLASS_R || first == UTF8PROC_BIDI_CLASS_AL;
    if (!rtl && first != UTF8PROC_BIDI_CLASS_L)
        return 0;
    size_t last = n;
    while (last > 1 && bidi(cp[last - 1]) == UTF8PROC_BIDI_CLASS_NSM)
        last--;
    for (size_t i = 0; i < n; i++) {
        int b = bidi(cp[i]);
        en |= b == UTF8PROC_BIDI_CLASS_EN;
        an |= b == UTF8PROC_BIDI_CLASS_AN;
        int common = b == UTF8PROC_BIDI_CLASS_EN || b == UTF8PROC_BIDI_CLASS_ES ||
                     b == UTF8PROC_BIDI_CLASS_CS || b == UTF8PROC_BIDI_CLASS_ET ||
                     b == UTF8PROC_BIDI_CLASS_ON || b == UTF8PROC_BIDI_CLASS_BN ||
                     b == UTF8PROC_BIDI_CLASS_NSM;
        if (!common && (rtl ? !is_rtl(b) : b != UTF8PROC_BIDI_CLASS_L))
            return 0;
    }
    int end = bidi(cp[last - 1]);
    if (rtl)
        return !(en && an) && (is_rtl(end) || end == UTF8PROC_BIDI_CLASS_EN);
    return end == UTF8PROC_BIDI_CLASS_L || end == UTF8PROC_BIDI_CLASS_EN;
}

/* One label: LDH, an A-label ("xn--") or, when unicode, a U-label; fills its code points.
 */
static int check_label(const char *s, size_t len, int unicode, uint32_t *cp, size_t *n) {
    size_t k = 0;
    int ascii = 1;
    for (size_t i = 0; i < len; i++)
        ascii &= (unsigned char)s[i] < 0x80;
    if (len == 0 || s[0] == '-' || s[len - 1] == '-' || (ascii && len > 63))
        return 0;
    if (ascii) {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!(c == '-' || (c >= '0' && c <= '9') ||
                  ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
                return 0;
            cp[i] = c;
        }
        *n = len;
        if (len < 4 || s[2] != '-' || s[3] != '-')
            return 1;
        if ((s[0] | 0x20) != 'x' || (s[1] | 0x20) != 'n')
            return 0;
        /* an A-label: valid Punycode of a valid U-label, in its one canonical form */
        char enc[MAX_CP * 4];
        int m = puny_decode(s + 4, len - 4, cp);
        int only_ascii = 1;
        for (int i = 0; i < m; i++)
            only_ascii &= cp[i] < 0x80;
        if (m <= 0 || only_ascii || puny_encode(cp, (size_t)m, enc, sizeof enc) ||
            strlen(enc) != len - 4 || strncasecmp(enc, s + 4, len - 4))
            return 0;
        *n = (size_t)m;
        return !(m >= 4 && cp[2] == '-' && cp[3] == '-') && idna_rules(cp, (size_t)m);
    }
    if (!unicode)
        return 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t step = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                 (utf8proc_ssize_t)(len - i), &c);
        if (step <= 0 || k >= MAX_CP)
            return 0;
        cp[k++] = (uint32_t)c;
        i += (size_t)step;
    }
    *n = k;
    /* the A-label form must fit in 63 octets */
    char enc[MAX_CP * 4];
    if (puny_encode(cp, k, enc, sizeof enc) || strlen(enc) + 4 > 63)
        return 0;
    return !(k >= 4 && cp[2] == '-' && cp[3] == '-') && idna_rules(cp, k);
}

/* Length in bytes of a label separator at s: ".", or with unicode U+3002, U+FF0E, U+FF61.
 */
static size_t separator(const char *s, size_t left, int unicode) {
    if (*s == '.')
        return 1;
    if (!unicode || left < 3)
        return 0;
    if (!memcmp(s, "\xE3\x80\x82", 3) || !memcmp(s, "\xEF\xBC\x8E", 3) ||
        !memcmp(s, "\xEF\xBD\xA1", 3))
        return 3;
    return 0;
}

int dsr_jschema_hostname_check(const char *s, size_t len, int unicode) {
    static const size_t max_labels = 127;
    uint32_t cps[max_labels][MAX_CP];
    size_t lens[max_labels], count = 0, start = 0;
    int any_rtl = 0;
    if (len == 0 || (!unicode && len > 253) || (unicode && dsr_utf8_length(s, len) > 253))
        return 0;
    for (size_t i = 0; i <= len; i++) {
        size_t sep = i < len ? separator(s + i, len - i, unicode) : 1;
        if (!sep)
            continue;
        if (count == max_labels ||
            !check_label(s + start, i - start, unicode, cps[count], &lens[count]))
            return 0;
        for (size_t j = 0; j < lens[count]; j++)
            any_rtl |= is_rtl(bidi(cps[count][j]));
        count++;
        i += sep - 1;
        start = i + 1;
    }
    for (size_t l = 0; any_rtl && l < count; l++)
        if (!bidi_rule(cps[l], lens[l]))
            return 0;
    return 1;
}
