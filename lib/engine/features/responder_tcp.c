/*
 * The embedded responder's TCP server: connections in a fixed table, queries
 * gathered from the byte stream, answers cut into segments, and the tcp-*
 * impairments applied exactly where a test can count them.
 */
#include "engine/features/responder_tcp.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/count.h"
#include "core/hash.h"
#include "wire/frame_parse.h"

#define MEM_ALIGN 64
#define ANS_ROOM (2 + DV_TCP_MSG_MAX)   /* length prefix + the largest message */
#define NCONN_MAX (1u << 24)
#define MSS_DEFAULT4 536                /* a client's MSS when its SYN has none (RFC 9293 3.7.1) */
#define MSS_DEFAULT6 1220               /* ... over IPv6 (RFC 8200 8.3) */
#define NO_DEADLINE UINT64_MAX

enum conn_state {
	ST_FREE = 0,
	ST_SYN_RCVD,    /* SYN-ACK sent, waiting for its ACK */
	ST_ESTABLISHED,
	ST_LAST_ACK,    /* the client closed, our FIN sent: its ACK frees the entry */
	ST_FIN_WAIT,    /* we closed first (tcp-idle-close): the client's FIN frees the entry */
};

/** One connection. The fields the table's probe reads come first. */
struct dv_resp_tcp_conn {
	uint8_t state;          /* enum conn_state */
	bool v6;
	uint16_t cport;         /* the client's port, host order */
	uint8_t caddr[16];      /* the client's address (IPv4: the first 4 bytes) */
	uint32_t hash;
	uint32_t iss;           /* our initial sequence number */
	uint32_t irs;           /* the client's */
	uint32_t snd_nxt;
	uint32_t rcv_nxt;
	uint32_t queries;       /* complete queries received (tcp-rst-after) */
	uint32_t data_segs;     /* segments with data received (tcp-drop-seg) */
	uint16_t seg_max;       /* payload per segment we send: the client's MSS, ours, tcp-split */
	uint16_t qlen;          /* bytes held in qbuf: the start of a query, its prefix included */
	struct dv_tcp_tmpl tmpl; /* our Ethernet and IP headers to the client */
	uint8_t qbuf[DV_RESP_TCP_QBUF];
};

/* What became of a connection while a segment was handled. */
enum verdict {
	V_OPEN,   /* still there */
	V_GONE,   /* freed (RST sent or received, closed) */
};

static size_t align_up(size_t n)
{
	return (n + MEM_ALIGN - 1) & ~(size_t)(MEM_ALIGN - 1);
}

/* Slots: a power of two at least twice the connections, so a probe stays short. */
static uint32_t slot_count(uint32_t nconn)
{
	uint32_t n = 16;
	while (n < 2 * nconn)
		n <<= 1;
	return n;
}

size_t dv_resp_tcp_mem_size(uint32_t nconn)
{
	return align_up((size_t)nconn * sizeof(struct dv_resp_tcp_conn)) +
	       align_up((size_t)slot_count(nconn) * sizeof(uint64_t)) +
	       align_up((size_t)nconn * sizeof(uint64_t)) +
	       align_up((size_t)nconn * sizeof(uint32_t)) + align_up(ANS_ROOM);
}

