/*
 * The collector loop: the hot path of receiving. Answers are matched to
 * their attempts, timeouts walked, fragments reassembled, ICMP errors
 * attributed; a packet another collector owns is handed over. No
 * allocation, lock, syscall or ldns; it reads its own struct dv_col (with
 * the few plan fields it needs) and the shared context, never the plan.
 */
#include "engine/col.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "engine/answer_checks.h"
#include "engine/features/track.h"
#include "engine/tcp_lane.h"
#include "engine/match.h"
#include "core/count.h"
#include "wire/arp_nd.h"
#include "wire/fragment.h"
#include "wire/frame_parse.h"
#include "wire/icmp.h"
#include "wire/response.h"
#include "wire/rss.h"
#include "wire/tcp.h"

/* Run the timeout walk at most this often (in microseconds). */
#define DV_EXPIRE_EVERY_US 100

static void col_on_timeout(void *ctx, uint64_t seq, const struct dv_attempt_id *a)
{
	struct dv_col_lane *ln = ctx;
	struct dv_col *c = ln->col;
	/* Most runs note nothing: then the notes' cold line is not read at all. */
	const struct dv_fail_note *n = &ln->notes[(uint32_t)seq & ln->ifl->mask];
	bool noted = seq < ln->noted_below && n->seq == seq;
	enum dv_fail_col col = noted ? (enum dv_fail_col)n->reason : DV_FR_TIMEOUT;
	enum dv_size_class cls = noted && n->udp_len > 8 ? dv_size_class_of(n->udp_len - 8u)
							 : DV_SIZE_UNKNOWN;
	dv_count_add(&c->rx.timeouts[a->family & 1], 1);
	dv_count_add(&c->rx.edns[a->edns_var][a->family & 1].timeouts, 1);
	const struct dv_check_msg *cm = dv_qsource_check(c->sh->qs, a->qidx);
	if (unlikely(cm != NULL))
		dv_count_add(&c->rx.check_res[a->family & 1][cm->row][DV_CR_NO_ANSWER], 1);
	if (a->transport == DV_TRANSPORT_TCP)
		dv_count_add(&c->rx.fail_tcp[a->family & 1][a->edns_var][DV_SIZE_UNKNOWN][DV_FRT_FAILED], 1);
	else
		dv_count_add(&c->rx.fail[a->family & 1][a->edns_var][cls][col], 1);
}

/* The generator's lane a response to this port belongs to (ports are disjoint per lane). */
static inline struct dv_col_lane *col_lane_of(struct dv_col *c, uint16_t dport)
{
	for (unsigned i = 0; i < c->nlanes; i++) {
		const struct dv_inflight *t = c->lane[i].ifl;
		if ((uint16_t)(dport - t->sport_base) < t->nports)
			return &c->lane[i];
	}
	return NULL;
}

/* Note why an outstanding attempt will fail (the first reason found sticks). */
static void col_note(struct dv_col *c, uint16_t dport, uint16_t id, enum dv_fail_col reason,
		     uint16_t udp_len)
{
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, dport);
	if (ln == NULL || dv_inflight_lookup(ln->ifl, dport, id, &m) != DV_OUT_ANSWERED)
		return;
	struct dv_fail_note *n = &ln->notes[(uint32_t)m.seq & ln->ifl->mask];
	if (n->seq == m.seq)
		return;
	*n = (struct dv_fail_note){ .seq = m.seq, .reason = (uint8_t)reason, .udp_len = udp_len };
	if (m.seq >= ln->noted_below)
		ln->noted_below = m.seq + 1;
}

static void col_on_lost_set(void *ctx, const struct dv_frag_verdict *v)
{
	struct dv_col *c = ctx;
	col_note(c, v->dport, v->dns_id, v->refused ? DV_FR_FRAG_DROP : DV_FR_LOST_FRAG, v->udp_len);
}

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
		dv_track_sample(c, ri, now);
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

