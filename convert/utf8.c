/*
 * UTF-8, in one place: validity, lengths in characters, decoding
 * one character, and cutting text between characters.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

int dsr_utf8_valid(const char *s, size_t len) {
    const char *p = s, *end = s + len;
    while (p < end) {
        /* Most text is ASCII: eight bytes at a time while no high bit or NUL is set. */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if ((w & 0x8080808080808080u) ||
                ((w - 0x0101010101010101u) & ~w & 0x8080808080808080u))
                break;
            p += 8;
        }
        if (p == end)
            break;
        unsigned char lead = (unsigned char)*p;
        if (lead == 0)
            return 0;
        if (lead < 0x80) {
            p++;
            continue;
        }
        /* Two- and three-byte characters whose lead alone rules out overlong forms
           and surrogates (C2-DF; E1-EC, EE, EF): only their continuations to check. */
        const unsigned char *u = (const unsigned char *)p;
        if (lead >= 0xC2 && lead <= 0xDF && end - p >= 2 && (u[1] & 0xC0) == 0x80) {
            p += 2;
            continue;
        }
        if (lead >= 0xE1 && lead <= 0xEF && lead != 0xED && end - p >= 3 &&
            (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
            p += 3;
            continue;
        }
        long need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (end - p < need || dsr_utf8_next(&p) < 0) /* dsr_utf8_next stops at a NUL */
            return 0;
    }
    return 1;
}

size_t dsr_utf8_length(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

size_t dsr_utf8_trim(const char *s, size_t len) {
    size_t i = len;
    while (i > 0 && len - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return len;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return len - (i - 1) >= need ? len : i - 1;
}

#ifdef __SSE2__
/*
 * Counts the characters of the 64 bytes at p into *column, unless one is a
 * newline: 1 when counted, else 0.
 */
static inline int count_block(const char *p, int *column) {
    __m128i newlines = _mm_setzero_si128(), continuing = _mm_setzero_si128();
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
        newlines = _mm_or_si128(newlines, _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
        /* 10xxxxxx, as signed bytes below -64: each adds 1 (-(-1)) to its lane */
        continuing = _mm_sub_epi8(continuing, _mm_cmplt_epi8(v, _mm_set1_epi8(-64)));
    }
    if (_mm_movemask_epi8(newlines))
        return 0;
    __m128i sums = _mm_sad_epu8(continuing, _mm_setzero_si128()); /* two halves */
    *column += 64 - _mm_cvtsi128_si32(sums) - _mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
    return 1;
}
#endif

void dsr_text_advance(const char *text, size_t n, int *line, int *column) {
    const char *p = text, *end = text + n;
    while (p < end) {
#ifdef __SSE2__
        while (end - p >= 64 && count_block(p, column))
            p += 64;
#endif
        /* Eight bytes at a time while no newline comes: count characters' first bytes. */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (dsr_bytes_equal(w, '\n'))
                break;
            *column += 8 - (int)dsr_bytes_counted(dsr_continuation_bytes(w));
            p += 8;
        }
        /* Then a byte at a time, up to and past the next newline. */
        for (; p < end; p++) {
            if (*p == '\n') {
                ++*line;
                *column = 1;
                p++;
                break;
            }
            if (((unsigned char)*p & 0xC0) != 0x80)
                ++*column;
        }
    }
}
