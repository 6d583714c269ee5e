/*
 * report.c — parevm-report.html (inline SVG, no scripts, no network) and
 * parevm-report.json from benchmark rows and recorded parallel runs.
 *
 * Size is kept bounded for big blocks: a Gantt chart with more than
 * REPORT_GANTT_DETAIL events merges bars of the same kind that touch
 * (closer than a pixel, or a few when that still leaves more than
 * REPORT_GANTT_MAX_BARS bars) in a lane, and a dependency graph of more than
 * REPORT_GRAPH_DETAIL transactions groups consecutive transactions into
 * REPORT_GRAPH_BINS bins and aggregates the arcs between bins (the
 * heaviest REPORT_GRAPH_MAX_ARCS drawn). Each chart says so when it does.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/hex.h"
#include "../base/u256.h"
#include "report_internal.h"

/* Chart geometry (pixels). */
#define CHART_LEFT 70
#define CHART_WIDTH 1000
#define LANE_HEIGHT 28

static const char *const report_palette[] = {"#4e79a7", "#e15759", "#59a14f", "#f28e2b",
                                             "#b07aa1", "#76b7b2", "#edc948", "#9c755f"};
#define PALETTE_SIZE (sizeof report_palette / sizeof report_palette[0])

const char *const report_gantt_color[GC_COUNT] = {"#4e79a7", "#59a14f", "#b07aa1", "#f28e2b", "#e15759"};
static const char *const gantt_name[GC_COUNT] = {"execution", "validation", "superseded execution",
                                                 "blocked execution", "failed validation (abort)"};

static const char *const location_kind_name[] = {"balance", "nonce", "code", "storage", "storage clear"};

static const char *report_kind_name(uint8_t kind)
{
    return kind < sizeof location_kind_name / sizeof location_kind_name[0] ? location_kind_name[kind] : "?";
}

/* ---- small output helpers ---- */

