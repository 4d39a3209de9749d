/*
 * The record model alone judges dataset records at run time (one pass); this
 * proves it agrees with the published JSON Schema (schemas/dossier.schema.json)
 * on many generated records: every record of the article's dataset, then each
 * with one field removed, of another type, or given a value near an edge (ids,
 * dates, enumerations, lists, roles, white space, control characters). For
 * each, "the model accepts it" must equal "the schema accepts it", but for
 * a date the calendar refuses (30 February, an interval ending before it
 * starts), which the schema's pattern cannot say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The published schema's validator for each kind: {"$ref": "#/$defs/<kind>"}. */
static struct dsr_jschema *schemas[DSR_KIND_COUNT];

static int compile_schemas(struct dsr_diags *diags) {
    json_t *doc = json_loadb((const char *)dsr_schema_json, dsr_schema_json_len, 0, NULL);
    int rc = doc ? 0 : -1;
    for (int k = 0; k < DSR_KIND_COUNT && rc == 0; k++) {
        char ref[64];
        snprintf(ref, sizeof(ref), "#/$defs/%s", dsr_kind_info((enum dsr_kind)k)->name);
        json_t *one = json_pack("{sOsssO}", "$schema", json_object_get(doc, "$schema"),
                                "$ref", ref, "$defs", json_object_get(doc, "$defs"));
        schemas[k] =
            one ? dsr_jschema_new(one, "dossier.schema.json", NULL, diags) : NULL;
        json_decref(one);
        rc = schemas[k] ? 0 : -1;
    }
    json_decref(doc);
    return rc;
}

/* The first error the schema reports, kept to show a disagreement. */
static void first_error(void *ctx, const char *instance_pointer,
                        const char *keyword_location, const char *absolute_location,
                        const char *message) {
    struct dsr_diags *d = ctx;
    (void)keyword_location;
    (void)absolute_location;
    dsr_diag_add(d, DSR_DIAG_SCHEMA, "t", 0, 0, instance_pointer, "%s", message);
}
static long checked, disagreements, calendar_only;

/* Judges obj (of kind) both ways; reports a disagreement with what was tried. */
static void judge(enum dsr_kind kind, json_t *obj, const char *what) {
    struct dsr_diags model, schema;
    dsr_diags_init(&model);
    dsr_diags_init(&schema);
    json_t *copy = json_deep_copy(obj);
    struct dsr_record *rec = dsr_record_from_json(kind, copy, "t", NULL, NULL, &model);
    int by_model = rec != NULL;
    int by_schema = dsr_jschema_validate(schemas[kind], obj, first_error, &schema) == 0;
    checked++;
    /* The one place the model may be stricter: a date's calendar (no 30 February,
     * an interval in order), which the schema's pattern cannot say. */
    int calendar = !by_model && by_schema && model.count &&
                   (strstr(model.items[0].message, "out of range for the month") ||
                    strstr(model.items[0].message, "the interval ends before it starts"));
    calendar_only += calendar;
    if (by_model != by_schema && !calendar) {
        if (disagreements++ < 20) {
            char *text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
            printf("FAIL agreement %s %s: model %s, schema %s: %s\n",
                   dsr_kind_info(kind)->name, what, by_model ? "accepts" : "refuses",
                   by_schema ? "accepts" : "refuses", text ? text : "?");
            if (model.count)
                printf("  model: %s\n", model.items[0].message);
            if (schema.count)
                printf("  schema: %s\n", schema.items[0].message);
            free(text);
        }
    }
    dsr_record_free(rec);
    json_decref(copy);
    dsr_diags_release(&model);
    dsr_diags_release(&schema);
}

