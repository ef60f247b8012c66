/**
 * @file eal.h
 * @brief Checks before EAL starts, and the EAL command line built from the plan.
 *
 * A user never writes EAL syntax for the common cases: the port profile says
 * which vdev, whether hugepages are needed, and the lcore layout follows the
 * roles. --eal "..." appends anything else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config/plan.h"

#define DV_EAL_ARGV_MAX 64

/** The EAL argument vector (strings live in buf). */
struct dv_eal_args {
	int argc;
	char *argv[DV_EAL_ARGV_MAX];
	char buf[4096];
	unsigned nlcores;      /**< lcores requested, main included */
};

/** Lcore ids by role, as laid out by dv_eal_args_build. */
struct dv_lcore_map {
	unsigned gen[DV_MAX_GENERATORS]; /**< generators (gen[0] also collects when combined) */
	unsigned col[DV_MAX_COLLECTORS]; /**< collectors when split, one per RX queue */
	unsigned resp;         /**< embedded responder */
};

/**
 * Check what the port needs before EAL is started: permissions, hugepages,
 * bpffs. Each problem is one line naming it and how to fix it.
 * @return 0 or -EPERM / -ENOMEM / -ENOENT (reported)
 */
int dv_preflight(const struct dv_plan *plan);

/**
 * Build EAL arguments: unique --file-prefix, memory cap, --no-huge when the
 * profile can do without hugepages, the lcore layout, the vdev, quiet logs,
 * then --eal extras.
 * @return 0 or -E2BIG / -EINVAL (reported)
 */
int dv_eal_args_build(const struct dv_plan *plan, const char *prog, struct dv_eal_args *a,
		      struct dv_lcore_map *map);

/**
 * Name of the ethdev of port k: from its profile's vdev ("net_af_xdp0",
 * "net_af_xdp1" for a second af_xdp port), the PCI address with its domain
 * for pci profiles ("0000:3b:00.0"), or "" for embedded.
 */
void dv_eal_vdev_name(const struct dv_plan *plan, unsigned k, char *buf, size_t len);

/** Whether any port of the plan needs hugepages (then EAL gets them for all). */
bool dv_eal_needs_hugepages(const struct dv_plan *plan);

/** Stop EAL and remove the runtime directory it leaves behind (/var/run/dpdk/PREFIX). */
void dv_eal_stop(void);
