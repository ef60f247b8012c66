/* Unit tests for lib/wire/response.c: frame classification and DNS fields. */
#include <arpa/inet.h>
#include <errno.h>
#include <check.h>

#include "check_main.h"
#include "mutate.h"
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "wire/response.h"
#include "wire_helpers.h"

#define DNS_PORT 53
#define OUR_PORT 10007

/* ---- a small hand-written frame assembler ------------------------------ */

/* Ethernet + IPv4 (no options) around l4 bytes; returns the frame length. */
static size_t mk_ip4(uint8_t *f, bool vlan, uint8_t proto, uint16_t frag,
		     const uint8_t *l4, size_t l4len)
{
	size_t off = put_eth(f, 0x0800, vlan);
	uint8_t *ip = f + off;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + l4len));
	wr16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, "198.19.100.53", ip + 12);
	inet_pton(AF_INET, "198.18.2.1", ip + 16);
	memcpy(ip + 20, l4, l4len);
	return off + 20 + l4len;
}

/* Ethernet + IPv6 around l4 bytes (which may start with extension headers). */
static size_t mk_ip6(uint8_t *f, bool vlan, uint8_t nh, const uint8_t *l4, size_t l4len)
{
	size_t off = put_eth(f, 0x86dd, vlan);
	uint8_t *ip = f + off;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	wr16(ip + 4, (uint16_t)l4len);
	ip[6] = nh;
	ip[7] = 64;
	inet_pton(AF_INET6, "2001:2:ffff::53", ip + 8);
	inet_pton(AF_INET6, "2001:2::1", ip + 24);
	memcpy(ip + 40, l4, l4len);
	return off + 40 + l4len;
}

/* UDP header (checksum 0: the parser does not verify it) + payload. */
static size_t mk_udp(uint8_t *u, uint16_t sport, uint16_t dport, const uint8_t *p, size_t plen)
{
	wr16(u, sport);
	wr16(u + 2, dport);
	wr16(u + 4, (uint16_t)(8 + plen));
	wr16(u + 6, 0);
	memcpy(u + 8, p, plen);
	return 8 + plen;
}

/* A DNS response built with ldns. */
static size_t mk_dns(uint8_t *out, const char *name, ldns_rr_type type, uint16_t id,
		     ldns_pkt_rcode rcode, bool tc, const char *answer)
{
	ldns_rdf *owner = NULL;
	ck_assert_int_eq(ldns_str2rdf_dname(&owner, name), LDNS_STATUS_OK);
	ldns_pkt *p = ldns_pkt_query_new(owner, type, LDNS_RR_CLASS_IN, LDNS_RD);
	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_tc(p, tc);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	if (answer != NULL) {
		ldns_rr *rr = NULL;
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, answer, 0, NULL, NULL), LDNS_STATUS_OK);
		ck_assert(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	ldns_pkt_set_edns_udp_size(p, 1232);
	uint8_t *wire = NULL;
	size_t len = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static const uint8_t example_com[] = "\x07" "example" "\x03" "com";

/* ---- tests ------------------------------------------------------------- */

static void check_dns(const uint8_t *f, size_t flen, int family, const uint8_t *dns,
		      size_t dlen, uint16_t id, uint8_t rcode, bool tc, uint16_t ancount)
{
	struct dv_resp_info ri;
	memset(&ri, 0xaa, sizeof(ri));
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_DNS);
	ck_assert_int_eq(ri.family, family);
	ck_assert_uint_eq(ri.sport, DNS_PORT);
	ck_assert_uint_eq(ri.dport, OUR_PORT);
	ck_assert_uint_eq(ri.id, id);
	ck_assert_uint_eq(ri.qr, 1);
	ck_assert_uint_eq(ri.tc, tc);
	ck_assert_uint_eq(ri.rcode, rcode);
	ck_assert_uint_eq(ri.flags & 0x000f, rcode);
	ck_assert_uint_eq(ri.flags & 0x0100, 0x0100); /* RD */
	ck_assert_uint_eq(ri.qdcount, 1);
	ck_assert_uint_eq(ri.ancount, ancount);
	ck_assert_uint_eq(ri.qname_len, sizeof(example_com));
	ck_assert_mem_eq(ri.qname, example_com, sizeof(example_com));
	ck_assert_uint_eq(ri.qtype, LDNS_RR_TYPE_A);
	ck_assert_uint_eq(ri.dns_len, dlen);
	ck_assert_mem_eq(ri.dns, dns, dlen);
	ck_assert_ptr_eq(ri.l3, f + (f[12] == 0x81 ? 18 : 14));
}

