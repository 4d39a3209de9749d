/*
 * What every reader does first: tell the encoding from the input's first
 * bytes. UTF-8 is read, with or without a byte-order mark (spreadsheets write
 * one); UTF-16 and UTF-32 are refused with one message, whatever the format.
 */
#include "internal.h"

int dsr_input_start(const unsigned char *b, size_t n, const char *name, int line,
                    struct dsr_diags *diags) {
    /* UTF-16 and UTF-32 start with a BOM of their own or put a NUL in the first two. */
    if (n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) ||
                   b[0] == 0 || b[1] == 0)) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, name, line, 1, NULL,
                     "UTF-16 or UTF-32 input refused: dossier reads UTF-8");
        return -1;
    }
    return n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
}
