/*
 * scheduler.c — the Block-STM scheduler: the task / incarnation /
 * validation state machine and the worker loop (parallel.h). The view an
 * execution reads through is mvview.c, the recording record.c, the
 * threads base/pool.c.
 *
 * Scheduler state (all C11 atomics, sequentially consistent: the indices,
 * the active-task count and the decrease counter together decide when the
 * block is done, and the proof of Block-STM's termination check assumes a
 * single total order of these operations):
 *   execution_idx, validation_idx — next task candidates
 *   num_active                    — workers holding or looking for tasks
 *   decrease_cnt                  — bumped whenever an index moves down
 * Each transaction's (incarnation, status) and waiter list are guarded by
 * its own spinlock.
 *
 * Beyond the paper: a transaction waits, before it runs, for its
 * sender's previous transaction in the block (senders.h) as it would for
 * an ESTIMATE, and a worker that finishes a transaction claims the lowest
 * one that waited for it as its next execution (struct task held).
 */
#include "parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/arena_pool.h"
#include "../base/array.h"
#include "../base/clock.h"
#include "../base/deep_stack.h"
#include "../base/invariant.h"
#include "../base/scratch.h"
#include "../chain/logs.h"
#include "../evm/trace.h"
#include "chaos.h"
#include "exec_env.h"
#include "mvmemory.h"
#include "mvview.h"
#include "record.h"
#include "senders.h"

enum { ST_READY = 0, ST_EXECUTING, ST_EXECUTED, ST_ABORTING };

/* Read sets come from per-worker arenas (no malloc/free per incarnation,
 * most of them freed by another thread than allocated them); the arenas
 * are kept in the environment's arena pool (base/arena_pool.h) across
 * blocks. A worker's read sets stay valid until the block's teardown,
 * which resets the arenas. */
#define PAR_ARENA_CHUNK (256u << 10)
static _Thread_local struct arena *cur_arena; /* this worker's, or NULL */

struct tx_state {
    /* 1: held. A plain atomic (not atomic_flag), so that the zeroed
     * array from scratch_get starts unlocked without a pass over it. A
     * line per transaction: no false sharing. */
    _Alignas(64) atomic_uint lock;
    uint32_t incarnation;
    uint8_t status;
    /* The transactions blocked on this one, as a list threaded through
     * their own states: 1 + the first's index (0: none), then each one's
     * waiter_next. A transaction waits on at most one other at a time
     * (it is ABORTING until that one finishes), so a link each suffices
     * and blocking allocates nothing. */
    uint32_t waiter_head, waiter_next;
    _Atomic(struct read_set *) reads; /* of the latest finished incarnation */
    struct mv_written written;
};

/* Per-worker counters (added to the shared ones when the worker ends, so
 * counting costs no shared cache-line traffic per task). */
struct tally {
    unsigned long long executions, validations, aborts, blocked, chained;
};
static _Thread_local struct tally tally;
/* How long this worker's last recorded execution took. */
static _Thread_local uint64_t last_exec_ns;

/* Schedule recording (par_record): each worker appends to its own lists,
 * merged after the run. */
static _Thread_local struct rec_worker *rec_me; /* NULL: not recording */
static _Thread_local bool rec_caller;           /* this thread called parallel_execute */

enum task_kind { TASK_NONE, TASK_EXEC, TASK_VALIDATE };
struct task {
    enum task_kind kind;
    uint32_t tx;
    uint32_t inc;
};
/* An execution this worker has claimed for itself (kind TASK_NONE:
 * none): the lowest transaction that waited for the one it just
 * executed, incarnated as soon as it is ready, before any other worker
 * can claim it through the lowered execution index. The worker runs it
 * after the task in hand, while what the two share is in its cache, and
 * a chain of one sender's transactions (senders.h) stays on one worker
 * rather than being passed back and forth. */
static _Thread_local struct task held;

