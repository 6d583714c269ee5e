/* census — `parevm census BLOCK_DIR...`: the parallelism census over many
 * blocks. Per block: the oracle bound (exec/oracle.c) from the dependency
 * graph of an in-order single-thread parallel run, with each transaction
 * costed by its gas (so the figures do not depend on timing, threads or
 * MPI rank), the critical path, the hottest locations; then aggregates
 * (quantiles of bound(P), the gas-weighted mean, the hottest contracts,
 * the bound by block number). Outputs CSV, JSON and HTML (inline SVG). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../base/hex.h"
#include "../exec/bal.h"
#include "../exec/exec.h"
#include "../io/mainnet.h"
#include "census.h"
#include "cli.h"
#include "options.h"
#include "report.h"
#include "util.h"

const int census_p[CENSUS_P_COUNT] = {2, 4, 8, 16, 32, 64};

/* Add count to address a's total in row->contracts (kept: the largest). */
static void census_add_contract(struct census_row *row, const uint8_t addr[20], uint32_t count)
{
    for (uint32_t k = 0; k < row->contract_count; k++)
        if (!memcmp(row->contracts[k].addr, addr, 20)) {
            row->contracts[k].count += count;
            return;
        }
    if (row->contract_count < CENSUS_CONTRACTS) {
        struct census_hot *c = &row->contracts[row->contract_count++];
        memset(c, 0, sizeof *c);
        memcpy(c->addr, addr, 20);
        c->count = count;
    }
}

static int census_cmp_hot(const void *a, const void *b)
{
    const struct census_hot *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = memcmp(x->addr, y->addr, 20);
    if (c)
        return c;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return memcmp(x->slot, y->slot, 32);
}

/* The block's EIP-7928 access list, from one more sequential run with
 * recording on (untimed, so seq_mgas stays the plain run's): its size
 * into the row, or the row's error. */
static void census_access_list(const struct chain_config *cfg, const struct mainnet_fixture *f,
                               struct census_row *row)
{
    struct world w;
    struct bal b;
    bal_init(&b);
    struct bytebuf rlp = {0};
    struct block_result res;
    struct exec_options opt = {.threads = 1, .bal = &b, .no_sample = true};
    int err = world_clone(&f->pre, &w);
    if (!err) {
        err = exec_block_parallel(cfg, &f->block, &w, &f->hashes, &opt, &res, NULL);
        world_free(&w);
        if (!err)
            block_result_free(&res);
    }
    if (!err)
        err = bal_encode(&b, &rlp);
    if (err) {
        snprintf(row->error, sizeof row->error, "access list: %s", parevm_strerror(err));
    } else {
        struct bal_size sz;
        bal_measure(&b, &sz);
        row->bal_bytes = rlp.len;
        row->bal_accounts = sz.accounts;
        row->bal_slots = sz.storage_keys;
    }
    bytebuf_free(&rlp);
    bal_free(&b);
}

