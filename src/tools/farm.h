/* farm — many blocks over MPI ranks, for the tools that take a list of
 * block folders (`census --mpi`, `run --mpi`). Rank 0 holds the list in a
 * hand-out order (largest first) and gives one block at a time to the
 * rank that asks; a rank asks again when it is done (dynamic work
 * stealing). Between requests rank 0 works through the list from the
 * other end itself. Each block's result comes back as bytes, and rank 0
 * keeps them by the block's index, so the caller writes exactly what a
 * one-process run writes.
 *
 * A rank that dies ends the job (mpirun's default error handler): rank 0,
 * signalled by mpirun, names the blocks the ranks held, so the job fails
 * with a message instead of hanging.
 *
 * Compiled only with MPI (mk/mpi.mk defines PAREVM_MPI). */
#ifndef PAREVM_TOOLS_FARM_H
#define PAREVM_TOOLS_FARM_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"

/* One block's work: append to out what rank 0 should get back for block
 * `index` (the caller's own encoding). */
typedef void (*farm_work_fn)(size_t index, void *arg, struct bytebuf *out);

struct farm_job {
    const char *tool;         /* for messages: "census", "run" */
    const char *const *names; /* names[i]: block i's folder */
    size_t n;
    const size_t *order; /* the hand-out order: indexes, largest first */
    farm_work_fn work;
    void *arg;
    bool progress; /* "TOOL (mpi, R ranks) done/n" on stderr */
};

/* MPI_Init; *rank and *size get this process's rank and the rank count. */
void farm_init(int *rank, int *size);

/* Run the job on every rank. On rank 0, results[i] gets block i's bytes
 * (the caller frees them) and 1 is returned; other ranks return 0 and
 * leave results alone. -1: out of memory on rank 0 (the job is aborted on
 * other ranks by MPI_Abort). */
int farm_run(const struct farm_job *job, struct bytebuf *results);

/* Every rank: take rank 0's exit status, MPI_Finalize, and return it. */
int farm_end(int rc);

#endif
