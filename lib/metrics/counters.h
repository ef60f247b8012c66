/**
 * @file counters.h
 * @brief Per-lcore counters and the merged result of a run.
 *
 * Generator-side and collector-side counters are separate cache-aligned
 * structs so that each has exactly one writer, also when the roles run on
 * different lcores. The main lcore reads them (relaxed) for interval lines and
 * merges them after the lcores have stopped.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"
#include "metrics/hist.h"
#include "wire/icmp.h"
#include "wire/response.h"

struct dv_cons; /* report/consistency.h */

/** EDNS variants a run can use: the sizes of the mix plus the ladder (0 = no OPT). */
#define DV_EDNS_VARIANTS (DV_WEIGHTED_MAX + DV_MAX_ATTEMPTS)

/** Collector side of one (EDNS size, family) cell: what came back for attempts sent with that size. */
struct dv_edns_rx {
	uint64_t answered;   /**< attempts answered */
	uint64_t truncated;  /**< of those, TC=1 */
	uint64_t timeouts;   /**< attempts never answered */
	uint64_t resp_bytes; /**< sum of response DNS message sizes */
	uint64_t resp_min;   /**< UINT64_MAX while none */
	uint64_t resp_max;
};

/**
 * Outcomes of logical queries (one name+type sent as up to N attempts).
 * Written by the collector, which owns the sequence state machine.
 * Every logical query that ended is in exactly one of answered_on,
 * truncated_on, failed; and in exactly one seq_len cell.
 */
struct dv_seq_stats {
	uint64_t answered_on[DV_MAX_ATTEMPTS][DV_FAMILIES]; /**< first answer came to attempt k (0-based), over this family; TC=0 */
	uint64_t answered_late[DV_MAX_ATTEMPTS]; /**< of answered_on[k]: the answer came after attempt k+1 had been sent */
	uint64_t truncated_on[DV_MAX_ATTEMPTS];  /**< first answer (to attempt k) had TC=1: the UDP sequence ends, outcome "truncated" */
	uint64_t failed;                          /**< every attempt timed out */
	uint64_t redundant;                       /**< answers to an attempt whose logical query was already answered */
	uint64_t seq_len[DV_MAX_ATTEMPTS + 1];    /**< ended logical queries by number of attempts sent (1..N) */
	uint64_t first_two[DV_FAMILIES][DV_FAMILIES]; /**< sequences of >= 2 attempts: [family of 1st][family of 2nd] */
	uint64_t single[DV_FAMILIES];             /**< sequences of 1 attempt, by family */
	uint64_t retry_dropped;                   /**< retries not sent: hand-off ring full */
};

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

/** Fragments seen by a collector. */
struct dv_frag_stats {
	uint64_t frags[DV_FAMILIES];      /**< fragments received (IPv4 MF/offset, IPv6 fragment header) */
	uint64_t frag_bytes;              /**< their frame bytes */
	uint64_t reassembled[DV_FAMILIES];/**< datagrams completed by reassembly */
	uint64_t lost_sets[DV_FAMILIES];  /**< incomplete sets expired (frag timeout) or evicted (table full) */
	uint64_t lost_attributed;         /**< of those: first fragment seen, attributed to its attempt */
	uint64_t dropped_sets;            /**< --fragmented drop: first fragments of responses refused */
	uint64_t not_ours;                /**< fragments of datagrams that are no DNS response to us */
	uint64_t other_source;            /**< fragments from an address that is not our target of that family */
	uint64_t reassembled_bytes;       /**< frame bytes of the fragments of reassembled responses */
};

