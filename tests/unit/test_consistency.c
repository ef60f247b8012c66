/* Unit tests for lib/metrics/consistency.c: the answer consistency tracker. */
#include <check.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "mutate.h"
#include "metrics/consistency.h"
#include "json_mutate.h"
#include "report/consistency_json.h"
#include "metrics/result.h"
#include "report/text.h"

#define SEC 1000000000ull
#define MSG_MAX 4096

/* ---- helpers ----------------------------------------------------------- */

/*
 * An answer to (qname, qtype) with the given records (presentation format,
 * NULL-terminated lists; NULL list = empty section), in wire format.
 * @return its length in buf
 */
static size_t build(uint8_t *buf, const char *qname, ldns_rr_type qtype, const char *const *an,
		    const char *const *ar)
{
	ldns_rdf *owner = NULL;
	ck_assert_int_eq(ldns_str2rdf_dname(&owner, qname), LDNS_STATUS_OK);
	ldns_pkt *p = ldns_pkt_query_new(owner, qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	ck_assert_ptr_nonnull(p);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_ra(p, true);
	const char *const *lists[2] = { an, ar };
	const ldns_pkt_section secs[2] = { LDNS_SECTION_ANSWER, LDNS_SECTION_ADDITIONAL };
	for (int s = 0; s < 2; s++) {
		for (const char *const *r = lists[s]; r != NULL && *r != NULL; r++) {
			ldns_rr *rr = NULL;
			ck_assert_int_eq(ldns_rr_new_frm_str(&rr, *r, 3600, NULL, NULL), LDNS_STATUS_OK);
			ck_assert(ldns_pkt_push_rr(p, secs[s], rr));
		}
	}
	uint8_t *wire = NULL;
	size_t len = 0;
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ck_assert_uint_le(len, MSG_MAX);
	memcpy(buf, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static const char *const mx_an[] = {
	"mx.ttl.test. 3600 IN MX 10 mail1.ttl.test.",
	"mx.ttl.test. 3600 IN MX 20 mail2.ttl.test.",
	NULL,
};

/* Additional section of the MX answer: mail1 with or without its A. */
static size_t mx_answer(uint8_t *buf, bool mail1_a, uint32_t a_ttl)
{
	char a1[128];
	snprintf(a1, sizeof(a1), "mail1.ttl.test. %u IN A 198.18.10.1", a_ttl);
	const char *both[] = { a1, "mail1.ttl.test. 83213 IN AAAA 2001:2:0:10::1",
			       "mail2.ttl.test. 71 IN A 198.18.10.2",
			       "mail2.ttl.test. 83213 IN AAAA 2001:2:0:10::2", NULL };
	return build(buf, "mx.ttl.test.", LDNS_RR_TYPE_MX, mx_an, mail1_a ? both : both + 1);
}

static const struct dv_cons_owner *owner_of(const struct dv_cons_key *k, const char *name)
{
	char buf[300];
	for (unsigned i = 0; i < k->nowners; i++)
		if (strcmp(dv_cons_name_str(k->owner[i].name, k->owner[i].name_len, buf, sizeof(buf)),
			   name) == 0)
			return &k->owner[i];
	return NULL;
}

/* ---- tests ------------------------------------------------------------- */

/* 10 intervals with A+AAAA, 3 with AAAA only, then both again: one episode, [10, 12]. */
START_TEST(test_vanishing_episode)
{
	struct dv_cons *t = dv_cons_new(SEC);
	ck_assert_ptr_nonnull(t);
	uint8_t msg[MSG_MAX];
	for (unsigned iv = 0; iv < 16; iv++) {
		bool a = iv < 10 || iv > 12;
		for (unsigned k = 0; k < 2; k++) {
			size_t len = mx_answer(msg, a, 13);
			ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC + 100000000ull + k * 500000000ull), 0);
		}
	}
	ck_assert_uint_eq(t->nkeys, 1);
	const struct dv_cons_key *k = &t->key[0];
	ck_assert_uint_eq(k->answers, 32);
	ck_assert_uint_eq(k->qtype, LDNS_RR_TYPE_MX);
	ck_assert_uint_eq(k->count_min[DV_CONS_SEC_AN], 2);
	ck_assert_uint_eq(k->count_max[DV_CONS_SEC_AN], 2);
	ck_assert_uint_eq(k->count_min[DV_CONS_SEC_AR], 3);
	ck_assert_uint_eq(k->count_max[DV_CONS_SEC_AR], 4);
	/* The additional count went 4 -> 3 at 10.1 s and back at 13.1 s. */
	ck_assert_uint_eq(k->nchanges, 2);
	ck_assert_uint_eq(k->chg[0].iv, 10);
	ck_assert_uint_eq(k->chg[0].t_ns, 10 * SEC + 100000000ull);
	ck_assert_uint_eq(k->chg[0].from[DV_CONS_SEC_AR], 4);
	ck_assert_uint_eq(k->chg[0].to[DV_CONS_SEC_AR], 3);
	ck_assert_uint_eq(k->chg[0].to[DV_CONS_SEC_AN], 2);
	ck_assert_uint_eq(k->chg[1].iv, 13);
	ck_assert_uint_eq(k->chg[1].to[DV_CONS_SEC_AR], 4);
	ck_assert_uint_eq(k->changes_dropped, 0);
	ck_assert_uint_eq(k->nowners, 2);
	const struct dv_cons_owner *m1 = owner_of(k, "mail1.ttl.test.");
	const struct dv_cons_owner *m2 = owner_of(k, "mail2.ttl.test.");
	ck_assert_ptr_nonnull(m1);
	ck_assert_ptr_nonnull(m2);

	const struct dv_cons_family *a = &m1->fam[DV_CONS_A];
	ck_assert_uint_eq(a->nep, 1);
	ck_assert_uint_eq(a->ep[0].first_iv, 10);
	ck_assert_uint_eq(a->ep[0].last_iv, 12);
	ck_assert_uint_eq(a->ep[0].answers, 6);
	ck_assert_uint_eq(a->ep[0].first_ns, 10 * SEC + 100000000ull);
	ck_assert_uint_eq(a->ep[0].last_ns, 12 * SEC + 600000000ull);
	ck_assert_uint_eq(a->missing, 6);
	ck_assert(!a->missing_last);
	ck_assert_uint_eq(a->answers, 26);
	ck_assert_uint_eq(a->sections, 1u << DV_CONS_SEC_AR);
	ck_assert_uint_eq(a->naddr, 1);
	char buf[64];
	ck_assert_str_eq(dv_cons_addr_str(a, DV_CONS_A, 0, buf, sizeof(buf)), "198.18.10.1");
	/* The family that stayed has no episode, nor has the other owner. */
	ck_assert_uint_eq(m1->fam[DV_CONS_AAAA].nep, 0);
	ck_assert_uint_eq(m1->fam[DV_CONS_AAAA].answers, 32);
	ck_assert_str_eq(dv_cons_addr_str(&m1->fam[DV_CONS_AAAA], DV_CONS_AAAA, 0, buf, sizeof(buf)),
			 "2001:2:0:10::1");
	ck_assert_uint_eq(m2->fam[DV_CONS_A].nep, 0);
	ck_assert_uint_eq(m2->fam[DV_CONS_AAAA].nep, 0);

	/* Later: a mixed interval (missing, then present), the next one missing: one
	 * episode [20, 21]; a gap, then one more at 25, still open at the end. */
	size_t len = mx_answer(msg, false, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 20 * SEC + 1), 0);
	len = mx_answer(msg, true, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 20 * SEC + 2), 0);
	len = mx_answer(msg, false, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 21 * SEC + 5), 0);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 25 * SEC), 0);
	ck_assert_uint_eq(a->nep, 3);
	ck_assert_uint_eq(a->ep[1].first_iv, 20);
	ck_assert_uint_eq(a->ep[1].last_iv, 21);
	ck_assert_uint_eq(a->ep[1].answers, 2);
	ck_assert_uint_eq(a->ep[2].first_iv, 25);
	ck_assert_uint_eq(a->ep[2].last_iv, 25);
	ck_assert(a->missing_last);
	ck_assert_uint_eq(t->last_iv, 25);
	dv_cons_free(t);
}
END_TEST

