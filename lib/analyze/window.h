/**
 * @file window.h
 * @brief The open sequences of a capture, streamed: a sequence (the queries
 *        for one name and type) closes when no query for it came for the
 *        quiet time, and goes into the tables; memory is bounded by the
 *        window (the sequences open at once), not by the capture.
 *
 * A hash table (open addressing, linear probing, backward-shift deletion)
 * finds a sequence by its key; a list in order of last query finds the
 * quiet ones. Both are sized once. When the window is full, the sequence
 * quiet for longest closes early (counted).
 */
#pragma once

#include <stdint.h>

#include "analyze/tables.h"

/** One open sequence. */
struct dv_an_open {
	uint64_t key;            /**< hash of its name and type */
	uint64_t first_ns, last_ns, gap12_ns;
	uint32_t queries;
	uint32_t prev, next;     /**< the list by last query (UINT32_MAX: none) */
	uint8_t fam[2], fams;
	uint8_t udp_seen, udp_then_tcp;
};

/** The window. */
struct dv_an_window {
	struct dv_an_open *e;
	uint32_t cap, n;
	uint32_t *slot;          /**< entry index + 1, 0 = empty */
	uint32_t mask;
	uint32_t oldest, newest; /**< the list's ends */
	uint32_t free_top;       /**< free entries are a stack in e[].next */
	uint64_t quiet_ns;
};

/** Size a window of cap open sequences. @return 0 or -ENOMEM */
int dv_an_window_init(struct dv_an_window *w, uint32_t cap, uint64_t quiet_ns);

/** Release it. */
void dv_an_window_free(struct dv_an_window *w);

/** The key of a query's sequence (its name and type). */
uint64_t dv_an_key(const struct dv_seen_query *q);

/**
 * A query at ts_ns: sequences quiet since before ts_ns - quiet close first
 * (into t), then the query joins its sequence or opens one. Captures are in
 * time order; a packet earlier than the last counts as at the last.
 */
void dv_an_window_add(struct dv_an_window *w, struct dv_an_tables *t, const struct dv_seen_query *q,
		      uint64_t ts_ns);

/** Close every open sequence (the end of the capture). */
void dv_an_window_flush(struct dv_an_window *w, struct dv_an_tables *t);
