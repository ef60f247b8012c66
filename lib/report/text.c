/**
 * @file text.c
 * @brief dnsperf-style final report and per-interval status lines.
 */
#include "report/text.h"

#include <inttypes.h>

/** a as a percentage of b; 0 when b is 0. */
static double pct(uint64_t a, uint64_t b)
{
	return b != 0 ? 100.0 * (double)a / (double)b : 0.0;
}

/** a / b rounded to the nearest integer; 0 when b is 0. */
static uint64_t avg_round(uint64_t a, uint64_t b)
{
	return b != 0 ? (a + b / 2) / b : 0;
}

/** Nanoseconds to seconds. */
static double ns_s(double ns)
{
	return ns / 1e9;
}

/** Nanoseconds to milliseconds. */
static double ns_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static const char *const family_label[DV_FAMILIES] = {
	[DV_FAMILY_V4] = "IPv4",
	[DV_FAMILY_V6] = "IPv6",
};

/*
 * Human labels of the received-frame classes ("arp/nd" reads better than the
 * identifier-safe dv_pkt_class_name() used as JSON keys).
 */
static const char *const pkt_class_label[] = {
	[DV_PKT_DNS] = "dns",
	[DV_PKT_FRAGMENT] = "fragment",
	[DV_PKT_ICMP] = "icmp",
	[DV_PKT_ARP_ND] = "arp/nd",
	[DV_PKT_OTHER] = "other",
	[DV_PKT_MALFORMED] = "malformed",
};
_Static_assert(sizeof(pkt_class_label) / sizeof(pkt_class_label[0]) == DV_PKT_CLASSES,
	       "a label for every packet class");