struct par_ctx {
    const struct block_env *env;
    const struct tx *txs;
    size_t n;
    struct par_tx_output *out;
    size_t trace_tx; /* SIZE_MAX: none */
    struct tx_state *st;
    /* chain[i]: 1 + the sender's previous transaction (senders.h), 0:
     * none; NULL where not looked up (one worker, or no memory). The
     * caller's (par_options.sender_links), or own_chain. */
    const uint32_t *chain;
    uint32_t *own_chain;
    struct mvmemory mv;
    /* Each hot atomic on a cache line of its own: every task touches
     * several of them, from every thread. */
    _Alignas(64) atomic_size_t execution_idx;
    _Alignas(64) atomic_size_t validation_idx;
    _Alignas(64) atomic_size_t num_active;
    _Alignas(64) atomic_size_t decrease_cnt;
    _Alignas(64) atomic_bool done;
    atomic_int fatal;  /* allocation failure in the scheduler itself, or
                          PAREVM_ERR_CONTENDED when the run gave up */
    size_t claim_run;  /* task candidates per claim (struct claim) */
    size_t prefix;     /* transactions final before the run (par_options.done) */
    bool lazy_storage; /* par_options.lazy_storage */
    bool accesses;     /* par_options.accesses */
    bool may_give_up;
    size_t give_up_aborts;
    /* Failed validations so far (only when may_give_up: a contended
     * counter, but only contended blocks touch it often). */
    _Alignas(64) atomic_size_t aborts_seen;
    /* Recording (NULL when off): one list per worker; ids handed out
     * from 1 (0 is the calling thread). */
    struct rec_worker *rec;
    int rec_slots;
    uint64_t rec_t0;
    atomic_int next_worker_id;
    /* Per worker id: the arena its read sets come from (NULL: malloc). */
    struct pooled_arena **arenas;
    int arena_slots;
    atomic_bool heap_reads; /* some read set came from malloc */
    atomic_bool deltas;     /* some write set has a slot delta (state/lazy.h) */
    /* Counters, summed from each worker's private tally at its end. */
    _Alignas(64) atomic_ullong executions, validations, aborts, blocked, chained;
};

static inline void tx_lock(struct tx_state *s)
{
    /* acquire: see the status written by the previous holder (spin, then
     * yield to a possibly preempted holder) */
    for (unsigned spins = 0; atomic_exchange_explicit(&s->lock, 1, memory_order_acquire); spins++)
        if (spins >= 64)
            sched_yield();
}

static inline void tx_unlock(struct tx_state *s)
{
    /* release: publish status / waiter changes */
    atomic_store_explicit(&s->lock, 0, memory_order_release);
}

/* ---- scheduler ---- */

static void decrease_idx(struct par_ctx *c, atomic_size_t *idx, size_t target)
{
    size_t cur = atomic_load(idx);
    while (cur > target && !atomic_compare_exchange_weak(idx, &cur, target))
        ;
    atomic_fetch_add(&c->decrease_cnt, 1);
}

static void check_done(struct par_ctx *c)
{
    size_t observed = atomic_load(&c->decrease_cnt);
    size_t e = atomic_load(&c->execution_idx), v = atomic_load(&c->validation_idx);
    if ((e < v ? e : v) >= c->n && atomic_load(&c->num_active) == 0 &&
        observed == atomic_load(&c->decrease_cnt))
        atomic_store(&c->done, true);
}

static bool try_incarnate(struct par_ctx *c, size_t i, uint32_t *inc)
{
    if (i >= c->n)
        return false;
    struct tx_state *s = &c->st[i];
    bool ok = false;
    tx_lock(s);
    if (s->status == ST_READY) {
        s->status = ST_EXECUTING;
        *inc = s->incarnation;
        ok = true;
    }
    tx_unlock(s);
    return ok;
}

static void set_ready(struct par_ctx *c, uint32_t i)
{
    struct tx_state *s = &c->st[i];
    tx_lock(s);
    PAREVM_ASSERT(s->status == ST_ABORTING); /* only an aborted incarnation is re-run */
    s->incarnation++;
    s->status = ST_READY;
    tx_unlock(s);
}

/* A worker's claimed run of consecutive task candidates. One fetch_add
 * claims c->claim_run of them (instead of one per task), which cuts the
 * traffic on the shared indices, and a worker then tends to validate the
 * transactions it executed itself, their reads and writes still in its
 * cache. While it looks for or runs tasks a worker holds one unit of
 * num_active (so the block cannot be declared done under it), and drops
 * it only when it finds nothing to do. */
#define PAR_CLAIM_RUN_MAX 8
/* An execution longer than this ends its run (see worker). */
#define PAR_RUN_BREAK_NS 40000u
struct claim {
    enum task_kind kind; /* of the candidates in [next, end) */
    size_t next, end;
    bool active; /* holds a unit of num_active */
};

