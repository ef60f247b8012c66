/* Unit tests for lib/wire/icmp.c: ICMP/ICMPv6 errors and the query they quote. */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include "mutate.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp.h"
#include "wire/query.h"
#include "wire/response.h"
#include "wire_helpers.h"

#define DNS_PORT  53
#define OUR_PORT  40123
#define QUERY_ID  0xc0de
#define FRAME_MAX 2048

static const char *const router4 = "198.18.0.254", *const router6 = "2001:2:0:ff::1";

/* ---- frames ------------------------------------------------------------ */

/* A query frame as the generator sends it; returns its length. */
static size_t mk_query(uint8_t *f, int family, uint16_t sport, uint16_t id)
{
	struct dv_query q = mkq("www.example.com.", LDNS_RR_TYPE_AAAA);
	struct dv_endpoints ep;
	mkep(&ep, family);
	uint8_t dns[512], tmpl[DV_QUERY_FRAME_MAX];
	int dlen = dv_query_wire(&q, 1232, true, dns, sizeof(dns));
	ck_assert_int_gt(dlen, 0);
	struct dv_frame_tmpl t;
	ck_assert_int_eq(dv_frame_build(&ep, dns, (size_t)dlen, tmpl, sizeof(tmpl), &t), 0);
	t.off = 0;
	dv_frame_emit(f, tmpl, &t, id, sport);
	return t.len;
}

/* ICMP header: type, code, checksum over the message (v6: with pseudo header), rest. */
static void put_icmp(uint8_t *m, uint8_t type, uint8_t code, uint32_t rest,
		     const uint8_t *quote, size_t qlen, uint32_t pseudo)
{
	m[0] = type;
	m[1] = code;
	wr16(m + 2, 0);
	wr16(m + 4, (uint16_t)(rest >> 16));
	wr16(m + 6, (uint16_t)rest);
	if (qlen > 0)
		memcpy(m + 8, quote, qlen);
	wr16(m + 2, (uint16_t)~ref_fold(ref_add(pseudo, m, 8 + qlen)));
}

/* Ethernet + IPv4 (proto 1) from the router to us + ICMP + quote. */
static size_t mk_icmp4(uint8_t *f, bool vlan, uint8_t type, uint8_t code, uint32_t rest,
		       const uint8_t *quote, size_t qlen)
{
	size_t off = put_eth(f, 0x0800, vlan);
	uint8_t *ip = f + off;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + 8 + qlen));
	ip[8] = 255;
	ip[9] = 1;
	inet_pton(AF_INET, router4, ip + 12);
	inet_pton(AF_INET, "198.18.2.1", ip + 16);
	wr16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, 20)));
	put_icmp(ip + 20, type, code, rest, quote, qlen, 0);
	return off + 20 + 8 + qlen;
}

/* Ethernet + IPv6 (optionally a hop-by-hop header) + ICMPv6 + quote. */
static size_t mk_icmp6(uint8_t *f, bool vlan, bool hbh, uint8_t type, uint8_t code,
		       uint32_t rest, const uint8_t *quote, size_t qlen)
{
	size_t off = put_eth(f, 0x86dd, vlan);
	uint8_t *ip = f + off;
	size_t ext = hbh ? 8 : 0;
	memset(ip, 0, 40 + ext);
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)(ext + 8 + qlen));
	ip[6] = hbh ? 0 : 58;
	ip[7] = 255;
	inet_pton(AF_INET6, router6, ip + 8);
	inet_pton(AF_INET6, "2001:2::1", ip + 24);
	if (hbh) {
		ip[40] = 58;
		ip[42] = 1; /* PadN */
		ip[43] = 4;
	}
	uint8_t ph[8] = { 0, 0, 0, 0, 0, 0, 0, 58 };
	wr16(ph + 2, (uint16_t)(8 + qlen));
	uint32_t pseudo = ref_add(ref_add(0, ip + 8, 32), ph, 8);
	put_icmp(ip + 40 + ext, type, code, rest, quote, qlen, pseudo);
	return off + 40 + ext + 8 + qlen;
}

