/* Unit tests for lib/wire/answer.c: the embedded responder's in-place answers. */
#include <arpa/inet.h>
#include <check.h>

#include "check_main.h"
#include "mutate.h"
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "wire/answer.h"
#include "wire/query.h"
#include "wire/response.h"
#include "wire_helpers.h"

#define OUR_PORT 20001
#define CANARY   32

/* ---- helpers ----------------------------------------------------------- */

/*
 * Check a response frame of exactly len bytes (plain IPv4 or IPv6, optional
 * VLAN tag): lengths agree with len, IPv4 header checksum and UDP checksum
 * verify. Returns the offset of the DNS message.
 */
static size_t check_frame(const uint8_t *f, size_t len)
{
	size_t l3 = 14;
	uint16_t et = rd16(f + 12);
	if (et == 0x8100) {
		l3 = 18;
		et = rd16(f + 16);
	}
	const uint8_t *ip = f + l3;
	size_t l4;
	uint32_t sum;
	if (et == 0x0800) {
		ck_assert_uint_eq(ip[0], 0x45);
		ck_assert_uint_eq(rd16(ip + 2), len - l3);
		ck_assert_uint_eq(ref_fold(ref_add(0, ip, 20)), 0xffff);
		ck_assert_uint_eq(ip[9], 17);
		l4 = l3 + 20;
		uint8_t ph[4] = { 0, 17, 0, 0 };
		wr16(ph + 2, (uint16_t)(len - l4));
		sum = ref_add(ref_add(0, ip + 12, 8), ph, 4);
	} else {
		ck_assert_uint_eq(et, 0x86dd);
		ck_assert_uint_eq(ip[0] >> 4, 6);
		ck_assert_uint_eq(rd16(ip + 4), len - l3 - 40);
		ck_assert_uint_eq(ip[6], 17);
		l4 = l3 + 40;
		uint8_t ph[8] = { 0, 0, 0, 0, 0, 0, 0, 17 };
		wr16(ph + 2, (uint16_t)(len - l4));
		sum = ref_add(ref_add(0, ip + 8, 32), ph, 8);
	}
	const uint8_t *udp = f + l4;
	ck_assert_uint_eq(rd16(udp + 4), len - l4);
	ck_assert_uint_ne(rd16(udp + 6), 0);
	ck_assert_uint_eq(ref_fold(ref_add(sum, udp, len - l4)), 0xffff);
	return l4 + 8;
}

struct qspec {
	int family;
	bool vlan;
	const char *name;
	uint16_t type;
	uint16_t qclass;
	int edns;        /* 0: no OPT */
	bool do_bit;
	uint8_t edns_version;
	uint16_t id;
	bool qr;         /* build a "query" with QR set */
	uint8_t opcode;
	bool extra_rrs;  /* authority + additional records before the OPT */
	bool dup_opt;    /* a second OPT appended by hand */
};

/* A query message with ldns, in a frame built by the query module. */
static size_t mk_query(uint8_t *f, const struct qspec *s)
{
	ldns_rdf *owner = NULL;
	ck_assert_int_eq(ldns_str2rdf_dname(&owner, s->name), LDNS_STATUS_OK);
	ldns_pkt *p = ldns_pkt_query_new(owner, (ldns_rr_type)s->type,
					 (ldns_rr_class)(s->qclass ? s->qclass : 1), LDNS_RD);
	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_id(p, s->id);
	ldns_pkt_set_qr(p, s->qr);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)s->opcode);
	if (s->edns > 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)s->edns);
		ldns_pkt_set_edns_do(p, s->do_bit);
		ldns_pkt_set_edns_version(p, s->edns_version);
	}
	if (s->extra_rrs) {
		ldns_rr *rr = NULL;
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, "example.com. 60 IN NS ns.example.com.",
						     0, NULL, NULL), LDNS_STATUS_OK);
		ck_assert(ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr));
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, "ns.example.com. 60 IN A 198.18.2.2",
						     0, NULL, NULL), LDNS_STATUS_OK);
		ck_assert(ldns_pkt_push_rr(p, LDNS_SECTION_ADDITIONAL, rr));
	}
	uint8_t *wire = NULL;
	size_t wlen = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &wlen), LDNS_STATUS_OK);
	uint8_t msg[1024];
	memcpy(msg, wire, wlen);
	free(wire);
	ldns_pkt_free(p);
	if (s->dup_opt) {
		static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
		memcpy(msg + wlen, opt, sizeof(opt));
		wlen += sizeof(opt);
		wr16(msg + 10, (uint16_t)(rd16(msg + 10) + 1));
	}

	struct dv_endpoints ep;
	memset(&ep, 0, sizeof(ep));
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t dmac[6] = { 0x02, 0, 0, 0, 0, 0x53 };
	memcpy(ep.src_mac, smac, 6);
	memcpy(ep.dst_mac, dmac, 6);
	ep.src.family = ep.dst.family = s->family;
	if (s->family == AF_INET) {
		inet_pton(AF_INET, "198.18.2.1", &ep.src.v4);
		inet_pton(AF_INET, "198.19.100.53", &ep.dst.v4);
	} else {
		inet_pton(AF_INET6, "2001:2::1", &ep.src.v6);
		inet_pton(AF_INET6, "2001:2:ffff::53", &ep.dst.v6);
	}
	ep.dport = 53;

	uint8_t tmpl[2048];
	struct dv_frame_tmpl t;
	ck_assert_int_eq(dv_frame_build(&ep, msg, wlen, tmpl, sizeof(tmpl), &t), 0);
	t.off = 0;
	dv_frame_emit(f, tmpl, &t, s->id, OUR_PORT);
	size_t len = t.len;
	if (s->vlan) {
		memmove(f + 16, f + 12, len - 12);
		wr16(f + 12, 0x8100);
		wr16(f + 14, 7);
		len += 4;
	}
	return len;
}

