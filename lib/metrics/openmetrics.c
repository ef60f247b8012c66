/*
 * A run's counters as metric families (openmetrics.h). One walk makes the
 * families and their samples; the text renderer and the telemetry exporter
 * are walkers. Every counter is the run's cumulative count of a row of
 * counters.def, so a family only grows while the run lasts.
 */
#include "metrics/openmetrics.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics/result.h"

#define DV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const family_name[DV_FAMILIES] = { "ipv4", "ipv6" };

/* Labels of failed attempts, by the failure table's columns (DV_FR_COLS: only failures named). */
static const char *const fail_reason[DV_FR_COLS] = {
	[DV_FR_LOST_FRAG] = "lost_fragment",
	[DV_FR_FRAG_DROP] = "fragmented_refused",
	[DV_FR_ICMP] = "icmp",
	[DV_FR_TIMEOUT] = "timeout",
};

/* A walk in progress: the view and who receives it. */
struct walk {
	const struct dv_om_view *v;
	const struct dv_om_walker *w;
	const struct dv_om_family *f;
};

static void family(struct walk *k, const struct dv_om_family *f)
{
	k->f = f;
	k->w->family(k->w->ctx, f);
}

static void put(struct dv_om_labels *l, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put(struct dv_om_labels *l, const char *name, const char *fmt, ...)
{
	if (l->n >= DV_OM_LABELS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->value[l->n], sizeof(l->value[l->n]), fmt, ap);
	va_end(ap);
	l->name[l->n++] = name;
}

static void sample(struct walk *k, const char *suffix, const struct dv_om_labels *l,
		   struct dv_om_value val)
{
	static const struct dv_om_labels none;
	k->w->sample(k->w->ctx, k->f, suffix, l != NULL ? l : &none, &val);
}

static void count(struct walk *k, const struct dv_om_labels *l, uint64_t n)
{
	sample(k, "_total", l, (struct dv_om_value){ .kind = DV_OM_U64, .u = n });
}

static void gauge(struct walk *k, double d)
{
	sample(k, "", NULL, (struct dv_om_value){ .kind = DV_OM_DOUBLE, .d = d });
}

/* A counter with one sample per family of addresses. */
static void per_family(struct walk *k, const struct dv_om_family *f, const uint64_t n[DV_FAMILIES])
{
	family(k, f);
	for (unsigned a = 0; a < DV_FAMILIES; a++) {
		struct dv_om_labels l = { 0 };
		put(&l, "family", "%s", family_name[a]);
		count(k, &l, n[a]);
	}
}

static void plain(struct walk *k, const struct dv_om_family *f, uint64_t n)
{
	family(k, f);
	count(k, NULL, n);
}

/* The label of variant v's EDNS size; false when an earlier variant has the same size. */
static bool edns_label(const struct dv_om_view *v, unsigned i, struct dv_om_labels *l)
{
	for (unsigned j = 0; j < i; j++)
		if (v->edns_size[j] == v->edns_size[i])
			return false;
	if (v->edns_size[i] == 0)
		put(l, "edns", "none");
	else
		put(l, "edns", "%d", v->edns_size[i]);
	return true;
}

static unsigned n_edns(const struct dv_om_view *v)
{
	return v->edns_size == NULL ? 0 : v->n_edns < DV_EDNS_VARIANTS ? v->n_edns : DV_EDNS_VARIANTS;
}

/* Sum of an EDNS cell's field over the variants with variant i's size. */
#define EDNS_SUM(v, i, expr)                                                          \
	({                                                                            \
		uint64_t s_ = 0;                                                      \
		for (unsigned j_ = (i); j_ < n_edns(v); j_++)                         \
			if ((v)->edns_size[j_] == (v)->edns_size[i]) {                \
				unsigned j = j_;                                      \
				s_ += (expr);                                         \
			}                                                             \
		s_;                                                                   \
	})

/* Attempts per (family, EDNS size): sent, and what came back. */
static void edns_families(struct walk *k)
{
	static const struct dv_om_family sent = { "dnsvolley_edns_queries_sent", DV_OM_COUNTER,
		"Attempts sent, by address family and EDNS UDP size offered" };
	static const struct dv_om_family ans = { "dnsvolley_edns_answers", DV_OM_COUNTER,
		"Attempts answered, by address family and EDNS UDP size offered" };
	static const struct dv_om_family tc = { "dnsvolley_edns_truncated_answers", DV_OM_COUNTER,
		"Attempts answered with TC=1, by address family and EDNS UDP size offered" };
	static const struct dv_om_family to = { "dnsvolley_edns_timeouts", DV_OM_COUNTER,
		"Attempts never answered, by address family and EDNS UDP size offered" };
	static const struct dv_om_family fail = { "dnsvolley_attempt_failures", DV_OM_COUNTER,
		"Attempts that got no answer, by address family, EDNS UDP size and reason" };
	const struct dv_om_view *v = k->v;
	const struct dv_om_family *const cells[] = { &sent, &ans, &tc, &to };

	for (unsigned c = 0; c < DV_ARRAY_LEN(cells); c++) {
		family(k, cells[c]);
		for (unsigned a = 0; a < DV_FAMILIES; a++)
			for (unsigned i = 0; i < n_edns(v); i++) {
				struct dv_om_labels l = { 0 };
				put(&l, "family", "%s", family_name[a]);
				if (!edns_label(v, i, &l))
					continue;
				uint64_t n = c == 0 ? EDNS_SUM(v, i, v->tx->edns_sent[j][a])
					   : c == 1 ? EDNS_SUM(v, i, v->rx->edns[j][a].answered)
					   : c == 2 ? EDNS_SUM(v, i, v->rx->edns[j][a].truncated)
						    : EDNS_SUM(v, i, v->rx->edns[j][a].timeouts);
				count(k, &l, n);
			}
	}
	/* The failure table's columns, summed over response sizes; TCP attempts as one reason. */
	family(k, &fail);
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned i = 0; i < n_edns(v); i++)
			for (unsigned r = 0; r <= DV_FR_COLS; r++) {
				if (r < DV_FR_COLS && fail_reason[r] == NULL)
					continue;
				struct dv_om_labels l = { 0 };
				put(&l, "family", "%s", family_name[a]);
				if (!edns_label(v, i, &l))
					break;
				put(&l, "reason", "%s", r < DV_FR_COLS ? fail_reason[r] : "tcp");
				uint64_t n = 0;
				for (unsigned s = 0; s < DV_SIZE_CLASSES; s++)
					n += r < DV_FR_COLS
					     ? EDNS_SUM(v, i, v->rx->fail[a][j][s][r])
					     : EDNS_SUM(v, i, v->rx->fail_tcp[a][j][s][DV_FRT_FAILED]);
				count(k, &l, n);
			}
}

