/*
 * One XML document read in blocks by threads (xml_split.c) must give exactly
 * what reading it in one pass gives: the same records (as canonical JSON
 * Lines), the same diagnostics in the same order, the same status. Every XML
 * fixture is read with blocks cut after every record and at other sizes; large
 * generated documents hold what the scan must follow (comments holding tags,
 * CDATA, processing instructions, start tags over several lines, some far
 * into their first line, ">" in values, CRLF and CR alone, records sharing a
 * line) and records with problems, then one fault each that only the whole
 * document shows (stray text, a section out of order, a syntax error, a
 * truncated end, a default namespace, a declared encoding) at a place many
 * blocks in.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#include "unit.h"

static int failures;

static size_t taken; /* records read in blocks by workers, and kept */

/* The packer a dataset gives readers, here writing each record as JSON Lines. */
static int pack_jsonl(void *ctx, const struct dsr_record *rec, struct dsr_bytes *out) {
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    struct dsr_writer w = {.format = DSR_FORMAT_JSONL, .out = fp, .kind = -1};
    int rc = dsr_jsonl_write_record(&w, rec);
    fclose(fp);
    (void)ctx;
    if (rc == 0 && dsr_bytes_reserve(out, len) == 0) {
        memcpy(out->data + out->len, text, len);
        out->len += len;
    }
    free(text);
    return rc;
}

static int take_jsonl(void *ctx, const unsigned char *p, size_t n) {
    taken++;
    return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/*
 * Reads text with `jobs` threads in blocks of `block` bytes: records, "--",
 * diagnostics. *in_blocks: the share of records read in blocks by workers.
 */
static char *read_xml(const char *text, size_t len, int jobs, size_t block,
                      double *in_blocks) {
    char *out_text = NULL;
    size_t out_len = 0;
    FILE *out = open_memstream(&out_text, &out_len);
    FILE *fp = fmemopen((void *)text, len, "rb");
    struct dsr_packer packer = {pack_jsonl, take_jsonl, NULL};
    struct dsr_input in = {"doc.xml", fp, DSR_FORMAT_XML, -1, jobs, &packer};
    struct dsr_diags diags;
    dsr_diags_init(&diags);
    dsr_xml_split_block = block;
    taken = 0;
    int rc = dsr_xml_read(&in, emit_jsonl, out, &diags);
    fflush(out);
    size_t records = 0;
    for (size_t i = 0; i < out_len; i++)
        records += out_text[i] == '\n';
    if (in_blocks)
        *in_blocks = records ? (double)taken / (double)records : 0;
    fprintf(out, "-- %d\n", rc);
    for (size_t i = 0; i < diags.count; i++) {
        const struct dsr_diag *d = &diags.items[i];
        fprintf(out, "%d:%d %d %s: %s\n", d->line, d->column, (int)d->kind,
                d->path[0] ? d->path : "-", d->message);
    }
    dsr_diags_release(&diags);
    fclose(fp);
    fclose(out);
    return out_text;
}

/* Reads text in one pass, then in blocks of each size given: 1 when all agree. */
static int agree(const char *what, const char *text, size_t len, const size_t *blocks,
                 size_t n_blocks, double *in_blocks) {
    char *want = read_xml(text, len, 1, 0, NULL);
    int ok = 1;
    for (size_t i = 0; i < n_blocks && ok; i++) {
        for (int jobs = 2; jobs <= 3 && ok; jobs++) {
            char *got = read_xml(text, len, jobs, blocks[i], in_blocks);
            if (strcmp(got, want)) {
                size_t at = 0, line = 1;
                for (; got[at] == want[at]; at++)
                    line += got[at] == '\n';
                while (at > 0 && got[at - 1] != '\n')
                    at--;
                printf("FAIL xml-split %s (blocks of %zu, -j %d), from line %zu:\n"
                       "--- one pass\n%.600s\n--- in blocks\n%.600s\n",
                       what, blocks[i], jobs, line, want + at, got + at);
                ok = 0;
            }
            free(got);
        }
    }
    free(want);
    return ok;
}

/* The project's XML files: every fixture, cut after each record and at other sizes. */
static void fixtures(void) {
    static const char *const dirs[] = {"fixtures/invalid", "fixtures/article",
                                       "tests/cases/validate", "tests/cases/convert"};
    static const size_t blocks[] = {1, 120, 400, 1500};
    int files = 0, ok = 1;
    for (size_t d = 0; d < sizeof(dirs) / sizeof(*dirs); d++) {
        DIR *dir = opendir(dirs[d]);
        for (struct dirent *e; dir && (e = readdir(dir));) {
            char path[4096];
            const char *dot = strrchr(e->d_name, '.');
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name);
            if (d >= 2) /* a case's folder */
                snprintf(path, sizeof(path), "%s/%s/input.xml", dirs[d], e->d_name);
            else if (!dot || strcmp(dot, ".xml"))
                continue;
            size_t len = 0;
            char *text = slurp(path, &len);
            if (!text)
                continue;
            files++;
            ok &= agree(path, text, len, blocks, sizeof(blocks) / sizeof(*blocks), NULL);
            free(text);
        }
        if (dir)
            closedir(dir);
    }
    printf("%s xml-split every XML fixture (%d files)\n",
           ok && files > 40 ? "ok" : "FAIL", files);
    failures += !(ok && files > 40);
}

