/**
 * @file test_analyze_plots.c
 * @brief Unit tests of dnsvolley analyze's plots and page: each plot's data
 *        file holds the text table's numbers, the gap plot labels every
 *        cluster, and the page inlines the drawn plots.
 *
 * gnuplot (Debian: gnuplot-nox) is a declared dependency, as for
 * test_figures: without it the page test fails, it does not skip.
 */
#include <check.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/page.h"
#include "analyze/plots.h"
#include "analyze/tables.h"
#include "check_main.h"
#include "core/file.h"

/* The EDNS table alone is 1 MB: off the forked test's stack. */
static struct dv_an_tables t;
static char *dat, *gp;

/** Write plot k of t into dat and gp (freed by the next call). */
static void plot(enum dv_an_plot_kind k)
{
	size_t dl, gl;
	free(dat);
	free(gp);
	FILE *d = open_memstream(&dat, &dl), *g = open_memstream(&gp, &gl);
	ck_assert(d != NULL && g != NULL);
	ck_assert(dv_an_plot_has_data(&t, k));
	dv_an_plot_write(&t, k, d, g);
	ck_assert_int_eq(fclose(d), 0);
	ck_assert_int_eq(fclose(g), 0);
}

/** Sequences of two or more with the given gaps (bin, count), as dv_an_add_sequence counts them. */
static void gaps(const unsigned (*g)[2], unsigned n)
{
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < n; i++) {
		t.gap[g[i][0]] += g[i][1];
		t.first_two[0][1] += g[i][1];
		t.seq_len[2] += g[i][1];
		t.sequences += g[i][1];
	}
}

START_TEST(gap_plot_bins_and_cluster_labels)
{
	/* Two timers 35 ms apart (two clusters, labels that would overlap), and 1 s apart. */
	static const unsigned g[][2] = { { 375, 40 }, { 376, 10 }, { 410, 30 }, { 1000, 20 } };
	gaps(g, 4);
	t.gap_over = 0;
	plot(DV_AN_PLOT_GAP);
	/* Every non-empty 1 ms bin, with its share of the 100 gaps. */
	ck_assert_ptr_nonnull(strstr(dat, "\n375 40 40\n376 10 10\n410 30 30\n1000 20 20\n"));
	ck_assert_ptr_null(strstr(dat, "\n377 "));
	/* A label per cluster at its centre; 410 ms's stacked above 375 ms's, from the higher peak. */
	ck_assert_ptr_nonnull(strstr(gp, "set label 1 \"375 ms: 50.0 %\" at 375.5, 40 "));
	ck_assert_ptr_nonnull(strstr(gp, "set label 2 \"410 ms: 30.0 %\" at 410.5, 40 "));
	ck_assert_ptr_nonnull(strstr(gp, "set label 3 \"1000 ms: 20.0 %\" at 1000.5, 20 "));
	ck_assert_ptr_nonnull(strstr(strstr(gp, "set label 2"), "offset 0,2.3"));
	ck_assert_ptr_nonnull(strstr(strstr(gp, "set label 3"), "offset 0,1.0"));
	ck_assert_ptr_null(strstr(gp, "set label 4 "));
	/* And a point at each peak. */
	ck_assert_ptr_nonnull(strstr(gp, "set label 10 \"\" at 410.5, 30 front point"));
	/* 0..1200 ms at least; the data file named as gnuplot runs in the plots' directory. */
	ck_assert_ptr_nonnull(strstr(gp, "set xrange [0:1200]"));
	ck_assert_ptr_nonnull(strstr(gp, "plot 'gap12.dat' using ($1+0.5):3 with impulses"));
	ck_assert_ptr_nonnull(strstr(gp, "n = 100"));

	/* Gaps beyond 1.2 s widen the axis to the next 100 ms; those over 10 s are said, not drawn. */
	static const unsigned g2[][2] = { { 3210, 5 } };
	gaps(g2, 1);
	t.gap_over = 2;
	t.first_two[0][1] += 2;
	plot(DV_AN_PLOT_GAP);
	ck_assert_ptr_nonnull(strstr(gp, "set xrange [0:3300]"));
	ck_assert_ptr_nonnull(strstr(gp, "2 over 10 s not drawn"));

	/* No sequence of two: nothing to draw. */
	memset(&t, 0, sizeof(t));
	t.sequences = t.seq_len[1] = 5;
	ck_assert(!dv_an_plot_has_data(&t, DV_AN_PLOT_GAP));
}
END_TEST

START_TEST(seqlen_plot_rows)
{
	memset(&t, 0, sizeof(t));
	t.seq_len[1] = 60;
	t.seq_len[2] = 30;
	t.seq_len[DV_AN_SEQ_MAX] = 10;
	t.sequences = 100;
	plot(DV_AN_PLOT_SEQLEN);
	ck_assert_ptr_nonnull(strstr(dat, "\n1 60 60 1\n2 30 30 2\n3 0 0 3\n"));
	ck_assert_ptr_nonnull(strstr(dat, "\n16 10 10 16+\n"));
	ck_assert_ptr_nonnull(strstr(gp, "using 1:3:xtic(4) with boxes"));
	ck_assert_ptr_nonnull(strstr(gp, "100 sequences"));
}
END_TEST

