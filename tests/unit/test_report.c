/**
 * @file test_report.c
 * @brief Unit tests of counters (merge/snapshot/delta), text and JSON output.
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "report/json.h"
#include "report/runfile.h"
#include <sys/resource.h>
#include <sys/stat.h>
#include <signal.h>
#include "metrics/result.h"
#include "report/text.h"
#include "core/log.h"

/* Large structs (histograms, PATH_MAX buffers) stay off the test stack. */
static struct dv_tx_stats txa, txb, txc, txd;
static struct dv_rx_stats rxa, rxb, rxc, rxd;
static struct dv_result res, res2;
static struct dv_plan plan;
static struct dv_json_out jout;

/** Give every tx counter a distinct value derived from base. */
static void fill_tx(struct dv_tx_stats *s, uint64_t base)
{
	dv_tx_stats_init(s);
	s->sent[DV_FAMILY_V4] = base + 1;
	s->sent[DV_FAMILY_V6] = base + 2;
	s->tx_bytes = base + 3;
	s->alloc_fail = base + 4;
	s->tx_full = base + 5;
	s->inflight_full = base + 6;
	s->sched_slips = base + 7;
	s->first_tx_tsc = base + 8;
	s->last_tx_tsc = base + 9;
	s->logical = base + 10;
	s->retries = base + 11;
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			s->edns_sent[v][f] = base + 100 + 2 * v + f;
	}
}

/** A distinct small number for every cell of the failure table. */
static uint64_t fail_index(unsigned f, unsigned v, unsigned c, unsigned col)
{
	return ((f * DV_EDNS_VARIANTS + v) * DV_SIZE_CLASSES + c) * DV_FR_COLS + col;
}

/** Give every rx counter a distinct value derived from base, and n latencies. */
static void fill_rx(struct dv_rx_stats *s, uint64_t base, int n)
{
	dv_rx_stats_init(s);
	s->answered[DV_FAMILY_V4] = base + 1;
	s->answered[DV_FAMILY_V6] = base + 2;
	s->timeouts[DV_FAMILY_V4] = base + 3;
	s->timeouts[DV_FAMILY_V6] = base + 4;
	for (unsigned i = 0; i < 16; i++)
		s->rcode[i] = base + 10 + i;
	s->truncated = base + 30;
	s->late = base + 31;
	s->duplicate = base + 32;
	s->unmatched = base + 33;
	s->rx_pkts = base + 34;
	s->rx_bytes = base + 35;
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		s->rx_class[c] = base + 40 + c;
	for (int i = 0; i < n; i++)
		dv_hist_add(&s->latency, base * 1000 + (uint64_t)i * 37);

	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			struct dv_edns_rx *e = &s->edns[v][f];
			uint64_t k = 2 * v + f;
			e->answered = base + 200 + k;
			e->truncated = base + 300 + k;
			e->timeouts = base + 400 + k;
			e->resp_bytes = base + 500 + k;
			e->resp_min = base + 600 + k;
			e->resp_max = base * 2 + 700 + k;
		}
	}
	struct dv_seq_stats *q = &s->seq;
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		q->answered_on[k][DV_FAMILY_V4] = base + 1000 + k;
		q->answered_on[k][DV_FAMILY_V6] = base + 1100 + k;
		q->answered_late[k] = base + 1200 + k;
		q->truncated_on[k] = base + 1300 + k;
	}
	for (unsigned k = 0; k <= DV_MAX_ATTEMPTS; k++)
		q->seq_len[k] = base + 1400 + k;
	q->failed = base + 1500;
	q->redundant = base + 1501;
	q->first_two[DV_FAMILY_V4][DV_FAMILY_V4] = base + 1502;
	q->first_two[DV_FAMILY_V4][DV_FAMILY_V6] = base + 1503;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V4] = base + 1504;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V6] = base + 1505;
	q->single[DV_FAMILY_V4] = base + 1506;
	q->single[DV_FAMILY_V6] = base + 1507;
	q->retry_dropped = base + 1508;

	struct dv_frag_stats *fs = &s->frag;
	fs->frags[DV_FAMILY_V4] = base + 1600;
	fs->frags[DV_FAMILY_V6] = base + 1601;
	fs->frag_bytes = base + 1602;
	fs->reassembled[DV_FAMILY_V4] = base + 1603;
	fs->reassembled[DV_FAMILY_V6] = base + 1604;
	fs->lost_sets[DV_FAMILY_V4] = base + 1605;
	fs->lost_sets[DV_FAMILY_V6] = base + 1606;
	fs->lost_attributed = base + 1607;
	fs->dropped_sets = base + 1608;
	fs->not_ours = base + 1609;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			s->icmp[f][k] = base + 1700 + f * DV_ICMP_KINDS + k;
	}
	s->icmp_attributed = base + 1720;
	s->icmp_mtu_min = base + 1280;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++)
				for (unsigned col = 0; col < DV_FR_COLS; col++)
					s->fail[f][v][c][col] = base + 5000 + fail_index(f, v, c, col);
}

START_TEST(test_tx_merge)
{
	fill_tx(&txa, 100);
	fill_tx(&txb, 1000);
	dv_tx_stats_init(&txd);
	dv_tx_stats_merge(&txd, &txa);
	dv_tx_stats_merge(&txd, &txb);
	ck_assert_uint_eq(txd.sent[DV_FAMILY_V4], 101 + 1001);
	ck_assert_uint_eq(txd.sent[DV_FAMILY_V6], 102 + 1002);
	ck_assert_uint_eq(txd.tx_bytes, 103 + 1003);
	ck_assert_uint_eq(txd.alloc_fail, 104 + 1004);
	ck_assert_uint_eq(txd.tx_full, 105 + 1005);
	ck_assert_uint_eq(txd.inflight_full, 106 + 1006);
	ck_assert_uint_eq(txd.sched_slips, 107 + 1007);
	ck_assert_uint_eq(txd.first_tx_tsc, 108);
	ck_assert_uint_eq(txd.last_tx_tsc, 1009);

	/* An lcore that never sent (TSC 0) does not win the minimum. */
	dv_tx_stats_init(&txc);
	dv_tx_stats_merge(&txd, &txc);
	ck_assert_uint_eq(txd.first_tx_tsc, 108);
	ck_assert_uint_eq(txd.last_tx_tsc, 1009);
	dv_tx_stats_init(&txd);
	dv_tx_stats_merge(&txd, &txc);
	dv_tx_stats_merge(&txd, &txb);
	dv_tx_stats_merge(&txd, &txa);
	ck_assert_uint_eq(txd.first_tx_tsc, 108);
	ck_assert_uint_eq(txd.last_tx_tsc, 1009);
	ck_assert_uint_eq(txd.sent[DV_FAMILY_V4], 101 + 1001);
}
END_TEST

START_TEST(test_rx_merge)
{
	fill_rx(&rxa, 100, 50);
	fill_rx(&rxb, 1000, 70);
	dv_rx_stats_init(&rxd);
	dv_rx_stats_merge(&rxd, &rxa);
	dv_rx_stats_merge(&rxd, &rxb);
	ck_assert_uint_eq(rxd.answered[DV_FAMILY_V4], 1102);
	ck_assert_uint_eq(rxd.answered[DV_FAMILY_V6], 1104);
	ck_assert_uint_eq(rxd.timeouts[DV_FAMILY_V4], 1106);
	ck_assert_uint_eq(rxd.timeouts[DV_FAMILY_V6], 1108);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rxd.rcode[i], 1100 + 20 + 2 * i);
	ck_assert_uint_eq(rxd.truncated, 1160);
	ck_assert_uint_eq(rxd.late, 1162);
	ck_assert_uint_eq(rxd.duplicate, 1164);
	ck_assert_uint_eq(rxd.unmatched, 1166);
	ck_assert_uint_eq(rxd.rx_pkts, 1168);
	ck_assert_uint_eq(rxd.rx_bytes, 1170);
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		ck_assert_uint_eq(rxd.rx_class[c], 1180 + 2 * c);
	ck_assert_uint_eq(rxd.latency.count, 120);
	ck_assert_uint_eq(rxd.latency.sum, rxa.latency.sum + rxb.latency.sum);
	ck_assert_uint_eq(rxd.latency.min, 100000);
	ck_assert_uint_eq(rxd.latency.max, 1000000 + 69 * 37);
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		ck_assert_uint_eq(rxd.latency.bucket[i], rxa.latency.bucket[i] + rxb.latency.bucket[i]);
}
END_TEST

START_TEST(test_snapshot)
{
	fill_tx(&txa, 5);
	for (int i = 0; i < 40; i++)
		dv_hist_add(&txa.gap, 400000000 + (uint64_t)i * 1000);
	memset(&txd, 0, sizeof(txd));
	dv_tx_stats_snapshot(&txd, &txa);
	ck_assert_mem_eq(&txd, &txa, sizeof(txa));

	fill_rx(&rxa, 5, 300);
	memset(&rxd, 0, sizeof(rxd));
	dv_rx_stats_snapshot(&rxd, &rxa);
	ck_assert_mem_eq(&rxd, &rxa, sizeof(rxa));
}
END_TEST