/* Answer the query in a buffer of exactly cap bytes plus a canary. */
static int answer(uint8_t *out, const uint8_t *q, size_t qlen, size_t cap,
		  const struct dv_answer_cfg *cfg)
{
	uint8_t *buf = malloc(cap + CANARY);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, q, qlen);
	memset(buf + cap, 0xa5, CANARY);
	int ret = dv_answer_build(buf, qlen, cap, cfg);
	for (size_t i = 0; i < CANARY; i++)
		ck_assert_uint_eq(buf[cap + i], 0xa5);
	if (ret > 0) {
		ck_assert_uint_le((size_t)ret, cap);
		memcpy(out, buf, (size_t)ret);
	}
	free(buf);
	return ret;
}

/* Check the envelope of a response against its query; parse the DNS part. */
static ldns_pkt *check_response(const uint8_t *r, int rlen, const uint8_t *q,
				const struct qspec *s, const struct dv_answer_cfg *cfg)
{
	ck_assert_int_gt(rlen, 0);
	size_t dns_off = check_frame(r, (size_t)rlen);
	ck_assert_mem_eq(r, q + 6, 6);
	ck_assert_mem_eq(r + 6, q, 6);
	size_t l3 = s->vlan ? 18 : 14;
	if (s->vlan)
		ck_assert_mem_eq(r + 12, q + 12, 4);
	if (s->family == AF_INET) {
		ck_assert_mem_eq(r + l3 + 12, q + l3 + 16, 4);
		ck_assert_mem_eq(r + l3 + 16, q + l3 + 12, 4);
	} else {
		ck_assert_mem_eq(r + l3 + 8, q + l3 + 24, 16);
		ck_assert_mem_eq(r + l3 + 24, q + l3 + 8, 16);
	}
	ck_assert_uint_le((size_t)rlen - l3, cfg->mtu);

	struct dv_resp_info ri;
	ck_assert_int_eq(dv_response_parse(r, (size_t)rlen, 53, &ri), DV_PKT_DNS);
	ck_assert_uint_eq(ri.dport, OUR_PORT);
	ck_assert_ptr_eq(ri.dns, r + dns_off);
	ck_assert_uint_eq(ri.qr, 1);
	ck_assert_uint_eq(ri.id, s->id);

	ldns_pkt *p = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&p, ri.dns, ri.dns_len), LDNS_STATUS_OK);
	ck_assert_uint_eq(ldns_pkt_id(p), s->id);
	ck_assert(ldns_pkt_qr(p));
	ck_assert(ldns_pkt_aa(p));
	ck_assert(ldns_pkt_rd(p));
	ck_assert(!ldns_pkt_ra(p));
	ck_assert_uint_eq(ldns_pkt_qdcount(p), 1);
	ck_assert_uint_eq(ldns_pkt_nscount(p), 0);
	ldns_rr *qrr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ldns_rdf *want = NULL;
	ck_assert_int_eq(ldns_str2rdf_dname(&want, s->name), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_dname_compare(ldns_rr_owner(qrr), want), 0);
	ldns_rdf_deep_free(want);
	ck_assert_uint_eq(ldns_rr_get_type(qrr), s->type);
	if (s->edns > 0) {
		ck_assert(ldns_pkt_edns(p));
		ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), cfg->edns_size);
		ck_assert_int_eq(ldns_pkt_edns_do(p), s->do_bit);
	} else {
		ck_assert(!ldns_pkt_edns(p));
	}
	/* ldns counts the OPT apart; a padding record is the only other one. */
	if (cfg->answer_size == 0)
		ck_assert_uint_eq(ldns_pkt_arcount(p), 0);
	else
		ck_assert_uint_le(ldns_pkt_arcount(p), 1);
	return p;
}