int dv_resp_tcp_init(struct dv_resp_tcp *t, void *mem, uint32_t nconn,
		     const struct dv_resp_tcp_cfg *cfg)
{
	if (nconn == 0 || nconn > NCONN_MAX || mem == NULL || cfg == NULL ||
	    cfg->answer == NULL || cfg->hooks.emit == NULL || cfg->hz == 0)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	uint8_t *p = mem;
	uint32_t nslot = slot_count(nconn);
	memset(mem, 0, dv_resp_tcp_mem_size(nconn));
	t->conn = (struct dv_resp_tcp_conn *)p;
	p += align_up((size_t)nconn * sizeof(*t->conn));
	t->slot = (uint64_t *)p;
	p += align_up((size_t)nslot * sizeof(uint64_t));
	t->deadline = (uint64_t *)p;
	p += align_up((size_t)nconn * sizeof(uint64_t));
	t->free_idx = (uint32_t *)p;
	p += align_up((size_t)nconn * sizeof(uint32_t));
	t->ans = p;
	t->nconn = nconn;
	t->slot_mask = nslot - 1;
	/* Popped from the top: index 0 first, so that runs are repeatable. */
	for (uint32_t i = 0; i < nconn; i++) {
		t->free_idx[i] = nconn - 1 - i;
		t->deadline[i] = NO_DEADLINE;
	}
	t->nfree = nconn;
	const struct dv_impair_plan *ip = &cfg->impair;
	t->idle_ticks = ip->tcp_idle_close_s > 0.0
			? (uint64_t)(ip->tcp_idle_close_s * (double)cfg->hz + 0.5) : 0;
	if (ip->tcp_idle_close_s > 0.0 && t->idle_ticks == 0)
		t->idle_ticks = 1;
	t->linger_ticks = (uint64_t)(DV_RESP_TCP_LINGER_S * (double)cfg->hz);
	t->keepalive = ip->tcp_keepalive != 0 ? (int)ip->tcp_keepalive : -1;
	dv_rng_seed(&t->rng, cfg->seed ^ 0x7463707372767231ull);
	return 0;
}

void dv_resp_tcp_counts_read(const struct dv_resp_tcp *t, struct dv_resp_tcp_counts *out)
{
	const struct dv_resp_tcp_counts *n = &t->n;
	*out = (struct dv_resp_tcp_counts){
		.accepted = dv_count_read(&n->accepted),
		.answers = dv_count_read(&n->answers),
		.rsts = dv_count_read(&n->rsts),
		.fins = dv_count_read(&n->fins),
		.segs_dropped = dv_count_read(&n->segs_dropped),
		.syns_ignored = dv_count_read(&n->syns_ignored),
		.table_full = dv_count_read(&n->table_full),
		.too_long = dv_count_read(&n->too_long),
		.bad_queries = dv_count_read(&n->bad_queries),
		.bad_segments = dv_count_read(&n->bad_segments),
		.expired = dv_count_read(&n->expired),
	};
}

uint32_t dv_resp_tcp_open(const struct dv_resp_tcp *t)
{
	return t->nconn - t->nfree;
}

/* ---------------------------------------------------------------- the table */

static uint32_t key_hash(bool v6, const uint8_t *addr, uint16_t port)
{
	uint64_t h = dv_fnv1a(DV_FNV_OFFSET ^ ((uint64_t)port << 8 | v6), addr, v6 ? 16 : 4);
	return (uint32_t)(h ^ (h >> 32));
}

static bool key_eq(const struct dv_resp_tcp_conn *c, bool v6, const uint8_t *addr, uint16_t port)
{
	return c->v6 == v6 && c->cport == port && memcmp(c->caddr, addr, v6 ? 16 : 4) == 0;
}

/* The slot holding connection index i (present). */
static uint32_t slot_of(const struct dv_resp_tcp *t, uint32_t hash, uint32_t i)
{
	uint32_t s = hash & t->slot_mask;
	while ((uint32_t)t->slot[s] != i + 1)
		s = (s + 1) & t->slot_mask;
	return s;
}

static struct dv_resp_tcp_conn *lookup(struct dv_resp_tcp *t, uint32_t hash, bool v6,
				       const uint8_t *addr, uint16_t port)
{
	for (uint32_t s = hash & t->slot_mask; t->slot[s] != 0; s = (s + 1) & t->slot_mask) {
		if ((uint32_t)(t->slot[s] >> 32) != hash)
			continue;
		struct dv_resp_tcp_conn *c = &t->conn[(uint32_t)t->slot[s] - 1];
		if (key_eq(c, v6, addr, port))
			return c;
	}
	return NULL;
}

