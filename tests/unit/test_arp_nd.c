/* Unit tests for lib/wire/arp_nd.c: ARP and Neighbor Discovery builders and parser. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include "check_main.h"
#include "mutate.h"
#include "wire/arp_nd.h"
#include "wire/frame_parse.h"

static const uint8_t our_mac[6] = { 0x02, 0x64, 0x76, 0x00, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0x64, 0x76, 0x00, 0x00, 0x02 };

static void ip4(const char *s, uint8_t *out)
{
	ck_assert_int_eq(inet_pton(AF_INET, s, out), 1);
}

static void ip6(const char *s, uint8_t *out)
{
	ck_assert_int_eq(inet_pton(AF_INET6, s, out), 1);
}

/* The ICMPv6 checksum of an ND frame (no tag) verifies. */
static void nd_csum_ok(const uint8_t *f, size_t l3)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(f + l3);
	/* Pseudo header + message, the checksum included, sums to all ones. */
	uint32_t sum = rte_ipv6_phdr_cksum(ip, 0) +
		       rte_raw_cksum(f + l3 + DV_IPV6_HLEN, dv_rd16(f + l3 + 4));
	ck_assert_uint_eq(__rte_raw_cksum_reduce(sum), 0xffff);
}

START_TEST(test_arp_request_and_reply)
{
	uint8_t us[16] = { 0 }, them[16] = { 0 }, f[DV_ND_FRAME_MAX], r[DV_ND_FRAME_MAX];
	ip4("198.18.4.10", us);
	ip4("198.18.4.1", them);
	uint16_t len = dv_nd_build_request(AF_INET, our_mac, us, them, 0, f);
	ck_assert_uint_eq(len, 60); /* 42 bytes, padded to the Ethernet minimum */
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	ck_assert_mem_eq(f, bcast, 6);
	ck_assert_uint_eq(dv_rd16(f + 12), DV_ETHERTYPE_ARP);

	struct dv_nd_info ni;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_int_eq(ni.family, AF_INET);
	ck_assert_int_eq(ni.kind, DV_ND_REQUEST);
	ck_assert_uint_eq(ni.vlan, 0);
	ck_assert_mem_eq(ni.mac, our_mac, 6);
	ck_assert_mem_eq(ni.sender, us, 4);
	ck_assert_mem_eq(ni.target, them, 4);

	/* The peer answers: it is "them", and answers to us. */
	uint16_t rl = dv_nd_build_reply(&ni, peer_mac, r);
	ck_assert_uint_eq(rl, 60);
	ck_assert_mem_eq(r, our_mac, 6);     /* to the requester */
	ck_assert_mem_eq(r + 6, peer_mac, 6);
	struct dv_nd_info rep;
	ck_assert_int_eq(dv_nd_parse(r, rl, &rep), 0);
	ck_assert_int_eq(rep.kind, DV_ND_REPLY);
	ck_assert_mem_eq(rep.mac, peer_mac, 6);
	ck_assert_mem_eq(rep.sender, them, 4);
	ck_assert_mem_eq(rep.target, us, 4);
	ck_assert_uint_eq(dv_rd16(r + 14 + 6), 2); /* op: reply */
	ck_assert_mem_eq(r + 14 + 18, our_mac, 6); /* target hardware address */
}
END_TEST