/* Total TXT RDATA length of the only answer RR. */
static size_t txt_rdlen(const ldns_pkt *p)
{
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	ck_assert_uint_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_TXT);
	size_t total = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf *rd = ldns_rr_rdf(rr, i);
		ck_assert_uint_le(ldns_rdf_size(rd), 256);
		total += ldns_rdf_size(rd);
	}
	return total;
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_types)
{
	static const uint16_t types[] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_TXT,
					  LDNS_RR_TYPE_MX };
	static const struct {
		int edns;
		bool do_bit;
	} ed[] = { { 0, false }, { 1232, false }, { 4096, true } };
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	cfg.edns_size = 1400;
	cfg.ttl = 1234;

	for (int fam = 0; fam < 2; fam++)
	for (int vlan = 0; vlan < 2; vlan++)
	for (size_t t = 0; t < 4; t++)
	for (size_t e = 0; e < 3; e++) {
		struct qspec s = {
			.family = fam ? AF_INET6 : AF_INET, .vlan = vlan, .name = "www.Example.com.",
			.type = types[t], .edns = ed[e].edns, .do_bit = ed[e].do_bit,
			.id = (uint16_t)(0x1000 + t * 16 + e),
		};
		uint8_t q[1024], r[2048];
		size_t qlen = mk_query(q, &s);
		int rlen = answer(r, q, qlen, 2048, &cfg);
		ldns_pkt *p = check_response(r, rlen, q, &s, &cfg);
		ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		ck_assert(!ldns_pkt_tc(p));
		if (types[t] == LDNS_RR_TYPE_MX) {
			ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
			ldns_pkt_free(p);
			continue;
		}
		ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
		ck_assert_uint_eq(ldns_rr_get_type(rr), types[t]);
		ck_assert_uint_eq(ldns_rr_get_class(rr), LDNS_RR_CLASS_IN);
		ck_assert_uint_eq(ldns_rr_ttl(rr), 1234);
		ck_assert_int_eq(ldns_dname_compare(ldns_rr_owner(rr),
			ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0))), 0);
		if (types[t] == LDNS_RR_TYPE_A) {
			ck_assert_uint_eq(ldns_rdf_size(ldns_rr_rdf(rr, 0)), 4);
			ck_assert_mem_eq(ldns_rdf_data(ldns_rr_rdf(rr, 0)), cfg.a, 4);
		} else if (types[t] == LDNS_RR_TYPE_AAAA) {
			ck_assert_uint_eq(ldns_rdf_size(ldns_rr_rdf(rr, 0)), 16);
			ck_assert_mem_eq(ldns_rdf_data(ldns_rr_rdf(rr, 0)), cfg.aaaa, 16);
		} else {
			ck_assert_uint_eq(txt_rdlen(p), 16);
		}
		ldns_pkt_free(p);
	}
}
END_TEST

START_TEST(test_defaults)
{
	struct dv_answer_cfg cfg;
	memset(&cfg, 0x77, sizeof(cfg));
	dv_answer_cfg_default(&cfg);
	uint8_t a[4], aaaa[16];
	inet_pton(AF_INET, "198.18.0.53", a);
	inet_pton(AF_INET6, "2001:2::53", aaaa);
	ck_assert_uint_eq(cfg.ttl, 300);
	ck_assert_mem_eq(cfg.a, a, 4);
	ck_assert_mem_eq(cfg.aaaa, aaaa, 16);
	ck_assert_uint_eq(cfg.edns_size, 1232);
	ck_assert_uint_eq(cfg.mtu, 1500);
}
END_TEST

/* Answer a TXT query for name and return the parsed response. */
static ldns_pkt *txt_case(int family, const char *name, int edns, bool do_bit,
			  const struct dv_answer_cfg *cfg, size_t cap)
{
	struct qspec s = {
		.family = family, .name = name, .type = LDNS_RR_TYPE_TXT,
		.edns = edns, .do_bit = do_bit, .id = 77,
	};
	uint8_t q[1024];
	uint8_t *r = malloc(cap);
	size_t qlen = mk_query(q, &s);
	int rlen = answer(r, q, qlen, cap, cfg);
	ldns_pkt *p = check_response(r, rlen, q, &s, cfg);
	free(r);
	return p;
}

