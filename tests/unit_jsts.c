/*
 * Runs the official JSON Schema Test Suite through the library:
 *
 *   unit_jsts SUITE_DIR [--optional] [--known FILE]
 *
 * For each draft (2020-12, 2019-09, 7, 4) it runs every required file and
 * prints "ok DRAFT/FILE N/N" or "FAIL DRAFT/FILE n/N" with the failing cases,
 * then "DRAFT: passed/total". With --optional it runs the optional/ files
 * instead (format files with format assertion on) and fails only on cases
 * that are not listed in the known-failures file. remotes/ is served as
 * http://localhost:1234/ through a ref root, as the suite's README says.
 * Without arguments (as tests/run.sh calls every unit binary) it does nothing:
 * tests/check_jsts.sh drives it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jschema.h"

static const struct {
    const char *dir;
    int draft;
} drafts[] = {
    {"draft2020-12", 2020}, {"draft2019-09", 2019}, {"draft7", 7}, {"draft4", 4}};

struct run {
    const char *suite;
    char remotes[1024];
    const char *known; /* contents of the known-failures file, or NULL */
    int optional;
    int unexpected; /* optional failures not in the known list */
};

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.json files in dir; returns how many. */
static size_t list_json(const char *dir, char ***out) {
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    *out = NULL;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
            continue;
        *out = realloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(*out, n, sizeof **out, cmp_names);
    return n;
}

/* Reads a suite file; integers past 64 bits (bignum.json) stay exact, as the CLI reads
 * them. */
static json_t *load(const char *path) {
    FILE *f = fopen(path, "rb");
    size_t len = 0, cap = 1 << 16, got;
    char *buf = f ? malloc(cap) : NULL;
    json_error_t err;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        char *more = (len += got) == cap ? realloc(buf, cap *= 2) : buf;
        if (!more)
            free(buf);
        buf = more;
    }
    json_t *j =
        buf ? dsr_jschema_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err) : NULL;
    free(buf);
    if (f)
        fclose(f);
    return j;
}

/* Writes v as JSON text to out: jansson's json_dumpf, which cannot write a bignum. */
static void dump(const json_t *v, FILE *out) {
    const char *key;
    json_t *m;
    if (dsr_jschema_bignum(v)) {
        fputs(dsr_jschema_bignum(v), out);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            fputs(i ? "," : "[", out);
            dump(json_array_get(v, i), out);
        }
        fputs(json_array_size(v) ? "]" : "[]", out);
    } else if (json_is_object(v)) {
        int first = 1;
        json_object_foreach((json_t *)v, key, m) {
            json_t *k = json_string(key);
            fputs(first ? "{" : ",", out);
            json_dumpf(k, out, JSON_ENCODE_ANY);
            fputc(':', out);
            dump(m, out);
            json_decref(k);
            first = 0;
        }
        fputs(first ? "{}" : "}", out);
    } else {
        json_dumpf(v, out, JSON_ENCODE_ANY);
    }
}

static void dump_file(const json_t *v, const char *path) {
    FILE *f = fopen(path, "wb");
    if (f) {
        dump(v, f);
        fclose(f);
    }
}

static int is_known(const struct run *r, const char *id) {
    const char *p = r->known;
    size_t n = strlen(id);
    while (p && (p = strstr(p, id))) {
        if ((p == r->known || p[-1] == '\n') && (p[n] == '\t' || p[n] == ' '))
            return 1;
        p += n;
    }
    return 0;
}