START_TEST(edns_plot_rows_are_the_tables)
{
	memset(&t, 0, sizeof(t));
	/* IPv4: no OPT and ten sizes, more than a row shows; IPv6: 1232 alone. */
	t.edns[0][DV_AN_EDNS_NONE] = 100;
	t.queries[0] = 100;
	for (unsigned s = 0; s < 10; s++) {
		t.edns[0][512 + s] = 10 + s;
		t.queries[0] += 10 + s;
	}
	t.edns[1][1232] = 50;
	t.queries[1] = 50;
	t.dnssec_ok[1] = 25;
	plot(DV_AN_PLOT_EDNS);

	/* The text's rows: IPv4's eight most used (none, 521 ... 515, then "..."), IPv6's 1232. */
	char text[4096];
	FILE *f = fmemopen(text, sizeof(text), "w");
	dv_an_text(f, &t);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "ipv4: none 40.8 % 521 7.8 %"));
	ck_assert_ptr_nonnull(strstr(text, "515 5.3 % ...; DO"));
	/* Those sizes, "none" first, then ascending; 512-514 are in no row: "other" (33 queries). */
	ck_assert_ptr_nonnull(strstr(dat, "\nnone 40.8163 0 100 0\n515 5.30612 0 13 0\n516 "));
	ck_assert_ptr_nonnull(strstr(dat, "\n521 7.7551 0 19 0\n1232 0 100 0 50\n"
					  "other 13.4694 0 33 0\n"));
	ck_assert_ptr_null(strstr(dat, "\n514 "));
	ck_assert_ptr_nonnull(strstr(gp, "IPv6: 50 queries, DO 50.0 %"));

	/* A family without queries: "-", and no bars for it. */
	memset(&t, 0, sizeof(t));
	t.edns[1][4096] = 3;
	t.queries[1] = 3;
	plot(DV_AN_PLOT_EDNS);
	ck_assert_ptr_nonnull(strstr(dat, "\n4096 - 100 0 3\n"));
	ck_assert_ptr_null(strstr(gp, "IPv4:"));
}
END_TEST

START_TEST(sources_plot_rows)
{
	memset(&t, 0, sizeof(t));
	t.sources = 4;
	t.src_buckets[0] = 3;
	t.src_buckets[3] = 1;
	t.sources_untracked = 7;
	plot(DV_AN_PLOT_SOURCES);
	ck_assert_ptr_nonnull(strstr(dat, "\n0 3 75 1\n1 0 0 2-9\n2 0 0 10-99\n3 1 25 100-999\n"));
	ck_assert_ptr_null(strstr(dat, "1000-9999"));
	ck_assert_ptr_nonnull(strstr(gp, "4 addresses; 7 queries from addresses beyond the table"));
}
END_TEST

static unsigned count_str(const char *s, const char *what)
{
	unsigned n = 0;
	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

START_TEST(page_inlines_the_plots)
{
	char dir[] = "/tmp/dv_anplots_XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* The page alone: the plots are drawn in a temporary directory under TMPDIR, removed after. */
	setenv("TMPDIR", dir, 1);
	static const unsigned g[][2] = { { 375, 40 }, { 1000, 30 } };
	gaps(g, 2);
	t.queries[0] = t.edns[0][1232] = 140;
	t.sources = t.src_buckets[2] = 2;

	char html[256];
	snprintf(html, sizeof(html), "%s/a.html", dir);
	const struct dv_an_page_opts o = { .html = html };
	ck_assert_int_eq(dv_an_page_check(&o), 0);
	ck_assert_int_eq(dv_an_page_write(&t, "/x/server <1>.pcap", &o), DV_AN_PLOTS);
	char *page = NULL;
	size_t len;
	ck_assert_int_eq(dv_read_file(html, 1u << 24, &page, &len), 0);
	ck_assert_ptr_nonnull(strstr(page, "<h1>dnsvolley analyze: server &lt;1&gt;.pcap</h1>"));
	ck_assert_ptr_nonnull(strstr(page, "<pre>Capture: "));
	ck_assert_ptr_nonnull(strstr(page, "gap between the first two, clusters: ~375 ms"));
	ck_assert_uint_eq(count_str(page, "<svg"), DV_AN_PLOTS);
	for (unsigned k = 0; k < DV_AN_PLOTS; k++) {
		char id[64];
		snprintf(id, sizeof(id), "<figure id=\"fig-%s\">", dv_an_plot_name(k));
		ck_assert_msg(strstr(page, id) != NULL, "no %s", id);
	}
	free(page);
	ck_assert_int_eq(unlink(html), 0);
	/* Nothing left but the directory we made. */
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	unsigned left = 0;
	for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
		left += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	ck_assert_uint_eq(left, 0);

	/* --html into a directory that is not there, or onto a directory: found before the capture. */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/none/a.html", dir);
	const struct dv_an_page_opts o2 = { .html = bad }, o3 = { .html = dir };
	ck_assert_int_lt(dv_an_page_check(&o2), 0);
	ck_assert_int_lt(dv_an_page_check(&o3), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("analyze_plots");
	TCase *tc = tcase_create("plots");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, gap_plot_bins_and_cluster_labels);
	tcase_add_test(tc, seqlen_plot_rows);
	tcase_add_test(tc, edns_plot_rows_are_the_tables);
	tcase_add_test(tc, sources_plot_rows);
	tcase_add_test(tc, page_inlines_the_plots);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
