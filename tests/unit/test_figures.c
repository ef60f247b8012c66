/**
 * @file test_figures.c
 * @brief Unit tests of the gnuplot plots and the self-contained HTML page.
 *
 * gnuplot (Debian: gnuplot-nox) is a declared dependency: without it these
 * tests fail, they do not skip. DV_PLOTS_KEEP=1 keeps the output directory
 * (its path is printed) to look at the images.
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/consistency.h"
#include "report/html.h"
#include "report/figures.h"

/* Results are large (histograms, failure table): keep them off the forked test stack. */
static struct dv_result res;
static struct dv_series_row rows[20];
static struct dv_plot_files files;
static char dir[] = "/tmp/dv_plots_XXXXXX";
static struct dv_cons *cons;

/**
 * A --track-answers tracker as a resolver in front of the TTL-mismatch zone
 * fills it: mx's answers carry mail1's A counting down 13..0 and fetched
 * again, and its AAAA at 83213, over points intervals.
 */
static struct dv_cons *ttl_tracker(unsigned points)
{
	static const uint8_t mx[] = "\x02mx\x03ttl\x04test";
	static const uint8_t mail1[] = "\x05mail1\x03ttl\x04test";
	if (cons == NULL)
		cons = dv_cons_new(1000000000u);
	ck_assert_ptr_nonnull(cons);
	memset(cons->key, 0, sizeof(cons->key[0]));
	cons->nkeys = 1;
	struct dv_cons_key *k = &cons->key[0];
	memcpy(k->qname, mx, sizeof(mx));
	k->qname_len = sizeof(mx);
	k->qtype = 15;
	k->nowners = 1;
	memcpy(k->owner[0].name, mail1, sizeof(mail1));
	k->owner[0].name_len = sizeof(mail1);
	for (unsigned fam = 0; fam < DV_CONS_FAMS; fam++) {
		struct dv_cons_family *f = &k->owner[0].fam[fam];
		f->ttl_width = 1;
		f->nttl = points;
		for (unsigned i = 0; i < points; i++) {
			f->ttl_at[i].bucket = i;
			f->ttl_at[i].ttl = fam == DV_CONS_A ? 13 - i % 14 : 83213 - i;
		}
	}
	return cons;
}

/** Deterministic pseudo-random 0..1. */
static double next_unit(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (double)(*state >> 11) / (double)(UINT64_C(1) << 53);
}

