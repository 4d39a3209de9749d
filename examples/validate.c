/*
 * Validates dataset files through libdossier and prints the diagnostics as
 * dossier does: the smallest program that links the library.
 *
 *   cc -o validate validate.c $(pkg-config --cflags --libs dossier)
 *   ./validate article.json tables/
 *
 * Exit status: 0 every dataset valid, 1 some invalid, 2 unreadable or refused.
 */
#include <stdio.h>

#include <dossier.h>

int main(int argc, char **argv) {
    struct dsr_diags diags;
    int status = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR ...\n", argv[0]);
        return 2;
    }
    dsr_diags_init(&diags);
    for (int i = 1; i < argc; i++) {
        /* Each argument is a dataset of its own, as `dossier validate` reads it. */
        struct dsr_dataset *ds = dsr_dataset_new(NULL, &diags);
        if (!ds)
            break;
        dsr_dataset_add_path(ds, argv[i], -1, -1);
        int s = dsr_dataset_finish(ds);
        printf("%s: %s\n", argv[i], s == 0 ? "valid" : s == 1 ? "invalid" : "refused");
        dsr_dataset_free(ds);
    }
    dsr_diags_sort(&diags);
    if (dsr_report_write(stderr, DSR_REPORT_TEXT, &diags, NULL, 0) < 0)
        status = 2;
    if (dsr_diags_status(&diags) > status)
        status = dsr_diags_status(&diags);
    dsr_diags_release(&diags);
    printf("libdossier %s\n", dsr_version());
    return status;
}
