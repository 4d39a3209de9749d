/*
 * Options parsed from the tables in cli.h, help printed from the same tables,
 * and usage errors: one line naming the problem, then one hint, which is a
 * "did you mean" when a command or option is a small edit away (optimal string
 * alignment distance: insertions, deletions, substitutions, transpositions).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_OPTIONS 32
#define HELP_OPTION "help"

static const struct cli_option no_options[] = {{NULL, 0, 0, 0, NULL, NULL}};
static const struct cli_option help_option = {
    HELP_OPTION, no_argument, 'h', 'h', NULL, "show this help and exit"};
/* Every command takes -q: no summary line after the text diagnostics. */
static const struct cli_option quiet_option = {
    "quiet", no_argument, 'q', 'q', NULL, "no summary line after the diagnostics"};

/* Every command takes -j N: how many threads may work; the output does not change. */
static const struct cli_option jobs_option = {
    "jobs", required_argument,
    'j',    'j',
    "N",    "use N threads (default: one a core); the output is the same"};

int cli_quiet;
int cli_jobs;

int cli_threads(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cli_jobs ? cli_jobs : cores > 0 && cores <= 1024 ? (int)cores : 1;
}

/* The commands that print a summary line, and so take -q. */
static int takes_quiet(const char *command) {
    return command && strcmp(command, "help") != 0;
}

const struct cli_command *cli_command_find(const char *name) {
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

int cli_usage_error(const char *command, const char *hint, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("dossier: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (hint)
        fprintf(stderr, "\n%s\n", hint);
    else
        fprintf(stderr, "\ntry 'dossier %s%s--help'\n", command ? command : "",
                command ? " " : "");
    return 2;
}

/* Edits between a and b, counting a swap of neighbours as one; stops past 9. */
static size_t distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 40 || m > 40)
        return 10;
    size_t d[41][41];
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            if (!i || !j) {
                d[i][j] = i + j;
                continue;
            }
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* What a user most likely meant by typed. */
struct suggestion {
    const char *name; /* the nearest candidate so far, or NULL */
    size_t edits;     /* its distance from typed */
    int prefixed;     /* candidates that begin with typed */
    const char *prefix_of;
};

static void consider(struct suggestion *s, const char *typed, const char *candidate) {
    size_t d = distance(typed, candidate);
    if (!s->name || d < s->edits) {
        s->name = candidate;
        s->edits = d;
    }
    if (strlen(typed) >= 2 && !strncmp(candidate, typed, strlen(typed))) {
        s->prefixed++;
        s->prefix_of = candidate;
    }
}

/* The candidate to suggest: two edits at most, and at most half of what was typed. */
static const char *suggested(const struct suggestion *s, const char *typed) {
    if (s->name && s->edits <= 2 && 2 * s->edits <= strlen(typed))
        return s->name;
    return s->prefixed == 1 ? s->prefix_of : NULL;
}

static void consider_options(struct suggestion *s, const char *typed,
                             const struct cli_option *opts) {
    for (; opts && opts->name; opts++)
        consider(s, typed, opts->name);
}

int cli_unknown_command(const char *name) {
    struct suggestion s = {0};
    char hint[128];
    for (const struct cli_command *c = cli_commands; c->name; c++)
        consider(&s, name, c->name);
    const char *near = suggested(&s, name);
    if (near)
        snprintf(hint, sizeof(hint), "did you mean '%s'?", near);
    return cli_usage_error(NULL, near ? hint : NULL, "unknown command '%s'", name);
}

/* The option opts gives val to, or NULL. */
static const struct cli_option *by_val(const struct cli_option *opts, int val) {
    for (; opts && opts->name; opts++)
        if (opts->val == val)
            return opts;
    return val == 'h' ? &help_option : NULL;
}

/* A usage error for an unknown long option: name is what follows "--", up to '='. */
static int unknown_long(const char *command, const struct cli_option *opts,
                        const char *arg) {
    char name[64], hint[96];
    size_t n = strcspn(arg + 2, "=");
    snprintf(name, sizeof(name), "%.*s", (int)(n < 60 ? n : 60), arg + 2);
    struct suggestion s = {0};
    consider_options(&s, name, opts);
    consider(&s, name, HELP_OPTION);
    if (takes_quiet(command)) {
        consider(&s, name, quiet_option.name);
        consider(&s, name, jobs_option.name);
    }
    const struct cli_command *cmd = command ? cli_command_find(command) : NULL;
    if (cmd)
        consider_options(&s, name, cmd->more);
    const char *near = suggested(&s, name);
    if (near)
        snprintf(hint, sizeof(hint), "did you mean '--%s'?", near);
    return cli_usage_error(command, near ? hint : NULL, "unknown option '--%s'", name);
}

/* Prints the usage error for what getopt_long returned as ':' or '?'. */
static int bad_option(int argc, char **argv, const char *command,
                      const struct cli_option *opts, int opt) {
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
    int is_long = !strncmp(arg, "--", 2);
    const struct cli_option *o = optopt ? by_val(opts, optopt) : NULL;
    if (opt == ':' && o && (is_long || !o->letter))
        return cli_usage_error(command, NULL, "option '--%s' needs an argument", o->name);
    if (opt == ':')
        return cli_usage_error(command, NULL, "option '-%c' needs an argument", optopt);
    if (o && is_long && strchr(arg, '='))
        return cli_usage_error(command, NULL, "option '--%s' takes no argument", o->name);
    if (!optopt && is_long)
        return unknown_long(command, opts, arg);
    return cli_usage_error(command, NULL, "unknown option '-%c'", optopt ? optopt : '?');
}

int cli_getopt(int argc, char **argv, const char *command, const struct cli_option *opts,
               int *status) {
    struct option longopts[MAX_OPTIONS + 2];
    char shortopts[2 * MAX_OPTIONS + 4] = ":h";
    size_t n = 0, s = 2;
    if (!opts)
        opts = no_options;
    for (; opts[n].name && n < MAX_OPTIONS; n++) {
        longopts[n] = (struct option){opts[n].name, opts[n].has_arg, NULL, opts[n].val};
        if (opts[n].letter) {
            shortopts[s++] = opts[n].letter;
            if (opts[n].has_arg == required_argument)
                shortopts[s++] = ':';
        }
    }
    longopts[n++] = (struct option){HELP_OPTION, no_argument, NULL, 'h'};
    if (takes_quiet(command)) {
        longopts[n++] = (struct option){"quiet", no_argument, NULL, 'q'};
        longopts[n++] = (struct option){"jobs", required_argument, NULL, 'j'};
        memcpy(shortopts + s, "qj:", 3);
        s += 3;
    }
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    shortopts[s] = '\0';
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) == 'q' ||
           opt == 'j') {
        char *end;
        long jobs = opt == 'j' ? strtol(optarg, &end, 10) : 0;
        if (opt == 'q') {
            cli_quiet = 1;
        } else if (*optarg && !*end && jobs >= 1 && jobs <= 1024) {
            cli_jobs = (int)jobs;
        } else {
            *status = cli_usage_error(command, NULL,
                                      "-j needs a number of threads from 1 to 1024, not "
                                      "\"%s\"",
                                      optarg);
            return -1;
        }
    }
    if (opt == 'h') {
        cli_help(command ? cli_command_find(command) : NULL);
        *status = 0;
        return -1;
    }
    if (opt == '?' || opt == ':') {
        *status = bad_option(argc, argv, command, opts, opt);
        return -1;
    }
    return opt;
}

