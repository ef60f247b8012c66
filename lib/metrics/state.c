/**
 * @file state.c
 * @brief Lossless JSON of a run's counters, and merging runs.
 */
#include "metrics/state.h"
#include "core/json_util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/*
 * Every row of the counter structs (metrics/counters.def) under its field
 * name: the uint64 rows and sub-structs as words, then the histograms. A row
 * this walk leaves out fails test_state's round trip, which fills every word.
 */

/* The sub-structs are written as words: they hold only uint64 (no padding inside). */
_Static_assert(sizeof(struct dv_edns_rx) % sizeof(uint64_t) == 0, "dv_edns_rx: uint64 only");
_Static_assert(sizeof(struct dv_seq_stats) % sizeof(uint64_t) == 0, "dv_seq_stats: uint64 only");
_Static_assert(sizeof(struct dv_frag_stats) % sizeof(uint64_t) == 0, "dv_frag_stats: uint64 only");
_Static_assert(sizeof(struct dv_resp_tcp_counts) % sizeof(uint64_t) == 0,
	       "dv_resp_tcp_counts: uint64 only");

/* The responder's TCP counts, as words (a list in the state, in the struct's order). */
#define RESP_TCP_N (sizeof(struct dv_resp_tcp_counts) / sizeof(uint64_t))

static uint64_t *resp_tcp_words(struct dv_resp_tcp_counts *c)
{
	return (uint64_t *)c;
}

static const uint64_t *resp_tcp_words_c(const struct dv_resp_tcp_counts *c)
{
	return (const uint64_t *)c;
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}


/** Sparse array of the non-zero words: [[i, v], ...]; a single word as a plain integer. */
static json_t *words_json(const uint64_t *w, size_t n, bool *ok)
{
	if (n == 1)
		return u64(w[0]);
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++) {
		if (w[i] == 0)
			continue;
		if (json_array_append_new(a, json_pack("[I,I]", (json_int_t)i, (json_int_t)w[i])) != 0)
			*ok = false;
	}
	return a;
}

static json_t *hist_json(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	dv_jput(o, "count", u64(h->count), ok);
	dv_jput(o, "sum", u64(h->sum), ok);
	dv_jput(o, "min", u64(h->min), ok);
	dv_jput(o, "max", u64(h->max), ok);
	dv_jput(o, "sum_sq", json_real(h->sum_sq), ok);
	dv_jput(o, "buckets", words_json(h->bucket, DV_HIST_BUCKETS, ok), ok);
	return o;
}

static json_t *stats_json(const void *s, const struct dv_counter_group *g, bool *ok)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < g->n; i++) {
		const struct dv_counter_desc *d = &g->row[i];
		if (d->kind == DV_COUNTER_HIST)
			continue;
		const uint64_t *w = (const uint64_t *)((const char *)s + d->off);
		json_t *v = words_json(w, d->size / sizeof(uint64_t), ok);
		/* Leave out all-zero arrays: most of the failure table is empty. */
		if (v != NULL && json_is_array(v) && json_array_size(v) == 0)
			json_decref(v);
		else
			dv_jput(o, d->name, v, ok);
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct dv_counter_desc *d = &g->row[i];
		if (d->kind != DV_COUNTER_HIST)
			continue;
		const struct dv_hist *h = (const struct dv_hist *)((const char *)s + d->off);
		size_t n = d->size / sizeof(*h);
		if (n == 1) {
			dv_jput(o, d->name, hist_json(h, ok), ok);
			continue;
		}
		/* An array of histograms: the empty ones as null (most are). */
		json_t *a = json_array();
		for (size_t k = 0; a != NULL && k < n; k++)
			json_array_append_new(a, h[k].count == 0 ? json_null() : hist_json(&h[k], ok));
		dv_jput(o, d->name, a, ok);
	}
	return o;
}

static json_t *u64_list(const uint64_t *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, u64(v[i]));
	return a;
}

