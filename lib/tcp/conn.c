#include "tcp/conn.h"

#include <errno.h>
#include <string.h>

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* t + d, or never when the limit d is 0 (no limit). */
static uint64_t after(uint64_t t, uint64_t d)
{
	return d == 0 ? DV_TCP_NEVER : t + d;
}

static bool in_window(uint32_t seq, uint32_t left, uint32_t wnd)
{
	return seq - left < wnd;
}

static void set_state(struct dv_tcp_conn *c, uint8_t state, uint64_t now)
{
	c->state = state;
	c->state_at = now;
}

/* Nothing of ours waits for an answer or an ACK: what edns-tcp-keepalive calls idle. */
static bool idle(const struct dv_tcp_conn *c)
{
	return c->queued == c->answered && c->sbuf_len == 0;
}

static void emit(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint8_t flags, uint32_t seq,
		 const uint8_t *data, uint16_t len)
{
	struct dv_tcp_seg seg = {
		.seq = seq,
		.ack = (flags & DV_TCP_ACK) ? dv_tcp_conn_rcv_nxt(c) : 0,
		.win = (flags & DV_TCP_RST) ? 0 : env->cfg->rcvbuf,
		.flags = flags,
		.mss = (flags & DV_TCP_SYN) ? env->cfg->mss : 0,
		.wscale = -1,
		.data = len > 0 ? data : NULL,
		.len = len,
	};
	if (flags & DV_TCP_ACK)
		c->flags &= (uint16_t)~DV_TCP_CF_NEED_ACK;
	env->counts->segs_out++;
	env->counts->bytes_out += len;
	env->ops->send(env->ctx, c->idx, c->addr, c->port, &seg);
}

static void emit_ack(struct dv_tcp_conn *c, const struct dv_tcp_env *env)
{
	emit(c, env, DV_TCP_ACK, c->snd_nxt, NULL, 0);
}

static void event(struct dv_tcp_conn *c, const struct dv_tcp_env *env, struct dv_tcp_event ev)
{
	ev.conn = c->idx;
	env->ops->event(env->ctx, &ev);
}

/* The connection ends here: counted once, one final event, then the table frees it. */
static void finish(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint8_t kind, uint8_t why,
		   uint64_t ticks)
{
	struct dv_tcp_counts *n = env->counts;
	uint32_t out = c->queued - c->answered;
	n->unanswered += out;
	if (dv_tcp_stream_partial(&c->rx))
		n->answers_partial++;
	switch (kind) {
	case DV_TCP_EV_REFUSED: n->refused++; break;
	case DV_TCP_EV_CONNECT_FAILED: n->connect_failed++; break;
	case DV_TCP_EV_RESET: n->reset_by_peer++; break;
	case DV_TCP_EV_TIMED_OUT: n->timed_out++; break;
	case DV_TCP_EV_ZERO_WINDOW: n->zero_window++; break;
	default: n->closed[why]++; break;
	}
	c->state = DV_TCP_CLOSED;
	c->rtx_at = c->life_at = c->deadline = DV_TCP_NEVER;
	c->zwin_since = DV_TCP_NEVER;
	event(c, env, (struct dv_tcp_event){ .kind = kind, .why = why, .outstanding = out, .ticks = ticks });
}

/* Recompute the life timer from the state and the deadline from all three timers. */
static void refresh(struct dv_tcp_conn *c, const struct dv_tcp_env *env)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	uint64_t life = DV_TCP_NEVER;
	switch (c->state) {
	case DV_TCP_SYN_SENT:
		if (c->flags & DV_TCP_CF_HALF_SEEN)
			life = after(c->state_at, cfg->hold_max);
		break;
	case DV_TCP_ESTABLISHED:
		if (cfg->mode == DV_TCP_MODE_HOLD && (c->flags & DV_TCP_CF_ENDED)) {
			life = after(c->last_active, cfg->hold_max);
		} else {
			life = after(c->last_active, cfg->idle_max);
			if ((c->flags & DV_TCP_CF_KEEPALIVE) && idle(c))
				life = min64(life, c->last_active + c->keepalive);
		}
		break;
	case DV_TCP_CLOSE_WAIT: /* held only in hold mode */
		life = after(c->state_at, cfg->hold_max);
		break;
	case DV_TCP_FIN_WAIT_2:
		life = after(c->state_at, cfg->fin_wait_max);
		break;
	default:
		break;
	}
	c->life_at = life;
	uint64_t zw = c->zwin_since == DV_TCP_NEVER ? DV_TCP_NEVER : c->zwin_since + cfg->zwin_max;
	c->deadline = min64(c->rtx_at, min64(life, zw));
}