static struct task next_task(struct par_ctx *c, struct claim *cl)
{
    struct task t = {TASK_NONE, 0, 0};
    unsigned idle = 0;
    while (!atomic_load(&c->done)) {
        if (!cl->active) {
            /* before the claim: check_done must not see the index past
             * the end while this claim is in flight */
            atomic_fetch_add(&c->num_active, 1);
            cl->active = true;
        }
        while (cl->next < cl->end) {
            size_t i = cl->next++;
            if (cl->kind == TASK_VALIDATE) {
                /* Not executed (yet): its executor validates it, seeing
                 * validation_idx past it. */
                struct tx_state *s = &c->st[i];
                tx_lock(s);
                bool executed = s->status == ST_EXECUTED;
                uint32_t inc = s->incarnation;
                tx_unlock(s);
                if (executed) {
                    t.kind = TASK_VALIDATE;
                    t.tx = (uint32_t)i;
                    t.inc = inc;
                    return t;
                }
            } else if (try_incarnate(c, i, &t.inc)) {
                t.kind = TASK_EXEC;
                t.tx = (uint32_t)i;
                return t;
            }
        }
        /* Validation first, as Block-STM: it finds conflicts early. */
        bool validate = atomic_load(&c->validation_idx) < atomic_load(&c->execution_idx);
        size_t i = atomic_fetch_add(validate ? &c->validation_idx : &c->execution_idx, c->claim_run);
        if (i < c->n) {
            cl->kind = validate ? TASK_VALIDATE : TASK_EXEC;
            cl->next = i;
            cl->end = c->n - i < c->claim_run ? c->n : i + c->claim_run;
            continue;
        }
        /* Nothing to do right now. */
        atomic_fetch_sub(&c->num_active, 1);
        cl->active = false;
        check_done(c);
        /* Spin a little, then let the threads that have work run
         * (matters when threads outnumber cores). */
        if (++idle >= 16)
            sched_yield();
    }
    return t;
}

/* tx i read an ESTIMATE of j: wait for j unless j has finished meanwhile
 * (then the caller simply re-executes). */
static bool add_dependency(struct par_ctx *c, uint32_t i, uint32_t j)
{
    struct tx_state *sj = &c->st[j];
    CHAOS_POINT();
    tx_lock(sj);
    if (sj->status == ST_EXECUTED) {
        tx_unlock(sj);
        return false;
    }
    struct tx_state *si = &c->st[i];
    tx_lock(si); /* lock order: the lower index first */
    PAREVM_ASSERT(si->status == ST_EXECUTING);
    si->status = ST_ABORTING;
    tx_unlock(si);
    si->waiter_next = sj->waiter_head;
    sj->waiter_head = i + 1;
    tx_unlock(sj);
    return true;
}

static struct task finish_execution(struct par_ctx *c, uint32_t i, uint32_t inc, bool wrote_new)
{
    struct tx_state *s = &c->st[i];
    CHAOS_POINT();
    tx_lock(s);
    PAREVM_ASSERT(s->status == ST_EXECUTING);
    s->status = ST_EXECUTED;
    uint32_t next = s->waiter_head;
    s->waiter_head = 0;
    tx_unlock(s);
    if (next) {
        uint32_t min = UINT32_MAX;
        while (next) {
            uint32_t k = next - 1;
            /* read the link before k is ready: then it may block again */
            next = c->st[k].waiter_next;
            set_ready(c, k);
            if (k < min)
                min = k;
        }
        uint32_t min_inc;
        if (held.kind == TASK_NONE && try_incarnate(c, min, &min_inc))
            held = (struct task){TASK_EXEC, min, min_inc};
        /* (the others are everybody's candidates again; min too, but
         * whoever comes to it now finds it executing and moves on) */
        decrease_idx(c, &c->execution_idx, min);
    }
    struct task t = {TASK_NONE, 0, 0};
    size_t v = atomic_load(&c->validation_idx);
    if (v > i) {
        if (wrote_new) {
            decrease_idx(c, &c->validation_idx, i);
        } else {
            t.kind = TASK_VALIDATE;
            t.tx = i;
            t.inc = inc;
            return t;
        }
    } else if (v == i && atomic_compare_exchange_strong(&c->validation_idx, &v, (size_t)i + 1)) {
        /* The validation index had just reached this transaction: claim
         * its validation (what next_task's fetch_add would do) and run it
         * now, while nothing has changed since the reads, so that it is
         * the one comparison of the change count (read_set.clean_at). */
        t.kind = TASK_VALIDATE;
        t.tx = i;
        t.inc = inc;
    }
    return t;
}

/* An incarnation's accesses (par_options.accesses), collected as the
 * transition hands them over. */
struct access_buf {
    struct par_access *v;
    size_t n, cap;
};

static int note_access(void *arg, const address *a, const u256 *slot)
{
    struct access_buf *b = arg;
    struct par_access *v = array_room(b->v, &b->cap, b->n, sizeof *v, 16);
    if (!v)
        return PAREVM_ERR_NOMEM;
    b->v = v;
    struct par_access *e = &b->v[b->n++];
    e->addr = *a;
    e->has_slot = slot != NULL;
    e->slot = slot ? *slot : u256_zero();
    return PAREVM_OK;
}

