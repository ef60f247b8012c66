/**
 * @file nexthop.c
 * @brief Route, source address and next-hop MAC from the kernel (rtnetlink).
 *
 * Every netlink exchange uses a fresh socket, one request and a bounded
 * receive loop: replies are read until NLMSG_DONE or NLMSG_ERROR (requests
 * carry NLM_F_ACK so a plain GET ends with an ack), every message and
 * attribute is length-checked with NLMSG_OK / RTA_OK before it is read.
 */
#include "net/nexthop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/neighbour.h>
#include <linux/sockios.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/addr.h"
#include "core/log.h"

/* Larger than any message the kernel sends in one datagram (dumps use <= 32 KiB). */
#define NL_BUF_SIZE 65536
/* A kernel reply never takes this long; the bound only keeps us from hanging. */
#define NL_RECV_TIMEOUT_S 2
/* A dump interrupted by a table change is restarted at most this often. */
#define NL_DUMP_RETRIES 5

#define POLL_INTERVAL_MS 10
/* Re-send the probe when the entry is absent or FAILED (the kernel gave up). */
#define REPROBE_INTERVAL_MS 250
#define DISCARD_PORT 9

/** Called for every reply message that is not DONE or ERROR; non-zero stops. */
typedef int (*nl_cb_t)(const struct nlmsghdr *h, void *ctx);

static size_t addr_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static const void *addr_bytes(const struct dv_addr *a)
{
	return a->family == AF_INET ? (const void *)&a->v4 : (const void *)&a->v6;
}

static bool addr_eq(const struct dv_addr *a, const struct dv_addr *b)
{
	return a->family == b->family && a->family != 0 &&
	       memcmp(addr_bytes(a), addr_bytes(b), addr_len(a->family)) == 0;
}

/** Read an address attribute of the given family; false if the length is wrong. */
static bool attr_addr(const struct rtattr *a, int family, struct dv_addr *out)
{
	size_t len = addr_len(family);
	if (RTA_PAYLOAD(a) != len)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->family == AF_INET ? (void *)&out->v4 : (void *)&out->v6, RTA_DATA(a), len);
	return true;
}

/** Append an attribute to a request of capacity cap; -EMSGSIZE if it does not fit. */
static int nl_put_attr(struct nlmsghdr *h, size_t cap, unsigned short type,
		       const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(h->nlmsg_len);
	if (off + RTA_SPACE(len) > cap)
		return -EMSGSIZE;
	struct rtattr *a = (struct rtattr *)((char *)h + off);
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = (uint32_t)(off + RTA_SPACE(len));
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/**
 * Send one request to the kernel and pass each reply message to cb.
 *
 * @retval 0        the kernel acked or finished the dump
 * @retval -EAGAIN  a dump was interrupted by a concurrent change: retry
 * @retval <0       -errno from the kernel, the socket, or the callback
 */
static int nl_transact(struct nlmsghdr *req, nl_cb_t cb, void *ctx)
{
	static uint32_t seq;
	int ret;
	char *buf = NULL;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;

	buf = malloc(NL_BUF_SIZE);
	if (buf == NULL) {
		ret = -ENOMEM;
		goto cleanup;
	}
	struct timeval tv = { .tv_sec = NL_RECV_TIMEOUT_S };
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		ret = -errno;
		goto cleanup;
	}

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++seq ^ (uint32_t)time(NULL);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n = sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (n < 0) {
		ret = -errno;
		goto cleanup;
	}
	if ((size_t)n != req->nlmsg_len) {
		ret = -EIO;
		goto cleanup;
	}

	for (;;) {
		struct sockaddr_nl from;
		struct iovec iov = { .iov_base = buf, .iov_len = NL_BUF_SIZE };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = (errno == EAGAIN || errno == EWOULDBLOCK) ? -ETIMEDOUT : -errno;
			goto cleanup;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			ret = -EMSGSIZE;
			goto cleanup;
		}
		if (from.nl_pid != 0)
			continue; /* only the kernel may answer */

		/* NLMSG_OK/NLMSG_NEXT, spelt out without their signed/unsigned mix. */
		size_t left = (size_t)n;
		for (const char *p = buf; left >= sizeof(struct nlmsghdr);) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)p;
			if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > left) {
				ret = -EBADMSG;
				goto cleanup;
			}
			size_t step = NLMSG_ALIGN(h->nlmsg_len);
			if (step < left) {
				p += step;
				left -= step;
			} else {
				left = 0; /* h is the last message */
			}

			if (h->nlmsg_seq != req->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
					ret = -EBADMSG;
					goto cleanup;
				}
				const struct nlmsgerr *e = NLMSG_DATA(h);
				ret = e->error; /* 0 is the ack that ends a GET */
				goto cleanup;
			}
			if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
				ret = -EAGAIN;
				goto cleanup;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				/* A dump's DONE carries its status. */
				int status = 0;
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&status, NLMSG_DATA(h), sizeof(int));
				ret = status < 0 ? status : 0;
				goto cleanup;
			}
			ret = cb(h, ctx);
			if (ret != 0)
				goto cleanup;
		}
	}

