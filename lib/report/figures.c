/**
 * @file figures.c
 * @brief The plots of a finished run: what each draws (report/gnuplot.c
 *        writes the files and runs gnuplot).
 */
#include "report/figures.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/consistency.h"
#include "report/gnuplot.h"
#include "report/resolution_section.h"

#define COLOR_V4 DV_GP_COLOR_V4
#define COLOR_V6 DV_GP_COLOR_V6
#define COLOR_SENT "#1f6fb4"
#define COLOR_ANSWERED "#2ca02c"
#define COLOR_FAILED "#d62728"
#define COLOR_TARGET "#404040"
#define COLOR_RETRIES "#9467bd"
#define COLOR_BAR DV_GP_COLOR_BAR

/** What every plot reads. */
struct plot_in {
	const struct dv_result *sum;
	const struct dv_series_row *rows;
	size_t nrows;
};

/** One plot: whether it has anything to show, and how to write its data and script body. */
struct plot_def {
	const char *name;
	const char *title;   /**< in the image */
	const char *caption; /**< under it on the HTML page: how to read it */
	bool (*has_data)(const struct plot_in *in);
	/** Write NAME.dat and the script's settings and plot command (no terminal, no output). */
	void (*write)(const struct plot_in *in, FILE *dat, FILE *gp);
};

static const char *const family_label[DV_FAMILIES] = {
	[DV_FAMILY_V4] = "IPv4",
	[DV_FAMILY_V6] = "IPv6",
};

static const char *const family_color[DV_FAMILIES] = {
	[DV_FAMILY_V4] = COLOR_V4,
	[DV_FAMILY_V6] = COLOR_V6,
};

/** Nanoseconds to milliseconds. */
static double ns_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}


/* --- Latency percentile curve ------------------------------------------ */

static bool latency_has_data(const struct plot_in *in)
{
	return in->sum->rx.latency.count > 0;
}

/*
 * DNS Shotgun's view: the x axis is "the slowest p percent of answers", from
 * 100 % (everything: the minimum) at the left to the slowest single answer
 * at the right, on a log scale, so the tail gets as much room as the body.
 */
static void latency_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	const struct dv_hist *h = &in->sum->rx.latency;
	/* Below 1/count a percentile says nothing more than the maximum. */
	double pmin = 100.0 / (double)h->count;
	if (pmin < 0.01)
		pmin = 0.01;
	/* A decade at least, so the axis is an axis even with a handful of answers. */
	double xmin = pmin < 10.0 ? pmin : 10.0;
	double ymin = INFINITY, ymax = 0.0;

	fprintf(dat, "# slowest_percentile latency_ms (of %" PRIu64 " answers)\n", h->count);
	/* 20 points per decade, from 100 % down to pmin (which is always written). */
	for (unsigned i = 0;; i++) {
		double p = 100.0 * pow(10.0, -(double)i / 20.0);
		if (p < pmin * (1.0 - 1e-9))
			p = pmin;
		uint64_t v = dv_hist_quantile(h, 1.0 - p / 100.0);
		/* A log axis has no 0: a 0 ns answer is drawn at 1 ns. */
		double ms = ns_ms(v != 0 ? v : 1);
		fprintf(dat, "%.6g %.9g\n", p, ms);
		if (ms < ymin)
			ymin = ms;
		if (ms > ymax)
			ymax = ms;
		if (p <= pmin) {
			/* Below 1/count the slowest p % is the slowest answer: on to the axis' end. */
			if (xmin < pmin)
				fprintf(dat, "%.6g %.9g\n", xmin, ms);
			break;
		}
	}

	fputs("set logscale xy 10\n", gp);
	fprintf(gp, "set xrange [100:%.6g]\n", xmin);
	/* Some room above and below, also when every answer took the same time. */
	fprintf(gp, "set yrange [%.6g:%.6g]\n", ymin / 1.5, ymax * 1.5);
	dv_gp_log_tics(gp, "y", ymin / 1.5, ymax * 1.5);
	fputs("set xlabel \"slowest percentile of answers (%)\"\n"
	      "set ylabel \"latency (ms)\"\n"
	      "set format x \"%g\"\n"
	      "set format y \"%g\"\n"
	      "set mxtics 10\n"
	      "set mytics 10\n"
	      "set grid xtics ytics mytics lc rgb \"#d0d0d0\", lc rgb \"#eeeeee\"\n", gp);
	fprintf(gp, "plot 'latency.dat' using 1:2 with steps lw 2 lc rgb \"%s\" "
		"title \"answers (n = %" PRIu64 ")\"\n", COLOR_SENT, h->count);
}

