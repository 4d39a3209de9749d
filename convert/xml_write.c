/* Records -> XML: not yet written; this output format fails until then. */
#include "internal.h"

int dsr_xml_write_begin(struct dsr_writer *w) { (void)w; return -1; }
int dsr_xml_write_record(struct dsr_writer *w, const struct dsr_record *rec) { (void)w; (void)rec; return -1; }
int dsr_xml_write_end(struct dsr_writer *w) { (void)w; return -1; }
