/**
 * @file run_sink.c
 * @brief What a run prints and writes as it goes (see run_sink.h).
 */
#include "report/run_sink.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "report/plot_data.h"
#include "report/text.h"

static int sink_open(void *ctx)
{
	struct dv_run_sink *s = ctx;
	const struct dv_plan *plan = s->plan;
	if (plan->json_path[0] != '\0') {
		if (dv_json_open(&s->json, plan->json_path, plan) != 0)
			return -EIO;
		s->json_open = true;
	}
	if (plan->plot_path[0] != '\0' && (s->plot = dv_plot_open(plan->plot_path)) == NULL)
		return -EIO;
	return 0;
}

static void sink_interval(void *ctx, const struct dv_result *iv, double elapsed_s, double left_s)
{
	struct dv_run_sink *s = ctx;
	double secs = dv_result_seconds(iv);
	if (!s->plan->quiet && iv->stalls.count > 0) {
		/* Said apart from the status line: the interval it ends is that much longer. */
		printf("%s[Stall] the process did not run for %.3f s (at %.1f s): this interval is "
		       "%.3f s long, its rates are over that\n", s->status_shown ? "\n" : "",
		       iv->stalls.total_s, iv->stalls.first_at_s, secs);
	}
	/* Only the last interval can be shorter than half a step (what was counted
	 * after the last tick): the JSON keeps it, so that the intervals add up to
	 * the totals; on the screen it would be the rate of a few milliseconds. */
	bool brief = secs < s->plan->stats_interval_s / 2.0;
	if (!s->plan->quiet && !brief) {
		dv_report_status_line(stdout, elapsed_s, left_s, s->tty, iv);
		s->status_shown = s->tty;
	}
	fflush(stdout);
	if (s->json_open)
		dv_json_periodic(&s->json, iv);
}

static void sink_plot_row(void *ctx, const struct dv_plot_row *row)
{
	struct dv_run_sink *s = ctx;
	if (s->plot != NULL)
		dv_plot_write(s->plot, row);
}

static int sink_done(void *ctx, const struct dv_result *res)
{
	struct dv_run_sink *s = ctx;
	const struct dv_plan *plan = s->plan;
	int rc = 0;
	if (s->status_shown)
		putchar('\n');
	if (!plan->quiet) {
		printf("[Status] Testing complete (%s)\n\n",
		       res->interrupted ? "interrupted" : "time limit");
		if (res->has_responder)
			printf("[Status] Embedded responder: %" PRIu64 " answered, %" PRIu64
			       " dropped, %" PRIu64 " impaired on purpose; queries came from %" PRIu64
			       " addresses and %" PRIu64 " source ports\n\n",
			       res->resp_answered, res->resp_dropped, res->resp_impaired,
			       res->resp_sources, res->resp_ports);
		if (res->has_resp_tcp) {
			const struct dv_resp_tcp_counts *t = &res->resp_tcp;
			printf("[Status] Embedded responder over TCP: %" PRIu64 " connections, %" PRIu64
			       " answers in %" PRIu64 " segments, %" PRIu64 " RSTs, %" PRIu64
			       " FINs; on purpose %" PRIu64 " segments dropped, %" PRIu64
			       " SYNs ignored; %" PRIu64 " SYNs refused (table full), %" PRIu64
			       " queries too long, %" PRIu64 " not answerable, %" PRIu64
			       " malformed segments, %" PRIu64 " connections expired\n\n",
			       t->accepted, t->answers, t->segments, t->rsts, t->fins, t->segs_dropped,
			       t->syns_ignored, t->table_full, t->too_long, t->bad_queries,
			       t->bad_segments, t->expired);
		}
	}
	dv_report_text(stdout, plan, res);
	fflush(stdout);
	if (s->plot != NULL) {
		FILE *f = s->plot;
		s->plot = NULL;
		if (dv_plot_close(f, plan->plot_path) != 0)
			return -EIO;
	}
	if (s->json_open) {
		dv_json_sum(&s->json, res);
		s->json_open = false;
		rc = dv_json_close(&s->json);
	}
	return rc;
}

static void sink_release(void *ctx)
{
	struct dv_run_sink *s = ctx;
	if (s->json_open)
		dv_json_close(&s->json);
	s->json_open = false;
	if (s->plot != NULL)
		fclose(s->plot);
	s->plot = NULL;
}

struct dv_sink dv_run_sink_init(struct dv_run_sink *s, const struct dv_plan *plan)
{
	memset(s, 0, sizeof(*s));
	s->plan = plan;
	s->tty = isatty(STDOUT_FILENO) == 1;
	return (struct dv_sink){ .ctx = s, .open = sink_open, .interval = sink_interval,
				 .plot_row = sink_plot_row, .done = sink_done,
				 .release = sink_release };
}