/* --- Rates over time ------------------------------------------------------ */

static bool rates_has_data(const struct plot_in *in)
{
	return in->rows != NULL && in->nrows >= 1;
}

static void rates_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	double max = 0.0, tmax = 0.0;
	bool target = false, retries = false;

	/* The target is for new queries: with retries, new queries and retries are lines of their own. */
	fputs("# time_s sent_per_s answered_per_s timeouts_per_s target_qps new_per_s retries_per_s\n",
	      dat);
	for (size_t i = 0; i < in->nrows; i++) {
		const struct dv_series_row *r = &in->rows[i];
		double s = dv_per_s(r->sent, r->secs), a = dv_per_s(r->answered, r->secs);
		double t = dv_per_s(r->timeouts, r->secs);
		/* A gap between runs merged --sequential: a blank line breaks gnuplot's lines. */
		if (dv_series_gap(in->rows, i))
			fputc('\n', dat);
		fprintf(dat, "%.6g %.9g %.9g %.9g ", r->t_s, s, a, t);
		/* "-" (missing): no target line where the rate was unlimited. */
		if (r->target_qps > 0.0) {
			fprintf(dat, "%.9g", r->target_qps);
			target = true;
		} else {
			fputs("-", dat);
		}
		fprintf(dat, " %.9g %.9g\n", dv_per_s(r->logical, r->secs),
			dv_per_s(r->retries, r->secs));
		retries |= r->retries > 0;
		max = fmax(max, fmax(fmax(s, a), fmax(t, r->target_qps)));
		tmax = fmax(tmax, r->t_s);
	}

	/* Readable tick labels: thousands or millions of queries per second. */
	double scale = 1.0;
	const char *unit = "";
	if (max >= 2e6) {
		scale = 1e6;
		unit = " (millions)";
	} else if (max >= 2e4) {
		scale = 1e3;
		unit = " (thousands)";
	}
	/* Headroom: a rate at the target must not hide under the top border. */
	fprintf(gp, "set xlabel \"time since start (s)\"\n"
		"set ylabel \"queries per second%s\"\n"
		"set yrange [0:%.6g]\n"
		"set xrange [0:%.6g]\n"
		"set format y \"%%g\"\n", unit, max > 0.0 ? max / scale * 1.12 : 1.0,
		/* The last points off the right border. */
		tmax > 0.0 ? tmax * 1.03 : 1.0);
	/* A single interval is a point: lines alone would draw nothing. */
	const char *with = in->nrows <= 2  ? "linespoints pt 7 ps 1.2" :
			   in->nrows < 40 ? "linespoints pt 7 ps 0.6" : "lines";
	if (retries)
		fprintf(gp, "plot 'rates.dat' using 1:($6/%g) with %s lw 2 lc rgb \"%s\" "
			"title \"new queries sent\", \\\n"
			"     '' using 1:($7/%g) with %s lw 2 lc rgb \"%s\" title \"retries sent\", \\\n",
			scale, with, COLOR_SENT, scale, with, COLOR_RETRIES);
	else
		fprintf(gp, "plot 'rates.dat' using 1:($2/%g) with %s lw 2 lc rgb \"%s\" title \"sent\", \\\n",
			scale, with, COLOR_SENT);
	fprintf(gp, "     '' using 1:($3/%g) with %s lw 2 lc rgb \"%s\" title \"answered\", \\\n"
		"     '' using 1:($4/%g) with %s lw 2 lc rgb \"%s\" title \"failed (timeouts)\"",
		scale, with, COLOR_ANSWERED, scale, with, COLOR_FAILED);
	if (target)
		fprintf(gp, ", \\\n     '' using 1:($5/%g) with lines lw 2 dt 2 lc rgb \"%s\" "
			"title \"target rate\"", scale, COLOR_TARGET);
	fputc('\n', gp);
}

