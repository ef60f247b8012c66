/*
 * The report's TCP section: what the collectors' connections did (the
 * counters of metrics/counters.def's TCP group and three histograms).
 */
#include "report/tcp_section.h"

#include <inttypes.h>

#include "core/json_util.h"
#include "metrics/hist.h"
#include "report/hist_summary.h"

bool dv_result_has_tcp(const struct dv_result *r)
{
	const struct dv_tcp_stats *t = &r->rx.tcp;
	return t->opened + t->no_conn + t->no_port > 0;
}

void dv_text_tcp(FILE *f, const struct dv_result *r)
{
	const struct dv_tcp_stats *t = &r->rx.tcp;
	const struct dv_hist *q = &r->rx.tcp_conn_queries;
	fputs("\nTCP:\n\n", f);
	fprintf(f, "  %-24sopened %" PRIu64 ", established %" PRIu64 ", refused (RST to SYN) %" PRIu64
		", failed (no SYN-ACK) %" PRIu64 ", half-open %" PRIu64 "\n", "Connections:",
		t->opened, t->established, t->refused, t->failed, t->half_open);
	fprintf(f, "  %-24sby us %" PRIu64 " (FIN) %" PRIu64 " (RST), by the server %" PRIu64
		" (FIN) %" PRIu64 " (RST), timed out %" PRIu64 ", zero window %" PRIu64
		", open at the end %" PRIu64 "\n", "Closed:", t->we_closed, t->we_reset,
		t->server_closed, t->reset, t->timed_out, t->zero_window, t->open_at_end);
	fprintf(f, "  %-24s%" PRIu64 " (one collector's most)\n", "Open at once:", t->open_max);
	fprintf(f, "  %-24stable full %" PRIu64 ", no source port %" PRIu64 "\n",
		"Queries not sent:", t->no_conn, t->no_port);
	dv_text_ms_line(f, 24, "Handshake (ms):", &r->rx.tcp_handshake);
	dv_text_ms_line(f, 24, "Server idle close (ms):", &r->rx.tcp_server_idle);
	if (q->count == 0)
		fprintf(f, "  %-24s-\n", "Queries per connection:");
	else
		fprintf(f, "  %-24smin %" PRIu64 ", p50 %" PRIu64 ", max %" PRIu64 "\n",
			"Queries per connection:", q->min, dv_hist_quantile(q, 0.50), q->max);
	fprintf(f, "  %-24squeries %" PRIu64 ", answers %" PRIu64 " (%" PRIu64
		" longer than kept), unanswered at close %" PRIu64 ", ID clashes %" PRIu64 "\n",
		"Messages:", t->queries, t->answers, t->answers_long, t->unanswered, t->id_clash);
	fprintf(f, "  %-24sin %" PRIu64 " (%" PRIu64 " payload bytes), out %" PRIu64 " (%" PRIu64
		" payload bytes), lost on our side %" PRIu64 "\n", "Segments:", t->segs_in, t->bytes_in,
		t->segs_out, t->bytes_out, t->frames_lost);
	fprintf(f, "  %-24sretransmitted by us %" PRIu64 ", duplicates %" PRIu64 ", out of order %"
		PRIu64 " (%" PRIu64 " dropped), rejected %" PRIu64 ", for no connection %" PRIu64
		", malformed %" PRIu64 "\n", "Segment events:", t->retransmits, t->dup_segs,
		t->ooo_segs, t->ooo_dropped, t->bad_segs, t->no_match, t->malformed);
}

json_t *dv_json_tcp(const struct dv_result *r, bool *ok)
{
	const struct dv_tcp_stats *t = &r->rx.tcp;
	json_t *o = json_object();
	/* Every counter of the group under its JSON name. */
	for (size_t i = 0; i < dv_counters_tcp.n; i++) {
		const struct dv_counter_desc *d = &dv_counters_tcp.row[i];
		if (d->json != NULL)
			dv_jput(o, d->json, dv_jint(*(const uint64_t *)((const char *)t + d->off)), ok);
	}
	dv_jput(o, dv_rx_json.tcp_handshake, dv_json_hist_summary(&r->rx.tcp_handshake, ok), ok);
	dv_jput(o, dv_rx_json.tcp_server_idle, dv_json_hist_summary(&r->rx.tcp_server_idle, ok), ok);
	dv_jput(o, dv_rx_json.tcp_conn_queries, dv_json_hist_summary(&r->rx.tcp_conn_queries, ok), ok);
	return o;
}
