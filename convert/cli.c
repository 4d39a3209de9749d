/*
 * main(): the command table and the validate and convert commands. They read
 * options, call the library and map the outcome to an exit status: 0 valid,
 * 1 invalid data, 2 usage error, unreadable file, invalid schema or refused
 * input. With several inputs each is read and reported; the highest status wins.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int cmd_aliases(int argc, char **argv);         /* cli_aliases.c */
int cmd_validate_schema(int argc, char **argv); /* cli_schema.c: --schema FILE.json */
int cmd_validate_xsd(int argc, char **argv);    /* cli_xsd.c: --schema FILE.xsd */

/* The value of --schema in argv, or NULL. */
static const char *schema_option(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--schema") && i + 1 < argc)
            return argv[i + 1];
        if (!strncmp(argv[i], "--schema=", 9))
            return argv[i] + 9;
    }
    return NULL;
}

static int usage_error(const char *fmt, const char *arg) {
    fputs("dossier: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\ntry 'dossier --help'\n", stderr);
    return 2;
}

/* What one run of validate or convert shares across its inputs. */
struct run {
    int format;                /* --format, or -1 for "by extension" */
    int table;                 /* --table, or -1 for "by file name" */
    struct dsr_diags diags;    /* everything reported */
    struct dsr_sorter *sorter; /* the dataset's records in canonical order */
    struct dsr_index *index;   /* the dataset's entity and source ids, for references */
    struct dsr_record_schemas schemas; /* the dataset JSON Schema, compiled once */
    const char *xslt_path;             /* --xslt: every input is XML mapped by it */
    struct dsr_xslt *xslt;             /* the stylesheet, compiled once */
    int keep_records; /* convert keeps whole records; validate only ids */
    char **names;     /* every input read, owned: records borrow them */
    size_t n_names;
};

