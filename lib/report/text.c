/**
 * @file text.c
 * @brief dnsperf-style final report and per-interval status lines.
 */
#include "report/text.h"

#include <inttypes.h>
#include <stdlib.h>

#include "metrics/consistency.h"
#include "report/checks_section.h"
#include "report/resolution_section.h"
#include "report/tcp_section.h"

/** a / b rounded to the nearest integer; 0 when b is 0. */
static uint64_t avg_round(uint64_t a, uint64_t b)
{
	return b != 0 ? (a + b / 2) / b : 0;
}

/** a / b rounded, as text; "-" when b is 0 (nothing to average). */
static void avg_or_dash(char *buf, size_t len, uint64_t a, uint64_t b)
{
	if (b == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRIu64, avg_round(a, b));
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
			dv_pct(rx->rcode[i], answered));
		sep = ", ";
	}
	if (*sep == '\0')
		fputs("none", f);
	fputc('\n', f);
}


/** Attempts printed as "v4"/"v6" in the first-two table. */
static const char *const family_short[DV_FAMILIES] = {
	[DV_FAMILY_V4] = "v4",
	[DV_FAMILY_V6] = "v6",
};

/** Nanoseconds to milliseconds, cut to 0.1 ms. */
static double ms_tenth(uint64_t ns)
{
	return (double)(ns / 100000u) / 10.0;
}

/** Gap bucket bounds in ms, printed "369.099-385.876". */
static void print_bucket_ms(FILE *f, unsigned i)
{
	fprintf(f, "%.3f-%.3f", ns_ms(dv_hist_bucket_lo(i)), ns_ms(dv_hist_bucket_hi(i)));
}

/**
 * The n most populated buckets of h, most populated first (ties: the lower
 * bucket first). @return how many were found (only non-empty buckets)
 */
static unsigned top_buckets(const struct dv_hist *h, unsigned *top, unsigned n)
{
	unsigned found = 0;

	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		if (h->bucket[i] == 0)
			continue;
		/* Insertion into the short sorted list; strict > keeps ties in index order. */
		unsigned pos = found;
		while (pos > 0 && h->bucket[i] > h->bucket[top[pos - 1]])
			pos--;
		if (pos >= n)
			continue;
		unsigned last = found < n ? found : n - 1;
		for (unsigned j = last; j > pos; j--)
			top[j] = top[j - 1];
		top[pos] = i;
		if (found < n)
			found++;
	}
	return found;
}

/** "Logical queries:" and the tables of sequence outcomes. */
static void print_sequences(FILE *f, const struct dv_result *r)
{
	const struct dv_seq_stats *sq = &r->rx.seq;
	const struct dv_hist *gap = &r->tx.gap;
	struct dv_seq_totals t;
	unsigned rows = dv_result_attempt_rows(r);
	/* With transport steps each table says which attempts went over TCP. */
	bool steps = dv_result_has_transport_steps(r);

	dv_seq_sum(sq, &t);

	fputs("\nLogical queries:\n\n", f);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Started:", r->tx.logical);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Ended:", t.ended);
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Answered:", t.answered,
		dv_pct(t.answered, t.ended));
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Truncated (TC):", t.truncated,
		dv_pct(t.truncated, t.ended));
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Failed:", sq->failed, dv_pct(sq->failed, t.ended));
	if (sq->abandoned != 0)
		fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Abandoned:", sq->abandoned,
			dv_pct(sq->abandoned, t.ended));
	fprintf(f, "  %-22s%.2f\n", "Attempts per query:",
		t.ended != 0 ? (double)t.attempts / (double)t.ended : 0.0);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Retries sent:", r->tx.retries);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Redundant answers:", sq->redundant);
	if (sq->not_taken != 0)
		fprintf(f, "  %-22s%" PRIu64 " (a kind's lost=)\n", "Answers not taken:", sq->not_taken);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Late answers:", t.late);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Retries dropped:", sq->retry_dropped);

	fputs("\nAnswered on attempt:\n\n", f);
	fprintf(f, "  %7s %12s %12s %12s %9s %12s %12s", "attempt", "IPv4", "IPv6", "total",
		"% ended", "truncated", "late");
	fputs(steps ? " over TCP\n" : "\n", f);
	for (unsigned k = 0; k < rows; k++) {
		uint64_t v4 = sq->answered_on[k][DV_FAMILY_V4];
		uint64_t v6 = sq->answered_on[k][DV_FAMILY_V6];
		if (v4 == 0 && v6 == 0 && sq->truncated_on[k] == 0 && sq->answered_late[k] == 0)
			continue;
		fprintf(f, "  %7u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %8.2f%% %12" PRIu64
			" %12" PRIu64,
			k + 1, v4, v6, v4 + v6, dv_pct(v4 + v6, t.ended), sq->truncated_on[k],
			sq->answered_late[k]);
		if (steps)
			fprintf(f, " %9" PRIu64, sq->answered_tcp[k]);
		fputc('\n', f);
	}

	fputs("\nSequence length:\n\n", f);
	fprintf(f, "  %8s %12s %9s", "attempts", "count", "%");
	if (steps)
		fprintf(f, " %12s", "with TCP");
	fputc('\n', f);
	for (unsigned n = 1; n <= rows; n++) {
		if (sq->seq_len[n] == 0)
			continue;
		fprintf(f, "  %8u %12" PRIu64 " %8.2f%%", n, sq->seq_len[n],
			dv_pct(sq->seq_len[n], t.ended));
		if (steps)
			fprintf(f, " %12" PRIu64, sq->seq_len_tcp[n]);
		fputc('\n', f);
	}

	/* APNIC's order: v6->v4, v4->v6, v6->v6, v4->v4. */
	static const unsigned order[4][2] = {
		{ DV_FAMILY_V6, DV_FAMILY_V4 },
		{ DV_FAMILY_V4, DV_FAMILY_V6 },
		{ DV_FAMILY_V6, DV_FAMILY_V6 },
		{ DV_FAMILY_V4, DV_FAMILY_V4 },
	};
	fputs("\nFirst two attempts:\n\n", f);
	fprintf(f, "  %-8s %12s %9s", "families", "count", "% of 2+");
	if (steps)
		fprintf(f, " %12s", "2nd over TCP");
	fputc('\n', f);
	for (unsigned i = 0; i < 4; i++) {
		unsigned a = order[i][0], b = order[i][1];
		uint64_t n = sq->first_two[a][b];
		if (n == 0)
			continue;
		char label[16];
		snprintf(label, sizeof(label), "%s->%s", family_short[a], family_short[b]);
		fprintf(f, "  %-8s %12" PRIu64 " %8.2f%%", label, n, dv_pct(n, t.two_plus));
		if (steps)
			fprintf(f, " %12" PRIu64, sq->first_two_tcp[a][b]);
		fputc('\n', f);
	}
	fprintf(f, "  Sequences of 2+ attempts: %" PRIu64 "; of 1 attempt: IPv4 %" PRIu64
		", IPv6 %" PRIu64 "\n",
		t.two_plus, sq->single[DV_FAMILY_V4], sq->single[DV_FAMILY_V6]);

	fputs("\nGap between attempts (ms):\n\n", f);
	if (gap->count == 0) {
		fprintf(f, "  %-22s0\n", "Gaps:");
	} else {
		/* To 0.1 ms, cut (not rounded) as the 0.1 ms bins are: a gap of 376.83 ms is 376.8. */
		fprintf(f, "  %-22s%" PRIu64 " (min %.1f, p10 %.1f, p50 %.1f, p90 %.1f, max %.1f)\n",
			"Gaps:", gap->count, ms_tenth(gap->min), ms_tenth(dv_result_gap_quantile(r, 0.10)),
			ms_tenth(dv_result_gap_quantile(r, 0.50)),
			ms_tenth(dv_result_gap_quantile(r, 0.90)), ms_tenth(gap->max));
		unsigned top[3];
		unsigned n = top_buckets(gap, top, 3);
		fprintf(f, "  %-22s", "Peaks:");
		for (unsigned i = 0; i < n; i++) {
			if (i != 0)
				fputs(", ", f);
			print_bucket_ms(f, top[i]);
			fprintf(f, " %" PRIu64 " (%.2f%%)", gap->bucket[top[i]],
				dv_pct(gap->bucket[top[i]], gap->count));
		}
		fputc('\n', f);
	}
	const struct dv_hist *late = &r->rx.timer_late;
	if (late->count > 0)
		fprintf(f, "  %-22s%" PRIu64 " fired, late by p50 %.3f, p99 %.3f, max %.3f\n",
			"Timers:", late->count, ns_ms(dv_hist_quantile(late, 0.50)),
			ns_ms(dv_hist_quantile(late, 0.99)), ns_ms(late->max));
}

