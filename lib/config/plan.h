/**
 * @file plan.h
 * @brief The validated, immutable run plan.
 *
 * Scenario file + command line are parsed into a struct dv_plan before EAL
 * starts. Once lcores run, nothing writes to the plan: every lcore reads it.
 */
#pragma once

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conditions.h"
#include "core/types.h"

/** Which checksum work the PMD does for us. */
enum dv_csum_mode {
	DV_CSUM_SOFTWARE = 0, /**< compute IPv4/UDP checksums in software */
	DV_CSUM_OFFLOAD,      /**< request TX offloads (only if dev_info says so) */
};

/** How a port spreads what it receives over its RX queues. */
enum dv_rx_steering {
	DV_STEER_ADDRESS = 0, /**< by dnsvolley's address hash (wire/rss.h): each collector gets
				   answers to its own source addresses (embedded wire, RSS we configure) */
	DV_STEER_KERNEL,      /**< by the kernel's or driver's own hash (af_xdp, af_packet, tap): every
				   queue needs a collector, which hands others' packets over */
	DV_STEER_NONE,        /**< receives nothing (null) */
};

/** rss-hash: what an address-steered port hashes on (addresses only, so that fragments meet). */
#define DV_RSS_IPV4      0x1 /**< IPv4 source and destination */
#define DV_RSS_FRAG_IPV4 0x2 /**< IPv4 fragments, on addresses */
#define DV_RSS_IPV6      0x4
#define DV_RSS_FRAG_IPV6 0x8
#define DV_RSS_ALL       0xf

/** A port profile from drivers-config/ (one YAML file per DPDK driver). */
struct dv_port_profile {
	char name[32];         /**< profile name, = file name without .yaml */
	char description[128];
	char vdev[256];        /**< devargs template, "{arg}" replaced by the spec's argument; empty for embedded/PCI */
	bool needs_arg;        /**< spec must be "name:ARG" (unless default_arg is set) */
	char default_arg[32];  /**< ARG when the spec has none, e.g. "dvtap0" for tap */
	char arg_kind[16];     /**< "iface", "pci", "path" or "" */
	char pci_devargs[128]; /**< pci profiles: driver options after "-a ADDR," (may be empty) */
	char kernel_driver[32]; /**< pci profiles: the driver the device must be bound to (vfio-pci,
				     mlx5_core for the bifurcated mlx5); empty: not checked */
	bool needs_hugepages;
	bool needs_bpffs;
	bool kernel_iface;     /**< ARG is a kernel interface: learn MAC and neighbours from the kernel */
	bool arp_nd;           /**< no kernel answers for us here: dnsvolley resolves the next hop and
				    answers ARP/ND for its source addresses (tap, DPDK-owned NICs) */
	bool embedded;         /**< in-process ring pair with the embedded responder */
	enum dv_csum_mode csum;
	uint16_t rx_desc, tx_desc;
	unsigned rx_queues;    /**< RX queues the port can give collectors (1..DV_MAX_COLLECTORS) */
	unsigned tx_queues;    /**< TX queues the port can give generators (1..DV_MAX_GENERATORS) */
	bool tx_csum_offload;  /**< the profile may ask the PMD for IPv4/UDP checksum offload (if dev_info offers it) */
	bool tx_from_rx_pool;  /**< tx-from-rx-pool: the generators' mbufs come from the RX pool, which
				    the PMD sends without a copy (af_xdp: the pool is its UMEM) */
	enum dv_rx_steering rx_steering; /**< rx-steering: address (default), kernel, none */
	double max_qps;        /**< max-qps: what one TX queue can take; --max sizes the tables for it */
	unsigned rss_hash;     /**< rss-hash: DV_RSS_* the port is asked to hash on (several collectors) */
	unsigned kernel_reassembles; /**< kernel-reassembles: families the port reassembles before we see
					  them, bit (1 << DV_FAMILY_*) (af_packet: IPv4) */
};

/** One --port: a profile from drivers-config/ and its argument. */
struct dv_port_plan {
	char spec[128];                 /**< as given, e.g. "af_xdp:veth0" */
	char arg[96];                   /**< the part after ':' */
	struct dv_port_profile profile;
};

