/**
 * @file col.h
 * @brief The collector loop's steps (one lcore, one RX queue): called by the
 *        lcore loops (lcore.c), directly.
 */
#pragma once

#include "engine/lcore.h"

/**
 * One collector step: a burst from its RX queue, what its peers handed over,
 * then fragment expiry, retry timers and (every 100 us) the timeout walk.
 * @return packets received (its queue and its inbox)
 */
unsigned dv_col_step(struct dv_col *c);

/** After the drain: take the last hand-overs, time out whatever is outstanding. */
void dv_col_finish(struct dv_col *c);