void census_block(const char *dir, struct census_row *row)
{
    memset(row, 0, sizeof *row);
    struct chain_config cfg;
    chain_config_mainnet(&cfg);
    /* As `parevm run`: a snapshot's pre-state is partial. */
    cfg.skip_intermediate_roots = true;
    struct mainnet_fixture f;
    if (mainnet_load(dir, &cfg, &f, row->error, sizeof row->error))
        return;
    cfg = f.cfg; /* (chain.json's network, where the folder has one) */
    row->number = f.block.header.number;
    snprintf(row->fork, sizeof row->fork, "%s", fork_name(f.fork));
    row->txs = f.block.tx_count;

    struct world w;
    struct block_result seq, par;
    int err = world_clone(&f.pre, &w);
    double t0 = monotonic_seconds();
    if (!err)
        err = exec_block_sequential(&cfg, &f.block, &w, &f.hashes, &seq);
    double seq_s = monotonic_seconds() - t0;
    if (err) {
        snprintf(row->error, sizeof row->error, "sequential execution failed: %s", parevm_strerror(err));
        world_free(&w);
        mainnet_fixture_free(&f);
        return;
    }
    world_free(&w);
    row->gas = seq.gas_used;
    row->seq_mgas = seq_s > 0 ? (double)seq.gas_used / seq_s / 1e6 : 0;

    /* The dependency graph and hot locations: an in-order single-thread
     * run of the parallel engine, forced and recorded. */
    struct exec_stats g;
    memset(&g, 0, sizeof g);
    struct exec_options opt = {
        .threads = 1, .force = true, .record = true, .partition = EXEC_PARTITION_OFF, .no_sample = true};
    err = world_clone(&f.pre, &w);
    if (!err)
        err = exec_block_parallel(&cfg, &f.block, &w, &f.hashes, &opt, &par, &g);
    if (!err) {
        world_free(&w);
        if (!block_result_equal(&seq, &par))
            snprintf(row->error, sizeof row->error, "parallel (1 thread) result differs from sequential");
        block_result_free(&par);
    } else {
        snprintf(row->error, sizeof row->error, "parallel execution failed: %s", parevm_strerror(err));
    }
    if (!row->error[0])
        census_access_list(&cfg, &f, row);
    if (!row->error[0] && (!g.parallel || g.tx_count != seq.receipt_count || !g.cost_ns))
        snprintf(row->error, sizeof row->error, "no dependency graph recorded");
    if (!row->error[0]) {
        /* Cost = gas: deterministic, and what the block pays for. */
        for (size_t i = 0; i < g.tx_count; i++)
            g.cost_ns[i] = seq.receipts[i].gas_used;
        struct oracle o;
        oracle_compute(&g, NULL, &o);
        for (int k = 0; k < CENSUS_P_COUNT; k++)
            row->bound[k] = g.tx_count ? oracle_bound(&o, census_p[k]) : 1.0;
        double bal = o.longest > 0 ? o.work / o.longest : 1.0;
        row->bal_bound = bal < 64 ? bal : 64;
        uint32_t *path = NULL;
        size_t len = 0;
        double span = 0;
        if (report_critical_path(&g, &path, &len, &span) == PAREVM_OK) {
            row->path_len = len;
            row->path_share = o.work > 0 ? span / o.work : 0;
        }
        free(path);
        size_t hn = g.record.hot_count;
        struct census_hot *all = calloc(hn ? hn : 1, sizeof *all);
        if (all) {
            for (size_t k = 0; k < hn; k++) {
                const struct par_hot_location *h = &g.record.hot[k];
                memcpy(all[k].addr, h->addr.bytes, 20);
                all[k].kind = h->kind;
                u256_to_be(&h->slot, all[k].slot);
                all[k].count = h->deps + h->aborts;
            }
            qsort(all, hn, sizeof *all, census_cmp_hot);
            for (size_t k = 0; k < hn && row->hot_count < CENSUS_HOT; k++)
                if (all[k].count)
                    row->hot[row->hot_count++] = all[k];
            for (size_t k = 0; k < hn; k++)
                if (all[k].count)
                    census_add_contract(row, all[k].addr, all[k].count);
            qsort(row->contracts, row->contract_count, sizeof row->contracts[0], census_cmp_hot);
            free(all);
        }
        row->ok = 1;
    }
    exec_stats_reset(&g);
    block_result_free(&seq);
    mainnet_fixture_free(&f);
}

/* ---- outputs ---- */

static void census_label(const char *dir, char *out, size_t len)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    size_t s = n;
    while (s > 0 && dir[s - 1] != '/')
        s--;
    snprintf(out, len, "%.*s", (int)(n - s), dir + s);
}

static void census_hex(const uint8_t *b, size_t n, char *out)
{
    hex_encode(b, n, out);
}

/* "0xADDR" or "0xADDR:SLOT" (kind name for non-storage locations). */
static void census_hot_text(const struct census_hot *h, char *out, size_t len)
{
    static const char *const kind[] = {"balance", "nonce", "code", "storage", "storage-clear"};
    char a[43], s[67];
    census_hex(h->addr, 20, a);
    if (h->kind == PAR_LOC_STORAGE) {
        size_t k = 0;
        while (k < 31 && h->slot[k] == 0)
            k++;
        census_hex(h->slot + k, 32 - k, s);
        snprintf(out, len, "%s:%s", a, s);
    } else {
        snprintf(out, len, "%s:%s", a, h->kind < 5 ? kind[h->kind] : "?");
    }
}

