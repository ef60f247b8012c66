/* dnsvolley analyze's parts: the packet parser on good, cut and hostile
 * packets; sequences opened, joined and closed by the quiet time or a full
 * window; the first-two gap clusters; queries per source. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/packet.h"
#include "analyze/sources.h"
#include "analyze/tables.h"
#include "analyze/window.h"
#include "check_main.h"
#include "core/types.h"

/* An IPv4 or IPv6 packet carrying query for name (wire form) over UDP or TCP to port 53. */
static size_t packet(uint8_t *p, int fam, bool tcp, const char *wname, uint16_t qtype, int edns, bool do_bit,
		     bool response)
{
	uint8_t m[300];
	size_t n = 0, nl = strlen(wname) + 1;
	memcpy(m, "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	if (response)
		m[2] |= 0x80 | 0x02;
	m[11] = edns >= 0;
	n = 12;
	memcpy(m + n, wname, nl);
	n += nl;
	m[n++] = (uint8_t)(qtype >> 8);
	m[n++] = (uint8_t)qtype;
	m[n++] = 0;
	m[n++] = 1;
	if (edns >= 0) {
		uint8_t opt[11] = { 0, 0, 41, (uint8_t)(edns >> 8), (uint8_t)edns, 0, 0, do_bit ? 0x80 : 0, 0, 0, 0 };
		memcpy(m + n, opt, 11);
		n += 11;
	}
	uint8_t l4[400];
	size_t l4n;
	uint16_t sport = response ? 53 : 40000, dport = response ? 40000 : 53;
	if (tcp) {
		memset(l4, 0, 20);
		l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport, l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
		l4[12] = 5 << 4;
		l4[20] = (uint8_t)(n >> 8), l4[21] = (uint8_t)n;
		memcpy(l4 + 22, m, n);
		l4n = 22 + n;
	} else {
		l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport, l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
		l4[4] = (uint8_t)((8 + n) >> 8), l4[5] = (uint8_t)(8 + n), l4[6] = l4[7] = 0;
		memcpy(l4 + 8, m, n);
		l4n = 8 + n;
	}
	if (fam == 4) {
		memset(p, 0, 20);
		p[0] = 0x45;
		p[2] = (uint8_t)((20 + l4n) >> 8), p[3] = (uint8_t)(20 + l4n);
		p[8] = 64;
		p[9] = tcp ? 6 : 17;
		memcpy(p + 12, "\xc6\x12\x01\x07", 4);
		memcpy(p + 16, "\xc6\x12\x00\x02", 4);
		memcpy(p + 20, l4, l4n);
		return 20 + l4n;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(l4n >> 8), p[5] = (uint8_t)l4n;
	p[6] = tcp ? 6 : 17;
	p[7] = 64;
	memcpy(p + 8, "\x20\x01\x00\x02\0\0\0\0\0\0\0\0\0\x01\0\x07", 16);
	memcpy(p + 24, "\x20\x01\x00\x02\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	memcpy(p + 40, l4, l4n);
	return 40 + l4n;
}

START_TEST(packets_parse)
{
	uint8_t p[600];
	struct dv_seen_query q;
	size_t n = packet(p, 4, false, "\x03" "WwW" "\x07" "example" "\x00", 1, 1232, true, false);
	ck_assert_int_eq(dv_seen_parse(p, n, 53, &q), DV_SEEN_QUERY);
	ck_assert_uint_eq(q.family, DV_FAMILY_V4);
	ck_assert(!q.tcp && q.edns && q.dnssec_ok);
	ck_assert_uint_eq(q.edns_size, 1232);
	ck_assert_uint_eq(q.qtype, 1);
	ck_assert_uint_eq(q.qname_len, 13);
	ck_assert_mem_eq(q.qname, "\x03" "www" "\x07" "example" "\x00", 13); /* lower case */
	ck_assert_mem_eq(q.src, "\xc6\x12\x01\x07", 4);
	ck_assert_int_eq(dv_seen_parse(p, n, 5353, &q), DV_SEEN_OTHER);
	n = packet(p, 6, true, "\x01" "a" "\x00", 28, -1, false, false);
	ck_assert_int_eq(dv_seen_parse(p, n, 53, &q), DV_SEEN_QUERY);
	ck_assert(q.family == DV_FAMILY_V6 && q.tcp && !q.edns);
	ck_assert_uint_eq(q.qtype, 28);
	n = packet(p, 6, false, "\x01" "a" "\x00", 1, 1232, false, true);
	ck_assert_int_eq(dv_seen_parse(p, n, 53, &q), DV_SEEN_RESPONSE);
	ck_assert(q.tc);
	/* A fragment: MF set, or an offset. */
	n = packet(p, 4, false, "\x01" "a" "\x00", 1, -1, false, false);
	p[6] = 0x20;
	ck_assert_int_eq(dv_seen_parse(p, n, 53, &q), DV_SEEN_FRAGMENT);
	/* Every cut of a query is classified, never read past (ASan), and is no query. */
	n = packet(p, 6, false, "\x03" "www" "\x07" "example" "\x00", 1, 4096, false, false);
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, p, cut);
		enum dv_seen_kind k = dv_seen_parse(c, cut, 53, &q);
		ck_assert_msg(k != DV_SEEN_QUERY, "cut %zu parsed as a query", cut);
		free(c);
	}
	/* Any byte flipped: classified (ASan and UBSan watch). */
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; b < 8; b++) {
			p[i] ^= (uint8_t)(1u << b);
			(void)dv_seen_parse(p, n, 53, &q);
			p[i] ^= (uint8_t)(1u << b);
		}
}
END_TEST