/* --- Failure rate by EDNS size and family ------------------------------- */

/** The cells of the failure plot: sizes in use (first variant of each) and families seen. */
struct failure_cells {
	unsigned n;                               /**< clusters (distinct EDNS sizes) */
	int size[DV_EDNS_VARIANTS];
	uint64_t sent[DV_EDNS_VARIANTS][DV_FAMILIES];
	struct dv_edns_rx rx[DV_EDNS_VARIANTS][DV_FAMILIES];
	bool family[DV_FAMILIES];                 /**< any attempt sent over it */
	bool any_tc;
};

static void failure_cells(const struct dv_result *r, struct failure_cells *c)
{
	memset(c, 0, sizeof(*c));
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
		bool first = false;
		for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
			if (!dv_result_edns_cell(r, v, fam, &c->sent[c->n][fam], &c->rx[c->n][fam]))
				break;
			first = true;
			if (c->sent[c->n][fam] > 0)
				c->family[fam] = true;
			if (c->rx[c->n][fam].truncated > 0)
				c->any_tc = true;
		}
		if (!first)
			continue;
		/* Sizes nothing was sent with would be an empty cluster: leave them out. */
		if (c->sent[c->n][DV_FAMILY_V4] + c->sent[c->n][DV_FAMILY_V6] == 0)
			continue;
		c->size[c->n++] = r->edns_size[v];
	}
	/* Clusters by ascending size, "none" (0) first: insertion sort of a few entries. */
	for (unsigned i = 1; i < c->n; i++) {
		for (unsigned j = i; j > 0 && c->size[j - 1] > c->size[j]; j--) {
			int ts = c->size[j];
			c->size[j] = c->size[j - 1];
			c->size[j - 1] = ts;
			for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
				uint64_t tsent = c->sent[j][fam];
				struct dv_edns_rx trx = c->rx[j][fam];
				c->sent[j][fam] = c->sent[j - 1][fam];
				c->rx[j][fam] = c->rx[j - 1][fam];
				c->sent[j - 1][fam] = tsent;
				c->rx[j - 1][fam] = trx;
			}
		}
	}
}

static bool failure_has_data(const struct plot_in *in)
{
	struct failure_cells c;
	failure_cells(in->sum, &c);
	return c.n > 0;
}

