/*
 * dossier aliases [--fuzzy] [--explain] [FILE|-]...: reads alias lists, one
 * a line (stdin when no file is named), and prints the entities as JSON
 * Lines. Line numbers run on across files, as if they were concatenated.
 * A dataset file (by extension: .xml, .json, .jsonl, .csv) gives its entity
 * records instead, each record one list (name, then aliases) counted as one line.
 * Exit 0 when every line was valid, 1 when some were not, 2 for a usage
 * error or an unreadable file.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "alias.h"

int cmd_aliases(int argc, char **argv);

static const char aliases_usage[] =
    "usage: dossier aliases [--fuzzy] [--explain] [FILE|-] ...\n"
    "  --fuzzy    also merge transliteration variants (Sayf al-Adl, Saif al-Adel)\n"
    "  --explain  list every merge of each entity and the rule that made it\n";

int cmd_aliases(int argc, char **argv) {
    static const struct option options[] = {{"fuzzy", no_argument, NULL, 'f'},
                                            {"explain", no_argument, NULL, 'e'},
                                            {"help", no_argument, NULL, 'h'},
                                            {NULL, 0, NULL, 0}};
    int flags = 0, explain = 0, opt, rc = 2;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(aliases_usage, stdout);
            return 0;
        }
        if (opt == '?') {
            fputs("dossier: bad option\ntry 'dossier --help'\n", stderr);
            return 2;
        }
        flags |= opt == 'f' ? DSR_ALIAS_FUZZY : 0;
        explain |= opt == 'e';
    }
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_alias_set *set = dsr_alias_set_new(flags);
    int failed = !set;
    for (int i = optind; i < argc && !failed; i++)
        failed = dsr_alias_add_path(set, argv[i], &diags) < 0;
    if (!failed && optind == argc)
        failed = dsr_alias_add_path(set, "-", &diags) < 0;
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