static void col_dns(struct dv_col *c, const struct dv_resp_info *ri, uint64_t now, bool reassembled)
{
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, ri->dport);
	enum dv_outcome o = ln == NULL ? DV_OUT_UNMATCHED
			    : dv_match_response(ln->ifl, c->sh->qs, c->target, ri, &m);
	if (likely(o == DV_OUT_ANSWERED))
		dv_col_answered(ln, &m, ri, now, reassembled);
	else
		dv_col_outcome(c, ln, o, &m, ri, now, reassembled);
}

/* An ICMP error: count it, and note it on the attempt it quotes. */
static void col_icmp(struct dv_col *c, const uint8_t *data, uint32_t len)
{
	struct dv_icmp_info ii;
	if (dv_icmp_parse(data, len, &ii) != 0)
		return;
	unsigned fam = ii.family == AF_INET6 ? DV_FAMILY_V6 : DV_FAMILY_V4;
	dv_count_add(&c->rx.icmp[fam][ii.kind], 1);
	if (ii.kind == DV_ICMP_TOO_BIG && ii.mtu < c->rx.icmp_mtu_min)
		dv_count_set(&c->rx.icmp_mtu_min, ii.mtu);
	if (!ii.has_orig || !ii.has_dns_id)
		return;
	const struct dv_addr *t = &c->target[fam];
	if (t->family == 0 || memcmp(ii.orig_dst, &t->v6, fam == DV_FAMILY_V6 ? 16 : 4) != 0)
		return; /* not about a query to our target */
	struct dv_match m;
	struct dv_col_lane *ln = col_lane_of(c, ii.orig_sport);
	if (ln == NULL || dv_inflight_lookup(ln->ifl, ii.orig_sport, ii.dns_id, &m) != DV_OUT_ANSWERED ||
	    m.a.family != fam)
		return;
	dv_count_add(&c->rx.icmp_attributed, 1);
	col_note(c, ii.orig_sport, ii.dns_id, DV_FR_ICMP, 0);
}

/*
 * The collector a packet belongs to, when this one shares its port with
 * others: answers and ICMP errors by our source port (each lane has its own),
 * fragments by the address hash our source addresses were picked for (a
 * non-first fragment has no ports; all of a datagram's meet there).
 */
static unsigned col_owner(const struct dv_col *c, enum dv_pkt_class cls,
			  const struct dv_resp_info *ri, const uint8_t *data, uint32_t len)
{
	unsigned o = 0;
	switch (cls) {
	case DV_PKT_DNS:
		o = c->sh->sport_owner[ri->dport];
		break;
	case DV_PKT_ICMP: {
		struct dv_icmp_info ii;
		if (dv_icmp_parse(data, len, &ii) == 0 && ii.has_orig)
			o = c->sh->sport_owner[ii.orig_sport];
		break;
	}
	case DV_PKT_FRAGMENT: {
		struct dv_frag_info fi;
		if (dv_frag_parse(data, len, &fi) == 0)
			o = 1u + c->peer[dv_rss_queue(fi.src, fi.dst, fi.family, c->npeers)];
		break;
	}
	default:
		break;
	}
	return o != 0 ? o - 1 : c->index;
}

/* In the RX-time field of a handed-over mbuf: a datagram reassembled by the
 * sender, not a packet received (a TSC never reaches bit 63). */
#define DV_HANDED_REASM (1ull << 63)

/*
 * Pass a packet (or a datagram reassembled here) to its owner's inbox with
 * its RX time. @return consumed
 */
static bool col_handoff(struct dv_col *c, struct rte_mbuf *m, unsigned owner, uint64_t now,
			bool reassembled)
{
	struct rte_ring *r = c->sh->inbox[owner];
	if (r == NULL)
		return false;
	*RTE_MBUF_DYNFIELD(m, c->sh->rx_ts_off, uint64_t *) = now | (reassembled ? DV_HANDED_REASM : 0);
	dv_count_add(reassembled ? &c->rx.handoff_dgrams : &c->rx.handoff_out, 1);
	if (rte_ring_mp_enqueue(r, m) != 0) {
		dv_count_add(reassembled ? &c->rx.handoff_dgram_drop : &c->rx.handoff_drop, 1);
		return false;
	}
	return true;
}