/* A family never seen for the question cannot vanish: AAAA-only answers first are fine. */
START_TEST(test_first_seen)
{
	struct dv_cons *t = dv_cons_new(SEC);
	uint8_t msg[MSG_MAX];
	for (unsigned iv = 0; iv < 3; iv++) {
		size_t len = mx_answer(msg, false, 13);
		ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC), 0);
	}
	const struct dv_cons_family *a = &owner_of(&t->key[0], "mail1.ttl.test.")->fam[DV_CONS_A];
	ck_assert_uint_eq(a->answers, 0);
	ck_assert_uint_eq(a->nep, 0);
	ck_assert_uint_eq(a->missing, 0);
	size_t len = mx_answer(msg, true, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 3 * SEC), 0);
	len = mx_answer(msg, false, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 4 * SEC), 0);
	ck_assert_uint_eq(a->nep, 1);
	ck_assert_uint_eq(a->ep[0].first_iv, 4);
	/* An answer without the owner at all says nothing about its families. */
	len = build(msg, "mx.ttl.test.", LDNS_RR_TYPE_MX, mx_an, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 9 * SEC), 0);
	ck_assert_uint_eq(a->nep, 1);
	ck_assert_uint_eq(a->missing, 1);
	ck_assert_uint_eq(t->key[0].count_min[DV_CONS_SEC_AR], 0);
	dv_cons_free(t);
}
END_TEST

