/* Unit tests for lib/wire/compose.c: frames composed from parts vs. the v0 templates. */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf_core.h>

#include "core/log.h"
#include "wire/compose.h"
#include "wire/query.h"
#include "wire_helpers.h"

/* ---- helpers ----------------------------------------------------------- */

/* A name of exactly len wire bytes (2..255): labels of up to 63 "x". */
static struct dv_query mkq_len(size_t len, uint16_t type)
{
	struct dv_query q;
	memset(&q, 0, sizeof(q));
	size_t pos = 0;
	while (len - pos > 1) {
		size_t l = len - pos - 2; /* room for the length byte and the root */
		if (l > 63)
			l = 63;
		if (len - pos - 1 - (l + 1) == 1)
			l--; /* never leave room for a length byte only */
		q.qname[pos] = (uint8_t)l;
		memset(q.qname + pos + 1, 'x', l);
		pos += 1 + l;
	}
	q.qname[pos++] = 0;
	ck_assert_uint_eq(pos, len);
	q.qname_len = (uint8_t)len;
	q.qtype = type;
	return q;
}

static const struct {
	const char *name;
	uint16_t type;
} names[] = {
	{ "example.com.", LDNS_RR_TYPE_A },          /* odd question length */
	{ "ab.example.", LDNS_RR_TYPE_AAAA },        /* even */
	{ ".", LDNS_RR_TYPE_NS },                     /* odd, shortest */
	{ "s1500.test.", LDNS_RR_TYPE_TXT },         /* even */
	{ "a.b.c.d.e.f.g.h.", LDNS_RR_TYPE_MX },     /* odd */
	{ "xn--bcher-kva.Example.", 65 },            /* even */
	{ "0.1.2.3.4.5.6.7.8.9.a.b.c.d.e.f.ip6.arpa.", LDNS_RR_TYPE_PTR },
};

static const struct {
	int size; /* 0: no OPT */
	bool do_bit;
} opts[] = {
	{ 0, false }, { 512, false }, { 1232, false }, { 4096, true }, { 65535, false },
	{ 65535, true }, { 1, true },
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/*
 * The reference frame: the whole message from dv_query_wire() with the ID
 * patched, framed by dv_frame_build(), source port patched, checksum
 * computed from scratch.
 */
static uint16_t ref_frame(uint8_t *f, const struct dv_endpoints *ep, const struct dv_query *q,
			  int size, bool do_bit, uint16_t id, uint16_t sport)
{
	uint8_t msg[512];
	int mlen = dv_query_wire(q, size, do_bit, msg, sizeof(msg));
	if (mlen <= 0)
		ck_abort_msg("dv_query_wire: %d", mlen);
	wr16(msg, id);
	struct dv_frame_tmpl t;
	int ret = dv_frame_build(ep, msg, (size_t)mlen, f, DV_QUERY_FRAME_MAX, &t);
	if (ret != 0)
		ck_abort_msg("dv_frame_build: %d", ret);
	wr16(f + t.l4_off, sport);
	ref_fill_udp_csum(f);
	return t.len;
}

/* Compose one frame with all parts built for (ep, q, opt) and compare. */
static void compare_one(const struct dv_l34_tmpl *l34, const struct dv_endpoints *ep,
			const struct dv_query *q, const struct dv_question *qb,
			const struct dv_opt *opt, int size, bool do_bit, uint16_t id,
			uint16_t sport)
{
	uint8_t ref[DV_QUERY_FRAME_MAX], out[DV_QUERY_FRAME_MAX + 16];
	memset(out, 0xa5, sizeof(out));
	uint16_t rlen = ref_frame(ref, ep, q, size, do_bit, id, sport);
	uint16_t olen = dv_frame_compose(out, l34, qb->wire, qb->len, qb->sum, opt, id, sport, NULL);
	/* Plain comparisons first: each Check assertion costs a system call. */
	bool same = olen == rlen && memcmp(out, ref, rlen) == 0;
	bool canary = true;
	for (size_t i = olen; i < sizeof(out); i++)
		canary &= out[i] == 0xa5;
	if (same && canary && ref_udp_sum(out) == 0xffff)
		return;
	ck_assert_uint_eq(olen, rlen);
	ck_assert_mem_eq(out, ref, rlen);
	ck_assert(canary);
	/* The checksum verifies on its own too. */
	ck_assert_uint_eq(ref_udp_sum(out), 0xffff);
}

/* Parse the DNS part of a composed frame back with ldns. */
static void parse_back(const uint8_t *f, uint16_t len, const struct dv_query *q, int size,
		       bool do_bit, uint16_t id)
{
	size_t dns_off = 14 + (rd16(f + 12) == 0x0800 ? 20 : 40) + 8;
	ldns_pkt *p = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&p, f + dns_off, len - dns_off), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(p), id);
	ck_assert(ldns_pkt_rd(p));
	ck_assert(!ldns_pkt_qr(p));
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(ldns_pkt_nscount(p), 0);
	ck_assert_uint_eq(ldns_pkt_arcount(p), 0); /* ldns keeps the OPT apart */
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ck_assert_uint_eq(ldns_rdf_size(ldns_rr_owner(qr)), q->qname_len);
	ck_assert_mem_eq(ldns_rdf_data(ldns_rr_owner(qr)), q->qname, q->qname_len);
	ck_assert_uint_eq(ldns_rr_get_type(qr), q->qtype);
	ck_assert_uint_eq(ldns_rr_get_class(qr), LDNS_RR_CLASS_IN);
	if (size > 0) {
		ck_assert(ldns_pkt_edns(p));
		ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), (unsigned)size);
		ck_assert_int_eq(ldns_pkt_edns_do(p), do_bit);
		ck_assert_uint_eq(ldns_pkt_edns_version(p), 0);
		ck_assert_uint_eq(ldns_pkt_edns_extended_rcode(p), 0);
	} else {
		ck_assert(!ldns_pkt_edns(p));
	}
	ldns_pkt_free(p);
}

