/*
 * Records -> canonical CSV: one RFC 4180 table per kind in the writer's
 * folder, header row in the model's field order, CRLF line ends, a field
 * quoted only when it holds a comma, a quote, CR or LF. List cells are joined
 * with "; ", participants written role=entity. Tables are written to
 * temporary files in the folder and renamed into place by the end call, so
 * a failed run leaves the folder's tables as they were (dsr_writer_abort
 * removes the temporary files).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_read.h"

static int needs_quotes(const char *s) {
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* Writes s, doubling its quotes when the field is quoted. */
static void put_text(FILE *out, const char *s, int quoted) {
    for (; *s; s++) {
        if (*s == '"' && quoted)
            putc('"', out);
        putc(*s, out);
    }
}

/* Writes one field, quoted only when RFC 4180 requires it. */
static void put_field(FILE *out, const char *s) {
    int quoted = needs_quotes(s);
    if (quoted)
        putc('"', out);
    put_text(out, s, quoted);
    if (quoted)
        putc('"', out);
}

/* Writes a list cell: items joined with "; ", as role=entity for participants. */
static void put_list(FILE *out, const struct dsr_value *v) {
    int quoted = 0;
    for (size_t i = 0; i < v->n; i++)
        quoted |= needs_quotes(v->items[i]) || (v->roles && needs_quotes(v->roles[i]));
    if (quoted)
        putc('"', out);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            fputs("; ", out);
        if (v->roles) {
            put_text(out, v->roles[i], quoted);
            putc('=', out);
        }
        put_text(out, v->items[i], quoted);
    }
    if (quoted)
        putc('"', out);
}

/* Makes the folder unless it exists. 0, or -1 with errno set. */
static int make_dir(const char *dir) {
    struct stat st;
    if (mkdir(dir, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (errno == EEXIST)
        errno = ENOTDIR;
    return -1;
}

/* Opens the temporary file of one table, DIR/.<plural>.csv.tmp-XXXXXX. 0 or -1. */
static int open_table(struct dsr_writer *w, enum dsr_kind k) {
    const char *plural = dsr_kind_info(k)->plural;
    size_t len = strlen(w->dir) + strlen(plural) + 32;
    char *tmp = malloc(len);
    if (!tmp)
        return -1;
    snprintf(tmp, len, "%s/.%s.csv.tmp-XXXXXX", w->dir, plural);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    w->table_tmp[k] = tmp;
    /* mkstemp makes the file private; the table gets the mode of a new file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0 || !(w->tables[k] = fdopen(fd, "wb"))) {
        close(fd);
        return -1;
    }
    return 0;
}

int dsr_csv_write_begin(struct dsr_writer *w) {
    if (!w->dir || make_dir(w->dir) < 0)
        return -1;
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        if (open_table(w, (enum dsr_kind)k) < 0) {
            dsr_writer_abort(w);
            return -1;
        }
        const struct dsr_kind_info *info = dsr_kind_info((enum dsr_kind)k);
        for (size_t f = 0; f < info->n_fields; f++) {
            if (f)
                putc(',', w->tables[k]);
            put_field(w->tables[k], info->fields[f].name);
        }
        fputs("\r\n", w->tables[k]);
    }
    return 0;
}

int dsr_csv_write_record(struct dsr_writer *w, const struct dsr_record *rec) {
    FILE *out = w->tables[rec->kind];
    const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
    if (!out)
        return -1;
    for (size_t f = 0; f < info->n_fields; f++) {
        const struct dsr_value *v = &rec->values[f];
        if (f)
            putc(',', out);
        if (info->fields[f].type == DSR_FIELD_LIST ||
            info->fields[f].type == DSR_FIELD_ROLES)
            put_list(out, v);
        else if (v->text)
            put_field(out, v->text);
    }
    w->kind = (int)rec->kind;
    w->in_kind++;
    return fputs("\r\n", out) == EOF ? -1 : 0;
}

int dsr_csv_write_end(struct dsr_writer *w) {
    /* Close all four before renaming any: a full disk shows up here, with nothing moved.
     */
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        FILE *fp = w->tables[k];
        w->tables[k] = NULL;
        if (!fp || (ferror(fp) | fclose(fp)) != 0)
            return -1;
    }
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        const char *plural = dsr_kind_info((enum dsr_kind)k)->plural;
        size_t len = strlen(w->dir) + strlen(plural) + 8;
        char *path = malloc(len);
        if (!path)
            return -1;
        snprintf(path, len, "%s/%s.csv", w->dir, plural);
        int rc = rename(w->table_tmp[k], path);
        free(path);
        if (rc != 0)
            return -1;
        free(w->table_tmp[k]);
        w->table_tmp[k] = NULL;
    }
    return 0;
}
