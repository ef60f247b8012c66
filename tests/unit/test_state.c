/**
 * @file test_state.c
 * @brief Unit tests of the lossless result JSON ("state") and of merging runs.
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_mutate.h"
#include "metrics/state.h"
#include "report/text.h"

/* Results are large: keep them off the (forked) test stack. */
static struct dv_result_store a, b, back, acc, all;

/** Every uint64 word of the struct up to end gets a distinct non-zero value. */
static void fill_words(void *s, size_t end, uint64_t seed)
{
	uint64_t *w = s;
	for (size_t i = 0; i < end / sizeof(uint64_t); i++)
		w[i] = seed + i * 7919u + 1u;
}

/** Make a histogram consistent again (count = its buckets), as a reader demands. */
static void fix_hist(struct dv_hist *h)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		n += h->bucket[i];
	h->count = n;
	h->sum_sq = 12345.5;
}

/** JSON text round trip: to_json, dump, load, from_json. */
static int round_trip(const struct dv_result *r, struct dv_result_store *out, char *err, size_t len)
{
	json_t *o = dv_state_to_json(r);
	ck_assert_ptr_nonnull(o);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	ck_assert_ptr_nonnull(text);
	json_error_t jerr;
	json_t *in = json_loads(text, 0, &jerr);
	free(text);
	ck_assert_ptr_nonnull(in);
	int rc = dv_state_from_json(in, out, err, len);
	json_decref(in);
	return rc;
}

/* Where each struct's last member ends: beyond is alignment padding. */
#define TX_END (offsetof(struct dv_tx_stats, busy_tsc) + sizeof(uint64_t))
#define RX_END (offsetof(struct dv_rx_stats, nd_ignored) + sizeof(uint64_t))