/* A fragment: account for it, and reassemble (or, in drop mode, let it go). @return consumed */
static bool col_fragment(struct dv_col *c, struct rte_mbuf *m, const uint8_t *data, uint32_t len,
			 uint64_t now)
{
	struct dv_frag_info fi;
	if (dv_frag_parse(data, len, &fi) != 0)
		return false;
	dv_frags_note(&c->frags, &fi, m->pkt_len, now, c->dport, c->sport_lo,
		      c->sport_hi, &c->rx.frag);
	/* One target per family: the per-family counts are per source; others are told apart. */
	const struct dv_addr *t = &c->target[fi.family == AF_INET6];
	if (t->family != fi.family ||
	    memcmp(fi.src, &t->v6, fi.family == AF_INET6 ? 16 : 4) != 0)
		dv_count_add(&c->rx.frag.other_source, 1);
	if (c->frags.tbl == NULL)
		return false; /* drop mode: tracked, never reassembled */
	if (!dv_frags_admit(&c->frags, m, &c->rx.frag))
		return false; /* incomplete sets hold their share of the RX pool: dropped */

	struct rte_mbuf *full = dv_frags_reassemble(&c->frags, m, &fi, now);
	if (full == NULL)
		return true;
	uint32_t flen = rte_pktmbuf_pkt_len(full);
	const uint8_t *p = flen <= DV_SCRATCH_LEN ? rte_pktmbuf_read(full, 0, flen, c->scratch) : NULL;
	struct dv_resp_info ri;
	bool handed = false;
	if (p != NULL && dv_response_parse(p, flen, c->dport, &ri) == DV_PKT_DNS) {
		/* Fragments meet by address, the answer belongs to its port's lane: with one
		 * source address on a kernel-steered port that may be another collector's
		 * (which matches it as a reassembled answer, not as a packet received). */
		unsigned owner = c->npeers > 1 ? col_owner(c, DV_PKT_DNS, &ri, p, flen) : c->index;
		if (owner == c->index)
			col_dns(c, &ri, now, true);
		else
			handed = col_handoff(c, full, owner, now, true);
	}
	dv_frags_done(&c->frags, &fi, &c->rx.frag, &c->rx.frag_count, &c->rx.frag_spread);
	if (!handed)
		rte_pktmbuf_free(full);
	return true;
}

/* Whether addr (4 or 16 bytes) is one of the run's source addresses on the collector's port. */
static bool col_owns(const struct dv_col *c, int family, const uint8_t *addr)
{
	const struct dv_shared *sh = c->sh;
	unsigned f = family == AF_INET6;
	unsigned bits = c->src_prefix[f];
	if (bits != 0 && c->src[f].family == family) {
		const uint8_t *base = (const uint8_t *)&c->src[f].v6; /* v4 shares the union's start */
		unsigned full = bits / 8, rest = bits % 8;
		if (memcmp(base, addr, full) == 0 &&
		    (rest == 0 || ((base[full] ^ addr[full]) & (0xff00 >> rest)) == 0))
			return true;
	}
	for (unsigned li = 0; li < sh->nlanes; li++) {
		const struct dv_l34_tmpl *t = &sh->l34[li][f];
		if (sh->lane_port[li] == c->port_index && t->family == family &&
		    memcmp(t->bytes + t->src_off, addr, t->src_len) == 0)
			return true;
	}
	return false;
}

/*
 * ARP or ND on a port no kernel answers for: a request for one of our
 * addresses is answered in the same mbuf, which the port's first generator
 * sends (it owns the TX queue). @return consumed
 */
static bool col_neigh(struct dv_col *c, struct rte_mbuf *m, const uint8_t *data, uint32_t len)
{
	struct rte_ring *ctl = c->sh->nd[c->port_index].ctl;
	struct dv_nd_info ni;
	if (ctl == NULL || m->nb_segs != 1 || dv_nd_parse(data, len, &ni) != 0 ||
	    ni.kind != DV_ND_REQUEST || !col_owns(c, ni.family, ni.target)) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	uint8_t frame[DV_ND_FRAME_MAX];
	uint16_t flen = dv_nd_build_reply(&ni, c->sh->nd[c->port_index].mac, frame);
	if (flen > rte_pktmbuf_data_room_size(m->pool) - RTE_PKTMBUF_HEADROOM) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	rte_pktmbuf_reset_headroom(m);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), frame, flen);
	m->data_len = flen;
	m->pkt_len = flen;
	m->ol_flags = 0;
	if (rte_ring_mp_enqueue(ctl, m) != 0) {
		dv_count_add(&c->rx.nd_ignored, 1);
		return false;
	}
	dv_count_add(&c->rx.nd_answered[ni.family == AF_INET6], 1);
	return true;
}

