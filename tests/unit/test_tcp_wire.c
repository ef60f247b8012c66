/* Unit tests for lib/wire/tcp.c: TCP segments built from a template and parsed back. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>

#include "check_main.h"
#include "mutate.h"
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "wire/tcp.h"
#include "wire_helpers.h"

#define FRAME_MAX  2048
#define CLIENT_PORT 40001
#define DNS_PORT   53

/* ---- independent references ----------------------------------------------- */

/* Folded sum of the TCP pseudo header (addresses of the IP header at l3) and the
 * segment of tcp_len bytes at l4: 0xffff when the checksum in it is right. */
static uint16_t ref_tcp_sum(const uint8_t *f, size_t l3, size_t l4, size_t tcp_len)
{
	const uint8_t *ip = f + l3;
	uint32_t sum = (ip[0] >> 4) == 4 ? ref_add(0, ip + 12, 8) : ref_add(0, ip + 8, 32);
	sum += 6 + (uint32_t)tcp_len;
	return ref_fold(ref_add(sum, f + l4, tcp_len));
}

/* RFC 9293 checksum from scratch into the segment. */
static void ref_fill_tcp_csum(uint8_t *f, size_t l3, size_t l4, size_t tcp_len)
{
	wr16(f + l4 + 16, 0);
	wr16(f + l4 + 16, (uint16_t)~ref_tcp_sum(f, l3, l4, tcp_len));
}

static bool ref_ip4_ok(const uint8_t *ip)
{
	return ref_fold(ref_add(0, ip, (size_t)(ip[0] & 15) * 4)) == 0xffff;
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *f, size_t len)
{
	return p >= f && p + n <= f + len;
}

/* ---- frames ------------------------------------------------------------------ */

/* The four shapes every round trip runs over. */
static const struct { int family; uint16_t vlan; } shapes[] = {
	{ AF_INET, 0 }, { AF_INET, 100 }, { AF_INET6, 0 }, { AF_INET6, 100 },
};
#define NSHAPES ((int)(sizeof(shapes) / sizeof(shapes[0])))

/* Client side: 198.18.2.1 / 2001:2::1 -> 198.19.100.53 / 2001:2:ffff::53, port 53. */
static void client_ep(struct dv_endpoints *ep, int family, uint16_t vlan)
{
	mkep(ep, family);
	ep->vlan = vlan;
}

/* The responder's side: addresses and MACs swapped, to the client's port. */
static void server_ep(struct dv_endpoints *ep, int family, uint16_t vlan)
{
	struct dv_endpoints c;
	client_ep(&c, family, vlan);
	*ep = c;
	memcpy(ep->src_mac, c.dst_mac, 6);
	memcpy(ep->dst_mac, c.src_mac, 6);
	ep->src = c.dst;
	ep->dst = c.src;
	ep->dport = CLIENT_PORT;
}

static void tmpl(struct dv_tcp_tmpl *t, int family, uint16_t vlan, bool server)
{
	struct dv_endpoints ep;
	if (server)
		server_ep(&ep, family, vlan);
	else
		client_ep(&ep, family, vlan);
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, t), 0);
}

static size_t l3_of(uint16_t vlan)
{
	return vlan ? 18 : 14;
}

static size_t l4_of(int family, uint16_t vlan)
{
	return l3_of(vlan) + (family == AF_INET ? 20 : 40);
}

static struct dv_tcp_seg mkseg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win)
{
	struct dv_tcp_seg s;
	memset(&s, 0, sizeof(s));
	s.flags = flags;
	s.seq = seq;
	s.ack = ack;
	s.win = win;
	s.wscale = -1;
	return s;
}

/* A DNS query over TCP: the 2-byte length, then the message (odd length: 2 + 29). */
static uint16_t dns_payload(uint8_t *p)
{
	struct dv_query q = mkq("example.com.", LDNS_RR_TYPE_A);
	int n = dv_query_wire(&q, 0, false, p + 2, FRAME_MAX - 2);
	ck_assert_int_eq(n, 29);
	p[2] = 0x12; /* ID */
	p[3] = 0x34;
	wr16(p, (uint16_t)n);
	return (uint16_t)(n + 2);
}

/* A segment of the client's template; returns the frame length. */
static size_t build(uint8_t *f, int family, uint16_t vlan, const struct dv_tcp_seg *s)
{
	struct dv_tcp_tmpl t;
	tmpl(&t, family, vlan, false);
	uint16_t n = dv_tcp_build(f, FRAME_MAX, &t, NULL, CLIENT_PORT, DNS_PORT, s);
	ck_assert_uint_gt(n, 0);
	return n;
}

/*
 * A segment with the given options (olen a multiple of 4) and payload: built
 * as an ACK whose payload is options + payload, then the data offset moved
 * over the options and the checksum made again by the reference.
 */
static size_t mk_opts(uint8_t *f, int family, uint16_t vlan, const uint8_t *opts, size_t olen,
		      const uint8_t *pay, size_t plen)
{
	uint8_t both[FRAME_MAX];
	memcpy(both, opts, olen);
	memcpy(both + olen, pay, plen);
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 1000, 2000, 512);
	s.data = both;
	s.len = (uint16_t)(olen + plen);
	size_t n = build(f, family, vlan, &s);
	size_t l4 = l4_of(family, vlan);
	f[l4 + 12] = (uint8_t)(((20 + olen) / 4) << 4);
	ref_fill_tcp_csum(f, l3_of(vlan), l4, n - l4);
	return n;
}

/* Parse with and without the checksum: both must give want. */
/* Parse from an exact-size heap copy (ASan sees any read past the end). */
static int parse_copy(const uint8_t *data, size_t len, bool check, struct dv_tcp_view *v)
{
	uint8_t *f = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(f);
	if (len != 0)
		memcpy(f, data, len);
	int ret = dv_tcp_parse(f, len, check, v);
	free(f);
	return ret;
}

/* Parse with and without the checksum, from an exact-size copy: both must give want. */
static void parse_both(const uint8_t *f, size_t len, int want)
{
	struct dv_tcp_view v;
	ck_assert_int_eq(parse_copy(f, len, false, &v), want);
	ck_assert_int_eq(parse_copy(f, len, true, &v), want);
}

