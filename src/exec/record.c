/* record.c — schedule recording of a Block-STM run (see record.h). */
#include "record.h"

#include <stdlib.h>
#include <string.h>

#include "../base/array.h"
#include "../base/error.h"
#include "../base/hashmap.h"
#include "mvview.h"

/* The record's location kinds are the multi-version memory's. */
_Static_assert((int)PAR_LOC_BALANCE == (int)MV_BALANCE && (int)PAR_LOC_NONCE == (int)MV_NONCE &&
                   (int)PAR_LOC_CODE == (int)MV_CODE && (int)PAR_LOC_STORAGE == (int)MV_STORAGE &&
                   (int)PAR_LOC_CLEAR == (int)MV_CLEAR,
               "enum par_location_kind differs from enum mv_kind");

void rec_event(struct rec_worker *r, uint64_t t0, uint64_t t1, uint32_t tx, uint32_t inc, uint8_t kind,
               uint8_t outcome, uint64_t origin)
{
    struct par_event *ev = array_room(r->ev, &r->capev, r->nev, sizeof *ev, 256);
    if (!ev) {
        r->oom = true;
        return;
    }
    r->ev = ev;
    r->ev[r->nev++] = (struct par_event){t0 - origin, t1 - origin, tx, inc, r->thread, kind, outcome};
}

void rec_abort(struct rec_worker *r, const struct read_entry *failed)
{
    struct mv_key *ab = array_room(r->ab, &r->capab, r->nab, sizeof *ab, 16);
    if (!ab) {
        r->oom = true;
        return;
    }
    r->ab = ab;
    r->ab[r->nab++] = mvview_read_key(failed);
}

void par_record_free(struct par_record *r)
{
    free(r->events);
    free(r->hot);
    memset(r, 0, sizeof *r);
}

struct hot_val {
    uint32_t deps, aborts;
};

static struct hot_val *hot_at(struct hmap *m, const struct mv_key *k)
{
    bool inserted;
    struct hot_val *v = hmap_put(m, k, &inserted);
    if (v && inserted)
        memset(v, 0, sizeof *v);
    return v;
}

static void note_dep(void *arg, uint32_t writer)
{
    (void)writer;
    *(bool *)arg = true;
}

static int cmp_event(const void *a, const void *b)
{
    const struct par_event *x = a, *y = b;
    if (x->thread != y->thread)
        return x->thread < y->thread ? -1 : 1;
    return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static int cmp_hot(const void *a, const void *b)
{
    const struct par_hot_location *x = a, *y = b;
    uint64_t sx = (uint64_t)x->deps + x->aborts, sy = (uint64_t)y->deps + y->aborts;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    int k = memcmp(&x->addr, &y->addr, sizeof x->addr);
    if (k)
        return k;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return memcmp(&x->slot, &y->slot, sizeof x->slot);
}

int rec_finish(const struct rec_worker *workers, int count, const struct rec_run *run, struct par_record *rec)
{
    size_t total = 0;
    for (int w = 0; w < count; w++) {
        if (workers[w].oom)
            return PAREVM_ERR_NOMEM;
        total += workers[w].nev;
    }
    rec->events = malloc((total ? total : 1) * sizeof *rec->events);
    if (!rec->events)
        return PAREVM_ERR_NOMEM;
    for (int w = 0; w < count; w++) {
        if (!workers[w].nev)
            continue; /* (a worker that ran no task has no list: memcpy from NULL is undefined) */
        memcpy(rec->events + rec->event_count, workers[w].ev, workers[w].nev * sizeof *rec->events);
        rec->event_count += workers[w].nev;
    }
    qsort(rec->events, rec->event_count, sizeof *rec->events, cmp_event);
    if (!run)
        return PAREVM_OK; /* the events alone */
    for (size_t k = 0; k < rec->event_count; k++) {
        struct par_event *e = &rec->events[k];
        if (e->kind == PAR_EV_EXECUTE && e->outcome == PAR_EV_OK &&
            e->incarnation != run->incarnation(run->arg, e->tx))
            e->outcome = PAR_EV_SUPERSEDED;
    }

    struct hmap hot;
    hmap_init(&hot, sizeof(struct mv_key), sizeof(struct hot_val));
    int err = PAREVM_OK;
    for (int w = 0; w < count && !err; w++)
        for (size_t k = 0; k < workers[w].nab && !err; k++) {
            struct hot_val *v = hot_at(&hot, &workers[w].ab[k]);
            if (!v)
                err = PAREVM_ERR_NOMEM;
            else
                v->aborts++;
        }
    for (size_t i = 0; i < run->n && !err; i++) {
        const struct read_set *rs = run->reads(run->arg, i);
        for (size_t k = 0; rs && k < rs->n && !err; k++) {
            const struct read_entry *r = &rs->e[k];
            bool dep = false;
            mvview_reread(run->mv, (uint32_t)i, r, note_dep, &dep);
            if (!dep)
                continue;
            struct mv_key key = mvview_read_key(r);
            struct hot_val *v = hot_at(&hot, &key);
            if (!v)
                err = PAREVM_ERR_NOMEM;
            else
                v->deps++;
        }
    }
    if (!err && hot.count) {
        rec->hot = malloc(hot.count * sizeof *rec->hot);
        if (!rec->hot)
            err = PAREVM_ERR_NOMEM;
        size_t it = 0;
        const void *kp;
        void *vp;
        while (!err && hmap_next(&hot, &it, &kp, &vp)) {
            const struct mv_key *k = kp;
            const struct hot_val *v = vp;
            struct par_hot_location *h = &rec->hot[rec->hot_count++];
            memset(h, 0, sizeof *h);
            h->addr = k->addr;
            h->kind = k->kind;
            h->slot = k->slot;
            h->deps = v->deps;
            h->aborts = v->aborts;
        }
        if (!err)
            qsort(rec->hot, rec->hot_count, sizeof *rec->hot, cmp_hot);
    }
    hmap_free(&hot);
    return err;
}

void rec_workers_free(struct rec_worker *workers, int count)
{
    for (int w = 0; workers && w < count; w++) {
        free(workers[w].ev);
        free(workers[w].ab);
    }
    free(workers);
}