START_TEST(test_delta)
{
	fill_tx(&txb, 10);
	fill_tx(&txa, 100);
	dv_tx_stats_delta(&txd, &txa, &txb);
	ck_assert_uint_eq(txd.sent[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(txd.sent[DV_FAMILY_V6], 90);
	ck_assert_uint_eq(txd.tx_bytes, 90);
	ck_assert_uint_eq(txd.alloc_fail, 90);
	ck_assert_uint_eq(txd.tx_full, 90);
	ck_assert_uint_eq(txd.inflight_full, 90);
	ck_assert_uint_eq(txd.sched_slips, 90);
	ck_assert_uint_eq(txd.first_tx_tsc, 108);
	ck_assert_uint_eq(txd.last_tx_tsc, 109);

	/* before: 10 latencies; now: the same 10 plus 25 more. */
	fill_rx(&rxb, 10, 0);
	fill_rx(&rxa, 100, 0);
	dv_hist_init(&rxc.latency);
	for (int i = 0; i < 10; i++) {
		dv_hist_add(&rxb.latency, 5000 + (uint64_t)i);
		dv_hist_add(&rxa.latency, 5000 + (uint64_t)i);
	}
	for (int i = 0; i < 25; i++) {
		dv_hist_add(&rxa.latency, 70000 + (uint64_t)i * 100);
		dv_hist_add(&rxc.latency, 70000 + (uint64_t)i * 100);
	}
	dv_rx_stats_delta(&rxd, &rxa, &rxb);
	ck_assert_uint_eq(rxd.answered[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(rxd.answered[DV_FAMILY_V6], 90);
	ck_assert_uint_eq(rxd.timeouts[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(rxd.timeouts[DV_FAMILY_V6], 90);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_eq(rxd.rcode[i], 90);
	ck_assert_uint_eq(rxd.truncated, 90);
	ck_assert_uint_eq(rxd.late, 90);
	ck_assert_uint_eq(rxd.duplicate, 90);
	ck_assert_uint_eq(rxd.unmatched, 90);
	ck_assert_uint_eq(rxd.rx_pkts, 90);
	ck_assert_uint_eq(rxd.rx_bytes, 90);
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		ck_assert_uint_eq(rxd.rx_class[c], 90);
	ck_assert_uint_eq(rxd.latency.count, 25);
	ck_assert_uint_eq(rxd.latency.sum, rxc.latency.sum);
	ck_assert_mem_eq(rxd.latency.bucket, rxc.latency.bucket, sizeof(rxc.latency.bucket));
	ck_assert_uint_le(rxd.latency.min, 70000);
	ck_assert_uint_ge(rxd.latency.max, 72400);
}
END_TEST

START_TEST(test_init_seq)
{
	memset(&txd, 0xab, sizeof(txd));
	memset(&rxd, 0xab, sizeof(rxd));
	dv_tx_stats_init(&txd);
	dv_rx_stats_init(&rxd);
	ck_assert_uint_eq(txd.logical, 0);
	ck_assert_uint_eq(txd.retries, 0);
	ck_assert_uint_eq(txd.edns_sent[DV_EDNS_VARIANTS - 1][DV_FAMILY_V6], 0);
	ck_assert_uint_eq(txd.gap.count, 0);
	ck_assert_uint_eq(txd.gap.min, UINT64_MAX);
	ck_assert_uint_eq(txd.gap.max, 0);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			ck_assert_uint_eq(rxd.edns[v][f].answered, 0);
			ck_assert_uint_eq(rxd.edns[v][f].resp_bytes, 0);
			ck_assert_uint_eq(rxd.edns[v][f].resp_min, UINT64_MAX);
			ck_assert_uint_eq(rxd.edns[v][f].resp_max, 0);
		}
	}
	ck_assert_uint_eq(rxd.seq.failed, 0);
	ck_assert_uint_eq(rxd.seq.answered_on[DV_MAX_ATTEMPTS - 1][DV_FAMILY_V6], 0);
	ck_assert_uint_eq(rxd.seq.seq_len[DV_MAX_ATTEMPTS], 0);
}
END_TEST

START_TEST(test_tx_merge_seq)
{
	fill_tx(&txa, 100);
	fill_tx(&txb, 1000);
	for (int i = 0; i < 30; i++)
		dv_tx_gap_add(&txa, 375000000 + (uint64_t)i * 10000);
	for (int i = 0; i < 20; i++)
		dv_tx_gap_add(&txb, 1000000000 + (uint64_t)i);
	dv_tx_gap_add(&txb, 375050000);
	dv_tx_stats_init(&txd);
	dv_tx_stats_merge(&txd, &txa);
	dv_tx_stats_merge(&txd, &txb);
	ck_assert_uint_eq(txd.logical, 110 + 1010);
	ck_assert_uint_eq(txd.retries, 111 + 1011);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			ck_assert_uint_eq(txd.edns_sent[v][f], 1300 + 4 * v + 2 * f);
	}
	ck_assert_uint_eq(txd.gap.count, 51);
	ck_assert_uint_eq(txd.gap.sum, txa.gap.sum + txb.gap.sum);
	ck_assert_uint_eq(txd.gap.min, 375000000);
	ck_assert_uint_eq(txd.gap.max, 1000000019);
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		ck_assert_uint_eq(txd.gap.bucket[i], txa.gap.bucket[i] + txb.gap.bucket[i]);
	/* The 0.1 ms bins merge exactly: 375.0 .. 375.29 ms in bins 3750-3752, 1000.0 ms in 10000. */
	ck_assert_uint_eq(txd.gap_fine[3750], 10 + 1);
	ck_assert_uint_eq(txd.gap_fine[3751], 10);
	ck_assert_uint_eq(txd.gap_fine[3752], 10);
	ck_assert_uint_eq(txd.gap_fine[10000], 20);
	uint64_t fine = 0;
	for (unsigned b = 0; b < DV_GAP_FINE_BINS; b++)
		fine += txd.gap_fine[b];
	ck_assert_uint_eq(fine, 51);
}
END_TEST

START_TEST(test_rx_merge_seq)
{
	fill_rx(&rxa, 100, 0);
	fill_rx(&rxb, 1000, 0);
	dv_rx_stats_init(&rxc); /* an lcore that saw nothing */
	dv_rx_stats_init(&rxd);
	dv_rx_stats_merge(&rxd, &rxc);
	dv_rx_stats_merge(&rxd, &rxa);
	dv_rx_stats_merge(&rxd, &rxc);
	dv_rx_stats_merge(&rxd, &rxb);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			const struct dv_edns_rx *e = &rxd.edns[v][f];
			uint64_t k = 2 * v + f;
			ck_assert_uint_eq(e->answered, 1100 + 400 + 2 * k);
			ck_assert_uint_eq(e->truncated, 1100 + 600 + 2 * k);
			ck_assert_uint_eq(e->timeouts, 1100 + 800 + 2 * k);
			ck_assert_uint_eq(e->resp_bytes, 1100 + 1000 + 2 * k);
			/* min of 100 + 600 + k and 1000 + 600 + k; max of 900 + k and 2700 + k */
			ck_assert_uint_eq(e->resp_min, 700 + k);
			ck_assert_uint_eq(e->resp_max, 2700 + k);
		}
	}
	const struct dv_seq_stats *q = &rxd.seq;
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		ck_assert_uint_eq(q->answered_on[k][DV_FAMILY_V4], 1100 + 2000 + 2 * k);
		ck_assert_uint_eq(q->answered_on[k][DV_FAMILY_V6], 1100 + 2200 + 2 * k);
		ck_assert_uint_eq(q->answered_late[k], 1100 + 2400 + 2 * k);
		ck_assert_uint_eq(q->truncated_on[k], 1100 + 2600 + 2 * k);
	}
	for (unsigned k = 0; k <= DV_MAX_ATTEMPTS; k++)
		ck_assert_uint_eq(q->seq_len[k], 1100 + 2800 + 2 * k);
	ck_assert_uint_eq(q->failed, 1100 + 3000);
	ck_assert_uint_eq(q->redundant, 1100 + 3002);
	ck_assert_uint_eq(q->first_two[DV_FAMILY_V4][DV_FAMILY_V4], 1100 + 3004);
	ck_assert_uint_eq(q->first_two[DV_FAMILY_V4][DV_FAMILY_V6], 1100 + 3006);
	ck_assert_uint_eq(q->first_two[DV_FAMILY_V6][DV_FAMILY_V4], 1100 + 3008);
	ck_assert_uint_eq(q->first_two[DV_FAMILY_V6][DV_FAMILY_V6], 1100 + 3010);
	ck_assert_uint_eq(q->single[DV_FAMILY_V4], 1100 + 3012);
	ck_assert_uint_eq(q->single[DV_FAMILY_V6], 1100 + 3014);
	ck_assert_uint_eq(q->retry_dropped, 1100 + 3016);

	/* Empty cells merged into empty cells stay empty. */
	dv_rx_stats_init(&rxd);
	dv_rx_stats_merge(&rxd, &rxc);
	ck_assert_uint_eq(rxd.edns[0][0].resp_min, UINT64_MAX);
	ck_assert_uint_eq(rxd.edns[0][0].resp_max, 0);
}
END_TEST

START_TEST(test_delta_seq)
{
	fill_tx(&txb, 10);
	fill_tx(&txa, 100);
	for (int i = 0; i < 5; i++) {
		dv_hist_add(&txb.gap, 375000000);
		dv_hist_add(&txa.gap, 375000000);
	}
	for (int i = 0; i < 7; i++)
		dv_hist_add(&txa.gap, 750000000);
	dv_tx_stats_delta(&txd, &txa, &txb);
	ck_assert_uint_eq(txd.logical, 90);
	ck_assert_uint_eq(txd.retries, 90);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			ck_assert_uint_eq(txd.edns_sent[v][f], 90);
	}
	ck_assert_uint_eq(txd.gap.count, 7);
	ck_assert_uint_eq(txd.gap.sum, 7 * UINT64_C(750000000));
	ck_assert_uint_eq(txd.gap.bucket[dv_hist_index(750000000)], 7);
	ck_assert_uint_le(txd.gap.min, 750000000);
	ck_assert_uint_ge(txd.gap.max, 750000000);

	fill_rx(&rxb, 10, 0);
	fill_rx(&rxa, 100, 0);
	/* A cell with no answer in the interval, and one with no answer before it. */
	rxa.edns[1][DV_FAMILY_V4].answered = rxb.edns[1][DV_FAMILY_V4].answered;
	rxb.edns[2][DV_FAMILY_V6].answered = 0;
	rxb.edns[2][DV_FAMILY_V6].resp_min = UINT64_MAX;
	rxb.edns[2][DV_FAMILY_V6].resp_max = 0;
	dv_rx_stats_delta(&rxd, &rxa, &rxb);
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			const struct dv_edns_rx *e = &rxd.edns[v][f];
			ck_assert_uint_eq(e->truncated, 90);
			ck_assert_uint_eq(e->timeouts, 90);
			ck_assert_uint_eq(e->resp_bytes, 90);
			if (v == 1 && f == DV_FAMILY_V4) {
				ck_assert_uint_eq(e->answered, 0);
				ck_assert_uint_eq(e->resp_min, UINT64_MAX);
				ck_assert_uint_eq(e->resp_max, 0);
				continue;
			}
			if (v == 2 && f == DV_FAMILY_V6)
				ck_assert_uint_eq(e->answered, rxa.edns[v][f].answered);
			else
				ck_assert_uint_eq(e->answered, 90);
			/* The run's bounds so far: they bound the interval's. */
			ck_assert_uint_eq(e->resp_min, rxa.edns[v][f].resp_min);
			ck_assert_uint_eq(e->resp_max, rxa.edns[v][f].resp_max);
		}
	}
	const struct dv_seq_stats *q = &rxd.seq;
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		ck_assert_uint_eq(q->answered_on[k][DV_FAMILY_V4], 90);
		ck_assert_uint_eq(q->answered_on[k][DV_FAMILY_V6], 90);
		ck_assert_uint_eq(q->answered_late[k], 90);
		ck_assert_uint_eq(q->truncated_on[k], 90);
	}
	for (unsigned k = 0; k <= DV_MAX_ATTEMPTS; k++)
		ck_assert_uint_eq(q->seq_len[k], 90);
	ck_assert_uint_eq(q->failed, 90);
	ck_assert_uint_eq(q->redundant, 90);
	for (unsigned a = 0; a < DV_FAMILIES; a++) {
		ck_assert_uint_eq(q->single[a], 90);
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			ck_assert_uint_eq(q->first_two[a][b], 90);
	}
	ck_assert_uint_eq(q->retry_dropped, 90);

	/* Snapshots that went backwards saturate at 0. */
	dv_rx_stats_delta(&rxd, &rxb, &rxa);
	ck_assert_uint_eq(rxd.seq.failed, 0);
	ck_assert_uint_eq(rxd.edns[0][0].answered, 0);
	ck_assert_uint_eq(rxd.edns[0][0].resp_min, UINT64_MAX);
}
END_TEST

START_TEST(test_init_frag)
{
	memset(&rxd, 0xab, sizeof(rxd));
	dv_rx_stats_init(&rxd);
	ck_assert_uint_eq(rxd.icmp_mtu_min, UINT64_MAX);
	ck_assert_uint_eq(rxd.icmp_attributed, 0);
	ck_assert_uint_eq(rxd.icmp[DV_FAMILY_V6][DV_ICMP_KINDS - 1], 0);
	ck_assert_uint_eq(rxd.frag.frags[DV_FAMILY_V6], 0);
	ck_assert_uint_eq(rxd.frag.not_ours, 0);
	ck_assert_uint_eq(rxd.frag_count.count, 0);
	ck_assert_uint_eq(rxd.frag_count.min, UINT64_MAX);
	ck_assert_uint_eq(rxd.frag_spread.count, 0);
	ck_assert_uint_eq(rxd.frag_spread.min, UINT64_MAX);
	ck_assert_uint_eq(rxd.fail[DV_FAMILIES - 1][DV_EDNS_VARIANTS - 1][DV_SIZE_CLASSES - 1]
				  [DV_FR_COLS - 1], 0);
}
END_TEST

START_TEST(test_rx_merge_frag)
{
	fill_rx(&rxa, 100, 0);
	fill_rx(&rxb, 1000, 0);
	for (int i = 0; i < 30; i++) {
		dv_hist_add(&rxa.frag_count, 3);
		dv_hist_add(&rxa.frag_spread, 12000 + (uint64_t)i);
	}
	for (int i = 0; i < 20; i++) {
		dv_hist_add(&rxb.frag_count, 45);
		dv_hist_add(&rxb.frag_spread, 900000);
	}
	dv_rx_stats_init(&rxc); /* a collector that saw nothing */
	dv_rx_stats_init(&rxd);
	dv_rx_stats_merge(&rxd, &rxc);
	dv_rx_stats_merge(&rxd, &rxb);
	dv_rx_stats_merge(&rxd, &rxc);
	dv_rx_stats_merge(&rxd, &rxa);

	const struct dv_frag_stats *fs = &rxd.frag;
	ck_assert_uint_eq(fs->frags[DV_FAMILY_V4], 1100 + 3200);
	ck_assert_uint_eq(fs->frags[DV_FAMILY_V6], 1100 + 3202);
	ck_assert_uint_eq(fs->frag_bytes, 1100 + 3204);
	ck_assert_uint_eq(fs->reassembled[DV_FAMILY_V4], 1100 + 3206);
	ck_assert_uint_eq(fs->reassembled[DV_FAMILY_V6], 1100 + 3208);
	ck_assert_uint_eq(fs->lost_sets[DV_FAMILY_V4], 1100 + 3210);
	ck_assert_uint_eq(fs->lost_sets[DV_FAMILY_V6], 1100 + 3212);
	ck_assert_uint_eq(fs->lost_attributed, 1100 + 3214);
	ck_assert_uint_eq(fs->dropped_sets, 1100 + 3216);
	ck_assert_uint_eq(fs->not_ours, 1100 + 3218);
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			ck_assert_uint_eq(rxd.icmp[f][k], 1100 + 3400 + 2 * (f * DV_ICMP_KINDS + k));
	}
	ck_assert_uint_eq(rxd.icmp_attributed, 1100 + 3440);
	/* the smallest MTU of any collector: 100 + 1280 */
	ck_assert_uint_eq(rxd.icmp_mtu_min, 1380);
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++)
				for (unsigned col = 0; col < DV_FR_COLS; col++)
					ck_assert_uint_eq(rxd.fail[f][v][c][col],
							  1100 + 10000 + 2 * fail_index(f, v, c, col));
	ck_assert_uint_eq(rxd.frag_count.count, 50);
	ck_assert_uint_eq(rxd.frag_count.min, 3);
	ck_assert_uint_eq(rxd.frag_count.max, 45);
	ck_assert_uint_eq(rxd.frag_count.sum, 30 * 3 + 20 * 45);
	ck_assert_uint_eq(rxd.frag_spread.count, 50);
	ck_assert_uint_eq(rxd.frag_spread.min, 12000);
	ck_assert_uint_eq(rxd.frag_spread.max, 900000);
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		ck_assert_uint_eq(rxd.frag_spread.bucket[i],
				  rxa.frag_spread.bucket[i] + rxb.frag_spread.bucket[i]);

	/* No too-big error anywhere: no MTU. */
	dv_rx_stats_init(&rxd);
	dv_rx_stats_merge(&rxd, &rxc);
	dv_rx_stats_merge(&rxd, &rxc);
	ck_assert_uint_eq(rxd.icmp_mtu_min, UINT64_MAX);
}
END_TEST

