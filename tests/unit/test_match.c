/* Response matching with real frames: queries from the templates, answers
 * from the embedded responder's code, parsed by the collector's parser. */
#include <check.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "config/queryfile.h"
#include "engine/answer_checks.h"
#include "engine/match.h"
#include "engine/qsource.h"
#include "wire/compose.h"
#include "wire/answer.h"
#include "wire/response.h"

static struct dv_query_list ql;
static struct dv_qsource qs;      /* names from the "query file" */
static struct dv_qsource qsg;     /* generated names */
static struct dv_l34_tmpl l34[DV_FAMILIES];
static struct dv_opt opt;
static struct dv_inflight ifl;
static struct dv_addr target[DV_FAMILIES];
static struct dv_answer_cfg acfg;

static void setup(void)
{
	static const char text[] = "a.example. A\nb.example. AAAA\nx.y. A\n";
	ck_assert_int_eq(dv_queryfile_load_mem("q", text, sizeof(text) - 1, &ql), 0);

	struct dv_plan plan;
	memset(&plan, 0, sizeof(plan));
	plan.queries = ql;
	ck_assert_int_eq(dv_qsource_init(&qs, &plan, 42), 0);
	snprintf(plan.seq.qname_pattern, sizeof(plan.seq.qname_pattern), "{seq}.{rand8}.example.test");
	ck_assert_int_eq(dv_qsource_init(&qsg, &plan, 42), 0);

	const char *src[] = { "198.18.0.1", "2001:2::1" };
	const char *dst[] = { "198.18.0.53", "2001:2::53" };
	for (int f = 0; f < DV_FAMILIES; f++) {
		struct dv_endpoints ep;
		memset(&ep, 0, sizeof(ep));
		int af = f == DV_FAMILY_V4 ? AF_INET : AF_INET6;
		ep.src.family = ep.dst.family = af;
		inet_pton(af, src[f], &ep.src.v6);
		inet_pton(af, dst[f], &ep.dst.v6);
		ep.dport = 53;
		ep.src_mac[5] = 1;
		ep.dst_mac[5] = 2;
		target[f] = ep.dst;
		ck_assert_int_eq(dv_l34_build(&ep, &l34[f]), 0);
	}
	dv_opt_build(1232, false, &opt);
	ck_assert_int_eq(dv_inflight_init(&ifl, 65536, 10000), 0);
	dv_answer_cfg_default(&acfg);
}

static void teardown(void)
{
	dv_inflight_free(&ifl);
	dv_qsource_free(&qs);
	dv_qsource_free(&qsg);
	dv_query_list_free(&ql);
}

/* Send attempt seq with the question of entry qidx over family, recorded as rec. */
static void send_query(uint64_t seq, uint32_t qidx, uint8_t family, uint32_t rec_qidx,
		       uint8_t rec_family, uint8_t *frame, size_t *len)
{
	uint16_t sport, id;
	dv_inflight_wire_id(&ifl, seq, &sport, &id);
	const struct dv_question *q = &qs.questions[qidx];
	*len = dv_frame_compose(frame, &l34[family], q->wire, q->len, q->sum, &opt, id, sport, NULL);
	struct dv_attempt_id a = { .lseq = seq, .qidx = rec_qidx,
				   .qtype = ql.q[rec_qidx].qtype, .family = rec_family };
	dv_inflight_issue(&ifl, seq, &a, 1000 + seq);
	dv_inflight_publish(&ifl, seq + 1);
}

/* The responder answers in place; the collector parses it. */
static void respond(uint8_t *frame, size_t len, size_t *rlen, struct dv_resp_info *ri)
{
	int n = dv_answer_build(frame, len, 2048, &acfg);
	ck_assert_int_gt(n, 0);
	*rlen = (size_t)n;
	ck_assert_int_eq(dv_response_parse(frame, *rlen, 53, ri), DV_PKT_DNS);
}

/* One query out, its answer back, parsed: f holds the response frame. */
static void exchange(uint64_t seq, uint32_t qidx, uint8_t family, uint32_t rec_qidx,
		     uint8_t rec_family, uint8_t *f, size_t *rlen, struct dv_resp_info *ri)
{
	size_t len;
	send_query(seq, qidx, family, rec_qidx, rec_family, f, &len);
	respond(f, len, rlen, ri);
}

START_TEST(answer_then_duplicate)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	exchange(0, 1, DV_FAMILY_V6, 1, DV_FAMILY_V6, f, &rlen, &ri);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_ANSWERED);
	ck_assert_uint_eq(m.seq, 0);
	ck_assert_uint_eq(m.a.qidx, 1);
	ck_assert_uint_eq(m.tx_tsc, 1000);
	dv_inflight_answer(&ifl, &m);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_DUPLICATE);
}
END_TEST

