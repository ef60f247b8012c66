/*
 * The APNIC tables of a capture (tables.h): counted as packets are read and
 * sequences close, printed as text and JSON.
 */
#include "analyze/tables.h"

#include <inttypes.h>
#include <string.h>

#include "core/json_util.h"
#include "core/wallclock.h"

static const char *const fam_name[DV_FAMILIES] = { "ipv4", "ipv6" };
static const char *const fam_short[DV_FAMILIES] = { "v4", "v6" };
static const char *const src_bucket_name[DV_AN_SRC_BUCKETS] = {
	"1", "2-9", "10-99", "100-999", "1000-9999", "10000-99999", "100000-999999", "1000000+",
};

const char *dv_an_src_bucket_name(unsigned i)
{
	return i < DV_AN_SRC_BUCKETS ? src_bucket_name[i] : "?";
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

void dv_an_count_packet(struct dv_an_tables *t, enum dv_seen_kind k, const struct dv_seen_query *q,
			uint64_t ts_ns)
{
	t->packets++;
	t->kinds[k < DV_SEEN_KINDS ? k : DV_SEEN_MALFORMED]++;
	if (t->first_ns == 0 || ts_ns < t->first_ns)
		t->first_ns = ts_ns;
	if (ts_ns > t->last_ns)
		t->last_ns = ts_ns;
	if (k == DV_SEEN_RESPONSE && q->tc)
		t->responses_tc++;
	if (k != DV_SEEN_QUERY)
		return;
	unsigned f = q->family & 1;
	t->queries[f]++;
	if (q->tcp)
		t->queries_tcp[f]++;
	t->edns[f][q->edns ? q->edns_size : DV_AN_EDNS_NONE]++;
	if (q->edns && q->dnssec_ok)
		t->dnssec_ok[f]++;
}

void dv_an_add_sequence(struct dv_an_tables *t, const struct dv_an_seq *s)
{
	if (s->queries == 0)
		return;
	t->sequences++;
	t->seq_len[s->queries < DV_AN_SEQ_MAX ? s->queries : DV_AN_SEQ_MAX]++;
	t->start[s->fam[0] & 1]++;
	if (s->fams == 1u << DV_FAMILY_V4)
		t->only[DV_FAMILY_V4]++;
	else if (s->fams == 1u << DV_FAMILY_V6)
		t->only[DV_FAMILY_V6]++;
	if (s->udp_then_tcp)
		t->udp_then_tcp++;
	if (s->queries < 2)
		return;
	t->first_two[s->fam[0] & 1][s->fam[1] & 1]++;
	uint64_t bin = s->gap12_ns / DV_AN_GAP_BIN_NS;
	if (bin < DV_AN_GAP_BINS)
		t->gap[bin]++;
	else
		t->gap_over++;
}

unsigned dv_an_clusters(const struct dv_an_tables *t, struct dv_an_cluster *out, unsigned max)
{
	uint64_t total = t->gap_over;
	for (unsigned b = 0; b < DV_AN_GAP_BINS; b++)
		total += t->gap[b];
	unsigned n = 0;
	/* Unbound's 376 ms and Knot Resolver's 400 ms are 24 ms apart: two clusters. */
	const unsigned win = 10;
	for (unsigned b = 0; b < DV_AN_GAP_BINS && total > 0; b++) {
		uint64_t v = t->gap[b];
		if (v == 0 || (double)v < 0.01 * (double)total)
			continue;
		bool peak = true;
		for (unsigned j = b > win ? b - win : 0; j <= b + win && j < DV_AN_GAP_BINS && peak; j++)
			/* The first of equal bins is the peak. */
			peak = j == b || t->gap[j] < v || (t->gap[j] == v && j > b);
		if (!peak)
			continue;
		struct dv_an_cluster c = { .center_ms = (double)b * DV_AN_GAP_BIN_NS / 1e6 };
		unsigned lo = b, hi = b;
		while (lo > 0 && t->gap[lo - 1] * 5 >= v && b - lo < win)
			lo--;
		while (hi + 1 < DV_AN_GAP_BINS && t->gap[hi + 1] * 5 >= v && hi - b < win)
			hi++;
		for (unsigned j = lo; j <= hi; j++)
			c.count += t->gap[j];
		c.lo_ms = (double)lo * DV_AN_GAP_BIN_NS / 1e6;
		c.hi_ms = (double)(hi + 1) * DV_AN_GAP_BIN_NS / 1e6;
		/* Keep the largest `max`, largest first. */
		unsigned at = n < max ? n++ : max;
		while (at > 0 && out[at - 1].count < c.count) {
			if (at < max)
				out[at] = out[at - 1];
			at--;
		}
		if (at < max)
			out[at] = c;
	}
	return n;
}

unsigned dv_an_edns_top(const struct dv_an_tables *t, unsigned f, unsigned *size, uint64_t *cnt,
			unsigned max)
{
	unsigned n = 0, used = 0;
	for (unsigned s = 0; s <= DV_AN_EDNS_NONE; s++) {
		uint64_t v = t->edns[f][s];
		if (v == 0)
			continue;
		/* Every size used is counted: the text's "..." says when some were left out. */
		used++;
		unsigned at = n < max ? n++ : max;
		while (at > 0 && cnt[at - 1] < v) {
			if (at < max) {
				cnt[at] = cnt[at - 1];
				size[at] = size[at - 1];
			}
			at--;
		}
		if (at < max) {
			cnt[at] = v;
			size[at] = s;
		}
	}
	return used;
}

void dv_an_edns_label(unsigned s, char *buf, size_t len)
{
	if (s == DV_AN_EDNS_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%u", s);
}

void dv_an_text(FILE *f, const struct dv_an_tables *t)
{
	uint64_t q = t->queries[0] + t->queries[1];
	fprintf(f, "Capture: %" PRIu64 " packets, %.3f s; DNS queries %" PRIu64 " (IPv4 %" PRIu64
		   ", IPv6 %" PRIu64 "; over TCP %" PRIu64 "), responses %" PRIu64 " (TC %" PRIu64
		   "), fragments %" PRIu64 ", other %" PRIu64 ", malformed %" PRIu64 "\n",
		t->packets, dv_ns_span_s(t->first_ns, t->last_ns), q,
		t->queries[0], t->queries[1], t->queries_tcp[0] + t->queries_tcp[1],
		t->kinds[DV_SEEN_RESPONSE], t->responses_tc, t->kinds[DV_SEEN_FRAGMENT],
		t->kinds[DV_SEEN_OTHER], t->kinds[DV_SEEN_MALFORMED]);
	uint64_t n = t->sequences, two = 0;
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			two += t->first_two[a][b];
	fprintf(f, "\nSequences (queries for one name and type, closed after the quiet time): %" PRIu64
		   ", %.2f queries on average; %.1f %% of 2 or more%s\n", n, n ? (double)q / (double)n : 0.0,
		pct(two, n), t->closed_early ? " (some closed early: the window was full)" : "");
	fputs("  length:", f);
	for (unsigned k = 1; k <= DV_AN_SEQ_MAX; k++)
		if (t->seq_len[k])
			fprintf(f, " %u%s %.1f %%", k, k == DV_AN_SEQ_MAX ? "+" : "", pct(t->seq_len[k], n));
	fputc('\n', f);
	fprintf(f, "  first query over IPv4 %.1f %%, IPv6 %.1f %%; all IPv4 %.1f %%, all IPv6 %.1f %%, "
		   "both %.1f %%\n", pct(t->start[0], n), pct(t->start[1], n), pct(t->only[0], n),
		pct(t->only[1], n), pct(n - t->only[0] - t->only[1], n));
	fprintf(f, "  the first two queries (of the %" PRIu64 " with two or more):", two);
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			fprintf(f, " %s->%s %.1f %%", fam_short[a], fam_short[b], pct(t->first_two[a][b], two));
	fputc('\n', f);
	if (t->udp_then_tcp)
		fprintf(f, "  UDP, then TCP: %" PRIu64 " sequences (%.1f %%)\n", t->udp_then_tcp,
			pct(t->udp_then_tcp, n));
	struct dv_an_cluster c[DV_AN_CLUSTERS_MAX];
	unsigned nc = dv_an_clusters(t, c, DV_AN_CLUSTERS_MAX);
	fputs("  gap between the first two, clusters:", f);
	if (nc == 0)
		fputs(" -", f);
	for (unsigned i = 0; i < nc; i++)
		fprintf(f, "%s ~%.0f ms (%.0f-%.0f ms) %.1f %%", i ? "," : "", c[i].center_ms, c[i].lo_ms,
			c[i].hi_ms, pct(c[i].count, two));
	fputc('\n', f);
	fputs("\nEDNS buffer sizes offered, per family (queries):\n", f);
	for (unsigned fa = 0; fa < DV_FAMILIES; fa++) {
		unsigned size[DV_AN_EDNS_TOP];
		uint64_t cnt[DV_AN_EDNS_TOP];
		unsigned k = dv_an_edns_top(t, fa, size, cnt, DV_AN_EDNS_TOP);
		fprintf(f, "  %s:", fam_name[fa]);
		for (unsigned i = 0; i < k && i < DV_AN_EDNS_TOP; i++) {
			char l[16];
			dv_an_edns_label(size[i], l, sizeof(l));
			fprintf(f, " %s %.1f %%", l, pct(cnt[i], t->queries[fa]));
		}
		fprintf(f, "%s; DO %.1f %%\n", k > DV_AN_EDNS_TOP ? " ..." : "", pct(t->dnssec_ok[fa], t->queries[fa]));
	}
	fprintf(f, "\nSources: %" PRIu64 " addresses; queries per address:", t->sources);
	for (unsigned i = 0; i < DV_AN_SRC_BUCKETS; i++)
		if (t->src_buckets[i])
			fprintf(f, " %s: %" PRIu64, src_bucket_name[i], t->src_buckets[i]);
	if (t->sources_untracked)
		fprintf(f, " (%" PRIu64 " queries from addresses beyond the table)", t->sources_untracked);
	fputc('\n', f);
}

json_t *dv_an_json(const struct dv_an_tables *t)
{
	bool ok = true;
	json_t *o = json_object();
	json_t *pk = json_object();
	static const char *const kind_key[DV_SEEN_KINDS] = { "queries", "responses", "fragments",
							     "other", "malformed" };
	dv_jput(pk, "total", dv_jint(t->packets), &ok);
	for (unsigned k = 0; k < DV_SEEN_KINDS; k++)
		dv_jput(pk, kind_key[k], dv_jint(t->kinds[k]), &ok);
	dv_jput(pk, "responses_tc", dv_jint(t->responses_tc), &ok);
	dv_jput(pk, "seconds", dv_jreal(dv_ns_span_s(t->first_ns, t->last_ns)), &ok);
	dv_jput(o, "packets", pk, &ok);
	json_t *fq = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		dv_jput(fq, fam_name[f], json_pack("{s:o, s:o, s:o}", "queries", dv_jint(t->queries[f]),
						   "tcp", dv_jint(t->queries_tcp[f]), "dnssec_ok",
						   dv_jint(t->dnssec_ok[f])), &ok);
	dv_jput(o, "families", fq, &ok);

	json_t *sq = json_object(), *len = json_object(), *ft = json_object();
	dv_jput(sq, "count", dv_jint(t->sequences), &ok);
	dv_jput(sq, "closed_early", dv_jint(t->closed_early), &ok);
	for (unsigned k = 1; k <= DV_AN_SEQ_MAX; k++)
		if (t->seq_len[k]) {
			char key[8];
			snprintf(key, sizeof(key), "%u%s", k, k == DV_AN_SEQ_MAX ? "+" : "");
			dv_jput(len, key, dv_jint(t->seq_len[k]), &ok);
		}
	dv_jput(sq, "length", len, &ok);
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned b = 0; b < DV_FAMILIES; b++) {
			char key[8];
			snprintf(key, sizeof(key), "%s_%s", fam_short[a], fam_short[b]);
			dv_jput(ft, key, dv_jint(t->first_two[a][b]), &ok);
		}
	dv_jput(sq, "first_two", ft, &ok);
	dv_jput(sq, "start", json_pack("{s:o, s:o}", "ipv4", dv_jint(t->start[0]), "ipv6",
				       dv_jint(t->start[1])), &ok);
	dv_jput(sq, "only", json_pack("{s:o, s:o}", "ipv4", dv_jint(t->only[0]), "ipv6",
				      dv_jint(t->only[1])), &ok);
	dv_jput(sq, "udp_then_tcp", dv_jint(t->udp_then_tcp), &ok);
	struct dv_an_cluster c[DV_AN_CLUSTERS_MAX];
	unsigned nc = dv_an_clusters(t, c, DV_AN_CLUSTERS_MAX);
	json_t *cl = json_array();
	for (unsigned i = 0; i < nc; i++)
		dv_jpush(cl, json_pack("{s:o, s:o, s:o, s:o}", "center_ms", dv_jreal(c[i].center_ms),
				       "lo_ms", dv_jreal(c[i].lo_ms), "hi_ms", dv_jreal(c[i].hi_ms),
				       "count", dv_jint(c[i].count)), &ok);
	dv_jput(sq, "gap_clusters", cl, &ok);
	json_t *bins = json_array();
	for (unsigned b = 0; b < DV_AN_GAP_BINS; b++)
		if (t->gap[b])
			dv_jpush(bins, json_pack("[o, o]", dv_jint(b), dv_jint(t->gap[b])), &ok);
	dv_jput(sq, "gap_bins_1ms", bins, &ok);
	dv_jput(sq, "gap_over_10s", dv_jint(t->gap_over), &ok);
	dv_jput(o, "sequences", sq, &ok);

	json_t *ed = json_object();
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		json_t *m = json_object();
		for (unsigned s = 0; s <= DV_AN_EDNS_NONE; s++)
			if (t->edns[f][s]) {
				char key[16];
				dv_an_edns_label(s, key, sizeof(key));
				dv_jput(m, key, dv_jint(t->edns[f][s]), &ok);
			}
		dv_jput(ed, fam_name[f], m, &ok);
	}
	dv_jput(o, "edns", ed, &ok);
	json_t *src = json_object(), *bk = json_object();
	dv_jput(src, "addresses", dv_jint(t->sources), &ok);
	for (unsigned i = 0; i < DV_AN_SRC_BUCKETS; i++)
		dv_jput(bk, src_bucket_name[i], dv_jint(t->src_buckets[i]), &ok);
	dv_jput(src, "queries_per_address", bk, &ok);
	dv_jput(src, "untracked_queries", dv_jint(t->sources_untracked), &ok);
	dv_jput(o, "sources", src, &ok);
	return dv_jdone(o, ok);
}