START_TEST(test_txt_sizes)
{
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	for (int fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;
		/* s2000 over EDNS 1232: truncated, question + OPT only. */
		ldns_pkt *p = txt_case(af, "s2000.example.", 1232, true, &cfg, 4096);
		ck_assert(ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
		ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		ldns_pkt_free(p);

		/* s1000 over EDNS 4096: fits the MTU, answered. */
		p = txt_case(af, "s1000.example.", 4096, false, &cfg, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 1000);
		ldns_pkt_free(p);

		/* Upper case S, and the answer must still fit a 1500-byte buffer. */
		p = txt_case(af, "S1200.example.", 4096, false, &cfg, 1500);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 1200);
		ldns_pkt_free(p);

		/* No OPT: 512 bytes is the limit. */
		p = txt_case(af, "s600.example.", 0, false, &cfg, 4096);
		ck_assert(ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
		ldns_pkt_free(p);
		p = txt_case(af, "s400.example.", 0, false, &cfg, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 400);
		ldns_pkt_free(p);
		/* An OPT smaller than 512 still means 512. */
		p = txt_case(af, "s400.example.", 300, false, &cfg, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ldns_pkt_free(p);

		/* s1500 over EDNS 4096: the requestor would take it, the MTU not. */
		p = txt_case(af, "s1500.example.", 4096, false, &cfg, 9000);
		ck_assert(ldns_pkt_tc(p));
		ldns_pkt_free(p);
		struct dv_answer_cfg jumbo = cfg;
		jumbo.mtu = 9000;
		p = txt_case(af, "s1500.example.", 4096, false, &jumbo, 9000);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 1500);
		ldns_pkt_free(p);
		/* ... unless the caller's buffer is smaller: capped to fit it. */
		p = txt_case(af, "s5000.example.", 8192, false, &jumbo, 3000);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_gt(txt_rdlen(p), 2800);
		ldns_pkt_free(p);

		/* Sizes at the edges; labels that are not "s<digits>". */
		static const struct {
			const char *name;
			size_t rdlen;
		} sz[] = {
			{ "s0.example.", 1 }, { "s1.example.", 1 }, { "s255.example.", 255 },
			{ "s256.example.", 256 }, { "s257.example.", 257 }, { "s.example.", 16 },
			{ "sx12.example.", 16 }, { "s12x.example.", 16 }, { "example.", 16 },
			{ "12.example.", 16 }, { "s000000000000000000000050.example.", 50 },
		};
		for (size_t i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
			p = txt_case(af, sz[i].name, 1232, false, &cfg, 2048);
			ck_assert_uint_eq(txt_rdlen(p), sz[i].rdlen);
			ldns_pkt_free(p);
		}
		/* A huge number saturates and truncates rather than wrapping. */
		p = txt_case(af, "s99999999999999999999.example.", 1232, false, &cfg, 2048);
		ck_assert(ldns_pkt_tc(p));
		ldns_pkt_free(p);
	}
}
END_TEST

START_TEST(test_rcodes_and_edns)
{
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	uint8_t q[1024], r[2048];

	/* Class CH: REFUSED, no data, OPT still echoed. */
	struct qspec s = { .family = AF_INET, .name = "version.bind.", .type = LDNS_RR_TYPE_TXT,
			   .qclass = LDNS_RR_CLASS_CH, .edns = 1232, .do_bit = true, .id = 9 };
	size_t qlen = mk_query(q, &s);
	ldns_pkt *p = check_response(r, answer(r, q, qlen, sizeof(r), &cfg), q, &s, &cfg);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);

	/* EDNS version 1: BADVERS (extended RCODE 16 = 1 in the OPT, 0 in the header). */
	s = (struct qspec){ .family = AF_INET6, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			    .edns = 1232, .edns_version = 1, .id = 10 };
	qlen = mk_query(q, &s);
	p = check_response(r, answer(r, q, qlen, sizeof(r), &cfg), q, &s, &cfg);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), 0);
	ck_assert_uint_eq(ldns_pkt_edns_extended_rcode(p), 1);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);

	/* Two OPT records: FORMERR. */
	s = (struct qspec){ .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			    .edns = 1232, .dup_opt = true, .id = 11 };
	qlen = mk_query(q, &s);
	int rlen = answer(r, q, qlen, sizeof(r), &cfg);
	ck_assert_int_gt(rlen, 0);
	check_frame(r, (size_t)rlen);
	struct dv_resp_info ri;
	ck_assert_int_eq(dv_response_parse(r, (size_t)rlen, 53, &ri), DV_PKT_DNS);
	ck_assert_uint_eq(ri.rcode, LDNS_RCODE_FORMERR);
	ck_assert_uint_eq(ri.ancount, 0);

	/* Authority and additional records before the OPT are walked and dropped. */
	s = (struct qspec){ .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			    .edns = 4096, .do_bit = true, .extra_rrs = true, .id = 12 };
	qlen = mk_query(q, &s);
	ck_assert_uint_eq(rd16(q + 42 + 8), 1); /* the query has an NS record */
	p = check_response(r, answer(r, q, qlen, sizeof(r), &cfg), q, &s, &cfg);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	/* Ethernet padding after the query is not part of it. */
	memset(q + qlen, 0xee, 40);
	p = check_response(r, answer(r, q, qlen + 40, sizeof(r), &cfg), q, &s, &cfg);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	/* Same without OPT: no OPT in the response. */
	s.edns = 0;
	s.do_bit = false;
	qlen = mk_query(q, &s);
	p = check_response(r, answer(r, q, qlen, sizeof(r), &cfg), q, &s, &cfg);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}
END_TEST