/* One incarnation of the traced transaction, its EIP-3155 lines into a
 * malloc'd buffer (*text, NULL if the memory stream failed: then the
 * incarnation still runs, untraced, and the trace is reported missing). */
static int execute_traced(struct par_ctx *c, const struct state_view *view, uint32_t i, struct tx_result *res,
                          struct write_set *ws, struct access_buf *acc, char **text, size_t *len)
{
    journal_access_fn on_access = acc ? note_access : NULL;
    FILE *f = open_memstream(text, len);
    if (!f)
        return transition_apply_recorded(c->env, view, &c->txs[i], 0, NULL, on_access, acc, res, ws);
    struct trace_json tj;
    trace_json_init(&tj, f);
    int err = transition_apply_recorded(c->env, view, &c->txs[i], 0, &tj.base, on_access, acc, res, ws);
    trace_json_free(&tj);
    if (fclose(f) != 0 || tj.error) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return err;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static struct task try_execute(struct par_ctx *c, uint32_t i, uint32_t inc)
{
    struct tx_state *s = &c->st[i];
    struct par_tx_output *o = &c->out[i];
    struct task none = {TASK_NONE, 0, 0};
    /* The sender's previous transaction has not executed (yet, or again):
     * this one would read the nonce from before it, fail or go wrong, and
     * be run again. It waits for that one, as for an ESTIMATE, without
     * running first (a run of a long chain of one sender's transactions
     * would otherwise cost several executions per link). */
    uint32_t link = c->chain ? c->chain[i] : 0;
    if (link > c->prefix && add_dependency(c, i, link - 1)) {
        tally.chained++;
        return none;
    }
    for (;;) {
        struct read_set *rs = cur_arena ? arena_calloc(cur_arena, sizeof *rs) : calloc(1, sizeof *rs);
        if (rs)
            rs->in_arena = cur_arena != NULL;
        if (rs && !cur_arena) /* relaxed: read after the workers are joined */
            atomic_store_explicit(&c->heap_reads, true, memory_order_relaxed);
        if (!rs) {
            atomic_store(&c->fatal, PAREVM_ERR_NOMEM);
            atomic_store(&c->done, true);
            return none;
        }
        struct mvview pv = {.mv = &c->mv, .env = c->env, .arena = cur_arena, .tx = i, .rs = rs};
        struct state_view view = {c->lazy_storage ? &mvview_lazy_ops : &mvview_ops, &pv};
        struct tx_result res;
        struct write_set ws;
        write_set_init(&ws);
        tally.executions++;
        CHAOS_POINT();
        char *trace = NULL;
        size_t trace_len = 0;
        /* before the first read (see read_set.clean_at) */
        uint64_t changes_start = mvmemory_changes(&c->mv);
        uint64_t t0 = monotonic_ns();
        int err;
        struct access_buf acc = {NULL, 0, 0};
        if (i == c->trace_tx)
            err = execute_traced(c, &view, i, &res, &ws, c->accesses ? &acc : NULL, &trace, &trace_len);
        else if (c->accesses)
            err = transition_apply_recorded(c->env, &view, &c->txs[i], 0, NULL, note_access, &acc, &res, &ws);
        else
            err = transition_apply(c->env, &view, &c->txs[i], 0, &res, &ws);
        uint64_t t1 = monotonic_ns();
        CHAOS_POINT();
        if (!err && pv.deps.oom)
            err = PAREVM_ERR_NOMEM;
        /* Keep every read set until the end: a validator may still be
         * reading an older one (they are never freed while workers run). */
        rs->older = atomic_load_explicit(&s->reads, memory_order_relaxed);
        if (rec_me)
            rec_event(rec_me, t0, t1, i, inc, PAR_EV_EXECUTE,
                      err == PAREVM_ERR_BLOCKED ? PAR_EV_BLOCKED : PAR_EV_OK, c->rec_t0);
        if (err == PAREVM_ERR_BLOCKED || err) {
            free(trace); /* not a finished incarnation's trace */
            trace = NULL;
            trace_len = 0;
            free(acc.v); /* nor its accesses */
            acc = (struct access_buf){NULL, 0, 0};
        }
        if (err == PAREVM_ERR_BLOCKED) {
            tally.blocked++;
            write_set_free(&ws);
            free(pv.deps.v);
            atomic_store_explicit(&s->reads, rs, memory_order_release);
            if (add_dependency(c, i, pv.blocking))
                return none;
            continue; /* the writer finished meanwhile: run again */
        }
        if (err) {
            /* Internal error: publish no writes (so nobody waits on stale
             * ESTIMATEs); the error surfaces if this incarnation commits. */
            write_set_reset(&ws);
            tx_result_free(&res);
            memset(&res, 0, sizeof res);
        }
        bool wrote_new = false;
        uint64_t changes_before = 0;
        int rerr = mvmemory_record(&c->mv, i, inc, &ws, &s->written, cur_arena, &wrote_new, &changes_before);
        rs->clean_at = changes_before == changes_start ? changes_before + 1 : 0;
        if (rerr) {
            write_set_free(&ws);
            tx_result_free(&res);
            free(pv.deps.v);
            free(trace);
            free(acc.v);
            /* the block's cleanup frees a read set from the heap */
            atomic_store_explicit(&s->reads, rs, memory_order_release);
            atomic_store(&c->fatal, rerr);
            atomic_store(&c->done, true);
            return none;
        }
        tx_result_free(&o->result);
        o->result = res;
        /* The receipt's bloom here, in parallel, not in the in-order commit. */
        if (res.log_count) {
            logs_bloom(res.logs, res.log_count, o->bloom);
            o->bloom_set = true;
        }
        write_set_free(&o->ws);
        o->ws = ws;
        o->internal_err = err;
        for (size_t k = 0; k < ws.slot_count; k++)
            if (ws.slots[k].delta) { /* relaxed: read after the workers are joined */
                atomic_store_explicit(&c->deltas, true, memory_order_relaxed);
                break;
            }
        free(o->deps);
        /* sorted and unique here, while hot (not in a pass over every
         * output after the run) */
        if (pv.deps.n > 1) {
            qsort(pv.deps.v, pv.deps.n, sizeof *pv.deps.v, cmp_u32);
            size_t k = 0;
            for (size_t m = 0; m < pv.deps.n; m++)
                if (k == 0 || pv.deps.v[k - 1] != pv.deps.v[m])
                    pv.deps.v[k++] = pv.deps.v[m];
            pv.deps.n = k;
        }
        o->deps = pv.deps.v;
        o->dep_count = pv.deps.n;
        o->exec_ns = t1 - t0;
        last_exec_ns = t1 - t0;
        o->incarnations++;
        if (i == c->trace_tx) {
            free(o->trace);
            o->trace = trace;
            o->trace_len = trace_len;
        }
        free(o->accesses);
        o->accesses = acc.v;
        o->access_count = acc.n;
        /* release: the read set's contents before its pointer */
        atomic_store_explicit(&s->reads, rs, memory_order_release);
        return finish_execution(c, i, inc, wrote_new);
    }
}

static struct task needs_reexecution(struct par_ctx *c, uint32_t i, uint32_t inc)
{
    struct tx_state *s = &c->st[i];
    tally.validations++;
    /* acquire: pairs with the release in try_execute */
    const struct read_set *rs = atomic_load_explicit(&s->reads, memory_order_acquire);
    uint64_t t0 = rec_me ? monotonic_ns() : 0;
    size_t failed = 0;
    /* Nothing changed since the incarnation's reads began but its own
     * record: they all still hold. Else re-resolve them. */
    bool valid = rs && ((rs->clean_at && mvmemory_changes(&c->mv) == rs->clean_at) ||
                        mvview_validate(&c->mv, i, rs, &failed));
    if (rec_me) {
        rec_event(rec_me, t0, monotonic_ns(), i, inc, PAR_EV_VALIDATE, valid ? PAR_EV_OK : PAR_EV_ABORTED,
                  c->rec_t0);
        if (!valid && rs)
            rec_abort(rec_me, &rs->e[failed]);
    }
    CHAOS_POINT();
    bool aborted = false;
    if (!valid) {
        tx_lock(s);
        if (s->status == ST_EXECUTED && s->incarnation == inc) {
            s->status = ST_ABORTING;
            aborted = true;
        }
        tx_unlock(s);
    }
    struct task t = {TASK_NONE, 0, 0};
    if (aborted) {
        tally.aborts++;
        if (c->may_give_up) {
            size_t seen = atomic_fetch_add_explicit(&c->aborts_seen, 1, memory_order_relaxed) + 1;
            size_t started = atomic_load_explicit(&c->execution_idx, memory_order_relaxed) - c->prefix;
            if (seen >= c->give_up_aborts && seen * 2 >= started) {
                int none = PAREVM_OK;
                atomic_compare_exchange_strong(&c->fatal, &none, PAREVM_ERR_CONTENDED);
                atomic_store(&c->done, true);
            }
        }
        mvmemory_mark_estimates(&c->mv, i, &s->written);
        set_ready(c, i);
        decrease_idx(c, &c->validation_idx, (size_t)i + 1);
        uint32_t new_inc;
        if (atomic_load(&c->execution_idx) > i && try_incarnate(c, i, &new_inc)) {
            t.kind = TASK_EXEC;
            t.tx = i;
            t.inc = new_inc;
            return t;
        }
    }
    return t;
}

static void *worker(void *arg)
{
    struct par_ctx *c = arg;
    struct task t = {TASK_NONE, 0, 0};
    struct claim cl = {TASK_NONE, 0, 0, false};
    memset(&tally, 0, sizeof tally);
    held.kind = TASK_NONE;
    rec_me = NULL;
    int id = rec_caller ? 0 : atomic_fetch_add(&c->next_worker_id, 1);
    cur_arena = id < c->arena_slots && c->arenas[id] ? &c->arenas[id]->arena : NULL;
    if (c->rec && id < c->rec_slots) {
        rec_me = &c->rec[id];
        rec_me->thread = (uint16_t)id;
    }
    while (!atomic_load(&c->done)) {
        if (t.kind == TASK_EXEC) {
            last_exec_ns = 0;
            t = try_execute(c, t.tx, t.inc);
            if (last_exec_ns > PAR_RUN_BREAK_NS && cl.kind == TASK_EXEC && cl.next < cl.end) {
                /* A heavy transaction: the rest of the run goes back to
                 * whoever is free (lowering the index only makes claimed
                 * candidates be tried again, and skipped) rather than
                 * wait behind it on this thread. */
                decrease_idx(c, &c->execution_idx, cl.next);
                cl.next = cl.end;
            }
        }
        if (t.kind == TASK_VALIDATE)
            t = needs_reexecution(c, t.tx, t.inc);
        if (t.kind == TASK_NONE && held.kind != TASK_NONE) {
            t = held;
            held.kind = TASK_NONE;
        }
        if (t.kind == TASK_NONE)
            t = next_task(c, &cl);
    }
    atomic_fetch_add(&c->executions, tally.executions);
    atomic_fetch_add(&c->validations, tally.validations);
    atomic_fetch_add(&c->aborts, tally.aborts);
    atomic_fetch_add(&c->blocked, tally.blocked);
    atomic_fetch_add(&c->chained, tally.chained);
    rec_me = NULL;
    cur_arena = NULL;
    return NULL;
}

/* worker() as the caller's share of the block (worker id 0). */
static void caller_worker(void *arg)
{
    rec_caller = true;
    worker(arg);
    rec_caller = false;
}

void par_output_free(struct par_tx_output *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tx_result_free(&out[i].result);
        write_set_free(&out[i].ws);
        free(out[i].deps);
        free(out[i].trace);
        free(out[i].accesses);
        /* the bloom's 256 bytes only where they were written */
        memset(&out[i], 0, out[i].bloom_set ? sizeof out[i] : offsetof(struct par_tx_output, bloom));
    }
}