/* The lane whose TCP source ports hold port, or NULL. */
static struct dv_tcp_lane *col_tcp_lane(struct dv_col *c, uint16_t port)
{
	for (unsigned i = 0; i < c->nlanes; i++) {
		struct dv_tcp_lane *t = c->lane[i].tcp;
		if (t != NULL && (uint32_t)(uint16_t)(port - t->port_lo) < t->nports)
			return t;
	}
	return NULL;
}

/* Whether a parsed segment comes from the target's DNS port. */
static bool col_tcp_from_target(const struct dv_col *c, const struct dv_tcp_view *v)
{
	const struct dv_addr *t = &c->target[v->family == AF_INET6];
	return v->sport == c->dport && t->family == v->family &&
	       memcmp(v->saddr, &t->v6, v->family == AF_INET6 ? 16 : 4) == 0;
}

/*
 * A frame the UDP parser calls "other", in a TCP run: a segment from the
 * target's port goes to its lane's connections (or, on a kernel-steered
 * port, to the collector that owns its port).
 * @return 1 consumed, 0 handled (caller frees), -1 not ours (caller goes on)
 */
static int col_tcp(struct dv_col *c, struct rte_mbuf *m, const uint8_t *data, uint32_t len,
		   uint64_t now, bool handed)
{
	struct dv_tcp_view v;
	int rc = dv_tcp_parse(data, len, true, &v);
	if (rc == -ENOMSG)
		return -1;
	if (rc != 0) {
		/* Cannot tell whose: the first lane counts it. */
		if (c->lane[0].tcp != NULL)
			c->lane[0].tcp->malformed++;
		dv_count_add(&c->rx.rx_class[DV_PKT_MALFORMED], 1);
		return 0;
	}
	if (!col_tcp_from_target(c, &v))
		return -1;
	if (c->npeers > 1 && !handed) {
		unsigned o = c->sh->tcp_owner[v.dport];
		if (o != 0 && o - 1 != c->index)
			return col_handoff(c, m, o - 1, now, false) ? 1 : 0;
	}
	struct dv_tcp_lane *t = col_tcp_lane(c, v.dport);
	if (t == NULL)
		return -1; /* to none of our ports */
	/* Over TCP, "dns" counts the segments from the server's DNS port. */
	dv_count_add(&c->rx.rx_class[DV_PKT_DNS], 1);
	dv_tcp_lane_rx(t, &v, now);
	return 0;
}

/*
 * One received frame (handed: from another collector's queue, so it is ours).
 * @return true if it was consumed (not to be freed by the caller)
 */
