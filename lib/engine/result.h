/**
 * @file result.h
 * @brief The result of a run, made from the lcores' states once they have
 *        stopped (and, for the interval lines, while they run), and handed
 *        to the report.
 */
#pragma once

#include "engine/session.h"
#include "metrics/counters.h"

/** What the variant indexes and attempt numbers of a result mean, and which tables it has. */
void dv_session_describe(struct dv_result *r, const struct dv_session *s);

/** TCP connections open now, all collectors (each publishes its own count; 0 over UDP). */
uint64_t dv_session_tcp_open(const struct dv_session *s);

/** Merge the generators', collectors', ports' and features' counts into res. */
void dv_session_result(struct dv_session *s, struct dv_result *res);
