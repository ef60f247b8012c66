/**
 * @file gen.h
 * @brief The generator loop's steps (one lcore, one TX queue): called by the
 *        lcore loops (lcore.c), directly.
 */
#pragma once

#include <stdint.h>

#include "engine/lcore.h"

/**
 * One generator step: the ARP/ND answers to send, then for each lane the
 * retries its collector asked for and a share of the new logical queries
 * the schedule says are due.
 * @return TSC when something is next due (UINT64_MAX when finished)
 */
uint64_t dv_gen_step(struct dv_gen *g, uint64_t now);

/** Send what the PMD still holds back (briefly), record the slips, set `finished`. */
void dv_gen_finish(struct dv_gen *g);