START_TEST(test_refused_inputs)
{
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	uint8_t q[1024], r[2048];

	/* A response is not answered. */
	struct qspec s = { .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			   .qr = true, .id = 1 };
	size_t qlen = mk_query(q, &s);
	ck_assert_int_eq(answer(r, q, qlen, sizeof(r), &cfg), -EINVAL);
	/* Another opcode (NOTIFY): NOTIMP, its opcode echoed, nothing answered (RFC 1035 4.1.1). */
	s.qr = false;
	s.opcode = LDNS_PACKET_NOTIFY;
	qlen = mk_query(q, &s);
	int rl = answer(r, q, qlen, sizeof(r), &cfg);
	ck_assert_int_gt(rl, 42 + 12);
	ck_assert_uint_eq((r[42 + 2] >> 3) & 15, LDNS_PACKET_NOTIFY);
	ck_assert_uint_eq(r[42 + 3] & 15, 4);
	ck_assert_uint_eq(r[42 + 7], 0);
	/* opcode-as-query (a defect on purpose): answered as a query, NOERROR. */
	cfg.defects = DV_ANSWER_OPCODE_QUERY;
	ck_assert_int_gt(answer(r, q, qlen, sizeof(r), &cfg), 0);
	ck_assert_uint_eq(r[42 + 3] & 15, 0);
	ck_assert_uint_eq(r[42 + 7], 1);
	cfg.defects = 0;
	/* qdcount 0 and 2. */
	s.opcode = 0;
	qlen = mk_query(q, &s);
	wr16(q + 42 + 4, 0);
	ck_assert_int_lt(answer(r, q, qlen, sizeof(r), &cfg), 0);
	wr16(q + 42 + 4, 2);
	ck_assert_int_lt(answer(r, q, qlen, sizeof(r), &cfg), 0);
	wr16(q + 42 + 4, 1);
	/* Truncated message: additional count promises an RR that is not there. */
	wr16(q + 42 + 10, 1);
	ck_assert_int_eq(answer(r, q, qlen, sizeof(r), &cfg), -EBADMSG);
	wr16(q + 42 + 10, 0);
	ck_assert_int_gt(answer(r, q, qlen, sizeof(r), &cfg), 0);

	/* cap below len is a caller bug; cap == len still fits a truncated reply. */
	ck_assert_int_eq(answer(r, q, qlen, qlen - 1, &cfg), -EINVAL);
	int rlen = answer(r, q, qlen, qlen, &cfg);
	ck_assert_int_eq(rlen, (int)qlen);
	check_frame(r, (size_t)rlen);
	ck_assert_uint_eq(r[42 + 2] & 0x02, 0x02); /* TC */
	ck_assert_uint_eq(rd16(r + 42 + 6), 0);

	/* IPv4 options are not answered. */
	uint8_t opt[1100];
	memcpy(opt, q, 34);
	opt[14] = 0x46;
	wr16(opt + 16, (uint16_t)(rd16(q + 16) + 4));
	memset(opt + 34, 1, 4); /* four NOPs */
	memcpy(opt + 38, q + 34, qlen - 34);
	ck_assert_int_lt(answer(r, opt, qlen + 4, sizeof(r), &cfg), 0);

	/* Non-UDP frames. */
	memset(opt, 0, 64);
	wr16(opt + 12, 0x0806);
	ck_assert_int_lt(answer(r, opt, 60, sizeof(r), &cfg), 0);
	ck_assert_int_lt(answer(r, opt, 0, sizeof(r), &cfg), 0);
	ck_assert_int_eq(dv_answer_build(NULL, 0, 0, &cfg), -EINVAL);

	/* An MTU too small even for the truncated reply. */
	cfg.mtu = 40;
	ck_assert_int_lt(answer(r, q, qlen, sizeof(r), &cfg), 0);
}
END_TEST

/* Answer arbitrary bytes; positive results must be complete, valid frames. */
static void fuzz_one(const uint8_t *data, size_t len, size_t cap,
		     const struct dv_answer_cfg *cfg)
{
	uint8_t *out = malloc(cap ? cap : 1);
	ck_assert_ptr_nonnull(out);
	int ret = answer(out, data, len, cap, cfg);
	if (ret > 0) {
		size_t dns_off = check_frame(out, (size_t)ret);
		struct dv_resp_info ri;
		/* The response comes from the port the query went to. */
		enum dv_pkt_class c = dv_response_parse(out, (size_t)ret,
							rd16(out + dns_off - 8), &ri);
		ck_assert_int_eq(c, DV_PKT_DNS);
		ck_assert_uint_eq(ri.qr, 1);
		ck_assert_uint_eq(ri.qdcount, 1);
	} else {
		ck_assert_int_lt(ret, 0);
	}
	free(out);
}

START_TEST(test_fuzz)
{
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	enum { NSEEDS = 8 };
	uint8_t seeds[NSEEDS][1024];
	size_t slen[NSEEDS];
	const struct qspec specs[NSEEDS] = {
		{ .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A, .id = 1 },
		{ .family = AF_INET6, .name = "example.com.", .type = LDNS_RR_TYPE_AAAA,
		  .edns = 1232, .do_bit = true, .id = 2 },
		{ .family = AF_INET, .vlan = true, .name = "s1400.example.",
		  .type = LDNS_RR_TYPE_TXT, .edns = 4096, .id = 3 },
		{ .family = AF_INET6, .vlan = true, .name = "s300.example.",
		  .type = LDNS_RR_TYPE_TXT, .id = 4 },
		{ .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
		  .edns = 1232, .extra_rrs = true, .id = 5 },
		{ .family = AF_INET6, .name = "example.com.", .type = LDNS_RR_TYPE_MX,
		  .edns = 1232, .dup_opt = true, .id = 6 },
		{ .family = AF_INET, .name = "version.bind.", .type = LDNS_RR_TYPE_TXT,
		  .qclass = LDNS_RR_CLASS_CH, .id = 7 },
		{ .family = AF_INET6, .name = "s65000.example.", .type = LDNS_RR_TYPE_TXT,
		  .edns = 65535, .id = 8 },
	};
	for (int i = 0; i < NSEEDS; i++)
		slen[i] = mk_query(seeds[i], &specs[i]);

	srandom(424242);
	uint8_t buf[1024];
	for (int i = 0; i < 20000; i++) {
		size_t len = dv_mutate(buf, seeds[0], sizeof(seeds[0]), slen, NSEEDS, 300);
		static const size_t caps[] = { 0, 7, 64, 512, 1518, 2048, 9000 };
		size_t cap = caps[random() % 7];
		if (cap < len)
			cap = len;
		struct dv_answer_cfg c = cfg;
		if ((random() & 7) == 0)
			c.mtu = (uint16_t)random();
		if ((random() & 3) == 0)
			c.answer_size = (uint16_t)(random() % 2000);
		fuzz_one(buf, len, cap, &c);
	}
	for (int s = 0; s < NSEEDS; s++)
		for (size_t len = 0; len <= slen[s]; len++)
			fuzz_one(seeds[s], len, len, &cfg);
}
END_TEST