static void report_html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static void report_json_text(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

void report_slot_hex(const u256 *slot, char out[67])
{
    uint8_t be[32];
    u256_to_be(slot, be);
    size_t k = 0;
    while (k < 31 && be[k] == 0)
        k++;
    char full[67];
    hex_encode(be + k, 32 - k, full);
    /* drop a leading zero nibble: 0x0a -> 0xa */
    if (full[2] == '0' && full[3])
        snprintf(out, 67, "0x%s", full + 3);
    else
        snprintf(out, 67, "%s", full);
}

void report_address_hex(const address *a, char out[43])
{
    hex_encode(a->bytes, 20, out);
}

/* A hot location's address as hex, and its slot for a storage location
 * ("" otherwise); whether it is one. */
static bool report_hot_hex(const struct par_hot_location *h, char addr[43], char slot[67])
{
    report_address_hex(&h->addr, addr);
    slot[0] = '\0';
    if (h->kind != PAR_LOC_STORAGE)
        return false;
    report_slot_hex(&h->slot, slot);
    return true;
}

static double report_speedup(const struct report_block *b, int t)
{
    return b->par_ms[t] > 0 ? b->seq_ms / b->par_ms[t] : 0;
}

/* Mgas per second at ms for gas (0 where ms is not positive). */
/* The access-list-driven engine's speedup at t (0: not measured). */
static double report_bal_speedup(const struct report_block *b, int t)
{
    return b->bal_ms[t] > 0 ? b->seq_ms / b->bal_ms[t] : 0;
}

static double report_mgas_per_s(uint64_t gas, double ms)
{
    return ms > 0 ? (double)gas / (ms * 1e3) : 0;
}

/* A table cell's time: the median, and under it the min-max of the
 * repetitions where known. */
static void report_time_cell(FILE *out, const char *cls, double ms, double min_ms, double max_ms,
                             const char *suffix)
{
    fprintf(out, "<td%s>%.3f%s", cls, ms, suffix);
    if (max_ms > 0)
        fprintf(out, "<span class=\"spread\" title=\"fastest-slowest repetition\">%.3f&ndash;%.3f</span>",
                min_ms, max_ms);
    fputs("</td>", out);
}

/* 1, 2, 5 x 10^k step giving about `ticks` ticks over [0, max]. */
static double report_nice_step(double max, int ticks)
{
    if (max <= 0)
        return 1;
    double raw = max / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

void report_scenario(const char *label, char *out, size_t len)
{
    if (!len)
        return;
    const char *s = label ? label : "";
    bool digits = *s != 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            digits = false;
    if (digits) {
        snprintf(out, len, "mainnet");
        return;
    }
    const char *dash = strrchr(s, '-');
    size_t n = dash && dash != s ? (size_t)(dash - s) : strlen(s);
    snprintf(out, len, "%.*s", (int)n, s);
}

/* The heaviest dependency chain by cost: pred[] walk from its last
 * transaction. *path (malloc'ed, in index order) and *len; cost total in
 * *span_ns. Returns PAREVM_OK or PAREVM_ERR_NOMEM. */
int report_critical_path(const struct exec_stats *g, uint32_t **path, size_t *len, double *span_ns)
{
    size_t n = g->tx_count;
    *path = NULL;
    *len = 0;
    *span_ns = 0;
    if (!n)
        return PAREVM_OK;
    double *finish = calloc(n, sizeof *finish);
    int64_t *pred = malloc(n * sizeof *pred);
    if (!finish || !pred) {
        free(finish);
        free(pred);
        return PAREVM_ERR_NOMEM;
    }
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        double start = 0;
        pred[i] = -1;
        for (size_t k = 0; k < g->dep_counts[i]; k++) {
            uint32_t d = g->deps[i][k];
            if (d < i && finish[d] > start) {
                start = finish[d];
                pred[i] = d;
            }
        }
        finish[i] = start + (double)g->cost_ns[i];
        if (finish[i] > finish[last])
            last = i;
    }
    size_t count = 0;
    for (int64_t i = (int64_t)last; i >= 0; i = pred[i])
        count++;
    uint32_t *p = malloc(count * sizeof *p);
    if (!p) {
        free(finish);
        free(pred);
        return PAREVM_ERR_NOMEM;
    }
    size_t k = count;
    for (int64_t i = (int64_t)last; i >= 0; i = pred[i])
        p[--k] = (uint32_t)i;
    *span_ns = finish[last];
    *path = p;
    *len = count;
    free(finish);
    free(pred);
    return PAREVM_OK;
}

/* ---- HTML: summary table ---- */

static void report_summary_table(FILE *out, const struct report *r)
{
    int tc = 0;
    bool ceiling = false;
    for (size_t i = 0; i < r->block_count; i++) {
        if (r->blocks[i].thread_count > tc)
            tc = r->blocks[i].thread_count;
        for (int t = 0; t < r->blocks[i].thread_count; t++)
            ceiling |= r->blocks[i].ceiling[t] > 0;
    }
    int per = ceiling ? 5 : 4; /* columns per thread count */
    const struct report_block *first = NULL;
    for (size_t i = 0; i < r->block_count && !first; i++)
        if (r->blocks[i].thread_count == tc)
            first = &r->blocks[i];
    fputs("<table class=\"summary\"><thead><tr><th rowspan=\"2\">scenario / block</th><th "
          "rowspan=\"2\">txs</th>"
          "<th rowspan=\"2\">Mgas</th><th rowspan=\"2\">seq ms</th><th rowspan=\"2\">seq Mgas/s</th>",
          out);
    for (int t = 0; t < tc; t++)
        fprintf(out, "<th colspan=\"%d\" class=\"grp\">P = %d</th>", per, first ? first->threads[t] : t + 1);
    fputs("<th rowspan=\"2\" title=\"speedup / bound at the highest thread count\">efficiency</th>"
          "<th rowspan=\"2\" title=\"executions per transaction minus one, at the highest thread count\">"
          "re-exec / tx</th></tr><tr>",
          out);
    for (int t = 0; t < tc; t++) {
        fputs("<th class=\"grp\">par ms</th><th>speedup</th><th>bound</th><th>Mgas/s</th>", out);
        if (ceiling)
            fputs("<th title=\"what this machine allows: P x seq ms / wall ms of P sequential runs at "
                  "once\">ceil</th>",
                  out);
    }
    fputs("</tr></thead><tbody>\n", out);
    double seq_total = 0, gas_total = 0, par_total[REPORT_MAX_THREADS] = {0};
    double seq_min = 0, seq_max = 0, par_min[REPORT_MAX_THREADS] = {0}, par_max[REPORT_MAX_THREADS] = {0};
    double bound_time[REPORT_MAX_THREADS] = {0}, ceil_time[REPORT_MAX_THREADS] = {0}, execs_total = 0;
    size_t txs_total = 0;
    bool aggregate = true;
    for (size_t i = 0; i < r->block_count; i++) {
        const struct report_block *b = &r->blocks[i];
        fputs("<tr><td class=\"l\"><a href=\"#b", out);
        fprintf(out, "%zu\">", i);
        report_html_text(out, b->label);
        fputs("</a></td>", out);
        if (!b->ok) {
            fprintf(out, "<td colspan=\"%d\" class=\"err\">error: ", 6 + per * tc);
            report_html_text(out, b->error);
            fputs("</td></tr>\n", out);
            continue;
        }
        fprintf(out, "<td>%zu</td><td>%.2f</td>", b->txs, (double)b->gas / 1e6);
        report_time_cell(out, "", b->seq_ms, b->seq_min_ms, b->seq_max_ms, "");
        fprintf(out, "<td>%.1f</td>", report_mgas_per_s(b->gas, b->seq_ms));
        for (int t = 0; t < tc; t++) {
            if (t >= b->thread_count) {
                fputs("<td class=\"grp\"></td><td></td><td></td><td></td>", out);
                if (ceiling)
                    fputs("<td></td>", out);
                continue;
            }
            report_time_cell(
                out, " class=\"grp\"", b->par_ms[t], b->par_min_ms[t], b->par_max_ms[t],
                b->ran_parallel[t] ? "" : " <span title=\"the guard ran it sequentially\">(s)</span>");
            fprintf(out, "<td>%.2fx</td><td>%.2f</td><td>%.1f</td>", report_speedup(b, t), b->bound[t],
                    report_mgas_per_s(b->gas, b->par_ms[t]));
            if (ceiling && b->ceiling[t] > 0)
                fprintf(out, "<td>%.2f</td>", b->ceiling[t]);
            else if (ceiling)
                fputs("<td>-</td>", out);
        }
        int last = b->thread_count - 1;
        double eff = last >= 0 && b->bound[last] > 0 ? report_speedup(b, last) / b->bound[last] : 0;
        double reexec = last >= 0 ? b->exec_per_tx[last] - 1 : 0;
        fprintf(out, "<td>%.0f%%</td><td>%.3f</td></tr>\n", eff * 100, reexec > 0 ? reexec : 0);
        if (b->thread_count != tc)
            aggregate = false;
        seq_total += b->seq_ms;
        seq_min += b->seq_min_ms;
        seq_max += b->seq_max_ms;
        gas_total += (double)b->gas;
        txs_total += b->txs;
        for (int t = 0; t < b->thread_count; t++) {
            par_total[t] += b->par_ms[t];
            par_min[t] += b->par_min_ms[t];
            par_max[t] += b->par_max_ms[t];
            bound_time[t] += b->bound[t] > 0 ? b->seq_ms / b->bound[t] : b->seq_ms;
            /* the concurrent runs' wall time, back from the ratio */
            ceil_time[t] += b->ceiling[t] > 0 ? b->threads[t] * b->seq_ms / b->ceiling[t] : 0;
        }
        if (last >= 0)
            execs_total += b->exec_per_tx[last] * (double)b->txs;
    }
    if (aggregate && r->block_count > 1 && seq_total > 0) {
        fprintf(out,
                "<tr class=\"total\"><td class=\"l\">all "
                "(time-weighted)</td><td>%zu</td><td>%.2f</td>",
                txs_total, gas_total / 1e6);
        report_time_cell(out, "", seq_total, seq_min, seq_max, "");
        fprintf(out, "<td>%.1f</td>", report_mgas_per_s((uint64_t)gas_total, seq_total));
        double sp = 0, bd = 0;
        for (int t = 0; t < tc; t++) {
            sp = par_total[t] > 0 ? seq_total / par_total[t] : 0;
            bd = bound_time[t] > 0 ? seq_total / bound_time[t] : 0;
            report_time_cell(out, " class=\"grp\"", par_total[t], par_min[t], par_max[t], "");
            fprintf(out, "<td>%.2fx</td><td>%.2f</td><td>%.1f</td>", sp, bd,
                    report_mgas_per_s((uint64_t)gas_total, par_total[t]));
            if (ceiling && ceil_time[t] > 0)
                fprintf(out, "<td>%.2f</td>", first->threads[t] * seq_total / ceil_time[t]);
            else if (ceiling)
                fputs("<td>-</td>", out);
        }
        double reexec = txs_total ? execs_total / (double)txs_total - 1 : 0;
        fprintf(out, "<td>%.0f%%</td><td>%.3f</td></tr>\n", bd > 0 ? sp / bd * 100 : 0,
                reexec > 0 ? reexec : 0);
    }
    fputs("</tbody></table>\n", out);
}

/* ---- HTML: speedup against threads, per scenario ---- */

static void report_speedup_chart(FILE *out, const struct report *r, const char *scenario,
                                 const size_t *members, size_t count)
{
    const int W = 380, H = 240, L = 40, R = 120, T = 24, B = 36;
    int pw = W - L - R, ph = H - T - B;
    int max_threads = 1;
    double ymax = 1;
    for (size_t m = 0; m < count; m++) {
        const struct report_block *b = &r->blocks[members[m]];
        for (int t = 0; t < b->thread_count; t++) {
            if (b->threads[t] > max_threads)
                max_threads = b->threads[t];
            if (report_speedup(b, t) > ymax)
                ymax = report_speedup(b, t);
            if (b->bound[t] > ymax)
                ymax = b->bound[t];
            if (b->has_bal && report_bal_speedup(b, t) > ymax)
                ymax = report_bal_speedup(b, t);
        }
    }
    if (max_threads > ymax)
        ymax = max_threads;
    ymax *= 1.08;
    /* x: log2 of the thread count (1, 2, 4, ... evenly spaced) */
    double xmax = log2(max_threads) > 0 ? log2(max_threads) : 1;
#define SX(p) (L + (log2(p) / xmax) * pw)
#define SY(v) (T + ph - ((v) / ymax) * ph)
    fprintf(out,
            "<figure class=\"chart\"><svg class=\"speedup\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">",
            W, H, W, H);
    fprintf(out, "<text x=\"%d\" y=\"14\" class=\"ttl\">", L);
    report_html_text(out, scenario);
    fputs(": speedup vs threads</text>", out);
    double step = report_nice_step(ymax, 5);
    for (double v = 0; v <= ymax + 1e-9; v += step)
        fprintf(out,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/><text x=\"%d\" y=\"%.1f\" "
                "class=\"ax\" text-anchor=\"end\">%g</text>",
                L, L + pw, SY(v), SY(v), L - 4, SY(v) + 4, v);
    for (int p = 1; p <= max_threads; p *= 2)
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%d</text>", SX(p),
                T + ph + 16, p);
    if (max_threads & (max_threads - 1))
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%d</text>",
                SX(max_threads), T + ph + 16, max_threads);
    fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">threads</text>", L + pw / 2,
            H - 6);
    /* ideal: speedup = threads */
    fprintf(out,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"ideal\"><title>ideal (speedup = "
            "threads)"
            "</title></line>",
            SX(1), SY(1), SX(max_threads), SY(max_threads));
    for (size_t m = 0; m < count; m++) {
        const struct report_block *b = &r->blocks[members[m]];
        const char *color = report_palette[m % PALETTE_SIZE];
        if (!b->ok || b->thread_count == 0)
            continue;
        fprintf(out, "<polyline class=\"bound\" stroke=\"%s\" points=\"", color);
        for (int t = 0; t < b->thread_count; t++)
            fprintf(out, "%.1f,%.1f ", SX(b->threads[t]), SY(b->bound[t]));
        fputs("\"><title>oracle bound: ", out);
        report_html_text(out, b->label);
        fputs("</title></polyline>", out);
        fprintf(out, "<polyline class=\"measured\" stroke=\"%s\" points=\"", color);
        for (int t = 0; t < b->thread_count; t++)
            fprintf(out, "%.1f,%.1f ", SX(b->threads[t]), SY(report_speedup(b, t)));
        fputs("\"/>", out);
        for (int t = 0; t < b->thread_count; t++) {
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>", SX(b->threads[t]),
                    SY(report_speedup(b, t)), color);
            report_html_text(out, b->label);
            fprintf(out, " P=%d: %.2fx measured, bound %.2f</title></circle>", b->threads[t],
                    report_speedup(b, t), b->bound[t]);
        }
        if (b->has_bal) { /* the list-driven engine: dash-dotted, square marks */
            fprintf(out, "<polyline class=\"balline\" stroke=\"%s\" points=\"", color);
            for (int t = 0; t < b->thread_count; t++)
                fprintf(out, "%.1f,%.1f ", SX(b->threads[t]), SY(report_bal_speedup(b, t)));
            fputs("\"/>", out);
            for (int t = 0; t < b->thread_count; t++) {
                fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\"><title>",
                        SX(b->threads[t]) - 3, SY(report_bal_speedup(b, t)) - 3, color);
                report_html_text(out, b->label);
                fprintf(out, " P=%d: %.2fx access-list-driven, its bound %.2f</title></rect>", b->threads[t],
                        report_bal_speedup(b, t), b->bal_bound[t]);
            }
        }
        int ly = T + 10 + (int)m * 16;
        fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>",
                L + pw + 10, L + pw + 26, ly, ly, color);
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"lg\">", L + pw + 30, ly + 4);
        report_html_text(out, b->label);
        fputs("</text>", out);
    }
    int ly = T + 10 + (int)count * 16;
    fprintf(out,
            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#666\" class=\"bound\"/>"
            "<text x=\"%d\" y=\"%d\" class=\"lg\">bound</text>",
            L + pw + 10, L + pw + 26, ly, ly, L + pw + 30, ly + 4);
    bool bal = false;
    for (size_t m = 0; m < count; m++)
        bal |= r->blocks[members[m]].has_bal;
    if (bal)
        fprintf(out,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#666\" class=\"balline\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"lg\">list-driven</text>",
                L + pw + 10, L + pw + 26, ly + 16, ly + 16, L + pw + 30, ly + 20);
