/* Unit tests for lib/wire/fragment.c: what a received IP fragment says. */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include "mutate.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/answer.h"
#include "wire/fragment.h"
#include "wire/query.h"
#include "wire/response.h"
#include "wire_helpers.h"

#define DNS_PORT  53
#define OUR_PORT  10007
#define FRAME_MAX 2048
#define FRAGS_MAX 64

/* ---- a hand-written frame assembler ------------------------------------ */

static const char *const src4 = "198.19.100.53", *const dst4 = "198.18.2.1";
static const char *const src6 = "2001:2:ffff::53", *const dst6 = "2001:2::1";

/* IPv4 header checksum from scratch. */
static void ip4_csum(uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	wr16(ip + 10, 0);
	wr16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, ihl)));
}

/* Ethernet + IPv4 with opt_len bytes of options (NOPs), given flags/offset word. */
static size_t mk_ip4(uint8_t *f, bool vlan, uint16_t id, uint16_t fragw, uint8_t proto,
		     size_t opt_len, const uint8_t *pl, size_t plen)
{
	size_t off = put_eth(f, 0x0800, vlan);
	uint8_t *ip = f + off;
	size_t ihl = 20 + opt_len;
	memset(ip, 0, 20);
	ip[0] = (uint8_t)(0x40 | (ihl / 4));
	wr16(ip + 2, (uint16_t)(ihl + plen));
	wr16(ip + 4, id);
	wr16(ip + 6, fragw);
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src4, ip + 12);
	inet_pton(AF_INET, dst4, ip + 16);
	memset(ip + 20, 1, opt_len);
	ip4_csum(ip);
	memcpy(ip + ihl, pl, plen);
	return off + ihl + plen;
}

/*
 * Ethernet + IPv6 + ext (extension headers before the Fragment header, the
 * last of them naming 44; first_nh is the IPv6 header's next header) +
 * Fragment header + payload.
 */
static size_t mk_ip6(uint8_t *f, bool vlan, uint8_t first_nh, const uint8_t *ext, size_t extlen,
		     uint32_t id, uint16_t offset, bool more, uint8_t nh,
		     const uint8_t *pl, size_t plen)
{
	size_t off = put_eth(f, 0x86dd, vlan);
	uint8_t *ip = f + off;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)(extlen + 8 + plen));
	ip[6] = first_nh;
	ip[7] = 64;
	inet_pton(AF_INET6, src6, ip + 8);
	inet_pton(AF_INET6, dst6, ip + 24);
	if (extlen > 0)
		memcpy(ip + 40, ext, extlen);
	uint8_t *fh = ip + 40 + extlen;
	fh[0] = nh;
	fh[1] = 0;
	wr16(fh + 2, (uint16_t)(offset | (more ? 1 : 0)));
	wr16(fh + 4, (uint16_t)(id >> 16));
	wr16(fh + 6, (uint16_t)id);
	if (plen > 0)
		memcpy(fh + 8, pl, plen);
	return off + 40 + extlen + 8 + plen;
}

/* A UDP header + DNS-ish payload (ID first) of total length n into p. */
static size_t mk_udp(uint8_t *p, size_t n, uint16_t udp_len, uint16_t id)
{
	uint8_t full[FRAME_MAX];
	wr16(full, DNS_PORT);
	wr16(full + 2, OUR_PORT);
	wr16(full + 4, udp_len);
	wr16(full + 6, 0x1234);
	wr16(full + 8, id);
	for (size_t i = 10; i < sizeof(full); i++)
		full[i] = (uint8_t)(i * 7);
	memcpy(p, full, n);
	return n;
}

