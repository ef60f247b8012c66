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

/** One line of a query file: a question in wire format. */
struct dv_query {
	uint8_t qname[255];  /**< owner name, uncompressed wire format */
	uint8_t qname_len;   /**< bytes used in qname (incl. root label) */
	uint16_t qtype;      /**< host order */
};

/** The queries of a run, in file order; the generator cycles through them. */
struct dv_query_list {
	struct dv_query *q;
	size_t n;
};

/** Which checksum work the PMD does for us. */
enum dv_csum_mode {
	DV_CSUM_SOFTWARE = 0, /**< compute IPv4/UDP checksums in software */
	DV_CSUM_OFFLOAD,      /**< request TX offloads (only if dev_info says so) */
};

/** A port profile from drivers-config/ (one YAML file per DPDK driver). */
struct dv_port_profile {
	char name[32];         /**< profile name, = file name without .yaml */
	char description[128];
	char vdev[256];        /**< devargs template, "{arg}" replaced by the spec's argument; empty for embedded/PCI */
	bool needs_arg;        /**< spec must be "name:ARG" (unless default_arg is set) */
	char default_arg[32];  /**< ARG when the spec has none, e.g. "dvtap0" for tap */
	char arg_kind[16];     /**< "iface", "pci", "path" or "" */
	bool needs_hugepages;
	bool needs_bpffs;
	bool kernel_iface;     /**< ARG is a kernel interface: learn MAC and neighbours from the kernel */
	bool embedded;         /**< in-process ring pair with the embedded responder */
	enum dv_csum_mode csum;
	uint16_t rx_desc, tx_desc;
};

/** How lcores are used. */
enum dv_poll_mode {
	DV_POLL_FRUGAL = 0, /**< sleep briefly when ahead of schedule and RX is empty */
	DV_POLL_BUSY,       /**< spin: dedicated cores only */
};

/** Lcore roles. */
enum dv_roles {
	DV_ROLES_COMBINED = 0, /**< one lcore generates and collects */
	DV_ROLES_SPLIT,        /**< a generator lcore and a collector lcore */
};

/** The immutable run plan. */
struct dv_plan {
	/* target */
	struct dv_addr target[DV_FAMILIES]; /**< by DV_FAMILY_*; family 0 = not used */
	uint16_t dport;                     /**< host order, default 53 */
	struct dv_addr src[DV_FAMILIES];    /**< source addresses; family 0 = learn/default */

	/* load */
	char query_file[PATH_MAX];
	struct dv_query_list queries;       /**< owned by the plan; dv_plan_free() */
	double qps;                         /**< offered rate, > 0 */
	double duration_s;                  /**< -l */
	double timeout_s;                   /**< -t */
	uint64_t max_queries;               /**< stop after this many (0 = no limit) */
	int edns_size;                      /**< -e: 0 = no OPT record, else 512..65535 */
	bool dnssec_ok;                     /**< -D */

	/* port */
	char port_spec[128];                /**< as given, e.g. "af_xdp:veth0" */
	char port_arg[96];                  /**< the part after ':' */
	struct dv_port_profile profile;
	char drivers_dir[PATH_MAX];
	char eal_extra[1024];               /**< --eal "..." appended verbatim (split on spaces) */
	uint8_t dst_mac[6];
	bool dst_mac_set;
	unsigned burst;                     /**< TX/RX burst size, default 32 */
	uint16_t sport_base;                /**< first source port, default 10000 */

	/* lcores */
	enum dv_poll_mode poll;
	enum dv_roles roles;

	/* output */
	char json_path[PATH_MAX];           /**< --json, empty = none */
	double stats_interval_s;            /**< -S, 0 = no periodic lines */
	bool quiet;

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

/** Release what the plan owns (the query list). */
void dv_plan_free(struct dv_plan *p);
