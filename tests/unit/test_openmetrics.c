/**
 * @file test_openmetrics.c
 * @brief Unit tests of the metrics text (metrics/openmetrics.c): exact sample
 *        lines for crafted counters, the histogram's cumulative buckets
 *        ending at +Inf == _count, a TYPE line before every family's samples,
 *        the OpenMetrics variant, cut buffers, and the --metrics setters.
 */
#include <check.h>

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config/options.h"
#include "config/scenario.h"
#include "config/setters.h"
#include "metrics/openmetrics.h"

/* Counters are large (histograms, tables): off the forked test stack. */
static struct dv_tx_stats tx;
static struct dv_rx_stats rx;
static struct dv_plan plan;
static char text[1 << 20];
static const int sizes[] = { 1232, 0, 1232 };

/* Crafted counters: two families, EDNS 1232 twice (the ladder repeats it) and none. */
static void craft(struct dv_om_view *v)
{
	dv_tx_stats_init(&tx);
	dv_rx_stats_init(&rx);
	tx.sent[0] = 100;
	tx.sent[1] = 50;
	rx.answered[0] = 90;
	rx.answered[1] = 40;
	rx.timeouts[0] = 10;
	rx.timeouts[1] = 10;
	rx.truncated = 3;
	rx.rcode[0] = 127;
	rx.rcode[4] = 3;
	tx.edns_sent[0][0] = 60;
	tx.edns_sent[1][0] = 40;
	tx.edns_sent[2][0] = 5;
	rx.edns[0][0].answered = 55;
	rx.edns[2][0].answered = 1;
	rx.fail[0][0][DV_SIZE_UNKNOWN][DV_FR_TIMEOUT] = 7;
	rx.fail[0][2][DV_SIZE_512][DV_FR_TIMEOUT] = 2;
	rx.fail[1][1][DV_SIZE_LARGE][DV_FR_LOST_FRAG] = 4;
	rx.fail_tcp[0][1][DV_SIZE_512][DV_FRT_FAILED] = 1;
	rx.seq.answered_on[0][0] = 80;
	rx.seq.answered_on[1][1] = 5;
	rx.seq.failed = 2;
	rx.frag.frags[1] = 12;
	rx.icmp[0][DV_ICMP_PORT_UNREACH] = 6;
	/* 500 ns, 1.5 us, 2 ms, and 100 s: beyond the last finite bucket. */
	dv_hist_add(&rx.latency, 500);
	dv_hist_add(&rx.latency, 1500);
	dv_hist_add(&rx.latency, 2000000);
	dv_hist_add(&rx.latency, 100000000000ull);
	memset(v, 0, sizeof(*v));
	v->tx = &tx;
	v->rx = &rx;
	v->n_edns = 3;
	v->edns_size = sizes;
	v->target_qps = 1000.0;
	v->achieved_qps = 998.5;
	v->elapsed_s = 2.5;
	v->running = true;
}