/* A query answered with cfg->answer_size set: the parsed response and its DNS length. */
static ldns_pkt *sized_case(const struct qspec *s, const struct dv_answer_cfg *cfg,
			    size_t *dns_len, uint8_t *dns_copy)
{
	uint8_t q[1024], r[4096];
	size_t qlen = mk_query(q, s);
	int rlen = answer(r, q, qlen, sizeof(r), cfg);
	ldns_pkt *p = check_response(r, rlen, q, s, cfg);
	size_t dns_off = check_frame(r, (size_t)rlen);
	*dns_len = (size_t)rlen - dns_off;
	if (dns_copy != NULL)
		memcpy(dns_copy, r + dns_off, *dns_len);
	return p;
}

/* The padding record: TXT, owner the question name, TTL, strings filling rdlen. */
static void check_padding(const ldns_pkt *p, const struct dv_answer_cfg *cfg, size_t rdlen)
{
	ck_assert_uint_eq(ldns_pkt_arcount(p), 1);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_additional(p), 0);
	ck_assert_uint_eq(ldns_rr_get_type(rr), LDNS_RR_TYPE_TXT);
	ck_assert_uint_eq(ldns_rr_get_class(rr), LDNS_RR_CLASS_IN);
	ck_assert_uint_eq(ldns_rr_ttl(rr), cfg->ttl);
	ck_assert_int_eq(ldns_dname_compare(ldns_rr_owner(rr),
		ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0))), 0);
	size_t total = 0;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		ldns_rdf *rd = ldns_rr_rdf(rr, i);
		ck_assert_uint_le(ldns_rdf_size(rd), 256);
		total += ldns_rdf_size(rd);
	}
	ck_assert_uint_eq(total, rdlen);
}

