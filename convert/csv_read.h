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

/*
 * Returns the kind of table a file name names, or -1: the name without its
 * folder and ".csv" is a kind's plural ("entities"), or begins or ends with
 * it joined by "-", "_" or "." ("article-entities", "entities_2024").
 */
int dsr_csv_table_from_name(const char *name);

#endif