/* The sport, ID and OPT pairs of one (family, question): random, edges, forced zero. */
static void compare_all(int family, const struct dv_query *q)
{
	struct dv_endpoints ep;
	struct dv_l34_tmpl l34;
	struct dv_question qb;
	mkep(&ep, family);
	ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);
	ck_assert_int_eq(dv_question_build(q, &qb), 0);

	for (size_t o = 0; o < NOPTS; o++) {
		struct dv_opt opt;
		const struct dv_opt *op = NULL;
		if (opts[o].size > 0) {
			dv_opt_build((uint16_t)opts[o].size, opts[o].do_bit, &opt);
			op = &opt;
		}
		static const uint16_t edge[][2] = {
			{ 0, 0 }, { 0xffff, 0xffff }, { 1, 0xffff }, { 0xffff, 1 }, { 0x8000, 0x00ff },
		};
		for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
			compare_one(&l34, &ep, q, &qb, op, opts[o].size, opts[o].do_bit,
				    edge[i][0], edge[i][1]);
		for (int i = 0; i < 200; i++)
			compare_one(&l34, &ep, q, &qb, op, opts[o].size, opts[o].do_bit,
				    (uint16_t)random(), (uint16_t)random());

		/* Force a zero checksum: pick the ID that makes the sum 0xffff. */
		for (int i = 0; i < 8; i++) {
			uint16_t sport = (uint16_t)random();
			uint8_t f[DV_QUERY_FRAME_MAX];
			ref_frame(f, &ep, q, opts[o].size, opts[o].do_bit, 0, sport);
			uint8_t *udp = f + l34.l4_off;
			wr16(udp + 6, 0);
			uint16_t id = (uint16_t)(0xffff - ref_udp_sum(f));
			uint8_t out[DV_QUERY_FRAME_MAX];
			uint16_t len = dv_frame_compose(out, &l34, qb.wire, qb.len, qb.sum, op,
							id, sport, NULL);
			ck_assert_uint_eq(rd16(out + l34.l4_off + 6), 0xffff);
			compare_one(&l34, &ep, q, &qb, op, opts[o].size, opts[o].do_bit, id, sport);
			parse_back(out, len, q, opts[o].size, opts[o].do_bit, id);
		}

		uint8_t out[DV_QUERY_FRAME_MAX];
		uint16_t len = dv_frame_compose(out, &l34, qb.wire, qb.len, qb.sum, op, 0x1234,
						40000, NULL);
		parse_back(out, len, q, opts[o].size, opts[o].do_bit, 0x1234);
	}
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_l34)
{
	for (int fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;
		struct dv_endpoints ep;
		struct dv_l34_tmpl t;
		mkep(&ep, af);
		ep.dport = 5353;
		memset(&t, 0x5a, sizeof(t));
		ck_assert_int_eq(dv_l34_build(&ep, &t), 0);
		ck_assert_int_eq(t.family, af);
		ck_assert_uint_eq(t.l3_off, 14);
		ck_assert_uint_eq(t.len, fam ? 62 : 42);
		ck_assert_uint_eq(t.l4_off, t.len - 8);
		ck_assert_mem_eq(t.bytes, ep.dst_mac, 6);
		ck_assert_mem_eq(t.bytes + 6, ep.src_mac, 6);
		const uint8_t *ip = t.bytes + 14;
		uint32_t want;
		if (af == AF_INET) {
			static const uint8_t v4[20] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17 };
			ck_assert_uint_eq(rd16(t.bytes + 12), 0x0800);
			ck_assert_mem_eq(ip, v4, 12); /* lengths and checksum zero */
			ck_assert_mem_eq(ip + 12, &ep.src.v4, 4);
			ck_assert_mem_eq(ip + 16, &ep.dst.v4, 4);
			want = ref_add(0, ip + 12, 8);
		} else {
			static const uint8_t v6[8] = { 0x60, 0, 0, 0, 0, 0, 17, 64 };
			ck_assert_uint_eq(rd16(t.bytes + 12), 0x86dd);
			ck_assert_mem_eq(ip, v6, 8);
			ck_assert_mem_eq(ip + 8, &ep.src.v6, 16);
			ck_assert_mem_eq(ip + 24, &ep.dst.v6, 16);
			want = ref_add(0, ip + 8, 32);
		}
		const uint8_t *udp = t.bytes + t.l4_off;
		ck_assert_uint_eq(rd16(udp), 0);
		ck_assert_uint_eq(rd16(udp + 2), 5353);
		ck_assert_uint_eq(rd16(udp + 4), 0);
		ck_assert_uint_eq(rd16(udp + 6), 0);
		/* const_sum is in memory order: compare through the byte view. */
		want = ref_fold(want + 17 + 5353);
		uint16_t got = (uint16_t)ref_fold(t.const_sum);
		uint8_t gb[2];
		memcpy(gb, &got, 2);
		ck_assert_uint_eq(rd16(gb), want);
		for (size_t i = t.len; i < DV_L34_MAX; i++)
			ck_assert_uint_eq(t.bytes[i], 0);
	}

	struct dv_endpoints ep;
	struct dv_l34_tmpl t;
	mkep(&ep, AF_INET);
	ep.dst.family = AF_INET6;
	ck_assert_int_eq(dv_l34_build(&ep, &t), -EAFNOSUPPORT);
	ep.src.family = ep.dst.family = 0;
	ck_assert_int_eq(dv_l34_build(&ep, &t), -EAFNOSUPPORT);
	ep.src.family = ep.dst.family = AF_UNIX;
	ck_assert_int_eq(dv_l34_build(&ep, &t), -EAFNOSUPPORT);
}
END_TEST