/** Address-family policy of a logical query. */
enum dv_family_policy {
	DV_FAMPOL_AUTO = 0,      /**< v0 behaviour: the target's family; both targets: alternate */
	DV_FAMPOL_V4,            /**< every attempt over IPv4 */
	DV_FAMPOL_V6,            /**< every attempt over IPv6 */
	DV_FAMPOL_V4_FIRST,      /**< IPv4, switch family on every timeout */
	DV_FAMPOL_V6_FIRST,      /**< IPv6, switch family on every timeout */
	DV_FAMPOL_ALTERNATE,     /**< first attempts alternate v4/v6 across logical queries; retries switch */
	DV_FAMPOL_MIX,           /**< first attempt IPv6 with probability mix_v6 */
	DV_FAMPOL_HAPPY_EYEBALLS,/**< IPv6, then the same query over IPv4 after he_delay_s; first answer wins */
};

/** What a retry changes (bit flags). */
#define DV_RETRY_FAMILY 0x1 /**< switch address family */
#define DV_RETRY_EDNS   0x2 /**< step down the EDNS ladder */

/** What a UDP answer with TC=1 leads to (--on-tc). */
#define DV_ON_TC_UNSET (-1) /**< a --requery profile's choice (tcp), else stop */
#define DV_ON_TC_STOP 0     /**< the logical query ends as truncated */
#define DV_ON_TC_TCP 1      /**< the same question again over TCP, at once */

/** How each logical query is sent as a sequence of attempts. */
struct dv_seq_plan {
	enum dv_family_policy family;
	double mix_v6;                 /**< mix:P */
	double he_delay_s;             /**< happy-eyeballs[:DELAY], default 0.050 (RFC 8305 resolution delay) */
	unsigned attempts;             /**< N >= 1 (default 1) */
	double timer_s[DV_MAX_ATTEMPTS]; /**< re-query timer after attempt k (k = 0..N-1); the last ends the sequence */
	char requery_profile[32];      /**< "unbound", ... or "" when given as a list */
	unsigned retry_change;         /**< DV_RETRY_* flags */
	int on_tc;                     /**< DV_ON_TC_*: what a UDP answer with TC=1 leads to */
	int tcp_after;                 /**< after this many UDP attempts timed out, TCP (0 = never; -1: the profile's) */
	int edns_ladder[DV_MAX_ATTEMPTS]; /**< descending sizes for DV_RETRY_EDNS; 0 = no OPT */
	unsigned edns_ladder_n;
	struct dv_weighted edns;       /**< sizes (0 = none); n = 0: plan->edns_size for every query */
	char edns_preset[32];          /**< e.g. "apnic-2023", for reports */
	double do_prob;                /**< fraction of logical queries with DO (-D = 1) */
	char qname_pattern[256];       /**< "" = names from the query file */
	struct dv_weighted qtypes;     /**< qtype mix for pattern names (value = RR type) */
};

#define DV_KINDS_MAX 8 /**< resolver kinds of a population */

/** One kind of emulated resolver in a population (--population). */
struct dv_kind {
	char name[32];
	double weight;                      /**< share of the logical queries; the kinds' sum to 1 */
	double lost;                        /**< share of answers its resolvers never get (a lossy
					         path): the sequence goes on as after a timeout */
	struct dv_seq_plan seq;             /**< its sequences, finished (family, timers, EDNS, DO,
					         transport steps) */
	struct dv_addr src[DV_FAMILIES];    /**< its slice of the --src range (family 0: none) */
	unsigned src_prefix[DV_FAMILIES];
};

/** A weighted mix of resolver kinds, each from its own source addresses. */
struct dv_population {
	char source[PATH_MAX];              /**< --population as given (a file or a preset); "" = none */
	char name[64];                      /**< the preset's name or the file's */
	unsigned n;                         /**< kinds (0 until dv_population_finish(); none: 0) */
	struct dv_kind kind[DV_KINDS_MAX];
};

