/*
 * report: the HTML page and the JSON document `parevm bench --report`
 * writes. A real mainnet block (from the fixtures) runs in parallel with
 * recording and is rendered; the page must be self-contained (no script,
 * no external reference), its SVG well-formed in the counts that matter
 * (one bar per task, one arc per dependency, the critical path drawn),
 * and the JSON must carry the same events, graph and hot locations.
 * Synthetic records force the size limits both ways (merged Gantt bars,
 * binned dependency graph).
 *
 * The report is part of the command-line tool, not the library: this
 * test links its object (report_internal.h: the limits and helpers it
 * checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/tools/report.h"
#include "../src/tools/report_internal.h"

#include "../src/io/mainnet.h"

/* ---- helpers ---- */

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
        n++;
    return n;
}

/* The text between the first occurrence of `from` and the next `to`
 * (malloc'ed, NUL-terminated). */
static char *section(const char *text, const char *from, const char *to)
{
    const char *a = strstr(text, from);
    assert_non_null(a);
    const char *b = strstr(a + strlen(from), to);
    assert_non_null(b);
    size_t n = (size_t)(b - a);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, a, n);
    s[n] = 0;
    return s;
}

static char *render_html(const struct report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(report_write_html(r, f), PAREVM_OK);
    fclose(f);
    return text;
}

static cJSON *render_json(const struct report *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(report_write_json(r, f), PAREVM_OK);
    fclose(f);
    cJSON *j = cJSON_Parse(text);
    if (!j)
        fail_msg("report JSON does not parse near: %.60s", cJSON_GetErrorPtr());
    free(text);
    return j;
}