START_TEST(test_delta_frag)
{
	fill_rx(&rxb, 10, 0);
	fill_rx(&rxa, 100, 0);
	for (int i = 0; i < 5; i++) {
		dv_hist_add(&rxb.frag_count, 3);
		dv_hist_add(&rxa.frag_count, 3);
	}
	for (int i = 0; i < 7; i++) {
		dv_hist_add(&rxa.frag_count, 2);
		dv_hist_add(&rxa.frag_spread, 40000);
	}
	dv_rx_stats_delta(&rxd, &rxa, &rxb);
	const struct dv_frag_stats *fs = &rxd.frag;
	ck_assert_uint_eq(fs->frags[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(fs->frags[DV_FAMILY_V6], 90);
	ck_assert_uint_eq(fs->frag_bytes, 90);
	ck_assert_uint_eq(fs->reassembled[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(fs->reassembled[DV_FAMILY_V6], 90);
	ck_assert_uint_eq(fs->lost_sets[DV_FAMILY_V4], 90);
	ck_assert_uint_eq(fs->lost_sets[DV_FAMILY_V6], 90);
	ck_assert_uint_eq(fs->lost_attributed, 90);
	ck_assert_uint_eq(fs->dropped_sets, 90);
	ck_assert_uint_eq(fs->not_ours, 90);
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			ck_assert_uint_eq(rxd.icmp[f][k], 90);
	}
	ck_assert_uint_eq(rxd.icmp_attributed, 90);
	/* too-big errors in the interval: the run's smallest so far bounds it */
	ck_assert_uint_eq(rxd.icmp_mtu_min, 100 + 1280);
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++)
				for (unsigned col = 0; col < DV_FR_COLS; col++)
					ck_assert_uint_eq(rxd.fail[f][v][c][col], 90);
	ck_assert_uint_eq(rxd.frag_count.count, 7);
	ck_assert_uint_eq(rxd.frag_count.bucket[2], 7);
	ck_assert_uint_eq(rxd.frag_count.bucket[3], 0);
	ck_assert_uint_eq(rxd.frag_spread.count, 7);
	ck_assert_uint_eq(rxd.frag_spread.bucket[dv_hist_index(40000)], 7);

	/* No too-big error in the interval: no MTU. */
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		rxa.icmp[f][DV_ICMP_TOO_BIG] = rxb.icmp[f][DV_ICMP_TOO_BIG];
	dv_rx_stats_delta(&rxd, &rxa, &rxb);
	ck_assert_uint_eq(rxd.icmp_mtu_min, UINT64_MAX);
	ck_assert_uint_eq(rxd.icmp[DV_FAMILY_V4][DV_ICMP_TOO_BIG], 0);
	ck_assert_uint_eq(rxd.icmp[DV_FAMILY_V4][DV_ICMP_PORT_UNREACH], 90);

	/* Backwards saturates at 0. */
	dv_rx_stats_delta(&rxd, &rxb, &rxa);
	ck_assert_uint_eq(rxd.frag.frags[DV_FAMILY_V6], 0);
	ck_assert_uint_eq(rxd.fail[0][0][0][0], 0);
	ck_assert_uint_eq(rxd.icmp_mtu_min, UINT64_MAX);
}
END_TEST

START_TEST(test_seq_sums)
{
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	struct dv_seq_stats *q = &res.rx.seq;
	q->answered_on[0][DV_FAMILY_V6] = 10;
	q->answered_on[1][DV_FAMILY_V4] = 5;
	q->answered_late[0] = 2;
	q->truncated_on[0] = 3;
	q->failed = 4;
	q->seq_len[1] = 11;
	q->seq_len[2] = 7;
	q->seq_len[3] = 4;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V4] = 9;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V6] = 2;
	struct dv_seq_totals t;
	dv_seq_sum(q, &t);
	ck_assert_uint_eq(t.ended, 22);
	ck_assert_uint_eq(t.answered, 15);
	ck_assert_uint_eq(t.truncated, 3);
	ck_assert_uint_eq(t.late, 2);
	ck_assert_uint_eq(t.attempts, 11 + 14 + 12);
	ck_assert_uint_eq(t.two_plus, 11);

	/* Rows: N of the plan, clamped, extended by any later non-zero counter. */
	res.attempts = 3;
	ck_assert_uint_eq(dv_result_attempt_rows(&res), 3);
	res.attempts = 2;
	ck_assert_uint_eq(dv_result_attempt_rows(&res), 3);
	res.attempts = 0;
	q->seq_len[2] = q->seq_len[3] = 0;
	q->answered_on[1][DV_FAMILY_V4] = 0;
	ck_assert_uint_eq(dv_result_attempt_rows(&res), 1);
	res.attempts = 1000;
	ck_assert_uint_eq(dv_result_attempt_rows(&res), DV_MAX_ATTEMPTS);
	res.attempts = 1;
	q->answered_late[DV_MAX_ATTEMPTS - 1] = 1;
	ck_assert_uint_eq(dv_result_attempt_rows(&res), DV_MAX_ATTEMPTS);
}
END_TEST

START_TEST(test_edns_cell)
{
	uint64_t sent;
	struct dv_edns_rx c;

	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.n_edns = 3;
	res.edns_size[0] = 4096;
	res.edns_size[1] = 1232;
	res.edns_size[2] = 4096; /* also on the ladder */
	res.edns_size[3] = 4096; /* not in use */
	res.tx.edns_sent[0][DV_FAMILY_V4] = 10;
	res.tx.edns_sent[2][DV_FAMILY_V4] = 5;
	res.tx.edns_sent[3][DV_FAMILY_V4] = 1000;
	res.rx.edns[0][DV_FAMILY_V4] = (struct dv_edns_rx){ 8, 1, 2, 800, 90, 110 };
	res.rx.edns[2][DV_FAMILY_V4] = (struct dv_edns_rx){ 5, 0, 0, 300, 60, 60 };
	ck_assert(dv_result_edns_cell(&res, 0, DV_FAMILY_V4, &sent, &c));
	ck_assert_uint_eq(sent, 15);
	ck_assert_uint_eq(c.answered, 13);
	ck_assert_uint_eq(c.truncated, 1);
	ck_assert_uint_eq(c.timeouts, 2);
	ck_assert_uint_eq(c.resp_bytes, 1100);
	ck_assert_uint_eq(c.resp_min, 60);
	ck_assert_uint_eq(c.resp_max, 110);
	ck_assert(dv_result_edns_cell(&res, 1, DV_FAMILY_V6, &sent, &c));
	ck_assert_uint_eq(sent, 0);
	ck_assert_uint_eq(c.resp_min, UINT64_MAX);
	ck_assert(!dv_result_edns_cell(&res, 2, DV_FAMILY_V4, &sent, &c));
	ck_assert(!dv_result_edns_cell(&res, 3, DV_FAMILY_V4, &sent, &c));
	ck_assert(!dv_result_edns_cell(&res, 0, DV_FAMILIES, &sent, &c));
	res.n_edns = 1000; /* clamped to the array */
	ck_assert(!dv_result_edns_cell(&res, DV_EDNS_VARIANTS, DV_FAMILY_V4, &sent, &c));
}
END_TEST

START_TEST(test_result_sums)
{
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.tx.sent[DV_FAMILY_V4] = 7;
	res.tx.sent[DV_FAMILY_V6] = 5;
	res.rx.answered[DV_FAMILY_V4] = 6;
	res.rx.answered[DV_FAMILY_V6] = 4;
	res.rx.timeouts[DV_FAMILY_V4] = 1;
	res.rx.timeouts[DV_FAMILY_V6] = 1;
	ck_assert_uint_eq(dv_result_sent(&res), 12);
	ck_assert_uint_eq(dv_result_answered(&res), 10);
	ck_assert_uint_eq(dv_result_timeouts(&res), 2);
	res.since_ns = 1000000000;
	res.until_ns = 3500000000;
	ck_assert_double_eq_tol(dv_result_seconds(&res), 2.5, 1e-12);
	/* A clock that stepped back gives no negative (or huge) length. */
	res.until_ns = 999999999;
	ck_assert_double_eq(dv_result_seconds(&res), 0.0);
}
END_TEST

START_TEST(test_rcode_names)
{
	static const char *const want[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
		"RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
	};
	for (unsigned i = 0; i < 16; i++)
		ck_assert_str_eq(dv_rcode_name(i), want[i]);
	ck_assert_ptr_nonnull(dv_rcode_name(16));
}
END_TEST

/**
 * The result used by the text and JSON tests: 1000 sent (900 v4, 100 v6),
 * 998 answered, 2 lost; latencies 40 us, 3 ms and 996 x 120 us.
 */
static void make_result(struct dv_result *r)
{
	memset(r, 0, sizeof(*r));
	dv_tx_stats_init(&r->tx);
	dv_rx_stats_init(&r->rx);
	r->tx.sent[DV_FAMILY_V4] = 900;
	r->tx.sent[DV_FAMILY_V6] = 100;
	r->tx.logical = 1000; /* one attempt each */
	r->tx.tx_bytes = 82000;
	r->tx.alloc_fail = 7;
	r->tx.tx_full = 8;
	r->tx.inflight_full = 9;
	r->tx.sched_slips = 10;
	r->tx.sched_skipped = 11;
	r->tx.first_tx_tsc = 1000;
	r->tx.last_tx_tsc = 2000;
	r->rx.answered[DV_FAMILY_V4] = 899;
	r->rx.answered[DV_FAMILY_V6] = 99;
	r->rx.timeouts[DV_FAMILY_V4] = 1;
	r->rx.timeouts[DV_FAMILY_V6] = 1;
	r->rx.rcode[0] = 990;
	r->rx.rcode[3] = 8;
	r->rx.truncated = 6;
	r->rx.late = 3;
	r->rx.duplicate = 4;
	r->rx.unmatched = 5;
	r->rx.rx_pkts = 1020;
	r->rx.rx_bytes = 102000;
	r->rx.rx_class[DV_PKT_DNS] = 1010;
	r->rx.rx_class[DV_PKT_FRAGMENT] = 1;
	r->rx.rx_class[DV_PKT_ICMP] = 2;
	r->rx.rx_class[DV_PKT_ARP_ND] = 3;
	r->rx.rx_class[DV_PKT_OTHER] = 4;
	r->rx.rx_class[DV_PKT_MALFORMED] = 0;
	/* DNS messages: 33-byte queries, 45-byte answers (all of one EDNS size). */
	r->tx.query_bytes = 1000 * 33;
	r->rx.edns[0][DV_FAMILY_V4].answered = 899;
	r->rx.edns[0][DV_FAMILY_V4].resp_bytes = 899 * 45;
	r->rx.edns[0][DV_FAMILY_V6].answered = 99;
	r->rx.edns[0][DV_FAMILY_V6].resp_bytes = 99 * 45;
	dv_hist_add(&r->rx.latency, 40000);
	dv_hist_add(&r->rx.latency, 3000000);
	for (int i = 0; i < 996; i++)
		dv_hist_add(&r->rx.latency, 120000);
	r->since_ns = UINT64_C(1700000000000000000);
	r->until_ns = r->since_ns + 250000000;
	r->send_seconds = 0.05;
	r->run_seconds = 0.25;
	r->target_qps = 20000;
	r->interrupted = true;
}

/**
 * make_result() plus sequences: N = 3, 1000 logical queries started, 980
 * ended: 850 answered on attempt 1 (800 over IPv6, 50 over IPv4; 5 of them
 * late, after attempt 2 had gone out), 100 on attempt 2 over IPv4, 20
 * truncated on attempt 1, 10 failed. Gaps: 100 x 375 ms, 15 x 400 ms,
 * 10 x 1 s. EDNS variants 1232, 4096 (unused), none, 1232 again (ladder).
 */
static void make_seq_result(struct dv_result *r)
{
	make_result(r);
	r->sequences = true;
	r->attempts = 3;
	r->tx.logical = 1000;
	r->tx.retries = 130;

	struct dv_seq_stats *q = &r->rx.seq;
	q->answered_on[0][DV_FAMILY_V6] = 800;
	q->answered_on[0][DV_FAMILY_V4] = 50;
	q->answered_on[1][DV_FAMILY_V4] = 100;
	q->answered_late[0] = 5;
	q->truncated_on[0] = 20;
	q->failed = 10;
	q->redundant = 3;
	q->retry_dropped = 2;
	q->seq_len[1] = 865;
	q->seq_len[2] = 105;
	q->seq_len[3] = 10;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V4] = 110;
	q->first_two[DV_FAMILY_V6][DV_FAMILY_V6] = 5;
	q->single[DV_FAMILY_V6] = 835;
	q->single[DV_FAMILY_V4] = 30;

	for (int i = 0; i < 100; i++)
		dv_tx_gap_add(&r->tx, 375000000);
	for (int i = 0; i < 15; i++)
		dv_tx_gap_add(&r->tx, 400000000);
	for (int i = 0; i < 10; i++)
		dv_tx_gap_add(&r->tx, 1000000000);

	r->n_edns = 4;
	r->edns_size[0] = 1232;
	r->edns_size[1] = 4096;
	r->edns_size[2] = DV_EDNS_NONE;
	r->edns_size[3] = 1232;
	r->tx.edns_sent[0][DV_FAMILY_V6] = 900;
	r->tx.edns_sent[0][DV_FAMILY_V4] = 100;
	r->tx.edns_sent[3][DV_FAMILY_V4] = 30;
	r->tx.edns_sent[2][DV_FAMILY_V4] = 75;
	r->rx.edns[0][DV_FAMILY_V6] = (struct dv_edns_rx){ 850, 20, 50, 85000, 60, 1300 };
	r->rx.edns[0][DV_FAMILY_V4] = (struct dv_edns_rx){ 95, 0, 5, 7600, 80, 80 };
	r->rx.edns[3][DV_FAMILY_V4] = (struct dv_edns_rx){ 30, 0, 0, 2700, 70, 110 };
	r->rx.edns[2][DV_FAMILY_V4].timeouts = 75;
}

