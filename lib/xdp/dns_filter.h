/**
 * @file dns_filter.h
 * @brief What dnsvolley and its XDP program (dns_filter.bpf.c) share: the
 *        configuration map's layout and the counters' indexes.
 */
#pragma once

#include <linux/types.h>

/** dv_xdp_config[0]: what is ours (network byte order). */
struct dv_xdp_config {
	__u32 target4;      /**< the IPv4 target */
	__u32 target6[4];   /**< the IPv6 target */
	__u16 dport;        /**< the target's DNS port */
	__u8 has4, has6;    /**< 0: let every frame of that family pass */
	__u32 pid;          /**< the run that configured it (host byte order): names a run that died */
	__u8 tcp;           /**< 1: TCP segments from the target's port are ours too (--transport tcp) */
	__u8 pad[3];
};

/** dv_xdp_counters: per-CPU, summed by the reader. */
enum {
	DV_XDP_REDIRECTED = 0, /**< to our AF_XDP sockets */
	DV_XDP_PASSED,         /**< to the kernel */
	DV_XDP_FRAGMENTS,      /**< of the redirected: IP fragments from the target */
	DV_XDP_ICMP,           /**< of the redirected: ICMP/ICMPv6 errors */
	DV_XDP_TCP,            /**< of the redirected: TCP segments from the target's port */
	DV_XDP_COUNTERS,
};