struct doc {
    char *t;
    size_t len, cap;
};

static void put(struct doc *d, const char *text) {
    size_t n = strlen(text);
    if (d->len + n + 1 > d->cap) {
        d->cap = 2 * (d->len + n + 1);
        if (!(d->t = realloc(d->t, d->cap)))
            abort();
    }
    memcpy(d->t + d->len, text, n + 1);
    d->len += n;
}

static void putf(struct doc *d, const char *format, unsigned i) {
    char text[1024];
    snprintf(text, sizeof(text), format, i, i, i, i);
    put(d, text);
}

/* A record of section k, the i-th; some with problems, some written oddly. */
static void record(struct doc *d, int k, unsigned i) {
    const char *nl = i % 11 == 4 ? "\r\n" : i % 53 == 7 ? "\r" : "\n";
    char open[128];
    snprintf(open, sizeof(open),
             i % 7 == 2 ? "<%s\n    id=\"%c-%u\"" : "<%s id=\"%c-%u\"",
             dsr_kind_info(k)->name, "demv"[k], i);
    if (i % 29 == 9)
        snprintf(open, sizeof(open), "<%s id=\"Bad Id %u\"", dsr_kind_info(k)->name, i);
    if (i % 43 == 20) { /* its place: a column far into a line its tag leaves */
        put(d, "<!-- a long line");
        for (unsigned n = 0; n < i % 300; n++)
            put(d, " .");
        put(d, " -->");
        snprintf(open, sizeof(open), "<%s\n id=\"Bad Id %u\"", dsr_kind_info(k)->name, i);
    }
    if (k == DSR_SOURCE && i % 41 == 6) { /* empty: its title is missing */
        put(d, open);
        put(d, "/>\n");
        return;
    }
    put(d, open);
    put(d, ">");
    put(d, nl);
    switch (k) {
    case DSR_DESIGNATION:
        putf(d, "  <date>2019-0%u-01</date><authority>OFAC</authority>", i % 9 + 1);
        putf(d, "<subjects><subject>e-%u</subject></subjects>", i);
        break;
    case DSR_ENTITY:
        put(d, "  <kind>person</kind>");
        put(d, nl);
        if (i % 19 != 3)
            putf(d,
                 i % 17 == 1 ? "  <name><![CDATA[Name <%u> & co]]></name>"
                             : "  <name>Name %u \xC3\xA9\xE4\xB8\x80</name>",
                 i);
        putf(d, "<aliases><alias>A %u</alias><alias>B %u</alias></aliases>", i);
        break;
    case DSR_EVENT:
        put(d, i % 23 == 5 ? "  <date>2021-02-30</date>" : "  <date>2021-02-03</date>");
        putf(d, "<kind>meeting</kind><summary>Met %u</summary>", i);
        putf(d,
             i % 31 == 8 ? "<participants><participant role=\"x>y\">e-%u</participant>"
                         : "<participants><participant role=\"host\">e-%u</participant>",
             i);
        put(d, "</participants>");
        break;
    default: putf(d, "  <title>Title %u</title><date>2020</date>", i);
    }
    put(d, nl);
    put(d, "</");
    put(d, dsr_kind_info(k)->name);
    put(d,
        i % 37 == 12 ? ">" : ">\n"); /* sometimes the next record follows on the line */
    if (i % 13 == 10)
        put(d, "  <!-- <entity id=\"fake\"> --><?note a > b?>\n");
}

