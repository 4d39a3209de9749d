/*
 * libFuzzer harness for the dataset readers (`make fuzz`): the first byte of
 * an input picks the format (and a CSV table, any CSV, alias lists, a round
 * trip, a JSON Schema or an XSD with an instance, one field past 64 KiB, or
 * OFAC's CSV files or advanced XML), the
 * rest is read
 * through the same path the CLI takes, schema checks included. Crashes, leaks and
 * undefined behaviour are the sanitizers' to find; a round trip also aborts when what
 * dossier wrote does not read back to the same canonical bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "internal.h"
#include "jschema.h"
#include "xml.h"

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

/*
 * Reads text as a dataset of format (CSV: a table of kind table) and writes it
 * canonically in out_format into a new buffer (free()); NULL when the input
 * was not valid.
 */
static char *convert(const void *text, size_t len, int format, int table,
                     enum dsr_format out_format, size_t *out_len) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_dataset *ds =
        dsr_dataset_new(&(struct dsr_dataset_options){.keep_records = 1}, &diags);
    FILE *fp = fmemopen((void *)text, len ? len : 1, "rb");
    char *out = NULL;
    FILE *sink = NULL;
    if (fp && !len)
        fgetc(fp); /* fmemopen needs a size of at least 1: read that byte away */
    if (ds && fp && dsr_dataset_add_stream(ds, "fuzz", fp, format, table) == 0 &&
        dsr_dataset_finish(ds) == 0 && (sink = open_memstream(&out, out_len)) &&
        dsr_dataset_write(ds, out_format, sink) < 0) {
        fclose(sink);
        sink = NULL;
        free(out);
        out = NULL;
    }
    if (sink)
        fclose(sink);
    if (fp)
        fclose(fp);
    dsr_dataset_free(ds);
    dsr_diags_release(&diags);
    return out;
}

/* What dossier writes reads back, and canonical output converts to itself. */
static void round_trip(const uint8_t *data, size_t size, int selector) {
    /* selector % 4: the input format; / 4 % 4: a CSV table; / 16 % 3: the output */
    enum dsr_format out_format =
        (enum dsr_format)(selector / 16 % 3); /* XML, JSON, JSONL */
    size_t n1, n2;
    char *first = convert(data, size, selector % 4, selector / 4 % 4, out_format, &n1);
    if (!first)
        return;
    char *again = convert(first, n1, (int)out_format, -1, out_format, &n2);
    if (!again || n1 != n2 || memcmp(first, again, n1))
        abort();
    free(first);
    free(again);
}

static void ignore_error(void *ctx, const char *instance, const char *keyword,
                         const char *absolute, const char *message) {
    (void)ctx, (void)instance, (void)keyword, (void)absolute, (void)message;
}