/* Bytes of the send ring from seq on that are contiguous in memory. */
static uint32_t contiguous(const struct dv_tcp_conn *c, const struct dv_tcp_cfg *cfg, uint32_t seq,
			   const uint8_t **at)
{
	uint32_t pos = (c->sbuf_head + (seq - c->sbuf_seq)) % cfg->sndbuf;
	*at = c->sbuf + pos;
	return cfg->sndbuf - pos;
}

/* One segment of n queued bytes at seq (FIN too if it ends the data and we close). */
static void send_seg(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint32_t seq, uint32_t n,
		     uint64_t now)
{
	uint32_t end = c->sbuf_seq + c->sbuf_len;
	const uint8_t *data = NULL;
	if (n > 0)
		contiguous(c, env->cfg, seq, &data);
	uint8_t flags = DV_TCP_ACK;
	bool fin = false;
	if (seq + n == end) {
		if (n > 0)
			flags |= DV_TCP_PSH;
		if (c->flags & DV_TCP_CF_FIN_QUEUED) {
			flags |= DV_TCP_FIN;
			fin = true;
		}
	}
	bool fresh = seq == c->snd_max;
	emit(c, env, flags, seq, data, (uint16_t)n);
	c->snd_nxt = seq + n + (fin ? 1 : 0);
	if (dv_tcp_seq_lt(c->snd_max, c->snd_nxt))
		c->snd_max = c->snd_nxt;
	/* Karn: time only a segment sent for the first time, one at a time. */
	if (fresh && !(c->flags & DV_TCP_CF_TIMING)) {
		c->flags |= DV_TCP_CF_TIMING;
		c->rtt_seq = c->snd_nxt;
		c->rtt_at = now;
	}
	if (c->rtx_at == DV_TCP_NEVER)
		c->rtx_at = now + c->rto.rto;
}

/* Send what the window allows: queued bytes, then our FIN; enter persist at a zero window. */
static void output(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	if (c->state == DV_TCP_CLOSED || c->state == DV_TCP_SYN_SENT || c->state == DV_TCP_FIN_WAIT_2 ||
	    (c->flags & DV_TCP_CF_PERSIST))
		return;
	for (;;) {
		uint32_t end = c->sbuf_seq + c->sbuf_len;
		if (dv_tcp_seq_lt(c->snd_nxt, end)) {
			uint32_t right = c->snd_una + min32(c->snd_wnd, (uint32_t)cfg->iw * c->mss);
			if (!dv_tcp_seq_lt(c->snd_nxt, right))
				break;
			const uint8_t *at;
			uint32_t n = min32(end - c->snd_nxt, right - c->snd_nxt);
			n = min32(n, c->mss);
			n = min32(n, contiguous(c, cfg, c->snd_nxt, &at));
			send_seg(c, env, c->snd_nxt, n, now);
		} else if ((c->flags & DV_TCP_CF_FIN_QUEUED) && dv_tcp_seq_le(c->snd_nxt, c->fin_seq)) {
			send_seg(c, env, c->fin_seq, 0, now);
		} else {
			break;
		}
	}
	uint32_t end = c->sbuf_seq + c->sbuf_len;
	if (dv_tcp_seq_lt(c->snd_nxt, end) && c->snd_wnd == 0 && c->snd_nxt == c->snd_una) {
		c->flags |= DV_TCP_CF_PERSIST;
		c->retries = 0;
		c->rtx_at = now + c->rto.rto;
		if (c->zwin_since == DV_TCP_NEVER)
			c->zwin_since = now;
	}
}

