/**
 * @file tables.h
 * @brief The tables of a capture (dnsvolley analyze), as APNIC's measurement
 *        of 2023 made them from what a dual-stack authoritative server saw:
 *        query sequences per unique name and type, the first two queries'
 *        families and the gap between them, EDNS sizes per family, DO, the
 *        transport, queries per source address.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "analyze/packet.h"
#include "core/types.h"

#define DV_AN_SEQ_MAX 16           /**< sequence lengths counted one by one; longer ones in the last cell */
#define DV_AN_GAP_BIN_NS 1000000u  /**< the gap histogram's bins: 1 ms */
#define DV_AN_GAP_BINS 10000u      /**< up to 10 s; longer gaps are counted apart */
#define DV_AN_EDNS_NONE 65536u     /**< the EDNS table's cell for queries without an OPT */
#define DV_AN_SRC_BUCKETS 8        /**< queries per source: 1, 2-9, 10-99, ... 10^6+ */
#define DV_AN_CLUSTERS_MAX 8
#define DV_AN_EDNS_TOP 8           /**< EDNS sizes shown per family (the most used) */

/** A sequence once it closed (the quiet time passed, or the capture ended). */
struct dv_an_seq {
	uint32_t queries;          /**< its length */
	uint8_t fam[2];            /**< the first two queries' families (fam[1] valid when queries >= 2) */
	uint8_t fams;              /**< bit per family seen */
	bool udp_then_tcp;         /**< a query over UDP, then one over TCP */
	uint64_t gap12_ns;         /**< between its first two queries */
};

/** A cluster of the first-two gaps: a peak of the histogram and the gaps around it. */
struct dv_an_cluster {
	double center_ms;          /**< the peak's bin (ms) */
	double lo_ms, hi_ms;       /**< the bins it spans */
	uint64_t count;            /**< gaps in them */
};

/** Everything the tables count. */
struct dv_an_tables {
	/* packets */
	uint64_t packets, kinds[DV_SEEN_KINDS];
	uint64_t queries[DV_FAMILIES], queries_tcp[DV_FAMILIES];
	uint64_t responses_tc;
	uint64_t first_ns, last_ns;
	/* sequences */
	uint64_t sequences, closed_early; /**< closed early: the window was full */
	uint64_t seq_len[DV_AN_SEQ_MAX + 1];   /**< [n]: sequences of n queries (n >= 1) */
	uint64_t first_two[DV_FAMILIES][DV_FAMILIES];
	uint64_t start[DV_FAMILIES];           /**< sequences by their first query's family */
	uint64_t only[DV_FAMILIES];            /**< sequences in one family alone */
	uint64_t udp_then_tcp;
	uint64_t gap[DV_AN_GAP_BINS];          /**< first-two gaps, 1 ms bins */
	uint64_t gap_over;                     /**< longer than the bins */
	/* EDNS per query and family: [fam][size] (DV_AN_EDNS_NONE: no OPT) */
	uint64_t edns[DV_FAMILIES][DV_AN_EDNS_NONE + 1];
	uint64_t dnssec_ok[DV_FAMILIES];
	/* sources */
	uint64_t sources;                      /**< distinct source addresses */
	uint64_t src_buckets[DV_AN_SRC_BUCKETS];
	uint64_t sources_untracked;            /**< queries from sources beyond the table */
};

/** Count one captured packet's kind and, for a query, its EDNS, DO and transport. */
void dv_an_count_packet(struct dv_an_tables *t, enum dv_seen_kind k, const struct dv_seen_query *q,
			uint64_t ts_ns);

/** Add a closed sequence. */
void dv_an_add_sequence(struct dv_an_tables *t, const struct dv_an_seq *s);

/**
 * The clusters of the first-two gaps: bins that are the largest within
 * +-10 ms and hold at least 1 % of the gaps, each with the bins around it
 * down to a fifth of its height.
 * @return how many (at most max), largest first
 */
unsigned dv_an_clusters(const struct dv_an_tables *t, struct dv_an_cluster *out, unsigned max);

/**
 * The EDNS sizes family f offered, most used first (the text table's and
 * the plot's rows).
 * @param[out] size the sizes (DV_AN_EDNS_NONE: no OPT), room for max
 * @param[out] cnt  their queries, room for max
 * @return how many sizes the family used: more than max when some were left out
 */
unsigned dv_an_edns_top(const struct dv_an_tables *t, unsigned f, unsigned *size, uint64_t *cnt,
			unsigned max);

/** An EDNS size as the tables name it: "1232", or "none" for DV_AN_EDNS_NONE. */
void dv_an_edns_label(unsigned s, char *buf, size_t len);

/** The name of queries-per-source bucket i ("1", "2-9", ... "1000000+"). */
const char *dv_an_src_bucket_name(unsigned i);

/** The text tables. */
void dv_an_text(FILE *f, const struct dv_an_tables *t);

/** The JSON object (NULL: out of memory). */
json_t *dv_an_json(const struct dv_an_tables *t);