/* Everything a built frame must be, checked byte by byte and by the reference sums. */
static void check_frame(const uint8_t *f, size_t n, int family, uint16_t vlan, bool server,
			uint16_t sport, uint16_t dport, const struct dv_tcp_seg *s)
{
	struct dv_endpoints ep;
	if (server)
		server_ep(&ep, family, vlan);
	else
		client_ep(&ep, family, vlan);
	size_t l3 = l3_of(vlan), l4 = l4_of(family, vlan);
	size_t hlen = 20 + dv_tcp_opt_len(s);
	ck_assert_uint_eq(n, l4 + hlen + s->len);
	ck_assert_mem_eq(f, ep.dst_mac, 6);
	ck_assert_mem_eq(f + 6, ep.src_mac, 6);
	if (vlan) {
		ck_assert_uint_eq(rd16(f + 12), 0x8100);
		ck_assert_uint_eq(rd16(f + 14), vlan);
	}
	const uint8_t *ip = f + l3;
	if (family == AF_INET) {
		ck_assert_uint_eq(rd16(ip - 2), 0x0800);
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(ip[1], 0);
		ck_assert_uint_eq(rd16(ip + 2), n - l3);
		ck_assert_uint_eq(rd16(ip + 4), 0);      /* ID 0: DF is set */
		ck_assert_uint_eq(rd16(ip + 6), 0x4000); /* DF, offset 0 */
		ck_assert_uint_eq(ip[8], 64);
		ck_assert_uint_eq(ip[9], 6);
		ck_assert(ref_ip4_ok(ip));
		ck_assert_mem_eq(ip + 12, &ep.src.v4, 4);
		ck_assert_mem_eq(ip + 16, &ep.dst.v4, 4);
	} else {
		ck_assert_uint_eq(rd16(ip - 2), 0x86dd);
		ck_assert_uint_eq(rd16(ip), 0x6000);
		ck_assert_uint_eq(rd16(ip + 2), 0);
		ck_assert_uint_eq(rd16(ip + 4), n - l3 - 40);
		ck_assert_uint_eq(ip[6], 6);
		ck_assert_uint_eq(ip[7], 64);
		ck_assert_mem_eq(ip + 8, &ep.src.v6, 16);
		ck_assert_mem_eq(ip + 24, &ep.dst.v6, 16);
	}
	const uint8_t *tcp = f + l4;
	ck_assert_uint_eq(rd16(tcp), sport);
	ck_assert_uint_eq(rd16(tcp + 2), dport);
	ck_assert_uint_eq(rd16(tcp + 4), s->seq >> 16);
	ck_assert_uint_eq(rd16(tcp + 6), s->seq & 0xffff);
	uint32_t ack = (s->flags & DV_TCP_ACK) ? s->ack : 0;
	ck_assert_uint_eq(rd16(tcp + 8), ack >> 16);
	ck_assert_uint_eq(rd16(tcp + 10), ack & 0xffff);
	ck_assert_uint_eq(tcp[12], (hlen / 4) << 4);
	ck_assert_uint_eq(tcp[13], s->flags);
	ck_assert_uint_eq(rd16(tcp + 14), s->win);
	ck_assert_uint_eq(rd16(tcp + 18), 0);
	ck_assert_uint_eq(ref_tcp_sum(f, l3, l4, n - l4), 0xffff);
	if (s->len != 0)
		ck_assert_mem_eq(tcp + hlen, s->data, s->len);
}

/* Parse (checksum verified) and compare with what was built. */
static void check_parse(const uint8_t *f, size_t n, int family, uint16_t vlan, bool server,
			uint16_t sport, uint16_t dport, const struct dv_tcp_seg *s)
{
	struct dv_endpoints ep;
	if (server)
		server_ep(&ep, family, vlan);
	else
		client_ep(&ep, family, vlan);
	struct dv_tcp_view v;
	memset(&v, 0xaa, sizeof(v));
	ck_assert_int_eq(parse_copy(f, n, true, &v), 0);
	ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), 0);
	ck_assert_int_eq(v.family, family);
	ck_assert_uint_eq(v.l3_off, l3_of(vlan));
	ck_assert_uint_eq(v.l4_off, l4_of(family, vlan));
	size_t alen = family == AF_INET ? 4 : 16;
	const void *sa = family == AF_INET ? (const void *)&ep.src.v4 : (const void *)&ep.src.v6;
	const void *da = family == AF_INET ? (const void *)&ep.dst.v4 : (const void *)&ep.dst.v6;
	ck_assert_ptr_eq(v.saddr, f + l3_of(vlan) + (family == AF_INET ? 12 : 8));
	ck_assert_mem_eq(v.saddr, sa, alen);
	ck_assert_mem_eq(v.daddr, da, alen);
	ck_assert_uint_eq(v.sport, sport);
	ck_assert_uint_eq(v.dport, dport);
	ck_assert_uint_eq(v.seg.seq, s->seq);
	ck_assert_uint_eq(v.seg.ack, (s->flags & DV_TCP_ACK) ? s->ack : 0);
	ck_assert_uint_eq(v.seg.win, s->win);
	ck_assert_uint_eq(v.seg.flags, s->flags);
	bool syn = s->flags & DV_TCP_SYN;
	ck_assert_uint_eq(v.seg.mss, syn ? s->mss : 0);
	ck_assert_int_eq(v.seg.wscale, syn && s->wscale >= 0 ? (s->wscale > 14 ? 14 : s->wscale) : -1);
	ck_assert_uint_eq(v.seg.len, s->len);
	if (s->len == 0) {
		ck_assert_ptr_null(v.seg.data);
	} else {
		ck_assert_ptr_eq(v.seg.data, f + l4_of(family, vlan) + 20 + dv_tcp_opt_len(s));
		ck_assert_mem_eq(v.seg.data, s->data, s->len);
	}
}

/* ---- templates and option lengths -------------------------------------------- */

START_TEST(test_tmpl)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		struct dv_tcp_tmpl t;
		tmpl(&t, fam, vlan, false);
		ck_assert_int_eq(t.family, fam);
		ck_assert_uint_eq(t.l3_off, l3_of(vlan));
		ck_assert_uint_eq(t.l4_off, l4_of(fam, vlan));
		ck_assert_uint_eq(t.dport, DNS_PORT);
		ck_assert_uint_eq(t.src_len, fam == AF_INET ? 4 : 16);
		ck_assert_uint_eq(t.src_off, l3_of(vlan) + (fam == AF_INET ? 12 : 8));
		const uint8_t *ip = t.bytes + t.l3_off;
		if (fam == AF_INET) {
			ck_assert_uint_eq(ip[9], 6);
			ck_assert_uint_eq(rd16(ip + 6), 0x4000);
			ck_assert_uint_eq(ip[8], 64);
		} else {
			ck_assert_uint_eq(ip[6], 6);
			ck_assert_uint_eq(ip[7], 64);
		}
	}
	struct dv_endpoints ep;
	struct dv_tcp_tmpl t;
	client_ep(&ep, AF_INET, 0);
	ep.dst.family = AF_INET6;
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &t), -EAFNOSUPPORT);
	ep.src.family = ep.dst.family = AF_UNIX;
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &t), -EAFNOSUPPORT);
}
END_TEST

