/* Unit tests for lib/wire/query.c: DNS query encoding, frame templates, emit. */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "wire/query.h"
#include "wire_helpers.h"

/* ---- helpers ----------------------------------------------------------- */

/* Folded reference sum over p, starting from sum. */
static uint16_t ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	return ref_fold(ref_add(sum, p, len));
}

/* One's-complement sum of the UDP pseudo header + UDP segment of a frame. */
static uint16_t udp_total_sum(const uint8_t *frame, size_t len)
{
	const uint8_t *udp = frame + 14 + (rd16(frame + 12) == 0x0800 ? 20 : 40);
	ck_assert_uint_le((size_t)(udp - frame) + rd16(udp + 4), len);
	return ref_udp_sum(frame);
}

/* Parse a DNS message with ldns and check it is the query we asked for. */
static void check_msg(const uint8_t *msg, size_t len, const struct dv_query *q,
		      uint16_t id, int edns, bool do_bit)
{
	ldns_pkt *pkt = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&pkt, msg, len), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(pkt), id);
	ck_assert(ldns_pkt_rd(pkt));
	ck_assert(!ldns_pkt_qr(pkt));
	ck_assert_int_eq(ldns_pkt_get_opcode(pkt), LDNS_PACKET_QUERY);
	ck_assert_uint_eq(ldns_pkt_qdcount(pkt), 1);
	ck_assert_uint_eq(ldns_pkt_ancount(pkt), 0);
	ck_assert_uint_eq(ldns_pkt_nscount(pkt), 0);
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
	ldns_rdf *owner = ldns_rr_owner(qr);
	ck_assert_uint_eq(ldns_rdf_size(owner), q->qname_len);
	ck_assert_mem_eq(ldns_rdf_data(owner), q->qname, q->qname_len);
	ck_assert_uint_eq(ldns_rr_get_type(qr), q->qtype);
	ck_assert_uint_eq(ldns_rr_get_class(qr), LDNS_RR_CLASS_IN);
	if (edns > 0) {
		ck_assert(ldns_pkt_edns(pkt));
		ck_assert_uint_eq(ldns_pkt_edns_udp_size(pkt), (unsigned)edns);
		ck_assert_int_eq(ldns_pkt_edns_do(pkt), do_bit);
		ck_assert_uint_eq(ldns_pkt_edns_version(pkt), 0);
	} else {
		ck_assert(!ldns_pkt_edns(pkt));
		ck_assert_uint_eq(ldns_pkt_arcount(pkt), 0);
	}
	ldns_pkt_free(pkt);
}

/* Check the fixed header fields and both checksums of a frame. */
static void check_frame(const uint8_t *f, size_t len, const struct dv_endpoints *ep,
			const struct dv_frame_tmpl *t, size_t dns_len, uint16_t sport)
{
	ck_assert_mem_eq(f, ep->dst_mac, 6);
	ck_assert_mem_eq(f + 6, ep->src_mac, 6);
	ck_assert_uint_eq(t->len, len);
	ck_assert_uint_eq(t->dns_off + dns_len, len);
	const uint8_t *ip = f + 14;
	const uint8_t *udp = f + t->l4_off;
	if (ep->src.family == AF_INET) {
		ck_assert_uint_eq(rd16(f + 12), 0x0800);
		ck_assert_uint_eq(t->l4_off, 34);
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(rd16(ip + 2), 20 + 8 + dns_len);
		ck_assert_uint_eq(rd16(ip + 4), 0);      /* IP ID */
		ck_assert_uint_eq(rd16(ip + 6), 0x4000); /* DF, offset 0 */
		ck_assert_uint_eq(ip[8], 64);
		ck_assert_uint_eq(ip[9], 17);
		ck_assert_mem_eq(ip + 12, &ep->src.v4, 4);
		ck_assert_mem_eq(ip + 16, &ep->dst.v4, 4);
		ck_assert_uint_eq(ref_sum(ip, 20, 0), 0xffff);
	} else {
		ck_assert_uint_eq(rd16(f + 12), 0x86dd);
		ck_assert_uint_eq(t->l4_off, 54);
		ck_assert_uint_eq(ip[0], 0x60);
		ck_assert_uint_eq(ip[1], 0);
		ck_assert_uint_eq(rd16(ip + 2), 0);
		ck_assert_uint_eq(rd16(ip + 4), 8 + dns_len);
		ck_assert_uint_eq(ip[6], 17);
		ck_assert_uint_eq(ip[7], 64);
		ck_assert_mem_eq(ip + 8, &ep->src.v6, 16);
		ck_assert_mem_eq(ip + 24, &ep->dst.v6, 16);
	}
	ck_assert_uint_eq(rd16(udp), sport);
	ck_assert_uint_eq(rd16(udp + 2), ep->dport);
	ck_assert_uint_eq(rd16(udp + 4), 8 + dns_len);
	if (sport != 0) {
		ck_assert_uint_ne(rd16(udp + 6), 0);
		ck_assert_uint_eq(udp_total_sum(f, len), 0xffff);
	}
}