START_TEST(late_after_timeout)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	exchange(0, 0, DV_FAMILY_V4, 0, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_uint_eq(dv_inflight_expire(&ifl, 0, true, 10, NULL, NULL), 1);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_LATE);
}
END_TEST

START_TEST(other_question_is_unmatched)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	/* The slot says b.example. AAAA, the response repeats a.example. A. */
	exchange(0, 0, DV_FAMILY_V4, 1, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_UNMATCHED);
}
END_TEST

START_TEST(other_family_is_unmatched)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	/* Same port and ID, but the slot's query went out over IPv4. */
	exchange(0, 0, DV_FAMILY_V6, 0, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_UNMATCHED);
}
END_TEST

START_TEST(other_source_is_unmatched)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	exchange(0, 0, DV_FAMILY_V4, 0, DV_FAMILY_V4, f, &rlen, &ri);
	/* Rewrite the response's IPv4 source: 198.18.0.54 is not the target. */
	f[14 + 15] = 54;
	ck_assert_int_eq(dv_response_parse(f, rlen, 53, &ri), DV_PKT_DNS);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_UNMATCHED);
	f[14 + 15] = 53;
	ck_assert_int_eq(dv_response_parse(f, rlen, 53, &ri), DV_PKT_DNS);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_ANSWERED);
}
END_TEST

START_TEST(name_case_is_ignored_id_is_not)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	exchange(0, 0, DV_FAMILY_V4, 0, DV_FAMILY_V4, f, &rlen, &ri);
	/* "a.example." -> "A.EXAMPLE.": still our question (0x20 mixing). */
	uint8_t *qn = (uint8_t *)ri.qname;
	for (unsigned i = 0; i < ri.qname_len; i++)
		if (qn[i] >= 'a' && qn[i] <= 'z')
			qn[i] = (uint8_t)(qn[i] - 32);
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_ANSWERED);
	/* A response whose ID was never sent. */
	ri.id = 4242;
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_UNMATCHED);
	/* A query (QR=0) that looks like ours is not an answer. */
	ri.id = 0;
	ri.qr = 0;
	ck_assert_int_eq(dv_match_response(&ifl, &qs, target, &ri, &m), DV_OUT_UNMATCHED);
}
END_TEST

/* Attempt seq of logical query lseq, its generated name asked for qtype, and its answer in f. */
static void exchange_generated(uint64_t seq, uint64_t lseq, uint16_t qtype, uint8_t family,
			       uint8_t *f, size_t *rlen, struct dv_resp_info *ri)
{
	uint8_t name[DV_QNAME_OUT], q[DV_QUESTION_MAX];
	uint8_t nlen = dv_qsource_name(&qsg, lseq, name);
	uint16_t qlen = dv_question_write(q, name, nlen, qtype);
	uint16_t sport, id;
	dv_inflight_wire_id(&ifl, seq, &sport, &id);
	size_t len = dv_frame_compose(f, &l34[family], q, qlen, dv_question_sum(q, qlen), NULL, id,
				      sport, NULL);
	struct dv_attempt_id a = { .lseq = lseq, .qidx = DV_QIDX_GENERATED, .qtype = qtype,
				   .family = family };
	dv_inflight_issue(&ifl, seq, &a, 5);
	dv_inflight_publish(&ifl, seq + 1);
	respond(f, len, rlen, ri);
}

/* Each byte of the echoed name, changed alone (not by case), unmatches the answer. */
static void every_byte_counts(const struct dv_qsource *src, struct dv_resp_info *ri)
{
	struct dv_match m;
	uint8_t *qn = (uint8_t *)ri->qname;
	ck_assert_int_eq(dv_match_response(&ifl, src, target, ri, &m), DV_OUT_ANSWERED);
	for (unsigned i = 0; i < ri->qname_len; i++) {
		qn[i] ^= 0x01;
		ck_assert_msg(dv_match_response(&ifl, src, target, ri, &m) == DV_OUT_UNMATCHED,
			      "byte %u of %u changed, still matched", i, ri->qname_len);
		qn[i] ^= 0x01;
	}
	ck_assert_int_eq(dv_match_response(&ifl, src, target, ri, &m), DV_OUT_ANSWERED);
}

