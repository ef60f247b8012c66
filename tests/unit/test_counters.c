/**
 * @file test_counters.c
 * @brief Unit tests of the counter table (metrics/counters.def): its rows
 *        cover every field of the counter structs, and init, merge, snapshot,
 *        delta and the state object reach every word of every row.
 */
#include <check.h>

#include "check_main.h"
#include <stdint.h>
#include <string.h>

#include "metrics/state.h"

/* The structs' members without the cache-line alignment: what the rows must cover. */
struct edns_members { DV_COUNTERS_EDNS(DV_COUNTER_FIELD) };
struct seq_members { DV_COUNTERS_SEQ(DV_COUNTER_FIELD) };
struct frag_members { DV_COUNTERS_FRAG(DV_COUNTER_FIELD) };
struct tcp_members { DV_COUNTERS_TCP(DV_COUNTER_FIELD) };
struct tx_members { DV_COUNTERS_TX(DV_COUNTER_FIELD) };
struct rx_members { DV_COUNTERS_RX(DV_COUNTER_FIELD) };

#define GARBAGE UINT64_C(0xa5a5a5a5a5a5a5a5)

/* Large: off the (forked) test stack. */
static struct dv_tx_stats tx_a, tx_b, tx_c;
static struct dv_rx_stats rx_a, rx_b, rx_c;

/** Every word of every row of g in s gets a distinct non-zero value (histograms kept consistent). */
static void fill_rows(const struct dv_counter_group *g, void *s, uint64_t seed)
{
	for (size_t i = 0; i < g->n; i++) {
		uint64_t *w = (uint64_t *)((char *)s + g->row[i].off);
		for (size_t k = 0; k < g->row[i].size / sizeof(uint64_t); k++)
			w[k] = seed + (g->row[i].off / sizeof(uint64_t) + k) * 7919u + 1u;
		if (g->row[i].kind == DV_COUNTER_HIST) {
			/* Keep each histogram consistent: snapshots recount the buckets and
			 * bound min/max by them (all buckets are full). */
			struct dv_hist *hs = (struct dv_hist *)w;
			for (size_t e = 0; e < g->row[i].size / sizeof(*hs); e++) {
				struct dv_hist *h = &hs[e];
				h->min = 0;
				h->max = UINT64_MAX;
				h->count = 0;
				for (unsigned b = 0; b < DV_HIST_BUCKETS; b++)
					h->count += h->bucket[b];
			}
		}
	}
}

/** The first row of g (and word in it) where a and b differ, or NULL. */
static const char *rows_differ(const struct dv_counter_group *g, const void *a, const void *b)
{
	for (size_t i = 0; i < g->n; i++) {
		if (memcmp((const char *)a + g->row[i].off, (const char *)b + g->row[i].off,
			   g->row[i].size) != 0)
			return g->row[i].name;
	}
	return NULL;
}

/** The first row of g in s that still holds a GARBAGE word (one an operation did not write), or NULL. */
static const char *row_unwritten(const struct dv_counter_group *g, const void *s)
{
	for (size_t i = 0; i < g->n; i++) {
		const uint64_t *w = (const uint64_t *)((const char *)s + g->row[i].off);
		for (size_t k = 0; k < g->row[i].size / sizeof(uint64_t); k++)
			if (w[k] == GARBAGE)
				return g->row[i].name;
	}
	return NULL;
}

/** Rows start at 0, follow each other without a gap, and end where the members end. */
static void check_layout(const struct dv_counter_group *g, size_t members, size_t align)
{
	size_t end = 0;
	ck_assert_uint_gt(g->n, 0);
	for (size_t i = 0; i < g->n; i++) {
		const struct dv_counter_desc *d = &g->row[i];
		ck_assert_msg(d->off == end, "%s: a field before row '%s' is not in the table",
			      g->name, d->name);
		ck_assert_msg(d->size % sizeof(uint64_t) == 0, "%s.%s: not whole uint64 words",
			      g->name, d->name);
		ck_assert_ptr_nonnull(d->unit);
		ck_assert_msg(d->json == NULL || d->json[0] != '\0', "%s.%s: empty JSON name",
			      g->name, d->name);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(g->row[j].name, d->name) != 0, "%s.%s twice", g->name,
				      d->name);
		end += d->size;
	}
	ck_assert_msg(end == members, "%s: a field after the last row is not in the table", g->name);
	ck_assert_uint_eq(g->size, (members + align - 1) / align * align);
}