/* The latency histogram, cumulative at the powers of two (exact bucket edges of dv_hist). */
static void latency(struct walk *k)
{
	static const struct dv_om_family f = { "dnsvolley_response_latency_seconds", DV_OM_HISTOGRAM,
		"Time from sending an attempt to its answer (answered attempts)" };
	const struct dv_hist *h = &k->v->rx->latency;
	uint64_t cum = 0;
	unsigned i = 0;

	family(k, &f);
	for (unsigned e = DV_OM_LE_FIRST; e <= DV_OM_LE_LAST; e++) {
		uint64_t le = (UINT64_C(1) << e) - 1;
		unsigned last = dv_hist_index(le);
		for (; i <= last; i++)
			cum += h->bucket[i];
		struct dv_om_labels l = { 0 };
		dv_om_ns_str(le, l.value[0], sizeof(l.value[0]));
		l.name[l.n++] = "le";
		sample(k, "_bucket", &l, (struct dv_om_value){ .kind = DV_OM_U64, .u = cum });
	}
	for (; i < DV_HIST_BUCKETS; i++)
		cum += h->bucket[i];
	/* _count is the +Inf bucket: a live snapshot's count word may lag its buckets. */
	struct dv_om_labels inf = { 0 };
	put(&inf, "le", "+Inf");
	sample(k, "_bucket", &inf, (struct dv_om_value){ .kind = DV_OM_U64, .u = cum });
	sample(k, "_sum", NULL, (struct dv_om_value){ .kind = DV_OM_NS_AS_S, .u = h->sum });
	sample(k, "_count", NULL, (struct dv_om_value){ .kind = DV_OM_U64, .u = cum });
}