START_TEST(every_byte_of_the_name_counts)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;

	/* Names of 5 bytes (x.y.: shorter than a word), 11 (a.example.: a word
	 * and an overlapping last one) and a generated one of 25 (three words and a last). */
	exchange(0, 2, DV_FAMILY_V4, 2, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_uint_eq(ri.qname_len, 5);
	every_byte_counts(&qs, &ri);
	exchange(1, 0, DV_FAMILY_V4, 0, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_uint_eq(ri.qname_len, 11);
	every_byte_counts(&qs, &ri);

	exchange_generated(2, 5, 1, DV_FAMILY_V4, f, &rlen, &ri);
	ck_assert_uint_eq(ri.qname_len, 25);
	every_byte_counts(&qsg, &ri);
}
END_TEST

START_TEST(generated_names)
{
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri;
	struct dv_match m;

	/* Logical query 77's name, re-expanded by the collector from (seed, 77). */
	exchange_generated(0, 77, 28, DV_FAMILY_V6, f, &rlen, &ri);
	ck_assert_int_eq(dv_match_response(&ifl, &qsg, target, &ri, &m), DV_OUT_ANSWERED);
	ck_assert_uint_eq(m.a.lseq, 77);
	/* The same response, checked as logical query 78's: another name. */
	ifl.issue[0].a.lseq = 78;
	ck_assert_int_eq(dv_match_response(&ifl, &qsg, target, &ri, &m), DV_OUT_UNMATCHED);
	/* Wrong qtype. */
	ifl.issue[0].a.lseq = 77;
	ifl.issue[0].a.qtype = 1;
	ck_assert_int_eq(dv_match_response(&ifl, &qsg, target, &ri, &m), DV_OUT_UNMATCHED);
}
END_TEST

START_TEST(tcp_answer_by_seq)
{
	/* Over TCP the connection names the query (seq); the message alone is matched. */
	uint8_t f[2048];
	size_t rlen;
	struct dv_resp_info ri, mi;
	struct dv_match m;

	exchange(5, 1, DV_FAMILY_V6, 1, DV_FAMILY_V6, f, &rlen, &ri);
	ck_assert_int_eq(dv_response_parse_msg(ri.dns, ri.dns_len, ri.dns_len, AF_INET6, &mi), 0);
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 4, &mi, &m), DV_OUT_UNMATCHED); /* not sent */
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 5, &mi, &m), DV_OUT_ANSWERED);
	ck_assert_uint_eq(m.seq, 5);
	ck_assert_uint_eq(m.tx_tsc, 1005);
	ck_assert_uint_eq(m.a.qidx, 1);
	dv_inflight_answer(&ifl, &m);
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 5, &mi, &m), DV_OUT_DUPLICATE);
	/* The same answer for another query (other question): unmatched. */
	exchange(6, 0, DV_FAMILY_V6, 0, DV_FAMILY_V6, f, &rlen, &ri);
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 6, &mi, &m), DV_OUT_UNMATCHED);
	/* A query, not a response. */
	ck_assert_int_eq(dv_response_parse_msg(ri.dns, ri.dns_len, ri.dns_len, AF_INET6, &mi), 0);
	mi.qr = 0;
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 6, &mi, &m), DV_OUT_UNMATCHED);
	/* Timed out first: late. */
	ck_assert_uint_eq(dv_inflight_expire(&ifl, 0, true, 10, NULL, NULL), 7); /* seqs 0..6 */
	mi.qr = 1;
	ck_assert_int_eq(dv_match_tcp_answer(&ifl, &qs, 6, &mi, &m), DV_OUT_LATE);
}
END_TEST

/* The cheap checks of every matched answer: each kind found alone, none on a good answer. */
START_TEST(answer_checks_each_kind)
{
	struct dv_resp_info ok = { .flags = DV_DNS_QR, .rcode = 0, .qr = 1, .msg_len = 600, .arcount = 1 };
	ck_assert_uint_eq(dv_answer_violations(&ok, 1232, false), 0);
	ck_assert_uint_eq(dv_answer_violations(&ok, 0, false), 1u << DV_AV_OVERSIZE); /* 600 > 512 */
	struct dv_resp_info r = ok;
	r.flags |= 0x2800; /* opcode 5 */
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 1u << DV_AV_OPCODE);
	r = ok;
	r.msg_len = 1300;
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 1u << DV_AV_OVERSIZE);
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, true), 0); /* TCP: any size */
	r = ok;
	r.arcount = 0;
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 1u << DV_AV_NO_OPT);
	ck_assert_uint_eq(dv_answer_violations(&r, 0, false) & (1u << DV_AV_NO_OPT), 0);
	r.rcode = 1; /* FORMERR may come without an OPT (RFC 6891 7), but is a rejection */
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 1u << DV_AV_REJECTED);
	r = ok;
	r.tc = 1;
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, true), 1u << DV_AV_TC_TCP);
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 0);
	r = ok;
	r.rcode = 4;
	ck_assert_uint_eq(dv_answer_violations(&r, 1232, false), 1u << DV_AV_REJECTED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("match");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, answer_then_duplicate);
	tcase_add_test(tc, late_after_timeout);
	tcase_add_test(tc, other_question_is_unmatched);
	tcase_add_test(tc, other_family_is_unmatched);
	tcase_add_test(tc, other_source_is_unmatched);
	tcase_add_test(tc, name_case_is_ignored_id_is_not);
	tcase_add_test(tc, every_byte_of_the_name_counts);
	tcase_add_test(tc, generated_names);
	tcase_add_test(tc, tcp_answer_by_seq);
	tcase_add_test(tc, answer_checks_each_kind);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