/* The interval is a parameter: 2.5 s intervals put 0..2.4 s in interval 0. */
START_TEST(test_interval_length)
{
	struct dv_cons *t = dv_cons_new(2500000000ull);
	uint8_t msg[MSG_MAX];
	size_t len = mx_answer(msg, true, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 0), 0);
	len = mx_answer(msg, false, 13);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 2 * SEC), 0);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 7 * SEC), 0);
	const struct dv_cons_family *a = &t->key[0].owner[0].fam[DV_CONS_A];
	ck_assert_uint_eq(a->nep, 2);
	ck_assert_uint_eq(a->ep[0].first_iv, 0);
	ck_assert_uint_eq(a->ep[1].first_iv, 2);
	ck_assert_ptr_null(dv_cons_new(0));
	dv_cons_free(t);
}
END_TEST

/* A TTL 13 vs AAAA 83213: a mismatch; the A's TTL going up again counts as a refresh. */
START_TEST(test_ttl_mismatch)
{
	struct dv_cons *t = dv_cons_new(SEC);
	uint8_t msg[MSG_MAX];
	uint32_t ttls[] = { 13, 9, 4, 0, 13, 7, 0, 12 };
	for (unsigned i = 0; i < sizeof(ttls) / sizeof(ttls[0]); i++) {
		size_t len = mx_answer(msg, true, ttls[i]);
		ck_assert_int_eq(dv_cons_add(t, msg, len, i * SEC), 0);
	}
	const struct dv_cons_key *k = &t->key[0];
	const struct dv_cons_owner *m1 = owner_of(k, "mail1.ttl.test.");
	const struct dv_cons_owner *m2 = owner_of(k, "mail2.ttl.test.");
	ck_assert_uint_eq(m1->fam[DV_CONS_A].ttl_min, 0);
	ck_assert_uint_eq(m1->fam[DV_CONS_A].ttl_max, 13);
	ck_assert_uint_eq(m1->fam[DV_CONS_A].refreshes, 2);
	ck_assert_uint_eq(m1->fam[DV_CONS_AAAA].ttl_min, 83213);
	ck_assert_uint_eq(m1->fam[DV_CONS_AAAA].ttl_max, 83213);
	ck_assert_uint_eq(m1->fam[DV_CONS_AAAA].refreshes, 0);
	ck_assert(dv_cons_ttl_mismatch(m1));
	ck_assert(dv_cons_ttl_mismatch(m2)); /* 71 vs 83213 */
	ck_assert_uint_eq(m1->fam[DV_CONS_A].nep, 0);

	/* Equal or close TTLs, and one family only: no mismatch. */
	const char *an[] = { "www.ttl.test. 3600 IN A 198.18.0.9", "www.ttl.test. 3000 IN AAAA 2001:2::9",
			     "v4.ttl.test. 5 IN A 198.18.0.8", NULL };
	size_t len = build(msg, "www.ttl.test.", LDNS_RR_TYPE_ANY, an, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 0), 0);
	ck_assert_uint_eq(t->nkeys, 2);
	ck_assert(!dv_cons_ttl_mismatch(owner_of(&t->key[1], "www.ttl.test.")));
	ck_assert(!dv_cons_ttl_mismatch(owner_of(&t->key[1], "v4.ttl.test.")));
	/* Close in ratio but only 30 s apart: no mismatch either. */
	const char *an2[] = { "s.ttl.test. 20 IN A 198.18.0.7", "s.ttl.test. 50 IN AAAA 2001:2::7", NULL };
	len = build(msg, "s.ttl.test.", LDNS_RR_TYPE_ANY, an2, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 0), 0);
	ck_assert(!dv_cons_ttl_mismatch(owner_of(&t->key[2], "s.ttl.test.")));
	dv_cons_free(t);
}
END_TEST