START_TEST(test_ns_and_na)
{
	uint8_t us[16], them[16], f[DV_ND_FRAME_MAX], r[DV_ND_FRAME_MAX];
	ip6("2001:2:0:4::10", us);
	ip6("2001:2:0:4::abcd:1", them);
	uint16_t len = dv_nd_build_request(AF_INET6, our_mac, us, them, 0, f);
	ck_assert_uint_eq(len, 14 + 40 + 32);
	/* Solicited-node multicast: ff02::1:ffcd:0001, MAC 33:33:ff:cd:00:01. */
	static const uint8_t mmac[6] = { 0x33, 0x33, 0xff, 0xcd, 0x00, 0x01 };
	ck_assert_mem_eq(f, mmac, 6);
	uint8_t group[16];
	ip6("ff02::1:ffcd:1", group);
	ck_assert_mem_eq(f + 14 + 24, group, 16);
	ck_assert_uint_eq(f[14 + 7], 255);
	ck_assert_uint_eq(f[14 + 40], 135);
	nd_csum_ok(f, 14);

	struct dv_nd_info ni;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_int_eq(ni.family, AF_INET6);
	ck_assert_int_eq(ni.kind, DV_ND_REQUEST);
	ck_assert_mem_eq(ni.mac, our_mac, 6); /* source link-layer option */
	ck_assert_mem_eq(ni.sender, us, 16);
	ck_assert_mem_eq(ni.target, them, 16);

	uint16_t rl = dv_nd_build_reply(&ni, peer_mac, r);
	ck_assert_uint_eq(rl, 14 + 40 + 32);
	ck_assert_mem_eq(r, our_mac, 6);
	ck_assert_mem_eq(r + 14 + 8, them, 16);  /* from the target address */
	ck_assert_mem_eq(r + 14 + 24, us, 16);   /* to the solicitor */
	ck_assert_uint_eq(r[14 + 40], 136);
	ck_assert_uint_eq(r[14 + 40 + 4], 0x60); /* solicited, override */
	nd_csum_ok(r, 14);
	struct dv_nd_info rep;
	ck_assert_int_eq(dv_nd_parse(r, rl, &rep), 0);
	ck_assert_int_eq(rep.kind, DV_ND_REPLY);
	ck_assert_mem_eq(rep.mac, peer_mac, 6); /* target link-layer option */
	ck_assert_mem_eq(rep.target, them, 16);
}
END_TEST

START_TEST(test_dad_and_announce)
{
	uint8_t us[16], f[DV_ND_FRAME_MAX], r[DV_ND_FRAME_MAX];
	uint8_t all[16];
	ip6("ff02::1", all);
	/* A solicitation from :: (duplicate address detection) is answered to all nodes. */
	uint8_t unspec[16] = { 0 };
	ip6("2001:2:0:4::10", us);
	uint16_t len = dv_nd_build_request(AF_INET6, peer_mac, unspec, us, 0, f);
	struct dv_nd_info ni;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	uint16_t rl = dv_nd_build_reply(&ni, our_mac, r);
	ck_assert_mem_eq(r + 14 + 24, all, 16);
	ck_assert_uint_eq(r[14 + 40 + 4], 0x20); /* override only: not solicited */
	nd_csum_ok(r, 14);
	ck_assert_int_eq(dv_nd_parse(r, rl, &ni), 0);

	/* Unsolicited advertisement of our address. */
	len = dv_nd_build_announce(AF_INET6, our_mac, us, 0, f);
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_int_eq(ni.kind, DV_ND_REPLY);
	ck_assert_mem_eq(ni.target, us, 16);
	ck_assert_mem_eq(ni.mac, our_mac, 6);
	ck_assert_mem_eq(f + 14 + 24, all, 16);
	nd_csum_ok(f, 14);

	/* Gratuitous ARP: sender = target = our address, broadcast. */
	uint8_t v4[16] = { 0 };
	ip4("198.18.4.10", v4);
	len = dv_nd_build_announce(AF_INET, our_mac, v4, 0, f);
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_int_eq(ni.kind, DV_ND_REQUEST);
	ck_assert_mem_eq(ni.sender, v4, 4);
	ck_assert_mem_eq(ni.target, v4, 4);
}
END_TEST

START_TEST(test_vlan)
{
	uint8_t us[16] = { 0 }, them[16] = { 0 }, f[DV_ND_FRAME_MAX], r[DV_ND_FRAME_MAX];
	ip4("198.18.4.10", us);
	ip4("198.18.4.1", them);
	uint16_t len = dv_nd_build_request(AF_INET, our_mac, us, them, 42, f);
	ck_assert_uint_eq(dv_rd16(f + 12), DV_ETHERTYPE_VLAN);
	ck_assert_uint_eq(dv_rd16(f + 14), 42);
	ck_assert_uint_eq(dv_rd16(f + 16), DV_ETHERTYPE_ARP);
	struct dv_nd_info ni;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_uint_eq(ni.vlan, 42);
	uint16_t rl = dv_nd_build_reply(&ni, peer_mac, r);
	ck_assert_uint_eq(dv_rd16(r + 14), 42); /* the answer stays on the request's VLAN */
	ck_assert_int_eq(dv_nd_parse(r, rl, &ni), 0);
	ck_assert_int_eq(ni.kind, DV_ND_REPLY);

	ip6("2001:2:0:4::10", us);
	ip6("2001:2:0:4::1", them);
	len = dv_nd_build_request(AF_INET6, our_mac, us, them, 4094, f);
	ck_assert_uint_eq(len, 18 + 40 + 32);
	nd_csum_ok(f, 18);
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	ck_assert_uint_eq(ni.vlan, 4094);
}
END_TEST

