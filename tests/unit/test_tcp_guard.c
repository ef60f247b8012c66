/*
 * The TCP guard (engine/features/tcp_guard.h): what each shipped profile
 * needs, the exact nft ruleset, our tables in a listing, and the refusal of
 * source addresses the kernel owns behind a tap. Installing through nft is
 * tests/integration/tcp-guard.sh's (root, a namespace).
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "config/profile.h"
#include "core/log.h"
#include "engine/features/tcp_guard.h"

static char msg[512];
static char drivers[PATH_MAX];
static struct dv_tcp_guard g;

static struct dv_addr v4(const char *s)
{
	struct dv_addr a = { .family = AF_INET };
	ck_assert_int_eq(inet_pton(AF_INET, s, &a.v4), 1);
	return a;
}

static struct dv_addr v6(const char *s)
{
	struct dv_addr a = { .family = AF_INET6 };
	ck_assert_int_eq(inet_pton(AF_INET6, s, &a.v6), 1);
	return a;
}

static void setup(void)
{
	msg[0] = '\0';
	dv_log_capture(msg, sizeof(msg));
	const char *root = getenv("DV_SOURCE_ROOT");
	snprintf(drivers, sizeof(drivers), "%s/drivers-config",
		 root != NULL ? root : DV_TEST_DATA "/../..");
	/* The lab's pair: us 198.18.0.1 / 2001:2::1 on dvg0, the server .2 on port 53. */
	memset(&g, 0, sizeof(g));
	g.pid = 4242;
	g.target[DV_FAMILY_V4] = v4("198.18.0.2");
	g.target[DV_FAMILY_V6] = v6("2001:2::2");
	g.dport = 53;
	g.nports = 1;
	snprintf(g.port[0].ifname, sizeof(g.port[0].ifname), "dvg0");
	g.port[0].src[DV_FAMILY_V4] = v4("198.18.0.1");
	g.port[0].src[DV_FAMILY_V6] = v6("2001:2::1");
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

static enum dv_tcp_guard_need need_of(const char *name)
{
	char path[PATH_MAX + 64];
	struct dv_port_profile pr;
	snprintf(path, sizeof(path), "%s/%s.yaml", drivers, name);
	ck_assert_msg(dv_profile_load(path, &pr) == 0, "%s: %s", path, msg);
	return dv_tcp_guard_need(&pr);
}

START_TEST(need_of_each_shipped_profile)
{
	ck_assert_int_eq(need_of("af_packet"), DV_TCP_GUARD_NFT);
	ck_assert_int_eq(need_of("af_xdp"), DV_TCP_GUARD_XDP);
	ck_assert_int_eq(need_of("tap"), DV_TCP_GUARD_NOT_LOCAL);
	static const char *const none[] = { "embedded", "null", "memif", "mlx5", "ice", "i40e",
					    "ixgbe", "virtio" };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ck_assert_msg(need_of(none[i]) == DV_TCP_GUARD_NONE, "%s", none[i]);

	/* af_xdp without our program: the PMD's takes our queues only; the kernel gets the rest. */
	char path[PATH_MAX + 64];
	struct dv_port_profile pr;
	snprintf(path, sizeof(path), "%s/af_xdp.yaml", drivers);
	ck_assert_int_eq(dv_profile_load(path, &pr), 0);
	snprintf(pr.vdev, sizeof(pr.vdev), "net_af_xdp0,iface={arg},start_queue=0,queue_count={queues}");
	ck_assert_int_eq(dv_tcp_guard_need(&pr), DV_TCP_GUARD_NFT);
}
END_TEST

static const char lab_rules[] =
	"table inet dnsvolley_4242 {\n"
	"\tchain in {\n"
	"\t\ttype filter hook prerouting priority -300; policy accept;\n"
	"\t\tiifname \"dvg0\" ip saddr 198.18.0.2 ip daddr 198.18.0.1 tcp sport 53 counter drop\n"
	"\t\tiifname \"dvg0\" ip6 saddr 2001:2::2 ip6 daddr 2001:2::1 tcp sport 53 counter drop\n"
	"\t}\n"
	"\tchain out {\n"
	"\t\ttype filter hook output priority -300; policy accept;\n"
	"\t\tip saddr 198.18.0.1 ip daddr 198.18.0.2 tcp dport 53 tcp flags & rst == rst counter drop\n"
	"\t\tip6 saddr 2001:2::1 ip6 daddr 2001:2::2 tcp dport 53 tcp flags & rst == rst counter drop\n"
	"\t}\n"
	"}\n";

