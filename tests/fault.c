/*
 * Fault injection for tests/check_faults.sh, loaded with LD_PRELOAD: fails
 * the Nth call of one function, as a full disk or a failing device would.
 *
 *   FAULT_CALL=write|close|fsync|rename|renameat2  the function
 *   FAULT_AT=N         the Nth call fails (1-based); later calls go through
 *   FAULT_ERRNO=NAME   ENOSPC (default), EIO, EDQUOT, EFBIG, EINVAL, ... or
 *                      "short": the Nth write writes half its bytes, no error
 *   FAULT_ALWAYS=CALL:NAME  every call of CALL fails (a file system without it)
 *   FAULT_FIRED=FILE   created when the fault fires, so a sweep knows it ended
 *   FAULT_DELAY_US=N   every write waits N microseconds first: a long write
 *                      phase, for signals to strike in
 *
 * Only descriptors above 2 count, so diagnostics still reach stderr; write
 * and close count only descriptors open for writing (input files are not
 * the output's concern). Built by the test script:
 *   cc -shared -fPIC -o fault.so tests/fault.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SHORT_WRITE (-1)

static const struct {
    const char *name;
    int value;
} errnos[] = {
    {"ENOSPC", ENOSPC}, {"EIO", EIO},       {"EDQUOT", EDQUOT}, {"EFBIG", EFBIG},
    {"EINVAL", EINVAL}, {"ENOSYS", ENOSYS}, {"EXDEV", EXDEV},   {"EACCES", EACCES},
    {"EPERM", EPERM},   {"EROFS", EROFS},   {"EINTR", EINTR},   {"short", SHORT_WRITE},
};

static int errno_named(const char *name) {
    for (size_t i = 0; name && i < sizeof(errnos) / sizeof(errnos[0]); i++)
        if (!strcmp(name, errnos[i].name))
            return errnos[i].value;
    return ENOSPC;
}

static void *real(const char *name) {
    void *fn = dlsym(RTLD_NEXT, name);
    if (!fn)
        abort();
    return fn;
}

/* Leaves a mark that the fault fired, without a call this file intercepts. */
static void mark_fired(void) {
    const char *path = getenv("FAULT_FIRED");
    int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
    if (fd >= 0)
        syscall(SYS_close, fd);
}

/*
 * Decides whether this call of `call` fails. Returns 0 (go through), or the
 * errno to fail with (SHORT_WRITE for a short write).
 */
static int fault(const char *call) {
    static int count;
    const char *always = getenv("FAULT_ALWAYS");
    size_t n = strlen(call);
    if (always && !strncmp(always, call, n) && always[n] == ':')
        return errno_named(always + n + 1);
    const char *which = getenv("FAULT_CALL"), *at = getenv("FAULT_AT");
    if (!which || !at || strcmp(which, call))
        return 0;
    if (++count != atoi(at))
        return 0;
    mark_fired();
    return errno_named(getenv("FAULT_ERRNO"));
}

static int writable(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return fd > 2 && flags >= 0 && (flags & O_ACCMODE) != O_RDONLY;
}

ssize_t write(int fd, const void *buf, size_t n) {
    static ssize_t (*next)(int, const void *, size_t);
    if (!next)
        next = real("write");
    int err = writable(fd) ? fault("write") : 0;
    const char *delay = writable(fd) ? getenv("FAULT_DELAY_US") : NULL;
    if (delay)
        usleep((useconds_t)atoi(delay));
    if (err == SHORT_WRITE && n > 1)
        return next(fd, buf, n / 2);
    if (err > 0) {
        errno = err;
        return -1;
    }
    return next(fd, buf, n);
}

int close(int fd) {
    static int (*next)(int);
    if (!next)
        next = real("close");
    int err = writable(fd) ? fault("close") : 0;
    int rc = next(fd);
    /* Linux releases the descriptor even when close reports an error. */
    if (err > 0) {
        errno = err;
        return -1;
    }
    return rc;
}

int fsync(int fd) {
    static int (*next)(int);
    if (!next)
        next = real("fsync");
    int err = fd > 2 ? fault("fsync") : 0;
    if (err > 0) {
        errno = err;
        return -1;
    }
    return next(fd);
}

int rename(const char *from, const char *to) {
    static int (*next)(const char *, const char *);
    if (!next)
        next = real("rename");
    int err = fault("rename");
    if (err > 0) {
        errno = err;
        return -1;
    }
    return next(from, to);
}

int renameat2(int from_dir, const char *from, int to_dir, const char *to,
              unsigned flags) {
    static int (*next)(int, const char *, int, const char *, unsigned);
    if (!next)
        next = real("renameat2");
    int err = fault("renameat2");
    if (err > 0) {
        errno = err;
        return -1;
    }
    return next(from_dir, from, to_dir, to, flags);
}
