/**
 * @file json.c
 * @brief JSON lines output in the DNS-OARC dns-metrics schema (20221207).
 */
#include "report/json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dv_config.h"
#include "report/consistency_json.h"
#include "report/state.h"
#include "util/log.h"

#define DV_JSON_SCHEMA_VERSION 20221207
#define DV_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/** Record the first error and report it, once. */
static int fail(struct dv_json_out *out, int err)
{
	if (out->err == 0) {
		out->err = err;
		dv_err("--json: cannot write '%s': %s", out->path, strerror(-err));
	}
	return out->err;
}

/** JSON integer from a counter; the schema's integers are signed 64-bit. */
static json_t *jint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

/** JSON number; jansson refuses NaN and infinities, which would read as out of memory. */
static json_t *jreal(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

/** Set key to v (stolen) and note a failure (out of memory) in *ok. */
static void put(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

/** Append v (stolen) and note a failure in *ok. */
static void push(json_t *arr, json_t *v, bool *ok)
{
	if (json_array_append_new(arr, v) != 0)
		*ok = false;
}

/** Write obj as one line, flushed so a reader can follow the file live. */
static int emit(struct dv_json_out *out, json_t *obj, bool ok)
{
	if (out->err != 0)
		return out->err;
	if (out->f == NULL)
		return -EBADF;
	if (!ok || obj == NULL)
		return fail(out, -ENOMEM);

	errno = 0;
	if (json_dumpf(obj, out->f, DV_JSON_FLAGS) != 0 || fputc('\n', out->f) == EOF ||
	    fflush(out->f) == EOF)
		return fail(out, errno != 0 ? -errno : -EIO);
	return 0;
}

/** splitmix64 step: only to stretch a weak seed when getrandom() is unavailable. */
static uint64_t mix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/** A random version-4 UUID string: runs must be told apart when files are merged. */
static void make_runid(char *buf, size_t len)
{
	uint8_t b[16];

	if (getrandom(b, sizeof(b), GRND_NONBLOCK) != (ssize_t)sizeof(b)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t seed = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		seed ^= (uint64_t)getpid() << 32;
		uint64_t a = mix64(&seed), c = mix64(&seed);
		memcpy(b, &a, 8);
		memcpy(b + 8, &c, 8);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	snprintf(buf, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
		 b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int dv_json_open(struct dv_json_out *out, const char *path, const struct dv_plan *plan)
{
	return dv_json_open_params(out, path, plan->argc, (const char *const *)plan->argv,
				   plan->stats_interval_s, plan->timeout_s);
}

int dv_json_open_params(struct dv_json_out *out, const char *path, int argc,
			const char *const *argv, double stats_interval_s, double timeout_s)
{
	bool ok = true;
	json_t *hdr = NULL;
	json_t *params = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", path);
	make_runid(out->runid, sizeof(out->runid));

	out->f = fopen(path, "w");
	if (out->f == NULL) {
		ret = fail(out, -errno);
		goto cleanup;
	}

	params = json_array();
	if (params == NULL) {
		ok = false;
	} else {
		for (int i = 0; argv != NULL && i < argc; i++) {
			if (argv[i] != NULL)
				push(params, json_string(argv[i]), &ok);
		}
	}

	hdr = json_object();
	put(hdr, "runid", json_string(out->runid), &ok);
	put(hdr, "type", json_string("header"), &ok);
	put(hdr, "schema_version", json_integer(DV_JSON_SCHEMA_VERSION), &ok);
	put(hdr, "generator", json_string("dnsvolley"), &ok);
	put(hdr, "generator_version", json_string(DV_VERSION), &ok);
	put(hdr, "generator_params", params, &ok);
	params = NULL; /* owned by hdr now (or already released on failure) */
	put(hdr, "time_units_per_sec", json_integer(1000000000), &ok);
	put(hdr, "stats_interval", jreal(stats_interval_s), &ok);
	put(hdr, "timeout", jreal(timeout_s), &ok);
	ret = emit(out, hdr, ok);
	if (ret != 0) {
		/* Nothing more can be written: the caller need not close. */
		fclose(out->f);
		out->f = NULL;
	}

cleanup:
	json_decref(hdr);
	json_decref(params);
	return ret;
}

/** The non-empty buckets of a histogram as [low, high, count] triples. */
static json_t *buckets_arr(const struct dv_hist *h, bool *ok)
{
	json_t *buckets = json_array();
	for (unsigned i = 0; buckets != NULL && i < DV_HIST_BUCKETS; i++) {
		if (h->bucket[i] == 0)
			continue;
		json_t *b = json_array();
		push(b, jint(dv_hist_bucket_lo(i)), ok);
		push(b, jint(dv_hist_bucket_hi(i)), ok);
		push(b, jint(h->bucket[i]), ok);
		push(buckets, b, ok);
	}
	return buckets;
}

/** "response_latency": dns-metrics latency summary plus non-empty buckets. */
static json_t *latency_obj(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	bool empty = h->count == 0;

	put(o, "avg", jint((uint64_t)llround(dv_hist_mean(h))), ok);
	put(o, "min", jint(empty ? 0 : h->min), ok);
	put(o, "max", jint(empty ? 0 : h->max), ok);
	put(o, "stddev", jint((uint64_t)llround(dv_hist_stddev(h))), ok);
	put(o, "buckets", buckets_arr(h, ok), ok);
	return o;
}

static const char *const fam_key[DV_FAMILIES] = {
	[DV_FAMILY_V4] = "ipv4",
	[DV_FAMILY_V6] = "ipv6",
};

/** "gap_ns": summary of the gap histogram plus its non-empty buckets. */
static json_t *gap_obj(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	bool empty = h->count == 0;

	put(o, "count", jint(h->count), ok);
	put(o, "min", jint(empty ? 0 : h->min), ok);
	put(o, "max", jint(empty ? 0 : h->max), ok);
	put(o, "p10", jint(dv_hist_quantile(h, 0.10)), ok);
	put(o, "p50", jint(dv_hist_quantile(h, 0.50)), ok);
	put(o, "p90", jint(dv_hist_quantile(h, 0.90)), ok);
	put(o, "buckets", buckets_arr(h, ok), ok);
	return o;
}

/**
 * "sequences": outcomes of logical queries. answered_on and seq_len have an
 * entry for every attempt 1..N (zeros included), so that answered_on[k - 1]
 * is always attempt k.
 */
static json_t *sequences_obj(const struct dv_result *r, bool *ok)
{
	const struct dv_seq_stats *sq = &r->rx.seq;
	struct dv_seq_totals t;
	unsigned rows = dv_result_attempt_rows(r);
	json_t *o = json_object();

	dv_seq_sum(sq, &t);
	put(o, "logical", jint(r->tx.logical), ok);
	put(o, "ended", jint(t.ended), ok);
	put(o, "answered", jint(t.answered), ok);
	put(o, "truncated", jint(t.truncated), ok);
	put(o, "failed", jint(sq->failed), ok);
	put(o, "retries", jint(r->tx.retries), ok);
	put(o, "redundant", jint(sq->redundant), ok);
	put(o, "late", jint(t.late), ok);
	put(o, "retry_dropped", jint(sq->retry_dropped), ok);

	json_t *on = json_array();
	for (unsigned k = 0; on != NULL && k < rows; k++) {
		json_t *a = json_object();
		put(a, "attempt", jint(k + 1), ok);
		put(a, "ipv4", jint(sq->answered_on[k][DV_FAMILY_V4]), ok);
		put(a, "ipv6", jint(sq->answered_on[k][DV_FAMILY_V6]), ok);
		put(a, "truncated", jint(sq->truncated_on[k]), ok);
		put(a, "late", jint(sq->answered_late[k]), ok);
		push(on, a, ok);
	}
	put(o, "answered_on", on, ok);

	json_t *len = json_object();
	for (unsigned n = 1; len != NULL && n <= rows; n++) {
		char key[8];
		snprintf(key, sizeof(key), "%u", n);
		put(len, key, jint(sq->seq_len[n]), ok);
	}
	put(o, "seq_len", len, ok);

	json_t *two = json_object();
	put(two, "v4->v4", jint(sq->first_two[DV_FAMILY_V4][DV_FAMILY_V4]), ok);
	put(two, "v4->v6", jint(sq->first_two[DV_FAMILY_V4][DV_FAMILY_V6]), ok);
	put(two, "v6->v4", jint(sq->first_two[DV_FAMILY_V6][DV_FAMILY_V4]), ok);
	put(two, "v6->v6", jint(sq->first_two[DV_FAMILY_V6][DV_FAMILY_V6]), ok);
	put(o, "first_two", two, ok);

	json_t *single = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		put(single, fam_key[f], jint(sq->single[f]), ok);
	put(o, "single", single, ok);

	put(o, "gap_ns", gap_obj(&r->tx.gap, ok), ok);
	put(o, "timer_late_ns", gap_obj(&r->rx.timer_late, ok), ok);
	return o;
}

/** "edns": one object per (size, family) with attempts sent; sizes in bytes of DNS messages. */
static json_t *edns_arr(const struct dv_result *r, bool *ok)
{
	json_t *a = json_array();

	for (unsigned v = 0; a != NULL && v < DV_EDNS_VARIANTS; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			uint64_t sent;
			struct dv_edns_rx c;
			if (!dv_result_edns_cell(r, v, f, &sent, &c) || sent == 0)
				continue;
			bool none = c.answered == 0;
			json_t *e = json_object();
			if (r->edns_size[v] == DV_EDNS_NONE)
				put(e, "size", json_string("none"), ok);
			else
				put(e, "size", json_integer(r->edns_size[v]), ok);
			put(e, "family", json_string(fam_key[f]), ok);
			put(e, "sent", jint(sent), ok);
			put(e, "answered", jint(c.answered), ok);
			put(e, "truncated", jint(c.truncated), ok);
			put(e, "timeouts", jint(c.timeouts), ok);
			put(e, "resp_min", jint(none ? 0 : c.resp_min), ok);
			put(e, "resp_avg",
			    jint(none ? 0 : (c.resp_bytes + c.answered / 2) / c.answered), ok);
			put(e, "resp_max", jint(none ? 0 : c.resp_max), ok);
			push(a, e, ok);
		}
	}
	return a;
}

/** {"ipv4": a, "ipv6": b} */
static json_t *per_family(const uint64_t v[DV_FAMILIES], bool *ok)
{
	json_t *o = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		put(o, fam_key[f], jint(v[f]), ok);
	return o;
}

/** "fragments": what the collectors saw of fragmented responses. */
static json_t *fragments_obj(const struct dv_result *r, bool *ok)
{
	const struct dv_frag_stats *fs = &r->rx.frag;
	const struct dv_hist *cnt = &r->rx.frag_count;
	const struct dv_hist *spr = &r->rx.frag_spread;
	json_t *o = json_object();

	put(o, "received", per_family(fs->frags, ok), ok);
	put(o, "bytes", jint(fs->frag_bytes), ok);
	put(o, "reassembled", per_family(fs->reassembled, ok), ok);
	put(o, "lost_sets", per_family(fs->lost_sets, ok), ok);
	put(o, "lost_attributed", jint(fs->lost_attributed), ok);
	put(o, "dropped_sets", jint(fs->dropped_sets), ok);
	put(o, "not_ours", jint(fs->not_ours), ok);
	put(o, "other_source", jint(fs->other_source), ok);

	json_t *pr = json_object();
	put(pr, "min", jint(cnt->count == 0 ? 0 : cnt->min), ok);
	put(pr, "p50", jint(dv_hist_quantile(cnt, 0.50)), ok);
	put(pr, "max", jint(cnt->count == 0 ? 0 : cnt->max), ok);
	put(pr, "bytes_avg", jint(cnt->count == 0 ? 0 : fs->reassembled_bytes / cnt->count), ok);
	put(o, "per_response", pr, ok);

	json_t *sp = json_object();
	put(sp, "p50", jint(dv_hist_quantile(spr, 0.50)), ok);
	put(sp, "p99", jint(dv_hist_quantile(spr, 0.99)), ok);
	put(sp, "max", jint(spr->count == 0 ? 0 : spr->max), ok);
	put(o, "spread_ns", sp, ok);
	return o;
}

/** "icmp": errors by family and kind (only kinds seen), attributed, smallest too-big MTU. */
static json_t *icmp_obj(const struct dv_result *r, bool *ok)
{
	const struct dv_rx_stats *rx = &r->rx;
	json_t *o = json_object();

	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		json_t *kinds = json_object();
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++) {
			if (rx->icmp[f][k] != 0)
				put(kinds, dv_icmp_kind_name((enum dv_icmp_kind)k),
				    jint(rx->icmp[f][k]), ok);
		}
		put(o, fam_key[f], kinds, ok);
	}
	put(o, "attributed", jint(rx->icmp_attributed), ok);
	put(o, "mtu_min", rx->icmp_mtu_min == UINT64_MAX ? json_null() : jint(rx->icmp_mtu_min),
	    ok);
	return o;
}

/** "failure_table": one object per (family, EDNS size, size class) with attempts. */
static json_t *failure_arr(const struct dv_result *r, bool *ok)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;
	json_t *a = json_array();

	for (unsigned f = 0; a != NULL && f < DV_FAMILIES; f++) {
		for (unsigned v = 0; v < n; v++) {
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++) {
				struct dv_fail_row row;
				if (!dv_result_fail_row(r, f, v, (enum dv_size_class)c, &row))
					continue;
				json_t *e = json_object();
				put(e, "family", json_string(fam_key[f]), ok);
				if (row.edns_size == DV_EDNS_NONE)
					put(e, "edns", json_string("none"), ok);
				else
					put(e, "edns", json_integer(row.edns_size), ok);
				put(e, "size", json_string(dv_size_class_name(row.size)), ok);
				put(e, "attempts", jint(row.attempts), ok);
				put(e, "plain", jint(row.col[DV_FR_PLAIN]), ok);
				put(e, "reassembled", jint(row.col[DV_FR_REASM]), ok);
				put(e, "tc", jint(row.col[DV_FR_TC]), ok);
				put(e, "lost_frag", jint(row.col[DV_FR_LOST_FRAG]), ok);
				put(e, "frag_drop", jint(row.col[DV_FR_FRAG_DROP]), ok);
				put(e, "icmp", jint(row.col[DV_FR_ICMP]), ok);
				put(e, "timeout", jint(row.col[DV_FR_TIMEOUT]), ok);
				put(e, "failed_pct",
				    jreal(100.0 * (double)row.failed / (double)row.attempts), ok);
				push(a, e, ok);
			}
		}
	}
	return a;
}