/**
 * make_result() plus fragments: EDNS variants 4096, 1232 and 4096 again
 * (ladder). IPv6 EDNS 4096 large answers: 1000 attempts, 400 reassembled,
 * 590 lost a fragment, 10 timed out; 10 more of unknown size (7 ICMP, 3
 * timeouts); IPv6 EDNS 1232: 1000 TC. IPv4 EDNS 4096: 1000 plain; IPv4 EDNS
 * 1232: 995 TC, 5 timeouts. 3000 IPv6 fragments, 400 reassembled responses of
 * 3 fragments (390 spread over 12 us, 10 over 50 us). ICMP: IPv4 5 port
 * unreachable; IPv6 7 too-big (MTU 1280) and 1 reassembly time exceeded.
 */
static void make_frag_result(struct dv_result *r)
{
	make_result(r);
	r->frag_report = true;
	r->n_edns = 3;
	r->edns_size[0] = 4096;
	r->edns_size[1] = 1232;
	r->edns_size[2] = 4096;

	uint64_t (*v6)[DV_SIZE_CLASSES][DV_FR_COLS] = r->rx.fail[DV_FAMILY_V6];
	uint64_t (*v4)[DV_SIZE_CLASSES][DV_FR_COLS] = r->rx.fail[DV_FAMILY_V4];
	v6[0][DV_SIZE_LARGE][DV_FR_REASM] = 390;
	v6[2][DV_SIZE_LARGE][DV_FR_REASM] = 10;
	v6[0][DV_SIZE_LARGE][DV_FR_LOST_FRAG] = 590;
	v6[2][DV_SIZE_LARGE][DV_FR_TIMEOUT] = 10;
	v6[0][DV_SIZE_UNKNOWN][DV_FR_ICMP] = 7;
	v6[0][DV_SIZE_UNKNOWN][DV_FR_TIMEOUT] = 3;
	v6[1][DV_SIZE_1232][DV_FR_TC] = 1000;
	v4[0][DV_SIZE_LARGE][DV_FR_PLAIN] = 1000;
	v4[1][DV_SIZE_1232][DV_FR_TC] = 995;
	v4[1][DV_SIZE_UNKNOWN][DV_FR_TIMEOUT] = 5;

	struct dv_frag_stats *fs = &r->rx.frag;
	fs->frags[DV_FAMILY_V6] = 3000;
	fs->frag_bytes = 3642000;
	fs->reassembled[DV_FAMILY_V6] = 400;
	fs->lost_sets[DV_FAMILY_V6] = 600;
	fs->lost_attributed = 590;
	fs->other_source = 1;
	fs->reassembled_bytes = 400 * 3642;
	fs->not_ours = 2;
	for (int i = 0; i < 400; i++)
		dv_hist_add(&r->rx.frag_count, 3);
	for (int i = 0; i < 390; i++)
		dv_hist_add(&r->rx.frag_spread, 12000);
	for (int i = 0; i < 10; i++)
		dv_hist_add(&r->rx.frag_spread, 50000);

	r->rx.icmp[DV_FAMILY_V4][DV_ICMP_PORT_UNREACH] = 5;
	r->rx.icmp[DV_FAMILY_V6][DV_ICMP_TOO_BIG] = 7;
	r->rx.icmp[DV_FAMILY_V6][DV_ICMP_REASM_EXCEEDED] = 1;
	r->rx.icmp_attributed = 12;
	r->rx.icmp_mtu_min = 1280;
}

/** Render the text report into a malloc'ed string. */
static char *render_text(const struct dv_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	dv_report_text(f, &plan, r);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static const char expected_text[] =
	"Statistics:\n"
	"\n"
	"  Queries sent:         1000\n"
	"  Queries completed:    998 (99.80%)\n"
	"  Queries lost:         2 (0.20%)\n"
	"\n"
	"  Response codes:       NOERROR 990 (99.20%), NXDOMAIN 8 (0.80%)\n"
	"  Average packet size:  request 33, response 45\n"
	"  Run time (s):         0.250000\n"
	"  Queries per second:   3992.000000\n"
	"\n"
	"  Average Latency (s):  0.000123 (min 0.000040, max 0.003000)\n"
	"  Latency StdDev (s):   0.000091\n"
	"\n"
	"dnsvolley statistics:\n"
	"\n"
	"  IPv4: sent 900, completed 899 (99.89%), lost 1\n"
	"  IPv6: sent 100, completed 99 (99.00%), lost 1\n"
	"  Latency percentiles (ms): p50 0.123  p90 0.123  p99 0.123  p99.9 3.000\n"
	"  Average frame size (bytes): sent 82, received 100 (every frame)\n"
	"  Send rate (qps): achieved 20000.0 of target 20000.0 (100.00%)\n"
	"  Late responses: 3, duplicates: 4, unmatched: 5, truncated (TC): 6\n"
	"  Not sent: mbuf pool empty 7, TX queue full 8, in-flight table full 9, schedule slips 10 (11 queries skipped)\n"
	"  Received packets: 1020 (dns 1010, fragment 1, icmp 2, arp/nd 3, other 4, malformed 0)\n"
	"  RX drops: none\n"
	"\n"
	"Interrupted: stopped by signal, drained outstanding queries\n";

/* A search is its trials: no dnsperf block of all trials over the last one's time (issue 12). */
START_TEST(test_text_search_is_its_trials)
{
	make_result(&res);
	res.rate_mode = DV_RATE_SEARCH;
	res.run_seconds = 2.5;
	struct dv_rate_summary *rs = &res.rate;
	rs->search_loss_pct = 1.0;
	rs->search_offered_max = 20000;
	rs->search_n = 2;
	rs->search_trials = rs->search_ntrials = 3;
	rs->trial[0] = (struct dv_search_trial){ .search = 1, .trial = 1, .offered_qps = 20000,
		.sent_qps = 10800, .sent = 10800, .answered = 10800, .verdict = DV_TRIAL_GEN_LIMITED };
	rs->trial[1] = (struct dv_search_trial){ .search = 1, .trial = 2, .offered_qps = 10000,
		.sent_qps = 10000, .sent = 10000, .answered = 10000, .verdict = DV_TRIAL_PASS };
	rs->trial[2] = (struct dv_search_trial){ .search = 2, .trial = 1, .offered_qps = 20000,
		.sent_qps = 19990, .sent = 19990, .answered = 19990, .verdict = DV_TRIAL_PASS };
	rs->search_end[0] = DV_SEARCH_GEN_CEILING, rs->search_qps[0] = 10000;
	rs->search_end[1] = DV_SEARCH_NO_LIMIT, rs->search_qps[1] = 19990;
	res.stalls = (struct dv_stalls){ .count = 1, .total_s = 2.0, .longest_s = 2.0, .first_at_s = 3.5 };
	char *out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "Statistics:"));
	ck_assert_ptr_null(strstr(out, "Queries per second:"));
	ck_assert_ptr_nonnull(strstr(out, "  search trial  offered qps  started qps       sent   answered  unanswered  verdict\n"
					  "       1     1        20000        10800      10800      10800      0.000%  generator-limited\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Search 1: no limit found: the generator could not offer more"));
	ck_assert_ptr_nonnull(strstr(out, "  Search 2: no limit found below -Q 20000 qps (every trial passed)\n"));
	ck_assert_ptr_nonnull(strstr(out, "a lower bound, a search found no limit"));
	ck_assert_ptr_nonnull(strstr(out, "  Stalls: 1 (the process did not run for 2.000 s in all"));
	free(out);
	memset(&res.rate, 0, sizeof(res.rate));
	memset(&res.stalls, 0, sizeof(res.stalls));
}
END_TEST

START_TEST(test_text_report)
{
	make_result(&res);
	char *out = render_text(&res);
	ck_assert_str_eq(out, expected_text);
	free(out);

	/* Not interrupted, IPv4 only: no IPv6 line, no interrupted line. */
	res.interrupted = false;
	res.tx.sent[DV_FAMILY_V6] = 0;
	out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "IPv6:"));
	ck_assert_ptr_null(strstr(out, "Interrupted"));
	ck_assert_ptr_nonnull(strstr(out, "  IPv4: sent 900, completed 899 (99.89%), lost 1\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Queries sent:         900\n"));
	free(out);
}
END_TEST

/* The XDP line: a UDP run's as it always was; over TCP (or TCP counted) the TCP segments too. */
START_TEST(test_text_xdp)
{
	static const char udp_line[] =
		"  XDP program: 1020 frames to us (1 fragments, 2 ICMP errors), 17 left to the kernel\n";
	make_result(&res);
	res.has_xdp = true;
	res.xdp_redirected = 1020, res.xdp_passed = 17, res.xdp_fragments = 1, res.xdp_icmp = 2;
	char *out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, udp_line));
	ck_assert_ptr_null(strstr(out, "TCP"));
	free(out);

	res.xdp_takes_tcp = true;
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  XDP program: 1020 frames to us (1 fragments, 2 ICMP errors, "
					  "0 TCP segments), 17 left to the kernel\n"));
	free(out);

	res.xdp_takes_tcp = false;
	res.xdp_tcp = 1017;
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  XDP program: 1020 frames to us (1 fragments, 2 ICMP errors, "
					  "1017 TCP segments), 17 left to the kernel\n"));
	free(out);

	/* No program: no line, whatever the TCP fields hold. */
	res.has_xdp = false;
	res.xdp_takes_tcp = true;
	out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "XDP program"));
	free(out);
	res.xdp_tcp = 0, res.xdp_takes_tcp = false;
}
END_TEST

static const char expected_seq_text[] =
	"  Received packets: 1020 (dns 1010, fragment 1, icmp 2, arp/nd 3, other 4, malformed 0)\n"
	"  RX drops: none\n"
	"\n"
	"Logical queries:\n"
	"\n"
	"  Started:              1000\n"
	"  Ended:                980\n"
	"  Answered:             950 (96.94%)\n"
	"  Truncated (TC):       20 (2.04%)\n"
	"  Failed:               10 (1.02%)\n"
	"  Attempts per query:   1.13\n"
	"  Retries sent:         130\n"
	"  Redundant answers:    3\n"
	"  Late answers:         5\n"
	"  Retries dropped:      2\n"
	"\n"
	"Answered on attempt:\n"
	"\n"
	"  attempt         IPv4         IPv6        total   % ended    truncated         late\n"
	"        1           50          800          850    86.73%           20            5\n"
	"        2          100            0          100    10.20%            0            0\n"
	"\n"
	"Sequence length:\n"
	"\n"
	"  attempts        count         %\n"
	"         1          865    88.27%\n"
	"         2          105    10.71%\n"
	"         3           10     1.02%\n"
	"\n"
	"First two attempts:\n"
	"\n"
	"  families        count   % of 2+\n"
	"  v6->v4            110    95.65%\n"
	"  v6->v6              5     4.35%\n"
	"  Sequences of 2+ attempts: 115; of 1 attempt: IPv4 30, IPv6 835\n"
	"\n"
	"Gap between attempts (ms):\n"
	"\n"
	"  Gaps:                 125 (min 375.0, p10 375.0, p50 375.0, p90 400.0, max 1000.0)\n"
	"  Peaks:                369.099-385.876 100 (80.00%), 385.876-402.653 15 (12.00%), "
	"973.079-1006.633 10 (8.00%)\n"
	"\n"
	"By EDNS size and family:\n"
	"\n"
	"   size  family     attempts     answered           TC     timeouts  resp min  resp avg  resp max\n"
	"   1232  IPv4            130          125            0            5        70        82       110\n"
	"   1232  IPv6            900          850           20           50        60       100      1300\n"
	"   none  IPv4             75            0            0           75         -         -         -\n"
	"\n"
	"Interrupted: stopped by signal, drained outstanding queries\n";

START_TEST(test_text_sequences)
{
	make_seq_result(&res);
	char *out = render_text(&res);
	/* The v0 block counts attempts as dnsperf does; the names resolved right under it. */
	ck_assert_ptr_nonnull(strstr(out, "  Queries sent:         1000\n"
					  "  Queries completed:    998 (99.80%)\n"
					  "  Queries lost:         2 (0.20%)\n"
					  "  Names resolved:       950 of 980 (96.94%)\n\n"));
	const char *tail = strstr(out, "  Received packets:");
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail, expected_seq_text);
	free(out);

	/* Peaks: most populated first, at most three. */
	for (int i = 0; i < 200; i++)
		dv_tx_gap_add(&res.tx, 50000000);
	dv_tx_gap_add(&res.tx, 3000000000);
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  Peaks:                48.234-50.332 200 (61.35%), "
					  "369.099-385.876 100 (30.67%), 385.876-402.653 15 (4.60%)\n"));
	free(out);

	/*
	 * Issue 12: gaps to 0.1 ms. Unbound's 376.8 ms timer and BIND's 801.7 ms
	 * printed as their 6 % buckets' upper bounds (385.9, 804.2); now exact.
	 * A gap beyond the 0.1 ms table comes from the histogram.
	 */
	dv_tx_stats_init(&res.tx);
	for (int i = 0; i < 60; i++)
		dv_tx_gap_add(&res.tx, 376830000 + (uint64_t)i * 1000);
	for (int i = 0; i < 39; i++)
		dv_tx_gap_add(&res.tx, 801712345);
	dv_tx_gap_add(&res.tx, 9000000000);
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  Gaps:                 100 (min 376.8, p10 376.8, p50 376.8, "
					  "p90 801.7, max 9000.0)\n"));
	free(out);
	ck_assert_uint_eq(dv_result_gap_quantile(&res, 0.0), 376800000);
	ck_assert_uint_eq(dv_result_gap_quantile(&res, 0.99), 801700000);
	ck_assert_uint_eq(dv_result_gap_quantile(&res, 1.0), 9000000000);

	/* An EDNS mix without sequences: the EDNS table only. */
	res.sequences = false;
	out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "Logical queries:"));
	ck_assert_ptr_null(strstr(out, "Answered on attempt:"));
	ck_assert_ptr_nonnull(strstr(out, "By EDNS size and family:\n"));
	free(out);

	/* v0 (one EDNS size, no sequences): nothing new at all. */
	res.n_edns = 1;
	out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "Names resolved"));
	ck_assert_ptr_null(strstr(out, "By EDNS size"));
	ck_assert_ptr_null(strstr(out, "Gap between"));
	free(out);
}
END_TEST

