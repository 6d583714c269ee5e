/*
 * report internals shared by report.c and its unit test
 * (tests/test_report.c, which forces the size limits both ways and checks
 * the colours of the Gantt bars). Not part of report.h's contract.
 */
#ifndef PAREVM_TOOLS_REPORT_INTERNAL_H
#define PAREVM_TOOLS_REPORT_INTERNAL_H

#include "../base/types.h"
#include "../base/u256.h"

/* Size limits (report.c's opening comment says what each bounds). */
#define REPORT_GANTT_DETAIL 1500
#define REPORT_GANTT_MAX_BARS 1500
#define REPORT_GRAPH_DETAIL 300
#define REPORT_GRAPH_BINS 300
#define REPORT_GRAPH_MAX_ARCS 600
#define REPORT_HOT_ROWS 12
#define REPORT_JSON_HOT 100

/* Gantt bar classes, drawn in this order (problems on top), and their
 * fill colours. */
enum gantt_class { GC_EXEC, GC_VALIDATE, GC_SUPERSEDED, GC_BLOCKED, GC_ABORTED, GC_COUNT };
extern const char *const report_gantt_color[GC_COUNT];

/* Minimal hex of a storage slot ("0x0" for zero, "0xa", not "0x0a"). */
void report_slot_hex(const u256 *slot, char out[67]);
/* An address as 0x + 40 hex digits. */
void report_address_hex(const address *a, char out[43]);

#endif