START_TEST(test_answer_size)
{
	static const struct {
		const char *name;
		uint16_t type;
		size_t ancount;
	} qs[] = {
		{ "example.com.", LDNS_RR_TYPE_A, 1 },
		{ "www.example.org.", LDNS_RR_TYPE_AAAA, 1 },
		{ "s100.example.", LDNS_RR_TYPE_TXT, 1 },
		{ "example.com.", LDNS_RR_TYPE_MX, 0 },
	};
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	cfg.answer_size = 1300;
	cfg.ttl = 77;

	for (int fam = 0; fam < 2; fam++)
	for (int vlan = 0; vlan < 2; vlan++)
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		struct qspec s = {
			.family = fam ? AF_INET6 : AF_INET, .vlan = vlan, .name = qs[i].name,
			.type = qs[i].type, .edns = 1232, .do_bit = true, .id = (uint16_t)(500 + i),
		};
		size_t dns_len;
		uint8_t dns[4096];

		/* 1300 bytes do not fit a 1232-byte buffer: truncated, no padding. */
		ldns_pkt *p = sized_case(&s, &cfg, &dns_len, NULL);
		ck_assert(ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
		ck_assert_uint_eq(ldns_pkt_arcount(p), 0);
		ck_assert_uint_lt(dns_len, 300);
		ldns_pkt_free(p);

		/* They fit 1400: answered, exactly 1300 bytes, OPT last. */
		s.edns = 1400;
		p = sized_case(&s, &cfg, &dns_len, dns);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		ck_assert_uint_eq(dns_len, 1300);
		ck_assert_uint_eq(ldns_pkt_ancount(p), qs[i].ancount);
		ck_assert_uint_eq(rd16(dns + 10), 2); /* padding + OPT on the wire */
		ck_assert_uint_eq(dns[dns_len - 11], 0);
		ck_assert_uint_eq(rd16(dns + dns_len - 10), 41);
		size_t qname_len = strlen(qs[i].name) + 1;
		size_t ans = qs[i].type == LDNS_RR_TYPE_A ? 12 + 4 :
			     qs[i].type == LDNS_RR_TYPE_AAAA ? 12 + 16 :
			     qs[i].type == LDNS_RR_TYPE_TXT ? 12 + 100 : 0;
		check_padding(p, &cfg, 1300 - (12 + qname_len + 4) - ans - 11 - 12);
		ldns_pkt_free(p);

		/* Without OPT the buffer is 512: truncated. */
		s.edns = 0;
		s.do_bit = false;
		p = sized_case(&s, &cfg, &dns_len, NULL);
		ck_assert(ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
		ck_assert_uint_eq(ldns_pkt_arcount(p), 0);
		ldns_pkt_free(p);

		/* ... unless the size fits in 512: padded without OPT. */
		struct dv_answer_cfg c512 = cfg;
		c512.answer_size = 512;
		p = sized_case(&s, &c512, &dns_len, NULL);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(dns_len, 512);
		ck_assert_uint_eq(ldns_pkt_ancount(p), qs[i].ancount);
		check_padding(p, &c512, 512 - (12 + qname_len + 4) - ans - 12);
		ldns_pkt_free(p);
		c512.answer_size = 513;
		p = sized_case(&s, &c512, &dns_len, NULL);
		ck_assert(ldns_pkt_tc(p));
		ldns_pkt_free(p);
	}

	/* Edges: example.com. A with OPT is 29 + 16 + 11 = 56 bytes unpadded. */
	struct qspec s = { .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			   .edns = 1232, .id = 9 };
	static const struct {
		uint16_t size;
		size_t len;
		bool padded;
	} edge[] = {
		{ 1, 56, false }, { 55, 56, false }, { 56, 56, false }, { 57, 56, false },
		{ 68, 56, false },  /* 12 bytes: too small for the padding record */
		{ 69, 69, true },   /* one empty character-string */
		{ 70, 70, true }, { 324, 324, true }, { 325, 325, true }, { 1232, 1232, true },
		{ 1233, 0, false }, /* over the requestor's buffer: truncated */
	};
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		cfg.answer_size = edge[i].size;
		size_t dns_len;
		ldns_pkt *p = sized_case(&s, &cfg, &dns_len, NULL);
		if (edge[i].len == 0) {
			ck_assert(ldns_pkt_tc(p));
			ldns_pkt_free(p);
			continue;
		}
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
		ck_assert_uint_eq(dns_len, edge[i].len);
		if (edge[i].padded)
			check_padding(p, &cfg, edge[i].size - 56 - 12);
		else
			ck_assert_uint_eq(ldns_pkt_arcount(p), 0);
		ldns_pkt_free(p);
	}

	/* An answer already larger than the size is sent as it is. */
	cfg.answer_size = 300;
	s = (struct qspec){ .family = AF_INET6, .name = "s1000.example.", .type = LDNS_RR_TYPE_TXT,
			    .edns = 4096, .id = 10 };
	size_t dns_len;
	ldns_pkt *p = sized_case(&s, &cfg, &dns_len, NULL);
	ck_assert(!ldns_pkt_tc(p));
	ck_assert_uint_eq(txt_rdlen(p), 1000);
	ck_assert_uint_eq(ldns_pkt_arcount(p), 0);
	ldns_pkt_free(p);

	/* Large sizes: the MTU still applies, a jumbo MTU lets them through. */
	cfg.answer_size = 65535;
	s = (struct qspec){ .family = AF_INET, .name = "example.com.", .type = LDNS_RR_TYPE_A,
			    .edns = 65535, .id = 11 };
	p = sized_case(&s, &cfg, &dns_len, NULL);
	ck_assert(ldns_pkt_tc(p));
	ldns_pkt_free(p);
	cfg.answer_size = 4000;
	cfg.mtu = 9000;
	p = sized_case(&s, &cfg, &dns_len, NULL);
	ck_assert(!ldns_pkt_tc(p));
	ck_assert_uint_eq(dns_len, 4000);
	check_padding(p, &cfg, 4000 - 56 - 12);
	ldns_pkt_free(p);

	/* Error responses are padded too (REFUSED for class CH). */
	dv_answer_cfg_default(&cfg);
	cfg.answer_size = 700;
	s = (struct qspec){ .family = AF_INET, .name = "version.bind.", .type = LDNS_RR_TYPE_TXT,
			    .qclass = LDNS_RR_CLASS_CH, .edns = 1232, .id = 12 };
	p = sized_case(&s, &cfg, &dns_len, NULL);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ck_assert_uint_eq(dns_len, 700);
	ldns_pkt_free(p);
}
END_TEST