/* Self-contained, and the elements that must pair up do. */
static void check_page(const char *html)
{
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "</body></html>\n"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url("));
    assert_null(strstr(html, "https:"));
    /* the only http: is the SVG namespace name */
    assert_int_equal(count_of(html, "http:"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));
    assert_int_equal(count_of(html, "<svg"), count_of(html, "</svg>"));
    assert_int_equal(count_of(html, "<title>"), count_of(html, "</title>"));
    assert_int_equal(count_of(html, "<table"), count_of(html, "</table>"));
    assert_int_equal(count_of(html, "<section"), count_of(html, "</section>"));
    /* no NaN or infinity printed into a coordinate or a cell */
    assert_null(strstr(html, "=\"nan"));
    assert_null(strstr(html, "=\"-nan"));
    assert_null(strstr(html, ">nan"));
    assert_null(strstr(html, ">-nan"));
    assert_null(strstr(html, "inf\""));
}

static void fill_timings(struct report_block *b, size_t txs)
{
    b->ok = true;
    b->txs = txs;
    b->gas = 12345678;
    b->seq_ms = 10;
    b->thread_count = 2;
    b->threads[0] = 1;
    b->threads[1] = 2;
    b->par_ms[0] = 11;
    b->par_ms[1] = 6;
    b->bound[0] = 1;
    b->bound[1] = 1.8;
    b->exec_per_tx[0] = 1;
    b->exec_per_tx[1] = 1.1;
    b->ran_parallel[0] = b->ran_parallel[1] = true;
}

/* ---- a real recorded run ---- */

static const char *fixtures_mainnet(void)
{
    static char dir[1024];
    const char *root = getenv("PAREVM_FIXTURES");
    snprintf(dir, sizeof dir, "%s/mainnet", root && *root ? root : "../shared/fixtures");
    struct stat st;
    return stat(dir, &st) == 0 ? dir : NULL;
}

/* The mainnet snapshot `name` into *fx (dir: its path, 1100 bytes); the
 * test is skipped where the fixtures are not found. */
static void load_block(const char *name, char dir[1100], struct chain_config *cfg, struct mainnet_fixture *fx)
{
    const char *mainnet = fixtures_mainnet();
    if (!mainnet)
        skip(); /* fixtures not found */
    snprintf(dir, 1100, "%s/%s", mainnet, name);
    chain_config_mainnet(cfg);
    char err[512];
    if (mainnet_load(dir, cfg, fx, err, sizeof err) != PAREVM_OK)
        fail_msg("mainnet_load: %s", err);
}

static void test_real_block(void **state)
{
    (void)state;
    char dir[1100];
    struct chain_config cfg;
    struct mainnet_fixture fx;
    load_block("11114732", dir, &cfg, &fx); /* 100 transactions, Berlin-era contention */

    /* the dependency graph (in-order run) and a recorded 2-thread run */
    struct exec_stats graph, rec;
    memset(&graph, 0, sizeof graph);
    memset(&rec, 0, sizeof rec);
    struct block_result r;
    struct world w;
    struct exec_options one = {.threads = 1, .force = true};
    assert_int_equal(world_clone(&fx.pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &fx.block, &w, &fx.hashes, &one, &r, &graph), PAREVM_OK);
    block_result_free(&r);
    world_free(&w);
    struct exec_options two = {.threads = 2, .force = true, .record = true};
    assert_int_equal(world_clone(&fx.pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &fx.block, &w, &fx.hashes, &two, &r, &rec), PAREVM_OK);
    block_result_free(&r);
    world_free(&w);
    assert_true(rec.parallel);
    assert_true(rec.record.event_count >= 2 * fx.block.tx_count); /* an execution and a validation each */
    assert_true(rec.record.event_count <= REPORT_GANTT_DETAIL);
    assert_true(rec.record.hot_count > 0);

    struct report_block b;
    memset(&b, 0, sizeof b);
    fill_timings(&b, fx.block.tx_count);
    b.label = "11114732";
    b.dir = dir;
    b.number = fx.block.header.number;
    oracle_compute(&graph, NULL, &b.oracle);
    b.graph = &graph;
    b.recorded = &rec;
    b.recorded_threads = 2;
    struct report rep = {.title = "test <report>", .reps = 3, .blocks = &b, .block_count = 1};
    char *html = render_html(&rep);
    check_page(html);
    assert_non_null(strstr(html, "<title>test &lt;report&gt;</title>"));
    /* a speedup chart (scenario "mainnet"), a Gantt chart, a graph */
    assert_int_equal(count_of(html, "<svg"), 3);
    assert_int_equal(count_of(html, "<svg class=\"speedup\""), 1);
    assert_non_null(strstr(html, "mainnet: speedup vs threads"));
    assert_int_equal(count_of(html, "class=\"measured\""), 1);
    assert_int_equal(count_of(html, "class=\"bound\""), 2); /* the line and its legend */

    /* Gantt: below the detail limit every task is its own bar (plus two
     * lane backgrounds and five legend swatches) */
    char *gantt = section(html, "<svg class=\"gantt\"", "</svg>");
    assert_int_equal(count_of(gantt, "<rect"), rec.record.event_count + 2 + GC_COUNT);
    size_t aborted = 0, blocked = 0;
    for (size_t k = 0; k < rec.record.event_count; k++) {
        aborted += rec.record.events[k].outcome == PAR_EV_ABORTED;
        blocked += rec.record.events[k].outcome == PAR_EV_BLOCKED;
    }
    assert_int_equal(count_of(gantt, report_gantt_color[GC_ABORTED]), aborted + 1);
    assert_int_equal(count_of(gantt, report_gantt_color[GC_BLOCKED]), blocked + 1);
    assert_int_equal(count_of(gantt, "thread 0</text>"), 1);
    assert_int_equal(count_of(gantt, "thread 1</text>"), 1);
    free(gantt);

    /* dependency graph: 100 transactions are drawn one by one: an arc per
     * dependency, a node per transaction, the critical path in red */
    size_t edges = 0;
    for (size_t i = 0; i < graph.tx_count; i++)
        edges += graph.dep_counts[i];
    uint32_t *crit;
    size_t crit_len;
    double span;
    assert_int_equal(report_critical_path(&graph, &crit, &crit_len, &span), PAREVM_OK);
    assert_true(crit_len >= 1);
    assert_true(span <= b.oracle.span + 1 && span >= b.oracle.span - 1); /* the same chain as the bound's */
    for (size_t k = 1; k < crit_len; k++)
        assert_true(crit[k - 1] < crit[k]);
    char *deps = section(html, "<svg class=\"deps\"", "</svg>");
    assert_int_equal(count_of(deps, "class=\"arc\""), edges);
    assert_int_equal(count_of(deps, "class=\"crit\""), crit_len - 1);
    assert_int_equal(count_of(deps, "class=\"node\"") + count_of(deps, "class=\"ncrit\""), fx.block.tx_count);
    assert_int_equal(count_of(deps, "class=\"ncrit\""), crit_len);
    free(deps);
    assert_null(strstr(html, "Sampled view"));

    /* hot locations: the hottest one first, also named in the verdict */
    char addr[43];
    report_address_hex(&rec.record.hot[0].addr, addr);
    char *verdict = section(
        html, "<p class=\"verdict\">At 2 threads: 1.67x measured against a bound of 1.80 (93%)", "</p>");
    assert_non_null(strstr(verdict, "; most contended: "));
    assert_non_null(strstr(verdict, addr));
    assert_non_null(strstr(verdict, "; 0.100 re-executions per transaction"));
    free(verdict);
    char *hot = section(html, "<table class=\"hot\"", "</table>");
    assert_non_null(strstr(hot, addr));
    size_t rows = rec.record.hot_count < REPORT_HOT_ROWS ? rec.record.hot_count : REPORT_HOT_ROWS;
    assert_int_equal(count_of(hot, "<tr>") - 1, rows);
    free(hot);
    free(html);

    /* JSON: the same data */
    cJSON *j = render_json(&rep);
    cJSON *blk = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "blocks"), 0);
    assert_non_null(blk);
    assert_string_equal(cJSON_GetObjectItem(blk, "scenario")->valuestring, "mainnet");
    assert_int_equal(cJSON_GetObjectItem(blk, "txs")->valueint, fx.block.tx_count);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(blk, "runs")), 2);
    cJSON *g = cJSON_GetObjectItem(blk, "graph");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g, "deps")), graph.tx_count);
    cJSON *cp = cJSON_GetObjectItem(g, "critical_path");
    assert_int_equal(cJSON_GetArraySize(cp), crit_len);
    assert_int_equal(cJSON_GetArrayItem(cp, (int)crit_len - 1)->valueint, crit[crit_len - 1]);
    cJSON *events = cJSON_GetObjectItem(cJSON_GetObjectItem(blk, "schedule"), "events");
    assert_int_equal(cJSON_GetArraySize(events), rec.record.event_count);
    cJSON *e0 = cJSON_GetArrayItem(events, 0);
    assert_int_equal(cJSON_GetArraySize(e0), 7);
    assert_int_equal(cJSON_GetArrayItem(e0, 2)->valueint, rec.record.events[0].tx);
    cJSON *h0 = cJSON_GetArrayItem(cJSON_GetObjectItem(blk, "hot"), 0);
    assert_string_equal(cJSON_GetObjectItem(h0, "address")->valuestring, addr);
    assert_int_equal(cJSON_GetObjectItem(h0, "deps")->valueint, rec.record.hot[0].deps);
    assert_int_equal(cJSON_GetObjectItem(blk, "hot_total")->valueint, rec.record.hot_count);
    cJSON_Delete(j);

    free(crit);
    exec_stats_reset(&graph);
    exec_stats_reset(&rec);
    mainnet_fixture_free(&fx);
}

