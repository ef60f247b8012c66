/*
 * The plots of a capture's tables (plots.h): what each draws; writing the
 * files and running gnuplot is report/gnuplot.c's, as for a run's plots.
 * Every plot shows the numbers of a text table, so the page's plots and its
 * tables never disagree.
 */
#include "analyze/plots.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "report/gnuplot.h"

/* Clusters closer than this share of the x axis get their labels stacked: a label is ~12 % wide. */
#define LABEL_NEAR 0.13

static const char *const family_label[DV_FAMILIES] = { "IPv4", "IPv6" };
static const char *const family_color[DV_FAMILIES] = { DV_GP_COLOR_V4, DV_GP_COLOR_V6 };

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

/** Sequences of two or more queries: the gaps the histogram and its clusters are of. */
static uint64_t first_two_total(const struct dv_an_tables *t)
{
	uint64_t n = 0;
	for (unsigned a = 0; a < DV_FAMILIES; a++)
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			n += t->first_two[a][b];
	return n;
}

/** Bars with their value labels: the settings the bar plots share. */
static void bars_common(FILE *gp, double ymax)
{
	fprintf(gp, "set yrange [0:%.6g]\n", ymax > 0.0 ? ymax * 1.18 : 10.0);
	fputs("set format y \"%g\"\n"
	      "set grid noxtics ytics\n"
	      "set xtics scale 0\n"
	      "set style fill solid 0.85 border lc rgb \"#303030\"\n", gp);
}

/* --- The first two queries' gap ------------------------------------------ */

static bool gap_has_data(const struct dv_an_tables *t)
{
	for (unsigned b = 0; b < DV_AN_GAP_BINS; b++)
		if (t->gap[b] != 0)
			return true;
	return false;
}

/*
 * A linear axis in 1 ms bins, as APNIC drew it: resolvers' timers (375 ms,
 * 400 ms, 800 ms, 1 s) are a few ms apart and a log axis would squeeze them.
 * At least 0..1200 ms, further when gaps go further.
 */
static void gap_write(const struct dv_an_tables *t, FILE *dat, FILE *gp)
{
	uint64_t two = first_two_total(t);
	unsigned last = 0;
	double ymax = 0.0;

	fprintf(dat, "# bin_lo_ms gaps pct_of_first_two_gaps (1 ms bins; of %" PRIu64
		     " sequences of two or more, %" PRIu64 " over 10 s)\n", two, t->gap_over);
	for (unsigned b = 0; b < DV_AN_GAP_BINS; b++) {
		if (t->gap[b] == 0)
			continue;
		double p = pct(t->gap[b], two);
		fprintf(dat, "%u %" PRIu64 " %.6g\n", b, t->gap[b], p);
		ymax = fmax(ymax, p);
		last = b;
	}
	double xmax = ceil((double)(last + 1) / 100.0) * 100.0;
	if (xmax < 1200.0)
		xmax = 1200.0;

	/* Each cluster labelled at its centre; close ones stacked, so none hides another. */
	struct dv_an_cluster c[DV_AN_CLUSTERS_MAX];
	unsigned nc = dv_an_clusters(t, c, DV_AN_CLUSTERS_MAX);
	for (unsigned i = 1; i < nc; i++)
		for (unsigned j = i; j > 0 && c[j - 1].center_ms > c[j].center_ms; j--) {
			struct dv_an_cluster tmp = c[j];
			c[j] = c[j - 1];
			c[j - 1] = tmp;
		}
	/*
	 * A point at each peak; the texts of close clusters start from the
	 * highest peak of their group and stack up from there.
	 */
	unsigned level = 0, top = 0;
	double base = 0.0;
	for (unsigned i = 0; i < nc; i++) {
		unsigned bin = (unsigned)(c[i].center_ms * 1e6 / DV_AN_GAP_BIN_NS);
		double peak = pct(t->gap[bin], two);
		if (i > 0 && c[i].center_ms - c[i - 1].center_ms < LABEL_NEAR * xmax) {
			level++;
			base = fmax(base, peak);
		} else {
			level = 0;
			base = peak;
		}
		top = level > top ? level : top;
		fprintf(gp, "set label %u \"%.0f ms: %.1f %%\" at %.6g, %.6g center front "
			"offset 0,%.1f font \",10\"\n", i + 1, c[i].center_ms, pct(c[i].count, two),
			(double)bin + 0.5, base, 1.0 + 1.3 * level);
		fprintf(gp, "set label %u \"\" at %.6g, %.6g front point pt 7 ps 0.6 lc rgb \"#303030\"\n",
			DV_AN_CLUSTERS_MAX + i + 1, (double)bin + 0.5, peak);
	}
	fprintf(gp, "set xrange [0:%.6g]\n"
		"set yrange [0:%.6g]\n", xmax, ymax * (1.15 + 0.08 * top));
	fputs("set xlabel \"gap between the first two queries of a sequence (ms, 1 ms bins)\"\n"
	      "set ylabel \"sequences of two or more (%)\"\n"
	      "set format y \"%g\"\n"
	      "set mxtics 2\n", gp);
	fprintf(gp, "plot 'gap12.dat' using ($1+0.5):3 with impulses lw 2 lc rgb \"%s\" "
		"title \"gaps (n = %" PRIu64 ")", DV_GP_COLOR_BAR, two);
	if (t->gap_over)
		fprintf(gp, "; %" PRIu64 " over 10 s not drawn", t->gap_over);
	fputs("; labels: the clusters, their share of the gaps\"\n", gp);
}