static int collect(void *ctx, struct dsr_record *rec) {
    struct run *run = ctx;
    if (dsr_index_add(run->index, rec) < 0) {
        dsr_record_free(rec);
        dsr_diag_add(&run->diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
        return -1;
    }
    if (!run->keep_records) {
        /* Validation keeps only the id and the references, to check them. */
        const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
        for (size_t f = 1; f < info->n_fields; f++)
            if (!rec->values[f].n || !strcmp(info->fields[f].name, "aliases"))
                dsr_record_clear(rec, (int)f);
    }
    if (dsr_sorter_take(run->sorter, rec) < 0) {
        dsr_diag_add(&run->diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
        return -1;
    }
    return 0;
}

static int check_refs(void *ctx, struct dsr_record *rec) {
    struct run *run = ctx;
    if (run->keep_records && dsr_index_complete(run->index, rec) < 0)
        return -1;
    return dsr_index_check_refs(run->index, rec, &run->diags) < 0 ? -1 : 0;
}

static void read_path(struct run *run, const char *path);

/* DOSSIER_SORT_MEMORY (bytes) caps the records held in memory while sorting. */
static size_t sort_budget(void) {
    const char *s = getenv("DOSSIER_SORT_MEMORY");
    return s ? (size_t)strtoull(s, NULL, 10) : 0;
}

/* A folder's regular files with a known extension, in name order: no subfolders, no
 * links. */
static void read_dir(struct run *run, const char *path) {
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0) {
        dsr_diag_add(&run->diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot read folder: %s",
                     strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (name[0] != '.' && dsr_format_from_path(name) >= 0) {
            size_t len = strlen(path) + strlen(name) + 2;
            char *full = malloc(len);
            struct stat st;
            if (full) {
                snprintf(full, len, "%s%s%s", path,
                         path[strlen(path) - 1] == '/' ? "" : "/", name);
                int known = lstat(full, &st) == 0;
                if (known && S_ISREG(st.st_mode))
                    read_path(run, full);
                else if (known && S_ISLNK(st.st_mode))
                    dsr_diag_warn(&run->diags, full, 0, 0,
                                  "link skipped: a folder's links are not followed");
                free(full);
            }
        }
        free(list[i]);
    }
    free(list);
}

/* Reads one input named on the command line ("-" for stdin, or a folder). */
static void read_path(struct run *run, const char *path) {
    struct stat st;
    int is_stdin = !strcmp(path, "-");
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        read_dir(run, path);
        return;
    }
    int format = run->xslt          ? DSR_FORMAT_XML
                 : run->format >= 0 ? run->format
                                    : dsr_format_from_path(path);
    if (format < 0) {
        dsr_diag_add(&run->diags, DSR_DIAG_USAGE, path, 0, 0, NULL,
                     "cannot tell the format of %s: name it with --format (xml, json, "
                     "jsonl or csv)",
                     is_stdin ? "standard input" : "this file");
        return;
    }
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(&run->diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return;
    }
    /* Records borrow the name, so the run keeps a copy until it ends. */
    char **names = realloc(run->names, (run->n_names + 1) * sizeof(*names));
    char *name = strdup(path);
    if (names)
        run->names = names;
    if (!names || !name) {
        free(name);
        dsr_diag_add(&run->diags, DSR_DIAG_REFUSED, path, 0, 0, NULL, "out of memory");
        if (!is_stdin)
            fclose(fp);
        return;
    }
    run->names[run->n_names++] = name;
    struct dsr_input in = {name, fp, (enum dsr_format)format, run->table, &run->schemas};
    if (run->xslt)
        dsr_xslt_read(run->xslt, &in, collect, run, &run->diags);
    else
        dsr_read(&in, collect, run, &run->diags);
    if (!is_stdin)
        fclose(fp);
}

/* Starts a dataset: a new sorter and index. 0, or 2 when out of memory. */
static int dataset_begin(struct run *run) {
    run->sorter = dsr_sorter_new(sort_budget());
    run->index = dsr_index_new();
    if (run->sorter && run->index)
        return 0;
    fputs("dossier: out of memory\n", stderr);
    return 2;
}

/* Sorts the dataset read, reports duplicate ids and references to nothing. */
static int dataset_finish(struct run *run) {
    if (dsr_index_resolve(run->index, &run->diags) < 0)
        return -1;
    return dsr_sorter_finish(run->sorter, &run->diags, check_refs, run);
}

static void dataset_end(struct run *run) {
    dsr_sorter_free(run->sorter);
    dsr_index_free(run->index);
    run->sorter = NULL;
    run->index = NULL;
}

/*
 * Reads the inputs. validate checks each argument (a file, a folder of tables,
 * or stdin) as a dataset of its own; convert merges them all into one, left
 * open for writing.
 */
static int run_inputs(struct run *run, int argc, char **argv, int one_dataset) {
    if (optind >= argc)
        return usage_error("%sno input given", "");
    if (dsr_record_schemas_init(&run->schemas, &run->diags) < 0 ||
        (run->xslt_path && !(run->xslt = dsr_xslt_new(run->xslt_path, &run->diags))))
        return 0; /* reported: finish() prints it and exits 2 */
    for (int i = optind; i < argc; i++) {
        if ((i == optind || !one_dataset) && dataset_begin(run))
            return 2;
        read_path(run, argv[i]);
        if (!one_dataset) {
            dataset_finish(run);
            dataset_end(run);
        }
    }
    return 0;
}

static void run_release(struct run *run) {
    dataset_end(run);
    dsr_record_schemas_release(&run->schemas);
    dsr_xslt_free(run->xslt);
    dsr_diags_release(&run->diags);
    for (size_t i = 0; i < run->n_names; i++)
        free(run->names[i]);
    free(run->names);
}

/* Parses --format and --table, shared by validate and convert. */
static int common_option(struct run *run, int opt, const char *arg) {
    if (opt == 'f') {
        run->format = dsr_format_from_name(arg);
        if (run->format < 0)
            return usage_error("unknown format \"%s\": expected xml, json, jsonl or csv",
                               arg);
    } else if (opt == 'x') {
        run->xslt_path = arg;
    } else if (opt == 't') {
        run->table = dsr_kind_from_name(arg);
        if (run->table < 0)
            return usage_error("unknown table \"%s\": expected entities, designations, "
                               "events or sources",
                               arg);
    }
    return 0;
}

static int finish(struct run *run, enum dsr_report_format report) {
    dsr_diags_sort(&run->diags);
    FILE *out = report == DSR_REPORT_TEXT ? stderr : stdout;
    if (dsr_report_write(out, report, &run->diags, (const char *const *)run->names,
                         run->n_names) < 0) {
        fputs("dossier: cannot write the report\n", stderr);
        return 2;
    }
    return dsr_diags_status(&run->diags);
}

static const char validate_usage[] =
    "usage: dossier validate [--format F] [--table T] [--xslt FILE] [--report FORM] "
    "FILE|DIR|- ...\n";

static int cmd_validate(int argc, char **argv) {
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"table", required_argument, NULL, 't'},
                                            {"xslt", required_argument, NULL, 'x'},
                                            {"report", required_argument, NULL, 'r'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    struct run run = {.format = -1, .table = -1};
    int report = DSR_REPORT_TEXT, opt, rc;
    /* A schema of the user's own makes validate a general validator. */
    const char *schema = schema_option(argc, argv);
    if (schema) {
        size_t n = strlen(schema);
        if (n > 4 && !strcmp(schema + n - 4, ".xsd"))
            return cmd_validate_xsd(argc, argv);
        return cmd_validate_schema(argc, argv);
    }
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(validate_usage, stdout);
            return 0;
        }
        if (opt == 'r' && (report = dsr_report_format_from_name(optarg)) < 0)
            return usage_error(
                "unknown report \"%s\": expected text, json, junit, github, "
                "sarif or html",
                optarg);
        if (opt == '?')
            return usage_error("%sbad option", "");
        if ((rc = common_option(&run, opt, optarg)))
            return rc;
    }
    if ((rc = run_inputs(&run, argc, argv, 0)))
        goto out;
    rc = finish(&run, (enum dsr_report_format)report);
out:
    run_release(&run);
    return rc;
}