json_t *dv_state_to_json(const struct dv_result *r)
{
	bool ok = true;
	json_t *o = json_object();
	if (o == NULL)
		return NULL;

	dv_jput(o, "tx", stats_json(&r->tx, &dv_counters_tx, &ok), &ok);
	dv_jput(o, "rx", stats_json(&r->rx, &dv_counters_rx, &ok), &ok);
	dv_jput(o, "since_ns", u64(r->since_ns), &ok);
	dv_jput(o, "until_ns", u64(r->until_ns), &ok);
	if (r->first_tx_ns != 0)
		dv_jput(o, "first_tx_ns", u64(r->first_tx_ns), &ok);
	dv_jput(o, "send_seconds", json_real(r->send_seconds), &ok);
	dv_jput(o, "run_seconds", json_real(r->run_seconds), &ok);
	dv_jput(o, "target_qps", json_real(r->target_qps), &ok);
	dv_jput(o, "interrupted", json_boolean(r->interrupted), &ok);
	if (r->stalls.count > 0)
		dv_jput(o, "stalls", json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)r->stalls.count,
					   "total_s", r->stalls.total_s, "longest_s", r->stalls.longest_s,
					   "first_at_s", r->stalls.first_at_s), &ok);

	unsigned nv = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;
	json_t *sizes = json_array();
	for (unsigned v = 0; sizes != NULL && v < nv; v++)
		json_array_append_new(sizes, json_integer(r->edns_size[v]));
	dv_jput(o, "edns_sizes", sizes, &ok);
	dv_jput(o, "attempts", json_integer(r->attempts), &ok);
	dv_jput(o, "sequences", json_boolean(r->sequences), &ok);
	dv_jput(o, "on_tc_tcp", json_boolean(r->tc_tcp), &ok);
	dv_jput(o, "tcp_after", json_integer(r->tcp_after), &ok);
	dv_jput(o, "frag_report", json_boolean(r->frag_report), &ok);

	unsigned nc = r->ncollectors < DV_MAX_LANES ? r->ncollectors : DV_MAX_LANES;
	dv_jput(o, "collector_rx_packets", u64_list(r->col_rx_pkts, nc), &ok);
	json_t *ports = json_array();
	for (unsigned k = 0; ports != NULL && k < r->nports && k < DV_MAX_PORTS; k++) {
		const uint8_t *m4 = r->port_next_mac[k][DV_FAMILY_V4];
		const uint8_t *m6 = r->port_next_mac[k][DV_FAMILY_V6];
		char mac[2][18];
		snprintf(mac[0], sizeof(mac[0]), "%02x:%02x:%02x:%02x:%02x:%02x", m4[0], m4[1], m4[2],
			 m4[3], m4[4], m4[5]);
		snprintf(mac[1], sizeof(mac[1]), "%02x:%02x:%02x:%02x:%02x:%02x", m6[0], m6[1], m6[2],
			 m6[3], m6[4], m6[5]);
		json_array_append_new(ports, json_pack("{s:s, s:I, s:I, s:b, s:[s,s], s:[b,b]}",
			"port", r->port_spec[k] != NULL ? r->port_spec[k] : "",
			"sent", (json_int_t)r->port_sent[k], "rx_packets", (json_int_t)r->port_rx_pkts[k],
			"csum_offload", r->port_csum_offload[k], "next_mac", mac[0], mac[1],
			"resolved", r->port_resolved[k][0], r->port_resolved[k][1]));
	}
	dv_jput(o, "ports", ports, &ok);
	dv_jput(o, "nd_announced", u64(r->nd_announced), &ok);
	/* A fifth element, the TCP count, only when the reports show it. */
	if (dv_result_xdp_tcp_shown(r))
		dv_jput(o, "xdp", json_pack("[I,I,I,I,I]", (json_int_t)r->xdp_redirected,
					(json_int_t)r->xdp_passed, (json_int_t)r->xdp_fragments,
					(json_int_t)r->xdp_icmp, (json_int_t)r->xdp_tcp), &ok);
	else if (r->has_xdp)
		dv_jput(o, "xdp", json_pack("[I,I,I,I]", (json_int_t)r->xdp_redirected,
					(json_int_t)r->xdp_passed, (json_int_t)r->xdp_fragments,
					(json_int_t)r->xdp_icmp), &ok);
	if (r->rx_timestamps != NULL)
		dv_jput(o, "rx_timestamps", json_string(r->rx_timestamps), &ok);
	dv_jput(o, "rate_mode", json_integer(r->rate_mode), &ok);
	const struct dv_rate_summary *rs = &r->rate;
	json_t *found = json_array();
	for (unsigned i = 0; found != NULL && i < rs->search_n && i < DV_SEARCH_REPEATS_MAX; i++)
		json_array_append_new(found, json_real(rs->search_qps[i]));
	json_t *ends = json_array(), *trials = json_array();
	for (unsigned i = 0; ends != NULL && i < rs->search_n && i < DV_SEARCH_REPEATS_MAX; i++)
		json_array_append_new(ends, json_integer(rs->search_end[i]));
	for (unsigned i = 0; trials != NULL && i < rs->search_ntrials && i < DV_SEARCH_TRIALS_MAX; i++) {
		const struct dv_search_trial *t = &rs->trial[i];
		json_array_append_new(trials, json_pack("[i,i,f,f,I,I,f,i]", (int)t->search, (int)t->trial,
							t->offered_qps, t->sent_qps, (json_int_t)t->sent,
							(json_int_t)t->answered, t->loss_pct, (int)t->verdict));
	}
	dv_jput(o, "rate", json_pack("{s:f, s:f, s:f, s:i, s:o, s:f, s:f, s:f, s:f, s:f, s:o, s:o}",
				 "ramp_max_qps", rs->ramp_max_qps, "ramp_at_qps", rs->ramp_at_qps,
				 "ramp_loss_pct", rs->ramp_loss_pct, "search_trials",
				 (int)rs->search_trials, "search_qps", found ? found : json_array(),
				 "search_median", rs->search_median, "search_min", rs->search_min,
				 "search_max", rs->search_max, "search_loss_pct", rs->search_loss_pct,
				 "search_offered_max", rs->search_offered_max,
				 "search_end", ends ? ends : json_array(),
				 "search_table", trials ? trials : json_array()),
	    &ok);
	if (r->has_responder)
		dv_jput(o, "responder", json_pack("[I,I,I,I,I]", (json_int_t)r->resp_answered,
					      (json_int_t)r->resp_dropped, (json_int_t)r->resp_impaired,
					      (json_int_t)r->resp_sources, (json_int_t)r->resp_ports),
		    &ok);
	if (r->resp_nombuf > 0)
		dv_jput(o, "responder_pool_empty", json_integer((json_int_t)r->resp_nombuf), &ok);
	if (r->has_resp_tcp) {
		/* In the struct's order: a list, as the other responder counts. */
		dv_jput(o, "responder_tcp", u64_list(resp_tcp_words_c(&r->resp_tcp), RESP_TCP_N), &ok);
	}
	dv_jput(o, "generators", json_integer(r->ngenerators), &ok);
	dv_jput(o, "tsc_hz", json_real(r->tsc_hz), &ok);
	dv_jput(o, "memory", json_pack("[I,I,I,I]", (json_int_t)r->mem_inflight,
				   (json_int_t)r->mem_sequences, (json_int_t)r->mem_mbufs,
				   (json_int_t)r->inflight_slots), &ok);
	if (r->mem_tcp != 0)
		dv_jput(o, "memory_tcp", json_integer((json_int_t)r->mem_tcp), &ok);
	return dv_jdone(o, ok);
}