static bool col_packet(struct dv_col *c, struct rte_mbuf *m, uint64_t now, bool handed)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len;
	if (unlikely(m->nb_segs > 1)) {
		/* Chained (a software fragmenter's header + payload): parse a contiguous copy. */
		len = m->pkt_len <= DV_SCRATCH_LEN ? m->pkt_len : DV_SCRATCH_LEN;
		data = rte_pktmbuf_read(m, 0, len, c->linear);
		if (data == NULL)
			return false;
	}
	/* --vlan: only our VLAN is ours (a NIC that strips tags would need none here). */
	uint16_t vlan = c->vlan;
	if (vlan != 0 && (len < DV_ETH_HLEN + DV_VLAN_HLEN || dv_rd16(data + 12) != DV_ETHERTYPE_VLAN ||
			  (dv_rd16(data + 14) & 0x0fff) != vlan)) {
		dv_count_add(&c->rx.rx_class[DV_PKT_OTHER], 1);
		return false;
	}
	struct dv_resp_info ri;
	enum dv_pkt_class cls = dv_response_parse(data, len, c->dport, &ri);
	if (unlikely(c->tcp) && cls == DV_PKT_OTHER) {
		int r = col_tcp(c, m, data, len, now, handed);
		if (r >= 0)
			return r == 1;
	}
	bool by_port = false;
	if (unlikely(c->port_reassembles_v4)) {
		/* The port reassembled IPv4 (af_packet): a datagram cut to its frame
		 * size, or one longer than an Ethernet MTU, is a fragmented answer. */
		if (cls == DV_PKT_MALFORMED &&
		    dv_response_parse_cut(data, len, c->dport, &ri) == DV_PKT_DNS)
			cls = DV_PKT_DNS;
		by_port = cls == DV_PKT_DNS && ri.family == AF_INET &&
			  (ri.cut || dv_rd16(ri.l3 + 2) > DV_ETH_MTU);
	}
	if (c->npeers > 1 && !handed) {
		unsigned owner = col_owner(c, cls, &ri, data, len);
		if (owner != c->index)
			return col_handoff(c, m, owner, now, false);
	}
	dv_count_add(&c->rx.rx_class[cls], 1);
	switch (cls) {
	case DV_PKT_DNS:
		if (by_port)
			dv_count_add(&c->rx.frag.by_port[DV_FAMILY_V4], 1);
		col_dns(c, &ri, now, by_port);
		return false;
	case DV_PKT_FRAGMENT:
		return col_fragment(c, m, data, len, now);
	case DV_PKT_ICMP:
		col_icmp(c, data, len);
		return false;
	case DV_PKT_ARP_ND:
		return col_neigh(c, m, data, len);
	default:
		return false;
	}
}

/* A datagram another collector reassembled, an answer to one of our lanes: matched (and freed). */
static void col_reasm_handed(struct dv_col *c, struct rte_mbuf *m, uint64_t at)
{
	uint32_t flen = rte_pktmbuf_pkt_len(m);
	const uint8_t *p = flen <= DV_SCRATCH_LEN ? rte_pktmbuf_read(m, 0, flen, c->scratch) : NULL;
	struct dv_resp_info ri;
	if (p != NULL && dv_response_parse(p, flen, c->dport, &ri) == DV_PKT_DNS)
		col_dns(c, &ri, at, true);
	rte_pktmbuf_free(m);
}

/* What the other collectors of the port passed on, each with its RX time. @return packets */
static unsigned col_inbox(struct dv_col *c)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	unsigned n = rte_ring_sc_dequeue_burst(c->inbox, (void **)m, c->burst, NULL);
	unsigned nfree = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = *RTE_MBUF_DYNFIELD(m[i], c->sh->rx_ts_off, uint64_t *);
		if (at & DV_HANDED_REASM)
			col_reasm_handed(c, m[i], at & ~DV_HANDED_REASM);
		else if (!col_packet(c, m[i], at, true))
			m[nfree++] = m[i];
	}
	rte_pktmbuf_free_bulk(m, nfree);
	return n;
}

/*
 * The lanes' TCP connections: new attempts, timers, frames, every step; the
 * counters the main lcore reads, summed over the lanes every 100 us (they
 * feed the status line and the intervals), and at the end (publish).
 */
static void col_tcp_step(struct dv_col *c, uint64_t now, bool publish)
{
	uint64_t live = 0;
	for (unsigned i = 0; i < c->nlanes; i++) {
		dv_tcp_lane_step(c->lane[i].tcp, now);
		live += dv_tcp_lane_live(c->lane[i].tcp);
	}
	if (live > c->tcp_open_max)
		c->tcp_open_max = live;
	__atomic_store_n(&c->tcp_live, (uint32_t)live, __ATOMIC_RELAXED);
	if (!publish && now < c->next_tcp_sum_tsc)
		return;
	c->next_tcp_sum_tsc = now + c->sh->tsc_hz / (1000000 / DV_EXPIRE_EVERY_US);
	struct dv_tcp_stats s;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_tcp_lane_sum(c->lane[i].tcp, &s);
	s.open_max = c->tcp_open_max;
	/* One writer (this lcore); the main lcore snapshots the words. */
	uint64_t *dst = (uint64_t *)&c->rx.tcp;
	const uint64_t *src = (const uint64_t *)&s;
	for (size_t w = 0; w < sizeof(s) / sizeof(uint64_t); w++)
		if (dst[w] != src[w])
			__atomic_store_n(&dst[w], src[w], __ATOMIC_RELAXED);
}

