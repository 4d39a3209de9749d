/*
 * Outputs written so that a failure never shows (output.c): the bytes go to a
 * temporary in the target's own folder, and only a commit that checked every
 * write, flushed the data to disk and closed every file puts them in place with
 * one rename. A folder of tables is built as a temporary sibling folder and
 * swapped in as a whole. Temporaries are listed in a fixed registry so that a
 * signal handler can remove them. What to write is the writers' concern.
 */
#ifndef DSR_OUTPUT_H
#define DSR_OUTPUT_H

#include "internal.h"

struct dsr_output;

/*
 * Starts an output at path: a file (is_dir 0) or a folder that receives
 * tables (is_dir 1). A file is written to a temporary file beside it, a
 * folder to a temporary folder beside it; an existing file that is not a
 * regular file (a device, a pipe) is written in place. NULL or "-" is
 * standard output, as dsr_output_open_stream(stdout, "standard output").
 * Returns the output, or NULL with one DSR_DIAG_IO diagnostic naming path
 * and the cause. Ends with dsr_output_commit() or dsr_output_abort(), which
 * free it.
 */
struct dsr_output *dsr_output_open(const char *path, int is_dir, struct dsr_diags *diags);

/*
 * Starts an output onto a stream the caller keeps (standard output, or a
 * library user's stream): fp is flushed, then written through a stream of the
 * output's own on the same file descriptor, so that a failure keeps its cause
 * (a stream without one is written directly). what names it in messages
 * ("cannot write standard output: Broken pipe"). Commit flushes and checks;
 * fp stays open. A stream cannot be replaced at once: what failed may have
 * reached it.
 */
struct dsr_output *dsr_output_open_stream(FILE *fp, const char *what,
                                          struct dsr_diags *diags);

/*
 * Returns the stream of a file output (table_name NULL), or of the table
 * table_name (a plain file name, "entities.csv") of a folder output, made on
 * the first call. The stream is borrowed: the output flushes and closes it.
 * NULL when it cannot be made; the cause is kept, and commit reports it.
 */
FILE *dsr_output_stream(struct dsr_output *o, const char *table_name);

/*
 * Puts the output in place: checks every stream for a write error, flushes,
 * syncs and closes each (every step checked), then renames the file into
 * place, or swaps the folder in at once. A new file gets the mode the umask
 * gives (0666 & ~umask), a file that existed keeps its mode; a folder keeps
 * the files it held besides the tables written (a subfolder is refused).
 * Returns 0, or -1 with one DSR_DIAG_IO diagnostic ("cannot write: No space
 * left on device"), the temporary removed and the old output as it was. After
 * a writer call failed, commit all the same: this is where the failure is
 * reported. Frees o in every case.
 */
int dsr_output_commit(struct dsr_output *o, struct dsr_diags *diags);

/* Abandons the output: closes its streams, removes the temporary, frees o. NULL is
 * ignored. */
void dsr_output_abort(struct dsr_output *o);

/*
 * Removes every temporary of every output not yet committed or aborted, and
 * puts back an old folder that a commit had moved aside. Async-signal-safe: a
 * signal handler calls it before the process dies. The outputs themselves are
 * left for the process's end.
 */
void dsr_output_remove_temporaries(void);

/*
 * Returns 1 when writing output would replace input: the same file (device
 * and inode, links followed), an output folder holding input as one of its
 * four tables, or an input folder that would read the output file. 0 when
 * not, or when either does not exist or is "-".
 */
int dsr_output_same_file(const char *output, const char *input);

#endif
