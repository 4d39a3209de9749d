/*
 * libFuzzer harness for the dataset readers (`make fuzz`): the first byte of
 * an input picks the format (and a CSV table, any CSV, or alias lists), the rest is read
 * through the same path the CLI takes, schema checks included. Crashes,
 * leaks and undefined behaviour are the sanitizers' to find.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop_row(void *ctx, json_t *row, dsr_locate_fn locate, void *locate_ctx) {
    struct dsr_diag d = {0};
    (void)ctx;
    (void)row;
    locate(locate_ctx, "/id/1", &d); /* placing a problem must be safe for any row */
    return 0;
}

/* Alias lists, one a line, in both modes, resolved and written out. */
static void aliases(const uint8_t *data, size_t size, int flags) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_alias_set *set = dsr_alias_set_new(flags);
    FILE *sink = fopen("/dev/null", "w");
    size_t start = 0;
    for (int line = 1; set && start <= size; line++) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size;
        if (dsr_alias_add_line(set, (const char *)data + start, end - start, "fuzz", line,
                               &diags) < 0)
            break;
        start = end + 1;
    }
    if (set && sink && dsr_alias_resolve(set, &diags) >= 0)
        dsr_alias_write(set, sink, 1);
    if (sink)
        fclose(sink);
    dsr_alias_set_free(set);
    dsr_diags_release(&diags);
}

static int drop(void *ctx, struct dsr_record *rec) {
    (void)ctx;
    dsr_record_free(rec);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct dsr_record_schemas schemas;
    static int ready;
    if (!ready) {
        if (dsr_record_schemas_init(&schemas, NULL) < 0)
            abort();
        ready = 1;
    }
    if (size < 1)
        return 0;
    if (data[0] >= 250) { /* 250-255: alias lists, default or --fuzzy */
        aliases(data + 1, size - 1, data[0] % 2 ? DSR_ALIAS_FUZZY : 0);
        return 0;
    }
    FILE *fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!fp)
        return 0;
    if (size == 1)
        fgetc(fp); /* fmemopen needs a size of at least 1: read that byte away */
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    /* 0-3: the dataset formats; 4: a CSV table of any columns (validate --schema). */
    struct dsr_input in = {"fuzz", fp, (enum dsr_format)(data[0] % 5 % 4),
                           (data[0] / 5) % 4, &schemas};
    if (data[0] % 5 == 4)
        dsr_csv_read_rows(&in, drop_row, NULL, &diags);
    else
        dsr_read(&in, drop, NULL, &diags);
    dsr_diags_release(&diags);
    fclose(fp);
    return 0;
}
