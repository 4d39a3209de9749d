/*
 * CSV internals shared by csv_read.c, csv_write.c and their unit test: the
 * reader with its buffer sizes as parameters, and the table-name rule.
 */
#ifndef DSR_CSV_READ_H
#define DSR_CSV_READ_H

#include "internal.h"

#define DSR_CSV_CHUNK 65536         /* bytes read from the file at a time */
#define DSR_CSV_ROW_MAX (64u << 20) /* a longer row is refused, not buffered */

/*
 * dsr_csv_read() reading `chunk` bytes at a time and refusing rows longer than
 * row_max bytes (0 = DSR_CSV_ROW_MAX). Records and diagnostics do not depend on
 * chunk; tests use it to prove that. Returns as dsr_csv_read().
 */
int dsr_csv_read_chunked(const struct dsr_input *in, size_t chunk, size_t row_max,
                         dsr_record_fn emit, void *ctx, struct dsr_diags *diags);

/* One field of a row of a file without a header: its unquoted text and position. */
struct dsr_csv_field {
    const char *text; /* NUL-terminated, borrowed for the callback only */
    size_t len;       /* bytes */
    int line, column; /* where the field starts, 1-based; column in characters */
};

/* Receives one row of a file without a header. Returns 0, or -1 to stop. */
typedef int (*dsr_csv_raw_fn)(void *ctx, const struct dsr_csv_field *fields, size_t n);

/*
 * Reads a CSV file that has no header row (OFAC's): each row goes to take,
 * with the same checks of the text as dsr_csv_read. A 0x1A byte outside a
 * quoted field ends the input (the DOS end-of-file mark); anything after it
 * is an error. An empty input has no rows. chunk 0 = DSR_CSV_CHUNK. Returns
 * as dsr_csv_read().
 */
int dsr_csv_read_raw(const struct dsr_input *in, size_t chunk, dsr_csv_raw_fn take,
                     void *ctx, struct dsr_diags *diags);

/*
 * Returns the kind of table a file name names, or -1: the name without its
 * folder and ".csv" is a kind's plural ("entities"), or begins or ends with
 * it joined by "-", "_" or "." ("article-entities", "entities_2024").
 */
int dsr_csv_table_from_name(const char *name);

#endif
