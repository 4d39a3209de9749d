/*
 * Replays the committed fuzz corpus (tests/fuzz/) through the fuzz harness, so
 * that every input that once found a defect, and the seeds of each mode, run
 * in make check without clang: a crash or an abort fails the run.
 */
#include <dirent.h>

#include "fuzz_read.c"

int main(void) {
    struct dirent **list;
    int n = scandir("tests/fuzz", &list, NULL, alphasort), failures = n < 1;
    if (n < 1)
        printf("FAIL fuzz corpus: tests/fuzz is missing or empty\n");
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof(path), "tests/fuzz/%s", list[i]->d_name);
        FILE *fp = list[i]->d_name[0] == '.' ? NULL : fopen(path, "rb");
        if (fp) {
            static uint8_t data[1 << 20];
            size_t size = fread(data, 1, sizeof(data), fp);
            fclose(fp);
            LLVMFuzzerTestOneInput(data, size);
            printf("ok fuzz/%s\n", list[i]->d_name);
        }
        free(list[i]);
    }
    free(list);
    return failures;
}
