/*
 * main(): the command table and the validate and convert commands. They read
 * options, call the library and map the outcome to an exit status: 0 valid,
 * 1 invalid data, 2 usage error, unreadable file, invalid schema or refused
 * input. With several inputs each is read and reported; the highest status wins.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

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
    int format;                      /* --format, or -1 for "by extension" */
    int table;                       /* --table, or -1 for "by file name" */
    struct dsr_dataset_options opts; /* what every dataset of the run is given */
    struct dsr_diags diags;          /* everything reported */
    char **names;                    /* every input read, owned, for the report */
    size_t n_names;
};

/* Reads one argument (a file, a folder, or "-" for stdin) into ds. */
static void add_argument(struct run *run, struct dsr_dataset *ds, const char *arg) {
    if (!strcmp(arg, "-"))
        dsr_dataset_add_stream(ds, arg, stdin, run->format, run->table);
    else
        dsr_dataset_add_path(ds, arg, run->format, run->table);
}

/* Keeps the names of the files ds read, for the report. -1 when out of memory. */
static int keep_inputs(struct run *run, const struct dsr_dataset *ds) {
    size_t n;
    const char *const *inputs = dsr_dataset_inputs(ds, &n);
    if (n == 0)
        return 0;
    char **names = realloc(run->names, (run->n_names + n) * sizeof(*names));
    if (!names)
        return -1;
    run->names = names;
    for (size_t i = 0; i < n; i++)
        if (!(run->names[run->n_names++] = strdup(inputs[i])))
            return -1;
    return 0;
}

/* The options the environment gives: DOSSIER_SORT_MEMORY (bytes) and TMPDIR. */
static void environment_options(struct dsr_dataset_options *opts) {
    const char *s = getenv("DOSSIER_SORT_MEMORY");
    opts->sort_memory = s ? (size_t)strtoull(s, NULL, 10) : 0;
    opts->tmpdir = getenv("TMPDIR");
}

static void run_release(struct run *run) {
    dsr_diags_release(&run->diags);
    for (size_t i = 0; i < run->n_names; i++)
        free(run->names[i]);
    free(run->names);
}

/* Parses --format, --table, --from and --xslt, shared by validate and convert. */
static int common_option(struct run *run, int opt, const char *arg) {
    if (opt == 'f') {
        run->format = dsr_format_from_name(arg);
        if (run->format < 0)
            return usage_error("unknown format \"%s\": expected xml, json, jsonl or csv",
                               arg);
    } else if (opt == 'x') {
        run->opts.xslt = arg;
    } else if (opt == 'F') {
        int from = dsr_dialect_from_name(arg);
        if (from < 0)
            return usage_error("unknown dialect \"%s\": expected ofac-csv or ofac-xml",
                               arg);
        run->opts.from = from;
    } else if (opt == 't') {
        run->table = dsr_kind_from_name(arg);
        if (run->table < 0)
            return usage_error("unknown table \"%s\": expected entities, designations, "
                               "events or sources",
                               arg);
    }
    return 0;
}

/* --from reads its dialect's own files: --xslt, --format and --table do not apply. */
static int check_from(const struct run *run) {
    if (run->opts.from && run->opts.xslt)
        return usage_error("%s--from and --xslt exclude each other", "");
    if (run->opts.from && (run->format >= 0 || run->table >= 0))
        return usage_error("%s--from reads its dialect's own files: --format and --table "
                           "do not apply",
                           "");
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
    "usage: dossier validate [--format F] [--table T] [--from DIALECT] [--xslt FILE] "
    "[--report FORM] "
    "FILE|DIR|- ...\n";

static int cmd_validate(int argc, char **argv) {
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"table", required_argument, NULL, 't'},
                                            {"xslt", required_argument, NULL, 'x'},
                                            {"from", required_argument, NULL, 'F'},
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
    if (optind >= argc)
        return usage_error("%sno input given", "");
    if ((rc = check_from(&run)))
        return rc;
    environment_options(&run.opts);
    /*
     * Each argument is a dataset of its own; what is compiled serves them all.
     * A dialect's files are one dataset: OFAC's four files make one list.
     */
    struct dsr_dataset *ds = dsr_dataset_new(&run.opts, &run.diags);
    for (int i = optind; ds && i < argc; i++) {
        if (i > optind && !run.opts.from && dsr_dataset_reset(ds) < 0)
            break;
        add_argument(&run, ds, argv[i]);
        if (run.opts.from && i + 1 < argc)
            continue;
        dsr_dataset_finish(ds);
        if (keep_inputs(&run, ds) < 0) {
            dsr_diag_add(&run.diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
            break;
        }
    }
    dsr_dataset_free(ds);
    rc = finish(&run, (enum dsr_report_format)report);
    run_release(&run);
    return rc;
}

/* A signal ends the run as it would have, without the output's temporaries. */
static void on_signal(int sig) {
    dsr_output_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

/*
 * Signals that end a run remove the temporaries first (one left ignored, as by
 * nohup, stays so); a file size limit is reported as an error (EFBIG) instead
 * of killing the process.
 */
static void install_signal_handlers(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
}

/* 2 with a message when the output would replace one of the inputs, else 0. */
static int refuse_output_input(const char *output, int argc, char **argv) {
    for (int i = optind; output && i < argc; i++)
        if (dsr_output_same_file(output, argv[i])) {
            fprintf(stderr, "%s: error: refused: the output would replace input %s\n",
                    output, argv[i]);
            return 2;
        }
    return 0;
}

static const char convert_usage[] =
    "usage: dossier convert --to xml|json|jsonl|csv "
    "[--format F] [--table T] [--from DIALECT] [--xslt FILE] [-o FILE|DIR] "
    "FILE|DIR|- ...\n";

static int cmd_convert(int argc, char **argv) {
    static const struct option options[] = {{"to", required_argument, NULL, 'T'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"format", required_argument, NULL, 'f'},
                                            {"table", required_argument, NULL, 't'},
                                            {"xslt", required_argument, NULL, 'x'},
                                            {"from", required_argument, NULL, 'F'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    struct run run = {.format = -1, .table = -1};
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
    if (optind >= argc)
        return usage_error("%sno input given", "");
    if ((rc = check_from(&run)))
        return rc;
    if ((rc = refuse_output_input(output, argc, argv)))
        return rc;
    install_signal_handlers();
    environment_options(&run.opts);
    run.opts.keep_records = 1;
    struct dsr_dataset *ds = dsr_dataset_new(&run.opts, &run.diags);
    if (ds) {
        for (int i = optind; i < argc; i++)
            add_argument(&run, ds, argv[i]);
        /* Nothing is written unless every input was read cleanly. */
        if (dsr_dataset_status(ds) == 0 && dsr_dataset_finish(ds) == 0) {
            if (output)
                dsr_dataset_write_path(ds, (enum dsr_format)to, output);
            else
                dsr_dataset_write(ds, (enum dsr_format)to, stdout);
        }
        if (keep_inputs(&run, ds) < 0)
            dsr_diag_add(&run.diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
        dsr_dataset_free(ds);
    }
    rc = finish(&run, DSR_REPORT_TEXT);
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
    /* A closed stdout that nothing was written to is no error (`>&-`). */
    if (fflush(stdout) != 0 || ferror(stdout) ||
        (fclose(stdout) != 0 && errno != EBADF)) {
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