/* Parse an error message; the classifier must have said ICMP. */
static struct dv_icmp_info parse_ok(const uint8_t *f, size_t len)
{
	struct dv_icmp_info ii;
	struct dv_resp_info ri;
	memset(&ii, 0x5a, sizeof(ii));
	ck_assert_int_eq(dv_response_parse(f, len, DNS_PORT, &ri), DV_PKT_ICMP);
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), 0);
	size_t l3 = f[12] == 0x81 ? 18 : 14;
	uint8_t a[16];
	if (ii.family == AF_INET) {
		ck_assert_ptr_eq(ii.reporter, f + l3 + 12);
		inet_pton(AF_INET, router4, a);
		ck_assert_mem_eq(ii.reporter, a, 4);
	} else {
		ck_assert_int_eq(ii.family, AF_INET6);
		ck_assert_ptr_eq(ii.reporter, f + l3 + 8);
		inet_pton(AF_INET6, router6, a);
		ck_assert_mem_eq(ii.reporter, a, 16);
	}
	if (ii.kind != DV_ICMP_TOO_BIG)
		ck_assert_uint_eq(ii.mtu, 0);
	if (ii.has_dns_id)
		ck_assert(ii.has_orig);
	if (ii.has_orig)
		ck_assert_ptr_nonnull(ii.orig_dst);
	return ii;
}

/* The quote identifies the query sent from sport with id to the target. */
static void check_orig(const struct dv_icmp_info *ii, uint16_t sport, bool id, uint16_t dns_id)
{
	uint8_t a[16];
	ck_assert(ii->has_orig);
	if (ii->family == AF_INET) {
		inet_pton(AF_INET, "198.19.100.53", a);
		ck_assert_mem_eq(ii->orig_dst, a, 4);
	} else {
		inet_pton(AF_INET6, "2001:2:ffff::53", a);
		ck_assert_mem_eq(ii->orig_dst, a, 16);
	}
	ck_assert_uint_eq(ii->orig_sport, sport);
	ck_assert_uint_eq(ii->orig_dport, DNS_PORT);
	ck_assert_int_eq(ii->has_dns_id, id);
	ck_assert_uint_eq(ii->dns_id, id ? dns_id : 0);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_port_unreach)
{
	uint8_t q[FRAME_MAX], f[FRAME_MAX];
	for (int vlan = 0; vlan < 2; vlan++) {
		/* IPv4: the whole query quoted (Linux quotes up to 576 bytes). */
		size_t qlen = mk_query(q, AF_INET, OUR_PORT, QUERY_ID);
		size_t len = mk_icmp4(f, vlan, 3, 3, 0, q + 14, qlen - 14);
		struct dv_icmp_info ii = parse_ok(f, len);
		ck_assert_int_eq(ii.family, AF_INET);
		ck_assert_uint_eq(ii.type, 3);
		ck_assert_uint_eq(ii.code, 3);
		ck_assert_int_eq(ii.kind, DV_ICMP_PORT_UNREACH);
		ck_assert_str_eq(dv_icmp_kind_name(ii.kind), "port-unreachable");
		ck_assert_ptr_eq(ii.orig_dst, f + (vlan ? 18 : 14) + 28 + 16);
		check_orig(&ii, OUR_PORT, true, QUERY_ID);

		/* RFC 792's minimum: IP header + 8 bytes; the ports but no DNS ID. */
		len = mk_icmp4(f, vlan, 3, 3, 0, q + 14, 28);
		ii = parse_ok(f, len);
		ck_assert_int_eq(ii.kind, DV_ICMP_PORT_UNREACH);
		check_orig(&ii, OUR_PORT, false, 0);

		/* IPv6 1/4, whole query quoted, ports and ID as sent. */
		qlen = mk_query(q, AF_INET6, 1024, 0x0001);
		len = mk_icmp6(f, vlan, false, 1, 4, 0, q + 14, qlen - 14);
		ii = parse_ok(f, len);
		ck_assert_int_eq(ii.family, AF_INET6);
		ck_assert_uint_eq(ii.type, 1);
		ck_assert_uint_eq(ii.code, 4);
		ck_assert_int_eq(ii.kind, DV_ICMP_PORT_UNREACH);
		ck_assert_ptr_eq(ii.orig_dst, f + (vlan ? 18 : 14) + 48 + 24);
		check_orig(&ii, 1024, true, 0x0001);

		/* With a hop-by-hop header before the ICMPv6 header. */
		len = mk_icmp6(f, vlan, true, 1, 4, 0, q + 14, qlen - 14);
		ii = parse_ok(f, len);
		ck_assert_int_eq(ii.kind, DV_ICMP_PORT_UNREACH);
		check_orig(&ii, 1024, true, 0x0001);

		/* Other unreachable codes. */
		for (uint8_t code = 0; code < 16; code++) {
			if (code == 3 || code == 4)
				continue;
			len = mk_icmp4(f, vlan, 3, code, 0, q + 14, 28);
			ck_assert_int_eq(parse_ok(f, len).kind, DV_ICMP_DEST_UNREACH);
		}
		for (uint8_t code = 0; code < 8; code++) {
			if (code == 4)
				continue;
			len = mk_icmp6(f, vlan, false, 1, code, 0, q + 14, qlen - 14);
			ii = parse_ok(f, len);
			ck_assert_int_eq(ii.kind, DV_ICMP_DEST_UNREACH);
			ck_assert_str_eq(dv_icmp_kind_name(ii.kind), "unreachable");
			check_orig(&ii, 1024, true, 0x0001);
		}
	}
}
END_TEST

