/*
 * A dataset: the inputs read into it, its entity and source index, and its
 * records in canonical order. Each input is read with diagnostics of its own,
 * so one input's status never steers how another is read; they are then
 * moved into the caller's list.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

struct dsr_dataset {
    struct dsr_dataset_options opts; /* copied; strings borrowed */
    struct dsr_diags *diags;         /* the caller's, borrowed */
    struct dsr_sorter *sorter;       /* the records, in canonical order once finished */
    struct dsr_index *index;         /* entity and source ids, for references */
    struct dsr_xslt *xslt;           /* opts.xslt compiled, or NULL */
    struct dsr_ofac_csv *ofac;       /* --from ofac-csv: the files' rows until finish */
    struct dsr_diags *step_diags;    /* the input or finish under way: its own list */
    char **names;                    /* every input read, owned: records borrow them */
    size_t n_names;
    int status;               /* the worst status of this dataset's own diagnostics */
    int finished;             /* 1 after dsr_dataset_finish */
    struct dsr_bytes scratch; /* collect: one record packed */
};

/* The sort budget when only ids and references are kept (validate). */
#define VALIDATE_SORT_MEMORY (6u << 20)
/* The budget of each of the index's two sorts: ids and references, entity names. */
#define INDEX_SORT_MEMORY (4u << 20)
/*
 * The budget of OFAC's row sort, which is read back while the dataset's sort
 * fills: half the dataset's, so that the two together stay under 100 MiB.
 */
#define OFAC_ROWS_SORT_MEMORY (32u << 20)

const char *dsr_version(void) {
    return DSR_VERSION;
}

static void out_of_memory(struct dsr_diags *diags, const char *file) {
    dsr_diag_add(diags, DSR_DIAG_REFUSED, file, 0, 0, NULL, "out of memory");
}

struct dsr_dataset *dsr_dataset_new(const struct dsr_dataset_options *opts,
                                    struct dsr_diags *diags) {
    struct dsr_dataset *ds = calloc(1, sizeof(*ds));
    if (!ds) {
        out_of_memory(diags, NULL);
        return NULL;
    }
    if (opts)
        ds->opts = *opts;
    ds->diags = diags;
    if (dsr_dataset_reset(ds) < 0) {
        dsr_dataset_free(ds);
        return NULL;
    }
    if (ds->opts.xslt && !(ds->xslt = dsr_xslt_new(ds->opts.xslt, diags))) {
        dsr_dataset_free(ds);
        return NULL;
    }
    return ds;
}

/* What one dataset read holds: its records, index and input names. */
static void release_contents(struct dsr_dataset *ds) {
    dsr_sorter_free(ds->sorter);
    dsr_index_free(ds->index);
    dsr_ofac_csv_free(ds->ofac);
    ds->ofac = NULL;
    for (size_t i = 0; i < ds->n_names; i++)
        free(ds->names[i]);
    free(ds->names);
    ds->sorter = NULL;
    ds->index = NULL;
    ds->names = NULL;
    ds->n_names = 0;
}

int dsr_dataset_reset(struct dsr_dataset *ds) {
    release_contents(ds);
    ds->status = 0;
    ds->finished = 0;
    /* Validation holds only ids and references: a small budget spills them early. */
    size_t budget = ds->opts.sort_memory    ? ds->opts.sort_memory
                    : ds->opts.keep_records ? 0
                                            : VALIDATE_SORT_MEMORY;
    ds->sorter = dsr_sorter_new(budget, ds->opts.tmpdir);
    ds->index = dsr_index_new(
        ds->opts.sort_memory ? ds->opts.sort_memory : INDEX_SORT_MEMORY, ds->opts.tmpdir);
    if (ds->opts.jobs > 1 && ds->sorter && ds->index) {
        dsr_sorter_spill_aside(ds->sorter);
        dsr_index_spill_aside(ds->index);
    }
    if (ds->opts.from == DSR_DIALECT_OFAC_CSV)
        ds->ofac = dsr_ofac_csv_new(ds->opts.sort_memory ? ds->opts.sort_memory
                                                         : OFAC_ROWS_SORT_MEMORY,
                                    ds->opts.tmpdir);
    if (ds->sorter && ds->index && (ds->ofac || ds->opts.from != DSR_DIALECT_OFAC_CSV))
        return 0;
    out_of_memory(ds->diags, NULL);
    ds->finished = 1; /* nothing can be added */
    ds->status = 2;
    return -1;
}

void dsr_dataset_free(struct dsr_dataset *ds) {
    if (!ds)
        return;
    release_contents(ds);
    dsr_xslt_free(ds->xslt);
    free(ds->scratch.data);
    free(ds);
}