cleanup:
	free(buf);
	close(fd);
	return ret;
}

/* ------------------------------------------------------------------ route */

struct route_info {
	bool found;
	unsigned char type;     /**< RTN_* */
	int oif;
	struct dv_addr gateway; /**< RTA_GATEWAY, or RTA_VIA (IPv4 over an IPv6 gateway) */
	struct dv_addr prefsrc;
	int family;
};

static int route_cb(const struct nlmsghdr *h, void *ctx)
{
	struct route_info *ri = ctx;
	if (h->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EBADMSG;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	ri->found = true;
	ri->type = rtm->rtm_type;

	int alen = (int)RTM_PAYLOAD(h);
	for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		switch (a->rta_type) {
		case RTA_OIF:
			if (RTA_PAYLOAD(a) >= sizeof(int))
				memcpy(&ri->oif, RTA_DATA(a), sizeof(int));
			break;
		case RTA_GATEWAY:
			(void)attr_addr(a, ri->family, &ri->gateway);
			break;
		case RTA_PREFSRC:
			(void)attr_addr(a, ri->family, &ri->prefsrc);
			break;
		case RTA_VIA: {
			/* struct rtvia: a family, then the address. */
			const uint8_t *p = RTA_DATA(a);
			size_t plen = RTA_PAYLOAD(a);
			__kernel_sa_family_t f;
			if (plen < sizeof(f))
				break;
			memcpy(&f, p, sizeof(f));
			if ((f == AF_INET || f == AF_INET6) && plen == sizeof(f) + addr_len(f)) {
				memset(&ri->gateway, 0, sizeof(ri->gateway));
				ri->gateway.family = f;
				memcpy(f == AF_INET ? (void *)&ri->gateway.v4 : (void *)&ri->gateway.v6,
				       p + sizeof(f), addr_len(f));
			}
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

/** Ask the kernel which route it would use for dst (forced onto oif when oif > 0). */
static int route_get(const struct dv_addr *dst, int oif, struct route_info *ri)
{
	/* A union, so that attributes appended after the header stay inside the object. */
	union {
		struct nlmsghdr h;
		char buf[NLMSG_SPACE(sizeof(struct rtmsg)) + RTA_SPACE(sizeof(struct in6_addr)) +
			 RTA_SPACE(sizeof(int))];
	} req;
	memset(&req, 0, sizeof(req));
	memset(ri, 0, sizeof(*ri));
	ri->family = dst->family;

	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.h.nlmsg_type = RTM_GETROUTE;
	struct rtmsg *rtm = NLMSG_DATA(&req.h);
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = (unsigned char)(addr_len(dst->family) * 8);
	int ret = nl_put_attr(&req.h, sizeof(req), RTA_DST, addr_bytes(dst), addr_len(dst->family));
	if (ret == 0 && oif > 0)
		ret = nl_put_attr(&req.h, sizeof(req), RTA_OIF, &oif, sizeof(oif));
	if (ret != 0)
		return ret;
	ret = nl_transact(&req.h, route_cb, ri);
	if (ret == 0 && !ri->found)
		ret = -ENOENT;
	return ret;
}

/* -------------------------------------------------------------- neighbour */

struct neigh_query {
	int ifindex;
	struct dv_addr addr;
	bool found;
	uint16_t state;  /**< NUD_* */
	bool have_mac;
	uint8_t mac[6];
};

static int neigh_cb(const struct nlmsghdr *h, void *ctx)
{
	struct neigh_query *q = ctx;
	if (h->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
		return -EBADMSG;
	const struct ndmsg *ndm = NLMSG_DATA(h);
	/* The kernel may ignore the dump filter (no strict checking): filter here. */
	if (ndm->ndm_ifindex != q->ifindex || ndm->ndm_family != q->addr.family)
		return 0;

	struct dv_addr dst = { 0 };
	bool have_mac = false;
	uint8_t mac[6];
	int alen = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(struct ndmsg)));
	const struct rtattr *a = (const struct rtattr *)((const char *)ndm +
							NLMSG_ALIGN(sizeof(struct ndmsg)));
	for (; RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
		if (a->rta_type == NDA_DST) {
			(void)attr_addr(a, q->addr.family, &dst);
		} else if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == sizeof(mac)) {
			memcpy(mac, RTA_DATA(a), sizeof(mac));
			have_mac = true;
		}
	}
	if (!addr_eq(&dst, &q->addr))
		return 0;
	q->found = true;
	q->state = ndm->ndm_state;
	q->have_mac = have_mac;
	if (have_mac)
		memcpy(q->mac, mac, sizeof(mac));
	return 0;
}

/** Look addr up in the neighbour table of ifindex (a dump, filtered here). */
static int neigh_get(int ifindex, const struct dv_addr *addr, struct neigh_query *q)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg ndm;
	} req;
	int ret = -EAGAIN;
	for (int i = 0; i < NL_DUMP_RETRIES && ret == -EAGAIN; i++) {
		memset(&req, 0, sizeof(req));
		memset(q, 0, sizeof(*q));
		q->ifindex = ifindex;
		q->addr = *addr;
		req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
		req.h.nlmsg_type = RTM_GETNEIGH;
		req.h.nlmsg_flags = NLM_F_DUMP;
		req.ndm.ndm_family = (unsigned char)addr->family;
		req.ndm.ndm_ifindex = ifindex;
		ret = nl_transact(&req.h, neigh_cb, q);
	}
	return ret;
}