#undef SX
#undef SY
    fputs("</svg></figure>\n", out);
}

static void report_speedup_charts(FILE *out, const struct report *r)
{
    size_t *members = malloc((r->block_count ? r->block_count : 1) * sizeof *members);
    bool *done = calloc(r->block_count ? r->block_count : 1, sizeof *done);
    if (!members || !done) {
        free(members);
        free(done);
        return;
    }
    fputs("<div class=\"charts\">\n", out);
    for (size_t i = 0; i < r->block_count; i++) {
        if (done[i])
            continue;
        char scen[128], other[128];
        report_scenario(r->blocks[i].label, scen, sizeof scen);
        size_t count = 0;
        for (size_t j = i; j < r->block_count; j++) {
            report_scenario(r->blocks[j].label, other, sizeof other);
            if (!done[j] && !strcmp(scen, other) && count < PALETTE_SIZE) {
                members[count++] = j;
                done[j] = true;
            }
        }
        report_speedup_chart(out, r, scen, members, count);
    }
    fputs(
        "</div><p class=\"cap\">Solid: measured speedup (median); dashed: the oracle bound min(P, W/S) from "
        "the block's dependency graph; dotted grey: ideal (speedup = threads); dash-dotted with squares "
        "(bench --engine bal): the access-list-driven engine's speedup. Blocks are grouped into "
        "scenarios by "
        "name (amm-low and amm-high: amm; block numbers: mainnet).</p>\n",
        out);
    free(members);
    free(done);
}

/* ---- HTML: Gantt chart of a recorded run ---- */

struct gantt_bar {
    double x0, x1;
    uint64_t t0, t1;
    uint32_t tx_lo, tx_hi, inc;
    uint32_t count;
    uint16_t lane;
    uint8_t cls;
};

static enum gantt_class report_event_class(const struct par_event *e)
{
    if (e->kind == PAR_EV_VALIDATE)
        return e->outcome == PAR_EV_ABORTED ? GC_ABORTED : GC_VALIDATE;
    if (e->outcome == PAR_EV_BLOCKED)
        return GC_BLOCKED;
    if (e->outcome == PAR_EV_SUPERSEDED)
        return GC_SUPERSEDED;
    return GC_EXEC;
}

static void report_gantt_bar(FILE *out, const struct gantt_bar *g)
{
    bool validate = g->cls == GC_VALIDATE || g->cls == GC_ABORTED;
    double y = 24 + g->lane * LANE_HEIGHT + (validate ? 17 : 3);
    double h = validate ? 8 : 13, w = g->x1 - g->x0;
    if (w < 0.6)
        w = 0.6;
    fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\"><title>",
            CHART_LEFT + g->x0, y, w, h, report_gantt_color[g->cls]);
    if (g->count == 1)
        fprintf(out, "tx %u incarnation %u: %s, %.3f-%.3f ms", g->tx_lo, g->inc, gantt_name[g->cls],
                g->t0 / 1e6, g->t1 / 1e6);
    else
        fprintf(out, "%u x %s, tx %u-%u, %.3f-%.3f ms", g->count, gantt_name[g->cls], g->tx_lo, g->tx_hi,
                g->t0 / 1e6, g->t1 / 1e6);
    fputs("</title></rect>", out);
}

/* The bars for a record at `scale` px/ns: one per task when gap <= 0,
 * else tasks of the same class in a lane less than gap px apart share a
 * bar. counts[] gets the tasks per class. Returns the number of bars. */
static size_t report_gantt_bars(const struct par_record *rec, double scale, double gap,
                                struct gantt_bar *bars, size_t counts[GC_COUNT])
{
    size_t nbars = 0;
    struct gantt_bar open[GC_COUNT];
    bool is_open[GC_COUNT] = {false};
    int cur_lane = -1;
    for (int c = 0; c < GC_COUNT; c++)
        counts[c] = 0;
    for (size_t k = 0; k <= rec->event_count; k++) {
        const struct par_event *e = k < rec->event_count ? &rec->events[k] : NULL;
        if (!e || e->thread != cur_lane) { /* events are grouped by lane: close the lane's open bars */
            for (int c = 0; c < GC_COUNT; c++)
                if (is_open[c]) {
                    bars[nbars++] = open[c];
                    is_open[c] = false;
                }
            if (!e)
                break;
            cur_lane = e->thread;
        }
        enum gantt_class c = report_event_class(e);
        counts[c]++;
        double x0 = (double)e->start_ns * scale, x1 = (double)e->end_ns * scale;
        if (gap > 0 && is_open[c] && x0 - open[c].x1 < gap) {
            open[c].x1 = x1 > open[c].x1 ? x1 : open[c].x1;
            open[c].t1 = e->end_ns > open[c].t1 ? e->end_ns : open[c].t1;
            open[c].tx_lo = e->tx < open[c].tx_lo ? e->tx : open[c].tx_lo;
            open[c].tx_hi = e->tx > open[c].tx_hi ? e->tx : open[c].tx_hi;
            open[c].count++;
            continue;
        }
        if (is_open[c])
            bars[nbars++] = open[c];
        open[c] = (struct gantt_bar){.x0 = x0,
                                     .x1 = x1,
                                     .t0 = e->start_ns,
                                     .t1 = e->end_ns,
                                     .tx_lo = e->tx,
                                     .tx_hi = e->tx,
                                     .inc = e->incarnation,
                                     .count = 1,
                                     .lane = e->thread,
                                     .cls = (uint8_t)c};
        is_open[c] = true;
        if (gap <= 0) {
            bars[nbars++] = open[c];
            is_open[c] = false;
        }
    }
    return nbars;
}

/* The schedule `rec` of a run at `threads`; driven: a run of the
 * access-list-driven engine (executions only, timed from its pre-state
 * look-ups), else Block-STM's. */
