/**
 * @file text.h
 * @brief Human-readable output: dnsperf-style Statistics block and status lines.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "config/plan.h"
#include "metrics/result.h"

/**
 * Print the final report in dnsperf's layout ("Statistics:", "Queries sent:",
 * "Queries completed:", "Queries lost:", "Response codes:", ...), extended with
 * per-family lines, latency percentiles (p50/p90/p99/p99.9) and dnsvolley's
 * extra counters (late, duplicate, unmatched, truncated, send failures).
 *
 * When r->sequences is set, the outcomes of logical queries follow: "Logical
 * queries:", "Answered on attempt:", "Sequence length:", "First two attempts:",
 * "Gap between attempts (ms):"; and, with sequences or more than one EDNS
 * size, "By EDNS size and family:". Rows that would be all zero are left out.
 * docs/sequences.md explains every table.
 *
 * When dv_result_has_frag_report(): "Fragments:", "ICMP errors:" and
 * "Failure rate by family, EDNS size and response size:" with one summary
 * line per (family, EDNS size) whose largest response-size class failed, e.g.
 * "IPv6, EDNS 4096, large responses: 41.2% failed (38.0% lost fragment)".
 * docs/fragments.md explains them.
 */
void dv_report_text(FILE *f, const struct dv_plan *plan, const struct dv_result *r);

/**
 * One status line for an interval, e.g.
 * "[  3.0s] sent 20000 (20000 qps / target 20000) answered 19998 timeouts 0 p50 61us p99 140us
 * frags 0 left 2.0s"; over TCP (iv->transport) "... frags 0 conns 12 left 2.0s", the
 * connections open at the interval's end (iv->tcp_open)
 * @param elapsed_s seconds since the start of the run, at the end of the interval
 * @param left_s sending time left; < 0 while draining (after sending)
 * @param tty on a terminal: "\r" + erase and no newline, so the line updates in place
 * @param iv the interval's counters (deltas), with since/until set
 */
void dv_report_status_line(FILE *f, double elapsed_s, double left_s, bool tty,
			   const struct dv_result *iv);