/* Writes the sorted records to path (or stdout) through a temporary file. */
static int write_output(struct run *run, enum dsr_format format, const char *path) {
    struct dsr_writer w;
    const struct dsr_record *rec;
    char *tmp = NULL;
    FILE *out = stdout;
    int rc = -1;
    if (path && format != DSR_FORMAT_CSV) {
        size_t len = strlen(path) + 16;
        tmp = malloc(len);
        int fd = -1;
        if (tmp) {
            snprintf(tmp, len, "%s.tmp-XXXXXX", path);
            fd = mkstemp(tmp);
        }
        if (fd < 0 || !(out = fdopen(fd, "wb"))) {
            dsr_diag_add(&run->diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot write: %s",
                         strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            free(tmp);
            return -1;
        }
    }
    if (dsr_writer_open(&w, format, out, format == DSR_FORMAT_CSV ? path : NULL,
                        &run->diags) < 0)
        goto out;
    while ((rec = dsr_sorter_next(run->sorter)))
        if (dsr_writer_record(&w, rec) < 0)
            break;
    if (!rec && dsr_sorter_failed(run->sorter))
        dsr_diag_add(&run->diags, DSR_DIAG_IO, NULL, 0, 0, NULL,
                     "cannot sort: temporary file could not be read");
    if (rec || dsr_sorter_failed(run->sorter) || dsr_writer_close(&w, &run->diags) < 0) {
        dsr_writer_abort(&w);
        goto out;
    }
    rc = 0;
out:
    if (tmp) {
        if (fclose(out) != 0 || rc < 0 || rename(tmp, path) != 0) {
            if (rc == 0)
                dsr_diag_add(&run->diags, DSR_DIAG_IO, path, 0, 0, NULL,
                             "cannot write: %s", strerror(errno));
            unlink(tmp);
            rc = -1;
        }
        free(tmp);
    }
    return rc;
}

static const char convert_usage[] =
    "usage: dossier convert --to xml|json|jsonl|csv "
    "[--format F] [--table T] [--xslt FILE] [-o FILE|DIR] "
    "FILE|DIR|- ...\n";

static int cmd_convert(int argc, char **argv) {
    static const struct option options[] = {{"to", required_argument, NULL, 'T'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"table", required_argument, NULL, 't'},
                                            {"xslt", required_argument, NULL, 'x'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    struct run run = {.format = -1, .table = -1, .keep_records = 1};
    const char *output = NULL;
    int to = -1, opt, rc;
    while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(convert_usage, stdout);
            return 0;
        }
        if (opt == 'T' && (to = dsr_format_from_name(optarg)) < 0)
            return usage_error("unknown format \"%s\": expected xml, json, jsonl or csv",
                               optarg);
        if (opt == 'o')
            output = optarg;
        if (opt == '?')
            return usage_error("%sbad option", "");
        if ((rc = common_option(&run, opt, optarg)))
            return rc;
    }
    if (to < 0)
        return usage_error("%s--to is required", "");
    if (to == DSR_FORMAT_CSV && !output)
        return usage_error("%s--to csv writes four tables: name a folder with -o", "");
    if ((rc = run_inputs(&run, argc, argv, 1)))
        goto out;
    /* Nothing is written unless every input was read cleanly. */
    if (dsr_diags_status(&run.diags) == 0 && dataset_finish(&run) >= 0 &&
        dsr_diags_status(&run.diags) == 0)
        write_output(&run, (enum dsr_format)to, output);
    rc = finish(&run, DSR_REPORT_TEXT);
out:
    run_release(&run);
    return rc;
}

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"validate", cmd_validate, "check datasets against their schemas"},
    {"convert", cmd_convert,
     "convert datasets to canonical XML, JSON, JSON Lines or CSV"},
    {"aliases", cmd_aliases, "resolve alias lists into entities"},
};

static void help(void) {
    fputs("usage: dossier COMMAND [OPTIONS] FILE|DIR|- ...\n\ncommands:\n", stdout);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        printf("  %-10s %s\n", commands[i].name, commands[i].help);
    fputs("\n'dossier COMMAND --help' shows a command's options\n", stdout);
}

/* Flushes stdout; a failed write (a full disk, a closed pipe) is exit 2. */
static int close_stdout(int rc) {
    if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
        fprintf(stderr, "dossier: cannot write output: %s\n", strerror(errno));
        return 2;
    }
    return rc;
}

int main(int argc, char **argv) {
    /* Diagnostics come in bulk at the end of a run: one write a line would dominate. */
    static char stderr_buffer[1 << 16];
    setvbuf(stderr, stderr_buffer, _IOFBF, sizeof(stderr_buffer));
    if (argc < 2)
        return usage_error("%sno command given", "");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help();
        return close_stdout(0);
    }
    if (!strcmp(argv[1], "--version")) {
        puts("dossier " DSR_VERSION);
        return close_stdout(0);
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return close_stdout(commands[i].fn(argc - 1, argv + 1));
    return usage_error("unknown command \"%s\"", argv[1]);
}