START_TEST(test_ignore_edns)
{
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	ck_assert(!cfg.ignore_edns);
	struct dv_answer_cfg bad = cfg;
	bad.ignore_edns = true;

	for (int fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;
		static const int edns[] = { 0, 512, 1232 };
		for (size_t e = 0; e < sizeof(edns) / sizeof(edns[0]); e++) {
			/* A well-behaved responder truncates for the requestor's buffer... */
			ldns_pkt *p = txt_case(af, "s1300.example.", edns[e], true, &cfg, 4096);
			ck_assert(ldns_pkt_tc(p));
			ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
			ldns_pkt_free(p);
			/* ... a misbehaving one sends the whole answer (OPT still echoed). */
			p = txt_case(af, "s1300.example.", edns[e], edns[e] > 0, &bad, 4096);
			ck_assert(!ldns_pkt_tc(p));
			ck_assert_uint_eq(txt_rdlen(p), 1300);
			ldns_pkt_free(p);
			/* The MTU still applies. */
			p = txt_case(af, "s1500.example.", edns[e], edns[e] > 0, &bad, 4096);
			ck_assert(ldns_pkt_tc(p));
			ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
			ldns_pkt_free(p);
			/* And so does the caller's buffer: the TXT is capped to fit it. */
			p = txt_case(af, "s1300.example.", edns[e], false, &bad, 1000);
			ck_assert(!ldns_pkt_tc(p));
			ck_assert_uint_lt(txt_rdlen(p), 1000);
			ck_assert_uint_gt(txt_rdlen(p), 800);
			ldns_pkt_free(p);
		}
		/* Padding over the requestor's size: sent padded, not truncated. */
		struct qspec s = { .family = af, .name = "example.com.", .type = LDNS_RR_TYPE_A,
				   .edns = 1232, .id = 3 };
		struct dv_answer_cfg pad = bad;
		pad.answer_size = 1400;
		size_t dns_len;
		ldns_pkt *p = sized_case(&s, &pad, &dns_len, NULL);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(dns_len, 1400);
		ldns_pkt_free(p);
		s.edns = 0;
		p = sized_case(&s, &pad, &dns_len, NULL);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(dns_len, 1400);
		ldns_pkt_free(p);
	}
}
END_TEST

/* Answer name/edns in a buffer of cap bytes; the raw response into r (r may be NULL). */
static int raw_case(int family, const char *name, int edns, const struct dv_answer_cfg *cfg,
		    size_t cap, uint8_t *r)
{
	struct qspec s = { .family = family, .name = name, .type = LDNS_RR_TYPE_TXT,
			   .edns = edns, .id = 4242 };
	uint8_t q[1024];
	uint8_t *out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	size_t qlen = mk_query(q, &s);
	int rlen = answer(out, q, qlen, cap, cfg);
	if (rlen > 0 && r != NULL)
		memcpy(r, out, (size_t)rlen);
	free(out);
	return rlen;
}

START_TEST(test_large_mtu)
{
	/* The engine builds answers whole with a large MTU and fragments them itself. */
	struct dv_answer_cfg cfg;
	dv_answer_cfg_default(&cfg);
	cfg.mtu = 65535;
	struct dv_answer_cfg bad = cfg;
	bad.ignore_edns = true;
	static uint8_t r1[70000], r2[70000];

	for (int fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;
		size_t l3_udp = fam ? 14 + 48 : 14 + 28;

		/* 3000 bytes of TXT over EDNS 4096: one frame of some 3100 bytes. */
		ldns_pkt *p = txt_case(af, "s3000.example.", 4096, true, &cfg, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 3000);
		ldns_pkt_free(p);
		/* Whatever the requestor's buffer, when told to ignore it. */
		p = txt_case(af, "s3000.example.", 1232, false, &bad, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 3000);
		ldns_pkt_free(p);
		p = txt_case(af, "s3000.example.", 0, false, &bad, 4096);
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 3000);
		ldns_pkt_free(p);

		/* A buffer of exactly the response's size is enough, byte for byte. */
		int big = raw_case(af, "s3000.example.", 1232, &bad, sizeof(r1), r1);
		ck_assert_int_gt(big, 3000 + (int)l3_udp);
		int exact = raw_case(af, "s3000.example.", 1232, &bad, (size_t)big, r2);
		ck_assert_int_eq(exact, big);
		ck_assert_mem_eq(r1, r2, (size_t)big);

		/* Near the 16-bit limits: 60000 bytes fit, 65500 do not (truncated). */
		p = txt_case(af, "s60000.example.", 65535, false, &cfg, sizeof(r1));
		ck_assert(!ldns_pkt_tc(p));
		ck_assert_uint_eq(txt_rdlen(p), 60000);
		ldns_pkt_free(p);
		p = txt_case(af, "s65500.example.", 0, false, &bad, sizeof(r1));
		ck_assert(ldns_pkt_tc(p));
		ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
		ldns_pkt_free(p);
		/* Padded to the largest size that fits the IP length field. */
		struct dv_answer_cfg pad = bad;
		pad.answer_size = (uint16_t)(65535 - (l3_udp - 14));
		struct qspec s = { .family = af, .name = "example.com.", .type = LDNS_RR_TYPE_A,
				   .edns = 1232, .id = 5 };
		uint8_t q[1024];
		size_t qlen = mk_query(q, &s);
		int rlen = answer(r1, q, qlen, sizeof(r1), &pad);
		ck_assert_int_eq(rlen, (int)(l3_udp + pad.answer_size));
		check_frame(r1, (size_t)rlen);
		pad.answer_size++;
		rlen = answer(r1, q, qlen, sizeof(r1), &pad);
		ck_assert_int_gt(rlen, 0);
		ck_assert_uint_eq(r1[l3_udp + 2] & 0x02, 0x02); /* TC */
	}
}
END_TEST

static Suite *answer_suite(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_txt_sizes);
	tcase_add_test(tc, test_rcodes_and_edns);
	tcase_add_test(tc, test_refused_inputs);
	tcase_add_test(tc, test_answer_size);
	tcase_add_test(tc, test_ignore_edns);
	tcase_add_test(tc, test_large_mtu);
	tcase_add_test(tc, test_fuzz);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(answer_suite());
}
