/**
 * @file lcore.h
 * @brief Per-lcore work spaces and the run-wide read-only context (engine-internal).
 *
 * Ownership, one writer each:
 * - struct dv_shared: written by the main lcore before launch; afterwards only
 *   the stop flags change, and only the main lcore writes them.
 * - struct dv_gen / dv_col: written only by the lcore that runs them
 *   (the main lcore reads their stats with relaxed loads).
 * - struct dv_inflight: see inflight.h (generator half / collector half).
 *
 * Where: each struct dv_gen / dv_col is on its lcore's NUMA socket, a lane's
 * tables are first touched by its collector (workspace.c).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "config/plan.h"
#include "engine/reassembly.h"
#include "engine/inflight.h"
#include "engine/pace.h"
#include "engine/policy.h"
#include "engine/qsource.h"
#include "engine/sequence.h"
#include "engine/sources.h"
#include "metrics/counters.h"
#include "wire/answer.h"
#include "wire/compose.h"

#define DV_BURST_MAX 512

/** Run-wide context. Read-only while lcores run, except the main-owned stop flags.
 * It holds no pointer to the plan: the loops read their own copies of what they use. */
struct dv_shared {
	const struct dv_qsource *qs;
	const struct dv_policy *pol;
	unsigned ngen;                            /**< generator lcores (TX queues) */
	unsigned ncol;                            /**< collector lcores (RX queues) */
	unsigned nlanes;                          /**< generator x collector pairs on the same port */
	struct dv_l34_tmpl l34[DV_MAX_LANES][DV_FAMILIES]; /**< Ethernet + IP + UDP per lane (its source addresses) and family */
	struct dv_src_range srcs[DV_MAX_LANES][DV_FAMILIES]; /**< --src ranges (alen 0: the template's address) */
	int tmpl_tag_off;                         /**< mbuf dynfield: which template the buffer holds (0 = none) */
	struct dv_opt opt[DV_EDNS_VARIANTS][2];  /**< OPT per EDNS variant and DO bit */
	uint64_t tsc_hz;
	double ns_per_tick;    /**< 1e9 / tsc_hz, so the hot path multiplies instead of dividing */
	uint64_t start_tsc;    /**< first logical query is due here */
	uint64_t end_tsc;      /**< no logical query starts at or after this */
	uint64_t hard_end_tsc; /**< no retry is sent after this, whatever happened */
	uint64_t timeout_tsc;  /**< how long an attempt stays matchable: max(-t, sum of timers) */
	uint64_t stall_tsc;    /**< DV_STALL_NS in TSC ticks: a gap this long is a stall of the process */
	struct dv_answer_cfg answer_cfg;
	/*
	 * Hand-off between collectors of one port: a kernel-backed port (a veth,
	 * PACKET_FANOUT) spreads answers over its queues by its own hash, not by
	 * ours, so a collector may read another's answers; it passes them on.
	 */
	const uint8_t *sport_owner;            /**< per source port: its collector + 1, 0 = none */
	const uint8_t *tcp_owner;              /**< --transport tcp: per TCP source port, its collector + 1 */
	struct rte_ring *inbox[DV_MAX_COLLECTORS]; /**< per collector, NULL when it has no peer */
	int rx_ts_off;                         /**< mbuf dynfield: RX timestamp of a handed-over packet */
	uint8_t lane_port[DV_MAX_LANES];       /**< the port of each lane */
	/** Ports dnsvolley speaks ARP/ND on (profile arp-nd): collectors answer for our
	 * addresses into ctl, which the port's first generator sends. */
	struct {
		struct rte_ring *ctl;          /**< NULL: not an arp-nd port */
		uint8_t mac[6];
	} nd[DV_MAX_PORTS];
	/** Stop sending (signal): written by main only. */
	uint32_t stop_tx __rte_cache_aligned;
	/** A second signal cut the drain short: what is outstanding at the end is
	 * abandoned, not timed out. Written by main only, before stop_rx. */
	uint32_t abandon;
	/** --transport tcp: bumped when a drain's queries are resolved; collectors then close
	 *  their idle connections (written by main only, features/tcp.c). */
	uint32_t tcp_wind_down;
	/** Stop collecting and exit (end of drain): written by main only. */
	uint32_t stop_rx __rte_cache_aligned;
};