/** "By EDNS size and family:", one row per size and family with attempts sent. */
static void print_edns(FILE *f, const struct dv_result *r)
{
	fputs("\nBy EDNS size and family:\n\n", f);
	fprintf(f, "  %5s  %-6s %12s %12s %12s %12s %9s %9s %9s\n", "size", "family", "attempts",
		"answered", "TC", "timeouts", "resp min", "resp avg", "resp max");
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
			uint64_t sent;
			struct dv_edns_rx c;
			if (!dv_result_edns_cell(r, v, fam, &sent, &c) || sent == 0)
				continue;
			char size[16], rmin[24], ravg[24], rmax[24];
			if (r->edns_size[v] == DV_EDNS_NONE)
				snprintf(size, sizeof(size), "none");
			else
				snprintf(size, sizeof(size), "%d", r->edns_size[v]);
			if (c.answered == 0) {
				snprintf(rmin, sizeof(rmin), "-");
				snprintf(ravg, sizeof(ravg), "-");
				snprintf(rmax, sizeof(rmax), "-");
			} else {
				snprintf(rmin, sizeof(rmin), "%" PRIu64, c.resp_min);
				snprintf(ravg, sizeof(ravg), "%" PRIu64,
					 avg_round(c.resp_bytes, c.answered));
				snprintf(rmax, sizeof(rmax), "%" PRIu64, c.resp_max);
			}
			fprintf(f, "  %5s  %-6s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64
				" %9s %9s %9s\n",
				size, family_label[fam], sent, c.answered, c.truncated, c.timeouts,
				rmin, ravg, rmax);
		}
	}
}

/** Nanoseconds to microseconds. */
static double ns_us(uint64_t ns)
{
	return (double)ns / 1e3;
}

