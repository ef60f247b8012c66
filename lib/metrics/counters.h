/**
 * @file counters.h
 * @brief Per-lcore counters, made from the table in metrics/counters.def:
 *        the structs, their descriptors and their init, merge, snapshot and delta.
 *
 * Generator-side and collector-side counters are separate cache-aligned
 * structs so that each has exactly one writer, also when the roles run on
 * different lcores. The main lcore reads them (relaxed) for interval lines and
 * merges them after the lcores have stopped.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/judge.h"
#include "config/plan.h"
#include "metrics/hist.h"
#include "wire/icmp.h"
#include "wire/response.h"

/** EDNS variants a run can use: the sizes of the mix plus the ladder (0 = no OPT). */
#define DV_EDNS_VARIANTS (DV_WEIGHTED_MAX + DV_MAX_ATTEMPTS)

/** Response-size classes of the failure-rate table (DNS message bytes). */
enum dv_size_class {
	DV_SIZE_512 = 0,  /**< <= 512 */
	DV_SIZE_1232,     /**< <= 1232 */
	DV_SIZE_1452,     /**< <= 1452 */
	DV_SIZE_1472,     /**< <= 1472 */
	DV_SIZE_LARGE,    /**< larger */
	DV_SIZE_UNKNOWN,  /**< no response and no first fragment: size never seen */
	DV_SIZE_CLASSES
};

/** Class of a DNS message size. */
static inline enum dv_size_class dv_size_class_of(unsigned dns_len)
{
	return dns_len <= 512 ? DV_SIZE_512 : dns_len <= 1232 ? DV_SIZE_1232 :
	       dns_len <= 1452 ? DV_SIZE_1452 : dns_len <= 1472 ? DV_SIZE_1472 : DV_SIZE_LARGE;
}

/** Columns of the failure-rate table: how each attempt ended. Attempts = their sum. */
enum dv_fail_col {
	DV_FR_PLAIN = 0,  /**< answered, unfragmented */
	DV_FR_REASM,      /**< answered after reassembly */
	DV_FR_TC,         /**< answered with TC=1 (plain or reassembled) */
	DV_FR_LOST_FRAG,  /**< no answer; a fragment set of its response was lost (first fragment seen) */
	DV_FR_FRAG_DROP,  /**< no answer; its response came fragmented and --fragmented drop refused it */
	DV_FR_ICMP,       /**< no answer; an ICMP error quoting it arrived */
	DV_FR_TIMEOUT,    /**< no answer, nothing else known */
	DV_FR_COLS
};

/** Why a TCP attempt failed (the last one, for a logical query that failed over TCP). */
enum dv_tcp_fail {
	DV_TCPF_TIMEOUT = 0, /**< no answer before the attempt's timer */
	DV_TCPF_REFUSED,     /**< RST to our SYN */
	DV_TCPF_NO_SYNACK,   /**< the SYN's retransmissions ran out */
	DV_TCPF_RESET,       /**< reset by the server after the handshake */
	DV_TCPF_CLOSED,      /**< closed by the server before the answer */
	DV_TCPF_NOT_SENT,    /**< no connection for it (table full, no source port) */
	DV_TCPF_KINDS
};

/**
 * What the collector checks of every answer it matched, cheaply (issue 16):
 * the matcher already holds ID, QR, source and question to what was asked.
 */
enum dv_answer_violation {
	DV_AV_OPCODE = 0,  /**< another opcode than the query's (QUERY) */
	DV_AV_OVERSIZE,    /**< over UDP, larger than the size offered (512 without EDNS) */
	DV_AV_NO_OPT,      /**< the query had an OPT, the answer has no additional record (and is no FORMERR) */
	DV_AV_TC_TCP,      /**< TC set on an answer over TCP */
	DV_AV_REJECTED,    /**< FORMERR or NOTIMP to a well-formed standard query */
	DV_AV_KINDS
};

/** Columns of the failure table for attempts over TCP (row fail_tcp). */
enum dv_fail_tcp_col {
	DV_FRT_ANSWERED = 0, /**< answered over TCP */
	DV_FRT_FAILED,       /**< no answer over TCP (timer, refused, reset, ...) */
	DV_FRT_COLS
};

/*
 * Gaps between attempts to 0.1 ms (issue 12: an operator checks 376.8 ms
 * against 384, which the log-linear histogram's 6 % buckets cannot tell):
 * a linear table of 0.1 ms bins up to 6553.6 ms, longer than every re-query
 * profile's timers; a longer gap is in the histogram only.
 */
#define DV_GAP_FINE_NS 100000u
#define DV_GAP_FINE_BINS 65536u

#include "metrics/counters.def"

/* The C type of one element of each kind of row. */
#define DV_CTYPE_SUM uint64_t
#define DV_CTYPE_FIRST uint64_t
#define DV_CTYPE_LAST uint64_t
#define DV_CTYPE_MIN uint64_t
#define DV_CTYPE_MAX uint64_t
#define DV_CTYPE_HIST struct dv_hist
#define DV_CTYPE_EDNS struct dv_edns_rx
#define DV_CTYPE_SEQ struct dv_seq_stats
#define DV_CTYPE_FRAG struct dv_frag_stats
#define DV_CTYPE_TCP struct dv_tcp_stats

/** A row of counters.def as a struct field. */
#define DV_COUNTER_FIELD(kind, name, dims, unit, json) DV_CTYPE_##kind name dims;

/** Collector side of one (EDNS size, family) cell (DV_COUNTERS_EDNS). */
struct dv_edns_rx {
	DV_COUNTERS_EDNS(DV_COUNTER_FIELD)
};

