/*
 * dossier aliases [--fuzzy] [--explain] [FILE|DIR|-]...: reads alias lists,
 * one a line (stdin when no file is named), or the entity records of dataset
 * files and folders (dsr_alias_add_path), and prints the entities as JSON
 * Lines. Exit 0 when every line was valid, 1 when some were not, 2 for a
 * usage error or an unreadable file.
 */
#include <getopt.h>

#include "alias.h"
#include "cli.h"
const struct cli_option cli_aliases_options[] = {
    {"fuzzy", no_argument, 'f', 0, NULL, "also merge transliteration variants"},
    {"explain", no_argument, 'e', 0, NULL, "list every merge and the rule that made it"},
    {NULL, 0, 0, 0, NULL, NULL}};

int cmd_aliases(int argc, char **argv) {
    int flags = 0, explain = 0, opt, rc = 2, status = -1;
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
    for (int i = optind; i < argc && !failed; i++)
        failed = dsr_alias_add_path(set, argv[i], &diags) < 0;
    if (!failed && optind == argc)
        failed = dsr_alias_add_path(set, "-", &diags) < 0;
    long entities = failed ? -1 : dsr_alias_resolve(set, &diags);
    failed = entities < 0 || dsr_alias_write(set, stdout, explain) < 0;
    if (failed)
        dsr_diag_add(&diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
    dsr_diags_sort(&diags);
    dsr_report_write(stderr, cli_text_format(), &diags, NULL, 0);
    if (!cli_quiet && !failed)
        fprintf(stderr, "dossier: %ld entit%s%s\n", entities, entities == 1 ? "y" : "ies",
                dsr_diags_status(&diags) ? "; some lines were left out (above)" : "");
    rc = dsr_diags_status(&diags);
    dsr_diags_release(&diags);
    dsr_alias_set_free(set);
    return rc;
}