/* Parse, checking the common invariants and the classifier's agreement. */
static struct dv_frag_info parse_ok(const uint8_t *f, size_t len)
{
	struct dv_frag_info fi;
	struct dv_resp_info ri;
	memset(&fi, 0x5a, sizeof(fi));
	ck_assert_int_eq(dv_response_parse(f, len, DNS_PORT, &ri), DV_PKT_FRAGMENT);
	ck_assert_int_eq(dv_frag_parse(f, len, &fi), 0);
	ck_assert_uint_eq(fi.l3_off, f[12] == 0x81 ? 18 : 14);
	const uint8_t *ip = f + fi.l3_off;
	if (fi.family == AF_INET) {
		ck_assert_ptr_eq(fi.src, ip + 12);
		ck_assert_ptr_eq(fi.dst, ip + 16);
	} else {
		ck_assert_int_eq(fi.family, AF_INET6);
		ck_assert_ptr_eq(fi.src, ip + 8);
		ck_assert_ptr_eq(fi.dst, ip + 24);
	}
	if (!fi.has_udp)
		ck_assert(!fi.has_dns_id);
	return fi;
}

static void check_addrs(const struct dv_frag_info *fi)
{
	uint8_t a[16];
	if (fi->family == AF_INET) {
		inet_pton(AF_INET, src4, a);
		ck_assert_mem_eq(fi->src, a, 4);
		inet_pton(AF_INET, dst4, a);
		ck_assert_mem_eq(fi->dst, a, 4);
	} else {
		inet_pton(AF_INET6, src6, a);
		ck_assert_mem_eq(fi->src, a, 16);
		inet_pton(AF_INET6, dst6, a);
		ck_assert_mem_eq(fi->dst, a, 16);
	}
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_ipv4)
{
	uint8_t pl[FRAME_MAX], f[FRAME_MAX];
	size_t plen = mk_udp(pl, 1480, 3000, 0xbeef);

	for (int vlan = 0; vlan < 2; vlan++) {
		/* First: MF, offset 0; UDP header and DNS ID. */
		size_t len = mk_ip4(f, vlan, 0xabcd, 0x2000, 17, 0, pl, plen);
		struct dv_frag_info fi = parse_ok(f, len);
		check_addrs(&fi);
		ck_assert_uint_eq(fi.ip_id, 0xabcd);
		ck_assert_uint_eq(fi.offset, 0);
		ck_assert(fi.more);
		ck_assert_uint_eq(fi.proto, 17);
		ck_assert_uint_eq(fi.payload_len, 1480);
		ck_assert(fi.has_udp);
		ck_assert_uint_eq(fi.sport, DNS_PORT);
		ck_assert_uint_eq(fi.dport, OUR_PORT);
		ck_assert_uint_eq(fi.udp_len, 3000);
		ck_assert(fi.has_dns_id);
		ck_assert_uint_eq(fi.dns_id, 0xbeef);

		/* DF with MF is odd but still a fragment; DF does not count. */
		len = mk_ip4(f, vlan, 0xabcd, 0x6000, 17, 0, pl, plen);
		fi = parse_ok(f, len);
		ck_assert(fi.more);
		ck_assert_uint_eq(fi.offset, 0);

		/* Middle: MF, offset 1480 (185 units); no UDP even if it looks like one. */
		len = mk_ip4(f, vlan, 0xabcd, 0x2000 | 185, 17, 0, pl, plen);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.ip_id, 0xabcd);
		ck_assert_uint_eq(fi.offset, 1480);
		ck_assert(fi.more);
		ck_assert_uint_eq(fi.payload_len, 1480);
		ck_assert(!fi.has_udp);
		ck_assert(!fi.has_dns_id);

		/* Last: no MF, offset 2960; 48 bytes. */
		len = mk_ip4(f, vlan, 0xffff, 370, 17, 0, pl, 48);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.ip_id, 0xffff);
		ck_assert_uint_eq(fi.offset, 2960);
		ck_assert(!fi.more);
		ck_assert_uint_eq(fi.payload_len, 48);
		ck_assert(!fi.has_udp);

		/* Largest offset; DF set. */
		len = mk_ip4(f, vlan, 0, 0x4000 | 0x1fff, 17, 0, pl, 8);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.offset, 0x1fff * 8);
		ck_assert(!fi.more);
		ck_assert_uint_eq(fi.ip_id, 0);

		/* Options: the payload starts after IHL * 4. */
		len = mk_ip4(f, vlan, 7, 0x2000, 17, 8, pl, 600);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.payload_len, 600);
		ck_assert(fi.has_udp);
		ck_assert_uint_eq(fi.udp_len, 3000);
		ck_assert_uint_eq(fi.dns_id, 0xbeef);

		/* Ethernet padding after the packet is not payload. */
		len = mk_ip4(f, vlan, 7, 370, 17, 0, pl, 10);
		memset(f + len, 0xee, 40);
		fi = parse_ok(f, len + 40);
		ck_assert_uint_eq(fi.payload_len, 10);
	}
}
END_TEST