/** Outcomes of logical queries (DV_COUNTERS_SEQ). */
struct dv_seq_stats {
	DV_COUNTERS_SEQ(DV_COUNTER_FIELD)
};

/** Fragments seen by a collector (DV_COUNTERS_FRAG). */
struct dv_frag_stats {
	DV_COUNTERS_FRAG(DV_COUNTER_FIELD)
};

/** TCP connections of a collector (DV_COUNTERS_TCP). */
struct dv_tcp_stats {
	DV_COUNTERS_TCP(DV_COUNTER_FIELD)
};

/** Written only by the generator role of one lcore (DV_COUNTERS_TX). */
struct dv_tx_stats {
	DV_COUNTERS_TX(DV_COUNTER_FIELD)
} __attribute__((aligned(64)));

/** Record one gap between attempts (single writer): the histogram and, if it fits, its 0.1 ms bin. */
static inline void dv_tx_gap_add(struct dv_tx_stats *tx, uint64_t ns)
{
	dv_hist_add(&tx->gap, ns);
	uint64_t b = ns / DV_GAP_FINE_NS;
	if (b < DV_GAP_FINE_BINS)
		dv_count_add(&tx->gap_fine[b], 1);
}

/** Written only by the collector role of one lcore (DV_COUNTERS_RX). */
struct dv_rx_stats {
	DV_COUNTERS_RX(DV_COUNTER_FIELD)
} __attribute__((aligned(64)));

/** Kinds of rows (see counters.def). */
enum dv_counter_kind {
	DV_COUNTER_SUM,
	DV_COUNTER_FIRST,
	DV_COUNTER_LAST,
	DV_COUNTER_MIN,
	DV_COUNTER_MAX,
	DV_COUNTER_HIST,
	DV_COUNTER_EDNS,
	DV_COUNTER_SEQ,
	DV_COUNTER_FRAG,
	DV_COUNTER_TCP,
};

/** One row of counters.def, as data: where the field is and what it is. */
struct dv_counter_desc {
	const char *name;          /**< field name and state key */
	const char *json;          /**< name in the JSON report, NULL when printed derived */
	const char *unit;
	enum dv_counter_kind kind;
	size_t off;                /**< offsetof the field */
	size_t size;               /**< sizeof the field (all its elements) */
};

/** The rows of one struct, in field order. */
struct dv_counter_group {
	const char *name;                  /**< "tx", "rx", "edns", "seq", "frag" */
	const struct dv_counter_desc *row;
	size_t n;
	size_t size;                       /**< sizeof the struct */
};

extern const struct dv_counter_group dv_counters_tx, dv_counters_rx, dv_counters_edns,
	dv_counters_seq, dv_counters_frag, dv_counters_tcp;

/** A row of counters.def as the member holding its JSON name. */
#define DV_COUNTER_NAME(kind, name, dims, unit, json) const char *name;

/*
 * The JSON name of each counter, by field: json.c writes
 * dv_tx_json.alloc_fail where the name is the row's, so that it is said once.
 */
struct dv_edns_names { DV_COUNTERS_EDNS(DV_COUNTER_NAME) };
struct dv_seq_names { DV_COUNTERS_SEQ(DV_COUNTER_NAME) };
struct dv_frag_names { DV_COUNTERS_FRAG(DV_COUNTER_NAME) };
struct dv_tcp_names { DV_COUNTERS_TCP(DV_COUNTER_NAME) };
struct dv_tx_names { DV_COUNTERS_TX(DV_COUNTER_NAME) };
struct dv_rx_names { DV_COUNTERS_RX(DV_COUNTER_NAME) };
extern const struct dv_edns_names dv_edns_json;
extern const struct dv_seq_names dv_seq_json;
extern const struct dv_frag_names dv_frag_json;
extern const struct dv_tcp_names dv_tcp_json;
extern const struct dv_tx_names dv_tx_json;
extern const struct dv_rx_names dv_rx_json;

/** Empty counters: zeros, UINT64_MAX for the MIN rows, empty histograms. */
void dv_tx_stats_init(struct dv_tx_stats *s);
void dv_rx_stats_init(struct dv_rx_stats *s);
void dv_edns_rx_init(struct dv_edns_rx *s);

/** dst += src, row by row as its kind says (SUM adds, FIRST/LAST/MIN/MAX keep the extreme). */
void dv_tx_stats_merge(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_merge(struct dv_rx_stats *dst, const struct dv_rx_stats *src);
/** dst += src for one (EDNS size, family) cell: min/max of the sizes. */
void dv_edns_rx_merge(struct dv_edns_rx *dst, const struct dv_edns_rx *src);
/** Relaxed-load copy of one cell, and one cell's interval (sizes: the run's so far when answered). */
void dv_edns_rx_snapshot(struct dv_edns_rx *dst, const struct dv_edns_rx *src);
void dv_edns_rx_delta(struct dv_edns_rx *dst, const struct dv_edns_rx *now,
		      const struct dv_edns_rx *before);

/** Relaxed-load copy of stats another lcore is writing. */
void dv_tx_stats_snapshot(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_snapshot(struct dv_rx_stats *dst, const struct dv_rx_stats *src);

/** dst = now - before (counters and histograms; time points and extremes as their kind says). */
void dv_tx_stats_delta(struct dv_tx_stats *dst, const struct dv_tx_stats *now,
		       const struct dv_tx_stats *before);
void dv_rx_stats_delta(struct dv_rx_stats *dst, const struct dv_rx_stats *now,
		       const struct dv_rx_stats *before);