static void failure_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	struct failure_cells c;
	double max = 0.0;
	unsigned nb = 0;

	failure_cells(in->sum, &c);
	fputs("# edns_size failed_pct_v4 failed_pct_v6 tc_pct_v4 tc_pct_v6 sent_v4 sent_v6 "
	      "(\"-\": nothing sent)\n", dat);
	for (unsigned i = 0; i < c.n; i++) {
		if (c.size[i] == DV_EDNS_NONE)
			fputs("none", dat);
		else
			fprintf(dat, "%d", c.size[i]);
		for (unsigned col = 0; col < 2; col++) {
			for (unsigned fam = 0; fam < DV_FAMILIES; fam++) {
				uint64_t sent = c.sent[i][fam];
				if (sent == 0) {
					fputs(" -", dat);
					continue;
				}
				uint64_t n = col == 0 ? c.rx[i][fam].timeouts : c.rx[i][fam].truncated;
				double p = dv_pct(n, sent);
				fprintf(dat, " %.6g", p);
				max = fmax(max, p);
			}
		}
		fprintf(dat, " %" PRIu64 " %" PRIu64 "\n", c.sent[i][DV_FAMILY_V4],
			c.sent[i][DV_FAMILY_V6]);
	}

	/* Bars: failed per family seen, then TC per family when anything was truncated. */
	struct {
		unsigned col;
		unsigned fam;
		bool tc;
	} bar[2 * DV_FAMILIES];
	for (unsigned col = 0; col < (c.any_tc ? 2u : 1u); col++)
		for (unsigned fam = 0; fam < DV_FAMILIES; fam++)
			if (c.family[fam])
				bar[nb++] = (__typeof__(bar[0])){ 2 + col * DV_FAMILIES + fam, fam, col == 1 };

	/* Four bars make a key of two rows. */
	if (nb > 2)
		fputs("set bmargin 6.5\n", gp);
	/* Fewer than 3 clusters: as wide as 3 would be, not one bar across the plot. */
	if (c.n < 3)
		fprintf(gp, "set xrange [%.6g:%.6g]\n", -0.5 - (3.0 - c.n) / 2.0,
			c.n - 0.5 + (3.0 - c.n) / 2.0);
	/* Headroom for the value labels above the bars. */
	fprintf(gp, "set yrange [0:%.6g]\n", max > 0.0 ? max * 1.18 : 10.0);
	/* All bars zero would read as an empty, broken plot: say it. */
	if (max == 0.0)
		fputs("set label 1 \"no attempt failed or came back truncated\" at graph 0.5, 0.5 "
		      "center font \",14\"\n", gp);
	fputs("set xlabel \"EDNS UDP payload size of the query (bytes; none = no OPT record)\"\n"
	      "set ylabel \"attempts (%)\"\n"
	      "set format y \"%g\"\n"
	      "set style data histograms\n"
	      "set style histogram clustered gap 1\n"
	      "set style fill solid 0.85 border lc rgb \"#303030\"\n"
	      "set boxwidth 0.95 relative\n"
	      "set grid noxtics ytics\n"
	      "set xtics scale 0\n", gp);
	fputs("plot ", gp);
	for (unsigned j = 0; j < nb; j++) {
		fprintf(gp, "%s'failure.dat' using %u:xtic(1) lc rgb \"%s\" %s title \"%s %s\"",
			j == 0 ? "" : ", \\\n     ", bar[j].col, family_color[bar[j].fam],
			bar[j].tc ? "fill pattern 4" : "", family_label[bar[j].fam],
			bar[j].tc ? "truncated (TC=1)" : "failed (timeout)");
	}
	/*
	 * Value labels: the clustered style centres cluster i at x = i and gives
	 * each of the nb bars 1/(nb + gap) of it. Zeros are not labelled, and
	 * with many bars none is: the labels would overlap (the .dat has the values).
	 */
	for (unsigned j = 0; c.n * nb <= 12 && j < nb; j++) {
		double off = ((double)j - (double)(nb - 1) / 2.0) / (double)(nb + 1);
		fprintf(gp, ", \\\n     '' using ($0%+.6g):%u:($%u > 0 ? sprintf(\"%%.1f%%%%\", $%u) : \"\") "
			"with labels offset 0,0.7 font \",9\" notitle", off, bar[j].col, bar[j].col,
			bar[j].col);
	}
	fputc('\n', gp);
}

/* --- Gap between attempts ------------------------------------------------- */

static bool gaps_has_data(const struct plot_in *in)
{
	return in->sum->tx.gap.count > 0;
}