/* Remove connection c: its slot is emptied by shifting the probe run back (no tombstones). */
static void conn_free(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c)
{
	uint32_t idx = (uint32_t)(c - t->conn);
	uint32_t mask = t->slot_mask;
	uint32_t i = slot_of(t, c->hash, idx);
	for (;;) {
		uint32_t j = i;
		for (;;) {
			j = (j + 1) & mask;
			if (t->slot[j] == 0) {
				t->slot[i] = 0;
				goto done;
			}
			uint32_t home = (uint32_t)(t->slot[j] >> 32) & mask;
			/* It stays if its home lies cyclically in (i, j]. */
			bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
			if (!stays)
				break;
		}
		t->slot[i] = t->slot[j];
		i = j;
	}
done:
	c->state = ST_FREE;
	t->deadline[idx] = NO_DEADLINE;
	t->free_idx[t->nfree++] = idx;
}

/* When the timer must next look at c: idle close, or forgetting it. */
static void touch(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c, uint64_t now)
{
	uint64_t *d = &t->deadline[c - t->conn];
	if (c->state == ST_ESTABLISHED)
		*d = t->idle_ticks != 0 ? now + t->idle_ticks : NO_DEADLINE;
	else
		*d = now + t->linger_ticks;
}

/* ---------------------------------------------------------------- sending */

static void emit(struct dv_resp_tcp *t, const struct dv_tcp_tmpl *tm, uint16_t cport,
		 const struct dv_tcp_seg *seg, enum dv_resp_tcp_kind kind)
{
	uint16_t len = dv_tcp_build(t->frame, sizeof(t->frame), tm, NULL, t->cfg.port, cport, seg);
	if (len == 0)
		return; /* cannot happen: the frame is sized for the largest segment */
	if (seg->flags & DV_TCP_RST)
		dv_count_add(&t->n.rsts, 1);
	if (seg->flags & DV_TCP_FIN)
		dv_count_add(&t->n.fins, 1);
	t->cfg.hooks.emit(t->cfg.hooks.ctx, t->frame, len, kind);
}

/* A segment without data from our side of c. */
static void send_flags(struct dv_resp_tcp *t, const struct dv_resp_tcp_conn *c, uint32_t seq,
		       uint8_t flags, enum dv_resp_tcp_kind kind)
{
	struct dv_tcp_seg s = { .seq = seq, .ack = c->rcv_nxt, .win = DV_RESP_TCP_WIN,
				.flags = flags, .wscale = -1 };
	emit(t, &c->tmpl, c->cport, &s, kind);
}

static void send_ack(struct dv_resp_tcp *t, const struct dv_resp_tcp_conn *c)
{
	send_flags(t, c, c->snd_nxt, DV_TCP_ACK, DV_RESP_TCP_CONTROL);
}

static void send_synack(struct dv_resp_tcp *t, const struct dv_resp_tcp_conn *c)
{
	struct dv_tcp_seg s = { .seq = c->iss, .ack = c->rcv_nxt, .win = DV_RESP_TCP_WIN,
				.flags = DV_TCP_SYN | DV_TCP_ACK, .wscale = -1,
				.mss = c->v6 ? DV_RESP_TCP_MSS6 : DV_RESP_TCP_MSS4 };
	emit(t, &c->tmpl, c->cport, &s, DV_RESP_TCP_CONTROL);
}

/* Our FIN: the connection's last byte. */
static void send_fin(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c)
{
	send_flags(t, c, c->snd_nxt, DV_TCP_FIN | DV_TCP_ACK, DV_RESP_TCP_CLOSE);
	c->snd_nxt++;
}

/* Reset c and forget it. */
static void reset(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c)
{
	send_flags(t, c, c->snd_nxt, DV_TCP_RST | DV_TCP_ACK, DV_RESP_TCP_CLOSE);
	conn_free(t, c);
}

/* Our headers back to the sender of a segment: MACs and addresses swapped, its VLAN kept. */
static int tmpl_reply(const uint8_t *frame, const struct dv_tcp_view *v, struct dv_tcp_tmpl *tm)
{
	struct dv_endpoints ep;
	memset(&ep, 0, sizeof(ep));
	memcpy(ep.src_mac, frame, 6);
	memcpy(ep.dst_mac, frame + 6, 6);
	ep.src.family = ep.dst.family = v->family;
	if (v->family == AF_INET6) {
		memcpy(&ep.src.v6, v->daddr, 16);
		memcpy(&ep.dst.v6, v->saddr, 16);
	} else {
		memcpy(&ep.src.v4, v->daddr, 4);
		memcpy(&ep.dst.v4, v->saddr, 4);
	}
	ep.dport = v->sport;
	if (v->l3_off > DV_ETH_HLEN)
		ep.vlan = dv_rd16(frame + DV_ETH_HLEN) & 0x0fff;
	return dv_tcp_tmpl_build(&ep, tm);
}

