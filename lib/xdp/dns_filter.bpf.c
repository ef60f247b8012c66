/*
 * dnsvolley's XDP program for AF_XDP ports (loaded by the af_xdp PMD through
 * its xdp_prog devarg): to our sockets goes only what the run needs, DNS
 * answers from the target's port, fragments from the target and ICMP/ICMPv6
 * errors, and with --transport tcp TCP segments from the target's port (the
 * kernel has no socket for our connections: it would answer them with RST);
 * everything else (ARP, ND, SSH, ping) stays with the kernel.
 * Per-CPU counters, read by dnsvolley through libbpf, check its own counts.
 * Nothing is pinned: every load has its own maps, which dnsvolley finds
 * through the program attached to its interface (engine/features/xdp.c), so
 * runs on other interfaces never share them, and no bpffs is needed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp/dns_filter.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dv_xdp_config);
} dv_xdp_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DV_XDP_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} dv_xdp_counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&dv_xdp_counters, &which);
	if (c)
		*c += 1;
}

static __always_inline int take(struct xdp_md *ctx)
{
	count(DV_XDP_REDIRECTED);
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

static __always_inline int pass(void)
{
	count(DV_XDP_PASSED);
	return XDP_PASS;
}

SEC("xdp")
int dv_dns_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct dv_xdp_config *cfg = bpf_map_lookup_elem(&dv_xdp_config, &zero);
	struct ethhdr *eth = data;
	if (!cfg || (void *)(eth + 1) > end)
		return pass();
	__u16 proto = eth->h_proto;
	void *l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		if (l3 + 4 > end)
			return pass();
		proto = *(__u16 *)(l3 + 2);
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP) && cfg->has4) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end || ip->saddr != cfg->target4)
			goto icmp4;
		if (ip->frag_off & bpf_htons(0x3fff)) { /* MF or an offset */
			count(DV_XDP_FRAGMENTS);
			return take(ctx);
		}
		if (ip->protocol == IPPROTO_UDP) {
			struct udphdr *udp = l3 + ip->ihl * 4;
			if ((void *)(udp + 1) <= end && udp->source == cfg->dport)
				return take(ctx);
		}
		if (ip->protocol == IPPROTO_TCP && cfg->tcp) {
			struct tcphdr *tcp = l3 + ip->ihl * 4;
			if ((void *)(tcp + 1) <= end && tcp->source == cfg->dport) {
				count(DV_XDP_TCP);
				return take(ctx);
			}
		}
icmp4:
		if ((void *)(ip + 1) <= end && ip->protocol == IPPROTO_ICMP) {
			__u8 *t = l3 + ip->ihl * 4;
			/* Errors only (unreachable, time exceeded, parameter problem): echo stays. */
			if ((void *)(t + 1) <= end && (*t == 3 || *t == 11 || *t == 12)) {
				count(DV_XDP_ICMP);
				return take(ctx);
			}
		}
		return pass();
	}
	if (proto == bpf_htons(ETH_P_IPV6) && cfg->has6) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return pass();
		void *l4 = ip6 + 1;
		if (ip6->nexthdr == IPPROTO_ICMPV6) {
			__u8 *t = l4;
			/* Errors (types 1..4); neighbour discovery and echo stay with the kernel. */
			if ((void *)(t + 1) <= end && *t >= 1 && *t <= 4) {
				count(DV_XDP_ICMP);
				return take(ctx);
			}
			return pass();
		}
		__u32 *s = (__u32 *)&ip6->saddr;
		if (s[0] != cfg->target6[0] || s[1] != cfg->target6[1] || s[2] != cfg->target6[2] ||
		    s[3] != cfg->target6[3])
			return pass();
		if (ip6->nexthdr == IPPROTO_FRAGMENT) {
			count(DV_XDP_FRAGMENTS);
			return take(ctx);
		}
		if (ip6->nexthdr == IPPROTO_UDP) {
			struct udphdr *udp = l4;
			if ((void *)(udp + 1) <= end && udp->source == cfg->dport)
				return take(ctx);
		}
		if (ip6->nexthdr == IPPROTO_TCP && cfg->tcp) {
			struct tcphdr *tcp = l4;
			if ((void *)(tcp + 1) <= end && tcp->source == cfg->dport) {
				count(DV_XDP_TCP);
				return take(ctx);
			}
		}
	}
	return pass();
}

char _license[] SEC("license") = "Dual BSD/GPL";