START_TEST(test_dns_v4_v6_vlan)
{
	uint8_t dns[512], udp[600], f[700];
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 0xbeef, LDNS_RCODE_NOERROR,
			     false, "example.com. 300 IN A 198.18.2.7");
	size_t ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);

	for (int vlan = 0; vlan < 2; vlan++) {
		size_t flen = mk_ip4(f, vlan, 17, 0x4000, udp, ulen);
		check_dns(f, flen, AF_INET, dns, dlen, 0xbeef, 0, false, 1);
		flen = mk_ip6(f, vlan, 17, udp, ulen);
		check_dns(f, flen, AF_INET6, dns, dlen, 0xbeef, 0, false, 1);
	}

	dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 7, LDNS_RCODE_SERVFAIL, true, NULL);
	ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);
	size_t flen = mk_ip4(f, false, 17, 0, udp, ulen);
	check_dns(f, flen, AF_INET, dns, dlen, 7, LDNS_RCODE_SERVFAIL, true, 0);

	/* Ethernet padding after the IP packet is not part of the message. */
	memset(f + flen, 0x5a, 64);
	check_dns(f, flen + 64, AF_INET, dns, dlen, 7, LDNS_RCODE_SERVFAIL, true, 0);
	flen = mk_ip6(f, false, 17, udp, ulen);
	memset(f + flen, 0x5a, 64);
	check_dns(f, flen + 64, AF_INET6, dns, dlen, 7, LDNS_RCODE_SERVFAIL, true, 0);
}
END_TEST

START_TEST(test_fragments)
{
	uint8_t dns[512], udp[600], f[700];
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 1, 0, false, NULL);
	size_t ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);
	struct dv_resp_info ri;

	size_t flen = mk_ip4(f, false, 17, 0x2000, udp, ulen); /* MF */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_FRAGMENT);
	flen = mk_ip4(f, false, 17, 0x0010, udp, ulen); /* offset 128 */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_FRAGMENT);
	flen = mk_ip4(f, true, 17, 0x4001, udp, ulen); /* DF + offset 8 */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_FRAGMENT);

	/* IPv6 fragment header, directly and after destination options. */
	uint8_t l4[700];
	memset(l4, 0, 8);
	l4[0] = 17; /* fragment header: next header UDP */
	l4[3] = 1;  /* M flag */
	memcpy(l4 + 8, udp, ulen);
	flen = mk_ip6(f, false, 44, l4, 8 + ulen);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_FRAGMENT);

	memset(l4, 0, 16);
	l4[0] = 44; /* destination options -> fragment */
	l4[1] = 0;
	l4[8] = 17;
	memcpy(l4 + 16, udp, ulen);
	flen = mk_ip6(f, false, 60, l4, 16 + ulen);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_FRAGMENT);
}
END_TEST

/* af_packet reassembles IPv4 and cuts the datagram to its frame size: malformed for
 * the plain classifier, an answer (cut) for a port that says it reassembles. */
