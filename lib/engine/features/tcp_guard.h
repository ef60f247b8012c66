/**
 * @file tcp_guard.h
 * @brief --transport tcp: the kernel must never answer for our connections.
 *
 * dnsvolley's TCP client has no kernel socket. Where the kernel also
 * receives on the port's interface, it would find no socket for the
 * server's SYN-ACK and reset the connection. What each port kind needs
 * (dv_tcp_guard_need, from its profile):
 *
 * - af_packet (a kernel interface, no XDP program of ours): an nftables
 *   table of the run's own, `inet dnsvolley_PID`, drops TCP from the
 *   target's DNS port to our source addresses arriving on the interface, in
 *   prerouting at raw priority (-300): before conntrack and before any
 *   socket lookup. AF_PACKET takes its copy before netfilter, so dnsvolley
 *   still sees every segment. Belt and braces, an output rule at the same
 *   priority drops any RST the kernel itself would send from our addresses
 *   to the target's port (a segment that came in another way); our own
 *   segments leave through the packet socket, which no netfilter IP hook
 *   sees, so the RSTs we mean to send still go;
 * - af_xdp with dnsvolley's XDP program: nothing, the program redirects TCP
 *   from the target's port to our sockets before the kernel sees it;
 * - tap: the kernel is the far end of our wire; it forwards the server's
 *   segments to us and resets them only if one of our source addresses is
 *   its own, which is refused before the run starts;
 * - DPDK-owned NICs, memif, null, embedded: no kernel sees the traffic.
 *
 * The table is removed when the run ends, whatever ended it; a table left
 * by a run that is gone (SIGKILL) is removed by the next run that installs
 * one in that network namespace, with one line saying so. nft is run with
 * posix_spawn (core/spawn.h) and reads the rules on stdin.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "config/plan.h"

struct ifaddrs;

/** The prefix of our tables' names: `inet dnsvolley_PID`. */
#define DV_TCP_GUARD_TABLE "dnsvolley_"

/** Room for any ruleset dv_tcp_guard_ruleset() writes (DV_MAX_PORTS ports, two families). */
#define DV_TCP_GUARD_RULESET_MAX 4096

/** What a port needs so that the kernel does not answer for our connections. */
enum dv_tcp_guard_need {
	DV_TCP_GUARD_NONE = 0, /**< no kernel sees the port's traffic (DPDK-owned, memif, null, embedded) */
	DV_TCP_GUARD_XDP,      /**< our XDP program takes the target's TCP before the kernel */
	DV_TCP_GUARD_NFT,      /**< the kernel receives on the interface too: nftables rules */
	DV_TCP_GUARD_NOT_LOCAL, /**< the kernel is across the wire (tap): our addresses must not be its own */
};

/** One interface the kernel receives on, and our source addresses there. */
struct dv_tcp_guard_port {
	char ifname[IFNAMSIZ];
	struct dv_addr src[DV_FAMILIES]; /**< per DV_FAMILY_*; family 0: the family is not used */
	unsigned src_plen[DV_FAMILIES];  /**< a --src range's prefix length; 0: src alone */
};

/** Everything the rules name. */
struct dv_tcp_guard {
	unsigned pid;                           /**< names the table (the run's PID) */
	struct dv_addr target[DV_FAMILIES];     /**< family 0: not used */
	uint16_t dport;                         /**< the target's DNS port, host order */
	uint16_t vlan;                          /**< --vlan: frames come in on the kernel's VLAN
						     interface, whatever its name: match by address only */
	unsigned nports;
	struct dv_tcp_guard_port port[DV_MAX_PORTS];
};

/**
 * What a port of this profile needs (see above): decided from kernel-iface,
 * the XDP program in its vdev, the kind of its argument and embedded.
 */
enum dv_tcp_guard_need dv_tcp_guard_need(const struct dv_port_profile *prof);

/**
 * The nft ruleset that creates the table `inet dnsvolley_PID` with its two
 * chains: `in` (prerouting, priority -300): per port and family,
 * `iifname IF ip saddr TARGET ip daddr SRC tcp sport DPORT counter drop`;
 * `out` (output, priority -300): per distinct source,
 * `ip saddr SRC ip daddr TARGET tcp dport DPORT tcp flags & rst == rst counter drop`.
 * A range is written as its network (SRC/PLEN, host bits cleared). Families
 * without both a target and a source get no rule.
 *
 * @return its length, -EINVAL (an interface name nft would not take as it
 *         is, no port, no family) or -ENOSPC
 */
int dv_tcp_guard_ruleset(const struct dv_tcp_guard *g, char *buf, size_t len);

/**
 * The PIDs of our tables in `nft list tables` output (lines
 * "table inet dnsvolley_PID"; anything else is skipped).
 *
 * @param listing  the output
 * @param pids     receives at most max PIDs, in listing order
 * @return how many tables there are (may exceed max)
 */
unsigned dv_tcp_guard_tables(const char *listing, unsigned *pids, unsigned max);

/**
 * Install the rules for g in the current network namespace, in one nft
 * transaction that also removes the tables of runs that are gone (their PID
 * is no process, or is g->pid: this process cannot have made them); each
 * removal is said in one line, even with -q.
 *
 * @param what  names the run in messages, e.g. "--transport tcp on af_packet:veth0"
 * @return 0, -ENOENT (no nft on PATH), or another negative errno (nft
 *         failed, timed out); every error reported in one line
 */
int dv_tcp_guard_install(const struct dv_tcp_guard *g, const char *what);

/**
 * A port whose far end is the kernel (tap): refuse when one of our source
 * addresses (a --src range: any address in it) is an address of this host,
 * since the kernel would deliver the server's segments to itself and reset
 * them.
 *
 * @param what   names the run in the message, e.g. "--transport tcp on tap:dvtap0"
 * @param ours   our source addresses (ifname unused)
 * @param local  the host's addresses, as getifaddrs() lists them
 * @return 0, or -EADDRINUSE (reported in one line naming the address)
 */
int dv_tcp_guard_check_not_local(const char *what, const struct dv_tcp_guard_port *ours,
				 const struct ifaddrs *local);

/**
 * Remove the table `inet dnsvolley_PID` (gone already: fine).
 * @return 0, or a negative errno (reported, with the command that removes it)
 */
int dv_tcp_guard_remove(unsigned pid);
