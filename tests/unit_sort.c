/*
 * The external sort (sort.c) with a tiny budget: order and ties kept over
 * thousands of runs with few files open, temporary files in the caller's
 * folder and never visible there, and failures reported with their cause.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"

static int failures;

static void check(int ok, const char *name, const char *detail) {
    printf("%s sort/%s\n", ok ? "ok" : "FAIL", name);
    if (!ok) {
        printf("  %s\n", detail ? detail : "");
        failures++;
    }
}

/* Files open in this process now. */
static int open_files(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n - 3; /* ".", ".." and the listing itself */
}

static int entries(const char *path) {
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* An entity with id e-NNNNN, and line set to tell records of one id apart. */
static struct dsr_record *entity(unsigned id, int line) {
    char text[32];
    struct dsr_record *rec = dsr_record_new(DSR_ENTITY);
    snprintf(text, sizeof(text), "e-%05u", id);
    dsr_record_set(rec, dsr_field_index(DSR_ENTITY, "id"), text, strlen(text));
    dsr_record_set(rec, dsr_field_index(DSR_ENTITY, "kind"), "person", 6);
    snprintf(text, sizeof(text), "Name %u", id);
    dsr_record_set(rec, dsr_field_index(DSR_ENTITY, "name"), text, strlen(text));
    rec->line = line;
    return rec;
}

#define N 20000

/* Feeds ids 0..N-1 in a scrambled order, id 777 twice; returns the takes that failed.
 */
static int feed(struct dsr_sorter *s, int *max_open) {
    int failed = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned id = (i * 7919u) % N; /* 7919 is prime, so every id comes once */
        failed += dsr_sorter_take(s, entity(id, (int)i + 1)) < 0;
        if (id == 777)
            failed += dsr_sorter_take(s, entity(id, -1)) < 0;
        int n = max_open && i % 16 == 0 ? open_files() : 0;
        if (max_open && n > *max_open)
            *max_open = n;
    }
    return failed;
}

static void test_order(const char *dir) {
    struct dsr_diags diags;
    struct rlimit old, few = {32, 32};
    int max_open = 0, in_order = 1, n = 0, seen_in_dir = 0;
    dsr_diags_init(&diags);
    getrlimit(RLIMIT_NOFILE, &old);
    few.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_NOFILE, &few);
    struct dsr_sorter *s = dsr_sorter_new(4096, dir);
    int failed = feed(s, &max_open);
    seen_in_dir = entries(dir);
    int duplicates = dsr_sorter_finish(s, &diags, NULL, NULL, 1);
    char last[16] = "";
    const struct dsr_record *rec;
    while ((rec = dsr_sorter_next(s))) {
        const char *id = dsr_record_id(rec);
        in_order &= strcmp(last, id) < 0 && rec->line > 0;
        snprintf(last, sizeof(last), "%s", id);
        n++;
    }
    setrlimit(RLIMIT_NOFILE, &old);
    char detail[128];
    snprintf(detail, sizeof(detail), "failed %d, duplicates %d, records %d, in order %d",
             failed, duplicates, n, in_order);
    check(!failed && duplicates == 1 && n == N && in_order && !dsr_sorter_failed(s),
          "tiny-budget-32-files", detail);
    snprintf(detail, sizeof(detail), "%d files open at most", max_open);
    check(max_open <= 28, "few-files-open", detail);
    check(diags.count == 1 &&
              strstr(diags.items[0].message, "duplicate entity id \"e-00777\""),
          "duplicate-reported-once", diags.count ? diags.items[0].message : "none");
    check(seen_in_dir == 0 && entries(dir) == 0, "nothing-visible-in-tmpdir", NULL);
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