static void close_conn(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint8_t why, uint64_t now)
{
	switch (c->state) {
	case DV_TCP_SYN_SENT: /* nothing to finish: forget it */
		finish(c, env, DV_TCP_EV_CLOSED, why, now - c->opened_at);
		return;
	case DV_TCP_ESTABLISHED:
		c->why = why;
		set_state(c, DV_TCP_FIN_WAIT_1, now);
		break;
	case DV_TCP_CLOSE_WAIT: /* why stays: the server closed first */
		set_state(c, DV_TCP_LAST_ACK, now);
		break;
	default:
		return;
	}
	c->flags |= DV_TCP_CF_FIN_QUEUED;
	c->fin_seq = c->sbuf_seq + c->sbuf_len;
	output(c, env, now);
}

/* The mode's end, once the last answer is in (or the handshake, for N = 0). */
static void maybe_end(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	if (c->state != DV_TCP_ESTABLISHED || (c->flags & DV_TCP_CF_ENDED))
		return;
	if (cfg->queries != 0 && c->answered < cfg->queries)
		return;
	c->flags |= DV_TCP_CF_ENDED;
	if (cfg->mode == DV_TCP_MODE_FIN) {
		close_conn(c, env, DV_TCP_WHY_FIN, now);
	} else if (cfg->mode == DV_TCP_MODE_RST) {
		emit(c, env, DV_TCP_RST | DV_TCP_ACK, c->snd_nxt, NULL, 0);
		finish(c, env, DV_TCP_EV_CLOSED, DV_TCP_WHY_RST, now - c->opened_at);
	}
}

void dv_tcp_conn_open(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint32_t iss,
		      uint16_t addr, uint16_t port, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	uint32_t idx = c->idx;
	uint8_t *sbuf = c->sbuf, *ring = c->rx.ring, *prefix = c->rx.prefix;
	uint64_t wheel_at = c->wheel_at;
	uint16_t busy = c->flags & DV_TCP_CF_BUSY;
	memset(c, 0, sizeof(*c));
	c->idx = idx;
	c->sbuf = sbuf;
	c->wheel_at = wheel_at;
	c->flags = busy;
	dv_tcp_stream_init(&c->rx, ring, cfg->rcvbuf, prefix, cfg->prefix, 0);
	c->addr = addr;
	c->port = port;
	c->iss = iss;
	c->snd_una = iss;
	c->snd_nxt = c->snd_max = iss + 1;
	c->sbuf_seq = iss + 1;
	c->mss = cfg->mss;
	c->opened_at = c->state_at = c->last_active = now;
	c->zwin_since = c->life_at = c->deadline = DV_TCP_NEVER;
	dv_tcp_rto_init(&c->rto, &env->rto);
	c->state = DV_TCP_SYN_SENT;
	env->counts->opened++;
	emit(c, env, DV_TCP_SYN, iss, NULL, 0);
	c->rtx_at = now + c->rto.rto;
	refresh(c, env);
}

