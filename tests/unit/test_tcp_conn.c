/* TCP client state machine: recorded segment sequences in, exact segments, events and counters out. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tcp/rto.h"
#include "tcp_harness.h"

static struct harness H;
static uint8_t Q[600];   /* queries: Q[k] = 0xa0 + k */
static uint8_t W[70000]; /* answers on the wire */

#define IRS 1000u

static void init_q(void)
{
	for (unsigned k = 0; k < sizeof(Q); k++)
		Q[k] = (uint8_t)(0xa0 + k);
}

/* An answer on the wire: 2-byte length, body[0..1] = id, body[k] = k * 3. @return bytes */
static uint32_t answer(uint8_t *w, uint16_t id, uint32_t len)
{
	w[0] = (uint8_t)(len >> 8);
	w[1] = (uint8_t)len;
	for (uint32_t k = 0; k < len; k++)
		w[2 + k] = (uint8_t)(k * 3);
	w[2] = (uint8_t)(id >> 8);
	w[3] = (uint8_t)id;
	return len + 2;
}

static void synack(struct harness *h, uint32_t i, uint32_t irs, uint16_t win, uint16_t mss, uint64_t now)
{
	struct dv_tcp_seg s = { .seq = irs, .ack = h->t.conn[i].iss + 1, .win = win,
				.flags = DV_TCP_SYN | DV_TCP_ACK, .mss = mss, .wscale = -1 };
	h->now = now;
	ck_assert_int_eq(dv_tcp_input(&h->t, h->t.conn[i].addr, h->t.conn[i].port, &s, now), 0);
	ck_assert_ptr_null(dv_tcp_table_check(&h->t));
}

/* Connection 0 opened at 0 with one 30-byte query, established at 50 (irs 1000). @return ISS */
static uint32_t setup_query(struct harness *h, const struct dv_tcp_cfg *cfg)
{
	init_q();
	h_init(h, cfg);
	ck_assert_int_eq(dv_tcp_open(&h->t, 0), 0);
	ck_assert_int_eq(dv_tcp_send(&h->t, 0, Q, 30, 0), 0);
	ck_assert_uint_eq(h->nseg, 1); /* the SYN only */
	synack(h, 0, IRS, 65535, 1400, 50);
	uint32_t iss = h_conn(h, 0)->iss;
	/* The handshake's ACK alone, then the query (Knot's XDP TCP needs it so). */
	ck_assert_uint_eq(h->nseg, 3);
	CK_SEG(h, 1, DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
	CK_SEG(h, 2, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	h_clear(h);
	return iss;
}

START_TEST(handshake)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.rto_min = 1;
	h_init(&H, &cfg);
	ck_assert_int_eq(dv_tcp_open(&H.t, 0), 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_SYN, iss, 0, 4096, 0);
	ck_assert_uint_eq(H.seg[0].seg.mss, 1460);
	ck_assert_int_eq(H.seg[0].seg.wscale, -1);
	ck_assert_uint_eq(H.seg[0].addr, 0);
	ck_assert_uint_eq(H.seg[0].port, 10000);
	ck_assert_uint_eq(dv_tcp_lookup(&H.t, 0, 10000), 0);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 1000); /* the initial RTO */
	h_clear(&H);
	synack(&H, 0, 5000, 8000, 1400, 30);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_ESTABLISHED);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 30);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 1, 5001, 4096, 0);
	const struct dv_tcp_conn *c = h_conn(&H, 0);
	ck_assert_uint_eq(c->state, DV_TCP_ESTABLISHED);
	ck_assert_uint_eq(c->mss, 1400);
	ck_assert_uint_eq(c->snd_wnd, 8000);
	/* The SYN's RTT is a sample: SRTT 30, RTTVAR 15, RTO = 30 + 4 * 15. */
	ck_assert_uint_eq(c->rto.srtt8, 240);
	ck_assert_uint_eq(c->rto.rttvar4, 60);
	ck_assert_uint_eq(c->rto.rto, 90);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 30 + 30000); /* idle limit */
	ck_assert_uint_eq(H.t.counts.opened, 1);
	ck_assert_uint_eq(H.t.counts.established, 1);
	ck_assert_uint_eq(H.t.counts.segs_out, 2);
	ck_assert_uint_eq(H.t.counts.segs_in, 1);
	h_fini(&H);
}
END_TEST

START_TEST(query_and_answer_in_one_segment)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	ck_assert_uint_eq(H.t.counts.bytes_out, 32);
	/* The query's bytes: length prefix, then the message. */
	uint32_t n = answer(W, 0x1234, 40);
	ck_assert_int_eq(h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 80), 0);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_MESSAGE);
	ck_assert_uint_eq(H.ev[0].ev.msg_len, 40);
	ck_assert_uint_eq(H.ev[0].ev.full_len, 40);
	ck_assert_mem_eq(H.ev[0].msg, W + 2, 40);
	/* N = 1, mode fin: the FIN carries the answer's ACK. */
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 43, 4096, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_FIN_WAIT_1);
	h_clear(&H);
	/* Our FIN acknowledged alone: FIN_WAIT_2, bounded by fin_wait_max. */
	ck_assert_int_eq(h_in(&H, 0, DV_TCP_ACK, IRS + 43, iss + 34, 65535, NULL, 0, 85), 0);
	ck_assert_uint_eq(H.nseg, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_FIN_WAIT_2);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 85 + 60000);
	ck_assert_int_eq(h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 43, iss + 34, 65535, NULL, 0, 90), 0);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 34, IRS + 44, 4096, 0);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[0].ev.why, DV_TCP_WHY_FIN);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 90);
	ck_assert_uint_eq(H.ev[0].ev.outstanding, 0);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	ck_assert_uint_eq(dv_tcp_lookup(&H.t, 0, 10000), DV_TCP_NONE);
	const struct dv_tcp_counts *k = &H.t.counts;
	ck_assert_uint_eq(k->closed[DV_TCP_WHY_FIN], 1);
	ck_assert_uint_eq(k->queries, 1);
	ck_assert_uint_eq(k->answers, 1);
	ck_assert_uint_eq(k->unanswered, 0);
	ck_assert_uint_eq(k->segs_out, 5);
	ck_assert_uint_eq(k->segs_in, 4);
	ck_assert_uint_eq(k->bytes_in, 42);
	ck_assert_uint_eq(k->answers_truncated, 0);
	h_fini(&H);
}
END_TEST