START_TEST(test_malformed)
{
	uint8_t us[16], them[16], f[DV_ND_FRAME_MAX];
	ip6("2001:2:0:4::10", us);
	ip6("2001:2:0:4::1", them);
	struct dv_nd_info ni;
	uint16_t len = dv_nd_build_request(AF_INET6, our_mac, us, them, 0, f);
	/* Every truncation of the IPv6 part is refused. */
	for (uint16_t l = 0; l < 14 + 40 + 24; l++)
		ck_assert_int_eq(dv_nd_parse(f, l, &ni), -EINVAL);
	/* A router could have forwarded it: hop limit must be 255 (RFC 4861 7.1.1). */
	f[14 + 7] = 254;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	f[14 + 7] = 255;
	/* An option of length 0. */
	f[14 + 40 + 25] = 0;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	f[14 + 40 + 25] = 1;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), 0);
	/* Not NS/NA, or not code 0. */
	f[14 + 40] = 128;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	f[14 + 40] = 135;
	f[14 + 41] = 1;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);

	uint8_t a4[16] = { 0 }, b4[16] = { 0 };
	ip4("198.18.4.10", a4);
	ip4("198.18.4.1", b4);
	len = dv_nd_build_request(AF_INET, our_mac, a4, b4, 0, f);
	for (uint16_t l = 0; l < 14 + 28; l++)
		ck_assert_int_eq(dv_nd_parse(f, l, &ni), -EINVAL);
	f[14 + 5] = 6; /* protocol address length */
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	f[14 + 5] = 4;
	f[14 + 7] = 3; /* RARP request */
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	f[12] = 0x08; /* IPv4 */
	f[13] = 0x00;
	ck_assert_int_eq(dv_nd_parse(f, len, &ni), -EINVAL);
	ck_assert_int_eq(dv_nd_parse(NULL, 60, &ni), -EINVAL);
}
END_TEST

static void fuzz_one(const uint8_t *data, size_t len)
{
	struct dv_nd_info ni;
	if (dv_nd_parse(data, len, &ni) == 0) {
		/* Whatever parses can be answered without overrunning the frame. */
		uint8_t out[DV_ND_FRAME_MAX];
		ck_assert_uint_le(dv_nd_build_reply(&ni, our_mac, out), DV_ND_FRAME_MAX);
	}
}

START_TEST(test_fuzz)
{
	enum { NSEEDS = 6 };
	uint8_t seeds[NSEEDS][DV_ND_FRAME_MAX];
	size_t slen[NSEEDS];
	uint8_t a4[16] = { 0 }, b4[16] = { 0 }, a6[16], b6[16];
	ip4("198.18.4.10", a4);
	ip4("198.18.4.1", b4);
	ip6("2001:2:0:4::10", a6);
	ip6("2001:2:0:4::1", b6);
	slen[0] = dv_nd_build_request(AF_INET, our_mac, a4, b4, 0, seeds[0]);
	slen[1] = dv_nd_build_request(AF_INET6, our_mac, a6, b6, 0, seeds[1]);
	slen[2] = dv_nd_build_announce(AF_INET6, our_mac, a6, 7, seeds[2]);
	slen[3] = dv_nd_build_announce(AF_INET, our_mac, a4, 7, seeds[3]);
	struct dv_nd_info ni;
	ck_assert_int_eq(dv_nd_parse(seeds[1], slen[1], &ni), 0);
	slen[4] = dv_nd_build_reply(&ni, peer_mac, seeds[4]);
	ck_assert_int_eq(dv_nd_parse(seeds[0], slen[0], &ni), 0);
	slen[5] = dv_nd_build_reply(&ni, peer_mac, seeds[5]);
	uint8_t buf[256];
	dv_fuzz_seeds(seeds[0], sizeof(seeds[0]), slen, NSEEDS, 100000, 4861, buf, fuzz_one);
}
END_TEST

static Suite *arp_nd_suite(void)
{
	Suite *s = suite_create("arp_nd");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_arp_request_and_reply);
	tcase_add_test(tc, test_ns_and_na);
	tcase_add_test(tc, test_dad_and_announce);
	tcase_add_test(tc, test_vlan);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(arp_nd_suite());
}