START_TEST(test_text_sequences_empty)
{
	/* Sequences on, nothing happened: headings, zeros, no NaN, no empty rows. */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.sequences = true;
	res.attempts = 4;
	res.n_edns = 2;
	char *out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "nan"));
	ck_assert_ptr_null(strstr(out, "inf"));
	ck_assert_ptr_nonnull(strstr(out, "  Answered:             0 (0.00%)\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Attempts per query:   0.00\n"));
	ck_assert_ptr_nonnull(strstr(out, "Answered on attempt:\n\n"
					  "  attempt         IPv4         IPv6        total"
					  "   % ended    truncated         late\n\nSequence length:"));
	ck_assert_ptr_nonnull(strstr(out, "  Gaps:                 0\n"));
	ck_assert_ptr_null(strstr(out, "Peaks:"));
	ck_assert_ptr_nonnull(strstr(out, "resp max\n"));
	ck_assert_ptr_null(strstr(out, "   none  "));

	/* Only one answer late on attempt 5 of a 4-attempt plan: the row is still shown. */
	res.rx.seq.answered_on[4][DV_FAMILY_V4] = 1;
	res.rx.seq.seq_len[5] = 1;
	free(out);
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "\n        5            1            0            1   100.00%"));
	ck_assert_ptr_nonnull(strstr(out, "\n         5            1   100.00%\n"));
	free(out);
}
END_TEST

static const char expected_frag_text[] =
	"\n"
	"Fragments:\n"
	"\n"
	"  Received:             IPv4 0, IPv6 3000 (3642000 frame bytes)\n"
	"  Reassembled:          IPv4 0, IPv6 400\n"
	"  Lost sets:            IPv4 0, IPv6 600 (attributed 590)\n"
	"  Dropped by policy:    0\n"
	"  Fragments in sets:    reassembled 0, lost 0, untracked (set table full) 0\n"
	"  Not kept:             0 (incomplete sets held their share of the RX pool)\n"
	"  Not ours:             2 (from other sources than the target: 1)\n"
	"  Frags per response:   min 3, p50 3, max 3, 3642 frame bytes on average\n"
	"  First to last (us):   p50 12.287, p99 50.000, max 50.000\n"
	"\n"
	"ICMP errors:\n"
	"\n"
	"  IPv4:                 port-unreachable 5\n"
	"  IPv6:                 too-big 7, reassembly-time-exceeded 1\n"
	"  Attributed:           12\n"
	"  Smallest too-big MTU: 1280\n"
	"\n"
	"Failure rate by family, EDNS size and response size:\n"
	"\n"
	"  family  EDNS size      attempts      plain reassembled         TC  lost-frag  frag-drop"
	"       ICMP    timeout  failed%\n"
	"  IPv4    4096 >1472         1000       1000           0          0          0          0"
	"          0          0    0.00%\n"
	"  IPv4    1232 <=1232         995          0           0        995          0          0"
	"          0          0    0.00%\n"
	"  IPv4    1232 unknown          5          0           0          0          0          0"
	"          0          5  100.00%\n"
	"  IPv6    4096 >1472         1000          0         400          0        590          0"
	"          0         10   60.00%\n"
	"  IPv6    4096 unknown         10          0           0          0          0          0"
	"          7          3  100.00%\n"
	"  IPv6    1232 <=1232        1000          0           0       1000          0          0"
	"          0          0    0.00%\n"
	"\n"
	"  IPv6, EDNS 4096, large responses: 60.0% failed (59.0% lost fragment, 1.0% timed out)\n"
	"\n"
	"Interrupted: stopped by signal, drained outstanding queries\n";

START_TEST(test_text_fragments)
{
	make_frag_result(&res);
	char *out = render_text(&res);
	const char *tail = strstr(out, "\nFragments:");
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail, expected_frag_text);
	free(out);

	/* Without the flag, the counts alone bring the blocks. */
	res.frag_report = false;
	ck_assert(dv_result_has_frag_report(&res));
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, expected_frag_text));
	free(out);

	/* The summary takes the largest size class present, in words, and every cause. */
	res.rx.fail[DV_FAMILY_V4][1][DV_SIZE_1232][DV_FR_ICMP] = 5;
	res.rx.fail[DV_FAMILY_V4][1][DV_SIZE_1232][DV_FR_FRAG_DROP] = 500;
	res.edns_size[1] = DV_EDNS_NONE;
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "\n  IPv4, no EDNS, responses <=1232 bytes: 33.7% failed "
					  "(33.3% refused as fragmented, 0.3% ICMP error)\n"
					  "  IPv6, EDNS 4096, large responses:"));
	ck_assert_ptr_nonnull(strstr(out, "  IPv4    none <=1232        1500 "));
	free(out);

	/* Only sizes never seen: the unknown class speaks. */
	make_frag_result(&res);
	memset(res.rx.fail, 0, sizeof(res.rx.fail));
	res.rx.fail[DV_FAMILY_V6][0][DV_SIZE_UNKNOWN][DV_FR_TIMEOUT] = 4;
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  IPv6, EDNS 4096, responses of unknown size: "
					  "100.0% failed (100.0% timed out)\n"));
	free(out);
}
END_TEST

START_TEST(test_text_fragments_empty)
{
	/* v0: no fragment, ICMP or failure-table block, whatever the failure table says. */
	make_result(&res);
	res.n_edns = 1;
	res.edns_size[0] = 1232;
	res.rx.fail[DV_FAMILY_V4][0][DV_SIZE_512][DV_FR_PLAIN] = 899;
	res.rx.fail[DV_FAMILY_V4][0][DV_SIZE_UNKNOWN][DV_FR_TIMEOUT] = 1;
	res.rx.fail[DV_FAMILY_V4][0][DV_SIZE_512][DV_FR_TC] = 6;
	ck_assert(!dv_result_has_frag_report(&res));
	char *out = render_text(&res);
	ck_assert_str_eq(out, expected_text);
	free(out);

	/* Any sign of fragments or ICMP brings them. */
	res.rx.fail[DV_FAMILY_V4][0][DV_SIZE_1472][DV_FR_REASM] = 1;
	ck_assert(dv_result_has_frag_report(&res));
	res.rx.fail[DV_FAMILY_V4][0][DV_SIZE_1472][DV_FR_REASM] = 0;
	res.rx.icmp[DV_FAMILY_V6][DV_ICMP_OTHER] = 1;
	ck_assert(dv_result_has_frag_report(&res));
	res.rx.icmp[DV_FAMILY_V6][DV_ICMP_OTHER] = 0;
	res.rx.frag.not_ours = 1;
	ck_assert(dv_result_has_frag_report(&res));
	res.rx.frag.not_ours = 0;
	ck_assert(!dv_result_has_frag_report(&res));

	/* The flag alone: the blocks with zeros and dashes, no summary. */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.frag_report = true;
	res.n_edns = 1;
	out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "nan"));
	ck_assert_ptr_nonnull(strstr(out, "  Received:             IPv4 0, IPv6 0 (0 frame bytes)\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Frags per response:   -\n"
					  "  First to last (us):   -\n"));
	ck_assert_ptr_nonnull(strstr(out, "ICMP errors:\n\n  Received:             none\n"));
	ck_assert_ptr_null(strstr(out, "Attributed:"));
	const char *t = strstr(out, "Failure rate by family, EDNS size and response size:\n\n"
				    "  family  EDNS size      attempts");
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(strstr(t, "failed%\n"), "failed%\n");
	free(out);
}
END_TEST

START_TEST(test_text_report_empty)
{
	/* Nothing sent, nothing answered: no division by zero anywhere. */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	char *out = render_text(&res);
	ck_assert_ptr_null(strstr(out, "nan"));
	ck_assert_ptr_null(strstr(out, "inf"));
	ck_assert_ptr_null(strstr(out, "IPv4:"));
	ck_assert_ptr_nonnull(strstr(out, "  Queries completed:    0 (0.00%)\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Queries lost:         0 (0.00%)\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Response codes:       none\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Average Latency (s):  0.000000 (min 0.000000, max 0.000000)\n"));
	/* Target taken from the plan when the result has none. */
	ck_assert_ptr_nonnull(strstr(out, "  Send rate (qps): achieved 0.0 of target 1000.0 (0.00%)\n"));
	/* Nothing to average: "-", not 0 (issue 12). */
	ck_assert_ptr_nonnull(strstr(out, "  Average packet size:  request -, response -\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Latency percentiles (ms): p50 -  p90 -  p99 -  p99.9 -\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Average frame size (bytes): sent -, received - (every frame)\n"));
	free(out);

	/* Queries sent, none answered, ICMP errors received: no response size from ICMP frames. */
	res.tx.sent[DV_FAMILY_V4] = 10;
	res.tx.tx_bytes = 820;
	res.tx.query_bytes = 330;
	res.rx.timeouts[DV_FAMILY_V4] = 10;
	res.rx.rx_pkts = 10;
	res.rx.rx_bytes = 700;
	res.rx.rx_class[DV_PKT_ICMP] = 10;
	out = render_text(&res);
	ck_assert_ptr_nonnull(strstr(out, "  Average packet size:  request 33, response -\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Latency percentiles (ms): p50 -  p90 -  p99 -  p99.9 -\n"));
	ck_assert_ptr_nonnull(strstr(out, "  Average frame size (bytes): sent 82, received 70 (every frame)\n"));
	free(out);
}
END_TEST

START_TEST(test_status_line)
{
	char *buf = NULL;
	size_t len = 0;

	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.tx.sent[DV_FAMILY_V4] = 20000;
	res.tx.logical = 20000;
	res.rx.answered[DV_FAMILY_V4] = 19998;
	for (int i = 0; i < 19000; i++)
		dv_hist_add(&res.rx.latency, 61000);
	for (int i = 0; i < 998; i++)
		dv_hist_add(&res.rx.latency, 140000);
	res.since_ns = UINT64_C(1700000002000000000);
	res.until_ns = UINT64_C(1700000003000000000);
	res.target_qps = 20000;

	FILE *f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	res.rx.frag.frags[DV_FAMILY_V6] = 12;
	dv_report_status_line(f, 3.0, 2.04, false, &res);
	fclose(f);
	ck_assert_str_eq(buf, "[  3.0s] sent 20000 (20000 qps / target 20000) answered 19998 "
			      "timeouts 0 p50 61us p99 140us frags 12 left 2.0s\n");
	free(buf);

	/* On a terminal: rewritten in place; --max has no target; after sending, draining. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	res.rate_mode = DV_RATE_MAX;
	dv_report_status_line(f, 3.0, -1.0, true, &res);
	fclose(f);
	ck_assert_str_eq(buf, "\r\033[K[  3.0s] sent 20000 (20000 qps / target max) answered 19998 "
			      "timeouts 0 p50 61us p99 140us frags 12 draining");
	free(buf);

	/*
	 * Retries: the target is compared with new queries; retries apart
	 * (issue 12: "sent 479 (479 qps / target 200)" compared both).
	 */
	buf = NULL;
	f = open_memstream(&buf, &len);
	res.rate_mode = DV_RATE_FIXED;
	res.target_qps = 200;
	res.tx.sent[DV_FAMILY_V4] = 479;
	res.tx.logical = 200;
	res.tx.retries = 279;
	dv_report_status_line(f, 3.0, 2.04, false, &res);
	fclose(f);
	ck_assert_str_eq(buf, "[  3.0s] sent 479 (new 200 qps / target 200, retries 279 qps) answered "
			      "19998 timeouts 0 p50 61us p99 140us frags 12 left 2.0s\n");
	free(buf);

	/* Over TCP: the connections open at the interval's end, before "left" or "draining". */
	buf = NULL;
	f = open_memstream(&buf, &len);
	res.transport = DV_TRANSPORT_TCP;
	res.tcp_open = 1234;
	dv_report_status_line(f, 3.0, 2.04, false, &res);
	fclose(f);
	ck_assert_str_eq(buf, "[  3.0s] sent 479 (new 200 qps / target 200, retries 279 qps) answered "
			      "19998 timeouts 0 p50 61us p99 140us frags 12 conns 1234 left 2.0s\n");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	res.tcp_open = 0;
	dv_report_status_line(f, 3.0, -1.0, true, &res);
	fclose(f);
	ck_assert_str_eq(buf, "\r\033[K[  3.0s] sent 479 (new 200 qps / target 200, retries 279 qps) "
			      "answered 19998 timeouts 0 p50 61us p99 140us frags 12 conns 0 draining");
	free(buf);
	/* Over UDP the count is never shown, whatever the field holds: the line stays as it was. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	res.transport = DV_TRANSPORT_UDP;
	res.tcp_open = 99;
	dv_report_status_line(f, 3.0, 2.04, false, &res);
	fclose(f);
	ck_assert_str_eq(buf, "[  3.0s] sent 479 (new 200 qps / target 200, retries 279 qps) answered "
			      "19998 timeouts 0 p50 61us p99 140us frags 12 left 2.0s\n");
	free(buf);

	/* Empty interval of zero length: no NaN, latency shown as "-". */
	memset(&res2, 0, sizeof(res2));
	dv_tx_stats_init(&res2.tx);
	dv_rx_stats_init(&res2.rx);
	buf = NULL;
	f = open_memstream(&buf, &len);
	dv_report_status_line(f, 0.5, 0.0, false, &res2);
	fclose(f);
	ck_assert_str_eq(buf, "[  0.5s] sent 0 (0 qps / target 0) answered 0 timeouts 0 p50 - p99 - "
			      "frags 0 left 0.0s\n");
	free(buf);
}
END_TEST