START_TEST(answer_across_segments)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t n = answer(W, 7, 3000);
	ck_assert_uint_eq(n, 3002);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, W, 1000, 60);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1001, iss + 33, 65535, W + 1000, 1000, 61);
	ck_assert_uint_eq(H.nev, 0);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 2001, iss + 33, 65535, W + 2000, 1002, 62);
	ck_assert_uint_eq(H.nseg, 3);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 1001, 4096, 0);
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 33, IRS + 2001, 4096, 0);
	CK_SEG(&H, 2, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 3003, 4096, 0);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_MESSAGE);
	ck_assert_uint_eq(H.ev[0].ev.msg_len, 512); /* the prefix */
	ck_assert_uint_eq(H.ev[0].ev.full_len, 3000);
	ck_assert_mem_eq(H.ev[0].msg, W + 2, 512);
	ck_assert_uint_eq(H.t.counts.answers_truncated, 1);
	h_fini(&H);
}
END_TEST

START_TEST(out_of_order_answer)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	answer(W, 9, 298); /* 300 bytes: A [0,100) B [100,200) C [200,300) */
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 201, iss + 33, 65535, W + 200, 100, 60);
	h_in(&H, 0, DV_TCP_ACK, IRS + 101, iss + 33, 65535, W + 100, 100, 61);
	ck_assert_uint_eq(H.nev, 2);
	CK_EV(&H, 0, DV_TCP_EV_OUT_OF_ORDER);
	CK_EV(&H, 1, DV_TCP_EV_OUT_OF_ORDER);
	/* Immediate duplicate ACKs. */
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 1, 4096, 0);
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 33, IRS + 1, 4096, 0);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, W, 100, 62);
	ck_assert_uint_eq(H.nev, 3);
	CK_EV(&H, 2, DV_TCP_EV_MESSAGE);
	ck_assert_uint_eq(H.ev[2].ev.full_len, 298);
	ck_assert_mem_eq(H.ev[2].msg, W + 2, 298);
	ck_assert_uint_eq(H.nseg, 3);
	CK_SEG(&H, 2, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 301, 4096, 0);
	ck_assert_uint_eq(H.t.counts.ooo_segs, 2);
	ck_assert_uint_eq(H.t.counts.dup_segs, 0);
	h_fini(&H);
}
END_TEST

START_TEST(duplicate_and_overlapping_segments)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	answer(W, 9, 298);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, W, 100, 60);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, W, 100, 61); /* a duplicate */
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_DUPLICATE);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 101, 4096, 0);
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 33, IRS + 101, 4096, 0);
	ck_assert_uint_eq(H.t.counts.dup_segs, 1);
	/* A retransmission overlapping what we have: [50, 200) then [0, 300). */
	h_in(&H, 0, DV_TCP_ACK, IRS + 51, iss + 33, 65535, W + 50, 150, 62);
	CK_SEG(&H, 2, DV_TCP_ACK, iss + 33, IRS + 201, 4096, 0);
	ck_assert_uint_eq(H.nev, 1); /* new bytes in it: not a duplicate */
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, W, 300, 63);
	ck_assert_uint_eq(H.nev, 2);
	CK_EV(&H, 1, DV_TCP_EV_MESSAGE);
	ck_assert_mem_eq(H.ev[1].msg, W + 2, 298);
	CK_SEG(&H, 3, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 301, 4096, 0);
	ck_assert_uint_eq(H.t.counts.dup_bytes, 100 + 50 + 200);
	ck_assert_uint_eq(H.t.counts.dup_segs, 1);
	h_fini(&H);
}
END_TEST

START_TEST(rto_follows_rfc6298)
{
	struct dv_tcp_rto_limits l = { .init = 1000, .min = 1, .max = 100000, .granularity = 1 };
	struct dv_tcp_rto r;
	dv_tcp_rto_init(&r, &l);
	ck_assert_uint_eq(r.rto, 1000);
	/* R = 800: SRTT 800, RTTVAR 400, RTO 800 + 4 * 400 */
	dv_tcp_rto_sample(&r, 800, &l);
	ck_assert_uint_eq(r.rto, 2400);
	/* R = 1600: RTTVAR = 3/4 * 400 + 1/4 * 800 = 500, SRTT = 7/8 * 800 + 1/8 * 1600 = 900 */
	dv_tcp_rto_sample(&r, 1600, &l);
	ck_assert_uint_eq(r.rttvar4, 4 * 500);
	ck_assert_uint_eq(r.srtt8, 8 * 900);
	ck_assert_uint_eq(r.rto, 900 + 2000);
	/* R = 100: RTTVAR = 375 + 200 = 575, SRTT = 787.5 + 12.5 = 800 */
	dv_tcp_rto_sample(&r, 100, &l);
	ck_assert_uint_eq(r.rttvar4, 4 * 575);
	ck_assert_uint_eq(r.srtt8, 8 * 800);
	ck_assert_uint_eq(r.rto, 3100);
	/* Backoff doubles up to the maximum. */
	dv_tcp_rto_backoff(&r, &l);
	ck_assert_uint_eq(r.rto, 6200);
	for (int i = 0; i < 10; i++)
		dv_tcp_rto_backoff(&r, &l);
	ck_assert_uint_eq(r.rto, 100000);
	/* G bounds the variance term: steady RTTs of 1000 with G = 500. */
	struct dv_tcp_rto_limits g = { .init = 1000, .min = 1, .max = 100000, .granularity = 500 };
	dv_tcp_rto_init(&r, &g);
	for (int i = 0; i < 40; i++)
		dv_tcp_rto_sample(&r, 1000, &g);
	ck_assert_uint_eq(r.srtt8, 8000);
	ck_assert_uint_lt(r.rttvar4, 500);
	ck_assert_uint_eq(r.rto, 1500);
	/* The minimum (RFC 6298: 1 s) and the initial value clamped. */
	struct dv_tcp_rto_limits m = { .init = 3000, .min = 1000, .max = 2000, .granularity = 1 };
	dv_tcp_rto_init(&r, &m);
	ck_assert_uint_eq(r.rto, 2000);
	dv_tcp_rto_sample(&r, 10, &m);
	ck_assert_uint_eq(r.rto, 1000);
}
END_TEST