START_TEST(test_every_counter_round_trips)
{
	char err[256] = "";
	memset(&a, 0, sizeof(a));
	fill_words(&a.r.tx, TX_END, 1000);
	fill_words(&a.r.rx, RX_END, 5000000);
	fix_hist(&a.r.tx.gap);
	fix_hist(&a.r.tx.send_late);
	fix_hist(&a.r.rx.latency);
	fix_hist(&a.r.rx.timer_late);
	fix_hist(&a.r.rx.frag_count);
	fix_hist(&a.r.rx.frag_spread);
	fix_hist(&a.r.tx.gap_tcp);
	fix_hist(&a.r.rx.tcp_handshake);
	fix_hist(&a.r.rx.tcp_server_idle);
	fix_hist(&a.r.rx.tcp_conn_queries);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
		fix_hist(&a.r.rx.resolve[v]);
	a.r.rx.icmp_mtu_min = UINT64_MAX; /* "none": beyond INT64_MAX */
	a.r.stalls = (struct dv_stalls){ .count = 2, .total_s = 2.5, .longest_s = 2.0, .first_at_s = 1.25 };
	a.r.since_ns = 1700000000123456789u;
	a.r.until_ns = 1700000005123456789u;
	a.r.send_seconds = 4.5;
	a.r.run_seconds = 5.25;
	a.r.target_qps = 20000;
	a.r.interrupted = true;
	a.r.n_edns = 3;
	a.r.edns_size[0] = 1232, a.r.edns_size[1] = 0, a.r.edns_size[2] = 4096;
	a.r.attempts = 3;
	a.r.sequences = true;
	a.r.tc_tcp = true;
	a.r.tcp_after = 2;
	a.r.ncollectors = 2;
	a.r.col_rx_pkts[0] = 11, a.r.col_rx_pkts[1] = 22;
	a.r.nports = 1;
	snprintf(a.port_name[0], sizeof(a.port_name[0]), "af_xdp:veth0");
	a.r.port_sent[0] = 33;
	a.r.port_next_mac[0][1][5] = 0xab;
	a.r.port_resolved[0][1] = true;
	a.r.has_xdp = true;
	a.r.xdp_icmp = 7;
	a.r.rate_mode = DV_RATE_SEARCH;
	a.r.rate.search_n = 2;
	a.r.rate.search_qps[1] = 1234.5;
	a.r.rate.search_end[1] = DV_SEARCH_GEN_CEILING;
	a.r.rate.search_offered_max = 20000;
	a.r.rate.search_ntrials = 3;
	a.r.rate.trial[2] = (struct dv_search_trial){ .search = 2, .trial = 2, .offered_qps = 20000,
		.sent_qps = 9000, .sent = 9000, .answered = 9000, .verdict = DV_TRIAL_REPEAT };
	a.r.rate.trial[1] = (struct dv_search_trial){ .search = 2, .trial = 1, .offered_qps = 20000,
		.sent_qps = 10800, .sent = 10800, .answered = 5400, .loss_pct = 50.0,
		.verdict = DV_TRIAL_GEN_LIMITED };
	a.r.rate.trial[0] = (struct dv_search_trial){ .search = 1, .trial = 1, .offered_qps = 1,
		.sent_qps = 1, .sent = 1, .answered = 1, .verdict = DV_TRIAL_PASS };
	a.r.has_responder = true;
	a.r.resp_ports = 99;
	a.r.has_resp_tcp = true;
	fill_words(&a.r.resp_tcp, sizeof(a.r.resp_tcp), 77);
	a.r.tsc_hz = 2.1e9;
	a.r.inflight_slots = 4096;
	snprintf(a.rx_timestamps, sizeof(a.rx_timestamps), "tsc-rx-burst");
	dv_result_store_fix(&a);

	ck_assert_msg(round_trip(&a.r, &back, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(memcmp(&a.r.tx, &back.r.tx, TX_END) == 0, "tx counters differ after reading back");
	ck_assert(back.r.tc_tcp);
	ck_assert_uint_eq(back.r.tcp_after, 2);
	ck_assert_msg(memcmp(&a.r.rx, &back.r.rx, RX_END) == 0, "rx counters differ after reading back");
	ck_assert_uint_eq(back.r.since_ns, a.r.since_ns);
	ck_assert_uint_eq(back.r.until_ns, a.r.until_ns);
	ck_assert(back.r.run_seconds == 5.25 && back.r.send_seconds == 4.5);
	ck_assert(back.r.interrupted && back.r.sequences);
	ck_assert_uint_eq(back.r.n_edns, 3);
	ck_assert_int_eq(back.r.edns_size[1], 0);
	ck_assert_int_eq(back.r.edns_size[2], 4096);
	ck_assert_uint_eq(back.r.col_rx_pkts[1], 22);
	ck_assert_str_eq(back.r.port_spec[0], "af_xdp:veth0");
	ck_assert_uint_eq(back.r.port_next_mac[0][1][5], 0xab);
	ck_assert(back.r.port_resolved[0][1] && !back.r.port_resolved[0][0]);
	ck_assert_uint_eq(back.r.xdp_icmp, 7);
	ck_assert_int_eq(back.r.rate_mode, DV_RATE_SEARCH);
	ck_assert(back.r.rate.search_qps[1] == 1234.5);
	ck_assert_int_eq(back.r.rate.search_end[1], DV_SEARCH_GEN_CEILING);
	ck_assert(back.r.rate.search_offered_max == 20000);
	ck_assert_uint_eq(back.r.rate.search_ntrials, 3);
	ck_assert_int_eq(back.r.rate.trial[2].verdict, DV_TRIAL_REPEAT);
	const struct dv_search_trial *t = &back.r.rate.trial[1];
	ck_assert(t->search == 2 && t->trial == 1 && t->offered_qps == 20000 && t->sent_qps == 10800);
	ck_assert(t->sent == 10800 && t->answered == 5400 && t->loss_pct == 50.0);
	ck_assert_int_eq(t->verdict, DV_TRIAL_GEN_LIMITED);
	ck_assert_uint_eq(back.r.stalls.count, 2);
	ck_assert(back.r.stalls.total_s == 2.5 && back.r.stalls.longest_s == 2.0 &&
		  back.r.stalls.first_at_s == 1.25);
	ck_assert_uint_eq(back.r.resp_ports, 99);
	ck_assert(back.r.has_resp_tcp);
	ck_assert_mem_eq(&back.r.resp_tcp, &a.r.resp_tcp, sizeof(a.r.resp_tcp));
	ck_assert_uint_eq(back.r.resp_tcp.segments, 77 + 11 * 7919u + 1u);
	ck_assert_str_eq(back.r.rx_timestamps, "tsc-rx-burst");
	ck_assert_uint_eq(back.r.inflight_slots, 4096);
}
END_TEST

/** Deterministic values over many magnitudes. */
static uint64_t next_value(uint64_t *s)
{
	*s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (*s >> 24) >> ((*s >> 58) % 36);
}

static void empty_run(struct dv_result_store *st, int size0, int size1)
{
	memset(st, 0, sizeof(*st));
	dv_tx_stats_init(&st->r.tx);
	dv_rx_stats_init(&st->r.rx);
	st->r.n_edns = 2;
	st->r.edns_size[0] = size0;
	st->r.edns_size[1] = size1;
	st->r.attempts = 1;
	dv_result_store_fix(st);
}

START_TEST(test_merge_is_exact)
{
	char err[256];
	uint64_t s = 42;
	empty_run(&a, 1232, 4096);
	empty_run(&b, 4096, 512);
	dv_hist_init(&all.r.rx.latency);
	dv_hist_init(&all.r.tx.gap);
	for (int i = 0; i < 20000; i++) {
		uint64_t v = next_value(&s);
		struct dv_result *r = i % 3 ? &a.r : &b.r;
		dv_hist_add(&r->rx.latency, v);
		dv_hist_add(&all.r.rx.latency, v);
		if (i % 5 == 0) {
			dv_hist_add(&r->tx.gap, v / 3);
			dv_hist_add(&all.r.tx.gap, v / 3);
		}
	}
	a.r.tx.sent[0] = 100, b.r.tx.sent[0] = 50, b.r.tx.sent[1] = 7;
	/* Size 4096 is variant 1 of a and variant 0 of b: its cells must meet. */
	a.r.tx.edns_sent[1][0] = 10, b.r.tx.edns_sent[0][0] = 5, b.r.tx.edns_sent[1][1] = 3;
	a.r.rx.edns[1][0].answered = 9, a.r.rx.edns[1][0].resp_min = 100;
	b.r.rx.edns[0][0].answered = 4, b.r.rx.edns[0][0].resp_min = 60;
	a.r.rx.fail[0][1][DV_SIZE_1232][DV_FR_TIMEOUT] = 1;
	b.r.rx.fail[0][0][DV_SIZE_1232][DV_FR_TIMEOUT] = 2;
	a.r.send_seconds = 10, b.r.send_seconds = 8;
	a.r.target_qps = 1000, b.r.target_qps = 500;
	/* The responder's TCP counts add; a run without them leaves them be. */
	a.r.has_resp_tcp = b.r.has_resp_tcp = true;
	a.r.resp_tcp.accepted = 5, b.r.resp_tcp.accepted = 6, b.r.resp_tcp.segments = 9;

	/* Both read back from JSON, as dnsvolley merge does. */
	ck_assert_int_eq(round_trip(&a.r, &acc, err, sizeof(err)), 0);
	ck_assert_int_eq(round_trip(&b.r, &back, err, sizeof(err)), 0);
	ck_assert_int_eq(dv_result_merge_run(&acc, &back.r), 0);

	const struct dv_hist *m = &acc.r.rx.latency, *u = &all.r.rx.latency;
	ck_assert_uint_eq(m->count, u->count);
	ck_assert_uint_eq(m->sum, u->sum);
	ck_assert_uint_eq(m->min, u->min);
	ck_assert_uint_eq(m->max, u->max);
	ck_assert_msg(memcmp(m->bucket, u->bucket, sizeof(u->bucket)) == 0, "merged buckets differ");
	for (double q = 0.01; q < 1.0; q += 0.01)
		ck_assert_uint_eq(dv_hist_quantile(m, q), dv_hist_quantile(u, q));
	ck_assert_uint_eq(dv_hist_quantile(m, 0.999), dv_hist_quantile(u, 0.999));
	ck_assert_msg(memcmp(acc.r.tx.gap.bucket, all.r.tx.gap.bucket, sizeof(all.r.tx.gap.bucket)) == 0,
		      "merged gap buckets differ");
	ck_assert_uint_eq(acc.r.tx.gap.count, all.r.tx.gap.count);

	ck_assert_uint_eq(acc.r.tx.sent[0], 150);
	ck_assert_uint_eq(acc.r.tx.sent[1], 7);
	/* Sizes: 1232, 4096 from a; 512 new. */
	ck_assert_uint_eq(acc.r.n_edns, 3);
	ck_assert_int_eq(acc.r.edns_size[2], 512);
	ck_assert_uint_eq(acc.r.tx.edns_sent[1][0], 15);
	ck_assert_uint_eq(acc.r.tx.edns_sent[2][1], 3);
	ck_assert_uint_eq(acc.r.rx.edns[1][0].answered, 13);
	ck_assert_uint_eq(acc.r.rx.edns[1][0].resp_min, 60);
	ck_assert_uint_eq(acc.r.rx.fail[0][1][DV_SIZE_1232][DV_FR_TIMEOUT], 3);
	ck_assert_uint_eq(acc.r.rx.fail[0][0][DV_SIZE_1232][DV_FR_TIMEOUT], 0);
	/* Side by side: the longer time, the rates add. */
	ck_assert(acc.r.send_seconds == 10 && acc.r.target_qps == 1500);
	ck_assert(acc.r.has_resp_tcp);
	ck_assert_uint_eq(acc.r.resp_tcp.accepted, 11);
	ck_assert_uint_eq(acc.r.resp_tcp.segments, 9);
	empty_run(&b, 4096, 512);
	ck_assert_int_eq(dv_result_merge_run(&acc, &b.r), 0);
	ck_assert_uint_eq(acc.r.resp_tcp.accepted, 11);
}
END_TEST

START_TEST(test_merge_too_many_sizes)
{
	empty_run(&acc, 512, 1232);
	empty_run(&b, 0, 0);
	b.r.n_edns = DV_EDNS_VARIANTS;
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
		b.r.edns_size[v] = 1300 + (int)v;
	ck_assert_int_eq(dv_result_merge_run(&acc, &b.r), -E2BIG);
}
END_TEST

/* One after another: counters add, times add, the rate is the time-weighted mean,
 * what ran at once is the largest run's. */
START_TEST(test_merge_sequential)
{
	empty_run(&acc, 1232, 4096);
	empty_run(&b, 4096, 1232);
	acc.r.tx.sent[0] = 100, b.r.tx.sent[0] = 50;
	acc.r.tx.edns_sent[0][0] = 100, b.r.tx.edns_sent[1][0] = 50;
	acc.r.send_seconds = 10, b.r.send_seconds = 30;
	acc.r.run_seconds = 11, b.r.run_seconds = 31;
	acc.r.target_qps = 1000, b.r.target_qps = 2000;
	acc.r.since_ns = 100, acc.r.until_ns = 200, b.r.since_ns = 500, b.r.until_ns = 900;
	acc.r.ngenerators = 2, b.r.ngenerators = 1;
	acc.r.mem_mbufs = 10, b.r.mem_mbufs = 30;
	ck_assert_int_eq(dv_result_merge_seq(&acc, &b.r), 0);
	ck_assert_uint_eq(acc.r.tx.sent[0], 150);
	ck_assert_uint_eq(acc.r.tx.edns_sent[0][0], 150); /* 1232 met 1232 */
	ck_assert(acc.r.send_seconds == 40 && acc.r.run_seconds == 42);
	ck_assert(acc.r.target_qps > 1749.9 && acc.r.target_qps < 1750.1);
	ck_assert_uint_eq(acc.r.since_ns, 100);
	ck_assert_uint_eq(acc.r.until_ns, 900);
	ck_assert_uint_eq(acc.r.ngenerators, 2);
	ck_assert_uint_eq(acc.r.mem_mbufs, 30);
}
END_TEST

/* Intervals of one run add up to the run: counters add, the span grows, the
 * run's description stays. */
START_TEST(test_add_interval)
{
	empty_run(&acc, 1232, 0);
	empty_run(&b, 1232, 0);
	acc.r.tx.sent[1] = 7, b.r.tx.sent[1] = 5;
	dv_hist_add(&acc.r.rx.latency, 1000);
	dv_hist_add(&b.r.rx.latency, 3000);
	acc.r.since_ns = 10, acc.r.until_ns = 20, b.r.since_ns = 20, b.r.until_ns = 30;
	acc.r.ngenerators = 2, b.r.ngenerators = 2;
	b.r.target_qps = 300;
	ck_assert_int_eq(dv_result_add_interval(&acc, &b.r), 0);
	ck_assert_uint_eq(acc.r.tx.sent[1], 12);
	ck_assert_uint_eq(acc.r.rx.latency.count, 2);
	ck_assert_uint_eq(acc.r.rx.latency.max, 3000);
	ck_assert_uint_eq(acc.r.since_ns, 10);
	ck_assert_uint_eq(acc.r.until_ns, 30);
	ck_assert_uint_eq(acc.r.ngenerators, 2);
	ck_assert(acc.r.target_qps == 300);
	ck_assert_uint_eq(acc.r.n_edns, 2);
}
END_TEST

/** Read text as a state object; return the error line. */
static int read_text(const char *text, char *err, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(o);
	int rc = dv_state_from_json(o, &back, err, len);
	json_decref(o);
	return rc;
}

START_TEST(test_bad_state)
{
	char err[256];
	static const char ok_head[] = "{\"tx\":{}, \"rx\":{}, \"edns_sizes\":[]";
	char text[512];

	snprintf(text, sizeof(text), "%s}", ok_head);
	ck_assert_int_eq(read_text(text, err, sizeof(err)), 0);
	ck_assert_int_eq(read_text("[1,2]", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(read_text("{\"rx\":{}, \"edns_sizes\":[]}", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'tx'"));
	ck_assert_int_eq(read_text("{\"tx\":{\"sent\":[[2,5]]}, \"rx\":{}, \"edns_sizes\":[]}", err,
				   sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "out of range"));
	ck_assert_int_eq(read_text("{\"tx\":{\"sent\":[[0]]}, \"rx\":{}, \"edns_sizes\":[]}", err,
				   sizeof(err)), -EINVAL);
	ck_assert_int_eq(read_text("{\"tx\":{}, \"rx\":{\"latency\":{\"count\":3,\"buckets\":[[5,2]]}},"
				   " \"edns_sizes\":[]}", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "count differs"));
	ck_assert_int_eq(read_text("{\"tx\":{}, \"rx\":{}, \"edns_sizes\":[70000]}", err, sizeof(err)),
			 -EINVAL);
	snprintf(text, sizeof(text), "%s, \"attempts\": 99}", ok_head);
	ck_assert_int_eq(read_text(text, err, sizeof(err)), -EINVAL);
	snprintf(text, sizeof(text), "%s, \"ports\": [{},{},{},{},{}]}", ok_head);
	ck_assert_int_eq(read_text(text, err, sizeof(err)), -EINVAL);
	snprintf(text, sizeof(text), "%s, \"rate_mode\": 9}", ok_head);
	ck_assert_int_eq(read_text(text, err, sizeof(err)), -EINVAL);
}
END_TEST

/* Any state a file may hold reads back or fails with one line: never a crash (ASan/UBSan in CI). */
START_TEST(test_fuzz_state)
{
	char err[256];
	/* A realistic (sparse) run: every kind of field, a few entries each. */
	uint64_t v = 9;
	empty_run(&a, 1232, 0);
	for (int i = 0; i < 300; i++) {
		dv_hist_add(&a.r.rx.latency, next_value(&v));
		dv_hist_add(&a.r.tx.gap, next_value(&v) / 7);
	}
	dv_hist_add(&a.r.rx.frag_count, 3);
	a.r.tx.sent[0] = 300, a.r.rx.answered[0] = 290, a.r.rx.timeouts[0] = 10;
	a.r.tx.edns_sent[1][0] = 20, a.r.rx.edns[1][0].answered = 19;
	a.r.rx.fail[0][1][DV_SIZE_LARGE][DV_FR_LOST_FRAG] = 4;
	a.r.rx.seq.seq_len[2] = 7, a.r.rx.icmp[1][2] = 1, a.r.rx.rcode[2] = 5;
	a.r.nports = 2;
	a.r.ncollectors = 3;
	a.r.has_xdp = a.r.has_responder = true;
	a.r.rate.search_n = 3;
	dv_result_store_fix(&a);
	json_t *good = dv_state_to_json(&a.r);
	ck_assert_ptr_nonnull(good);
	ck_assert_msg(dv_state_from_json(good, &back, err, sizeof(err)) == 0, "%s", err);
	FILE *devnull = fopen("/dev/null", "w");
	ck_assert_ptr_nonnull(devnull);
	srandom(20261202);
	unsigned failed = 0;
	for (int i = 0; i < 2000; i++) {
		json_t *m = json_deep_copy(good);
		dv_json_mutate(m, 2 + (unsigned)(i % 20) * 60);
		err[0] = '\0';
		if (dv_state_from_json(m, &back, err, sizeof(err)) < 0) {
			failed++;
			ck_assert_msg(err[0] != '\0' && strchr(err, '\n') == NULL, "no one-line error");
		} else {
			/* What reads back prints and merges without harm. */
			dv_report_text(devnull, NULL, &back.r);
			acc = back;
			dv_result_store_fix(&acc);
			dv_result_merge_run(&acc, &back.r);
		}
		json_decref(m);
	}
	/* The fuzzer reaches both outcomes. */
	ck_assert_uint_gt(failed, 100);
	ck_assert_uint_lt(failed, 2000);
	fclose(devnull);
	json_decref(good);
}
END_TEST

/* The XDP counters: four for a UDP run (files written before TCP read as they did), five over TCP. */
START_TEST(test_xdp_tcp_count)
{
	char err[256];
	empty_run(&a, 1232, 0);
	a.r.has_xdp = true;
	a.r.xdp_redirected = 10, a.r.xdp_passed = 2, a.r.xdp_fragments = 3, a.r.xdp_icmp = 4;
	json_t *o = dv_state_to_json(&a.r);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "xdp")), 4);
	json_decref(o);
	ck_assert_int_eq(round_trip(&a.r, &back, err, sizeof(err)), 0);
	ck_assert(back.r.has_xdp && !back.r.xdp_takes_tcp);
	ck_assert_uint_eq(back.r.xdp_tcp, 0);
	ck_assert_uint_eq(back.r.xdp_icmp, 4);

	a.r.xdp_takes_tcp = true;
	a.r.xdp_tcp = 6;
	o = dv_state_to_json(&a.r);
	ck_assert_uint_eq(json_array_size(json_object_get(o, "xdp")), 5);
	ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(o, "xdp"), 4)), 6);
	json_decref(o);
	ck_assert_int_eq(round_trip(&a.r, &back, err, sizeof(err)), 0);
	ck_assert(back.r.has_xdp && back.r.xdp_takes_tcp);
	ck_assert_uint_eq(back.r.xdp_tcp, 6);
	ck_assert_uint_eq(back.r.xdp_redirected, 10);

	/* Merged: a TCP run's count adds to a UDP run's, and the sum is shown. */
	empty_run(&b, 1232, 0);
	b.r.has_xdp = true;
	b.r.xdp_redirected = 1;
	ck_assert_int_eq(round_trip(&b.r, &acc, err, sizeof(err)), 0);
	ck_assert_int_eq(dv_result_merge_run(&acc, &back.r), 0);
	ck_assert(acc.r.xdp_takes_tcp);
	ck_assert_uint_eq(acc.r.xdp_tcp, 6);
	ck_assert_uint_eq(acc.r.xdp_redirected, 11);

	/* Any other length is an error. */
	o = dv_state_to_json(&a.r);
	json_array_append_new(json_object_get(o, "xdp"), json_integer(1));
	ck_assert_int_lt(dv_state_from_json(o, &back, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "state: 'xdp' has the wrong length");
	json_decref(o);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_every_counter_round_trips);
	tcase_add_test(tc, test_merge_is_exact);
	tcase_add_test(tc, test_merge_too_many_sizes);
	tcase_add_test(tc, test_merge_sequential);
	tcase_add_test(tc, test_add_interval);
	tcase_add_test(tc, test_bad_state);
	tcase_add_test(tc, test_fuzz_state);
	tcase_add_test(tc, test_xdp_tcp_count);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(state_suite());
}