/* How many frames ahead a frame's data is prefetched. */
#define COL_PREFETCH_AHEAD 3

/*
 * The first two lines of a frame, which the parse reads: the question starts
 * 54 (IPv4) or 74 (IPv6) bytes in, past the first line, and waiting for the
 * second took about a fifth of the collector's cycles per answer
 * (docs/performance-log.md, "Afternoon, 2026-12-05").
 */
static inline void col_prefetch_frame(const struct rte_mbuf *m)
{
	rte_prefetch0(rte_pktmbuf_mtod(m, const char *));
	rte_prefetch0(rte_pktmbuf_mtod_offset(m, const char *, RTE_CACHE_LINE_SIZE));
}

/*
 * The frames of one RX burst (nb > 0), and what other collectors handed over.
 * Out of line, as is col_timers(): benchmarks count the work of polls that
 * received something apart from that of idle polls (tests/bench/collector.sh).
 * @return packets handed over
 */
static __attribute__((noinline)) unsigned col_busy(struct dv_col *c, struct rte_mbuf **m, uint16_t nb,
						    uint64_t now)
{
	unsigned handed = 0;
	if (nb > 0) {
		uint64_t bytes = 0;
		unsigned nfree = 0;
		/* In two stages, as DPDK's l3fwd: every mbuf's header line (which
		 * another core may have written: a ring's peer, the responder), then
		 * each frame's data a few frames ahead, once its header says where. */
		for (uint16_t i = 0; i < nb; i++)
			rte_prefetch0(m[i]);
		for (uint16_t i = 0; i < nb && i < COL_PREFETCH_AHEAD; i++)
			col_prefetch_frame(m[i]);
		for (uint16_t i = 0; i < nb; i++) {
			if (i + COL_PREFETCH_AHEAD < nb)
				col_prefetch_frame(m[i + COL_PREFETCH_AHEAD]);
			bytes += m[i]->pkt_len;
#ifdef DV_BENCH_FRAMES_UNREAD
			/* A benchmark build only (tests/bench/collector.sh delivery): what
			 * receiving a frame and giving it back costs, without its work. */
			m[nfree++] = m[i];
			continue;
#endif
			if (!col_packet(c, m[i], now, false))
				m[nfree++] = m[i];
		}
		dv_count_add(&c->rx.rx_pkts, nb);
		dv_count_add(&c->rx.rx_bursts, 1);
		dv_count_add(&c->rx.rx_bytes, bytes);
		rte_pktmbuf_free_bulk(m, nfree);
		dv_frags_flush(&c->frags);
	}
	if (c->inbox != NULL && (handed = col_inbox(c)) > 0)
		dv_frags_flush(&c->frags);
	if (nb + handed > 0)
		dv_count_add(&c->rx.busy_tsc, rte_rdtsc() - now);
	return handed;
}

/* Every poll: fragment sets and sequence timers due, TCP, the timeout walk. */
static __attribute__((noinline)) void col_timers(struct dv_col *c, uint64_t now)
{
	if (dv_frags_due(&c->frags, now))
		dv_frags_expire(&c->frags, now, false, &c->rx.frag, col_on_lost_set, c);
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_fire(c->lane[i].seq, now, &c->rx.seq, &c->rx.timer_late);
	if (unlikely(c->tcp))
		col_tcp_step(c, now, false);
	if (now >= c->next_expire_tsc) {
		uint64_t deadline = now > c->sh->timeout_tsc ? now - c->sh->timeout_tsc : 0;
		for (unsigned i = 0; i < c->nlanes; i++)
			dv_inflight_expire(c->lane[i].ifl, deadline, false, 4096, col_on_timeout,
					   &c->lane[i]);
		c->next_expire_tsc = now + c->sh->tsc_hz / (1000000 / DV_EXPIRE_EVERY_US);
	}
}