START_TEST(retransmission_backoff_and_karn)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.queries = 2;
	cfg.pipeline = 2;
	init_q();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	synack(&H, 0, IRS, 65535, 1400, 100); /* RTT 100: RTO = 100 + 4 * 50 = 300 */
	const struct dv_tcp_conn *c = h_conn(&H, 0);
	ck_assert_uint_eq(c->rto.rto, 300);
	h_clear(&H);
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 30, 100), 0);
	CK_SEG(&H, 0, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 400);
	h_clear(&H);
	h_timers(&H, 399);
	ck_assert_uint_eq(H.nseg, 0);
	h_timers(&H, 400);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	ck_assert_mem_eq(H.seg[0].data + 2, Q, 30);
	CK_EV(&H, 0, DV_TCP_EV_RETRANSMIT);
	ck_assert_uint_eq(H.ev[0].ev.nth, 1);
	ck_assert_uint_eq(c->rto.rto, 600);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 1000);
	h_timers(&H, 999);
	ck_assert_uint_eq(H.nseg, 1);
	h_timers(&H, 1000);
	ck_assert_uint_eq(H.nseg, 2);
	CK_SEG(&H, 1, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	ck_assert_uint_eq(H.ev[1].ev.nth, 2);
	ck_assert_uint_eq(c->rto.rto, 1200);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 2200);
	/* Karn: the ACK of a retransmitted segment is no sample; the backed-off RTO stays. */
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 33, 65535, NULL, 0, 1100);
	ck_assert_uint_eq(c->rto.rto, 1200);
	ck_assert_uint_eq(c->rto.srtt8, 800);
	ck_assert_uint_eq(c->retries, 0);
	ck_assert_uint_eq(c->rtx_at, DV_TCP_NEVER);
	/* A fresh segment is timed again: R = 50 -> RTTVAR 50, SRTT 93.75, RTO 293 (ticks). */
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 30, 1200), 0);
	CK_SEG(&H, 2, DV_TCP_ACK | DV_TCP_PSH, iss + 33, IRS + 1, 4096, 32);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 65, 65535, NULL, 0, 1250);
	ck_assert_uint_eq(c->rto.rttvar4, 200);
	ck_assert_uint_eq(c->rto.srtt8, 750);
	ck_assert_uint_eq(c->rto.rto, 293);
	ck_assert_uint_eq(H.t.counts.retransmits, 2);
	h_fini(&H);
}
END_TEST

START_TEST(handshake_fails_after_max_retransmissions)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.syn_retries = 3;
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	uint64_t at[] = { 1000, 3000, 7000 };
	for (unsigned i = 0; i < 3; i++) {
		h_clear(&H);
		h_timers(&H, at[i] - 1);
		ck_assert_uint_eq(H.nseg, 0);
		h_timers(&H, at[i]);
		ck_assert_uint_eq(H.nseg, 1);
		CK_SEG(&H, 0, DV_TCP_SYN, iss, 0, 4096, 0);
		ck_assert_uint_eq(H.seg[0].seg.mss, 1460);
		CK_EV(&H, 0, DV_TCP_EV_RETRANSMIT);
		ck_assert_uint_eq(H.ev[0].ev.nth, i + 1);
	}
	h_clear(&H);
	h_timers(&H, 14999);
	ck_assert_uint_eq(H.nev, 0);
	h_timers(&H, 15000);
	ck_assert_uint_eq(H.nseg, 0);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_CONNECT_FAILED);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 15000);
	ck_assert_uint_eq(H.t.counts.syn_retransmits, 3);
	ck_assert_uint_eq(H.t.counts.connect_failed, 1);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

START_TEST(lost_syn_sets_rto_to_3s)
{
	/* RFC 6298 5.7: after a retransmitted SYN (no sample, Karn) the RTO is 3 s. */
	struct dv_tcp_cfg cfg = h_cfg();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	h_timers(&H, 1000);
	ck_assert_uint_eq(h_conn(&H, 0)->rto.rto, 2000);
	synack(&H, 0, IRS, 65535, 1400, 1100);
	const struct dv_tcp_conn *c = h_conn(&H, 0);
	ck_assert_uint_eq(c->state, DV_TCP_ESTABLISHED);
	ck_assert_uint_eq(c->rto.rto, 3000);
	ck_assert(!c->rto.measured);
	h_fini(&H);
}
END_TEST

START_TEST(no_rtt_sample_across_a_stall)
{
	/* The handshake straddles a stall of ours (opened at 0, we ran again at 300):
	 * its 310 ticks are no sample (else RTO = 310 + 4 * 155 = 930). */
	struct dv_tcp_cfg cfg = h_cfg();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	dv_tcp_table_stalled(&H.t, 300);
	synack(&H, 0, IRS, 65535, 1400, 310);
	const struct dv_tcp_conn *c = h_conn(&H, 0);
	ck_assert_uint_eq(c->state, DV_TCP_ESTABLISHED);
	ck_assert(!c->rto.measured);
	ck_assert_uint_eq(c->rto.rto, 1000);
	/* A connection opened after the stall is timed as usual. */
	dv_tcp_open(&H.t, 400);
	synack(&H, 1, IRS, 65535, 1400, 430);
	ck_assert(h_conn(&H, 1)->rto.measured);
	ck_assert_uint_eq(h_conn(&H, 1)->rto.rto, 200); /* 30 + 4 * 15, at least rto_min */
	h_fini(&H);

	/* A SYN whose timer ran out while we stalled: no 3 s after it (RFC 6298 5.7
	 * is for a path that lost the SYN), only the backoff's doubled RTO. */
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	dv_tcp_table_stalled(&H.t, 1000);
	h_timers(&H, 1000);
	ck_assert_uint_eq(H.t.counts.syn_retransmits, 1);
	synack(&H, 0, IRS, 65535, 1400, 1010);
	c = h_conn(&H, 0);
	ck_assert_uint_eq(c->state, DV_TCP_ESTABLISHED);
	ck_assert(!c->rto.measured);
	ck_assert_uint_eq(c->rto.rto, 2000);
	h_fini(&H);
}
END_TEST

START_TEST(rst_to_syn_is_refused)
{
	struct dv_tcp_cfg cfg = h_cfg();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	h_in(&H, 0, DV_TCP_RST, 0, 0, 0, NULL, 0, 10);              /* no ACK: ignored */
	h_in(&H, 0, DV_TCP_RST | DV_TCP_ACK, 0, iss + 7, 0, NULL, 0, 11); /* not our SYN's: ignored */
	ck_assert_uint_eq(H.nseg + H.nev, 0);
	ck_assert_uint_eq(H.t.counts.rst_ignored, 2);
	h_in(&H, 0, DV_TCP_RST | DV_TCP_ACK, 0, iss + 1, 0, NULL, 0, 20);
	ck_assert_uint_eq(H.nseg, 0);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_REFUSED);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 20);
	ck_assert_uint_eq(H.t.counts.refused, 1);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

