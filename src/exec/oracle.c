/* oracle.c — a parallel run's dependency graph (exec_stats) and the
 * oracle bound computed from it (see exec.h, oracle.h). */
#include "oracle.h"

#include <stdlib.h>
#include <string.h>

#include "exec.h"

void exec_stats_reset(struct exec_stats *s)
{
    if (s->deps)
        for (size_t i = 0; i < s->tx_count; i++)
            free(s->deps[i]);
    free(s->deps);
    free(s->dep_counts);
    free(s->cost_ns);
    free(s->incarnations);
    par_record_free(&s->record);
    memset(s, 0, sizeof *s);
}

int exec_stats_take_graph(struct exec_stats *s, struct par_tx_output *out, size_t n)
{
    s->tx_count = n;
    s->deps = calloc(n ? n : 1, sizeof *s->deps);
    s->dep_counts = calloc(n ? n : 1, sizeof *s->dep_counts);
    s->cost_ns = calloc(n ? n : 1, sizeof *s->cost_ns);
    s->incarnations = calloc(n ? n : 1, sizeof *s->incarnations);
    if (!s->deps || !s->dep_counts || !s->cost_ns || !s->incarnations) {
        exec_stats_reset(s);
        return PAREVM_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        s->deps[i] = out[i].deps; /* moved */
        s->dep_counts[i] = out[i].dep_count;
        out[i].deps = NULL;
        out[i].dep_count = 0;
        s->cost_ns[i] = out[i].exec_ns;
        s->incarnations[i] = out[i].incarnations;
    }
    return PAREVM_OK;
}

void oracle_compute(const struct exec_stats *s, const double *cost, struct oracle *o)
{
    memset(o, 0, sizeof *o);
    size_t n = s->tx_count;
    double *finish = calloc(n ? n : 1, sizeof *finish);
    if (!finish)
        return;
    for (size_t i = 0; i < n; i++) {
        double c = cost ? cost[i] : (double)s->cost_ns[i];
        double start = 0;
        for (size_t k = 0; k < s->dep_counts[i]; k++) {
            uint32_t d = s->deps[i][k];
            if (d < i && finish[d] > start)
                start = finish[d];
        }
        finish[i] = start + c;
        o->work += c;
        if (finish[i] > o->span)
            o->span = finish[i];
        if (c > o->longest)
            o->longest = c;
    }
    free(finish);
}

double oracle_bound(const struct oracle *o, int threads)
{
    double p = threads;
    if (o->work <= 0 || o->span <= 0)
        return 1.0;
    double b = o->work / o->span;
    if (b > p)
        b = p;
    double per = o->work / p > o->longest ? o->work / p : o->longest;
    double dispatch = o->work / per;
    return b < dispatch ? b : dispatch;
}