START_TEST(test_opt_len)
{
	struct dv_tcp_seg s = mkseg(DV_TCP_SYN, 0, 0, 0);
	ck_assert_uint_eq(dv_tcp_opt_len(&s), 4);
	s.wscale = 0;
	ck_assert_uint_eq(dv_tcp_opt_len(&s), 8);
	s.flags = DV_TCP_SYN | DV_TCP_ACK;
	ck_assert_uint_eq(dv_tcp_opt_len(&s), 8);
	s.flags = DV_TCP_ACK;
	ck_assert_uint_eq(dv_tcp_opt_len(&s), 0);
	s.flags = DV_TCP_RST;
	s.mss = 1460;
	ck_assert_uint_eq(dv_tcp_opt_len(&s), 0);
	struct dv_tcp_tmpl t;
	tmpl(&t, AF_INET6, 100, false);
	s.flags = DV_TCP_SYN;
	ck_assert_uint_eq(dv_tcp_payload_off(&t, &s), 18 + 40 + 20 + 8);
	s.flags = DV_TCP_ACK | DV_TCP_PSH;
	ck_assert_uint_eq(dv_tcp_payload_off(&t, &s), 18 + 40 + 20);
}
END_TEST

/* ---- round trips ------------------------------------------------------------- */

START_TEST(test_syn)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		uint8_t f[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_SYN, 0x12345678, 0xdeadbeef, 65535);
		s.mss = 1460;
		s.wscale = 7;
		size_t n = build(f, fam, vlan, &s);
		check_frame(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);
		static const uint8_t opts[8] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7 };
		ck_assert_mem_eq(f + l4_of(fam, vlan) + 20, opts, 8);
		ck_assert_uint_eq(rd16(f + l4_of(fam, vlan) + 8), 0); /* no ACK: field 0 */
		check_parse(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);

		/* A shift above 14 is sent as 14. */
		s.wscale = 20;
		n = build(f, fam, vlan, &s);
		ck_assert_uint_eq(f[l4_of(fam, vlan) + 27], 14);
		check_parse(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);
	}
}
END_TEST

START_TEST(test_synack)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		struct dv_tcp_tmpl t;
		tmpl(&t, fam, vlan, true);
		ck_assert_uint_eq(t.dport, CLIENT_PORT);
		uint8_t f[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_SYN | DV_TCP_ACK, 0xfffffff0, 0x12345679, 28960);
		s.mss = 1400;
		size_t n = dv_tcp_build(f, sizeof(f), &t, NULL, DNS_PORT, CLIENT_PORT, &s);
		check_frame(f, n, fam, vlan, true, DNS_PORT, CLIENT_PORT, &s);
		static const uint8_t opts[4] = { 2, 4, 0x05, 0x78 };
		ck_assert_mem_eq(f + l4_of(fam, vlan) + 20, opts, 4);
		ck_assert_uint_eq(f[l4_of(fam, vlan) + 12], 0x60);
		check_parse(f, n, fam, vlan, true, DNS_PORT, CLIENT_PORT, &s);

		s.wscale = 0;
		n = dv_tcp_build(f, sizeof(f), &t, NULL, DNS_PORT, CLIENT_PORT, &s);
		static const uint8_t opts2[8] = { 2, 4, 0x05, 0x78, 1, 3, 3, 0 };
		ck_assert_mem_eq(f + l4_of(fam, vlan) + 20, opts2, 8);
		check_parse(f, n, fam, vlan, true, DNS_PORT, CLIENT_PORT, &s);
	}
}
END_TEST

START_TEST(test_data_copied)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		uint8_t pay[FRAME_MAX], f[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_ACK | DV_TCP_PSH, 0x12345679, 0x9abcdef0, 502);
		s.len = dns_payload(pay);
		s.data = pay;
		s.mss = 1460;   /* ignored: not a SYN */
		s.wscale = 7;
		size_t n = build(f, fam, vlan, &s);
		ck_assert_uint_eq(n, l4_of(fam, vlan) + 20 + 31);
		check_frame(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);
		check_parse(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);

		/* An even length, and a long one: 1400 bytes of a pattern. */
		for (int k = 0; k < 1400; k++)
			pay[k] = (uint8_t)(k * 7 + 3);
		s.len = 1400;
		n = build(f, fam, vlan, &s);
		check_frame(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);
		check_parse(f, n, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);
	}
}
END_TEST

START_TEST(test_data_in_place)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		struct dv_tcp_tmpl t;
		tmpl(&t, fam, vlan, false);
		uint8_t pay[FRAME_MAX], a[FRAME_MAX], b[FRAME_MAX], c[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_ACK | DV_TCP_PSH | DV_TCP_FIN, 77, 88, 1024);
		s.len = dns_payload(pay);
		s.data = pay;
		uint16_t na = dv_tcp_build(a, sizeof(a), &t, NULL, CLIENT_PORT, DNS_PORT, &s);
		ck_assert_uint_gt(na, 0);

		/* The payload written where it goes: not copied, same frame. */
		memset(b, 0xee, sizeof(b));
		uint16_t off = dv_tcp_payload_off(&t, &s);
		ck_assert_uint_eq(off, l4_of(fam, vlan) + 20);
		memcpy(b + off, pay, s.len);
		struct dv_tcp_seg sb = s;
		sb.data = b + off;
		uint16_t nb = dv_tcp_build(b, sizeof(b), &t, NULL, CLIENT_PORT, DNS_PORT, &sb);
		ck_assert_uint_eq(nb, na);
		ck_assert_mem_eq(a, b, na);
		check_parse(b, nb, fam, vlan, false, CLIENT_PORT, DNS_PORT, &s);

		/* The payload elsewhere in dst: where the headers go (so moved before
		 * they are written), and overlapping its own place (ASan reports an
		 * overlapping memcpy). */
		size_t at[] = { 10, off - 8u, off + 8u };
		for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
			memset(c, 0xee, sizeof(c));
			memcpy(c + at[k], pay, s.len);
			struct dv_tcp_seg sc = s;
			sc.data = c + at[k];
			uint16_t nc = dv_tcp_build(c, sizeof(c), &t, NULL, CLIENT_PORT, DNS_PORT, &sc);
			ck_assert_uint_eq(nc, na);
			ck_assert_mem_eq(a, c, na);
		}
	}
}
END_TEST

