/*
 * Safe outputs (output.c): modes, replacing and abandoning files and folders,
 * write failures (a file size limit, /dev/full), the registry a signal handler
 * empties, and outputs that name inputs. Fault sweeps through the command
 * line are in check_faults.sh.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

static int failures;
static char dir[512]; /* the test's own folder */

static void check(int ok, const char *name, const char *detail) {
    printf("%s output/%s\n", ok ? "ok" : "FAIL", name);
    if (!ok) {
        printf("  %s\n", detail ? detail : "");
        failures++;
    }
}

static char *path_in(const char *name) {
    static char buf[16][640];
    static int next;
    char *p = buf[next++ % 16];
    snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
    return p;
}

static void put(const char *path, const char *text, mode_t mode) {
    FILE *fp = fopen(path, "wb");
    fputs(text, fp);
    fclose(fp);
    chmod(path, mode);
}

/* The file's text (at most 255 bytes), or "(none)". */
static const char *text_of(const char *path) {
    static char buf[256];
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return "(none)";
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/* The names in folder path, sorted, space-separated. */
static const char *listing(const char *path) {
    static char buf[1024];
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            strncat(buf, list[i]->d_name, sizeof(buf) - strlen(buf) - 2);
            strcat(buf, " ");
        }
        free(list[i]);
    }
    free(list);
    return buf;
}

/* The message of the one diagnostic in diags, or why there is not exactly one. */
static const char *only_message(const struct dsr_diags *diags) {
    static char buf[DSR_MSG_MAX + 4096];
    if (diags->count != 1) {
        snprintf(buf, sizeof(buf), "%zu diagnostics", diags->count);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s: %s", diags->items[0].file, diags->items[0].message);
    return buf;
}

static void write_file(const char *path, const char *text, int commit) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_output *o = dsr_output_open(path, 0, &diags);
    if (o) {
        fputs(text, dsr_output_stream(o, NULL));
        if (commit)
            dsr_output_commit(o, &diags);
        else
            dsr_output_abort(o);
    }
    if (diags.count)
        printf("  unexpected: %s\n", only_message(&diags));
    dsr_diags_release(&diags);
}

static void test_files(void) {
    char *out = path_in("out.json");
    mode_t mask = umask(022);
    write_file(out, "new\n", 1);
    check(!strcmp(text_of(out), "new\n") && mode_of(out) == 0644 &&
              !strcmp(listing(dir), "out.json "),
          "new-file-umask-022", listing(dir));
    unlink(out);
    umask(027);
    write_file(out, "new\n", 1);
    check(mode_of(out) == 0640, "new-file-umask-027", NULL);
    umask(022);
    chmod(out, 0600);
    write_file(out, "second\n", 1);
    check(!strcmp(text_of(out), "second\n") && mode_of(out) == 0600, "old-mode-kept-0600",
          NULL);
    chmod(out, 0664);
    write_file(out, "third\n", 1);
    check(mode_of(out) == 0664, "old-mode-kept-0664", NULL);
    write_file(out, "abandoned\n", 0);
    check(!strcmp(text_of(out), "third\n") && !strcmp(listing(dir), "out.json "),
          "abort-keeps-old", listing(dir));

    /* A link is kept: what it leads to is replaced. */
    char *link = path_in("link.json");
    symlink("out.json", link);
    write_file(link, "through the link\n", 1);
    struct stat st;
    check(lstat(link, &st) == 0 && S_ISLNK(st.st_mode) &&
              !strcmp(text_of(out), "through the link\n"),
          "link-kept", listing(dir));
    unlink(link);
    unlink(out);
    umask(mask);
}

static void expect_open_error(const char *name, const char *path, int is_dir,
                              const char *want) {
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_output *o = dsr_output_open(path, is_dir, &diags);
    const char *got = only_message(&diags);
    check(!o && strstr(got, want) && diags.worst == 2, name, got);
    dsr_output_abort(o);
    dsr_diags_release(&diags);
}

static void test_open_errors(void) {
    char *file = path_in("file");
    put(file, "old", 0644);
    expect_open_error("folder-on-a-file", file, 1, "file: cannot write: Not a directory");
    expect_open_error("file-on-a-folder", dir, 0, "cannot write: Is a directory");
    expect_open_error("no-such-folder", path_in("none/out.json"), 0,
                      "none/out.json: cannot write: No such file or directory");
    check(!strcmp(text_of(file), "old") && !strcmp(listing(dir), "file "),
          "open-errors-leave-nothing", listing(dir));
    unlink(file);
}

