/**
 * @file match.h
 * @brief Which query a response answers: slot by (port, ID), then source, family, question.
 */
#pragma once

#include "config/plan.h"
#include "engine/inflight.h"
#include "engine/qsource.h"
#include "wire/response.h"

/**
 * Match a parsed DNS response to the query it answers.
 *
 * The in-flight slot comes from (destination port, DNS ID); the response then
 * must be a response (QR=1), come from the target of the query's family, and
 * repeat the attempt's question (type exactly, name case-insensitively, since
 * some servers and middleboxes change 0x20 case). Anything else is
 * DV_OUT_UNMATCHED, so a stray or spoofed packet is never counted as an answer.
 * Does not change state: on DV_OUT_ANSWERED the caller records it with
 * dv_inflight_answer().
 *
 * @param target targets by DV_FAMILY_* (the plan's)
 * @return DV_OUT_ANSWERED, DV_OUT_DUPLICATE, DV_OUT_LATE or DV_OUT_UNMATCHED
 */
enum dv_outcome dv_match_response(const struct dv_inflight *ifl, const struct dv_qsource *qs,
				  const struct dv_addr target[DV_FAMILIES],
				  const struct dv_resp_info *ri, struct dv_match *m);

/**
 * Match an answer that came over TCP to the query `seq` its connection sent
 * with that ID: the connection's 4-tuple already says it came from the
 * target; it must be a response (QR=1) and repeat the question.
 * @return as dv_match_response()
 */
enum dv_outcome dv_match_tcp_answer(const struct dv_inflight *ifl, const struct dv_qsource *qs,
				    uint64_t seq, const struct dv_resp_info *ri, struct dv_match *m);