/** Written only by the generator role of one lcore. */
struct dv_tx_stats {
	uint64_t sent[DV_FAMILIES];   /**< queries handed to the PMD and accepted */
	uint64_t tx_bytes;            /**< frame bytes of those */
	uint64_t alloc_fail;          /**< mbuf pool empty: query not sent */
	uint64_t tx_full;             /**< frames the PMD refused when new (retried until sent or the run ends) */
	uint64_t inflight_full;       /**< in-flight table full: not sent */
	uint64_t sched_slips;         /**< schedule re-anchored after a stall */
	uint64_t first_tx_tsc;        /**< TSC of the first send, 0 before */
	uint64_t last_tx_tsc;         /**< TSC of the last send */
	uint64_t logical;             /**< logical queries started (first attempts sent) */
	uint64_t last_logical_tsc;    /**< TSC of the last logical query started: the offered-rate span */
	uint64_t retries;             /**< attempts after the first */
	uint64_t ctl_sent;            /**< ARP/ND frames (answers) sent for the collectors */
	uint64_t edns_sent[DV_EDNS_VARIANTS][DV_FAMILIES]; /**< attempts by EDNS variant and family */
	struct dv_hist gap;           /**< time between consecutive attempts of a logical query, ns */
	uint64_t busy_tsc;            /**< TSC ticks spent in steps that sent something: cycles per query */
} __attribute__((aligned(64)));

/** Written only by the collector role of one lcore. */
struct dv_rx_stats {
	uint64_t answered[DV_FAMILIES]; /**< first matching response per query */
	uint64_t timeouts[DV_FAMILIES]; /**< no matching response within the timeout */
	uint64_t rcode[16];             /**< header RCODE of answered queries */
	uint64_t truncated;             /**< answered with TC=1 (also counted in answered) */
	uint64_t late;                  /**< response to a query already timed out */
	uint64_t duplicate;             /**< second response to an answered query */
	uint64_t unmatched;             /**< no query with this port+ID outstanding, or question differs */
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t rx_class[DV_PKT_CLASSES];
	struct dv_hist latency;         /**< answered queries, RX - TX, ns */
	struct dv_edns_rx edns[DV_EDNS_VARIANTS][DV_FAMILIES]; /**< by EDNS variant and family of the attempt */
	struct dv_seq_stats seq;
	struct dv_hist timer_late;      /**< how late re-query timers fired after their deadline, ns */
	/** Failure-rate table: [family][EDNS variant][size class][column], attempts that ended. */
	uint64_t fail[DV_FAMILIES][DV_EDNS_VARIANTS][DV_SIZE_CLASSES][DV_FR_COLS];
	struct dv_frag_stats frag;
	struct dv_hist frag_count;      /**< fragments per reassembled response */
	struct dv_hist frag_spread;     /**< ns between first and last fragment of a reassembled response */
	uint64_t icmp[DV_FAMILIES][DV_ICMP_KINDS]; /**< ICMP errors received, by family and kind */
	uint64_t icmp_attributed;       /**< of those: the quoted query was one of our outstanding attempts */
	uint64_t icmp_mtu_min;          /**< smallest MTU in a too-big error (UINT64_MAX: none) */
	uint64_t busy_tsc;              /**< TSC ticks spent handling received bursts: cycles per response */
	uint64_t handoff_out;           /**< packets that reached this collector's queue but were another's: handed over */
	uint64_t handoff_drop;          /**< of those: the owner's inbox was full, dropped */
	uint64_t nd_answered[DV_FAMILIES]; /**< ARP requests / neighbour solicitations for our addresses, answered */
	uint64_t nd_ignored;            /**< ARP/ND for other addresses, replies, or no room to answer */
} __attribute__((aligned(64)));

#define DV_SEARCH_REPEATS_MAX 15

/** What the ramp and the throughput search found (the engine fills it at the end). */
struct dv_rate_summary {
	double ramp_max_qps;      /**< ramp: most responses per second in one plot interval */
	double ramp_at_qps;       /**< ramp: the offered rate in that interval */
	double ramp_loss_pct;     /**< ramp: unanswered share of that interval's queries */
	unsigned search_n;        /**< search: completed binary searches */
	unsigned search_trials;   /**< search: trials run, all searches */
	double search_qps[DV_SEARCH_REPEATS_MAX]; /**< search: the rate each search found */
	double search_median, search_min, search_max;
	double search_loss_pct;   /**< the loss criterion, for the report */
};