/* validate --schema: a schema, a NUL byte, then an instance, both JSON. */
static void schema_and_instance(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return;
    size_t n = (size_t)(nul - data);
    json_t *schema =
        dsr_jschema_loadb((const char *)data, n, JSON_REJECT_DUPLICATES, NULL);
    json_t *instance = dsr_jschema_loadb((const char *)nul + 1, size - n - 1,
                                         JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    struct dsr_jschema *js = schema ? dsr_jschema_new(schema, "fuzz", NULL, NULL) : NULL;
    if (js && instance)
        dsr_jschema_validate(js, instance, ignore_error, NULL);
    dsr_jschema_free(js);
    json_decref(schema);
    json_decref(instance);
}

/* validate --schema X.xsd: an XSD, a NUL byte, then any XML document. */
static void xsd_and_document(const uint8_t *data, size_t size) {
    const uint8_t *nul = memchr(data, 0, size);
    if (!nul)
        return;
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    xmlSchemaPtr schema =
        dsr_xsd_load_memory((const char *)data, (size_t)(nul - data), "fuzz.xsd", &diags);
    size_t n = size - (size_t)(nul - data) - 1;
    FILE *fp = schema ? fmemopen((void *)(nul + 1), n ? n : 1, "rb") : NULL;
    if (fp) {
        if (!n)
            fgetc(fp);
        struct dsr_input in = {"fuzz.xml", fp, DSR_FORMAT_XML, -1, 0, NULL};
        dsr_xml_validate(&in, schema, &diags);
        fclose(fp);
    }
    xmlSchemaFree(schema);
    dsr_diags_release(&diags);
}

/*
 * A field longer than libFuzzer's inputs: the input, repeated past 64 KiB, is
 * the title of a source read from JSON Lines, then written and read back.
 */
static void big_field(const uint8_t *data, size_t size) {
    static const char head[] = "{\"record\":\"source\",\"id\":\"s\",\"title\":\"",
                      tail[] = "\"}\n";
    if (size == 0)
        return;
    size_t body = 70000 + size, len = sizeof(head) - 1 + body + sizeof(tail) - 1;
    char *text = malloc(len);
    if (!text)
        return;
    memcpy(text, head, sizeof(head) - 1);
    for (size_t i = 0; i < body; i++)
        text[sizeof(head) - 1 + i] = (char)data[i % size];
    memcpy(text + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    round_trip((const uint8_t *)text, len, DSR_FORMAT_JSONL + 16 * (int)(data[0] % 3));
    free(text);
}

/* A finished dataset written as JSON must convert to the same bytes: abort if not. */
static void converts_to_itself(struct dsr_dataset *ds) {
    char *out = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *sink = open_memstream(&out, &n1);
    if (!sink)
        return;
    int written = dsr_dataset_write(ds, DSR_FORMAT_JSON, sink) == 0;
    fclose(sink);
    char *again =
        written ? convert(out, n1, DSR_FORMAT_JSON, -1, DSR_FORMAT_JSON, &n2) : NULL;
    if (written && (!again || n1 != n2 || memcmp(out, again, n1)))
        abort();
    free(again);
    free(out);
}

/*
 * --from ofac-csv: the input split at NUL bytes into up to four files, read
 * as one list with a small sort budget (so rows spill and merge), written as
 * JSON, and that output must convert to itself.
 */
static void ofac_csv(const uint8_t *data, size_t size) {
    static const char *const names[] = {"sdn.csv", "alt.csv", "add.csv", "comments.csv"};
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_dataset_options opts = {
        .keep_records = 1, .from = DSR_DIALECT_OFAC_CSV, .sort_memory = 1 << 14};
    struct dsr_dataset *ds = dsr_dataset_new(&opts, &diags);
    size_t start = 0;
    for (int i = 0; ds && i < 4 && start <= size; i++) {
        const uint8_t *nul = i < 3 ? memchr(data + start, 0, size - start) : NULL;
        size_t end = nul ? (size_t)(nul - data) : size, n = end - start;
        FILE *fp = fmemopen((void *)(data + start), n ? n : 1, "rb");
        if (fp && !n)
            fgetc(fp);
        if (fp) {
            dsr_dataset_add_stream(ds, names[i], fp, -1, -1);
            fclose(fp);
        }
        start = end + 1;
    }
    if (ds && dsr_dataset_finish(ds) == 0)
        converts_to_itself(ds);
    dsr_dataset_free(ds);
    dsr_diags_release(&diags);
}

/* --from ofac-xml: one document, written as JSON, which must convert to itself. */
static void ofac_xml(const uint8_t *data, size_t size) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_dataset_options opts = {
        .keep_records = 1, .from = DSR_DIALECT_OFAC_XML, .sort_memory = 1 << 14};
    struct dsr_dataset *ds = dsr_dataset_new(&opts, &diags);
    FILE *fp = fmemopen((void *)data, size ? size : 1, "rb");
    if (fp && !size)
        fgetc(fp);
    if (ds && fp && dsr_dataset_add_stream(ds, "fuzz.xml", fp, -1, -1) == 0 &&
        dsr_dataset_finish(ds) == 0)
        converts_to_itself(ds);
    if (fp)
        fclose(fp);
    dsr_dataset_free(ds);
    dsr_diags_release(&diags);
}

/*
 * `make fuzz` runs each target on its own (FUZZ_TARGET=name): the first byte
 * of every input is then folded into that target's range, so the whole run
 * goes to it. Without FUZZ_TARGET (the corpus replay) the byte picks.
 */
static const struct fuzz_target {
    const char *name;
    unsigned first, last;
} fuzz_targets[] = {
    {"readers", 0, 159},   {"ofac", 160, 169},      {"xsd", 170, 179},
    {"schema", 180, 189},  {"big-field", 190, 199}, {"round-trip", 200, 249},
    {"aliases", 250, 255},
};
static const struct fuzz_target *fuzz_target;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    const char *name = getenv("FUZZ_TARGET");
    for (size_t i = 0; name && i < sizeof fuzz_targets / sizeof *fuzz_targets; i++)
        if (strcmp(name, fuzz_targets[i].name) == 0)
            fuzz_target = &fuzz_targets[i];
    if (name && !fuzz_target) {
        fprintf(stderr, "fuzz_read: no target %s\n", name);
        exit(2);
    }
    return 0;
}

static int fuzz_one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || !fuzz_target)
        return fuzz_one(data, size);
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[0] = (uint8_t)(fuzz_target->first +
                        data[0] % (fuzz_target->last - fuzz_target->first + 1));
    fuzz_one(copy, size);
    free(copy);
    return 0;
}

static int fuzz_one(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    if (data[0] >= 250) { /* 250-255: alias lists, default or --fuzzy */
        aliases(data + 1, size - 1, data[0] % 2 ? DSR_ALIAS_FUZZY : 0);
        return 0;
    }
    if (data[0] >= 160 && data[0] < 165) { /* 160-164: OFAC's CSV files */
        ofac_csv(data + 1, size - 1);
        return 0;
    }
    if (data[0] >= 165 && data[0] < 170) { /* 165-169: OFAC's advanced XML */
        ofac_xml(data + 1, size - 1);
        return 0;
    }
    if (data[0] >= 170 && data[0] < 180) {
        xsd_and_document(data + 1, size - 1);
        return 0;
    }
    if (data[0] >= 180 && data[0] < 190) {
        schema_and_instance(data + 1, size - 1);
        return 0;
    }
    if (data[0] >= 190 && data[0] < 200) {
        big_field(data + 1, size - 1);
        return 0;
    }
    if (data[0] >= 200) { /* 200-249: read, write, read again */
        round_trip(data + 1, size - 1, data[0] - 200);
        return 0;
    }
    FILE *fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "rb");
    if (!fp)
        return 0;
    if (size == 1)
        fgetc(fp); /* fmemopen needs a size of at least 1: read that byte away */
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    /* 0-3: the dataset formats; 4: a CSV table of any columns (validate --schema);
       from 80 on, read by two threads. */
    struct dsr_input in = {"fuzz",
                           fp,
                           (enum dsr_format)(data[0] % 5 % 4),
                           (data[0] / 5) % 4,
                           data[0] >= 80 ? 2 : 1,
                           NULL};
    if (data[0] % 5 == 4)
        dsr_csv_read_rows(&in, drop_row, NULL, &diags);
    else
        dsr_read(&in, drop, NULL, &diags);
    dsr_diags_release(&diags);
    fclose(fp);
    return 0;
}