START_TEST(test_src_override)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		struct dv_endpoints ep;
		client_ep(&ep, fam, vlan);
		struct dv_tcp_tmpl t, t_other;
		ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &t), 0);
		/* Another source address, chosen so its sum differs a lot from the template's. */
		struct dv_addr other = ep.src;
		if (fam == AF_INET)
			inet_pton(AF_INET, "198.18.255.254", &other.v4);
		else
			inet_pton(AF_INET6, "2001:2::ffff:fffe:1234", &other.v6);
		struct dv_src src;
		dv_src_make(&other, &src);
		ep.src = other;
		ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &t_other), 0);

		uint8_t pay[FRAME_MAX], a[FRAME_MAX], b[FRAME_MAX];
		for (int k = 0; k < 101; k++)
			pay[k] = (uint8_t)(0xff - k);
		struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 0xffffffff, 1, 0);
		s.data = pay;
		s.len = 101;
		uint16_t na = dv_tcp_build(a, sizeof(a), &t, &src, CLIENT_PORT, DNS_PORT, &s);
		uint16_t nb = dv_tcp_build(b, sizeof(b), &t_other, NULL, CLIENT_PORT, DNS_PORT, &s);
		ck_assert_uint_gt(na, 0);
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b, na); /* the override gives the frame of its own template */
		size_t l3 = l3_of(vlan), l4 = l4_of(fam, vlan);
		ck_assert_uint_eq(ref_tcp_sum(a, l3, l4, na - l4), 0xffff);
		if (fam == AF_INET)
			ck_assert(ref_ip4_ok(a + l3));
		struct dv_tcp_view v;
		ck_assert_int_eq(dv_tcp_parse(a, na, true, &v), 0);
		ck_assert_mem_eq(v.saddr, src.addr, fam == AF_INET ? 4 : 16);

		/* SYN with options, too. */
		s = mkseg(DV_TCP_SYN, 1, 0, 65535);
		s.mss = 1220;
		s.wscale = 9;
		na = dv_tcp_build(a, sizeof(a), &t, &src, CLIENT_PORT, DNS_PORT, &s);
		nb = dv_tcp_build(b, sizeof(b), &t_other, NULL, CLIENT_PORT, DNS_PORT, &s);
		ck_assert_uint_eq(na, nb);
		ck_assert_mem_eq(a, b, na);
		ck_assert_int_eq(dv_tcp_parse(a, na, true, &v), 0);
		ck_assert_uint_eq(v.seg.mss, 1220);
		ck_assert_int_eq(v.seg.wscale, 9);
	}
}
END_TEST

START_TEST(test_room)
{
	struct dv_tcp_tmpl t;
	tmpl(&t, AF_INET, 0, false);
	uint8_t pay[64] = { 1, 2, 3 };
	uint8_t f[FRAME_MAX];
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 1, 2, 3);
	s.data = pay;
	s.len = 64;
	ck_assert_uint_eq(dv_tcp_build(f, 14 + 20 + 20 + 63, &t, NULL, 1, 2, &s), 0);
	ck_assert_uint_eq(dv_tcp_build(f, 14 + 20 + 20 + 64, &t, NULL, 1, 2, &s), 14 + 20 + 20 + 64);
	s = mkseg(DV_TCP_SYN, 1, 0, 3);
	s.wscale = 2;
	ck_assert_uint_eq(dv_tcp_build(f, 14 + 20 + 27, &t, NULL, 1, 2, &s), 0);
	ck_assert_uint_eq(dv_tcp_build(f, 14 + 20 + 28, &t, NULL, 1, 2, &s), 14 + 20 + 28);
	ck_assert_uint_eq(dv_tcp_build(f, 0, &t, NULL, 1, 2, &s), 0);

	/* A segment whose IP length would not fit 16 bits, whatever the room. */
	uint8_t *big = calloc(1, 1u << 17);
	ck_assert_ptr_nonnull(big);
	s = mkseg(DV_TCP_ACK, 1, 2, 3);
	s.data = big + 1000;
	s.len = 65535 - 54;
	ck_assert_uint_eq(dv_tcp_build(big, 1u << 17, &t, NULL, 1, 2, &s), 65535);
	for (uint32_t len = 65535 - 53; len <= 65535; len++) {
		s.len = (uint16_t)len;
		ck_assert_uint_eq(dv_tcp_build(big, 1u << 17, &t, NULL, 1, 2, &s), 0);
	}
	free(big);
}
END_TEST

/* ---- checksums ----------------------------------------------------------------- */

START_TEST(test_csum_flip)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		uint8_t pay[FRAME_MAX], f[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_ACK | DV_TCP_PSH, 5, 6, 7);
		s.len = dns_payload(pay);
		s.data = pay;
		size_t n = build(f, fam, vlan, &s);
		struct dv_tcp_view v;
		ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), 0);
		size_t l4 = l4_of(fam, vlan);
		/* Every byte of the segment (in the data offset's byte, a reserved
		 * bit), and each bit of the last one. */
		for (size_t k = l4; k < n; k++) {
			f[k] ^= 0x01;
			ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), -EBADMSG);
			ck_assert_int_eq(dv_tcp_parse(f, n, false, &v), 0);
			f[k] ^= 0x01;
		}
		for (int bit = 0; bit < 8; bit++) {
			f[n - 1] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), -EBADMSG);
			f[n - 1] ^= (uint8_t)(1u << bit);
		}
		/* The pseudo header: a source or destination address byte. */
		size_t a = l3_of(vlan) + (fam == AF_INET ? 12 : 8);
		f[a + 1] ^= 0x40;
		ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), -EBADMSG);
		f[a + 1] ^= 0x40;
		f[l4 - 1] ^= 0x02; /* the last byte of the destination */
		ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), -EBADMSG);
		f[l4 - 1] ^= 0x02;
		ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), 0);
	}
}
END_TEST

/* Ethernet padding is not payload, and does not enter the checksum. */
START_TEST(test_padding)
{
	uint8_t f[FRAME_MAX];
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 9, 10, 11);
	size_t n = build(f, AF_INET, 0, &s);
	ck_assert_uint_eq(n, 54);
	memset(f + n, 0xee, 6);
	struct dv_tcp_view v;
	ck_assert_int_eq(parse_copy(f, 60, true, &v), 0);
	ck_assert_uint_eq(v.seg.len, 0);
	ck_assert_ptr_null(v.seg.data);

	uint8_t pay[3] = { 0xa, 0xb, 0xc };
	s.data = pay;
	s.len = 3;
	n = build(f, AF_INET, 0, &s);
	memset(f + n, 0xee, 60 - n);
	ck_assert_int_eq(dv_tcp_parse(f, 60, true, &v), 0);
	ck_assert_uint_eq(v.seg.len, 3);
	ck_assert_ptr_eq(v.seg.data, f + 54);
}
END_TEST