static void syn_sent(struct dv_tcp_conn *c, const struct dv_tcp_env *env,
		     const struct dv_tcp_seg *seg, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	struct dv_tcp_counts *n = env->counts;
	bool ack = seg->flags & DV_TCP_ACK;
	if (ack && (dv_tcp_seq_le(seg->ack, c->iss) || dv_tcp_seq_lt(c->snd_max, seg->ack))) {
		/* RFC 793: not an ACK of our SYN; an RST answers it, the SYN stays out. */
		if (seg->flags & DV_TCP_RST) {
			n->rst_ignored++;
			return;
		}
		n->bad_synack++;
		emit(c, env, DV_TCP_RST, seg->ack, NULL, 0);
		return;
	}
	if (seg->flags & DV_TCP_RST) {
		if (ack)
			finish(c, env, DV_TCP_EV_REFUSED, 0, now - c->opened_at);
		else
			n->rst_ignored++;
		return;
	}
	if (!(seg->flags & DV_TCP_SYN) || !ack) { /* no simultaneous open */
		n->dropped++;
		return;
	}
	if (cfg->mode == DV_TCP_MODE_HALF_OPEN) {
		n->synack_ignored++;
		if (!(c->flags & DV_TCP_CF_HALF_SEEN)) {
			c->flags |= DV_TCP_CF_HALF_SEEN;
			c->state_at = now;
			c->rtx_at = DV_TCP_NEVER;
			n->half_open++;
			event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_HALF_OPEN,
							     .ticks = now - c->opened_at });
		}
		return;
	}
	c->irs = seg->seq;
	dv_tcp_stream_init(&c->rx, c->rx.ring, c->rx.ring_size, c->rx.prefix, c->rx.prefix_max,
			   seg->seq + 1);
	c->snd_una = seg->ack;
	c->snd_wnd = c->max_wnd = seg->win;
	c->snd_wl1 = seg->seq;
	c->snd_wl2 = seg->ack;
	uint16_t peer = seg->mss != 0 ? seg->mss : cfg->mss_default;
	c->mss = peer < cfg->mss ? peer : cfg->mss;
	if (c->flags & DV_TCP_CF_SYN_REXMIT) {
		/* RFC 6298 5.7; not when the SYN's timer ran out while we stalled. */
		if (env->rto.init < 3 * cfg->hz && c->opened_at >= env->sample_from)
			dv_tcp_rto_set(&c->rto, 3 * cfg->hz, &env->rto);
	} else if (c->opened_at >= env->sample_from) {
		dv_tcp_rto_sample(&c->rto, now - c->opened_at, &env->rto);
	}
	c->retries = 0;
	c->rtx_at = DV_TCP_NEVER;
	set_state(c, DV_TCP_ESTABLISHED, now);
	c->last_active = now;
	n->established++;
	event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_ESTABLISHED, .ticks = now - c->opened_at });
	/* The handshake's ACK goes alone, before any query, as the common stacks
	 * send it: Knot's XDP TCP (3.2) admits a connection only on an ACK
	 * without data and drops a query riding on it. */
	emit_ack(c, env);
	output(c, env, now);
	maybe_end(c, env, now);
}

struct msg_arg {
	struct dv_tcp_conn *c;
	const struct dv_tcp_env *env;
	uint64_t now;
};

static void on_message(void *p, const uint8_t *prefix, uint16_t prefix_len, uint32_t full_len)
{
	const struct msg_arg *a = p;
	struct dv_tcp_conn *c = a->c;
	struct dv_tcp_counts *n = a->env->counts;
	n->answers++;
	if (c->answered < c->queued)
		c->answered++;
	else
		n->answers_unsolicited++;
	if (full_len > prefix_len)
		n->answers_truncated++;
	c->last_active = a->now;
	event(c, a->env, (struct dv_tcp_event){ .kind = DV_TCP_EV_MESSAGE, .msg = prefix,
						.msg_len = prefix_len, .full_len = full_len });
}