START_TEST(test_ipv6)
{
	uint8_t pl[FRAME_MAX], f[FRAME_MAX], ext[64];
	size_t plen = mk_udp(pl, 1232, 2500, 0x4242);

	for (int vlan = 0; vlan < 2; vlan++) {
		/* Fragment header right after the IPv6 header: first fragment. */
		size_t len = mk_ip6(f, vlan, 44, NULL, 0, 0xdeadbeef, 0, true, 17, pl, plen);
		struct dv_frag_info fi = parse_ok(f, len);
		check_addrs(&fi);
		ck_assert_uint_eq(fi.ip_id, 0xdeadbeef);
		ck_assert_uint_eq(fi.offset, 0);
		ck_assert(fi.more);
		ck_assert_uint_eq(fi.proto, 17);
		ck_assert_uint_eq(fi.payload_len, 1232);
		ck_assert(fi.has_udp);
		ck_assert_uint_eq(fi.sport, DNS_PORT);
		ck_assert_uint_eq(fi.dport, OUR_PORT);
		ck_assert_uint_eq(fi.udp_len, 2500);
		ck_assert(fi.has_dns_id);
		ck_assert_uint_eq(fi.dns_id, 0x4242);

		/* After a destination options header (8 bytes of PadN). */
		memset(ext, 0, sizeof(ext));
		ext[0] = 44;
		ext[1] = 0;
		ext[2] = 1; /* PadN */
		ext[3] = 4;
		len = mk_ip6(f, vlan, 60, ext, 8, 1, 1232, true, 17, pl, plen);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.ip_id, 1);
		ck_assert_uint_eq(fi.offset, 1232);
		ck_assert(fi.more);
		ck_assert_uint_eq(fi.payload_len, 1232);
		ck_assert(!fi.has_udp);

		/* Hop-by-hop (8) + routing (24) + destination options (16): last fragment. */
		memset(ext, 0, sizeof(ext));
		ext[0] = 43;
		ext[8] = 60;
		ext[9] = 2;
		ext[32] = 44;
		ext[33] = 1;
		len = mk_ip6(f, vlan, 0, ext, 48, 0x80000000u, 2464, false, 17, pl, 36);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.ip_id, 0x80000000u);
		ck_assert_uint_eq(fi.offset, 2464);
		ck_assert(!fi.more);
		ck_assert_uint_eq(fi.payload_len, 36);
		ck_assert_uint_eq(fi.proto, 17);
		ck_assert(!fi.has_udp);

		/* The same chain starting a first fragment. */
		len = mk_ip6(f, vlan, 0, ext, 48, 9, 0, true, 17, pl, 100);
		fi = parse_ok(f, len);
		ck_assert(fi.has_udp);
		ck_assert_uint_eq(fi.dns_id, 0x4242);
		ck_assert_uint_eq(fi.payload_len, 100);

		/* Largest offset. */
		len = mk_ip6(f, vlan, 44, NULL, 0, 5, 0xfff8, false, 17, pl, 8);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.offset, 0xfff8);

		/* Atomic fragment (RFC 6946): offset 0, no M; UDP readable. */
		len = mk_ip6(f, vlan, 44, NULL, 0, 77, 0, false, 17, pl, 60);
		fi = parse_ok(f, len);
		ck_assert(!fi.more);
		ck_assert_uint_eq(fi.offset, 0);
		ck_assert(fi.has_udp);

		/* Reserved bits in the offset word do not leak into the fields. */
		len = mk_ip6(f, vlan, 44, NULL, 0, 77, 8, true, 17, pl, 60);
		ck_assert_uint_eq(rd16(f + len - 60 - 6), 9);
		f[len - 60 - 6 + 1] |= 0x06; /* the two reserved bits */
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.offset, 8);
		ck_assert(fi.more);

		/* Fragment header with no payload at all. */
		len = mk_ip6(f, vlan, 44, NULL, 0, 3, 8, false, 17, pl, 0);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.payload_len, 0);

		/* Padding after the packet is not payload. */
		len = mk_ip6(f, vlan, 44, NULL, 0, 3, 0, true, 17, pl, 20);
		memset(f + len, 0xee, 30);
		fi = parse_ok(f, len + 30);
		ck_assert_uint_eq(fi.payload_len, 20);
	}
}
END_TEST