START_TEST(test_cut_by_port)
{
	uint8_t dns[1600], u[1700], f[1800];
	struct dv_resp_info ri;
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 0x4242, LDNS_RCODE_NOERROR, false,
			     "example.com. 60 IN A 192.0.2.1");
	memset(dns + dlen, 0, sizeof(dns) - dlen); /* a 1600-byte message */
	size_t ulen = mk_udp(u, DNS_PORT, OUR_PORT, dns, sizeof(dns));
	size_t flen = mk_ip4(f, false, 17, 0, u, ulen);
	/* Whole: a plain answer, msg_len = dns_len. */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_DNS);
	ck_assert(!ri.cut);
	ck_assert_uint_eq(ri.msg_len, sizeof(dns));
	/* Cut to 1000 bytes of frame. */
	ck_assert_int_eq(dv_response_parse(f, 1000, DNS_PORT, &ri), DV_PKT_MALFORMED);
	memset(&ri, 0xaa, sizeof(ri));
	ck_assert_int_eq(dv_response_parse_cut(f, 1000, DNS_PORT, &ri), DV_PKT_DNS);
	ck_assert(ri.cut);
	ck_assert_int_eq(ri.family, AF_INET);
	ck_assert_uint_eq(ri.dport, OUR_PORT);
	ck_assert_uint_eq(ri.id, 0x4242);
	ck_assert_uint_eq(ri.qtype, LDNS_RR_TYPE_A);
	ck_assert_mem_eq(ri.qname, example_com, sizeof(example_com));
	ck_assert_uint_eq(ri.msg_len, sizeof(dns));
	ck_assert_uint_eq(ri.dns_len, 1000 - 14 - 20 - 8);
	/* Not what a cut explains: a fragment, another source port, no whole question. */
	uint8_t g[1800];
	memcpy(g, f, flen);
	wr16(g + 14 + 6, 0x2000);
	ck_assert_int_eq(dv_response_parse_cut(g, 1000, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse_cut(f, 1000, 5353, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse_cut(f, 14 + 20 + 8 + 14, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse_cut(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	for (size_t n = 0; n < 64; n++)
		ck_assert_int_eq(dv_response_parse_cut(f, n, DNS_PORT, &ri), DV_PKT_MALFORMED);
}
END_TEST

START_TEST(test_ipv6_ext_headers)
{
	uint8_t dns[512], udp[600], f[800], l4[800];
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 99, 0, false,
			     "example.com. 60 IN A 198.18.2.9");
	size_t ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);

	/* Hop-by-hop (8) -> routing (24) -> destination options (16) -> UDP. */
	memset(l4, 0, 48);
	l4[0] = 43;
	l4[1] = 0;
	l4[8] = 60;
	l4[9] = 2;
	l4[32] = 17;
	l4[33] = 1;
	memcpy(l4 + 48, udp, ulen);
	size_t flen = mk_ip6(f, true, 0, l4, 48 + ulen);
	check_dns(f, flen, AF_INET6, dns, dlen, 99, 0, false, 1);

	/* An extension header running past the payload. */
	l4[33] = 200;
	flen = mk_ip6(f, false, 0, l4, 48 + ulen);
	struct dv_resp_info ri;
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);

	/* No next header (59) and TCP (6): not ours. */
	flen = mk_ip6(f, false, 59, l4, 0);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_OTHER);
	flen = mk_ip6(f, false, 6, udp, ulen);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_OTHER);
}
END_TEST

START_TEST(test_icmp_arp_nd)
{
	uint8_t icmp[64], f[200];
	struct dv_resp_info ri;
	memset(icmp, 0, sizeof(icmp));

	icmp[0] = 3; /* destination unreachable */
	icmp[1] = 3;
	size_t flen = mk_ip4(f, false, 1, 0, icmp, 36);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ICMP);

	icmp[0] = 129; /* echo reply */
	flen = mk_ip6(f, false, 58, icmp, 8);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ICMP);
	icmp[0] = 1; /* destination unreachable */
	flen = mk_ip6(f, true, 58, icmp, 48);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ICMP);
	for (uint8_t type = 133; type <= 137; type++) {
		icmp[0] = type;
		flen = mk_ip6(f, false, 58, icmp, 32);
		ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ARP_ND);
	}
	icmp[0] = 135; /* NS behind hop-by-hop (as MLD-style packets come) */
	uint8_t l4[64] = { 58, 0 };
	memcpy(l4 + 8, icmp, 24);
	flen = mk_ip6(f, false, 0, l4, 32);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ARP_ND);
	/* ICMPv6 with no room for the type byte. */
	flen = mk_ip6(f, false, 58, icmp, 0);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);

	/* ARP request, plain and tagged. */
	for (int vlan = 0; vlan < 2; vlan++) {
		flen = put_eth(f, 0x0806, vlan);
		memset(f + flen, 0, 28);
		flen += 28;
		ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_ARP_ND);
	}
	/* Some other ethertype (LLDP). */
	flen = put_eth(f, 0x88cc, false);
	ck_assert_int_eq(dv_response_parse(f, flen + 20, DNS_PORT, &ri), DV_PKT_OTHER);
}
END_TEST