/* Names are compared case-insensitively: one key, one owner. */
START_TEST(test_case_insensitive)
{
	struct dv_cons *t = dv_cons_new(SEC);
	uint8_t msg[MSG_MAX];
	const char *an1[] = { "Mail1.TTL.test. 60 IN A 198.18.0.1", NULL };
	const char *an2[] = { "mail1.ttl.test. 60 IN A 198.18.0.1", NULL };
	size_t len = build(msg, "MAIL1.ttl.TEST.", LDNS_RR_TYPE_A, an1, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 0), 0);
	len = build(msg, "mail1.ttl.test.", LDNS_RR_TYPE_A, an2, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 0), 0);
	ck_assert_uint_eq(t->nkeys, 1);
	ck_assert_uint_eq(t->key[0].nowners, 1);
	ck_assert_uint_eq(t->key[0].owner[0].fam[DV_CONS_A].answers, 2);
	char buf[300];
	ck_assert_str_eq(dv_cons_name_str(t->key[0].qname, t->key[0].qname_len, buf, sizeof(buf)),
			 "mail1.ttl.test.");
	ck_assert_str_eq(dv_cons_type_str(t->key[0].qtype, buf, sizeof(buf)), "A");
	dv_cons_free(t);
}
END_TEST

/* More keys, owners, addresses and episodes than fit: counted, nothing else changes. */
START_TEST(test_overflow)
{
	struct dv_cons *t = dv_cons_new(SEC);
	uint8_t msg[MSG_MAX];
	char name[64];
	for (unsigned i = 0; i < DV_CONS_KEYS + 44; i++) {
		snprintf(name, sizeof(name), "n%u.ttl.test.", i);
		size_t len = build(msg, name, LDNS_RR_TYPE_A, NULL, NULL);
		ck_assert_int_eq(dv_cons_add(t, msg, len, 0), i < DV_CONS_KEYS ? 0 : -ENOSPC);
	}
	ck_assert_uint_eq(t->nkeys, DV_CONS_KEYS);
	ck_assert_uint_eq(t->keys_dropped, 44);
	ck_assert_uint_eq(t->fed, DV_CONS_KEYS + 44);
	ck_assert_uint_eq(t->used, DV_CONS_KEYS);
	ck_assert_uint_eq(t->malformed, 0);

	/* 20 owners in one answer, 6 addresses for one owner. */
	struct dv_cons *u = dv_cons_new(SEC);
	static char rrs[32][96];
	const char *an[32];
	unsigned n = 0;
	for (unsigned i = 0; i < 20; i++, n++) {
		snprintf(rrs[n], sizeof(rrs[n]), "h%u.ttl.test. 60 IN A 198.18.1.%u", i, i + 1);
		an[n] = rrs[n];
	}
	for (unsigned i = 0; i < 5; i++, n++) {
		snprintf(rrs[n], sizeof(rrs[n]), "h0.ttl.test. 60 IN A 198.18.2.%u", i + 1);
		an[n] = rrs[n];
	}
	an[n] = NULL;
	size_t len = build(msg, "many.ttl.test.", LDNS_RR_TYPE_A, an, NULL);
	ck_assert_int_eq(dv_cons_add(u, msg, len, 0), 0);
	const struct dv_cons_key *k = &u->key[0];
	ck_assert_uint_eq(k->nowners, DV_CONS_OWNERS);
	ck_assert_uint_eq(k->owners_dropped, 4);
	ck_assert_uint_eq(k->owner[0].fam[DV_CONS_A].naddr, DV_CONS_ADDRS);
	ck_assert_uint_eq(k->owner[0].fam[DV_CONS_A].addrs_dropped, 6 - DV_CONS_ADDRS);

	/* Episodes: every other interval missing, 3 x DV_CONS_EPISODES of them; the
	 * episodes that did not fit are counted once each, a long one once. */
	struct dv_cons *v = dv_cons_new(SEC);
	unsigned iv = 0;
	for (unsigned e = 0; e < 3 * DV_CONS_EPISODES; e++) {
		len = mx_answer(msg, true, 13);
		ck_assert_int_eq(dv_cons_add(v, msg, len, (uint64_t)iv++ * SEC), 0);
		len = mx_answer(msg, false, 13);
		ck_assert_int_eq(dv_cons_add(v, msg, len, (uint64_t)iv++ * SEC), 0);
	}
	for (unsigned e = 0; e < 5; e++) /* one more episode, 5 intervals long */
		ck_assert_int_eq(dv_cons_add(v, msg, len, (uint64_t)(iv + 1 + e) * SEC), 0);
	const struct dv_cons_family *a = &owner_of(&v->key[0], "mail1.ttl.test.")->fam[DV_CONS_A];
	ck_assert_uint_eq(a->nep, DV_CONS_EPISODES);
	ck_assert_uint_eq(a->ep_dropped, 2 * DV_CONS_EPISODES + 1);
	/* The counts flipped 2 x 3 x DV_CONS_EPISODES - 1 times (then stayed). */
	ck_assert_uint_eq(v->key[0].nchanges, DV_CONS_CHANGES);
	ck_assert_uint_eq(v->key[0].changes_dropped, 6 * DV_CONS_EPISODES - 1 - DV_CONS_CHANGES);
	ck_assert_uint_eq(a->missing, 3 * DV_CONS_EPISODES + 5);
	dv_cons_free(t);
	dv_cons_free(u);
	dv_cons_free(v);
}
END_TEST