START_TEST(test_short_first)
{
	uint8_t pl[64], f[FRAME_MAX];
	mk_udp(pl, sizeof(pl), 1600, 0x0102);
	static const struct {
		size_t n;
		bool udp, id;
	} cases[] = {
		{ 0, false, false }, { 7, false, false }, { 8, true, false },
		{ 9, true, false }, { 10, true, true }, { 11, true, true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int fam = 0; fam < 2; fam++) {
			size_t len = fam ? mk_ip6(f, false, 44, NULL, 0, 1, 0, true, 17, pl, cases[i].n)
					 : mk_ip4(f, false, 1, 0x2000, 17, 0, pl, cases[i].n);
			struct dv_frag_info fi = parse_ok(f, len);
			ck_assert_uint_eq(fi.payload_len, cases[i].n);
			ck_assert_int_eq(fi.has_udp, cases[i].udp);
			ck_assert_int_eq(fi.has_dns_id, cases[i].id);
			if (cases[i].udp) {
				ck_assert_uint_eq(fi.sport, DNS_PORT);
				ck_assert_uint_eq(fi.dport, OUR_PORT);
				ck_assert_uint_eq(fi.udp_len, 1600);
			} else {
				ck_assert_uint_eq(fi.sport, 0);
				ck_assert_uint_eq(fi.udp_len, 0);
			}
			if (cases[i].id)
				ck_assert_uint_eq(fi.dns_id, 0x0102);
			else
				ck_assert_uint_eq(fi.dns_id, 0);
		}
	}
}
END_TEST

START_TEST(test_non_udp)
{
	uint8_t pl[256], f[FRAME_MAX];
	mk_udp(pl, sizeof(pl), 1600, 0x0102);
	static const uint8_t protos[] = { 6, 1, 58, 50, 0 };
	for (size_t i = 0; i < sizeof(protos); i++) {
		size_t len = mk_ip4(f, false, 5, 0x2000, protos[i], 0, pl, 200);
		struct dv_frag_info fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.proto, protos[i]);
		ck_assert_uint_eq(fi.payload_len, 200);
		ck_assert(!fi.has_udp);
		ck_assert(!fi.has_dns_id);

		len = mk_ip6(f, true, 44, NULL, 0, 5, 0, true, protos[i], pl, 200);
		fi = parse_ok(f, len);
		ck_assert_uint_eq(fi.proto, protos[i]);
		ck_assert(!fi.has_udp);
	}
}
END_TEST

