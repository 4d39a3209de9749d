/*
 * OFAC's legacy SDN CSV files -> entity records. sdn.csv (entries), alt.csv
 * (aliases), add.csv (addresses) and sdn_comments.csv (remarks past 1000
 * characters) have no header and are linked by ent_num; any of them may come,
 * in any order, each told by its rows' shape. csv_read.c parses them; each row
 * is kept in a sorter of its own keyed by ent_num (spilling to temporary files
 * past its budget, as the dataset's does), and joined entry by entry at
 * finish, so memory does not grow with the list. README.md states the mapping.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_read.h"

enum file_kind { SDN, ALT, ADD, COMMENTS, N_FILE_KINDS };

static const struct {
    const char *name; /* OFAC's name for the file */
    size_t fields;    /* fields a row has */
    const char *rows; /* what a row gives, for messages */
} file_kinds[N_FILE_KINDS] = {
    {"sdn.csv", 12, "entry"},
    {"alt.csv", 5, "alias"},
    {"add.csv", 6, "address"},
    {"sdn_comments.csv", 2, "remarks"},
};

/* sdn.csv columns (0-based) */
enum {
    ENT_NUM,
    SDN_NAME,
    SDN_TYPE,
    PROGRAM,
    TITLE,
    CALL_SIGN,
    VESS_TYPE,
    TONNAGE,
    GRT,
    VESS_FLAG,
    VESS_OWNER,
    REMARKS
};

/* Labels of the notes of the vessel columns, CALL_SIGN to VESS_OWNER. */
static const char *const vessel_labels[] = {"call sign", "vessel type", "tonnage",
                                            "GRT",       "vessel flag", "vessel owner"};

/* A kept row is a record of the private sorter (kind event, for its text fields). */
#define ROW_TEXT 3   /* "summary": the fields, each ended by SEP */
#define ROW_PLACES 4 /* "place": each field's "line:column," */
#define SEP '\x1F'   /* ASCII unit separator: a control character, never in a value */

struct file_seen {
    const char *name;    /* borrowed from the input */
    enum file_kind kind; /* told by its first row */
    size_t rows;         /* rows kept */
};

struct dsr_ofac_csv {
    struct dsr_sorter *rows; /* every row kept, as a record keyed by ent_num; owned */
    size_t seq;              /* rows kept so far: ties keep file order */
    struct file_seen *files; /* every file read, owned */
    size_t n_files;
};

struct dsr_ofac_csv *dsr_ofac_csv_new(size_t sort_memory, const char *tmpdir) {
    struct dsr_ofac_csv *oc = calloc(1, sizeof(*oc));
    if (oc && !(oc->rows = dsr_sorter_new(sort_memory, tmpdir))) {
        free(oc);
        return NULL;
    }
    return oc;
}

void dsr_ofac_csv_free(struct dsr_ofac_csv *oc) {
    if (!oc)
        return;
    dsr_sorter_free(oc->rows);
    free(oc->files);
    free(oc);
}

/* ---- reading one file ---- */

struct file_read {
    struct dsr_ofac_csv *oc;
    const struct dsr_input *in;
    struct dsr_diags *diags;
    struct file_seen *seen; /* this file's entry in oc->files */
    int kind;               /* enum file_kind, -1 before the first row */
};

/* OFAC writes an empty value as "-0-", often followed by a space. */
static size_t value_len(const struct dsr_csv_field *f) {
    size_t n = f->len;
    while (n > 0 && f->text[n - 1] == ' ')
        n--;
    return n == 3 && !memcmp(f->text, "-0-", 3) ? 0 : f->len;
}

/* 1 when f holds 1 to 18 digits, an ent_num (or another OFAC number). */
static int is_number(const struct dsr_csv_field *f) {
    if (f->len == 0 || f->len > 18)
        return 0;
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] < '0' || f->text[i] > '9')
            return 0;
    return 1;
}

