/*
 * What an lcore runs: the generator and collector steps in one loop
 * (combined) or each in its own, with frugal naps when there is nothing to
 * do; and how the main lcore launches one.
 */
#include "engine/lcore.h"

#include <sys/prctl.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "engine/col.h"
#include "engine/gen.h"
#include "core/log.h"

/* Longest frugal nap: bounds the RX timestamp error in frugal mode. */
#define DV_FRUGAL_MAX_NS 50000

void dv_frugal_sleep(uint64_t ns)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)ns };
	nanosleep(&ts, NULL);
}

void dv_lcore_enter(void)
{
	/* nanosleep's default 50 us slack would dominate frugal naps. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}

int dv_lcore_launch(struct dv_shared *sh, int (*fn)(void *), void *arg, unsigned id)
{
	int rc = rte_eal_remote_launch(fn, arg, id);
	if (rc != 0) {
		dv_err("cannot launch lcore %u: %s", id, rte_strerror(-rc));
		__atomic_store_n(&sh->stop_tx, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&sh->stop_rx, 1, __ATOMIC_RELEASE);
		dv_lcore_wait_all();
	}
	return rc;
}

int dv_lcore_wait(unsigned id)
{
	while (rte_eal_get_lcore_state(id) == RUNNING)
		dv_frugal_sleep(100000);
	return rte_eal_wait_lcore(id);
}

void dv_lcore_wait_all(void)
{
	unsigned id;
	RTE_LCORE_FOREACH_WORKER(id)
		dv_lcore_wait(id);
}

static void frugal_nap(const struct dv_shared *sh, uint64_t now, uint64_t next_due)
{
	uint64_t max = sh->tsc_hz / (1000000000ull / DV_FRUGAL_MAX_NS);
	uint64_t wait = next_due > now ? next_due - now : 0;
	if (wait > max)
		wait = max;
	/* Below ~10 us a nap costs more than it saves. */
	if (wait * 100000ull < sh->tsc_hz)
		return;
	dv_frugal_sleep((uint64_t)((double)wait * 1e9 / (double)sh->tsc_hz));
}

static int run_combined(struct dv_gen *g, struct dv_col *c)
{
	const struct dv_shared *sh = g->sh;
	bool frugal = g->frugal;

	while (!dv_load_flag(&sh->stop_rx)) {
		uint64_t now = rte_rdtsc();
		uint64_t next_due = dv_gen_step(g, now);
		unsigned got = dv_col_step(c);
		if (frugal && got == 0 && g->npending == 0)
			frugal_nap(sh, rte_rdtsc(), next_due);
	}
	if (!g->finished)
		dv_gen_finish(g);
	dv_col_finish(c);
	return 0;
}

static int run_gen(struct dv_gen *g)
{
	const struct dv_shared *sh = g->sh;
	bool frugal = g->frugal;

	while (!g->finished) {
		uint64_t next_due = dv_gen_step(g, rte_rdtsc());
		if (frugal && g->npending == 0 && next_due != UINT64_MAX)
			frugal_nap(sh, rte_rdtsc(), next_due);
	}
	/* The drain: the server may still ask who we are, and TCP connections still talk. */
	while ((g->ctl != NULL || g->tcp) && !dv_load_flag(&sh->stop_rx)) {
		dv_gen_step(g, rte_rdtsc());
		dv_frugal_sleep(DV_FRUGAL_MAX_NS);
	}
	return 0;
}

static int run_col(struct dv_col *c)
{
	const struct dv_shared *sh = c->sh;
	bool frugal = c->frugal;

	while (!dv_load_flag(&sh->stop_rx)) {
		if (dv_col_step(c) == 0 && frugal)
			frugal_nap(sh, 0, sh->tsc_hz / 50000);
	}
	dv_col_finish(c);
	return 0;
}

int dv_lcore_main(void *arg)
{
	struct dv_lcore *lc = arg;

	dv_lcore_enter();
	switch (lc->role) {
	case DV_ROLE_COMBINED:
		return run_combined(lc->gen, lc->col);
	case DV_ROLE_GEN:
		return run_gen(lc->gen);
	case DV_ROLE_COL:
		return run_col(lc->col);
	}
	return -1;
}