/* ---- reading back ---- */


static uint64_t get_u64(const json_t *v)
{
	return (uint64_t)json_integer_value(v);
}

/** Read key's sparse array (or plain integer) into n words; absent = zeros. */
static void words_read(struct dv_jread *rd, const json_t *o, const char *key, uint64_t *w, size_t n)
{
	const json_t *v = json_object_get(o, key);
	if (v == NULL)
		return;
	if (n == 1) {
		if (!json_is_integer(v))
			return dv_jread_fail(rd, "state: '%s' is not an integer", key);
		w[0] = get_u64(v);
		return;
	}
	if (!json_is_array(v))
		return dv_jread_fail(rd, "state: '%s' is not an array", key);
	size_t i;
	const json_t *e;
	json_array_foreach(v, i, e) {
		const json_t *ix = json_array_get(e, 0), *val = json_array_get(e, 1);
		if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_integer(ix) ||
		    !json_is_integer(val))
			return dv_jread_fail(rd, "state: '%s' holds an entry that is not [index, value]", key);
		json_int_t k = json_integer_value(ix);
		if (k < 0 || (size_t)k >= n)
			return dv_jread_fail(rd, "state: '%s' has an index out of range", key);
		w[k] = get_u64(val);
	}
}

/* One histogram from its object v (NULL or null: empty); key names it in messages. */
static void hist_read_value(struct dv_jread *rd, const json_t *v, const char *key, struct dv_hist *h)
{
	dv_hist_init(h);
	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_object(v))
		return dv_jread_fail(rd, "state: histogram '%s' is not an object", key);
	words_read(rd, v, "count", &h->count, 1);
	words_read(rd, v, "sum", &h->sum, 1);
	words_read(rd, v, "min", &h->min, 1);
	words_read(rd, v, "max", &h->max, 1);
	const json_t *sq = json_object_get(v, "sum_sq");
	if (sq != NULL && json_is_number(sq))
		h->sum_sq = json_number_value(sq);
	words_read(rd, v, "buckets", h->bucket, DV_HIST_BUCKETS);
	/* Keep the invariant count == sum of buckets, which quantiles rely on. */
	uint64_t total = 0;
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++)
		total += h->bucket[i];
	if (total != h->count)
		dv_jread_fail(rd, "state: histogram '%s' count differs from its buckets", key);
}

