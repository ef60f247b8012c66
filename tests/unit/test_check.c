/* The compliance battery (lib/check): every check's query builds and parses
 * as asked; a compliant answer passes every check; an answer with one
 * defect fails the check that looks at that field, and says which. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "check/battery.h"
#include "check/judge.h"
#include "check_main.h"

/* One thing an answer can get wrong. */
enum defect {
	D_NONE,
	D_NO_QR,
	D_WRONG_ID,
	D_FORMERR,
	D_NO_OPT,
	D_OPT_UNASKED,
	D_VERSION1,
	D_ECHO_FLAG,
	D_ECHO_OPTION,
	D_BAD_COOKIE,
	D_BAD_KEEPALIVE,
	D_NO_AA,
	D_ANSWER_RECORDS,
	D_OVERSIZE,
	D_OTHER_QUESTION,
};

static void push(ldns_pkt *p, ldns_pkt_section s, const char *text)
{
	ldns_rr *rr = NULL;
	ck_assert_int_eq(ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL), LDNS_STATUS_OK);
	ck_assert(ldns_pkt_push_rr(p, s, rr));
}

static void set_options(ldns_pkt *p, const uint8_t *o, size_t n)
{
	ldns_rdf *old = ldns_pkt_edns_data(p);
	ldns_pkt_set_edns_data(p, n ? ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, n, o) : NULL);
	if (old != NULL)
		ldns_rdf_deep_free(old);
}

/* An answer to check c's query q, compliant but for defect d; its length. */
static size_t answer(const struct dv_check *c, const uint8_t *q, size_t qlen, enum defect d,
		     uint8_t *out, size_t len)
{
	ldns_pkt *p = NULL;
	ck_assert_int_eq(ldns_wire2pkt(&p, q, qlen), LDNS_STATUS_OK);
	ldns_pkt_set_qr(p, d != D_NO_QR);
	if (d == D_WRONG_ID)
		ldns_pkt_set_id(p, (uint16_t)(ldns_pkt_id(p) + 1));
	bool asked_opt = ldns_pkt_edns(p);
	unsigned rcode = __builtin_ctz(c->e.rcodes);
	if (d == D_FORMERR)
		rcode = 1;
	ldns_pkt_set_aa(p, rcode != 4 && d != D_NO_AA);
	ldns_pkt_set_rcode(p, (uint8_t)(rcode & 15));
	if (rcode == 0 && c->q.qtype == LDNS_RR_TYPE_SOA)
		push(p, LDNS_SECTION_ANSWER, "example. 3600 IN SOA ns.example. host.example. 1 2 3 4 5");
	if (d == D_ANSWER_RECORDS || d == D_OVERSIZE)
		for (int i = 0; i < (d == D_OVERSIZE ? 4 : 1); i++)
			push(p, LDNS_SECTION_ANSWER, "example. 3600 IN TXT \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"");
	if (d == D_OTHER_QUESTION) {
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		ldns_rr_set_type(qr, LDNS_RR_TYPE_A);
	}
	/* The OPT: version 0, our size, DO echoed, nothing we do not know. */
	if ((asked_opt && d != D_NO_OPT) || d == D_OPT_UNASKED) {
		ldns_pkt_set_edns_udp_size(p, 1232);
		ldns_pkt_set_edns_version(p, d == D_VERSION1 ? 1 : 0);
		ldns_pkt_set_edns_extended_rcode(p, (uint8_t)(rcode >> 4));
		uint16_t z = ldns_pkt_edns_z(p) & 0x8000;
		if (d == D_ECHO_FLAG)
			z |= DV_CHECK_UNKNOWN_FLAG;
		ldns_pkt_set_edns_z(p, z);
		uint8_t o[64];
		size_t n = 0;
		if (d == D_ECHO_OPTION) {
			memcpy(o, "\x00\x64\x00\x00", 4);
			n = 4;
		} else if (c->q.option == DV_CHECK_OPT_COOKIE) {
			/* ours, then an 8-byte server cookie; or one that is not ours */
			memcpy(o, "\x00\x0a\x00\x10", 4);
			memcpy(o + 4, d == D_BAD_COOKIE ? "12345678" : DV_CHECK_CLIENT_COOKIE, 8);
			memcpy(o + 12, "SRVCOOKI", 8);
			n = 20;
		} else if (c->q.option == DV_CHECK_OPT_KEEPALIVE) {
			memcpy(o, d == D_BAD_KEEPALIVE ? "\x00\x0b\x00\x03\x00\x64\x00" : "\x00\x0b\x00\x02\x00\x64",
			       d == D_BAD_KEEPALIVE ? 7 : 6);
			n = d == D_BAD_KEEPALIVE ? 7 : 6;
		}
		set_options(p, o, n);
	} else {
		ldns_pkt_set_edns_udp_size(p, 0);
		ldns_pkt_set_edns_version(p, 0);
		ldns_pkt_set_edns_z(p, 0);
		set_options(p, NULL, 0);
		p->_edns_present = 0; /* ldns keeps that it parsed an OPT; no setter */
	}
	uint8_t *wire = NULL;
	size_t wlen = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &wlen), LDNS_STATUS_OK);
	ck_assert_uint_le(wlen, len);
	memcpy(out, wire, wlen);
	free(wire);
	ldns_pkt_free(p);
	return wlen;
}

