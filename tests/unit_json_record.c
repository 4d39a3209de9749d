/*
 * The common road for JSON records (json_record.c) must give what the
 * general road (jansson, then dsr_record_from_json) gives, or step aside.
 * Every line of the article's JSON Lines fixture, then each with every byte
 * replaced by one of a few telling characters, cut short, or written with
 * escapes and other spacing, goes both ways: when the common road takes a
 * text, jansson must accept it too, and the two records (fields, roles,
 * where each reference stands) and their diagnostics must be the same.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static long compared, taken, failures;

struct place {
    const char *text;
    size_t len;
};

static void locate(void *ctx, const char *pointer, struct dsr_diag *d) {
    struct place *p = ctx;
    dsr_json_locate(p->text, p->len, 1, 1, pointer, &d->line, &d->column);
    dsr_copy_tail(d->path, sizeof(d->path), pointer);
}

/* The general road, as json_read.c takes it: NULL when jansson refuses the text. */
static struct dsr_record *general(const char *text, size_t len, int kind, int *loaded,
                                  struct dsr_diags *diags) {
    struct place p = {text, len};
    json_t *obj = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    *loaded = obj != NULL;
    if (!obj)
        return NULL;
    struct dsr_record *rec = NULL;
    if (kind < 0) {
        json_t *name = json_object_get(obj, "record");
        kind = json_is_string(name) ? dsr_kind_from_name(json_string_value(name)) : -1;
        if (kind < 0 || strcmp(json_string_value(name), dsr_kind_info(kind)->name))
            goto out;
        json_object_del(obj, "record");
    }
    rec = dsr_record_from_json(kind, obj, "t", locate, &p, diags);
out:
    json_decref(obj);
    return rec;
}

static int same_text(const char *a, const char *b) {
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same_records(const struct dsr_record *a, const struct dsr_record *b) {
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->given != b->given)
        return 0;
    for (int f = 0; f < DSR_FIELDS_MAX; f++) {
        const struct dsr_value *x = &a->values[f], *y = &b->values[f];
        if (!same_text(x->text, y->text) || x->n != y->n || !x->roles != !y->roles ||
            !x->at != !y->at)
            return 0;
        for (size_t i = 0; i < x->n; i++)
            if (strcmp(x->items[i], y->items[i]) ||
                (x->roles && strcmp(x->roles[i], y->roles[i])) ||
                (x->at &&
                 (x->at[i].line != y->at[i].line || x->at[i].column != y->at[i].column ||
                  strcmp(x->at[i].path, y->at[i].path))))
                return 0;
    }
    return 1;
}

static int same_diags(const struct dsr_diags *a, const struct dsr_diags *b) {
    if (a->count != b->count)
        return 0;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i].message, b->items[i].message) ||
            a->items[i].line != b->items[i].line ||
            a->items[i].column != b->items[i].column ||
            strcmp(a->items[i].path, b->items[i].path))
            return 0;
    return 1;
}

/* Sends text both ways (kind -1: a JSON Lines line) and compares. */
static void both_ways(const char *text, size_t len, int kind, const char *what) {
    struct dsr_diags common_diags, general_diags;
    dsr_diags_init(&common_diags);
    dsr_diags_init(&general_diags);
    struct dsr_record *common = NULL;
    struct place p = {text, len};
    int loaded, r = dsr_json_record_parse(text, len, kind, 1, 1, "", &common);
    struct dsr_record *expected = general(text, len, kind, &loaded, &general_diags);
    compared++;
    const char *wrong = NULL;
    if (r < 0) {
        wrong = "out of memory";
    } else if (r == 1) {
        taken++;
        if (dsr_record_check(common, "t", locate, &p, &common_diags) != 0) {
            dsr_record_free(common);
            common = NULL;
        }
        if (!loaded)
            wrong = "taken, but jansson refuses it";
        else if (!same_records(common, expected))
            wrong = "records differ";
        else if (!same_diags(&common_diags, &general_diags))
            wrong = "diagnostics differ";
    }
    if (wrong && failures++ < 10)
        printf("FAIL json_record %s: %s: %.*s\n", what, wrong, (int)len, text);
    dsr_record_free(common);
    dsr_record_free(expected);
    dsr_diags_release(&common_diags);
    dsr_diags_release(&general_diags);
}

/* Each byte of line replaced by each of a few characters that change its meaning. */
static void mutations(const char *line, size_t len) {
    static const char *const with[] = {"\"", "{", "}",    "[",    "]",
                                       ",",  ":", "\\",   " ",    "\n",
                                       "x",  "1", "\xc3", "\x01", "\\u0000"};
    char *buf = malloc(len + 8);
    for (size_t i = 0; buf && i < len; i++)
        for (size_t k = 0; k < sizeof(with) / sizeof(*with); k++) {
            size_t n = strlen(with[k]);
            memcpy(buf, line, i);
            memcpy(buf + i, with[k], n);
            memcpy(buf + i + n, line + i + 1, len - i - 1);
            both_ways(buf, len - 1 + n, -1, "mutated");
        }
    for (size_t cut = 0; buf && cut < len; cut++)
        both_ways(line, cut, -1, "cut short");
    free(buf);
}