START_TEST(test_too_big)
{
	uint8_t q[FRAME_MAX], f[FRAME_MAX];
	/* IPv6 Packet Too Big, MTU 1280, 32 bits. */
	size_t qlen = mk_query(q, AF_INET6, 5353, 77);
	size_t len = mk_icmp6(f, false, false, 2, 0, 1280, q + 14, qlen - 14);
	struct dv_icmp_info ii = parse_ok(f, len);
	ck_assert_int_eq(ii.kind, DV_ICMP_TOO_BIG);
	ck_assert_str_eq(dv_icmp_kind_name(ii.kind), "too-big");
	ck_assert_uint_eq(ii.mtu, 1280);
	check_orig(&ii, 5353, true, 77);
	len = mk_icmp6(f, true, false, 2, 0, 0x00012345, q + 14, qlen - 14);
	ck_assert_uint_eq(parse_ok(f, len).mtu, 0x00012345);

	/* IPv4 fragmentation needed: next-hop MTU in bytes 6-7; byte 4-5 unused. */
	qlen = mk_query(q, AF_INET, 5353, 78);
	len = mk_icmp4(f, false, 3, 4, 0xffff0000u | 1400, q + 14, qlen - 14);
	ii = parse_ok(f, len);
	ck_assert_int_eq(ii.kind, DV_ICMP_TOO_BIG);
	ck_assert_uint_eq(ii.mtu, 1400);
	check_orig(&ii, 5353, true, 78);
	/* A pre-RFC 1191 router says 0. */
	len = mk_icmp4(f, true, 3, 4, 0, q + 14, 28);
	ii = parse_ok(f, len);
	ck_assert_int_eq(ii.kind, DV_ICMP_TOO_BIG);
	ck_assert_uint_eq(ii.mtu, 0);
	check_orig(&ii, 5353, false, 0);
	/* The MTU field of other messages is not an MTU. */
	len = mk_icmp4(f, false, 3, 3, 1400, q + 14, 28);
	ck_assert_uint_eq(parse_ok(f, len).mtu, 0);
}
END_TEST