static struct dv_seen_query qry(const char *wname, int fam, bool tcp)
{
	struct dv_seen_query q;
	memset(&q, 0, sizeof(q));
	q.family = (uint8_t)(fam == 6 ? DV_FAMILY_V6 : DV_FAMILY_V4);
	q.tcp = tcp;
	q.qname_len = (uint8_t)(strlen(wname) + 1);
	memcpy(q.qname, wname, q.qname_len);
	q.qtype = 1;
	return q;
}

#define MS 1000000ull

START_TEST(sequences_close_on_quiet_time)
{
	static struct dv_an_tables t;
	memset(&t, 0, sizeof(t));
	struct dv_an_window w;
	ck_assert_int_eq(dv_an_window_init(&w, 100, 5000 * MS), 0);
	struct dv_seen_query a = qry("\x01" "a", 6, false), b = qry("\x01" "b", 4, false), c = qry("\x01" "c", 4, false);
	dv_an_window_add(&w, &t, &a, 1000 * MS);
	dv_an_window_add(&w, &t, &b, 1100 * MS);
	dv_an_window_add(&w, &t, &a, 1375 * MS + 0);
	a.family = DV_FAMILY_V4;
	a.tcp = true;
	dv_an_window_add(&w, &t, &a, 1400 * MS);
	dv_an_window_add(&w, &t, &c, 2000 * MS);
	ck_assert_uint_eq(t.sequences, 0);
	/* 10 s later: all three are quiet and close before c opens again. */
	dv_an_window_add(&w, &t, &c, 12000 * MS);
	ck_assert_uint_eq(t.sequences, 3);
	ck_assert_uint_eq(t.seq_len[1], 2);
	ck_assert_uint_eq(t.seq_len[3], 1);
	ck_assert_uint_eq(t.first_two[DV_FAMILY_V6][DV_FAMILY_V6], 1); /* a: v6, then v6 (the first two) */
	ck_assert_uint_eq(t.gap[375], 1);
	ck_assert_uint_eq(t.udp_then_tcp, 1);
	ck_assert_uint_eq(t.start[DV_FAMILY_V6], 1);
	ck_assert_uint_eq(t.only[DV_FAMILY_V4], 2);
	dv_an_window_flush(&w, &t);
	ck_assert_uint_eq(t.sequences, 4);
	ck_assert_uint_eq(t.closed_early, 0);
	dv_an_window_free(&w);
}
END_TEST