START_TEST(test_opt)
{
	struct dv_opt o;
	dv_opt_build(4096, true, &o);
	static const uint8_t want[DV_OPT_LEN] = { 0, 0, 41, 0x10, 0x00, 0, 0, 0x80, 0, 0, 0 };
	ck_assert_mem_eq(o.wire, want, DV_OPT_LEN);
	ck_assert_uint_eq(o.size, 4096);
	ck_assert(o.dnssec_ok);
	dv_opt_build(512, false, &o);
	static const uint8_t want2[DV_OPT_LEN] = { 0, 0, 41, 0x02, 0x00, 0, 0, 0, 0, 0, 0 };
	ck_assert_mem_eq(o.wire, want2, DV_OPT_LEN);
	ck_assert(!o.dnssec_ok);
	for (int s = 0; s < 2; s++) {
		dv_opt_build(s ? 65535 : 1232, s, &o);
		uint16_t got = (uint16_t)ref_fold(o.sum);
		uint8_t gb[2];
		memcpy(gb, &got, 2);
		ck_assert_uint_eq(rd16(gb), ref_fold(ref_add(0, o.wire, DV_OPT_LEN)));
	}
}
END_TEST

START_TEST(test_question)
{
	char log[256];
	dv_log_capture(log, sizeof(log));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct dv_query q = mkq(names[i].name, names[i].type);
		struct dv_question qb;
		memset(&qb, 0x5a, sizeof(qb));
		ck_assert_int_eq(dv_question_build(&q, &qb), 0);
		ck_assert_uint_eq(qb.len, 12 + q.qname_len + 4);

		/* The same bytes as the v0 encoder without OPT. */
		uint8_t msg[512];
		ck_assert_int_eq(dv_query_wire(&q, 0, false, msg, sizeof(msg)), qb.len);
		ck_assert_mem_eq(qb.wire, msg, qb.len);

		/* Direct write: same bytes, same sum. */
		uint8_t w[DV_QUESTION_MAX + 8];
		memset(w, 0xa5, sizeof(w));
		ck_assert_uint_eq(dv_question_write(w, q.qname, q.qname_len, q.qtype), qb.len);
		ck_assert_mem_eq(w, qb.wire, qb.len);
		ck_assert_uint_eq(w[qb.len], 0xa5);
		ck_assert_uint_eq(dv_question_sum(w, qb.len), qb.sum);
		uint16_t got = (uint16_t)ref_fold(qb.sum);
		uint8_t gb[2];
		memcpy(gb, &got, 2);
		ck_assert_uint_eq(rd16(gb), ref_fold(ref_add(0, qb.wire, qb.len)));
	}
	/* Every name length, including the longest. */
	for (size_t len = 1; len <= 255; len++) {
		if (len == 2)
			continue; /* no name is two bytes long */
		struct dv_query q = mkq_len(len, LDNS_RR_TYPE_AAAA);
		struct dv_question qb;
		ck_assert_int_eq(dv_question_build(&q, &qb), 0);
		ck_assert_uint_eq(qb.len, 12 + len + 4);
		uint8_t w[DV_QUESTION_MAX];
		ck_assert_uint_eq(dv_question_write(w, q.qname, q.qname_len, q.qtype), qb.len);
		ck_assert_mem_eq(w, qb.wire, qb.len);
		ck_assert_uint_eq(dv_question_sum(w, qb.len), qb.sum);
	}

	/* Bad names are refused and reported. */
	struct dv_query bad = mkq("example.com.", 1);
	struct dv_question qb;
	bad.qname_len = 5;
	log[0] = 0;
	ck_assert_int_eq(dv_question_build(&bad, &qb), -EINVAL);
	ck_assert_str_ne(log, "");
	bad.qname_len = 0;
	ck_assert_int_eq(dv_question_build(&bad, &qb), -EINVAL);
	bad = mkq("example.com.", 1);
	bad.qname[0] = 0xc0;
	ck_assert_int_eq(dv_question_build(&bad, &qb), -EINVAL);
	ck_assert_int_eq(dv_question_build(NULL, &qb), -EINVAL);
	dv_log_capture(NULL, 0);
}
END_TEST