static void answers(struct walk *k)
{
	static const struct dv_om_family sent = { "dnsvolley_queries_sent", DV_OM_COUNTER,
		"Attempts (queries) handed to the port, by address family" };
	static const struct dv_om_family ans = { "dnsvolley_answers", DV_OM_COUNTER,
		"Attempts answered (first matching response), by address family" };
	static const struct dv_om_family to = { "dnsvolley_timeouts", DV_OM_COUNTER,
		"Attempts never answered within the timeout, by address family" };
	static const struct dv_om_family ab = { "dnsvolley_abandoned_queries", DV_OM_COUNTER,
		"Attempts outstanding when a second signal cut the drain short" };
	static const struct dv_om_family tc = { "dnsvolley_truncated_answers", DV_OM_COUNTER,
		"Answers with TC=1 (also counted as answers)" };
	static const struct dv_om_family rc = { "dnsvolley_answers_by_rcode", DV_OM_COUNTER,
		"Answers by header RCODE" };
	static const struct dv_om_family odd = { "dnsvolley_unexpected_responses", DV_OM_COUNTER,
		"Responses that answered no outstanding attempt, by kind" };
	const struct dv_tx_stats *tx = k->v->tx;
	const struct dv_rx_stats *rx = k->v->rx;

	per_family(k, &sent, tx->sent);
	per_family(k, &ans, rx->answered);
	per_family(k, &to, rx->timeouts);
	per_family(k, &ab, rx->abandoned);
	plain(k, &tc, rx->truncated);
	family(k, &rc);
	for (unsigned r = 0; r < 16; r++) {
		/* The common ones always (stable series), the rest once seen. */
		if (rx->rcode[r] == 0 && r != 0 && r != 2 && r != 3 && r != 5)
			continue;
		struct dv_om_labels l = { 0 };
		put(&l, "rcode", "%s", dv_rcode_name(r));
		count(k, &l, rx->rcode[r]);
	}
	family(k, &odd);
	const char *const kinds[] = { "late", "duplicate", "unmatched" };
	const uint64_t n[] = { rx->late, rx->duplicate, rx->unmatched };
	for (unsigned i = 0; i < DV_ARRAY_LEN(kinds); i++) {
		struct dv_om_labels l = { 0 };
		put(&l, "kind", "%s", kinds[i]);
		count(k, &l, n[i]);
	}
}

