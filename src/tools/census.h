/* census — the parallelism census over many blocks (`parevm census`):
 * one row per block (the oracle bound at 2..64 cores, the critical path,
 * the hottest locations), then aggregates across blocks. The rows are
 * computed from gas (not time), so they do not depend on the thread count
 * or on which process computed them; only seq_mgas is a timing. */
#ifndef PAREVM_TOOLS_CENSUS_H
#define PAREVM_TOOLS_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CENSUS_P_COUNT 6   /* bound(P) for P = 2, 4, 8, 16, 32, 64 */
#define CENSUS_HOT 3       /* hottest locations per row */
#define CENSUS_CONTRACTS 8 /* per-row contract totals kept for the aggregate */

struct census_hot {
    uint8_t addr[20];
    uint8_t kind; /* as par_hot_location */
    uint8_t slot[32];
    uint32_t count; /* deps + aborts */
};

/* One block's row: a plain struct (no pointers), so that MPI ranks can
 * send it as bytes. */
struct census_row {
    int ok;
    char error[200];
    uint64_t number;
    char fork[24];
    uint64_t txs, gas;
    double bound[CENSUS_P_COUNT];
    double bal_bound; /* min(64, W / longest): every transaction at once */
    /* The block's EIP-7928 access list (exec/bal.h): its RLP size, the
     * accounts it names and their storage keys (written or read). */
    uint64_t bal_bytes, bal_accounts, bal_slots;
    uint64_t path_len; /* transactions on the critical path */
    double path_share; /* its gas / the block's gas */
    uint32_t hot_count;
    struct census_hot hot[CENSUS_HOT];
    uint32_t contract_count;
    struct census_hot contracts[CENSUS_CONTRACTS]; /* per address, slot unused */
    double seq_mgas;                               /* timing: sequential Mgas/s */
};

extern const int census_p[CENSUS_P_COUNT];

/* Compute the row of the block folder dir (never fails: an error is the
 * row's error). */
void census_block(const char *dir, struct census_row *row);

struct census_output {
    const char *csv, *json, *html; /* NULL: not written ("-": stdout) */
    bool timing;                   /* the Mgas/s column */
};

/* Write the outputs for rows[0..n) (dirs[i] is row i's folder). 0 or -1
 * with a message on stderr. */
int census_write(const char *const *dirs, const struct census_row *rows, size_t n,
                 const struct census_output *o);

/* Rows of dirs[order[k]], k in [0, n), on `threads` threads (taking the
 * next block in order); progress: a bar with ETA on stderr. */
int census_run_local(const char *const *dirs, const size_t *order, size_t n, int threads,
                     struct census_row *rows, bool progress);

#ifdef PAREVM_MPI
/* census --mpi: run over MPI ranks (census_mpi.c); returns the exit status. */
int census_mpi_main(const char *const *dirs, size_t n, int threads, const struct census_output *o,
                    bool progress);
#endif

#endif
