/**
 * @file json.c
 * @brief JSON lines output in the DNS-OARC dns-metrics schema (20221207).
 */
#include "report/json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dv_config.h"
#include "report/consistency_json.h"
#include "report/checks_section.h"
#include "report/resolution_section.h"
#include "report/tcp_section.h"
#include "core/json_util.h"
#include "metrics/state.h"
#include "core/log.h"

#define DV_JSON_SCHEMA_VERSION 20221207
#define DV_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/** Record the first error and report it, once. */
static int fail(struct dv_json_out *out, int err)
{
	if (out->err == 0) {
		out->err = err;
		if (out->records > 0)
			dv_err("--json: cannot write '%s': %s (the file keeps its first %u records, "
			       "each complete)", out->path, strerror(-err), out->records);
		else
			dv_err("--json: cannot write '%s': %s", out->path, strerror(-err));
	}
	return out->err;
}

/** The temporary name becomes the result: there is something to keep. */
static int commit(struct dv_json_out *out)
{
	if (out->committed)
		return 0;
	if (rename(out->tmp, out->path) != 0)
		return fail(out, -errno);
	out->committed = true;
	return 0;
}

/**
 * Write obj as one line with one write() per try, so a reader can follow the
 * file live. On an error the file is cut back to its last complete line.
 */
static int emit(struct dv_json_out *out, json_t *obj, bool ok)
{
	if (out->err != 0)
		return out->err;
	if (out->fd < 0)
		return -EBADF;
	if (!ok || obj == NULL)
		return fail(out, -ENOMEM);

	char *s = json_dumps(obj, DV_JSON_FLAGS);
	if (s == NULL)
		return fail(out, -ENOMEM);
	size_t len = strlen(s), done = 0;
	s[len] = '\n'; /* json_dumps' terminator becomes the line's end */
	int err = 0;
	while (done < len + 1) {
		ssize_t w = write(out->fd, s + done, len + 1 - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -ENOSPC;
			break;
		}
		done += (size_t)w;
	}
	free(s);
	if (err != 0) {
		/* No torn last line: what was written of this record goes. */
		if (out->regular && done > 0 && ftruncate(out->fd, (off_t)out->good) == 0)
			lseek(out->fd, (off_t)out->good, SEEK_SET);
		return fail(out, err);
	}
	out->good += len + 1;
	out->records++;
	return 0;
}

/**
 * Open path for writing: a FIFO or device as it is (a FIFO without a reader
 * is refused at once, not waited for); a regular file through a temporary
 * name in its directory (see struct dv_json_out).
 */
static int open_out(struct dv_json_out *out, const char *path)
{
	struct stat st;
	out->tmp[0] = '\0';
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		out->fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (out->fd < 0) {
			if (errno == ENXIO) {
				out->err = -ENXIO;
				dv_err("--json: '%s' is a FIFO with no reader (start the reader first)",
				       path);
				return -ENXIO;
			}
			return fail(out, -errno);
		}
		/* Blocking from here: a slow reader slows the writes, it loses nothing. */
		int fl = fcntl(out->fd, F_GETFL);
		if (fl >= 0)
			fcntl(out->fd, F_SETFL, fl & ~O_NONBLOCK);
		out->committed = true;
		return 0;
	}
	const char *slash = strrchr(path, '/');
	int dirlen = slash != NULL ? (int)(slash - path) + 1 : 0;
	int n = snprintf(out->tmp, sizeof(out->tmp), "%.*s.%s.XXXXXX", dirlen, path,
			 path + dirlen);
	if (n < 0 || (size_t)n >= sizeof(out->tmp)) {
		out->tmp[0] = '\0';
		return fail(out, -ENAMETOOLONG);
	}
	out->fd = mkostemp(out->tmp, O_CLOEXEC);
	if (out->fd < 0) {
		out->tmp[0] = '\0';
		return fail(out, -errno);
	}
	/* mkstemp makes it 0600: a result file is created as fopen would. */
	mode_t um = umask(0);
	umask(um);
	if (fchmod(out->fd, 0666 & ~um) != 0) {
		int e = -errno;
		close(out->fd);
		out->fd = -1;
		unlink(out->tmp);
		out->tmp[0] = '\0';
		return fail(out, e);
	}
	out->regular = true;
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
				   plan->stats_interval_s, plan->timeout_s, NULL, 0, NULL);
}