static int report_gantt(FILE *out, const struct par_record *rec, int threads, bool driven)
{
    uint64_t span = rec->parallel_ns;
    int lanes = 0;
    for (size_t k = 0; k < rec->event_count; k++) {
        if (rec->events[k].end_ns > span)
            span = rec->events[k].end_ns;
        if (rec->events[k].thread + 1 > lanes)
            lanes = rec->events[k].thread + 1;
    }
    if (!span)
        span = 1;
    if (threads > lanes)
        lanes = threads;
    double scale = (double)CHART_WIDTH / (double)span;
    struct gantt_bar *bars = malloc((rec->event_count ? rec->event_count : 1) * sizeof *bars);
    if (!bars)
        return PAREVM_ERR_NOMEM;
    size_t counts[GC_COUNT];
    /* every task its own bar when few; else merge what touches within a
     * pixel, widening the gap until the bar budget holds */
    double gap = rec->event_count > REPORT_GANTT_DETAIL ? 1 : 0;
    size_t nbars = report_gantt_bars(rec, scale, gap, bars, counts);
    while (gap > 0 && nbars > REPORT_GANTT_MAX_BARS && gap < 64) {
        gap *= 2;
        nbars = report_gantt_bars(rec, scale, gap, bars, counts);
    }
    bool merge = gap > 0;
    int H = 24 + lanes * LANE_HEIGHT + 36;
    fprintf(out,
            "<svg class=\"gantt\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">",
            CHART_LEFT + CHART_WIDTH + 20, H, CHART_LEFT + CHART_WIDTH + 20, H);
    for (int l = 0; l < lanes; l++) {
        int y = 24 + l * LANE_HEIGHT;
        fprintf(out,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"lane%d\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">thread %d</text>",
                CHART_LEFT, y, CHART_WIDTH, LANE_HEIGHT - 2, l % 2, CHART_LEFT - 6, y + 17, l);
    }
    double ms = (double)span / 1e6, step = report_nice_step(ms, 8);
    int axis_y = 24 + lanes * LANE_HEIGHT;
    for (double v = 0; v <= ms + 1e-12; v += step) {
        double x = CHART_LEFT + v / ms * CHART_WIDTH;
        fprintf(out,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"20\" y2=\"%d\" class=\"grid\"/><text x=\"%.1f\" y=\"%d\" "
                "class=\"ax\" text-anchor=\"middle\">%g</text>",
                x, x, axis_y, x, axis_y + 14, v);
    }
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">ms since the parallel phase began"
            "</text>",
            CHART_LEFT + CHART_WIDTH / 2, axis_y + 30);
    for (int c = 0; c < GC_COUNT; c++)
        for (size_t k = 0; k < nbars; k++)
            if (bars[k].cls == c)
                report_gantt_bar(out, &bars[k]);
    /* legend */
    int lx = CHART_LEFT;
    for (int c = 0; c < GC_COUNT; c++) {
        fprintf(out,
                "<rect x=\"%d\" y=\"4\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"13\" "
                "class=\"lg\">%s (%zu)</text>",
                lx, report_gantt_color[c], lx + 16, gantt_name[c], counts[c]);
        lx += 16 + (int)strlen(gantt_name[c]) * 6 + 50;
    }
    fputs("</svg>", out);
    if (driven)
        fprintf(out,
                "<p class=\"cap\">Recorded access-list-driven run at %d threads: every transaction once, "
                "longest gas limit first, nothing validated or re-executed; %.3f ms from the pre-state "
                "look-ups to the join, %zu executions.",
                threads, rec->parallel_ns / 1e6, rec->event_count);
    else
        fprintf(out,
                "<p class=\"cap\">Recorded parallel run at %d threads (forced parallel), %.3f ms parallel "
                "phase, %zu tasks. Upper bar of a lane: executions; lower: validations.",
                threads, rec->parallel_ns / 1e6, rec->event_count);
    if (merge)
        fprintf(
            out,
            " More than %d tasks: tasks of the same kind less than %g pixel%s apart in a lane are drawn as "
            "one bar (%zu bars; the tooltip gives the count and the transaction range).",
            REPORT_GANTT_DETAIL, gap, gap > 1 ? "s" : "", nbars);
    fputs("</p>\n", out);
    free(bars);
    return PAREVM_OK;
}

/* ---- HTML: the three engines (bench --engine seq,stm,bal) ---- */

/* A bound at t, capped by the machine's ceiling where measured: what a
 * speedup is held against. */
static double report_limit(const struct report_block *b, int t, double bound)
{
    return b->ceiling[t] > 0 && b->ceiling[t] < bound ? b->ceiling[t] : bound;
}

static double report_bal_limit(const struct report_block *b, int t)
{
    return report_limit(b, t, b->bal_bound[t]);
}

static bool report_has_bal(const struct report *r)
{
    for (size_t i = 0; i < r->block_count; i++)
        if (r->blocks[i].has_bal)
            return true;
    return false;
}

/* Per block, the access list's size, and per thread count Block-STM's and
 * the list-driven engine's speedups beside their bounds and the gap. */