START_TEST(test_compose_names)
{
	srandom(20240603);
	for (int fam = 0; fam < 2; fam++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			struct dv_query q = mkq(names[i].name, names[i].type);
			compare_all(fam ? AF_INET6 : AF_INET, &q);
		}
}
END_TEST

START_TEST(test_compose_lengths)
{
	/* Both parities of the question length, up to the longest name. */
	srandom(77);
	static const size_t lens[] = { 1, 3, 4, 63, 64, 65, 200, 254, 255 };
	for (int fam = 0; fam < 2; fam++)
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct dv_query q = mkq_len(lens[i], (uint16_t)(1 + i * 7));
			compare_all(fam ? AF_INET6 : AF_INET, &q);
		}
}
END_TEST

START_TEST(test_compose_written)
{
	/* Random names written directly (the generated-name path). */
	srandom(4242);
	for (int n = 0; n < 300; n++) {
		int af = (n & 1) ? AF_INET6 : AF_INET;
		struct dv_endpoints ep;
		struct dv_l34_tmpl l34;
		mkep(&ep, af);
		ep.dport = (uint16_t)random();
		ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);

		char name[256];
		size_t pos = 0;
		int labels = 1 + (int)(random() % 6);
		for (int l = 0; l < labels; l++) {
			int ll = 1 + (int)(random() % 20);
			for (int c = 0; c < ll; c++)
				name[pos++] = "abcdefghijklmnopqrstuvwxyz0123456789-_"[random() % 38];
			name[pos++] = '.';
		}
		name[pos] = 0;
		struct dv_query q = mkq(name, (uint16_t)(random() % 300));
		uint8_t w[DV_QUESTION_MAX];
		uint16_t wl = dv_question_write(w, q.qname, q.qname_len, q.qtype);
		uint32_t ws = dv_question_sum(w, wl);
		/* From the name's sum alone (generated names): the same. */
		uint32_t nsum = 0;
		for (unsigned i = 0; i < q.qname_len; i++)
			nsum += (uint32_t)w[12 + i] << (8 * (i & 1));
		uint32_t named = dv_question_sum_named(q.qname_len, q.qtype, ref_fold(nsum));
		ck_assert_uint_eq(ref_fold(named), ref_fold(ws));
		struct dv_question qb;
		memcpy(qb.wire, w, wl);
		qb.len = wl;
		qb.sum = ws;
		size_t o = (size_t)random() % NOPTS;
		struct dv_opt opt;
		if (opts[o].size > 0)
			dv_opt_build((uint16_t)opts[o].size, opts[o].do_bit, &opt);
		compare_one(&l34, &ep, &q, &qb, opts[o].size > 0 ? &opt : NULL, opts[o].size,
			    opts[o].do_bit, (uint16_t)random(), (uint16_t)random());
	}
}
END_TEST