/* --- Sequence lengths ----------------------------------------------------- */

static bool seqlen_has_data(const struct dv_an_tables *t)
{
	return t->sequences > 0;
}

static void seqlen_write(const struct dv_an_tables *t, FILE *dat, FILE *gp)
{
	unsigned rows = 3;
	double ymax = 0.0;

	for (unsigned k = 1; k <= DV_AN_SEQ_MAX; k++)
		if (t->seq_len[k] != 0 && k > rows)
			rows = k;
	fputs("# queries sequences pct_of_sequences label\n", dat);
	for (unsigned k = 1; k <= rows; k++) {
		double p = pct(t->seq_len[k], t->sequences);
		fprintf(dat, "%u %" PRIu64 " %.6g %u%s\n", k, t->seq_len[k], p, k,
			k == DV_AN_SEQ_MAX ? "+" : "");
		ymax = fmax(ymax, p);
	}
	fprintf(gp, "set xrange [0.4:%u.6]\n", rows);
	bars_common(gp, ymax);
	fputs("set xlabel \"queries in the sequence (one name and type, closed after the quiet time)\"\n"
	      "set ylabel \"sequences (%)\"\n"
	      "set boxwidth 0.6\n", gp);
	/* Counts beside the shares while the bars are wide enough for both. */
	fprintf(gp, "plot 'seqlen.dat' using 1:3:xtic(4) with boxes lc rgb \"%s\" "
		"title \"%" PRIu64 " sequences\", \\\n"
		"     '' using 1:3:($2 > 0 ? sprintf(\"%s\", %s) : \"\") with labels offset 0,0.7 "
		"font \",10\" notitle\n", DV_GP_COLOR_BAR, t->sequences,
		rows <= 8 ? "%d (%.1f%%)" : "%.1f%%", rows <= 8 ? "int($2), $3" : "$3");
}

/* --- EDNS sizes per family ------------------------------------------------ */

/** The plot's clusters: every size in either family's text row, "none" first, then "other". */
struct edns_cells {
	unsigned n;
	unsigned size[DV_FAMILIES * DV_AN_EDNS_TOP];
	bool other; /**< a family used more sizes than its row shows */
};

static void edns_cells(const struct dv_an_tables *t, struct edns_cells *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		unsigned size[DV_AN_EDNS_TOP];
		uint64_t cnt[DV_AN_EDNS_TOP];
		unsigned k = dv_an_edns_top(t, f, size, cnt, DV_AN_EDNS_TOP);
		c->other |= k > DV_AN_EDNS_TOP;
		for (unsigned i = 0; i < k && i < DV_AN_EDNS_TOP; i++) {
			bool seen = false;
			for (unsigned j = 0; j < c->n && !seen; j++)
				seen = c->size[j] == size[i];
			if (!seen)
				c->size[c->n++] = size[i];
		}
	}
	/* Ascending, "none" (no OPT) first, as the sizes read on an axis. */
	for (unsigned i = 1; i < c->n; i++)
		for (unsigned j = i; j > 0; j--) {
			unsigned a = c->size[j - 1] == DV_AN_EDNS_NONE ? 0 : c->size[j - 1] + 1;
			unsigned b = c->size[j] == DV_AN_EDNS_NONE ? 0 : c->size[j] + 1;
			if (a <= b)
				break;
			unsigned tmp = c->size[j];
			c->size[j] = c->size[j - 1];
			c->size[j - 1] = tmp;
		}
}