/* ACK field of a synchronized segment. @return false when the segment is dropped (or ended it) */
static bool ack_in(struct dv_tcp_conn *c, const struct dv_tcp_env *env, const struct dv_tcp_seg *seg,
		   uint64_t now)
{
	uint32_t ack = seg->ack;
	if (dv_tcp_seq_lt(c->snd_max, ack) || dv_tcp_seq_lt(ack, c->snd_una - c->max_wnd)) {
		env->counts->bad_ack++;
		emit_ack(c, env);
		return false;
	}
	if (dv_tcp_seq_lt(c->snd_una, ack)) {
		if (dv_tcp_seq_lt(c->sbuf_seq, ack)) {
			uint32_t k = min32(ack - c->sbuf_seq, c->sbuf_len);
			c->sbuf_seq += k;
			c->sbuf_len = (uint16_t)(c->sbuf_len - k);
			c->sbuf_head = (uint16_t)((c->sbuf_head + k) % env->cfg->sndbuf);
		}
		c->snd_una = ack;
		if (dv_tcp_seq_lt(c->snd_nxt, ack))
			c->snd_nxt = ack;
		if ((c->flags & DV_TCP_CF_TIMING) && dv_tcp_seq_le(c->rtt_seq, ack)) {
			c->flags &= (uint16_t)~DV_TCP_CF_TIMING;
			if (c->rtt_at >= env->sample_from)
				dv_tcp_rto_sample(&c->rto, now - c->rtt_at, &env->rto);
		}
		c->retries = 0;
		/* RFC 6298 5.2, 5.3: stop when all is acknowledged, else restart. */
		if (!(c->flags & DV_TCP_CF_PERSIST))
			c->rtx_at = c->snd_una == c->snd_max ? DV_TCP_NEVER : now + c->rto.rto;
	}
	if (dv_tcp_seq_lt(c->snd_wl1, seg->seq) ||
	    (c->snd_wl1 == seg->seq && dv_tcp_seq_le(c->snd_wl2, ack))) {
		c->snd_wnd = seg->win;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = ack;
		if (seg->win > c->max_wnd)
			c->max_wnd = seg->win;
	}
	if (c->snd_wnd > 0) {
		c->zwin_since = DV_TCP_NEVER;
		if (c->flags & DV_TCP_CF_PERSIST) {
			c->flags &= (uint16_t)~DV_TCP_CF_PERSIST;
			c->retries = 0;
			c->rtx_at = c->snd_una == c->snd_max ? DV_TCP_NEVER : now + c->rto.rto;
		}
	}
	if ((c->flags & DV_TCP_CF_FIN_QUEUED) && dv_tcp_seq_lt(c->fin_seq, c->snd_una)) {
		if (c->state == DV_TCP_FIN_WAIT_1) {
			set_state(c, DV_TCP_FIN_WAIT_2, now);
		} else if (c->state == DV_TCP_CLOSING || c->state == DV_TCP_LAST_ACK) {
			/* TIME_WAIT is not held: the port's quarantine covers it. */
			finish(c, env, DV_TCP_EV_CLOSED, c->why, now - c->opened_at);
			return false;
		}
	}
	return true;
}

static void data_in(struct dv_tcp_conn *c, const struct dv_tcp_env *env, const struct dv_tcp_seg *seg,
		    uint64_t now)
{
	struct dv_tcp_counts *n = env->counts;
	if ((c->flags & DV_TCP_CF_PEER_FIN) ||
	    !(c->state == DV_TCP_ESTABLISHED || c->state == DV_TCP_FIN_WAIT_1 || c->state == DV_TCP_FIN_WAIT_2)) {
		n->dropped++;
		return;
	}
	c->flags |= DV_TCP_CF_NEED_ACK;
	struct msg_arg a = { c, env, now };
	struct dv_tcp_stream_res r;
	dv_tcp_stream_input(&c->rx, seg->seq, seg->data, seg->len, on_message, &a, &r);
	n->dup_bytes += r.dup;
	if (r.beyond > 0)
		n->beyond_window++;
	if (r.stored > 0 || r.dropped > 0) {
		n->ooo_segs++;
		if (r.dropped > 0)
			n->ooo_dropped++;
		event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_OUT_OF_ORDER });
	} else if (r.in_order == 0 && r.dup > 0) {
		n->dup_segs++;
		event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_DUPLICATE });
	}
}

/* The server's FIN, in order. */
static void peer_closed(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	c->flags |= DV_TCP_CF_PEER_FIN | DV_TCP_CF_NEED_ACK;
	c->flags &= (uint16_t)~DV_TCP_CF_FIN_AHEAD;
	switch (c->state) {
	case DV_TCP_ESTABLISHED:
		set_state(c, DV_TCP_CLOSE_WAIT, now);
		c->why = DV_TCP_WHY_PEER;
		env->counts->peer_fin++;
		event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_PEER_FIN,
						     .ticks = now - c->last_active,
						     .outstanding = c->queued - c->answered });
		if (c->state == DV_TCP_CLOSE_WAIT && env->cfg->mode != DV_TCP_MODE_HOLD)
			close_conn(c, env, DV_TCP_WHY_PEER, now);
		break;
	case DV_TCP_FIN_WAIT_1:
		set_state(c, DV_TCP_CLOSING, now);
		break;
	case DV_TCP_FIN_WAIT_2:
		emit_ack(c, env);
		finish(c, env, DV_TCP_EV_CLOSED, c->why, now - c->opened_at);
		break;
	default:
		break;
	}
}