static void gaps_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	const struct dv_hist *h = &in->sum->tx.gap;
	double xlo = INFINITY, xhi = 0.0, ymax = 0.0;

	fputs("# bucket_lo_ms bucket_hi_ms gaps pct_of_gaps\n", dat);
	for (unsigned i = 0; i < DV_HIST_BUCKETS; i++) {
		if (h->bucket[i] == 0)
			continue;
		/* The bucket covers [lo, hi + 1) ns; a log axis has no 0, so 0 ns starts at 0.5. */
		double lo = dv_hist_bucket_lo(i) != 0 ? ns_ms(dv_hist_bucket_lo(i)) : 0.5e-6;
		double hi = ns_ms(dv_hist_bucket_hi(i)) + 1e-6;
		double p = dv_pct(h->bucket[i], h->count);
		fprintf(dat, "%.9g %.9g %" PRIu64 " %.6g\n", lo, hi, h->bucket[i], p);
		xlo = fmin(xlo, lo);
		xhi = fmax(xhi, hi);
		ymax = fmax(ymax, p);
	}
	/* At least a decade, centred on the data, so a single peak is not a wall. */
	double mid = sqrt(xlo * xhi);
	if (xhi / xlo < 10.0) {
		xlo = fmin(xlo, mid / sqrt(10.0));
		xhi = fmax(xhi, mid * sqrt(10.0));
	}
	fprintf(gp, "set logscale x 10\n"
		"set xrange [%.6g:%.6g]\n"
		"set yrange [0:%.6g]\n", xlo / 1.3, xhi * 1.3, ymax * 1.1);
	dv_gp_log_tics(gp, "x", xlo / 1.3, xhi * 1.3);
	fputs("set xlabel \"gap between consecutive attempts of a logical query (ms)\"\n"
	      "set ylabel \"gaps (%)\"\n"
	      "set format x \"%g\"\n"
	      "set format y \"%g\"\n"
	      "set mxtics 10\n"
	      "set style fill solid 0.85 border lc rgb \"#303030\"\n", gp);
	fprintf(gp, "plot 'gaps.dat' using (sqrt($1*$2)):4:1:2:(0):4 with boxxyerror "
		"lc rgb \"%s\" title \"gaps (n = %" PRIu64 "), in buckets at most 6.25 %% wide\"\n",
		COLOR_BAR, h->count);
}

/* --- Sequence lengths ----------------------------------------------------- */

static bool seqlen_has_data(const struct plot_in *in)
{
	/* Only when some sequence had more than one attempt: a plain run's one bar says nothing. */
	const struct dv_seq_stats *s = &in->sum->rx.seq;
	for (unsigned n = 2; n <= DV_MAX_ATTEMPTS; n++)
		if (s->seq_len[n] != 0)
			return true;
	return false;
}

static void seqlen_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	const struct dv_seq_stats *s = &in->sum->rx.seq;
	unsigned rows = dv_result_attempt_rows(in->sum);
	struct dv_seq_totals t;
	double ymax = 0.0;

	dv_seq_sum(s, &t);
	fputs("# attempts sequences pct_of_ended\n", dat);
	for (unsigned n = 1; n <= rows; n++) {
		double p = dv_pct(s->seq_len[n], t.ended);
		fprintf(dat, "%u %" PRIu64 " %.6g\n", n, s->seq_len[n], p);
		ymax = fmax(ymax, p);
	}
	fprintf(gp, "set xrange [0.4:%u.6]\n"
		"set yrange [0:%.6g]\n"
		"set xtics 1 scale 0\n", rows, ymax * 1.15);
	fputs("set xlabel \"attempts sent for the logical query\"\n"
	      "set ylabel \"ended logical queries (%)\"\n"
	      "set format y \"%g\"\n"
	      "set grid noxtics ytics\n"
	      "set boxwidth 0.6\n"
	      "set style fill solid 0.85 border lc rgb \"#303030\"\n", gp);
	fprintf(gp, "plot 'seqlen.dat' using 1:3 with boxes lc rgb \"%s\" "
		"title \"%" PRIu64 " logical queries ended\", \\\n"
		"     '' using 1:3:(sprintf(\"%%d (%%.1f%%%%)\", int($2), $3)) with labels offset 0,0.7 "
		"font \",10\" notitle\n", COLOR_BAR, t.ended);
}

/* --- TTL over time (--track-answers) ---------------------------------------- */

#define TTL_SERIES_MAX 8

/** A (key, owner, family) series of the tracker worth drawing. */
struct ttl_series {
	const struct dv_cons_key *key;
	const struct dv_cons_owner *owner;
	unsigned fam;
};

/**
 * The series to draw: each (owner, family) with TTL points once (under the
 * first question whose answers carried it), at most TTL_SERIES_MAX.
 */