START_TEST(test_other_and_malformed)
{
	uint8_t dns[512], udp[600], f[700];
	struct dv_resp_info ri;
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 5, 0, false, NULL);
	size_t ulen = mk_udp(udp, 5353, OUR_PORT, dns, dlen);

	size_t flen = mk_ip4(f, false, 17, 0, udp, ulen); /* wrong port */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_OTHER);
	ck_assert_int_eq(dv_response_parse(f, flen, 5353, &ri), DV_PKT_DNS);
	flen = mk_ip4(f, false, 6, 0, udp, ulen); /* TCP */
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_OTHER);

	ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);
	flen = mk_ip4(f, false, 17, 0, udp, ulen);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_DNS);
	/* Truncated frame: IP total length says more than there is. */
	ck_assert_int_eq(dv_response_parse(f, flen - 1, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse(f, 14 + 19, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse(f, 13, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse(f, 0, DNS_PORT, &ri), DV_PKT_MALFORMED);
	/* IHL 4, wrong version. */
	f[14] = 0x44;
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	f[14] = 0x55;
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	f[14] = 0x45;
	/* UDP length larger than the IP payload, smaller than the header. */
	wr16(f + 34 + 4, (uint16_t)(ulen + 1));
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	wr16(f + 34 + 4, 7);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	/* UDP length shorter than the message: the DNS view is bounded by it. */
	wr16(f + 34 + 4, 8 + 11);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	wr16(f + 34 + 4, 8 + 12 + 5);
	ck_assert_int_eq(dv_response_parse(f, flen, DNS_PORT, &ri), DV_PKT_MALFORMED);
	wr16(f + 34 + 4, (uint16_t)ulen);

	/* IPv6 payload length beyond the frame. */
	flen = mk_ip6(f, false, 17, udp, ulen);
	ck_assert_int_eq(dv_response_parse(f, flen - 1, DNS_PORT, &ri), DV_PKT_MALFORMED);
	ck_assert_int_eq(dv_response_parse(f, 14 + 39, DNS_PORT, &ri), DV_PKT_MALFORMED);
	/* A truncated VLAN tag. */
	f[12] = 0x81;
	f[13] = 0x00;
	ck_assert_int_eq(dv_response_parse(f, 17, DNS_PORT, &ri), DV_PKT_MALFORMED);
}
END_TEST

/* DNS messages written byte by byte to exercise the question checks. */
static enum dv_pkt_class parse_msg(const uint8_t *msg, size_t mlen, struct dv_resp_info *ri,
				   uint8_t *f)
{
	uint8_t udp[1024];
	size_t ulen = mk_udp(udp, DNS_PORT, OUR_PORT, msg, mlen);
	size_t flen = mk_ip4(f, false, 17, 0, udp, ulen);
	return dv_response_parse(f, flen, DNS_PORT, ri);
}

START_TEST(test_question_checks)
{
	uint8_t m[600], f[1200];
	struct dv_resp_info ri;
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0 };

	/* qdcount 0: a DNS message without a question. */
	memcpy(m, hdr, 12);
	m[5] = 0;
	ck_assert_int_eq(parse_msg(m, 12, &ri, f), DV_PKT_DNS);
	ck_assert_ptr_null(ri.qname);
	ck_assert_uint_eq(ri.qname_len, 0);
	ck_assert_uint_eq(ri.rcode, 3);
	ck_assert_uint_eq(ri.id, 0x1234);
	ck_assert_uint_eq(ri.qdcount, 0);
	ck_assert_int_eq(parse_msg(m, 11, &ri, f), DV_PKT_MALFORMED);

	/* Root name. */
	memcpy(m, hdr, 12);
	m[12] = 0;
	wr16(m + 13, 2);
	wr16(m + 15, 1);
	ck_assert_int_eq(parse_msg(m, 17, &ri, f), DV_PKT_DNS);
	ck_assert_uint_eq(ri.qname_len, 1);
	ck_assert_uint_eq(ri.qtype, 2);
	ck_assert_int_eq(parse_msg(m, 16, &ri, f), DV_PKT_MALFORMED); /* class cut */
	ck_assert_int_eq(parse_msg(m, 12, &ri, f), DV_PKT_MALFORMED); /* no name */

	/* A compression pointer in the question. */
	m[12] = 0xc0;
	m[13] = 12;
	wr16(m + 14, 1);
	wr16(m + 16, 1);
	ck_assert_int_eq(parse_msg(m, 18, &ri, f), DV_PKT_MALFORMED);
	m[12] = 0x40; /* extended label type */
	ck_assert_int_eq(parse_msg(m, 18, &ri, f), DV_PKT_MALFORMED);

	/* A label running past the end. */
	m[12] = 10;
	memcpy(m + 13, "abc", 3);
	ck_assert_int_eq(parse_msg(m, 16, &ri, f), DV_PKT_MALFORMED);

	/* 255 bytes is the longest name; 257 is too long. */
	size_t pos = 12;
	for (int i = 0; i < 3; i++) {
		m[pos] = 63;
		memset(m + pos + 1, 'x', 63);
		pos += 64;
	}
	m[pos] = 61;
	memset(m + pos + 1, 'y', 61);
	pos += 62;
	m[pos++] = 0;
	ck_assert_uint_eq(pos - 12, 255);
	wr16(m + pos, 16);
	wr16(m + pos + 2, 1);
	ck_assert_int_eq(parse_msg(m, pos + 4, &ri, f), DV_PKT_DNS);
	ck_assert_uint_eq(ri.qname_len, 255);
	ck_assert_uint_eq(ri.qtype, 16);
	m[12 + 192] = 63; /* last label 61 -> 63: name becomes 257 bytes */
	memset(m + 12 + 193, 'y', 63);
	m[12 + 256] = 0;
	wr16(m + 12 + 257, 16);
	wr16(m + 12 + 259, 1);
	ck_assert_int_eq(parse_msg(m, 12 + 261, &ri, f), DV_PKT_MALFORMED);
}
END_TEST

START_TEST(test_class_names)
{
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_DNS), "dns");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_FRAGMENT), "fragment");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_ICMP), "icmp");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_ARP_ND), "arp_nd");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_OTHER), "other");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_MALFORMED), "malformed");
	for (int c = 0; c < DV_PKT_CLASSES; c++)
		ck_assert_str_ne(dv_pkt_class_name((enum dv_pkt_class)c), "unknown");
	ck_assert_str_eq(dv_pkt_class_name(DV_PKT_CLASSES), "unknown");
}
END_TEST