static void synchronized(struct dv_tcp_conn *c, const struct dv_tcp_env *env,
			 const struct dv_tcp_seg *seg, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	struct dv_tcp_counts *n = env->counts;
	uint32_t rnxt = dv_tcp_conn_rcv_nxt(c);
	uint32_t seglen = (uint32_t)seg->len + ((seg->flags & DV_TCP_SYN) ? 1 : 0) +
			  ((seg->flags & DV_TCP_FIN) ? 1 : 0);
	bool start_in = in_window(seg->seq, rnxt, cfg->rcvbuf);
	if (seg->flags & DV_TCP_RST) { /* RFC 5961 3.2 */
		if (seg->seq == rnxt) {
			finish(c, env, DV_TCP_EV_RESET, 0, now - c->last_active);
		} else if (start_in) {
			n->challenge_acks++;
			emit_ack(c, env);
		} else {
			n->rst_ignored++;
		}
		return;
	}
	bool ok = start_in || (seglen > 0 && in_window(seg->seq + seglen - 1, rnxt, cfg->rcvbuf));
	if (!ok) {
		/* Old (a retransmission, a keepalive probe) or beyond the window: ACK, drop. */
		if (seg->len > 0 || (seg->flags & DV_TCP_FIN)) {
			if (dv_tcp_seq_le(seg->seq + seglen, rnxt)) {
				n->dup_segs++;
				n->dup_bytes += seg->len;
				event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_DUPLICATE });
			} else {
				n->beyond_window++;
			}
		}
		emit_ack(c, env);
		return;
	}
	if (seg->flags & DV_TCP_SYN) { /* RFC 5961 4 */
		n->challenge_acks++;
		emit_ack(c, env);
		return;
	}
	if (!(seg->flags & DV_TCP_ACK)) {
		n->dropped++;
		return;
	}
	if (!ack_in(c, env, seg, now))
		return;
	if (seg->len > 0)
		data_in(c, env, seg, now);
	if (c->state == DV_TCP_CLOSED)
		return;
	if ((seg->flags & DV_TCP_FIN) && !(c->flags & DV_TCP_CF_PEER_FIN)) {
		uint32_t f = seg->seq + seg->len;
		c->flags |= DV_TCP_CF_NEED_ACK;
		if (f - c->rx.nxt <= cfg->rcvbuf) {
			c->peer_fin = f;
			c->flags |= DV_TCP_CF_FIN_AHEAD;
		}
	}
	if ((c->flags & DV_TCP_CF_FIN_AHEAD) && c->peer_fin == c->rx.nxt)
		peer_closed(c, env, now);
	if (c->state == DV_TCP_CLOSED)
		return;
	maybe_end(c, env, now);
	if (c->state == DV_TCP_CLOSED)
		return;
	output(c, env, now);
	if (c->flags & DV_TCP_CF_NEED_ACK)
		emit_ack(c, env);
}

void dv_tcp_conn_input(struct dv_tcp_conn *c, const struct dv_tcp_env *env,
		       const struct dv_tcp_seg *seg, uint64_t now)
{
	struct dv_tcp_counts *n = env->counts;
	n->segs_in++;
	n->bytes_in += seg->len;
	if (c->state == DV_TCP_CLOSED) {
		n->no_match++;
		return;
	}
	if (seg->len > 0 && seg->data == NULL) {
		n->dropped++;
		return;
	}
	if (c->state == DV_TCP_SYN_SENT)
		syn_sent(c, env, seg, now);
	else
		synchronized(c, env, seg, now);
	if (c->state != DV_TCP_CLOSED)
		refresh(c, env);
}