/* RST to a segment of no connection of ours (RFC 9293 3.10.7.1). Never to a RST. */
static void reset_stray(struct dv_resp_tcp *t, const uint8_t *frame, const struct dv_tcp_view *v)
{
	const struct dv_tcp_seg *in = &v->seg;
	struct dv_tcp_tmpl tm;
	if ((in->flags & DV_TCP_RST) || tmpl_reply(frame, v, &tm) != 0)
		return;
	struct dv_tcp_seg s = { .win = 0, .wscale = -1 };
	if (in->flags & DV_TCP_ACK) {
		s.seq = in->ack;
		s.flags = DV_TCP_RST;
	} else {
		s.ack = in->seq + in->len + ((in->flags & DV_TCP_SYN) ? 1 : 0) +
			((in->flags & DV_TCP_FIN) ? 1 : 0);
		s.flags = DV_TCP_RST | DV_TCP_ACK;
	}
	emit(t, &tm, v->sport, &s, DV_RESP_TCP_CONTROL);
}

/* An answer message of len bytes at t->ans + 2: prefixed and sent in segments (tcp-split, tcp-reorder). */
static void send_answer(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c, uint16_t len)
{
	uint32_t total = 2u + len;
	uint32_t step = c->seg_max;
	uint32_t nseg = (total + step - 1) / step;
	dv_wr16(t->ans, len);
	for (uint32_t k = 0; k < nseg; k++) {
		uint32_t i = t->cfg.impair.tcp_reorder ? nseg - 1 - k : k;
		uint32_t off = i * step;
		uint32_t n = total - off < step ? total - off : step;
		struct dv_tcp_seg s = { .seq = c->snd_nxt + off, .ack = c->rcv_nxt,
					.win = DV_RESP_TCP_WIN, .wscale = -1,
					.flags = DV_TCP_ACK | (i == nseg - 1 ? DV_TCP_PSH : 0),
					.data = t->ans + off, .len = (uint16_t)n };
		emit(t, &c->tmpl, c->cport, &s, DV_RESP_TCP_ANSWER);
	}
	c->snd_nxt += total;
	dv_count_add(&t->n.answers, 1);
}

/* ---------------------------------------------------------------- queries */

/* One query of len bytes: answered (unless the caller's impairments skip it), then tcp-rst-after. */
static enum verdict answer_query(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c,
				 const uint8_t *msg, uint16_t len, bool *answered)
{
	const struct dv_resp_tcp_hooks *h = &t->cfg.hooks;
	c->queries++;
	if (t->cfg.impair.tcp_rst_query) {
		reset(t, c); /* tcp-rst-query: a RST where the answer would be */
		return V_GONE;
	}
	if (h->skip == NULL || !h->skip(h->ctx, c->v6 ? AF_INET6 : AF_INET, msg, len)) {
		memcpy(t->ans + 2, msg, len);
		int n = dv_answer_build_msg(t->ans + 2, len, DV_TCP_MSG_MAX, t->cfg.answer,
					    t->keepalive);
		if (n < 0) {
			dv_count_add(&t->n.bad_queries, 1);
		} else {
			send_answer(t, c, (uint16_t)n);
			*answered = true;
		}
	}
	if (t->cfg.impair.tcp_rst_after != 0 && c->queries == t->cfg.impair.tcp_rst_after) {
		reset(t, c);
		return V_GONE;
	}
	return V_OPEN;
}

/* A batch of complete queries of one segment, in order or (tcp-reverse) last first. */
static enum verdict answer_batch(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c,
				 const uint8_t *const *msg, const uint16_t *len, unsigned n,
				 bool *answered)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned i = t->cfg.impair.tcp_reverse ? n - 1 - k : k;
		if (answer_query(t, c, msg[i], len[i], answered) == V_GONE)
			return V_GONE;
	}
	return V_OPEN;
}