START_TEST(ruleset_both_families)
{
	char buf[DV_TCP_GUARD_RULESET_MAX];
	int n = dv_tcp_guard_ruleset(&g, buf, sizeof(buf));
	ck_assert_str_eq(buf, lab_rules);
	ck_assert_int_eq(n, (int)strlen(lab_rules));
}
END_TEST

/* A target of one family only; a range is written as its network; another port and DNS port. */
START_TEST(ruleset_ranges_and_ports)
{
	char buf[DV_TCP_GUARD_RULESET_MAX];
	g.pid = 7;
	g.dport = 5353;
	g.target[DV_FAMILY_V6].family = 0;
	g.port[0].src[DV_FAMILY_V4] = v4("198.18.130.77");
	g.port[0].src_plen[DV_FAMILY_V4] = 20;
	g.nports = 2;
	snprintf(g.port[1].ifname, sizeof(g.port[1].ifname), "eth1.100");
	g.port[1].src[DV_FAMILY_V4] = v4("198.18.2.1");
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf,
		"table inet dnsvolley_7 {\n"
		"\tchain in {\n"
		"\t\ttype filter hook prerouting priority -300; policy accept;\n"
		"\t\tiifname \"dvg0\" ip saddr 198.18.0.2 ip daddr 198.18.128.0/20 tcp sport 5353 counter drop\n"
		"\t\tiifname \"eth1.100\" ip saddr 198.18.0.2 ip daddr 198.18.2.1 tcp sport 5353 counter drop\n"
		"\t}\n"
		"\tchain out {\n"
		"\t\ttype filter hook output priority -300; policy accept;\n"
		"\t\tip saddr 198.18.128.0/20 ip daddr 198.18.0.2 tcp dport 5353 tcp flags & rst == rst counter drop\n"
		"\t\tip saddr 198.18.2.1 ip daddr 198.18.0.2 tcp dport 5353 tcp flags & rst == rst counter drop\n"
		"\t}\n"
		"}\n");

	/* An IPv6 range: host bits cleared past /61; a full-length prefix is the address alone. */
	g.target[DV_FAMILY_V6] = v6("2001:2::53");
	g.port[0].src[DV_FAMILY_V6] = v6("2001:2:0:7:ffff::9");
	g.port[0].src_plen[DV_FAMILY_V6] = 61;
	g.port[1].src[DV_FAMILY_V6] = v6("2001:2:0:2::1");
	g.port[1].src_plen[DV_FAMILY_V6] = 128;
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\t\tiifname \"dvg0\" ip6 saddr 2001:2::53 ip6 daddr 2001:2::/61 "
					  "tcp sport 5353 counter drop\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\t\tiifname \"eth1.100\" ip6 saddr 2001:2::53 ip6 daddr "
					  "2001:2:0:2::1 tcp sport 5353 counter drop\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\t\tip6 saddr 2001:2::/61 ip6 daddr 2001:2::53 tcp dport 5353 "
					  "tcp flags & rst == rst counter drop\n"));
}
END_TEST

/* Two ports with the same source (the kernel's address on both): one output rule. */
START_TEST(ruleset_one_out_rule_per_source)
{
	char buf[DV_TCP_GUARD_RULESET_MAX];
	g.target[DV_FAMILY_V6].family = 0;
	g.nports = 2;
	g.port[1] = g.port[0];
	snprintf(g.port[1].ifname, sizeof(g.port[1].ifname), "dvg1");
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "iifname \"dvg0\" ip saddr 198.18.0.2"));
	ck_assert_ptr_nonnull(strstr(buf, "iifname \"dvg1\" ip saddr 198.18.0.2"));
	const char *out = strstr(buf, "chain out");
	ck_assert_ptr_nonnull(out);
	const char *first = strstr(out, "ip saddr 198.18.0.1");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, "ip saddr 198.18.0.1"));
	/* The same address as a range is another source. */
	g.port[1].src_plen[DV_FAMILY_V4] = 24;
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "\t\tip saddr 198.18.0.0/24 ip daddr 198.18.0.2"));
}
END_TEST