/** A sequences run: 3 EDNS sizes over both families, some timeouts and TC, 3 attempts. */
static void fill_result(struct dv_result *r)
{
	uint64_t st = 42;

	memset(r, 0, sizeof(*r));
	dv_tx_stats_init(&r->tx);
	dv_rx_stats_init(&r->rx);
	r->n_edns = 3;
	r->edns_size[0] = 1232;
	r->edns_size[1] = 4096;
	r->edns_size[2] = 512;
	r->attempts = 3;
	r->sequences = true;
	r->target_qps = 10000;
	r->consistency = ttl_tracker(40);

	/* Latency: a body around 1-3 ms and a tail up to ~400 ms. */
	for (unsigned i = 0; i < 200000; i++) {
		double u = next_unit(&st);
		double ms = 1.0 + 2.0 * next_unit(&st);
		if (u > 0.99)
			ms = 20.0 + 380.0 * next_unit(&st);
		else if (u > 0.9)
			ms *= 3.0;
		dv_hist_add(&r->rx.latency, (uint64_t)(ms * 1e6));
	}
	r->rx.answered[DV_FAMILY_V4] = 120000;
	r->rx.answered[DV_FAMILY_V6] = 80000;

	/* Gaps: Unbound-like timers (376 ms, then 752 ms) and happy eyeballs (50 ms). */
	for (unsigned i = 0; i < 5000; i++) {
		double u = next_unit(&st);
		double ms = u < 0.2 ? 50.0 : u < 0.8 ? 376.0 : 752.0;
		dv_hist_add(&r->tx.gap, (uint64_t)(ms * 1e6 * (1.0 + 0.01 * next_unit(&st))));
	}

	/* Time to resolution: 1232 at once (TC, then TCP), 4096 after a 376 ms timer, some never. */
	for (unsigned i = 0; i < 3000; i++) {
		double ms = 0.5 + next_unit(&st);
		dv_hist_add(&r->rx.resolve[0], (uint64_t)(ms * 1e6));
		if (i % 3 == 0)
			dv_hist_add(&r->rx.resolve[1], (uint64_t)((376.0 + ms) * 1e6));
	}
	r->rx.seq.ended_edns[0] = 3000;
	r->rx.seq.ended_edns[1] = 3000;

	r->rx.seq.seq_len[1] = 150000;
	r->rx.seq.seq_len[2] = 4000;
	r->rx.seq.seq_len[3] = 1000;
	r->rx.seq.answered_on[0][DV_FAMILY_V4] = 150000;

	static const uint64_t sent[3][DV_FAMILIES] = { { 50000, 40000 }, { 40000, 30000 },
						       { 30000, 20000 } };
	static const uint64_t timeouts[3][DV_FAMILIES] = { { 100, 400 }, { 1200, 9000 },
							   { 30, 60 } };
	static const uint64_t tc[3][DV_FAMILIES] = { { 50, 40 }, { 0, 0 }, { 3000, 2500 } };
	for (unsigned v = 0; v < 3; v++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			r->tx.edns_sent[v][f] = sent[v][f];
			r->rx.edns[v][f].timeouts = timeouts[v][f];
			r->rx.edns[v][f].answered = sent[v][f] - timeouts[v][f];
			r->rx.edns[v][f].truncated = tc[v][f];
		}
	}
}