/* Truncated, mutated and random messages: ignored safely, counted as malformed or used. */
START_TEST(test_garbage)
{
	struct dv_cons *t = dv_cons_new(SEC);
	static uint8_t seeds[2][MSG_MAX];
	size_t slen[2];
	slen[0] = mx_answer(seeds[0], true, 13);
	slen[1] = mx_answer(seeds[1], false, 0);
	uint8_t buf[MSG_MAX];

	ck_assert_int_eq(dv_cons_add(t, NULL, 0, 0), -EINVAL);
	ck_assert_int_eq(dv_cons_add(t, seeds[0], 0, 0), -EINVAL);
	ck_assert_int_eq(dv_cons_add(NULL, seeds[0], slen[0], 0), -EINVAL);
	/* Every proper prefix lacks records its header announces: none parses. */
	for (size_t l = 0; l < slen[0]; l++) {
		memcpy(buf, seeds[0], l);
		ck_assert_int_eq(dv_cons_add(t, buf, l, l * SEC), -EINVAL);
	}
	ck_assert_uint_eq(t->nkeys, 0);
	ck_assert_uint_eq(t->malformed, t->fed);

	/* No question: not counted under a key. */
	uint8_t hdr[12] = { 0x12, 0x34, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0 };
	ck_assert_int_eq(dv_cons_add(t, hdr, sizeof(hdr), 0), -EINVAL);

	srandom(7);
	for (int i = 0; i < 20000; i++) {
		size_t len = dv_mutate(buf, &seeds[0][0], MSG_MAX, slen, 2, 600);
		int rc = dv_cons_add(t, buf, len, (uint64_t)random() * 1000);
		ck_assert(rc == 0 || rc == -EINVAL || rc == -ENOSPC);
	}
	ck_assert_uint_eq(t->fed, t->used + t->malformed + t->keys_dropped);
	ck_assert_uint_le(t->nkeys, DV_CONS_KEYS);
	/* A valid answer still counts after all that. */
	uint64_t used = t->used;
	ck_assert_int_eq(dv_cons_add(t, seeds[0], slen[0], 0), 0);
	ck_assert_uint_eq(t->used, used + 1);
	dv_cons_free(t);
}
END_TEST

