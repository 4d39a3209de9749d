/*
 * What the command-line files share: the command table (cli.c), each
 * command's option table (beside its code), and cli_help.c's parsing over
 * those tables, help text, suggestions and usage errors. The same tables
 * drive getopt_long, `--help` and "did you mean"; nothing lists an option twice.
 * Not library code: these functions print.
 */
#ifndef DSR_CLI_H
#define DSR_CLI_H

#include <getopt.h>

#include "dossier.h"

struct cli_option {
    const char *name; /* long name without "--"; NULL ends a table */
    int has_arg;      /* no_argument or required_argument */
    int val;          /* what cli_getopt returns for it */
    char letter;      /* the short option (-o), or 0 for none */
    const char *arg;  /* the argument's name in help ("FILE"), or NULL */
    const char *help; /* one line: what it does */
};

struct cli_command {
    const char *name; /* NULL ends the table */
    int (*fn)(int argc, char **argv);
    const char *help;                 /* one line: what the command does */
    const char *usage;                /* synopsis lines, each ending in "\n" */
    const struct cli_option *options; /* what it takes (-h, --help is implied) */
    const char *more_title;           /* a second group of options, or NULL */
    const struct cli_option *more;
};

extern const struct cli_command cli_commands[];       /* cli.c */
extern const struct cli_option cli_main_options[];    /* cli.c: dossier's own */
extern const struct cli_option cli_schema_options[];  /* cli_schema.c */
extern const struct cli_option cli_aliases_options[]; /* cli_aliases.c */

int cmd_aliases(int argc, char **argv);         /* cli_aliases.c */
int cmd_validate_schema(int argc, char **argv); /* cli_schema.c: --schema FILE.json */
int cmd_validate_xsd(int argc, char **argv);    /* cli_xsd.c: --schema FILE.xsd */
int cmd_help(int argc, char **argv);            /* cli_help.c */

/* 1 after -q or --quiet: no summary line (cli_getopt sets it). */
extern int cli_quiet;
/* -j N or --jobs N: threads that may work (cli_getopt sets it); 0 = one a core. */
extern int cli_jobs;
/* The threads to use: -j N, else one a core. */
int cli_threads(void);

/*
 * Writes the report of a run: text on stderr, followed by the summary line
 * when summary is 1 (and no -q); any other form on stdout. 0, or 2 after
 * saying the report could not be written.
 */
int cli_report(enum dsr_report_format format, int summary, const struct dsr_diags *diags,
               const char *const *inputs, size_t n_inputs);

/* Text diagnostics in colour on a terminal, unless NO_COLOR is set or TERM is dumb. */
enum dsr_report_format cli_text_format(void);

/*
 * Progress on a terminal: a dataset option (dsr_dataset_options.progress)
 * that shows, on stderr when it is a terminal and the run has lasted a
 * second, how far the input being read has come; cli_progress_end clears it.
 */
void cli_progress(void *ctx, const char *name, long long done, long long size);
void cli_progress_end(void);

/* The command called name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/*
 * getopt_long over opts, with -h and --help added: returns the next option's
 * val, or -1 after the last option. For --help it prints the command's help
 * on stdout and sets *status to 0; for a bad option it prints one usage error
 * (with a suggestion when an option is near) and sets *status to 2; then it
 * returns -1 too. Otherwise *status is left as it was.
 */
int cli_getopt(int argc, char **argv, const char *command, const struct cli_option *opts,
               int *status);

/*
 * Prints "dossier: MESSAGE" and one hint line to stderr and returns 2. The
 * hint is hint itself, or NULL for "try 'dossier COMMAND --help'" (command
 * NULL: "try 'dossier --help'").
 */
int cli_usage_error(const char *command, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prints the help of a command, or of dossier itself for NULL, on stdout. */
void cli_help(const struct cli_command *cmd);

/* The usage error for an unknown command name: 2. */
int cli_unknown_command(const char *name);

#endif