/*
 * A record packed for the dataset (pack): its kind, what the index keeps of
 * it (keys, then names; see dsr_index_pack), then the record for the sorter.
 */
struct packed_head {
    uint8_t kind;
    uint32_t keys_len, names_len;
};

/*
 * Packs rec for the index and the sorter: validation keeps only the id and
 * the references, to check them. Any thread. 0, or -1 when out of memory.
 */
static int pack(void *ctx, const struct dsr_record *rec, struct dsr_bytes *out) {
    const struct dsr_dataset *ds = ctx;
    size_t keys_len, names_len, start = out->len;
    if (dsr_index_pack(rec, NULL, &keys_len, NULL, &names_len) < 0)
        return -1;
    struct dsr_record kept = *rec;
    if (!ds->opts.keep_records) {
        const struct dsr_kind_info *info = dsr_kind_info(rec->kind);
        for (size_t f = 1; f < info->n_fields; f++)
            if (info->fields[f].refers == DSR_REFERS_NONE)
                kept.values[f] = (struct dsr_value){0};
    }
    struct packed_head head = {(uint8_t)rec->kind, (uint32_t)keys_len,
                               (uint32_t)names_len};
    size_t size = sizeof(head) + keys_len + names_len + dsr_sorter_pack(NULL, &kept);
    if (dsr_bytes_reserve(out, size) < 0)
        return -1;
    unsigned char *p = out->data + start;
    memcpy(p, &head, sizeof(head));
    p += sizeof(head);
    if (dsr_index_pack(rec, p, &keys_len, p + keys_len, &names_len) < 0)
        return -1;
    dsr_sorter_pack(p + keys_len + names_len, &kept);
    out->len = start + size;
    return 0;
}

/* Takes a record packed (pack): into the index, then the sorter. 0, or -1. */
static int take_packed(void *ctx, const unsigned char *p, size_t n) {
    struct dsr_dataset *ds = ctx;
    struct packed_head head;
    memcpy(&head, p, sizeof(head));
    const unsigned char *keys = p + sizeof(head), *names = keys + head.keys_len,
                        *record = names + head.names_len;
    if (dsr_index_take(ds->index, (enum dsr_kind)head.kind, keys, head.keys_len, names,
                       head.names_len, ds->step_diags) < 0)
        return -1;
    if (dsr_sorter_take_packed(ds->sorter, record, n - (size_t)(record - p)) < 0) {
        dsr_sorter_report(ds->sorter, ds->step_diags);
        return -1;
    }
    return 0;
}

/* Takes each record read whole (by a reader without threads): packed, then taken. */
static int collect(void *ctx, struct dsr_record *rec) {
    struct dsr_dataset *ds = ctx;
    ds->scratch.len = 0;
    int rc = pack(ds, rec, &ds->scratch);
    dsr_record_free(rec);
    if (rc < 0) {
        out_of_memory(ds->step_diags, NULL);
        return -1;
    }
    return take_packed(ds, ds->scratch.data, ds->scratch.len);
}

/* Keeps a copy of an input's name, which its records borrow. NULL when out of memory. */
static const char *keep_name(struct dsr_dataset *ds, const char *name) {
    char **names = realloc(ds->names, (ds->n_names + 1) * sizeof(*names));
    if (!names)
        return NULL;
    ds->names = names;
    if (!(names[ds->n_names] = strdup(name)))
        return NULL;
    return names[ds->n_names++];
}

/* Reads one stream into the dataset, its problems into diags. */
static void read_stream(struct dsr_dataset *ds, const char *name, FILE *fp, int format,
                        int table, struct dsr_diags *diags) {
    if (ds->xslt)
        format = DSR_FORMAT_XML;
    else if (ds->ofac)
        format = DSR_FORMAT_CSV;
    else if (ds->opts.from == DSR_DIALECT_OFAC_XML)
        format = DSR_FORMAT_XML;
    else if (format < 0)
        format = dsr_format_from_path(name);
    if (format < 0) {
        dsr_diag_add(diags, DSR_DIAG_USAGE, name, 0, 0, NULL,
                     "cannot tell the format of %s: name it with --format (xml, json, "
                     "jsonl or csv)",
                     strcmp(name, "-") ? "this file" : "standard input");
        return;
    }
    const char *kept = keep_name(ds, name);
    if (!kept) {
        out_of_memory(diags, name);
        return;
    }
    FILE *watched = ds->opts.progress ? dsr_input_watch(fp, kept, ds->opts.progress,
                                                        ds->opts.progress_ctx)
                                      : NULL;
    struct dsr_packer packer = {pack, take_packed, ds};
    struct dsr_input in = {kept,  watched ? watched : fp, (enum dsr_format)format,
                           table, ds->opts.jobs,          &packer};
    ds->step_diags = diags;
    if (ds->xslt)
        dsr_xslt_read(ds->xslt, &in, collect, ds, diags);
    else if (ds->ofac)
        dsr_ofac_csv_read(ds->ofac, &in, diags); /* records come at finish */
    else if (ds->opts.from == DSR_DIALECT_OFAC_XML)
        dsr_ofac_xml_read(&in, collect, ds, diags);
    else
        dsr_read(&in, collect, ds, diags);
    ds->step_diags = NULL;
    if (watched)
        fclose(watched);
}

