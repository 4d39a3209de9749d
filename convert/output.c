/*
 * Safe outputs (output.h). A file is written as .NAME.tmp-XXXXXX beside its
 * target and renamed over it; a folder of tables as .NAME.tmp-XXXXXX beside
 * the folder, then swapped with it by renameat2(RENAME_EXCHANGE) and the old
 * one removed. Streams are stdio over our own write loop (fopencookie), so
 * the first failed write keeps its errno for the message. Temporaries are
 * listed in a fixed registry of plain character arrays, the one piece of
 * global state in the library: a signal handler may only walk memory that
 * is always there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "output.h"

/* ---- the registry of temporaries ---- */

#define SLOTS 16       /* outputs open at once, and one old folder set aside */
#define SLOT_PATH 4096 /* longest temporary path, with its NUL */

enum slot_state {
    SLOT_FREE,  /* unused */
    SLOT_BUSY,  /* being filled in: the handler skips it */
    SLOT_FILE,  /* a temporary file: unlinked */
    SLOT_DIR,   /* a temporary folder, or an old one replaced: emptied and removed */
    SLOT_ASIDE, /* an old folder renamed aside: renamed back to `back` */
};

struct slot {
    atomic_int state;     /* enum slot_state */
    char path[SLOT_PATH]; /* the temporary */
    char back[SLOT_PATH]; /* SLOT_ASIDE: the old folder's own name */
};

static struct slot slots[SLOTS];

/* Points slot i at path (and back) in state; the handler never sees half a path. */
static void slot_set(int i, const char *path, const char *back, int state) {
    atomic_store(&slots[i].state, SLOT_BUSY);
    strcpy(slots[i].path, path);
    strcpy(slots[i].back, back ? back : "");
    atomic_store(&slots[i].state, state);
}

/* Takes a free slot for path. Returns its index, or -1 with errno set. */
static int slot_take(const char *path, const char *back, int state) {
    if (strlen(path) >= SLOT_PATH || (back && strlen(back) >= SLOT_PATH)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (int i = 0; i < SLOTS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&slots[i].state, &expected, SLOT_BUSY)) {
            slot_set(i, path, back, state);
            return i;
        }
    }
    errno = EMFILE;
    return -1;
}

static void slot_free(int i) {
    if (i >= 0)
        atomic_store(&slots[i].state, SLOT_FREE);
}

/* One entry as getdents64(2) returns it. */
struct raw_dirent {
    uint64_t ino;
    int64_t off;
    unsigned short reclen;
    unsigned char type;
    char name[];
};

/*
 * Empties the folder at path and removes it, with async-signal-safe calls
 * only (no opendir: it allocates). Our folders hold files, never folders.
 * Returns 0, or -1 when something stayed.
 */
static int remove_dir(const char *path) {
    union {
        char bytes[4096];
        uint64_t align;
    } buf;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    /* Removing entries while reading may skip some: read again until none is left. */
    for (int pass = 0, found = 1; found && pass < 16; pass++) {
        long n;
        found = 0;
        lseek(fd, 0, SEEK_SET);
        while ((n = syscall(SYS_getdents64, fd, buf.bytes, sizeof(buf.bytes))) > 0) {
            for (long at = 0; at < n;) {
                unsigned short reclen;
                const char *name = buf.bytes + at + offsetof(struct raw_dirent, name);
                memcpy(&reclen, buf.bytes + at + offsetof(struct raw_dirent, reclen),
                       sizeof(reclen));
                at += reclen;
                if (strcmp(name, ".") && strcmp(name, "..") && unlinkat(fd, name, 0) == 0)
                    found = 1;
            }
        }
    }
    close(fd);
    return rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
}

void dsr_output_remove_temporaries(void) {
    int saved = errno;
    /* An old folder set aside goes back first, unless the new one took its place. */
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&slots[i].state) == SLOT_ASIDE &&
            rename(slots[i].path, slots[i].back) != 0 &&
            (errno == ENOTEMPTY || errno == EEXIST))
            remove_dir(slots[i].path);
    for (int i = 0; i < SLOTS; i++) {
        int state = atomic_load(&slots[i].state);
        if (state == SLOT_FILE)
            unlink(slots[i].path);
        else if (state == SLOT_DIR)
            remove_dir(slots[i].path);
    }
    errno = saved;
}