/* Parse into a buffer of exactly len bytes (so ASan sees any overread). */
static void fuzz_one(const uint8_t *data, size_t len)
{
	uint8_t *f = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(f);
	memcpy(f, data, len);
	struct dv_resp_info ri;
	enum dv_pkt_class c = dv_response_parse(f, len, DNS_PORT, &ri);
	ck_assert_int_ge(c, 0);
	ck_assert_int_lt(c, DV_PKT_CLASSES);
	if (c == DV_PKT_DNS) {
		ck_assert(ri.family == AF_INET || ri.family == AF_INET6);
		ck_assert(ri.dns >= f && ri.dns + ri.dns_len <= f + len);
		ck_assert_uint_ge(ri.dns_len, 12);
		if (ri.qdcount > 0) {
			ck_assert_ptr_eq(ri.qname, ri.dns + 12);
			ck_assert(ri.qname + ri.qname_len + 4 <= ri.dns + ri.dns_len);
		} else {
			ck_assert_ptr_null(ri.qname);
		}
	}
	free(f);
}

START_TEST(test_fuzz)
{
	uint8_t dns[512], udp[600], l4[700], seeds[6][800];
	size_t slen[6];
	size_t dlen = mk_dns(dns, "example.com.", LDNS_RR_TYPE_A, 0x4242, 0, false,
			     "example.com. 300 IN A 198.18.2.7");
	size_t ulen = mk_udp(udp, DNS_PORT, OUR_PORT, dns, dlen);
	slen[0] = mk_ip4(seeds[0], false, 17, 0, udp, ulen);
	slen[1] = mk_ip6(seeds[1], true, 17, udp, ulen);
	slen[2] = mk_ip4(seeds[2], true, 17, 0, udp, ulen);
	memset(l4, 0, 16);
	l4[0] = 60;
	l4[8] = 17;
	memcpy(l4 + 16, udp, ulen);
	slen[3] = mk_ip6(seeds[3], false, 0, l4, 16 + ulen);
	uint8_t icmp[32] = { 135 };
	slen[4] = mk_ip6(seeds[4], false, 58, icmp, sizeof(icmp));
	slen[5] = mk_ip4(seeds[5], false, 17, 0x2000, udp, ulen);

	srandom(20240601);
	uint8_t buf[800];
	for (int i = 0; i < 20000; i++) {
		size_t len = dv_mutate(buf, seeds[0], sizeof(seeds[0]), slen, 6, 200);
		/* Random bytes, sometimes with a plausible ethertype and IP version. */
		if (len > 14 && (random() & 3) == 0) {
			static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x0806 };
			wr16(buf + 12, types[random() % 4]);
			buf[14] = (uint8_t)((buf[14] & 0x0f) | (random() & 1 ? 0x40 : 0x60));
		}
		fuzz_one(buf, len);
	}
	/* Every truncation of every seed, exhaustively. */
	for (int s = 0; s < 6; s++)
		for (size_t len = 0; len <= slen[s]; len++)
			fuzz_one(seeds[s], len);
}
END_TEST