static void read_path(struct dsr_dataset *ds, const char *path, int format, int table,
                      struct dsr_diags *diags);

/*
 * Past -j 1, a folder's small files are read a file per worker: each with
 * one thread, into a batch of records packed for the dataset, the batches
 * taken in the folder's order. A larger file waits for those before it, and
 * is read by all the threads together.
 */
#define FILE_JOB_MAX (1u << 20)

/* A small file of a folder, read whole by a worker (read_file_job). */
struct file_job {
    struct dsr_input in;     /* the file, read with one thread */
    struct dsr_input packed; /* the batch's: the dataset's packer */
    struct dsr_packer packer;
    struct dsr_batch batch;
};

static void read_file_job(void *ctx, void *item) {
    struct file_job *j = item;
    (void)ctx;
    dsr_read(&j->in, dsr_batch_keep, &j->batch, &j->batch.diags);
}

/* One file of a folder being read (read_dir). */
struct folder_read {
    struct dsr_dataset *ds;
    int format, table;
    struct dsr_diags *diags;
    struct dsr_workers *workers; /* read small files, or NULL */
};

/* Takes a file read by a worker: its records into the dataset, in order. */
static void take_file_job(struct folder_read *f, struct file_job *j) {
    f->ds->step_diags = f->diags;
    dsr_batch_emit(&j->batch, collect, f->ds, f->diags);
    f->ds->step_diags = NULL;
    dsr_batch_release(&j->batch);
    fclose(j->in.fp);
    free(j);
}

/* Takes back every file the workers hold, in order. */
static void drain_file_jobs(struct folder_read *f) {
    for (struct file_job *j; f->workers && (j = dsr_workers_next(f->workers));)
        take_file_job(f, j);
}

/* Hands a small file of a plain format to a worker. 1 when it did, 0 when not. */
static int submit_file_job(struct folder_read *f, const char *file) {
    struct stat st;
    int format = f->format >= 0 ? f->format : dsr_format_from_path(file);
    if (!f->workers || format < 0 || stat(file, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > FILE_JOB_MAX)
        return 0;
    struct file_job *j = calloc(1, sizeof(*j));
    FILE *fp = j ? fopen(file, "rb") : NULL;
    const char *kept = fp ? keep_name(f->ds, file) : NULL;
    if (!kept) { /* read as any other file, which says what is wrong */
        if (fp)
            fclose(fp);
        free(j);
        return 0;
    }
    j->in = (struct dsr_input){kept, fp, (enum dsr_format)format, f->table, 1, NULL};
    j->packer = (struct dsr_packer){pack, take_packed, f->ds};
    j->packed =
        (struct dsr_input){kept, NULL, (enum dsr_format)format, f->table, 1, &j->packer};
    dsr_batch_init(&j->batch, &j->packed);
    if (dsr_workers_full(f->workers))
        take_file_job(f, dsr_workers_next(f->workers));
    dsr_workers_submit(f->workers, j);
    return 1;
}

static int read_folder_file(void *ctx, const char *file) {
    struct folder_read *f = ctx;
    if (!submit_file_job(f, file)) {
        drain_file_jobs(f);
        read_path(f->ds, file, f->format, f->table, f->diags);
    }
    return 0;
}

static void read_dir(struct dsr_dataset *ds, const char *path, int format, int table,
                     struct dsr_diags *diags) {
    struct folder_read f = {ds, format, table, diags, NULL};
    /* A dialect takes only its own files (our output may lie beside). */
    int only = ds->ofac                                ? DSR_FORMAT_CSV
               : ds->opts.from == DSR_DIALECT_OFAC_XML ? DSR_FORMAT_XML
                                                       : -1;
    if (ds->opts.jobs > 1 && !ds->xslt && !ds->ofac && !ds->opts.from &&
        !ds->opts.progress) {
        dsr_xml_before_threads();
        f.workers = dsr_workers_new(ds->opts.jobs, read_file_job, NULL);
    }
    if (dsr_folder_each(path, only, read_folder_file, &f, diags) < 0)
        out_of_memory(diags, path);
    drain_file_jobs(&f);
    dsr_workers_free(f.workers);
}

static void read_path(struct dsr_dataset *ds, const char *path, int format, int table,
                      struct dsr_diags *diags) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        read_dir(ds, path, format, table, diags);
        return;
    }
    if (!ds->xslt && !ds->opts.from && format < 0 && dsr_format_from_path(path) < 0) {
        read_stream(ds, path, NULL, -1, table, diags); /* reports the format */
        return;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot open: %s",
                     strerror(errno));
        return;
    }
    read_stream(ds, path, fp, format, table, diags);
    fclose(fp);
}