/** "Fragments:": what the collectors saw of fragmented responses. */
static void print_fragments(FILE *f, const struct dv_result *r)
{
	const struct dv_frag_stats *fs = &r->rx.frag;
	const struct dv_hist *cnt = &r->rx.frag_count;
	const struct dv_hist *spr = &r->rx.frag_spread;

	fputs("\nFragments:\n\n", f);
	fprintf(f, "  %-22sIPv4 %" PRIu64 ", IPv6 %" PRIu64 " (%" PRIu64 " frame bytes)\n",
		"Received:", fs->frags[DV_FAMILY_V4], fs->frags[DV_FAMILY_V6], fs->frag_bytes);
	fprintf(f, "  %-22sIPv4 %" PRIu64 ", IPv6 %" PRIu64 "\n", "Reassembled:",
		fs->reassembled[DV_FAMILY_V4], fs->reassembled[DV_FAMILY_V6]);
	fprintf(f, "  %-22sIPv4 %" PRIu64 ", IPv6 %" PRIu64 " (attributed %" PRIu64 ")\n",
		"Lost sets:", fs->lost_sets[DV_FAMILY_V4], fs->lost_sets[DV_FAMILY_V6],
		fs->lost_attributed);
	if (fs->by_port[DV_FAMILY_V4] + fs->by_port[DV_FAMILY_V6] > 0)
		fprintf(f, "  %-22sIPv4 %" PRIu64 ", IPv6 %" PRIu64 " (the port reassembles before we "
			"see them)\n", "Reassembled by port:", fs->by_port[DV_FAMILY_V4],
			fs->by_port[DV_FAMILY_V6]);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Dropped by policy:", fs->dropped_sets);
	fprintf(f, "  %-22sreassembled %" PRIu64 ", lost %" PRIu64 ", untracked (set table full) %"
		PRIu64 "\n", "Fragments in sets:", fs->in_reassembled, fs->in_lost, fs->untracked);
	fprintf(f, "  %-22s%" PRIu64 " (incomplete sets held their share of the RX pool)\n",
		"Not kept:", fs->over_share);
	fprintf(f, "  %-22s%" PRIu64 " (from other sources than the target: %" PRIu64 ")\n",
		"Not ours:", fs->not_ours, fs->other_source);
	if (cnt->count == 0)
		fprintf(f, "  %-22s-\n", "Frags per response:");
	else
		fprintf(f, "  %-22smin %" PRIu64 ", p50 %" PRIu64 ", max %" PRIu64
			", %" PRIu64 " frame bytes on average\n",
			"Frags per response:", cnt->min, dv_hist_quantile(cnt, 0.50), cnt->max,
			fs->reassembled_bytes / cnt->count);
	if (spr->count == 0)
		fprintf(f, "  %-22s-\n", "First to last (us):");
	else
		fprintf(f, "  %-22sp50 %.3f, p99 %.3f, max %.3f\n", "First to last (us):",
			ns_us(dv_hist_quantile(spr, 0.50)), ns_us(dv_hist_quantile(spr, 0.99)),
			ns_us(spr->max));
}

/** XDP frames sent to our sockets that no collector received (0 without the XDP program's counters). */
static uint64_t xdp_not_received(const struct dv_result *r)
{
	return r->has_xdp && r->xdp_redirected > r->rx.rx_pkts ? r->xdp_redirected - r->rx.rx_pkts : 0;
}

/** "RX drops:": frames that reached us but no collector counted, by where they were lost. */
static void print_rx_drops(FILE *f, const struct dv_result *r)
{
	const struct dv_rx_stats *rx = &r->rx;
	uint64_t nombuf = rx->port_nombuf + r->resp_nombuf;
	uint64_t xdp = xdp_not_received(r);
	if (nombuf + rx->port_missed + rx->handoff_drop + rx->handoff_dgram_drop + xdp == 0) {
		fputs("  RX drops: none\n", f);
		return;
	}
	fprintf(f, "  RX drops: pool empty %" PRIu64 ", RX queue full %" PRIu64
		", hand-off ring full %" PRIu64, nombuf, rx->port_missed,
		rx->handoff_drop + rx->handoff_dgram_drop);
	if (r->has_xdp)
		fprintf(f, ", sent to us by XDP but not received %" PRIu64, xdp);
	fputc('\n', f);
}

/** "ICMP errors:" by family and kind (only kinds seen). */
static void print_icmp(FILE *f, const struct dv_result *r)
{
	const struct dv_rx_stats *rx = &r->rx;
	uint64_t total = 0;

	fputs("\nICMP errors:\n\n", f);
	for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
		const char *sep = "";
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++) {
			if (rx->icmp[fam][k] == 0)
				continue;
			if (*sep == '\0') {
				char label[16];
				snprintf(label, sizeof(label), "%s:", family_label[fam]);
				fprintf(f, "  %-22s", label);
			}
			fprintf(f, "%s%s %" PRIu64, sep, dv_icmp_kind_name((enum dv_icmp_kind)k),
				rx->icmp[fam][k]);
			sep = ", ";
			total += rx->icmp[fam][k];
		}
		if (*sep != '\0')
			fputc('\n', f);
	}
	if (total == 0) {
		fprintf(f, "  %-22snone\n", "Received:");
		return;
	}
	fprintf(f, "  %-22s%" PRIu64 "\n", "Attributed:", rx->icmp_attributed);
	if (rx->icmp_mtu_min != UINT64_MAX)
		fprintf(f, "  %-22s%" PRIu64 "\n", "Smallest too-big MTU:", rx->icmp_mtu_min);
}