/* Zeroed memory aligned to a cache line (the scheduler's structures are
 * laid out by cache line). NULL on allocation failure. */
static void *zalloc_lines(size_t size)
{
    size = (size + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, size);
    if (p)
        memset(p, 0, size);
    return p;
}

/* For rec_finish: what transaction tx committed. */
static uint32_t committed_incarnation(void *arg, size_t tx)
{
    const struct par_ctx *c = arg;
    return c->st[tx].incarnation;
}

static const struct read_set *committed_reads(void *arg, size_t tx)
{
    const struct par_ctx *c = arg;
    return atomic_load(&c->st[tx].reads);
}

/* How many locations the block's transactions may write: a transaction
 * writes its sender's nonce and balance and a recipient's balance (the
 * beneficiary's fee is kept apart), and each further location costs gas
 * beyond the intrinsic 21,000: at least 2,900 (EIP-2929: a storage write
 * to a warm slot), or a value transfer's 9,000. */
static size_t expected_locations(const struct block_env *env, const struct tx *txs, size_t n)
{
    /* The gas all transactions together can spend: at most the block's
     * limit, and not more than EXPECTED_GAS_MAX (test chains set limits
     * of 2^63; a bigger index would only cost memory and clearing). */
    enum { EXPECTED_GAS_MAX = 120000000 };
    uint64_t extra = 0;
    for (size_t i = 0; i < n && extra < EXPECTED_GAS_MAX; i++)
        extra += txs[i].gas_limit > 21000 ? txs[i].gas_limit - 21000 : 0;
    if (extra > env->gas_limit)
        extra = env->gas_limit;
    if (extra > EXPECTED_GAS_MAX)
        extra = EXPECTED_GAS_MAX;
    return 4 * n + (size_t)(extra / 2900);
}