START_TEST(rst_in_and_out_of_window)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	h_in(&H, 0, DV_TCP_RST, IRS + 11, 0, 0, NULL, 0, 100);     /* in window, not exact */
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 1, 4096, 0);  /* challenge ACK */
	h_in(&H, 0, DV_TCP_RST, IRS + 100001, 0, 0, NULL, 0, 101); /* outside: ignored */
	ck_assert_uint_eq(H.nseg, 1);
	h_in(&H, 0, DV_TCP_SYN, IRS + 1, 0, 0, NULL, 0, 102);      /* a SYN: challenge ACK */
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 33, IRS + 1, 4096, 0);
	ck_assert_uint_eq(H.nev, 0);
	ck_assert_uint_eq(H.t.counts.challenge_acks, 2);
	ck_assert_uint_eq(H.t.counts.rst_ignored, 1);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_ESTABLISHED);
	h_in(&H, 0, DV_TCP_RST, IRS + 1, 0, 0, NULL, 0, 500);      /* exactly RCV.NXT */
	ck_assert_uint_eq(H.nseg, 2);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_RESET);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 450); /* idle since established */
	ck_assert_uint_eq(H.ev[0].ev.outstanding, 1);
	ck_assert_uint_eq(H.t.counts.reset_by_peer, 1);
	ck_assert_uint_eq(H.t.counts.unanswered, 1);
	h_fini(&H);
}
END_TEST

START_TEST(synack_with_wrong_ack_and_for_no_connection)
{
	struct dv_tcp_cfg cfg = h_cfg();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	h_in(&H, 0, DV_TCP_SYN | DV_TCP_ACK, IRS, iss + 5, 65535, NULL, 0, 10);
	h_in(&H, 0, DV_TCP_SYN | DV_TCP_ACK, IRS, iss, 65535, NULL, 0, 11);
	/* RFC 793: <SEQ=SEG.ACK><CTL=RST>, and the SYN stays outstanding. */
	ck_assert_uint_eq(H.nseg, 2);
	CK_SEG(&H, 0, DV_TCP_RST, iss + 5, 0, 0, 0);
	CK_SEG(&H, 1, DV_TCP_RST, iss, 0, 0, 0);
	ck_assert_uint_eq(H.t.counts.bad_synack, 2);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_SYN_SENT);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 1000);
	synack(&H, 0, IRS, 65535, 0, 40); /* no MSS option: 536 */
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_ESTABLISHED);
	ck_assert_uint_eq(h_conn(&H, 0)->mss, 536);
	/* Nobody on port 10005, nor address 3: counted, never answered. */
	h_clear(&H);
	struct dv_tcp_seg s = { .seq = 1, .ack = 2, .flags = DV_TCP_SYN | DV_TCP_ACK, .wscale = -1 };
	ck_assert_int_eq(dv_tcp_input(&H.t, 0, 10005, &s, 50), -ENOENT);
	ck_assert_int_eq(dv_tcp_input(&H.t, 3, 10000, &s, 50), -ENOENT);
	ck_assert_int_eq(dv_tcp_input(&H.t, 0, 9999, &s, 50), -ENOENT);
	ck_assert_uint_eq(H.nseg, 0);
	ck_assert_uint_eq(H.t.counts.no_match, 3);
	h_fini(&H);
}
END_TEST

START_TEST(server_closes_first_after_idle)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.mode = DV_TCP_MODE_IDLE;
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 43, 4096, 0); /* idle mode: no FIN */
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 100 + 30000);
	h_timers(&H, 5099);
	h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 43, iss + 33, 65535, NULL, 0, 5100);
	ck_assert_uint_eq(H.nev, 2);
	CK_EV(&H, 1, DV_TCP_EV_PEER_FIN);
	ck_assert_uint_eq(H.ev[1].ev.ticks, 5000); /* idle before the server's FIN */
	ck_assert_uint_eq(H.ev[1].ev.outstanding, 0);
	ck_assert_uint_eq(H.nseg, 2);
	CK_SEG(&H, 1, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 44, 4096, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_LAST_ACK);
	h_in(&H, 0, DV_TCP_ACK, IRS + 44, iss + 34, 65535, NULL, 0, 5110);
	ck_assert_uint_eq(H.nseg, 2);
	CK_EV(&H, 2, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[2].ev.why, DV_TCP_WHY_PEER);
	ck_assert_uint_eq(H.t.counts.peer_fin, 1);
	ck_assert_uint_eq(H.t.counts.closed[DV_TCP_WHY_PEER], 1);
	h_fini(&H);
}
END_TEST

START_TEST(reset_after_last_answer)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.mode = DV_TCP_MODE_RST;
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_RST | DV_TCP_ACK, iss + 33, IRS + 43, 0, 0);
	ck_assert_uint_eq(H.nev, 2);
	CK_EV(&H, 0, DV_TCP_EV_MESSAGE);
	CK_EV(&H, 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_RST);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

/* N = 0: the handshake's ACK, then the mode's end. */
static void handshake_only(enum dv_tcp_mode mode)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.queries = 0;
	cfg.mode = mode;
	cfg.idle_max = 5000;
	init_q();
	h_init(&H, &cfg);
	ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 0), -EPIPE);
	dv_tcp_open(&H.t, 0);
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 30, 0), -EPIPE);
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	synack(&H, 0, IRS, 65535, 1400, 50);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
	switch (mode) {
	case DV_TCP_MODE_FIN:
		ck_assert_uint_eq(H.nseg, 2);
		CK_SEG(&H, 1, DV_TCP_FIN | DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
		h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 1, iss + 2, 65535, NULL, 0, 60);
		CK_SEG(&H, 2, DV_TCP_ACK, iss + 2, IRS + 2, 4096, 0);
		CK_EV(&H, 1, DV_TCP_EV_CLOSED);
		ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_FIN);
		break;
	case DV_TCP_MODE_RST:
		ck_assert_uint_eq(H.nseg, 2);
		CK_SEG(&H, 1, DV_TCP_RST | DV_TCP_ACK, iss + 1, IRS + 1, 0, 0);
		CK_EV(&H, 1, DV_TCP_EV_CLOSED);
		ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_RST);
		break;
	default: /* idle: until idle_max */
		ck_assert_uint_eq(H.nseg, 1);
		h_timers(&H, 5049);
		ck_assert_uint_eq(H.nseg, 1);
		h_timers(&H, 5050);
		CK_SEG(&H, 1, DV_TCP_FIN | DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
		h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 1, iss + 2, 65535, NULL, 0, 5060);
		CK_EV(&H, 1, DV_TCP_EV_CLOSED);
		ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_IDLE);
		break;
	}
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}

START_TEST(handshake_then_fin)
{
	handshake_only(DV_TCP_MODE_FIN);
}
END_TEST

START_TEST(handshake_then_rst)
{
	handshake_only(DV_TCP_MODE_RST);
}
END_TEST

START_TEST(handshake_then_idle)
{
	handshake_only(DV_TCP_MODE_IDLE);
}
END_TEST