/** "4096", or "none" for no OPT record. */
static void edns_label(char *buf, size_t len, int size)
{
	if (size == DV_EDNS_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%d", size);
}

/** How the summary line names a size class. */
static const char *const size_class_words[DV_SIZE_CLASSES] = {
	[DV_SIZE_512] = "responses <=512 bytes",
	[DV_SIZE_1232] = "responses <=1232 bytes",
	[DV_SIZE_1452] = "responses <=1452 bytes",
	[DV_SIZE_1472] = "responses <=1472 bytes",
	[DV_SIZE_LARGE] = "large responses",
	[DV_SIZE_UNKNOWN] = "responses of unknown size",
};

/**
 * The summary line of one (family, EDNS size) cell, for its largest size
 * class present (the unknown class only when no size is known), e.g.
 * "IPv6, EDNS 4096, large responses: 41.2% failed (38.0% lost fragment)".
 * Nothing when that class did not fail.
 */
static void print_fail_summary(FILE *f, const struct dv_result *r, unsigned fam, unsigned v)
{
	static const struct {
		enum dv_fail_col col;
		const char *words;
	} causes[] = {
		{ DV_FR_LOST_FRAG, "lost fragment" },
		{ DV_FR_FRAG_DROP, "refused as fragmented" },
		{ DV_FR_ICMP, "ICMP error" },
		{ DV_FR_TIMEOUT, "timed out" },
	};
	struct dv_fail_row row;
	bool found = false;

	for (int c = DV_SIZE_LARGE; c >= 0 && !found; c--)
		found = dv_result_fail_row(r, fam, v, (enum dv_size_class)c, &row);
	if (!found && !dv_result_fail_row(r, fam, v, DV_SIZE_UNKNOWN, &row))
		return;
	if (row.failed == 0)
		return;

	if (row.edns_size == DV_EDNS_NONE)
		fprintf(f, "  %s, no EDNS, ", family_label[fam]);
	else
		fprintf(f, "  %s, EDNS %d, ", family_label[fam], row.edns_size);
	fprintf(f, "%s: %.1f%% failed (", size_class_words[row.size],
		dv_pct(row.failed, row.attempts));
	const char *sep = "";
	for (size_t i = 0; i < sizeof(causes) / sizeof(causes[0]); i++) {
		uint64_t n = row.col[causes[i].col];
		if (n == 0)
			continue;
		fprintf(f, "%s%.1f%% %s", sep, dv_pct(n, row.attempts), causes[i].words);
		sep = ", ";
	}
	if (row.tcp[DV_FRT_FAILED] != 0)
		fprintf(f, "%s%.1f%% failed over TCP", sep, dv_pct(row.tcp[DV_FRT_FAILED], row.attempts));
	fputs(")\n", f);
}

/** "Failure rate by family, EDNS size and response size:" and its summary lines. */
static void print_failures(FILE *f, const struct dv_result *r)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;

	/* Attempts over TCP get two columns of their own, shown when there were any. */
	bool tcp = false;
	const uint64_t *w = (const uint64_t *)r->rx.fail_tcp;
	for (size_t i = 0; i < sizeof(r->rx.fail_tcp) / sizeof(*w) && !tcp; i++)
		tcp = w[i] != 0;

	fputs("\nFailure rate by family, EDNS size and response size:\n\n", f);
	fprintf(f, "  %-6s %5s %-7s %10s %10s %11s %10s %10s %10s %10s %10s", "family",
		"EDNS", "size", "attempts", "plain", "reassembled", "TC", "lost-frag",
		"frag-drop", "ICMP", "timeout");
	if (tcp)
		fprintf(f, " %10s %10s", "TCP-ans", "TCP-fail");
	fprintf(f, " %8s\n", "failed%");
	for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
		for (unsigned v = 0; v < n; v++) {
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++) {
				struct dv_fail_row row;
				if (!dv_result_fail_row(r, fam, v, (enum dv_size_class)c, &row))
					continue;
				char edns[16];
				edns_label(edns, sizeof(edns), row.edns_size);
				fprintf(f, "  %-6s %5s %-7s %10" PRIu64 " %10" PRIu64 " %11" PRIu64
					" %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
					" %10" PRIu64,
					family_label[fam], edns, dv_size_class_name(row.size),
					row.attempts, row.col[DV_FR_PLAIN], row.col[DV_FR_REASM],
					row.col[DV_FR_TC], row.col[DV_FR_LOST_FRAG],
					row.col[DV_FR_FRAG_DROP], row.col[DV_FR_ICMP],
					row.col[DV_FR_TIMEOUT]);
				if (tcp)
					fprintf(f, " %10" PRIu64 " %10" PRIu64, row.tcp[DV_FRT_ANSWERED],
						row.tcp[DV_FRT_FAILED]);
				fprintf(f, " %7.2f%%\n", dv_pct(row.failed, row.attempts));
			}
		}
	}

	/* The summary lines, after a blank line when there is any. */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		return;
	for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
		for (unsigned v = 0; v < n; v++)
			print_fail_summary(m, r, fam, v);
	}
	if (fclose(m) == 0 && len > 0) {
		fputc('\n', f);
		fwrite(buf, 1, len, f);
	}
	free(buf);
}

/* --track-answers: one family of one owner: addresses, sections, TTLs. */
static void print_cons_family(FILE *f, const struct dv_cons_family *cf, enum dv_cons_fam fam)
{
	char a[64];
	fprintf(f, " %s", fam == DV_CONS_A ? "A" : "AAAA");
	for (unsigned i = 0; i < cf->naddr; i++)
		fprintf(f, "%s%s", i ? "," : " ", dv_cons_addr_str(cf, fam, i, a, sizeof(a)));
	if (cf->addrs_dropped > 0)
		fprintf(f, " (+%" PRIu64 " not kept)", cf->addrs_dropped);
	fputs(" in", f);
	for (unsigned s = 0, n = 0; s < DV_CONS_SECS; s++)
		if (cf->sections & (1u << s))
			fprintf(f, "%s%s", n++ ? "+" : " ", dv_cons_section_name((enum dv_cons_sec)s));
	fprintf(f, ", %" PRIu64 " answers, TTL %" PRIu32 "..%" PRIu32, cf->answers, cf->ttl_min,
		cf->ttl_max);
	if (cf->refreshes > 0)
		fprintf(f, ", fetched again %" PRIu32 " time%s", cf->refreshes,
			cf->refreshes == 1 ? "" : "s");
}