static void row_error(struct file_read *fr, const struct dsr_csv_field *f,
                      const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void row_error(struct file_read *fr, const struct dsr_csv_field *f,
                      const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    dsr_diag_vadd(fr->diags, DSR_DIAG_SCHEMA, fr->in->name, f->line, f->column, NULL, fmt,
                  ap);
    va_end(ap);
}

/* The entity kind an SDN_Type names, or NULL. */
static const char *entity_kind(const char *type, size_t len) {
    static const struct {
        const char *type, *kind;
    } kinds[] = {{"", "organization"},
                 {"entity", "organization"},
                 {"individual", "person"},
                 {"vessel", "vessel"},
                 {"aircraft", "aircraft"}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].type) == len && !strncasecmp(type, kinds[i].type, len))
            return kinds[i].kind;
    return NULL;
}

/* Checks a row's shape for its file; 0, or 1 when it is left out (reported). */
static int check_row(struct file_read *fr, const struct dsr_csv_field *f, size_t n) {
    size_t want = file_kinds[fr->kind].fields;
    if (n != want) {
        row_error(fr, &f[0], "row of %zu fields in an OFAC %s file: expected %zu", n,
                  file_kinds[fr->kind].name, want);
        return 1;
    }
    if (!is_number(&f[0])) {
        row_error(fr, &f[0], "invalid ent_num \"%s\": expected 1 to 18 digits",
                  f[0].text);
        return 1;
    }
    if (fr->kind == SDN && !entity_kind(f[SDN_TYPE].text, value_len(&f[SDN_TYPE]))) {
        row_error(fr, &f[SDN_TYPE],
                  "unknown SDN_Type \"%s\": expected individual, vessel, aircraft or -0-",
                  f[SDN_TYPE].text);
        return 1;
    }
    if (fr->kind == SDN && value_len(&f[SDN_NAME]) == 0) {
        row_error(fr, &f[SDN_NAME], "empty SDN_Name");
        return 1;
    }
    if (fr->kind == ALT &&
        (value_len(&f[2]) != 3 ||
         (strncasecmp(f[2].text, "aka", 3) && strncasecmp(f[2].text, "fka", 3) &&
          strncasecmp(f[2].text, "nka", 3)))) {
        row_error(fr, &f[2], "unknown alt_type \"%s\": expected aka, fka or nka",
                  f[2].text);
        return 1;
    }
    if (fr->kind == ALT && value_len(&f[3]) == 0) {
        row_error(fr, &f[3], "empty alt_name");
        return 1;
    }
    return 0;
}

/* Tells the file from its first row's field count. 0, or -1 (reported). */
static int tell_file(struct file_read *fr, const struct dsr_csv_field *f, size_t n) {
    for (int k = 0; k < N_FILE_KINDS; k++)
        if (file_kinds[k].fields == n) {
            fr->kind = k;
            fr->seen->kind = (enum file_kind)k;
            return 0;
        }
    row_error(fr, &f[0],
              "not an OFAC SDN CSV file: its first row has %zu fields; rows of sdn.csv "
              "have 12, alt.csv 5, add.csv 6, sdn_comments.csv 2",
              n);
    return -1;
}

/*
 * Keeps a row as a record of the private sorter: the id is the sort key
 * (ent_num padded, file kind, sequence); one text holds the fields, each
 * ended by SEP, another their positions. Two strings a row, not two a field:
 * allocation was most of the time. Empty values ("-0-") become empty.
 */
