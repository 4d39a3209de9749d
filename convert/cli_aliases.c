/* dossier aliases: not yet written. */
#include <stdio.h>

int cmd_aliases(int argc, char **argv);

int cmd_aliases(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dossier: aliases is not available yet\n", stderr);
    return 2;
}