START_TEST(test_parse_msg)
{
	/* An answer without its frame (TCP): header and question from the kept bytes. */
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0, /* QR RD RA, NXDOMAIN */
		3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 28, 0, 1,
	};
	struct dv_resp_info ri;
	ck_assert_int_eq(dv_response_parse_msg(msg, sizeof(msg), 70000, AF_INET6, &ri), -EBADMSG);
	ck_assert_int_eq(dv_response_parse_msg(msg, sizeof(msg), sizeof(msg) - 1, AF_INET6, &ri), -EBADMSG);
	ck_assert_int_eq(dv_response_parse_msg(msg, sizeof(msg), 5000, AF_INET6, &ri), 0);
	ck_assert_uint_eq(ri.id, 0x1234);
	ck_assert_uint_eq(ri.rcode, 3);
	ck_assert_uint_eq(ri.qr, 1);
	ck_assert_uint_eq(ri.tc, 0);
	ck_assert_uint_eq(ri.qtype, 28);
	ck_assert_uint_eq(ri.qname_len, 10);
	ck_assert_ptr_eq(ri.qname, msg + 12);
	ck_assert_uint_eq(ri.dns_len, sizeof(msg));
	ck_assert_uint_eq(ri.msg_len, 5000);
	ck_assert(ri.cut);
	ck_assert_int_eq(ri.family, AF_INET6);
	ck_assert_ptr_null(ri.l3);
	/* Cut inside the question: malformed, whatever the full length. */
	for (size_t n = 0; n < sizeof(msg); n++)
		ck_assert_int_eq(dv_response_parse_msg(msg, n, 5000, AF_INET, &ri), -EBADMSG);
}
END_TEST

START_TEST(test_keepalive_option)
{
	/* An answer with one A record (compressed owner) and an OPT with
	 * padding then edns-tcp-keepalive 300 (30 s). */
	static const uint8_t msg[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1,
		3, 'w', 'w', 'w', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 198, 18, 0, 1,
		0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 12,
		0, 12, 0, 2, 0, 0,      /* padding, 2 bytes */
		0, 11, 0, 2, 0x01, 0x2c, /* keepalive 300 */
	};
	uint16_t t = 0;
	ck_assert_int_eq(dv_response_keepalive(msg, sizeof(msg), &t), 0);
	ck_assert_uint_eq(t, 300);
	/* Cut anywhere before its last byte: none, never a read past len. */
	for (size_t n = 0; n < sizeof(msg); n++) {
		uint8_t *cut = malloc(n > 0 ? n : 1);
		memcpy(cut, msg, n);
		ck_assert_int_eq(dv_response_keepalive(cut, n, &t), -ENOENT);
		free(cut);
	}
	/* The option without its timeout (length 0, as in a query): none. */
	uint8_t q[sizeof(msg)];
	memcpy(q, msg, sizeof(msg));
	q[sizeof(q) - 3] = 0;
	q[sizeof(q) - 13] = 10; /* the OPT's RDLENGTH shrinks by 2 */
	ck_assert_int_eq(dv_response_keepalive(q, sizeof(q) - 2, &t), -ENOENT);
	/* A pointer loop never hangs: label budget. */
	uint8_t loop[] = { 0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 1, 'a', 1, 'a' };
	ck_assert_int_eq(dv_response_keepalive(loop, sizeof(loop), &t), -ENOENT);
}
END_TEST

Suite *response_suite(void)
{
	Suite *s = suite_create("response");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_dns_v4_v6_vlan);
	tcase_add_test(tc, test_fragments);
	tcase_add_test(tc, test_ipv6_ext_headers);
	tcase_add_test(tc, test_icmp_arp_nd);
	tcase_add_test(tc, test_other_and_malformed);
	tcase_add_test(tc, test_question_checks);
	tcase_add_test(tc, test_class_names);
	tcase_add_test(tc, test_cut_by_port);
	tcase_add_test(tc, test_fuzz);
	tcase_add_test(tc, test_parse_msg);
	tcase_add_test(tc, test_keepalive_option);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(response_suite());
}
