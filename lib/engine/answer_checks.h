/**
 * @file answer_checks.h
 * @brief The cheap compliance checks of every matched answer (issue 16),
 *        on the collector: a few compares of header fields the parser read
 *        anyway. The full battery (lib/check) runs off the hot path.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "metrics/counters.h"
#include "wire/frame_parse.h"
#include "wire/response.h"

/**
 * Which cheap check answer ri fails, as a bit set of (1 << enum dv_answer_violation).
 * @param offered the EDNS size the attempt offered (0: no OPT)
 * @param tcp     the answer came over TCP
 */
static inline unsigned dv_answer_violations(const struct dv_resp_info *ri, int offered, bool tcp)
{
	unsigned v = 0;
	if (ri->flags & DV_DNS_OPCODE)
		v |= 1u << DV_AV_OPCODE;
	if (!tcp && ri->msg_len > (offered > 512 ? offered : 512))
		v |= 1u << DV_AV_OVERSIZE;
	if (offered != 0 && ri->arcount == 0 && ri->rcode != 1)
		v |= 1u << DV_AV_NO_OPT;
	if (tcp && ri->tc)
		v |= 1u << DV_AV_TC_TCP;
	if (ri->rcode == 1 || ri->rcode == 4)
		v |= 1u << DV_AV_REJECTED;
	return v;
}