START_TEST(test_not_fragments)
{
	uint8_t pl[256], f[FRAME_MAX];
	struct dv_frag_info fi;
	mk_udp(pl, sizeof(pl), 100, 1);
	wr16(pl + 4, 100);

	/* Whole datagrams are not fragments. */
	size_t len = mk_ip4(f, false, 5, 0x4000, 17, 0, pl, 100);
	ck_assert_int_eq(dv_frag_parse(f, len, &fi), -EBADMSG);
	len = put_eth(f, 0x86dd, false);
	memset(f + len, 0, 40);
	f[len] = 0x60;
	wr16(f + len + 4, 100);
	f[len + 6] = 17;
	memcpy(f + len + 40, pl, 100);
	ck_assert_int_eq(dv_frag_parse(f, len + 140, &fi), -EBADMSG);

	/* A Fragment header cut short by the payload length. */
	len = mk_ip6(f, false, 44, NULL, 0, 5, 0, true, 17, pl, 0);
	for (size_t cut = 1; cut <= 8; cut++) {
		wr16(f + 14 + 4, (uint16_t)(8 - cut));
		ck_assert_int_eq(dv_frag_parse(f, len, &fi), -EBADMSG);
		/* The classifier agrees: no "fragment" in one counter that is none in the other. */
		struct dv_resp_info ri;
		ck_assert_int_eq(dv_response_parse(f, len, DNS_PORT, &ri), DV_PKT_MALFORMED);
	}
	/* IPv4 total length beyond the frame; IHL below 5; wrong version. */
	len = mk_ip4(f, false, 5, 0x2000, 17, 0, pl, 100);
	ck_assert_int_eq(dv_frag_parse(f, len - 1, &fi), -EBADMSG);
	f[14] = 0x44;
	ck_assert_int_eq(dv_frag_parse(f, len, &fi), -EBADMSG);
	f[14] = 0x65;
	ck_assert_int_eq(dv_frag_parse(f, len, &fi), -EBADMSG);
	/* Destination options cut short before the Fragment header. */
	uint8_t ext[8] = { 44, 1 };
	len = mk_ip6(f, false, 60, ext, 8, 5, 0, true, 17, pl, 0);
	ck_assert_int_eq(dv_frag_parse(f, len, &fi), -EBADMSG);
	/* ARP, other EtherTypes, short frames, NULL. */
	len = put_eth(f, 0x0806, false);
	memset(f + len, 0, 28);
	ck_assert_int_eq(dv_frag_parse(f, len + 28, &fi), -EBADMSG);
	len = put_eth(f, 0x88cc, true);
	ck_assert_int_eq(dv_frag_parse(f, len + 28, &fi), -EBADMSG);
	for (size_t n = 0; n < 14 + 20; n++)
		ck_assert_int_eq(dv_frag_parse(f, n, &fi), -EBADMSG);
	ck_assert_int_eq(dv_frag_parse(NULL, 100, &fi), -EBADMSG);
	ck_assert_int_eq(dv_frag_parse(f, 100, NULL), -EINVAL);
}
END_TEST

/* ---- real responses, fragmented by hand -------------------------------- */

/*
 * DPDK's rte_ipv4_fragment_packet()/rte_ipv6_fragment_packet() take mbufs
 * from mempools, and mempools need an initialised EAL, which unit tests do
 * not have. So this is the same split done by hand, as RFC 791 and RFC 8200
 * (and those functions) do it: payload in multiples of 8 bytes, the IP
 * header copied, IPv6's Fragment header after the IPv6 header.
 */