static bool edns_has_data(const struct dv_an_tables *t)
{
	return t->queries[DV_FAMILY_V4] + t->queries[DV_FAMILY_V6] > 0;
}

static void edns_write(const struct dv_an_tables *t, FILE *dat, FILE *gp)
{
	struct edns_cells c;
	uint64_t shown[DV_FAMILIES] = { 0, 0 };
	double ymax = 0.0;

	edns_cells(t, &c);
	fputs("# edns_size pct_ipv4 pct_ipv6 queries_ipv4 queries_ipv6 (\"-\": no query over the family)\n",
	      dat);
	for (unsigned i = 0; i <= c.n; i++) {
		if (i == c.n && !c.other)
			break;
		char label[16] = "other";
		if (i < c.n)
			dv_an_edns_label(c.size[i], label, sizeof(label));
		uint64_t q[DV_FAMILIES];
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			/* "other": the queries with sizes outside the rows. */
			q[f] = i < c.n ? t->edns[f][c.size[i]] : t->queries[f] - shown[f];
			shown[f] += q[f];
		}
		fputs(label, dat);
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			if (t->queries[f] == 0) {
				fputs(" -", dat);
				continue;
			}
			fprintf(dat, " %.6g", pct(q[f], t->queries[f]));
			ymax = fmax(ymax, pct(q[f], t->queries[f]));
		}
		fprintf(dat, " %" PRIu64 " %" PRIu64 "\n", q[0], q[1]);
	}
	unsigned clusters = c.n + (c.other ? 1u : 0u), nb = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		nb += t->queries[f] > 0;

	/* Fewer than 3 clusters: as wide as 3 would be, not one bar across the plot. */
	if (clusters < 3)
		fprintf(gp, "set xrange [%.6g:%.6g]\n", -0.5 - (3.0 - clusters) / 2.0,
			clusters - 0.5 + (3.0 - clusters) / 2.0);
	bars_common(gp, ymax);
	fputs("set xlabel \"EDNS UDP payload size offered (bytes; none = no OPT record)\"\n"
	      "set ylabel \"queries over the family (%)\"\n"
	      "set style data histograms\n"
	      "set style histogram clustered gap 1\n"
	      "set boxwidth 0.95 relative\n", gp);
	fputs("plot ", gp);
	unsigned j = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		if (t->queries[f] == 0)
			continue;
		fprintf(gp, "%s'edns.dat' using %u:xtic(1) lc rgb \"%s\" title \"%s: %" PRIu64
			" queries, DO %.1f %%\"", j++ ? ", \\\n     " : "", 2 + f, family_color[f],
			family_label[f], t->queries[f], pct(t->dnssec_ok[f], t->queries[f]));
	}
	/* Value labels at the bars' centres (the clustered style's layout), while they fit. */
	j = 0;
	for (unsigned f = 0; f < DV_FAMILIES && clusters * nb <= 12; f++) {
		if (t->queries[f] == 0)
			continue;
		double off = ((double)j++ - (double)(nb - 1) / 2.0) / (double)(nb + 1);
		fprintf(gp, ", \\\n     '' using ($0%+.6g):%u:($%u > 0 ? sprintf(\"%%.1f%%%%\", $%u) : \"\") "
			"with labels offset 0,0.7 font \",9\" notitle", off, 2 + f, 2 + f, 2 + f);
	}
	fputc('\n', gp);
}

/* --- Queries per source ----------------------------------------------------- */

static bool sources_has_data(const struct dv_an_tables *t)
{
	return t->sources > 0;
}

