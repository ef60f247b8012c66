/**
 * @file nexthop.h
 * @brief Ask the kernel how to reach a target through one interface.
 *
 * Ports on a kernel interface (af_xdp, af_packet) bypass the kernel's ARP and
 * neighbour discovery, so before EAL starts we learn from the kernel what the
 * frame template needs: our MAC, the source address, the next hop's MAC.
 * Plain rtnetlink and ioctl, no libnl. Call it inside the network namespace
 * that holds the interface.
 *
 * Addresses are formatted with dv_addr_str() from core/addr.h.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/types.h"

/** Default time to wait for the kernel to resolve a next hop's MAC. */
#define DV_NEXTHOP_TIMEOUT_MS 1000

/** What the kernel knows about reaching a target through an interface. */
struct dv_nexthop {
	int ifindex;
	uint8_t if_mac[6];      /**< MAC of the interface (SIOCGIFHWADDR) */
	struct dv_addr src;     /**< source address: the hint, the route's prefsrc, or an address of the interface */
	struct dv_addr gateway; /**< family 0 if the target is on-link */
	uint8_t next_mac[6];    /**< MAC of the target or of the gateway */
};

/**
 * Resolve how to reach target through ifname.
 *
 * Looks the route up (RTM_GETROUTE); its output interface must be ifname.
 * The source address is src_hint if its family is set (it must be configured
 * on ifname), else the route's preferred source, else an address of ifname of
 * the target's family. The next hop's MAC comes from the neighbour table; when
 * it is missing or unusable, a UDP datagram to the next hop's discard port (9)
 * from a socket bound to ifname makes the kernel resolve it, and the table is
 * polled every 10 ms until timeout_ms. Accepted neighbour states: REACHABLE,
 * STALE, DELAY, PROBE, PERMANENT and NOARP, with a 6-byte link-layer address.
 *
 * Loopback is accepted (its MACs are all zero); other non-Ethernet interfaces
 * are not. Every error is reported once through dv_err(), except -ENOENT.
 *
 * With timeout_ms 0 the table is only looked at (no probe, no wait): meant for
 * a caller that has the next hop's MAC already (--dst-mac) and wants the rest.
 *
 * @param ifname      kernel interface name, e.g. "veth0"
 * @param target      address to reach (AF_INET or AF_INET6)
 * @param src_hint    wanted source address, or NULL / family 0 to learn it
 * @param timeout_ms  how long to wait for neighbour resolution (0: look once)
 * @param own_route   look up the route through ifname only (several ports
 *                    reach one target, each by a route of its own), instead
 *                    of requiring the kernel's preferred route to use ifname
 * @param nh          result; zeroed on every error except -ENOENT and
 *                    -ETIMEDOUT, where all but next_mac (zero) is filled
 *
 * @retval 0             nh is filled
 * @retval -ENOENT       timeout_ms was 0 and the table has no usable entry
 *                       (not reported: the caller decides)
 * @retval -EINVAL       bad arguments, unusable route type or interface kind
 * @retval -ENODEV       no such interface
 * @retval -ENETDOWN     the interface is down
 * @retval -ENETUNREACH  (or another route error) the kernel has no route
 * @retval -EXDEV        the route goes through another interface
 * @retval -EADDRNOTAVAIL  no usable source address on the interface
 * @retval -ETIMEDOUT    the next hop's MAC did not appear in time
 * @retval <0            other -errno from netlink or socket calls
 */
int dv_nexthop_resolve(const char *ifname, const struct dv_addr *target,
		       const struct dv_addr *src_hint, unsigned timeout_ms, bool own_route,
		       struct dv_nexthop *nh);

/**
 * Queues an AF_XDP socket can open on ifname, counted as the af_xdp PMD
 * counts them: the combined channels (ETHTOOL_GCHANNELS); 1 when the driver
 * reports none (a veth, which has separate RX and TX channels) or cannot say.
 * @retval >0       the count
 * @retval -ENODEV  no such interface
 * @retval <0       other -errno of the socket
 */
int dv_iface_combined_channels(const char *ifname);