static void traffic(struct walk *k)
{
	static const struct dv_om_family ns = { "dnsvolley_queries_not_sent", DV_OM_COUNTER,
		"Queries the generators could not send, by reason" };
	static const struct dv_om_family skip = { "dnsvolley_schedule_skipped_queries", DV_OM_COUNTER,
		"Queries the send schedule skipped after stalls" };
	static const struct dv_om_family txb = { "dnsvolley_sent_bytes", DV_OM_COUNTER,
		"Frame bytes of the queries sent" };
	static const struct dv_om_family rxp = { "dnsvolley_received_packets", DV_OM_COUNTER,
		"Packets the collectors received" };
	static const struct dv_om_family rxb = { "dnsvolley_received_bytes", DV_OM_COUNTER,
		"Frame bytes the collectors received" };
	static const struct dv_om_family fr = { "dnsvolley_fragments_received", DV_OM_COUNTER,
		"IP fragments received, by address family" };
	static const struct dv_om_family frb = { "dnsvolley_fragments_received_bytes", DV_OM_COUNTER,
		"Frame bytes of the fragments received" };
	static const struct dv_om_family re = { "dnsvolley_reassembled_responses", DV_OM_COUNTER,
		"Datagrams completed by reassembly, by address family" };
	static const struct dv_om_family lost = { "dnsvolley_fragment_sets_lost", DV_OM_COUNTER,
		"Incomplete fragment sets that expired, by address family" };
	static const struct dv_om_family icmp = { "dnsvolley_icmp_errors", DV_OM_COUNTER,
		"ICMP errors received, by address family and kind" };
	const struct dv_tx_stats *tx = k->v->tx;
	const struct dv_rx_stats *rx = k->v->rx;

	family(k, &ns);
	const char *const why[] = { "mbuf_pool_empty", "inflight_full" };
	const uint64_t n[] = { tx->alloc_fail, tx->inflight_full };
	for (unsigned i = 0; i < DV_ARRAY_LEN(why); i++) {
		struct dv_om_labels l = { 0 };
		put(&l, "reason", "%s", why[i]);
		count(k, &l, n[i]);
	}
	plain(k, &skip, tx->sched_skipped);
	plain(k, &txb, tx->tx_bytes);
	plain(k, &rxp, rx->rx_pkts);
	plain(k, &rxb, rx->rx_bytes);
	per_family(k, &fr, rx->frag.frags);
	plain(k, &frb, rx->frag.frag_bytes);
	per_family(k, &re, rx->frag.reassembled);
	per_family(k, &lost, rx->frag.lost_sets);
	family(k, &icmp);
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned i = 0; i < DV_ICMP_KINDS; i++) {
			struct dv_om_labels l = { 0 };
			put(&l, "family", "%s", family_name[a]);
			put(&l, "kind", "%s", dv_icmp_kind_name((enum dv_icmp_kind)i));
			count(k, &l, rx->icmp[a][i]);
		}
}

/* Logical queries: started always; how they ended when attempts form sequences. */
static void logical(struct walk *k)
{
	static const struct dv_om_family start = { "dnsvolley_logical_queries_started", DV_OM_COUNTER,
		"Logical queries started (first attempts sent)" };
	static const struct dv_om_family retry = { "dnsvolley_retries", DV_OM_COUNTER,
		"Attempts after the first of a logical query" };
	static const struct dv_om_family ans = { "dnsvolley_logical_queries_answered", DV_OM_COUNTER,
		"Logical queries answered (TC=0), by the answering attempt's address family" };
	static const struct dv_om_family tc = { "dnsvolley_logical_queries_truncated", DV_OM_COUNTER,
		"Logical queries whose first answer had TC=1 and no fallback answered" };
	static const struct dv_om_family failed = { "dnsvolley_logical_queries_failed", DV_OM_COUNTER,
		"Logical queries whose every attempt failed" };
	const struct dv_seq_stats *s = &k->v->rx->seq;

	plain(k, &start, k->v->tx->logical);
	plain(k, &retry, k->v->tx->retries);
	if (!k->v->sequences)
		return;
	uint64_t by_family[DV_FAMILIES] = { 0 }, truncated = 0;
	for (unsigned i = 0; i < DV_MAX_ATTEMPTS; i++) {
		for (unsigned a = 0; a < DV_FAMILIES; a++)
			by_family[a] += s->answered_on[i][a];
		truncated += s->truncated_on[i];
	}
	per_family(k, &ans, by_family);
	plain(k, &tc, truncated);
	plain(k, &failed, s->failed);
}

static void tcp(struct walk *k)
{
	static const struct dv_om_family open = { "dnsvolley_tcp_connections_open", DV_OM_GAUGE,
		"TCP connections open now" };
	static const struct dv_om_family ev = { "dnsvolley_tcp_connections", DV_OM_COUNTER,
		"TCP connections, by what happened to them" };
	const struct dv_tcp_stats *t = &k->v->rx->tcp;

	if (!k->v->tcp)
		return;
	family(k, &open);
	gauge(k, (double)k->v->tcp_open);
	family(k, &ev);
	const char *const what[] = { "opened", "established", "refused", "failed", "reset_by_server",
				     "closed_by_server", "closed_by_us", "reset_by_us", "timed_out" };
	const uint64_t n[] = { t->opened, t->established, t->refused, t->failed, t->reset,
			       t->server_closed, t->we_closed, t->we_reset, t->timed_out };
	for (unsigned i = 0; i < DV_ARRAY_LEN(what); i++) {
		struct dv_om_labels l = { 0 };
		put(&l, "event", "%s", what[i]);
		count(k, &l, n[i]);
	}
}