START_TEST(test_compose_other_source)
{
	/* A per-query source address gives the frame a template built for it would. */
	srandom(77);
	struct dv_query q = mkq("www.example.test.", 28);
	struct dv_question qb;
	ck_assert_int_eq(dv_question_build(&q, &qb), 0);
	for (int n = 0; n < 400; n++) {
		int af = (n & 1) ? AF_INET6 : AF_INET;
		struct dv_endpoints ep, ep2;
		struct dv_l34_tmpl l34, l34b;
		mkep(&ep, af);
		ep2 = ep;
		uint8_t *b = af == AF_INET6 ? ep2.src.v6.s6_addr : (uint8_t *)&ep2.src.v4;
		for (unsigned i = 0; i < (af == AF_INET6 ? 16u : 4u); i++)
			b[i] = (uint8_t)random();
		ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);
		ck_assert_int_eq(dv_l34_build(&ep2, &l34b), 0);
		struct dv_src src;
		dv_src_make(&ep2.src, &src);
		struct dv_opt opt;
		dv_opt_build(1232, n & 2, &opt);
		uint16_t id = (uint16_t)random(), sport = (uint16_t)random();
		uint8_t a[DV_QUERY_FRAME_MAX], c[DV_QUERY_FRAME_MAX];
		uint16_t la = dv_frame_compose(a, &l34, qb.wire, qb.len, qb.sum, &opt, id, sport, &src);
		uint16_t lc = dv_frame_compose(c, &l34b, qb.wire, qb.len, qb.sum, &opt, id, sport, NULL);
		ck_assert_uint_eq(la, lc);
		ck_assert_mem_eq(a, c, la);
		ck_assert_uint_eq(ref_udp_sum(a), 0xffff);
	}
}
END_TEST

START_TEST(test_msg_compose)
{
	/* The message alone (for TCP) is the DNS part of the frame, byte for byte. */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct dv_query q = mkq(names[i].name, names[i].type);
		struct dv_question qb;
		ck_assert_int_eq(dv_question_build(&q, &qb), 0);
		for (int o = 0; o < 2; o++) {
			int af = (i & 1) ? AF_INET6 : AF_INET;
			struct dv_endpoints ep;
			struct dv_l34_tmpl l34;
			mkep(&ep, af);
			ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);
			struct dv_opt opt;
			dv_opt_build(4096, true, &opt);
			const struct dv_opt *op = o ? &opt : NULL;
			uint8_t f[DV_QUERY_FRAME_MAX], m[DV_QUESTION_MAX + DV_OPT_LEN];
			memset(m, 0xee, sizeof(m));
			uint16_t id = (uint16_t)(0xa55a + i);
			uint16_t fl = dv_frame_compose(f, &l34, qb.wire, qb.len, qb.sum, op, id, 1234, NULL);
			uint16_t ml = dv_msg_compose(m, qb.wire, qb.len, op, id);
			ck_assert_uint_eq(ml, qb.len + (o ? DV_OPT_LEN : 0));
			ck_assert_uint_eq(fl, l34.len + ml);
			ck_assert_mem_eq(m, f + l34.len, ml);
			ck_assert_uint_eq(m[0], id >> 8);
			ck_assert_uint_eq(m[11], o ? 1 : 0); /* ARCOUNT */
			ck_assert_uint_eq(m[ml], 0xee);      /* nothing past the message */
		}
	}
}
END_TEST