/* A full window closes the sequence quiet for longest; the hash table stays whole (backward shift). */
START_TEST(full_window_closes_the_oldest)
{
	static struct dv_an_tables t;
	memset(&t, 0, sizeof(t));
	struct dv_an_window w;
	ck_assert_int_eq(dv_an_window_init(&w, 64, 3600000 * MS), 0);
	char name[16];
	uint64_t ts = 0;
	/* 5000 names, each asked twice, the second time 10 names later: every one joins
	 * its first (at most 20 are incomplete at once: the window of 64 holds them). */
	for (unsigned i = 0; i < 5010; i++) {
		if (i < 5000) {
			snprintf(name, sizeof(name), "\x05%05u", i);
			struct dv_seen_query q = qry(name, 4, false);
			dv_an_window_add(&w, &t, &q, ts += MS);
		}
		if (i >= 10) {
			snprintf(name, sizeof(name), "\x05%05u", i - 10);
			struct dv_seen_query q = qry(name, 6, false);
			dv_an_window_add(&w, &t, &q, ts += MS);
		}
	}
	dv_an_window_flush(&w, &t);
	ck_assert_uint_eq(t.sequences, 5000);
	ck_assert_uint_eq(t.seq_len[2], 5000);
	ck_assert_uint_eq(t.first_two[DV_FAMILY_V4][DV_FAMILY_V6], 5000);
	/* Nothing is quiet for an hour: the window closed the oldest (already whole) early,
	 * all but the last 64, and the tables lost nothing by it. */
	ck_assert_uint_eq(t.closed_early, 5000 - 64);
	/* A window of 4 for 100 names asked twice, 10 apart: they close early and ask again. */
	dv_an_window_free(&w);
	memset(&t, 0, sizeof(t));
	ck_assert_int_eq(dv_an_window_init(&w, 4, 3600000 * MS), 0);
	for (unsigned i = 0; i < 110; i++) {
		if (i < 100) {
			snprintf(name, sizeof(name), "\x05%05u", i);
			struct dv_seen_query q = qry(name, 4, false);
			dv_an_window_add(&w, &t, &q, ts += MS);
		}
		if (i >= 10) {
			snprintf(name, sizeof(name), "\x05%05u", i - 10);
			struct dv_seen_query q = qry(name, 4, false);
			dv_an_window_add(&w, &t, &q, ts += MS);
		}
	}
	dv_an_window_flush(&w, &t);
	ck_assert_uint_eq(t.seq_len[1], 200);
	ck_assert_uint_eq(t.closed_early, 196);
	dv_an_window_free(&w);
}
END_TEST

START_TEST(gap_clusters)
{
	static struct dv_an_tables t;
	memset(&t, 0, sizeof(t));
	t.gap[10] = 3;
	t.gap[375] = 50;
	t.gap[376] = 30;
	t.gap[377] = 5;
	t.gap[400] = 20; /* Knot Resolver's, 24 ms from Unbound's: a cluster of its own */
	t.gap[1000] = 40;
	t.gap[3000] = 1; /* below 1 % */
	struct dv_an_cluster c[4];
	unsigned n = dv_an_clusters(&t, c, 4);
	ck_assert_uint_eq(n, 4);
	ck_assert(c[0].center_ms == 375.0 && c[0].count == 80); /* 377 is under a fifth of the peak */
	ck_assert(c[0].lo_ms == 375.0 && c[0].hi_ms == 377.0);
	ck_assert(c[1].center_ms == 1000.0 && c[1].count == 40);
	ck_assert(c[2].center_ms == 400.0 && c[2].count == 20);
	ck_assert(c[3].center_ms == 10.0 && c[3].count == 3);
}
END_TEST

START_TEST(sources_per_address)
{
	static struct dv_an_tables t;
	memset(&t, 0, sizeof(t));
	struct dv_an_sources s;
	ck_assert_int_eq(dv_an_sources_init(&s, 3), 0);
	struct dv_seen_query q = qry("\x01" "a", 4, false);
	for (unsigned i = 0; i < 12; i++) {
		q.src[3] = (uint8_t)(i < 10 ? 1 : 2); /* 10 from .1, 2 from .2 */
		dv_an_sources_add(&s, &t, &q);
	}
	q.family = DV_FAMILY_V6;
	dv_an_sources_add(&s, &t, &q); /* same bytes, another family: another address */
	q.src[3] = 9;
	dv_an_sources_add(&s, &t, &q); /* the table is full */
	dv_an_sources_finish(&s, &t);
	ck_assert_uint_eq(t.sources, 3);
	ck_assert_uint_eq(t.sources_untracked, 1);
	ck_assert_uint_eq(t.src_buckets[0], 1); /* 1 */
	ck_assert_uint_eq(t.src_buckets[1], 1); /* 2-9 */
	ck_assert_uint_eq(t.src_buckets[2], 1); /* 10-99 */
	dv_an_sources_free(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyze");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, packets_parse);
	tcase_add_test(tc, sequences_close_on_quiet_time);
	tcase_add_test(tc, full_window_closes_the_oldest);
	tcase_add_test(tc, gap_clusters);
	tcase_add_test(tc, sources_per_address);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