/** A temp file path (the file is created empty). */
static void temp_path(char *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(buf, len, "%s/dv_test_report_XXXXXX", dir != NULL ? dir : "/tmp");
	int fd = mkstemp(buf);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/** Read a JSON lines file: every line must parse as an object. */
static size_t read_lines(const char *path, json_t **obj, size_t max)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char *line = NULL;
	size_t cap = 0, n = 0;
	while (getline(&line, &cap, f) > 0) {
		ck_assert_uint_lt(n, max);
		/* One compact object per line: no embedded newlines. */
		ck_assert_ptr_nonnull(strchr(line, '\n'));
		json_error_t err;
		obj[n] = json_loads(line, 0, &err);
		ck_assert_msg(obj[n] != NULL, "line %zu: %s", n + 1, err.text);
		ck_assert(json_is_object(obj[n]));
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

/** Integer member, asserting that it exists and is an integer. */
static json_int_t jget_int(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_integer(v), "'%s' is not an integer", key);
	return json_integer_value(v);
}

static void check_stats_obj(const json_t *o, const char *type, const char *runid)
{
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), type);
	ck_assert_str_eq(json_string_value(json_object_get(o, "runid")), runid);
	ck_assert_int_eq(jget_int(o, "since"), (json_int_t)res.since_ns);
	ck_assert_int_eq(jget_int(o, "until"), (json_int_t)res.until_ns);
	ck_assert_int_eq(jget_int(json_object_get(o, "sent"), "queries"), 1000);
	ck_assert_int_eq(jget_int(json_object_get(o, "received"), "responses"), 998);
	ck_assert_int_eq(jget_int(o, "timeouts"), 2);
	ck_assert_int_eq(jget_int(o, "interrupted"), 0);
	ck_assert_int_eq(jget_int(o, "unexpected"), 3 + 4 + 5);
	ck_assert_int_eq(jget_int(o, "discarded"), 0);

	json_t *rc = json_object_get(o, "response_rcodes");
	ck_assert(json_is_object(rc));
	ck_assert_uint_eq(json_object_size(rc), 2);
	ck_assert_int_eq(jget_int(rc, "NOERROR"), 990);
	ck_assert_int_eq(jget_int(rc, "NXDOMAIN"), 8);

	json_t *lat = json_object_get(o, "response_latency");
	ck_assert(json_is_object(lat));
	ck_assert_int_eq(jget_int(lat, "min"), 40000);
	ck_assert_int_eq(jget_int(lat, "max"), 3000000);
	ck_assert_int_eq(jget_int(lat, "avg"), 122806);
	ck_assert_int_eq(jget_int(lat, "stddev"), 91157);
	json_t *buckets = json_object_get(lat, "buckets");
	ck_assert(json_is_array(buckets));
	ck_assert_uint_eq(json_array_size(buckets), 3);
	json_int_t total = 0, prev_hi = -1;
	size_t i;
	json_t *b;
	json_array_foreach(buckets, i, b) {
		ck_assert(json_is_array(b));
		ck_assert_uint_eq(json_array_size(b), 3);
		json_int_t lo = json_integer_value(json_array_get(b, 0));
		json_int_t hi = json_integer_value(json_array_get(b, 1));
		json_int_t n = json_integer_value(json_array_get(b, 2));
		ck_assert_int_le(lo, hi);
		ck_assert_int_gt(lo, prev_hi);
		ck_assert_int_gt(n, 0);
		prev_hi = hi;
		total += n;
	}
	ck_assert_int_eq(total, 998);
	/* 120 us sits in [118784, 122879]. */
	b = json_array_get(buckets, 1);
	ck_assert_int_eq(json_integer_value(json_array_get(b, 0)), 118784);
	ck_assert_int_eq(json_integer_value(json_array_get(b, 1)), 122879);
	ck_assert_int_eq(json_integer_value(json_array_get(b, 2)), 996);

	json_t *ci = json_object_get(o, "conn_info");
	ck_assert_str_eq(json_string_value(json_object_get(ci, "type")), "udp");
	ck_assert_int_eq(jget_int(ci, "packets_sent"), 1000);
	ck_assert_int_eq(jget_int(ci, "packets_received"), 1020);

	json_t *ext = json_object_get(o, "dnsvolley");
	ck_assert(json_is_object(ext));
	json_t *fam = json_object_get(ext, "families");
	ck_assert_int_eq(jget_int(json_object_get(fam, "ipv4"), "sent"), 900);
	ck_assert_int_eq(jget_int(json_object_get(fam, "ipv4"), "answered"), 899);
	ck_assert_int_eq(jget_int(json_object_get(fam, "ipv6"), "timeouts"), 1);
	ck_assert_int_eq(jget_int(ext, "late"), 3);
	ck_assert_int_eq(jget_int(ext, "duplicate"), 4);
	ck_assert_int_eq(jget_int(ext, "unmatched"), 5);
	ck_assert_int_eq(jget_int(ext, "truncated"), 6);
	json_t *ns = json_object_get(ext, "not_sent");
	ck_assert_int_eq(jget_int(ns, "mbuf_pool_empty"), 7);
	ck_assert_int_eq(jget_int(ns, "tx_queue_full"), 8);
	ck_assert_int_eq(jget_int(ns, "inflight_full"), 9);
	ck_assert_int_eq(jget_int(ns, "schedule_slips"), 10);
	ck_assert_int_eq(jget_int(ns, "schedule_skipped"), 11);
	json_t *cls = json_object_get(ext, "rx_classes");
	ck_assert_uint_eq(json_object_size(cls), DV_PKT_CLASSES);
	ck_assert_int_eq(jget_int(cls, dv_pkt_class_name(DV_PKT_DNS)), 1010);
	json_t *pq = json_object_get(ext, "percentiles_ns");
	ck_assert_int_eq(jget_int(pq, "p50"), 122879);
	ck_assert_int_eq(jget_int(pq, "p99.9"), 3000000);
	ck_assert(json_is_number(json_object_get(ext, "target_qps")));
	ck_assert(json_is_number(json_object_get(ext, "achieved_qps")));
	ck_assert(json_is_true(json_object_get(ext, "interrupted")));
	if (json_object_get(ext, "sequences") == NULL) {
		/* A v0 result: no sequence or EDNS tables. */
		ck_assert_ptr_null(json_object_get(ext, "edns"));
	}
}

START_TEST(test_json_lines)
{
	char path[PATH_MAX];
	json_t *obj[8];

	temp_path(path, sizeof(path));
	make_result(&res);
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
	ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
	ck_assert_int_eq(dv_json_sum(&jout, &res), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);

	size_t n = read_lines(path, obj, 8);
	unlink(path);
	ck_assert_uint_eq(n, 4);

	json_t *h = obj[0];
	ck_assert_str_eq(json_string_value(json_object_get(h, "type")), "header");
	ck_assert_int_eq(jget_int(h, "schema_version"), 20221207);
	ck_assert_str_eq(json_string_value(json_object_get(h, "generator")), "dnsvolley");
	ck_assert(json_is_string(json_object_get(h, "generator_version")));
	ck_assert_int_eq(jget_int(h, "time_units_per_sec"), 1000000000);
	ck_assert(json_is_number(json_object_get(h, "stats_interval")));
	ck_assert_double_eq(json_number_value(json_object_get(h, "stats_interval")), 1.0);
	ck_assert_double_eq(json_number_value(json_object_get(h, "timeout")), 2.5);
	json_t *params = json_object_get(h, "generator_params");
	ck_assert(json_is_array(params));
	ck_assert_uint_eq(json_array_size(params), 3);
	ck_assert_str_eq(json_string_value(json_array_get(params, 0)), "dnsvolley");
	ck_assert_str_eq(json_string_value(json_array_get(params, 2)), "1000");
	const char *runid = json_string_value(json_object_get(h, "runid"));
	ck_assert_ptr_nonnull(runid);
	ck_assert_uint_ge(strlen(runid), 16);

	check_stats_obj(obj[1], "stats_periodic", runid);
	check_stats_obj(obj[2], "stats_periodic", runid);
	check_stats_obj(obj[3], "stats_sum", runid);
	/* achieved: periodic over until - since (0.25 s), sum over send_seconds (0.05 s). */
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(obj[1], "dnsvolley"),
								  "achieved_qps")), 4000.0, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(obj[3], "dnsvolley"),
								  "achieved_qps")), 20000.0, 1e-6);

	for (size_t i = 0; i < n; i++)
		json_decref(obj[i]);
}
END_TEST

/** Integer at path a.b (b may be NULL). */
static json_int_t jpath(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	ck_assert_msg(v != NULL, "no '%s'", a);
	return b != NULL ? jget_int(v, b) : jget_int(o, a);
}

/** Check one "edns" entry. */
static void check_edns(const json_t *e, int size, const char *family, json_int_t sent,
		       json_int_t answered, json_int_t tc, json_int_t timeouts, json_int_t rmin,
		       json_int_t ravg, json_int_t rmax)
{
	ck_assert(json_is_object(e));
	const json_t *sz = json_object_get(e, "size");
	if (size == DV_EDNS_NONE) {
		ck_assert_str_eq(json_string_value(sz), "none");
	} else {
		ck_assert(json_is_integer(sz));
		ck_assert_int_eq(json_integer_value(sz), size);
	}
	ck_assert_str_eq(json_string_value(json_object_get(e, "family")), family);
	ck_assert_int_eq(jget_int(e, "sent"), sent);
	ck_assert_int_eq(jget_int(e, "answered"), answered);
	ck_assert_int_eq(jget_int(e, "truncated"), tc);
	ck_assert_int_eq(jget_int(e, "timeouts"), timeouts);
	ck_assert_int_eq(jget_int(e, "resp_min"), rmin);
	ck_assert_int_eq(jget_int(e, "resp_avg"), ravg);
	ck_assert_int_eq(jget_int(e, "resp_max"), rmax);
}

