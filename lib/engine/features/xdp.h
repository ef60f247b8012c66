/**
 * @file xdp.h
 * @brief dnsvolley's XDP program on AF_XDP ports (lib/xdp/dns_filter.bpf.c):
 *        the af_xdp PMD loads it (xdp_prog devarg, profile placeholder
 *        {xdp_prog}); libbpf pins its configuration and counter maps in
 *        bpffs, where dnsvolley fills the one and reads the other.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"

/** The program's counters, summed over CPUs. */
struct dv_xdp_counts {
	uint64_t redirected; /**< to our sockets */
	uint64_t passed;     /**< to the kernel */
	uint64_t fragments;  /**< of the redirected: fragments from the target */
	uint64_t icmp;       /**< of the redirected: ICMP errors */
};

/** Whether any port of the plan loads the program. */
bool dv_xdp_used(const struct dv_plan *plan);

/** Before EAL: remove maps an earlier run left pinned, so counters start at 0. */
void dv_xdp_unpin(void);

/**
 * Once the ports exist (the program is loaded): tell it the target and the
 * DNS port; until then it passes everything to the kernel.
 * @return 0, or a negative errno (reported)
 */
int dv_xdp_configure(const struct dv_plan *plan);

/** The counters now. @return 0, or a negative errno */
int dv_xdp_read(struct dv_xdp_counts *out);