/* ---- synthetic records: the size limits ---- */

struct synthetic {
    struct exec_stats graph, rec;
};

/* n transactions in one chain (i reads i-1) with cost 1000 + i, and a
 * 2-lane schedule of `events` back-to-back tasks, every 7th aborted. */
static void synthetic_make(struct synthetic *s, size_t n, size_t events)
{
    memset(s, 0, sizeof *s);
    struct exec_stats *g = &s->graph;
    g->tx_count = n;
    g->deps = calloc(n, sizeof *g->deps);
    g->dep_counts = calloc(n, sizeof *g->dep_counts);
    g->cost_ns = calloc(n, sizeof *g->cost_ns);
    g->incarnations = calloc(n, sizeof *g->incarnations);
    assert_true(g->deps && g->dep_counts && g->cost_ns && g->incarnations);
    for (size_t i = 0; i < n; i++) {
        g->cost_ns[i] = 1000 + i;
        g->incarnations[i] = 1;
        if (i) {
            g->deps[i] = malloc(sizeof **g->deps);
            assert_non_null(g->deps[i]);
            g->deps[i][0] = (uint32_t)(i - 1);
            g->dep_counts[i] = 1;
        }
    }
    s->rec.parallel = true;
    struct par_record *r = &s->rec.record;
    r->events = calloc(events, sizeof *r->events);
    assert_non_null(r->events);
    r->event_count = events;
    for (size_t k = 0; k < events; k++) {
        struct par_event *e = &r->events[k];
        uint16_t lane = k < events / 2 ? 0 : 1;
        size_t pos = lane ? k - events / 2 : k;
        e->thread = lane;
        e->start_ns = pos * 1000;
        e->end_ns = pos * 1000 + 900;
        e->tx = (uint32_t)(k % n);
        e->kind = k % 2 ? PAR_EV_VALIDATE : PAR_EV_EXECUTE;
        e->outcome = k % 14 == 1 ? PAR_EV_ABORTED : PAR_EV_OK;
    }
    r->parallel_ns = (events / 2 + 1) * 1000;
}

