/*
 * xdp_drop.c: the traffic sink of tests/bench/afxdp.sh. Attached (native XDP)
 * to the server's end of the lab veth, it drops every frame before the kernel
 * stack sees it, so the path's cost ends at the veth. The veth counts what it
 * dropped (ethtool -S: rx_queue_0_xdp_drops) and what it received (rx_packets),
 * independently of what the sending tool reports.
 *
 * Built at benchmark time (no prebuilt object in the tree):
 *   clang -O2 -target bpf -c xdp_drop.c -o xdp_drop.o
 * Self-contained on purpose: no kernel or libbpf headers needed.
 */
struct xdp_md;

#define XDP_DROP 1

__attribute__((section("xdp"), used)) int xdp_drop_all(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
