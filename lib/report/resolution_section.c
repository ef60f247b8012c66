/*
 * Transport steps and time to resolution (resolution_section.h): the SEQ
 * counters of TC → TCP and TCP after timeouts, and the collector's
 * histograms of time to resolution by the first attempt's EDNS variant.
 */
#include "report/resolution_section.h"

#include <inttypes.h>
#include <string.h>

#include "core/json_util.h"
#include "report/hist_summary.h"

/* Why a TCP attempt failed, as the report names it (enum dv_tcp_fail order). */
static const struct {
	const char *text;
	const char *json;
} tcp_fail_name[DV_TCPF_KINDS] = {
	[DV_TCPF_TIMEOUT] = { "timed out", "timeout" },
	[DV_TCPF_REFUSED] = { "refused", "refused" },
	[DV_TCPF_NO_SYNACK] = { "no SYN-ACK", "no_synack" },
	[DV_TCPF_RESET] = { "reset", "reset" },
	[DV_TCPF_CLOSED] = { "closed by the server", "closed" },
	[DV_TCPF_NOT_SENT] = { "not sent (no connection)", "not_sent" },
};

/* The shares of time to resolution the report gives, in ns. */
static const uint64_t within_ns[] = { 100000000ull, 500000000ull, 2000000000ull };
static const char *const within_key[] = { "within_100ms", "within_500ms", "within_2s" };

static uint64_t sum_of(const uint64_t *v, unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += v[i];
	return s;
}

bool dv_result_has_transport_steps(const struct dv_result *r)
{
	const struct dv_seq_stats *s = &r->rx.seq;
	return r->tc_tcp || r->tcp_after > 0 ||
	       sum_of(s->answered_tcp, DV_MAX_ATTEMPTS) + sum_of(s->tc_tcp_failed, DV_TCPF_KINDS) +
	       sum_of(s->tcp_failed, DV_TCPF_KINDS) > 0;
}

bool dv_result_resolve_row(const struct dv_result *r, unsigned i, struct dv_resolve_row *row)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;
	unsigned seen = 0;
	for (unsigned v = 0; v < n; v++) {
		bool first = true;
		for (unsigned u = 0; u < v && first; u++)
			first = r->edns_size[u] != r->edns_size[v];
		if (!first)
			continue;
		if (seen++ != i)
			continue;
		memset(row, 0, sizeof(*row));
		row->edns_size = r->edns_size[v];
		dv_hist_init(&row->h);
		for (unsigned u = v; u < n; u++) {
			if (r->edns_size[u] != r->edns_size[v])
				continue;
			row->ended += r->rx.seq.ended_edns[u];
			dv_hist_merge(&row->h, &r->rx.resolve[u]);
		}
		return true;
	}
	return false;
}

double dv_resolve_within(const struct dv_resolve_row *row, uint64_t ns)
{
	if (row->ended == 0)
		return 0.0;
	uint64_t n = 0;
	for (unsigned b = 0; b < DV_HIST_BUCKETS; b++)
		if (row->h.bucket[b] != 0 && dv_hist_bucket_hi(b) <= ns)
			n += row->h.bucket[b];
	return (double)n / (double)row->ended;
}