/** What the generator remembers about a sent-but-refused frame. */
struct dv_pending_meta {
	uint64_t seq;
	struct dv_attempt_id a;
	uint8_t lane;
	uint16_t frame_len;  /**< the frame's bytes, counted when it leaves (not read from an mbuf the PMD owns) */
	uint16_t dns_len;    /**< its DNS message's */
};

/** One collector's tables, as the generator sees them. */
struct dv_lane {
	struct dv_inflight *ifl;
	struct dv_seq *seq;
	unsigned global;                       /**< run-wide lane index (templates, source pools) */
	const struct dv_policy *pol;           /**< its kind's attempts (the run's without a population) */
	const struct dv_src_range *src[DV_FAMILIES]; /**< its --src ranges (NULL: the template's address) */
	double weight;                         /**< its share of the generator's new queries (a population) */
	double credit;                         /**< new queries owed to it (a population) */
	struct rte_ring *tcp_tx;               /**< --transport tcp: frames its collector built (SPSC); NULL over UDP */
	unsigned ncarry;                       /**< retries taken but not sent yet (no mbufs) */
	uint64_t carry_lseq[DV_BURST_MAX];
	uint8_t carry_att[DV_BURST_MAX];
};

/** Generator work space (one lcore, one TX queue). */
struct dv_gen {
	struct dv_shared *sh;
	struct dv_lane lane[DV_MAX_LANES];      /**< one per collector of its port (and kind) */
	bool weighted;                          /**< a population: new queries by the lanes' weights */
	unsigned nlanes;
	unsigned next_lane;    /**< round robin of new logical queries over lanes */
	unsigned index;        /**< which generator (its TX queue) */
	uint64_t quota;        /**< its share of --max-queries (0 = no limit) */
	struct rte_mempool *pool;
	uint16_t port;
	uint16_t queue;
	unsigned burst;
	uint64_t ol_flags[DV_FAMILIES]; /**< TX checksum offload flags of its port per family, 0 = software */
	struct rte_ring *ctl;  /**< ARP/ND answers to send (its port's first generator only) */
	struct dv_pace pace;
	uint64_t slips0, skipped0; /**< slips and skipped queries of earlier schedules (search trials) */
	struct dv_rng rng;
	uint32_t qcursor;
	bool creating_done;    /**< no new logical queries any more; retries go on */
	unsigned npending;
	struct rte_mbuf *pending[DV_BURST_MAX];
	struct dv_pending_meta pmeta[DV_BURST_MAX];
	bool frugal;           /**< the plan's --poll frugal (the loop never reads the plan) */
	bool tcp;              /**< TCP in use (--transport tcp or fallback): its lanes' tcp_tx rings are set */
	uint32_t finished;     /**< set (release) when the generator will send no more */
	/** the mbufs' template tags are kept (UINT32_MAX: its own pool, where an mbuf keeps its
	 *  last frame) or left 0 (a pool shared with RX, where it may come back with an answer) */
	uint32_t tag_mask;
	struct dv_tx_stats tx;
} __rte_cache_aligned;

/** Why an attempt may fail, noted before its timeout (collector-owned, per in-flight slot). */
struct dv_fail_note {
	uint64_t seq;        /**< the attempt this note is about */
	uint8_t reason;      /**< enum dv_fail_col: LOST_FRAG, FRAG_DROP or ICMP */
	uint8_t pad;
	uint16_t udp_len;    /**< from the first fragment, 0 if unknown */
	uint32_t pad2;
};

#define DV_SCRATCH_LEN 65536 /**< a reassembled datagram, copied contiguous */

struct dv_sample;

struct dv_col;
struct dv_tcp_lane;

/** One generator's tables, as a collector sees them (the collector half is its own). */
struct dv_col_lane {
	struct dv_col *col;
	struct dv_inflight *ifl;
	struct dv_seq *seq;
	struct dv_fail_note *notes;    /**< one per in-flight slot */
	uint64_t noted_below;          /**< every note is for an attempt below this (0: none yet) */
	struct dv_tcp_lane *tcp;       /**< --transport tcp: the lane's connections (tcp_lane.h); NULL over UDP */
};