static bool neigh_usable(const struct neigh_query *q)
{
	const uint16_t ok = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
			    NUD_PERMANENT | NUD_NOARP;
	return q->found && q->have_mac && (q->state & ok) != 0;
}

/**
 * Make the kernel resolve addr on ifname: a UDP datagram to the discard port
 * from a socket bound to the interface. Failures are not errors: the caller
 * keeps polling the table and reports the timeout.
 */
static void neigh_probe(const char *ifname, int ifindex, const struct dv_addr *addr)
{
	int fd = socket(addr->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) != 0)
		goto cleanup;

	static const char payload[] = "dnsvolley neighbour probe";
	if (addr->family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DISCARD_PORT),
					   .sin_addr = addr->v4 };
		(void)sendto(fd, payload, sizeof(payload) - 1, 0, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		/* The scope id matters for link-local next hops; harmless for others. */
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(DISCARD_PORT),
					     .sin6_addr = addr->v6,
					     .sin6_scope_id = (uint32_t)ifindex };
		(void)sendto(fd, payload, sizeof(payload) - 1, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	}
cleanup:
	close(fd);
}

/* ------------------------------------------------------------- interface */

/**
 * Is addr configured on ifname? If want_any, instead pick an address of
 * addr->family into *addr, preferring one of the same scope as target
 * (link-local for a link-local IPv6 target, else a non-link-local one).
 */