static void edns_name(char *buf, size_t len, int size)
{
	if (size == DV_EDNS_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%d", size);
}

static double pct(uint64_t n, uint64_t of)
{
	return of == 0 ? 0.0 : 100.0 * (double)n / (double)of;
}

/* "n (refused a, reset b)" of a reason table; "0" when empty. */
static void fail_line(FILE *f, const char *label, const uint64_t why[DV_TCPF_KINDS], uint64_t ended)
{
	uint64_t n = sum_of(why, DV_TCPF_KINDS);
	fprintf(f, "  %-38s%" PRIu64 " (%.2f%% of ended)", label, n, pct(n, ended));
	const char *sep = ": ";
	for (unsigned k = 0; k < DV_TCPF_KINDS; k++) {
		if (why[k] == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64, sep, tcp_fail_name[k].text, why[k]);
		sep = ", ";
	}
	fputc('\n', f);
}

void dv_text_transport_steps(FILE *f, const struct dv_result *r)
{
	const struct dv_seq_stats *s = &r->rx.seq;
	struct dv_seq_totals t;
	dv_seq_sum(s, &t);

	if (dv_result_has_transport_steps(r)) {
		fputs("\nTransport steps: ", f);
		if (r->tc_tcp)
			fputs("a TC answer is asked again over TCP at once", f);
		if (r->tcp_after > 0)
			fprintf(f, "%sTCP after %u UDP timeout%s", r->tc_tcp ? "; " : "", r->tcp_after,
				r->tcp_after == 1 ? "" : "s");
		if (!r->tc_tcp && r->tcp_after == 0)
			fputs("none (--transport tcp)", f);
		fputs("\n\n", f);
		fprintf(f, "  %-38s%" PRIu64 " (%.2f%% of ended)\n", "TC, then answered over TCP:",
			s->tc_tcp_answered, pct(s->tc_tcp_answered, t.ended));
		fail_line(f, "TC, then TCP failed:", s->tc_tcp_failed, t.ended);
		fprintf(f, "  %-38s%" PRIu64 " (%.2f%% of ended)\n",
			"Answered over TCP after UDP timeouts:", s->tcp_after_timeouts,
			pct(s->tcp_after_timeouts, t.ended));
		fail_line(f, "Failed over TCP (no TC before):", s->tcp_failed, t.ended);
		if (r->tx.gap_tcp.count > 0)
			dv_text_ms_line(f, 38, "Gap before a TCP attempt (ms):", &r->tx.gap_tcp);
	}
}

void dv_text_resolution(FILE *f, const struct dv_result *r)
{
	struct dv_resolve_row row;
	bool any = false;
	for (unsigned i = 0; dv_result_resolve_row(r, i, &row); i++)
		any |= row.ended > 0;
	if (!any)
		return;
	fputs("\nTime to resolution (first attempt to the answer), by the first attempt's EDNS size;\n"
	      "shares of the logical queries that ended:\n\n", f);
	fprintf(f, "  %-6s %10s %10s %9s %9s %9s %9s %9s %9s\n", "EDNS", "ended", "resolved",
		"p50 ms", "p90 ms", "p99 ms", "<=100ms", "<=500ms", "<=2s");
	for (unsigned i = 0; dv_result_resolve_row(r, i, &row); i++) {
		if (row.ended == 0)
			continue;
		char e[16];
		edns_name(e, sizeof(e), row.edns_size);
		fprintf(f, "  %-6s %10" PRIu64 " %10" PRIu64, e, row.ended, row.h.count);
		if (row.h.count == 0)
			fprintf(f, " %9s %9s %9s", "-", "-", "-");
		else
			fprintf(f, " %9.3f %9.3f %9.3f", (double)dv_hist_quantile(&row.h, 0.50) / 1e6,
				(double)dv_hist_quantile(&row.h, 0.90) / 1e6,
				(double)dv_hist_quantile(&row.h, 0.99) / 1e6);
		for (unsigned w = 0; w < sizeof(within_ns) / sizeof(within_ns[0]); w++)
			fprintf(f, " %8.2f%%", 100.0 * dv_resolve_within(&row, within_ns[w]));
		fputc('\n', f);
	}
}

static json_t *fail_obj(const uint64_t why[DV_TCPF_KINDS], bool *ok)
{
	json_t *o = json_object();
	for (unsigned k = 0; o != NULL && k < DV_TCPF_KINDS; k++)
		dv_jput(o, tcp_fail_name[k].json, dv_jint(why[k]), ok);
	return o;
}

json_t *dv_json_seq_transport(const struct dv_result *r, bool *ok)
{
	const struct dv_seq_stats *s = &r->rx.seq;
	json_t *o = json_object();
	dv_jput(o, "on_tc", json_string(r->tc_tcp ? "tcp" : "stop"), ok);
	dv_jput(o, "tcp_after", dv_jint(r->tcp_after), ok);
	dv_jput(o, dv_seq_json.tc_tcp_answered, dv_jint(s->tc_tcp_answered), ok);
	dv_jput(o, "tc_then_tcp_failed", fail_obj(s->tc_tcp_failed, ok), ok);
	dv_jput(o, dv_seq_json.tcp_after_timeouts, dv_jint(s->tcp_after_timeouts), ok);
	dv_jput(o, "tcp_failed", fail_obj(s->tcp_failed, ok), ok);
	json_t *len = json_object();
	for (unsigned n = 1; len != NULL && n <= DV_MAX_ATTEMPTS; n++) {
		char key[8];
		snprintf(key, sizeof(key), "%u", n);
		if (s->seq_len[n] != 0 || n <= r->attempts)
			dv_jput(len, key, dv_jint(s->seq_len_tcp[n]), ok);
	}
	dv_jput(o, "seq_len_tcp", len, ok);
	json_t *two = json_object();
	static const char *const two_key[DV_FAMILIES][DV_FAMILIES] = {
		{ "v4->v4", "v4->v6" }, { "v6->v4", "v6->v6" } };
	for (unsigned a = 0; two != NULL && a < DV_FAMILIES; a++)
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			dv_jput(two, two_key[a][b], dv_jint(s->first_two_tcp[a][b]), ok);
	dv_jput(o, "first_two_tcp", two, ok);
	dv_jput(o, "gap_tcp_ns", dv_json_hist_summary(&r->tx.gap_tcp, ok), ok);
	return o;
}

json_t *dv_json_resolution(const struct dv_result *r, bool *ok)
{
	json_t *a = json_array();
	struct dv_resolve_row row;
	for (unsigned i = 0; a != NULL && dv_result_resolve_row(r, i, &row); i++) {
		if (row.ended == 0)
			continue;
		json_t *e = json_object();
		if (row.edns_size == DV_EDNS_NONE)
			dv_jput(e, "edns", json_string("none"), ok);
		else
			dv_jput(e, "edns", json_integer(row.edns_size), ok);
		dv_jput(e, "ended", dv_jint(row.ended), ok);
		dv_jput(e, "resolved", dv_jint(row.h.count), ok);
		dv_jput(e, "p50_ns", dv_jint(dv_hist_quantile(&row.h, 0.50)), ok);
		dv_jput(e, "p90_ns", dv_jint(dv_hist_quantile(&row.h, 0.90)), ok);
		dv_jput(e, "p99_ns", dv_jint(dv_hist_quantile(&row.h, 0.99)), ok);
		dv_jput(e, "mean_ns", dv_jreal(dv_hist_mean(&row.h)), ok);
		for (unsigned w = 0; w < sizeof(within_ns) / sizeof(within_ns[0]); w++)
			dv_jput(e, within_key[w], dv_jreal(dv_resolve_within(&row, within_ns[w])), ok);
		/* The CDF: [upper bound of a bucket in ms, share of ended resolved by then]. */
		json_t *cdf = json_array();
		uint64_t n = 0;
		for (unsigned b = 0; cdf != NULL && b < DV_HIST_BUCKETS; b++) {
			if (row.h.bucket[b] == 0)
				continue;
			n += row.h.bucket[b];
			dv_jpush(cdf, json_pack("[f, f]", (double)dv_hist_bucket_hi(b) / 1e6,
						(double)n / (double)row.ended), ok);
		}
		dv_jput(e, "cdf", cdf, ok);
		dv_jpush(a, e, ok);
	}
	return a;
}