int dv_json_open_params(struct dv_json_out *out, const char *path, int argc,
			const char *const *argv, double stats_interval_s, double timeout_s,
			const char *const *from, unsigned nfrom, const char *how)
{
	bool ok = true;
	json_t *hdr = NULL;
	json_t *params = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	snprintf(out->path, sizeof(out->path), "%s", path);
	make_runid(out->runid, sizeof(out->runid));

	ret = open_out(out, path);
	if (ret != 0)
		goto cleanup;

	params = json_array();
	if (params == NULL) {
		ok = false;
	} else {
		for (int i = 0; argv != NULL && i < argc; i++) {
			if (argv[i] != NULL)
				dv_jpush(params, json_string(argv[i]), &ok);
		}
	}

	hdr = json_object();
	dv_jput(hdr, "runid", json_string(out->runid), &ok);
	dv_jput(hdr, "type", json_string("header"), &ok);
	dv_jput(hdr, "schema_version", json_integer(DV_JSON_SCHEMA_VERSION), &ok);
	dv_jput(hdr, "generator", json_string("dnsvolley"), &ok);
	dv_jput(hdr, "generator_version", json_string(DV_VERSION), &ok);
	dv_jput(hdr, "generator_params", params, &ok);
	params = NULL; /* owned by hdr now (or already released on failure) */
	dv_jput(hdr, "time_units_per_sec", json_integer(1000000000), &ok);
	dv_jput(hdr, "stats_interval", dv_jreal(stats_interval_s), &ok);
	dv_jput(hdr, "timeout", dv_jreal(timeout_s), &ok);
	if (from != NULL) {
		json_t *ids = json_array();
		for (unsigned i = 0; ids != NULL && i < nfrom; i++)
			dv_jpush(ids, json_string(from[i]), &ok);
		dv_jput(hdr, "merged_from", ids, &ok);
		dv_jput(hdr, "merge", json_string(how != NULL ? how : "side-by-side"), &ok);
	}
	ret = emit(out, hdr, ok);
	if (ret != 0) {
		/* Nothing more can be written: the caller need not close. */
		out->err = 0;
		dv_json_close(out);
		out->err = ret;
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
		dv_jpush(b, dv_jint(dv_hist_bucket_lo(i)), ok);
		dv_jpush(b, dv_jint(dv_hist_bucket_hi(i)), ok);
		dv_jpush(b, dv_jint(h->bucket[i]), ok);
		dv_jpush(buckets, b, ok);
	}
	return buckets;
}

/** "response_latency": dns-metrics latency summary plus non-empty buckets. */
static json_t *latency_obj(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	bool empty = h->count == 0;

	dv_jput(o, "avg", dv_jint((uint64_t)llround(dv_hist_mean(h))), ok);
	dv_jput(o, "min", dv_jint(empty ? 0 : h->min), ok);
	dv_jput(o, "max", dv_jint(empty ? 0 : h->max), ok);
	dv_jput(o, "stddev", dv_jint((uint64_t)llround(dv_hist_stddev(h))), ok);
	dv_jput(o, "buckets", buckets_arr(h, ok), ok);
	return o;
}

static const char *const fam_key[DV_FAMILIES] = {
	[DV_FAMILY_V4] = "ipv4",
	[DV_FAMILY_V6] = "ipv6",
};

/**
 * "gap_ns": summary of the gap histogram plus its non-empty buckets. With
 * fine (the gaps between attempts), the percentiles are to 0.1 ms (the
 * lower bound of their 0.1 ms bin) and "bins_100us" lists the non-empty
 * 0.1 ms bins as [bin, count] (bin b: b x 0.1 ms up to (b + 1) x 0.1 ms).
 */
static json_t *gap_obj(const struct dv_hist *h, const struct dv_result *fine, bool *ok)
{
	json_t *o = json_object();
	bool empty = h->count == 0;
	static const double q[3] = { 0.10, 0.50, 0.90 };
	static const char *const qkey[3] = { "p10", "p50", "p90" };

	dv_jput(o, "count", dv_jint(h->count), ok);
	dv_jput(o, "min", dv_jint(empty ? 0 : h->min), ok);
	dv_jput(o, "max", dv_jint(empty ? 0 : h->max), ok);
	for (unsigned i = 0; i < 3; i++)
		dv_jput(o, qkey[i], dv_jint(fine != NULL ? dv_result_gap_quantile(fine, q[i])
							  : dv_hist_quantile(h, q[i])), ok);
	dv_jput(o, "buckets", buckets_arr(h, ok), ok);
	if (fine != NULL) {
		json_t *bins = json_array();
		for (uint32_t b = 0; bins != NULL && b < DV_GAP_FINE_BINS; b++)
			if (fine->tx.gap_fine[b] != 0)
				dv_jpush(bins, json_pack("[I,I]", (json_int_t)b,
							 (json_int_t)fine->tx.gap_fine[b]), ok);
		dv_jput(o, "bins_100us", bins, ok);
	}
	return o;
}

