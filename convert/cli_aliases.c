/*
 * dossier aliases [--fuzzy] [--explain] [FILE|-]...: reads alias lists, one
 * a line (stdin when no file is named), and prints the entities as JSON
 * Lines. Line numbers run on across files, as if they were concatenated.
 * A dataset file (by extension: .xml, .json, .jsonl, .csv) gives its entity
 * records instead, each record one list (name, then aliases) counted as one line.
 * Exit 0 when every line was valid, 1 when some were not, 2 for a usage
 * error or an unreadable file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"
#include "cli.h"

/* Reads one input's lines into set; *line counts on from the previous input. */
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

static int read_lines(struct dsr_alias_set *set, const char *path, int *line,
                      struct dsr_diags *diags) {
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
    int *line;
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
                                      rec->file, ++*r->line, r->diags);
            free(names);
        }
    }
    dsr_record_free(rec);
    if (rc < 0)
        dsr_diag_add(r->diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
    return rc < 0 ? -1 : 0;
}

/* Reads the entity records of a dataset file into set; problems go to diags. */
static void read_dataset(struct dsr_alias_set *set, const char *path, int format,
                         int *line, struct dsr_diags *diags) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return;
    }
    struct entity_reader r = {set, line, diags};
    struct dsr_input in = {path, fp, (enum dsr_format)format, -1, NULL};
    dsr_read(&in, add_entity, &r, diags);
    fclose(fp);
}

const struct cli_option cli_aliases_options[] = {
    {"fuzzy", no_argument, 'f', 0, NULL, "also merge transliteration variants"},
    {"explain", no_argument, 'e', 0, NULL, "list every merge and the rule that made it"},
    {NULL, 0, 0, 0, NULL, NULL}};

int cmd_aliases(int argc, char **argv) {
    int flags = 0, explain = 0, opt, line = 0, rc = 2, status = -1;
    while ((opt = cli_getopt(argc, argv, "aliases", cli_aliases_options, &status)) !=
           -1) {
        flags |= opt == 'f' ? DSR_ALIAS_FUZZY : 0;
        explain |= opt == 'e';
    }
    if (status >= 0)
        return status;
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_alias_set *set = dsr_alias_set_new(flags);
    int failed = !set;
    for (int i = optind; i < argc && !failed; i++) {
        int format = strcmp(argv[i], "-") ? dsr_format_from_path(argv[i]) : -1;
        if (format >= 0)
            read_dataset(set, argv[i], format, &line, &diags);
        else
            failed = read_lines(set, argv[i], &line, &diags) < 0;
    }
    if (!failed && optind == argc)
        failed = read_lines(set, "-", &line, &diags) < 0;
    if (!failed)
        failed = dsr_alias_resolve(set, &diags) < 0 ||
                 dsr_alias_write(set, stdout, explain) < 0;
    if (failed)
        dsr_diag_add(&diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
    dsr_diags_sort(&diags);
    dsr_report_write(stderr, DSR_REPORT_TEXT, &diags, NULL, 0);
    rc = dsr_diags_status(&diags);
    dsr_diags_release(&diags);
    dsr_alias_set_free(set);
    return rc;
}