/* ---- names ---- */

/* Replaces the last six characters of name with letters and digits. */
static void randomize(char *name, unsigned attempt) {
    static const char chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
                 ((uint64_t)getpid() << 16) ^ (uintptr_t)name ^
                 (uint64_t)attempt * 0x9e3779b97f4a7c15u;
    /* splitmix64's finaliser: nearby seeds give unrelated names. */
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
    char *p = name + strlen(name) - 6;
    for (int i = 0; i < 6; i++, x /= 62)
        p[i] = chars[x % 62];
}

/*
 * Returns "DIR/.BASE<tag>XXXXXX" for target DIR/BASE (malloc), the name of a
 * sibling on the same file system, hidden so that a folder read skips it.
 * NULL with errno set when target has no last name (it is "/").
 */
static char *sibling(const char *target, const char *tag) {
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    size_t base = len;
    while (base > 0 && target[base - 1] != '/')
        base--;
    size_t base_len = len - base;
    if (base_len == 0) {
        errno = EBUSY;
        return NULL;
    }
    if (base_len > 200) /* room for the tag within NAME_MAX */
        base_len = 200;
    char *name = malloc(base + base_len + strlen(tag) + 8);
    if (name)
        sprintf(name, "%.*s.%.*s%sXXXXXX", (int)base, target, (int)base_len,
                target + base, tag);
    return name;
}

/*
 * Where the output goes: path itself, or what a link at path leads to, so
 * that replacing the output keeps the link. A folder's trailing slashes go,
 * and a last name of "." or ".." is resolved, so that the folder has a name
 * to be swapped under.
 */