static int fragment(const uint8_t *in, size_t inlen, size_t mtu, uint32_t id,
		    uint8_t out[][FRAME_MAX], size_t *olen)
{
	size_t l3 = rd16(in + 12) == 0x8100 ? 18 : 14;
	bool v4 = rd16(in + l3 - 2) == 0x0800;
	size_t hlen = v4 ? 20 : 40;
	size_t dlen = v4 ? rd16(in + l3 + 2) - hlen : rd16(in + l3 + 4);
	ck_assert_uint_eq(l3 + hlen + dlen, inlen);
	const uint8_t *data = in + l3 + hlen;
	size_t chunk = ((mtu - hlen - (v4 ? 0 : 8)) / 8) * 8;
	int n = 0;
	for (size_t off = 0; off < dlen; off += chunk, n++) {
		ck_assert_int_lt(n, FRAGS_MAX);
		size_t k = dlen - off < chunk ? dlen - off : chunk;
		bool last = off + k == dlen;
		uint8_t *f = out[n];
		memcpy(f, in, l3 + hlen);
		uint8_t *ip = f + l3;
		if (v4) {
			wr16(ip + 2, (uint16_t)(hlen + k));
			wr16(ip + 4, (uint16_t)id);
			wr16(ip + 6, (uint16_t)((off / 8) | (last ? 0 : 0x2000)));
			ip4_csum(ip);
			memcpy(ip + hlen, data + off, k);
			olen[n] = l3 + hlen + k;
		} else {
			wr16(ip + 4, (uint16_t)(8 + k));
			uint8_t *fh = ip + 40;
			fh[0] = ip[6];
			fh[1] = 0;
			ip[6] = 44;
			wr16(fh + 2, (uint16_t)(off | (last ? 0 : 1)));
			wr16(fh + 4, (uint16_t)(id >> 16));
			wr16(fh + 6, (uint16_t)id);
			memcpy(fh + 8, data + off, k);
			olen[n] = l3 + 48 + k;
		}
		ck_assert_uint_le(olen[n] - l3, mtu);
	}
	return n;
}

/* A query for name from the query module, answered whole by the responder. */
static size_t big_response(uint8_t *r, size_t cap, int family, const char *name, int edns,
			   uint16_t id, const struct dv_answer_cfg *cfg)
{
	struct dv_query q = mkq(name, LDNS_RR_TYPE_TXT);
	struct dv_endpoints ep;
	mkep(&ep, family);
	uint8_t dns[512], tmpl[DV_QUERY_FRAME_MAX];
	int dlen = dv_query_wire(&q, edns, false, dns, sizeof(dns));
	ck_assert_int_gt(dlen, 0);
	struct dv_frame_tmpl t;
	ck_assert_int_eq(dv_frame_build(&ep, dns, (size_t)dlen, tmpl, sizeof(tmpl), &t), 0);
	t.off = 0;
	dv_frame_emit(r, tmpl, &t, id, OUR_PORT);
	int rlen = dv_answer_build(r, t.len, cap, cfg);
	ck_assert_int_gt(rlen, 0);
	return (size_t)rlen;
}

