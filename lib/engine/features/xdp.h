/**
 * @file xdp.h
 * @brief dnsvolley's XDP program on AF_XDP ports (lib/xdp/dns_filter.bpf.c):
 *        the af_xdp PMD loads it (xdp_prog devarg, profile placeholder
 *        {xdp_prog}). Each run owns its interfaces and its program's maps:
 *
 * - before EAL, a run claims each interface: a lock per interface
 *   (/run/dnsvolley/xdp-NETNS-IFINDEX.lock, holding the run's PID) refuses a
 *   second run on an interface a live run uses, naming that run; a program
 *   of ours left attached by a run that died (SIGKILL) is detached; any
 *   other program is refused with the command that removes it;
 * - once the PMD attached the program, its maps are found through it (the
 *   interface's program, its map ids): nothing is pinned in bpffs, so runs
 *   never share or remove each other's maps, and no bpffs is needed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/plan.h"

/** The program's counters, summed over CPUs (and over the run's ports). */
struct dv_xdp_counts {
	uint64_t redirected; /**< to our sockets */
	uint64_t passed;     /**< to the kernel */
	uint64_t fragments;  /**< of the redirected: fragments from the target */
	uint64_t icmp;       /**< of the redirected: ICMP errors */
	uint64_t tcp;        /**< of the redirected: TCP segments from the target's port (--transport tcp) */
};

/** Whether any port of the plan loads the program. */
bool dv_xdp_used(const struct dv_plan *plan);

/**
 * Before EAL: claim every interface that loads the program (see above).
 * @return 0, or a negative errno (reported on one line: a user/host error)
 */
int dv_xdp_claim(const struct dv_plan *plan);

/**
 * Once the ports exist (the program is attached): find its maps through the
 * interface and tell it the target and the DNS port; until then it passes
 * everything to the kernel.
 * @return 0, or a negative errno (reported)
 */
int dv_xdp_configure(const struct dv_plan *plan);

/** The counters now. @return 0, or a negative errno */
int dv_xdp_read(struct dv_xdp_counts *out);

/** Close the maps and give the interfaces back (the PMD detaches the program). */
void dv_xdp_release(void);

/**
 * The iproute2 command that detaches what is attached in an XDP mode.
 * @param attach_mode XDP_ATTACHED_DRV, _SKB or _HW (linux/if_link.h)
 */
void dv_xdp_off_command(unsigned attach_mode, const char *ifname, char *buf, size_t len);