static void hist_read(struct dv_jread *rd, const json_t *o, const char *key, struct dv_hist *h)
{
	hist_read_value(rd, json_object_get(o, key), key, h);
}

static void stats_read(struct dv_jread *rd, const json_t *o, const char *key, void *s,
		       const struct dv_counter_group *g)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_object(v))
		return dv_jread_fail(rd, "state: '%s' is missing", key);
	for (size_t i = 0; i < g->n; i++) {
		const struct dv_counter_desc *d = &g->row[i];
		if (d->kind != DV_COUNTER_HIST)
			words_read(rd, v, d->name, (uint64_t *)((char *)s + d->off),
				   d->size / sizeof(uint64_t));
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct dv_counter_desc *d = &g->row[i];
		if (d->kind != DV_COUNTER_HIST)
			continue;
		struct dv_hist *h = (struct dv_hist *)((char *)s + d->off);
		size_t n = d->size / sizeof(*h);
		if (n == 1) {
			hist_read(rd, v, d->name, h);
			continue;
		}
		const json_t *a = json_object_get(v, d->name);
		for (size_t k = 0; k < n; k++)
			dv_hist_init(&h[k]);
		if (a == NULL)
			continue; /* a file from before the row */
		if (!json_is_array(a) || json_array_size(a) > n)
			return dv_jread_fail(rd, "state: '%s' is not an array of histograms", d->name);
		for (size_t k = 0; k < json_array_size(a); k++)
			hist_read_value(rd, json_array_get(a, k), d->name, &h[k]);
	}
}

static double get_real(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

static bool get_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static int get_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/** Unpack a fixed-length integer list; wrong shape is an error. */
static void list_read(struct dv_jread *rd, const json_t *o, const char *key, uint64_t *out, size_t n)
{
	const json_t *v = json_object_get(o, key);
	if (v == NULL)
		return;
	if (!json_is_array(v) || json_array_size(v) != n)
		return dv_jread_fail(rd, "state: '%s' has the wrong length", key);
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		if (!json_is_integer(e))
			return dv_jread_fail(rd, "state: '%s' holds a non-integer", key);
		out[i] = get_u64(e);
	}
}

static void mac_read(const char *s, uint8_t *mac)
{
	unsigned b[6];
	if (s != NULL && sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3], &b[4],
				&b[5]) == 6)
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t)b[i];
}

static void ports_read(struct dv_jread *rd, const json_t *o, struct dv_result_store *st)
{
	struct dv_result *r = &st->r;
	const json_t *ports = json_object_get(o, "ports");
	size_t k;
	const json_t *p;
	if (ports == NULL)
		return;
	if (!json_is_array(ports) || json_array_size(ports) > DV_MAX_PORTS)
		return dv_jread_fail(rd, "state: '%s' is not a list of at most 4 ports", "ports");
	json_array_foreach(ports, k, p) {
		const char *name = json_string_value(json_object_get(p, "port"));
		const json_t *macs = json_object_get(p, "next_mac");
		const json_t *res = json_object_get(p, "resolved");
		snprintf(st->port_name[k], sizeof(st->port_name[k]), "%s", name ? name : "?");
		r->port_sent[k] = get_u64(json_object_get(p, "sent"));
		r->port_rx_pkts[k] = get_u64(json_object_get(p, "rx_packets"));
		r->port_csum_offload[k] = get_bool(p, "csum_offload");
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			mac_read(json_string_value(json_array_get(macs, f)), r->port_next_mac[k][f]);
			r->port_resolved[k][f] = json_is_true(json_array_get(res, f));
		}
	}
	r->nports = (unsigned)json_array_size(ports);
}

void dv_result_store_fix(struct dv_result_store *st)
{
	for (unsigned k = 0; k < DV_MAX_PORTS; k++)
		st->r.port_spec[k] = k < st->r.nports ? st->port_name[k] : NULL;
	st->r.rx_timestamps = st->rx_timestamps[0] != '\0' ? st->rx_timestamps : NULL;
}

