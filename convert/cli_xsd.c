/* dossier validate --schema FILE (XSD): not yet written. */
#include <stdio.h>

int cmd_validate_xsd(int argc, char **argv);

int cmd_validate_xsd(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dossier: validation against a XSD schema of your own is not available yet\n", stderr);
    return 2;
}