/* TCP: a stall of this lcore (no poll for DV_STALL_NS) ends now; no RTT sample across it. */
static void col_tcp_gap(struct dv_col *c, uint64_t now)
{
	if (now - c->last_poll_tsc > c->sh->stall_tsc)
		for (unsigned i = 0; i < c->nlanes; i++)
			dv_tcp_lane_stalled(c->lane[i].tcp, now);
	c->last_poll_tsc = now;
}

unsigned dv_col_step(struct dv_col *c)
{
	struct rte_mbuf *m[DV_BURST_MAX];
	/* Every loop, also when the queue was empty: on af_xdp an empty poll is the
	 * busy-poll recvfrom() that runs the kernel's receive path on this CPU
	 * (docs/performance-log.md). */
	uint16_t nb = rte_eth_rx_burst(c->port, c->queue, m, (uint16_t)c->burst);
	uint64_t now = rte_rdtsc();
	unsigned handed = 0;
	if (unlikely(c->tcp))
		col_tcp_gap(c, now);

	/* After RX: every attempt a response in this burst answers is published by now. */
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_walk(c->lane[i].seq, c->lane[i].ifl);
	if (nb > 0 || c->inbox != NULL)
		handed = col_busy(c, m, nb, now);
	col_timers(c, now);
	return nb + handed;
}

/* Outstanding when a second signal cut the drain short: neither answered nor timed out. */
static void col_on_abandon(void *ctx, uint64_t seq, const struct dv_attempt_id *a)
{
	struct dv_col_lane *ln = ctx;
	(void)seq;
	dv_count_add(&ln->col->rx.abandoned[a->family & 1], 1);
}

/*
 * What the port dropped before any queue saw it: no room in the RX queue
 * (imissed) or no mbuf in the pool (rx_nombuf). Port-wide, so the collector
 * of queue 0 counts it, once per run (the stats only grow). Out of the loop:
 * on af_xdp reading the stats is a system call.
 */
static void col_port_drops(struct dv_col *c)
{
	struct rte_eth_stats es;
	if (c->queue != 0 || rte_eth_stats_get(c->port, &es) != 0)
		return;
	if (es.imissed > c->eth_missed_seen)
		dv_count_add(&c->rx.port_missed, es.imissed - c->eth_missed_seen);
	if (es.rx_nombuf > c->eth_nombuf_seen)
		dv_count_add(&c->rx.port_nombuf, es.rx_nombuf - c->eth_nombuf_seen);
	c->eth_missed_seen = es.imissed;
	c->eth_nombuf_seen = es.rx_nombuf;
}

void dv_col_finish(struct dv_col *c)
{
	bool abandon = dv_load_flag(&c->sh->abandon) != 0;
	col_port_drops(c);
	/* The drain is over: what the peers handed over last is still ours to match. */
	while (c->inbox != NULL && col_inbox(c) > 0)
		;
	/* Connections still open are reset (counted); their queries time out below. */
	if (c->tcp) {
		for (unsigned i = 0; i < c->nlanes; i++)
			dv_tcp_lane_finish(c->lane[i].tcp, rte_rdtsc());
		col_tcp_step(c, rte_rdtsc(), true);
	}
	/* Whatever is still outstanding has timed out (or, drain cut short, is abandoned). */
	for (unsigned i = 0; i < c->nlanes; i++)
		dv_seq_walk(c->lane[i].seq, c->lane[i].ifl);
	dv_frags_expire(&c->frags, 0, true, &c->rx.frag, col_on_lost_set, c);
	dv_frags_flush(&c->frags);
	for (unsigned i = 0; i < c->nlanes; i++) {
		struct dv_col_lane *ln = &c->lane[i];
		while (dv_inflight_expire(ln->ifl, 0, true, 1u << 20,
					  abandon ? col_on_abandon : col_on_timeout, ln) > 0)
			;
		dv_seq_finish(ln->seq, &c->rx.seq, abandon);
	}
}