static void synthetic_free(struct synthetic *s)
{
    exec_stats_reset(&s->graph);
    exec_stats_reset(&s->rec);
}

static void test_big_block_limits(void **state)
{
    (void)state;
    struct synthetic s;
    synthetic_make(&s, 5000, 20000);
    struct report_block b;
    memset(&b, 0, sizeof b);
    fill_timings(&b, 5000);
    b.label = "chain-high";
    b.dir = "/nowhere/chain-high";
    oracle_compute(&s.graph, NULL, &b.oracle);
    b.graph = &s.graph;
    b.recorded = &s.rec;
    b.recorded_threads = 2;
    struct report rep = {.title = "big", .reps = 1, .blocks = &b, .block_count = 1};
    char *html = render_html(&rep);
    check_page(html);
    /* Gantt: 20000 tasks merged into far fewer bars, and it says so */
    char *gantt = section(html, "<svg class=\"gantt\"", "</svg>");
    size_t bars = count_of(gantt, "<rect") - 2 - GC_COUNT;
    assert_true(bars <= REPORT_GANTT_MAX_BARS);
    assert_true(bars > 2 * 2); /* at least one bar per class and lane */
    assert_non_null(strstr(gantt, " x execution, tx "));
    free(gantt);
    assert_non_null(strstr(html, "drawn as one bar"));
    assert_non_null(strstr(html, "; no location made one transaction depend on another."));
    /* graph: binned; a chain has one arc between neighbouring bins */
    char *deps = section(html, "<svg class=\"deps\"", "</svg>");
    assert_int_equal(count_of(deps, "class=\"node\"") + count_of(deps, "class=\"ncrit\""), REPORT_GRAPH_BINS);
    assert_int_equal(count_of(deps, "class=\"arc\""), REPORT_GRAPH_BINS - 1);
    assert_int_equal(count_of(deps, "class=\"crit\""), REPORT_GRAPH_BINS - 1);
    assert_int_equal(count_of(deps, "class=\"ncrit\""), REPORT_GRAPH_BINS);
    free(deps);
    assert_non_null(strstr(html, "Sampled view: 5000 transactions grouped into 300 bins"));
    assert_non_null(strstr(html, "4999 dependencies"));
    free(html);
    cJSON *j = render_json(&rep);
    cJSON *blk = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "blocks"), 0);
    cJSON *cp = cJSON_GetObjectItem(cJSON_GetObjectItem(blk, "graph"), "critical_path");
    assert_int_equal(cJSON_GetArraySize(cp), 5000); /* the whole chain */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(blk, "schedule"), "events")),
                     20000);
    assert_string_equal(cJSON_GetObjectItem(blk, "scenario")->valuestring, "chain");
    cJSON_Delete(j);
    synthetic_free(&s);
}

/* Many dependencies between many bins: only the heaviest arcs drawn. */
static void test_arc_limit(void **state)
{
    (void)state;
    struct synthetic s;
    synthetic_make(&s, 3000, 10);
    struct exec_stats *g = &s.graph;
    /* every transaction also reads tx (i * 7) % i: arcs of every length */
    for (size_t i = 2; i < g->tx_count; i++) {
        uint32_t *d = realloc(g->deps[i], 2 * sizeof *d);
        assert_non_null(d);
        g->deps[i] = d;
        d[0] = (uint32_t)((i * 7919) % (i - 1));
        d[1] = (uint32_t)(i - 1);
        g->dep_counts[i] = d[0] == d[1] ? 1 : 2;
    }
    struct report_block b;
    memset(&b, 0, sizeof b);
    fill_timings(&b, 3000);
    b.label = "wide";
    b.dir = "wide";
    b.graph = g;
    struct report rep = {.title = "arcs", .reps = 1, .blocks = &b, .block_count = 1};
    char *html = render_html(&rep);
    check_page(html);
    char *deps = section(html, "<svg class=\"deps\"", "</svg>");
    assert_int_equal(count_of(deps, "class=\"arc\""), REPORT_GRAPH_MAX_ARCS);
    free(deps);
    assert_non_null(strstr(html, "heaviest of"));
    /* no recorded run: said instead of a chart */
    assert_non_null(strstr(html, "No recorded parallel run."));
    assert_null(strstr(html, "<svg class=\"gantt\""));
    free(html);
    synthetic_free(&s);
}