/** The "dnsvolley" extension object: what dns-metrics has no field for. */
static json_t *extension_obj(const struct dv_result *r, double achieved, bool *ok)
{
	const struct dv_tx_stats *tx = &r->tx;
	const struct dv_rx_stats *rx = &r->rx;
	json_t *o = json_object();

	json_t *fams = json_object();
	for (unsigned i = 0; i < DV_FAMILIES; i++) {
		json_t *fo = json_object();
		put(fo, "sent", jint(tx->sent[i]), ok);
		put(fo, "answered", jint(rx->answered[i]), ok);
		put(fo, "timeouts", jint(rx->timeouts[i]), ok);
		put(fams, fam_key[i], fo, ok);
	}
	put(o, "families", fams, ok);

	put(o, "late", jint(rx->late), ok);
	put(o, "duplicate", jint(rx->duplicate), ok);
	put(o, "unmatched", jint(rx->unmatched), ok);
	put(o, "truncated", jint(rx->truncated), ok);

	json_t *ns = json_object();
	put(ns, "mbuf_pool_empty", jint(tx->alloc_fail), ok);
	put(ns, "tx_queue_full", jint(tx->tx_full), ok);
	put(ns, "inflight_full", jint(tx->inflight_full), ok);
	put(ns, "schedule_slips", jint(tx->sched_slips), ok);
	put(o, "not_sent", ns, ok);

	put(o, "tx_bytes", jint(tx->tx_bytes), ok);
	put(o, "rx_packets", jint(rx->rx_pkts), ok);
	put(o, "rx_bytes", jint(rx->rx_bytes), ok);
	json_t *cls = json_object();
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		put(cls, dv_pkt_class_name((enum dv_pkt_class)c), jint(rx->rx_class[c]), ok);
	put(o, "rx_classes", cls, ok);

	json_t *pq = json_object();
	put(pq, "p50", jint(dv_hist_quantile(&rx->latency, 0.50)), ok);
	put(pq, "p90", jint(dv_hist_quantile(&rx->latency, 0.90)), ok);
	put(pq, "p99", jint(dv_hist_quantile(&rx->latency, 0.99)), ok);
	put(pq, "p99.9", jint(dv_hist_quantile(&rx->latency, 0.999)), ok);
	put(o, "percentiles_ns", pq, ok);

	static const char *const mode_name[] = { "fixed", "max", "ramp", "search" };
	put(o, "rate_mode", json_string(mode_name[r->rate_mode & 3]), ok);
	put(o, "target_qps", jreal(r->target_qps), ok);
	put(o, "achieved_qps", jreal(achieved), ok);
	put(o, "generators", jint(r->ngenerators), ok);
	uint64_t sent_all = dv_result_sent(r);
	put(o, "cycles_per_query", jreal(sent_all ? (double)r->tx.busy_tsc / (double)sent_all : 0.0),
	    ok);
	put(o, "cycles_per_response",
	    jreal(rx->rx_pkts ? (double)rx->busy_tsc / (double)rx->rx_pkts : 0.0), ok);
	put(o, "memory",
	    json_pack("{s:o, s:o, s:o, s:o}", "inflight_slots", jint(r->inflight_slots),
		      "inflight_bytes", jint(r->mem_inflight), "sequence_bytes",
		      jint(r->mem_sequences), "mbuf_bytes", jint(r->mem_mbufs)),
	    ok);
	if (r->has_responder)
		put(o, "responder",
		    json_pack("{s:o, s:o, s:o, s:o, s:o}", "answered", jint(r->resp_answered),
			      "dropped", jint(r->resp_dropped), "impaired", jint(r->resp_impaired),
			      "client_addresses", jint(r->resp_sources), "client_ports",
			      jint(r->resp_ports)),
		    ok);
	const struct dv_rate_summary *rs = &r->rate;
	if (r->rate_mode == DV_RATE_RAMP)
		put(o, "ramp",
		    json_pack("{s:o, s:o, s:o}", "max_throughput_qps", jreal(rs->ramp_max_qps),
			      "offered_qps", jreal(rs->ramp_at_qps), "loss_pct",
			      jreal(rs->ramp_loss_pct)),
		    ok);
	if (r->rate_mode == DV_RATE_SEARCH) {
		json_t *found = json_array();
		for (unsigned i = 0; found != NULL && i < rs->search_n; i++)
			push(found, jreal(rs->search_qps[i]), ok);
		put(o, "search",
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "loss_pct",
			      jreal(rs->search_loss_pct), "median_qps", jreal(rs->search_median),
			      "min_qps", jreal(rs->search_min), "max_qps", jreal(rs->search_max),
			      "searches", jint(rs->search_n), "trials", jint(rs->search_trials),
			      "found_qps", found ? found : json_null()),
		    ok);
	}
	put(o, "interrupted", json_boolean(r->interrupted), ok);
	if (r->rx_timestamps != NULL)
		put(o, "rx_timestamps", json_string(r->rx_timestamps), ok);
	if (r->ncollectors > 0) {
		json_t *cols = json_array();
		for (unsigned i = 0; cols != NULL && i < r->ncollectors && i < DV_MAX_LANES; i++)
			push(cols, jint(r->col_rx_pkts[i]), ok);
		put(o, "collector_rx_packets", cols, ok);
		put(o, "handoff", json_pack("{s:o, s:o}", "packets", jint(r->rx.handoff_out),
					    "dropped", jint(r->rx.handoff_drop)), ok);
	}
	if (r->nports > 0) {
		json_t *ports = json_array();
		for (unsigned i = 0; ports != NULL && i < r->nports && i < DV_MAX_PORTS; i++)
			push(ports, json_pack("{s:s, s:o, s:o, s:b, s:b}", "port",
					      r->port_spec[i] != NULL ? r->port_spec[i] : "",
					      "sent", jint(r->port_sent[i]),
					      "rx_packets", jint(r->port_rx_pkts[i]),
					      "tx_checksum_offload", r->port_csum_offload[i],
					      "next_hop_by_arp_nd",
					      r->port_resolved[i][0] || r->port_resolved[i][1]),
			     ok);
		put(o, "ports", ports, ok);
	}
	if (r->has_xdp)
		put(o, "xdp",
		    json_pack("{s:o, s:o, s:o, s:o}", "redirected", jint(r->xdp_redirected),
			      "passed", jint(r->xdp_passed), "fragments", jint(r->xdp_fragments),
			      "icmp", jint(r->xdp_icmp)),
		    ok);
	put(o, "arp_nd",
	    json_pack("{s:{s:o, s:o}, s:o, s:o, s:o}", "answered", "ipv4",
		      jint(r->rx.nd_answered[DV_FAMILY_V4]), "ipv6", jint(r->rx.nd_answered[DV_FAMILY_V6]),
		      "ignored", jint(r->rx.nd_ignored), "sent", jint(r->tx.ctl_sent),
		      "announced", jint(r->nd_announced)),
	    ok);
	if (r->sequences)
		put(o, "sequences", sequences_obj(r, ok), ok);
	if (r->sequences || r->n_edns > 1)
		put(o, "edns", edns_arr(r, ok), ok);
	/* Always present: a stable schema for the instrument's main table
	 * (the text report shows these blocks only when they say something). */
	put(o, "fragments", fragments_obj(r, ok), ok);
	put(o, "icmp", icmp_obj(r, ok), ok);
	put(o, "failure_table", failure_arr(r, ok), ok);
	if (r->consistency != NULL)
		put(o, "consistency", dv_cons_to_json(r->consistency), ok);
	return o;
}