int dv_state_from_json(const json_t *o, struct dv_result_store *st, char *err, size_t errlen)
{
	struct dv_jread rd = { .err = err, .errlen = errlen, .rc = 0 };
	struct dv_result *r = &st->r;

	memset(st, 0, sizeof(*st));
	dv_tx_stats_init(&r->tx);
	dv_rx_stats_init(&r->rx);
	if (!json_is_object(o)) {
		dv_jread_fail(&rd, "state: %s", "not an object");
		return rd.rc;
	}
	stats_read(&rd, o, "tx", &r->tx, &dv_counters_tx);
	stats_read(&rd, o, "rx", &r->rx, &dv_counters_rx);
	words_read(&rd, o, "since_ns", &r->since_ns, 1);
	words_read(&rd, o, "until_ns", &r->until_ns, 1);
	if (json_object_get(o, "first_tx_ns") != NULL)
		words_read(&rd, o, "first_tx_ns", &r->first_tx_ns, 1);
	r->send_seconds = get_real(o, "send_seconds");
	r->run_seconds = get_real(o, "run_seconds");
	r->target_qps = get_real(o, "target_qps");
	r->interrupted = get_bool(o, "interrupted");
	const json_t *stalls = json_object_get(o, "stalls");
	if (json_is_object(stalls)) {
		const json_t *c = json_object_get(stalls, "count");
		r->stalls.count = json_is_integer(c) && json_integer_value(c) > 0
				  ? (uint64_t)json_integer_value(c) : 0;
		r->stalls.total_s = get_real(stalls, "total_s");
		r->stalls.longest_s = get_real(stalls, "longest_s");
		r->stalls.first_at_s = get_real(stalls, "first_at_s");
	}

	const json_t *sizes = json_object_get(o, "edns_sizes");
	if (!json_is_array(sizes) || json_array_size(sizes) > DV_EDNS_VARIANTS) {
		dv_jread_fail(&rd, "state: '%s' is not a list of EDNS sizes", "edns_sizes");
	} else {
		r->n_edns = (unsigned)json_array_size(sizes);
		for (unsigned v = 0; v < r->n_edns; v++) {
			const json_t *e = json_array_get(sizes, v);
			json_int_t s = json_integer_value(e);
			if (!json_is_integer(e) || s < 0 || s > 65535)
				dv_jread_fail(&rd, "state: '%s' holds a size out of range", "edns_sizes");
			r->edns_size[v] = (int)s;
		}
	}
	r->attempts = (unsigned)get_int(o, "attempts");
	if (r->attempts > DV_MAX_ATTEMPTS)
		dv_jread_fail(&rd, "state: '%s' is out of range", "attempts");
	r->sequences = get_bool(o, "sequences");
	r->tc_tcp = get_bool(o, "on_tc_tcp");
	r->tcp_after = (unsigned)get_int(o, "tcp_after");
	if (r->tcp_after >= DV_MAX_ATTEMPTS)
		dv_jread_fail(&rd, "state: '%s' is out of range", "tcp_after");
	r->frag_report = get_bool(o, "frag_report");

	const json_t *cols = json_object_get(o, "collector_rx_packets");
	if (json_is_array(cols) && json_array_size(cols) <= DV_MAX_LANES) {
		r->ncollectors = (unsigned)json_array_size(cols);
		list_read(&rd, o, "collector_rx_packets", r->col_rx_pkts, r->ncollectors);
	}
	ports_read(&rd, o, st);
	words_read(&rd, o, "nd_announced", &r->nd_announced, 1);
	uint64_t xdp[5] = { 0 }, resp[5] = { 0 }, mem[4] = { 0 };
	const json_t *xo = json_object_get(o, "xdp");
	if (xo != NULL) {
		/* Four counters, or five with TCP's. */
		r->has_xdp = true;
		r->xdp_takes_tcp = json_is_array(xo) && json_array_size(xo) == 5;
		list_read(&rd, o, "xdp", xdp, r->xdp_takes_tcp ? 5 : 4);
		r->xdp_redirected = xdp[0], r->xdp_passed = xdp[1];
		r->xdp_fragments = xdp[2], r->xdp_icmp = xdp[3], r->xdp_tcp = xdp[4];
	}
	const char *ts = json_string_value(json_object_get(o, "rx_timestamps"));
	if (ts != NULL)
		snprintf(st->rx_timestamps, sizeof(st->rx_timestamps), "%s", ts);
	int mode = get_int(o, "rate_mode");
	if (mode < DV_RATE_FIXED || mode > DV_RATE_SEARCH)
		dv_jread_fail(&rd, "state: '%s' is out of range", "rate_mode");
	else
		r->rate_mode = (enum dv_rate_mode)mode;
	const json_t *rate = json_object_get(o, "rate");
	if (json_is_object(rate)) {
		struct dv_rate_summary *rs = &r->rate;
		rs->ramp_max_qps = get_real(rate, "ramp_max_qps");
		rs->ramp_at_qps = get_real(rate, "ramp_at_qps");
		rs->ramp_loss_pct = get_real(rate, "ramp_loss_pct");
		rs->search_trials = (unsigned)get_int(rate, "search_trials");
		rs->search_median = get_real(rate, "search_median");
		rs->search_min = get_real(rate, "search_min");
		rs->search_max = get_real(rate, "search_max");
		rs->search_loss_pct = get_real(rate, "search_loss_pct");
		const json_t *q = json_object_get(rate, "search_qps");
		for (size_t i = 0; json_is_array(q) && i < json_array_size(q) &&
				   i < DV_SEARCH_REPEATS_MAX; i++)
			rs->search_qps[rs->search_n++] = json_number_value(json_array_get(q, i));
		rs->search_offered_max = get_real(rate, "search_offered_max");
		const json_t *e = json_object_get(rate, "search_end");
		for (size_t i = 0; json_is_array(e) && i < json_array_size(e) && i < rs->search_n; i++) {
			json_int_t v = json_integer_value(json_array_get(e, i));
			rs->search_end[i] = v >= DV_SEARCH_FOUND && v <= DV_SEARCH_GEN_CEILING
					    ? (enum dv_search_end)v : DV_SEARCH_FOUND;
		}
		const json_t *tt = json_object_get(rate, "search_table");
		for (size_t i = 0; json_is_array(tt) && i < json_array_size(tt) &&
				   i < DV_SEARCH_TRIALS_MAX; i++) {
			json_t *row = json_array_get(tt, i);
			struct dv_search_trial *t = &rs->trial[rs->search_ntrials];
			int search = 0, trial = 0, verdict = 0;
			json_int_t sent = 0, answered = 0;
			if (json_unpack(row, "[i,i,F,F,I,I,F,i]", &search, &trial, &t->offered_qps,
					&t->sent_qps, &sent, &answered, &t->loss_pct, &verdict) != 0 ||
			    search < 1 || trial < 1 || sent < 0 || answered < 0 ||
			    verdict < DV_TRIAL_PASS || verdict > DV_TRIAL_REPEAT) {
				dv_jread_fail(&rd, "state: '%s' has a malformed row", "search_table");
				break;
			}
			t->search = (unsigned)search, t->trial = (unsigned)trial;
			t->sent = (uint64_t)sent, t->answered = (uint64_t)answered;
			t->verdict = (enum dv_trial_verdict)verdict;
			rs->search_ntrials++;
		}
	}
	if (json_object_get(o, "responder") != NULL) {
		r->has_responder = true;
		list_read(&rd, o, "responder", resp, 5);
		r->resp_answered = resp[0], r->resp_dropped = resp[1], r->resp_impaired = resp[2];
		r->resp_sources = resp[3], r->resp_ports = resp[4];
		r->resp_nombuf = get_u64(json_object_get(o, "responder_pool_empty"));
	}
	if (json_object_get(o, "responder_tcp") != NULL) {
		r->has_resp_tcp = true;
		list_read(&rd, o, "responder_tcp", resp_tcp_words(&r->resp_tcp), RESP_TCP_N);
	}
	r->ngenerators = (unsigned)get_int(o, "generators");
	r->tsc_hz = get_real(o, "tsc_hz");
	list_read(&rd, o, "memory", mem, 4);
	r->mem_inflight = mem[0], r->mem_sequences = mem[1], r->mem_mbufs = mem[2];
	r->inflight_slots = mem[3];
	r->mem_tcp = get_u64(json_object_get(o, "memory_tcp"));
	dv_result_store_fix(st);
	return rd.rc;
}

