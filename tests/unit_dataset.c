/*
 * The dataset API as a program sees it through dossier.h: each input keeps
 * its own status, readers accept a NULL diagnostics list, pointers are
 * escaped, and writing refuses a dataset that is not finished and valid.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxslt/xsltutils.h>

#include "internal.h"

static int failures;

static void expect(int ok, const char *name) {
    printf("%s dataset %s\n", ok ? "ok" : "FAIL", name);
    failures += !ok;
}

static int drop(void *ctx, struct dsr_record *rec) {
    (void)ctx;
    dsr_record_free(rec);
    return 0;
}

/* Guards: dsr_json_read(&in, emit, NULL, NULL) on bad input segfaulted. */
static void readers_without_diags(void) {
    static const struct {
        enum dsr_format format;
        const char *text;
        int rc; /* JSON Lines reads on past a bad line: 0 */
    } bad[] = {
        {DSR_FORMAT_JSON, "{\"entities\":[,]}", -1},
        {DSR_FORMAT_JSONL, "{\"record\":\"source\",,}\n", 0},
        {DSR_FORMAT_XML, "<dataset><entities>", -1},
        {DSR_FORMAT_CSV, "id,title\n\"s1,T\n", -1},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *fp = fmemopen((void *)bad[i].text, strlen(bad[i].text), "rb");
        struct dsr_input in = {"bad", fp, bad[i].format, DSR_SOURCE, 0, NULL};
        int rc = dsr_read(&in, drop, NULL, NULL);
        fclose(fp);
        char name[64];
        snprintf(name, sizeof(name), "reader %zu without diagnostics", i);
        expect(rc == bad[i].rc, name);
    }
}

static int add_text(struct dsr_dataset *ds, const char *name, const char *text,
                    enum dsr_format format) {
    FILE *fp = fmemopen((void *)text, strlen(text), "rb");
    int rc = dsr_dataset_add_stream(ds, name, fp, (int)format, -1);
    fclose(fp);
    return rc;
}

static void own_status(void) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_dataset *ds = dsr_dataset_new(NULL, &diags);
    expect(dsr_dataset_add_path(ds, "no/such/file.json", -1, -1) == 2, "missing file: 2");
    expect(add_text(ds, "bad.json", "{\"entities\":[,]}", DSR_FORMAT_JSON) == 1,
           "syntax error after a missing file: 1");
    expect(add_text(ds, "ok.jsonl",
                    "{\"record\":\"source\",\"id\":\"s\",\"title\":\"T\"}\n",
                    DSR_FORMAT_JSONL) == 0,
           "valid input after both: 0");
    size_t n;
    const char *const *names = dsr_dataset_inputs(ds, &n);
    expect(n == 2 && !strcmp(names[0], "bad.json") && !strcmp(names[1], "ok.jsonl"),
           "inputs read are listed");
    expect(dsr_dataset_finish(ds) == 2 && dsr_diags_status(&diags) == 2,
           "dataset status");
    expect(dsr_dataset_write(ds, DSR_FORMAT_JSON, stdout) < 0,
           "an invalid dataset is not written");
    dsr_dataset_free(ds);

    /* A second dataset on the same list has a status of its own. */
    ds = dsr_dataset_new(&(struct dsr_dataset_options){.keep_records = 1}, &diags);
    add_text(ds, "ok.jsonl", "{\"record\":\"source\",\"id\":\"s\",\"title\":\"T\"}\n",
             DSR_FORMAT_JSONL);
    expect(dsr_dataset_finish(ds) == 0, "second dataset valid on a list holding errors");
    char out[512] = "";
    FILE *fp = fmemopen(out, sizeof(out), "wb");
    int rc = dsr_dataset_write(ds, DSR_FORMAT_JSONL, fp);
    fclose(fp);
    expect(rc == 0 &&
               !strcmp(out, "{\"id\":\"s\",\"record\":\"source\",\"title\":\"T\"}\n"),
           "second dataset written");
    dsr_dataset_free(ds);
    dsr_diags_release(&diags);
}

/* Guards: a message cut to fit its buffer could end inside a character. */
static void messages_cut_between_characters(void) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    /* Two-byte characters: a cut at DSR_MSG_MAX - 1 bytes falls inside one. */
    char text[DSR_MSG_MAX * 2 + 1] = "";
    for (size_t i = 0; i + 2 < sizeof(text); i += 2)
        memcpy(text + i, "\xC3\xA9", 2); /* é */
    struct dsr_diag *d =
        dsr_diag_add(&diags, DSR_DIAG_SCHEMA, "f", 1, 1, NULL, "%s", text);
    expect(d && dsr_utf8_valid(d->message, strlen(d->message)) &&
               strlen(d->message) >= DSR_MSG_MAX - 4,
           "a long message is cut between characters");
    dsr_diags_release(&diags);
}

static void pointers(void) {
    char p[16] = "/entities/0";
    expect(dsr_pointer_append(p, sizeof(p), "a/b") < 0 && !strcmp(p, "/entities/0"),
           "pointer too long is left as it was");
    char q[32] = "";
    expect(dsr_pointer_append(q, sizeof(q), "a/b~c") == 0 && !strcmp(q, "/a~1b~0c"),
           "pointer escapes / and ~");
}

static void callers_handler(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

/* Guards: a stylesheet left libxml2's and libxslt's error handlers reset. */
static void handlers_left_alone(void) {
    int mine;
    xmlSetGenericErrorFunc(&mine, callers_handler);
    xsltSetGenericErrorFunc(&mine, callers_handler);
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_dataset *ds = dsr_dataset_new(
        &(struct dsr_dataset_options){
            .xslt = "tests/cases/convert/xslt-foreign-dialect/map.xsl"},
        &diags);
    add_text(ds, "bad.xml", "<a><b></a>", DSR_FORMAT_XML);
    add_text(ds, "ok.xml", "<people/>", DSR_FORMAT_XML);
    dsr_dataset_free(ds);
    expect(dsr_dataset_new(&(struct dsr_dataset_options){.xslt = "no/such.xsl"},
                           &diags) == NULL,
           "an unusable stylesheet is reported");
    expect(xmlGenericError == callers_handler && xmlGenericErrorContext == &mine &&
               xsltGenericError == callers_handler && xsltGenericErrorContext == &mine,
           "the caller's error handlers are left as they were");
    xmlSetGenericErrorFunc(NULL, NULL);
    xsltSetGenericErrorFunc(NULL, NULL);
    dsr_diags_release(&diags);
}

int main(void) {
    readers_without_diags();
    own_status();
    pointers();
    messages_cut_between_characters();
    handlers_left_alone();
    return failures ? 1 : 0;
}