static void sources_write(const struct dv_an_tables *t, FILE *dat, FILE *gp)
{
	unsigned rows = 1;
	double ymax = 0.0;

	for (unsigned i = 0; i < DV_AN_SRC_BUCKETS; i++)
		if (t->src_buckets[i] != 0)
			rows = i + 1;
	fputs("# bucket addresses pct_of_addresses queries_per_address\n", dat);
	for (unsigned i = 0; i < rows; i++) {
		double p = pct(t->src_buckets[i], t->sources);
		fprintf(dat, "%u %" PRIu64 " %.6g %s\n", i, t->src_buckets[i], p, dv_an_src_bucket_name(i));
		ymax = fmax(ymax, p);
	}
	fprintf(gp, "set xrange [-0.6:%.6g]\n", rows < 3 ? 2.6 : rows - 0.4);
	bars_common(gp, ymax);
	fputs("set xlabel \"queries sent from the address\"\n"
	      "set ylabel \"source addresses (%)\"\n"
	      "set boxwidth 0.6\n", gp);
	fprintf(gp, "plot 'sources.dat' using 1:3:xtic(4) with boxes lc rgb \"%s\" "
		"title \"%" PRIu64 " addresses", DV_GP_COLOR_BAR, t->sources);
	if (t->sources_untracked)
		fprintf(gp, "; %" PRIu64 " queries from addresses beyond the table", t->sources_untracked);
	fputs("\", \\\n     '' using 1:3:($2 > 0 ? sprintf(\"%d (%.1f%%)\", int($2), $3) : \"\") "
	      "with labels offset 0,0.7 font \",10\" notitle\n", gp);
}

/* --- The plots ------------------------------------------------------------ */

struct an_plot_def {
	const char *name;
	const char *svg;
	const char *title;   /**< in the image */
	const char *caption; /**< under it on the page: how to read it */
	bool (*has_data)(const struct dv_an_tables *t);
	void (*write)(const struct dv_an_tables *t, FILE *dat, FILE *gp);
};

static const struct an_plot_def defs[DV_AN_PLOTS] = {
	[DV_AN_PLOT_GAP] = {
		"gap12", "gap12.svg", "Gap between the first two queries of a sequence",
		"The first two queries of each sequence (name and type) of two or more: the time "
		"between them in 1 ms bins; the labels are the clusters (a peak and the bins around "
		"it, as the text table lists them) and their share of the gaps",
		gap_has_data, gap_write,
	},
	[DV_AN_PLOT_SEQLEN] = {
		"seqlen", "seqlen.svg", "Sequence length: queries per name and type",
		"Sequences by the number of queries they had before the quiet time closed them",
		seqlen_has_data, seqlen_write,
	},
	[DV_AN_PLOT_EDNS] = {
		"edns", "edns.svg", "EDNS buffer sizes offered, per family",
		"Queries by the EDNS UDP payload size they offered (none: no OPT record), as a share "
		"of the family's queries; the sizes of the text table's rows, the rest as other",
		edns_has_data, edns_write,
	},
	[DV_AN_PLOT_SOURCES] = {
		"sources", "sources.svg", "Queries per source address",
		"Source addresses by the number of queries they sent",
		sources_has_data, sources_write,
	},
};

bool dv_an_plot_has_data(const struct dv_an_tables *t, enum dv_an_plot_kind k)
{
	return k < DV_AN_PLOTS && defs[k].has_data(t);
}

void dv_an_plot_write(const struct dv_an_tables *t, enum dv_an_plot_kind k, FILE *dat, FILE *gp)
{
	if (k < DV_AN_PLOTS)
		defs[k].write(t, dat, gp);
}

const char *dv_an_plot_name(enum dv_an_plot_kind k)
{
	return k < DV_AN_PLOTS ? defs[k].name : "?";
}

/** dv_gp_render()'s view of one plot. */
struct an_body {
	const struct dv_an_tables *t;
	enum dv_an_plot_kind k;
};

static void an_body_write(const void *ctx, FILE *dat, FILE *gp)
{
	const struct an_body *b = ctx;
	dv_an_plot_write(b->t, b->k, dat, gp);
}

int dv_an_plots_render(const struct dv_an_tables *t, const char *dir, struct dv_html_figure *figs,
		       unsigned *nfigs)
{
	*nfigs = 0;
	for (unsigned k = 0; k < DV_AN_PLOTS; k++) {
		if (!defs[k].has_data(t))
			continue;
		const struct an_body b = { t, (enum dv_an_plot_kind)k };
		int ret = dv_gp_render(dir, defs[k].name, defs[k].title, an_body_write, &b);
		if (ret < 0)
			return ret;
		if (ret == 1)
			figs[(*nfigs)++] = (struct dv_html_figure){ defs[k].svg, defs[k].caption };
	}
	return 0;
}