/* ---- merging runs ---- */

/** acc's variant for EDNS size s, added if new; -1 when no room is left. */
static int variant_of(struct dv_result *acc, int s)
{
	for (unsigned v = 0; v < acc->n_edns; v++)
		if (acc->edns_size[v] == s)
			return (int)v;
	if (acc->n_edns >= DV_EDNS_VARIANTS)
		return -1;
	acc->edns_size[acc->n_edns] = s;
	return (int)acc->n_edns++;
}

/** src's counters with its EDNS variants renumbered as acc's. */
static int remap_variants(struct dv_result *acc, const struct dv_result *src,
			  struct dv_tx_stats *tx, struct dv_rx_stats *rx)
{
	int map[DV_EDNS_VARIANTS];
	for (unsigned v = 0; v < src->n_edns && v < DV_EDNS_VARIANTS; v++) {
		map[v] = variant_of(acc, src->edns_size[v]);
		if (map[v] < 0)
			return -E2BIG;
	}
	*tx = src->tx;
	*rx = src->rx;
	memset(tx->edns_sent, 0, sizeof(tx->edns_sent));
	memset(rx->fail, 0, sizeof(rx->fail));
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			dv_edns_rx_init(&rx->edns[v][f]);
	/* Two variants of src with one size (mix and ladder) land in one cell: they add. */
	for (unsigned v = 0; v < src->n_edns && v < DV_EDNS_VARIANTS; v++) {
		unsigned w = (unsigned)map[v];
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			tx->edns_sent[w][f] += src->tx.edns_sent[v][f];
			dv_edns_rx_merge(&rx->edns[w][f], &src->rx.edns[v][f]);
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++)
				for (unsigned k = 0; k < DV_FR_COLS; k++)
					rx->fail[f][w][c][k] += src->rx.fail[f][v][c][k];
		}
	}
	return 0;
}

