/*
 * The fast road for JSON values (json_load.c) must give what json_loadb
 * gives, or step aside (NULL). Texts: every file of JSONTestSuite's parsing
 * tests (valid, invalid and implementation-defined), every test instance of
 * the JSON Schema Test Suite in three spellings, written edge cases, and
 * each of a few texts with every byte replaced by a telling character or cut
 * short. For both sets of flags the validator uses, a text the fast road
 * takes must be one jansson takes, to the same values, of the same types, in
 * the same member order. The suites come from ../shared/suites; without them
 * only the written texts run, and a line says so.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"
#include "unit.h"

static long compared, accepted, taken, failures;

static const size_t flag_sets[] = {
    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, /* instances */
    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,                  /* schemas */
};

/* The value as text, member order kept, reals to the last bit. */
static char *dump(const json_t *v) {
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER |
                             JSON_REAL_PRECISION(17));
}

static void both_ways(const char *text, size_t len, const char *what) {
    for (size_t k = 0; k < sizeof(flag_sets) / sizeof(*flag_sets); k++) {
        json_t *fast = dsr_json_load_plain(text, len, flag_sets[k]);
        json_t *slow = json_loadb(text, len, flag_sets[k], NULL);
        compared++;
        accepted += slow != NULL;
        if (fast) {
            taken++;
            char *a = dump(fast), *b = slow ? dump(slow) : NULL;
            if (!slow || !json_equal(fast, slow) || !a || !b || strcmp(a, b)) {
                if (failures++ < 10)
                    printf("FAIL json_load: %s: %.*s: fast %s, jansson %s\n", what,
                           (int)(len > 200 ? 200 : len), text, a ? a : "?",
                           slow ? (b ? b : "?") : "refuses it");
            }
            free(a);
            free(b);
        }
        json_decref(fast);
        json_decref(slow);
    }
}

/* Each byte replaced by each of a few characters that change its meaning, then cuts. */
static void mutations(const char *text, size_t len) {
    static const char *const with[] = {
        "\"", "{", "}", "[",    "]",    ",", ":",    "\\",      " ",      "0",
        "-",  ".", "e", "\xc3", "\x01", "",  "\xff", "\\u0000", "\\ud800"};
    char *buf = malloc(len + 8);
    for (size_t i = 0; buf && i < len; i++)
        for (size_t k = 0; k < sizeof(with) / sizeof(*with); k++) {
            size_t n = strlen(with[k]);
            memcpy(buf, text, i);
            memcpy(buf + i, with[k], n);
            memcpy(buf + i + n, text + i + 1, len - i - 1);
            both_ways(buf, len - 1 + n, "mutated");
        }
    for (size_t cut = 0; cut < len; cut++)
        both_ways(text, cut, "cut short");
    free(buf);
}

/* Calls each(path) for the regular files of dir; the count, or -1 without dir. */
static long each_file(const char *dir, void (*each)(const char *path)) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !strstr(e->d_name, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        each(path);
        n++;
    }
    closedir(d);
    return n;
}

static void parsing_test(const char *path) {
    size_t len;
    char *text = slurp(path, &len);
    if (text)
        both_ways(text, len, path);
    free(text);
}

/* The suite file whole, then each instance written three ways. */
static void schema_tests(const char *path) {
    size_t len;
    char *text = slurp(path, &len);
    json_t *groups = text ? json_loadb(text, len, 0, NULL) : NULL;
    if (text)
        both_ways(text, len, path);
    size_t i, j;
    json_t *group, *test;
    json_array_foreach(groups, i, group) {
        json_array_foreach(json_object_get(group, "tests"), j, test) {
            static const size_t styles[] = {
                JSON_COMPACT, JSON_INDENT(2) | JSON_ENSURE_ASCII, JSON_SORT_KEYS};
            for (size_t s = 0; s < 3; s++) {
                char *data = json_dumps(json_object_get(test, "data"),
                                        JSON_ENCODE_ANY | styles[s]);
                if (data)
                    both_ways(data, strlen(data), path);
                free(data);
            }
        }
    }
    json_decref(groups);
    free(text);
}