static void census_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(out, "\\u%04x", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Quantile q of sorted v[0..n): nearest rank. */
static double census_quantile(const double *v, size_t n, double q)
{
    if (!n)
        return 0;
    size_t k = (size_t)ceil(q * (double)n);
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

struct census_aggregate {
    size_t blocks, failed;
    uint64_t txs, gas;
    double q[CENSUS_P_COUNT][5]; /* min, p10, p50, p90, max */
    double weighted[CENSUS_P_COUNT];
    size_t contract_count;
    struct census_hot *contracts; /* sorted, hottest first */
};

static const double census_qs[5] = {0, 0.1, 0.5, 0.9, 1.0};

static int census_aggregate(const struct census_row *rows, size_t n, struct census_aggregate *a)
{
    memset(a, 0, sizeof *a);
    double *v = malloc((n ? n : 1) * sizeof *v);
    a->contracts = calloc(n * CENSUS_CONTRACTS + 1, sizeof *a->contracts);
    if (!v || !a->contracts) {
        free(v);
        free(a->contracts);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].ok) {
            a->failed++;
            continue;
        }
        a->blocks++;
        a->txs += rows[i].txs;
        a->gas += rows[i].gas;
        for (uint32_t k = 0; k < rows[i].contract_count; k++) {
            const struct census_hot *c = &rows[i].contracts[k];
            size_t j = 0;
            while (j < a->contract_count && memcmp(a->contracts[j].addr, c->addr, 20))
                j++;
            if (j == a->contract_count)
                a->contracts[a->contract_count++] = *c;
            else
                a->contracts[j].count += c->count;
        }
    }
    qsort(a->contracts, a->contract_count, sizeof *a->contracts, census_cmp_hot);
    for (int p = 0; p < CENSUS_P_COUNT; p++) {
        size_t m = 0;
        double wsum = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i].ok) {
                v[m++] = rows[i].bound[p];
                wsum += rows[i].bound[p] * (double)rows[i].gas;
            }
        qsort(v, m, sizeof *v, cmp_double);
        for (int k = 0; k < 5; k++)
            a->q[p][k] = census_quantile(v, m, census_qs[k]);
        a->weighted[p] = a->gas ? wsum / (double)a->gas : 0;
    }
    free(v);
    return 0;
}

static void census_write_csv(FILE *out, const char *const *dirs, const struct census_row *rows, size_t n,
                             bool timing)
{
    fprintf(out, "block,number,fork,txs,gas");
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        fprintf(out, ",bound_%d", census_p[p]);
    fprintf(out,
            ",critical_path_txs,critical_path_gas_share,access_list_bound_64,access_list_bytes,access_list_"
            "accounts,access_list_slots,hot1,hot1_count,hot2,hot2_count,hot3,hot3_count%s,error\n",
            timing ? ",seq_mgas_per_s" : "");
    for (size_t i = 0; i < n; i++) {
        const struct census_row *r = &rows[i];
        char label[256];
        census_label(dirs[i], label, sizeof label);
        fprintf(out, "%s,%llu,%s,%llu,%llu", label, (unsigned long long)r->number, r->fork,
                (unsigned long long)r->txs, (unsigned long long)r->gas);
        for (int p = 0; p < CENSUS_P_COUNT; p++)
            fprintf(out, ",%.3f", r->bound[p]);
        fprintf(out, ",%llu,%.4f,%.3f,%llu,%llu,%llu", (unsigned long long)r->path_len, r->path_share,
                r->bal_bound, (unsigned long long)r->bal_bytes, (unsigned long long)r->bal_accounts,
                (unsigned long long)r->bal_slots);
        for (int k = 0; k < CENSUS_HOT; k++) {
            char t[120] = "";
            if ((uint32_t)k < r->hot_count)
                census_hot_text(&r->hot[k], t, sizeof t);
            fprintf(out, ",%s,%u", t, (uint32_t)k < r->hot_count ? r->hot[k].count : 0);
        }
        if (timing)
            fprintf(out, ",%.2f", r->seq_mgas);
        /* an error message in CSV: commas and quotes would split it */
        fputc(',', out);
        for (const char *s = r->error; *s; s++)
            fputc(*s == ',' || *s == '"' || *s == '\n' ? ';' : *s, out);
        fputc('\n', out);
    }
}