/** Collector work space (one lcore, one RX queue). */
struct dv_col {
	struct dv_shared *sh;
	struct dv_col_lane lane[DV_MAX_LANES];  /**< one per generator of its port (and kind) */
	unsigned nlanes;
	uint16_t sport_lo, sport_hi;   /**< source ports of the whole run: [lo, hi) */
	struct dv_frags frags;
	uint8_t *scratch;              /**< DV_SCRATCH_LEN bytes: a reassembled datagram */
	uint8_t *linear;               /**< DV_SCRATCH_LEN bytes: a chained frame, made contiguous */
	uint16_t port;
	uint16_t queue;
	unsigned burst;
	unsigned index;                /**< which collector */
	unsigned port_index;           /**< which port it reads (plan order) */
	unsigned npeers;               /**< collectors of its port, itself included */
	uint8_t peer[DV_MAX_COLLECTORS]; /**< collector reading RX queue q of its port */
	struct rte_ring *inbox;        /**< packets other collectors read for it; NULL alone */
	uint64_t next_expire_tsc;
	uint64_t eth_missed_seen, eth_nombuf_seen; /**< queue 0: the port's rte_eth_stats already counted */
	bool port_reassembles_v4;      /**< the port hands IPv4 datagrams reassembled (profile kernel-reassembles) */
	/* The plan's fields the loop reads, copied at setup: the loop never reads the 26 KiB plan. */
	struct dv_addr target[DV_FAMILIES]; /**< by DV_FAMILY_*: answers must come from these */
	struct dv_addr src[DV_FAMILIES];    /**< --src range bases (ARP/ND: which addresses are ours) */
	unsigned src_prefix[DV_FAMILIES];   /**< their prefix lengths, 0 = no range */
	uint16_t dport;                     /**< the target's port */
	uint16_t vlan;                      /**< --vlan, 0 = none */
	bool frugal;                        /**< --poll frugal */
	bool tcp;                           /**< TCP in use (--transport tcp or fallback): its lanes' tcp are set */
	uint32_t tcp_live;                  /**< its lanes' open connections (written here, read by main) */
	uint64_t tcp_open_max;              /**< the most open at once so far (private; published with the sum) */
	uint64_t next_tcp_sum_tsc;          /**< when the TCP counters are summed for the main lcore next */
	uint64_t last_poll_tsc;             /**< TCP: the last poll, to see a stall of this lcore */
	/* --track-answers (trk_full == NULL: off) */
	struct rte_ring *trk_full;     /**< sampled answers for the main lcore (SPSC) */
	struct rte_ring *trk_free;     /**< empty sample buffers from the main lcore (SPSC) */
	struct dv_sample *trk_slab;    /**< DV_TRACK_SLOTS buffers (released by the main lcore) */
	uint32_t trk_per_s;            /**< samples allowed per second */
	uint32_t trk_win_n;            /**< samples taken in the current one-second window */
	uint64_t trk_win_tsc;          /**< start of that window */
	uint64_t trk_dropped;          /**< no free buffer: the main lcore is behind (read after the run) */
	uint64_t trk_too_large;        /**< answers larger than DV_TRACK_MSG_MAX */
	struct dv_rx_stats rx;
} __rte_cache_aligned;

/** What one lcore runs. */
enum dv_role {
	DV_ROLE_COMBINED, /**< generator and collector in one loop */
	DV_ROLE_GEN,
	DV_ROLE_COL,
};

/** The argument of an lcore's main function. */
struct dv_lcore {
	enum dv_role role;
	struct dv_gen *gen;
	struct dv_col *col;
};

/** A stop flag of struct dv_shared, as the lcores read it. */
static inline uint32_t dv_load_flag(const uint32_t *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE);
}

/** Lcore entry point of generators and collectors (rte_lcore_function_t; arg: struct dv_lcore). */
int dv_lcore_main(void *arg);

/** What every lcore function does first (a small timer slack for frugal naps). */
void dv_lcore_enter(void);

/**
 * Launch fn(arg) on lcore id. On failure (reported) every lcore is told to
 * stop and waited for. @return 0 or rte_eal_remote_launch's error
 */
int dv_lcore_launch(struct dv_shared *sh, int (*fn)(void *), void *arg, unsigned id);

/** Sleep for a short while in frugal mode (nanosleep, with a small timer slack). */
void dv_frugal_sleep(uint64_t ns);

/**
 * Wait for lcore id to finish what it was launched with, napping: the main
 * lcore may share its CPU with it (a run given one CPU), where the spin of
 * rte_eal_wait_lcore() would take half of it. @return the function's value
 */
int dv_lcore_wait(unsigned id);

/** dv_lcore_wait() for every worker lcore. */
void dv_lcore_wait_all(void);
