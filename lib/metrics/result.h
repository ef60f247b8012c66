/**
 * @file result.h
 * @brief The merged result of a run (or one interval of it), and the sums
 *        and tables the report reads from it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"
#include "metrics/check_levels.h"
#include "metrics/counters.h"

struct dv_cons; /* metrics/consistency.h */

#define DV_SEARCH_REPEATS_MAX 15
/** Trials kept for the report (a search at the finest resolution takes 16). */
#define DV_SEARCH_TRIALS_MAX 256
/** A trial whose generator sent less than this share of the offered rate is generator-limited. */
#define DV_SEARCH_GEN_SHARE 0.9

/** What one search trial showed. */
enum dv_trial_verdict {
	DV_TRIAL_PASS,            /**< unanswered share within the criterion */
	DV_TRIAL_FAIL,            /**< more unanswered: the server's limit is below */
	DV_TRIAL_GEN_LIMITED,     /**< the generator could not offer the rate: says nothing of the server */
	DV_TRIAL_REPEAT,          /**< the generator did not hold the rate (fell short, stalled): run again once */
};

/** What the embedded responder's TCP server did (--transport tcp), each counted exactly. */
struct dv_resp_tcp_counts {
	uint64_t accepted;      /**< connections accepted: SYNs answered with a SYN-ACK (not again) */
	uint64_t answers;       /**< DNS answers sent over TCP */
	uint64_t rsts;          /**< RSTs sent, for whatever reason */
	uint64_t fins;          /**< FINs sent (after the client's, or tcp-idle-close) */
	uint64_t segs_dropped;  /**< data segments dropped on purpose (tcp-drop-seg) */
	uint64_t syns_ignored;  /**< SYNs ignored on purpose (tcp-no-synack) */
	uint64_t table_full;    /**< SYNs refused with RST: the connection table was full */
	uint64_t too_long;      /**< queries longer than the server's buffer (RST) */
	uint64_t bad_queries;   /**< complete messages it does not answer (not a query, malformed) */
	uint64_t bad_segments;  /**< malformed segments (bad checksum, bad header) to the DNS port */
	uint64_t expired;       /**< connections forgotten half-open or closing (DV_RESP_TCP_LINGER_S) */
	uint64_t segments;      /**< segments the port took from it (the responder's loop counts them) */
};

/** How one search ended. */
enum dv_search_end {
	DV_SEARCH_FOUND,          /**< a trial failed: the limit is between the best pass and it */
	DV_SEARCH_NO_LIMIT,       /**< every trial passed: no limit below -Q */
	DV_SEARCH_GEN_CEILING,    /**< no trial failed, but the generator could not offer the higher rates */
};

/** One trial of a search, as the report's table prints it. */
struct dv_search_trial {
	unsigned search;          /**< 1-based */
	unsigned trial;           /**< 1-based within its search */
	double offered_qps;       /**< the rate the trial asked for */
	double sent_qps;          /**< new queries the generator started per second of the trial */
	uint64_t sent;            /**< attempts sent */
	uint64_t answered;        /**< attempts answered */
	double loss_pct;          /**< unanswered share of sent */
	enum dv_trial_verdict verdict;
};

/** Stalls: the main lcore did not run for longer than DV_STALL_NS (the process was stopped, or starved). */
#define DV_STALL_NS 100000000ull
struct dv_stalls {
	uint64_t count;           /**< stalls */
	double total_s;           /**< their length, in all */
	double longest_s;
	double first_at_s;        /**< when the first began, s since the start of sending */
};

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
	enum dv_search_end search_end[DV_SEARCH_REPEATS_MAX]; /**< how each search ended */
	double search_offered_max; /**< -Q: the highest rate a search offers */
	unsigned search_ntrials;  /**< trials in the table (the first DV_SEARCH_TRIALS_MAX) */
	struct dv_search_trial trial[DV_SEARCH_TRIALS_MAX];
};