static void report_engines_table(FILE *out, const struct report *r)
{
    int tc = 0;
    const struct report_block *first = NULL;
    for (size_t i = 0; i < r->block_count; i++)
        if (r->blocks[i].has_bal && r->blocks[i].thread_count > tc) {
            tc = r->blocks[i].thread_count;
            first = &r->blocks[i];
        }
    fputs("<table class=\"summary engines\"><thead><tr><th rowspan=\"2\">scenario / block</th>"
          "<th rowspan=\"2\">accounts</th><th rowspan=\"2\">storage keys</th><th rowspan=\"2\">list bytes</th>"
          "<th rowspan=\"2\" title=\"EIP-7928 items (accounts + storage keys) against gas_limit / 2000\">"
          "items / cap</th>",
          out);
    for (int t = 0; t < tc; t++)
        fprintf(out, "<th colspan=\"5\" class=\"grp\">P = %d</th>", first->threads[t]);
    fputs("</tr><tr>", out);
    for (int t = 0; t < tc; t++)
        fputs("<th class=\"grp\" title=\"Block-STM speedup\">stm</th><th title=\"its oracle bound min(P, W/S)\">"
              "bound</th><th title=\"access-list-driven speedup\">bal</th><th title=\"min(P, W/L): L the "
              "longest transaction by gas\">bound</th><th title=\"bal speedup / min(bound, ceil)\">of bound"
              "</th>",
              out);
    fputs("</tr></thead><tbody>\n", out);
    double seq_total = 0, stm_total[REPORT_MAX_THREADS] = {0}, bal_total[REPORT_MAX_THREADS] = {0};
    double stm_bound_time[REPORT_MAX_THREADS] = {0}, bal_bound_time[REPORT_MAX_THREADS] = {0};
    double bal_limit_time[REPORT_MAX_THREADS] = {0};
    size_t accounts = 0, keys = 0, bytes = 0, rows = 0;
    bool aggregate = true;
    for (size_t i = 0; i < r->block_count; i++) {
        const struct report_block *b = &r->blocks[i];
        if (!b->has_bal)
            continue;
        fprintf(out, "<tr><td class=\"l\"><a href=\"#b%zu\">", i);
        report_html_text(out, b->label);
        fputs("</a></td>", out);
        if (!b->ok) {
            fprintf(out, "<td colspan=\"%d\" class=\"err\">error: ", 4 + 5 * tc);
            report_html_text(out, b->error);
            fputs("</td></tr>\n", out);
            continue;
        }
        fprintf(out, "<td>%zu</td><td>%zu</td><td>%zu</td><td>%zu / %llu</td>", b->bal_size.accounts,
                b->bal_size.storage_keys, b->bal_bytes, b->bal_size.items, (unsigned long long)b->bal_cap);
        for (int t = 0; t < tc; t++) {
            if (t >= b->thread_count) {
                fputs("<td class=\"grp\"></td><td></td><td></td><td></td><td></td>", out);
                continue;
            }
            double bs = report_bal_speedup(b, t), lim = report_bal_limit(b, t);
            fprintf(out, "<td class=\"grp\">%.2fx%s</td><td>%.2f</td><td>%.2fx%s</td><td>%.2f</td><td>%.0f%%</td>",
                    report_speedup(b, t),
                    b->ran_parallel[t] ? "" : " <span title=\"the guard ran it sequentially\">(s)</span>",
                    b->bound[t], bs,
                    b->bal_degraded[t] ? " <span title=\"the list could not drive it: run again without "
                                         "it\">(d)</span>"
                                       : "",
                    b->bal_bound[t], lim > 0 ? bs / lim * 100 : 0);
        }
        fputs("</tr>\n", out);
        if (b->thread_count != tc)
            aggregate = false;
        rows++;
        accounts += b->bal_size.accounts;
        keys += b->bal_size.storage_keys;
        bytes += b->bal_bytes;
        seq_total += b->seq_ms;
        for (int t = 0; t < b->thread_count; t++) {
            stm_total[t] += b->par_ms[t];
            bal_total[t] += b->bal_ms[t];
            stm_bound_time[t] += b->bound[t] > 0 ? b->seq_ms / b->bound[t] : b->seq_ms;
            bal_bound_time[t] += b->bal_bound[t] > 0 ? b->seq_ms / b->bal_bound[t] : b->seq_ms;
            double lim = report_bal_limit(b, t);
            bal_limit_time[t] += lim > 0 ? b->seq_ms / lim : b->seq_ms;
        }
    }
    if (aggregate && rows > 1 && seq_total > 0) {
        fprintf(out, "<tr class=\"total\"><td class=\"l\">all (time-weighted)</td><td>%zu</td><td>%zu</td>"
                     "<td>%zu</td><td></td>",
                accounts, keys, bytes);
        for (int t = 0; t < tc; t++) {
            double bs = bal_total[t] > 0 ? seq_total / bal_total[t] : 0;
            double lim = bal_limit_time[t] > 0 ? seq_total / bal_limit_time[t] : 0;
            fprintf(out, "<td class=\"grp\">%.2fx</td><td>%.2f</td><td>%.2fx</td><td>%.2f</td><td>%.0f%%</td>",
                    stm_total[t] > 0 ? seq_total / stm_total[t] : 0,
                    stm_bound_time[t] > 0 ? seq_total / stm_bound_time[t] : 0, bs,
                    bal_bound_time[t] > 0 ? seq_total / bal_bound_time[t] : 0, lim > 0 ? bs / lim * 100 : 0);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

/* One block's access list and its three engines against the bounds; the
 * schedule of its recorded list-driven run. */
static int report_block_engines(FILE *out, const struct report_block *b)
{
    const struct bal_size *z = &b->bal_size;
    fprintf(out,
            "<h3>Access list and engines</h3><p class=\"meta\">Access list (EIP-7928): %zu accounts, %zu "
            "storage keys (%zu slot changes), %zu balance, %zu nonce and %zu code changes; %zu bytes of "
            "RLP; %zu items against the cap of %llu%s.</p>\n",
            z->accounts, z->storage_keys, z->slot_writes, z->balance_changes, z->nonce_changes,
            z->code_changes, b->bal_bytes, z->items, (unsigned long long)b->bal_cap,
            z->items > b->bal_cap ? " (over the cap)" : "");
    fputs("<table class=\"engines\"><thead><tr><th class=\"l\">engine</th><th>P</th><th>ms</th><th>speedup"
          "</th><th>bound</th><th>ceil</th><th>of bound</th></tr></thead><tbody>\n",
          out);
    fputs("<tr><td class=\"l\">sequential</td><td>1</td>", out);
    report_time_cell(out, "", b->seq_ms, b->seq_min_ms, b->seq_max_ms, "");
    fputs("<td>1.00x</td><td>-</td><td>-</td><td>-</td></tr>\n", out);
    for (int e = 0; e < 2; e++)
        for (int t = 0; t < b->thread_count; t++) {
            bool bal = e == 1;
            double sp = bal ? report_bal_speedup(b, t) : report_speedup(b, t);
            double bound = bal ? b->bal_bound[t] : b->bound[t];
            double lim = report_limit(b, t, bound);
            fprintf(out, "<tr><td class=\"l\">%s</td><td>%d</td>",
                    bal ? "access-list-driven (bound min(P, W/L))" : "Block-STM (bound min(P, W/S))",
                    b->threads[t]);
            if (bal)
                report_time_cell(out, "", b->bal_ms[t], b->bal_min_ms[t], b->bal_max_ms[t],
                                 b->bal_degraded[t] ? " (d)" : "");
            else
                report_time_cell(out, "", b->par_ms[t], b->par_min_ms[t], b->par_max_ms[t],
                                 b->ran_parallel[t] ? "" : " (s)");
            fprintf(out, "<td>%.2fx</td><td>%.2f</td>", sp, bound);
            if (b->ceiling[t] > 0)
                fprintf(out, "<td>%.2f</td>", b->ceiling[t]);
            else
                fputs("<td>-</td>", out);
            fprintf(out, "<td>%.0f%%</td></tr>\n", lim > 0 ? sp / lim * 100 : 0);
        }
    fputs("</tbody></table><p class=\"cap\">of bound: speedup / min(bound, ceil). (d): the list could not "
          "drive some repetition, which ran again without it. (s): the guard ran it sequentially.</p>\n",
          out);
    const struct exec_stats *rec = b->bal_recorded;
    if (rec && rec->bal_driven) {
        fputs("<h3>Schedule of the access-list-driven run</h3>", out);
        return report_gantt(out, &rec->record, b->recorded_threads, true);
    }
    if (rec && rec->bal_degraded) {
        fputs("<p class=\"cap\">The list did not drive the recorded run (it ran again without it): ", out);
        report_html_text(out, rec->bal_why);
        fputs(".</p>\n", out);
    }
    return PAREVM_OK;
}

/* ---- HTML: dependency graph (arc diagram) ---- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

struct graph_arc {
    uint32_t from, to, count;
};

static int cmp_arc_count(const void *a, const void *b)
{
    const struct graph_arc *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->from != y->from ? (x->from < y->from ? -1 : 1) : (x->to < y->to ? -1 : x->to > y->to);
}

static void report_arc(FILE *out, double x1, double x2, double base, double max_h, const char *cls,
                       double width)
{
    double rx = (x2 - x1) / 2, ry = rx < max_h ? rx : max_h;
    fprintf(out, "<path d=\"M%.1f %.1fA%.1f %.1f 0 0 1 %.1f %.1f\" class=\"%s\"", x1, base, rx, ry, x2, base,
            cls);
    if (width > 0)
        fprintf(out, " stroke-width=\"%.2f\"", width);
}

static int report_dep_graph(FILE *out, const struct report_block *b)
{
    const struct exec_stats *g = b->graph;
    size_t n = g->tx_count, edges = 0;
    for (size_t i = 0; i < n; i++)
        edges += g->dep_counts[i];
    uint32_t *crit;
    size_t crit_len;
    double span_ns, work_ns = 0;
    int err = report_critical_path(g, &crit, &crit_len, &span_ns);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++)
        work_ns += (double)g->cost_ns[i];
    bool binned = n > REPORT_GRAPH_DETAIL;
    size_t bins = binned ? REPORT_GRAPH_BINS : n;
    /* bin of transaction i: i * bins / n */
#define BIN(i) ((uint32_t)((uint64_t)(i)*bins / (n ? n : 1)))
    double slot = (double)CHART_WIDTH / (double)(bins ? bins : 1);
#define BX(bin) (CHART_LEFT + ((bin) + 0.5) * slot)
    const double max_h = 180, base = 200;
    int H = 260;
    uint64_t *keys = malloc((edges ? edges : 1) * sizeof *keys);
    struct graph_arc *arcs = malloc((edges ? edges : 1) * sizeof *arcs);
    double *bin_cost = calloc(bins ? bins : 1, sizeof *bin_cost);
    bool *bin_crit = calloc(bins ? bins : 1, sizeof *bin_crit);
    if (!keys || !arcs || !bin_cost || !bin_crit) {
        free(keys);
        free(arcs);
        free(bin_cost);
        free(bin_crit);
        free(crit);
        return PAREVM_ERR_NOMEM;
    }
    size_t nk = 0, intra = 0;
    for (size_t i = 0; i < n; i++) {
        bin_cost[BIN(i)] += (double)g->cost_ns[i];
        for (size_t k = 0; k < g->dep_counts[i]; k++) {
            uint32_t d = g->deps[i][k];
            if (d >= i)
                continue;
            if (BIN(d) == BIN(i))
                intra++;
            else
                keys[nk++] = (uint64_t)BIN(d) << 32 | BIN(i);
        }
    }
    for (size_t k = 0; k < crit_len; k++)
        bin_crit[BIN(crit[k])] = true;
    qsort(keys, nk, sizeof *keys, cmp_u64);
    size_t narcs = 0;
    for (size_t k = 0; k < nk; k++) {
        if (narcs && keys[k] == ((uint64_t)arcs[narcs - 1].from << 32 | arcs[narcs - 1].to))
            arcs[narcs - 1].count++;
        else
            arcs[narcs++] =
                (struct graph_arc){.from = (uint32_t)(keys[k] >> 32), .to = (uint32_t)keys[k], .count = 1};
    }
    size_t drawn = narcs;
    if (narcs > REPORT_GRAPH_MAX_ARCS) {
        qsort(arcs, narcs, sizeof *arcs, cmp_arc_count);
        drawn = REPORT_GRAPH_MAX_ARCS;
    }
    double max_cost = 0;
    for (size_t k = 0; k < bins; k++)
        if (bin_cost[k] > max_cost)
            max_cost = bin_cost[k];
    fprintf(out,
            "<svg class=\"deps\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "xmlns=\"http://www.w3.org/2000/svg\" role=\"img\">",
            CHART_LEFT + CHART_WIDTH + 20, H, CHART_LEFT + CHART_WIDTH + 20, H);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%.0f\" y2=\"%.0f\" class=\"axis\"/>", CHART_LEFT,
            CHART_LEFT + CHART_WIDTH, base, base);
    for (size_t k = 0; k < drawn; k++) {
        const struct graph_arc *a = &arcs[k];
        report_arc(out, BX(a->from), BX(a->to), base, max_h, "arc", a->count > 1 ? 0.6 + log2(a->count) : 0);
        if (binned)
            fprintf(out, "><title>%u dependencies: tx %zu-%zu -&gt; tx %zu-%zu</title></path>", a->count,
                    (size_t)a->from * n / bins, ((size_t)a->from + 1) * n / bins - 1,
                    (size_t)a->to * n / bins, ((size_t)a->to + 1) * n / bins - 1);
        else
            fprintf(out, "><title>tx %u reads a write of tx %u</title></path>", a->to, a->from);
    }
    /* the critical path over the other arcs */
    for (size_t k = 1; k < crit_len; k++) {
        uint32_t f = BIN(crit[k - 1]), t = BIN(crit[k]);
        if (f == t)
            continue;
        report_arc(out, BX(f), BX(t), base, max_h, "crit", 0);
        fprintf(out, "><title>critical path: tx %u -&gt; tx %u</title></path>", crit[k - 1], crit[k]);
    }
    /* nodes: a bar per transaction (or bin) below the axis, its height the
     * measured cost; red on the critical path */
    for (size_t k = 0; k < bins; k++) {
        double h = max_cost > 0 ? 4 + 36 * bin_cost[k] / max_cost : 4;
        double w = slot > 2 ? slot - 1 : slot;
        fprintf(out, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.1f\" class=\"%s\"><title>",
                CHART_LEFT + k * slot, base + 2, w, h, bin_crit[k] ? "ncrit" : "node");
        if (binned)
            fprintf(out, "tx %zu-%zu: %.3f ms work%s", k * n / bins, (k + 1) * n / bins - 1,
                    bin_cost[k] / 1e6, bin_crit[k] ? ", on the critical path" : "");
        else
            fprintf(out, "tx %zu: %.3f ms, %zu deps, %u executions%s", k, bin_cost[k] / 1e6, g->dep_counts[k],
                    g->incarnations ? g->incarnations[k] : 1, bin_crit[k] ? ", on the critical path" : "");
        fputs("</title></rect>", out);
    }
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" class=\"ax\">tx 0</text><text x=\"%d\" y=\"%d\" class=\"ax\" "
            "text-anchor=\"end\">tx %zu</text>",
            CHART_LEFT, H - 4, CHART_LEFT + CHART_WIDTH, H - 4, n ? n - 1 : 0);
    fputs("</svg>", out);
    fprintf(out,
            "<p class=\"cap\">Arc diagram: transactions in index order left to right (bar height: measured "
            "execution time, wall clock in an in-order single-thread run: on a busy machine a preempted "
            "transaction stands out); an arc joins a transaction to a later one that read its write. "
            "%zu dependencies. "
            "<span class=\"critkey\">Red</span>: the critical path, the heaviest chain by measured cost: %zu "
            "transactions, %.3f ms of %.3f ms total work (W/S = %.2f).",
            edges, crit_len, span_ns / 1e6, work_ns / 1e6, span_ns > 0 ? work_ns / span_ns : 0);
    if (binned)
        fprintf(out,
                " Sampled view: %zu transactions grouped into %zu bins of about %.1f consecutive "
                "transactions; arcs between bins aggregated (stroke width grows with the count), %zu "
                "dependencies inside a bin not drawn.",
                n, bins, (double)n / (double)bins, intra);
    if (narcs > drawn)
        fprintf(out, " The %zu heaviest of %zu arcs drawn.", drawn, narcs);
    fputs("</p>\n", out);
#undef BIN
#undef BX
    free(keys);
    free(arcs);
    free(bin_cost);
    free(bin_crit);
    free(crit);
    return PAREVM_OK;
}