/* Whether the text has this exact line. */
static bool has_line(const char *t, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = t; (p = strstr(p, line)) != NULL; p++)
		if ((p == t || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define LINE(t, l) ck_assert_msg(has_line((t), (l)), "missing line: %s", (l))
#define NO_LINE(t, l) ck_assert_msg(!has_line((t), (l)), "unexpected line: %s", (l))

START_TEST(test_samples)
{
	struct dv_om_view v;
	craft(&v);
	size_t n = dv_om_render(&v, false, text, sizeof(text));
	ck_assert_uint_lt(n, sizeof(text));
	ck_assert_uint_eq(n, strlen(text));
	LINE(text, "# HELP dnsvolley_queries_sent_total Attempts (queries) handed to the port, by address family");
	LINE(text, "# TYPE dnsvolley_queries_sent_total counter");
	LINE(text, "dnsvolley_queries_sent_total{family=\"ipv4\"} 100");
	LINE(text, "dnsvolley_queries_sent_total{family=\"ipv6\"} 50");
	LINE(text, "dnsvolley_answers_total{family=\"ipv4\"} 90");
	LINE(text, "dnsvolley_answers_total{family=\"ipv6\"} 40");
	LINE(text, "dnsvolley_timeouts_total{family=\"ipv6\"} 10");
	LINE(text, "dnsvolley_truncated_answers_total 3");
	LINE(text, "dnsvolley_answers_by_rcode_total{rcode=\"NOERROR\"} 127");
	LINE(text, "dnsvolley_answers_by_rcode_total{rcode=\"SERVFAIL\"} 0");
	LINE(text, "dnsvolley_answers_by_rcode_total{rcode=\"NOTIMP\"} 3");
	NO_LINE(text, "dnsvolley_answers_by_rcode_total{rcode=\"FORMERR\"} 0");
	/* Variants of one size are one series: 60 + 5 sent, 55 + 1 answered, 7 + 2 timed out. */
	LINE(text, "dnsvolley_edns_queries_sent_total{family=\"ipv4\",edns=\"1232\"} 65");
	LINE(text, "dnsvolley_edns_queries_sent_total{family=\"ipv4\",edns=\"none\"} 40");
	LINE(text, "dnsvolley_edns_answers_total{family=\"ipv4\",edns=\"1232\"} 56");
	LINE(text, "dnsvolley_attempt_failures_total{family=\"ipv4\",edns=\"1232\",reason=\"timeout\"} 9");
	LINE(text, "dnsvolley_attempt_failures_total{family=\"ipv6\",edns=\"none\",reason=\"lost_fragment\"} 4");
	LINE(text, "dnsvolley_attempt_failures_total{family=\"ipv4\",edns=\"none\",reason=\"tcp\"} 1");
	LINE(text, "dnsvolley_attempt_failures_total{family=\"ipv4\",edns=\"none\",reason=\"icmp\"} 0");
	LINE(text, "dnsvolley_fragments_received_total{family=\"ipv6\"} 12");
	LINE(text, "dnsvolley_icmp_errors_total{family=\"ipv4\",kind=\"port-unreachable\"} 6");
	LINE(text, "# TYPE dnsvolley_target_queries_per_second gauge");
	LINE(text, "dnsvolley_target_queries_per_second 1000");
	LINE(text, "dnsvolley_achieved_queries_per_second 998.5");
	LINE(text, "dnsvolley_elapsed_seconds 2.5");
	LINE(text, "dnsvolley_running 1");
	ck_assert_ptr_null(strstr(text, "# EOF"));
	/* Without sequences or TCP, their families are left out. */
	ck_assert_ptr_null(strstr(text, "dnsvolley_logical_queries_answered"));
	ck_assert_ptr_null(strstr(text, "dnsvolley_tcp_"));
	LINE(text, "dnsvolley_logical_queries_started_total 0");

	v.sequences = true;
	v.tcp = true;
	v.tcp_open = 4;
	v.target_qps = -1.0;
	v.running = false;
	rx.tcp.opened = 9;
	dv_om_render(&v, false, text, sizeof(text));
	LINE(text, "dnsvolley_logical_queries_answered_total{family=\"ipv4\"} 80");
	LINE(text, "dnsvolley_logical_queries_answered_total{family=\"ipv6\"} 5");
	LINE(text, "dnsvolley_logical_queries_failed_total 2");
	LINE(text, "dnsvolley_tcp_connections_open 4");
	LINE(text, "dnsvolley_tcp_connections_total{event=\"opened\"} 9");
	LINE(text, "dnsvolley_running 0");
	ck_assert_ptr_null(strstr(text, "dnsvolley_target_queries_per_second"));
}
END_TEST

START_TEST(test_histogram)
{
	struct dv_om_view v;
	craft(&v);
	dv_om_render(&v, false, text, sizeof(text));
	LINE(text, "# TYPE dnsvolley_response_latency_seconds histogram");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"0.000001023\"} 1");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"0.000002047\"} 2");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"0.001048575\"} 2");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"0.002097151\"} 3");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"68.719476735\"} 3");
	LINE(text, "dnsvolley_response_latency_seconds_bucket{le=\"+Inf\"} 4");
	LINE(text, "dnsvolley_response_latency_seconds_sum 100.002002000");
	LINE(text, "dnsvolley_response_latency_seconds_count 4");

	/* Every bucket: le increasing, counts cumulative, the last +Inf and equal to _count. */
	const char *p = text;
	double last_le = -1.0;
	unsigned long long last = 0, count = 0, buckets = 0;
	bool inf = false;
	static const char pre[] = "dnsvolley_response_latency_seconds_bucket{le=\"";
	while ((p = strstr(p, pre)) != NULL) {
		p += sizeof(pre) - 1;
		ck_assert_msg(!inf, "a bucket after +Inf");
		char le[32];
		unsigned long long c;
		ck_assert_int_eq(sscanf(p, "%31[^\"]\"} %llu", le, &c), 2);
		if (strcmp(le, "+Inf") == 0) {
			inf = true;
		} else {
			double d = strtod(le, NULL);
			ck_assert(d > last_le);
			last_le = d;
		}
		ck_assert_uint_ge(c, last);
		last = c;
		buckets++;
	}
	ck_assert(inf);
	ck_assert_uint_eq(buckets, DV_OM_LE_N + 1);
	p = strstr(text, "dnsvolley_response_latency_seconds_count ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "dnsvolley_response_latency_seconds_count %llu", &count), 1);
	ck_assert_uint_eq(count, last);
	ck_assert_uint_eq(count, rx.latency.count);
}
END_TEST