/* A query that does not fit the buffer: the connection is reset. */
static enum verdict too_long(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c)
{
	dv_count_add(&t->n.too_long, 1);
	reset(t, c);
	return V_GONE;
}

/*
 * New in-order stream bytes p[0, n): finish the query held in qbuf, answer
 * every complete query, keep the start of the next one in qbuf.
 */
static enum verdict take_stream(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c,
				const uint8_t *p, size_t n, bool *answered)
{
	const uint8_t *msg[DV_RESP_TCP_BATCH];
	uint16_t mlen[DV_RESP_TCP_BATCH];
	unsigned nb = 0;
	size_t pos = 0;

	if (c->qlen > 0) {
		while (c->qlen < 2 && pos < n)
			c->qbuf[c->qlen++] = p[pos++];
		if (c->qlen < 2)
			return V_OPEN;
		size_t total = 2u + dv_rd16(c->qbuf);
		if (total > DV_RESP_TCP_QBUF)
			return too_long(t, c);
		size_t take = total - c->qlen < n - pos ? total - c->qlen : n - pos;
		memcpy(c->qbuf + c->qlen, p + pos, take);
		c->qlen = (uint16_t)(c->qlen + take);
		pos += take;
		if (c->qlen < total)
			return V_OPEN;
		msg[nb] = c->qbuf + 2;
		mlen[nb++] = (uint16_t)(total - 2);
	}
	while (n - pos >= 2) {
		size_t total = 2u + dv_rd16(p + pos);
		if (total > DV_RESP_TCP_QBUF) {
			/* The queries before it were asked first: they are answered first. */
			if (answer_batch(t, c, msg, mlen, nb, answered) == V_GONE)
				return V_GONE;
			return too_long(t, c);
		}
		if (n - pos < total)
			break;
		msg[nb] = p + pos + 2;
		mlen[nb++] = (uint16_t)(total - 2);
		pos += total;
		if (nb == DV_RESP_TCP_BATCH) {
			if (answer_batch(t, c, msg, mlen, nb, answered) == V_GONE)
				return V_GONE;
			nb = 0;
		}
	}
	if (answer_batch(t, c, msg, mlen, nb, answered) == V_GONE)
		return V_GONE;
	/* The start of the next query (< 2 + its length, which fits the buffer). */
	c->qlen = (uint16_t)(n - pos);
	memcpy(c->qbuf, p + pos, n - pos);
	return V_OPEN;
}

/* ---------------------------------------------------------------- segments */

static void accept_syn(struct dv_resp_tcp *t, const uint8_t *frame, const struct dv_tcp_view *v,
		       uint32_t hash, uint64_t now)
{
	const struct dv_tcp_seg *in = &v->seg;
	if (t->nfree == 0) {
		dv_count_add(&t->n.table_full, 1);
		reset_stray(t, frame, v);
		return;
	}
	uint32_t idx = t->free_idx[t->nfree - 1];
	struct dv_resp_tcp_conn *c = &t->conn[idx];
	if (tmpl_reply(frame, v, &c->tmpl) != 0)
		return; /* not IPv4 or IPv6: cannot happen for a parsed segment */
	t->nfree--;
	bool v6 = v->family == AF_INET6;
	c->state = ST_SYN_RCVD;
	c->v6 = v6;
	c->cport = v->sport;
	memset(c->caddr, 0, sizeof(c->caddr));
	memcpy(c->caddr, v->saddr, v6 ? 16 : 4);
	c->hash = hash;
	c->iss = (uint32_t)dv_rng_next(&t->rng);
	c->irs = in->seq;
	c->snd_nxt = c->iss + 1;
	c->rcv_nxt = in->seq + 1; /* data on a SYN is not taken (no TCP Fast Open) */
	c->queries = 0;
	c->data_segs = 0;
	c->qlen = 0;
	uint32_t mss = in->mss != 0 ? in->mss : (v6 ? MSS_DEFAULT6 : MSS_DEFAULT4);
	uint32_t ours = v6 ? DV_RESP_TCP_MSS6 : DV_RESP_TCP_MSS4;
	if (mss > ours)
		mss = ours;
	if (t->cfg.impair.tcp_split != 0 && mss > t->cfg.impair.tcp_split)
		mss = t->cfg.impair.tcp_split;
	c->seg_max = (uint16_t)mss;
	uint32_t s = hash & t->slot_mask;
	while (t->slot[s] != 0)
		s = (s + 1) & t->slot_mask;
	t->slot[s] = (uint64_t)hash << 32 | (idx + 1);
	touch(t, c, now);
	dv_count_add(&t->n.accepted, 1);
	if (t->cfg.hooks.client != NULL)
		t->cfg.hooks.client(t->cfg.hooks.ctx, v->family, v->saddr, v->sport);
	send_synack(t, c);
}