static void test_missing_dir(const char *dir) {
    char path[600];
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    snprintf(path, sizeof(path), "%s/none", dir);
    struct dsr_sorter *s = dsr_sorter_new(1, path);
    int rc = dsr_sorter_take(s, entity(1, 1));
    dsr_sorter_report(s, &diags);
    dsr_sorter_report(s, &diags); /* once only */
    check(rc == -1 && diags.count == 1 && diags.items[0].kind == DSR_DIAG_IO &&
              !strcmp(diags.items[0].file, path) &&
              !strcmp(diags.items[0].message,
                      "cannot create a temporary file for sorting: No such file or "
                      "directory"),
          "missing-tmpdir-reported", diags.count ? diags.items[0].message : "none");
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

/* A file size limit makes the merged runs fail to grow, as a full disk would. */
static void test_write_failure(const char *dir, int aside) {
    struct dsr_diags diags;
    struct rlimit old, small = {65536, 65536};
    dsr_diags_init(&diags);
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_FSIZE, &small);
    struct dsr_sorter *s = dsr_sorter_new(4096, dir);
    if (aside)
        dsr_sorter_spill_aside(s);
    int failed = feed(s, NULL);
    int rc = failed ? -1 : dsr_sorter_finish(s, &diags, NULL, NULL, 1);
    if (failed)
        dsr_sorter_report(s, &diags);
    setrlimit(RLIMIT_FSIZE, &old);
    check(rc == -1 && diags.count == 1 &&
              !strcmp(diags.items[0].message,
                      "cannot write a temporary file for sorting: File too large"),
          aside ? "write-failure-aside-reported" : "write-failure-reported",
          diags.count ? diags.items[0].message : "none");
    check(entries(dir) == 0, "write-failure-leaves-nothing", NULL);
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

/* A record taken, as the reference order sees it. */
struct taken {
    enum dsr_kind kind;
    char id[32];
    size_t len;
    int line;
};

/* Canonical order: kind, then id bytes (unsigned, a prefix first), then order taken. */
static int taken_cmp(const void *a, const void *b) {
    const struct taken *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    int c = memcmp(x->id, y->id, x->len < y->len ? x->len : y->len);
    if (c || x->len != y->len)
        return c ? c : x->len < y->len ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/*
 * Ids that make a key sort hard: of every length from 1 to 30, sharing
 * prefixes longer than eight bytes, prefixes of one another, bytes above 0x7F,
 * many repeated; in all four kinds. The order must be the reference's, and of
 * records sharing a kind and id the first taken is the one kept. Held in
 * memory, spilled, and spilled aside by a thread of its own.
 */
static void test_key_order(const char *dir, size_t budget, int aside, const char *name) {
    enum { TAKEN = 30000 };
    static const char *const pieces[] = {"a", "b", "person-0000", "\xc3\xa9", "\xff",
                                         "-", "0", "zz",          "~",        "\x01"};
    static struct taken ref[TAKEN];
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_sorter *s = dsr_sorter_new(budget, dir);
    if (aside)
        dsr_sorter_spill_aside(s);
    unsigned seed = 12345;
    int failed = 0;
    for (int i = 0; i < TAKEN; i++) {
        struct taken *t = &ref[i];
        seed = seed * 1103515245u + 12345u;
        t->kind = (enum dsr_kind)((seed >> 16) % DSR_KIND_COUNT);
        t->len = 0;
        for (unsigned k = 0, n = 1 + (seed >> 20) % 5; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces[(seed >> 16) % 10];
            if (t->len + strlen(piece) < sizeof(t->id))
                memcpy(t->id + t->len, piece, strlen(piece) + 1), t->len += strlen(piece);
        }
        t->line = i + 1;
        struct dsr_record *rec = dsr_record_new(t->kind);
        dsr_record_set(rec, dsr_field_index(t->kind, "id"), t->id, t->len);
        rec->line = t->line;
        failed += dsr_sorter_take(s, rec) < 0;
    }
    int duplicates = dsr_sorter_finish(s, &diags, NULL, NULL, 1);
    qsort(ref, TAKEN, sizeof(*ref), taken_cmp);
    int kept = 0, expected_duplicates = 0, wrong = 0;
    const struct dsr_record *rec;
    for (int i = 0; i < TAKEN; i++) {
        if (i > 0 && ref[i].kind == ref[i - 1].kind && ref[i].len == ref[i - 1].len &&
            !memcmp(ref[i].id, ref[i - 1].id, ref[i].len)) {
            expected_duplicates++;
            continue;
        }
        if (!(rec = dsr_sorter_next(s)) || rec->kind != ref[i].kind ||
            strcmp(dsr_record_id(rec), ref[i].id) || rec->line != ref[i].line)
            wrong++;
        kept++;
    }
    wrong += dsr_sorter_next(s) != NULL;
    char detail[160];
    snprintf(detail, sizeof(detail),
             "failed %d, %d of %d records out of place, duplicates %d (expected %d)",
             failed, wrong, kept, duplicates, expected_duplicates);
    check(!failed && !wrong && duplicates == expected_duplicates && kept > 1000 &&
              expected_duplicates > 1000,
          name, detail);
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

/*
 * Records larger than what a merge reads of a run at a time, among small
 * ones, spilled with a small budget: each comes back whole, in order.
 */
static void test_large_records(const char *dir) {
    enum { TAKEN = 400 };
    struct dsr_sorter *s = dsr_sorter_new(256u << 10, dir);
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    size_t size_of[TAKEN];
    char *text = malloc(300000);
    int name = dsr_field_index(DSR_ENTITY, "name");
    for (unsigned i = 0; i < TAKEN; i++) {
        unsigned id = (i * 7u) % TAKEN; /* 7 does not divide 400: every id once */
        size_of[id] = id % 5 == 0 ? 70000 + 1000 * (size_t)(id % 230) : 1 + id;
        memset(text, 'a' + (char)(id % 26), size_of[id]);
        struct dsr_record *rec = entity(id, 1);
        dsr_record_set(rec, name, text, size_of[id]);
        dsr_sorter_take(s, rec);
    }
    int duplicates = dsr_sorter_finish(s, &diags, NULL, NULL, 1);
    unsigned n = 0, wrong = 0;
    const struct dsr_record *rec;
    while ((rec = dsr_sorter_next(s))) {
        const char *got = rec->values[name].text;
        size_t len = strlen(got);
        wrong += n >= TAKEN || len != size_of[n] || got[0] != 'a' + (char)(n % 26) ||
                 got[len - 1] != got[0];
        n++;
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "%u records, %u wrong, duplicates %d", n, wrong,
             duplicates);
    check(duplicates == 0 && n == TAKEN && !wrong && !dsr_sorter_failed(s),
          "large-records-spilled", detail);
    free(text);
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

/* Bytes this process has allocated now (glibc's count). */
static size_t allocated(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

/*
 * A sorter finished for its records to be read back frees what it held: a
 * reader of it may fill a sort of its own meanwhile (OFAC's rows feed the
 * dataset's), and both budgets would be held at once otherwise.
 */
static void test_finish_frees(const char *dir) {
    struct dsr_sorter *s = dsr_sorter_new(4u << 20, dir);
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    /* about 1.5 budgets' worth: one run spilled, the rest held */
    for (unsigned i = 0; i < 100000; i++)
        dsr_sorter_take(s, entity(99999 - i, 1));
    size_t before = allocated();
    int duplicates = dsr_sorter_finish(s, &diags, NULL, NULL, 1);
    size_t after = allocated();
    unsigned n = 0;
    while (dsr_sorter_next(s))
        n++;
    char detail[128];
    snprintf(detail, sizeof(detail), "%zu KiB before finish, %zu after; %u records",
             before >> 10, after >> 10, n);
    check(duplicates == 0 && n == 100000 && after + (1u << 20) < before,
          "finish-frees-what-it-held", detail);
    dsr_sorter_free(s);
    dsr_diags_release(&diags);
}

int main(void) {
    char dir[512];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/unit-sort-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        printf("FAIL sort/setup\n");
        return 1;
    }
    test_order(dir);
    test_key_order(dir, 64u << 20, 0, "key-order-in-memory");
    test_key_order(dir, 16384, 0, "key-order-spilled");
    test_key_order(dir, 16384, 1, "key-order-spilled-aside");
    /* final merges of two to six runs: trees of other shapes than eight runs make */
    for (size_t budget = 300u << 10; budget <= 1300u << 10; budget += 100u << 10) {
        char name[64];
        snprintf(name, sizeof(name), "key-order-%zu-KiB-runs", budget >> 10);
        test_key_order(dir, budget, 0, name);
    }
    test_large_records(dir);
    test_finish_frees(dir);
    test_missing_dir(dir);
    test_write_failure(dir, 0);
    test_write_failure(dir, 1);
    rmdir(dir);
    return failures ? 1 : 0;
}