START_TEST(test_real_fragments)
{
	static uint8_t frags[FRAGS_MAX][FRAME_MAX];
	size_t flen[FRAGS_MAX];
	static const size_t mtus[] = { 1500, 1280, 576 };
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	cfg.mtu = 65535; /* built whole; fragmented below */

	for (int fam = 0; fam < 2; fam++)
	for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
		int af = fam ? AF_INET6 : AF_INET;
		uint8_t r[8192];
		uint16_t id = (uint16_t)(0x7000 + fam * 16 + m);
		size_t rlen = big_response(r, sizeof(r), af, "s3000.example.", 4096, id, &cfg);
		struct dv_resp_info ri;
		ck_assert_int_eq(dv_response_parse(r, rlen, DNS_PORT, &ri), DV_PKT_DNS);
		ck_assert(!ri.tc);
		ck_assert_uint_eq(ri.id, id);
		size_t hlen = fam ? 40 : 20;
		const uint8_t *udp = r + 14 + hlen;
		size_t udp_len = rlen - 14 - hlen;
		ck_assert_uint_gt(udp_len, 3000);
		ck_assert_uint_eq(rd16(udp + 4), udp_len);

		uint32_t ipid = fam ? 0xfedcba98u : 0x1357;
		int n = fragment(r, rlen, mtus[m], ipid, frags, flen);
		ck_assert_int_ge(n, 3);

		uint8_t re[8192];
		size_t next = 0, total = 0;
		for (int i = 0; i < n; i++) {
			struct dv_frag_info fi = parse_ok(frags[i], flen[i]);
			ck_assert_int_eq(fi.family, af);
			ck_assert_uint_eq(fi.ip_id, ipid);
			ck_assert_uint_eq(fi.proto, 17);
			ck_assert_uint_eq(fi.offset, next);
			ck_assert_int_eq(fi.more, i < n - 1);
			ck_assert_uint_eq(fi.offset % 8, 0);
			if (i < n - 1)
				ck_assert_uint_eq(fi.payload_len % 8, 0);
			ck_assert_mem_eq(fi.src, ri.l3 + (fam ? 8 : 12), fam ? 16 : 4);
			ck_assert_mem_eq(fi.dst, ri.l3 + (fam ? 24 : 16), fam ? 16 : 4);
			if (i == 0) {
				ck_assert(fi.has_udp);
				ck_assert(fi.has_dns_id);
				ck_assert_uint_eq(fi.sport, DNS_PORT);
				ck_assert_uint_eq(fi.dport, OUR_PORT);
				ck_assert_uint_eq(fi.udp_len, udp_len);
				ck_assert_uint_eq(fi.dns_id, id);
			} else {
				ck_assert(!fi.has_udp);
				ck_assert(!fi.has_dns_id);
			}
			const uint8_t *pl = frags[i] + fi.l3_off + hlen + (fam ? 8 : 0);
			memcpy(re + fi.offset, pl, fi.payload_len);
			next += fi.payload_len;
			total += fi.payload_len;
		}
		/* The fragments carry exactly the datagram. */
		ck_assert_uint_eq(total, udp_len);
		ck_assert_mem_eq(re, udp, udp_len);
	}

	/* A truncated answer (EDNS 1232) is a whole datagram, not a fragment. */
	cfg.mtu = 1500;
	uint8_t r[8192];
	size_t rlen = big_response(r, sizeof(r), AF_INET6, "s3000.example.", 1232, 1, &cfg);
	struct dv_frag_info fi;
	ck_assert_int_eq(dv_frag_parse(r, rlen, &fi), -EBADMSG);
}
END_TEST

/* ---- fuzz -------------------------------------------------------------- */

/* Parse arbitrary bytes from an exact-size heap copy (ASan sees any over-read). */
static void fuzz_one(const uint8_t *data, size_t len)
{
	uint8_t *f = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(f);
	memcpy(f, data, len);
	struct dv_frag_info fi;
	struct dv_resp_info ri;
	int ret = dv_frag_parse(f, len, &fi);
	enum dv_pkt_class c = dv_response_parse(f, len, DNS_PORT, &ri);
	if (c != DV_PKT_FRAGMENT)
		ck_assert_int_eq(ret, -EBADMSG);
	if (ret != 0) {
		ck_assert_int_eq(ret, -EBADMSG);
		free(f);
		return;
	}
	ck_assert_int_eq(c, DV_PKT_FRAGMENT);
	size_t alen = fi.family == AF_INET ? 4 : 16;
	ck_assert(fi.family == AF_INET || fi.family == AF_INET6);
	ck_assert_uint_lt(fi.l3_off, len);
	ck_assert(fi.src >= f && fi.src + alen <= f + len);
	ck_assert(fi.dst >= f && fi.dst + alen <= f + len);
	ck_assert_uint_le((size_t)fi.l3_off + fi.payload_len, len);
	if (fi.family == AF_INET) {
		ck_assert(fi.more || fi.offset != 0);
		ck_assert_uint_le(fi.ip_id, 0xffff);
		ck_assert_uint_le(fi.offset, 0x1fff * 8);
	} else {
		ck_assert_uint_le(fi.offset, 0xfff8);
	}
	ck_assert_uint_eq(fi.offset % 8, 0);
	if (fi.has_udp) {
		ck_assert_uint_eq(fi.offset, 0);
		ck_assert_uint_eq(fi.proto, 17);
		ck_assert_uint_ge(fi.payload_len, 8);
	}
	if (fi.has_dns_id) {
		ck_assert(fi.has_udp);
		ck_assert_uint_ge(fi.payload_len, 10);
	}
	free(f);
}

