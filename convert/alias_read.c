/*
 * Alias input: alias lists, one a line, and the entity records of dataset
 * files and folders (each record one list: its name, then its aliases,
 * counted as one line). Line numbers run on across inputs, as if they were
 * concatenated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alias_set.h"

/* An alias list longer than this is refused rather than held in memory. */
#define LINE_MAX_BYTES (1u << 20)

/*
 * Reads one line into *buf (without its end), at most LINE_MAX_BYTES of it;
 * the rest of a longer line is skipped and *too_long set. Returns the length,
 * or -1 at the end of the input.
 */
static long next_line(FILE *fp, char **buf, size_t *cap, int *too_long) {
    size_t n = 0;
    int c = 0;
    *too_long = 0;
    while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
        if (n >= LINE_MAX_BYTES) {
            *too_long = 1;
            continue;
        }
        if (n + 1 >= *cap) {
            size_t grown = *cap ? 2 * *cap : 256;
            char *b = realloc(*buf, grown);
            if (!b)
                return -2;
            *buf = b;
            *cap = grown;
        }
        (*buf)[n++] = (char)c;
    }
    if (c == EOF && n == 0 && !*too_long)
        return -1;
    return (long)n;
}

/* Reads one input's alias lists into set, numbering lines on from the last. 0 or -1. */
static int read_lines(struct dsr_alias_set *set, const char *path,
                      struct dsr_diags *diags) {
    int *line = &set->last_line;
    int is_stdin = !strcmp(path, "-");
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return 0;
    }
    char *buf = NULL;
    size_t cap = 0;
    long n;
    int rc = 0, first = 1, too_long;
    while (rc >= 0 && (n = next_line(fp, &buf, &cap, &too_long)) >= 0) {
        char *text = buf;
        (*line)++;
        if (too_long) {
            dsr_diag_add(diags, DSR_DIAG_SYNTAX, path, *line, 1, NULL,
                         "alias list longer than %u MiB refused", LINE_MAX_BYTES >> 20);
            continue;
        }
        if (first) {
            int skip = dsr_input_start((const unsigned char *)text,
                                       (size_t)(n < 4 ? n : 4), path, *line, diags);
            if (skip < 0)
                break;
            text += skip;
            n -= skip;
            first = 0;
        }
        while (n > 0 && text[n - 1] == '\r')
            n--;
        rc = dsr_alias_add_line(set, text ? text : "", (size_t)n, path, *line, diags);
    }
    if (n == -2)
        rc = -1;
    if (rc >= 0 && ferror(fp))
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot read: %s",
                     strerror(errno));
    free(buf);
    if (!is_stdin)
        fclose(fp);
    return rc < 0 ? -1 : 0;
}

struct entity_reader {
    struct dsr_alias_set *set;
    struct dsr_diags *diags;
};

static int add_entity(void *ctx, struct dsr_record *rec) {
    struct entity_reader *r = ctx;
    int rc = 0;
    if (rec->kind == DSR_ENTITY) {
        const struct dsr_value *aliases =
            &rec->values[dsr_field_index(DSR_ENTITY, "aliases")];
        const char **names = malloc((aliases->n + 1) * sizeof(*names));
        rc = names ? 0 : -1;
        if (names) {
            names[0] = rec->values[dsr_field_index(DSR_ENTITY, "name")].text;
            for (size_t i = 0; i < aliases->n; i++)
                names[i + 1] = aliases->items[i];
            rc = dsr_alias_add_entity(r->set, dsr_record_id(rec), names, aliases->n + 1,
                                      rec->file, r->set->last_line + 1, r->diags);
            free(names);
        }
    }
    dsr_record_free(rec);
    if (rc < 0)
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
    return rc < 0 ? -1 : 0;
}

/* Reads the entity records of a dataset file into set. 0, or -1 when out of memory. */
static int read_dataset_file(void *ctx, const char *path) {
    struct entity_reader *r = ctx;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(r->diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return 0;
    }
    struct dsr_input in = {path, fp, (enum dsr_format)dsr_format_from_path(path),
                           -1,   0,  NULL};
    dsr_read(&in, add_entity, r,
             r->diags); /* problems, out of memory too, are in diags */
    fclose(fp);
    return 0;
}

int dsr_alias_add_path(struct dsr_alias_set *set, const char *path,
                       struct dsr_diags *diags) {
    struct stat st;
    int folder = strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (!folder && (!strcmp(path, "-") || dsr_format_from_path(path) < 0))
        return read_lines(set, path, diags);
    struct entity_reader r = {set, diags};
    dsr_alias_next_dataset(set); /* each dataset is its own publisher's */
    return folder ? dsr_folder_each(path, -1, read_dataset_file, &r, diags)
                  : read_dataset_file(&r, path);
}