static void census_write_json(FILE *out, const char *const *dirs, const struct census_row *rows, size_t n,
                              const struct census_aggregate *a, bool timing)
{
    fprintf(out, "{\n  \"blocks\": [\n");
    for (size_t i = 0; i < n; i++) {
        const struct census_row *r = &rows[i];
        char label[256];
        census_label(dirs[i], label, sizeof label);
        fprintf(out, "    {\"block\": ");
        census_json_str(out, label);
        fprintf(
            out,
            ", \"ok\": %s, \"number\": %llu, \"fork\": \"%s\", \"txs\": %llu, \"gas\": %llu, \"bound\": {",
            r->ok ? "true" : "false", (unsigned long long)r->number, r->fork, (unsigned long long)r->txs,
            (unsigned long long)r->gas);
        for (int p = 0; p < CENSUS_P_COUNT; p++)
            fprintf(out, "%s\"%d\": %.3f", p ? ", " : "", census_p[p], r->bound[p]);
        fprintf(out,
                "}, \"critical_path_txs\": %llu, \"critical_path_gas_share\": %.4f, "
                "\"access_list_bound_64\": %.3f, \"access_list\": {\"bytes\": %llu, \"accounts\": %llu, "
                "\"slots\": %llu}",
                (unsigned long long)r->path_len, r->path_share, r->bal_bound,
                (unsigned long long)r->bal_bytes, (unsigned long long)r->bal_accounts,
                (unsigned long long)r->bal_slots);
        fprintf(out, ", \"hot\": [");
        for (uint32_t k = 0; k < r->hot_count; k++) {
            char t[120];
            census_hot_text(&r->hot[k], t, sizeof t);
            fprintf(out, "%s{\"location\": \"%s\", \"count\": %u}", k ? ", " : "", t, r->hot[k].count);
        }
        fprintf(out, "]");
        if (timing)
            fprintf(out, ", \"seq_mgas_per_s\": %.2f", r->seq_mgas);
        if (r->error[0]) {
            fprintf(out, ", \"error\": ");
            census_json_str(out, r->error);
        }
        fprintf(out, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(out, "  ],\n  \"aggregate\": {\"blocks\": %zu, \"failed\": %zu, \"txs\": %llu, \"gas\": %llu,\n",
            a->blocks, a->failed, (unsigned long long)a->txs, (unsigned long long)a->gas);
    fprintf(out, "    \"bound_quantiles\": {");
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        fprintf(out, "%s\"%d\": {\"min\": %.3f, \"p10\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"max\": %.3f}",
                p ? ", " : "", census_p[p], a->q[p][0], a->q[p][1], a->q[p][2], a->q[p][3], a->q[p][4]);
    fprintf(out, "},\n    \"bound_gas_weighted_mean\": {");
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        fprintf(out, "%s\"%d\": %.3f", p ? ", " : "", census_p[p], a->weighted[p]);
    fprintf(out, "},\n    \"hottest_contracts\": [");
    for (size_t k = 0; k < a->contract_count && k < 10; k++) {
        char h[43];
        census_hex(a->contracts[k].addr, 20, h);
        fprintf(out, "%s{\"address\": \"%s\", \"count\": %u}", k ? ", " : "", h, a->contracts[k].count);
    }
    fprintf(out, "]\n  }\n}\n");
}

/* The HTML page: the aggregate tables and two inline SVG plots (bound(P)
 * quantiles per P; bound(16) by block number, the trend). */
static void census_write_html(FILE *out, const char *const *dirs, const struct census_row *rows, size_t n,
                              const struct census_aggregate *a, bool timing)
{
    fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>parevm census</title>\n"
                 "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                 "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>\n");
    fprintf(
        out,
        "<h1>Parallelism census</h1>\n<p>%zu blocks (%zu failed), %llu transactions, %llu gas. "
        "Bound(P): the oracle bound from each block's dependency graph, transactions costed by gas.</p>\n",
        a->blocks, a->failed, (unsigned long long)a->txs, (unsigned long long)a->gas);
    fprintf(out, "<h2>Bound(P) across blocks</h2>\n<table><tr><th>P</th><th>min</th><th>p10</th><th>p50</th>"
                 "<th>p90</th><th>max</th><th>gas-weighted mean</th></tr>\n");
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        fprintf(out,
                "<tr><td>%d</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</"
                "td></tr>\n",
                census_p[p], a->q[p][0], a->q[p][1], a->q[p][2], a->q[p][3], a->q[p][4], a->weighted[p]);
    fprintf(out, "</table>\n");
    /* plot 1: p10/p50/p90 of bound(P) against P (log2 axis) */
    const int W = 480, H = 260, L = 40, B = 30;
    double ymax = 1;
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        if (a->q[p][4] > ymax)
            ymax = a->q[p][4];
    fprintf(out, "<svg width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n", W, H);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, H - B, W - 10,
            H - B);
    fprintf(out, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, L, H - B);
    fprintf(out, "<text x=\"2\" y=\"14\" font-size=\"10\">%.0f</text>\n", ymax);
    static const char *const color[3] = {"#4e79a7", "#e15759", "#59a14f"};
    for (int q = 1; q <= 3; q++) {
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" points=\"", color[q - 1]);
        for (int p = 0; p < CENSUS_P_COUNT; p++) {
            double x = L + (double)p * (W - L - 20) / (CENSUS_P_COUNT - 1);
            double y = (H - B) - a->q[p][q] / ymax * (H - B - 10);
            fprintf(out, "%s%.1f,%.1f", p ? " " : "", x, y);
        }
        fprintf(out, "\"/>\n");
    }
    for (int p = 0; p < CENSUS_P_COUNT; p++)
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">P=%d</text>\n",
                L + (double)p * (W - L - 20) / (CENSUS_P_COUNT - 1) - 8, H - B + 14, census_p[p]);
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"%s\">p10</text><text x=\"%d\" y=\"%d\" "
            "font-size=\"10\" fill=\"%s\">p50</text><text x=\"%d\" y=\"%d\" font-size=\"10\" "
            "fill=\"%s\">p90</text>\n</svg>\n",
            L + 10, 14, color[0], L + 40, 14, color[1], L + 70, 14, color[2]);
    /* plot 2: bound(16) by block number (the trend) */
    uint64_t nmin = UINT64_MAX, nmax = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].ok) {
            if (rows[i].number < nmin)
                nmin = rows[i].number;
            if (rows[i].number > nmax)
                nmax = rows[i].number;
        }
    fprintf(out,
            "<h2>Bound(16) by block number</h2>\n<svg width=\"%d\" height=\"%d\" "
            "xmlns=\"http://www.w3.org/2000/svg\">\n",
            W, H);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, H - B, W - 10,
            H - B);
    fprintf(out, "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", L, L, H - B);
    fprintf(out, "<text x=\"2\" y=\"14\" font-size=\"10\">16</text>\n");
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].ok)
            continue;
        double span = nmax > nmin ? (double)(nmax - nmin) : 1;
        double x = L + (double)(rows[i].number - nmin) / span * (W - L - 20);
        double y = (H - B) - rows[i].bound[3] / 16 * (H - B - 10);
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#4e79a7\"/>\n", x, y);
    }
    if (nmax >= nmin && nmin != UINT64_MAX)
        fprintf(out,
                "<text x=\"%d\" y=\"%d\" font-size=\"10\">%llu</text><text x=\"%d\" y=\"%d\" "
                "font-size=\"10\">%llu</text>\n",
                L, H - B + 14, (unsigned long long)nmin, W - 80, H - B + 14, (unsigned long long)nmax);
    fprintf(out, "</svg>\n<h2>Hottest contracts</h2>\n<table><tr><th>address</th><th>dependencies + "
                 "aborts</th></tr>\n");
    for (size_t k = 0; k < a->contract_count && k < 10; k++) {
        char h[43];
        census_hex(a->contracts[k].addr, 20, h);
        fprintf(out, "<tr><td>%s</td><td>%u</td></tr>\n", h, a->contracts[k].count);
    }
    fprintf(out,
            "</table>\n<h2>Blocks</h2>\n<table><tr><th>block</th><th>number</th><th>fork</th><th>txs</th>"
            "<th>gas</th><th>bound(8)</th><th>bound(16)</th><th>bound(64)</th><th>critical path</th>"
            "<th>hottest location</th><th>access list (bytes, accounts, slots)</th>%s</tr>\n",
            timing ? "<th>seq Mgas/s</th>" : "");
    for (size_t i = 0; i < n; i++) {
        const struct census_row *r = &rows[i];
        char label[256], t[120] = "";
        census_label(dirs[i], label, sizeof label);
        if (r->hot_count)
            census_hot_text(&r->hot[0], t, sizeof t);
        fprintf(out, "<tr><td>");
        for (const char *s = label; *s; s++)
            fprintf(out, *s == '<' ? "&lt;" : *s == '&' ? "&amp;" : "%c", *s);
        fprintf(
            out,
            "</td><td>%llu</td><td>%s</td><td>%llu</td><td>%llu</td><td>%.2f</td><td>%.2f</td><td>%.2f</td>"
            "<td>%llu (%.1f%%)</td><td>%s</td><td>%llu, %llu, %llu</td>",
            (unsigned long long)r->number, r->fork, (unsigned long long)r->txs, (unsigned long long)r->gas,
            r->bound[2], r->bound[3], r->bound[5], (unsigned long long)r->path_len, 100 * r->path_share, t,
            (unsigned long long)r->bal_bytes, (unsigned long long)r->bal_accounts,
            (unsigned long long)r->bal_slots);
        if (timing)
            fprintf(out, "<td>%.1f</td>", r->seq_mgas);
        fprintf(out, "</tr>\n");
    }
    fprintf(out, "</table>\n</body></html>\n");
}