/* The summary: an aggregate row, an error row, scenario grouping. */
static void test_summary_and_errors(void **state)
{
    (void)state;
    struct report_block b[3];
    memset(b, 0, sizeof b);
    fill_timings(&b[0], 10);
    b[0].label = "amm-low";
    b[0].dir = "x/amm-low";
    fill_timings(&b[1], 10);
    b[1].label = "amm-high";
    b[1].dir = "x/amm-high";
    b[1].par_ms[1] = 20;
    b[2].label = "broken";
    b[2].dir = "x/broken";
    b[2].error = "pre_state.json: bad \"balance\" <field>";
    struct report rep = {.title = "sum", .reps = 5, .blocks = b, .block_count = 3};
    char *html = render_html(&rep);
    check_page(html);
    assert_int_equal(count_of(html, "<svg class=\"speedup\""), 2); /* amm, broken */
    assert_non_null(strstr(html, "amm: speedup vs threads"));
    assert_int_equal(count_of(html, "class=\"measured\""), 2); /* both amm blocks in one chart */
    assert_non_null(strstr(html, "error: pre_state.json: bad &quot;balance&quot; &lt;field&gt;"));
    assert_non_null(strstr(html, "<td>1.67x</td>")); /* 10 / 6 */
    assert_non_null(strstr(html, "all (time-weighted)"));
    /* aggregate at P=2: 20 ms seq / 26 ms par */
    assert_non_null(strstr(html, "<td class=\"grp\">26.000</td><td>0.77x</td>"));
    free(html);
    cJSON *j = render_json(&rep);
    cJSON *blocks = cJSON_GetObjectItem(j, "blocks");
    assert_int_equal(cJSON_GetArraySize(blocks), 3);
    cJSON *bad = cJSON_GetArrayItem(blocks, 2);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(bad, "ok")));
    assert_string_equal(cJSON_GetObjectItem(bad, "error")->valuestring,
                        "pre_state.json: bad \"balance\" <field>");
    cJSON_Delete(j);
}

/* The build and machine paragraph, the repetitions' spread under each
 * time, Mgas/s and the ceiling column: shown when the caller gives them,
 * absent otherwise; the JSON carries the same values. */