/* The text section of a tracker, as dv_report_text prints it. */
static char *section_of(struct dv_cons *t)
{
	static struct dv_result r;
	char *buf = NULL;
	size_t len = 0;
	memset(&r, 0, sizeof(r));
	dv_tx_stats_init(&r.tx);
	dv_rx_stats_init(&r.rx);
	r.consistency = t;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	dv_report_text(f, NULL, &r);
	fclose(f);
	char *sec = strstr(buf, "Answer consistency");
	ck_assert_ptr_nonnull(sec);
	sec = strdup(sec);
	free(buf);
	return sec;
}

/* What `dnsvolley report` reads back prints the same section and writes the same JSON. */
START_TEST(test_json_round_trip)
{
	struct dv_cons *t = dv_cons_new(SEC / 2);
	struct dv_cons *back = dv_cons_new(1);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(back);
	uint8_t msg[MSG_MAX];
	for (unsigned iv = 0; iv < 30; iv++) {
		size_t len = mx_answer(msg, iv < 10 || iv > 14, 13 - iv % 14);
		ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC / 2 + 1234567ull), 0);
	}
	const char *an[] = { "mail1.ttl.test. 13 IN A 198.18.10.1", NULL };
	size_t len = build(msg, "mail1.ttl.test.", LDNS_RR_TYPE_A, an, NULL);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 16 * SEC), 0);
	t->ring_dropped = 3;

	json_t *j = dv_cons_to_json(t);
	ck_assert_ptr_nonnull(j);
	char *text = json_dumps(j, JSON_COMPACT);
	json_error_t jerr;
	json_t *in = json_loads(text, 0, &jerr);
	char err[256] = "";
	ck_assert_msg(dv_cons_from_json(in, back, err, sizeof(err)) == 0, "%s", err);
	json_t *j2 = dv_cons_to_json(back);
	ck_assert_msg(json_equal(j, j2), "JSON differs after reading back");
	char *s1 = section_of(t), *s2 = section_of(back);
	ck_assert_str_eq(s1, s2);
	ck_assert_ptr_nonnull(strstr(s1, "TTL mismatch"));
	ck_assert_ptr_nonnull(strstr(s1, "A vanished while AAAA remained"));

	/* Wrong input: one line, never a crash. */
	json_t *badname = json_deep_copy(in);
	json_object_set_new(json_array_get(json_object_get(badname, "names"), 0), "qtype",
			    json_string("NOTATYPE"));
	ck_assert_int_eq(dv_cons_from_json(badname, back, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "NOTATYPE"));
	ck_assert_int_eq(dv_cons_from_json(json_array_get(in, 0), back, err, sizeof(err)), -EINVAL);
	json_t *many = json_deep_copy(in);
	json_t *names = json_object_get(many, "names");
	while (json_array_size(names) <= DV_CONS_KEYS)
		json_array_append(names, json_array_get(names, 0));
	ck_assert_int_eq(dv_cons_from_json(many, back, err, sizeof(err)), -EINVAL);

	json_decref(many);
	json_decref(badname);
	free(s1);
	free(s2);
	free(text);
	json_decref(in);
	json_decref(j);
	json_decref(j2);
	dv_cons_free(back);
	dv_cons_free(t);
}
END_TEST

/* Any consistency object a file may hold reads back (and prints) or fails with one line. */
START_TEST(test_fuzz_json)
{
	struct dv_cons *t = dv_cons_new(SEC);
	struct dv_cons *back = dv_cons_new(1);
	uint8_t msg[MSG_MAX];
	for (unsigned iv = 0; iv < 20; iv++) {
		size_t len = mx_answer(msg, iv % 7 != 3, 13 - iv % 13);
		ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC + 17), 0);
	}
	json_t *good = dv_cons_to_json(t);
	ck_assert_ptr_nonnull(good);
	srandom(1202);
	unsigned failed = 0;
	char err[256];
	for (int i = 0; i < 1500; i++) {
		json_t *m = json_deep_copy(good);
		dv_json_mutate(m, 2 + (unsigned)(i % 20) * 30);
		err[0] = '\0';
		if (dv_cons_from_json(m, back, err, sizeof(err)) < 0) {
			failed++;
			ck_assert_msg(err[0] != '\0', "no error line");
		} else {
			free(section_of(back));
		}
		json_decref(m);
	}
	ck_assert_uint_gt(failed, 50);
	ck_assert_uint_lt(failed, 1500);
	json_decref(good);
	dv_cons_free(back);
	dv_cons_free(t);
}
END_TEST