START_TEST(test_recompose_in_place)
{
	/* Over a frame of the same template, recompose gives what a fresh compose gives. */
	srandom(99);
	struct dv_question qa, qb;
	struct dv_query q1 = mkq("a.example.test.", 1), q2 = mkq("a-much-longer-name.example.test.", 28);
	ck_assert_int_eq(dv_question_build(&q1, &qa), 0);
	ck_assert_int_eq(dv_question_build(&q2, &qb), 0);
	for (int n = 0; n < 200; n++) {
		int af = (n & 1) ? AF_INET6 : AF_INET;
		struct dv_endpoints ep;
		struct dv_l34_tmpl l34;
		mkep(&ep, af);
		ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);
		if (n & 4)
			dv_l34_offload(&l34);
		struct dv_opt opt;
		dv_opt_build(4096, n & 2, &opt);
		struct dv_src src;
		struct dv_addr other = ep.src;
		if (af == AF_INET6)
			other.v6.s6_addr[15] = (uint8_t)random();
		else
			((uint8_t *)&other.v4)[3] = (uint8_t)random();
		dv_src_make(&other, &src);
		const struct dv_src *sp = (n & 8) ? &src : NULL;
		uint8_t buf[DV_QUERY_FRAME_MAX], ref[DV_QUERY_FRAME_MAX];
		/* First use: the long name, another source; then the short one in place. */
		dv_frame_compose(buf, &l34, qb.wire, qb.len, qb.sum, NULL, (uint16_t)random(),
				 (uint16_t)random(), sp);
		uint16_t id = (uint16_t)random(), sport = (uint16_t)random();
		uint16_t lr = dv_frame_recompose(buf, &l34, qa.wire, qa.len, qa.sum, &opt, id, sport, sp);
		uint16_t lc = dv_frame_compose(ref, &l34, qa.wire, qa.len, qa.sum, &opt, id, sport, sp);
		ck_assert_uint_eq(lr, lc);
		ck_assert_mem_eq(buf, ref, lc);
	}
}
END_TEST

START_TEST(test_compose_offload)
{
	/* Offload: IPv4 header checksum left 0, UDP checksum field = pseudo-header sum. */
	struct dv_query q = mkq("offload.example.test.", 1);
	struct dv_question qb;
	ck_assert_int_eq(dv_question_build(&q, &qb), 0);
	for (int af = 0; af < 2; af++) {
		struct dv_endpoints ep;
		struct dv_l34_tmpl l34;
		mkep(&ep, af ? AF_INET6 : AF_INET);
		ck_assert_int_eq(dv_l34_build(&ep, &l34), 0);
		ck_assert_uint_eq(dv_l34_ol_flags(&l34), 0);
		dv_l34_offload(&l34);
		ck_assert_uint_ne(dv_l34_ol_flags(&l34) & RTE_MBUF_F_TX_UDP_CKSUM, 0);
		struct dv_src src;
		struct dv_addr other = ep.src;
		if (af)
			other.v6.s6_addr[15] ^= 0x5a;
		else
			((uint8_t *)&other.v4)[3] ^= 0x5a;
		dv_src_make(&other, &src);
		uint8_t f[DV_QUERY_FRAME_MAX];
		uint16_t len = dv_frame_compose(f, &l34, qb.wire, qb.len, qb.sum, NULL, 7, 4444,
						&src);
		ck_assert_uint_gt(len, 0);
		uint8_t *ip = f + 14;
		uint16_t want;
		if (!af) {
			ck_assert_uint_eq(rd16(ip + 10), 0);
			want = rte_ipv4_phdr_cksum((const struct rte_ipv4_hdr *)ip, 0);
		} else {
			want = rte_ipv6_phdr_cksum((const struct rte_ipv6_hdr *)ip, 0);
		}
		uint16_t got;
		memcpy(&got, f + l34.l4_off + 6, 2);
		ck_assert_uint_eq(got, want);
		/* What the NIC would do gives a checksum that verifies. */
		memset(f + l34.l4_off + 6, 0, 2);
		uint16_t full = af ? rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)ip, ip + 40)
				   : rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)ip, ip + 20);
		memcpy(f + l34.l4_off + 6, &full, 2);
		ck_assert_uint_eq(ref_udp_sum(f), 0xffff);
	}
}
END_TEST

static Suite *compose_suite(void)
{
	Suite *s = suite_create("compose");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_l34);
	tcase_add_test(tc, test_opt);
	tcase_add_test(tc, test_question);
	tcase_add_test(tc, test_compose_names);
	tcase_add_test(tc, test_compose_lengths);
	tcase_add_test(tc, test_compose_written);
	tcase_add_test(tc, test_compose_other_source);
	tcase_add_test(tc, test_compose_offload);
	tcase_add_test(tc, test_recompose_in_place);
	tcase_add_test(tc, test_msg_compose);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(compose_suite());
}
