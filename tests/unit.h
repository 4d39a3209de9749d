/* What the unit tests share. */
#ifndef DSR_UNIT_H
#define DSR_UNIT_H

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* A dsr_record_fn writing each record to ctx (a FILE *) as a canonical JSON Lines line.
 */
static inline int emit_jsonl(void *ctx, struct dsr_record *rec) {
    struct dsr_writer w = {.format = DSR_FORMAT_JSONL, .out = ctx, .kind = -1};
    int rc = dsr_jsonl_write_record(&w, rec);
    dsr_record_free(rec);
    return rc;
}

/* The file at path, NUL-terminated, its length in *len (free()); NULL when unreadable. */
static inline char *slurp(const char *path, size_t *len) {
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    if (fp && fseek(fp, 0, SEEK_END) == 0) {
        long n = ftell(fp);
        rewind(fp);
        buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        if (buf) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
    }
    if (fp)
        fclose(fp);
    return buf;
}

#endif