/** The merged result of a run (or one interval of it). */
struct dv_result {
	struct dv_tx_stats tx;
	struct dv_rx_stats rx;
	uint64_t since_ns;      /**< wall clock, ns since the epoch */
	uint64_t until_ns;
	double send_seconds;    /**< time from first to last send */
	double run_seconds;     /**< time the run took, with drain */
	double target_qps;
	bool interrupted;       /**< stopped by a signal */
	/* What the variant indexes and attempt numbers mean (filled by the engine). */
	unsigned n_edns;                     /**< variants in use */
	int edns_size[DV_EDNS_VARIANTS];     /**< UDP size of variant i, 0 = no OPT */
	unsigned attempts;                   /**< N of the plan */
	bool sequences;                      /**< report the sequence tables (N > 1 or a family policy) */
	unsigned ncollectors;                /**< collector lcores of the run */
	uint64_t col_rx_pkts[DV_MAX_LANES];  /**< packets each collector received */
	unsigned nports;                     /**< ports of the run (--port, repeatable) */
	const char *port_spec[DV_MAX_PORTS]; /**< each port as given (borrowed from the plan) */
	uint64_t port_sent[DV_MAX_PORTS];    /**< queries its generators sent */
	uint64_t port_rx_pkts[DV_MAX_PORTS]; /**< packets its collectors received */
	bool port_csum_offload[DV_MAX_PORTS]; /**< the PMD computed IPv4/UDP checksums */
	uint8_t port_next_mac[DV_MAX_PORTS][DV_FAMILIES][6]; /**< the next hop's MAC per family */
	bool port_resolved[DV_MAX_PORTS][DV_FAMILIES]; /**< ... learned by ARP/ND (else given or learned from the kernel) */
	uint64_t nd_announced;               /**< gratuitous ARPs / unsolicited NAs sent at start */
	bool has_xdp;                        /**< dnsvolley's XDP program ran: its counters follow */
	uint64_t xdp_redirected, xdp_passed, xdp_fragments, xdp_icmp;
	const char *rx_timestamps;           /**< where RX times come from: "tsc-rx-burst" (NULL: not said) */
	enum dv_rate_mode rate_mode;         /**< how the offered rate was set */
	struct dv_rate_summary rate;         /**< ramp / search findings */
	bool has_responder;                  /**< the embedded responder ran: its counts follow */
	uint64_t resp_answered, resp_dropped, resp_impaired;
	uint64_t resp_sources;               /**< distinct client addresses it saw (sketch) */
	uint64_t resp_ports;                 /**< distinct client source ports it saw */
	unsigned ngenerators;                /**< generator lcores of the run */
	double tsc_hz;                       /**< to turn busy_tsc into cycles (the TSC counts at this rate) */
	uint64_t mem_inflight;               /**< bytes of the in-flight tables (all lanes) */
	uint64_t mem_sequences;              /**< bytes of the sequence tables */
	uint64_t mem_mbufs;                  /**< bytes of the mbuf pools */
	uint64_t inflight_slots;             /**< attempts that can be outstanding at once (all lanes) */
	const struct dv_cons *consistency;   /**< --track-answers: the tracker (report/consistency.h),
					          NULL when it did not run; owned by the engine */
	bool frag_report;                    /**< report fragments, ICMP and the failure table even if all zero
					          (the engine sets it for frag-mtu, --fragmented drop, or when
					          anything fragmented arrived) */
};