/* --vlan: the kernel receives on its VLAN interface, whatever its name: addresses alone. */
START_TEST(ruleset_vlan_matches_by_address)
{
	char buf[DV_TCP_GUARD_RULESET_MAX];
	g.vlan = 100;
	g.target[DV_FAMILY_V6].family = 0;
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "iifname"));
	ck_assert_ptr_nonnull(strstr(buf, "\t\tip saddr 198.18.0.2 ip daddr 198.18.0.1 tcp sport 53 "
					  "counter drop\n"));
}
END_TEST

START_TEST(ruleset_refuses)
{
	char buf[DV_TCP_GUARD_RULESET_MAX];
	static const char *const bad[] = { "", "a b", "x\"y", "eth0;", "abcdefghijklmnop" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(g.port[0].ifname, sizeof(g.port[0].ifname), "%s", bad[i]);
		if (strlen(bad[i]) >= IFNAMSIZ) /* snprintf cut it: make it unterminated */
			memcpy(g.port[0].ifname, bad[i], IFNAMSIZ);
		ck_assert_msg(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)) == -EINVAL, "'%s'", bad[i]);
	}
	snprintf(g.port[0].ifname, sizeof(g.port[0].ifname), "abcdefghijklmno"); /* 15: fits */
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), 0);
	g.nports = 0;
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), -EINVAL);
	g.nports = DV_MAX_PORTS + 1;
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), -EINVAL);
	/* No family with both a target and a source: no rule, which is no guard. */
	g.nports = 1;
	g.target[DV_FAMILY_V6].family = 0;
	g.port[0].src[DV_FAMILY_V4].family = 0;
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(ruleset_no_room)
{
	char buf[sizeof(lab_rules)];
	/* Exactly enough: the text and its NUL. */
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, sizeof(lab_rules)), (int)strlen(lab_rules));
	ck_assert_str_eq(buf, lab_rules);
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, sizeof(lab_rules) - 1), -ENOSPC);
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, buf, 10), -ENOSPC);
	ck_assert_int_eq(dv_tcp_guard_ruleset(&g, NULL, 0), -ENOSPC);

	/* The most the header promises room for: every port, both families, ranges, long names. */
	char big[DV_TCP_GUARD_RULESET_MAX];
	g.nports = DV_MAX_PORTS;
	g.pid = 4294967295u;
	g.dport = 65535;
	g.target[DV_FAMILY_V4] = v4("255.255.255.255");
	g.target[DV_FAMILY_V6] = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	for (unsigned k = 0; k < DV_MAX_PORTS; k++) {
		struct dv_tcp_guard_port *p = &g.port[k];
		snprintf(p->ifname, sizeof(p->ifname), "abcdefghijklmn%u", k);
		p->src[DV_FAMILY_V4] = v4("255.255.255.254");
		p->src_plen[DV_FAMILY_V4] = 31 - k;
		p->src[DV_FAMILY_V6] = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
		p->src_plen[DV_FAMILY_V6] = 127 - k;
	}
	ck_assert_int_gt(dv_tcp_guard_ruleset(&g, big, sizeof(big)), 0);
}
END_TEST

START_TEST(tables_in_a_listing)
{
	unsigned pids[4];
	const char *listing = "table inet filter\n"
			      "table inet dnsvolley_4242\n"
			      "table ip dnsvolley_77\n"          /* not the inet family: not ours */
			      "table inet dnsvolley_\n"          /* no PID */
			      "table inet dnsvolley_12x\n"       /* not a PID */
			      "table inet dnsvolley_0\n"         /* no process is 0 */
			      "table inet dnsvolley_2147483648\n" /* no pid_t is that large */
			      "table inet dnsvolley_99999999999999999999999\n"
			      "table inet dnsvolley_2147483647\n"
			      "table inet dnsvolley_9";          /* no newline at the end */
	ck_assert_uint_eq(dv_tcp_guard_tables(listing, pids, 4), 3);
	ck_assert_uint_eq(pids[0], 4242);
	ck_assert_uint_eq(pids[1], 2147483647u);
	ck_assert_uint_eq(pids[2], 9);
	/* More than there is room for: counted, not written. */
	pids[1] = 0;
	ck_assert_uint_eq(dv_tcp_guard_tables(listing, pids, 1), 3);
	ck_assert_uint_eq(pids[0], 4242);
	ck_assert_uint_eq(pids[1], 0);
	ck_assert_uint_eq(dv_tcp_guard_tables("", pids, 4), 0);
	ck_assert_uint_eq(dv_tcp_guard_tables(NULL, pids, 4), 0);
}
END_TEST

