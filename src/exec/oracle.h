/*
 * oracle — the oracle bound of a parallel run, from its dependency graph
 * (exec_stats, exec.h): W = total cost, S = heaviest dependency chain,
 * L = longest transaction.
 */
#ifndef PAREVM_EXEC_ORACLE_H
#define PAREVM_EXEC_ORACLE_H

struct exec_stats;

struct oracle {
    double work, span, longest;
};
/* W, S and L of s's graph, the cost of transaction i being cost[i] (NULL:
 * s->cost_ns[i]). All zero where memory ran out. */
void oracle_compute(const struct exec_stats *s, const double *cost, struct oracle *o);
/* min(P, W/S), also capped by W / max(W/P, L) (in-order dispatch). */
double oracle_bound(const struct oracle *o, int threads);

#endif