bool dv_tcp_conn_can_send(const struct dv_tcp_conn *c, const struct dv_tcp_env *env)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	if (c->state != DV_TCP_SYN_SENT && c->state != DV_TCP_ESTABLISHED)
		return false;
	if (cfg->mode == DV_TCP_MODE_HALF_OPEN || (c->flags & (DV_TCP_CF_ENDED | DV_TCP_CF_FIN_QUEUED)))
		return false;
	if (c->queued >= cfg->queries || c->queued - c->answered >= cfg->pipeline)
		return false;
	return (uint32_t)(cfg->sndbuf - c->sbuf_len) >= (uint32_t)cfg->query_max + 2;
}

/* Append to the send ring (room checked by the caller). */
static void put(struct dv_tcp_conn *c, const struct dv_tcp_cfg *cfg, const uint8_t *p, uint32_t n)
{
	uint32_t pos = (c->sbuf_head + c->sbuf_len) % cfg->sndbuf;
	uint32_t first = min32(n, cfg->sndbuf - pos);
	memcpy(c->sbuf + pos, p, first);
	memcpy(c->sbuf, p + first, n - first);
	c->sbuf_len = (uint16_t)(c->sbuf_len + n);
}

int dv_tcp_conn_send(struct dv_tcp_conn *c, const struct dv_tcp_env *env, const uint8_t *msg,
		     uint16_t len, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	if (len == 0 || len > cfg->query_max || msg == NULL)
		return -EMSGSIZE;
	if ((c->state != DV_TCP_SYN_SENT && c->state != DV_TCP_ESTABLISHED) ||
	    cfg->mode == DV_TCP_MODE_HALF_OPEN || (c->flags & (DV_TCP_CF_ENDED | DV_TCP_CF_FIN_QUEUED)) ||
	    c->queued >= cfg->queries)
		return -EPIPE;
	if (c->queued - c->answered >= cfg->pipeline)
		return -EBUSY;
	if ((uint32_t)(cfg->sndbuf - c->sbuf_len) < (uint32_t)len + 2)
		return -ENOBUFS;
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	put(c, cfg, hdr, 2);
	put(c, cfg, msg, len);
	c->queued++;
	c->last_active = now;
	env->counts->queries++;
	if (c->flags & DV_TCP_CF_BUSY) {
		c->pending |= DV_TCP_PEND_FLUSH;
	} else {
		output(c, env, now);
		refresh(c, env);
	}
	return 0;
}

void dv_tcp_conn_flush(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	output(c, env, now);
	if (c->state != DV_TCP_CLOSED)
		refresh(c, env);
}

/* The oldest unacknowledged segment again (RFC 6298 5.4), then go back N from there. */
static void retransmit(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	bool syn = c->state == DV_TCP_SYN_SENT;
	if (!syn && c->snd_una == c->snd_max) { /* nothing outstanding */
		c->rtx_at = DV_TCP_NEVER;
		return;
	}
	if (c->retries >= (syn ? cfg->syn_retries : cfg->data_retries)) {
		finish(c, env, syn ? DV_TCP_EV_CONNECT_FAILED : DV_TCP_EV_TIMED_OUT, 0, now - c->opened_at);
		return;
	}
	c->retries++;
	dv_tcp_rto_backoff(&c->rto, &env->rto);
	c->flags &= (uint16_t)~DV_TCP_CF_TIMING;
	if (syn) {
		c->flags |= DV_TCP_CF_SYN_REXMIT;
		env->counts->syn_retransmits++;
		emit(c, env, DV_TCP_SYN, c->iss, NULL, 0);
	} else {
		env->counts->retransmits++;
		uint32_t end = c->sbuf_seq + c->sbuf_len;
		const uint8_t *at;
		uint32_t seq = c->snd_una;
		uint32_t n = 0;
		if (dv_tcp_seq_lt(seq, end))
			n = min32(min32(end - seq, c->mss), contiguous(c, cfg, seq, &at));
		else
			seq = c->fin_seq; /* only the FIN is outstanding */
		send_seg(c, env, seq, n, now);
	}
	c->rtx_at = now + c->rto.rto;
	event(c, env, (struct dv_tcp_event){ .kind = DV_TCP_EV_RETRANSMIT, .nth = c->retries,
					     .ticks = c->rto.rto });
}

