/*
 * --track-answers, the main lcore's side: per collector a slab of sample
 * buffers and two SPSC rings (full: collector -> main, free: main ->
 * collector); every tick the samples are parsed (ldns, off the hot path)
 * into the consistency tracker, whose intervals are -S (1 s without -S).
 * The collector's side is col_sample() in col.c.
 */
#include "engine/features/track.h"

#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "engine/features/feature.h"
#include "core/log.h"
#include "engine/col.h"

static struct dv_cons *cons; /* the tracker, NULL when off */
static uint64_t t0;          /* TSC that sampled answers' times count from */

static int track_setup(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	if (plan->track_answers == 0)
		return 0;
	double iv_s = plan->stats_interval_s > 0.0 ? plan->stats_interval_s : 1.0;
	cons = dv_cons_new((uint64_t)(iv_s * 1e9) > 0 ? (uint64_t)(iv_s * 1e9) : 1);
	if (cons == NULL) {
		dv_err("out of memory for the answer consistency tracker");
		return -ENOMEM;
	}
	for (unsigned c = 0; c < s->ncol; c++) {
		struct dv_col *col = s->col[c];
		int socket = (int)rte_lcore_to_socket_id(dv_session_col_lcore(s, c));
		char name[32];
		unsigned flags = RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ;
		snprintf(name, sizeof(name), "dv_trk_full_%u", c);
		col->trk_full = rte_ring_create(name, DV_TRACK_SLOTS, socket, flags);
		snprintf(name, sizeof(name), "dv_trk_free_%u", c);
		col->trk_free = rte_ring_create(name, DV_TRACK_SLOTS, socket, flags);
		col->trk_slab = rte_malloc_socket("dv_trk_slab", DV_TRACK_SLOTS * sizeof(struct dv_sample),
						  RTE_CACHE_LINE_SIZE, socket);
		if (col->trk_full == NULL || col->trk_free == NULL || col->trk_slab == NULL) {
			dv_err("out of DPDK memory for --track-answers' sample buffers");
			return -ENOMEM;
		}
		for (unsigned i = 0; i < DV_TRACK_SLOTS; i++) {
			void *p = &col->trk_slab[i];
			rte_ring_sp_enqueue(col->trk_free, p);
		}
		col->trk_per_s = plan->track_answers;
	}
	return 0;
}

static int track_launch(struct dv_session *s)
{
	/* Sampled answers count from the first start (a search has many). */
	if (t0 == 0)
		t0 = s->sh->start_tsc;
	return 0;
}

/* At most one ring's worth per collector per call, so a 1 ms tick stays short. */
static void track_tick(struct dv_session *s)
{
	if (cons == NULL)
		return;
	double ns_per_tick = s->sh->ns_per_tick;
	for (unsigned c = 0; c < s->ncol; c++) {
		struct dv_col *col = s->col[c];
		struct dv_sample *smp[DV_TRACK_SLOTS];
		unsigned n = rte_ring_sc_dequeue_burst(col->trk_full, (void **)smp, DV_TRACK_SLOTS, NULL);
		for (unsigned i = 0; i < n; i++) {
			uint64_t t = smp[i]->rx_tsc > t0 ? smp[i]->rx_tsc - t0 : 0;
			dv_cons_add(cons, smp[i]->msg, smp[i]->len, (uint64_t)((double)t * ns_per_tick));
		}
		/* Room for all: the buffers came from this ring's partner. */
		rte_ring_sp_enqueue_burst(col->trk_free, (void **)smp, n, NULL);
	}
}

static void track_collect(struct dv_session *s, struct dv_result *res)
{
	if (cons == NULL)
		return;
	for (unsigned c = 0; c < s->ncol; c++) {
		cons->ring_dropped += s->col[c]->trk_dropped;
		cons->too_large += s->col[c]->trk_too_large;
	}
	/* Lent to the report until release. */
	res->consistency = cons;
}

static void track_release(struct dv_session *s)
{
	for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++) {
		struct dv_col *col = s->col[c];
		if (col == NULL)
			continue;
		/* The rings hold pointers into the slab, not mbufs. */
		rte_ring_free(col->trk_full);
		rte_ring_free(col->trk_free);
		rte_free(col->trk_slab);
		col->trk_full = col->trk_free = NULL;
		col->trk_slab = NULL;
	}
	dv_cons_free(cons);
	cons = NULL;
	t0 = 0;
}

const struct dv_feature dv_feature_track = {
	.name = "track",
	.setup = track_setup,
	.launch = track_launch,
	.tick = track_tick,
	.collect = track_collect,
	.release = track_release,
};

/*
 * --track-answers: copy a matched answer for the main lcore's consistency
 * tracker, at most trk_per_s a second. A copy (not an mbuf reference): the
 * message may live in the scratch buffers of a reassembled or chained frame,
 * and the RX pool keeps all its mbufs. Never blocks: no free buffer, a drop.
 */
void dv_track_sample(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now)
{
	if (now >= c->trk_win_tsc + c->sh->tsc_hz) {
		c->trk_win_tsc = now;
		c->trk_win_n = 0;
	}
	if (c->trk_win_n >= c->trk_per_s)
		return;
	c->trk_win_n++;
	if (ri->dns_len > DV_TRACK_MSG_MAX) {
		c->trk_too_large++;
		return;
	}
	struct dv_sample *s;
	if (rte_ring_sc_dequeue(c->trk_free, (void **)&s) != 0) {
		c->trk_dropped++;
		return;
	}
	s->rx_tsc = now;
	s->len = ri->dns_len;
	memcpy(s->msg, ri->dns, ri->dns_len);
	/* Cannot fail: the ring holds every buffer there is. */
	rte_ring_sp_enqueue(c->trk_full, s);
}
