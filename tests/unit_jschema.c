/*
 * Unit tests for the JSON Schema validator's API: compiling, validating,
 * error locations, numbers, references, limits. Prints "ok NAME" or
 * "FAIL NAME: why" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jschema.h"

static int failures;

static void check(int cond, const char *name, const char *why) {
    if (cond) {
        printf("ok %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        failures++;
    }
}

/* Collects the first error's locations and message. */
struct first {
    int n;
    char ip[256], kl[256], al[256], msg[512];
};

static void collect(void *ctx, const char *ip, const char *kl, const char *al,
                    const char *msg) {
    struct first *f = ctx;
    if (f->n++ == 0) {
        snprintf(f->ip, sizeof f->ip, "%s", ip);
        snprintf(f->kl, sizeof f->kl, "%s", kl);
        snprintf(f->al, sizeof f->al, "%s", al);
        snprintf(f->msg, sizeof f->msg, "%s", msg);
    }
}

static struct dsr_jschema *compile(const char *text, const struct dsr_jschema_options *o,
                                   struct dsr_diags *diags) {
    json_t *s = json_loads(text, JSON_DECODE_ANY, NULL);
    struct dsr_jschema *js = s ? dsr_jschema_new(s, "schema.json", o, diags) : NULL;
    json_decref(s);
    return js;
}

/* Validates instance text against schema text: errors, or -2 when the schema is refused.
 */
static int run(const char *schema, const char *instance, struct first *f) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_jschema *js = compile(schema, NULL, &diags);
    json_t *inst = json_loads(instance, JSON_DECODE_ANY, NULL);
    int rc = js && inst ? dsr_jschema_validate(js, inst, f ? collect : NULL, f) : -2;
    json_decref(inst);
    dsr_jschema_free(js);
    dsr_diags_release(&diags);
    return rc;
}

static void test_locations(void) {
    struct first f = {0};
    int rc =
        run("{\"$id\":\"https://example.com/s.json\",\"properties\":{\"a/b\":{\"$ref\":"
            "\"#/$defs/n\"}},\"$defs\":{\"n\":{\"minimum\":5}}}",
            "{\"a/b\":3}", &f);
    check(rc == 1, "locations: one error", "expected one error");
    check(!strcmp(f.ip, "/a~1b"), "locations: instance pointer escaped", f.ip);
    check(!strcmp(f.kl, "/properties/a~1b/$ref/minimum"), "locations: keyword location",
          f.kl);
    check(!strcmp(f.al, "https://example.com/s.json#/$defs/n/minimum"),
          "locations: absolute keyword location", f.al);
    check(strstr(f.msg, "minimum") && strstr(f.msg, "5") && strstr(f.msg, "3"),
          "locations: message names keyword, expected and found", f.msg);
}

static void test_numbers(void) {
    check(run("{\"multipleOf\":0.1}", "0.3", NULL) == 0,
          "numbers: 0.3 is a multiple of 0.1", "float error");
    check(run("{\"multipleOf\":0.1}", "0.35", NULL) == 1, "numbers: 0.35 is not",
          "accepted");
    check(run("{\"multipleOf\":0.01}", "19.99", NULL) == 0, "numbers: 19.99 of 0.01",
          "refused");
    check(run("{\"type\":\"integer\",\"multipleOf\":0.123456789}", "1e308", NULL) == 1,
          "numbers: 1e308 not a multiple of 0.123456789", "wrong");
    check(run("{\"const\":1}", "1.0", NULL) == 0, "numbers: 1 equals 1.0", "refused");
    check(run("{\"enum\":[[1,{\"a\":2.0}]]}", "[1.0,{\"a\":2}]", NULL) == 0,
          "numbers: deep equality by value", "refused");
    check(run("{\"maximum\":9007199254740993}", "9007199254740992", NULL) == 0,
          "numbers: 64-bit bounds exact", "refused");
    check(run("{\"type\":\"integer\"}", "2.0", NULL) == 0, "numbers: 2.0 is an integer",
          "refused");
}

static void test_strings(void) {
    check(run("{\"maxLength\":2}", "\"\xc3\xa9\xc3\xa9\"", NULL) == 0,
          "strings: lengths in code points", "counted bytes");
    check(run("{\"pattern\":\"^\\\\d+$\"}", "\"\xd9\xa3\"", NULL) == 1,
          "strings: \\d is ASCII only", "matched an Arabic-Indic digit");
    check(run("{\"pattern\":\"^\\\\p{L}+$\"}", "\"\xc3\xa9t\xc3\xa9\"", NULL) == 0,
          "strings: \\p{L} in UTF mode", "refused");
    check(run("{\"pattern\":\"^abc$\"}", "\"abc\\n\"", NULL) == 1,
          "strings: $ does not match before a final newline", "matched");
}

static void test_any_value(void) {
    check(run("{\"type\":\"null\"}", "null", NULL) == 0, "any value: null", "refused");
    check(run("true", "\"x\"", NULL) == 0, "any value: true schema", "refused");
    check(run("false", "1", NULL) == 1, "any value: false schema", "accepted");
}

