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
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

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

/* What one run of validate or convert shares across its inputs. */
struct run {
    const char *command;             /* "validate" or "convert", for usage errors */
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

/*
 * The options the environment gives: DOSSIER_SORT_MEMORY (bytes), TMPDIR, and
 * the threads: -j N, or one a core.
 */
static void environment_options(struct dsr_dataset_options *opts) {
    const char *s = getenv("DOSSIER_SORT_MEMORY");
    opts->sort_memory = s ? (size_t)strtoull(s, NULL, 10) : 0;
    opts->tmpdir = getenv("TMPDIR");
    opts->jobs = cli_threads();
    if (isatty(STDERR_FILENO))
        opts->progress = cli_progress;
}

/* ---- progress on a terminal ---- */

static double progress_start = -1, progress_last;
static int progress_shown;

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *label(const char *name) {
    return strcmp(name, "-") ? name : "standard input";
}

void cli_progress(void *ctx, const char *name, long long done, long long size) {
    (void)ctx;
    double now = seconds_now();
    if (progress_start < 0)
        progress_start = now;
    /* Quiet for a second (short runs show nothing), then five updates a second. */
    if (now - progress_start < 1 || now - progress_last < 0.2)
        return;
    progress_last = now;
    if (size > 0)
        fprintf(stderr, "\r\033[Kdossier: reading %s: %lld%% (%lld of %lld MB)",
                label(name), done * 100 / size, done / 1000000, size / 1000000);
    else
        fprintf(stderr, "\r\033[Kdossier: reading %s: %lld MB", label(name),
                done / 1000000);
    fflush(stderr);
    progress_shown = 1;
}

void cli_progress_end(void) {
    if (progress_shown)
        fputs("\r\033[K", stderr);
    progress_shown = 0;
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
            return cli_usage_error(
                run->command, NULL,
                "unknown format \"%s\": expected xml, json, jsonl or csv", arg);
    } else if (opt == 'x') {
        run->opts.xslt = arg;
    } else if (opt == 'F') {
        int from = dsr_dialect_from_name(arg);
        if (from < 0)
            return cli_usage_error(
                run->command, NULL,
                "unknown dialect \"%s\": expected ofac-csv or ofac-xml", arg);
        run->opts.from = from;
    } else if (opt == 't') {
        run->table = dsr_kind_from_name(arg);
        if (run->table < 0)
            return cli_usage_error(
                run->command, NULL,
                "unknown table \"%s\": expected entities, designations, "
                "events or sources",
                arg);
    }
    return 0;
}

enum dsr_report_format cli_text_format(void) {
    const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");
    int colour = isatty(STDERR_FILENO) && !(no_colour && *no_colour) &&
                 !(term && !strcmp(term, "dumb"));
    return colour ? DSR_REPORT_TERMINAL : DSR_REPORT_TEXT;
}

int cli_report(enum dsr_report_format format, int summary, const struct dsr_diags *diags,
               const char *const *inputs, size_t n_inputs) {
    FILE *out = format == DSR_REPORT_TEXT ? stderr : stdout;
    cli_progress_end();
    if (dsr_report_write(out, format == DSR_REPORT_TEXT ? cli_text_format() : format,
                         diags, inputs, n_inputs) < 0 ||
        (format == DSR_REPORT_TEXT && summary && !cli_quiet &&
         dsr_report_summary(stderr, diags, inputs, n_inputs) < 0) ||
        fflush(out) != 0) {
        fputs("dossier: cannot write the report\n", stderr);
        return 2;
    }
    return 0;
}

/* --from reads its dialect's own files: --xslt, --format and --table do not apply. */
static int check_from(const struct run *run) {
    if (run->opts.from && run->opts.xslt)
        return cli_usage_error(run->command, NULL,
                               "--from and --xslt exclude each other");
    if (run->opts.from && (run->format >= 0 || run->table >= 0))
        return cli_usage_error(
            run->command, NULL,
            "--from reads its dialect's own files: --format and --table "
            "do not apply");
    return 0;
}

static int finish(struct run *run, enum dsr_report_format report) {
    dsr_diags_sort(&run->diags);
    /* validate says what it checked; convert's output says what it did. */
    if (cli_report(report, !strcmp(run->command, "validate"), &run->diags,
                   (const char *const *)run->names, run->n_names))
        return 2;
    return dsr_diags_status(&run->diags);
}

/* The input options validate and convert share (common_option parses them). */
/* clang-format off */
#define INPUT_OPTIONS                                                                    \
    {"format", required_argument, 'f', 0, "F", "read inputs as F: xml, json, jsonl or csv"}, \
    {"table", required_argument, 't', 0, "T", "a CSV table's kind (default: by its file name)"}, \
    {"xslt", required_argument, 'x', 0, "FILE", "map other XML with this stylesheet"},   \
    {"from", required_argument, 'F', 0, "DIALECT",                                       \
     "read a foreign dialect: ofac-csv or ofac-xml (OFAC's SDN list)"}
/* clang-format on */

static const struct cli_option validate_options[] = {
    INPUT_OPTIONS,
    {"report", required_argument, 'r', 0, "FORM",
     "text, json, junit, github, sarif or html"},
    {NULL, 0, 0, 0, NULL, NULL}};

