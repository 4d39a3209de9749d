/* dossier validate --schema FILE (JSON): not yet written. */
#include <stdio.h>

int cmd_validate_schema(int argc, char **argv);

int cmd_validate_schema(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dossier: validation against a JSON schema of your own is not available yet\n", stderr);
    return 2;
}