/* Runs one file; adds to *passed and *total. */
static void run_file(struct run *r, const char *label, const char *path, int draft,
                     int format_assert, size_t *passed, size_t *total) {
    json_t *groups = load(path);
    if (!json_is_array(groups)) {
        printf("FAIL %s: cannot read the file\n", label);
        r->unexpected++;
    }
    struct dsr_jschema_root root = {"http://localhost:1234/", r->remotes};
    struct dsr_jschema_options opts = {.default_draft = draft,
                                       .format_assert = format_assert,
                                       .roots = &root,
                                       .n_roots = 1};
    size_t ok = 0, all = 0;
    char failures[16384] = "";
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *group = json_array_get(groups, g),
               *tests = json_object_get(group, "tests");
        struct dsr_diags diags;
        dsr_diags_init(&diags);
        struct dsr_jschema *js =
            dsr_jschema_new(json_object_get(group, "schema"), "schema", &opts, &diags);
        for (size_t t = 0; t < json_array_size(tests); t++) {
            json_t *test = json_array_get(tests, t);
            int want = json_is_true(json_object_get(test, "valid"));
            int got =
                js ? dsr_jschema_validate(js, json_object_get(test, "data"), NULL, NULL)
                   : -2;
            all++;
            if ((got == 0) == want && got >= 0) {
                ok++;
                continue;
            }
            char id[2048];
            snprintf(id, sizeof id, "%s: %s / %s", label,
                     json_string_value(json_object_get(group, "description")),
                     json_string_value(json_object_get(test, "description")));
            int known = r->optional && is_known(r, id);
            r->unexpected += r->optional && !known;
            size_t len = strlen(failures);
            snprintf(failures + len, sizeof failures - len, "  %s%s%s%s%s\n",
                     known ? "known: " : "", id, got == -2 ? " (schema refused: " : "",
                     got == -2 && diags.count ? diags.items[0].message : "",
                     got == -2 ? ")" : "");
        }
        dsr_jschema_free(js);
        dsr_diags_release(&diags);
    }
    json_decref(groups);
    if (!r->optional)
        printf("%s %s %zu/%zu\n", ok == all ? "ok" : "FAIL", label, ok, all);
    else if (ok != all)
        printf("optional %s %zu/%zu\n", label, ok, all);
    fputs(failures, stdout);
    *passed += ok;
    *total += all;
}

static void run_dir(struct run *r, const char *draft_dir, const char *sub, int draft,
                    int format_assert, size_t *passed, size_t *total) {
    char dir[1024], path[2048], label[512];
    char **names;
    snprintf(dir, sizeof dir, "%s/tests/%s%s", r->suite, draft_dir, sub);
    size_t n = list_json(dir, &names);
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(label, sizeof label, "%s%s/%s", draft_dir, sub, names[i]);
        run_file(r, label, path, draft, format_assert, passed, total);
        free(names[i]);
    }
    free(names);
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    if (buf)
        buf[fread(buf, 1, (1 << 20) - 1, f)] = '\0';
    fclose(f);
    return buf;
}

/* --emit DIR FILE: writes each group's schema and each test's data to DIR, for the CLI
 * pass. */
static int emit(const char *dir, const char *file) {
    json_t *groups = load(file);
    char path[2048];
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *group = json_array_get(groups, g),
               *tests = json_object_get(group, "tests");
        snprintf(path, sizeof path, "%s/%zu.schema.json", dir, g);
        dump_file(json_object_get(group, "schema"), path);
        for (size_t t = 0; t < json_array_size(tests); t++) {
            json_t *test = json_array_get(tests, t);
            snprintf(path, sizeof path, "%s/%zu-%zu.json", dir, g, t);
            dump_file(json_object_get(test, "data"), path);
            printf("%zu %zu %d\n", g, t, !json_is_true(json_object_get(test, "valid")));
        }
    }
    json_decref(groups);
    return groups ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 0;
    if (argc == 4 && !strcmp(argv[1], "--emit"))
        return emit(argv[2], argv[3]);
    struct run r = {argv[1], "", NULL, 0, 0};
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--optional"))
            r.optional = 1;
        else if (!strcmp(argv[i], "--known") && i + 1 < argc)
            r.known = slurp(argv[++i]);
    }
    snprintf(r.remotes, sizeof r.remotes, "%s/remotes", r.suite);
    for (size_t d = 0; d < sizeof drafts / sizeof drafts[0]; d++) {
        size_t passed = 0, total = 0;
        if (!r.optional) {
            run_dir(&r, drafts[d].dir, "", drafts[d].draft, 0, &passed, &total);
            printf("%s: %zu/%zu required tests passed\n", drafts[d].dir, passed, total);
            continue;
        }
        run_dir(&r, drafts[d].dir, "/optional", drafts[d].draft, 0, &passed, &total);
        size_t fp = 0, ft = 0;
        run_dir(&r, drafts[d].dir, "/optional/format", drafts[d].draft, 1, &fp, &ft);
        printf("%s: %zu/%zu optional tests passed, %zu/%zu format tests with "
               "--format-assert\n",
               drafts[d].dir, passed, total, fp, ft);
    }
    if (r.optional)
        printf("%s optional tests: %d unexpected failures\n",
               r.unexpected ? "FAIL" : "ok", r.unexpected);
    free((char *)r.known);
    return 0;
}
