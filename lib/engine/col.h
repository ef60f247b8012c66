/**
 * @file col.h
 * @brief The collector loop's steps (one lcore, one RX queue): called by the
 *        lcore loops (lcore.c), directly.
 */
#pragma once

#include <stdbool.h>

#include "engine/inflight.h"
#include "engine/lcore.h"
#include "wire/response.h"

/**
 * One collector step: a burst from its RX queue, what its peers handed over,
 * then fragment expiry, retry timers and (every 100 us) the timeout walk.
 * @return packets received (its queue and its inbox)
 */
unsigned dv_col_step(struct dv_col *c);

/** After the drain: take the last hand-overs, time out whatever is outstanding. */
void dv_col_finish(struct dv_col *c);

/**
 * Record an answer matched to its attempt (counters, latency, the attempt's
 * sequence): the UDP path's and TCP connections' (tcp_lane.c) one place.
 * @param reassembled the answer came in fragments
 */
void dv_col_answered(struct dv_col_lane *ln, const struct dv_match *m,
		     const struct dv_resp_info *ri, uint64_t now, bool reassembled);

/**
 * Count what matching a response found: an answer (dv_col_answered), a
 * duplicate, a late one or an unmatched one. ln and m are read only for an
 * answer.
 */
void dv_col_outcome(struct dv_col *c, struct dv_col_lane *ln, enum dv_outcome o,
		    const struct dv_match *m, const struct dv_resp_info *ri, uint64_t now,
		    bool reassembled);