/* --track-answers: the episodes in which family fam vanished while the other remained. */
static void print_cons_vanished(FILE *f, const struct dv_cons_family *cf, enum dv_cons_fam fam,
				double iv_s)
{
	const char *name = fam == DV_CONS_A ? "A" : "AAAA";
	const char *other = fam == DV_CONS_A ? "AAAA" : "A";
	if (cf->missing == 0)
		return;
	fprintf(f, "      %s vanished while %s remained: %" PRIu64 " answers in %" PRIu32
		" episode%s%s\n", name, other, cf->missing, cf->nep + (uint32_t)cf->ep_dropped,
		cf->nep + cf->ep_dropped == 1 ? "" : "s", cf->missing_last ? ", still at the end" : "");
	for (uint32_t e = 0; e < cf->nep; e++) {
		const struct dv_cons_episode *ep = &cf->ep[e];
		fprintf(f, "        %.3f-%.3f s (%" PRIu32 " interval%s): %" PRIu64
			" answers, first at %.3f s, last at %.3f s\n", ep->first_iv * iv_s,
			(ep->last_iv + 1.0) * iv_s, ep->last_iv - ep->first_iv + 1,
			ep->last_iv == ep->first_iv ? "" : "s", ep->answers, (double)ep->first_ns / 1e9,
			(double)ep->last_ns / 1e9);
	}
	if (cf->ep_dropped > 0)
		fprintf(f, "        (%" PRIu64 " later episodes not kept)\n", cf->ep_dropped);
}

/*
 * --track-answers: per (name, type) the owners of A/AAAA records in the
 * sampled answers, with what vanished when, and TTL mismatches.
 */
static void print_consistency(FILE *f, const struct dv_cons *t)
{
	double iv_s = (double)t->interval_ns / 1e9;
	char name[1100], type[32];

	fprintf(f, "\nAnswer consistency (--track-answers; intervals of %.3f s):\n", iv_s);
	fprintf(f, "  Sampled %" PRIu64 " answers: %" PRIu64 " counted, %" PRIu64
		" not parsed, %" PRIu64 " beyond %u names; not sampled: %" PRIu64
		" (hand-off ring full), %" PRIu64 " (over %u bytes)\n", t->fed, t->used, t->malformed,
		t->keys_dropped, DV_CONS_KEYS, t->ring_dropped, t->too_large, DV_CONS_MSG_MAX);
	for (uint32_t i = 0; i < t->nkeys; i++) {
		const struct dv_cons_key *k = &t->key[i];
		fprintf(f, "  %s %s: %" PRIu64 " answers (%.3f-%.3f s); records",
			dv_cons_name_str(k->qname, k->qname_len, name, sizeof(name)),
			dv_cons_type_str(k->qtype, type, sizeof(type)), k->answers,
			(double)k->first_ns / 1e9, (double)k->last_ns / 1e9);
		for (unsigned s = 0; s < DV_CONS_SECS; s++) {
			fprintf(f, "%s %s %u", s ? "," : "", dv_cons_section_name((enum dv_cons_sec)s), k->count_min[s]);
			if (k->count_max[s] != k->count_min[s])
				fprintf(f, "..%u", k->count_max[s]);
		}
		fputc('\n', f);
		for (uint32_t c = 0; c < k->nchanges; c++) {
			const struct dv_cons_change *ch = &k->chg[c];
			fprintf(f, "    records changed at %.3f s:", (double)ch->t_ns / 1e9);
			for (unsigned s = 0, n = 0; s < DV_CONS_SECS; s++)
				if (ch->from[s] != ch->to[s])
					fprintf(f, "%s %s %u -> %u", n++ ? "," : "", dv_cons_section_name((enum dv_cons_sec)s), ch->from[s],
						ch->to[s]);
			fputc('\n', f);
		}
		if (k->changes_dropped > 0)
			fprintf(f, "    (%" PRIu64 " later changes of the record counts not listed)\n",
				k->changes_dropped);
		for (unsigned o = 0; o < k->nowners; o++) {
			const struct dv_cons_owner *ow = &k->owner[o];
			fprintf(f, "    %s", dv_cons_name_str(ow->name, ow->name_len, name, sizeof(name)));
			for (unsigned fam = 0, n = 0; fam < DV_CONS_FAMS; fam++)
				if (ow->fam[fam].answers > 0) {
					fputc(n++ ? ';' : ':', f);
					print_cons_family(f, &ow->fam[fam], (enum dv_cons_fam)fam);
				}
			fputc('\n', f);
			for (unsigned fam = 0; fam < DV_CONS_FAMS; fam++)
				print_cons_vanished(f, &ow->fam[fam], (enum dv_cons_fam)fam, iv_s);
			if (dv_cons_ttl_mismatch(ow))
				fprintf(f, "      TTL mismatch: A up to %" PRIu32 " s, AAAA up to %" PRIu32
					" s: one family expires from caches long before the other\n",
					ow->fam[DV_CONS_A].ttl_max, ow->fam[DV_CONS_AAAA].ttl_max);
		}
		if (k->owners_dropped > 0)
			fprintf(f, "    (%" PRIu64 " records of owners beyond %u not kept)\n",
				k->owners_dropped, DV_CONS_OWNERS);
	}
}

/* --- Pacing, stalls and the throughput search (issue 12) ---------------- */

/** What the schedule skipped, how late bursts left, and stalls of the process. */
static void print_pacing(FILE *f, const struct dv_result *r)
{
	const struct dv_hist *late = &r->tx.send_late;
	if (late->count > 0)
		fprintf(f, "  Send lateness (ms): p50 %.3f  p90 %.3f  p99 %.3f  max %.3f "
			   "(%" PRIu64 " bursts, hand-off - schedule)\n",
			ns_ms(dv_hist_quantile(late, 0.50)), ns_ms(dv_hist_quantile(late, 0.90)),
			ns_ms(dv_hist_quantile(late, 0.99)), ns_ms(late->max), late->count);
	const struct dv_stalls *st = &r->stalls;
	if (st->count > 0)
		fprintf(f, "  Stalls: %" PRIu64 " (the process did not run for %.3f s in all, longest "
			   "%.3f s, first at %.1f s); intervals that span one are marked and left out "
			   "of a ramp's maximum\n", st->count, st->total_s, st->longest_s, st->first_at_s);
}