static unsigned ttl_series_pick(const struct dv_cons *t, struct ttl_series *out)
{
	unsigned n = 0;
	for (uint32_t k = 0; t != NULL && k < t->nkeys && n < TTL_SERIES_MAX; k++) {
		const struct dv_cons_key *key = &t->key[k];
		for (unsigned o = 0; o < key->nowners && n < TTL_SERIES_MAX; o++) {
			const struct dv_cons_owner *ow = &key->owner[o];
			for (unsigned fam = 0; fam < DV_CONS_FAMS && n < TTL_SERIES_MAX; fam++) {
				if (ow->fam[fam].nttl == 0)
					continue;
				bool seen = false;
				for (unsigned i = 0; i < n && !seen; i++)
					seen = out[i].fam == fam && out[i].owner->name_len == ow->name_len &&
					       memcmp(out[i].owner->name, ow->name, ow->name_len) == 0;
				if (!seen)
					out[n++] = (struct ttl_series){ key, ow, fam };
			}
		}
	}
	return n;
}

static bool ttl_has_data(const struct plot_in *in)
{
	struct ttl_series s[TTL_SERIES_MAX];
	return ttl_series_pick(in->sum->consistency, s) > 0;
}

/** A gnuplot single-quoted string: only ' is special (doubled). */
static void gp_quoted(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		fputc(*s, gp);
	}
	fputc('\'', gp);
}

static void ttl_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	const struct dv_cons *t = in->sum->consistency;
	struct ttl_series s[TTL_SERIES_MAX];
	unsigned n = ttl_series_pick(t, s);
	double iv_s = (double)t->interval_ns / 1e9;
	char owner[1100], qname[1100], qtype[32];

	fputs("# one block per series (gnuplot index): time_s lowest_ttl_s "
	      "(bucket start; TTL 0 written as 0.5 for the log scale)\n", dat);
	for (unsigned i = 0; i < n; i++) {
		const struct dv_cons_family *f = &s[i].owner->fam[s[i].fam];
		double step = (double)f->ttl_width * iv_s;
		fprintf(dat, "%s# %s %s\n", i ? "\n\n" : "",
			dv_cons_name_str(s[i].owner->name, s[i].owner->name_len, owner, sizeof(owner)),
			s[i].fam == DV_CONS_A ? "A" : "AAAA");
		for (uint32_t p = 0; p < f->nttl; p++)
			fprintf(dat, "%.6g %.6g\n", (double)f->ttl_at[p].bucket * step,
				f->ttl_at[p].ttl > 0 ? (double)f->ttl_at[p].ttl : 0.5);
		/* The last step drawn to the end of its bucket. */
		const uint32_t last = f->nttl - 1;
		fprintf(dat, "%.6g %.6g\n", (double)(f->ttl_at[last].bucket + 1) * step,
			f->ttl_at[last].ttl > 0 ? (double)f->ttl_at[last].ttl : 0.5);
	}
	fputs("set xlabel \"time since start (s)\"\n"
	      /* Short enough for the plot's height when the key takes rows (the rest in the caption). */
	      "set ylabel \"lowest TTL (s, log scale)\"\n"
	      "set logscale y 10\n"
	      "set yrange [0.4:*]\n"
	      "set format y \"%g\"\n"
	      "set xrange [0:*]\n", gp);
	/* Long titles: one per row of the key, under the x label. */
	fprintf(gp, "set bmargin %u\nset key maxcols 1\nplot ", 4 + n);
	for (unsigned i = 0; i < n; i++) {
		char title[2400];
		snprintf(title, sizeof(title), "%s %s (in answers to %s %s)",
			 dv_cons_name_str(s[i].owner->name, s[i].owner->name_len, owner, sizeof(owner)),
			 s[i].fam == DV_CONS_A ? "A" : "AAAA",
			 dv_cons_name_str(s[i].key->qname, s[i].key->qname_len, qname, sizeof(qname)),
			 dv_cons_type_str(s[i].key->qtype, qtype, sizeof(qtype)));
		/* Family by colour, owner by dash pattern. */
		fprintf(gp, "%s'ttl.dat' index %u using 1:2 with steps lw 2 lc rgb \"%s\" dt %u title ",
			i ? ", \\\n     " : "", i, s[i].fam == DV_CONS_A ? COLOR_V4 : COLOR_V6, 1 + i / 2);
		gp_quoted(gp, title);
	}
	fputc('\n', gp);
}