static void print_options(const struct cli_option *opts) {
    for (; opts && opts->name; opts++) {
        char left[64];
        int n = 0;
        if (opts->letter)
            n = snprintf(left, sizeof(left), "-%c, ", opts->letter);
        snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s", opts->name,
                 opts->arg ? " " : "", opts->arg ? opts->arg : "");
        printf("  %-22s %s\n", left, opts->help);
    }
}

void cli_help(const struct cli_command *cmd) {
    if (!cmd) {
        fputs("usage: dossier COMMAND [OPTIONS] FILE|DIR|- ...\n\ncommands:\n", stdout);
        for (const struct cli_command *c = cli_commands; c->name; c++)
            printf("  %-10s %s\n", c->name, c->help);
        fputs("\noptions:\n", stdout);
        print_options(cli_main_options);
        print_options((const struct cli_option[]){help_option, {0}});
        fputs("\n'dossier help COMMAND' or 'dossier COMMAND --help' shows a command's "
              "options\n",
              stdout);
        return;
    }
    printf("usage: %s\n%s\n\noptions:\n", cmd->usage, cmd->help);
    print_options(cmd->options);
    if (takes_quiet(cmd->name))
        print_options((const struct cli_option[]){quiet_option, jobs_option, {0}});
    print_options((const struct cli_option[]){help_option, {0}});
    if (cmd->more) {
        printf("%s:\n", cmd->more_title);
        print_options(cmd->more);
    }
}

int cmd_help(int argc, char **argv) {
    int status = -1;
    if (cli_getopt(argc, argv, "help", NULL, &status) != -1 || status >= 0)
        return status;
    if (optind + 1 < argc)
        return cli_usage_error("help", NULL, "help takes one command, not %d",
                               argc - optind);
    if (optind == argc) {
        cli_help(NULL);
        return 0;
    }
    const struct cli_command *cmd = cli_command_find(argv[optind]);
    if (!cmd)
        return cli_unknown_command(argv[optind]);
    cli_help(cmd);
    return 0;
}
