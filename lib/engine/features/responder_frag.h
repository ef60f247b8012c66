/**
 * @file responder_frag.h
 * @brief The embedded responder's fragments: answers fragmented at
 *        frag-mtu (drop-frag drops some on purpose) and frag-flood's sets.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "engine/features/responder.h"

struct rte_mbuf;

/** Fragments one answer may be cut into (out of dv_resp_fragment() needs room for them). */
#define DV_MAX_FRAGS 64

/** Do frag-mtu and drop-frag apply to this family (AF_INET, AF_INET6)? */
bool dv_resp_frag_family(const struct dv_impair_plan *ip, int family);

/**
 * Fragment answer frame m at the plan's MTU, drop the fragments the plan
 * says, put the rest into out (at most room). Consumes m.
 * @return fragments to send
 */
unsigned dv_resp_fragment(struct dv_resp *r, struct rte_mbuf *m, int family, struct rte_mbuf **out,
			  unsigned room);

/** frag-flood: remember the first query's headers (the flood goes back along its path). */
void dv_resp_flood_note(struct dv_resp *r, const uint8_t *d, uint32_t len);

/** frag-flood: send its next burst, as much as the answer ring takes. */
void dv_resp_flood_step(struct dv_resp *r);