/* IPv4 options and IPv6 extension headers between IP and TCP. */
START_TEST(test_ip_options_and_ext)
{
	uint8_t pay[FRAME_MAX], f[FRAME_MAX], g[FRAME_MAX];
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK | DV_TCP_PSH, 100, 200, 300);
	s.len = dns_payload(pay);
	s.data = pay;
	struct dv_tcp_view v;
	for (int vlan = 0; vlan <= 100; vlan += 100) {
		/* IPv4, IHL 7: 8 bytes of options (NOPs and EOL). */
		size_t n = build(f, AF_INET, (uint16_t)vlan, &s);
		size_t l3 = l3_of((uint16_t)vlan), l4 = l3 + 20;
		memcpy(g, f, l4);
		static const uint8_t ipopt[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
		memcpy(g + l4, ipopt, 8);
		memcpy(g + l4 + 8, f + l4, n - l4);
		g[l3] = 0x47;
		wr16(g + l3 + 2, (uint16_t)(rd16(g + l3 + 2) + 8));
		/* The TCP checksum does not cover IP options: unchanged. */
		ck_assert_int_eq(parse_copy(g, n + 8, true, &v), 0);
		ck_assert_int_eq(dv_tcp_parse(g, n + 8, true, &v), 0);
		ck_assert_uint_eq(v.l4_off, l4 + 8);
		ck_assert_uint_eq(v.seg.len, s.len);
		ck_assert_mem_eq(v.seg.data, pay, s.len);
		ck_assert_uint_eq(v.sport, CLIENT_PORT);

		/* IPv6: hop-by-hop (8), routing (16, segments left 0), destination options (8). */
		n = build(f, AF_INET6, (uint16_t)vlan, &s);
		l4 = l3 + 40;
		memcpy(g, f, l4);
		static const uint8_t ext[32] = {
			43, 0, 1, 4, 0, 0, 0, 0,                /* HBH -> routing: PadN */
			60, 1, 253, 0, 0, 0, 0, 0,              /* routing type 253, segments left 0 */
			0, 0, 0, 0, 0, 0, 0, 0,
			6, 0, 1, 4, 0, 0, 0, 0,                 /* dst options -> TCP: PadN */
		};
		memcpy(g + l4, ext, 32);
		memcpy(g + l4 + 32, f + l4, n - l4);
		g[l3 + 6] = 0;
		wr16(g + l3 + 4, (uint16_t)(rd16(g + l3 + 4) + 32));
		/* The pseudo header's length is the TCP segment's, not the payload length. */
		ck_assert_int_eq(parse_copy(g, n + 32, true, &v), 0);
		ck_assert_int_eq(dv_tcp_parse(g, n + 32, true, &v), 0);
		ck_assert_int_eq(v.family, AF_INET6);
		ck_assert_uint_eq(v.l4_off, l4 + 32);
		ck_assert_uint_eq(v.seg.len, s.len);
		ck_assert_mem_eq(v.seg.data, pay, s.len);
		ck_assert_ptr_eq(v.daddr, g + l3 + 24);
	}
}
END_TEST

/* ---- not TCP, malformed ----------------------------------------------------------- */

START_TEST(test_not_tcp)
{
	uint8_t f[FRAME_MAX];
	uint8_t pay[16] = { 0 };
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 1, 2, 3);
	s.data = pay;
	s.len = 16;
	for (int vlan = 0; vlan <= 100; vlan += 100) {
		size_t l3 = l3_of((uint16_t)vlan);
		/* IPv4 carrying UDP, ICMP: not TCP. */
		size_t n = build(f, AF_INET, (uint16_t)vlan, &s);
		f[l3 + 9] = 17;
		parse_both(f, n, -ENOMSG);
		f[l3 + 9] = 1;
		parse_both(f, n, -ENOMSG);
		f[l3 + 9] = 6;
		parse_both(f, n, 0);
		/* Fragments: MF, an offset, both. DF alone is a whole packet. */
		uint16_t frag[] = { 0x2000, 0x0001, 0x2010, 0x6000, 0x1fff };
		for (size_t k = 0; k < sizeof(frag) / sizeof(frag[0]); k++) {
			wr16(f + l3 + 6, frag[k]);
			parse_both(f, n, -ENOMSG);
		}
		wr16(f + l3 + 6, 0x4000);
		parse_both(f, n, 0);
		wr16(f + l3 + 6, 0);
		parse_both(f, n, 0);

		/* IPv6 carrying UDP, ICMPv6; a Fragment header (first fragment, offset 0). */
		n = build(f, AF_INET6, (uint16_t)vlan, &s);
		f[l3 + 6] = 17;
		parse_both(f, n, -ENOMSG);
		f[l3 + 6] = 58;
		parse_both(f, n, -ENOMSG);
		uint8_t g[FRAME_MAX];
		size_t l4 = l3 + 40;
		memcpy(g, f, l4);
		static const uint8_t fh[8] = { 6, 0, 0x00, 0x01, 0, 0, 0x12, 0x34 };
		memcpy(g + l4, fh, 8);
		memcpy(g + l4 + 8, f + l4, n - l4);
		g[l3 + 6] = 44;
		wr16(g + l3 + 4, (uint16_t)(rd16(g + l3 + 4) + 8));
		parse_both(g, n + 8, -ENOMSG);
		g[l4 + 3] = 0; /* not even "more fragments": an atomic fragment is still a fragment */
		parse_both(g, n + 8, -ENOMSG);

		/* ARP, LLDP. */
		size_t off = put_eth(f, 0x0806, vlan != 0);
		memset(f + off, 0, 28);
		wr16(f + off, 1);
		wr16(f + off + 2, 0x0800);
		f[off + 4] = 6;
		f[off + 5] = 4;
		wr16(f + off + 6, 1);
		parse_both(f, off + 28, -ENOMSG);
		off = put_eth(f, 0x88cc, vlan != 0);
		memset(f + off, 0, 46);
		parse_both(f, off + 46, -ENOMSG);
	}
}
END_TEST

/* Headers below TCP that are broken are malformed too. */
START_TEST(test_bad_ip)
{
	uint8_t f[FRAME_MAX];
	struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 1, 2, 3);
	size_t n = build(f, AF_INET, 0, &s);
	f[14] = 0x55; /* version 5 */
	parse_both(f, n, -EBADMSG);
	f[14] = 0x44; /* IHL 4 */
	parse_both(f, n, -EBADMSG);
	f[14] = 0x45;
	wr16(f + 16, 19); /* total length below the header */
	parse_both(f, n, -EBADMSG);
	n = build(f, AF_INET6, 0, &s);
	f[20] = 0; /* hop-by-hop header running past the packet */
	f[54] = 6;
	f[55] = 9;
	parse_both(f, n, -EBADMSG);
	parse_both(f, 0, -EBADMSG);
	struct dv_tcp_view v;
	ck_assert_int_eq(dv_tcp_parse(NULL, 0, false, &v), -EBADMSG);
	ck_assert_int_eq(dv_tcp_parse(NULL, 0, true, &v), -EBADMSG);
}
END_TEST