/** "send_late_ns": how late bursts left against the schedule (percentiles, ns). */
static json_t *late_obj(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	dv_jput(o, "bursts", dv_jint(h->count), ok);
	dv_jput(o, "p50", dv_jint(dv_hist_quantile(h, 0.50)), ok);
	dv_jput(o, "p90", dv_jint(dv_hist_quantile(h, 0.90)), ok);
	dv_jput(o, "p99", dv_jint(dv_hist_quantile(h, 0.99)), ok);
	dv_jput(o, "max", dv_jint(h->count ? h->max : 0), ok);
	return o;
}

/** "responder" / "tcp": what the embedded responder's TCP server did. */
static json_t *resp_tcp_obj(const struct dv_resp_tcp_counts *c, bool *ok)
{
	json_t *t = json_object();
	if (t == NULL) {
		*ok = false;
		return NULL;
	}
	dv_jput(t, "connections", dv_jint(c->accepted), ok);
	dv_jput(t, "answers", dv_jint(c->answers), ok);
	dv_jput(t, "segments", dv_jint(c->segments), ok);
	dv_jput(t, "rsts", dv_jint(c->rsts), ok);
	dv_jput(t, "fins", dv_jint(c->fins), ok);
	dv_jput(t, "segments_dropped", dv_jint(c->segs_dropped), ok);
	dv_jput(t, "syns_ignored", dv_jint(c->syns_ignored), ok);
	dv_jput(t, "table_full", dv_jint(c->table_full), ok);
	dv_jput(t, "queries_too_long", dv_jint(c->too_long), ok);
	dv_jput(t, "bad_queries", dv_jint(c->bad_queries), ok);
	dv_jput(t, "bad_segments", dv_jint(c->bad_segments), ok);
	dv_jput(t, "expired", dv_jint(c->expired), ok);
	return t;
}

