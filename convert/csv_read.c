/* CSV -> records: not yet written; this input format is refused until then. */
#include "internal.h"

int dsr_csv_read(const struct dsr_input *in, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags)
{
    (void)emit;
    (void)ctx;
    dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL, "CSV input is not supported yet");
    return -1;
}