static const struct {
	const char *name;
	uint16_t type;
} names[] = {
	{ "example.com.", LDNS_RR_TYPE_A },
	{ "www.example.org.", LDNS_RR_TYPE_AAAA },
	{ ".", LDNS_RR_TYPE_NS },
	{ "s1500.test.", LDNS_RR_TYPE_TXT },
	{ "a.b.c.d.e.f.g.h.", LDNS_RR_TYPE_MX }, /* odd-length message */
	{ "xn--bcher-kva.example.", 65 },
};

static const struct {
	int edns;
	bool do_bit;
} ednses[] = { { 0, false }, { 1232, false }, { 4096, true }, { 512, true } };

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_query_wire)
{
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		for (size_t e = 0; e < sizeof(ednses) / sizeof(ednses[0]); e++) {
			struct dv_query q = mkq(names[n].name, names[n].type);
			uint8_t buf[512];
			int len = dv_query_wire(&q, ednses[e].edns, ednses[e].do_bit, buf, sizeof(buf));
			ck_assert_int_eq(len, 12 + q.qname_len + 4 + (ednses[e].edns ? 11 : 0));
			ck_assert_uint_eq(rd16(buf), 0);
			check_msg(buf, (size_t)len, &q, 0, ednses[e].edns, ednses[e].do_bit);
		}
	}
}
END_TEST

START_TEST(test_query_wire_errors)
{
	struct dv_query q = mkq("example.com.", LDNS_RR_TYPE_A);
	uint8_t buf[512];
	ck_assert_int_eq(dv_query_wire(&q, 0, false, buf, 20), -ENOSPC);
	ck_assert_int_eq(dv_query_wire(&q, 1232, false, buf, 12 + 13 + 4), -ENOSPC);
	ck_assert_int_eq(dv_query_wire(&q, 1232, false, buf, 12 + 13 + 4 + 11), 12 + 13 + 4 + 11);

	/* A name whose labels overrun its length, and one with a pointer. */
	struct dv_query bad = q;
	bad.qname_len = 5;
	ck_assert_int_eq(dv_query_wire(&bad, 0, false, buf, sizeof(buf)), -EINVAL);
	bad = q;
	bad.qname[0] = 0xc0;
	ck_assert_int_eq(dv_query_wire(&bad, 0, false, buf, sizeof(buf)), -EINVAL);
	bad.qname_len = 0;
	ck_assert_int_eq(dv_query_wire(&bad, 0, false, buf, sizeof(buf)), -EINVAL);

	/* The longest legal name: 255 bytes. */
	struct dv_query lq;
	memset(&lq, 0, sizeof(lq));
	size_t pos = 0;
	while (pos + 1 + 63 < 254) {
		lq.qname[pos] = 63;
		memset(lq.qname + pos + 1, 'a', 63);
		pos += 64;
	}
	size_t rest = 254 - pos - 1;
	lq.qname[pos] = (uint8_t)rest;
	memset(lq.qname + pos + 1, 'b', rest);
	pos += 1 + rest;
	lq.qname[pos++] = 0;
	ck_assert_uint_eq(pos, 255);
	lq.qname_len = 255;
	lq.qtype = LDNS_RR_TYPE_A;
	int len = dv_query_wire(&lq, 4096, true, buf, sizeof(buf));
	ck_assert_int_eq(len, 12 + 255 + 4 + 11);
	check_msg(buf, (size_t)len, &lq, 0, 4096, true);
}
END_TEST

START_TEST(test_frame_build)
{
	static const uint16_t pairs[][2] = {
		{ 0, 1 }, { 1, 0 }, { 0x1234, 10000 }, { 0xffff, 0xffff }, { 0x8000, 65535 },
		{ 42, 53 },
	};
	for (int fam = 0; fam < 2; fam++) {
		struct dv_endpoints ep;
		mkep(&ep, fam == 0 ? AF_INET : AF_INET6);
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			for (size_t e = 0; e < sizeof(ednses) / sizeof(ednses[0]); e++) {
				struct dv_query q = mkq(names[n].name, names[n].type);
				uint8_t dns[512], arena[DV_QUERY_FRAME_MAX], out[DV_QUERY_FRAME_MAX];
				int dlen = dv_query_wire(&q, ednses[e].edns, ednses[e].do_bit,
							 dns, sizeof(dns));
				ck_assert_int_gt(dlen, 0);
				struct dv_frame_tmpl t;
				memset(&t, 0xee, sizeof(t));
				t.off = 0;
				ck_assert_int_eq(dv_frame_build(&ep, dns, (size_t)dlen, arena,
								sizeof(arena), &t), 0);
				check_frame(arena, t.len, &ep, &t, (size_t)dlen, 0);
				ck_assert_uint_eq(rd16(arena + t.l4_off + 6), 0);
				check_msg(arena + t.dns_off, (size_t)dlen, &q, 0,
					  ednses[e].edns, ednses[e].do_bit);

				for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
					uint16_t id = pairs[k][0], sport = pairs[k][1];
					dv_frame_emit(out, arena, &t, id, sport);
					check_frame(out, t.len, &ep, &t, (size_t)dlen, sport);
					check_msg(out + t.dns_off, (size_t)dlen, &q, id,
						  ednses[e].edns, ednses[e].do_bit);
				}
			}
		}
	}
}
END_TEST