/* Writes past a file size limit: the write fails with EFBIG, as on a full disk. */
static void test_write_failure(void) {
    char *out = path_in("big.json");
    struct rlimit old, small = {4096, 4096};
    struct dsr_diags diags;
    put(out, "previous", 0644);
    dsr_diags_init(&diags);
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old);
    small.rlim_max = old.rlim_max;
    setrlimit(RLIMIT_FSIZE, &small);
    struct dsr_output *o = dsr_output_open(out, 0, &diags);
    FILE *fp = o ? dsr_output_stream(o, NULL) : NULL;
    for (int i = 0; fp && i < 10000; i++)
        fputs("0123456789", fp);
    int rc = o ? dsr_output_commit(o, &diags) : 0;
    setrlimit(RLIMIT_FSIZE, &old);
    check(rc == -1 &&
              strstr(only_message(&diags), "big.json: cannot write: File too large"),
          "file-size-limit-reported", only_message(&diags));
    check(!strcmp(text_of(out), "previous") && !strcmp(listing(dir), "big.json "),
          "file-size-limit-keeps-old", listing(dir));
    unlink(out);
    dsr_diags_release(&diags);

    /* A device is written in place, and its errors reported all the same. */
    dsr_diags_init(&diags);
    o = dsr_output_open("/dev/full", 0, &diags);
    if (o) {
        fputs("x", dsr_output_stream(o, NULL));
        rc = dsr_output_commit(o, &diags);
    }
    check(o && rc == -1 &&
              !strcmp(only_message(&diags),
                      "/dev/full: cannot write: No space left on device"),
          "device-full-reported", only_message(&diags));
    dsr_diags_release(&diags);

    /* A caller's stream: written on its descriptor, left open, its failure named. */
    FILE *full = fopen("/dev/full", "w");
    dsr_diags_init(&diags);
    o = dsr_output_open_stream(full, "the stream", &diags);
    if (o) {
        fputs("x", dsr_output_stream(o, NULL));
        rc = dsr_output_commit(o, &diags);
    }
    check(o && rc == -1 &&
              !strcmp(only_message(&diags),
                      ": cannot write the stream: No space left on device") &&
              fileno(full) >= 0,
          "stream-full-reported", only_message(&diags));
    fclose(full);
    dsr_diags_release(&diags);

    /* A stream without a descriptor is written directly. */
    char mem[64] = "";
    FILE *memory = fmemopen(mem, sizeof(mem), "w");
    dsr_diags_init(&diags);
    fputs("before ", memory);
    o = dsr_output_open_stream(memory, "memory", &diags);
    if (o) {
        fputs("after", dsr_output_stream(o, NULL));
        rc = dsr_output_commit(o, &diags);
    }
    check(o && rc == 0 && diags.count == 0 && !strcmp(mem, "before after"),
          "stream-without-descriptor", mem);
    fclose(memory);
    dsr_diags_release(&diags);
}

/* Writes the four tables into folder path; 0 or -1. */
static int write_tables(const char *path, const char *text, int commit,
                        struct dsr_diags *diags) {
    static const char *const tables[] = {"designations.csv", "entities.csv", "events.csv",
                                         "sources.csv"};
    struct dsr_output *o = dsr_output_open(path, 1, diags);
    if (!o)
        return -1;
    for (int i = 0; i < 4; i++) {
        FILE *fp = dsr_output_stream(o, tables[i]);
        if (fp)
            fprintf(fp, "%s %s", tables[i], text);
    }
    if (!commit) {
        dsr_output_abort(o);
        return 0;
    }
    return dsr_output_commit(o, diags);
}

static void test_folders(void) {
    char *tables = path_in("tables");
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    mode_t mask = umask(022);
    int rc = write_tables(tables, "one", 1, &diags);
    check(rc == 0 && diags.count == 0 &&
              !strcmp(listing(tables),
                      "designations.csv entities.csv events.csv sources.csv ") &&
              !strcmp(listing(dir), "tables ") && mode_of(tables) == 0755 &&
              mode_of(path_in("tables/events.csv")) == 0644,
          "new-folder", listing(dir));

    /* Replaced as a whole; other files stay, the tables keep their modes. */
    put(path_in("tables/README"), "mine", 0600);
    chmod(path_in("tables/entities.csv"), 0600);
    chmod(tables, 0750);
    rc = write_tables(tables, "two", 1, &diags);
    check(rc == 0 && diags.count == 0 &&
              !strcmp(text_of(path_in("tables/README")), "mine") &&
              !strcmp(text_of(path_in("tables/sources.csv")), "sources.csv two") &&
              mode_of(path_in("tables/entities.csv")) == 0600 &&
              mode_of(path_in("tables/events.csv")) == 0644 && mode_of(tables) == 0750 &&
              !strcmp(listing(dir), "tables "),
          "folder-replaced", listing(tables));

    rc = write_tables(tables, "three", 0, &diags);
    check(rc == 0 && !strcmp(text_of(path_in("tables/events.csv")), "events.csv two") &&
              !strcmp(listing(dir), "tables "),
          "folder-abort-keeps-old", listing(dir));

    /* A table name is a plain file name. */
    struct dsr_output *o = dsr_output_open(tables, 1, &diags);
    check(o && !dsr_output_stream(o, "../escape.csv") && !dsr_output_stream(o, NULL) &&
              dsr_output_commit(o, &diags) == -1 &&
              strstr(only_message(&diags), "Invalid argument"),
          "table-name-checked", only_message(&diags));
    dsr_diags_release(&diags);
    check(!strcmp(listing(dir), "tables ") &&
              !strcmp(text_of(path_in("tables/events.csv")), "events.csv two"),
          "failed-folder-keeps-old", listing(dir));

    /* A subfolder would be lost: refused before anything is written. */
    mkdir(path_in("tables/sub"), 0755);
    dsr_diags_init(&diags);
    rc = write_tables(tables, "four", 1, &diags);
    check(rc == -1 &&
              strstr(only_message(&diags),
                     "cannot replace the folder: it holds a subfolder \"sub\"") &&
              !strcmp(listing(dir), "tables "),
          "subfolder-refused", only_message(&diags));
    dsr_diags_release(&diags);
    rmdir(path_in("tables/sub"));
    umask(mask);
}