/** A stats_periodic or stats_sum object; achieved_qps = new logical queries / send_s. */
static json_t *stats_obj(const struct dv_json_out *out, const struct dv_result *r,
			 const char *type, double send_s, bool *ok)
{
	const struct dv_rx_stats *rx = &r->rx;
	uint64_t sent = dv_result_sent(r);
	double achieved = send_s > 0.0 ? (double)r->tx.logical / send_s : 0.0;
	json_t *o = json_object();

	put(o, "runid", json_string(out->runid), ok);
	put(o, "type", json_string(type), ok);
	put(o, "since", jint(r->since_ns), ok);
	put(o, "until", jint(r->until_ns), ok);
	put(o, "sent", json_pack("{s:o}", "queries", jint(sent)), ok);
	put(o, "received", json_pack("{s:o}", "responses", jint(dv_result_answered(r))), ok);
	put(o, "timeouts", jint(dv_result_timeouts(r)), ok);
	/*
	 * Queries outstanding when a signal stops the run are drained (answered
	 * or timed out), never abandoned: none is ever "interrupted".
	 */
	put(o, "interrupted", jint(0), ok);
	put(o, "unexpected", jint(rx->late + rx->duplicate + rx->unmatched), ok);
	put(o, "discarded", jint(0), ok);

	json_t *rc = json_object();
	for (unsigned i = 0; i < 16; i++) {
		if (rx->rcode[i] != 0)
			put(rc, dv_rcode_name(i), jint(rx->rcode[i]), ok);
	}
	put(o, "response_rcodes", rc, ok);
	put(o, "response_latency", latency_obj(&rx->latency, ok), ok);
	put(o, "conn_info",
	    json_pack("{s:s, s:o, s:o}", "type", "udp", "packets_sent", jint(sent),
		      "packets_received", jint(rx->rx_pkts)),
	    ok);
	json_t *ext = extension_obj(r, achieved, ok);
	/* Every counter, losslessly: what "dnsvolley report" and "merge" read back. */
	put(ext, "state", dv_state_to_json(r), ok);
	put(o, "dnsvolley", ext, ok);
	return o;
}

int dv_json_periodic(struct dv_json_out *out, const struct dv_result *iv)
{
	bool ok = true;
	double secs = iv->until_ns > iv->since_ns ? (double)(iv->until_ns - iv->since_ns) / 1e9 : 0.0;
	json_t *o = stats_obj(out, iv, "stats_periodic", secs, &ok);
	int ret = emit(out, o, ok);
	json_decref(o);
	return ret;
}

int dv_json_sum(struct dv_json_out *out, const struct dv_result *r)
{
	bool ok = true;
	json_t *o = stats_obj(out, r, "stats_sum", r->send_seconds, &ok);
	int ret = emit(out, o, ok);
	json_decref(o);
	return ret;
}

int dv_json_close(struct dv_json_out *out)
{
	if (out->f != NULL) {
		if (fclose(out->f) != 0)
			fail(out, -errno);
		out->f = NULL;
	}
	return out->err;
}