static char *resolve(const char *path, int is_dir) {
    struct stat st;
    char *copy = strdup(path);
    size_t len = copy ? strlen(copy) : 0;
    while (is_dir && len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    if (!copy)
        return NULL;
    const char *last = strrchr(copy, '/');
    last = last ? last + 1 : copy;
    if (!strcmp(last, ".") || !strcmp(last, "..") ||
        (lstat(copy, &st) == 0 && S_ISLNK(st.st_mode))) {
        char *real = realpath(copy, NULL);
        if (real) {
            free(copy);
            return real;
        }
    }
    return copy;
}

/* ---- streams ---- */

#define STREAMS_MAX 8             /* a file's one, a folder's tables */
#define STREAM_BUFFER (64u << 10) /* bytes a stream holds before it writes */

/* One stream and the file under it: the cookie of fopencookie. */
struct stream {
    char *name; /* the table's file name; NULL for a file output */
    FILE *fp;   /* stdio over sink_write, owned; or the caller's stream (fd -1) */
    int fd;     /* the file under it; -1 = fp is the caller's, written directly */
    int keep;   /* 1 = fd or fp is the caller's: flushed, never closed */
    int err;    /* errno of the first failed write or close; 0 = none */
};

static ssize_t sink_write(void *cookie, const char *buf, size_t size) {
    struct stream *st = cookie;
    size_t done = 0;
    while (!st->err && done < size) {
        ssize_t n = write(st->fd, buf + done, size - done);
        if (n > 0)
            done += (size_t)n;
        else if (n == 0)
            st->err = EIO;
        else if (errno != EINTR)
            st->err = errno;
    }
    /* Fewer bytes than asked for mark the stream's error (fopencookie(3)). */
    return (ssize_t)done;
}

static int sink_close(void *cookie) {
    struct stream *st = cookie;
    if (st->keep || st->fd < 0)
        return 0;
    int rc = close(st->fd);
    st->fd = -1;
    /* Linux releases the descriptor even when close is interrupted. */
    if (rc != 0 && errno != EINTR) {
        if (!st->err)
            st->err = errno;
        return -1;
    }
    return 0;
}

enum output_kind {
    OUT_REPLACE,  /* a temporary renamed over the target */
    OUT_IN_PLACE, /* a device or pipe, written as it is */
    OUT_STREAM,   /* a stream the caller keeps (standard output) */
};

struct dsr_output {
    char *name;            /* as given, for messages; OUT_STREAM: what it is */
    char *target;          /* where the result goes: name, links resolved */
    char *tmp;             /* the temporary file or folder; NULL = none (any more) */
    int slot;              /* tmp's registry slot; -1 = none */
    enum output_kind kind; /* how it is written */
    int is_dir;            /* 1 = a folder of tables */
    int had_old;           /* 1 = target existed when opened */
    struct stat old;       /* its status then */
    int err;               /* errno of a failure before commit; 0 = none */
    struct stream streams[STREAMS_MAX]; /* streams[0..n_streams) made */
    size_t n_streams;
};

/* Puts a stream over fd; closes fd on failure (unless keep). NULL with errno set. */
static FILE *add_stream(struct dsr_output *o, const char *name, int fd, int keep) {
    static const cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    struct stream *st = &o->streams[o->n_streams];
    memset(st, 0, sizeof(*st));
    st->fd = fd;
    st->keep = keep;
    if ((!name || (st->name = strdup(name))) && (st->fp = fopencookie(st, "w", io))) {
        /* Larger writes than stdio's 8 KiB: fewer calls, and the same failures. */
        setvbuf(st->fp, NULL, _IOFBF, STREAM_BUFFER);
        o->n_streams++;
        return st->fp;
    }
    int err = errno;
    free(st->name);
    if (!keep)
        close(fd);
    errno = err;
    return NULL;
}

/* Flushes, syncs (sync) and closes a stream. Returns 0 or the errno of its first
 * failure. */
static int close_stream(struct stream *st, int sync) {
    int err = 0;
    errno = 0;
    if (fflush(st->fp) != 0)
        err = st->err ? st->err : errno ? errno : EIO;
    if (!err && (st->err || ferror(st->fp)))
        err = st->err ? st->err : EIO;
    if (!err && sync && fsync(st->fd) != 0)
        err = errno;
    if (st->fd >= 0 && fclose(st->fp) != 0 && !err)
        err = st->err ? st->err : errno;
    st->fp = NULL;
    return err;
}

/* ---- open ---- */

/*
 * Makes the temporary: a file open for writing (returns its descriptor) or
 * a folder (returns 0). It is in the registry before it exists, so a signal
 * never leaves it behind. -1 with errno set.
 */
static int make_temporary(struct dsr_output *o, mode_t mode) {
    if (!(o->tmp = sibling(o->target, ".tmp-")))
        return -1;
    int state = o->is_dir ? SLOT_DIR : SLOT_FILE;
    randomize(o->tmp, 0);
    if ((o->slot = slot_take(o->tmp, NULL, state)) < 0)
        return -1;
    for (unsigned attempt = 1; attempt < 100; attempt++) {
        int fd = o->is_dir ? mkdir(o->tmp, mode)
                           : open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
        randomize(o->tmp, attempt);
        slot_set(o->slot, o->tmp, NULL, state);
    }
    int err = errno;
    slot_free(o->slot);
    o->slot = -1;
    free(o->tmp);
    o->tmp = NULL;
    errno = err;
    return -1;
}

/* Names a subfolder of the folder path in name (size n): 1, or 0 when there is none. */
static int find_subfolder(const char *path, char *name, size_t n) {
    DIR *d = opendir(path);
    struct dirent *e;
    struct stat st;
    int found = 0;
    while (d && !found && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISDIR(st.st_mode)) {
            snprintf(name, n, "%s", e->d_name);
            found = 1;
        }
    if (d)
        closedir(d);
    return found;
}

/* Opens a file output: a temporary beside it, or the device or pipe it names. */
static int open_file(struct dsr_output *o) {
    if (o->had_old && S_ISDIR(o->old.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (o->had_old && !S_ISREG(o->old.st_mode)) {
        o->kind = OUT_IN_PLACE;
        int fd = open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        return fd < 0 || !add_stream(o, NULL, fd, 0) ? -1 : 0;
    }
    /* A new file gets 0666 less the umask from open; an old one's mode is kept. */
    int fd = make_temporary(o, o->had_old ? o->old.st_mode & 0777 : 0666);
    if (fd < 0)
        return -1;
    if (o->had_old && fchmod(fd, o->old.st_mode & 07777) != 0 && errno != EPERM) {
        close(fd);
        return -1;
    }
    return add_stream(o, NULL, fd, 0) ? 0 : -1;
}

/* Opens a folder output: a temporary folder beside it. */
static int open_folder(struct dsr_output *o, char *why, size_t n) {
    char sub[256];
    if (o->had_old && !S_ISDIR(o->old.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    if (o->had_old && find_subfolder(o->target, sub, sizeof(sub))) {
        snprintf(why, n, "cannot replace the folder: it holds a subfolder \"%s\"", sub);
        return -1;
    }
    if (make_temporary(o, o->had_old ? o->old.st_mode & 0777 : 0777) < 0)
        return -1;
    if (o->had_old && chmod(o->tmp, o->old.st_mode & 07777) != 0 && errno != EPERM)
        return -1;
    return 0;
}

static void output_free(struct dsr_output *o) {
    for (size_t i = 0; i < o->n_streams; i++)
        free(o->streams[i].name);
    free(o->name);
    free(o->target);
    free(o->tmp);
    free(o);
}

/* Removes the temporary, if any, and frees its slot. */
static void remove_temporary(struct dsr_output *o) {
    if (o->tmp && o->is_dir)
        remove_dir(o->tmp);
    else if (o->tmp)
        unlink(o->tmp);
    slot_free(o->slot);
    o->slot = -1;
}

struct dsr_output *dsr_output_open(const char *path, int is_dir,
                                   struct dsr_diags *diags) {
    struct dsr_output *o = calloc(1, sizeof(*o));
    char why[DSR_MSG_MAX] = "";
    int rc = -1;
    if (!o) {
        dsr_diag_add(diags, DSR_DIAG_IO, path, 0, 0, NULL, "cannot write: %s",
                     strerror(ENOMEM));
        return NULL;
    }
    o->slot = -1;
    o->is_dir = is_dir;
    if (!path || !strcmp(path, "-")) {
        output_free(o);
        if (!is_dir)
            return dsr_output_open_stream(stdout, "standard output", diags);
        errno = EISDIR;
        dsr_diag_add(diags, DSR_DIAG_IO, NULL, 0, 0, NULL,
                     "cannot write standard output: %s", strerror(errno));
        return NULL;
    }
    if ((o->name = strdup(path)) && (o->target = resolve(path, is_dir))) {
        o->had_old = stat(o->target, &o->old) == 0;
        rc = is_dir ? open_folder(o, why, sizeof(why)) : open_file(o);
    }
    if (rc == 0)
        return o;
    if (!why[0])
        snprintf(why, sizeof(why), "cannot write: %s", strerror(errno));
    dsr_diag_add(diags, DSR_DIAG_IO, path && strcmp(path, "-") ? path : NULL, 0, 0, NULL,
                 "%s", why);
    dsr_output_abort(o);
    return NULL;
}

struct dsr_output *dsr_output_open_stream(FILE *fp, const char *what,
                                          struct dsr_diags *diags) {
    struct dsr_output *o = calloc(1, sizeof(*o));
    int fd = -1, ok = 0;
    errno = 0;
    if (o) {
        o->slot = -1;
        o->kind = OUT_STREAM;
        /* What the caller wrote comes first; then our stream on the same descriptor. */
        if ((o->name = strdup(what ? what : "output")) && fflush(fp) == 0) {
            fd = fileno(fp);
            ok = fd >= 0 ? add_stream(o, NULL, fd, 1) != NULL : 1;
        }
        if (ok && fd < 0) {
            o->streams[0].fp = fp;
            o->streams[0].fd = -1;
            o->streams[0].keep = 1;
            o->n_streams = 1;
        }
    }
    if (ok)
        return o;
    dsr_diag_add(diags, DSR_DIAG_IO, NULL, 0, 0, NULL, "cannot write %s: %s",
                 what ? what : "output", strerror(errno ? errno : ENOMEM));
    dsr_output_abort(o);
    return NULL;
}

FILE *dsr_output_stream(struct dsr_output *o, const char *table_name) {
    if (!o->is_dir) {
        if (!table_name && o->n_streams)
            return o->streams[0].fp;
        o->err = o->err ? o->err : EINVAL;
        return NULL;
    }
    for (size_t i = 0; table_name && i < o->n_streams; i++)
        if (!strcmp(o->streams[i].name, table_name))
            return o->streams[i].fp;
    if (!table_name || !table_name[0] || strchr(table_name, '/') ||
        !strcmp(table_name, ".") || !strcmp(table_name, "..") ||
        o->n_streams == STREAMS_MAX) {
        o->err = o->err ? o->err : EINVAL;
        return NULL;
    }
    /* A table keeps the mode of the one it replaces. */
    size_t len = strlen(o->target) + strlen(o->tmp) + strlen(table_name) + 2;
    char *path = malloc(len);
    struct stat old;
    FILE *fp = NULL;
    int fd = -1, had_old = 0;
    if (path) {
        snprintf(path, len, "%s/%s", o->target, table_name);
        had_old = o->had_old && stat(path, &old) == 0 && S_ISREG(old.st_mode);
        snprintf(path, len, "%s/%s", o->tmp, table_name);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  had_old ? old.st_mode & 0777 : 0666);
    }
    if (fd >= 0 && had_old && fchmod(fd, old.st_mode & 07777) != 0 && errno != EPERM) {
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        fp = add_stream(o, table_name, fd, 0);
    if (!fp && !o->err)
        o->err = path ? errno : ENOMEM;
    free(path);
    return fp;
}

/* ---- commit ---- */

/* Swaps two paths at once, where the file system can. -1 with errno set. */
static int exchange(const char *a, const char *b) {
#ifdef RENAME_EXCHANGE
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#elif defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 1 << 1);
#else
    errno = ENOSYS;
    return -1;
#endif
}

static int is_written(const struct dsr_output *o, const char *name) {
    for (size_t i = 0; i < o->n_streams; i++)
        if (!strcmp(o->streams[i].name, name))
            return 1;
    return 0;
}

/*
 * Links the files of the old folder besides the tables written into the new
 * one, so that swapping loses none of them. 0, or -1 with errno set and why
 * written when it is not errno alone.
 */
static int keep_others(struct dsr_output *o, char *why, size_t n) {
    DIR *d = opendir(o->target);
    int to = open(o->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    struct dirent *e;
    struct stat st;
    if (!d || to < 0)
        rc = -1;
    while (rc == 0 && (errno = 0, e = readdir(d))) {
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || is_written(o, name))
            continue;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            snprintf(why, n, "cannot replace the folder: it holds a subfolder \"%s\"",
                     name);
            rc = -1;
        } else if (linkat(dirfd(d), name, to, name, 0) != 0) {
            snprintf(why, n, "cannot write: cannot keep \"%s\": %s", name,
                     strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && errno != 0)
        rc = -1;
    int err = errno;
    if (d)
        closedir(d);
    if (to >= 0)
        close(to);
    errno = err;
    return rc;
}

/* Flushes the new folder's entries to disk. 0, or -1 with errno set. */
static int sync_dir(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd), err = errno;
    close(fd);
    errno = err;
    return rc;
}

/* Removes the old folder, now at path (slot i), after the new one took its place. */
static void remove_old(struct dsr_output *o, const char *path, int i,
                       struct dsr_diags *diags) {
    if (remove_dir(path) != 0)
        dsr_diag_warn(diags, o->name, 0, 0,
                      "cannot remove the old folder, left at %s: %s", path,
                      strerror(errno));
    slot_free(i);
}

/*
 * Without RENAME_EXCHANGE (a file system that lacks it) the folders change
 * places in two renames: the old one aside, the new one into place, then the
 * old one is removed. Between the two the folder is missing for an instant;
 * a failure there, or a signal (its slot says SLOT_ASIDE from before the
 * first rename), puts the old one back. 0, or -1 with errno set.
 */
static int swap_by_renames(struct dsr_output *o, struct dsr_diags *diags) {
    char *aside = sibling(o->target, ".old-");
    struct stat st;
    int i = -1, err;
    if (!aside)
        return -1;
    for (unsigned attempt = 0; attempt < 100; attempt++) {
        randomize(aside, attempt);
        if (lstat(aside, &st) != 0 && errno == ENOENT)
            break;
    }
    if ((i = slot_take(aside, o->target, SLOT_ASIDE)) < 0 ||
        rename(o->target, aside) != 0)
        goto fail;
    if (rename(o->tmp, o->target) != 0) {
        err = errno;
        if (rename(aside, o->target) != 0)
            dsr_diag_warn(diags, o->name, 0, 0, "the old folder is left at %s", aside);
        errno = err;
        goto fail;
    }
    slot_set(i, aside, NULL, SLOT_DIR);
    slot_free(o->slot);
    o->slot = -1;
    free(o->tmp);
    o->tmp = NULL;
    remove_old(o, aside, i, diags);
    free(aside);
    return 0;
fail:
    err = errno;
    slot_free(i);
    free(aside);
    errno = err;
    return -1;
}

/* Puts the temporary folder in place of the target. 0, or -1 with errno (and why) set.
 */
static int put_folder(struct dsr_output *o, char *why, size_t n,
                      struct dsr_diags *diags) {
    struct stat st;
    int exists = lstat(o->target, &st) == 0;
    if ((exists && keep_others(o, why, n) != 0) || sync_dir(o->tmp) != 0)
        return -1;
    if (!exists) {
        if (rename(o->tmp, o->target) != 0)
            return -1;
        slot_free(o->slot);
    } else if (exchange(o->tmp, o->target) == 0) {
        /* The temporary's name now holds the old folder, and its slot still removes it.
         */
        remove_old(o, o->tmp, o->slot, diags);
    } else if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
               errno == ENOTSUP) {
        return swap_by_renames(o, diags);
    } else {
        return -1;
    }
    o->slot = -1;
    free(o->tmp);
    o->tmp = NULL;
    return 0;
}

int dsr_output_commit(struct dsr_output *o, struct dsr_diags *diags) {
    char why[DSR_MSG_MAX] = "";
    int err = o->err, rc = 0;
    for (size_t i = 0; i < o->n_streams; i++) {
        int e = close_stream(&o->streams[i], o->kind == OUT_REPLACE);
        err = err ? err : e;
    }
    if (!err && o->kind == OUT_REPLACE) {
        if (o->is_dir)
            rc = put_folder(o, why, sizeof(why), diags);
        else if ((rc = rename(o->tmp, o->target)) == 0) {
            slot_free(o->slot);
            o->slot = -1;
            free(o->tmp);
            o->tmp = NULL;
        }
        err = rc ? (errno ? errno : EIO) : 0;
    }
    if (err || rc) {
        if (!why[0] && o->kind == OUT_STREAM)
            snprintf(why, sizeof(why), "cannot write %s: %s", o->name, strerror(err));
        else if (!why[0])
            snprintf(why, sizeof(why), "cannot write: %s", strerror(err));
        dsr_diag_add(diags, DSR_DIAG_IO, o->kind == OUT_STREAM ? NULL : o->name, 0, 0,
                     NULL, "%s", why);
        remove_temporary(o);
    }
    output_free(o);
    return err || rc ? -1 : 0;
}

void dsr_output_abort(struct dsr_output *o) {
    if (!o)
        return;
    for (size_t i = 0; i < o->n_streams; i++)
        if (o->streams[i].fp)
            close_stream(&o->streams[i], 0);
    remove_temporary(o);
    output_free(o);
}

/* ---- outputs that name inputs ---- */

static int same(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* stat() of the folder that holds path. 0 or -1. */
static int stat_parent(const char *path, struct stat *st) {
    char *copy = strdup(path);
    if (!copy)
        return -1;
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    char *slash = strrchr(copy, '/');
    const char *dir = !slash ? "." : slash == copy ? "/" : (*slash = '\0', copy);
    int rc = stat(dir, st);
    free(copy);
    return rc;
}

int dsr_output_same_file(const char *output, const char *input) {
    struct stat out, in, st;
    if (!output || !input || !strcmp(output, "-") || !strcmp(input, "-") ||
        stat(output, &out) != 0 || stat(input, &in) != 0)
        return 0;
    if (same(&out, &in))
        return 1;
    /* A folder argument reads the files with a known extension directly in it. */
    if (S_ISDIR(in.st_mode) && !S_ISDIR(out.st_mode))
        return dsr_format_from_path(output) >= 0 && stat_parent(output, &st) == 0 &&
               same(&st, &in);
    if (!S_ISDIR(out.st_mode))
        return 0;
    size_t len = strlen(output) + 32;
    char *table = malloc(len);
    int found = 0;
    for (int k = 0; table && !found && k < DSR_KIND_COUNT; k++) {
        snprintf(table, len, "%s/%s.csv", output,
                 dsr_kind_info((enum dsr_kind)k)->plural);
        found = stat(table, &st) == 0 && same(&st, &in);
    }
    free(table);
    return found;
}