START_TEST(test_fuzz)
{
	enum { NSEEDS = 24 };
	static uint8_t seeds[NSEEDS][FRAME_MAX];
	static uint8_t frags[FRAGS_MAX][FRAME_MAX];
	size_t slen[NSEEDS], flen[FRAGS_MAX];
	uint8_t pl[FRAME_MAX], ext[64];
	int ns = 0;
	mk_udp(pl, sizeof(pl), 1600, 0x0102);

	/* Hand-built fragments of every shape above. */
	slen[ns] = mk_ip4(seeds[ns], false, 1, 0x2000, 17, 0, pl, 40); ns++;
	slen[ns] = mk_ip4(seeds[ns], true, 2, 0x2000 | 5, 17, 0, pl, 40); ns++;
	slen[ns] = mk_ip4(seeds[ns], false, 3, 10, 17, 0, pl, 9); ns++;
	slen[ns] = mk_ip4(seeds[ns], false, 4, 0x2000, 17, 12, pl, 30); ns++;
	slen[ns] = mk_ip4(seeds[ns], true, 5, 0x2000, 6, 0, pl, 30); ns++;
	slen[ns] = mk_ip6(seeds[ns], false, 44, NULL, 0, 6, 0, true, 17, pl, 40); ns++;
	slen[ns] = mk_ip6(seeds[ns], true, 44, NULL, 0, 7, 64, false, 17, pl, 9); ns++;
	memset(ext, 0, sizeof(ext));
	ext[0] = 44;
	slen[ns] = mk_ip6(seeds[ns], false, 60, ext, 8, 8, 0, true, 17, pl, 30); ns++;
	ext[0] = 43;
	ext[8] = 60;
	ext[9] = 2;
	ext[32] = 44;
	ext[33] = 1;
	slen[ns] = mk_ip6(seeds[ns], false, 0, ext, 48, 9, 0, true, 17, pl, 30); ns++;
	slen[ns] = mk_ip6(seeds[ns], true, 0, ext, 48, 10, 8, true, 58, pl, 30); ns++;

	/* Real fragments: first and last of each family and a few more. */
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	cfg.mtu = 65535;
	for (int fam = 0; fam < 2; fam++) {
		uint8_t r[8192];
		size_t rlen = big_response(r, sizeof(r), fam ? AF_INET6 : AF_INET,
					   "s1400.example.", 4096, 99, &cfg);
		int n = fragment(r, rlen, fam ? 576 : 1280, 0xabcd, frags, flen);
		for (int i = 0; i < n && ns < NSEEDS; i++, ns++) {
			memcpy(seeds[ns], frags[i], flen[i]);
			slen[ns] = flen[i];
		}
		/* The whole answer too: not a fragment. */
		if (ns < NSEEDS) {
			memcpy(seeds[ns], r, rlen);
			slen[ns++] = rlen;
		}
	}
	ck_assert_int_ge(ns, 16);

	uint8_t buf[FRAME_MAX];
	dv_fuzz_seeds(seeds[0], sizeof(seeds[0]), slen, ns, 100000, 20240404, buf, fuzz_one);
}
END_TEST

static Suite *fragment_suite(void)
{
	Suite *s = suite_create("fragment");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_ipv4);
	tcase_add_test(tc, test_ipv6);
	tcase_add_test(tc, test_short_first);
	tcase_add_test(tc, test_non_udp);
	tcase_add_test(tc, test_not_fragments);
	tcase_add_test(tc, test_real_fragments);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(fragment_suite());
}
