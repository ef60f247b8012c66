/**
 * @file rto.h
 * @brief The retransmission timeout of one connection, by RFC 6298.
 *
 * SRTT and RTTVAR are kept in ticks scaled by 8 and 4 (3 and 2 fractional
 * bits), so the RFC's alpha = 1/8 and beta = 1/4 are shifts and the
 * estimator needs no floating point:
 *   first sample R:  SRTT = R, RTTVAR = R/2
 *   later R:         RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|  (with the old SRTT)
 *                    SRTT = 7/8 SRTT + 1/8 R
 *   RTO = SRTT + max(G, 4 RTTVAR), then clamped to [min, max]
 * and each expiry doubles the RTO (capped at max) until a new sample
 * replaces it. Callers apply Karn's rule: no sample from a retransmitted
 * segment.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/** The table-wide limits, in ticks. */
struct dv_tcp_rto_limits {
	uint64_t init;        /**< RTO before the first sample (RFC 6298: 1 s) */
	uint64_t min;         /**< lower bound of a computed RTO (RFC 6298: 1 s) */
	uint64_t max;         /**< upper bound, also of the backoff (RFC 6298: >= 60 s) */
	uint64_t granularity; /**< G, the clock's (here the timer wheel's) granularity */
};

/** One connection's estimator. */
struct dv_tcp_rto {
	uint64_t srtt8;   /**< 8 * SRTT */
	uint64_t rttvar4; /**< 4 * RTTVAR */
	uint64_t rto;     /**< the current RTO, backoff included */
	bool measured;    /**< a sample was taken */
};

/** Start without a sample: RTO = the initial RTO (clamped to [min, max]). */
void dv_tcp_rto_init(struct dv_tcp_rto *r, const struct dv_tcp_rto_limits *l);

/** Take one round-trip time sample (ticks) and compute the RTO from it. */
void dv_tcp_rto_sample(struct dv_tcp_rto *r, uint64_t rtt, const struct dv_tcp_rto_limits *l);

/** The timer expired: double the RTO, at most max (RFC 6298 5.5). */
void dv_tcp_rto_backoff(struct dv_tcp_rto *r, const struct dv_tcp_rto_limits *l);

/** Set the RTO to a value (clamped), keeping the estimator (RFC 6298 5.7's 3 s after a lost SYN). */
void dv_tcp_rto_set(struct dv_tcp_rto *r, uint64_t rto, const struct dv_tcp_rto_limits *l);