/* Option lists that are malformed, each as the whole option space. */
static const struct { uint8_t o[40]; uint8_t len; } bad_opts[] = {
	{ { 2, 0, 5, 180 }, 4 },                /* length 0 */
	{ { 2, 1, 5, 180 }, 4 },                /* length 1 */
	{ { 8, 1, 0, 0 }, 4 },                  /* unknown kind, length 1 */
	{ { 8, 10, 0, 0, 0, 0, 0, 0 }, 8 },     /* runs past the header by 2 */
	{ { 1, 1, 1, 8 }, 4 },                  /* kind in the last byte, no length */
	{ { 1, 1, 1, 2 }, 4 },                  /* MSS kind in the last byte */
	{ { 1, 1, 2, 4 }, 4 },                  /* MSS cut by the header's end */
	{ { 2, 3, 5, 1 }, 4 },                  /* MSS of length 3 */
	{ { 2, 5, 5, 180, 0, 1, 1, 1 }, 8 },    /* MSS of length 5 */
	{ { 2, 2, 1, 1 }, 4 },                  /* MSS of length 2 */
	{ { 3, 2, 1, 1 }, 4 },                  /* WS of length 2 */
	{ { 3, 4, 7, 0 }, 4 },                  /* WS of length 4 */
	{ { 1, 3, 3, 7, 3, 3, 7, 3 }, 8 },      /* the last WS cut */
	{ { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 3 }, 40 }, /* past 60 */
};

START_TEST(test_bad_options)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		uint8_t f[FRAME_MAX];
		uint8_t pay[5] = { 1, 2, 3, 4, 5 };
		for (size_t k = 0; k < sizeof(bad_opts) / sizeof(bad_opts[0]); k++) {
			/* With a payload, whose bytes must not be read as options. */
			size_t n = mk_opts(f, fam, vlan, bad_opts[k].o, bad_opts[k].len, pay, 5);
			parse_both(f, n, -EBADMSG);
			n = mk_opts(f, fam, vlan, bad_opts[k].o, bad_opts[k].len, pay, 0);
			parse_both(f, n, -EBADMSG);
		}
	}
}
END_TEST

START_TEST(test_bad_lengths)
{
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		size_t l3 = l3_of(vlan), l4 = l4_of(fam, vlan);
		uint8_t pay[3] = { 1, 2, 3 };
		uint8_t f[FRAME_MAX];
		struct dv_tcp_seg s = mkseg(DV_TCP_ACK, 1, 2, 3);
		s.data = pay;
		s.len = 3;
		size_t n = build(f, fam, vlan, &s);

		/* Data offset below 5, and past the segment (23 bytes). */
		for (uint8_t d = 0; d < 16; d++) {
			f[l4 + 12] = (uint8_t)(d << 4);
			ref_fill_tcp_csum(f, l3, l4, n - l4);
			parse_both(f, n, d == 5 ? 0 : -EBADMSG);
		}
		f[l4 + 12] = 0x50;
		ref_fill_tcp_csum(f, l3, l4, n - l4);
		parse_both(f, n, 0);

		/* Fewer than 20 bytes of TCP by the IP length (the rest is padding). */
		for (size_t tl = 0; tl < 20; tl++) {
			size_t iplen = (fam == AF_INET ? 20 : 0) + tl;
			wr16(f + l3 + (fam == AF_INET ? 2 : 4), (uint16_t)iplen);
			if (fam == AF_INET) {
				wr16(f + l3 + 10, 0);
				wr16(f + l3 + 10, (uint16_t)~ref_fold(ref_add(0, f + l3, 20)));
			}
			parse_both(f, n, -EBADMSG);
		}
		/* A header whose options reach exactly the IP length: fine, no payload. */
		uint8_t g[FRAME_MAX];
		static const uint8_t nops[4] = { 1, 1, 1, 1 };
		n = mk_opts(g, fam, vlan, nops, 4, pay, 0);
		struct dv_tcp_view v;
		ck_assert_int_eq(dv_tcp_parse(g, n, true, &v), 0);
		ck_assert_uint_eq(v.seg.len, 0);
		ck_assert_ptr_null(v.seg.data);
		ck_assert_uint_eq(v.seg.mss, 0);
		ck_assert_int_eq(v.seg.wscale, -1);
	}
}
END_TEST

/* Every cut of a good frame is an error, and nothing is read past the cut. */
START_TEST(test_truncated)
{
	uint8_t pay[FRAME_MAX];
	uint16_t plen = dns_payload(pay);
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		uint8_t f[FRAME_MAX];
		struct dv_tcp_seg segs[3] = {
			mkseg(DV_TCP_SYN, 1, 0, 65535),
			mkseg(DV_TCP_SYN | DV_TCP_ACK, 1, 2, 65535),
			mkseg(DV_TCP_ACK | DV_TCP_PSH, 3, 4, 5),
		};
		segs[0].mss = 1460;
		segs[0].wscale = 7;
		segs[1].mss = 1460;
		segs[2].data = pay;
		segs[2].len = plen;
		for (int k = 0; k < 3; k++) {
			size_t n = build(f, fam, vlan, &segs[k]);
			struct dv_tcp_view v;
			for (size_t cut = 0; cut < n; cut++) {
				ck_assert_int_eq(parse_copy(f, cut, false, &v), -EBADMSG);
				ck_assert_int_eq(parse_copy(f, cut, true, &v), -EBADMSG);
			}
			ck_assert_int_eq(parse_copy(f, n, true, &v), 0);
		}
	}
}
END_TEST

/* ---- options that parse ------------------------------------------------------------ */

