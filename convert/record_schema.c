/*
 * The dataset's JSON Schema (schemas/dossier.schema.json, built in) applied to
 * one record at a time: JSON and JSON Lines records, and CSV rows shaped as
 * JSON records, are checked against $defs/<kind> before the model takes them.
 * One validator per kind is compiled once per run.
 */
#include <string.h>

#include "jschema.h"

int dsr_record_schemas_init(struct dsr_record_schemas *s, struct dsr_diags *diags) {
    memset(s, 0, sizeof(*s));
    json_error_t err;
    json_t *doc = json_loadb((const char *)dsr_schema_json, dsr_schema_json_len, 0, &err);
    if (!doc) {
        dsr_diag_add(diags, DSR_DIAG_BAD_SCHEMA, "schemas/dossier.schema.json", err.line,
                     err.column, NULL, "built-in schema is not JSON: %s", err.text);
        return -1;
    }
    int rc = 0;
    for (int k = 0; k < DSR_KIND_COUNT && rc == 0; k++) {
        /* {"$schema": …, "$ref": "#/$defs/<kind>", "$defs": …} shares the definitions. */
        char ref[64];
        snprintf(ref, sizeof(ref), "#/$defs/%s", dsr_kind_info(k)->name);
        json_t *one = json_pack("{sOsssO}", "$schema", json_object_get(doc, "$schema"),
                                "$ref", ref, "$defs", json_object_get(doc, "$defs"));
        s->kind[k] =
            one ? dsr_jschema_new(one, "schemas/dossier.schema.json", NULL, diags) : NULL;
        json_decref(one);
        if (!s->kind[k])
            rc = -1;
    }
    json_decref(doc);
    if (rc < 0)
        dsr_record_schemas_release(s);
    return rc;
}

void dsr_record_schemas_release(struct dsr_record_schemas *s) {
    for (int k = 0; k < DSR_KIND_COUNT; k++)
        dsr_jschema_free(s->kind[k]);
    memset(s, 0, sizeof(*s));
}

struct reporter {
    const char *file;
    dsr_locate_fn locate;
    void *ctx;
    struct dsr_diags *diags;
};

static void report(void *ctx, const char *instance_pointer, const char *keyword_location,
                   const char *absolute_location, const char *message) {
    struct reporter *r = ctx;
    (void)keyword_location;
    (void)absolute_location;
    struct dsr_diag *d =
        dsr_diag_add(r->diags, DSR_DIAG_SCHEMA, r->file, 0, 0, NULL, "%s", message);
    if (d && r->locate)
        dsr_diag_locate(r->diags, d, r->locate, r->ctx, instance_pointer);
}

int dsr_record_schemas_check(const struct dsr_record_schemas *s, enum dsr_kind kind,
                             const json_t *obj, const char *file, dsr_locate_fn locate,
                             void *locate_ctx, struct dsr_diags *diags) {
    struct reporter r = {file, locate, locate_ctx, diags};
    return dsr_jschema_validate(s->kind[kind], obj, report, &r);
}