/** The merged result of a run (or one interval of it). */
struct dv_result {
	struct dv_tx_stats tx;
	struct dv_rx_stats rx;
	uint64_t since_ns;      /**< wall clock, ns since the epoch */
	uint64_t until_ns;
	uint64_t first_tx_ns;   /**< wall clock of the first query sent, ns since the epoch (0: none) */
	double send_seconds;    /**< time from first to last send */
	double run_seconds;     /**< time the run took, with drain */
	double target_qps;
	struct dv_stalls stalls; /**< of the run, or within the interval */
	bool interrupted;       /**< stopped by a signal */
	unsigned incomplete;    /**< report: the file had no stats_sum, rebuilt from this many intervals (0: whole) */
	/* What the variant indexes and attempt numbers mean (filled by the engine). */
	unsigned n_edns;                     /**< variants in use */
	int edns_size[DV_EDNS_VARIANTS];     /**< UDP size of variant i, 0 = no OPT */
	unsigned attempts;                   /**< N of the plan */
	bool sequences;                      /**< report the sequence tables (N > 1 or a family policy) */
	bool tc_tcp;                         /**< --on-tc tcp: a TC answer was asked again over TCP */
	unsigned tcp_after;                  /**< --tcp-after K: TCP after K UDP timeouts (0 = never) */
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
	uint64_t xdp_tcp;                    /**< of the redirected: TCP segments from the target's port */
	bool xdp_takes_tcp;                  /**< the program took TCP (--transport tcp): xdp_tcp is
						  reported even when 0 (UDP runs report it only when not 0) */
	const char *rx_timestamps;           /**< where RX times come from: "tsc-rx-burst" (NULL: not said) */
	enum dv_rate_mode rate_mode;         /**< how the offered rate was set */
	enum dv_transport transport;         /**< what carried the queries (--transport) */
	uint64_t tcp_open;                   /**< an interval's: TCP connections open at its end, all
						  collectors (the status line's "conns"; not kept in files) */
	struct dv_rate_summary rate;         /**< ramp / search findings */
	bool has_responder;                  /**< the embedded responder ran: its counts follow */
	uint64_t resp_answered, resp_dropped, resp_impaired;
	uint64_t resp_nombuf;                /**< frag-flood: frames it could not land in the RX pool (pool empty) */
	uint64_t resp_sources;               /**< distinct client addresses it saw (sketch) */
	uint64_t resp_ports;                 /**< distinct client source ports it saw */
	bool has_resp_tcp;                   /**< its TCP server ran (--transport tcp): resp_tcp follows */
	struct dv_resp_tcp_counts resp_tcp;
	unsigned ngenerators;                /**< generator lcores of the run */
	double tsc_hz;                       /**< to turn busy_tsc into cycles (the TSC counts at this rate) */
	uint64_t mem_inflight;               /**< bytes of the in-flight tables (all lanes) */
	uint64_t mem_sequences;              /**< bytes of the sequence tables */
	uint64_t mem_tcp;                    /**< bytes of the TCP connection tables (--transport tcp) */
	uint64_t mem_mbufs;                  /**< bytes of the mbuf pools */
	uint64_t inflight_slots;             /**< attempts that can be outstanding at once (all lanes) */
	const struct dv_cons *consistency;   /**< --track-answers: the tracker (metrics/consistency.h),
					          NULL when it did not run; owned by the engine */
	struct dv_check_levels check_levels; /**< --checks: outcomes by load level, from the intervals
					          (the run's, or a file's read back) */
	bool frag_report;                    /**< report fragments, ICMP and the failure table even if all zero
					          (the engine sets it for frag-mtu, --fragmented drop, or when
					          anything fragmented arrived) */
};

/** a as a percentage of b; 0 when b is 0. */
static inline double dv_pct(uint64_t a, uint64_t b)
{
	return b != 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/** Whether the reports show the XDP program's TCP count (a UDP run's stay as they were). */
static inline bool dv_result_xdp_tcp_shown(const struct dv_result *r)
{
	return r->has_xdp && (r->xdp_takes_tcp || r->xdp_tcp != 0);
}


/** Sum over families. */
uint64_t dv_result_sent(const struct dv_result *r);
uint64_t dv_result_answered(const struct dv_result *r);
uint64_t dv_result_timeouts(const struct dv_result *r);

/** Wall-clock seconds from since_ns to until_ns (0 when until is not later). */
double dv_result_seconds(const struct dv_result *r);

/** Queries a second signal left outstanding (the drain cut short), both families. */
uint64_t dv_result_abandoned(const struct dv_result *r);

/** A trial's verdict as the report prints it: "pass", "fail", "generator-limited". */
const char *dv_trial_verdict_name(enum dv_trial_verdict v);

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

/** JSON keys and report words of the answer checks (enum dv_answer_violation order). */
extern const char *const dv_answer_violation_key[DV_AV_KINDS];
extern const char *const dv_answer_violation_words[DV_AV_KINDS];

/** One row of the failure-rate table: (family, EDNS size, size class). */
struct dv_fail_row {
	unsigned family;              /**< DV_FAMILY_* */
	unsigned variant;             /**< first EDNS variant with this size */
	int edns_size;                /**< 0 = no OPT */
	enum dv_size_class size;
	uint64_t col[DV_FR_COLS];     /**< summed over the variants of that size (UDP attempts) */
	uint64_t tcp[DV_FRT_COLS];    /**< attempts over TCP, likewise */
	uint64_t attempts;            /**< sum of col and tcp */
	uint64_t failed;              /**< LOST_FRAG + FRAG_DROP + ICMP + TIMEOUT + TCP failed */
};

/**
 * Row of the failure table at (family, variant v, size class), summed over
 * the variants in use with the same EDNS size (as dv_result_edns_cell()).
 * @return false when v >= n_edns, an earlier variant has the same size, or
 *         the row has no attempts (row is then unspecified)
 */
bool dv_result_fail_row(const struct dv_result *r, unsigned family, unsigned v,
			enum dv_size_class size, struct dv_fail_row *row);

/**
 * Gap between attempts at quantile q (0..1), to 0.1 ms: the lower bound of
 * the 0.1 ms bin holding the ceil(q * count)-th gap (tx.gap_fine); from the
 * histogram (its bucket's upper bound) when that gap is longer than the
 * table. 0 when there are no gaps.
 */
uint64_t dv_result_gap_quantile(const struct dv_result *r, double q);

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