static int census_open_write(const char *path, int kind, const char *const *dirs,
                             const struct census_row *rows, size_t n, const struct census_aggregate *a,
                             bool timing)
{
    FILE *out = strcmp(path, "-") ? fopen(path, "w") : stdout;
    if (!out) {
        fprintf(stderr, "census: cannot write %s\n", path);
        return -1;
    }
    if (kind == 0)
        census_write_csv(out, dirs, rows, n, timing);
    else if (kind == 1)
        census_write_json(out, dirs, rows, n, a, timing);
    else
        census_write_html(out, dirs, rows, n, a, timing);
    int bad = ferror(out);
    if (out != stdout)
        bad |= fclose(out);
    else
        bad |= fflush(out);
    if (bad) {
        fprintf(stderr, "census: writing %s failed\n", path);
        return -1;
    }
    return 0;
}

int census_write(const char *const *dirs, const struct census_row *rows, size_t n,
                 const struct census_output *o)
{
    struct census_aggregate a;
    if (census_aggregate(rows, n, &a)) {
        fprintf(stderr, "census: out of memory\n");
        return -1;
    }
    int err = 0;
    if (o->csv)
        err |= census_open_write(o->csv, 0, dirs, rows, n, &a, o->timing);
    if (o->json)
        err |= census_open_write(o->json, 1, dirs, rows, n, &a, o->timing);
    if (o->html)
        err |= census_open_write(o->html, 2, dirs, rows, n, &a, o->timing);
    free(a.contracts);
    return err ? -1 : 0;
}