/** src's counters into acc (EDNS variants matched by size), the span of both. */
static int merge_counters(struct dv_result *acc, const struct dv_result *src)
{
	static struct dv_tx_stats tx;
	static struct dv_rx_stats rx;

	int rc = remap_variants(acc, src, &tx, &rx);
	if (rc < 0)
		return rc;
	dv_tx_stats_merge(&acc->tx, &tx);
	dv_rx_stats_merge(&acc->rx, &rx);
	if (src->since_ns != 0 && (acc->since_ns == 0 || src->since_ns < acc->since_ns))
		acc->since_ns = src->since_ns;
	if (src->first_tx_ns != 0 && (acc->first_tx_ns == 0 || src->first_tx_ns < acc->first_tx_ns))
		acc->first_tx_ns = src->first_tx_ns;
	if (src->until_ns > acc->until_ns)
		acc->until_ns = src->until_ns;
	return 0;
}

int dv_result_merge_run(struct dv_result_store *acc_st, const struct dv_result *src)
{
	struct dv_result *acc = &acc_st->r;

	int rc = merge_counters(acc, src);
	if (rc < 0)
		return rc;
	/* Side by side: the rates add, the time is the longer one's. */
	if (src->send_seconds > acc->send_seconds)
		acc->send_seconds = src->send_seconds;
	if (src->run_seconds > acc->run_seconds)
		acc->run_seconds = src->run_seconds;
	acc->target_qps += src->target_qps;
	acc->interrupted |= src->interrupted;
	if (src->stalls.count > 0) {
		if (acc->stalls.count == 0 || src->stalls.first_at_s < acc->stalls.first_at_s)
			acc->stalls.first_at_s = src->stalls.first_at_s;
		acc->stalls.count += src->stalls.count;
		acc->stalls.total_s += src->stalls.total_s;
		if (src->stalls.longest_s > acc->stalls.longest_s)
			acc->stalls.longest_s = src->stalls.longest_s;
	}
	if (src->attempts > acc->attempts)
		acc->attempts = src->attempts;
	acc->sequences |= src->sequences;
	acc->tc_tcp |= src->tc_tcp;
	if (acc->tcp_after == 0 || (src->tcp_after != 0 && src->tcp_after < acc->tcp_after))
		acc->tcp_after = src->tcp_after;
	acc->frag_report |= src->frag_report;

	if (acc->ncollectors + src->ncollectors <= DV_MAX_LANES) {
		for (unsigned i = 0; i < src->ncollectors; i++)
			acc->col_rx_pkts[acc->ncollectors + i] = src->col_rx_pkts[i];
		acc->ncollectors += src->ncollectors;
	} else {
		acc->ncollectors = 0;
	}
	if (acc->nports + src->nports <= DV_MAX_PORTS) {
		for (unsigned i = 0; i < src->nports; i++) {
			unsigned k = acc->nports + i;
			snprintf(acc_st->port_name[k], sizeof(acc_st->port_name[k]), "%s",
				 src->port_spec[i] != NULL ? src->port_spec[i] : "?");
			acc->port_sent[k] = src->port_sent[i];
			acc->port_rx_pkts[k] = src->port_rx_pkts[i];
			acc->port_csum_offload[k] = src->port_csum_offload[i];
			memcpy(acc->port_next_mac[k], src->port_next_mac[i], sizeof(acc->port_next_mac[k]));
			memcpy(acc->port_resolved[k], src->port_resolved[i], sizeof(acc->port_resolved[k]));
		}
		acc->nports += src->nports;
	} else {
		acc->nports = 0;
	}
	acc->nd_announced += src->nd_announced;
	if (src->has_xdp) {
		acc->has_xdp = true;
		acc->xdp_redirected += src->xdp_redirected;
		acc->xdp_passed += src->xdp_passed;
		acc->xdp_fragments += src->xdp_fragments;
		acc->xdp_icmp += src->xdp_icmp;
		acc->xdp_tcp += src->xdp_tcp;
		acc->xdp_takes_tcp |= src->xdp_takes_tcp;
	}
	if (acc->rx_timestamps == NULL && src->rx_timestamps != NULL)
		snprintf(acc_st->rx_timestamps, sizeof(acc_st->rx_timestamps), "%s",
			 src->rx_timestamps);
	/* A ramp's or search's findings are of one run: they do not add. */
	if (src->rate_mode != acc->rate_mode)
		acc->rate_mode = DV_RATE_FIXED;
	if (acc->rate_mode == DV_RATE_RAMP || acc->rate_mode == DV_RATE_SEARCH)
		memset(&acc->rate, 0, sizeof(acc->rate));
	if (src->has_responder) {
		acc->has_responder = true;
		acc->resp_answered += src->resp_answered;
		acc->resp_dropped += src->resp_dropped;
		acc->resp_impaired += src->resp_impaired;
		acc->resp_nombuf += src->resp_nombuf;
		acc->resp_sources += src->resp_sources;
		acc->resp_ports += src->resp_ports;
	}
	if (src->has_resp_tcp) {
		acc->has_resp_tcp = true;
		uint64_t *a = resp_tcp_words(&acc->resp_tcp);
		const uint64_t *b = resp_tcp_words_c(&src->resp_tcp);
		for (size_t i = 0; i < RESP_TCP_N; i++)
			a[i] += b[i];
	}
	acc->ngenerators += src->ngenerators;
	/* Cycles are only comparable on one clock. */
	if (acc->tsc_hz != src->tsc_hz)
		acc->tsc_hz = 0.0;
	acc->mem_inflight += src->mem_inflight;
	acc->mem_sequences += src->mem_sequences;
	acc->mem_mbufs += src->mem_mbufs;
	acc->mem_tcp += src->mem_tcp;
	acc->inflight_slots += src->inflight_slots;
	dv_result_store_fix(acc_st);
	return 0;
}

