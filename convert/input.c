/*
 * What every reader does first: tell the encoding from the input's first
 * bytes. UTF-8 is read, with or without a byte-order mark (spreadsheets write
 * one); UTF-16 and UTF-32 are refused with one message, whatever the format.
 * And what a folder given as input stands for: its dataset files.
 */
#define _GNU_SOURCE /* fopencookie */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

int dsr_input_start(const unsigned char *b, size_t n, const char *name, int line,
                    struct dsr_diags *diags) {
    /* UTF-16 and UTF-32 start with a BOM of their own or put a NUL in the first two. */
    if (n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE) ||
                   b[0] == 0 || b[1] == 0)) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, name, line, 1, NULL,
                     "UTF-16 or UTF-32 input refused: dossier reads UTF-8");
        return -1;
    }
    return n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
}

int dsr_folder_each(const char *path, int only, int (*fn)(void *ctx, const char *file),
                    void *ctx, struct dsr_diags *diags) {
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort), found = 0, rc = 0;
    if (n < 0) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot read folder: %s",
                     strerror(errno));
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        int format = dsr_format_from_path(name);
        if (rc == 0 && name[0] != '.' && format >= 0 && (only < 0 || format == only)) {
            size_t len = strlen(path) + strlen(name) + 2;
            char *full = malloc(len);
            struct stat st;
            if (!full) {
                rc = -1;
            } else {
                snprintf(full, len, "%s%s%s", path,
                         path[strlen(path) - 1] == '/' ? "" : "/", name);
                int known = lstat(full, &st) == 0;
                if (known && S_ISREG(st.st_mode)) {
                    rc = fn(ctx, full);
                    found++;
                } else if (known && S_ISLNK(st.st_mode)) {
                    dsr_diag_warn(diags, full, 0, 0,
                                  "link skipped: a folder's links are not followed");
                }
                free(full);
            }
        }
        free(list[i]);
    }
    free(list);
    if (rc == 0 && !found)
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL,
                     "no dataset file in this folder (.xml, .json, .jsonl, .ndjson or "
                     ".csv)");
    return rc;
}

/* An input read through a counter, for progress. */
struct watched {
    FILE *fp;
    const char *name;
    long long done, size, next;
    void (*progress)(void *ctx, const char *name, long long done, long long size);
    void *ctx;
};

#define PROGRESS_STEP (4ll << 20)

static ssize_t watched_read(void *cookie, char *buf, size_t n) {
    struct watched *w = cookie;
    size_t got = fread(buf, 1, n, w->fp);
    w->done += (long long)got;
    if (w->done >= w->next) {
        w->progress(w->ctx, w->name, w->done, w->size);
        w->next = w->done + PROGRESS_STEP;
    }
    return got == 0 && ferror(w->fp) ? -1 : (ssize_t)got;
}

static int watched_close(void *cookie) {
    free(cookie);
    return 0;
}

FILE *dsr_input_watch(FILE *fp, const char *name,
                      void (*progress)(void *, const char *, long long, long long),
                      void *ctx) {
    struct watched *w = calloc(1, sizeof(*w));
    struct stat st;
    if (!w)
        return NULL;
    *w = (struct watched){fp, name, 0, 0, PROGRESS_STEP, progress, ctx};
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
        w->size = (long long)st.st_size;
    cookie_io_functions_t io = {watched_read, NULL, NULL, watched_close};
    FILE *watched = fopencookie(w, "rb", io);
    if (!watched)
        free(w);
    return watched;
}