/* A SYN: a new connection, or a retransmission of the one we answered. */
static void take_syn(struct dv_resp_tcp *t, const uint8_t *frame, const struct dv_tcp_view *v,
		     struct dv_resp_tcp_conn *c, uint32_t hash, uint64_t now)
{
	const struct dv_tcp_seg *in = &v->seg;
	if (in->flags & (DV_TCP_FIN | DV_TCP_RST))
		return; /* nonsense: dropped */
	if (in->flags & DV_TCP_ACK) {
		/* A SYN-ACK to a server: not ours to accept. */
		if (c == NULL)
			reset_stray(t, frame, v);
		return;
	}
	if (t->cfg.impair.tcp_no_synack) {
		dv_count_add(&t->n.syns_ignored, 1);
		return;
	}
	if (t->cfg.impair.tcp_refuse) {
		reset_stray(t, frame, v); /* RST+ACK: nobody listens (counted in rsts) */
		return;
	}
	if (c != NULL) {
		if (c->state == ST_SYN_RCVD && in->seq == c->irs) {
			send_synack(t, c); /* the same SYN-ACK again */
			touch(t, c, now);
			return;
		}
		if (c->state == ST_ESTABLISHED) {
			/* A SYN in a synchronized state gets a challenge ACK (RFC 5961 4). */
			send_ack(t, c);
			return;
		}
		/* Half-open with another ISN, or closing: the client has moved on. */
		conn_free(t, c);
	}
	accept_syn(t, frame, v, hash, now);
}