START_TEST(three_queries_in_turn)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.queries = 3;
	init_q();
	h_init(&H, &cfg);
	ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 0), 0);
	ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 0), 1); /* K = 1: conn 0 is busy, a new one */
	ck_assert_int_eq(dv_tcp_abort(&H.t, 1, 0), 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	synack(&H, 0, IRS, 65535, 1400, 50);
	uint32_t rseq = IRS + 1;
	for (unsigned q = 0; q < 3; q++) {
		h_clear(&H);
		if (q > 0) {
			ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 100 * q), 0); /* the same connection */
			CK_SEG(&H, 0, DV_TCP_ACK | DV_TCP_PSH, iss + 1 + 32 * q, rseq, 4096, 32);
			h_clear(&H);
		}
		uint32_t n = answer(W, (uint16_t)q, 40);
		h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, rseq, iss + 1 + 32 * (q + 1), 65535, W, (uint16_t)n,
		     100 * q + 50);
		rseq += n;
		CK_EV(&H, 0, DV_TCP_EV_MESSAGE);
		ck_assert_uint_eq(H.nseg, 1);
		CK_SEG(&H, 0, q < 2 ? DV_TCP_ACK : DV_TCP_FIN | DV_TCP_ACK, iss + 33 + 32 * q, rseq,
		       4096, 0);
	}
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 30, 400), -EPIPE);
	ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 400), 1); /* a new connection */
	ck_assert_uint_eq(H.t.counts.queries, 5);
	h_fini(&H);
}
END_TEST

START_TEST(pipelined_answers_in_reverse_order)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.queries = 2;
	cfg.pipeline = 2;
	init_q();
	h_init(&H, &cfg);
	uint8_t q1[20], q2[20];
	memset(q1, 0x11, sizeof(q1));
	memset(q2, 0x22, sizeof(q2));
	ck_assert_int_eq(dv_tcp_query(&H.t, q1, 20, 0), 0);
	ck_assert_int_eq(dv_tcp_query(&H.t, q2, 20, 0), 0); /* pipelined on conn 0 */
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 20, 0), -EPIPE); /* N reached */
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	synack(&H, 0, IRS, 65535, 1400, 50);
	ck_assert_uint_eq(H.nseg, 2); /* the handshake's ACK, then both queries in one segment */
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
	CK_SEG(&H, 1, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 44);
	ck_assert_uint_eq(H.seg[1].data[0], 0);
	ck_assert_uint_eq(H.seg[1].data[1], 20);
	ck_assert_uint_eq(H.seg[1].data[2], 0x11);
	ck_assert_uint_eq(H.seg[1].data[23], 20);
	ck_assert_uint_eq(H.seg[1].data[24], 0x22);
	h_clear(&H);
	uint32_t n = answer(W, 0x2222, 30);
	n += answer(W + n, 0x1111, 50);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 45, 65535, W, (uint16_t)n, 80);
	ck_assert_uint_eq(H.nev, 2);
	CK_EV(&H, 0, DV_TCP_EV_MESSAGE);
	CK_EV(&H, 1, DV_TCP_EV_MESSAGE);
	ck_assert_uint_eq(H.ev[0].msg[0] << 8 | H.ev[0].msg[1], 0x2222);
	ck_assert_uint_eq(H.ev[0].ev.full_len, 30);
	ck_assert_uint_eq(H.ev[1].msg[0] << 8 | H.ev[1].msg[1], 0x1111);
	ck_assert_uint_eq(H.ev[1].ev.full_len, 50);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_FIN | DV_TCP_ACK, iss + 45, IRS + 1 + n, 4096, 0);
	h_fini(&H);
}
END_TEST

START_TEST(zero_window_then_opened)
{
	struct dv_tcp_cfg cfg = h_cfg();
	init_q();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	dv_tcp_send(&H.t, 0, Q, 30, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	synack(&H, 0, IRS, 0, 1400, 50); /* RTO 200 (RTT 50, the minimum) */
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 250);
	h_timers(&H, 249);
	ck_assert_uint_eq(H.nseg, 1);
	h_timers(&H, 250);
	CK_SEG(&H, 1, DV_TCP_ACK, iss, IRS + 1, 4096, 0); /* probe below SND.UNA */
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 650); /* backed off */
	h_timers(&H, 650);
	CK_SEG(&H, 2, DV_TCP_ACK, iss, IRS + 1, 4096, 0);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 1450);
	ck_assert_uint_eq(H.t.counts.persist_probes, 2);
	h_in(&H, 0, DV_TCP_ACK, IRS + 1, iss + 1, 1000, NULL, 0, 700);
	ck_assert_uint_eq(H.nseg, 4);
	CK_SEG(&H, 3, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	const struct dv_tcp_conn *c = h_conn(&H, 0);
	ck_assert_uint_eq(c->zwin_since, DV_TCP_NEVER);
	ck_assert_uint_eq(c->flags & DV_TCP_CF_PERSIST, 0);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 900);
	h_fini(&H);
}
END_TEST

START_TEST(zero_window_forever_fails)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.zwin_max = 1000;
	init_q();
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	dv_tcp_send(&H.t, 0, Q, 30, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	synack(&H, 0, IRS, 0, 1400, 50);
	h_clear(&H);
	h_timers(&H, 250);
	h_timers(&H, 650);
	h_timers(&H, 1049);
	ck_assert_uint_eq(H.nseg, 2); /* probes at 250 and 650 */
	ck_assert_uint_eq(H.nev, 0);
	h_timers(&H, 1050);
	ck_assert_uint_eq(H.nseg, 3);
	CK_SEG(&H, 2, DV_TCP_RST | DV_TCP_ACK, iss + 1, IRS + 1, 0, 0);
	CK_EV(&H, 0, DV_TCP_EV_ZERO_WINDOW);
	ck_assert_uint_eq(H.ev[0].ev.outstanding, 1);
	ck_assert_uint_eq(H.t.counts.zero_window, 1);
	ck_assert_uint_eq(H.t.counts.unanswered, 1);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

static void keepalive_on_message(struct harness *h, const struct dv_tcp_event *ev)
{
	if (ev->kind == DV_TCP_EV_MESSAGE) /* from the answer's OPT: 2 s */
		ck_assert_int_eq(dv_tcp_keepalive(&h->t, ev->conn, 20, h->now), 0);
}

START_TEST(keepalive_timeout_is_honoured)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.mode = DV_TCP_MODE_IDLE;
	uint32_t iss = setup_query(&H, &cfg);
	H.hook = keepalive_on_message;
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 2100);
	h_timers(&H, 2099);
	ck_assert_uint_eq(H.nseg, 1);
	h_timers(&H, 2100);
	ck_assert_uint_eq(H.nseg, 2);
	CK_SEG(&H, 1, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 43, 4096, 0);
	h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 43, iss + 34, 65535, NULL, 0, 2110);
	CK_EV(&H, 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_KEEPALIVE);
	ck_assert_uint_eq(H.t.counts.closed[DV_TCP_WHY_KEEPALIVE], 1);
	h_fini(&H);
}
END_TEST

