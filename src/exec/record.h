/*
 * record — schedule recording of a Block-STM run, for reports.
 *
 * The public part (struct par_record) is what a reader of a run needs,
 * nothing of the scheduler or the multi-version memory. The rest is the
 * scheduler's side: each worker appends to a list of its own
 * (rec_event, rec_abort), and rec_finish merges them after the run.
 */
#ifndef PAREVM_EXEC_RECORD_H
#define PAREVM_EXEC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/types.h"
#include "../base/u256.h"

/* ---- schedule recording (optional; for reports) ----
 * When parallel_execute gets a non-NULL `struct par_record *`, every task
 * a worker ran is recorded with its times, and every location that made
 * a committed incarnation depend on a lower transaction, or made a
 * validation fail, is counted. Recording costs two clock reads per task. */
enum par_event_kind { PAR_EV_EXECUTE = 0, PAR_EV_VALIDATE = 1 };
enum par_event_outcome {
    PAR_EV_OK = 0,        /* execution finished / validation passed */
    PAR_EV_ABORTED = 1,   /* validation failed: the incarnation was aborted */
    PAR_EV_BLOCKED = 2,   /* execution stopped on an ESTIMATE (re-run later) */
    PAR_EV_SUPERSEDED = 3 /* execution finished, but a later validation of
                             this incarnation failed (set after the run) */
};
struct par_event {
    uint64_t start_ns, end_ns; /* since the start of the parallel phase */
    uint32_t tx, incarnation;
    uint16_t thread; /* worker 0 = the calling thread */
    uint8_t kind, outcome;
};
/* The kinds of a recorded location: mvmemory.h's enum mv_kind, value for
 * value (checked in record.c), here so that a reader of the record
 * needs nothing of the multi-version memory. */
enum par_location_kind {
    PAR_LOC_BALANCE = 0,
    PAR_LOC_NONCE,
    PAR_LOC_CODE,
    PAR_LOC_STORAGE,
    PAR_LOC_CLEAR /* account storage cleared (self-destruct or re-creation) */
};
struct par_hot_location {
    address addr;
    uint8_t kind;    /* enum par_location_kind */
    u256 slot;       /* storage slots only */
    uint32_t deps;   /* committed reads of a value a lower transaction wrote */
    uint32_t aborts; /* validation failures this location caused */
};
struct par_record {
    struct par_event *events; /* in start order per thread; all threads */
    size_t event_count;
    struct par_hot_location *hot; /* sorted: deps + aborts, descending */
    size_t hot_count;
    uint64_t parallel_ns; /* wall time of the parallel phase */
};
/* Free what a record holds and zero it. */
void par_record_free(struct par_record *r);

/* ---- the scheduler's side ---- */

struct mvmemory;
struct mv_key;
struct read_entry;
struct read_set;

/* One worker's lists (zero it, then set thread). */
struct rec_worker {
    struct par_event *ev;
    size_t nev, capev;
    struct mv_key *ab; /* the locations whose validation failed */
    size_t nab, capab;
    uint16_t thread; /* the worker's id (0: the calling thread) */
    bool oom;        /* a list could not grow: the record is incomplete */
};

/* A task that ran from t0 to t1 (monotonic_ns; origin: the start of the
 * parallel phase). */
void rec_event(struct rec_worker *r, uint64_t t0, uint64_t t1, uint32_t tx, uint32_t inc, uint8_t kind,
               uint8_t outcome, uint64_t origin);
/* A validation failed on read `failed`. */
void rec_abort(struct rec_worker *r, const struct read_entry *failed);

/* What rec_finish reads of the finished run, per transaction: the
 * incarnation that committed and the read set it committed. */
struct rec_run {
    struct mvmemory *mv; /* final: nothing writes to it any more */
    size_t n;
    uint32_t (*incarnation)(void *arg, size_t tx);
    const struct read_set *(*reads)(void *arg, size_t tx);
    void *arg;
};
/* After the run (single-threaded): merge the workers' events into *rec,
 * mark the executions whose incarnation did not commit, and count per
 * location the committed reads of lower writes (re-resolved now that the
 * memory is final) and the validation failures. PAREVM_ERR_NOMEM when a
 * list was incomplete or memory ran out (*rec then holds what was made:
 * par_record_free it). run NULL: the events alone, merged and sorted
 * (a run of the access-list-driven engine: one execution per transaction,
 * nothing superseded, no multi-version memory to count locations in). */
int rec_finish(const struct rec_worker *workers, int count, const struct rec_run *run,
               struct par_record *rec);
/* Free the workers' lists and the array (NULL: nothing). */
void rec_workers_free(struct rec_worker *workers, int count);

#endif