START_TEST(test_time_exceeded_and_others)
{
	uint8_t q4[FRAME_MAX], q6[FRAME_MAX], f[FRAME_MAX];
	size_t q4len = mk_query(q4, AF_INET, 999, 1) - 14;
	size_t q6len = mk_query(q6, AF_INET6, 999, 1) - 14;
	static const struct {
		bool v6;
		uint8_t type, code;
		enum dv_icmp_kind kind;
		const char *name;
	} cases[] = {
		{ false, 11, 0, DV_ICMP_TTL_EXCEEDED, "ttl-exceeded" },
		{ false, 11, 1, DV_ICMP_REASM_EXCEEDED, "reassembly-time-exceeded" },
		{ false, 11, 2, DV_ICMP_OTHER, "other" },
		{ false, 12, 0, DV_ICMP_OTHER, "other" },  /* parameter problem */
		{ false, 12, 1, DV_ICMP_OTHER, "other" },
		{ false, 5, 1, DV_ICMP_OTHER, "other" },   /* redirect */
		{ false, 4, 0, DV_ICMP_OTHER, "other" },   /* source quench */
		{ true, 3, 0, DV_ICMP_TTL_EXCEEDED, "ttl-exceeded" },
		{ true, 3, 1, DV_ICMP_REASM_EXCEEDED, "reassembly-time-exceeded" },
		{ true, 3, 7, DV_ICMP_OTHER, "other" },
		{ true, 4, 0, DV_ICMP_OTHER, "other" },    /* parameter problem */
		{ true, 4, 1, DV_ICMP_OTHER, "other" },
		{ true, 0, 0, DV_ICMP_OTHER, "other" },    /* reserved error type */
		{ true, 100, 0, DV_ICMP_OTHER, "other" },  /* private experimentation */
		{ true, 127, 0, DV_ICMP_OTHER, "other" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].v6 ?
			mk_icmp6(f, false, false, cases[i].type, cases[i].code, 0x11223344, q6 + 14, q6len) :
			mk_icmp4(f, false, cases[i].type, cases[i].code, 0x11223344, q4 + 14, q4len);
		struct dv_icmp_info ii = parse_ok(f, len);
		ck_assert_uint_eq(ii.type, cases[i].type);
		ck_assert_uint_eq(ii.code, cases[i].code);
		ck_assert_int_eq(ii.kind, cases[i].kind);
		ck_assert_str_eq(dv_icmp_kind_name(ii.kind), cases[i].name);
		ck_assert_uint_eq(ii.mtu, 0);
		check_orig(&ii, 999, true, 1);
	}
	ck_assert_str_eq(dv_icmp_kind_name(DV_ICMP_KINDS), "unknown");
}
END_TEST

START_TEST(test_not_errors)
{
	uint8_t q[FRAME_MAX], f[FRAME_MAX];
	size_t qlen = mk_query(q, AF_INET, 1, 1) - 14;
	struct dv_icmp_info ii;
	struct dv_resp_info ri;
	/* ICMPv4 echo, echo reply, router advert/solicit, timestamp, info, mask, unassigned. */
	static const uint8_t t4[] = { 0, 8, 9, 10, 13, 14, 15, 16, 17, 18, 30, 42, 255 };
	for (size_t i = 0; i < sizeof(t4); i++) {
		size_t len = mk_icmp4(f, false, t4[i], 0, 0x00010001, q + 14, qlen);
		ck_assert_int_eq(dv_response_parse(f, len, DNS_PORT, &ri), DV_PKT_ICMP);
		ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -ENOMSG);
		ck_assert_uint_eq(ii.type, t4[i]);
		/* Even when too short to be an error. */
		len = mk_icmp4(f, false, t4[i], 0, 0, NULL, 0);
		ck_assert_int_eq(dv_icmp_parse(f, len - 4, &ii), -EBADMSG); /* IP length > frame */
		wr16(f + 16, 24);
		ck_assert_int_eq(dv_icmp_parse(f, len - 4, &ii), -ENOMSG);
	}
	/* ICMPv6 informational: echo, MLD, ND (classified ARP_ND), MLDv2, ... */
	qlen = mk_query(q, AF_INET6, 1, 1) - 14;
	for (unsigned t = 128; t <= 255; t++) {
		size_t len = mk_icmp6(f, false, t & 1, (uint8_t)t, 0, 0, q + 14, qlen);
		enum dv_pkt_class c = dv_response_parse(f, len, DNS_PORT, &ri);
		ck_assert_int_eq(c, t >= 133 && t <= 137 ? DV_PKT_ARP_ND : DV_PKT_ICMP);
		ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -ENOMSG);
		ck_assert_uint_eq(ii.type, t);
	}
}
END_TEST