/** "NOERROR 99990 (99.99%), NXDOMAIN 8 (0.01%)", or "none". */
static void print_rcodes(FILE *f, const struct dv_rx_stats *rx, uint64_t answered)
{
	const char *sep = "";
	for (unsigned i = 0; i < 16; i++) {
		if (rx->rcode[i] == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64 " (%.2f%%)", sep, dv_rcode_name(i), rx->rcode[i],
			pct(rx->rcode[i], answered));
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("none", f);
	fputc('\n', f);
}

void dv_report_text(FILE *f, const struct dv_plan *plan, const struct dv_result *r)
{
	const struct dv_tx_stats *tx = &r->tx;
	const struct dv_rx_stats *rx = &r->rx;
	const struct dv_hist *lat = &rx->latency;
	uint64_t sent = dv_result_sent(r);
	uint64_t answered = dv_result_answered(r);
	/*
	 * The engine counts queries still outstanding at the end as timeouts
	 * once drained, so after a full run sent == completed + lost.
	 */
	uint64_t lost = dv_result_timeouts(r);

	/* dnsperf's block, label column 22 wide, so tools that parse it keep working. */
	fputs("Statistics:\n\n", f);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Queries sent:", sent);
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Queries completed:", answered,
		pct(answered, sent));
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Queries lost:", lost, pct(lost, sent));
	fputc('\n', f);

	fprintf(f, "  %-22s", "Response codes:");
	print_rcodes(f, rx, answered);
	/*
	 * Only frame sizes are counted (Ethernet and IP headers included), and
	 * the received side covers every received frame, not just responses.
	 */
	fprintf(f, "  %-22srequest %" PRIu64 ", response %" PRIu64 "\n", "Average frame size:",
		avg_round(tx->tx_bytes, sent), avg_round(rx->rx_bytes, rx->rx_pkts));
	fprintf(f, "  %-22s%.6f\n", "Run time (s):", r->run_seconds);
	fprintf(f, "  %-22s%.6f\n", "Queries per second:",
		r->run_seconds > 0.0 ? (double)answered / r->run_seconds : 0.0);
	fputc('\n', f);

	uint64_t min = lat->count != 0 ? lat->min : 0;
	uint64_t max = lat->count != 0 ? lat->max : 0;
	fprintf(f, "  %-22s%.6f (min %.6f, max %.6f)\n", "Average Latency (s):",
		ns_s(dv_hist_mean(lat)), ns_s((double)min), ns_s((double)max));
	fprintf(f, "  %-22s%.6f\n", "Latency StdDev (s):", ns_s(dv_hist_stddev(lat)));
	fputc('\n', f);

	fputs("dnsvolley statistics:\n\n", f);
	for (unsigned i = 0; i < DV_FAMILIES; i++) {
		if (tx->sent[i] == 0)
			continue;
		fprintf(f, "  %s: sent %" PRIu64 ", completed %" PRIu64 " (%.2f%%), lost %" PRIu64 "\n",
			family_label[i], tx->sent[i], rx->answered[i],
			pct(rx->answered[i], tx->sent[i]), rx->timeouts[i]);
	}
	fprintf(f, "  Latency percentiles (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f\n",
		ns_ms(dv_hist_quantile(lat, 0.50)), ns_ms(dv_hist_quantile(lat, 0.90)),
		ns_ms(dv_hist_quantile(lat, 0.99)), ns_ms(dv_hist_quantile(lat, 0.999)));

	double target = r->target_qps;
	if (!(target > 0.0) && plan != NULL)
		target = plan->qps;
	double achieved = r->send_seconds > 0.0 ? (double)sent / r->send_seconds : 0.0;
	fprintf(f, "  Send rate (qps): achieved %.1f of target %.1f (%.2f%%)\n", achieved, target,
		target > 0.0 ? 100.0 * achieved / target : 0.0);

	fprintf(f,
		"  Late responses: %" PRIu64 ", duplicates: %" PRIu64 ", unmatched: %" PRIu64
		", truncated (TC): %" PRIu64 "\n",
		rx->late, rx->duplicate, rx->unmatched, rx->truncated);
	fprintf(f,
		"  Not sent: mbuf pool empty %" PRIu64 ", TX queue full %" PRIu64
		", in-flight table full %" PRIu64 ", schedule slips %" PRIu64 "\n",
		tx->alloc_fail, tx->tx_full, tx->inflight_full, tx->sched_slips);

	fprintf(f, "  Received packets: %" PRIu64 " (", rx->rx_pkts);
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		fprintf(f, "%s%s %" PRIu64, c != 0 ? ", " : "", pkt_class_label[c], rx->rx_class[c]);
	fputs(")\n", f);

	if (r->interrupted)
		fputs("\nInterrupted: stopped by signal, drained outstanding queries\n", f);
}

/** Latency with a unit that keeps 2-3 significant digits: "850ns", "61us", "1.25ms", "2.00s". */
static void fmt_latency(char *buf, size_t len, const struct dv_hist *h, double q)
{
	if (h->count == 0) {
		snprintf(buf, len, "-");
		return;
	}
	uint64_t ns = dv_hist_quantile(h, q);
	if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else if (ns < 10000)
		snprintf(buf, len, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000)
		snprintf(buf, len, "%.0fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
}

void dv_report_status_line(FILE *f, double elapsed_s, const struct dv_result *iv)
{
	uint64_t sent = dv_result_sent(iv);
	double secs = iv->until_ns > iv->since_ns ? (double)(iv->until_ns - iv->since_ns) / 1e9 : 0.0;
	char p50[32], p99[32];

	fmt_latency(p50, sizeof(p50), &iv->rx.latency, 0.50);
	fmt_latency(p99, sizeof(p99), &iv->rx.latency, 0.99);
	fprintf(f,
		"[%5.1fs] sent %" PRIu64 " (%.0f qps / target %.0f) answered %" PRIu64
		" timeouts %" PRIu64 " p50 %s p99 %s\n",
		elapsed_s, sent, secs > 0.0 ? (double)sent / secs : 0.0, iv->target_qps,
		dv_result_answered(iv), dv_result_timeouts(iv), p50, p99);
}