static int cmd_validate(int argc, char **argv) {
    struct run run = {.command = "validate", .format = -1, .table = -1};
    int report = DSR_REPORT_TEXT, opt, rc, status = -1;
    /* A schema of the user's own makes validate a general validator. */
    const char *schema = schema_option(argc, argv);
    if (schema) {
        size_t n = strlen(schema);
        if (n > 4 && !strcmp(schema + n - 4, ".xsd"))
            return cmd_validate_xsd(argc, argv);
        return cmd_validate_schema(argc, argv);
    }
    while ((opt = cli_getopt(argc, argv, "validate", validate_options, &status)) != -1) {
        if (opt == 'r' && (report = dsr_report_format_from_name(optarg)) < 0)
            return cli_usage_error("validate", NULL,
                                   "unknown report \"%s\": expected text, json, junit, "
                                   "github, sarif or html",
                                   optarg);
        if ((rc = common_option(&run, opt, optarg)))
            return rc;
    }
    if (status >= 0)
        return status;
    if (optind >= argc)
        return cli_usage_error("validate", NULL, "no input given");
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

/* -o NAME.csv or -o - with --to csv: a usage error whose hint names a folder. */
static int csv_file_refused(const char *output) {
    char hint[256];
    const char *slash = strrchr(output, '/');
    const char *dot = strrchr(slash ? slash : output, '.');
    int stem = dot ? (int)(dot - output) : 0;
    int bare = !stem || output[stem - 1] == '/'; /* ".csv" or "-": no stem to suggest */
    snprintf(hint, sizeof(hint),
             "CSV output is a folder of tables: name one, as in -o %.*s%s",
             stem < 200 ? stem : 200, output, bare ? "tables" : "");
    return cli_usage_error("convert", hint,
                           "refused -o %s: --to csv writes four tables, not one file",
                           output);
}

static const struct cli_option convert_options[] = {
    {"to", required_argument, 'T', 0, "F", "write F: xml, json, jsonl or csv (required)"},
    {"output", required_argument, 'o', 'o', "FILE|DIR",
     "write to FILE, or to DIR for csv (- is stdout)"},
    INPUT_OPTIONS,
    {NULL, 0, 0, 0, NULL, NULL}};

static int cmd_convert(int argc, char **argv) {
    struct run run = {.command = "convert", .format = -1, .table = -1};
    const char *output = NULL;
    int to = -1, opt, rc, status = -1;
    while ((opt = cli_getopt(argc, argv, "convert", convert_options, &status)) != -1) {
        if (opt == 'T' && (to = dsr_format_from_name(optarg)) < 0)
            return cli_usage_error(
                "convert", NULL,
                "unknown format \"%s\": expected xml, json, jsonl or csv", optarg);
        if (opt == 'o')
            output = optarg;
        if ((rc = common_option(&run, opt, optarg)))
            return rc;
    }
    if (status >= 0)
        return status;
    if (to < 0)
        return cli_usage_error("convert", NULL, "--to is required");
    if (to == DSR_FORMAT_CSV && !output)
        return cli_usage_error("convert", NULL,
                               "--to csv writes four tables: name a folder with -o");
    if (to == DSR_FORMAT_CSV &&
        (!strcmp(output, "-") || dsr_format_from_path(output) >= 0))
        return csv_file_refused(output);
    if (optind >= argc)
        return cli_usage_error("convert", NULL, "no input given");
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

const struct cli_command cli_commands[] = {
    {"validate", cmd_validate, "check datasets against their schemas",
     "dossier validate [OPTIONS] FILE|DIR|- ...\n"
     "       dossier validate --schema FILE.xsd|FILE.json [OPTIONS] FILE|- ...\n",
     validate_options, "with --schema FILE (an XSD takes --report and --format xml only)",
     cli_schema_options},
    {"convert", cmd_convert, "convert datasets to canonical XML, JSON, JSON Lines or CSV",
     "dossier convert --to xml|json|jsonl|csv [OPTIONS] FILE|DIR|- ...\n",
     convert_options, NULL, NULL},
    {"aliases", cmd_aliases, "resolve alias lists into entities",
     "dossier aliases [--fuzzy] [--explain] [FILE|DIR|-] ...\n", cli_aliases_options,
     NULL, NULL},
    {"help", cmd_help, "show the help of dossier or of one command",
     "dossier help [COMMAND]\n", NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL}};

const struct cli_option cli_main_options[] = {
    {"version", no_argument, 'V', 0, NULL, "print the version and exit"},
    {NULL, 0, 0, 0, NULL, NULL}};

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
        return cli_usage_error(NULL, NULL, "no command given");
    if (argv[1][0] == '-' && argv[1][1]) {
        /* dossier's own options: only the first argument is looked at */
        int status = -1;
        if (cli_getopt(2, argv, NULL, cli_main_options, &status) == 'V') {
            puts("dossier " DSR_VERSION);
            status = 0;
        }
        return status < 0 ? cli_usage_error(NULL, NULL, "no command given")
                          : close_stdout(status);
    }
    const struct cli_command *cmd = cli_command_find(argv[1]);
    if (!cmd)
        return cli_unknown_command(argv[1]);
    return close_stdout(cmd->fn(argc - 1, argv + 1));
}