/* Runs one add with diagnostics of its own, then hands them to the caller's list. */
static int add_input(struct dsr_dataset *ds, const char *name, FILE *fp, int format,
                     int table) {
    struct dsr_diags mine;
    dsr_diags_init(&mine);
    if (ds->finished)
        dsr_diag_add(&mine, DSR_DIAG_USAGE, name, 0, 0, NULL,
                     "the dataset is finished: nothing more can be added");
    else if (fp)
        read_stream(ds, name, fp, format, table, &mine);
    else
        read_path(ds, name, format, table, &mine);
    int status = dsr_diags_status(&mine);
    if (status > ds->status)
        ds->status = status;
    dsr_diags_move(ds->diags, &mine);
    return status;
}

int dsr_dataset_add_path(struct dsr_dataset *ds, const char *path, int format,
                         int table) {
    return add_input(ds, path, NULL, format, table);
}

int dsr_dataset_add_stream(struct dsr_dataset *ds, const char *name, FILE *fp, int format,
                           int table) {
    return add_input(ds, name, fp, format, table);
}

/* Checks rec's references; 1 when it changed (names became ids, names learned). */
static int check_refs(void *ctx, struct dsr_record *rec) {
    struct dsr_dataset *ds = ctx;
    int completed = ds->opts.keep_records ? dsr_index_complete(ds->index, rec) : 0;
    int changed = 0;
    if (completed < 0 ||
        dsr_index_check_refs(ds->index, rec, ds->step_diags, &changed) < 0)
        return -1;
    return completed || changed;
}

/* The index, resolved by a thread of its own (finish_validation). */
struct resolving {
    struct dsr_index *index;
    struct dsr_diags diags;
    int resolved; /* what dsr_index_resolve returned */
    /* Told once the join is done (`joined`): what it returned, and its verdict. */
    pthread_mutex_t lock;
    pthread_cond_t told;
    int joined, join_rc, unanswered;
};

static void *resolve(void *arg) {
    struct resolving *r = arg;
    int rc = dsr_index_join(r->index, &r->diags);
    int unanswered = rc == 0 && dsr_index_unanswered(r->index);
    pthread_mutex_lock(&r->lock);
    r->joined = 1;
    r->join_rc = rc;
    r->unanswered = unanswered;
    pthread_cond_signal(&r->told);
    pthread_mutex_unlock(&r->lock);
    r->resolved = rc ? rc : dsr_index_resolve_names(r->index, &r->diags);
    return NULL;
}

/*
 * Validation past -j 1: the index resolves in a thread of its own while the
 * records are checked for duplicate ids. Only when some reference is no id
 * are the records visited again, to check them (check_refs); otherwise their
 * run files go as soon as the join says so, beside the names' in the other
 * thread. What is reported, in what order, is what finishing in one thread
 * reports.
 */
static void finish_validation(struct dsr_dataset *ds, struct dsr_diags *mine) {
    struct resolving r = {.index = ds->index, .resolved = -1};
    struct dsr_diags dups;
    pthread_t thread;
    dsr_diags_init(&r.diags);
    dsr_diags_init(&dups);
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.told, NULL);
    int threaded = pthread_create(&thread, NULL, resolve, &r) == 0;
    if (!threaded)
        resolve(&r);
    int checked = dsr_sorter_check(ds->sorter, &dups);
    pthread_mutex_lock(&r.lock);
    while (!r.joined)
        pthread_cond_wait(&r.told, &r.lock);
    int revisit = r.join_rc == 0 && r.unanswered && checked >= 0;
    pthread_mutex_unlock(&r.lock);
    if (!revisit) {
        dsr_sorter_free(ds->sorter);
        ds->sorter = NULL;
    }
    if (threaded)
        pthread_join(thread, NULL);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.told);
    dsr_diags_move(mine, &r.diags);
    if (r.resolved == -1)
        out_of_memory(mine, NULL);
    if (r.resolved != 0) /* one thread would not have finished the records at all */
        dsr_diags_release(&dups);
    else if (revisit && dsr_sorter_revisit(ds->sorter, &dups, check_refs, ds) < 0 &&
             !dsr_sorter_failed(ds->sorter))
        out_of_memory(&dups, NULL);
    dsr_diags_move(mine, &dups);
    dsr_diags_release(&dups);
    dsr_diags_release(&r.diags);
}