START_TEST(answer_of_65535_bytes)
{
	struct dv_tcp_cfg cfg = h_cfg();
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t total = answer(W, 5, 65535);
	uint32_t off = 0;
	while (off < total) {
		uint16_t len = (uint16_t)(total - off < 1400 ? total - off : 1400);
		h_in(&H, 0, DV_TCP_ACK, IRS + 1 + off, iss + 33, 65535, W + off, len, 60 + off / 1400);
		off += len;
		ck_assert_uint_eq(H.seg[H.nseg - 1].seg.ack, IRS + 1 + off);
	}
	ck_assert_uint_eq(H.nseg, (65537 + 1399) / 1400);
	ck_assert_uint_eq(H.nev, 1);
	ck_assert_uint_eq(H.ev[0].ev.msg_len, 512);
	ck_assert_uint_eq(H.ev[0].ev.full_len, 65535);
	ck_assert_mem_eq(H.ev[0].msg, W + 2, 512);
	CK_SEG(&H, H.nseg - 1, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 65538, 4096, 0);
	h_fini(&H);
}
END_TEST

START_TEST(half_open_never_answers)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.mode = DV_TCP_MODE_HALF_OPEN;
	cfg.hold_max = 3000;
	init_q();
	h_init(&H, &cfg);
	ck_assert_int_eq(dv_tcp_query(&H.t, Q, 30, 0), -EPIPE);
	dv_tcp_open(&H.t, 0);
	ck_assert_int_eq(dv_tcp_send(&H.t, 0, Q, 30, 0), -EPIPE);
	uint16_t port = h_conn(&H, 0)->port;
	h_clear(&H);
	synack(&H, 0, IRS, 65535, 1400, 40);
	ck_assert_uint_eq(H.nseg, 0);
	CK_EV(&H, 0, DV_TCP_EV_HALF_OPEN);
	ck_assert_uint_eq(H.ev[0].ev.ticks, 40);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 3040);
	h_timers(&H, 1040); /* no SYN retransmission */
	synack(&H, 0, IRS, 65535, 1400, 1040); /* the server's retransmission */
	ck_assert_uint_eq(H.nseg, 0);
	ck_assert_uint_eq(H.t.counts.synack_ignored, 2);
	ck_assert_uint_eq(H.t.counts.half_open, 1);
	h_timers(&H, 3039);
	ck_assert_uint_eq(H.nev, 1);
	h_timers(&H, 3040);
	ck_assert_uint_eq(H.nseg, 0);
	CK_EV(&H, 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_HALF_OPEN);
	struct dv_tcp_seg s = { .seq = IRS, .ack = 1, .flags = DV_TCP_SYN | DV_TCP_ACK, .wscale = -1 };
	ck_assert_int_eq(dv_tcp_input(&H.t, 0, port, &s, 4000), -ENOENT);
	ck_assert_uint_eq(H.nseg, 0);
	h_fini(&H);
}
END_TEST

START_TEST(hold_keeps_it_open_until_the_end)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.mode = DV_TCP_MODE_HOLD;
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 33, IRS + 43, 4096, 0);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), DV_TCP_NEVER);
	h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 43, iss + 33, 65535, NULL, 0, 200);
	ck_assert_uint_eq(H.nseg, 2); /* ACK of the FIN only: CLOSE_WAIT is held */
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 33, IRS + 44, 4096, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_CLOSE_WAIT);
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), DV_TCP_NEVER);
	dv_tcp_abort_all(&H.t, 90000);
	CK_SEG(&H, 2, DV_TCP_RST | DV_TCP_ACK, iss + 33, IRS + 44, 0, 0);
	CK_EV(&H, 2, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[2].ev.why, DV_TCP_WHY_ABORTED);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

START_TEST(crossing_fins_and_fin_wait_timeout)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.fin_wait_max = 5000;
	uint32_t iss = setup_query(&H, &cfg);
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	CK_SEG(&H, 0, DV_TCP_FIN | DV_TCP_ACK, iss + 33, IRS + 43, 4096, 0);
	/* The server's FIN crosses ours (it does not ACK ours yet): CLOSING. */
	h_in(&H, 0, DV_TCP_FIN | DV_TCP_ACK, IRS + 43, iss + 33, 65535, NULL, 0, 110);
	CK_SEG(&H, 1, DV_TCP_ACK, iss + 34, IRS + 44, 4096, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_CLOSING);
	h_in(&H, 0, DV_TCP_ACK, IRS + 44, iss + 34, 65535, NULL, 0, 120);
	CK_EV(&H, 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_FIN);
	h_fini(&H);

	/* Our FIN acknowledged, the server's never comes. */
	iss = setup_query(&H, &cfg);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 100);
	h_in(&H, 0, DV_TCP_ACK, IRS + 43, iss + 34, 65535, NULL, 0, 110);
	h_timers(&H, 5109);
	ck_assert_uint_eq(H.nev, 1);
	h_timers(&H, 5110);
	CK_EV(&H, 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[1].ev.why, DV_TCP_WHY_FIN_WAIT);
	ck_assert_uint_eq(H.nseg, 1);
	h_fini(&H);
}
END_TEST

START_TEST(data_unacknowledged_times_out)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.data_retries = 2;
	cfg.rto_min = 1000;
	uint32_t iss = setup_query(&H, &cfg); /* data sent at 50, RTO 1000 */
	h_timers(&H, 1050);
	h_timers(&H, 3050);
	ck_assert_uint_eq(H.nseg, 2);
	CK_SEG(&H, 1, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	h_timers(&H, 7049);
	ck_assert_uint_eq(H.nev, 2);
	h_timers(&H, 7050);
	ck_assert_uint_eq(H.nseg, 2);
	CK_EV(&H, 2, DV_TCP_EV_TIMED_OUT);
	ck_assert_uint_eq(H.ev[2].ev.outstanding, 1);
	ck_assert_uint_eq(H.t.counts.timed_out, 1);
	h_fini(&H);
}
END_TEST

/* From the connection's own callbacks: send on established, send on an answer, abort on the last. */
static void chatty(struct harness *h, const struct dv_tcp_event *ev)
{
	const struct dv_tcp_conn *c = &h->t.conn[ev->conn];
	if (ev->kind == DV_TCP_EV_ESTABLISHED || (ev->kind == DV_TCP_EV_MESSAGE && c->answered == 1))
		ck_assert_int_eq(dv_tcp_send(&h->t, ev->conn, Q, 30, h->now), 0);
	else if (ev->kind == DV_TCP_EV_MESSAGE)
		ck_assert_int_eq(dv_tcp_abort(&h->t, ev->conn, h->now), 0);
}

