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
#include "report/stats.h"
#include "report/text.h"
#include "util/log.h"

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
	r->tx.tx_bytes = 82000;
	r->tx.alloc_fail = 7;
	r->tx.tx_full = 8;
	r->tx.inflight_full = 9;
	r->tx.sched_slips = 10;
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
	"  Average frame size:   request 82, response 100\n"
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
	"  Send rate (qps): achieved 20000.0 of target 20000.0 (100.00%)\n"
	"  Late responses: 3, duplicates: 4, unmatched: 5, truncated (TC): 6\n"
	"  Not sent: mbuf pool empty 7, TX queue full 8, in-flight table full 9, schedule slips 10\n"
	"  Received packets: 1020 (dns 1010, fragment 1, icmp 2, arp/nd 3, other 4, malformed 0)\n"
	"\n"
	"Interrupted: stopped by signal, drained outstanding queries\n";

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
	dv_report_status_line(f, 3.0, &res);
	fclose(f);
	ck_assert_str_eq(buf, "[  3.0s] sent 20000 (20000 qps / target 20000) answered 19998 "
			      "timeouts 0 p50 61us p99 140us\n");
	free(buf);

	/* Empty interval of zero length: no NaN, latency shown as "-". */
	memset(&res2, 0, sizeof(res2));
	dv_tx_stats_init(&res2.tx);
	dv_rx_stats_init(&res2.rx);
	buf = NULL;
	f = open_memstream(&buf, &len);
	dv_report_status_line(f, 0.5, &res2);
	fclose(f);
	ck_assert_str_eq(buf, "[  0.5s] sent 0 (0 qps / target 0) answered 0 timeouts 0 p50 - p99 -\n");
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
	json_t *cls = json_object_get(ext, "rx_classes");
	ck_assert_uint_eq(json_object_size(cls), DV_PKT_CLASSES);
	ck_assert_int_eq(jget_int(cls, dv_pkt_class_name(DV_PKT_DNS)), 1010);
	json_t *pq = json_object_get(ext, "percentiles_ns");
	ck_assert_int_eq(jget_int(pq, "p50"), 122879);
	ck_assert_int_eq(jget_int(pq, "p99.9"), 3000000);
	ck_assert(json_is_number(json_object_get(ext, "target_qps")));
	ck_assert(json_is_number(json_object_get(ext, "achieved_qps")));
	ck_assert(json_is_true(json_object_get(ext, "interrupted")));
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
	tcase_add_test(tc, test_tx_merge);
	tcase_add_test(tc, test_rx_merge);
	tcase_add_test(tc, test_snapshot);
	tcase_add_test(tc, test_delta);
	tcase_add_test(tc, test_result_sums);
	tcase_add_test(tc, test_rcode_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_text_report);
	tcase_add_test(tc, test_text_report_empty);
	tcase_add_test(tc, test_status_line);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_json_lines);
	tcase_add_test(tc, test_json_empty_result);
	tcase_add_test(tc, test_json_open_error);
	tcase_add_test(tc, test_json_write_error);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(report_suite());
}