/* --- Time to resolution -------------------------------------------------- */

static bool resolve_has_data(const struct plot_in *in)
{
	struct dv_resolve_row row;
	for (unsigned i = 0; dv_result_resolve_row(in->sum, i, &row); i++)
		if (row.h.count > 0)
			return true;
	return false;
}

/* One CDF per EDNS size (a data block each), as a share of the logical
 * queries that ended: a curve that stops below 100 % is the share never resolved. */
static void resolve_write(const struct plot_in *in, FILE *dat, FILE *gp)
{
	static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
					      "#9467bd", "#8c564b" };
	struct dv_resolve_row row;
	double xlo = INFINITY, xhi = 0.0;
	unsigned nblock = 0;
	char titles[8][64];
	for (unsigned i = 0; nblock < 8 && dv_result_resolve_row(in->sum, i, &row); i++) {
		if (row.ended == 0)
			continue;
		if (row.edns_size == DV_EDNS_NONE)
			snprintf(titles[nblock], sizeof(titles[nblock]), "no EDNS (%.1f %% resolved)",
				 dv_pct(row.h.count, row.ended));
		else
			snprintf(titles[nblock], sizeof(titles[nblock]), "EDNS %d (%.1f %% resolved)",
				 row.edns_size, dv_pct(row.h.count, row.ended));
		fprintf(dat, "# EDNS %d: ms share_of_ended_pct\n", row.edns_size);
		uint64_t n = 0;
		bool any = false;
		if (row.h.count == 0)
			fputs("1e-6 0\n", dat); /* nothing resolved: a flat line at 0 */
		for (unsigned b = 0; b < DV_HIST_BUCKETS; b++) {
			if (row.h.bucket[b] == 0)
				continue;
			n += row.h.bucket[b];
			double ms = ns_ms(dv_hist_bucket_hi(b) + 1);
			if (!any)
				fprintf(dat, "%.9g 0\n", ns_ms(dv_hist_bucket_lo(b) != 0 ? dv_hist_bucket_lo(b) : 1));
			any = true;
			fprintf(dat, "%.9g %.6g\n", ms, dv_pct(n, row.ended));
			xlo = fmin(xlo, ms);
			xhi = fmax(xhi, ms);
		}
		/* On to beyond the axis' end: the share the curve stays at (gnuplot clips it). */
		fprintf(dat, "1e9 %.6g\n\n\n", dv_pct(n, row.ended));
		if (!any)
			fprintf(dat, "# nothing resolved\n");
		nblock++;
	}
	if (!(xhi > 0.0)) {
		xlo = 0.1;
		xhi = 1000.0;
	}
	if (xhi / xlo < 10.0) {
		xlo /= 3.0;
		xhi *= 3.0;
	}
	fputs("set logscale x 10\n", gp);
	fprintf(gp, "set xrange [%.6g:%.6g]\n", xlo / 1.3, xhi * 1.3);
	dv_gp_log_tics(gp, "x", xlo / 1.3, xhi * 1.3);
	fputs("set yrange [0:105]\n"
	      "set xlabel \"time to resolution: first attempt to the answer (ms)\"\n"
	      "set ylabel \"logical queries resolved (% of those that ended)\"\n"
	      "set format x \"%g\"\n"
	      "set mxtics 10\n"
	      "set grid xtics ytics lc rgb \"#d0d0d0\"\n", gp);
	fputs("plot ", gp);
	for (unsigned k = 0; k < nblock; k++)
		fprintf(gp, "%s'resolve.dat' index %u using 1:2 with steps lw 2 lc rgb \"%s\" title \"%s\"",
			k ? ", " : "", k, colors[k % (sizeof(colors) / sizeof(colors[0]))], titles[k]);
	fputc('\n', gp);
}