/* A fake getifaddrs() list: 127.0.0.1 on lo, 198.18.0.254 and 2001:2::fe on dvtap0. */
static struct sockaddr_in sa_lo, sa_tap;
static struct sockaddr_in6 sa_tap6;
static struct sockaddr sa_pkt = { .sa_family = AF_PACKET };
static struct ifaddrs if_pkt, if_lo, if_tap, if_tap6, if_none;

static const struct ifaddrs *host(void)
{
	sa_lo = (struct sockaddr_in){ .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.1", &sa_lo.sin_addr);
	sa_tap = (struct sockaddr_in){ .sin_family = AF_INET };
	inet_pton(AF_INET, "198.18.0.254", &sa_tap.sin_addr);
	sa_tap6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, "2001:2::fe", &sa_tap6.sin6_addr);
	if_pkt = (struct ifaddrs){ .ifa_next = &if_none, .ifa_name = "dvtap0", .ifa_addr = &sa_pkt };
	if_none = (struct ifaddrs){ .ifa_next = &if_lo, .ifa_name = "dummy0", .ifa_addr = NULL };
	if_lo = (struct ifaddrs){ .ifa_next = &if_tap, .ifa_name = "lo",
				  .ifa_addr = (struct sockaddr *)&sa_lo };
	if_tap = (struct ifaddrs){ .ifa_next = &if_tap6, .ifa_name = "dvtap0",
				   .ifa_addr = (struct sockaddr *)&sa_tap };
	if_tap6 = (struct ifaddrs){ .ifa_next = NULL, .ifa_name = "dvtap0",
				    .ifa_addr = (struct sockaddr *)&sa_tap6 };
	return &if_pkt;
}

START_TEST(not_local_on_a_tap)
{
	struct dv_tcp_guard_port p;
	const char *what = "--transport tcp on tap:dvtap0";
	memset(&p, 0, sizeof(p));
	/* Addresses of the tap's subnet that no interface has: fine. */
	p.src[DV_FAMILY_V4] = v4("198.18.0.1");
	p.src[DV_FAMILY_V6] = v6("2001:2::1");
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), 0);
	ck_assert_str_eq(msg, "");
	/* A range that stops short of the host's address. */
	p.src[DV_FAMILY_V4] = v4("198.18.0.0");
	p.src_plen[DV_FAMILY_V4] = 25;
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), 0);

	/* The tap's own address. */
	p.src[DV_FAMILY_V4] = v4("198.18.0.254");
	p.src_plen[DV_FAMILY_V4] = 0;
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), -EADDRINUSE);
	ck_assert_str_eq(msg, "--transport tcp on tap:dvtap0: 198.18.0.254 (on dvtap0) is one of our "
			      "source addresses and an address of this host: the kernel would take the "
			      "server's segments to it and reset them; give --src addresses no "
			      "interface has");
	/* A range holding it (its host bits set in --src do not matter). */
	p.src[DV_FAMILY_V4] = v4("198.18.0.130");
	p.src_plen[DV_FAMILY_V4] = 25;
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), -EADDRINUSE);
	/* IPv6 too. */
	p.src[DV_FAMILY_V4] = v4("198.18.0.1");
	p.src_plen[DV_FAMILY_V4] = 0;
	p.src[DV_FAMILY_V6] = v6("2001:2::");
	p.src_plen[DV_FAMILY_V6] = 120;
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(msg, ": 2001:2::fe (on dvtap0) is one of our source addresses"));
	/* A family we do not use is no address of ours. */
	p.src[DV_FAMILY_V6].family = 0;
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, host()), 0);
	ck_assert_int_eq(dv_tcp_guard_check_not_local(what, &p, NULL), 0);
}
END_TEST

static Suite *tcp_guard_suite(void)
{
	Suite *s = suite_create("tcp_guard");
	TCase *tc = tcase_create("tcp_guard");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, need_of_each_shipped_profile);
	tcase_add_test(tc, ruleset_both_families);
	tcase_add_test(tc, ruleset_ranges_and_ports);
	tcase_add_test(tc, ruleset_one_out_rule_per_source);
	tcase_add_test(tc, ruleset_vlan_matches_by_address);
	tcase_add_test(tc, ruleset_refuses);
	tcase_add_test(tc, ruleset_no_room);
	tcase_add_test(tc, tables_in_a_listing);
	tcase_add_test(tc, not_local_on_a_tap);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(tcp_guard_suite());
}