/* Does defect d concern check c (a field it looks at)? And the reason's first word. */
static const char *concerns(const struct dv_check *c, enum defect d)
{
	switch (d) {
	case D_NO_QR:
		return "QR:";
	case D_WRONG_ID:
		return "ID:";
	case D_FORMERR:
		return "rcode:";
	case D_OTHER_QUESTION:
		return "question:";
	case D_NO_OPT:
		/* Without an OPT an extended RCODE (BADVERS) cannot be said: the rcode differs first. */
		if (c->e.opt != DV_MUST)
			return NULL;
		return __builtin_ctz(c->e.rcodes) >= 16 ? "rcode:" : "OPT:";
	case D_OPT_UNASKED:
		return c->e.opt == DV_MUST_NOT ? "OPT:" : NULL;
	case D_VERSION1:
		return c->q.edns ? "EDNS version:" : NULL;
	case D_ECHO_FLAG:
		return c->q.flags ? "EDNS flags:" : NULL;
	case D_ECHO_OPTION:
		return c->q.option == DV_CHECK_UNKNOWN_OPTION ? "EDNS options:" : NULL;
	case D_BAD_COOKIE:
		return c->q.option == DV_CHECK_OPT_COOKIE ? "COOKIE:" : NULL;
	case D_BAD_KEEPALIVE:
		return c->q.option == DV_CHECK_OPT_KEEPALIVE ? "edns-tcp-keepalive:" : NULL;
	case D_NO_AA:
		return c->e.aa == DV_MUST ? "AA:" : NULL;
	case D_ANSWER_RECORDS:
		return c->e.no_answer ? "answer section:" : NULL;
	case D_OVERSIZE:
		return c->e.fits && c->q.transport == DV_CHECK_UDP &&
		       (!c->q.edns || c->q.bufsize <= 512) && !c->e.no_answer ? "size:" : NULL;
	default:
		return NULL;
	}
}

/* The judge's verdict on a whole answer over the check's transport. */
static enum dv_check_result judged(const struct dv_check *c, const uint8_t *q, size_t qlen,
				   const uint8_t *a, size_t alen)
{
	return dv_check_judge(c, q, qlen, a, alen, alen, c->q.transport == DV_CHECK_TCP);
}

START_TEST(queries_are_as_asked)
{
	for (unsigned i = 0; i < dv_checks_n; i++) {
		const struct dv_check *c = &dv_checks[i];
		uint8_t q[512];
		int n = dv_check_build(c, "example.", (uint16_t)(1000 + i), q, sizeof(q));
		ck_assert_msg(n > 12, "%s: built %d", c->id, n);
		ldns_pkt *p = NULL;
		ck_assert_int_eq(ldns_wire2pkt(&p, q, (size_t)n), LDNS_STATUS_OK);
		ck_assert_uint_eq(ldns_pkt_id(p), 1000 + i);
		ck_assert_uint_eq(ldns_pkt_get_opcode(p), c->q.opcode);
		ck_assert_msg(ldns_pkt_edns(p) == c->q.edns, "%s: OPT", c->id);
		const ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		ck_assert_uint_eq(ldns_rr_get_type(qr), c->q.qtype);
		if (c->q.edns) {
			ck_assert_uint_eq(ldns_pkt_edns_version(p), c->q.version);
			ck_assert_uint_eq(ldns_pkt_edns_udp_size(p), c->q.bufsize);
			ck_assert_uint_eq(ldns_pkt_edns_do(p), c->q.dnssec_ok);
			ck_assert_uint_eq(ldns_pkt_edns_z(p) & 0x7fff, c->q.flags);
			const ldns_rdf *o = ldns_pkt_edns_data(p);
			if (c->q.option) {
				ck_assert_ptr_nonnull(o);
				ck_assert_uint_eq(ldns_rdf_data(o)[1], c->q.option);
			}
		}
		ldns_pkt_free(p);
		ck_assert(dv_check_find(c->id) == c);
	}
	ck_assert_ptr_null(dv_check_find("nope"));
	uint8_t small[8];
	ck_assert_int_eq(dv_check_build(&dv_checks[0], "example.", 1, small, sizeof(small)), -ENOSPC);
	ck_assert_int_eq(dv_check_build(&dv_checks[0], "a..b", 1, small, sizeof(small)), -EINVAL);
	ck_assert_uint_ge(dv_checks_n, 12); /* RFC 8906 section 8 and more */
}
END_TEST