/* Texts written by hand: escapes, spacing, orders, and shapes to step aside from. */
static const char *const written[] = {
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":"
    "\"\\u00e9\\ud83d\\ude00\\/\\\"x\\\\\"}",
    "{ \"name\" : \"A\\tB\" ,\n \"id\":\"a\", \"kind\":\"person\", \"record\":\"entity\" "
    "}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\",\"aliases\":["
    "\"b\",\"b\",\"\\u0062\"]}",
    "{\"record\":\"event\",\"id\":\"e\",\"date\":\"2001\",\"kind\":\"raid\",\"summary\":"
    "\"s\","
    "\"participants\":[{\"role\":\"target\",\"entity\":\"a\\u0062\"},\n "
    "{\"entity\":\"b\",\"role\":\"x\\u0079\"}],"
    "\"sources\":[\"s\"]}",
    "{\"record\":\"event\",\"id\":\"e\",\"date\":\"2001\",\"kind\":\"raid\",\"summary\":"
    "\"s\","
    "\"participants\":[{\"entity\":\"a\",\"role\":\"r\",\"role\":\"r\"}]}",
    "{\"record\":\"event\",\"id\":\"e\",\"date\":\"2001\",\"kind\":\"raid\",\"summary\":"
    "\"s\","
    "\"participants\":[{\"entity\":\"a\"}]}",
    "{\"record\":\"event\",\"id\":\"e\",\"date\":\"2001\",\"kind\":\"raid\",\"summary\":"
    "\"s\","
    "\"participants\":[]}",
    "{\"record\":\"entities\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\"}",
    "{\"record\":\"entity\",\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\","
    "\"name\":\"A\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"id\":\"b\",\"kind\":\"person\",\"name\":"
    "\"A\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\",\"x\":1}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"\\ud800\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"\\udc00x\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"\\u00\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"\xed\xa0\x80\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"\xef\xbf\xbe\"}",
    "{\"record\":\"entity\",\"id\":\"A B\",\"kind\":\"person \",\"name\":\"  \"}",
    "{\"record\":\"source\",\"id\":\"s\",\"title\":\"t\",\"date\":\"2001-02-30\"}",
    "{\"record\":\"designation\",\"id\":\"d\",\"date\":\"2001\",\"authority\":\"a\","
    "\"subjects\":[\"x\",\n\"\\u0079\"],\"sources\":[\"s\"]}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":[\"A\"]}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\",\"aliases\":"
    "\"b\"}",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\"} x",
    "{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\",}",
    "[\"record\"]",
    "\"record\"",
    "{}",
};

/* RFC 8785's string, written the plain way, byte by byte. */
static void escaped(const char *s, char *out) {
    static const char hex[] = "0123456789abcdef";
    *out++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = *p == '"'    ? "\\\""
                          : *p == '\\' ? "\\\\"
                          : *p == '\b' ? "\\b"
                          : *p == '\f' ? "\\f"
                          : *p == '\n' ? "\\n"
                          : *p == '\r' ? "\\r"
                          : *p == '\t' ? "\\t"
                                       : NULL;
        if (esc)
            out = stpcpy(out, esc);
        else if (*p < 0x20)
            out += sprintf(out, "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
        else
            *out++ = (char)*p;
    }
    *out++ = '"';
    *out = 0;
}

/*
 * dsr_json_put_string, which skips text needing no escape sixteen bytes at a
 * time: each character that needs one, at every offset of texts up to 48
 * bytes, against the plain way.
 */
static void put_strings(void) {
    static const char *const stops[] = {"\"", "\\", "\n", "\x01", "\x1f", "\t"};
    static const char *const plain[] = {"a", "\xc3\xa9", "\x7f", " ", "\xe2\x80\xa8"};
    char text[64], want[512];
    long wrong = 0, n = 0;
    for (size_t len = 0; len <= 48; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t k = 0; k < sizeof(stops) / sizeof(*stops); k++) {
                const char *fill = plain[(len + k) % (sizeof(plain) / sizeof(*plain))];
                size_t used = 0;
                while (used + strlen(fill) <= len)
                    used += (size_t)sprintf(text + used, "%s", fill);
                text[used] = 0;
                if (at < used) /* one character that needs an escape, at `at` */
                    text[at] = stops[k][0];
                char *got = NULL;
                size_t got_len = 0;
                FILE *out = open_memstream(&got, &got_len);
                dsr_json_put_string(out, text);
                fclose(out);
                escaped(text, want);
                wrong += strcmp(got, want) != 0;
                n++;
                free(got);
            }
    if (wrong)
        failures++;
    printf("%s json_record: %ld strings written, %ld not as RFC 8785 writes them\n",
           wrong ? "FAIL" : "ok", n, wrong);
}

int main(void) {
    put_strings();
    FILE *fp = fopen("fixtures/article/article.jsonl", "r");
    if (!fp) {
        printf("FAIL json_record: cannot open fixtures/article/article.jsonl\n");
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    for (int i = 0; (n = getline(&line, &cap, fp)) > 0; i++) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        both_ways(line, (size_t)n, -1, "as written");
        if (i % 8 == 0) /* every byte of one line in eight: enough of each kind */
            mutations(line, (size_t)n);
    }
    free(line);
    fclose(fp);
    for (size_t i = 0; i < sizeof(written) / sizeof(*written); i++)
        both_ways(written[i], strlen(written[i]), -1, "written");
    /* A dataset document's elements name no kind: the kind is given. */
    both_ways("{\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\"}", 38, DSR_ENTITY,
              "element");
    both_ways("{\"record\":\"entity\",\"id\":\"a\",\"kind\":\"person\",\"name\":\"A\"}",
              56, DSR_ENTITY, "element naming its kind");
    if (taken < compared / 100)
        printf("FAIL json_record: the common road took only %ld of %ld texts\n", taken,
               compared),
            failures++;
    printf("%s json_record: %ld texts, %ld taken by the common road, %ld failures\n",
           failures ? "FAIL" : "ok", compared, taken, failures);
    return failures ? 1 : 0;
}