START_TEST(callbacks_act_on_their_connection)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.queries = 2;
	init_q();
	h_init(&H, &cfg);
	H.hook = chatty;
	dv_tcp_open(&H.t, 0);
	uint32_t iss = h_conn(&H, 0)->iss;
	h_clear(&H);
	synack(&H, 0, IRS, 65535, 1400, 50);
	ck_assert_uint_eq(H.nseg, 2); /* the handshake's ACK, then the query */
	CK_SEG(&H, 0, DV_TCP_ACK, iss + 1, IRS + 1, 4096, 0);
	CK_SEG(&H, 1, DV_TCP_ACK | DV_TCP_PSH, iss + 1, IRS + 1, 4096, 32);
	uint32_t n = answer(W, 1, 40);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 1, iss + 33, 65535, W, (uint16_t)n, 60);
	ck_assert_uint_eq(H.nseg, 3); /* the next query carries the answer's ACK */
	CK_SEG(&H, 2, DV_TCP_ACK | DV_TCP_PSH, iss + 33, IRS + 43, 4096, 32);
	h_in(&H, 0, DV_TCP_ACK | DV_TCP_PSH, IRS + 43, iss + 65, 65535, W, (uint16_t)n, 70);
	ck_assert_uint_eq(H.nseg, 5); /* the mode's FIN, then the abort asked for meanwhile */
	CK_SEG(&H, 3, DV_TCP_FIN | DV_TCP_ACK, iss + 65, IRS + 85, 4096, 0);
	CK_SEG(&H, 4, DV_TCP_RST | DV_TCP_ACK, iss + 66, IRS + 85, 0, 0);
	CK_EV(&H, H.nev - 1, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.ev[H.nev - 1].ev.why, DV_TCP_WHY_ABORTED);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
	h_fini(&H);
}
END_TEST

/* On a connection's end: a query (fuzz_tcp_conn found it taken by the connection that just ended). */
static int requery_rc;
static void requery(struct harness *h, const struct dv_tcp_event *ev)
{
	if (ev->kind == DV_TCP_EV_CLOSED)
		requery_rc = dv_tcp_query(&h->t, Q, 20, h->now);
}

START_TEST(query_from_a_callback_skips_the_ending_connection)
{
	struct dv_tcp_cfg cfg = h_cfg();
	init_q();
	h_init(&H, &cfg);
	ck_assert_int_eq(dv_tcp_open(&H.t, 0), 0); /* in SYN_SENT with room: it takes queries */
	H.hook = requery;
	requery_rc = -1;
	h_clear(&H);
	ck_assert_int_eq(dv_tcp_close(&H.t, 0, 5), 0); /* forgotten: CLOSED, its callback queries */
	/* Not -ENOTCONN from connection 0 (ended, still in its call): a new connection takes it. */
	ck_assert_int_eq(requery_rc, 1);
	ck_assert_uint_eq(H.nev, 1);
	CK_EV(&H, 0, DV_TCP_EV_CLOSED);
	ck_assert_uint_eq(H.nseg, 1);
	CK_SEG(&H, 0, DV_TCP_SYN, h_conn(&H, 1)->iss, 0, 4096, 0);
	ck_assert_uint_eq(h_conn(&H, 0)->state, DV_TCP_CLOSED);
	ck_assert_uint_eq(h_conn(&H, 1)->state, DV_TCP_SYN_SENT);
	ck_assert_uint_eq(h_conn(&H, 1)->queued, 1);
	ck_assert_uint_eq(h_conn(&H, 1)->sbuf_len, 22);
	ck_assert_uint_eq(dv_tcp_live(&H.t), 1);
	ck_assert_uint_eq(H.t.counts.queries, 1);
	ck_assert_ptr_null(dv_tcp_table_check(&H.t));
	h_fini(&H);
}
END_TEST

START_TEST(timer_wheel_budget_and_resolution)
{
	struct dv_tcp_cfg cfg = h_cfg();
	cfg.conns = 64;
	cfg.port_hi = 10063;
	h_init(&H, &cfg);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(dv_tcp_open(&H.t, 0), i);
	ck_assert_int_eq(dv_tcp_open(&H.t, 0), -ENOSPC);
	ck_assert_uint_eq(H.t.counts.no_conn, 1);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 999, ~0u), 0);
	/* 64 SYNs due at 1000: at most 10 connections per call. */
	unsigned want[] = { 10, 10, 10, 10, 10, 10, 4, 0 };
	for (unsigned k = 0; k < 8; k++) {
		ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 1000, 10), want[k]);
		ck_assert_ptr_null(dv_tcp_table_check(&H.t));
	}
	ck_assert_uint_eq(H.t.counts.syn_retransmits, 64);
	h_fini(&H);

	/* Slots of 10 ticks: a deadline fires within 10 ticks after it, never before. */
	cfg = h_cfg();
	cfg.timer_res = 10;
	cfg.rto_init = 1005;
	h_init(&H, &cfg);
	dv_tcp_open(&H.t, 0);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 1005, ~0u), 0);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 1009, ~0u), 0);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 1010, ~0u), 1);
	ck_assert_uint_eq(H.t.counts.syn_retransmits, 1);
	/* Next: 1010 + 2010 = 3020, exactly a slot's end. */
	ck_assert_uint_eq(dv_tcp_deadline(&H.t, 0), 3020);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 3019, ~0u), 0);
	ck_assert_uint_eq(dv_tcp_timers_run(&H.t, 3020, ~0u), 1);
	h_fini(&H);
}
END_TEST

/* Garbage: random segments, timers and calls against every state; the table stays sound. */
static uint64_t ends;
static void count_ends(struct harness *h, const struct dv_tcp_event *ev)
{
	(void)h;
	if (ev->kind >= DV_TCP_EV_REFUSED)
		ends++;
}