/** Deterministic impairments of the embedded responder (ground truth for tests). */
struct dv_impair_plan {
	bool drop_v6;                  /**< drop every answer to an IPv6 query */
	bool drop_v4;                  /**< drop every answer to an IPv4 query */
	bool drop_first;               /**< drop the first query seen for each (name, type) */
	double drop_fraction;          /**< drop this fraction, seeded */
	uint64_t seed;
	double delay_s;                /**< answer after this long */
	unsigned answer_size;          /**< pad every answer's DNS message to this many bytes (0 = off) */
	unsigned frag_mtu;             /**< fragment answers into IP packets of at most this size (0 = off) */
	int drop_frag;                 /**< drop fragment k (1-based) of each fragmented answer; DV_DROP_FRAG_NONFIRST; 0 = none */
	uint8_t frag_families;         /**< which families frag-mtu/drop-frag apply to: bit (1 << DV_FAMILY_*); 0 = both */
	bool ignore_edns;              /**< answer in full whatever the requestor's buffer (a misbehaving server) */
	unsigned defects;              /**< DV_ANSWER_* (wire/answer.h): non-compliances on purpose */
	double rate_qps;               /**< answer at most this many queries per second (token bucket); 0 = off */
	unsigned frag_flood;           /**< send this many incomplete sets of 7 small fragments first (0 = off);
					    every frame then lands in the collectors' RX pool, as a NIC's would */
	/* Over TCP (--transport tcp): the responder's server side misbehaves exactly. */
	bool tcp_no_synack;            /**< ignore every SYN: no handshake completes */
	bool tcp_refuse;               /**< answer every SYN with RST: connection refused */
	bool tcp_rst_query;            /**< RST instead of an answer to every query */
	unsigned tcp_rst_after;        /**< RST right after the N-th query of a connection (0 = off) */
	double tcp_idle_close_s;       /**< FIN on a connection idle this long (0 = off) */
	unsigned tcp_split;            /**< answers cut into segments of at most this many payload bytes
					    (0 = the MSS) */
	bool tcp_reorder;              /**< each answer's segments sent last first */
	unsigned tcp_drop_seg;         /**< drop the K-th data segment received on each connection (0 = off) */
	unsigned tcp_keepalive;        /**< edns-tcp-keepalive TIMEOUT in every answer's OPT record, in
					    units of 100 ms (RFC 7828); 0 = off */
	bool tcp_reverse;              /**< queries pipelined in one segment answered last first */
};

#define DV_TRACK_ANSWERS_DEFAULT 100  /**< --track-answers without a value: samples/s per collector */
#define DV_TRACK_ANSWERS_MAX 100000   /**< more would only fill the hand-off ring */

#define DV_DROP_FRAG_NONFIRST (-1) /**< drop every fragment but the first */

/** What the collector does with fragmented responses. */
enum dv_frag_mode {
	DV_FRAG_REASSEMBLE = 0, /**< reassemble (rte_ip_frag) and match the datagram */
	DV_FRAG_DROP,           /**< count them as failures without reassembling (RFC 9715's advice) */
};

/** What carries the queries. */
enum dv_transport {
	DV_TRANSPORT_UDP = 0,
	DV_TRANSPORT_TCP,      /**< our own TCP client on the datapath (lib/tcp/) */
};

/** How a TCP connection ends once its queries are answered. */
enum dv_tcp_end {
	DV_TCP_END_CLOSE = 0,  /**< we send FIN after the last answer */
	DV_TCP_END_IDLE,       /**< we keep it open until the server closes it (its idle timeout) */
	DV_TCP_END_RESET,      /**< we send RST after the last answer */
};

/** Stress modes for lab servers (bounded like every load). */
enum dv_tcp_stress {
	DV_TCP_STRESS_NONE = 0,
	DV_TCP_STRESS_HALF_OPEN, /**< SYN, and never an ACK of the SYN-ACK */
	DV_TCP_STRESS_HOLD,      /**< queries answered, then the connection held open to the run's end */
};

/** --transport tcp: connection behaviour. */
struct dv_tcp_plan {
	unsigned queries_per_conn; /**< 1 (default), N, or 0 = handshake then close */
	unsigned pipeline;         /**< queries outstanding on a connection, 1..DV_TCP_PIPELINE_MAX */
	enum dv_tcp_end end;
	double idle_max_s;         /**< end idle: wait at most this long for the server's close */
	enum dv_tcp_stress stress;
	double rto_init_s;         /**< initial retransmission timeout (RFC 6298: 1 s) */
	double quarantine_s;       /**< a 4-tuple is not used again for this long (the server's TIME-WAIT) */
	unsigned conns;            /**< connection table (0: sized from the rate) */
};

/** How lcores are used. */
enum dv_poll_mode {
	DV_POLL_FRUGAL = 0, /**< sleep briefly when ahead of schedule and RX is empty */
	DV_POLL_BUSY,       /**< spin: dedicated cores only */
};

/** How the offered rate is set over a run. */
enum dv_rate_mode {
	DV_RATE_FIXED = 0, /**< -Q QPS for the whole run */
	DV_RATE_MAX,       /**< -Q 0 or --max: as fast as the port takes (bounded by the in-flight tables) */
	DV_RATE_RAMP,      /**< --ramp FROM:TO:DURATION: linear, like resperf */
	DV_RATE_SEARCH,    /**< --search LOSS%[:TRIAL[:REPEATS]]: RFC 8219 9.2 / RFC 2544 binary search */
};