/* Data, ACK and FIN of a segment on connection c. */
static void take_segment(struct dv_resp_tcp *t, struct dv_resp_tcp_conn *c,
			 const struct dv_tcp_seg *in, uint64_t now)
{
	if (in->flags & DV_TCP_RST) {
		/* Accepted in the window we offer (our window is never smaller). */
		if ((uint32_t)(in->seq - c->rcv_nxt) < DV_RESP_TCP_WIN)
			conn_free(t, c);
		return;
	}
	if (!(in->flags & DV_TCP_ACK))
		return; /* past the SYN every segment carries an ACK (RFC 9293 3.10.7.4) */
	if (in->len > 0 && t->cfg.impair.tcp_drop_seg != 0 &&
	    ++c->data_segs == t->cfg.impair.tcp_drop_seg) {
		/* As if lost on the wire: nothing of it is seen. */
		dv_count_add(&t->n.segs_dropped, 1);
		return;
	}
	if (c->state == ST_SYN_RCVD) {
		if (in->ack != c->iss + 1) {
			struct dv_tcp_seg s = { .seq = in->ack, .flags = DV_TCP_RST, .wscale = -1 };
			emit(t, &c->tmpl, c->cport, &s, DV_RESP_TCP_CONTROL);
			return;
		}
		c->state = ST_ESTABLISHED;
	}
	if (dv_tcp_seq_lt(c->snd_nxt, in->ack)) {
		send_ack(t, c); /* it acknowledges what we never sent */
		return;
	}
	touch(t, c, now);
	if (c->state == ST_LAST_ACK && in->ack == c->snd_nxt) {
		conn_free(t, c); /* our FIN is acknowledged: done */
		return;
	}

	bool answered = false;
	bool need_ack = false;
	uint32_t end = in->seq + in->len; /* where its data ends (its FIN sits there) */
	if (in->len > 0) {
		need_ack = true;
		if (dv_tcp_seq_lt(c->rcv_nxt, in->seq))
			goto ack; /* a gap before it: out of order, ignored until the gap is filled */
		if (!dv_tcp_seq_lt(c->rcv_nxt, end))
			goto fin; /* all of it seen before */
		uint32_t skip = c->rcv_nxt - in->seq; /* the part seen before */
		const uint8_t *p = in->data + skip;
		size_t n = in->len - skip;
		c->rcv_nxt = end;
		if (c->state == ST_ESTABLISHED) {
			if (take_stream(t, c, p, n, &answered) == V_GONE)
				return;
		}
		/* Queries after our FIN or the client's cannot be answered: taken and dropped. */
	}
fin:
	if ((in->flags & DV_TCP_FIN) && end == c->rcv_nxt && c->state != ST_LAST_ACK) {
		c->rcv_nxt++;
		if (c->state == ST_FIN_WAIT) {
			send_ack(t, c); /* both closed: no TIME-WAIT here */
			conn_free(t, c);
			return;
		}
		/* The client closed: our FIN, after our answers. Those may wait in
		 * the delay line: then its data and FIN are ACKed at once. */
		if (t->cfg.late_answers)
			send_ack(t, c);
		send_fin(t, c);
		c->state = ST_LAST_ACK;
		touch(t, c, now);
		return;
	}
	if ((in->flags & DV_TCP_FIN) && c->state == ST_LAST_ACK && end + 1 == c->rcv_nxt) {
		/* The client sent its FIN again: so our FIN, again. */
		send_flags(t, c, c->snd_nxt - 1, DV_TCP_FIN | DV_TCP_ACK, DV_RESP_TCP_CLOSE);
		return;
	}
ack:
	/* Answers carry the ACK, unless they wait in the delay line (the client must not). */
	if (need_ack && (!answered || t->cfg.late_answers))
		send_ack(t, c);
}

int dv_resp_tcp_input(struct dv_resp_tcp *t, const uint8_t *frame, size_t len, uint64_t now)
{
	struct dv_tcp_view v;
	int rc = dv_tcp_parse(frame, len, true, &v);
	if (rc == -EBADMSG) {
		/* A malformed frame is ours only if it is TCP at all. */
		struct dv_ip_view w;
		enum dv_pkt_class cls;
		if (!dv_frame_walk_ip(frame, len, &w, &cls) || w.proto != DV_IPPROTO_TCP || w.frag)
			return -ENOMSG;
		dv_count_add(&t->n.bad_segments, 1);
		return 0;
	}
	if (rc != 0 || v.dport != t->cfg.port)
		return -ENOMSG;

	bool v6 = v.family == AF_INET6;
	uint32_t hash = key_hash(v6, v.saddr, v.sport);
	struct dv_resp_tcp_conn *c = lookup(t, hash, v6, v.saddr, v.sport);
	if (v.seg.flags & DV_TCP_SYN)
		take_syn(t, frame, &v, c, hash, now);
	else if (c != NULL)
		take_segment(t, c, &v.seg, now);
	else
		reset_stray(t, frame, &v);
	return 0;
}

void dv_resp_tcp_timer(struct dv_resp_tcp *t, uint64_t now)
{
	if (t->nfree == t->nconn)
		return;
	uint32_t n = t->nconn < DV_RESP_TCP_SWEEP ? t->nconn : DV_RESP_TCP_SWEEP;
	uint32_t i = t->sweep;
	for (uint32_t k = 0; k < n; k++) {
		if (t->deadline[i] <= now) {
			struct dv_resp_tcp_conn *c = &t->conn[i];
			if (c->state == ST_ESTABLISHED) {
				/* tcp-idle-close: the server's idle timeout */
				send_fin(t, c);
				c->state = ST_FIN_WAIT;
				touch(t, c, now);
			} else {
				dv_count_add(&t->n.expired, 1);
				conn_free(t, c);
			}
		}
		i = i + 1 < t->nconn ? i + 1 : 0;
	}
	t->sweep = i;
}