START_TEST(test_rows_cover_every_field)
{
	check_layout(&dv_counters_edns, sizeof(struct edns_members), 8);
	check_layout(&dv_counters_seq, sizeof(struct seq_members), 8);
	check_layout(&dv_counters_frag, sizeof(struct frag_members), 8);
	check_layout(&dv_counters_tcp, sizeof(struct tcp_members), 8);
	check_layout(&dv_counters_tx, sizeof(struct tx_members), 64);
	check_layout(&dv_counters_rx, sizeof(struct rx_members), 64);
	ck_assert_uint_eq(dv_counters_tx.size, sizeof(struct dv_tx_stats));
	ck_assert_uint_eq(dv_counters_rx.size, sizeof(struct dv_rx_stats));
	ck_assert_uint_eq(dv_counters_edns.size, sizeof(struct dv_edns_rx));
}
END_TEST

/* Snapshot copies every word; merging into empty counters gives the same words. */
START_TEST(test_snapshot_and_merge_reach_every_word)
{
	const char *bad;

	fill_rows(&dv_counters_tx, &tx_a, 1000);
	fill_rows(&dv_counters_rx, &rx_a, 5000000);
	memset(&tx_b, 0xa5, sizeof(tx_b));
	memset(&rx_b, 0xa5, sizeof(rx_b));
	dv_tx_stats_snapshot(&tx_b, &tx_a);
	dv_rx_stats_snapshot(&rx_b, &rx_a);
	bad = rows_differ(&dv_counters_tx, &tx_a, &tx_b);
	ck_assert_msg(bad == NULL, "tx snapshot misses row '%s'", bad);
	bad = rows_differ(&dv_counters_rx, &rx_a, &rx_b);
	ck_assert_msg(bad == NULL, "rx snapshot misses row '%s'", bad);

	memset(&tx_b, 0xa5, sizeof(tx_b));
	memset(&rx_b, 0xa5, sizeof(rx_b));
	dv_tx_stats_init(&tx_b);
	dv_rx_stats_init(&rx_b);
	bad = row_unwritten(&dv_counters_tx, &tx_b);
	ck_assert_msg(bad == NULL, "tx init misses row '%s'", bad);
	bad = row_unwritten(&dv_counters_rx, &rx_b);
	ck_assert_msg(bad == NULL, "rx init misses row '%s'", bad);
	dv_tx_stats_merge(&tx_b, &tx_a);
	dv_rx_stats_merge(&rx_b, &rx_a);
	bad = rows_differ(&dv_counters_tx, &tx_a, &tx_b);
	ck_assert_msg(bad == NULL, "tx merge misses row '%s'", bad);
	bad = rows_differ(&dv_counters_rx, &rx_a, &rx_b);
	ck_assert_msg(bad == NULL, "rx merge misses row '%s'", bad);
}
END_TEST

START_TEST(test_delta_writes_every_word)
{
	const char *bad;

	fill_rows(&dv_counters_tx, &tx_a, 1000);
	fill_rows(&dv_counters_rx, &rx_a, 5000000);
	memset(&tx_b, 0, sizeof(tx_b));
	memset(&rx_b, 0, sizeof(rx_b));
	memset(&tx_c, 0xa5, sizeof(tx_c));
	memset(&rx_c, 0xa5, sizeof(rx_c));
	dv_tx_stats_delta(&tx_c, &tx_a, &tx_b);
	dv_rx_stats_delta(&rx_c, &rx_a, &rx_b);
	bad = row_unwritten(&dv_counters_tx, &tx_c);
	ck_assert_msg(bad == NULL, "tx delta misses row '%s'", bad);
	bad = row_unwritten(&dv_counters_rx, &rx_c);
	ck_assert_msg(bad == NULL, "rx delta misses row '%s'", bad);
	/* Nothing before: the interval is everything (also the extremes, as all kinds counted some). */
	ck_assert_msg(rows_differ(&dv_counters_tx, &tx_a, &tx_c) == NULL, "tx delta from zero");
	ck_assert_uint_eq(rx_c.icmp_mtu_min, rx_a.icmp_mtu_min);
	ck_assert_uint_eq(rx_c.edns[1][1].resp_min, rx_a.edns[1][1].resp_min);
	ck_assert_uint_eq(rx_c.fail[1][2][3][4], rx_a.fail[1][2][3][4]);
}
END_TEST