static void check_seq_ext(const json_t *rec)
{
	const json_t *dv = json_object_get(rec, "dnsvolley");
	ck_assert(json_is_object(dv));
	const json_t *sq = json_object_get(dv, "sequences");
	ck_assert(json_is_object(sq));
	ck_assert_int_eq(jget_int(sq, "logical"), 1000);
	ck_assert_int_eq(jget_int(sq, "ended"), 980);
	ck_assert_int_eq(jget_int(sq, "answered"), 950);
	ck_assert_int_eq(jget_int(sq, "truncated"), 20);
	ck_assert_int_eq(jget_int(sq, "failed"), 10);
	ck_assert_int_eq(jget_int(sq, "retries"), 130);
	ck_assert_int_eq(jget_int(sq, "redundant"), 3);
	ck_assert_int_eq(jget_int(sq, "late"), 5);
	ck_assert_int_eq(jget_int(sq, "retry_dropped"), 2);

	/* One entry per attempt 1..N, zeros included: [k - 1] is attempt k. */
	const json_t *on = json_object_get(sq, "answered_on");
	ck_assert(json_is_array(on));
	ck_assert_uint_eq(json_array_size(on), 3);
	for (size_t k = 0; k < 3; k++)
		ck_assert_int_eq(jget_int(json_array_get(on, k), "attempt"), (json_int_t)k + 1);
	ck_assert_int_eq(jget_int(json_array_get(on, 0), "ipv4"), 50);
	ck_assert_int_eq(jget_int(json_array_get(on, 0), "ipv6"), 800);
	ck_assert_int_eq(jget_int(json_array_get(on, 0), "truncated"), 20);
	ck_assert_int_eq(jget_int(json_array_get(on, 0), "late"), 5);
	ck_assert_int_eq(jget_int(json_array_get(on, 1), "ipv4"), 100);
	ck_assert_int_eq(jget_int(json_array_get(on, 1), "ipv6"), 0);
	ck_assert_int_eq(jget_int(json_array_get(on, 2), "ipv4"), 0);

	const json_t *len = json_object_get(sq, "seq_len");
	ck_assert(json_is_object(len));
	ck_assert_uint_eq(json_object_size(len), 3);
	ck_assert_int_eq(jget_int(len, "1"), 865);
	ck_assert_int_eq(jget_int(len, "2"), 105);
	ck_assert_int_eq(jget_int(len, "3"), 10);

	ck_assert_int_eq(jpath(sq, "first_two", "v4->v4"), 0);
	ck_assert_int_eq(jpath(sq, "first_two", "v4->v6"), 0);
	ck_assert_int_eq(jpath(sq, "first_two", "v6->v4"), 110);
	ck_assert_int_eq(jpath(sq, "first_two", "v6->v6"), 5);
	ck_assert_int_eq(jpath(sq, "single", "ipv4"), 30);
	ck_assert_int_eq(jpath(sq, "single", "ipv6"), 835);

	const json_t *gap = json_object_get(sq, "gap_ns");
	ck_assert(json_is_object(gap));
	ck_assert_int_eq(jget_int(gap, "count"), 125);
	ck_assert_int_eq(jget_int(gap, "min"), 375000000);
	ck_assert_int_eq(jget_int(gap, "max"), 1000000000);
	/* To 0.1 ms, no longer the bucket's upper bound 385875967 (issue 12). */
	ck_assert_int_eq(jget_int(gap, "p50"), 375000000);
	ck_assert_int_eq(jget_int(gap, "p90"), 400000000);
	const json_t *fb = json_object_get(gap, "bins_100us");
	ck_assert(json_is_array(fb));
	ck_assert_uint_eq(json_array_size(fb), 3);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(fb, 0), 0)), 3750);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(fb, 0), 1)), 100);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(fb, 2), 0)), 10000);
	const json_t *b = json_object_get(gap, "buckets");
	ck_assert(json_is_array(b));
	ck_assert_uint_eq(json_array_size(b), 3);
	static const json_int_t want[3][3] = {
		{ 369098752, 385875967, 100 },
		{ 385875968, 402653183, 15 },
		{ 973078528, 1006632959, 10 },
	};
	for (size_t i = 0; i < 3; i++) {
		const json_t *t = json_array_get(b, i);
		ck_assert_uint_eq(json_array_size(t), 3);
		for (size_t j = 0; j < 3; j++)
			ck_assert_int_eq(json_integer_value(json_array_get(t, j)), want[i][j]);
	}

	/* Only cells with attempts sent; equal sizes (mix and ladder) are one cell. */
	const json_t *ed = json_object_get(dv, "edns");
	ck_assert(json_is_array(ed));
	ck_assert_uint_eq(json_array_size(ed), 3);
	check_edns(json_array_get(ed, 0), 1232, "ipv4", 130, 125, 0, 5, 70, 82, 110);
	check_edns(json_array_get(ed, 1), 1232, "ipv6", 900, 850, 20, 50, 60, 100, 1300);
	check_edns(json_array_get(ed, 2), DV_EDNS_NONE, "ipv4", 75, 0, 0, 75, 0, 0, 0);
}

/*
 * Write header, periodic + sum of res, a v0 sum, and a periodic of an empty
 * result flagged by flag_empty; read the five lines back into obj.
 */
static void json_five(void (*flag_empty)(struct dv_result *), json_t **obj)
{
	char path[PATH_MAX];

	temp_path(path, sizeof(path));
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
	ck_assert_int_eq(dv_json_sum(&jout, &res), 0);
	make_result(&res2);
	res2.n_edns = 1;
	ck_assert_int_eq(dv_json_sum(&jout, &res2), 0);
	memset(&res2, 0, sizeof(res2));
	dv_tx_stats_init(&res2.tx);
	dv_rx_stats_init(&res2.rx);
	flag_empty(&res2);
	ck_assert_int_eq(dv_json_periodic(&jout, &res2), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);
	size_t n = read_lines(path, obj, 8);
	unlink(path);
	ck_assert_uint_eq(n, 5);
}

/* Sequences on, nothing counted: empty gap, empty edns list. */
static void flag_sequences(struct dv_result *r)
{
	r->sequences = true;
	r->attempts = 2;
}

/* The fragment flag, nothing counted: zeros, empty kinds, no MTU, empty table. */
static void flag_fragments(struct dv_result *r)
{
	r->frag_report = true;
	r->n_edns = 1;
}

START_TEST(test_json_sequences)
{
	json_t *obj[8];

	make_seq_result(&res);
	json_five(flag_sequences, obj);
	check_seq_ext(obj[1]);
	check_seq_ext(obj[2]);
	/* The dns-metrics part is unchanged. */
	const char *runid = json_string_value(json_object_get(obj[0], "runid"));
	check_stats_obj(obj[2], "stats_sum", runid);

	const json_t *dv = json_object_get(obj[3], "dnsvolley");
	ck_assert_ptr_null(json_object_get(dv, "sequences"));
	ck_assert_ptr_null(json_object_get(dv, "edns"));

	dv = json_object_get(obj[4], "dnsvolley");
	const json_t *sq = json_object_get(dv, "sequences");
	ck_assert_int_eq(jget_int(sq, "ended"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(sq, "answered_on")), 2);
	ck_assert_int_eq(jget_int(json_array_get(json_object_get(sq, "answered_on"), 1), "ipv4"), 0);
	ck_assert_int_eq(jpath(sq, "seq_len", "2"), 0);
	const json_t *gap = json_object_get(sq, "gap_ns");
	ck_assert_int_eq(jget_int(gap, "count"), 0);
	ck_assert_int_eq(jget_int(gap, "min"), 0);
	ck_assert_int_eq(jget_int(gap, "max"), 0);
	ck_assert_int_eq(jget_int(gap, "p50"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(gap, "buckets")), 0);
	ck_assert(json_is_array(json_object_get(dv, "edns")));
	ck_assert_uint_eq(json_array_size(json_object_get(dv, "edns")), 0);

	for (size_t i = 0; i < 5; i++)
		json_decref(obj[i]);
}
END_TEST

/** Check one "failure_table" entry. */
static void check_fail_row(const json_t *e, const char *family, int edns, const char *size,
			   const json_int_t want[DV_FR_COLS], double failed_pct)
{
	static const char *const cols[DV_FR_COLS] = {
		"plain", "reassembled", "tc", "lost_frag", "frag_drop", "icmp", "timeout",
	};
	ck_assert(json_is_object(e));
	ck_assert_str_eq(json_string_value(json_object_get(e, "family")), family);
	const json_t *ed = json_object_get(e, "edns");
	if (edns == DV_EDNS_NONE) {
		ck_assert_str_eq(json_string_value(ed), "none");
	} else {
		ck_assert(json_is_integer(ed));
		ck_assert_int_eq(json_integer_value(ed), edns);
	}
	ck_assert_str_eq(json_string_value(json_object_get(e, "size")), size);
	json_int_t attempts = 0;
	for (unsigned c = 0; c < DV_FR_COLS; c++) {
		ck_assert_int_eq(jget_int(e, cols[c]), want[c]);
		attempts += want[c];
	}
	ck_assert_int_eq(jget_int(e, "attempts"), attempts);
	ck_assert(json_is_number(json_object_get(e, "failed_pct")));
	ck_assert_double_eq_tol(json_number_value(json_object_get(e, "failed_pct")), failed_pct,
				1e-9);
	ck_assert_uint_eq(json_object_size(e), 4 + DV_FR_COLS + DV_FRT_COLS + 1);
}

static void check_frag_ext(const json_t *rec)
{
	const json_t *dv = json_object_get(rec, "dnsvolley");
	ck_assert(json_is_object(dv));

	const json_t *fr = json_object_get(dv, "fragments");
	ck_assert(json_is_object(fr));
	ck_assert_int_eq(jpath(fr, "received", "ipv4"), 0);
	ck_assert_int_eq(jpath(fr, "received", "ipv6"), 3000);
	ck_assert_int_eq(jget_int(fr, "bytes"), 3642000);
	ck_assert_int_eq(jpath(fr, "reassembled", "ipv4"), 0);
	ck_assert_int_eq(jpath(fr, "reassembled", "ipv6"), 400);
	ck_assert_int_eq(jpath(fr, "lost_sets", "ipv4"), 0);
	ck_assert_int_eq(jpath(fr, "lost_sets", "ipv6"), 600);
	ck_assert_int_eq(jget_int(fr, "lost_attributed"), 590);
	ck_assert_int_eq(jget_int(fr, "dropped_sets"), 0);
	ck_assert_int_eq(jget_int(fr, "not_ours"), 2);
	ck_assert_int_eq(jpath(fr, "per_response", "min"), 3);
	ck_assert_int_eq(jpath(fr, "per_response", "p50"), 3);
	ck_assert_int_eq(jpath(fr, "per_response", "max"), 3);
	ck_assert_int_eq(jpath(fr, "spread_ns", "p50"), 12287);
	ck_assert_int_eq(jpath(fr, "spread_ns", "p99"), 50000);
	ck_assert_int_eq(jpath(fr, "spread_ns", "max"), 50000);

	const json_t *ic = json_object_get(dv, "icmp");
	ck_assert(json_is_object(ic));
	const json_t *i4 = json_object_get(ic, "ipv4");
	const json_t *i6 = json_object_get(ic, "ipv6");
	ck_assert_uint_eq(json_object_size(i4), 1); /* only kinds seen */
	ck_assert_int_eq(jget_int(i4, "port-unreachable"), 5);
	ck_assert_uint_eq(json_object_size(i6), 2);
	ck_assert_int_eq(jget_int(i6, "too-big"), 7);
	ck_assert_int_eq(jget_int(i6, "reassembly-time-exceeded"), 1);
	ck_assert_int_eq(jget_int(ic, "attributed"), 12);
	ck_assert_int_eq(jget_int(ic, "mtu_min"), 1280);

	/* Rows with attempts, family by family, EDNS sizes merged (4096 twice is one). */
	const json_t *ft = json_object_get(dv, "failure_table");
	ck_assert(json_is_array(ft));
	ck_assert_uint_eq(json_array_size(ft), 6);
	check_fail_row(json_array_get(ft, 0), "ipv4", 4096, ">1472",
		       (json_int_t[]){ 1000, 0, 0, 0, 0, 0, 0 }, 0.0);
	check_fail_row(json_array_get(ft, 1), "ipv4", 1232, "<=1232",
		       (json_int_t[]){ 0, 0, 995, 0, 0, 0, 0 }, 0.0);
	check_fail_row(json_array_get(ft, 2), "ipv4", 1232, "unknown",
		       (json_int_t[]){ 0, 0, 0, 0, 0, 0, 5 }, 100.0);
	check_fail_row(json_array_get(ft, 3), "ipv6", 4096, ">1472",
		       (json_int_t[]){ 0, 400, 0, 590, 0, 0, 10 }, 60.0);
	check_fail_row(json_array_get(ft, 4), "ipv6", 4096, "unknown",
		       (json_int_t[]){ 0, 0, 0, 0, 0, 7, 3 }, 100.0);
	check_fail_row(json_array_get(ft, 5), "ipv6", 1232, "<=1232",
		       (json_int_t[]){ 0, 0, 1000, 0, 0, 0, 0 }, 0.0);
}

START_TEST(test_json_fragments)
{
	json_t *obj[8];

	make_frag_result(&res);
	res.sequences = true; /* with an EDNS mix: the dns-metrics check expects sequences */
	json_five(flag_fragments, obj);
	check_frag_ext(obj[1]);
	check_frag_ext(obj[2]);
	const char *runid = json_string_value(json_object_get(obj[0], "runid"));
	check_stats_obj(obj[2], "stats_sum", runid);

	/* Present even for a run without fragments: a stable schema, with empty contents. */
	const json_t *dv = json_object_get(obj[3], "dnsvolley");
	ck_assert_int_eq(jpath(json_object_get(dv, "fragments"), "received", "ipv4"), 0);
	ck_assert_ptr_nonnull(json_object_get(dv, "icmp"));
	ck_assert(json_is_array(json_object_get(dv, "failure_table")));

	dv = json_object_get(obj[4], "dnsvolley");
	const json_t *fr = json_object_get(dv, "fragments");
	ck_assert_int_eq(jpath(fr, "received", "ipv6"), 0);
	ck_assert_int_eq(jpath(fr, "per_response", "min"), 0);
	ck_assert_int_eq(jpath(fr, "per_response", "max"), 0);
	ck_assert_int_eq(jpath(fr, "spread_ns", "max"), 0);
	const json_t *ic = json_object_get(dv, "icmp");
	ck_assert_uint_eq(json_object_size(json_object_get(ic, "ipv4")), 0);
	ck_assert_uint_eq(json_object_size(json_object_get(ic, "ipv6")), 0);
	ck_assert(json_is_null(json_object_get(ic, "mtu_min")));
	ck_assert(json_is_array(json_object_get(dv, "failure_table")));
	ck_assert_uint_eq(json_array_size(json_object_get(dv, "failure_table")), 0);

	for (size_t i = 0; i < 5; i++)
		json_decref(obj[i]);
}
END_TEST

START_TEST(test_json_empty_result)
{
	char path[PATH_MAX];
	json_t *obj[4];

	temp_path(path, sizeof(path));
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_sum(&jout, &res), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);
	size_t n = read_lines(path, obj, 4);
	unlink(path);
	ck_assert_uint_eq(n, 2);
	json_t *lat = json_object_get(obj[1], "response_latency");
	ck_assert_int_eq(jget_int(lat, "min"), 0);
	ck_assert_int_eq(jget_int(lat, "max"), 0);
	ck_assert_int_eq(jget_int(lat, "avg"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(lat, "buckets")), 0);
	ck_assert_uint_eq(json_object_size(json_object_get(obj[1], "response_rcodes")), 0);
	ck_assert(json_is_false(json_object_get(json_object_get(obj[1], "dnsvolley"), "interrupted")));
	json_decref(obj[0]);
	json_decref(obj[1]);
}
END_TEST