/* Each sample's family was declared by the TYPE line before it (its name plus a suffix). */
static void check_grouped(const char *t, bool om)
{
	char family[128] = "", type[32] = "";
	const char *line = t;
	while (*line != '\0') {
		const char *end = strchr(line, '\n');
		ck_assert_ptr_nonnull(end);
		char buf[512];
		size_t n = (size_t)(end - line);
		ck_assert_uint_lt(n, sizeof(buf));
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (strncmp(buf, "# TYPE ", 7) == 0) {
			ck_assert_int_eq(sscanf(buf + 7, "%127s %31s", family, type), 2);
		} else if (buf[0] != '#') {
			ck_assert_msg(strncmp(buf, family, strlen(family)) == 0, "%s not in %s", buf, family);
			const char *rest = buf + strlen(family);
			bool ok = *rest == '{' || *rest == ' ';
			if (strcmp(type, "histogram") == 0)
				ok |= strncmp(rest, "_bucket{", 8) == 0 || strncmp(rest, "_sum ", 5) == 0 ||
				      strncmp(rest, "_count ", 7) == 0;
			if (om && strcmp(type, "counter") == 0)
				ok = strncmp(rest, "_total", 6) == 0 && (rest[6] == '{' || rest[6] == ' ');
			ck_assert_msg(ok, "sample %s of family %s (%s)", buf, family, type);
		}
		line = end + 1;
	}
}

START_TEST(test_grouped_and_openmetrics)
{
	struct dv_om_view v;
	craft(&v);
	v.sequences = v.tcp = true;
	dv_om_render(&v, false, text, sizeof(text));
	check_grouped(text, false);
	size_t n = dv_om_render(&v, true, text, sizeof(text));
	check_grouped(text, true);
	LINE(text, "# TYPE dnsvolley_queries_sent counter");
	LINE(text, "dnsvolley_queries_sent_total{family=\"ipv4\"} 100");
	LINE(text, "# TYPE dnsvolley_response_latency_seconds histogram");
	ck_assert_uint_ge(n, 6);
	ck_assert_str_eq(text + n - 6, "# EOF\n");
}
END_TEST

START_TEST(test_cut)
{
	struct dv_om_view v;
	char small[100];
	craft(&v);
	size_t whole = dv_om_render(&v, false, text, sizeof(text));
	memset(small, 'x', sizeof(small));
	size_t n = dv_om_render(&v, false, small, sizeof(small));
	ck_assert_uint_eq(n, whole);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert(strncmp(small, text, sizeof(small) - 1) == 0);
	ck_assert_uint_eq(dv_om_render(&v, false, NULL, 0), whole);
}
END_TEST

START_TEST(test_setters)
{
	dv_plan_defaults(&plan);
	ck_assert_int_eq(dv_set_metrics(&plan, "127.0.0.1:9100", "--metrics"), 0);
	ck_assert_int_eq(plan.metrics_addr.family, AF_INET);
	ck_assert_uint_eq(plan.metrics_port, 9100);
	ck_assert_str_eq(plan.metrics_spec, "127.0.0.1:9100");
	ck_assert_int_eq(dv_set_metrics(&plan, "[::1]:9200", "--metrics"), 0);
	ck_assert_int_eq(plan.metrics_addr.family, AF_INET6);
	ck_assert_uint_eq(plan.metrics_port, 9200);
	const char *bad[] = { "9100", ":9100", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
			      "::1:9100", "[127.0.0.1]:9100", "[::1]", "localhost:9100", "[]:1" };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dv_set_metrics(&plan, bad[i], "--metrics") != 0, "%s accepted", bad[i]);
	ck_assert_int_eq(dv_set_metrics_hold(&plan, "3", "--metrics-hold"), 0);
	ck_assert(plan.metrics_hold_s == 3.0);
	ck_assert_int_eq(dv_set_metrics_hold(&plan, "0", "--metrics-hold"), 0);
	ck_assert_int_ne(dv_set_metrics_hold(&plan, "3601", "--metrics-hold"), 0);
	ck_assert_int_ne(dv_set_metrics_hold(&plan, "-1", "--metrics-hold"), 0);
}
END_TEST

static Suite *om_suite(void)
{
	Suite *s = suite_create("openmetrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_samples);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_grouped_and_openmetrics);
	tcase_add_test(tc, test_cut);
	tcase_add_test(tc, test_setters);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(om_suite());
}