/* ---- one process: threads take blocks, largest first ---- */

struct census_pool {
    const char *const *dirs;
    const size_t *order;
    size_t n;
    struct census_row *rows;
    atomic_size_t next; /* relaxed: only hands out indexes; join orders the rows */
    atomic_size_t done;
    bool progress;
    double t0;
};

static void census_progress(struct census_pool *p, size_t done)
{
    if (!p->progress)
        return;
    double el = monotonic_seconds() - p->t0;
    double eta = done ? el / (double)done * (double)(p->n - done) : 0;
    int w = 30, fill = p->n ? (int)((double)w * (double)done / (double)p->n) : w;
    fprintf(stderr, "\rcensus [%.*s%*s] %zu/%zu  %.0fs elapsed, ETA %.0fs ", fill,
            "##############################", w - fill, "", done, p->n, el, eta);
    if (done == p->n)
        fputc('\n', stderr);
}

static void *census_worker(void *arg)
{
    struct census_pool *p = arg;
    for (;;) {
        size_t k = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (k >= p->n)
            break;
        size_t i = p->order[k];
        census_block(p->dirs[i], &p->rows[i]);
        size_t d = atomic_fetch_add_explicit(&p->done, 1, memory_order_relaxed) + 1;
        census_progress(p, d);
    }
    return NULL;
}