static int keep_row(void *ctx, const struct dsr_csv_field *f, size_t n) {
    struct file_read *fr = ctx;
    if (fr->kind < 0 && tell_file(fr, f, n) < 0)
        return -1;
    if (check_row(fr, f, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (memchr(f[i].text, SEP, f[i].len)) {
            row_error(fr, &f[i], "control character U+001F in a field");
            return 0;
        }
    struct dsr_record *rec = dsr_record_new(DSR_EVENT);
    char key[64], pos[32];
    struct dsr_ofac_text text = {0}, places = {0};
    snprintf(key, sizeof(key), "%020llu-%d-%012zu", strtoull(f[0].text, NULL, 10),
             fr->kind, fr->oc->seq++);
    for (size_t i = 0; i < n; i++) {
        dsr_ofac_append(&text, f[i].text, value_len(&f[i]));
        dsr_ofac_append(&text, (const char[]){SEP}, 1);
        int w = snprintf(pos, sizeof(pos), "%d:%d,", f[i].line, f[i].column);
        dsr_ofac_append(&places, pos, (size_t)w);
    }
    int ok = rec && !text.failed && !places.failed &&
             dsr_record_set(rec, 0, key, strlen(key)) == 0 &&
             dsr_record_set(rec, ROW_TEXT, text.s, text.len) == 0 &&
             dsr_record_set(rec, ROW_PLACES, places.s, places.len) == 0;
    free(text.s);
    free(places.s);
    if (!ok) {
        dsr_record_free(rec);
        dsr_diag_add(fr->diags, DSR_DIAG_REFUSED, fr->in->name, 0, 0, NULL,
                     "out of memory");
        return -1;
    }
    rec->file = fr->in->name;
    rec->line = f[0].line;
    rec->column = f[0].column;
    if (dsr_sorter_take(fr->oc->rows, rec) < 0) {
        dsr_sorter_report(fr->oc->rows, fr->diags);
        return -1;
    }
    fr->seen->rows++;
    return 0;
}

int dsr_ofac_csv_read_chunked(struct dsr_ofac_csv *oc, const struct dsr_input *in,
                              size_t chunk, struct dsr_diags *diags) {
    struct file_seen *files = realloc(oc->files, (oc->n_files + 1) * sizeof(*files));
    if (!files) {
        dsr_diag_add(diags, DSR_DIAG_REFUSED, in->name, 0, 0, NULL, "out of memory");
        return -1;
    }
    oc->files = files;
    struct file_seen *seen = &files[oc->n_files++];
    *seen = (struct file_seen){in->name, SDN, 0};
    struct file_read fr = {oc, in, diags, seen, -1};
    int rc = dsr_csv_read_raw(in, chunk, keep_row, &fr, diags);
    if (fr.kind < 0)
        oc->n_files--; /* nothing read: no kind to count */
    if (fr.kind < 0 && rc == 0)
        dsr_diag_warn(diags, in->name, 0, 0, "empty file: no OFAC rows");
    return rc;
}

int dsr_ofac_csv_read(struct dsr_ofac_csv *oc, const struct dsr_input *in,
                      struct dsr_diags *diags) {
    return dsr_ofac_csv_read_chunked(oc, in, 0, diags);
}

/* ---- joining an entry's rows into an entity ---- */

struct place {
    const char *file; /* borrowed from the input */
    int line, column; /* 1-based */
};

/* What an entry gathers from its rows until the next entry starts. */
struct entry {
    unsigned long long ent;        /* ent_num */
    int has_sdn;                   /* 1 once its sdn.csv row was met */
    const char *file;              /* the sdn.csv row's file, line and column */
    int line, column;              /* */
    struct place name_at, kind_at; /* SDN_Name, SDN_Type */
    struct dsr_record *rec;        /* the entity, owned until emitted */
    struct place *alias_at;        /* where each alias was read, owned */
    size_t n_alias_at, cap_alias_at;
    struct dsr_ofac_text head, alts, addresses, remarks; /* the notes, in their order */
};

static void entry_release(struct entry *e) {
    dsr_record_free(e->rec);
    free(e->alias_at);
    free(e->head.s);
    free(e->alts.s);
    free(e->addresses.s);
    free(e->remarks.s);
    memset(e, 0, sizeof(*e));
}

/* A kept row unpacked: its fields and where each was read. */
struct row {
    const struct dsr_record *rec; /* the sorter's, borrowed: file, line, column */
    char *buf;                    /* the fields' text, owned */
    char *v[12];                  /* each field, in buf */
    struct place at[12];          /* where each was read */
    size_t n;
};

/* Unpacks rec into row. 0, or -1 when out of memory. */
static int unpack(struct row *row, const struct dsr_record *rec) {
    const char *pos = rec->values[ROW_PLACES].text;
    memset(row, 0, sizeof(*row));
    row->rec = rec;
    if (!(row->buf = strdup(rec->values[ROW_TEXT].text)))
        return -1;
    for (char *p = row->buf, *end; row->n < 12 && (end = strchr(p, SEP)); p = end + 1) {
        *end = '\0';
        row->v[row->n] = p;
        row->at[row->n].file = rec->file;
        sscanf(pos, "%d:%d", &row->at[row->n].line, &row->at[row->n].column);
        pos = strchr(pos, ',') ? strchr(pos, ',') + 1 : pos;
        row->n++;
    }
    return 0;
}

/*
 * Adds a name to the aliases unless the entity already bears it (as its name
 * or an alias, once normalised). 0, or -1 when out of memory.
 */
static int add_alias(struct entry *e, const char *name, struct place at) {
    char *n = dsr_text_normalize(name, strlen(name)); /* the text is valid UTF-8 */
    if (!n)
        return -1;
    const struct dsr_value *aliases = &e->rec->values[DSR_ENTITY_ALIASES];
    const char *primary = e->rec->values[DSR_ENTITY_NAME].text;
    int known = !*n || (primary && !strcmp(primary, n));
    for (size_t i = 0; i < aliases->n; i++)
        known |= !strcmp(aliases->items[i], n);
    if (known) {
        free(n);
        return 0;
    }
    if (e->n_alias_at == e->cap_alias_at) {
        size_t cap = e->cap_alias_at ? e->cap_alias_at * 2 : 8;
        struct place *p = realloc(e->alias_at, cap * sizeof(*p));
        if (!p) {
            free(n);
            return -1;
        }
        e->alias_at = p;
        e->cap_alias_at = cap;
    }
    int rc = dsr_record_add(e->rec, DSR_ENTITY_ALIASES, n, strlen(n), NULL, 0);
    free(n);
    if (rc < 0)
        return -1;
    e->alias_at[e->n_alias_at++] = at;
    return 0;
}

/* Each program of "SDGT] [IFSR" (OFAC joins several with "] [") as a note. */
static void program_notes(struct dsr_ofac_text *t, const char *programs) {
    const char *p = programs;
    while (*p) {
        const char *end = strstr(p, "] [");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        if (*s == '[')
            s++, n--;
        if (n > 0 && s[n - 1] == ']')
            n--;
        if (n > 0)
            dsr_ofac_note(t, "program", s, n);
        p = end ? end + 3 : p + strlen(p);
    }
}

/* Starts an entity from its sdn.csv row. 0, or -1 when out of memory. */
static int take_sdn(struct entry *e, const struct row *row) {
    char *const *v = row->v;
    const char *kind = entity_kind(v[SDN_TYPE], strlen(v[SDN_TYPE]));
    char id[32];
    snprintf(id, sizeof(id), "ofac-%llu", e->ent);
    e->has_sdn = 1;
    e->file = row->rec->file;
    e->line = row->rec->line;
    e->column = row->rec->column;
    e->name_at = row->at[SDN_NAME];
    e->kind_at = row->at[SDN_TYPE];
    char *name =
        strcmp(kind, "person") ? strdup(v[SDN_NAME]) : dsr_ofac_natural_name(v[SDN_NAME]);
    char *nname = name ? dsr_text_normalize(name, strlen(name)) : NULL;
    if (name && !nname) /* invalid text: the model reports it */
        nname = strdup(name);
    free(name);
    if (!nname || dsr_record_set(e->rec, DSR_ENTITY_ID, id, strlen(id)) < 0 ||
        dsr_record_set(e->rec, DSR_ENTITY_KIND, kind, strlen(kind)) < 0 ||
        dsr_record_set(e->rec, DSR_ENTITY_NAME, nname, strlen(nname)) < 0) {
        free(nname);
        return -1;
    }
    free(nname);
    if (add_alias(e, v[SDN_NAME], e->name_at) < 0)
        return -1;
    program_notes(&e->head, v[PROGRAM]);
    if (*v[TITLE])
        dsr_ofac_note(&e->head, "title", v[TITLE], strlen(v[TITLE]));
    for (int c = CALL_SIGN; c <= VESS_OWNER; c++)
        if (*v[c])
            dsr_ofac_note(&e->head, vessel_labels[c - CALL_SIGN], v[c], strlen(v[c]));
    dsr_ofac_append(&e->remarks, v[REMARKS], strlen(v[REMARKS]));
    return 0;
}

/* An alt.csv row: the name an alias; fka and nka noted too, as are remarks. */
static int take_alt(struct entry *e, const struct row *row) {
    char *const *v = row->v;
    if (add_alias(e, v[3], row->at[3]) < 0)
        return -1;
    if (strcasecmp(v[2], "aka")) {
        char label[4] = {(char)(v[2][0] | 32), 'k', 'a', '\0'};
        dsr_ofac_note(&e->alts, label, v[3], strlen(v[3]));
    }
    if (*v[4]) {
        dsr_ofac_note(&e->alts, "alias remarks", v[3], strlen(v[3]));
        dsr_ofac_append(&e->alts, ": ", 2);
        dsr_ofac_append(&e->alts, v[4], strlen(v[4]));
    }
    return 0;
}

/* An add.csv row: "address: street, city, country (remarks)"; all empty: nothing. */
static void take_add(struct entry *e, const struct row *row) {
    char *const *v = row->v;
    struct dsr_ofac_text a = {0};
    for (int c = 2; c <= 4; c++)
        if (*v[c]) {
            if (a.len)
                dsr_ofac_append(&a, ", ", 2);
            dsr_ofac_append(&a, v[c], strlen(v[c]));
        }
    if (*v[5]) {
        dsr_ofac_append(&a, a.len ? " (" : "(", a.len ? 2 : 1);
        dsr_ofac_append(&a, v[5], strlen(v[5]));
        dsr_ofac_append(&a, ")", 1);
    }
    if (a.len)
        dsr_ofac_note(&e->addresses, "address", a.s, a.len);
    e->addresses.failed |= a.failed;
    free(a.s);
}

/*
 * Weak aliases sit in the remarks as a.k.a. 'NAME' (f.k.a. and n.k.a. too):
 * each becomes a note "weak aka: NAME". The closing quote is one followed by
 * ";", ".", ",", ")" or the end, so "D'S SUPERMARKET" stays whole.
 */
static void weak_notes(struct dsr_ofac_text *t, const char *remarks) {
    static const char *const marks[] = {"a.k.a. '", "f.k.a. '", "n.k.a. '"};
    static const char *const labels[] = {"weak aka", "weak fka", "weak nka"};
    for (const char *p = remarks; *p; p++)
        for (int m = 0; m < 3; m++) {
            if (strncmp(p, marks[m], 8))
                continue;
            const char *s = p + 8, *q = s;
            while ((q = strchr(q, '\'')) && q[1] && !strchr(";.,)", q[1]))
                q++;
            if (q && q > s)
                dsr_ofac_note(t, labels[m], s, (size_t)(q - s));
        }
}

/* Places a problem of the entity: at the cell its field came from. */
static void locate_entry(void *ctx, const char *pointer, struct dsr_diag *d) {
    const struct entry *e = ctx;
    struct place at = {e->file, e->line, e->column};
    size_t i;
    if (!strcmp(pointer, "/name"))
        at = e->name_at;
    else if (!strcmp(pointer, "/kind"))
        at = e->kind_at;
    else if (sscanf(pointer, "/aliases/%zu", &i) == 1 && i < e->n_alias_at)
        at = e->alias_at[i];
    d->file = at.file; /* dsr_diag_locate keeps a copy */
    d->line = at.line;
    d->column = at.column;
    dsr_copy_tail(d->path, sizeof(d->path), pointer);
}

/* Ends an entry: hands its entity on when it had an sdn.csv row. 0, or -1. */
static int flush(struct entry *e, dsr_record_fn emit, void *ctx,
                 struct dsr_diags *diags) {
    int rc = 0;
    if (e->has_sdn) {
        struct dsr_ofac_text notes = {0};
        weak_notes(&e->alts, e->remarks.s ? e->remarks.s : "");
        const struct dsr_ofac_text *parts[] = {&e->head, &e->alts, &e->addresses};
        for (int i = 0; i < 3; i++)
            if (parts[i]->len) {
                if (notes.len)
                    dsr_ofac_append(&notes, " | ", 3);
                dsr_ofac_append(&notes, parts[i]->s, parts[i]->len);
            }
        if (e->remarks.len)
            dsr_ofac_note(&notes, "remarks", e->remarks.s, e->remarks.len);
        int failed = notes.failed || e->head.failed || e->alts.failed ||
                     e->addresses.failed || e->remarks.failed;
        if (failed || (notes.len &&
                       dsr_record_set(e->rec, DSR_ENTITY_NOTES, notes.s, notes.len) < 0))
            rc = -1;
        free(notes.s);
        struct dsr_record *rec = e->rec;
        rec->file = e->file;
        rec->line = e->line;
        rec->column = e->column;
        int checked = rc ? -1 : dsr_record_check(rec, e->file, locate_entry, e, diags);
        if (checked < 0)
            dsr_diag_add(diags, DSR_DIAG_REFUSED, e->file, 0, 0, NULL, "out of memory");
        if (checked == 0) {
            e->rec = NULL; /* emitted: the pipeline owns it */
            rc = emit(ctx, rec);
        } else if (checked < 0) {
            rc = -1;
        }
    }
    entry_release(e);
    return rc;
}

/* Starts the entry of ent_num ent. 0, or -1 when out of memory. */
static int entry_start(struct entry *e, unsigned long long ent) {
    memset(e, 0, sizeof(*e));
    e->ent = ent;
    e->rec = dsr_record_new(DSR_ENTITY);
    return e->rec ? 0 : -1;
}

/* A row of alt.csv, add.csv or sdn_comments.csv whose entry has no sdn.csv row. */
static void orphan(const struct dsr_record *row, int kind, unsigned long long ent,
                   struct dsr_diags *diags) {
    dsr_diag_warn(diags, row->file, row->line, row->column,
                  "%s row of entry %llu, which no sdn.csv row read holds: left out",
                  file_kinds[kind].rows, ent);
}

/* Warns once per file when no sdn.csv was read: the other files' rows make nothing. */
static int without_entries(const struct dsr_ofac_csv *oc, struct dsr_diags *diags) {
    for (size_t i = 0; i < oc->n_files; i++)
        if (oc->files[i].kind == SDN)
            return 0;
    for (size_t i = 0; i < oc->n_files; i++)
        if (oc->files[i].rows)
            dsr_diag_warn(diags, oc->files[i].name, 0, 0,
                          "no sdn.csv read: the %s rows of this %s (%zu) make no entity",
                          file_kinds[oc->files[i].kind].rows,
                          file_kinds[oc->files[i].kind].name, oc->files[i].rows);
    return 1;
}

/* Adds one row to the entry under way. 0, or -1 when out of memory. */
static int take_row(struct entry *e, const struct row *r, int kind, int quiet,
                    struct dsr_diags *diags) {
    const struct dsr_record *row = r->rec;
    if (kind == SDN && e->has_sdn) {
        dsr_diag_add(diags, DSR_DIAG_SCHEMA, row->file, row->line, row->column, NULL,
                     "duplicate entry %llu: already at %s:%d", e->ent, e->file, e->line);
        return 0;
    }
    if (kind != SDN && !e->has_sdn) {
        if (!quiet)
            orphan(row, kind, e->ent, diags);
        return 0;
    }
    switch (kind) {
    case SDN: return take_sdn(e, r);
    case ALT: return take_alt(e, r);
    case ADD: take_add(e, r); return 0;
    default: /* the remarks go on where sdn.csv cut them */
        dsr_ofac_append(&e->remarks, r->v[1], strlen(r->v[1]));
        return 0;
    }
}

int dsr_ofac_csv_finish(struct dsr_ofac_csv *oc, dsr_record_fn emit, void *ctx,
                        struct dsr_diags *diags) {
    if (dsr_sorter_finish(oc->rows, diags, NULL, NULL, 1) < 0)
        return -1;
    int quiet = without_entries(oc, diags), rc = 0, started = 0;
    struct entry e = {0};
    const struct dsr_record *row;
    while (rc == 0 && (row = dsr_sorter_next(oc->rows))) {
        const char *key = dsr_record_id(row);
        unsigned long long ent = strtoull(key, NULL, 10);
        int kind = key[21] - '0';
        if (!started || ent != e.ent) {
            if (started && flush(&e, emit, ctx, diags) < 0)
                return -1;
            started = 1;
            if (entry_start(&e, ent) < 0)
                rc = -1;
        }
        struct row unpacked = {0};
        if (rc == 0 && (unpack(&unpacked, row) < 0 ||
                        take_row(&e, &unpacked, kind, quiet, diags) < 0))
            rc = -1;
        free(unpacked.buf);
    }
    if (rc < 0) {
        entry_release(&e);
        dsr_diag_add(diags, DSR_DIAG_REFUSED, NULL, 0, 0, NULL, "out of memory");
        return -1;
    }
    if (dsr_sorter_failed(oc->rows)) {
        entry_release(&e);
        dsr_sorter_report(oc->rows, diags);
        return -1;
    }
    return started ? flush(&e, emit, ctx, diags) : 0;
}
