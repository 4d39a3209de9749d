/*
 * The CSV reader: each input is read in chunks of every size from one byte
 * up, and every size must give exactly the expected records (as canonical
 * JSON Lines) and diagnostics, so a field, a quote, a CRLF or a UTF-8
 * sequence split across two reads changes nothing. A dataset table is also
 * read in blocks of rows by threads (dsr_csv_read), which must give the same
 * as reading it in one thread, here and on large tables whose blocks end
 * inside quoted lines, CRs and errors. Also the table-name rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "unit.h"

static int failures;

static const char *kind_name(enum dsr_diag_kind k) {
    static const char *names[] = {"syntax",  "schema",     "io",
                                  "refused", "bad-schema", "usage"};
    return names[k];
}

/*
 * Reads input in chunks of `chunk` bytes, or with chunk 0 in blocks of rows by
 * `jobs` threads (dsr_csv_read); returns records, "--", diagnostics (free()).
 */
static char *read_with(const char *name, int table, const char *input, size_t len,
                       size_t chunk, size_t row_max, int jobs) {
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    /* fmemopen wants a non-empty buffer; an empty input is a read of zero bytes. */
    FILE *fp = fmemopen((void *)(len ? input : "x"), len ? len : 1, "rb");
    if (!len)
        fgetc(fp);
    struct dsr_input in = {name, fp, DSR_FORMAT_CSV, table, jobs, NULL};
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    int rc = chunk ? dsr_csv_read_chunked(&in, chunk, row_max, emit_jsonl, out, &diags)
                   : dsr_csv_read(&in, emit_jsonl, out, &diags);
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

static char *read_all(const char *name, int table, const char *input, size_t len,
                      size_t chunk, size_t row_max) {
    return read_with(name, table, input, len, chunk, row_max, 0);
}

/*
 * Every chunk size from 1 to len + 1 must give `want`, and so must reading
 * in blocks with one thread and with three (rows of the default length).
 */
static void check_len(const char *what, const char *name, int table, const char *input,
                      size_t len, size_t row_max, const char *want) {
    int ok = 1;
    for (int jobs = 1; jobs <= 3 && ok && !row_max; jobs += 2) {
        char *got = read_with(name, table, input, len, 0, 0, jobs);
        if (strcmp(got, want)) {
            printf("FAIL csv %s (in blocks, -j %d)\n--- expected\n%s--- got\n%s", what,
                   jobs, want, got);
            ok = 0;
            failures++;
        }
        free(got);
    }
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

/* Appends text to a growing table; aborts the test when memory runs out. */
static void put(char **t, size_t *len, size_t *cap, const char *text, size_t n) {
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        if (!(*t = realloc(*t, *cap)))
            abort();
    }
    memcpy(*t + *len, text, n);
    *len += n;
    (*t)[*len] = '\0';
}

/*
 * Tables of a few megabytes, many blocks long: rows with quoted fields
 * holding LF, CRLF and CR line ends, commas and doubled quotes, blank lines,
 * rows with problems the model finds; line ends LF, CRLF or CR alone; then the
 * same with a quote out of place, a byte that is not UTF-8, or a quote left
 * open near the end. In blocks, with one thread or three, each must give what
 * reading in one thread gives.
 */
static void large_tables(void) {
    static const char *const ends[] = {"\n", "\r\n", "\r"};
    static const char *const faults[] = {"", "s-x,say \"hi\"", "s-x,caf\xC3(",
                                         "s-x,\"never closed"};
    for (size_t e = 0; e < 3; e++) {
        for (size_t f = 0; f < 4; f++) {
            char *t = NULL, row[256];
            size_t len = 0, cap = 0, at = 0;
            put(&t, &len, &cap, "id,title,publisher", 18);
            put(&t, &len, &cap, ends[e], strlen(ends[e]));
            for (unsigned i = 0; len < (3u << 20); i++) {
                int n;
                if (i % 7 == 3)
                    n = snprintf(row, sizeof(row),
                                 "s-%u,\"Report%s%u, \"\"quoted\"\"\",Publisher %u", i,
                                 ends[i % 3], i, i);
                else if (i % 11 == 5)
                    n = snprintf(row, sizeof(row), "Bad Id %u,Title %u,", i, i);
                else if (i % 13 == 7)
                    n = snprintf(row, sizeof(row), "s-%u,too,many,cells", i);
                else
                    n = snprintf(row, sizeof(row), "s-%u,Title %u with some words,P %u",
                                 i, i, i);
                put(&t, &len, &cap, row, (size_t)n);
                put(&t, &len, &cap, ends[e], strlen(ends[e]));
                if (i % 17 == 0)
                    put(&t, &len, &cap, ends[e], strlen(ends[e])); /* a blank line */
                if (i == 20000)
                    at = len;
            }
            if (f == 3)
                at = len - 40; /* near the end: the quote is left open */
            if (f) {
                char *faulty = malloc(len + 64);
                size_t n = strlen(faults[f]);
                memcpy(faulty, t, at);
                memcpy(faulty + at, faults[f], n);
                memcpy(faulty + at + n, t + at, len - at);
                free(t);
                t = faulty;
                len += n;
            }
            char *want = read_with("sources.csv", -1, t, len, 65536, 0, 0);
            int ok = 1;
            for (int jobs = 1; jobs <= 3 && ok; jobs += 2) {
                char *got = read_with("sources.csv", -1, t, len, 0, 0, jobs);
                ok = !strcmp(got, want) && strlen(want) > 1000;
                free(got);
            }
            printf("%s csv large table, line ends %zu, fault %zu\n", ok ? "ok" : "FAIL",
                   e, f);
            failures += !ok;
            free(want);
            free(t);
        }
    }
}

int main(void) {
    large_tables();
    records();
    schema_errors();
    syntax_errors();
    refused();
    table_names();
    return failures ? 1 : 0;
}
