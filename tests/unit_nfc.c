/*
 * The NFC shortcut (nfc_stable.c, generated from Python's Unicode data) checked
 * against utf8proc, which normalises everything else: a character the table
 * calls stable must be its own NFC, of combining class 0, and never the second
 * of a canonical composition (found here by decomposing every character with
 * utf8proc itself), Hangul jamo included. And text through the shortcut must
 * come out as utf8proc would write it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

static int failures;

static void check(int ok, const char *what, long cp) {
    if (!ok) {
        if (failures < 20)
            printf("FAIL nfc %s: U+%04lX\n", what, cp);
        failures++;
    }
}

/* NFC of the code points a[0..n) by utf8proc, into out (UTF-32); its length or -1. */
static long nfc32(const utf8proc_int32_t *a, long n, utf8proc_int32_t *out) {
    utf8proc_uint8_t in[32];
    long k = 0;
    for (long i = 0; i < n; i++)
        k += utf8proc_encode_char(a[i], in + k);
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t len = utf8proc_map(in, k, &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    if (len < 0)
        return -1;
    long m = 0;
    for (utf8proc_ssize_t i = 0; i < len && m < 8;) {
        utf8proc_int32_t c;
        i += utf8proc_iterate(nfc + i, len - i, &c);
        out[m++] = c;
    }
    free(nfc);
    return m;
}

int main(void) {
    static unsigned char second[0x10000];
    /* Every canonical pair utf8proc composes: its second part. */
    for (utf8proc_int32_t cp = 0; cp < 0x10000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        utf8proc_int32_t d[8];
        int last;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &last);
        if (n == 2 && d[1] < 0x10000) {
            utf8proc_int32_t back[8];
            if (nfc32(d, 2, back) == 1 && back[0] == cp)
                second[d[1]] = 1;
        }
    }
    long stable = 0;
    for (utf8proc_int32_t cp = 0; cp < 0x10000; cp++) {
        if (!dsr_nfc_stable(cp))
            continue;
        stable++;
        utf8proc_int32_t out[8];
        check(nfc32(&cp, 1, out) == 1 && out[0] == cp, "stable but not its own NFC", cp);
        check(utf8proc_get_property(cp)->combining_class == 0,
              "stable but of a combining class", cp);
        check(!second[cp], "stable but the second of a composition", cp);
        /* Hangul: an LV syllable takes a T jamo, a leading jamo a V jamo. */
        utf8proc_int32_t lv[2] = {0xAC00, cp}, l[2] = {0x1100, cp};
        check(nfc32(lv, 2, out) == 2 && nfc32(l, 2, out) == 2, "joins a Hangul jamo", cp);
    }
    printf("%s nfc table: %ld stable characters checked against utf8proc\n",
           failures ? "FAIL" : "ok", stable);
    long marks = 0;
    for (utf8proc_int32_t cp = 0; cp < 0x10000; cp++) {
        int class = dsr_nfc_mark_class(cp);
        if (!class)
            continue;
        marks++;
        utf8proc_int32_t out[8], after_base[2] = {'a', cp},
                                 after_syllable[2] = {0xAC00, cp};
        check(class == utf8proc_get_property(cp)->combining_class,
              "a mark of another class", cp);
        check(!second[cp], "a mark that is the second of a composition", cp);
        check(nfc32(after_base, 2, out) == 2 && out[0] == 'a' && out[1] == cp &&
                  nfc32(after_syllable, 2, out) == 2 && out[1] == cp,
              "a mark NFC changes after a base", cp);
    }
    printf("%s nfc marks: %ld marks checked against utf8proc\n", failures ? "FAIL" : "ok",
           marks);

    /* Text through the shortcut is utf8proc's NFC, spaces collapsed. */
    const char *texts[] = {"Sayf al-Adl", "  Zāhedān  نقطة  ", "据报道，会议 在边境",
                           "Ясин ас-Сури", "\xCE\x86\xCE\xBB\xCF\x86\xCE\xB1",
                           /* Arabic with its marks in order, and out of order */
                           "\xD8\xB3\xD9\x8E\xD9\x84\xD8\xA7\xD9\x85\xD9\x8C",
                           "\xD8\xA8\xD9\x91\xD9\x8E", "\xD8\xA8\xD9\x8E\xD9\x91",
                           /* a mark first, with no base */
                           "\xD9\x8E\xD8\xA8", "a\xCC\xA3\xCC\x87", "a\xCC\x87\xCC\xA3",
                           /* spaces around, trimmed first: one before a mark */
                           " Abu Hafs ", "  \xCC\x81x  ", " \xD8\xA8\xD9\x8E "};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char *got = dsr_text_normalize(texts[i], strlen(texts[i]));
        utf8proc_uint8_t *nfc = NULL;
        utf8proc_map((const utf8proc_uint8_t *)texts[i], 0, &nfc,
                     UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        char *want = dsr_text_normalize((const char *)nfc, strlen((const char *)nfc));
        int ok = got && want && !strcmp(got, want);
        printf("%s nfc text %zu\n", ok ? "ok" : "FAIL", i);
        failures += !ok;
        free(got);
        free(want);
        free(nfc);
    }
    /*
     * Two spaces become one wherever they stand against the shortcut's blocks of
     * eight and sixteen bytes (one space ending a block, the next starting one).
     */
    int spaced = 0;
    for (size_t at = 1; at < 40; at++)
        for (size_t after = 1; after < 24; after++) {
            char text[80], want[80];
            memset(text, 'a', at);
            memset(text + at, ' ', 2);
            memset(text + at + 2, 'b', after);
            text[at + 2 + after] = '\0';
            memcpy(want, text, at + 1);
            memcpy(want + at + 1, text + at + 2, after + 1);
            char *got = dsr_text_normalize(text, strlen(text));
            spaced += !got || strcmp(got, want);
            free(got);
        }
    printf("%s nfc collapses two spaces at every offset\n", spaced ? "FAIL" : "ok");
    failures += spaced;
    /* Decomposed input still goes through utf8proc: e + U+0301 becomes U+00E9. */
    char *e = dsr_text_normalize("e\xCC\x81", 3);
    int ok = e && !strcmp(e, "\xC3\xA9");
    printf("%s nfc composes what the shortcut leaves\n", ok ? "ok" : "FAIL");
    failures += !ok;
    free(e);
    return failures ? 1 : 0;
}
