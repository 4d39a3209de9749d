/*
 * Unit tests for the JSON Schema validator's API: compiling, validating,
 * error locations, numbers, references, limits. Prints "ok NAME" or
 * "FAIL NAME: why" per check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Reads JSON text as the CLI does: integers beyond 64 bits kept exactly. */
static json_t *load(const char *text) {
    json_error_t err;
    return dsr_jschema_loadb(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
}

static struct dsr_jschema *compile(const char *text, const struct dsr_jschema_options *o,
                                   struct dsr_diags *diags) {
    json_t *s = load(text);
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
    json_t *inst = load(instance);
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

#define BIG "18446744073709551616" /* 2^64 */
#define DRAFT4 "\"$schema\":\"http://json-schema.org/draft-04/schema#\","

/* Integers beyond 64 bits are kept exactly and leave every other value alone. */
static void test_bignums(void) {
    check(run("{" DRAFT4 "\"type\":\"integer\"}", "-" BIG "0", NULL) == 0,
          "bignums: an integer in draft 4", "refused");
    check(run("{" DRAFT4 "\"properties\":{\"port\":{\"type\":\"integer\"}}}",
              "{\"big\":" BIG ",\"port\":8080}", NULL) == 0,
          "bignums: other integers stay integers", "8080 became a double");
    check(run("{\"type\":\"string\"}", BIG, NULL) == 1, "bignums: not a string",
          "accepted");
    check(run("{\"const\":9007199254740993,\"maximum\":" BIG "}", "9007199254740992",
              NULL) == 1,
          "bignums: other integers keep every digit", "compared as doubles");
    check(run("{\"const\":" BIG "}", "1.8446744073709552e19", NULL) == 0,
          "bignums: equal to the real of the same value", "refused");
    check(run("{\"const\":" BIG "}", "18446744073709551617", NULL) == 1,
          "bignums: compared on every digit", "accepted");
    check(run("{\"minimum\":-18446744073709551615}", "-18446744073709551600", NULL) ==
                  0 &&
              run("{\"minimum\":-18446744073709551615}", "-" BIG, NULL) == 1,
          "bignums: negative bounds", "wrong");
    check(run("{\"multipleOf\":7}", "70000000000000000000000000000000007", NULL) == 0 &&
              run("{\"multipleOf\":7}", "70000000000000000000000000000000008", NULL) == 1,
          "bignums: multipleOf a small integer", "wrong");
    check(run("{\"multipleOf\":" BIG "}", "36893488147419103232", NULL) == 0 &&
              run("{\"multipleOf\":" BIG "}", "1e30", NULL) == 1 &&
              run("{\"multipleOf\":" BIG "}", "0", NULL) == 0,
          "bignums: multipleOf a bignum", "wrong");
    check(run("{\"multipleOf\":0.5}", "100000000000000000000001", NULL) == 0,
          "bignums: multipleOf a fraction", "refused");
    check(run("{\"uniqueItems\":true}", "[" BIG ",1.8446744073709552e19]", NULL) == 1,
          "bignums: equal items by value", "accepted");
    check(run("{\"maxLength\":" BIG "}", "\"abc\"", NULL) == 0,
          "bignums: a bignum count is no limit", "refused");
    json_t *v = load("[\"" BIG "\"," BIG "]");
    check(v && !dsr_jschema_bignum(json_array_get(v, 0)) &&
              !strcmp(json_string_value(json_array_get(v, 0)), BIG) &&
              dsr_jschema_bignum(json_array_get(v, 1)) &&
              !strcmp(dsr_jschema_bignum(json_array_get(v, 1)), BIG),
          "bignums: a string of digits stays a string", "mixed up");
    json_decref(v);
    json_error_t err;
    v = dsr_jschema_loadb("[\n" BIG ", ]", strlen("[\n" BIG ", ]"), JSON_DECODE_ANY,
                          &err);
    check(!v && err.line == 2 && err.column == 23,
          "bignums: syntax errors keep their place", err.text);
    json_decref(v);
}

/* Text in messages: NUL escaped, cut between characters, never past the buffer. */
static void test_message_text(void) {
    char buf[16];
    dsr_jschema_quote("a\0b", 3, "\"", 60, buf, sizeof buf);
    check(!strcmp(buf, "\"a\\u0000b\""), "message text: NUL escaped", buf);
    dsr_jschema_quote("a\0b", 3, "\"", 60, buf, 8);
    check(!strcmp(buf, "\"a...\""), "message text: an escape is never cut", buf);
    dsr_jschema_quote("ab\xc3\xa9\xc3\xa9\xc3\xa9", 8, "\"", 60, buf, 8);
    check(dsr_utf8_trim(buf, strlen(buf)) == strlen(buf) && strlen(buf) < 8,
          "message text: cut between characters", buf);
    check(dsr_utf8_trim("a\xc3", 2) == 1 && dsr_utf8_trim("a\xc3\xa9", 3) == 3 &&
              dsr_utf8_trim("\xe2\x82", 2) == 0 &&
              dsr_utf8_trim("\xf0\x9f\x98\x80", 4) == 4,
          "message text: incomplete sequences trimmed", "wrong length");
    char schema[1024];
    struct first f = {0};
    snprintf(schema, sizeof schema,
             "{\"enum\":[\"%090d\",\"%090d\",\"%090d\",\"%090d\"]}", 1, 2, 3, 4);
    check(run(schema, "1", &f) == 1 && strstr(f.msg, ", ...") && strlen(f.msg) < 300,
          "message text: a long enum list is cut", f.msg);
    json_error_t err;
    json_t *v = dsr_jschema_loadb("123\0", 4, JSON_DECODE_ANY, &err);
    check(!v && err.line == 1 && err.column == 4, "message text: NUL byte after a number",
          err.text);
    json_decref(v);
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
    check(run("{\"pattern\":\"^abc\\u0000|^$\"}", "\"\"", NULL) == 0 &&
              run("{\"pattern\":\"^abc\\u0000|^$\"}", "\"abc\"", NULL) == 1 &&
              run("{\"pattern\":\"^abc\\u0000|^$\"}", "\"abc\\u0000\"", NULL) == 0,
          "strings: a NUL inside a pattern", "pattern cut at the NUL");
    check(run("{\"pattern\":\"^(/)?([^/\\u0000]+(/)?)+$\"}", "\"/a/b\"", NULL) == 0,
          "strings: a NUL in a class", "refused");
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

/* guards: a $ref cycle that consumes no instance refused the schema instead of the
   instances that reach it */
static void test_cycles(void) {
    struct first f = {0};
    check(run("{\"$ref\":\"#\"}", "1", &f) == 1 && !strcmp(f.ip, "") &&
              strstr(f.msg, "reference cycle"),
          "cycles: self reference is an instance error", f.msg);
    memset(&f, 0, sizeof f);
    check(run("{\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/a\"}]}},\"items\":{"
              "\"$ref\":\"#/$defs/a\"}}",
              "[1]", &f) >= 1 &&
              !strcmp(f.ip, "/0") && strstr(f.msg, "reference cycle"),
          "cycles: cycle through anyOf reported where reached", f.msg);
    check(run("{\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/a\"}]}},\"items\":{"
              "\"$ref\":\"#/$defs/a\"}}",
              "[]", NULL) == 0,
          "cycles: unreached cycle validates", "refused");
    check(run("{\"not\":{\"$ref\":\"#\"}}", "1", NULL) == 1,
          "cycles: not over a cycle is still invalid", "accepted");
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
    struct dsr_jschema_options o = {.docs = &doc, .n_docs = 1};
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

/* guards: a draft 7 or draft 4 root's "$id" beside "$ref" was dropped as a base URI */
static void test_root_id_beside_ref(void) {
    json_t *other = json_loads(
        "{\"$id\":\"https://example.com/s/b.json\",\"type\":\"string\"}", 0, NULL);
    struct dsr_jschema_doc doc = {other, "defs/b-by-id.json"};
    struct dsr_jschema_options o = {.docs = &doc, .n_docs = 1};
    static const char *const schemas[][2] = {
        {"{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"$id\":"
         "\"https://example.com/s/root.json\",\"$ref\":\"#/definitions/a\","
         "\"definitions\":{\"a\":{\"$ref\":\"b.json\"}}}",
         "references: draft 7 root $id beside $ref is the base URI"},
        {"{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"id\":"
         "\"https://example.com/s/root.json\",\"$ref\":\"b.json\"}",
         "references: draft 4 root id beside $ref is the base URI"},
    };
    for (size_t i = 0; i < sizeof schemas / sizeof schemas[0]; i++) {
        struct dsr_diags d;
        dsr_diags_init(&d);
        struct dsr_jschema *js = compile(schemas[i][0], &o, &d);
        json_t *one = json_integer(1), *str = json_string("x");
        check(js && dsr_jschema_validate(js, str, NULL, NULL) == 0 &&
                  dsr_jschema_validate(js, one, NULL, NULL) == 1,
              schemas[i][1], d.count ? d.items[0].message : "wrong result");
        json_decref(one);
        json_decref(str);
        dsr_jschema_free(js);
        dsr_diags_release(&d);
    }
    json_decref(other);
}

static void write_text(const char *dir, const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Compiles schema text as the file dir/schema.json: 1 compiled, 0 refused. */
static int compile_file(const char *dir, const char *text, char *why, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/schema.json", dir);
    write_text(dir, "schema.json", text);
    struct dsr_jschema_options o = {.file = path};
    struct dsr_diags d;
    dsr_diags_init(&d);
    struct dsr_jschema *js = compile(text, &o, &d);
    snprintf(why, n, "%s", d.count ? d.items[0].message : "compiled");
    dsr_jschema_free(js);
    dsr_diags_release(&d);
    return js != NULL;
}

/* guards: files beside the schema are read, but never through a link that leaves its
   folder */
static void test_files_beside(void) {
    char top[256], dir[300], path[320], why[DSR_MSG_MAX];
    const char *base = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/unit-jschema-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(top)) {
        check(0, "files beside: temporary folder", "mkdtemp failed");
        return;
    }
    snprintf(dir, sizeof dir, "%s/s", top);
    mkdir(dir, 0700);
    write_text(top, "outside.json", "{\"type\":\"string\"}");
    write_text(dir, "inside.json", "{\"type\":\"string\"}");
    snprintf(path, sizeof path, "%s/link.json", dir);
    int linked = symlink("../outside.json", path) == 0;
    check(compile_file(dir, "{\"$ref\":\"inside.json\"}", why, sizeof why),
          "files beside: a file beside the schema is read", why);
    check(linked && !compile_file(dir, "{\"$ref\":\"link.json\"}", why, sizeof why) &&
              strstr(why, "a link takes it out"),
          "files beside: a link out of the folder is refused", why);
    check(!compile_file(dir, "{\"$ref\":\"../outside.json\"}", why, sizeof why) &&
              strstr(why, "outside the schema's folder"),
          "files beside: a file above the folder is refused", why);
    snprintf(path, sizeof path, "%s/big.json", dir);
    write_text(dir, "big.json", "");
    int big = truncate(path, (off_t)65 << 20) == 0; /* sparse: nothing is written */
    check(big && !compile_file(dir, "{\"$ref\":\"big.json\"}", why, sizeof why) &&
              strstr(why, "larger than 64 MiB"),
          "files beside: a file over 64 MiB is refused", why);
    static const char *const made[] = {"big.json", "link.json", "inside.json",
                                       "schema.json"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        remove(path);
    }
    rmdir(dir);
    snprintf(path, sizeof path, "%s/outside.json", top);
    remove(path);
    rmdir(top);
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
    test_bignums();
    test_message_text();
    test_strings();
    test_any_value();
    test_bad_schemas();
    test_cycles();
    test_limits();
    test_uris();
    test_extra_docs();
    test_root_id_beside_ref();
    test_files_beside();
    test_formats();
    return 0;
}