/* Values near the edges of every field type, as JSON texts. */
static const char *const values[] = {
    "1",
    "true",
    "null",
    "{}",
    "[]",
    "\"\"",
    "\" \"",
    "\"\\t\"",
    "\"  x  \"",
    "\"x\"",
    "\"X Y\"",
    "\"a--b\"",
    "\"-a\"",
    "\"a-\"",
    "\"a-b\"",
    "\"ab12\"",
    "\"Ab\"",
    "\"a b\"",
    "\"a\\u0001b\"",
    "\"a\\u007fb\"",
    "\"a\\ufffeb\"",
    "\"a;b\"",
    "\"\\u00e9\"",
    "\"e\\u0301\"",
    "\"2012\"",
    "\"2012-02-16\"",
    "\"2012-13\"",
    "\"1993-02-30\"",
    "\"2000-02-29\"",
    "\"1900-02-29\"",
    "\"199X\"",
    "\"19XX\"",
    "\"2012?\"",
    "\"2004%\"",
    "\"1993-11~\"",
    "\"1991/1992\"",
    "\"2004/2001\"",
    "\"../..\"",
    "\"2005/..\"",
    "\"/2005\"",
    "\"2001-21\"",
    "\"2008-XX-XX\"",
    "\"12\"",
    "\"20121\"",
    "\"person\"",
    "\"organization\"",
    "\"vessel\"",
    "\"aircraft\"",
    "\"meeting\"",
    "\"Person\"",
    "\"persn\"",
    "[\"a\"]",
    "[\"a\",\"a\"]",
    "[\"a\",\"b\"]",
    "[\"\"]",
    "[\" \"]",
    "[1]",
    "[\"a;b\"]",
    "[[]]",
    "[\"a\",\"A\"]",
    "[{\"entity\":\"x\",\"role\":\"host\"}]",
    "[{\"entity\":\"x\"}]",
    "[{\"entity\":\"x\",\"role\":\"Host\"}]",
    "[{\"entity\":\"x\",\"role\":\"host\",\"y\":1}]",
    "[{\"entity\":1,\"role\":\"host\"}]",
    "[{\"role\":\"host\"}]",
    "[{\"entity\":\"\",\"role\":\"host\"}]",
    "[{\"entity\":\"x\",\"role\":\"a-b\"}]",
    "[{\"entity\":\"x\",\"role\":\"a--b\"}]",
    "[{\"entity\":\"x\",\"role\":\"\"}]",
    "[{\"entity\":\"x\",\"role\":\"host\"},{\"entity\":\"x\",\"role\":\"host\"}]",
};

/* An id of n characters (101 is one past the limit). */
static json_t *long_id(size_t n) {
    char *s = malloc(n + 1);
    memset(s, 'a', n);
    s[n] = '\0';
    json_t *v = json_string(s);
    free(s);
    return v;
}

static void mutate(enum dsr_kind kind, json_t *obj) {
    const struct dsr_kind_info *info = dsr_kind_info(kind);
    judge(kind, obj, "as written");
    for (size_t f = 0; f < info->n_fields; f++) {
        const char *name = info->fields[f].name;
        json_t *o = json_deep_copy(obj);
        json_object_del(o, name);
        judge(kind, o, "without a field");
        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
            json_object_set_new(o, name, json_loads(values[v], JSON_DECODE_ANY, NULL));
            judge(kind, o, name);
        }
        for (size_t n = 99; n <= 102; n++) {
            json_object_set_new(o, name, long_id(n));
            judge(kind, o, name);
        }
        json_decref(o);
    }
    json_t *o = json_deep_copy(obj);
    json_object_set_new(o, "unknown", json_string("x"));
    judge(kind, o, "with an unknown member");
    json_decref(o);
}

int main(void) {
    const char *root = getenv("DOSSIER_ROOT");
    char path[4096];
    snprintf(path, sizeof(path), "%s/fixtures/article/article.jsonl", root ? root : ".");
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    FILE *fp = fopen(path, "r");
    if (!fp || compile_schemas(&diags) < 0) {
        printf("FAIL agreement: cannot read %s or compile the schema\n", path);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    int seen[DSR_KIND_COUNT] = {0};
    while (getline(&line, &cap, fp) > 0) {
        json_t *obj = json_loads(line, 0, NULL);
        int kind =
            obj ? dsr_kind_from_name(json_string_value(json_object_get(obj, "record")))
                : -1;
        if (kind >= 0 && seen[kind]++ < 12) { /* a dozen of each kind: many shapes */
            json_object_del(obj, "record");
            mutate((enum dsr_kind)kind, obj);
        }
        json_decref(obj);
    }
    free(line);
    fclose(fp);
    for (int k = 0; k < DSR_KIND_COUNT; k++)
        dsr_jschema_free(schemas[k]);
    dsr_diags_release(&diags);
    printf("%s agreement: model and JSON Schema on %ld generated records, %ld apart "
           "(%ld dates the calendar refuses)\n",
           disagreements ? "FAIL" : "ok", checked, disagreements, calendar_only);
    return disagreements ? 1 : 0;
}
