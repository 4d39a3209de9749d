/*
 * The external sort's calls beyond those in internal.h (sort.c): where its
 * temporary files go, and what made it fail.
 */
#ifndef DSR_SORT_H
#define DSR_SORT_H

#include "internal.h"

/*
 * Returns a new sorter, as dsr_sorter_new(budget) does, that makes its
 * temporary files in the folder tmpdir (copied; NULL = "/tmp"). The library
 * reads no environment: the command line passes TMPDIR. NULL when out of
 * memory. Free with dsr_sorter_free().
 */
struct dsr_sorter *dsr_sorter_new_in(size_t budget, const char *tmpdir);

/*
 * After dsr_sorter_take() returned -1, or dsr_sorter_next() returned NULL with
 * dsr_sorter_failed() set: adds one diagnostic saying why, "out of memory"
 * (DSR_DIAG_REFUSED) or the temporary file's failure with its cause
 * (DSR_DIAG_IO, naming the folder). dsr_sorter_finish() reports its own
 * failures; nothing is reported twice. When finish returns -1 and
 * dsr_sorter_failed() is 0, visit failed, and reporting is visit's concern.
 */
void dsr_sorter_report(struct dsr_sorter *s, struct dsr_diags *diags);

#endif