/** --ramp FROM:TO:DURATION: the offered rate grows linearly from FROM to TO. */
struct dv_ramp_plan {
	double from_qps;   /**< >= 0 */
	double to_qps;     /**< > from_qps */
	double duration_s; /**< > 0; the run sends for this long (overrides -l) */
};

/** --search LOSS%[:TRIAL[:REPEATS]]: highest rate with at most LOSS% unanswered. */
struct dv_search_plan {
	double loss_pct;       /**< 0..100 (default given with the option) */
	double trial_s;        /**< one trial's sending time, default 2 s */
	unsigned repeats;      /**< independent searches; median and spread reported; default 3 */
	double resolution_pct; /**< stop when hi - lo < this share of the upper bound; default 1 */
	double max_qps;        /**< upper bound: -Q (the search starts below it) */
};

/** Lcore roles. */
enum dv_roles {
	DV_ROLES_COMBINED = 0, /**< one lcore generates and collects */
	DV_ROLES_SPLIT,        /**< a generator lcore and a collector lcore */
};

/**
 * --checks ZONE: the zone's name as given. Its wire form is at most
 * DV_CHECKS_ZONE_MAX - 4 bytes, so that the longest check message (the
 * name, a question, an OPT with a cookie) fits a question's buffer.
 */
#define DV_CHECKS_ZONE_MAX 224

/** The immutable run plan. */
struct dv_plan {
	/* target */
	struct dv_addr target[DV_FAMILIES]; /**< by DV_FAMILY_*; family 0 = not used */
	uint16_t dport;                     /**< host order, default 53 */
	struct dv_addr src[DV_FAMILIES];    /**< source addresses; family 0 = learn/default */
	struct dv_addr gateway[DV_FAMILIES]; /**< --gateway: next hop on arp-nd ports (default: the target) */
	uint16_t vlan;                      /**< --vlan: 802.1Q VLAN ID on every frame sent, 0 = none */
	unsigned src_prefix[DV_FAMILIES];   /**< --src ADDR/PREFIX: a range of source addresses sharing
					       the first PREFIX bits of src; 0 = src alone (no range) */

	/* load */
	char query_file[PATH_MAX];
	struct dv_query_list queries;       /**< owned by the plan; dv_plan_free() */
	double qps;                         /**< offered rate, > 0 (fixed); the upper bound (search) */
	enum dv_rate_mode rate_mode;        /**< -Q 0 / --max, --ramp, --search */
	struct dv_ramp_plan ramp;
	struct dv_search_plan search;
	char plot_path[PATH_MAX];           /**< --plot FILE: resperf-style plot data, per interval */
	double plot_interval_s;             /**< interval of plot lines (default 0.5 s, as resperf) */
	double duration_s;                  /**< -l */
	double timeout_s;                   /**< -t */
	uint64_t max_queries;               /**< stop after this many (0 = no limit) */
	unsigned instance_k, instance_n;    /**< --instance K/N: this host's share (0/0: the whole run) */
	double start_at;                    /**< --start-at: wall-clock time of the first query,
					         seconds since the epoch (0: at once) */
	int edns_size;                      /**< -e: 0 = no OPT record, else 1..65535 */
	bool dnssec_ok;                     /**< -D */
	char checks_zone[DV_CHECKS_ZONE_MAX]; /**< --checks ZONE: the battery's queries join the load ("" = none) */
	double checks_share;                /**< --checks-share: share of logical queries that are checks, (0, 1] */

	/* fragments */
	double frag_timeout_s;              /**< --frag-timeout: incomplete fragment sets expire (default 0.1) */
	enum dv_frag_mode fragmented;       /**< --fragmented reassemble|drop */
	unsigned collectors;                /**< --collectors N (default 1) */

	/* sequences of attempts (issue: resolver-like query sequences) */
	struct dv_seq_plan seq;
	struct dv_population pop;           /**< --population: kinds with sequences of their own */
	enum dv_transport transport;        /**< --transport udp (default) | tcp */
	struct dv_tcp_plan tcp;
	struct dv_impair_plan impair;       /**< embedded responder only */

	/* ports: generator g sends on port g % nports, collector c reads port c % nports */
	struct dv_port_plan port[DV_MAX_PORTS];
	unsigned nports;                    /**< 1..DV_MAX_PORTS (default: one, "embedded") */
	char drivers_dir[PATH_MAX];
	char eal_extra[1024];               /**< --eal "..." appended verbatim (split on spaces) */
	bool hugepages;                     /**< --hugepages: EAL on hugepages whatever the profiles need */
	uint8_t dst_mac[6];
	bool dst_mac_set;
	unsigned burst;                     /**< TX/RX burst size, default 32 */
	uint16_t sport_base;                /**< first source port, default 10000 */
	uint16_t sport_high;                /**< --sport LOW-HIGH: last source port (LOW is sport_base);
					       0 = as many ports above sport_base as the tables need */

