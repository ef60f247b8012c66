/**
 * @file types.h
 * @brief The basic types every layer shares: address families, addresses,
 * questions, weighted lists and the run's fixed limits.
 *
 * The bottom of the house: it includes nothing of ours, so config, wire, net,
 * metrics and engine can all use it without climbing back up to the plan.
 */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define DV_FAMILY_V4 0 /**< index of IPv4 in per-family arrays */
#define DV_FAMILY_V6 1 /**< index of IPv6 in per-family arrays */
#define DV_FAMILIES 2

/** An IPv4 or IPv6 address. */
struct dv_addr {
	int family; /**< AF_INET, AF_INET6, or 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
};

/**
 * One line of a query file: a question in wire format. The length first:
 * the collector reads it with the name's first bytes, one line of a large
 * file's cold entry instead of two (docs/performance-log.md, "Late night,
 * 2026-12-05").
 */
struct dv_query {
	uint8_t qname_len;   /**< bytes used in qname (incl. root label) */
	uint16_t qtype;      /**< host order */
	uint8_t qname[255];  /**< owner name, uncompressed wire format */
};

/** The queries of a run, in file order; the generator cycles through them. */
struct dv_query_list {
	struct dv_query *q;
	size_t n;
};

#define DV_MAX_ATTEMPTS 8   /**< attempts per logical query */
#define DV_MAX_COLLECTORS 8 /**< collector lcores (one RX queue each) */
#define DV_MAX_GENERATORS 8 /**< generator lcores (one TX queue and one mbuf pool each) */
#define DV_MAX_LANES 16     /**< generator x collector pairs: one in-flight table and one sequence table each */
#define DV_MAX_PORTS 4      /**< --port, repeatable: generators and collectors are dealt over the ports */
#define DV_WEIGHTED_MAX 32  /**< entries of a weighted list */
#define DV_EDNS_NONE 0      /**< EDNS "size" meaning: no OPT record */

/** A weighted list, e.g. "4096:42.3,1232:23.5,none:1.4" (value = size, 0 = none) or "A:50,AAAA:50". */
struct dv_weighted {
	unsigned n;                    /**< 0 = not set */
	int value[DV_WEIGHTED_MAX];
	double weight[DV_WEIGHTED_MAX]; /**< > 0, any scale */
};