static void gauges(struct walk *k)
{
	static const struct dv_om_family target = { "dnsvolley_target_queries_per_second", DV_OM_GAUGE,
		"Offered rate the plan asks for now" };
	static const struct dv_om_family got = { "dnsvolley_achieved_queries_per_second", DV_OM_GAUGE,
		"Attempts sent per second over the last interval" };
	static const struct dv_om_family el = { "dnsvolley_elapsed_seconds", DV_OM_GAUGE,
		"Seconds since sending started" };
	static const struct dv_om_family run = { "dnsvolley_running", DV_OM_GAUGE,
		"1 while the run lasts, 0 once its values are final" };

	if (k->v->target_qps >= 0.0) {
		family(k, &target);
		gauge(k, k->v->target_qps);
	}
	family(k, &got);
	gauge(k, k->v->achieved_qps);
	family(k, &el);
	gauge(k, k->v->elapsed_s);
	family(k, &run);
	gauge(k, k->v->running ? 1.0 : 0.0);
}

void dv_om_walk(const struct dv_om_view *v, const struct dv_om_walker *w)
{
	struct walk k = { .v = v, .w = w };
	answers(&k);
	edns_families(&k);
	latency(&k);
	logical(&k);
	traffic(&k);
	tcp(&k);
	gauges(&k);
}

int dv_om_ns_str(uint64_t ns, char *buf, size_t len)
{
	return snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

/* The text being written: what fits goes to buf, off counts all of it. */
struct text {
	char *buf;
	size_t len;
	size_t off;
	bool om;
};

static void text_put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t->off < t->len ? t->buf + t->off : NULL,
			  t->off < t->len ? t->len - t->off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->off += (size_t)n;
}

static const char *type_name(enum dv_om_type t)
{
	return t == DV_OM_COUNTER ? "counter" : t == DV_OM_GAUGE ? "gauge" : "histogram";
}

static void text_family(void *ctx, const struct dv_om_family *f)
{
	struct text *t = ctx;
	/* Prometheus 0.0.4 names a counter's family as its samples; OpenMetrics without _total. */
	const char *sfx = f->type == DV_OM_COUNTER && !t->om ? "_total" : "";
	text_put(t, "# HELP %s%s %s\n", f->name, sfx, f->help);
	text_put(t, "# TYPE %s%s %s\n", f->name, sfx, type_name(f->type));
}

static void text_sample(void *ctx, const struct dv_om_family *f, const char *suffix,
			const struct dv_om_labels *l, const struct dv_om_value *v)
{
	struct text *t = ctx;
	text_put(t, "%s%s", f->name, suffix);
	for (unsigned i = 0; i < l->n; i++)
		text_put(t, "%s%s=\"%s\"", i == 0 ? "{" : ",", l->name[i], l->value[i]);
	text_put(t, "%s ", l->n > 0 ? "}" : "");
	char num[40];
	if (v->kind == DV_OM_U64)
		snprintf(num, sizeof(num), "%" PRIu64, v->u);
	else if (v->kind == DV_OM_NS_AS_S)
		dv_om_ns_str(v->u, num, sizeof(num));
	else
		snprintf(num, sizeof(num), "%.10g", v->d);
	text_put(t, "%s\n", num);
}

size_t dv_om_render(const struct dv_om_view *v, bool openmetrics, char *buf, size_t len)
{
	struct text t = { .buf = buf, .len = len, .om = openmetrics };
	const struct dv_om_walker w = { .family = text_family, .sample = text_sample, .ctx = &t };
	if (len > 0)
		buf[0] = '\0';
	dv_om_walk(v, &w);
	if (openmetrics)
		text_put(&t, "# EOF\n");
	return t.off;
}