int parallel_execute(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                     int threads, struct par_tx_output *out, struct par_stats *stats)
{
    struct par_options none = {0};
    return parallel_execute_ex(env, base, txs, n, threads, out, stats, &none);
}

/* Turn the slot deltas of out[0..n) into values, now that the memory is
 * final (every transaction validated): what each adds to is the value
 * its lower transactions leave. A write set leaves the engine with
 * values only (write_set_apply takes no deltas). */
static int resolve_deltas(struct par_ctx *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct write_set *ws = &c->out[i].ws;
        for (size_t k = 0; k < ws->slot_count; k++) {
            struct ws_slot *s = &ws->slots[k];
            if (!s->delta)
                continue;
            u256 before;
            uint32_t blocking;
            int err = mvmemory_read_storage(&c->mv, &s->addr, &s->key, (uint32_t)i, &before, &blocking, NULL,
                                            NULL, NULL);
            if (err)
                return err == PAREVM_ERR_BLOCKED ? PAREVM_ERR_INTERNAL : err;
            s->value = u256_add(&before, &s->value);
            s->delta = false;
        }
    }
    return PAREVM_OK;
}

/* Publish the write sets of the transactions done before the run. */
struct seed_job {
    struct par_ctx *c;
    atomic_int err;
};

static void seed_one(void *arg, size_t i)
{
    struct seed_job *j = arg;
    bool wrote_new;
    int err = mvmemory_record(&j->c->mv, (uint32_t)i, 0, &j->c->out[i].ws, &j->c->st[i].written, NULL,
                              &wrote_new, NULL);
    if (err)
        atomic_store(&j->err, err);
}