/** A search as its searches and trials: one run's totals over all trials would mean nothing. */
static void print_search(FILE *f, const struct dv_result *r)
{
	const struct dv_rate_summary *rs = &r->rate;
	fprintf(f, "Throughput search (RFC 8219 9.2, unanswered <= %g%%, up to %.0f qps):\n\n",
		rs->search_loss_pct, rs->search_offered_max);
	fprintf(f, "  %6s %5s %12s %12s %10s %10s %11s  %s\n", "search", "trial", "offered qps",
		"started qps", "sent", "answered", "unanswered", "verdict");
	for (unsigned i = 0; i < rs->search_ntrials && i < DV_SEARCH_TRIALS_MAX; i++) {
		const struct dv_search_trial *t = &rs->trial[i];
		fprintf(f, "  %6u %5u %12.0f %12.0f %10" PRIu64 " %10" PRIu64 " %10.3f%%  %s\n",
			t->search, t->trial, t->offered_qps, t->sent_qps, t->sent, t->answered,
			t->loss_pct, dv_trial_verdict_name(t->verdict));
	}
	if (rs->search_trials > rs->search_ntrials)
		fprintf(f, "  (%u more trials not kept)\n", rs->search_trials - rs->search_ntrials);
	fputc('\n', f);
	for (unsigned i = 0; i < rs->search_n && i < DV_SEARCH_REPEATS_MAX; i++) {
		fprintf(f, "  Search %u: ", i + 1);
		switch (rs->search_end[i]) {
		case DV_SEARCH_NO_LIMIT:
			fprintf(f, "no limit found below -Q %.0f qps (every trial passed)\n",
				rs->search_offered_max);
			break;
		case DV_SEARCH_GEN_CEILING:
			fprintf(f, "no limit found: the generator could not offer more "
				   "(generator-limited trials); %.1f qps passed\n", rs->search_qps[i]);
			break;
		default:
			fprintf(f, "%.1f qps\n", rs->search_qps[i]);
			break;
		}
	}
	bool unfound = false;
	for (unsigned i = 0; i < rs->search_n && i < DV_SEARCH_REPEATS_MAX; i++)
		unfound |= rs->search_end[i] != DV_SEARCH_FOUND;
	if (rs->search_n > 0)
		fprintf(f, "  Throughput: median %.1f qps, min %.1f, max %.1f over %u search%s "
			   "(%u trial%s)%s\n", rs->search_median, rs->search_min, rs->search_max,
			rs->search_n, rs->search_n == 1 ? "" : "es", rs->search_trials,
			rs->search_trials == 1 ? "" : "s",
			unfound ? ": a lower bound, a search found no limit" : "");
	fputs("  A trial is generator-limited when the generator started fewer than 90% of the "
	      "offered queries: it does not count against the server.\n"
	      "  A trial the generator did not hold (short of the offered rate by more than the "
	      "resolution, or the process stalled) is repeated once at the same rate.\n"
	      "  The counters below add up all trials.\n\n", f);
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
	/* A second signal cut the drain short: neither answered nor lost. */
	uint64_t abandoned = dv_result_abandoned(r);

	/* A search is its trials, not one run: no dnsperf block of all trials over the last one's time. */
	if (r->rate_mode == DV_RATE_SEARCH) {
		print_search(f, r);
		goto counters;
	}
	/* dnsperf's block, label column 22 wide, so tools that parse it keep working. */
	fputs("Statistics:\n\n", f);
	fprintf(f, "  %-22s%" PRIu64 "\n", "Queries sent:", sent);
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Queries completed:", answered,
		dv_pct(answered, sent));
	fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Queries lost:", lost, dv_pct(lost, sent));
	if (abandoned != 0)
		fprintf(f, "  %-22s%" PRIu64 " (%.2f%%)\n", "Queries abandoned:", abandoned,
			dv_pct(abandoned, sent));
	/*
	 * The lines above count attempts, as dnsperf counts queries; with
	 * sequences a name is resolved once however many attempts it took.
	 */
	if (r->sequences) {
		struct dv_seq_totals t;
		dv_seq_sum(&rx->seq, &t);
		fprintf(f, "  %-22s%" PRIu64 " of %" PRIu64 " (%.2f%%)\n", "Names resolved:",
			t.answered, t.ended, dv_pct(t.answered, t.ended));
	}
	fputc('\n', f);

	fprintf(f, "  %-22s", "Response codes:");
	print_rcodes(f, rx, answered);
	/* DNS message sizes, as dnsperf's line; frame sizes are in dnsvolley's block. */
	char req[24], resp[24];
	uint64_t resp_bytes = 0, resp_n = 0;
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
		for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
			resp_bytes += rx->edns[v][fam].resp_bytes;
			resp_n += rx->edns[v][fam].answered;
		}
	avg_or_dash(req, sizeof(req), tx->query_bytes, tx->query_bytes != 0 ? sent : 0);
	avg_or_dash(resp, sizeof(resp), resp_bytes, resp_n);
	fprintf(f, "  %-22srequest %s, response %s\n", "Average packet size:", req, resp);
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