/* Each check passes on a compliant answer and fails, naming the field, on each defect it looks at. */
START_TEST(each_check_catches_its_defects)
{
	static const enum defect all[] = {
		D_NO_QR, D_WRONG_ID, D_FORMERR, D_NO_OPT, D_OPT_UNASKED, D_VERSION1, D_ECHO_FLAG,
		D_ECHO_OPTION, D_BAD_COOKIE, D_BAD_KEEPALIVE, D_NO_AA, D_ANSWER_RECORDS, D_OVERSIZE,
		D_OTHER_QUESTION,
	};
	unsigned caught = 0;
	for (unsigned i = 0; i < dv_checks_n; i++) {
		const struct dv_check *c = &dv_checks[i];
		uint8_t q[512], a[2048];
		char why[160];
		int qn = dv_check_build(c, "example.", 4242, q, sizeof(q));
		ck_assert_int_gt(qn, 0);
		size_t an = answer(c, q, (size_t)qn, D_NONE, a, sizeof(a));
		enum dv_check_verdict v = dv_check_verify(c, q, (size_t)qn, a, an, why, sizeof(why));
		ck_assert_msg(v == DV_CHECK_PASS, "%s: a compliant answer failed: %s", c->id, why);
		ck_assert_msg(judged(c, q, (size_t)qn, a, an) == DV_CR_PASS, "%s: judged", c->id);
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			const char *field = concerns(c, all[k]);
			if (field == NULL)
				continue;
			an = answer(c, q, (size_t)qn, all[k], a, sizeof(a));
			v = dv_check_verify(c, q, (size_t)qn, a, an, why, sizeof(why));
			ck_assert_msg(v == DV_CHECK_FAIL, "%s: defect %d passed", c->id, (int)all[k]);
			ck_assert_msg(strncmp(why, field, strlen(field)) == 0, "%s: defect %d: '%s', want '%s...'",
				      c->id, (int)all[k], why, field);
			/* The collector's judge (no ldns) names the same field. */
			enum dv_check_result r = judged(c, q, (size_t)qn, a, an);
			ck_assert_msg(r != DV_CR_PASS && strncmp(why, dv_check_field_name(r),
								 strlen(dv_check_field_name(r))) == 0 &&
				      why[strlen(dv_check_field_name(r))] == ':',
				      "%s: defect %d: judge says '%s', ldns '%s'", c->id, (int)all[k],
				      dv_check_field_name(r), why);
			caught++;
		}
	}
	ck_assert_uint_ge(caught, 5 * dv_checks_n);
	/* Not an answer at all. */
	char why[96];
	uint8_t q[512];
	int qn = dv_check_build(&dv_checks[0], "example.", 1, q, sizeof(q));
	ck_assert_int_eq(dv_check_verify(&dv_checks[0], q, (size_t)qn, (const uint8_t *)"junk", 4, why,
					 sizeof(why)), DV_CHECK_FAIL);
	ck_assert_ptr_nonnull(strstr(why, "does not parse"));
	ck_assert_int_eq(judged(&dv_checks[0], q, (size_t)qn, (const uint8_t *)"junk", 4), DV_CR_UNREADABLE);
	/* Every cut of a whole answer is unreadable to the judge, never read past (ASan). */
	const struct dv_check *c = dv_check_find("cookie");
	uint8_t a[2048];
	qn = dv_check_build(c, "example.", 9, q, sizeof(q));
	size_t an = answer(c, q, (size_t)qn, D_NONE, a, sizeof(a));
	for (size_t cut = 0; cut < an; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, a, cut);
		ck_assert_int_eq(dv_check_judge(c, q, (size_t)qn, copy, cut, an, false), DV_CR_UNREADABLE);
		free(copy);
	}
	ck_assert_int_eq(dv_check_judge(c, q, (size_t)qn, a, an, an, false), DV_CR_PASS);
}
END_TEST

/* The expected RCODEs are named in the reason: BADVERS is an extended RCODE. */
START_TEST(reasons_name_the_rcodes)
{
	const struct dv_check *c = dv_check_find("edns-version");
	ck_assert_ptr_nonnull(c);
	uint8_t q[512], a[2048];
	char why[160];
	int qn = dv_check_build(c, "example.", 7, q, sizeof(q));
	size_t an = answer(c, q, (size_t)qn, D_FORMERR, a, sizeof(a));
	ck_assert_int_eq(dv_check_verify(c, q, (size_t)qn, a, an, why, sizeof(why)), DV_CHECK_FAIL);
	ck_assert_str_eq(why, "rcode: expected BADVERS, got FORMERR");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, queries_are_as_asked);
	tcase_add_test(tc, each_check_catches_its_defects);
	tcase_add_test(tc, reasons_name_the_rcodes);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