/* ---- HTML: hot locations ---- */

static void report_hot_table(FILE *out, const struct par_record *rec)
{
    if (!rec->hot_count) {
        fputs("<p class=\"cap\">No location made a transaction depend on another or caused an abort.</p>\n",
              out);
        return;
    }
    fputs("<table class=\"hot\"><thead><tr><th>contract / account</th><th>kind</th><th>slot</th>"
          "<th title=\"committed reads of a value a lower transaction wrote\">deps</th>"
          "<th title=\"validation failures this location caused\">aborts</th></tr></thead><tbody>\n",
          out);
    size_t rows = rec->hot_count < REPORT_HOT_ROWS ? rec->hot_count : REPORT_HOT_ROWS;
    for (size_t k = 0; k < rows; k++) {
        const struct par_hot_location *h = &rec->hot[k];
        char a[43], s[67];
        report_hot_hex(h, a, s);
        fprintf(out,
                "<tr><td class=\"mono\">%s</td><td>%s</td><td "
                "class=\"mono\">%s</td><td>%u</td><td>%u</td></tr>\n",
                a, report_kind_name(h->kind), s, h->deps, h->aborts);
    }
    fputs("</tbody></table>", out);
    if (rec->hot_count > rows)
        fprintf(out, "<p class=\"cap\">%zu of %zu locations shown (most dependencies + aborts first).</p>",
                rows, rec->hot_count);
    fputc('\n', out);
}

/* One line per block: where the speedup sits against the bound, and
 * why: how long the heaviest chain is and which location conflicts most. */
static void report_verdict(FILE *out, const struct report_block *b)
{
    int last = b->thread_count - 1;
    if (last < 0)
        return;
    double sp = report_speedup(b, last);
    fprintf(out, "<p class=\"verdict\">At %d threads: %.2fx measured against a bound of %.2f (%.0f%%)",
            b->threads[last], sp, b->bound[last], b->bound[last] > 0 ? sp / b->bound[last] * 100 : 0);
    if (b->oracle.span > 0)
        fprintf(out, "; W/S = %.2f", b->oracle.work / b->oracle.span);
    if (b->exec_per_tx[last] > 1.0005)
        fprintf(out, "; %.3f re-executions per transaction", b->exec_per_tx[last] - 1);
    const struct par_record *rec = b->recorded && b->recorded->parallel ? &b->recorded->record : NULL;
    if (rec && rec->hot_count) {
        const struct par_hot_location *h = &rec->hot[0];
        char a[43], slot[67];
        bool storage = report_hot_hex(h, a, slot);
        fprintf(out, "; most contended: %s", report_kind_name(h->kind));
        if (storage) {
            fprintf(out, " slot <span class=\"mono\">%.18s%s</span>", slot,
                    strlen(slot) > 18 ? "&hellip;" : "");
        }
        fprintf(out, " of <span class=\"mono\">%s</span> (%u dependenc%s, %u abort%s)", a, h->deps,
                h->deps == 1 ? "y" : "ies", h->aborts, h->aborts == 1 ? "" : "s");
    } else if (rec) {
        fputs("; no location made one transaction depend on another", out);
    }
    fputs(".</p>\n", out);
}

static const char report_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:24px;"
    "color:#222;max-width:1200px}\n"
    "h1{font-size:22px}h2{font-size:18px;margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 6px}\n"
    "table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{padding:3px 7px;text-align:right;"
    "border-bottom:1px solid #eee}th{background:#f4f4f4}td.l,th.l{text-align:left}"
    ".grp{border-left:1px solid #ccc}tr.total td{font-weight:bold;border-top:2px solid #999}"
    "td.err{color:#c00;text-align:left}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;text-align:"
    "left}\n"
    ".charts{display:flex;flex-wrap:wrap;gap:4px 12px}figure{margin:2px;flex:0 0 "
    "auto}figcaption,.cap{font-size:12px;color:#555}"
    "svg text{font-size:11px;fill:#333}.ttl{font-weight:bold;font-size:12px}.ax{fill:#666}.lg{font-size:11px}"
    ".grid{stroke:#e6e6e6}.ideal{stroke:#bbb;stroke-dasharray:2 3}"
    ".measured{fill:none;stroke-width:2}.balline{fill:none;stroke-width:1.5;stroke-dasharray:8 3 2 3}.bound{fill:none;stroke-width:1.5;stroke-dasharray:6 4}"
    ".lane0{fill:#fafafa}.lane1{fill:#f1f1f1}.axis{stroke:#999}"
    ".arc{fill:none;stroke:#7f8fa6;stroke-opacity:.45}.crit{fill:none;stroke:#d62728;stroke-width:2}"
    ".node{fill:#9aa7b8}.ncrit{fill:#d62728}.critkey{color:#d62728;font-weight:bold}"
    ".block{margin-bottom:28px}.meta{font-size:12px;color:#444}.verdict{font-size:13px}"
    "span.mono{font-size:12px}span.spread{display:block;font-size:10px;color:#777;white-space:nowrap}.busy{"
    "color:#c00}\n";