static bool iface_addr(const char *ifname, struct dv_addr *addr, bool want_any,
		       const struct dv_addr *target)
{
	struct ifaddrs *list = NULL;
	bool found = false;
	bool target_ll = target->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&target->v6);
	struct dv_addr fallback = { 0 };

	if (getifaddrs(&list) != 0)
		return false;
	for (const struct ifaddrs *i = list; i != NULL && !found; i = i->ifa_next) {
		if (i->ifa_addr == NULL || strcmp(i->ifa_name, ifname) != 0 ||
		    i->ifa_addr->sa_family != addr->family)
			continue;
		struct dv_addr a = { .family = addr->family };
		if (a.family == AF_INET)
			a.v4 = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		else
			a.v6 = ((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		if (!want_any) {
			found = addr_eq(&a, addr);
			continue;
		}
		bool ll = a.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a.v6);
		if (ll == target_ll) {
			*addr = a;
			found = true;
		} else if (fallback.family == 0) {
			fallback = a;
		}
	}
	if (!found && want_any && fallback.family != 0) {
		*addr = fallback;
		found = true;
	}
	freeifaddrs(list);
	return found;
}

/** Interface MAC and whether it is loopback (accepted, with its all-zero MAC). */
static int iface_info(const char *ifname, uint8_t mac[6], bool *loopback)
{
	int ret;
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		dv_err("%s: socket: %s", ifname, strerror(errno));
		return ret;
	}

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname)); /* length checked by the caller */
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		ret = -errno;
		dv_err("%s: reading interface flags: %s", ifname, strerror(errno));
		goto cleanup;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		ret = -ENETDOWN;
		dv_err("interface %s is down (ip link set %s up)", ifname, ifname);
		goto cleanup;
	}
	*loopback = (ifr.ifr_flags & IFF_LOOPBACK) != 0;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		ret = -errno;
		dv_err("%s: reading the MAC address: %s", ifname, strerror(errno));
		goto cleanup;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER && ifr.ifr_hwaddr.sa_family != ARPHRD_LOOPBACK) {
		ret = -EINVAL;
		dv_err("%s is not an Ethernet interface (link type %u)", ifname,
		       (unsigned)ifr.ifr_hwaddr.sa_family);
		goto cleanup;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	ret = 0;

cleanup:
	close(fd);
	return ret;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* ------------------------------------------------------------------- API */

int dv_nexthop_resolve(const char *ifname, const struct dv_addr *target,
		       const struct dv_addr *src_hint, unsigned timeout_ms, bool own_route,
		       struct dv_nexthop *nh)
{
	int ret;
	char tbuf[INET6_ADDRSTRLEN], abuf[INET6_ADDRSTRLEN];
	struct dv_nexthop out;
	struct route_info ri;
	struct neigh_query nq;

	memset(&out, 0, sizeof(out));
	if (nh != NULL)
		memset(nh, 0, sizeof(*nh));
	if (ifname == NULL || target == NULL || nh == NULL ||
	    (target->family != AF_INET && target->family != AF_INET6)) {
		dv_err("internal: dv_nexthop_resolve: bad arguments");
		return -EINVAL;
	}
	dv_addr_str(target, tbuf, sizeof(tbuf));

	/* Interface: exists, up, Ethernet (or loopback). */
	out.ifindex = strlen(ifname) < IFNAMSIZ ? (int)if_nametoindex(ifname) : 0;
	if (out.ifindex == 0) {
		ret = -ENODEV;
		dv_err("--port: no interface '%s' in this network namespace", ifname);
		goto cleanup;
	}
	bool loopback = false;
	ret = iface_info(ifname, out.if_mac, &loopback);
	if (ret != 0)
		goto cleanup;

	/* Route. IPv6 link-local has no meaning without an interface: force ours. */
	bool scoped = target->family == AF_INET6 &&
		      (IN6_IS_ADDR_LINKLOCAL(&target->v6) || IN6_IS_ADDR_MC_LINKLOCAL(&target->v6));
	ret = route_get(target, scoped || own_route ? out.ifindex : 0, &ri);
	if (ret != 0) {
		dv_err("-s %s: no route (%s)", tbuf, strerror(-ret));
		goto cleanup;
	}
	if (ri.type != RTN_UNICAST && ri.type != RTN_LOCAL) {
		ret = -EINVAL;
		dv_err("-s %s: not a unicast destination (route type %u)", tbuf, (unsigned)ri.type);
		goto cleanup;
	}
	if (ri.oif != out.ifindex) {
		char oname[IF_NAMESIZE] = "?";
		if (ri.oif <= 0 || if_indextoname((unsigned)ri.oif, oname) == NULL)
			snprintf(oname, sizeof(oname), "?");
		ret = -EXDEV;
		if (ri.type == RTN_LOCAL)
			dv_err("-s %s: is an address of this host (route goes via %s, not %s)",
			       tbuf, oname, ifname);
		else
			dv_err("-s %s: route goes via %s, not %s", tbuf, oname, ifname);
		goto cleanup;
	}
	out.gateway = ri.gateway;

	/* Source address. */
	if (src_hint != NULL && src_hint->family != 0) {
		dv_addr_str(src_hint, abuf, sizeof(abuf));
		if (src_hint->family != target->family) {
			ret = -EINVAL;
			dv_err("source %s and target %s are not of the same family", abuf, tbuf);
			goto cleanup;
		}
		out.src = *src_hint;
		if (!iface_addr(ifname, &out.src, false, target)) {
			ret = -EADDRNOTAVAIL;
			dv_err("source %s is not an address of %s", abuf, ifname);
			goto cleanup;
		}
	} else if (ri.prefsrc.family == target->family) {
		out.src = ri.prefsrc;
	} else {
		out.src.family = target->family;
		if (!iface_addr(ifname, &out.src, true, target)) {
			ret = -EADDRNOTAVAIL;
			dv_err("no %s address on %s", family_name(target->family), ifname);
			goto cleanup;
		}
	}

	/*
	 * Loopback resolves nothing (its IPv4 neighbour is even keyed 0.0.0.0):
	 * frames carry its own all-zero MAC.
	 */
	if (loopback) {
		memcpy(out.next_mac, out.if_mac, sizeof(out.next_mac));
		goto done;
	}

	/* Next hop's MAC: the table, else probe and poll. */
	const struct dv_addr *hop = out.gateway.family != 0 ? &out.gateway : target;
	uint64_t start = now_ms();
	uint64_t last_probe = 0;
	bool probed = false;
	for (;;) {
		ret = neigh_get(out.ifindex, hop, &nq);
		if (ret != 0) {
			dv_err("%s: reading the neighbour table: %s", ifname, strerror(-ret));
			goto cleanup;
		}
		if (neigh_usable(&nq))
			break;

		/* Partial results (no next_mac) serve a caller that has its own MAC. */
		if (timeout_ms == 0) {
			ret = -ENOENT; /* only looking: not an error, not reported */
			*nh = out;
			goto cleanup;
		}
		uint64_t now = now_ms();
		if (now - start >= timeout_ms) {
			ret = -ETIMEDOUT;
			*nh = out;
			dv_addr_str(hop, abuf, sizeof(abuf));
			if (hop == target)
				dv_err("no MAC for %s on %s after %u ms (is it up? pass --dst-mac)",
				       abuf, ifname, timeout_ms);
			else
				dv_err("no MAC for gateway %s (route to %s) on %s after %u ms "
				       "(is it up? pass --dst-mac)", abuf, tbuf, ifname, timeout_ms);
			goto cleanup;
		}
		/* Re-probe only when the kernel is not asking (INCOMPLETE) any more. */
		bool stuck = !nq.found || nq.state == NUD_NONE || (nq.state & NUD_FAILED);
		if (!probed || (stuck && now - last_probe >= REPROBE_INTERVAL_MS)) {
			neigh_probe(ifname, out.ifindex, hop);
			probed = true;
			last_probe = now;
		}
		uint64_t left = timeout_ms - (now - start);
		sleep_ms(left < POLL_INTERVAL_MS ? (unsigned)left : POLL_INTERVAL_MS);
	}
	memcpy(out.next_mac, nq.mac, sizeof(out.next_mac));

done:
	*nh = out;
	ret = 0;

cleanup:
	return ret;
}

int dv_iface_combined_channels(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	if (ifname == NULL || strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (char *)&ch;
	int rc = ioctl(fd, SIOCETHTOOL, &ifr) == 0 ? 0 : -errno;
	close(fd);
	if (rc == -ENODEV)
		return rc;
	/* As the PMD: no answer, or no combined channels, is one queue. */
	if (rc != 0 || ch.max_combined == 0 || ch.combined_count == 0)
		return 1;
	return (int)ch.combined_count;
}