/* Zero window: a 0-byte segment below SND.UNA makes the peer ACK with its window. */
static void probe(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	emit(c, env, DV_TCP_ACK, c->snd_una - 1, NULL, 0);
	env->counts->persist_probes++;
	if (c->retries < UINT8_MAX)
		c->retries++;
	uint64_t ivl = c->rto.rto;
	for (unsigned i = 0; i < c->retries && ivl < env->rto.max; i++)
		ivl *= 2;
	c->rtx_at = now + min64(ivl, env->rto.max);
}

static void life_over(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	const struct dv_tcp_cfg *cfg = env->cfg;
	switch (c->state) {
	case DV_TCP_SYN_SENT:
		finish(c, env, DV_TCP_EV_CLOSED, DV_TCP_WHY_HALF_OPEN, now - c->opened_at);
		break;
	case DV_TCP_ESTABLISHED:
		if (cfg->mode == DV_TCP_MODE_HOLD && (c->flags & DV_TCP_CF_ENDED))
			close_conn(c, env, DV_TCP_WHY_HOLD, now);
		else if ((c->flags & DV_TCP_CF_KEEPALIVE) && idle(c) &&
			 (cfg->idle_max == 0 || c->keepalive <= cfg->idle_max))
			close_conn(c, env, DV_TCP_WHY_KEEPALIVE, now);
		else
			close_conn(c, env, DV_TCP_WHY_IDLE, now);
		break;
	case DV_TCP_CLOSE_WAIT:
		close_conn(c, env, DV_TCP_WHY_PEER, now);
		break;
	case DV_TCP_FIN_WAIT_2:
		finish(c, env, DV_TCP_EV_CLOSED, DV_TCP_WHY_FIN_WAIT, now - c->opened_at);
		break;
	default:
		c->life_at = DV_TCP_NEVER;
		break;
	}
}

void dv_tcp_conn_timer(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	if (c->state == DV_TCP_CLOSED)
		return;
	if (c->zwin_since != DV_TCP_NEVER && now - c->zwin_since >= env->cfg->zwin_max) {
		emit(c, env, DV_TCP_RST | DV_TCP_ACK, c->snd_nxt, NULL, 0);
		finish(c, env, DV_TCP_EV_ZERO_WINDOW, 0, now - c->opened_at);
		return;
	}
	if (c->rtx_at <= now) {
		if (c->flags & DV_TCP_CF_PERSIST)
			probe(c, env, now);
		else
			retransmit(c, env, now);
		if (c->state == DV_TCP_CLOSED)
			return;
	}
	if (c->life_at <= now)
		life_over(c, env, now);
	if (c->state != DV_TCP_CLOSED)
		refresh(c, env);
}

void dv_tcp_conn_close(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint8_t why, uint64_t now)
{
	close_conn(c, env, why, now);
	if (c->state != DV_TCP_CLOSED)
		refresh(c, env);
}

void dv_tcp_conn_abort(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t now)
{
	if (c->state == DV_TCP_CLOSED)
		return;
	if (c->state != DV_TCP_SYN_SENT)
		emit(c, env, DV_TCP_RST | DV_TCP_ACK, c->snd_nxt, NULL, 0);
	finish(c, env, DV_TCP_EV_CLOSED, DV_TCP_WHY_ABORTED, now - c->opened_at);
}

void dv_tcp_conn_keepalive(struct dv_tcp_conn *c, const struct dv_tcp_env *env, uint64_t ticks,
			   uint64_t now)
{
	(void)now;
	c->keepalive = ticks;
	c->flags |= DV_TCP_CF_KEEPALIVE;
	if (c->state != DV_TCP_CLOSED)
		refresh(c, env);
}