/* The "xdp" object: four counters for a UDP run (as before), "tcp" as well over TCP. */
static json_t *xdp_json(const struct dv_result *r)
{
	char path[PATH_MAX];
	json_t *obj[4];
	temp_path(path, sizeof(path));
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_sum(&jout, r), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);
	size_t n = read_lines(path, obj, 4);
	unlink(path);
	ck_assert_uint_eq(n, 2);
	json_t *x = json_object_get(json_object_get(obj[1], "dnsvolley"), "xdp");
	if (x != NULL)
		json_incref(x);
	json_decref(obj[0]);
	json_decref(obj[1]);
	return x;
}

START_TEST(test_json_xdp)
{
	make_result(&res);
	res.has_xdp = true;
	res.xdp_redirected = 1020, res.xdp_passed = 17, res.xdp_fragments = 1, res.xdp_icmp = 2;
	json_t *x = xdp_json(&res);
	ck_assert_ptr_nonnull(x);
	char *text = json_dumps(x, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"redirected\":1020,\"passed\":17,\"fragments\":1,\"icmp\":2}");
	free(text);
	json_decref(x);

	res.xdp_takes_tcp = true;
	x = xdp_json(&res);
	text = json_dumps(x, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"redirected\":1020,\"passed\":17,\"fragments\":1,\"icmp\":2,"
			       "\"tcp\":0}");
	free(text);
	json_decref(x);

	res.xdp_takes_tcp = false;
	res.xdp_tcp = 1017;
	x = xdp_json(&res);
	ck_assert_int_eq(jget_int(x, "tcp"), 1017);
	json_decref(x);

	res.has_xdp = false;
	ck_assert_ptr_null(xdp_json(&res));
	res.xdp_tcp = 0;
}
END_TEST

START_TEST(test_json_open_error)
{
	char msg[512];

	dv_log_capture(msg, sizeof(msg));
	int ret = dv_json_open(&jout, "/nonexistent-dv-dir/x.json", &plan);
	dv_log_capture(NULL, 0);
	ck_assert_int_eq(ret, -ENOENT);
	ck_assert_str_eq(msg, "--json: cannot write '/nonexistent-dv-dir/x.json': "
			      "No such file or directory");
	/* Later calls fail quietly with the same error. */
	dv_log_capture(msg, sizeof(msg));
	make_result(&res);
	ck_assert_int_eq(dv_json_sum(&jout, &res), -ENOENT);
	ck_assert_int_eq(dv_json_close(&jout), -ENOENT);
	dv_log_capture(NULL, 0);
	ck_assert_str_eq(msg, "");
}
END_TEST

START_TEST(test_json_write_error)
{
	char msg[512];

	if (access("/dev/full", W_OK) != 0)
		return;
	dv_log_capture(msg, sizeof(msg));
	int ret = dv_json_open(&jout, "/dev/full", &plan);
	dv_log_capture(NULL, 0);
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_str_eq(msg, "--json: cannot write '/dev/full': No space left on device");
	dv_log_capture(msg, sizeof(msg));
	ck_assert_int_eq(dv_json_close(&jout), -ENOSPC);
	dv_log_capture(NULL, 0);
	ck_assert_str_eq(msg, "");
}
END_TEST

/** path holds n lines, each a JSON object; then it goes. */
static void expect_lines_then_unlink(const char *path, size_t n)
{
	json_t *obj[8];
	size_t got = read_lines(path, obj, 8);
	ck_assert_uint_eq(got, n);
	for (size_t i = 0; i < got; i++)
		json_decref(obj[i]);
	unlink(path);
}

/* A run that fails before its first interval keeps the earlier file at the path. */
START_TEST(test_json_keeps_earlier_file)
{
	char path[PATH_MAX], line[64];
	temp_path(path, sizeof(path));
	FILE *f = fopen(path, "w");
	fputs("earlier result\n", f);
	fclose(f);
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_str_eq(line, "earlier result\n");
	/* With a stats record the new result replaces it, and no temporary is left. */
	make_result(&res);
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", jout.tmp);
	ck_assert_int_eq(access(tmp, F_OK), 0);
	ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
	ck_assert_int_ne(access(tmp, F_OK), 0);
	ck_assert_int_eq(dv_json_close(&jout), 0);
	expect_lines_then_unlink(path, 2);
}
END_TEST

/* A write that fails half way (file size limit, as a full disk): the file is cut
 * back to its last complete line, and the line says how many records it keeps. */
START_TEST(test_json_no_torn_line)
{
	char path[PATH_MAX], msg[512];
	struct rlimit old, lim;
	temp_path(path, sizeof(path));
	make_result(&res);
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
	off_t good = lseek(jout.fd, 0, SEEK_CUR);
	/* Room for part of the next record only. */
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)good + 100;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	dv_log_capture(msg, sizeof(msg));
	int ret = dv_json_periodic(&jout, &res);
	dv_log_capture(NULL, 0);
	setrlimit(RLIMIT_FSIZE, &old);
	ck_assert_int_eq(ret, -EFBIG);
	ck_assert_ptr_nonnull(strstr(msg, "the file keeps its first 2 records, each complete"));
	ck_assert_int_eq(dv_json_sum(&jout, &res), -EFBIG);
	ck_assert_int_eq(dv_json_close(&jout), -EFBIG);
	expect_lines_then_unlink(path, 2); /* every line parses */
}
END_TEST

/* A FIFO without a reader is refused at once, not waited for. */
START_TEST(test_json_fifo_no_reader)
{
	char path[PATH_MAX], msg[512];
	temp_path(path, sizeof(path));
	unlink(path);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	dv_log_capture(msg, sizeof(msg));
	int ret = dv_json_open(&jout, path, &plan);
	dv_log_capture(NULL, 0);
	unlink(path);
	ck_assert_int_eq(ret, -ENXIO);
	ck_assert_ptr_nonnull(strstr(msg, "is a FIFO with no reader"));
	ck_assert_int_eq(dv_json_close(&jout), -ENXIO);
}
END_TEST

/* Read back one record at a time: rows, the intervals' total (a run without
 * stats_sum rebuilt), the sum; a second pass after rewinding. */
START_TEST(test_runfile_stream)
{
	static struct dv_result_store total, st;
	char path[PATH_MAX];
	struct dv_runfile rf;
	struct dv_series_row *rows;
	json_t *sum;
	temp_path(path, sizeof(path));
	make_result(&res);
	res.since_ns = 1000000000, res.until_ns = 2000000000;
	ck_assert_int_eq(dv_json_open(&jout, path, &plan), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(dv_json_periodic(&jout, &res), 0);
		res.since_ns += 1000000000, res.until_ns += 1000000000;
	}
	ck_assert_int_eq(dv_json_close(&jout), 0);

	ck_assert_int_eq(dv_runfile_open(path, &rf), 0);
	ck_assert_str_eq(dv_runfile_runid(&rf), jout.runid);
	ck_assert_int_eq(dv_runfile_scan(&rf, &rows, &total, &sum), 3);
	ck_assert_ptr_null(sum); /* the run did not end */
	ck_assert_uint_eq(total.r.tx.sent[0], 3 * res.tx.sent[0]);
	ck_assert_uint_eq(total.r.rx.latency.count, 3 * res.rx.latency.count);
	ck_assert_uint_eq(total.r.since_ns, 1000000000);
	ck_assert_uint_eq(total.r.until_ns, 4000000000);
	ck_assert(rows[2].t_s > 2.99 && rows[2].t_s < 3.01);
	ck_assert(!dv_series_gap(rows, 1) && !dv_series_gap(rows, 2));
	free(rows);
	ck_assert_uint_eq(rf.since_ns, 1000000000);
	ck_assert_uint_eq(rf.until_ns, 4000000000);
	ck_assert_int_eq(dv_runfile_rewind(&rf), 0);
	ck_assert_int_eq(dv_runfile_scan(&rf, NULL, NULL, NULL), 3);
	dv_runfile_free(&rf);

	/* With a sum: it is returned, and nothing may follow it. */
	FILE *f = fopen(path, "a");
	json_t *o;
	bool is_sum;
	ck_assert_int_eq(dv_runfile_open(path, &rf), 0);
	ck_assert_int_eq(dv_runfile_next(&rf, &o, &is_sum), 1);
	ck_assert(!is_sum);
	ck_assert_int_eq(dv_runfile_state(&rf, o, &st), 0);
	json_decref(o);
	dv_runfile_free(&rf);
	json_t *s = json_pack("{s:s, s:I, s:I, s:o}", "type", "stats_sum", "since", (json_int_t)5,
			      "until", (json_int_t)9, "dnsvolley",
			      json_pack("{s:o}", "state", dv_state_to_json(&res)));
	json_dumpf(s, f, JSON_COMPACT);
	fputs("\n{\"type\":\"stats_periodic\"}\n", f);
	fclose(f);
	json_decref(s);
	char msg[512];
	ck_assert_int_eq(dv_runfile_open(path, &rf), 0);
	dv_log_capture(msg, sizeof(msg));
	ck_assert_int_eq(dv_runfile_scan(&rf, &rows, NULL, &sum), -EINVAL);
	dv_log_capture(NULL, 0);
	ck_assert_ptr_nonnull(strstr(msg, ":6: unexpected record (type 'stats_periodic')"));
	ck_assert_ptr_null(sum);
	dv_runfile_free(&rf);
	unlink(path);
}
END_TEST

START_TEST(test_runs_timing)
{
	/* a 0..10, b 5..15 overlap; c 20..30 after both. */
	uint64_t s3[] = { 0, 5, 20 }, u3[] = { 10, 15, 30 };
	ck_assert_int_eq(dv_runs_timing(s3, u3, 2), DV_RUNS_TOGETHER);
	ck_assert_int_eq(dv_runs_timing(s3, u3, 3), DV_RUNS_MIXED);
	uint64_t s2[] = { 20, 0 }, u2[] = { 30, 10 };
	ck_assert_int_eq(dv_runs_timing(s2, u2, 2), DV_RUNS_SEQUENTIAL);
	/* Touching spans (one ends as the next starts) are one after another. */
	uint64_t s4[] = { 0, 10 }, u4[] = { 10, 20 };
	ck_assert_int_eq(dv_runs_timing(s4, u4, 2), DV_RUNS_SEQUENTIAL);

	const char *ids[] = { "r1", "r2", "r3", "r2" };
	unsigned file[] = { 0, 1, 1, 2 }, a = 99;
	ck_assert_int_eq(dv_runs_repeated(ids, file, 4, &a), 3);
	ck_assert_uint_eq(a, 1);
	ck_assert_int_eq(dv_runs_repeated(ids, file, 3, &a), -1);
	const char *none[] = { "", "" };
	ck_assert_int_eq(dv_runs_repeated(none, file, 2, &a), -1); /* no runid: not comparable */

	/* Rows one run after another: a gap where no interval was. */
	struct dv_series_row rows[3] = { { .t_s = 1, .secs = 1 }, { .t_s = 2, .secs = 1 },
					 { .t_s = 30, .secs = 1 } };
	ck_assert(!dv_series_gap(rows, 0) && !dv_series_gap(rows, 1) && dv_series_gap(rows, 2));
}
END_TEST

static char *test_argv[] = { "dnsvolley", "-Q", "1000", NULL };

static void setup(void)
{
	memset(&plan, 0, sizeof(plan));
	plan.qps = 1000;
	plan.timeout_s = 2.5;
	plan.stats_interval_s = 1.0;
	plan.argc = 3;
	plan.argv = test_argv;
}

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("stats");
	tcase_add_test(tc, test_text_search_is_its_trials);
	tcase_add_test(tc, test_tx_merge);
	tcase_add_test(tc, test_rx_merge);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_delta);
	tcase_add_test(tc, test_init_seq);
	tcase_add_test(tc, test_tx_merge_seq);
	tcase_add_test(tc, test_rx_merge_seq);
	tcase_add_test(tc, test_delta_seq);
	tcase_add_test(tc, test_init_frag);
	tcase_add_test(tc, test_rx_merge_frag);
	tcase_add_test(tc, test_delta_frag);
	tcase_add_test(tc, test_seq_sums);
	tcase_add_test(tc, test_edns_cell);
	tcase_add_test(tc, test_result_sums);
	tcase_add_test(tc, test_rcode_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_text_report);
	tcase_add_test(tc, test_text_report_empty);
	tcase_add_test(tc, test_text_sequences);
	tcase_add_test(tc, test_text_sequences_empty);
	tcase_add_test(tc, test_text_fragments);
	tcase_add_test(tc, test_text_fragments_empty);
	tcase_add_test(tc, test_status_line);
	tcase_add_test(tc, test_text_xdp);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_json_sequences);
	tcase_add_test(tc, test_json_fragments);
	tcase_add_test(tc, test_json_empty_result);
	tcase_add_test(tc, test_json_xdp);
	tcase_add_test(tc, test_json_open_error);
	tcase_add_test(tc, test_json_write_error);
	tcase_add_test(tc, test_json_keeps_earlier_file);
	tcase_add_test(tc, test_json_no_torn_line);
	tcase_add_test(tc, test_json_fifo_no_reader);
	tcase_add_test(tc, test_runfile_stream);
	tcase_add_test(tc, test_runs_timing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(report_suite());
}