counters:
	fputs("dnsvolley statistics:\n\n", f);
	for (unsigned i = 0; i < DV_FAMILIES; i++) {
		if (tx->sent[i] == 0)
			continue;
		fprintf(f, "  %s: sent %" PRIu64 ", completed %" PRIu64 " (%.2f%%), lost %" PRIu64,
			family_label[i], tx->sent[i], rx->answered[i],
			dv_pct(rx->answered[i], tx->sent[i]), rx->timeouts[i]);
		if (rx->abandoned[i] != 0)
			fprintf(f, ", abandoned %" PRIu64, rx->abandoned[i]);
		fputc('\n', f);
	}
	if (lat->count == 0)
		fputs("  Latency percentiles (ms): p50 -  p90 -  p99 -  p99.9 -\n", f);
	else
		fprintf(f, "  Latency percentiles (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f\n",
			ns_ms(dv_hist_quantile(lat, 0.50)), ns_ms(dv_hist_quantile(lat, 0.90)),
			ns_ms(dv_hist_quantile(lat, 0.99)), ns_ms(dv_hist_quantile(lat, 0.999)));
	/* Whole frames (Ethernet and IP headers included); received: every frame, DNS or not. */
	avg_or_dash(req, sizeof(req), tx->tx_bytes, sent);
	avg_or_dash(resp, sizeof(resp), rx->rx_bytes, rx->rx_pkts);
	fprintf(f, "  Average frame size (bytes): sent %s, received %s (every frame)\n", req, resp);

	double target = r->target_qps;
	if (!(target > 0.0) && plan != NULL)
		target = plan->qps;
	/* The offered rate is of new logical queries: retries come on top. */
	double achieved = r->send_seconds > 0.0 ? (double)tx->logical / r->send_seconds : 0.0;
	const char *only_new = tx->retries > 0 ? ", new queries only" : "";
	switch (r->rate_mode) {
	case DV_RATE_MAX:
		fprintf(f, "  Send rate (qps): achieved %.1f, unlimited (--max)%s\n", achieved, only_new);
		break;
	case DV_RATE_RAMP:
		fprintf(f, "  Send rate (qps): %.1f on average over the ramp%s\n", achieved, only_new);
		break;
	case DV_RATE_SEARCH:
		break; /* per trial, in the [Search] lines */
	default:
		fprintf(f, "  Send rate (qps): achieved %.1f of target %.1f (%.2f%%)%s\n", achieved,
			target, target > 0.0 ? 100.0 * achieved / target : 0.0, only_new);
		break;
	}
	if (r->tsc_hz > 0.0 && dv_result_sent(r) > 0)
		fprintf(f, "  TSC cycles: %.0f per query sent, %.0f per packet received, %.1f packets "
			   "an RX burst (%u generator%s, TSC %.2f GHz)\n",
			(double)tx->busy_tsc / (double)dv_result_sent(r),
			rx->rx_pkts > 0 ? (double)rx->busy_tsc / (double)rx->rx_pkts : 0.0,
			rx->rx_bursts > 0 ? (double)rx->rx_pkts / (double)rx->rx_bursts : 0.0,
			r->ngenerators, r->ngenerators == 1 ? "" : "s", r->tsc_hz / 1e9);
	if (r->inflight_slots > 0) {
		fprintf(f, "  Memory: in-flight %" PRIu64 " slots (%.1f MiB), sequences %.1f MiB, "
			   "mbuf pools %.1f MiB", r->inflight_slots,
			(double)r->mem_inflight / 1048576.0, (double)r->mem_sequences / 1048576.0,
			(double)r->mem_mbufs / 1048576.0);
		if (r->mem_tcp != 0)
			fprintf(f, ", TCP connections %.1f MiB", (double)r->mem_tcp / 1048576.0);
		fputc('\n', f);
	}
	const struct dv_rate_summary *rs = &r->rate;
	if (r->rate_mode == DV_RATE_RAMP && rs->ramp_max_qps > 0.0)
		fprintf(f, "  Maximum throughput: %.1f qps (offered %.1f qps then), lost at that point: "
			   "%.2f%%\n", rs->ramp_max_qps, rs->ramp_at_qps, rs->ramp_loss_pct);
	else if (r->rate_mode == DV_RATE_RAMP)
		fputs("  Maximum throughput: - (no whole plot interval was measured)\n", f);

	fprintf(f,
		"  Late responses: %" PRIu64 ", duplicates: %" PRIu64 ", unmatched: %" PRIu64
		", truncated (TC): %" PRIu64 "\n",
		rx->late, rx->duplicate, rx->unmatched, rx->truncated);
	/* The cheap compliance checks of every answer (docs/interop.md): said when one failed. */
	uint64_t nviol = 0;
	for (unsigned k = 0; k < DV_AV_KINDS; k++)
		nviol += rx->violation[k];
	if (nviol != 0) {
		fputs("  Answers failing a check:", f);
		for (unsigned k = 0; k < DV_AV_KINDS; k++)
			fprintf(f, "%s %s %" PRIu64, k ? "," : "", dv_answer_violation_words[k],
				rx->violation[k]);
		fputc('\n', f);
	}
	fprintf(f,
		"  Not sent: mbuf pool empty %" PRIu64 ", TX queue full %" PRIu64
		", in-flight table full %" PRIu64 ", schedule slips %" PRIu64 " (%" PRIu64
		" queries skipped)\n",
		tx->alloc_fail, tx->tx_full, tx->inflight_full, tx->sched_slips, tx->sched_skipped);
	print_pacing(f, r);

	fprintf(f, "  Received packets: %" PRIu64 " (", rx->rx_pkts);
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		fprintf(f, "%s%s %" PRIu64, c != 0 ? ", " : "", pkt_class_label[c], rx->rx_class[c]);
	fputs(")\n", f);
	if (r->rx_timestamps != NULL)
		fprintf(f, "  RX timestamps: %s\n", r->rx_timestamps);
	if (r->ncollectors > 1) {
		fputs("  Collectors (RX packets):", f);
		for (unsigned i = 0; i < r->ncollectors && i < DV_MAX_LANES; i++)
			fprintf(f, " #%u %" PRIu64, i, r->col_rx_pkts[i]);
		fputc('\n', f);
	}
	if (rx->nd_answered[0] + rx->nd_answered[1] + r->nd_announced + rx->nd_ignored > 0)
		fprintf(f, "  ARP/ND: answered %" PRIu64 " ARP requests and %" PRIu64
			" neighbour solicitations (%" PRIu64 " sent), %" PRIu64 " ignored; announced %"
			PRIu64 " addresses\n", rx->nd_answered[DV_FAMILY_V4],
			rx->nd_answered[DV_FAMILY_V6], r->tx.ctl_sent, rx->nd_ignored, r->nd_announced);
	if (dv_result_xdp_tcp_shown(r))
		fprintf(f, "  XDP program: %" PRIu64 " frames to us (%" PRIu64 " fragments, %" PRIu64
			" ICMP errors, %" PRIu64 " TCP segments), %" PRIu64 " left to the kernel\n",
			r->xdp_redirected, r->xdp_fragments, r->xdp_icmp, r->xdp_tcp, r->xdp_passed);
	else if (r->has_xdp)
		fprintf(f, "  XDP program: %" PRIu64 " frames to us (%" PRIu64 " fragments, %" PRIu64
			" ICMP errors), %" PRIu64 " left to the kernel\n", r->xdp_redirected,
			r->xdp_fragments, r->xdp_icmp, r->xdp_passed);
	if (rx->handoff_out + rx->handoff_dgrams > 0)
		fprintf(f, "  Handed to the owning collector: %" PRIu64 " packets (inbox full: %" PRIu64
			" dropped), %" PRIu64 " reassembled datagrams (%" PRIu64 " dropped)\n",
			rx->handoff_out, rx->handoff_drop, rx->handoff_dgrams, rx->handoff_dgram_drop);
	print_rx_drops(f, r);
	if (r->nports > 1) {
		fputs("  Ports (sent / RX packets):", f);
		for (unsigned i = 0; i < r->nports && i < DV_MAX_PORTS; i++)
			fprintf(f, "%s %s %" PRIu64 " / %" PRIu64, i ? "," : "",
				r->port_spec[i] != NULL ? r->port_spec[i] : "?", r->port_sent[i],
				r->port_rx_pkts[i]);
		fputc('\n', f);
	}

	dv_text_checks(f, r);
	/* With sequences the report leads with what a resolver's user waits for. */
	if (r->sequences) {
		dv_text_resolution(f, r);
		print_sequences(f, r);
		dv_text_transport_steps(f, r);
	}
	if (r->sequences || r->n_edns > 1)
		print_edns(f, r);
	if (dv_result_has_frag_report(r)) {
		print_fragments(f, r);
		print_icmp(f, r);
		print_failures(f, r);
	}

	if (dv_result_has_tcp(r))
		dv_text_tcp(f, r);

	if (r->consistency != NULL)
		print_consistency(f, r->consistency);

	if (r->interrupted && abandoned != 0)
		fprintf(f, "\nInterrupted: stopped by signal; a second signal cut the drain short: "
			   "%" PRIu64 " queries abandoned (neither answered nor timed out)\n", abandoned);
	else if (r->interrupted)
		fputs("\nInterrupted: stopped by signal, drained outstanding queries\n", f);
	if (r->incomplete != 0)
		fprintf(f, "\nIncomplete: the run did not end (no stats_sum record); rebuilt from its "
			   "%u intervals, up to the last one written\n", r->incomplete);
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