START_TEST(test_frame_build_errors)
{
	struct dv_endpoints ep;
	mkep(&ep, AF_INET);
	uint8_t dns[64] = { 0 }, frame[128];
	struct dv_frame_tmpl t;
	ck_assert_int_eq(dv_frame_build(&ep, dns, 64, frame, 14 + 20 + 8 + 63, &t), -ENOSPC);
	ck_assert_int_eq(dv_frame_build(&ep, dns, 64, frame, 14 + 20 + 8 + 64, &t), 0);
	ep.dst.family = AF_INET6;
	ck_assert_int_eq(dv_frame_build(&ep, dns, 64, frame, sizeof(frame), &t), -EAFNOSUPPORT);
	ep.src.family = ep.dst.family = 0;
	ck_assert_int_eq(dv_frame_build(&ep, dns, 64, frame, sizeof(frame), &t), -EAFNOSUPPORT);
	mkep(&ep, AF_INET6);
	ck_assert_int_eq(dv_frame_build(&ep, dns, 64, frame, 14 + 40 + 8 + 63, &t), -ENOSPC);
}
END_TEST

/* Build the frame from scratch with this ID and port and a reference checksum. */
static void scratch_frame(uint8_t *f, const struct dv_endpoints *ep, const uint8_t *dns,
			  size_t dlen, uint16_t id, uint16_t sport, struct dv_frame_tmpl *t)
{
	uint8_t msg[512];
	memcpy(msg, dns, dlen);
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
	ck_assert_int_eq(dv_frame_build(ep, msg, dlen, f, DV_QUERY_FRAME_MAX, t), 0);
	f[t->l4_off] = (uint8_t)(sport >> 8);
	f[t->l4_off + 1] = (uint8_t)sport;
	ref_fill_udp_csum(f);
}

START_TEST(test_emit_matches_scratch)
{
	srandom(12345);
	for (int fam = 0; fam < 2; fam++) {
		struct dv_endpoints ep;
		mkep(&ep, fam == 0 ? AF_INET : AF_INET6);
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			struct dv_query q = mkq(names[n].name, names[n].type);
			uint8_t dns[512], arena[DV_QUERY_FRAME_MAX], out[DV_QUERY_FRAME_MAX],
				ref[DV_QUERY_FRAME_MAX];
			int dlen = dv_query_wire(&q, 1232, true, dns, sizeof(dns));
			ck_assert_int_gt(dlen, 0);
			struct dv_frame_tmpl t, rt;
			ck_assert_int_eq(dv_frame_build(&ep, dns, (size_t)dlen, arena,
							sizeof(arena), &t), 0);
			t.off = 0;

			/* Pick a port that makes the sum fold to 0xffff, so the
			 * checksum computes to 0 and must be sent as 0xffff. */
			uint16_t partial = dv_csum_fold(t.csum_partial);
			uint16_t v = (uint16_t)(0xffff - partial);
			uint8_t vb[2];
			memcpy(vb, &v, 2);
			uint16_t zero_sport = (uint16_t)(vb[0] << 8 | vb[1]);
			dv_frame_emit(out, arena, &t, 0, zero_sport);
			scratch_frame(ref, &ep, dns, (size_t)dlen, 0, zero_sport, &rt);
			ck_assert_uint_eq(rd16(out + t.l4_off + 6), 0xffff);
			ck_assert_uint_eq(rd16(ref + t.l4_off + 6), 0xffff);
			ck_assert_mem_eq(out, ref, t.len);
			/* Same via the ID instead of the port. */
			dv_frame_emit(out, arena, &t, zero_sport, 0);
			scratch_frame(ref, &ep, dns, (size_t)dlen, zero_sport, 0, &rt);
			ck_assert_uint_eq(rd16(out + t.l4_off + 6), 0xffff);
			ck_assert_mem_eq(out, ref, t.len);

			for (int k = 0; k < 2000; k++) {
				uint16_t id = (uint16_t)random(), sport = (uint16_t)random();
				if (k < 4) {
					id = k & 1 ? 0xffff : 0;
					sport = k & 2 ? 0xffff : 0;
				}
				dv_frame_emit(out, arena, &t, id, sport);
				scratch_frame(ref, &ep, dns, (size_t)dlen, id, sport, &rt);
				ck_assert_mem_eq(out, ref, t.len);
				ck_assert_uint_eq(udp_total_sum(out, t.len), 0xffff);
			}
		}
	}
}
END_TEST



static Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_query_wire);
	tcase_add_test(tc, test_query_wire_errors);
	tcase_add_test(tc, test_frame_build);
	tcase_add_test(tc, test_frame_build_errors);
	tcase_add_test(tc, test_emit_matches_scratch);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(query_suite());
}