/** "search": the searches' findings and every trial. */
static json_t *search_obj(const struct dv_rate_summary *rs, bool *ok)
{
	static const char *const end_name[] = { [DV_SEARCH_FOUND] = "found",
		[DV_SEARCH_NO_LIMIT] = "no_limit_below_max", [DV_SEARCH_GEN_CEILING] = "generator_limited" };
	json_t *found = json_array(), *ends = json_array(), *trials = json_array();
	for (unsigned i = 0; i < rs->search_n && i < DV_SEARCH_REPEATS_MAX; i++) {
		dv_jpush(found, dv_jreal(rs->search_qps[i]), ok);
		dv_jpush(ends, json_string(end_name[rs->search_end[i] % 3]), ok);
	}
	for (unsigned i = 0; i < rs->search_ntrials && i < DV_SEARCH_TRIALS_MAX; i++) {
		const struct dv_search_trial *t = &rs->trial[i];
		dv_jpush(trials, json_pack("{s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:s}", "search",
					  (int)t->search, "trial", (int)t->trial, "offered_qps",
					  dv_jreal(t->offered_qps), "started_qps", dv_jreal(t->sent_qps),
					  "sent", dv_jint(t->sent), "answered", dv_jint(t->answered),
					  "unanswered_pct", dv_jreal(t->loss_pct), "verdict",
					  dv_trial_verdict_name(t->verdict)), ok);
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "loss_pct",
			 dv_jreal(rs->search_loss_pct), "offered_max_qps", dv_jreal(rs->search_offered_max),
			 "median_qps", dv_jreal(rs->search_median), "min_qps", dv_jreal(rs->search_min),
			 "max_qps", dv_jreal(rs->search_max), "searches", dv_jint(rs->search_n),
			 "trials", dv_jint(rs->search_trials), "found_qps", found ? found : json_null(),
			 "outcome", ends ? ends : json_null(), "trial_table", trials ? trials : json_null());
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
	dv_jput(o, dv_tx_json.logical, dv_jint(r->tx.logical), ok);
	dv_jput(o, "ended", dv_jint(t.ended), ok);
	dv_jput(o, "answered", dv_jint(t.answered), ok);
	dv_jput(o, "truncated", dv_jint(t.truncated), ok);
	dv_jput(o, dv_seq_json.failed, dv_jint(sq->failed), ok);
	dv_jput(o, dv_seq_json.abandoned, dv_jint(sq->abandoned), ok);
	dv_jput(o, dv_tx_json.retries, dv_jint(r->tx.retries), ok);
	dv_jput(o, dv_seq_json.redundant, dv_jint(sq->redundant), ok);
	dv_jput(o, dv_seq_json.not_taken, dv_jint(sq->not_taken), ok);
	dv_jput(o, "late", dv_jint(t.late), ok);
	dv_jput(o, dv_seq_json.retry_dropped, dv_jint(sq->retry_dropped), ok);

	json_t *on = json_array();
	for (unsigned k = 0; on != NULL && k < rows; k++) {
		json_t *a = json_object();
		dv_jput(a, "attempt", dv_jint(k + 1), ok);
		dv_jput(a, "ipv4", dv_jint(sq->answered_on[k][DV_FAMILY_V4]), ok);
		dv_jput(a, "ipv6", dv_jint(sq->answered_on[k][DV_FAMILY_V6]), ok);
		dv_jput(a, "truncated", dv_jint(sq->truncated_on[k]), ok);
		dv_jput(a, "late", dv_jint(sq->answered_late[k]), ok);
		dv_jput(a, "tcp", dv_jint(sq->answered_tcp[k]), ok);
		dv_jpush(on, a, ok);
	}
	dv_jput(o, dv_seq_json.answered_on, on, ok);

	json_t *len = json_object();
	for (unsigned n = 1; len != NULL && n <= rows; n++) {
		char key[8];
		snprintf(key, sizeof(key), "%u", n);
		dv_jput(len, key, dv_jint(sq->seq_len[n]), ok);
	}
	dv_jput(o, dv_seq_json.seq_len, len, ok);

	json_t *two = json_object();
	dv_jput(two, "v4->v4", dv_jint(sq->first_two[DV_FAMILY_V4][DV_FAMILY_V4]), ok);
	dv_jput(two, "v4->v6", dv_jint(sq->first_two[DV_FAMILY_V4][DV_FAMILY_V6]), ok);
	dv_jput(two, "v6->v4", dv_jint(sq->first_two[DV_FAMILY_V6][DV_FAMILY_V4]), ok);
	dv_jput(two, "v6->v6", dv_jint(sq->first_two[DV_FAMILY_V6][DV_FAMILY_V6]), ok);
	dv_jput(o, dv_seq_json.first_two, two, ok);

	json_t *single = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		dv_jput(single, fam_key[f], dv_jint(sq->single[f]), ok);
	dv_jput(o, dv_seq_json.single, single, ok);

	dv_jput(o, dv_tx_json.gap, gap_obj(&r->tx.gap, r, ok), ok);
	dv_jput(o, dv_rx_json.timer_late, gap_obj(&r->rx.timer_late, NULL, ok), ok);
	if (dv_result_has_transport_steps(r))
		dv_jput(o, "transport", dv_json_seq_transport(r, ok), ok);
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
				dv_jput(e, "size", json_string("none"), ok);
			else
				dv_jput(e, "size", json_integer(r->edns_size[v]), ok);
			dv_jput(e, "family", json_string(fam_key[f]), ok);
			dv_jput(e, "sent", dv_jint(sent), ok);
			dv_jput(e, dv_edns_json.answered, dv_jint(c.answered), ok);
			dv_jput(e, dv_edns_json.truncated, dv_jint(c.truncated), ok);
			dv_jput(e, dv_edns_json.timeouts, dv_jint(c.timeouts), ok);
			dv_jput(e, dv_edns_json.resp_min, dv_jint(none ? 0 : c.resp_min), ok);
			dv_jput(e, "resp_avg",
			    dv_jint(none ? 0 : (c.resp_bytes + c.answered / 2) / c.answered), ok);
			dv_jput(e, dv_edns_json.resp_max, dv_jint(none ? 0 : c.resp_max), ok);
			dv_jpush(a, e, ok);
		}
	}
	return a;
}

/** {"ipv4": a, "ipv6": b} */
static json_t *per_family(const uint64_t v[DV_FAMILIES], bool *ok)
{
	json_t *o = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		dv_jput(o, fam_key[f], dv_jint(v[f]), ok);
	return o;
}