/* What a signal handler does: every temporary goes, the old outputs stay. */
static void test_remove_temporaries(void) {
    char *file = path_in("kept.json"), *tables = path_in("tables");
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    put(file, "kept", 0644);
    struct dsr_output *a = dsr_output_open(file, 0, &diags);
    struct dsr_output *b = dsr_output_open(tables, 1, &diags);
    struct dsr_output *c = dsr_output_open(path_in("new.json"), 0, &diags);
    if (a && b && c) {
        fputs("partial", dsr_output_stream(a, NULL));
        fputs("partial", dsr_output_stream(b, "entities.csv"));
    }
    const char *before = strdup(listing(dir));
    dsr_output_remove_temporaries();
    check(a && b && c && diags.count == 0 &&
              strlen(before) > strlen("kept.json tables ") &&
              !strcmp(listing(dir), "kept.json tables ") &&
              !strcmp(text_of(file), "kept") &&
              !strcmp(text_of(path_in("tables/events.csv")), "events.csv two"),
          "remove-temporaries", listing(dir));
    free((void *)before);
    dsr_output_abort(a);
    dsr_output_abort(b);
    dsr_output_abort(c);
    check(!strcmp(listing(dir), "kept.json tables "), "abort-after-removal",
          listing(dir));
    dsr_diags_release(&diags);
}

static void test_same_file(void) {
    char *in = path_in("in.json"), *other = path_in("other.json");
    char *hard = path_in("hard.json"), *soft = path_in("soft.json");
    char *tables = path_in("tables");
    put(in, "{}", 0644);
    put(other, "{}", 0644);
    link(in, hard);
    symlink("in.json", soft);
    check(dsr_output_same_file(in, in) == 1, "same-file", NULL);
    check(dsr_output_same_file(hard, in) == 1, "same-file-hard-link", NULL);
    check(dsr_output_same_file(soft, in) == 1, "same-file-symlink", NULL);
    check(dsr_output_same_file(other, in) == 0, "other-file", NULL);
    check(dsr_output_same_file(path_in("none.json"), in) == 0, "new-output", NULL);
    check(dsr_output_same_file("-", in) == 0 && dsr_output_same_file(in, "-") == 0,
          "stdio-never-same", NULL);
    check(dsr_output_same_file(tables, path_in("tables/entities.csv")) == 1,
          "folder-holds-input-table", NULL);
    check(dsr_output_same_file(tables, path_in("tables/README")) == 0,
          "folder-holds-other-file", NULL);
    check(dsr_output_same_file(tables, tables) == 1, "same-folder", NULL);
    check(dsr_output_same_file(other, dir) == 1, "input-folder-reads-output", NULL);
    check(dsr_output_same_file(path_in("tables/README"), dir) == 0,
          "input-folder-ignores-other-names", NULL);
    unlink(in);
    unlink(other);
    unlink(hard);
    unlink(soft);
}

/* Removes the test folder's files and folders, one level down. */
static void clean(const char *path) {
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        char sub[1024];
        if (strcmp(list[i]->d_name, ".") && strcmp(list[i]->d_name, "..")) {
            snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
            if (unlink(sub) != 0)
                clean(sub);
        }
        free(list[i]);
    }
    free(list);
    rmdir(path);
}

int main(void) {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/unit-output-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        printf("FAIL output/setup\n");
        return 1;
    }
    test_files();
    test_open_errors();
    test_write_failure();
    test_folders();
    test_remove_temporaries();
    test_same_file();
    clean(dir);
    return failures ? 1 : 0;
}