int dsr_dataset_finish(struct dsr_dataset *ds) {
    if (ds->finished)
        return ds->status;
    struct dsr_diags mine;
    dsr_diags_init(&mine);
    ds->step_diags = &mine;
    ds->finished = 1;
    /* A dialect's join ends first: its records come now. It reports its failures. */
    if (ds->ofac)
        dsr_ofac_csv_finish(ds->ofac, collect, ds, &mine);
    /*
     * The sorters report their own failures; check_refs fails only out of
     * memory. Validation with every reference answered by an id has nothing
     * for check_refs to do: the records need not even be unpacked.
     */
    if (!ds->opts.keep_records && ds->opts.jobs > 1) {
        finish_validation(ds, &mine);
    } else {
        int resolved = dsr_index_resolve(ds->index, &mine);
        dsr_visit_fn visit =
            ds->opts.keep_records || dsr_index_unanswered(ds->index) ? check_refs : NULL;
        if (resolved == -1 ||
            (resolved == 0 &&
             dsr_sorter_finish(ds->sorter, &mine, visit, ds, ds->opts.keep_records) < 0 &&
             !dsr_sorter_failed(ds->sorter)))
            out_of_memory(&mine, NULL);
    }
    if (dsr_diags_status(&mine) > ds->status)
        ds->status = dsr_diags_status(&mine);
    dsr_diags_move(ds->diags, &mine);
    ds->step_diags = NULL;
    return ds->status;
}

int dsr_dataset_status(const struct dsr_dataset *ds) {
    return ds->status;
}

const char *const *dsr_dataset_inputs(const struct dsr_dataset *ds, size_t *n) {
    *n = ds->n_names;
    return (const char *const *)ds->names;
}

/*
 * Streams the sorted records into o and commits it, which reports any write
 * failure; o is consumed. 0 or -1.
 */
static int write_records(struct dsr_dataset *ds, enum dsr_format format,
                         struct dsr_output *o) {
    struct dsr_writer w;
    const struct dsr_record *rec;
    if (!ds->finished || !ds->opts.keep_records || ds->status) {
        dsr_diag_add(ds->diags, DSR_DIAG_USAGE, NULL, 0, 0, NULL,
                     "nothing written: the dataset is not finished, not kept, or "
                     "not valid");
        dsr_output_abort(o);
        return -1;
    }
    /* Records spilled are checked again as they come (check_refs makes the
     * same changes); what it finds was reported when the dataset finished. */
    struct dsr_diags again;
    dsr_diags_init(&again);
    ds->step_diags = &again;
    int ok = dsr_writer_open(&w, format, o) == 0;
    while (ok && (rec = dsr_sorter_next(ds->sorter)))
        ok = dsr_writer_record(&w, rec) == 0;
    ds->step_diags = NULL;
    dsr_diags_release(&again);
    if (dsr_sorter_failed(ds->sorter)) {
        dsr_sorter_report(ds->sorter, ds->diags);
        dsr_output_abort(o);
        return -1;
    }
    if (ok)
        dsr_writer_close(&w);
    return dsr_output_commit(o, ds->diags);
}

int dsr_dataset_write(struct dsr_dataset *ds, enum dsr_format format, FILE *out) {
    if (format == DSR_FORMAT_CSV) {
        dsr_diag_add(ds->diags, DSR_DIAG_USAGE, NULL, 0, 0, NULL,
                     "CSV writes four tables: give a folder");
        return -1;
    }
    struct dsr_output *o = dsr_output_open_stream(
        out, out == stdout ? "standard output" : "the output", ds->diags);
    return o ? write_records(ds, format, o) : -1;
}

int dsr_dataset_write_path(struct dsr_dataset *ds, enum dsr_format format,
                           const char *path) {
    struct dsr_output *o = dsr_output_open(path, format == DSR_FORMAT_CSV, ds->diags);
    return o ? write_records(ds, format, o) : -1;
}