START_TEST(test_options)
{
	static const uint8_t pay[7] = { 'p', 'a', 'y', 'l', 'o', 'a', 'd' };
	static const struct { uint8_t o[40]; uint8_t len; uint16_t mss; int8_t ws; } cases[] = {
		/* NOPs, MSS, WS, EOL and zero padding after it. */
		{ { 1, 1, 1, 1, 2, 4, 0x05, 0xb4, 1, 3, 3, 9, 0, 0, 0, 0 }, 16, 1460, 9 },
		/* SACK permitted, timestamps (unknown here), MSS 9000, NOP, WS 14. */
		{ { 4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 0x23, 0x28, 1, 3, 3, 14 }, 20, 9000, 14 },
		/* Shifts above 14 are 14. */
		{ { 3, 3, 15, 0 }, 4, 0, 14 },
		{ { 3, 3, 255, 0 }, 4, 0, 14 },
		/* After EOL anything, even what would be malformed. */
		{ { 0, 2, 1, 0xff, 3, 9, 9, 9 }, 8, 0, -1 },
		{ { 2, 4, 0x01, 0x00, 0, 3, 1, 1 }, 8, 256, -1 },
		/* Nothing but NOPs; an unknown option ending exactly at the header's end. */
		{ { 1, 1, 1, 1 }, 4, 0, -1 },
		{ { 1, 1, 0xfe, 6, 0xff, 0xff, 0xff, 0xff }, 8, 0, -1 },
		/* The last of two MSS options counts. */
		{ { 2, 4, 0, 100, 2, 4, 0, 200 }, 8, 200, -1 },
		/* 40 bytes: an unknown option of 38 after a NOP... and then EOL. */
		{ { 1, 99, 38 }, 40, 0, -1 },
		{ { 2, 4, 0xff, 0xff, 3, 3, 0 }, 8, 65535, 0 },
	};
	for (int i = 0; i < NSHAPES; i++) {
		int fam = shapes[i].family;
		uint16_t vlan = shapes[i].vlan;
		for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			for (size_t plen = 0; plen <= sizeof(pay); plen += sizeof(pay)) {
				uint8_t f[FRAME_MAX];
				size_t n = mk_opts(f, fam, vlan, cases[k].o, cases[k].len, pay, plen);
				struct dv_tcp_view v;
				memset(&v, 0x55, sizeof(v));
				ck_assert_int_eq(parse_copy(f, n, true, &v), 0);
				ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), 0);
				ck_assert_uint_eq(v.seg.mss, cases[k].mss);
				ck_assert_int_eq(v.seg.wscale, cases[k].ws);
				ck_assert_uint_eq(v.seg.len, plen);
				if (plen == 0) {
					ck_assert_ptr_null(v.seg.data);
				} else {
					ck_assert_ptr_eq(v.seg.data, f + l4_of(fam, vlan) + 20 + cases[k].len);
					ck_assert_mem_eq(v.seg.data, pay, plen);
				}
				ck_assert_uint_eq(v.seg.flags, DV_TCP_ACK);
				ck_assert_uint_eq(v.seg.seq, 1000);
				ck_assert_uint_eq(v.seg.ack, 2000);
				ck_assert_uint_eq(v.seg.win, 512);
			}
		}
	}
	/* No options at all. */
	uint8_t f[FRAME_MAX];
	struct dv_tcp_seg s = mkseg(DV_TCP_RST, 42, 0, 0);
	size_t n = build(f, AF_INET6, 0, &s);
	ck_assert_uint_eq(n, 14 + 40 + 20);
	struct dv_tcp_view v;
	ck_assert_int_eq(dv_tcp_parse(f, n, true, &v), 0);
	ck_assert_uint_eq(v.seg.mss, 0);
	ck_assert_int_eq(v.seg.wscale, -1);
	ck_assert_uint_eq(v.seg.flags, DV_TCP_RST);
}
END_TEST

START_TEST(test_seq_compare)
{
	ck_assert(dv_tcp_seq_lt(1, 2));
	ck_assert(!dv_tcp_seq_lt(2, 2));
	ck_assert(dv_tcp_seq_le(2, 2));
	ck_assert(dv_tcp_seq_lt(0xfffffff0u, 5)); /* across the wrap */
	ck_assert(!dv_tcp_seq_lt(5, 0xfffffff0u));
	ck_assert(dv_tcp_seq_le(0xffffffffu, 0));
	ck_assert(!dv_tcp_seq_le(0x7fffffffu, 0)); /* less than half the circle ahead */
	ck_assert(dv_tcp_seq_lt(0x80000001u, 0));  /* more than half ahead is behind */
}
END_TEST

/* ---- seeds and random inputs --------------------------------------------------------- */

/*
 * The seeds, in this order (also tests/fuzz/corpus/tcp/, same names):
 * syn-v4, syn-v6-vlan, synack-v4-vlan, synack-v6, data-v4, data-v6-vlan,
 * ack-v4, finack-v6, rst-v4, rstack-v6-vlan, data-v4-ipopts, data-v6-ext,
 * options-v4, ack-v4-padded.
 */
enum { NSEEDS = 14 };

static int make_seeds(uint8_t seeds[][FRAME_MAX], size_t *slen)
{
	uint8_t pay[FRAME_MAX];
	uint16_t plen = dns_payload(pay);
	int ns = 0;
	struct dv_tcp_seg s = mkseg(DV_TCP_SYN, 0x1d2c3b4a, 0, 64240);
	s.mss = 1460;
	s.wscale = 7;
	slen[ns] = build(seeds[ns], AF_INET, 0, &s); ns++;
	slen[ns] = build(seeds[ns], AF_INET6, 100, &s); ns++;

	struct dv_tcp_tmpl t;
	s = mkseg(DV_TCP_SYN | DV_TCP_ACK, 0x77665544, 0x1d2c3b4b, 65160);
	s.mss = 1400;
	tmpl(&t, AF_INET, 100, true);
	slen[ns] = dv_tcp_build(seeds[ns], FRAME_MAX, &t, NULL, DNS_PORT, CLIENT_PORT, &s); ns++;
	s.wscale = 9;
	tmpl(&t, AF_INET6, 0, true);
	slen[ns] = dv_tcp_build(seeds[ns], FRAME_MAX, &t, NULL, DNS_PORT, CLIENT_PORT, &s); ns++;

	s = mkseg(DV_TCP_ACK | DV_TCP_PSH, 0x1d2c3b4b, 0x77665545, 502);
	s.data = pay;
	s.len = plen;
	slen[ns] = build(seeds[ns], AF_INET, 0, &s); ns++;
	slen[ns] = build(seeds[ns], AF_INET6, 100, &s); ns++;
	s = mkseg(DV_TCP_ACK, 0x1d2c3b6c, 0x77665600, 501);
	slen[ns] = build(seeds[ns], AF_INET, 0, &s); ns++;
	s.flags = DV_TCP_FIN | DV_TCP_ACK;
	slen[ns] = build(seeds[ns], AF_INET6, 0, &s); ns++;
	s = mkseg(DV_TCP_RST, 0x1d2c3b6d, 0, 0);
	slen[ns] = build(seeds[ns], AF_INET, 0, &s); ns++;
	s = mkseg(DV_TCP_RST | DV_TCP_ACK, 0, 0x1d2c3b4b, 0);
	tmpl(&t, AF_INET6, 100, true);
	slen[ns] = dv_tcp_build(seeds[ns], FRAME_MAX, &t, NULL, DNS_PORT, CLIENT_PORT, &s); ns++;

	/* IPv4 options, IPv6 extension headers: spliced into data segments. */
	uint8_t f[FRAME_MAX];
	s = mkseg(DV_TCP_ACK | DV_TCP_PSH, 0x1d2c3b4b, 0x77665545, 502);
	s.data = pay;
	s.len = plen;
	size_t n = build(f, AF_INET, 0, &s);
	memcpy(seeds[ns], f, 34);
	static const uint8_t ipopt[4] = { 1, 1, 1, 0 };
	memcpy(seeds[ns] + 34, ipopt, 4);
	memcpy(seeds[ns] + 38, f + 34, n - 34);
	seeds[ns][14] = 0x46;
	wr16(seeds[ns] + 16, (uint16_t)(n - 14 + 4));
	wr16(seeds[ns] + 24, 0);
	wr16(seeds[ns] + 24, (uint16_t)~ref_fold(ref_add(0, seeds[ns] + 14, 24)));
	slen[ns] = n + 4; ns++;
	n = build(f, AF_INET6, 0, &s);
	memcpy(seeds[ns], f, 54);
	static const uint8_t ext[16] = { 60, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0 };
	memcpy(seeds[ns] + 54, ext, 16);
	memcpy(seeds[ns] + 70, f + 54, n - 54);
	seeds[ns][20] = 0;
	wr16(seeds[ns] + 18, (uint16_t)(n - 54 + 16));
	slen[ns] = n + 16; ns++;

	static const uint8_t opts[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
					  1, 3, 3, 7 };
	slen[ns] = mk_opts(seeds[ns], AF_INET, 0, opts, 20, pay, plen); ns++;
	s = mkseg(DV_TCP_ACK, 0x1d2c3b6c, 0x77665600, 501);
	n = build(seeds[ns], AF_INET, 0, &s);
	memset(seeds[ns] + n, 0, 60 - n);
	slen[ns] = 60; ns++;
	return ns;
}