/* Faults, each inserted once, about a third of the way in, or where it says. */
static const char *const faults[] = {
    "",
    "stray text\n",
    "<person id=\"p-1\"><name>x</name></person>\n",
    "<entity id=\"e-m\"><kind>person</kind><name>x</nam></entity>\n",
    "<entity id=\"e-u\"><kind>person</kind><name>caf\xC3(</name></entity>\n",
    "<!DOCTYPE x>\n",
    "<!-- never closed\n",
    "<entity xmlns=\"urn:x\" id=\"e-ns\"><kind>person</kind><name>x</name></entity>\n",
    "TRUNCATE",
    "SECTION-AGAIN",
    "AFTER-ROOT",
    "LATIN-1",
    "ROOT-ATTRIBUTES",
    "DEEP",      /* elements nested past the limit: refused */
    "BIG-FIELD", /* a record larger than the scan holds uncut */
};

/* The record a named fault inserts, or the fault itself (free()). */
static char *fault_text(const char *fault) {
    size_t n = !strcmp(fault, "DEEP") ? 300 : !strcmp(fault, "BIG-FIELD") ? 5u << 20 : 0;
    char *t = malloc(strlen(fault) + 7 * n + 100), *p = t;
    if (!t)
        abort();
    if (!n)
        return strcpy(t, !strcmp(fault, "LATIN-1")
                             ? "<entity id=\"e-l\"><kind>person</kind>"
                               "<name>caf\xE9</name></entity>\n"
                             : fault);
    p += sprintf(p, "<entity id=\"e-f\"><kind>person</kind><name>x</name><notes>");
    for (size_t i = 0; i < n; i++)
        p += n == 300 ? sprintf(p, "<a>") : sprintf(p, "x");
    for (size_t i = 0; n == 300 && i < n; i++)
        p += sprintf(p, "</a>");
    strcpy(p, "</notes></entity>\n");
    return t;
}

static struct doc generate(const char *fault) {
    struct doc d = {0};
    int latin = !strcmp(fault, "LATIN-1");
    put(&d, latin ? "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
                  : "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- a dataset -->\n");
    put(&d, !strcmp(fault, "ROOT-ATTRIBUTES")
                ? "<dataset xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
                  "   xsi:noNamespaceSchemaLocation=\"dossier.xsd\" status=\"draft\">\n"
                : "<dataset xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n");
    unsigned per[DSR_KIND_COUNT] = {800, 4000, 3000, 1200};
    for (int k = 0; k < DSR_KIND_COUNT; k++) {
        /* a section's place is counted in characters */
        put(&d, k == DSR_EVENT    ? "<events\n  >\n"
                : k == DSR_SOURCE ? "<!-- \xC3\xA9 --><"
                                  : "<");
        if (k != DSR_EVENT) {
            put(&d, dsr_kind_info(k)->plural);
            put(&d, ">\n");
        }
        for (unsigned i = 0; i < per[k]; i++) {
            int in = k == (strstr(fault, "stray") ? DSR_SOURCE : DSR_ENTITY);
            if (in && i == per[k] / 2 && fault[0] && !strchr("TSAR", fault[0])) {
                char *t = fault_text(fault);
                put(&d, t);
                free(t);
            }
            record(&d, k, i);
        }
        put(&d, "</");
        put(&d, dsr_kind_info(k)->plural);
        put(&d, ">\n");
        if (k == DSR_EVENT && !strcmp(fault, "SECTION-AGAIN"))
            put(&d, "<entities>\n<entity id=\"e-again\"><kind>person</kind><name>x</name>"
                    "</entity>\n</entities>\n");
    }
    put(&d, "</dataset>\n");
    if (!strcmp(fault, "AFTER-ROOT"))
        put(&d, "<dataset/>\n");
    if (!strcmp(fault, "TRUNCATE"))
        d.len -= 3000;
    return d;
}

/*
 * Each generated document, read in blocks of 4 KiB and of 300 KB. Without a
 * fault, nearly all records must be read by the workers; with one, those
 * before it.
 */
static void large_documents(void) {
    static const size_t blocks[] = {300000, 4096};
    for (size_t f = 0; f < sizeof(faults) / sizeof(*faults); f++) {
        struct doc d = generate(faults[f]);
        double in_blocks = 0;
        int ok = agree(faults[f][0] ? faults[f] : "(no fault)", d.t, d.len, blocks, 2,
                       &in_blocks);
        double least = f == 0 || strstr(faults[f], "ROOT") ? 0.95
                       : strstr(faults[f], "LATIN")        ? 0
                                                           : 0.2;
        printf("%s xml-split large document, fault %zu: %.0f%% of records read in "
               "blocks\n",
               ok && in_blocks >= least ? "ok" : "FAIL", f, 100 * in_blocks);
        failures += !(ok && in_blocks >= least);
        free(d.t);
    }
}

int main(void) {
    fixtures();
    large_documents();
    return failures ? 1 : 0;
}
