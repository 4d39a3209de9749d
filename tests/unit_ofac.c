/*
 * The OFAC CSV reader: sdn.csv and alt.csv rows read in chunks of every size
 * from one byte up must join into exactly the same entities (as canonical
 * JSON Lines) and diagnostics, so a quote, a CRLF, a "-0- ", a UTF-8 sequence
 * or the final 0x1A split across two reads changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unit.h"

static int failures;

static void read_file(struct dsr_ofac_csv *oc, const char *name, const char *text,
                      size_t chunk, struct dsr_diags *diags) {
    FILE *fp = fmemopen((void *)text, strlen(text), "rb");
    struct dsr_input in = {name, fp, DSR_FORMAT_CSV, -1, 0, NULL};
    dsr_ofac_csv_read_chunked(oc, &in, chunk, diags);
    fclose(fp);
}

/* Joins sdn and alt read `chunk` bytes at a time: entities, "--", diagnostics. */
static char *join(const char *sdn, const char *alt, size_t chunk) {
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    struct dsr_ofac_csv *oc = dsr_ofac_csv_new(0, NULL);
    read_file(oc, "sdn.csv", sdn, chunk, &diags);
    read_file(oc, "alt.csv", alt, chunk, &diags);
    int rc = dsr_ofac_csv_finish(oc, emit_jsonl, out, &diags);
    dsr_ofac_csv_free(oc);
    dsr_diags_sort(&diags);
    fprintf(out, "-- %d\n", rc);
    for (size_t i = 0; i < diags.count; i++)
        fprintf(out, "%s:%d:%d: %s\n", diags.items[i].file, diags.items[i].line,
                diags.items[i].column, diags.items[i].message);
    dsr_diags_release(&diags);
    fclose(out);
    return text;
}

static void check(const char *what, const char *sdn, const char *alt, const char *want) {
    size_t longest = strlen(sdn) > strlen(alt) ? strlen(sdn) : strlen(alt);
    for (size_t chunk = 1; chunk <= longest + 1; chunk++) {
        char *got = join(sdn, alt, chunk);
        int same = !strcmp(got, want);
        if (!same)
            printf("FAIL ofac %s (chunk %zu)\n--- expected\n%s--- got\n%s", what, chunk,
                   want, got);
        free(got);
        if (!same) {
            failures++;
            return;
        }
    }
    printf("ok ofac %s\n", what);
}

int main(void) {
    check(
        "entries joined whatever the chunk size",
        "7,\"AL-\xC3\x9ASA, Hamid\",\"individual\",\"SDGT] [IRAQ2\",\"Dr.\",-0- ,-0- "
        ",-0- "
        ",-0- ,-0- ,-0- ,\"DOB 1960; a.k.a. 'ABU X'.\"\r\n"
        "3,\"SEA \"\"STAR\"\"\",\"vessel\",\"IRAN\",-0- ,\"ABC1\",\"Tanker\",-0- ,-0- "
        ",\"Panama\",-0- ,-0- \r\n\x1a",
        "7,1,\"aka\",\"AL-USA, H.\",-0- \r\n9,2,\"aka\",\"NOBODY\",-0- \r\n"
        "3,3,\"fka\",\"OLD STAR\",\"until 2019\"\r\n",
        "{\"aliases\":[\"OLD STAR\"],\"id\":\"ofac-3\",\"kind\":\"vessel\",\"name\":"
        "\"SEA \\\"STAR\\\"\",\"notes\":\"program: IRAN | call sign: ABC1 | vessel type: "
        "Tanker | vessel flag: Panama | fka: OLD STAR | alias remarks: OLD STAR: until "
        "2019\",\"record\":\"entity\"}\n"
        "{\"aliases\":[\"AL-USA, H.\",\"AL-\xC3\x9ASA, "
        "Hamid\"],\"id\":\"ofac-7\",\"kind\":"
        "\"person\",\"name\":\"Hamid AL-\xC3\x9ASA\",\"notes\":\"program: SDGT | "
        "program: "
        "IRAQ2 | title: Dr. | weak aka: ABU X | remarks: DOB 1960; a.k.a. 'ABU "
        "X'.\",\"record\":\"entity\"}\n"
        "-- 0\n"
        "alt.csv:2:1: alias row of entry 9, which no sdn.csv row read holds: left out\n");
    return failures ? 1 : 0;
}
