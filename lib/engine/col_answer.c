/*
 * What the collector does with an answer it matched (col.h): the counters,
 * the cheap compliance checks of every answer, the battery's judgement of a
 * check's answer (--checks), time to resolution through the sequence
 * machine, and --track-answers' samples. Called from the collector loop
 * (col.c) for datagrams and from the TCP lanes (tcp_lane.c) for messages.
 */
#include "engine/col.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "engine/answer_checks.h"
#include "engine/features/track.h"
#include "core/count.h"
#include "wire/frame_parse.h"

/*
 * --checks: judge an answer to a check's query, field by field, against its
 * message (with the ID it was sent with). Only for checks, a share of the load.
 */
static void col_judge(struct dv_col *c, const struct dv_check_msg *cm, const struct dv_resp_info *ri,
		      const struct dv_attempt_id *a)
{
	uint8_t q[DV_QUESTION_MAX];
	memcpy(q, cm->q.wire, cm->q.len);
	dv_wr16(q, ri->id);
	enum dv_check_result r = dv_check_judge(cm->check, q, cm->q.len, ri->dns, ri->dns_len,
						ri->msg_len, a->transport == DV_TRANSPORT_TCP);
	dv_count_add(&c->rx.check_res[a->family & 1][cm->row][r], 1);
}

/*
 * --track-answers: copy a matched answer for the main lcore's consistency
 * tracker, at most trk_per_s a second. A copy (not an mbuf reference): the
 * message may live in the scratch buffers of a reassembled or chained frame,
 * and the RX pool keeps all its mbufs. Never blocks: no free buffer, a drop.
 */
static void col_sample(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now)
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

void dv_col_answered(struct dv_col_lane *ln, const struct dv_match *m,
		     const struct dv_resp_info *ri, uint64_t now, bool reassembled)
{
	struct dv_col *c = ln->col;
	const struct dv_attempt_id *a = &m->a;
	struct dv_edns_rx *e = &c->rx.edns[a->edns_var][a->family & 1];
	enum dv_fail_col col = ri->tc ? DV_FR_TC : reassembled ? DV_FR_REASM : DV_FR_PLAIN;

	dv_inflight_answer(ln->ifl, m);
	dv_count_add(&c->rx.answered[a->family & 1], 1);
	dv_count_add(&c->rx.rcode[ri->rcode & 15], 1);
	/* The cheap compliance checks (none for a handshake that stands for an answer);
	 * a check of the battery is judged by its own expectations instead. */
	const struct dv_check_msg *cm = dv_qsource_check(c->sh->qs, a->qidx);
	if (unlikely(cm != NULL))
		col_judge(c, cm, ri, a);
	else if (ri->msg_len != 0) {
		unsigned v = dv_answer_violations(ri, c->sh->pol->edns_size[a->edns_var],
						  a->transport == DV_TRANSPORT_TCP);
		while (unlikely(v != 0)) {
			unsigned k = (unsigned)__builtin_ctz(v);
			dv_count_add(&c->rx.violation[k], 1);
			v &= v - 1;
		}
	}
	enum dv_size_class cls = dv_size_class_of(ri->msg_len);
	if (a->transport == DV_TRANSPORT_TCP)
		dv_count_add(&c->rx.fail_tcp[a->family & 1][a->edns_var][cls][DV_FRT_ANSWERED], 1);
	else
		dv_count_add(&c->rx.fail[a->family & 1][a->edns_var][cls][col], 1);
	if (ri->tc) {
		dv_count_add(&c->rx.truncated, 1);
		dv_count_add(&e->truncated, 1);
	}
	dv_count_add(&e->answered, 1);
	dv_count_add(&e->resp_bytes, ri->msg_len);
	if (ri->msg_len < e->resp_min)
		dv_count_set(&e->resp_min, ri->msg_len);
	if (ri->msg_len > e->resp_max)
		dv_count_set(&e->resp_max, ri->msg_len);
	uint64_t ticks = now > m->tx_tsc ? now - m->tx_tsc : 0;
	dv_hist_add(&c->rx.latency, (uint64_t)((double)ticks * c->sh->ns_per_tick));
	dv_seq_answer(ln->seq, a, ri->tc != 0, now, &c->rx.seq, c->rx.resolve);
	if (unlikely(c->trk_full != NULL) && !ri->cut)
		col_sample(c, ri, now);
}

void dv_col_outcome(struct dv_col *c, struct dv_col_lane *ln, enum dv_outcome o,
		    const struct dv_match *m, const struct dv_resp_info *ri, uint64_t now,
		    bool reassembled)
{
	switch (o) {
	case DV_OUT_ANSWERED:
		dv_col_answered(ln, m, ri, now, reassembled);
		break;
	case DV_OUT_DUPLICATE:
		dv_count_add(&c->rx.duplicate, 1);
		break;
	case DV_OUT_LATE:
		dv_count_add(&c->rx.late, 1);
		break;
	default:
		dv_count_add(&c->rx.unmatched, 1);
		break;
	}
}