START_TEST(test_truncated_quotes)
{
	uint8_t q[FRAME_MAX], f[FRAME_MAX];
	for (int fam = 0; fam < 2; fam++) {
		size_t qlen = mk_query(q, fam ? AF_INET6 : AF_INET, 4321, 0xa5a5) - 14;
		size_t hlen = fam ? 40 : 20;
		for (size_t n = 0; n <= qlen; n++) {
			size_t len = fam ? mk_icmp6(f, false, false, 1, 4, 0, q + 14, n)
					 : mk_icmp4(f, false, 3, 3, 0, q + 14, n);
			struct dv_icmp_info ii = parse_ok(f, len);
			ck_assert_int_eq(ii.kind, DV_ICMP_PORT_UNREACH);
			if (n < hlen) {
				ck_assert_ptr_null(ii.orig_dst);
				ck_assert(!ii.has_orig);
				ck_assert(!ii.has_dns_id);
			} else if (n < hlen + 8) {
				/* The IP header names the target; no ports yet. */
				ck_assert_ptr_nonnull(ii.orig_dst);
				ck_assert(!ii.has_orig);
				ck_assert(!ii.has_dns_id);
				ck_assert_uint_eq(ii.orig_sport, 0);
			} else {
				check_orig(&ii, 4321, n >= hlen + 10, 0xa5a5);
			}
		}
	}
}
END_TEST

START_TEST(test_odd_quotes)
{
	uint8_t q[FRAME_MAX], x[FRAME_MAX], f[FRAME_MAX];
	struct dv_icmp_info ii;

	/* An IPv4 error quoting an IPv6 packet, and the other way round. */
	size_t q6 = mk_query(q, AF_INET6, 7, 7) - 14;
	ii = parse_ok(f, mk_icmp4(f, false, 3, 3, 0, q + 14, q6));
	ck_assert(!ii.has_orig);
	ck_assert_ptr_null(ii.orig_dst);
	size_t q4 = mk_query(q, AF_INET, 7, 7) - 14;
	ii = parse_ok(f, mk_icmp6(f, false, false, 1, 4, 0, q + 14, q4));
	ck_assert(!ii.has_orig);
	ck_assert_ptr_null(ii.orig_dst);

	/* Not UDP: target known, no ports. */
	memcpy(x, q + 14, q4);
	x[9] = 6;
	ii = parse_ok(f, mk_icmp4(f, false, 3, 3, 0, x, q4));
	ck_assert_ptr_nonnull(ii.orig_dst);
	ck_assert(!ii.has_orig);

	/* IPv4 options in the quote: UDP after IHL * 4. */
	memcpy(x, q + 14, 20);
	x[0] = 0x47;
	memset(x + 20, 1, 8);
	memcpy(x + 28, q + 14 + 20, q4 - 20);
	ii = parse_ok(f, mk_icmp4(f, false, 3, 3, 0, x, q4 + 8));
	check_orig(&ii, 7, true, 7);
	/* ... an IHL the quote does not hold, or below 5. */
	ii = parse_ok(f, mk_icmp4(f, false, 3, 3, 0, x, 27));
	ck_assert_ptr_null(ii.orig_dst);
	x[0] = 0x44;
	ii = parse_ok(f, mk_icmp4(f, false, 3, 3, 0, x, q4 + 8));
	ck_assert_ptr_null(ii.orig_dst);

	/* A quoted non-first fragment has no UDP header; a first one does. */
	memcpy(x, q + 14, q4);
	wr16(x + 6, 0x2000 | 3);
	ii = parse_ok(f, mk_icmp4(f, false, 11, 1, 0, x, q4));
	ck_assert_int_eq(ii.kind, DV_ICMP_REASM_EXCEEDED);
	ck_assert_ptr_nonnull(ii.orig_dst);
	ck_assert(!ii.has_orig);
	wr16(x + 6, 0x2000);
	ii = parse_ok(f, mk_icmp4(f, false, 11, 1, 0, x, q4));
	check_orig(&ii, 7, true, 7);

	/* IPv6 quote with a destination options header before UDP. */
	q6 = mk_query(q, AF_INET6, 8, 8) - 14;
	memcpy(x, q + 14, 40);
	x[6] = 60;
	memset(x + 40, 0, 8);
	x[40] = 17;
	x[42] = 1;
	x[43] = 4;
	memcpy(x + 48, q + 14 + 40, q6 - 40);
	ii = parse_ok(f, mk_icmp6(f, false, false, 1, 4, 0, x, q6 + 8));
	check_orig(&ii, 8, true, 8);
	/* ... cut inside the extension header: target only. */
	ii = parse_ok(f, mk_icmp6(f, false, false, 1, 4, 0, x, 44));
	ck_assert_ptr_nonnull(ii.orig_dst);
	ck_assert(!ii.has_orig);
	/* ... or a Fragment header: not read as UDP. */
	x[6] = 44;
	ii = parse_ok(f, mk_icmp6(f, false, false, 3, 1, 0, x, q6 + 8));
	ck_assert_int_eq(ii.kind, DV_ICMP_REASM_EXCEEDED);
	ck_assert(!ii.has_orig);
	/* Wrong version nibble in the quote. */
	memcpy(x, q + 14, q6);
	x[0] = 0x40;
	ii = parse_ok(f, mk_icmp6(f, false, false, 1, 4, 0, x, q6));
	ck_assert_ptr_null(ii.orig_dst);
}
END_TEST

