/*
 * The CSV reader: each input is read in chunks of every size from one byte
 * up, and every size must give exactly the expected records (as canonical
 * JSON Lines) and diagnostics, so a field, a quote, a CRLF or a UTF-8
 * sequence split across two reads changes nothing. Also the table-name rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"

static int failures;

static int emit_jsonl(void *ctx, struct dsr_record *rec) {
    struct dsr_writer w = {.format = DSR_FORMAT_JSONL, .out = ctx, .kind = -1};
    int rc = dsr_jsonl_write_record(&w, rec);
    dsr_record_free(rec);
    return rc;
}

static const char *kind_name(enum dsr_diag_kind k) {
    static const char *names[] = {"syntax",  "schema",     "io",
                                  "refused", "bad-schema", "usage"};
    return names[k];
}

/* Reads input in chunks of `chunk` bytes; returns records, "--", diagnostics (free()). */
static char *read_all(const char *name, int table, const char *input, size_t len,
                      size_t chunk, size_t row_max) {
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    /* fmemopen wants a non-empty buffer; an empty input is a read of zero bytes. */
    FILE *fp = fmemopen((void *)(len ? input : "x"), len ? len : 1, "rb");
    if (!len)
        fgetc(fp);
    struct dsr_input in = {name, fp, DSR_FORMAT_CSV, table, 0, NULL};
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    int rc = dsr_csv_read_chunked(&in, chunk, row_max, emit_jsonl, out, &diags);
    dsr_diags_sort(&diags);
    fprintf(out, "-- %d\n", rc);
    for (size_t i = 0; i < diags.count; i++) {
        const struct dsr_diag *d = &diags.items[i];
        fprintf(out, "%d:%d %s %s: %s\n", d->line, d->column, kind_name(d->kind),
                d->path[0] ? d->path : "-", d->message);
    }
    dsr_diags_release(&diags);
    fclose(fp);
    fclose(out);
    return text;
}

/* Every chunk size from 1 to len + 1 must give `want`. */
static void check_len(const char *what, const char *name, int table, const char *input,
                      size_t len, size_t row_max, const char *want) {
    int ok = 1;
    for (size_t chunk = 1; chunk <= len + 1 && ok; chunk++) {
        char *got = read_all(name, table, input, len, chunk, row_max);
        if (strcmp(got, want)) {
            printf("FAIL csv %s (chunk %zu)\n--- expected\n%s--- got\n%s", what, chunk,
                   want, got);
            ok = 0;
            failures++;
        }
        free(got);
    }
    if (ok)
        printf("ok csv %s\n", what);
}

static void check(const char *what, const char *name, const char *input,
                  const char *want) {
    check_len(what, name, -1, input, strlen(input), 0, want);
}

static void records(void) {
    check("quoted fields, CRLF, BOM", "entities.csv",
          "\xEF\xBB\xBFid,kind,name,aliases,notes\r\n"
          "person-a,person,\"Sayf \"\"the sword\"\" al-Adl\",\"Saif al-Adel; Sayf\","
          "\"line one\r\nline two, with a comma\"\r\n"
          "org-b,organization,Al-Qaeda,,\r\n",
          "{\"aliases\":[\"Saif "
          "al-Adel\",\"Sayf\"],\"id\":\"person-a\",\"kind\":\"person\","
          "\"name\":\"Sayf \\\"the sword\\\" al-Adl\",\"notes\":\"line one line two, "
          "with a "
          "comma\",\"record\":\"entity\"}\n"
          "{\"id\":\"org-b\",\"kind\":\"organization\",\"name\":\"Al-Qaeda\",\"record\":"
          "\"entity\"}\n-- 0\n");
    check("columns in any order, no final newline, blank lines", "article-events.csv",
          "participants,summary,kind,date,id\n\n"
          "\"leader=p-1; trainee = p-2\",Camp,training,1993-11~,ev-1\n\n"
          "trainee=p-3,x,meeting,1996,ev-2",
          "{\"date\":\"1993-11~\",\"id\":\"ev-1\",\"kind\":\"training\",\"participants\":"
          "[{\"entity\":\"p-1\",\"role\":\"leader\"},{\"entity\":\"p-2\",\"role\":"
          "\"trainee\"}],"
          "\"record\":\"event\",\"summary\":\"Camp\"}\n"
          "{\"date\":\"1996\",\"id\":\"ev-2\",\"kind\":\"meeting\",\"participants\":"
          "[{\"entity\":\"p-3\",\"role\":\"trainee\"}],\"record\":\"event\",\"summary\":"
          "\"x\"}\n"
          "-- 0\n");
    check("header only", "sources.csv", "id,title\r\n", "-- 0\n");
    check("trailing comma at the end", "sources.csv", "id,title,publisher\ns-1,T,",
          "{\"id\":\"s-1\",\"record\":\"source\",\"title\":\"T\"}\n-- 0\n");
}

