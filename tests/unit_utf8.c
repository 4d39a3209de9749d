/*
 * dsr_utf8_valid, written for speed (eight ASCII bytes at a time), must say
 * what utf8proc says of every one- and two-byte sequence, of three-byte
 * sequences of every lead and second byte, and of sequences made of the bytes
 * at every boundary, wherever the sequence stands in
 * an ASCII text (the word-at-a-time scan must not skip or misread a byte),
 * and must refuse a NUL as utf8proc's reading (code point 0) would.
 */
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

static long checked, failures;

static int reference(const unsigned char *s, size_t len) {
    utf8proc_ssize_t left = (utf8proc_ssize_t)len;
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(s, left, &cp);
        if (n < 0 || cp == 0)
            return 0;
        s += n;
        left -= n;
    }
    return 1;
}

/* seq[0..n) inside ASCII text, at every offset 0-9, with 0-9 bytes after it. */
static void check(const unsigned char *seq, size_t n) {
    unsigned char buf[32];
    for (size_t before = 0; before < 10; before += 3)
        for (size_t after = 0; after < 10; after += 4) {
            memset(buf, 'a', sizeof(buf));
            memcpy(buf + before, seq, n);
            size_t len = before + n + after;
            checked++;
            if (dsr_utf8_valid((const char *)buf, len) != reference(buf, len) &&
                failures++ < 10)
                printf("FAIL utf8 %02X %02X %02X %02X (%zu bytes) at %zu\n", seq[0],
                       n > 1 ? seq[1] : 0, n > 2 ? seq[2] : 0, n > 3 ? seq[3] : 0, n,
                       before);
        }
}

/*
 * dsr_text_advance, which counts 64 or eight bytes at a time between
 * newlines, must count as the plain rule does: "\n" starts a line, columns
 * count characters. Half the texts have newlines far apart, for the 64.
 */
static long advance_failures(void) {
    static const char *const pieces[] = {
        "a", "\n",   "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80",
        " ", "\r\n", "abcdefgh"};
    char text[600];
    long failures = 0;
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        while (n < 500) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % 8];
            if (round % 2 && *p == '\n' && (seed >> 8) % 16)
                p = pieces[2]; /* most newlines left out */
            memcpy(text + n, p, strlen(p));
            n += strlen(p);
        }
        seed = seed * 1103515245u + 12345u;
        size_t start = (seed >> 16) % 40, len = n - start - (seed >> 8) % 40;
        int line = 3, column = 5, want_line = 3, want_column = 5;
        for (size_t i = start; i < start + len; i++) {
            if (text[i] == '\n')
                want_line++, want_column = 1;
            else if (((unsigned char)text[i] & 0xC0) != 0x80)
                want_column++;
        }
        dsr_text_advance(text + start, len, &line, &column);
        failures += line != want_line || column != want_column;
    }
    return failures;
}

int main(void) {
    long advanced = advance_failures();
    printf("%s utf8: positions over 20000 texts, %ld wrong\n", advanced ? "FAIL" : "ok",
           advanced);
    static const unsigned char edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                          0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED,
                                          0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 'a'};
    unsigned char s[4];
    for (int a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        check(s, 1);
        for (int b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            check(s, 2);
            for (size_t c = 0; a >= 0xE0 && c < sizeof(edges); c++) {
                s[2] = edges[c];
                check(s, 3);
            }
        }
    }
    for (size_t a = 0; a < sizeof(edges); a++)
        for (size_t b = 0; b < sizeof(edges); b++)
            for (size_t c = 0; c < sizeof(edges); c++)
                for (size_t d = 0; d < sizeof(edges); d++) {
                    s[0] = edges[a], s[1] = edges[b], s[2] = edges[c], s[3] = edges[d];
                    check(s, 4);
                }
    printf("%s utf8: %ld sequences in place, %ld failures\n", failures ? "FAIL" : "ok",
           checked, failures);
    return failures || advanced ? 1 : 0;
}