START_TEST(test_malformed)
{
	uint8_t q[FRAME_MAX], f[FRAME_MAX];
	struct dv_icmp_info ii;
	size_t qlen = mk_query(q, AF_INET, 1, 1) - 14;

	/* An error cut before its 8-byte header ends; not even type/code/checksum. */
	size_t len = mk_icmp4(f, false, 3, 3, 0, NULL, 0);
	for (size_t n = 0; n < 8; n++) {
		wr16(f + 16, (uint16_t)(20 + n));
		ck_assert_int_eq(dv_icmp_parse(f, 14 + 20 + n, &ii), -EBADMSG);
	}
	len = mk_icmp6(f, false, false, 2, 0, 1280, NULL, 0);
	for (size_t n = 0; n < 8; n++) {
		wr16(f + 18, (uint16_t)n);
		ck_assert_int_eq(dv_icmp_parse(f, 14 + 40 + n, &ii), -EBADMSG);
	}
	ck_assert_uint_eq(ii.mtu, 0);

	/* Fragmented ICMP, UDP, ICMPv6 in IPv4 and ICMPv4 in IPv6. */
	len = mk_icmp4(f, false, 3, 3, 0, q + 14, qlen);
	wr16(f + 20, 0x2000);
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);
	wr16(f + 20, 0);
	f[23] = 58;
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);
	f[23] = 17;
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);
	ck_assert_int_eq(dv_icmp_parse(q, qlen + 14, &ii), -EBADMSG);
	len = mk_icmp6(f, false, false, 1, 4, 0, q + 14, qlen);
	f[20] = 1;
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);
	f[20] = 44;
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);

	/* Truncated frames, ARP, NULL. */
	len = mk_icmp4(f, false, 3, 3, 0, q + 14, qlen);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(dv_icmp_parse(f, n, &ii), -EBADMSG);
	wr16(f + 12, 0x0806);
	ck_assert_int_eq(dv_icmp_parse(f, len, &ii), -EBADMSG);
	ck_assert_int_eq(dv_icmp_parse(NULL, len, &ii), -EBADMSG);
	ck_assert_int_eq(dv_icmp_parse(f, len, NULL), -EINVAL);
}
END_TEST

/* ---- fuzz -------------------------------------------------------------- */

static bool inside(const uint8_t *p, size_t n, const uint8_t *f, size_t len)
{
	return p >= f && p + n <= f + len;
}