static void schema_errors(void) {
    check("field errors placed by character", "entities.csv",
          "id,kind,name\np-1,person,Zé\np-2,persön,\"ok\"\nBad,person,x\n",
          "{\"id\":\"p-1\",\"kind\":\"person\",\"name\":\"Zé\",\"record\":\"entity\"}\n--"
          " 0\n"
          "3:5 schema /1/kind: unknown kind \"persön\"\n"
          "4:1 schema /2/id: invalid id \"Bad\": expected lowercase letters, digits and "
          "single "
          "hyphens\n");
    check("list items placed inside quoted cells", "entities.csv",
          "id,kind,name,aliases\np-1,person,N,\"a \"\"b\"\";\r\n;a \"\"b\"\"\"\n",
          "-- 0\n"
          "2:23 schema /0/aliases/1: empty alias\n"
          "3:2 schema /0/aliases/2: duplicate alias \"a \"b\"\"\n");
    check("participant without a role", "events.csv",
          "id,date,kind,summary,participants\nev-1,1996,meeting,x,\"p-1; leader=p-2; "
          "=p-3\"\n",
          "-- 0\n"
          "2:22 schema /0/participants/0: participant \"p-1\" has no role: expected "
          "role=entity\n"
          "2:39 schema /0/participants/2: invalid role \"\" of participant \"p-3\": "
          "expected "
          "lowercase words\n");
    check("ragged rows, reading goes on", "sources.csv",
          "id,title\ns-1\ns-2,T,x\ns-3,T\n",
          "{\"id\":\"s-3\",\"record\":\"source\",\"title\":\"T\"}\n-- 0\n"
          "2:1 schema /0: too few cells in row: 1, the header has 2 columns\n"
          "3:1 schema /1: too many cells in row: 3, the header has 2 columns\n");
    check("header problems stop the table", "entities.csv", "name,nmae,name\nx,y,z\n",
          "-- -1\n"
          "1:1 schema -: missing required column \"id\" in entities\n"
          "1:1 schema -: missing required column \"kind\" in entities\n"
          "1:6 schema -: unknown column \"nmae\" in entities: expected id, kind, name, "
          "aliases, "
          "notes or evidence\n"
          "1:11 schema -: duplicate column \"name\" in entities\n");
}

static void syntax_errors(void) {
    check("unterminated quote where it opened", "sources.csv",
          "id,title\ns-1,ok\ns-2,\"never\nclosed\n",
          "{\"id\":\"s-1\",\"record\":\"source\",\"title\":\"ok\"}\n-- -1\n"
          "3:5 syntax -: unterminated quoted field: no closing quote before the end of "
          "input\n");
    check(
        "quote inside an unquoted field", "sources.csv", "id,title\ns-1,say \"hi\"\n",
        "-- -1\n2:9 syntax -: quote inside an unquoted field: quote the whole field and "
        "double the quotes in it\n");
    check("text after a closing quote", "sources.csv", "id,title\ns-1,\"a\" b\n",
          "-- -1\n2:8 syntax -: text after the closing quote of a field: expected \",\" "
          "or a "
          "line end\n");
    check_len("NUL byte", "sources.csv", -1, "id,title\ns-1,a\0b\n", 16, 0,
              "-- -1\n2:6 syntax -: NUL byte in input\n");
    check("invalid UTF-8", "sources.csv", "id,title\ns-1,caf\xC3(\n",
          "-- -1\n2:8 syntax -: invalid UTF-8 sequence starting with byte 0xC3\n");
    check("UTF-8 cut short at the end", "sources.csv", "id,title\ns-1,\xE2\x82",
          "-- -1\n2:5 syntax -: invalid UTF-8 sequence starting with byte 0xE2\n");
    check("surrogate in UTF-8", "sources.csv", "id,title\ns-1,\xED\xA0\x80\n",
          "-- -1\n2:5 syntax -: invalid UTF-8 sequence starting with byte 0xED\n");
    check("empty input", "sources.csv", "",
          "-- -1\n1:1 syntax -: empty input: expected a header row\n");
    check("BOM and blank lines only", "sources.csv", "\xEF\xBB\xBF\r\n\r\n",
          "-- -1\n1:1 syntax -: empty input: expected a header row\n");
}

static void refused(void) {
    check_len(
        "UTF-16 refused", "sources.csv", -1, "\xFF\xFEi\0d\0", 6, 0,
        "-- -1\n1:1 refused -: UTF-16 or UTF-32 input refused: dossier reads UTF-8\n");
    check_len("long row refused", "sources.csv", -1, "id,title\ns-1,0123456789abcdef\n",
              30, 12, "-- -1\n2:1 refused -: row longer than 12 bytes refused\n");
    check_len("table named by --table", "-", DSR_SOURCE, "id,title\ns-1,T\n", 15, 0,
              "{\"id\":\"s-1\",\"record\":\"source\",\"title\":\"T\"}\n-- 0\n");
    check("table not named", "data.csv", "id,title\n",
          "-- -1\n0:0 usage -: cannot tell which table this file holds: name it "
          "entities.csv, "
          "designations.csv, events.csv or sources.csv, or use --table\n");
}

static void table_names(void) {
    static const struct {
        const char *name;
        int kind;
    } cases[] = {
        {"entities.csv", DSR_ENTITY},
        {"dir/events.CSV", DSR_EVENT},
        {"article-entities.csv", DSR_ENTITY},
        {"entities-missing-name.csv", DSR_ENTITY},
        {"x_designations.csv", DSR_DESIGNATION},
        {"sources.2024.csv", DSR_SOURCE},
        {"myentities.csv", -1},
        {"entities-events.csv", -1},
        {"entity.csv", -1},
        {"-", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = dsr_csv_table_from_name(cases[i].name);
        int ok = got == cases[i].kind;
        printf("%s csv table of %s\n", ok ? "ok" : "FAIL", cases[i].name);
        if (!ok) {
            printf("  got %d, expected %d\n", got, cases[i].kind);
            failures++;
        }
    }
}

int main(void) {
    records();
    schema_errors();
    syntax_errors();
    refused();
    table_names();
    return failures ? 1 : 0;
}