/* The build and the machine: so that a reader can tell a slow engine from
 * a busy or small host. */
static void report_machine(FILE *out, const struct report *r)
{
    if (!r->version && !r->commit && !r->machine)
        return;
    fputs("<p class=\"meta machine\">", out);
    if (r->version || r->commit) {
        fputs("<b>Build</b>: parevm ", out);
        report_html_text(out, r->version ? r->version : "?");
        fputs(", commit ", out);
        report_html_text(out, r->commit ? r->commit : "unknown");
        fputs(". ", out);
    }
    const struct machine_info *m = r->machine;
    if (m) {
        char before[64], after[64];
        machine_load_text(m->load_before, before, sizeof before);
        machine_load_text(m->load_after, after, sizeof after);
        fputs("<b>Machine</b>: ", out);
        report_html_text(out, m->cpu_model);
        fprintf(out, ", %d CPUs online", m->cpus_online);
        if (m->cpus_usable > 0)
            fprintf(out, " (%d usable by the benchmark)", m->cpus_usable);
        fputs(", ", out);
        report_html_text(out, m->kernel);
        fprintf(out, "; load average (1, 5, 15 min) <b>%s</b> before the run, <b>%s</b> after.", before,
                after);
        if (machine_busy_before(m))
            fputs(
                " <b class=\"busy\">Busy host</b>: the load before the run already reached the usable CPUs, "
                "so other work competed with the benchmark and the times say as much about the host as "
                "about the engine.",
                out);
    }
    fputs(
        " Under each time: the fastest&ndash;slowest repetition. <b>ceil</b> (bench --ceiling): P x seq ms / "
        "wall ms of P sequential executions at once, what this machine allows at P threads.</p>\n",
        out);
}