void dv_report_status_line(FILE *f, double elapsed_s, double left_s, bool tty,
			   const struct dv_result *iv)
{
	uint64_t sent = dv_result_sent(iv);
	double secs = dv_result_seconds(iv);
	char p50[32], p99[32], left[32], target[32];

	fmt_latency(p50, sizeof(p50), &iv->rx.latency, 0.50);
	fmt_latency(p99, sizeof(p99), &iv->rx.latency, 0.99);
	if (left_s < 0.0)
		snprintf(left, sizeof(left), "draining");
	else
		snprintf(left, sizeof(left), "left %.1fs", left_s);
	if (iv->rate_mode == DV_RATE_MAX)
		snprintf(target, sizeof(target), "max");
	else
		snprintf(target, sizeof(target), "%.0f", iv->target_qps);
	/*
	 * The target is for new queries: retries come on top and are shown
	 * apart ("sent 479 (new 200 qps / target 200, retries 279 qps)").
	 */
	char rate[96];
	const struct dv_tx_stats *tx = &iv->tx;
	if (tx->retries > 0)
		snprintf(rate, sizeof(rate), "new %.0f qps / target %s, retries %.0f qps",
			 secs > 0.0 ? (double)tx->logical / secs : 0.0, target,
			 secs > 0.0 ? (double)tx->retries / secs : 0.0);
	else
		snprintf(rate, sizeof(rate), "%.0f qps / target %s",
			 secs > 0.0 ? (double)sent / secs : 0.0, target);
	/* Over TCP only, so that a UDP run's line stays as it was (scripts read it). */
	char conns[32] = "";
	if (iv->transport == DV_TRANSPORT_TCP)
		snprintf(conns, sizeof(conns), " conns %" PRIu64, iv->tcp_open);
	/* On a terminal the line is rewritten in place; elsewhere (a log) one line per interval. */
	fprintf(f,
		"%s[%5.1fs] sent %" PRIu64 " (%s) answered %" PRIu64
		" timeouts %" PRIu64 " p50 %s p99 %s frags %" PRIu64 "%s %s%s",
		tty ? "\r\033[K" : "", elapsed_s, sent, rate,
		dv_result_answered(iv), dv_result_timeouts(iv), p50, p99,
		iv->rx.frag.frags[DV_FAMILY_V4] + iv->rx.frag.frags[DV_FAMILY_V6], conns, left,
		tty ? "" : "\n");
}
