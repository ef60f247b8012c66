/**
 * @file instance.h
 * @brief One run over many generator hosts (--instance K/N, --start-at).
 *
 * Each host runs its instance with the whole run's settings; --instance K/N
 * makes it send its share: 1/N of the rate (a ramp's ends, --max-queries),
 * slice K of 2^ceil(log2 N) of each --src range, and the generated names
 * numbered K-1, K-1+N, K-1+2N, ... so that no two hosts ask the same name.
 * --start-at gives every host the same wall-clock time for its first query
 * (hosts synchronised by NTP or PTP); `dnsvolley merge` adds their results.
 */
#pragma once

#include "config/plan.h"

#define DV_INSTANCES_MAX 1024
#define DV_START_AT_MAX_S 86400.0 /**< --start-at at most a day ahead */

/**
 * Apply --instance K/N to the plan once every setting is in (after the
 * rate mode is known): its share of the rate and --max-queries, its slice of
 * each --src range. Nothing to do without --instance.
 * @return 0, or -EINVAL after one line saying why
 */
int dv_instance_finish(struct dv_plan *p);