static void test_machine_spread_ceiling(void **state)
{
    (void)state;
    struct report_block b[2];
    memset(b, 0, sizeof b);
    fill_timings(&b[0], 10);
    b[0].label = "erc20-low";
    b[0].dir = "x/erc20-low";
    b[0].seq_min_ms = 9;
    b[0].seq_max_ms = 12.5;
    b[0].par_min_ms[1] = 5.5;
    b[0].par_max_ms[1] = 7;
    b[0].ceiling[1] = 1.6;
    fill_timings(&b[1], 10);
    b[1].label = "erc20-high";
    b[1].dir = "x/erc20-high";
    b[1].seq_min_ms = 8;
    b[1].seq_max_ms = 11;
    b[1].par_min_ms[1] = 5;
    b[1].par_max_ms[1] = 8;
    b[1].ceiling[1] = 2;
    struct machine_info m;
    memset(&m, 0, sizeof m);
    snprintf(m.cpu_model, sizeof m.cpu_model, "Test <CPU> \"9000\"");
    m.cpus_online = 8;
    m.cpus_usable = 4;
    snprintf(m.kernel, sizeof m.kernel, "Linux 6.1");
    m.load_before[0] = 0.5, m.load_before[1] = 0.25, m.load_before[2] = 0.125;
    m.load_after[0] = m.load_after[1] = m.load_after[2] = -1;
    struct report rep = {.title = "m",
                         .reps = 3,
                         .version = "0.1.0",
                         .commit = "abc123-dirty",
                         .machine = &m,
                         .blocks = b,
                         .block_count = 2};
    char *html = render_html(&rep);
    check_page(html);
    assert_non_null(strstr(html, "<b>Build</b>: parevm 0.1.0, commit abc123-dirty."));
    assert_non_null(
        strstr(html, "<b>Machine</b>: Test &lt;CPU&gt; &quot;9000&quot;, 8 CPUs online (4 usable"));
    assert_non_null(strstr(html, "<b>0.50 0.25 0.12</b> before the run, <b>unknown</b> after"));
    /* seq: median 10 with 9-12.5 under it; 12345678 gas in 10 ms */
    assert_non_null(strstr(html, "<td>10.000<span class=\"spread\""));
    assert_non_null(strstr(html, ">9.000&ndash;12.500</span></td><td>1234.6</td>"));
    /* P=2: 6 ms (5.5-7), 1.67x, bound 1.80, 2057.6 Mgas/s, ceiling 1.60 */
    assert_non_null(strstr(html, ">5.500&ndash;7.000</span></td><td>1.67x</td><td>1.80</td><td>2057.6</td>"
                                 "<td>1.60</td>"));
    assert_non_null(strstr(html, "<th colspan=\"5\" class=\"grp\">P = 2</th>"));
    /* P=1 has no ceiling; the aggregate's: 2 x 20 ms / (12.5 + 10 ms) of concurrent runs */
    assert_non_null(strstr(html, "<td>-</td>"));
    assert_non_null(strstr(html, "<td>1.78</td>"));
    /* the aggregate spread: minima and maxima summed */
    assert_non_null(strstr(html, ">17.000&ndash;23.500</span>"));
    free(html);

    cJSON *j = render_json(&rep);
    cJSON *parevm = cJSON_GetObjectItem(j, "parevm");
    assert_string_equal(cJSON_GetObjectItem(parevm, "commit")->valuestring, "abc123-dirty");
    cJSON *mj = cJSON_GetObjectItem(j, "machine");
    assert_string_equal(cJSON_GetObjectItem(mj, "cpu_model")->valuestring, "Test <CPU> \"9000\"");
    assert_int_equal(cJSON_GetObjectItem(mj, "cpus_usable")->valueint, 4);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(mj, "load_before")), 3);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(mj, "load_after")));
    cJSON *b0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "blocks"), 0);
    assert_true(cJSON_GetObjectItem(b0, "seq_min_ms")->valuedouble == 9);
    assert_true(cJSON_GetObjectItem(b0, "seq_max_ms")->valuedouble == 12.5);
    cJSON *runs = cJSON_GetObjectItem(b0, "runs");
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 0), "ceiling"));
    cJSON *p2 = cJSON_GetArrayItem(runs, 1);
    assert_true(cJSON_GetObjectItem(p2, "min_ms")->valuedouble == 5.5);
    assert_true(cJSON_GetObjectItem(p2, "max_ms")->valuedouble == 7);
    assert_true(cJSON_GetObjectItem(p2, "ceiling")->valuedouble == 1.6);
    assert_true(fabs(cJSON_GetObjectItem(p2, "mgas_per_s")->valuedouble - 2057.613) < 0.001);
    cJSON_Delete(j);

    /* a host already as loaded as its usable CPUs says so */
    html = render_html(&rep);
    assert_null(strstr(html, "Busy host"));
    free(html);
    m.load_before[0] = 4;
    html = render_html(&rep);
    assert_non_null(strstr(html, "<b class=\"busy\">Busy host</b>"));
    free(html);

    /* without them: no machine paragraph, no spread, no ceiling column */
    rep.version = rep.commit = NULL;
    rep.machine = NULL;
    memset(b[0].ceiling, 0, sizeof b[0].ceiling);
    memset(b[1].ceiling, 0, sizeof b[1].ceiling);
    b[0].seq_min_ms = b[0].seq_max_ms = b[1].seq_min_ms = b[1].seq_max_ms = 0;
    memset(b[0].par_max_ms, 0, sizeof b[0].par_max_ms);
    memset(b[1].par_max_ms, 0, sizeof b[1].par_max_ms);
    html = render_html(&rep);
    check_page(html);
    assert_null(strstr(html, "<b>Machine</b>"));
    assert_null(strstr(html, "class=\"spread\""));
    assert_null(strstr(html, ">ceil</th>"));
    assert_non_null(strstr(html, "<th colspan=\"4\" class=\"grp\">P = 2</th>"));
    free(html);
    j = render_json(&rep);
    assert_null(cJSON_GetObjectItem(j, "machine"));
    assert_null(cJSON_GetObjectItem(j, "parevm"));
    cJSON_Delete(j);
}

static void test_names_and_paths(void **state)
{
    (void)state;
    char s[64];
    report_scenario("amm-low", s, sizeof s);
    assert_string_equal(s, "amm");
    report_scenario("supply-chain-high", s, sizeof s);
    assert_string_equal(s, "supply-chain");
    report_scenario("19933597", s, sizeof s);
    assert_string_equal(s, "mainnet");
    report_scenario("plain", s, sizeof s);
    assert_string_equal(s, "plain");
    report_scenario("-x", s, sizeof s);
    assert_string_equal(s, "-x");
    report_scenario("", s, sizeof s);
    assert_string_equal(s, "");
    report_json_path("out/parevm-report.html", s, sizeof s);
    assert_string_equal(s, "out/parevm-report.json");
    report_json_path("report", s, sizeof s);
    assert_string_equal(s, "report.json");
    u256 slot = u256_from_u64(0x1a);
    char hex[67];
    report_slot_hex(&slot, hex);
    assert_string_equal(hex, "0x1a");
    slot = u256_zero();
    report_slot_hex(&slot, hex);
    assert_string_equal(hex, "0x0");
    slot = u256_from_u64(0x100);
    report_slot_hex(&slot, hex);
    assert_string_equal(hex, "0x100");
}

