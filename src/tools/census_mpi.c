/* census_mpi — `mpirun -np N parevm-mpi census --mpi ...`: the census over
 * MPI ranks through the block farm (farm.h). Rows travel as bytes (struct
 * census_row has no pointers) and rank 0 writes them in the order given:
 * the same output as a one-process run. A rank that fails on a block
 * sends the row with its error and the census goes on. Compiled only with
 * MPI (mk/mpi.mk defines PAREVM_MPI); empty otherwise. */
#ifdef PAREVM_MPI
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cli.h"
#include "farm.h"
#include "util.h"

static void census_farm_work(size_t index, void *arg, struct bytebuf *out)
{
    const char *const *dirs = arg;
    struct census_row row;
    census_block(dirs[index], &row);
    if (bytebuf_append(out, &row, sizeof row))
        out->len = 0; /* rank 0 reports the missing row */
}

int census_mpi_main(const char *const *dirs, size_t n, int threads, const struct census_output *o,
                    bool progress)
{
    (void)threads; /* one block at a time per rank */
    int rank, size;
    farm_init(&rank, &size);
    int rc = CLI_EXIT_OK;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    struct bytebuf *got = rank == 0 ? calloc(n ? n : 1, sizeof *got) : NULL;
    struct census_row *rows = rank == 0 ? calloc(n ? n : 1, sizeof *rows) : NULL;
    if (!order || (rank == 0 && (!got || !rows))) {
        fprintf(stderr, "census: rank %d: out of memory\n", rank);
        free(order);
        free(got);
        free(rows);
        return farm_end(CLI_EXIT_FAIL);
    }
    order_by_size(dirs, n, "block.json", order);
    struct farm_job job = {.tool = "census",
                           .names = dirs,
                           .n = n,
                           .order = order,
                           .work = census_farm_work,
                           .arg = (void *)dirs,
                           .progress = progress};
    if (farm_run(&job, got) == 1) {
        for (size_t i = 0; i < n; i++) {
            if (got[i].len == sizeof rows[i]) {
                memcpy(&rows[i], got[i].data, sizeof rows[i]);
            } else {
                rows[i].ok = 0;
                snprintf(rows[i].error, sizeof rows[i].error, "no row came back from its rank");
            }
            bytebuf_free(&got[i]);
            if (!rows[i].ok) {
                fprintf(stderr, "census: %s: %s\n", dirs[i], rows[i].error);
                rc = CLI_EXIT_FAIL;
            }
        }
        if (census_write(dirs, rows, n, o))
            rc = CLI_EXIT_FAIL;
    }
    free(got);
    free(rows);
    free(order);
    return farm_end(rc);
}
#else
typedef int census_mpi_unused; /* ISO C: no empty translation unit */
#endif