static const char *const written[] = {
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1e400",
    "-1e400",
    "1e-400",
    "1E+2",
    "1.5e-3",
    "2.5E3",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "01",
    "1.",
    ".5",
    "-",
    "1e",
    "1e+",
    "+1",
    "0x10",
    "1 2",
    "123456789012345678901234567890",
    "0.1000000000000000055511151231257827",
    "\"\"",
    "\"\\u0000\"",
    "{\"\\u0000\":1}",
    "{\"a\\u0000b\":1}",
    "\"a\\u0000b\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud83d\"",
    "\"\\ude00\"",
    "\"\\ud83dx\"",
    "\"\\ud83d\\u0041\"",
    "\"\\u00e9\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
    "\"\\x\"",
    "\"\\u12\"",
    "\"\\uZZZZ\"",
    "\"\xed\xa0\x80\"",
    "\"\xf4\x90\x80\x80\"",
    "\"\xc0\xaf\"",
    "\"\xef\xbf\xbf\"",
    "\"tab\there\"",
    "\"\x7f\"",
    "{\"a\":1,\"a\":2}",
    "{\"a\":1,\"b\":{\"a\":2}}",
    "{\"b\":1,\"a\":2,\"c\":[1,2.0,\"3\",null,true,false,{},[]]}",
    "[1,]",
    "[,1]",
    "{\"a\":1,}",
    "{,}",
    "{\"a\"}",
    "{\"a\":}",
    "{1:2}",
    "[1 2]",
    " \t\n\r[ ] \n",
    "\f[]",
    "[]\f",
    "\xef\xbb\xbf[]",
    "",
    " ",
    "nul",
    "nulls",
    "tru",
    "true",
    "false",
    "null",
    "[null,true,false]",
    "\"\\u0041\\u00e9\\u4e2d\"",
    "{\"\":\"\"}",
};

int main(void) {
    for (size_t i = 0; i < sizeof(written) / sizeof(*written); i++)
        both_ways(written[i], strlen(written[i]), "written");
    /* Nesting past the fast road's depth, and just within it. */
    for (int depth = 500; depth <= 520; depth += 20) {
        char *deep = malloc(2 * (size_t)depth + 1);
        memset(deep, '[', (size_t)depth);
        memset(deep + depth, ']', (size_t)depth);
        both_ways(deep, 2 * (size_t)depth, "deep");
        free(deep);
    }
    const char *mutated[] = {
        "{\"id\":\"a-1\",\"n\":[1,-2.5e3,true,null],\"s\":\"\\u00e9\\n\xc3\xa9\"}",
        "[{\"\":0},\"\\ud83d\\ude00\",{\"k\":{\"k\":[]}}]",
    };
    for (size_t i = 0; i < 2; i++)
        mutations(mutated[i], strlen(mutated[i]));
    const char *suites = getenv("SUITES") ? getenv("SUITES") : "../shared/suites";
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/jsontestsuite/test_parsing", suites);
    long parsing = each_file(dir, parsing_test);
    snprintf(dir, sizeof(dir), "%s/json-schema-test-suite/tests/draft2020-12", suites);
    long schema = each_file(dir, schema_tests);
    if (parsing < 0 || schema < 0)
        printf("json_load: the suites are absent from %s: only written texts compared\n",
               suites);
    /* The fast road must carry what jansson reads, or this test proves nothing. */
    long share = accepted ? 100 * taken / accepted : 0;
    if (failures == 0 && share >= 95)
        printf("ok json_load: %ld texts both ways, %ld read by jansson, %ld%% of them by "
               "the fast road too\n",
               compared, accepted, share);
    else
        printf("FAIL json_load: %ld of %ld differ; the fast road took %ld%% of what "
               "jansson reads\n",
               failures, compared, share);
    return failures != 0;
}