int parallel_execute_ex(const struct block_env *env, const struct world *base, const struct tx *txs, size_t n,
                        int threads, struct par_tx_output *out, struct par_stats *stats,
                        const struct par_options *opt)
{
    struct par_record *rec = opt->rec;
    size_t trace_tx = opt->trace ? opt->trace_tx : SIZE_MAX;
    size_t done = opt->done < n ? opt->done : n;
    if (rec)
        memset(rec, 0, sizeof *rec);
    if (threads < 1)
        threads = 1;
    struct exec_env *xenv = exec_env_or_default(opt->env);
    struct scratch_cache *scratch = &xenv->scratch;
    struct pool *pool = &xenv->pool;
    struct arena_pool *arenas = &xenv->arenas;
    struct par_ctx *c = zalloc_lines(sizeof *c);
    if (!c)
        return PAREVM_ERR_NOMEM;
    c->env = env;
    c->txs = txs;
    c->n = n;
    c->out = out;
    c->trace_tx = trace_tx;
    /* Runs of up to 8, but at least 8 runs per thread: in a small block
     * long runs would leave threads without work. */
    c->claim_run = (n - done) / ((size_t)threads * 8);
    c->claim_run = c->claim_run < 1 ? 1 : c->claim_run > PAR_CLAIM_RUN_MAX ? PAR_CLAIM_RUN_MAX : c->claim_run;
    c->may_give_up = opt->may_give_up && n - done >= 2 * PAR_GIVE_UP_MIN_ABORTS;
    c->prefix = done;
    /* One worker runs the transactions in order: no read can change
     * under it, and lazy reads would only cost. */
    c->lazy_storage = opt->lazy_storage && threads > 1;
    c->accesses = opt->accesses;
    c->give_up_aborts = n / 8 < PAR_GIVE_UP_MIN_ABORTS   ? PAR_GIVE_UP_MIN_ABORTS
                        : n / 8 > PAR_GIVE_UP_MAX_ABORTS ? PAR_GIVE_UP_MAX_ABORTS
                                                         : n / 8;
    c->st = scratch_get(scratch, (n ? n : 1) * sizeof *c->st);
    int err = c->st ? mvmemory_init(&c->mv, base, n, &env->coinbase, expected_locations(env, txs, n), scratch,
                                    &xenv->slabs)
                    : PAREVM_ERR_NOMEM;
    if (err) {
        scratch_put(scratch, c->st, (n ? n : 1) * sizeof *c->st, false);
        free(c);
        return err;
    }
    /* (st is zeroed: every lock free, every status ST_READY) */
    /* The transactions done before: executed, final, never validated
     * (validation_idx starts past them and never goes below a
     * transaction that runs here). */
    for (size_t i = 0; i < done; i++)
        c->st[i].status = ST_EXECUTED;
    if (done) {
        struct seed_job seed = {c, 0};
        parallel_for(xenv, threads, done, seed_one, &seed);
        err = atomic_load(&seed.err);
    }
    atomic_init(&c->execution_idx, done);
    atomic_init(&c->validation_idx, done);
    atomic_init(&c->num_active, 0);
    atomic_init(&c->decrease_cnt, 0);
    atomic_init(&c->done, done == n || err);
    atomic_init(&c->fatal, err);
    atomic_init(&c->next_worker_id, 1);
    atomic_init(&c->aborts_seen, 0);
    atomic_init(&c->heap_reads, false);
    atomic_init(&c->deltas, false);
    /* One worker runs the transactions in order: every link after the
     * one it follows. */
    if (threads > 1 && n - done > 1) {
        c->chain = opt->sender_links;
        if (!c->chain) {
            c->own_chain = malloc(n * sizeof *c->own_chain);
            if (c->own_chain && sender_links(txs, n, c->own_chain) != PAREVM_OK) {
                free(c->own_chain);
                c->own_chain = NULL;
            }
            c->chain = c->own_chain;
        }
    }
    /* Arenas for the first ARENA_POOL_MAX workers; more malloc. */
    int slots = threads < ARENA_POOL_MAX ? threads : ARENA_POOL_MAX;
    c->arenas = calloc((size_t)slots, sizeof *c->arenas);
    if (c->arenas) {
        c->arena_slots = slots;
        for (int w = 0; w < slots; w++)
            c->arenas[w] = arena_pool_get(arenas, PAR_ARENA_CHUNK); /* NULL: that worker mallocs */
    }
    if (rec) {
        c->rec_slots = threads;
        c->rec = calloc((size_t)threads, sizeof *c->rec);
        if (!c->rec) {
            for (int w = 0; w < c->arena_slots; w++)
                arena_pool_put(arenas, c->arenas[w]);
            free(c->arenas);
            free(c->own_chain);
            mvmemory_free(&c->mv);
            scratch_put(scratch, c->st, (n ? n : 1) * sizeof *c->st, false);
            free(c);
            return PAREVM_ERR_NOMEM;
        }
        c->rec_t0 = monotonic_ns();
    }

    struct pool_job job;
    int started = pool_start(pool, worker, c, threads, &job);
    /* The caller runs transactions too: on a thread of ours when its own
     * stack is too small for depth 1024 (a host's small thread). All of
     * its share moves, as the view keeps per-thread state (cur_arena). */
    if (deep_stack_run(deep_stack_need(0), caller_worker, c) != PAREVM_OK && started == 0) {
        /* No thread at all to run the block on: an error, not a hang */
        int none = PAREVM_OK;
        atomic_compare_exchange_strong(&c->fatal, &none, PAREVM_ERR_NOMEM);
        atomic_store(&c->done, true);
    } /* else the helpers run it all: they loop until c->done */
    pool_wait(pool, &job);

    err = atomic_load(&c->fatal);
    if (!err && atomic_load_explicit(&c->deltas, memory_order_relaxed))
        err = resolve_deltas(c, n); /* (a contended run keeps only its seeded prefix: no deltas) */
    if (rec) {
        rec->parallel_ns = monotonic_ns() - c->rec_t0;
        if (!err)
            err = rec_finish(c->rec, c->rec_slots,
                             &(struct rec_run){&c->mv, n, committed_incarnation, committed_reads, c}, rec);
        rec_workers_free(c->rec, c->rec_slots);
        if (err)
            par_record_free(rec);
    }
    if (stats) {
        stats->threads = started + 1;
        stats->executions = atomic_load(&c->executions);
        stats->validations = atomic_load(&c->validations);
        stats->aborts = atomic_load(&c->aborts);
        stats->blocked = atomic_load(&c->blocked);
        stats->chained = atomic_load(&c->chained);
        stats->contended = err == PAREVM_ERR_CONTENDED;
    }
    /* Read sets from arenas go with them: the chains are walked only
     * where some came from the heap. */
    bool heap_reads = atomic_load_explicit(&c->heap_reads, memory_order_relaxed);
    for (size_t i = 0; i < n; i++) {
        struct read_set *rs = heap_reads ? atomic_load(&c->st[i].reads) : NULL;
        while (rs) {
            struct read_set *older = rs->older;
            if (!rs->in_arena) {
                free(rs->e);
                free(rs->d);
                free(rs);
            }
            rs = older;
        }
        if (!c->st[i].written.in_arena)
            free(c->st[i].written.locs);
        /* the next block gets the array without a memset */
        memset(&c->st[i], 0, sizeof c->st[i]);
    }
    for (int w = 0; w < c->arena_slots; w++)
        arena_pool_put(arenas, c->arenas[w]);
    free(c->arenas);
    free(c->own_chain);
    mvmemory_free(&c->mv);
    scratch_put(scratch, c->st, (n ? n : 1) * sizeof *c->st, n > 0);
    free(c);
    if (err == PAREVM_ERR_CONTENDED) /* out[0..done) stay final: the caller may commit them */
        par_output_free(out + done, n - done);
    else if (err)
        par_output_free(out, n);
    return err;
}
