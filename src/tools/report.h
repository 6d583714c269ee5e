/*
 * report — the benchmark report: one self-contained HTML page (inline
 * SVG, no network, no scripts) and the same data as JSON.
 *
 * The page holds the build and the machine (CPU, load average before and
 * after), a summary table (per block: txs, gas, sequential and parallel
 * times per thread count with their min-max, Mgas/s, speedup, oracle bound,
 * the machine's ceiling when measured, efficiency, re-executions), per scenario a chart of speedup against
 * threads with the bound drawn over it, and per block a Gantt chart of a recorded parallel run, the
 * dependency graph with its critical path, and the hottest state locations. The caller (parevm bench)
 * measures; this module only draws.
 */
#ifndef PAREVM_TOOLS_REPORT_H
#define PAREVM_TOOLS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../exec/bal.h"
#include "../exec/exec.h"
#include "machine.h"

#define REPORT_MAX_THREADS 16

/* One benchmarked block. Pointers are borrowed for the duration of the
 * write calls. */
struct report_block {
    const char *label; /* shown name (e.g. the directory's base name) */
    const char *dir;
    uint64_t number;
    size_t txs;
    uint64_t gas;
    bool ok; /* false: error says why; only the summary row shows it */
    const char *error;
    double seq_ms; /* median sequential time */
    /* the fastest and slowest repetition (both 0: not known, not shown) */
    double seq_min_ms, seq_max_ms;
    int thread_count; /* entries used in the arrays below */
    int threads[REPORT_MAX_THREADS];
    double par_ms[REPORT_MAX_THREADS];     /* median parallel time */
    double par_min_ms[REPORT_MAX_THREADS]; /* fastest / slowest repetition (0: not known) */
    double par_max_ms[REPORT_MAX_THREADS];
    /* bench --ceiling: P x sequential ms / wall ms of P sequential runs at
     * once (0: not measured, as at P = 1) */
    double ceiling[REPORT_MAX_THREADS];
    double bound[REPORT_MAX_THREADS];       /* oracle bound at threads[t] */
    double exec_per_tx[REPORT_MAX_THREADS]; /* executions per transaction */
    bool ran_parallel[REPORT_MAX_THREADS];  /* false: the guard ran it sequentially */
    struct oracle oracle;
    /* Dependency graph and per-transaction costs (deps, cost_ns of an
     * in-order run); NULL or tx_count == 0: no graph drawn. */
    const struct exec_stats *graph;
    /* A recorded parallel run (record.events, record.hot); NULL: none. */
    const struct exec_stats *recorded;
    int recorded_threads;
    /* The access-list-driven engine (bench --engine bal; has_bal false:
     * not measured): per thread count as par_* (bal_bound: min(P, W/L) by
     * gas; bal_degraded: the list did not drive some repetition), the
     * list's size and the EIP's cap on its items, and a recorded driven
     * run at the highest thread count (bal_recorded->bal_driven: the list
     * held and record holds its schedule; NULL: none). */
    bool has_bal;
    double bal_ms[REPORT_MAX_THREADS], bal_min_ms[REPORT_MAX_THREADS], bal_max_ms[REPORT_MAX_THREADS];
    double bal_bound[REPORT_MAX_THREADS];
    bool bal_degraded[REPORT_MAX_THREADS];
    struct bal_size bal_size;
    size_t bal_bytes;
    uint64_t bal_cap;
    const struct exec_stats *bal_recorded;
};

struct report {
    const char *title;
    int reps; /* repetitions behind each median */
    /* The build and the machine it ran on; NULL: not shown. */
    const char *version, *commit;
    const struct machine_info *machine;
    const struct report_block *blocks;
    size_t block_count;
};

/* The scenario a block belongs to, for the speedup charts: the label up
 * to its last '-' (so "amm-low" and "amm-high" share "amm"), "mainnet"
 * for all-digit labels, else the label itself. Writes at most len bytes. */
void report_scenario(const char *label, char *out, size_t len);

/* Write the HTML page / the JSON document to out. Returns PAREVM_OK, or
 * PAREVM_ERR_IO when writing failed, PAREVM_ERR_NOMEM, PAREVM_ERR_ARG on
 * a NULL argument. */
int report_write_html(const struct report *r, FILE *out);
int report_write_json(const struct report *r, FILE *out);

/* Both files: html_path, and json_path (NULL: html_path with its ".html"
 * extension replaced by ".json", or ".json" appended). On failure, err
 * names the file that could not be written. */
int report_write_files(const struct report *r, const char *html_path, const char *json_path, char *err,
                       size_t err_len);

/* The JSON path report_write_files uses when json_path is NULL. */
void report_json_path(const char *html_path, char *out, size_t len);

/* The heaviest dependency chain of g by g->cost_ns: *path (malloc'ed, in
 * index order), *len, its total cost in *span_ns. PAREVM_OK or
 * PAREVM_ERR_NOMEM. (Shared by the report and the census.) */
int report_critical_path(const struct exec_stats *g, uint32_t **path, size_t *len, double *span_ns);

#endif
