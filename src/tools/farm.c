/* farm — blocks over MPI ranks with work stealing from rank 0 (farm.h). */
#ifdef PAREVM_MPI
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "farm.h"

enum { TAG_ASK = 1, TAG_GIVE = 2, TAG_RESULT = 3 };

/* Rank 0: which block each rank holds (-1 none), for the message when the
 * job is killed. Written by the main thread only; read by the handler. */
static long *farm_held;
static int farm_ranks;
static const char *const *farm_names;
static const char *farm_tool;

static void farm_on_signal(int sig)
{
    char line[700];
    int len = snprintf(line, sizeof line, "%s: job ended by a signal; blocks the ranks held:\n", farm_tool);
    ssize_t unused = write(2, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    for (int r = 0; r < farm_ranks && farm_held; r++) {
        if (farm_held[r] < 0)
            continue;
        len = snprintf(line, sizeof line, "  rank %d: %s\n", r, farm_names[farm_held[r]]);
        if (len > 0)
            unused = write(2, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    }
    (void)unused;
    signal(sig, SIG_DFL);
    raise(sig);
}

void farm_init(int *rank, int *size)
{
    int provided;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
}

/* A worker rank: ask, work, send the bytes back, until told to stop. */
static void farm_worker(const struct farm_job *job)
{
    struct bytebuf out = {0};
    for (;;) {
        int ask = 0;
        long idx;
        MPI_Send(&ask, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
        MPI_Recv(&idx, 1, MPI_LONG, 0, TAG_GIVE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (idx < 0)
            break;
        bytebuf_reset(&out);
        job->work((size_t)idx, job->arg, &out);
        MPI_Send(out.data, (int)out.len, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    bytebuf_free(&out);
}

static int farm_root(const struct farm_job *job, int size, struct bytebuf *results)
{
    size_t n = job->n;
    farm_held = malloc((size_t)size * sizeof *farm_held);
    if (!farm_held) {
        fprintf(stderr, "%s: rank 0: out of memory\n", job->tool);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return -1;
    }
    for (int r = 0; r < size; r++)
        farm_held[r] = -1;
    farm_ranks = size;
    farm_names = job->names;
    farm_tool = job->tool;
    signal(SIGTERM, farm_on_signal);
    signal(SIGINT, farm_on_signal);

    size_t front = 0, back = n; /* order[front..back) not handed out yet */
    size_t done = 0;
    int stopped = 0; /* workers told there is no more */
    while (done < n || stopped < size - 1) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (flag && st.MPI_TAG == TAG_ASK) {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, st.MPI_SOURCE, TAG_ASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            long give = front < back ? (long)job->order[front++] : -1;
            farm_held[st.MPI_SOURCE] = give;
            MPI_Send(&give, 1, MPI_LONG, st.MPI_SOURCE, TAG_GIVE, MPI_COMM_WORLD);
            if (give < 0)
                stopped++;
        } else if (flag && st.MPI_TAG == TAG_RESULT) {
            long idx = farm_held[st.MPI_SOURCE];
            int count = 0;
            MPI_Get_count(&st, MPI_BYTE, &count);
            struct bytebuf got = {0};
            if (count > 0 && bytebuf_reserve(&got, (size_t)count)) {
                fprintf(stderr, "%s: rank 0: out of memory\n", job->tool);
                MPI_Abort(MPI_COMM_WORLD, 1);
            }
            MPI_Recv(got.data, count, MPI_BYTE, st.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            got.len = (size_t)count;
            if (idx >= 0)
                results[idx] = got;
            else
                bytebuf_free(&got);
            farm_held[st.MPI_SOURCE] = -1;
            done++;
        } else if (front < back) {
            /* Rank 0 works from the small end, one block between looks at
             * the queue, so the other ranks are not kept waiting long. */
            size_t idx = job->order[--back];
            farm_held[0] = (long)idx;
            job->work(idx, job->arg, &results[idx]);
            farm_held[0] = -1;
            done++;
        } else {
            usleep(200);
        }
        if (job->progress)
            fprintf(stderr, "\r%s (mpi, %d ranks) %zu/%zu ", job->tool, size, done, n);
    }
    if (job->progress)
        fputc('\n', stderr);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    free(farm_held);
    farm_held = NULL;
    return 1;
}

int farm_run(const struct farm_job *job, struct bytebuf *results)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank != 0) {
        farm_worker(job);
        return 0;
    }
    return farm_root(job, size, results);
}

int farm_end(int rc)
{
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
}
#else
typedef int farm_unused; /* ISO C: no empty translation unit */
#endif