/* What each kind does, on one row of it. */
START_TEST(test_kinds)
{
	dv_tx_stats_init(&tx_a);
	dv_tx_stats_init(&tx_b);
	tx_a.first_tx_tsc = 500, tx_a.last_tx_tsc = 900, tx_a.sent[1] = 3;
	tx_b.first_tx_tsc = 0, tx_b.last_tx_tsc = 400, tx_b.sent[1] = 4;
	dv_tx_stats_merge(&tx_a, &tx_b);
	ck_assert_uint_eq(tx_a.first_tx_tsc, 500); /* FIRST: 0 is "never" */
	ck_assert_uint_eq(tx_a.last_tx_tsc, 900);  /* LAST: the largest */
	ck_assert_uint_eq(tx_a.sent[1], 7);        /* SUM */
	dv_tx_stats_delta(&tx_c, &tx_a, &tx_b);
	ck_assert_uint_eq(tx_c.sent[1], 3);
	ck_assert_uint_eq(tx_c.first_tx_tsc, 500); /* time points: the latest */
	dv_tx_stats_delta(&tx_c, &tx_b, &tx_a);
	ck_assert_uint_eq(tx_c.sent[1], 0);        /* saturates at 0 */

	/* MIN: UINT64_MAX is none; an interval keeps the run's only when it counted any. */
	dv_rx_stats_init(&rx_a);
	dv_rx_stats_init(&rx_b);
	ck_assert_uint_eq(rx_a.icmp_mtu_min, UINT64_MAX);
	ck_assert_uint_eq(rx_a.edns[0][0].resp_min, UINT64_MAX);
	rx_b.icmp_mtu_min = 1280, rx_b.icmp[1][DV_ICMP_TOO_BIG] = 1;
	rx_b.edns[0][0].answered = 2, rx_b.edns[0][0].resp_min = 60, rx_b.edns[0][0].resp_max = 90;
	dv_rx_stats_merge(&rx_a, &rx_b);
	ck_assert_uint_eq(rx_a.icmp_mtu_min, 1280);
	ck_assert_uint_eq(rx_a.edns[0][0].resp_max, 90);
	dv_rx_stats_delta(&rx_c, &rx_a, &rx_b);
	ck_assert_uint_eq(rx_c.icmp_mtu_min, UINT64_MAX);
	ck_assert_uint_eq(rx_c.edns[0][0].resp_min, UINT64_MAX);
	ck_assert_uint_eq(rx_c.edns[0][0].resp_max, 0);
	rx_a.icmp[0][DV_ICMP_TOO_BIG] = 1, rx_a.edns[0][0].answered = 3;
	dv_rx_stats_delta(&rx_c, &rx_a, &rx_b);
	ck_assert_uint_eq(rx_c.icmp_mtu_min, 1280);
	ck_assert_uint_eq(rx_c.edns[0][0].resp_min, 60);
}
END_TEST

/** Whether o has a key for every row of g (histograms as objects), and nothing else. */
static void check_state_keys(const json_t *o, const struct dv_counter_group *g)
{
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(json_object_size(o), g->n);
	for (size_t i = 0; i < g->n; i++) {
		const json_t *v = json_object_get(o, g->row[i].name);
		ck_assert_msg(v != NULL, "state.%s has no '%s'", g->name, g->row[i].name);
		bool one_hist = g->row[i].size == sizeof(struct dv_hist);
		ck_assert(g->row[i].kind == DV_COUNTER_HIST ? (one_hist ? json_is_object(v) : json_is_array(v)) :
			  g->row[i].size == sizeof(uint64_t) ? json_is_integer(v) : json_is_array(v));
	}
}

/* The state object has every row under its name (test_state reads it back, word for word). */
START_TEST(test_state_has_every_row)
{
	static struct dv_result r;
	fill_rows(&dv_counters_tx, &r.tx, 1000);
	fill_rows(&dv_counters_rx, &r.rx, 5000000);
	json_t *o = dv_state_to_json(&r);
	ck_assert_ptr_nonnull(o);
	check_state_keys(json_object_get(o, "tx"), &dv_counters_tx);
	check_state_keys(json_object_get(o, "rx"), &dv_counters_rx);
	json_decref(o);
}
END_TEST

static Suite *counters_suite(void)
{
	Suite *s = suite_create("counters");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_rows_cover_every_field);
	tcase_add_test(tc, test_snapshot_and_merge_reach_every_word);
	tcase_add_test(tc, test_delta_writes_every_word);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_state_has_every_row);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(counters_suite());
}
