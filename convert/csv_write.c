/* Records -> CSV: not yet written; this output format fails until then. */
#include "internal.h"

int dsr_csv_write_begin(struct dsr_writer *w) { (void)w; return -1; }
int dsr_csv_write_record(struct dsr_writer *w, const struct dsr_record *rec) { (void)w; (void)rec; return -1; }
int dsr_csv_write_end(struct dsr_writer *w) { (void)w; return -1; }