/* TTL over time: a point per interval while it fits, then coarser, never more than fits. */
START_TEST(test_ttl_series)
{
	struct dv_cons *t = dv_cons_new(SEC);
	uint8_t msg[MSG_MAX];
	/* mail1's A counts down 13..0 and is fetched again: a sawtooth, two answers an interval. */
	for (unsigned iv = 0; iv < 40; iv++)
		for (unsigned k = 0; k < 2; k++) {
			size_t len = mx_answer(msg, true, 13 - iv % 14);
			ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC + k * 300000000ull), 0);
		}
	const struct dv_cons_family *a = &owner_of(&t->key[0], "mail1.ttl.test.")->fam[DV_CONS_A];
	const struct dv_cons_family *aaaa = &owner_of(&t->key[0], "mail1.ttl.test.")->fam[DV_CONS_AAAA];
	ck_assert_uint_eq(a->ttl_width, 1);
	ck_assert_uint_eq(a->nttl, 40);
	for (unsigned i = 0; i < 40; i++) {
		ck_assert_uint_eq(a->ttl_at[i].bucket, i);
		ck_assert_uint_eq(a->ttl_at[i].ttl, 13 - i % 14);
	}
	ck_assert_uint_eq(aaaa->nttl, 40);
	ck_assert_uint_eq(aaaa->ttl_at[39].ttl, 83213);

	/* 200 intervals: the width doubles until they fit (4 intervals a point), each the lowest of its 4. */
	for (unsigned iv = 40; iv < 200; iv++) {
		size_t len = mx_answer(msg, true, 13 - iv % 14);
		ck_assert_int_eq(dv_cons_add(t, msg, len, iv * SEC), 0);
	}
	ck_assert_uint_eq(a->ttl_width, 4);
	ck_assert_uint_eq(a->nttl, 50);
	for (unsigned i = 0; i < 50; i++) {
		uint32_t lo = UINT32_MAX;
		for (unsigned iv = 4 * i; iv < 4 * i + 4; iv++)
			lo = 13 - iv % 14 < lo ? 13 - iv % 14 : lo;
		ck_assert_uint_eq(a->ttl_at[i].bucket, i);
		ck_assert_uint_eq(a->ttl_at[i].ttl, lo);
	}
	/* A sample late from another collector folds into its bucket. */
	size_t len = mx_answer(msg, true, 1);
	ck_assert_uint_eq(a->ttl_at[47].ttl, 4);
	ck_assert_int_eq(dv_cons_add(t, msg, len, 189 * SEC), 0);
	ck_assert_uint_eq(a->ttl_at[47].ttl, 1);
	/* Sparse samples far apart (one every 100 intervals): still bounded. */
	for (unsigned iv = 300; iv < 100000; iv += 100) {
		len = mx_answer(msg, true, 7);
		ck_assert_int_eq(dv_cons_add(t, msg, len, (uint64_t)iv * SEC), 0);
	}
	ck_assert_uint_le(a->nttl, DV_CONS_TTL_POINTS);
	ck_assert_uint_ge(a->nttl, DV_CONS_TTL_POINTS / 4);
	for (unsigned i = 1; i < a->nttl; i++)
		ck_assert_uint_gt(a->ttl_at[i].bucket, a->ttl_at[i - 1].bucket);
	dv_cons_free(t);
}
END_TEST

static Suite *consistency_suite(void)
{
	Suite *s = suite_create("consistency");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_vanishing_episode);
	tcase_add_test(tc, test_first_seen);
	tcase_add_test(tc, test_interval_length);
	tcase_add_test(tc, test_ttl_mismatch);
	tcase_add_test(tc, test_case_insensitive);
	tcase_add_test(tc, test_overflow);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_test(tc, test_fuzz_json);
	tcase_add_test(tc, test_ttl_series);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(consistency_suite());
}