/** a as a percentage of b; 0 when b is 0. */
static inline double dv_pct(uint64_t a, uint64_t b)
{
	return b != 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/** Zero a tx struct. */
void dv_tx_stats_init(struct dv_tx_stats *s);
/** Zero an rx struct (and empty its histogram). */
void dv_rx_stats_init(struct dv_rx_stats *s);

/** dst += src, field by field. first/last TSC: min of non-zero / max. */
void dv_tx_stats_merge(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_merge(struct dv_rx_stats *dst, const struct dv_rx_stats *src);
/** dst += src for one (EDNS size, family) cell: min/max of the sizes. */
void dv_edns_rx_merge(struct dv_edns_rx *dst, const struct dv_edns_rx *src);

/** Relaxed-load copy of stats another lcore is writing. */
void dv_tx_stats_snapshot(struct dv_tx_stats *dst, const struct dv_tx_stats *src);
void dv_rx_stats_snapshot(struct dv_rx_stats *dst, const struct dv_rx_stats *src);

/** dst = now - before (counters and histogram). */
void dv_tx_stats_delta(struct dv_tx_stats *dst, const struct dv_tx_stats *now,
		       const struct dv_tx_stats *before);
void dv_rx_stats_delta(struct dv_rx_stats *dst, const struct dv_rx_stats *now,
		       const struct dv_rx_stats *before);

/** Sum over families. */
uint64_t dv_result_sent(const struct dv_result *r);
uint64_t dv_result_answered(const struct dv_result *r);
uint64_t dv_result_timeouts(const struct dv_result *r);

/** RCODE mnemonic ("NOERROR", "SERVFAIL", ... "RCODE12"). */
const char *dv_rcode_name(unsigned rcode);

/** Totals of the sequence outcomes (struct dv_seq_stats summed over attempts). */
struct dv_seq_totals {
	uint64_t ended;     /**< logical queries that ended: sum of seq_len */
	uint64_t answered;  /**< sum of answered_on (both families) */
	uint64_t truncated; /**< sum of truncated_on */
	uint64_t late;      /**< sum of answered_late */
	uint64_t attempts;  /**< attempts of the ended ones: sum of k * seq_len[k] */
	uint64_t two_plus;  /**< sequences of >= 2 attempts: sum of first_two */
};

/** Labels of the size classes, as the text and JSON failure table print them ("<=512", ">1472", "unknown"). */
const char *dv_size_class_name(enum dv_size_class c);

/**
 * Whether the fragment, ICMP and failure-rate blocks are reported:
 * r->frag_report, or any fragment or ICMP counter, or any attempt that was
 * reassembled or failed with a lost fragment, a refused fragmented response
 * or an ICMP error. (A run without fragments or ICMP only counts plain
 * answers and timeouts there: the v0 report already has them.)
 */
bool dv_result_has_frag_report(const struct dv_result *r);

/** One row of the failure-rate table: (family, EDNS size, size class). */
struct dv_fail_row {
	unsigned family;              /**< DV_FAMILY_* */
	unsigned variant;             /**< first EDNS variant with this size */
	int edns_size;                /**< 0 = no OPT */
	enum dv_size_class size;
	uint64_t col[DV_FR_COLS];     /**< summed over the variants of that size */
	uint64_t attempts;            /**< sum of col */
	uint64_t failed;              /**< LOST_FRAG + FRAG_DROP + ICMP + TIMEOUT */
};

/**
 * Row of the failure table at (family, variant v, size class), summed over
 * the variants in use with the same EDNS size (as dv_result_edns_cell()).
 * @return false when v >= n_edns, an earlier variant has the same size, or
 *         the row has no attempts (row is then unspecified)
 */
bool dv_result_fail_row(const struct dv_result *r, unsigned family, unsigned v,
			enum dv_size_class size, struct dv_fail_row *row);

/** Sum the sequence outcomes. */
void dv_seq_sum(const struct dv_seq_stats *s, struct dv_seq_totals *t);

/**
 * Attempt rows to report (1..DV_MAX_ATTEMPTS): N of the plan, or more if a
 * counter of a later attempt is non-zero (nothing counted is ever hidden).
 */
unsigned dv_result_attempt_rows(const struct dv_result *r);

/**
 * The (EDNS size, family) cell of variant v, summed over the variants in use
 * that have the same size (a size can be in the mix and on the ladder).
 * @param[out] sent attempts sent with that size over that family
 * @param[out] cell what came back (resp_min UINT64_MAX when nothing did)
 * @return false when v >= n_edns or an earlier variant has the same size
 *         (the cell belongs to that one); the outputs are then untouched
 */
bool dv_result_edns_cell(const struct dv_result *r, unsigned v, unsigned family,
			 uint64_t *sent, struct dv_edns_rx *cell);