static void test_bad_schemas(void) {
    struct dsr_diags d;
    const char *bad[][2] = {
        {"{\"type\":\"strin\"}", "metaschema violation"},
        {"{\"$ref\":\"#\"}", "self reference"},
        {"{\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/a\"}]}},\"$ref\":\"#/$defs/"
         "a\"}",
         "cycle through anyOf"},
        {"{\"$ref\":\"https://example.com/remote.json\"}", "remote reference"},
        {"{\"$schema\":\"https://example.com/unknown\"}", "unknown $schema"},
        {"{\"pattern\":\"(\"}", "bad pattern"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[128];
        dsr_diags_init(&d);
        struct dsr_jschema *js = compile(bad[i][0], NULL, &d);
        snprintf(name, sizeof name, "bad schema refused: %s", bad[i][1]);
        check(!js && dsr_diags_status(&d) == 2 && d.count &&
                  d.items[0].kind == DSR_DIAG_BAD_SCHEMA,
              name, "compiled, or no DSR_DIAG_BAD_SCHEMA");
        dsr_jschema_free(js);
        dsr_diags_release(&d);
    }
}

static void test_limits(void) {
    /* an instance nested 3000 deep against a recursive schema: refused, not a crash */
    size_t depth = 3000;
    json_t *inst = json_array(), *cur = inst;
    for (size_t i = 0; i < depth; i++) {
        json_t *next = json_array();
        json_array_append_new(cur, next);
        cur = next;
    }
    struct dsr_diags d;
    dsr_diags_init(&d);
    struct dsr_jschema *js = compile("{\"items\":{\"$ref\":\"#\"}}", NULL, &d);
    check(js && dsr_jschema_validate(js, inst, NULL, NULL) == -1,
          "limits: deep nesting stops", "no -1");
    dsr_jschema_free(js);
    json_decref(inst);
    char *s = malloc(50003);
    memset(s + 1, 'a', 50000);
    s[0] = '"';
    s[50001] = '"';
    s[50002] = '\0';
    s[50000] = '!';
    clock_t t0 = clock();
    int rc = run("{\"pattern\":\"^(a+)+$\"}", s, NULL);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    check(rc == -1 && secs < 1.0, "limits: catastrophic pattern gives up within a second",
          "hung or matched");
    free(s);
    dsr_diags_release(&d);
}

static void test_uris(void) {
    static const char *const cases[][3] = {
        {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
        {"http://a/b/c/d;p?q", "../../g", "http://a/g"},
        {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"},
        {"http://a/b/c/d;p?q", "//g", "http://g"},
        {"urn:uuid:1234", "#foo", "urn:uuid:1234#foo"},
        {"", "other.json", "other.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = dsr_jschema_uri_resolve(cases[i][0], cases[i][1]);
        char name[128];
        snprintf(name, sizeof name, "uri: %s + %s", cases[i][0], cases[i][1]);
        check(r && !strcmp(r, cases[i][2]), name, r ? r : "NULL");
        free(r);
    }
}

static void test_extra_docs(void) {
    json_t *other = json_loads("{\"$defs\":{\"s\":{\"type\":\"string\"}}}", 0, NULL);
    struct dsr_jschema_doc doc = {other, "other.json"};
    struct dsr_jschema_options o = {0, 0, NULL, 0, &doc, 1};
    struct dsr_diags d;
    dsr_diags_init(&d);
    struct dsr_jschema *js = compile("{\"$ref\":\"other.json#/$defs/s\"}", &o, &d);
    json_t *one = json_integer(1), *str = json_string("x");
    check(js && dsr_jschema_validate(js, str, NULL, NULL) == 0 &&
              dsr_jschema_validate(js, one, NULL, NULL) == 1,
          "references: --ref document by name", "not resolved");
    json_decref(one);
    json_decref(str);
    json_decref(other);
    dsr_jschema_free(js);
    dsr_diags_release(&d);
}

static void test_formats(void) {
    check(dsr_jschema_format_check("date", "2012-02-29", 10) &&
              !dsr_jschema_format_check("date", "2013-02-29", 10),
          "formats: leap years", "wrong");
    check(dsr_jschema_format_check("date-time", "1990-12-31T15:59:60-08:00", 25),
          "formats: leap second at 23:59 UTC", "refused");
    check(!dsr_jschema_format_check("ipv4", "192.168.01.1", 12),
          "formats: ipv4 leading zero", "accepted");
    check(dsr_jschema_format_check("ipv6", "::ffff:192.168.0.1", 18),
          "formats: ipv6 with ipv4", "refused");
    check(dsr_jschema_format_check("duration", "P1Y2M3DT4H5M6S", 14) &&
              !dsr_jschema_format_check("duration", "P1Y2W", 5),
          "formats: durations", "wrong");
    check(dsr_jschema_format_check("no-such-format", "x", 1),
          "formats: unknown formats pass", "refused");
}

int main(void) {
    test_locations();
    test_numbers();
    test_strings();
    test_any_value();
    test_bad_schemas();
    test_limits();
    test_uris();
    test_extra_docs();
    test_formats();
    return 0;
}