/* Parse arbitrary bytes from an exact-size heap copy (ASan sees any over-read). */
static void fuzz_one(const uint8_t *data, size_t len)
{
	uint8_t *f = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(f);
	memcpy(f, data, len);
	struct dv_icmp_info ii;
	struct dv_resp_info ri;
	int ret = dv_icmp_parse(f, len, &ii);
	enum dv_pkt_class c = dv_response_parse(f, len, DNS_PORT, &ri);
	ck_assert(ret == 0 || ret == -ENOMSG || ret == -EBADMSG);
	if (ret == -ENOMSG)
		ck_assert(c == DV_PKT_ICMP || c == DV_PKT_ARP_ND);
	if (ret != 0) {
		free(f);
		return;
	}
	ck_assert_int_eq(c, DV_PKT_ICMP);
	size_t alen = ii.family == AF_INET ? 4 : 16;
	ck_assert(ii.family == AF_INET || ii.family == AF_INET6);
	ck_assert_int_lt(ii.kind, DV_ICMP_KINDS);
	ck_assert(inside(ii.reporter, alen, f, len));
	if (ii.orig_dst != NULL)
		ck_assert(inside(ii.orig_dst, alen, f, len));
	if (ii.has_orig)
		ck_assert_ptr_nonnull(ii.orig_dst);
	if (ii.has_dns_id)
		ck_assert(ii.has_orig);
	if (ii.kind != DV_ICMP_TOO_BIG)
		ck_assert_uint_eq(ii.mtu, 0);
	if (ii.family == AF_INET6)
		ck_assert_uint_lt(ii.type, 128);
	ck_assert_str_ne(dv_icmp_kind_name(ii.kind), "unknown");
	free(f);
}

START_TEST(test_fuzz)
{
	enum { NSEEDS = 12 };
	static uint8_t seeds[NSEEDS][FRAME_MAX];
	size_t slen[NSEEDS];
	uint8_t q4[FRAME_MAX], q6[FRAME_MAX];
	size_t q4len = mk_query(q4, AF_INET, 1234, 0x5678) - 14;
	size_t q6len = mk_query(q6, AF_INET6, 1234, 0x5678) - 14;
	int ns = 0;
	slen[ns] = mk_icmp4(seeds[ns], false, 3, 3, 0, q4 + 14, q4len); ns++;
	slen[ns] = mk_icmp4(seeds[ns], true, 3, 4, 1400, q4 + 14, 28); ns++;
	slen[ns] = mk_icmp4(seeds[ns], false, 11, 1, 0, q4 + 14, 30); ns++;
	slen[ns] = mk_icmp4(seeds[ns], false, 8, 0, 0x00010002, q4 + 14, 20); ns++;
	slen[ns] = mk_icmp4(seeds[ns], false, 12, 0, 0, q6 + 14, q6len); ns++;
	slen[ns] = mk_icmp6(seeds[ns], false, false, 1, 4, 0, q6 + 14, q6len); ns++;
	slen[ns] = mk_icmp6(seeds[ns], true, false, 2, 0, 1280, q6 + 14, q6len); ns++;
	slen[ns] = mk_icmp6(seeds[ns], false, true, 3, 1, 0, q6 + 14, 48); ns++;
	slen[ns] = mk_icmp6(seeds[ns], false, false, 135, 0, 0, q6 + 14, 16); ns++;
	slen[ns] = mk_icmp6(seeds[ns], false, false, 4, 0, 8, q4 + 14, q4len); ns++;
	/* A quote with a destination options header. */
	uint8_t x[FRAME_MAX];
	memcpy(x, q6 + 14, 40);
	x[6] = 60;
	memset(x + 40, 0, 8);
	x[40] = 17;
	memcpy(x + 48, q6 + 14 + 40, q6len - 40);
	slen[ns] = mk_icmp6(seeds[ns], false, false, 1, 4, 0, x, q6len + 8); ns++;
	/* IPv4 quote with options. */
	memcpy(x, q4 + 14, 20);
	x[0] = 0x46;
	memset(x + 20, 1, 4);
	memcpy(x + 24, q4 + 14 + 20, q4len - 20);
	slen[ns] = mk_icmp4(seeds[ns], false, 3, 3, 0, x, q4len + 4); ns++;
	ck_assert_int_eq(ns, NSEEDS);

	uint8_t buf[FRAME_MAX];
	dv_fuzz_seeds(seeds[0], sizeof(seeds[0]), slen, ns, 100000, 8675309, buf, fuzz_one);
}
END_TEST

static Suite *icmp_suite(void)
{
	Suite *s = suite_create("icmp");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_port_unreach);
	tcase_add_test(tc, test_too_big);
	tcase_add_test(tc, test_time_exceeded_and_others);
	tcase_add_test(tc, test_not_errors);
	tcase_add_test(tc, test_truncated_quotes);
	tcase_add_test(tc, test_odd_quotes);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(icmp_suite());
}