	/* lcores */
	unsigned generators;                /**< -T N: generator lcores, one TX queue each (default 1) */
	unsigned lcore_cpu[2 * DV_MAX_GENERATORS + 1]; /**< --lcores CPU,...: generators, then collectors,
					       then the embedded responder, in that order */
	unsigned n_lcore_cpu;               /**< 0 = dnsvolley places them */
	enum dv_poll_mode poll;
	enum dv_roles roles;

	/* output */
	char json_path[PATH_MAX];           /**< --json, empty = none */
	double stats_interval_s;            /**< -S, 0 = no periodic lines */
	unsigned track_answers;             /**< --track-answers: answers sampled per second per
					       collector for the consistency report, 0 = off */
	bool quiet;
	struct dv_conds fail_if;            /**< --fail-if: absolute conditions that fail the run's
					       verdict (exit status 3) when one is met */

	/* --metrics: live metrics over HTTP (and DPDK telemetry) while the run lasts */
	char metrics_spec[96];              /**< --metrics ADDR:PORT as given, empty = off */
	struct dv_addr metrics_addr;        /**< its address ([ADDR] for IPv6) */
	uint16_t metrics_port;              /**< its TCP port, host order */
	double metrics_hold_s;              /**< --metrics-hold: keep serving the final values this long */

	/* provenance, for the JSON header */
	char scenario_file[PATH_MAX];
	int argc;
	char **argv;                        /**< borrowed from main() */
};

/** Number of address families the plan sends over (1 or 2). */
static inline unsigned dv_plan_families(const struct dv_plan *p)
{
	return (p->target[DV_FAMILY_V4].family != 0) + (p->target[DV_FAMILY_V6].family != 0);
}

/** Do UDP attempts fall back to TCP (--on-tc tcp, --tcp-after K within the attempts)? */
static inline bool dv_seq_tcp_fallback(const struct dv_seq_plan *s)
{
	return s->on_tc == DV_ON_TC_TCP || (s->tcp_after > 0 && (unsigned)s->tcp_after < s->attempts);
}

/** Resolver kinds of the run: a population's, or 1 (the run's own sequences). */
static inline unsigned dv_plan_kinds(const struct dv_plan *p)
{
	return p->pop.n > 0 ? p->pop.n : 1;
}

/** The sequences of kind k (the run's own without a population). */
static inline const struct dv_seq_plan *dv_plan_kind_seq(const struct dv_plan *p, unsigned k)
{
	return p->pop.n > 0 ? &p->pop.kind[k].seq : &p->seq;
}

static inline bool dv_plan_tcp_fallback(const struct dv_plan *p)
{
	for (unsigned k = 0; k < dv_plan_kinds(p); k++)
		if (dv_seq_tcp_fallback(dv_plan_kind_seq(p, k)))
			return true;
	return false;
}

/**
 * Does any attempt of the run go over TCP: --transport tcp, UDP attempts
 * that fall back to it, or the battery's TCP checks in a UDP run (--checks)?
 * (After dv_seqspec_finish.)
 */
static inline bool dv_plan_uses_tcp(const struct dv_plan *p)
{
	return p->transport == DV_TRANSPORT_TCP || dv_plan_tcp_fallback(p) || p->checks_zone[0] != '\0';
}

/** Port of generator or collector i: they are dealt round robin over the ports. */
static inline unsigned dv_plan_port_of(const struct dv_plan *p, unsigned i)
{
	return p->nports > 1 ? i % p->nports : 0;
}

/** Queue of generator or collector i on its port. */
static inline unsigned dv_plan_queue_of(const struct dv_plan *p, unsigned i)
{
	return p->nports > 1 ? i / p->nports : i;
}

/** The generator (or collector) on queue q of port k. */
static inline unsigned dv_plan_index_of(const struct dv_plan *p, unsigned k, unsigned q)
{
	return p->nports > 1 ? q * p->nports + k : q;
}

/** How many of n generators (or collectors) port k gets. */
static inline unsigned dv_plan_on_port(const struct dv_plan *p, unsigned n, unsigned k)
{
	unsigned np = p->nports > 1 ? p->nports : 1;
	return n / np + (k < n % np);
}

/** Release what the plan owns (the query list). */
void dv_plan_free(struct dv_plan *p);