static const struct plot_def plot_defs[DV_PLOTS] = {
	[DV_PLOT_LATENCY] = {
		.name = "latency",
		.title = "Latency of answers by slowest percentile",
		.caption = "Latency the slowest x % of answers reach or exceed, both axes log scale",
		.has_data = latency_has_data,
		.write = latency_write,
	},
	[DV_PLOT_RATES] = {
		.name = "rates",
		.title = "Queries sent, answered and failed per second over time",
		.caption = "Each interval: queries sent, answered and timed out per second, "
			   "and the target rate; with retries, new queries (what the target is for) "
			   "and retries are drawn apart",
		.has_data = rates_has_data,
		.write = rates_write,
	},
	[DV_PLOT_FAILURE] = {
		.name = "failure",
		.title = "Failed and truncated attempts by EDNS size and family",
		.caption = "Timeouts and TC=1 answers as % of attempts, by EDNS UDP size "
			   "(none: no OPT) and family",
		.has_data = failure_has_data,
		.write = failure_write,
	},
	[DV_PLOT_GAPS] = {
		.name = "gaps",
		.title = "Gap between consecutive attempts of a logical query",
		.caption = "Histogram of the time between consecutive attempts of a logical query "
			   "(log scale)",
		.has_data = gaps_has_data,
		.write = gaps_write,
	},
	[DV_PLOT_SEQLEN] = {
		.name = "seqlen",
		.title = "Sequence length: attempts per logical query",
		.caption = "Ended logical queries by the number of attempts sent for them",
		.has_data = seqlen_has_data,
		.write = seqlen_write,
	},
	[DV_PLOT_TTL] = {
		.name = "ttl",
		.title = "TTL of A and AAAA records in the answers over time",
		.caption = "--track-answers: the lowest TTL of each owner's A and AAAA records per "
			   "interval, as the resolver returned them; a sawtooth is a record counting "
			   "down in a cache and fetched again; a TTL of 0 is drawn at 0.5 s (log scale)",
		.has_data = ttl_has_data,
		.write = ttl_write,
	},
	[DV_PLOT_RESOLVE] = {
		.name = "resolve",
		.title = "Time to resolution by EDNS size",
		.caption = "Share of the logical queries that ended resolved within x ms of their "
			   "first attempt, by the first attempt's EDNS size, whatever family and "
			   "transport the answer took (log scale); where a curve stays below 100 % "
			   "the rest never resolved",
		.has_data = resolve_has_data,
		.write = resolve_write,
	},
};


/** What dv_gp_render() hands back to a plot's body: the plot and the run. */
struct plot_body {
	const struct plot_def *def;
	const struct plot_in *in;
};

static void plot_body_write(const void *ctx, FILE *dat, FILE *gp)
{
	const struct plot_body *b = ctx;
	b->def->write(b->in, dat, gp);
}

int dv_plots_render(const struct dv_result *sum, const struct dv_series_row *rows, size_t nrows,
		    const char *dir, struct dv_plot_files *out)
{
	const struct plot_in in = { .sum = sum, .rows = rows, .nrows = rows != NULL ? nrows : 0 };
	int drawn = 0;

	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < DV_PLOTS; k++) {
		const struct plot_def *def = &plot_defs[k];
		snprintf(out->png[k], sizeof(out->png[k]), "%s.png", def->name);
		snprintf(out->svg[k], sizeof(out->svg[k]), "%s.svg", def->name);
		snprintf(out->title[k], sizeof(out->title[k]), "%s", def->caption);
	}

	for (unsigned k = 0; k < DV_PLOTS; k++) {
		const struct plot_def *def = &plot_defs[k];
		if (!def->has_data(&in))
			continue;
		const struct plot_body b = { def, &in };
		int ret = dv_gp_render(dir, def->name, def->title, plot_body_write, &b);
		/* gnuplot missing, or a file that cannot be written: no plot can be drawn. */
		if (ret < 0)
			return ret;
		out->drawn[k] = ret == 1;
		drawn += ret;
	}
	return drawn;
}

unsigned dv_plot_figures(const struct dv_plot_files *pf, struct dv_html_figure *figs)
{
	unsigned n = 0;
	for (unsigned k = 0; pf != NULL && k < DV_PLOTS; k++)
		if (pf->drawn[k])
			figs[n++] = (struct dv_html_figure){ .svg = pf->svg[k], .caption = pf->title[k] };
	return n;
}