int dv_result_store_copy(struct dv_result_store *dst, const struct dv_result_store *src)
{
	if (dst != src)
		memcpy(dst, src, sizeof(*dst));
	dv_result_store_fix(dst);
	return 0;
}

int dv_result_add_interval(struct dv_result_store *acc_st, const struct dv_result *iv)
{
	struct dv_result *acc = &acc_st->r;

	int rc = merge_counters(acc, iv);
	if (rc < 0)
		return rc;
	acc->interrupted |= iv->interrupted;
	acc->sequences |= iv->sequences;
	acc->frag_report |= iv->frag_report;
	dv_check_levels_add(&acc->check_levels, iv->target_qps,
			    (const uint64_t (*)[DV_CHECKS_MAX][DV_CR_KINDS])iv->rx.check_res);
	/* The schedule's latest target is the run's (a ramp's moves). */
	if (iv->target_qps > 0.0)
		acc->target_qps = iv->target_qps;
	dv_result_store_fix(acc_st);
	return 0;
}

int dv_result_merge_seq(struct dv_result_store *acc_st, const struct dv_result *src)
{
	struct dv_result *acc = &acc_st->r;
	double send = acc->send_seconds, run = acc->run_seconds, target = acc->target_qps;
	unsigned ngen = acc->ngenerators;
	uint64_t mi = acc->mem_inflight, ms = acc->mem_sequences, mm = acc->mem_mbufs;
	uint64_t mt = acc->mem_tcp;
	uint64_t slots = acc->inflight_slots;

	int rc = dv_result_merge_run(acc_st, src);
	if (rc < 0)
		return rc;
	acc->send_seconds = send + src->send_seconds;
	acc->run_seconds = run + src->run_seconds;
	acc->target_qps = acc->send_seconds > 0.0
				  ? (target * send + src->target_qps * src->send_seconds) /
					    acc->send_seconds
				  : (target > src->target_qps ? target : src->target_qps);
#define DV_MAXOF(a, b) ((a) > (b) ? (a) : (b))
	acc->ngenerators = DV_MAXOF(ngen, src->ngenerators);
	acc->mem_inflight = DV_MAXOF(mi, src->mem_inflight);
	acc->mem_sequences = DV_MAXOF(ms, src->mem_sequences);
	acc->mem_mbufs = DV_MAXOF(mm, src->mem_mbufs);
	acc->mem_tcp = DV_MAXOF(mt, src->mem_tcp);
	acc->inflight_slots = DV_MAXOF(slots, src->inflight_slots);
#undef DV_MAXOF
	return 0;
}