int report_write_html(const struct report *r, FILE *out)
{
    if (!r || !out)
        return PAREVM_ERR_ARG;
    const char *title = r->title ? r->title : "parevm report";
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width\"><title>",
          out);
    report_html_text(out, title);
    fprintf(out, "</title><style>\n%s</style></head><body>\n<h1>", report_css);
    report_html_text(out, title);
    fputs("</h1>\n", out);
    time_t now = time(NULL);
    struct tm tm;
    char when[64] = "";
    if (gmtime_r(&now, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
    fprintf(out,
            "<p class=\"meta\">Generated %s by parevm bench; %zu blocks; every time is the median of %d runs "
            "on a fresh copy of the pre-state, and every parallel result was checked identical to the "
            "sequential one. <b>bound</b>: the oracle speedup min(P, W/S) from the block's dependency graph "
            "(W total work, S heaviest dependency chain, both measured per transaction; also capped by the "
            "longest transaction); <b>efficiency</b>: measured speedup / bound; <b>re-exec / tx</b>: extra "
            "executions per transaction (aborted or blocked incarnations). (s): the guard chose sequential "
            "execution for that run.</p>\n",
            when, r->block_count, r->reps);
    report_machine(out, r);
    fputs("<h2>Summary</h2>\n", out);
    report_summary_table(out, r);
    if (report_has_bal(r)) {
        fputs("<h2>Three engines: sequential, Block-STM, access-list-driven (EIP-7928)</h2>\n"
              "<p class=\"meta\">Speedups against sequential execution, measured in the same repetitions. "
              "Block-STM's bound is the oracle's min(P, W/S) (S: the heaviest dependency chain); the "
              "access-list-driven engine's is min(P, W/L) by gas (L: the longest transaction), since with "
              "the list every transaction runs at once. <b>of bound</b>: its speedup / min(bound, ceil).</p>\n",
              out);
        report_engines_table(out, r);
    }
    fputs("<h2>Speedup against threads, per scenario</h2>\n", out);
    report_speedup_charts(out, r);
    fputs("<h2>Blocks</h2>\n", out);
    int err = PAREVM_OK;
    for (size_t i = 0; i < r->block_count && !err; i++) {
        const struct report_block *b = &r->blocks[i];
        fprintf(out, "<section class=\"block\" id=\"b%zu\"><h3>", i);
        report_html_text(out, b->label);
        fputs("</h3>", out);
        if (!b->ok) {
            fputs("<p class=\"cap err\">error: ", out);
            report_html_text(out, b->error);
            fputs("</p></section>\n", out);
            continue;
        }
        fprintf(out, "<p class=\"meta\">block %llu, %zu transactions, %.2f Mgas, sequential %.3f ms; ",
                (unsigned long long)b->number, b->txs, (double)b->gas / 1e6, b->seq_ms);
        report_html_text(out, b->dir);
        fputs("</p>\n", out);
        report_verdict(out, b);
        if (b->recorded && b->recorded->parallel) {
            fputs("<h3>Schedule</h3>", out);
            err = report_gantt(out, &b->recorded->record, b->recorded_threads, false);
        } else {
            fputs("<p class=\"cap\">No recorded parallel run.</p>", out);
        }
        if (!err && b->has_bal)
            err = report_block_engines(out, b);
        if (!err && b->graph && b->graph->tx_count) {
            fputs("<h3>Dependency graph</h3>", out);
            err = report_dep_graph(out, b);
        }
        if (!err && b->recorded && b->recorded->parallel) {
            fputs("<h3>Hottest state locations</h3>", out);
            report_hot_table(out, &b->recorded->record);
        }
        fputs("</section>\n", out);
    }
    fputs("</body></html>\n", out);
    if (err)
        return err;
    return ferror(out) ? PAREVM_ERR_IO : PAREVM_OK;
}

/* ---- JSON ---- */

/* A block's "bal": the list's size, the list-driven runs per thread count
 * and the recorded run's schedule (events as "schedule"'s). */
static void report_json_bal(FILE *out, const struct report_block *b)
{
    const struct bal_size *z = &b->bal_size;
    fprintf(out,
            ",\"bal\":{\"list\":{\"accounts\":%zu,\"storage_keys\":%zu,\"slot_changes\":%zu,"
            "\"balance_changes\":%zu,\"nonce_changes\":%zu,\"code_changes\":%zu,\"items\":%zu,"
            "\"item_cap\":%llu,\"bytes\":%zu},\"runs\":[",
            z->accounts, z->storage_keys, z->slot_writes, z->balance_changes, z->nonce_changes, z->code_changes,
            z->items, (unsigned long long)b->bal_cap, b->bal_bytes);
    for (int t = 0; t < b->thread_count; t++) {
        double sp = report_bal_speedup(b, t), lim = report_bal_limit(b, t);
        fprintf(out,
                "%s{\"threads\":%d,\"ms\":%.6f,\"min_ms\":%.6f,\"max_ms\":%.6f,\"mgas_per_s\":%.3f,"
                "\"speedup\":%.4f,\"bound\":%.4f,\"of_bound\":%.4f,\"degraded\":%s}",
                t ? "," : "", b->threads[t], b->bal_ms[t], b->bal_min_ms[t], b->bal_max_ms[t],
                report_mgas_per_s(b->gas, b->bal_ms[t]), sp, b->bal_bound[t], lim > 0 ? sp / lim : 0,
                b->bal_degraded[t] ? "true" : "false");
    }
    fputc(']', out);
    const struct exec_stats *rec = b->bal_recorded;
    if (rec && rec->bal_driven) {
        fprintf(out, ",\"schedule\":{\"threads\":%d,\"parallel_ns\":%llu,\"events\":[", b->recorded_threads,
                (unsigned long long)rec->record.parallel_ns);
        for (size_t k = 0; k < rec->record.event_count; k++) {
            const struct par_event *e = &rec->record.events[k];
            fprintf(out, "%s[%llu,%llu,%u,%u,%u,%u,%u]", k ? "," : "", (unsigned long long)e->start_ns,
                    (unsigned long long)e->end_ns, e->tx, e->incarnation, e->thread, e->kind, e->outcome);
        }
        fputs("]}", out);
    } else if (rec && rec->bal_degraded) {
        fputs(",\"degraded\":", out);
        report_json_text(out, rec->bal_why);
    }
    fputc('}', out);
}

int report_write_json(const struct report *r, FILE *out)
{
    if (!r || !out)
        return PAREVM_ERR_ARG;
    fputs("{\"title\":", out);
    report_json_text(out, r->title ? r->title : "parevm report");
    if (r->version || r->commit) {
        fputs(",\"parevm\":{\"version\":", out);
        report_json_text(out, r->version ? r->version : "");
        fputs(",\"commit\":", out);
        report_json_text(out, r->commit ? r->commit : "unknown");
        fputc('}', out);
    }
    if (r->machine) {
        const struct machine_info *m = r->machine;
        fputs(",\"machine\":{\"cpu_model\":", out);
        report_json_text(out, m->cpu_model);
        fprintf(out, ",\"cpus_online\":%d,\"cpus_usable\":%d,\"kernel\":", m->cpus_online, m->cpus_usable);
        report_json_text(out, m->kernel);
        const double *loads[2] = {m->load_before, m->load_after};
        for (int k = 0; k < 2; k++) {
            fputs(k ? ",\"load_after\":" : ",\"load_before\":", out);
            if (loads[k][0] < 0)
                fputs("null", out);
            else
                fprintf(out, "[%.2f,%.2f,%.2f]", loads[k][0], loads[k][1], loads[k][2]);
        }
        fputc('}', out);
    }
    fprintf(out,
            ",\"reps\":%d,\"event_fields\":[\"start_ns\",\"end_ns\",\"tx\",\"incarnation\",\"thread\","
            "\"kind\",\"outcome\"],\"event_kinds\":[\"execute\",\"validate\"],"
            "\"event_outcomes\":[\"ok\",\"aborted\",\"blocked\",\"superseded\"],\"blocks\":[",
            r->reps);
    int err = PAREVM_OK;
    for (size_t i = 0; i < r->block_count && !err; i++) {
        const struct report_block *b = &r->blocks[i];
        char scen[128];
        report_scenario(b->label, scen, sizeof scen);
        fputs(i ? ",\n{\"label\":" : "\n{\"label\":", out);
        report_json_text(out, b->label);
        fputs(",\"scenario\":", out);
        report_json_text(out, scen);
        fputs(",\"dir\":", out);
        report_json_text(out, b->dir);
        fprintf(out, ",\"number\":%llu,\"ok\":%s,\"error\":", (unsigned long long)b->number,
                b->ok ? "true" : "false");
        report_json_text(out, b->ok ? "" : b->error);
        fprintf(out,
                ",\"txs\":%zu,\"gas\":%llu,\"seq_ms\":%.6f,\"seq_min_ms\":%.6f,\"seq_max_ms\":%.6f,"
                "\"seq_mgas_per_s\":%.3f,\"work_ns\":%.0f,\"span_ns\":%.0f,\"longest_ns\":%.0f,\"runs\":[",
                b->txs, (unsigned long long)b->gas, b->seq_ms, b->seq_min_ms, b->seq_max_ms,
                report_mgas_per_s(b->gas, b->seq_ms), b->oracle.work, b->oracle.span, b->oracle.longest);
        for (int t = 0; t < b->thread_count; t++) {
            double sp = report_speedup(b, t);
            fprintf(out,
                    "%s{\"threads\":%d,\"ms\":%.6f,\"min_ms\":%.6f,\"max_ms\":%.6f,\"mgas_per_s\":%.3f,"
                    "\"speedup\":%.4f,\"bound\":%.4f,\"efficiency\":%.4f,"
                    "\"executions_per_tx\":%.4f,\"engine\":\"%s\"",
                    t ? "," : "", b->threads[t], b->par_ms[t], b->par_min_ms[t], b->par_max_ms[t],
                    report_mgas_per_s(b->gas, b->par_ms[t]), sp, b->bound[t],
                    b->bound[t] > 0 ? sp / b->bound[t] : 0, b->exec_per_tx[t],
                    b->ran_parallel[t] ? "parallel" : "sequential");
            if (b->ceiling[t] > 0)
                fprintf(out, ",\"ceiling\":%.4f", b->ceiling[t]);
            fputc('}', out);
        }
        fputc(']', out);
        if (b->graph && b->graph->tx_count) {
            const struct exec_stats *g = b->graph;
            uint32_t *crit;
            size_t crit_len;
            double span_ns;
            err = report_critical_path(g, &crit, &crit_len, &span_ns);
            if (err)
                break;
            fputs(",\"graph\":{\"cost_ns\":[", out);
            for (size_t k = 0; k < g->tx_count; k++)
                fprintf(out, "%s%llu", k ? "," : "", (unsigned long long)g->cost_ns[k]);
            fputs("],\"incarnations\":[", out);
            for (size_t k = 0; k < g->tx_count; k++)
                fprintf(out, "%s%u", k ? "," : "", g->incarnations ? g->incarnations[k] : 1);
            fputs("],\"deps\":[", out);
            for (size_t k = 0; k < g->tx_count; k++) {
                fputs(k ? ",[" : "[", out);
                for (size_t d = 0; d < g->dep_counts[k]; d++)
                    fprintf(out, "%s%u", d ? "," : "", g->deps[k][d]);
                fputc(']', out);
            }
            fprintf(out, "],\"critical_path_ns\":%.0f,\"critical_path\":[", span_ns);
            for (size_t k = 0; k < crit_len; k++)
                fprintf(out, "%s%u", k ? "," : "", crit[k]);
            fputs("]}", out);
            free(crit);
        }
        if (b->recorded && b->recorded->parallel) {
            const struct par_record *rec = &b->recorded->record;
            fprintf(out, ",\"schedule\":{\"threads\":%d,\"parallel_ns\":%llu,\"events\":[",
                    b->recorded_threads, (unsigned long long)rec->parallel_ns);
            for (size_t k = 0; k < rec->event_count; k++) {
                const struct par_event *e = &rec->events[k];
                fprintf(out, "%s[%llu,%llu,%u,%u,%u,%u,%u]", k ? "," : "", (unsigned long long)e->start_ns,
                        (unsigned long long)e->end_ns, e->tx, e->incarnation, e->thread, e->kind, e->outcome);
            }
            fprintf(out, "]},\"hot_total\":%zu,\"hot\":[", rec->hot_count);
            size_t rows = rec->hot_count < REPORT_JSON_HOT ? rec->hot_count : REPORT_JSON_HOT;
            for (size_t k = 0; k < rows; k++) {
                const struct par_hot_location *h = &rec->hot[k];
                char a[43], s[67];
                bool storage = report_hot_hex(h, a, s);
                fprintf(out,
                        "%s{\"address\":\"%s\",\"kind\":\"%s\",\"slot\":%s%s%s,\"deps\":%u,\"aborts\":%u}",
                        k ? "," : "", a, report_kind_name(h->kind), storage ? "\"" : "", storage ? s : "null",
                        storage ? "\"" : "", h->deps, h->aborts);
            }
            fputc(']', out);
        }
        if (b->has_bal)
            report_json_bal(out, b);
        fputc('}', out);
    }
    fputs("\n]}\n", out);
    if (err)
        return err;
    return ferror(out) ? PAREVM_ERR_IO : PAREVM_OK;
}

void report_json_path(const char *html_path, char *out, size_t len)
{
    size_t n = strlen(html_path);
    if (n > 5 && !strcmp(html_path + n - 5, ".html"))
        snprintf(out, len, "%.*s.json", (int)(n - 5), html_path);
    else
        snprintf(out, len, "%s.json", html_path);
}

static int report_write_one(const struct report *r, const char *path, bool html, char *err, size_t err_len)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return PAREVM_ERR_IO;
    }
    int e = html ? report_write_html(r, f) : report_write_json(r, f);
    if (fclose(f) && !e)
        e = PAREVM_ERR_IO;
    if (e)
        snprintf(err, err_len, "%s: %s", path, e == PAREVM_ERR_IO ? "write failed" : parevm_strerror(e));
    return e;
}

int report_write_files(const struct report *r, const char *html_path, const char *json_path, char *err,
                       size_t err_len)
{
    if (!r || !html_path)
        return PAREVM_ERR_ARG;
    char jp[4096];
    if (!json_path) {
        report_json_path(html_path, jp, sizeof jp);
        json_path = jp;
    }
    int e = report_write_one(r, html_path, true, err, err_len);
    if (!e)
        e = report_write_one(r, json_path, false, err, err_len);
    return e;
}