START_TEST(random_segments_keep_the_table_sound)
{
	static uint8_t junk[4096];
	struct dv_rng rng;
	dv_rng_seed(&rng, 99);
	for (unsigned k = 0; k < sizeof(junk); k++)
		junk[k] = (uint8_t)dv_rng_next(&rng);
	static const uint8_t flagset[] = {
		DV_TCP_ACK, DV_TCP_ACK | DV_TCP_PSH, DV_TCP_FIN | DV_TCP_ACK, DV_TCP_RST,
		DV_TCP_RST | DV_TCP_ACK, DV_TCP_SYN | DV_TCP_ACK, DV_TCP_SYN, 0,
	};
	unsigned seen = 0;
	for (unsigned mode = DV_TCP_MODE_FIN; mode <= DV_TCP_MODE_HALF_OPEN; mode++)
		for (unsigned nq = 0; nq <= 3; nq += 3)
			for (unsigned k = 1; k <= 2; k++) {
				struct dv_tcp_cfg cfg = h_cfg();
				cfg.mode = mode;
				cfg.queries = nq;
				cfg.pipeline = (uint16_t)k;
				cfg.rcvbuf = 1024;
				cfg.prefix = 100;
				cfg.hold_max = 2000;
				cfg.idle_max = 3000;
				cfg.fin_wait_max = 2000;
				cfg.zwin_max = 1500;
				cfg.syn_retries = 2;
				cfg.data_retries = 2;
				cfg.quarantine = 100;
				cfg.timer_slots = 64;
				cfg.iw = 2;
				h_init(&H, &cfg);
				H.hook = count_ends;
				ends = 0;
				uint64_t now = 0;
				for (unsigned it = 0; it < 4000; it++) {
					h_clear(&H);
					uint64_t r = dv_rng_next(&rng);
					uint32_t i = (uint32_t)(r >> 8) % (cfg.conns + 1);
					const struct dv_tcp_conn *c = &H.t.conn[i < cfg.conns ? i : 0];
					switch (r % 16) {
					case 0:
						dv_tcp_open(&H.t, now);
						break;
					case 1:
						dv_tcp_query(&H.t, junk, (uint16_t)(1 + (r >> 20) % 600), now);
						break;
					case 2:
						now += (r >> 16) % 700;
						dv_tcp_timers_run(&H.t, now, (unsigned)(r >> 40) % 64);
						break;
					case 3:
						dv_tcp_send(&H.t, i, junk, (uint16_t)((r >> 20) % 100), now);
						break;
					case 4:
						if ((r >> 12) % 8 == 0)
							dv_tcp_abort(&H.t, i, now);
						else if ((r >> 12) % 8 == 1)
							dv_tcp_close(&H.t, i, now);
						else
							dv_tcp_keepalive(&H.t, i, (uint16_t)(r >> 24), now);
						break;
					default: {
						/* Near what the connection expects, or anywhere. */
						bool near = (r >> 4) % 4 != 0;
						uint32_t base = c->state == DV_TCP_SYN_SENT ? (uint32_t)(r >> 32)
											    : dv_tcp_conn_rcv_nxt(c);
						uint32_t span = c->snd_max - c->snd_una + 3;
						uint64_t r2 = dv_rng_next(&rng);
						struct dv_tcp_seg s = {
							.seq = near ? base + (uint32_t)(r2 % 1600) - 100 : (uint32_t)r2,
							.ack = near ? c->snd_una - 1 + (uint32_t)((r2 >> 16) % span)
								    : (uint32_t)(r2 >> 32),
							.win = (r2 >> 24) % 5 == 0 ? 0 : (uint16_t)(r2 >> 40),
							.flags = (r2 >> 56) % 9 == 8 ? (uint8_t)(r2 >> 48)
										     : flagset[(r2 >> 56) % 9],
							.mss = (uint16_t)(r2 >> 8) % 3 == 0 ? 0 : (uint16_t)(r2 >> 20),
							.wscale = -1,
						};
						if (c->state == DV_TCP_SYN_SENT && near)
							s.ack = c->iss + 1;
						uint32_t off = (uint32_t)(r >> 20) % sizeof(junk);
						uint32_t len = (r >> 44) % 3 == 0 ? 0 : (uint32_t)(r >> 48) % 1500;
						if (len > sizeof(junk) - off)
							len = sizeof(junk) - off;
						s.len = (uint16_t)len;
						s.data = len ? junk + off : NULL;
						dv_tcp_input(&H.t, c->addr, (r >> 3) % 50 == 0 ? 10007 : c->port, &s, now);
						break;
					}
					}
					const char *bad = dv_tcp_table_check(&H.t);
					ck_assert_msg(bad == NULL, "%s (mode %u N %u K %u step %u)", bad, mode, nq, k, it);
					for (uint32_t j = 0; j < cfg.conns; j++)
						seen |= 1u << H.t.conn[j].state;
				}
				dv_tcp_abort_all(&H.t, now);
				const struct dv_tcp_counts *n = &H.t.counts;
				ck_assert_uint_eq(dv_tcp_live(&H.t), 0);
				/* Every connection ended exactly once; every query is answered or counted unanswered. */
				ck_assert_uint_eq(ends, n->opened);
				ck_assert_uint_eq(n->queries, n->answers - n->answers_unsolicited + n->unanswered);
				h_fini(&H);
			}
	for (unsigned st = DV_TCP_SYN_SENT; st <= DV_TCP_LAST_ACK; st++)
		ck_assert_msg(seen & (1u << st), "state %u never reached", st);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tcp_conn");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, handshake);
	tcase_add_test(tc, no_rtt_sample_across_a_stall);
	tcase_add_test(tc, query_and_answer_in_one_segment);
	tcase_add_test(tc, answer_across_segments);
	tcase_add_test(tc, out_of_order_answer);
	tcase_add_test(tc, duplicate_and_overlapping_segments);
	tcase_add_test(tc, rto_follows_rfc6298);
	tcase_add_test(tc, retransmission_backoff_and_karn);
	tcase_add_test(tc, handshake_fails_after_max_retransmissions);
	tcase_add_test(tc, lost_syn_sets_rto_to_3s);
	tcase_add_test(tc, rst_to_syn_is_refused);
	tcase_add_test(tc, rst_in_and_out_of_window);
	tcase_add_test(tc, synack_with_wrong_ack_and_for_no_connection);
	tcase_add_test(tc, server_closes_first_after_idle);
	tcase_add_test(tc, reset_after_last_answer);
	tcase_add_test(tc, handshake_then_fin);
	tcase_add_test(tc, handshake_then_rst);
	tcase_add_test(tc, handshake_then_idle);
	tcase_add_test(tc, three_queries_in_turn);
	tcase_add_test(tc, pipelined_answers_in_reverse_order);
	tcase_add_test(tc, zero_window_then_opened);
	tcase_add_test(tc, zero_window_forever_fails);
	tcase_add_test(tc, keepalive_timeout_is_honoured);
	tcase_add_test(tc, answer_of_65535_bytes);
	tcase_add_test(tc, half_open_never_answers);
	tcase_add_test(tc, hold_keeps_it_open_until_the_end);
	tcase_add_test(tc, crossing_fins_and_fin_wait_timeout);
	tcase_add_test(tc, data_unacknowledged_times_out);
	tcase_add_test(tc, callbacks_act_on_their_connection);
	tcase_add_test(tc, query_from_a_callback_skips_the_ending_connection);
	tcase_add_test(tc, timer_wheel_budget_and_resolution);
	tcase_add_test(tc, random_segments_keep_the_table_sound);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
