/**
 * @file track.h
 * @brief --track-answers: collectors sample matched answers (col.c, at most
 *        N a second), the main lcore parses them into the consistency
 *        tracker. The buffers circulate between two SPSC rings per
 *        collector; the feature row (setup, tick, collect, release) is in
 *        features/table.c.
 */
#pragma once

#include <stdint.h>

#include "metrics/consistency.h"

#define DV_TRACK_SLOTS 256      /**< --track-answers: sample buffers per collector */
#define DV_TRACK_MSG_MAX DV_CONS_MSG_MAX /**< a sampled DNS message larger than this is counted, not kept */

/**
 * One sampled answer on its way to the main lcore (--track-answers). The
 * buffers are allocated at start and circulate between two SPSC rings: the
 * collector takes one from `free`, fills it and puts it on `full`; the main
 * lcore parses it and puts it back on `free`. Owned by whoever dequeued it.
 */
struct dv_sample {
	uint64_t rx_tsc;                 /**< receive time */
	uint16_t len;                    /**< bytes of msg used */
	uint8_t msg[DV_TRACK_MSG_MAX];   /**< the DNS message */
};

struct dv_col;
struct dv_resp_info;

/**
 * On the collector: copy matched answer ri for the main lcore's tracker, at
 * most the configured number a second (a drop, never a wait, when no buffer
 * is free). Hot path: no allocation, lock or syscall.
 */
void dv_track_sample(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now);