/** "fragments": what the collectors saw of fragmented responses. */
static json_t *fragments_obj(const struct dv_result *r, bool *ok)
{
	const struct dv_frag_stats *fs = &r->rx.frag;
	const struct dv_hist *cnt = &r->rx.frag_count;
	const struct dv_hist *spr = &r->rx.frag_spread;
	json_t *o = json_object();

	dv_jput(o, dv_frag_json.frags, per_family(fs->frags, ok), ok);
	dv_jput(o, dv_frag_json.frag_bytes, dv_jint(fs->frag_bytes), ok);
	dv_jput(o, dv_frag_json.reassembled, per_family(fs->reassembled, ok), ok);
	dv_jput(o, dv_frag_json.lost_sets, per_family(fs->lost_sets, ok), ok);
	dv_jput(o, dv_frag_json.lost_attributed, dv_jint(fs->lost_attributed), ok);
	dv_jput(o, dv_frag_json.dropped_sets, dv_jint(fs->dropped_sets), ok);
	dv_jput(o, dv_frag_json.not_ours, dv_jint(fs->not_ours), ok);
	dv_jput(o, dv_frag_json.other_source, dv_jint(fs->other_source), ok);
	dv_jput(o, dv_frag_json.in_reassembled, dv_jint(fs->in_reassembled), ok);
	dv_jput(o, dv_frag_json.in_lost, dv_jint(fs->in_lost), ok);
	dv_jput(o, dv_frag_json.untracked, dv_jint(fs->untracked), ok);
	dv_jput(o, dv_frag_json.over_share, dv_jint(fs->over_share), ok);
	dv_jput(o, dv_frag_json.by_port, per_family(fs->by_port, ok), ok);

	json_t *pr = json_object();
	dv_jput(pr, "min", dv_jint(cnt->count == 0 ? 0 : cnt->min), ok);
	dv_jput(pr, "p50", dv_jint(dv_hist_quantile(cnt, 0.50)), ok);
	dv_jput(pr, "max", dv_jint(cnt->count == 0 ? 0 : cnt->max), ok);
	dv_jput(pr, "bytes_avg", dv_jint(cnt->count == 0 ? 0 : fs->reassembled_bytes / cnt->count), ok);
	dv_jput(o, "per_response", pr, ok);

	json_t *sp = json_object();
	dv_jput(sp, "p50", dv_jint(dv_hist_quantile(spr, 0.50)), ok);
	dv_jput(sp, "p99", dv_jint(dv_hist_quantile(spr, 0.99)), ok);
	dv_jput(sp, "max", dv_jint(spr->count == 0 ? 0 : spr->max), ok);
	dv_jput(o, dv_rx_json.frag_spread, sp, ok);
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
				dv_jput(kinds, dv_icmp_kind_name((enum dv_icmp_kind)k),
				    dv_jint(rx->icmp[f][k]), ok);
		}
		dv_jput(o, fam_key[f], kinds, ok);
	}
	dv_jput(o, dv_rx_json.icmp_attributed, dv_jint(rx->icmp_attributed), ok);
	dv_jput(o, dv_rx_json.icmp_mtu_min, rx->icmp_mtu_min == UINT64_MAX ? json_null() : dv_jint(rx->icmp_mtu_min),
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
				dv_jput(e, "family", json_string(fam_key[f]), ok);
				if (row.edns_size == DV_EDNS_NONE)
					dv_jput(e, "edns", json_string("none"), ok);
				else
					dv_jput(e, "edns", json_integer(row.edns_size), ok);
				dv_jput(e, "size", json_string(dv_size_class_name(row.size)), ok);
				dv_jput(e, "attempts", dv_jint(row.attempts), ok);
				dv_jput(e, "plain", dv_jint(row.col[DV_FR_PLAIN]), ok);
				dv_jput(e, "reassembled", dv_jint(row.col[DV_FR_REASM]), ok);
				dv_jput(e, "tc", dv_jint(row.col[DV_FR_TC]), ok);
				dv_jput(e, "lost_frag", dv_jint(row.col[DV_FR_LOST_FRAG]), ok);
				dv_jput(e, "frag_drop", dv_jint(row.col[DV_FR_FRAG_DROP]), ok);
				dv_jput(e, "icmp", dv_jint(row.col[DV_FR_ICMP]), ok);
				dv_jput(e, "timeout", dv_jint(row.col[DV_FR_TIMEOUT]), ok);
				dv_jput(e, "tcp_answered", dv_jint(row.tcp[DV_FRT_ANSWERED]), ok);
				dv_jput(e, "tcp_failed", dv_jint(row.tcp[DV_FRT_FAILED]), ok);
				dv_jput(e, "failed_pct",
				    dv_jreal(100.0 * (double)row.failed / (double)row.attempts), ok);
				dv_jpush(a, e, ok);
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
		dv_jput(fo, dv_tx_json.sent, dv_jint(tx->sent[i]), ok);
		dv_jput(fo, dv_rx_json.answered, dv_jint(rx->answered[i]), ok);
		dv_jput(fo, dv_rx_json.timeouts, dv_jint(rx->timeouts[i]), ok);
		dv_jput(fo, dv_rx_json.abandoned, dv_jint(rx->abandoned[i]), ok);
		dv_jput(fams, fam_key[i], fo, ok);
	}
	dv_jput(o, "families", fams, ok);

	dv_jput(o, dv_rx_json.late, dv_jint(rx->late), ok);
	dv_jput(o, dv_rx_json.duplicate, dv_jint(rx->duplicate), ok);
	dv_jput(o, dv_rx_json.unmatched, dv_jint(rx->unmatched), ok);
	json_t *av = json_object();
	for (unsigned k = 0; av != NULL && k < DV_AV_KINDS; k++)
		dv_jput(av, dv_answer_violation_key[k], dv_jint(rx->violation[k]), ok);
	dv_jput(o, "answer_checks", av, ok);
	dv_jput(o, dv_rx_json.truncated, dv_jint(rx->truncated), ok);

	json_t *ns = json_object();
	dv_jput(ns, dv_tx_json.alloc_fail, dv_jint(tx->alloc_fail), ok);
	dv_jput(ns, dv_tx_json.tx_full, dv_jint(tx->tx_full), ok);
	dv_jput(ns, dv_tx_json.inflight_full, dv_jint(tx->inflight_full), ok);
	dv_jput(ns, dv_tx_json.sched_slips, dv_jint(tx->sched_slips), ok);
	dv_jput(ns, dv_tx_json.sched_skipped, dv_jint(tx->sched_skipped), ok);
	dv_jput(o, "not_sent", ns, ok);
	dv_jput(o, dv_tx_json.send_late, late_obj(&tx->send_late, ok), ok);
	if (r->stalls.count > 0)
		dv_jput(o, "stalls",
		    json_pack("{s:o, s:o, s:o, s:o}", "count", dv_jint(r->stalls.count), "total_s",
			      dv_jreal(r->stalls.total_s), "longest_s", dv_jreal(r->stalls.longest_s),
			      "first_at_s", dv_jreal(r->stalls.first_at_s)), ok);

	dv_jput(o, dv_tx_json.tx_bytes, dv_jint(tx->tx_bytes), ok);
	dv_jput(o, dv_rx_json.rx_pkts, dv_jint(rx->rx_pkts), ok);
	dv_jput(o, dv_rx_json.rx_bytes, dv_jint(rx->rx_bytes), ok);
	json_t *cls = json_object();
	for (unsigned c = 0; c < DV_PKT_CLASSES; c++)
		dv_jput(cls, dv_pkt_class_name((enum dv_pkt_class)c), dv_jint(rx->rx_class[c]), ok);
	dv_jput(o, dv_rx_json.rx_class, cls, ok);

	json_t *pq = json_object();
	dv_jput(pq, "p50", dv_jint(dv_hist_quantile(&rx->latency, 0.50)), ok);
	dv_jput(pq, "p90", dv_jint(dv_hist_quantile(&rx->latency, 0.90)), ok);
	dv_jput(pq, "p99", dv_jint(dv_hist_quantile(&rx->latency, 0.99)), ok);
	dv_jput(pq, "p99.9", dv_jint(dv_hist_quantile(&rx->latency, 0.999)), ok);
	dv_jput(o, "percentiles_ns", pq, ok);

	static const char *const mode_name[] = { "fixed", "max", "ramp", "search" };
	dv_jput(o, "rate_mode", json_string(mode_name[r->rate_mode & 3]), ok);
	dv_jput(o, "target_qps", dv_jreal(r->target_qps), ok);
	dv_jput(o, "achieved_qps", dv_jreal(achieved), ok);
	dv_jput(o, "generators", dv_jint(r->ngenerators), ok);
	uint64_t sent_all = dv_result_sent(r);
	dv_jput(o, "cycles_per_query", dv_jreal(sent_all ? (double)r->tx.busy_tsc / (double)sent_all : 0.0),
	    ok);
	dv_jput(o, "cycles_per_response",
	    dv_jreal(rx->rx_pkts ? (double)rx->busy_tsc / (double)rx->rx_pkts : 0.0), ok);
	dv_jput(o, "packets_per_rx_burst",
	    dv_jreal(rx->rx_bursts ? (double)rx->rx_pkts / (double)rx->rx_bursts : 0.0), ok);
	dv_jput(o, "memory",
	    json_pack("{s:o, s:o, s:o, s:o}", "inflight_slots", dv_jint(r->inflight_slots),
		      "inflight_bytes", dv_jint(r->mem_inflight), "sequence_bytes",
		      dv_jint(r->mem_sequences), "mbuf_bytes", dv_jint(r->mem_mbufs)),
	    ok);
	if (r->mem_tcp != 0)
		dv_jput(json_object_get(o, "memory"), "tcp_bytes", dv_jint(r->mem_tcp), ok);
	if (r->has_responder) {
		json_t *resp = json_pack("{s:o, s:o, s:o, s:o, s:o}", "answered", dv_jint(r->resp_answered),
					 "dropped", dv_jint(r->resp_dropped), "impaired",
					 dv_jint(r->resp_impaired), "client_addresses",
					 dv_jint(r->resp_sources), "client_ports", dv_jint(r->resp_ports));
		if (resp != NULL && r->has_resp_tcp)
			dv_jput(resp, "tcp", resp_tcp_obj(&r->resp_tcp, ok), ok);
		dv_jput(o, "responder", resp, ok);
	}
	const struct dv_rate_summary *rs = &r->rate;
	if (r->rate_mode == DV_RATE_RAMP)
		dv_jput(o, "ramp",
		    json_pack("{s:o, s:o, s:o}", "max_throughput_qps", dv_jreal(rs->ramp_max_qps),
			      "offered_qps", dv_jreal(rs->ramp_at_qps), "loss_pct",
			      dv_jreal(rs->ramp_loss_pct)),
		    ok);
	if (r->rate_mode == DV_RATE_SEARCH)
		dv_jput(o, "search", search_obj(rs, ok), ok);
	dv_jput(o, "interrupted", json_boolean(r->interrupted), ok);
	if (r->rx_timestamps != NULL)
		dv_jput(o, "rx_timestamps", json_string(r->rx_timestamps), ok);
	if (r->ncollectors > 0) {
		json_t *cols = json_array();
		for (unsigned i = 0; cols != NULL && i < r->ncollectors && i < DV_MAX_LANES; i++)
			dv_jpush(cols, dv_jint(r->col_rx_pkts[i]), ok);
		dv_jput(o, "collector_rx_packets", cols, ok);
		dv_jput(o, "handoff", json_pack("{s:o, s:o, s:o, s:o}", dv_rx_json.handoff_out,
					    dv_jint(r->rx.handoff_out), dv_rx_json.handoff_drop,
					    dv_jint(r->rx.handoff_drop), dv_rx_json.handoff_dgrams,
					    dv_jint(r->rx.handoff_dgrams), dv_rx_json.handoff_dgram_drop,
					    dv_jint(r->rx.handoff_dgram_drop)), ok);
	}
	/* Frames that reached us but no collector counted, by where they were lost. */
	uint64_t xdp_lost = r->has_xdp && r->xdp_redirected > r->rx.rx_pkts
			    ? r->xdp_redirected - r->rx.rx_pkts : 0;
	dv_jput(o, "rx_drops",
	    json_pack("{s:o, s:o, s:o, s:o}", "pool_empty", dv_jint(r->rx.port_nombuf + r->resp_nombuf),
		      "rx_queue_full", dv_jint(r->rx.port_missed), "handoff_full",
		      dv_jint(r->rx.handoff_drop + r->rx.handoff_dgram_drop), "xdp_not_received",
		      r->has_xdp ? dv_jint(xdp_lost) : json_null()), ok);
	if (r->nports > 0) {
		json_t *ports = json_array();
		for (unsigned i = 0; ports != NULL && i < r->nports && i < DV_MAX_PORTS; i++)
			dv_jpush(ports, json_pack("{s:s, s:o, s:o, s:b, s:b}", "port",
					      r->port_spec[i] != NULL ? r->port_spec[i] : "",
					      "sent", dv_jint(r->port_sent[i]),
					      "rx_packets", dv_jint(r->port_rx_pkts[i]),
					      "tx_checksum_offload", r->port_csum_offload[i],
					      "next_hop_by_arp_nd",
					      r->port_resolved[i][0] || r->port_resolved[i][1]),
			     ok);
		dv_jput(o, "ports", ports, ok);
	}
	if (r->has_xdp) {
		json_t *xdp = json_pack("{s:o, s:o, s:o, s:o}", "redirected", dv_jint(r->xdp_redirected),
					"passed", dv_jint(r->xdp_passed), "fragments",
					dv_jint(r->xdp_fragments), "icmp", dv_jint(r->xdp_icmp));
		/* Only over TCP (or when something counted): a UDP run's JSON stays as it was. */
		if (xdp != NULL && dv_result_xdp_tcp_shown(r))
			dv_jput(xdp, "tcp", dv_jint(r->xdp_tcp), ok);
		dv_jput(o, "xdp", xdp, ok);
	}
	dv_jput(o, "arp_nd",
	    json_pack("{s:o, s:o, s:o, s:o}", dv_rx_json.nd_answered,
		      per_family(r->rx.nd_answered, ok), dv_rx_json.nd_ignored,
		      dv_jint(r->rx.nd_ignored), dv_tx_json.ctl_sent, dv_jint(r->tx.ctl_sent),
		      "announced", dv_jint(r->nd_announced)),
	    ok);
	if (r->sequences) {
		dv_jput(o, dv_rx_json.seq, sequences_obj(r, ok), ok);
		dv_jput(o, "time_to_resolution", dv_json_resolution(r, ok), ok);
	}
	if (dv_result_has_checks(r))
		dv_jput(o, "checks", dv_json_checks(r, ok), ok);
	if (r->sequences || r->n_edns > 1)
		dv_jput(o, dv_rx_json.edns, edns_arr(r, ok), ok);
	/* Always present: a stable schema for the instrument's main table
	 * (the text report shows these blocks only when they say something). */
	dv_jput(o, dv_rx_json.frag, fragments_obj(r, ok), ok);
	dv_jput(o, dv_rx_json.icmp, icmp_obj(r, ok), ok);
	dv_jput(o, dv_rx_json.fail, failure_arr(r, ok), ok);
	if (dv_result_has_tcp(r))
		dv_jput(o, dv_rx_json.tcp, dv_json_tcp(r, ok), ok);
	if (r->consistency != NULL)
		dv_jput(o, "consistency", dv_cons_to_json(r->consistency), ok);
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

	dv_jput(o, "runid", json_string(out->runid), ok);
	dv_jput(o, "type", json_string(type), ok);
	dv_jput(o, "since", dv_jint(r->since_ns), ok);
	dv_jput(o, "until", dv_jint(r->until_ns), ok);
	dv_jput(o, "sent", json_pack("{s:o}", "queries", dv_jint(sent)), ok);
	dv_jput(o, "received", json_pack("{s:o}", "responses", dv_jint(dv_result_answered(r))), ok);
	dv_jput(o, "timeouts", dv_jint(dv_result_timeouts(r)), ok);
	/*
	 * Queries outstanding when a signal stops the run are drained (answered
	 * or timed out); only a second signal, cutting the drain short, leaves
	 * some "interrupted" (dnsvolley's "abandoned").
	 */
	dv_jput(o, "interrupted", dv_jint(dv_result_abandoned(r)), ok);
	dv_jput(o, "unexpected", dv_jint(rx->late + rx->duplicate + rx->unmatched), ok);
	dv_jput(o, "discarded", dv_jint(0), ok);

	json_t *rc = json_object();
	for (unsigned i = 0; i < 16; i++) {
		if (rx->rcode[i] != 0)
			dv_jput(rc, dv_rcode_name(i), dv_jint(rx->rcode[i]), ok);
	}
	dv_jput(o, "response_rcodes", rc, ok);
	dv_jput(o, dv_rx_json.latency, latency_obj(&rx->latency, ok), ok);
	dv_jput(o, "conn_info",
	    json_pack("{s:s, s:o, s:o}", "type", dv_result_has_tcp(r) ? "tcp" : "udp",
		      "packets_sent", dv_jint(dv_result_has_tcp(r) ? r->rx.tcp.segs_out : sent),
		      "packets_received", dv_jint(dv_result_has_tcp(r) ? r->rx.tcp.segs_in : rx->rx_pkts)),
	    ok);
	json_t *ext = extension_obj(r, achieved, ok);
	/* Every counter, losslessly: what "dnsvolley report" and "merge" read back. */
	dv_jput(ext, "state", dv_state_to_json(r), ok);
	dv_jput(o, "dnsvolley", ext, ok);
	return o;
}

int dv_json_periodic(struct dv_json_out *out, const struct dv_result *iv)
{
	bool ok = true;
	double secs = dv_result_seconds(iv);
	json_t *o = stats_obj(out, iv, "stats_periodic", secs, &ok);
	int ret = emit(out, o, ok);
	json_decref(o);
	return ret == 0 ? commit(out) : ret;
}

int dv_json_sum(struct dv_json_out *out, const struct dv_result *r)
{
	bool ok = true;
	json_t *o = stats_obj(out, r, "stats_sum", r->send_seconds, &ok);
	int ret = emit(out, o, ok);
	json_decref(o);
	return ret == 0 ? commit(out) : ret;
}

int dv_json_close(struct dv_json_out *out)
{
	if (out->fd >= 0) {
		if (close(out->fd) != 0 && errno != EINTR)
			fail(out, -errno);
		out->fd = -1;
	}
	/* Nothing measured was kept: the earlier file at path stays as it was. */
	if (!out->committed && out->tmp[0] != '\0')
		unlink(out->tmp);
	out->tmp[0] = '\0';
	return out->err;
}