/* Rows of dirs[order[k]] for k in [0, n), on `threads` threads. */
int census_run_local(const char *const *dirs, const size_t *order, size_t n, int threads,
                     struct census_row *rows, bool progress)
{
    struct census_pool p = {
        .dirs = dirs, .order = order, .n = n, .rows = rows, .progress = progress, .t0 = monotonic_seconds()};
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    pthread_t tid[256];
    int started = 0;
    for (int t = 1; t < threads && t < 256; t++)
        if (!pthread_create(&tid[started], NULL, census_worker, &p))
            started++;
    census_worker(&p);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    return 0;
}

void cli_census_usage(FILE *out)
{
    fprintf(out,
            "usage: parevm census [OPTIONS] BLOCK_DIR...\n"
            "A parallelism census: for each block folder (mainnet fixtures, `gen` output), the oracle\n"
            "bound(P) for P = 2..64 from the dependency graph with transactions costed by gas, the\n"
            "critical path and its gas share, the bound with an access list (min(64, W / longest\n"
            "transaction)), the size of the block's EIP-7928 access list as `parevm bal` builds it\n"
            "(RLP bytes, accounts, storage slots; from one more sequential run, untimed), the three\n"
            "hottest locations and sequential Mgas/s; then the quantiles of bound(P), the\n"
            "gas-weighted mean, the hottest contracts. Rows follow the order given.\n"
            "  --csv FILE     write the rows as CSV (default: CSV on stdout when no output is named)\n"
            "  --json FILE    rows and aggregates as JSON\n"
            "  --html FILE    an HTML page with inline SVG plots\n"
            "  --no-timing    leave out the sequential Mgas/s column (outputs then byte-identical\n"
            "                 across runs, thread counts and MPI ranks)\n"
            "  --threads N    blocks in parallel in this process (default 1)\n"
            "  --progress     a progress bar with ETA on stderr (default when stderr is a terminal)\n"
            "  --mpi          run under mpirun: blocks shared across ranks (built with Open MPI only)\n");
}

int cli_census(int argc, char **argv)
{
    struct census_output o = {.timing = true};
    int threads = 1;
    bool mpi = false, progress = isatty(2);
    const struct option_spec specs[] = {
        {.name = "--help", .alias = "-h", .kind = OPTION_HELP},
        {.name = "--csv", .kind = OPTION_STRING, .dest = &o.csv},
        {.name = "--json", .kind = OPTION_STRING, .dest = &o.json},
        {.name = "--html", .kind = OPTION_STRING, .dest = &o.html},
        {.name = "--threads",
         .kind = OPTION_INT,
         .dest = &threads,
         .min = 1,
         .max = 256,
         .bad = "--threads wants 1..256, not '%s'"},
        {.name = "--no-timing", .kind = OPTION_FLAG, .dest = &o.timing, .negate = true},
        {.name = "--progress", .kind = OPTION_FLAG, .dest = &progress},
        {.name = "--mpi", .kind = OPTION_FLAG, .dest = &mpi},
        {0},
    };
    int dir_count = 0;
    int rc = cli_parse_options("census", cli_census_usage, specs, argc, argv, &dir_count);
    if (rc >= 0)
        return rc;
    if (dir_count == 0)
        return usage_error_for("census", "%s", "no BLOCK_DIR given");
    const char **dirs = (const char **)(argv + 1); /* options_parse gathered the folders there */
    size_t n = (size_t)dir_count;
    if (!o.csv && !o.json && !o.html)
        o.csv = "-";
    if (mpi) {
#ifdef PAREVM_MPI
        return census_mpi_main(dirs, n, threads, &o, progress);
#else
        fprintf(stderr,
                "census: --mpi: this parevm was built without MPI (install libopenmpi-dev and rebuild)\n");
        return CLI_EXIT_USAGE;
#endif
    }
    struct census_row *rows = calloc(n, sizeof *rows);
    size_t *order = malloc(n * sizeof *order);
    if (!rows || !order) {
        free(rows);
        free(order);
        return CLI_EXIT_FAIL;
    }
    order_by_size(dirs, n, "block.json", order);
    census_run_local(dirs, order, n, threads, rows, progress);
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!rows[i].ok) {
            fprintf(stderr, "census: %s: %s\n", dirs[i], rows[i].error);
            failed = 1;
        }
    int write_err = census_write(dirs, rows, n, &o);
    free(rows);
    free(order);
    return write_err || failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