static void test_write_errors(void **state)
{
    (void)state;
    struct report rep = {.title = "x", .reps = 1, .blocks = NULL, .block_count = 0};
    char err[256] = "";
    assert_int_equal(report_write_files(&rep, "/nonexistent-dir/r.html", NULL, err, sizeof err),
                     PAREVM_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent-dir/r.html"));
    assert_int_equal(report_write_html(NULL, stdout), PAREVM_ERR_ARG);
    assert_int_equal(report_write_json(&rep, NULL), PAREVM_ERR_ARG);
    /* an empty report is still a valid page and document */
    char dir[] = "/tmp/parevm-test-report-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char html[128], json[128];
    snprintf(html, sizeof html, "%s/r.html", dir);
    snprintf(json, sizeof json, "%s/r.json", dir);
    assert_int_equal(report_write_files(&rep, html, NULL, err, sizeof err), PAREVM_OK);
    struct stat st;
    assert_int_equal(stat(json, &st), 0);
    assert_true(st.st_size > 10);
    unlink(html);
    unlink(json);
    rmdir(dir);
}

/* ---- the access-list-driven engine (bench --engine seq,stm,bal) ---- */

/* A real block's list drives a recorded 2-thread run: the page gets the
 * three-engine table (the list's size, both engines against their
 * bounds) and the driven run's schedule, one bar per transaction; the
 * JSON carries the same. A run the list could not drive shows why. */
static void test_access_list_engines(void **state)
{
    (void)state;
    char dir[1100];
    struct chain_config cfg;
    struct mainnet_fixture fx;
    load_block("19933612", dir, &cfg, &fx); /* Cancun, 130 transactions */

    /* the list, from a sequential run; then a run it drives, recorded */
    struct bal list;
    bal_init(&list);
    struct block_result r;
    struct world w;
    struct exec_options record = {.threads = 1, .bal = &list};
    assert_int_equal(world_clone(&fx.pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &fx.block, &w, &fx.hashes, &record, &r, NULL), PAREVM_OK);
    assert_false(r.invalid);
    block_result_free(&r);
    world_free(&w);
    struct exec_stats driven;
    memset(&driven, 0, sizeof driven);
    struct exec_options two = {.threads = 2, .force = true, .drive = &list, .record = true};
    assert_int_equal(world_clone(&fx.pre, &w), PAREVM_OK);
    assert_int_equal(exec_block_parallel(&cfg, &fx.block, &w, &fx.hashes, &two, &r, &driven), PAREVM_OK);
    block_result_free(&r);
    world_free(&w);
    if (!driven.bal_driven)
        fail_msg("the list did not drive block 19933612: %s", driven.bal_why);
    /* every transaction ran once, on one of the two workers, inside the phase */
    const struct par_record *sch = &driven.record;
    assert_int_equal(sch->event_count, fx.block.tx_count);
    assert_int_equal(sch->hot_count, 0);
    bool *seen = calloc(fx.block.tx_count, sizeof *seen);
    assert_non_null(seen);
    for (size_t k = 0; k < sch->event_count; k++) {
        const struct par_event *e = &sch->events[k];
        assert_true(e->tx < fx.block.tx_count);
        assert_false(seen[e->tx]);
        seen[e->tx] = true;
        assert_int_equal(e->kind, PAR_EV_EXECUTE);
        assert_int_equal(e->outcome, PAR_EV_OK);
        assert_true(e->thread < 2);
        assert_true(e->start_ns <= e->end_ns && e->end_ns <= sch->parallel_ns);
    }
    free(seen);

    struct report_block b[2];
    memset(b, 0, sizeof b);
    for (int i = 0; i < 2; i++) {
        fill_timings(&b[i], fx.block.tx_count);
        b[i].has_bal = true;
        b[i].dir = dir;
        b[i].recorded_threads = 2;
        bal_measure(&list, &b[i].bal_size);
        b[i].bal_bytes = 4321;
        b[i].bal_cap = bal_item_cap(fx.block.header.gas_limit);
        b[i].bal_ms[0] = 12.5;
        b[i].bal_ms[1] = 5;
        b[i].bal_bound[0] = 1;
        b[i].bal_bound[1] = 1.6;
    }
    b[0].label = "19933612";
    b[0].bal_recorded = &driven;
    /* the second: its list did not hold */
    struct exec_stats gave_up;
    memset(&gave_up, 0, sizeof gave_up);
    gave_up.bal_degraded = true;
    snprintf(gave_up.bal_why, sizeof gave_up.bal_why, "transaction 3 <changed> a nonce");
    b[1].label = "other";
    b[1].bal_degraded[1] = true;
    b[1].bal_recorded = &gave_up;
    struct report rep = {.title = "engines", .reps = 3, .blocks = b, .block_count = 2};
    char *html = render_html(&rep);
    check_page(html);
    assert_non_null(strstr(html, "<h2>Three engines: sequential, Block-STM, access-list-driven (EIP-7928)</h2>"));
    /* each block's list-driven speedup in its scenario's chart, and the legend's key */
    assert_int_equal(count_of(html, "<polyline class=\"balline\""), 2);
    assert_int_equal(count_of(html, "class=\"lg\">list-driven</text>"), 2);
    char *table = section(html, "<table class=\"summary engines\"", "</table>");
    char cells[160];
    snprintf(cells, sizeof cells, "<td>%zu</td><td>%zu</td><td>4321</td><td>%zu / %llu</td>", b[0].bal_size.accounts,
             b[0].bal_size.storage_keys, b[0].bal_size.items, (unsigned long long)b[0].bal_cap);
    assert_int_equal(count_of(table, cells), 2);
    /* P = 2: stm 10 / 6, its bound 1.8; bal 10 / 5 against 1.6 (125%) */
    assert_non_null(strstr(table, "<td class=\"grp\">1.67x</td><td>1.80</td><td>2.00x</td><td>1.60</td><td>125%</td>"));
    assert_non_null(strstr(table, "(d)</span>"));
    assert_non_null(strstr(table, "all (time-weighted)"));
    free(table);
    /* the driven run's schedule: a bar per transaction, two lane
     * backgrounds, the legend; the other block says why it has none */
    char *gantt = section(html, "<h3>Schedule of the access-list-driven run</h3><svg class=\"gantt\"", "</svg>");
    assert_int_equal(count_of(gantt, "<rect"), fx.block.tx_count + 2 + GC_COUNT);
    assert_int_equal(count_of(gantt, report_gantt_color[GC_ABORTED]), 1); /* the legend's alone */
    free(gantt);
    assert_int_equal(count_of(html, "<h3>Schedule of the access-list-driven run</h3>"), 1);
    assert_non_null(strstr(html, "Recorded access-list-driven run at 2 threads"));
    assert_non_null(strstr(html, "The list did not drive the recorded run (it ran again without it): "
                                 "transaction 3 &lt;changed&gt; a nonce."));
    free(html);

    cJSON *j = render_json(&rep);
    cJSON *blocks = cJSON_GetObjectItem(j, "blocks");
    cJSON *bal0 = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 0), "bal");
    assert_non_null(bal0);
    cJSON *l = cJSON_GetObjectItem(bal0, "list");
    assert_int_equal(cJSON_GetObjectItem(l, "accounts")->valueint, b[0].bal_size.accounts);
    assert_int_equal(cJSON_GetObjectItem(l, "storage_keys")->valueint, b[0].bal_size.storage_keys);
    assert_int_equal(cJSON_GetObjectItem(l, "bytes")->valueint, 4321);
    cJSON *runs = cJSON_GetObjectItem(bal0, "runs");
    assert_int_equal(cJSON_GetArraySize(runs), 2);
    assert_true(fabs(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 1), "speedup")->valuedouble - 2.0) < 1e-9);
    cJSON *events = cJSON_GetObjectItem(cJSON_GetObjectItem(bal0, "schedule"), "events");
    assert_int_equal(cJSON_GetArraySize(events), fx.block.tx_count);
    cJSON *bal1 = cJSON_GetObjectItem(cJSON_GetArrayItem(blocks, 1), "bal");
    assert_null(cJSON_GetObjectItem(bal1, "schedule"));
    assert_string_equal(cJSON_GetObjectItem(bal1, "degraded")->valuestring, "transaction 3 <changed> a nonce");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(bal1, "runs"), 1),
                                                 "degraded")));
    cJSON_Delete(j);

    exec_stats_reset(&driven);
    bal_free(&list);
    mainnet_fixture_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_block),
        cmocka_unit_test(test_big_block_limits),
        cmocka_unit_test(test_arc_limit),
        cmocka_unit_test(test_summary_and_errors),
        cmocka_unit_test(test_names_and_paths),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_machine_spread_ceiling),
        cmocka_unit_test(test_access_list_engines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