START_TEST(test_seeds_parse)
{
	static uint8_t seeds[NSEEDS][FRAME_MAX];
	size_t slen[NSEEDS];
	ck_assert_int_eq(make_seeds(seeds, slen), NSEEDS);
	for (int i = 0; i < NSEEDS; i++) {
		struct dv_tcp_view v;
		ck_assert_int_eq(parse_copy(seeds[i], slen[i], true, &v), 0);
	}
}
END_TEST

/* Any input: a documented result, pointers inside the frame, and a rebuild that parses back. */
static void fuzz_one(const uint8_t *data, size_t len)
{
	uint8_t *f = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(f);
	memcpy(f, data, len);
	struct dv_tcp_view v, vc;
	int r = dv_tcp_parse(f, len, false, &v);
	int rc = dv_tcp_parse(f, len, true, &vc);
	ck_assert(r == 0 || r == -ENOMSG || r == -EBADMSG);
	ck_assert(rc == r || (r == 0 && rc == -EBADMSG));
	if (r != 0) {
		free(f);
		return;
	}
	size_t alen = v.family == AF_INET ? 4 : 16;
	ck_assert(v.family == AF_INET || v.family == AF_INET6);
	ck_assert(inside(v.saddr, alen, f, len));
	ck_assert(inside(v.daddr, alen, f, len));
	ck_assert(inside(f + v.l4_off, 20, f, len));
	ck_assert_uint_lt(v.l3_off, v.l4_off);
	ck_assert(v.seg.wscale >= -1 && v.seg.wscale <= 14);
	if (v.seg.len == 0)
		ck_assert_ptr_null(v.seg.data);
	else
		ck_assert(inside(v.seg.data, v.seg.len, f, len));

	/* Built again from what was parsed, it parses to the same segment. */
	struct dv_endpoints ep;
	memset(&ep, 0, sizeof(ep));
	ep.src.family = ep.dst.family = v.family;
	memcpy(v.family == AF_INET ? (void *)&ep.src.v4 : (void *)&ep.src.v6, v.saddr, alen);
	memcpy(v.family == AF_INET ? (void *)&ep.dst.v4 : (void *)&ep.dst.v6, v.daddr, alen);
	struct dv_tcp_tmpl t;
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &t), 0);
	static uint8_t out[FRAME_MAX + 128];
	uint16_t n = dv_tcp_build(out, sizeof(out), &t, NULL, v.sport, v.dport, &v.seg);
	ck_assert_uint_gt(n, 0);
	struct dv_tcp_view w;
	ck_assert_int_eq(dv_tcp_parse(out, n, true, &w), 0);
	bool syn = v.seg.flags & DV_TCP_SYN;
	ck_assert_uint_eq(w.sport, v.sport);
	ck_assert_uint_eq(w.dport, v.dport);
	ck_assert_mem_eq(w.saddr, v.saddr, alen);
	ck_assert_mem_eq(w.daddr, v.daddr, alen);
	ck_assert_uint_eq(w.seg.seq, v.seg.seq);
	ck_assert_uint_eq(w.seg.ack, (v.seg.flags & DV_TCP_ACK) ? v.seg.ack : 0);
	ck_assert_uint_eq(w.seg.flags, v.seg.flags);
	ck_assert_uint_eq(w.seg.win, v.seg.win);
	ck_assert_uint_eq(w.seg.mss, syn ? v.seg.mss : 0);
	ck_assert_int_eq(w.seg.wscale, syn ? v.seg.wscale : -1);
	ck_assert_uint_eq(w.seg.len, v.seg.len);
	if (v.seg.len != 0)
		ck_assert_mem_eq(w.seg.data, v.seg.data, v.seg.len);
	free(f);
}

START_TEST(test_fuzz)
{
	static uint8_t seeds[NSEEDS][FRAME_MAX];
	size_t slen[NSEEDS];
	ck_assert_int_eq(make_seeds(seeds, slen), NSEEDS);
	uint8_t buf[FRAME_MAX];
	dv_fuzz_seeds(seeds[0], sizeof(seeds[0]), slen, NSEEDS, 100000, 6060842, buf, fuzz_one);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tcp_wire");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_tmpl);
	tcase_add_test(tc, test_opt_len);
	tcase_add_test(tc, test_syn);
	tcase_add_test(tc, test_synack);
	tcase_add_test(tc, test_data_copied);
	tcase_add_test(tc, test_data_in_place);
	tcase_add_test(tc, test_src_override);
	tcase_add_test(tc, test_room);
	tcase_add_test(tc, test_csum_flip);
	tcase_add_test(tc, test_padding);
	tcase_add_test(tc, test_ip_options_and_ext);
	tcase_add_test(tc, test_not_tcp);
	tcase_add_test(tc, test_bad_ip);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_bad_lengths);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_seq_compare);
	tcase_add_test(tc, test_seeds_parse);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