/** 20 one-second intervals at 10k/s, a dip with timeouts in the middle. */
static void fill_rows(void)
{
	for (unsigned i = 0; i < 20; i++) {
		struct dv_series_row *w = &rows[i];
		memset(w, 0, sizeof(*w));
		w->t_s = i + 1;
		w->secs = 1.0;
		w->target_qps = 10000;
		w->sent = i == 0 ? 6000 : 10000;
		w->timeouts = i >= 8 && i < 12 ? 2500 : 20;
		w->answered = w->sent - w->timeouts;
	}
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	char *b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return b;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/** Occurrences of needle in hay. */
static unsigned count_str(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void make_dir(void)
{
	/* Also with CK_FORK=no, where the previous test changed the template. */
	strcpy(dir, "/tmp/dv_plots_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/** Remove what the renderer may have written (unless DV_PLOTS_KEEP is set). */
static void remove_dir(void)
{
	static const char *const ext[] = { "png", "svg", "dat", "gp" };
	static const char *const name[] = { "latency", "rates", "failure", "gaps", "seqlen", "ttl" };
	if (getenv("DV_PLOTS_KEEP") != NULL) {
		fprintf(stderr, "test_plots: output kept in %s\n", dir);
		return;
	}
	char path[512];
	for (unsigned i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		for (unsigned e = 0; e < 4; e++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir, name[i], ext[e]);
			unlink(path);
		}
	snprintf(path, sizeof(path), "%s/report.html", dir);
	unlink(path);
	rmdir(dir);
}

START_TEST(test_all_plots)
{
	fill_result(&res);
	fill_rows();
	make_dir();

	int n = dv_plots_render(&res, rows, 20, dir, &files);
	ck_assert_msg(n == DV_PLOTS, "drawn %d of %d plots (is gnuplot-nox installed?)", n, DV_PLOTS);
	ck_assert_str_eq(files.png[DV_PLOT_LATENCY], "latency.png");
	ck_assert_str_eq(files.svg[DV_PLOT_SEQLEN], "seqlen.svg");
	for (unsigned k = 0; k < DV_PLOTS; k++) {
		ck_assert_msg(files.drawn[k], "plot %u not drawn", k);
		ck_assert_uint_gt(strlen(files.title[k]), 10);

		size_t len;
		unsigned char *png = (unsigned char *)slurp(files.png[k], &len);
		static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
		ck_assert_uint_gt(len, 24);
		ck_assert_msg(memcmp(png, sig, 8) == 0, "%s: no PNG signature", files.png[k]);
		ck_assert_msg(memcmp(png + 12, "IHDR", 4) == 0, "%s: no IHDR", files.png[k]);
		ck_assert_uint_eq(be32(png + 16), 900);
		ck_assert_uint_eq(be32(png + 20), 540);
		/* A plot with content is well beyond an empty frame's few KB. */
		ck_assert_msg(len > 10000, "%s: only %zu bytes", files.png[k], len);
		free(png);

		char *svg = slurp(files.svg[k], &len);
		ck_assert_ptr_nonnull(strstr(svg, "<svg"));
		ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
		ck_assert_msg(strstr(svg, "viewBox=\"0 0 900 540\"") != NULL, "%s: no viewBox",
			      files.svg[k]);
		free(svg);
	}

	/* The data files are there for re-plotting. */
	size_t len;
	char *dat = slurp("failure.dat", &len);
	ck_assert_ptr_nonnull(strstr(dat, "\n1232 "));
	ck_assert_ptr_nonnull(strstr(dat, "\n512 "));
	free(dat);
	dat = slurp("seqlen.dat", &len);
	ck_assert_ptr_nonnull(strstr(dat, "\n1 150000 "));
	free(dat);
	remove_dir();
}
END_TEST

START_TEST(test_has_data)
{
	/* No answers, no gaps, no sequences: only the rates and the failure bars (all timeouts). */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.n_edns = 1;
	res.edns_size[0] = DV_EDNS_NONE;
	res.attempts = 1;
	res.tx.edns_sent[0][DV_FAMILY_V4] = 1000;
	res.rx.edns[0][DV_FAMILY_V4].timeouts = 1000;
	fill_rows();
	for (unsigned i = 0; i < 20; i++) {
		rows[i].timeouts = rows[i].sent;
		rows[i].answered = 0;
	}
	make_dir();

	int n = dv_plots_render(&res, rows, 20, dir, &files);
	ck_assert_int_eq(n, 2);
	ck_assert(!files.drawn[DV_PLOT_LATENCY]);
	ck_assert(files.drawn[DV_PLOT_RATES]);
	ck_assert(files.drawn[DV_PLOT_FAILURE]);
	ck_assert(!files.drawn[DV_PLOT_GAPS]);
	ck_assert(!files.drawn[DV_PLOT_SEQLEN]);
	char path[512];
	snprintf(path, sizeof(path), "%s/latency.png", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	size_t len;
	char *dat = slurp("failure.dat", &len);
	ck_assert_ptr_nonnull(strstr(dat, "\nnone 100 - "));
	free(dat);

	/* Nothing at all, no intervals: nothing drawn, and no error. */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	n = dv_plots_render(&res, NULL, 0, dir, &files);
	ck_assert_int_eq(n, 0);
	for (unsigned k = 0; k < DV_PLOTS; k++)
		ck_assert(!files.drawn[k]);
	remove_dir();
}
END_TEST

START_TEST(test_one_of_each)
{
	/* The smallest data each plot can have: one answer, one interval, one gap, one sequence. */
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.n_edns = 1;
	res.edns_size[0] = 1232;
	res.attempts = 2;
	res.sequences = true;
	dv_hist_add(&res.rx.latency, 1500000);
	dv_hist_add(&res.tx.gap, 0);
	res.rx.seq.seq_len[2] = 1;
	res.rx.seq.ended_edns[0] = 1;
	dv_hist_add(&res.rx.resolve[0], 1500000);
	res.tx.edns_sent[0][DV_FAMILY_V6] = 2;
	res.rx.edns[0][DV_FAMILY_V6].answered = 1;
	res.rx.edns[0][DV_FAMILY_V6].timeouts = 1;
	res.consistency = ttl_tracker(1);
	/* Unlimited rate (no target line), millions per second. */
	memset(rows, 0, sizeof(rows));
	rows[0] = (struct dv_series_row){ .t_s = 0.5, .secs = 0.5, .sent = 1500000,
					  .answered = 1400000, .timeouts = 100000 };
	make_dir();

	int n = dv_plots_render(&res, rows, 1, dir, &files);
	ck_assert_int_eq(n, DV_PLOTS);
	size_t len;
	char *dat = slurp("latency.dat", &len);
	/* 100 % down to the single answer: 100/count is 100, one point. */
	ck_assert_ptr_nonnull(strstr(dat, "\n100 1.5"));
	free(dat);
	dat = slurp("rates.gp", &len);
	ck_assert_ptr_null(strstr(dat, "target rate"));
	ck_assert_ptr_nonnull(strstr(dat, "queries per second (millions)"));
	ck_assert_ptr_null(strstr(dat, "retries sent"));
	free(dat);
	remove_dir();
}
END_TEST

/*
 * Issue 12: the rates plot compares new queries with the target and shows
 * retries apart; a plain run (every sequence of one attempt) has no sequence
 * length plot; the TTL plot's y label fits its height.
 */
START_TEST(test_retries_and_plain)
{
	memset(&res, 0, sizeof(res));
	dv_tx_stats_init(&res.tx);
	dv_rx_stats_init(&res.rx);
	res.n_edns = 1;
	res.edns_size[0] = 1232;
	res.attempts = 1;
	res.rx.seq.seq_len[1] = 1000;
	res.consistency = ttl_tracker(40);
	memset(rows, 0, sizeof(rows));
	rows[0] = (struct dv_series_row){ .t_s = 1.0, .secs = 1.0, .target_qps = 200, .sent = 479,
					  .logical = 200, .retries = 279, .answered = 200 };
	rows[1] = (struct dv_series_row){ .t_s = 2.0, .secs = 1.0, .target_qps = 200, .sent = 200,
					  .logical = 200, .answered = 200 };
	make_dir();

	dv_plots_render(&res, rows, 2, dir, &files);
	ck_assert(files.drawn[DV_PLOT_RATES]);
	ck_assert(!files.drawn[DV_PLOT_SEQLEN]);
	size_t len;
	char *dat = slurp("rates.dat", &len);
	ck_assert_ptr_nonnull(strstr(dat, "\n1 479 200 0 200 200 279\n"));
	ck_assert_ptr_nonnull(strstr(dat, "\n2 200 200 0 200 200 0\n"));
	free(dat);
	dat = slurp("rates.gp", &len);
	ck_assert_ptr_nonnull(strstr(dat, "using 1:($6/1) with linespoints pt 7 ps 1.2 lw 2 lc rgb "
					  "\"#1f6fb4\" title \"new queries sent\""));
	ck_assert_ptr_nonnull(strstr(dat, "title \"retries sent\""));
	ck_assert_ptr_nonnull(strstr(dat, "title \"target rate\""));
	ck_assert_ptr_null(strstr(dat, "title \"sent\""));
	free(dat);
	/* 540 px less title and key rows: a label of at most ~30 characters at 11 pt. */
	dat = slurp("ttl.gp", &len);
	const char *yl = strstr(dat, "set ylabel \"");
	ck_assert_ptr_nonnull(yl);
	yl += strlen("set ylabel \"");
	ck_assert_uint_le((size_t)(strchr(yl, '"') - yl), 30);
	free(dat);

	/* Two attempts for some: the plot is there. */
	res.rx.seq.seq_len[2] = 10;
	dv_plots_render(&res, rows, 2, dir, &files);
	ck_assert(files.drawn[DV_PLOT_SEQLEN]);
	remove_dir();
}
END_TEST

START_TEST(test_no_gnuplot)
{
	fill_result(&res);
	make_dir();
	const char *saved = getenv("PATH");
	char *old = strdup(saved != NULL ? saved : "/usr/bin:/bin");
	ck_assert_ptr_nonnull(old);
	setenv("PATH", dir, 1);
	int n = dv_plots_render(&res, NULL, 0, dir, &files);
	setenv("PATH", old, 1);
	free(old);
	ck_assert_int_eq(n, -ENOENT);
	remove_dir();
}
END_TEST

START_TEST(test_html)
{
	fill_result(&res);
	fill_rows();
	make_dir();
	int n = dv_plots_render(&res, rows, 20, dir, &files);
	ck_assert_int_eq(n, DV_PLOTS);
	/* One plot left out: the page has only the drawn ones. */
	files.drawn[DV_PLOT_GAPS] = false;

	char path[512];
	snprintf(path, sizeof(path), "%s/report.html", dir);
	const char *text = "Statistics:\n  Queries sent: 10 <planted> & \"quoted\"\n";
	struct dv_html_figure figs[DV_PLOTS];
	unsigned nfigs = dv_plot_figures(&files, figs);
	ck_assert_uint_eq(nfigs, DV_PLOTS - 1);
	ck_assert_int_eq(dv_html_write(path, "dnsvolley <run> & co", NULL, text, dir, figs, nfigs), 0);

	size_t len;
	char *html = slurp("report.html", &len);
	ck_assert_msg(strncmp(html, "<!DOCTYPE html>", 15) == 0, "no doctype");
	ck_assert_ptr_nonnull(strstr(html, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(html, "<h1>dnsvolley &lt;run&gt; &amp; co</h1>"));
	ck_assert_ptr_nonnull(strstr(html, "10 &lt;planted&gt; &amp; &quot;quoted&quot;"));
	ck_assert_ptr_null(strstr(html, "<planted>"));
	ck_assert_ptr_null(strstr(html, "<run>"));
	ck_assert_uint_eq(count_str(html, "<svg"), DV_PLOTS - 1);
	ck_assert_uint_eq(count_str(html, "</svg>"), DV_PLOTS - 1);
	ck_assert_uint_eq(count_str(html, "<figure"), DV_PLOTS - 1);
	ck_assert_uint_eq(count_str(html, "<figcaption>"), DV_PLOTS - 1);
	ck_assert_ptr_null(strstr(html, "id='gaps-"));
	ck_assert_ptr_nonnull(strstr(html, files.title[DV_PLOT_LATENCY]));
	/* Self-contained: no declaration, no script, no reference outside the page. */
	ck_assert_ptr_null(strstr(html, "<?xml"));
	ck_assert_ptr_null(strstr(html, "<!DOCTYPE svg"));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "src="));
	ck_assert_ptr_null(strstr(html, "<link"));
	ck_assert_ptr_null(strstr(html, "@import"));
	for (const char *p = strstr(html, "href="); p != NULL; p = strstr(p + 1, "href="))
		ck_assert_msg(p[6] == '#', "external reference: %.40s", p);
	for (const char *p = strstr(html, "url("); p != NULL; p = strstr(p + 1, "url("))
		ck_assert_msg(p[4] == '#', "external url: %.40s", p);
	/* The SVGs' ids are made unique per figure, and references follow them. */
	ck_assert_ptr_nonnull(strstr(html, "id='latency-gpPt0'"));
	ck_assert_ptr_nonnull(strstr(html, "id='rates-gpPt0'"));
	ck_assert_ptr_null(strstr(html, "id='gpPt0'"));
	ck_assert_ptr_null(strstr(html, "href='#gpPt"));
	ck_assert_ptr_nonnull(strstr(html, "max-width:100%"));
	ck_assert_ptr_nonnull(strstr(html, "</html>"));
	free(html);
	remove_dir();
}
END_TEST

static Suite *plots_suite(void)
{
	Suite *s = suite_create("plots");
	TCase *tc = tcase_create("core");
	/* gnuplot renders 2 images per plot: a few seconds on a busy machine. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_all_plots);
	tcase_add_test(tc, test_has_data);
	tcase_add_test(tc, test_one_of_each);
	tcase_add_test(tc, test_retries_and_plain);
	tcase_add_test(tc, test_no_gnuplot);
	tcase_add_test(tc, test_html);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(plots_suite());
}
