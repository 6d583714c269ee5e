/* census_mpi — `mpirun -np N parevm-mpi census --mpi ...`: the census over
 * MPI ranks. Rank 0 holds the blocks, largest first, and hands them out
 * one at a time to the ranks that ask (dynamic work stealing: a rank asks
 * again when it is done); between requests rank 0 computes blocks itself,
 * from the small end. Rows come back as bytes (struct census_row has no
 * pointers) and rank 0 writes them in the order given: the same output as
 * a one-process run. Compiled only with MPI (mk/mpi.mk defines
 * PAREVM_MPI); empty otherwise. A rank that fails on a block sends the
 * row with its error; a rank that dies ends the job (mpirun's default
 * error handler), and rank 0, signalled by mpirun, names the blocks the
 * ranks held. */
#ifdef PAREVM_MPI
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "census.h"
#include "cli.h"

enum { TAG_ASK = 1, TAG_GIVE = 2, TAG_ROW = 3 };

/* Rank 0: which block each rank holds (-1 none), for the message when the
 * job is killed. Written by the main thread only; read by the handler. */
static long *census_held;
static int census_ranks;
static const char *const *census_dirs;

static void census_on_signal(int sig)
{
    static const char head[] = "census: job ended by a signal; blocks the ranks held:\n";
    ssize_t unused = write(2, head, sizeof head - 1);
    for (int r = 0; r < census_ranks && census_held; r++) {
        if (census_held[r] < 0)
            continue;
        char line[600];
        int len = snprintf(line, sizeof line, "  rank %d: %s\n", r, census_dirs[census_held[r]]);
        if (len > 0)
            unused = write(2, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    }
    (void)unused;
    signal(sig, SIG_DFL);
    raise(sig);
}

int census_mpi_main(const char *const *dirs, size_t n, int threads, const struct census_output *o,
                    bool progress)
{
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int rc = CLI_EXIT_OK;
    struct census_row *rows = calloc(n ? n : 1, sizeof *rows);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!rows || !order) {
        fprintf(stderr, "census: rank %d: out of memory\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (rank == 0) {
        census_order_by_size(dirs, n, order);
        census_held = malloc((size_t)size * sizeof *census_held);
        for (int r = 0; r < size; r++)
            census_held[r] = -1;
        census_ranks = size;
        census_dirs = dirs;
        signal(SIGTERM, census_on_signal);
        signal(SIGINT, census_on_signal);
        size_t front = 0, back = n; /* [front, back) not handed out yet */
        size_t done = 0;
        int stopped = 0; /* workers told there is no more */
        while (done < n || stopped < size - 1) {
            int flag = 0;
            MPI_Status st;
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
            if (flag && st.MPI_TAG == TAG_ASK) {
                int dummy;
                MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                long give = front < back ? (long)order[front++] : -1;
                census_held[st.MPI_SOURCE] = give;
                MPI_Send(&give, 1, MPI_LONG, st.MPI_SOURCE, TAG_GIVE, MPI_COMM_WORLD);
                if (give < 0)
                    stopped++;
            } else if (flag && st.MPI_TAG == TAG_ROW) {
                long idx = census_held[st.MPI_SOURCE];
                struct census_row row;
                MPI_Recv(&row, (int)sizeof row, MPI_BYTE, st.MPI_SOURCE, TAG_ROW, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
                if (idx >= 0)
                    rows[idx] = row;
                census_held[st.MPI_SOURCE] = -1;
                done++;
            } else if (front < back) {
                /* rank 0 computes from the small end; its threads each
                 * take one block */
                size_t take = (size_t)threads;
                if (take > back - front)
                    take = back - front;
                if (size > 1 && take > 1)
                    take = 1; /* stay responsive to the other ranks */
                back -= take;
                census_held[0] = (long)order[back];
                census_run_local(dirs, order + back, take, threads, rows, false);
                census_held[0] = -1;
                done += take;
            } else {
                usleep(200);
            }
            if (progress)
                fprintf(stderr, "\rcensus (mpi, %d ranks) %zu/%zu ", size, done, n);
        }
        if (progress)
            fputc('\n', stderr);
        for (size_t i = 0; i < n; i++)
            if (!rows[i].ok) {
                fprintf(stderr, "census: %s: %s\n", dirs[i], rows[i].error);
                rc = CLI_EXIT_FAIL;
            }
        if (census_write(dirs, rows, n, o))
            rc = CLI_EXIT_FAIL;
        free(census_held);
        census_held = NULL;
    } else {
        for (;;) {
            int ask = 0;
            long idx;
            MPI_Send(&ask, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
            MPI_Recv(&idx, 1, MPI_LONG, 0, TAG_GIVE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (idx < 0)
                break;
            struct census_row row;
            size_t one = (size_t)idx;
            (void)threads; /* one block at a time per request */
            census_run_local(dirs, &one, 1, 1, rows, false);
            row = rows[idx];
            MPI_Send(&row, (int)sizeof row, MPI_BYTE, 0, TAG_ROW, MPI_COMM_WORLD);
        }
    }
    free(rows);
    free(order);
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
#else
typedef int census_mpi_unused; /* ISO C: no empty translation unit */
#endif
