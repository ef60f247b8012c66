/*
 * The embedded responder: an lcore that answers every query on its port.
 * It is the quickstart's target and the tests' ground truth, so it must
 * answer exactly what it is asked, and impair exactly what it is told to
 * (drop by family, drop the first query of each name, drop a seeded
 * fraction, delay every answer), and count what it drops. Over TCP
 * (--transport tcp) the segments to the DNS port go to its TCP server
 * (responder_tcp.c), which answers with the same answers; the impairments
 * of single queries (drop-*, drop=, rate=) and delay= apply there too.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine/features/feature.h"
#include "engine/features/responder.h"
#include "engine/features/responder_frag.h"
#include "core/count.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/pow2.h"
#include "wire/answer.h"
#include "wire/frame_parse.h"
#include "wire/rss.h"

#define DV_BIG_ROOM (9216 + RTE_PKTMBUF_HEADROOM)

/* ---------------------------------------------------------------- over TCP */

static bool tcp_skip(void *ctx, int family, const uint8_t *msg, uint16_t len);
static void tcp_client(void *ctx, int family, const uint8_t *addr, uint16_t port);
static void tcp_emit(void *ctx, const uint8_t *frame, uint16_t len, enum dv_resp_tcp_kind kind);

/* Frames the delay line holds per answer: over TCP an answer may be many segments, and a FIN follows. */
static double tcp_frames_per_answer(const struct dv_plan *plan)
{
	if (!dv_plan_uses_tcp(plan))
		return 1.0;
	unsigned split = plan->impair.tcp_split;
	if (split == 0)
		return 2.0;
	double bytes = 2.0 + (plan->impair.answer_size > 512 ? plan->impair.answer_size : 512);
	return bytes / split + 2.0;
}

/*
 * Connections the TCP server holds at once: the client's connection rate
 * times how long one lives (a few round trips; the run's length when the
 * client keeps them open). Bounded: a full table refuses SYNs with RST,
 * counted in the report.
 */
static uint32_t tcp_conns(const struct dv_plan *plan)
{
	if (plan->rate_mode == DV_RATE_MAX)
		return DV_RESP_TCP_CONNS_MAX;
	double per_conn = plan->tcp.queries_per_conn > 0 ? plan->tcp.queries_per_conn : 1;
	double life = 2.0;
	if (plan->tcp.end == DV_TCP_END_IDLE || plan->tcp.stress != DV_TCP_STRESS_NONE)
		life = plan->duration_s + DV_RESP_TCP_LINGER_S;
	return dv_pow2_at_least(plan->qps / per_conn * life * 2, 1024, DV_RESP_TCP_CONNS_MAX);
}

static int tcp_setup(struct dv_resp *r, const struct dv_plan *plan, uint64_t tsc_hz, int socket)
{
	uint32_t nconn = tcp_conns(plan);
	unsigned nbuf = plan->impair.delay_s > 0 ? 32767 : 16383;
	if (r->sh == NULL)
		return -EINVAL;
	r->tcp = rte_zmalloc_socket("dv_resp_tcp", sizeof(*r->tcp), RTE_CACHE_LINE_SIZE, socket);
	r->tcp_mem = rte_malloc_socket("dv_resp_tcp_conns", dv_resp_tcp_mem_size(nconn),
				       RTE_CACHE_LINE_SIZE, socket);
	r->tcp_pool = rte_pktmbuf_pool_create("dv_resp_tcp", nbuf, 256, 0,
					      RTE_PKTMBUF_HEADROOM + DV_RESP_TCP_FRAME_MAX, socket);
	if (r->tcp == NULL || r->tcp_mem == NULL || r->tcp_pool == NULL)
		return -ENOMEM;
	struct dv_resp_tcp_cfg cfg = {
		.answer = &r->sh->answer_cfg,
		.impair = plan->impair,
		.port = plan->dport,
		.hz = tsc_hz,
		.seed = plan->impair.seed,
		.late_answers = plan->impair.delay_s > 0,
		.hooks = { .emit = tcp_emit, .skip = tcp_skip, .client = tcp_client, .ctx = r },
	};
	return dv_resp_tcp_init(r->tcp, r->tcp_mem, nconn, &cfg);
}

int dv_responder_setup(struct dv_resp *r, const struct dv_plan *plan, uint64_t tsc_hz)
{
	const struct dv_impair_plan *ip = &plan->impair;
	int socket = (int)rte_socket_id();

	r->impair = plan->impair;
	r->frugal = plan->poll == DV_POLL_FRUGAL;

	if (ip->frag_mtu > 0) {
		r->big = rte_pktmbuf_pool_create("dv_resp_big", 4095, 64, 0, DV_BIG_ROOM, socket);
		r->hdr = rte_pktmbuf_pool_create("dv_resp_hdr", 16383, 256, 0,
						 RTE_PKTMBUF_HEADROOM + 128, socket);
		r->indirect = rte_pktmbuf_pool_create("dv_resp_ind", 16383, 256, 0, 0, socket);
		if (r->big == NULL || r->hdr == NULL || r->indirect == NULL)
			return -ENOMEM;
	}

	r->flood_total = ip->frag_flood * DV_FLOOD_FRAGS;
	if (dv_plan_uses_tcp(plan)) {
		int rc = tcp_setup(r, plan, tsc_hz, socket);
		if (rc != 0)
			return rc;
	}

	dv_rng_seed(&r->rng, ip->seed);
	if (ip->rate_qps > 0.0) {
		r->tok_per_tick = ip->rate_qps / (double)tsc_hz;
		r->tok_max = ip->rate_qps * 0.01 > 32.0 ? ip->rate_qps * 0.01 : 32.0;
		r->tokens = r->tok_max;
		r->tok_tsc = rte_rdtsc();
	}
	if (ip->drop_first) {
		/* Half-full at most: 2^21 names, then it answers everything (counted). */
		r->seen_mask = (1u << 22) - 1;
		r->seen = rte_zmalloc("dv_seen", sizeof(uint64_t) << 22, RTE_CACHE_LINE_SIZE);
		if (r->seen == NULL)
			return -ENOMEM;
	}
	if (ip->delay_s > 0) {
		double want = plan->qps * (plan->seq.attempts ? plan->seq.attempts : 1) * ip->delay_s * 2 *
			      tcp_frames_per_answer(plan) + 1024;
		uint32_t n = dv_pow2_at_least(want, 1024, 1u << 22);
		r->delay_m = rte_zmalloc("dv_delay_m", sizeof(*r->delay_m) * n, RTE_CACHE_LINE_SIZE);
		r->delay_due = rte_zmalloc("dv_delay_t", sizeof(*r->delay_due) * n, RTE_CACHE_LINE_SIZE);
		if (r->delay_m == NULL || r->delay_due == NULL)
			return -ENOMEM;
		r->delay_mask = n - 1;
		r->delay_tsc = (uint64_t)(ip->delay_s * (double)tsc_hz);
	}
	return 0;
}

void dv_responder_release(struct dv_resp *r)
{
	while (r->delay_head < r->delay_tail)
		rte_pktmbuf_free(r->delay_m[r->delay_head++ & r->delay_mask]);
	rte_free(r->seen);
	rte_free(r->delay_m);
	rte_free(r->delay_due);
	rte_mempool_free(r->big);
	rte_mempool_free(r->hdr);
	rte_mempool_free(r->indirect);
	rte_free(r->tcp);
	rte_free(r->tcp_mem);
	rte_mempool_free(r->tcp_pool);
}

/* Copy a query into a big mbuf, so that its answer can outgrow the 2 KB buffers. */
static struct rte_mbuf *enlarge(struct dv_resp *r, struct rte_mbuf *m)
{
	struct rte_mbuf *b = rte_pktmbuf_alloc(r->big);
	if (b == NULL)
		return NULL;
	uint8_t *d = (uint8_t *)rte_pktmbuf_append(b, m->data_len);
	if (d == NULL) {
		rte_pktmbuf_free(b);
		return NULL;
	}
	memcpy(d, rte_pktmbuf_mtod(m, uint8_t *), m->data_len);
	rte_pktmbuf_free(m);
	return b;
}

static uint64_t name_hash(const uint8_t *name, unsigned len, uint16_t qtype)
{
	uint8_t lower[255];
	for (unsigned i = 0; i < len; i++)
		lower[i] = dv_ascii_lower(name[i]);
	return dv_fnv1a(DV_FNV_OFFSET ^ qtype, lower, len) | 1; /* 0 marks an empty cell */
}

/* First time this (name, type) is asked? Remember it. */
static bool first_time(struct dv_resp *r, const struct dv_dns_view *d)
{
	uint64_t h = name_hash(d->qname, d->qname_len, d->qtype);
	uint32_t i = (uint32_t)h & r->seen_mask;
	while (r->seen[i] != 0) {
		if (r->seen[i] == h)
			return false;
		i = (i + 1) & r->seen_mask;
	}
	if (r->seen_used >= r->seen_mask / 2)
		return false;
	r->seen[i] = h;
	r->seen_used++;
	return true;
}

/* Which client addresses and ports asked: a bit per hash, so tests can see the source ranges at work. */
static void note_client(struct dv_resp *r, int family, const uint8_t *src, uint16_t port)
{
	uint64_t h = dv_fnv1a(DV_FNV_OFFSET, src, family == AF_INET6 ? 16 : 4);
	r->src_seen[(h >> 6) & (DV_CLIENT_BITS / 64 - 1)] |= 1ull << (h & 63);
	uint32_t p = port;
	r->port_seen[p >> 6] |= 1ull << (p & 63);
}

/* Should this query (its DNS message, NULL when not whole) go unanswered, on purpose? */
static bool impaired_msg(struct dv_resp *r, int family, const uint8_t *dns, size_t len)
{
	const struct dv_impair_plan *ip = &r->impair;
	if ((ip->drop_v6 && family == AF_INET6) || (ip->drop_v4 && family == AF_INET))
		return true;
	if (ip->drop_first && dns != NULL) {
		struct dv_dns_view d;
		if (dv_dns_parse_question(dns, len, &d) == 0 && d.qname != NULL && first_time(r, &d))
			return true;
	}
	return ip->drop_fraction > 0 && dv_rng_unit(&r->rng) < ip->drop_fraction;
}

/* The same for a query datagram. */
static bool impaired(struct dv_resp *r, const uint8_t *frame, size_t len)
{
	struct dv_frame_view v;
	if (dv_frame_parse_udp(frame, len, &v) != DV_PKT_DNS)
		return false;
	note_client(r, v.family, frame + v.l3_off + (v.family == AF_INET6 ? 8 : 12), v.sport);
	bool whole = v.udp_len >= 8 && v.l4_off + (size_t)v.udp_len <= len;
	return impaired_msg(r, v.family, whole ? frame + v.l4_off + 8 : NULL,
			    whole ? v.udp_len - 8u : 0);
}

/* rate=QPS: a token bucket 10 ms deep, so the limit is sharp but scheduling jitter is no loss. */
static void refill(struct dv_resp *r, uint64_t now)
{
	r->tokens += (double)(now - r->tok_tsc) * r->tok_per_tick;
	if (r->tokens > r->tok_max)
		r->tokens = r->tok_max;
	r->tok_tsc = now;
}

static bool over_rate(struct dv_resp *r)
{
	if (r->tok_per_tick <= 0.0)
		return false;
	if (r->tokens < 1.0)
		return true;
	r->tokens -= 1.0;
	return false;
}

/*
 * frag-flood: a frame lands in the collectors' RX pool, as a NIC's would (the
 * embedded wire otherwise passes the sender's mbuf). Consumes m.
 * @return the copy, or NULL when the pool was empty (counted) or it does not fit
 */
static struct rte_mbuf *to_rx_pool(struct dv_resp *r, struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_alloc(r->rx_pool);
	if (c == NULL) {
		dv_count_add(&r->rx_nombuf, 1);
		rte_pktmbuf_free(m);
		return NULL;
	}
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint8_t *d = len <= UINT16_MAX ? (uint8_t *)rte_pktmbuf_append(c, (uint16_t)len) : NULL;
	const void *p = d != NULL ? rte_pktmbuf_read(m, 0, len, d) : NULL;
	if (p != NULL && p != d)
		memcpy(d, p, len);
	rte_pktmbuf_free(m);
	if (p == NULL) {
		dv_count_add(&r->dropped, 1);
		rte_pktmbuf_free(c);
		return NULL;
	}
	return c;
}

/* Send on queue q; what the port takes is counted in *sent_n. */
static void send_queue(struct dv_resp *r, uint16_t q, struct rte_mbuf **out, unsigned n,
		       uint64_t *sent_n)
{
	if (r->rx_pool != NULL) {
		unsigned k = 0;
		for (unsigned i = 0; i < n; i++)
			if ((out[k] = to_rx_pool(r, out[i])) != NULL)
				k++;
		n = k;
		if (n == 0)
			return;
	}
	uint16_t sent = rte_eth_tx_burst(r->port, q, out, (uint16_t)n);
	dv_count_add(sent_n, sent);
	if (sent < n) {
		rte_pktmbuf_free_bulk(out + sent, n - sent);
		dv_count_add(&r->dropped, n - sent);
	}
}

/* The RX queue (collector) an answer goes to: address-only RSS, as a NIC would hash it. */
static unsigned answer_queue(const struct dv_resp *r, const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	if (r->sh->ncol <= 1 || m->data_len < DV_ETH_HLEN + DV_VLAN_HLEN)
		return 0;
	/* --vlan: the answer keeps the query's tag. */
	unsigned l3 = dv_rd16(d + 12) == DV_ETHERTYPE_VLAN ? DV_ETH_HLEN + DV_VLAN_HLEN : DV_ETH_HLEN;
	bool v6 = dv_rd16(d + l3 - 2) == DV_ETHERTYPE_IPV6;
	/* A fragment's first segment may be its headers alone: 34 bytes for IPv4. */
	if (m->data_len < l3 + (v6 ? DV_IPV6_HLEN : DV_IPV4_HLEN))
		return 0;
	if (v6)
		return dv_rss_queue(d + l3 + 8, d + l3 + 24, AF_INET6, r->sh->ncol);
	return dv_rss_queue(d + l3 + 12, d + l3 + 16, AF_INET, r->sh->ncol);
}

/* Send answers, each on its queue; *sent_n counts them (UDP answers, or TCP segments). */
static void send_burst(struct dv_resp *r, struct rte_mbuf **out, unsigned n, uint64_t *sent_n)
{
	if (r->sh->ncol <= 1) {
		send_queue(r, 0, out, n, sent_n);
		return;
	}
	struct rte_mbuf *byq[DV_MAX_COLLECTORS][DV_BURST_MAX];
	unsigned cnt[DV_MAX_COLLECTORS] = { 0 };
	for (unsigned i = 0; i < n; i++) {
		unsigned q = answer_queue(r, out[i]);
		byq[q][cnt[q]++] = out[i];
	}
	for (unsigned q = 0; q < r->sh->ncol; q++)
		if (cnt[q] > 0)
			send_queue(r, (uint16_t)q, byq[q], cnt[q], sent_n);
}

/* Send the delayed answers that are due (a burst of UDP answers, or of TCP segments, at a time). */
static void release_due(struct dv_resp *r, uint64_t now)
{
	struct rte_mbuf *out[DV_BURST_MAX];
	unsigned n = 0;
	bool tcp = false;
	while (r->delay_head < r->delay_tail && n < r->burst &&
	       r->delay_due[r->delay_head & r->delay_mask] <= now) {
		struct rte_mbuf *m = r->delay_m[r->delay_head & r->delay_mask];
		bool is_tcp = r->tcp_pool != NULL && m->pool == r->tcp_pool;
		if (n > 0 && is_tcp != tcp)
			break;
		tcp = is_tcp;
		out[n++] = m;
		r->delay_head++;
	}
	if (n > 0)
		send_burst(r, out, n, tcp ? &r->tcp_segs : &r->answered);
}

/* The TCP server's frames of this round. */
static void tcp_flush(struct dv_resp *r)
{
	if (r->tcp_nout > 0)
		send_burst(r, r->tcp_out, r->tcp_nout, &r->tcp_segs);
	r->tcp_nout = 0;
}

/* Its frames: into an mbuf, then out at the end of the round, or (answers, closes) into the delay line. */
static void tcp_emit(void *ctx, const uint8_t *frame, uint16_t len, enum dv_resp_tcp_kind kind)
{
	struct dv_resp *r = ctx;
	struct rte_mbuf *m = rte_pktmbuf_alloc(r->tcp_pool);
	uint8_t *d = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, len) : NULL;
	if (d == NULL) {
		rte_pktmbuf_free(m);
		dv_count_add(&r->dropped, 1);
		return;
	}
	memcpy(d, frame, len);
	if (kind != DV_RESP_TCP_CONTROL && r->delay_tsc != 0 &&
	    r->delay_tail - r->delay_head <= r->delay_mask) {
		r->delay_m[r->delay_tail & r->delay_mask] = m;
		r->delay_due[r->delay_tail & r->delay_mask] = r->tcp_now + r->delay_tsc;
		r->delay_tail++;
		return;
	}
	r->tcp_out[r->tcp_nout++] = m;
	if (r->tcp_nout == DV_BURST_MAX)
		tcp_flush(r);
}

/* Queries over TCP get the impairments of single queries, as over UDP. */
static bool tcp_skip(void *ctx, int family, const uint8_t *msg, uint16_t len)
{
	struct dv_resp *r = ctx;
	if (impaired_msg(r, family, msg, len) || over_rate(r)) {
		dv_count_add(&r->impaired, 1);
		return true;
	}
	return false;
}

static void tcp_client(void *ctx, int family, const uint8_t *addr, uint16_t port)
{
	note_client(ctx, family, addr, port);
}

static uint64_t bits_set(const uint64_t *w, unsigned nwords)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < nwords; i++)
		n += (uint64_t)__builtin_popcountll(w[i]);
	return n;
}

uint64_t dv_responder_sources(const struct dv_resp *r)
{
	return bits_set(r->src_seen, DV_CLIENT_BITS / 64);
}

uint64_t dv_responder_ports(const struct dv_resp *r)
{
	return bits_set(r->port_seen, 65536 / 64);
}

int dv_responder_main(void *arg)
{
	struct dv_resp *r = arg;
	const struct dv_shared *sh = r->sh;
	bool frugal = r->frugal;
	struct rte_mbuf *in[DV_BURST_MAX];
	struct rte_mbuf *out[DV_BURST_MAX];
	unsigned rxq = 0;

	dv_lcore_enter();
	while (!__atomic_load_n(&sh->stop_rx, __ATOMIC_ACQUIRE)) {
		/* frag-flood: the whole flood first, then the answers. */
		if (r->flood_ready && r->flood_sent < r->flood_total) {
			dv_resp_flood_step(r);
			continue;
		}
		/* One queue per generator, taken in turn. */
		uint16_t nb = rte_eth_rx_burst(r->port, (uint16_t)rxq, in, (uint16_t)r->burst);
		rxq = rxq + 1 < r->nrxq ? rxq + 1 : 0;
		uint64_t now = rte_rdtsc();
		if (r->tok_per_tick > 0.0)
			refill(r, now);
		if (r->delay_tsc != 0)
			release_due(r, now);
		if (r->tcp != NULL) {
			r->tcp_now = now;
			dv_resp_tcp_timer(r->tcp, now);
			tcp_flush(r);
		}
		if (nb == 0) {
			if (frugal && rxq == 0)
				dv_frugal_sleep(10000);
			continue;
		}
		unsigned nout = 0;
		for (uint16_t i = 0; i < nb; i++) {
			struct rte_mbuf *m = in[i];
			uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
			/* The answer is written over the query: the generator must copy its header again. */
			*RTE_MBUF_DYNFIELD(m, sh->tmpl_tag_off, uint32_t *) = 0;
			if (m->nb_segs != 1) {
				rte_pktmbuf_free(m);
				dv_count_add(&r->dropped, 1);
				continue;
			}
			/* Over TCP: a segment to the DNS port is the TCP server's (its frames go out below). */
			if (r->tcp != NULL && dv_resp_tcp_input(r->tcp, data, m->data_len, now) == 0) {
				rte_pktmbuf_free(m);
				continue;
			}
			if (r->flood_total != 0 && !r->flood_ready)
				dv_resp_flood_note(r, data, m->data_len);
			if (impaired(r, data, m->data_len) || over_rate(r)) {
				rte_pktmbuf_free(m);
				dv_count_add(&r->impaired, 1);
				continue;
			}
			int family = (data[12] == 0x86 && data[13] == 0xdd) ? AF_INET6 : AF_INET;
			bool frag = r->big != NULL && dv_resp_frag_family(&r->impair, family);
			if (frag) {
				m = enlarge(r, m);
				if (m == NULL) {
					dv_count_add(&r->dropped, 1);
					continue;
				}
				data = rte_pktmbuf_mtod(m, uint8_t *);
			}
			size_t cap = (size_t)m->data_len + rte_pktmbuf_tailroom(m);
			int len = dv_answer_build(data, m->data_len, cap, &sh->answer_cfg);
			if (len < 0) {
				rte_pktmbuf_free(m);
				dv_count_add(&r->dropped, 1);
				continue;
			}
			m->data_len = (uint16_t)len;
			m->pkt_len = (uint32_t)len;
			if (frag && (unsigned)len - 14u > r->impair.frag_mtu) {
				/* Fragments go out at once (no delay line): the answer is the test. */
				nout += dv_resp_fragment(r, m, family, out + nout, DV_BURST_MAX - nout);
				if (nout + DV_MAX_FRAGS > DV_BURST_MAX) {
					send_burst(r, out, nout, &r->answered);
					nout = 0;
				}
				continue;
			}
			if (r->delay_tsc != 0 && r->delay_tail - r->delay_head <= r->delay_mask) {
				r->delay_m[r->delay_tail & r->delay_mask] = m;
				r->delay_due[r->delay_tail & r->delay_mask] = now + r->delay_tsc;
				r->delay_tail++;
				continue;
			}
			out[nout++] = m;
		}
		if (nout > 0)
			send_burst(r, out, nout, &r->answered);
		if (r->tcp != NULL)
			tcp_flush(r);
	}
	return 0;
}

/* ---------------------------------------------------------------- the feature */

static struct dv_resp *resp; /* NULL: no embedded port */

static int resp_setup(struct dv_session *s)
{
	if (!s->ports.has_resp)
		return 0;
	resp = rte_zmalloc_socket("dv_resp", sizeof(*resp), RTE_CACHE_LINE_SIZE,
				  (int)rte_lcore_to_socket_id(s->map.resp));
	if (resp == NULL) {
		dv_err("out of DPDK memory for the responder");
		return -ENOMEM;
	}
	resp->sh = s->sh;
	resp->port = s->ports.resp_port;
	resp->burst = s->plan->burst;
	resp->nrxq = s->ngen; /* the embedded wire is the only port */
	if (s->plan->impair.frag_flood > 0) {
		resp->rx_pool = s->ports.pool;
		memcpy(resp->aring, s->ports.aring, sizeof(resp->aring));
	}
	if (dv_responder_setup(resp, s->plan, s->sh->tsc_hz) != 0) {
		dv_err("out of DPDK memory for the responder's impairments");
		return -ENOMEM;
	}
	return 0;
}

static int resp_launch(struct dv_session *s)
{
	return resp != NULL ? dv_lcore_launch(s->sh, dv_responder_main, resp, s->map.resp) : 0;
}

static void resp_collect(struct dv_session *s, struct dv_result *res)
{
	(void)s;
	if (resp == NULL)
		return;
	res->has_responder = true;
	res->resp_answered = dv_count_read(&resp->answered);
	res->resp_dropped = dv_count_read(&resp->dropped);
	res->resp_impaired = dv_count_read(&resp->impaired);
	res->resp_nombuf = dv_count_read(&resp->rx_nombuf);
	res->resp_sources = dv_responder_sources(resp);
	res->resp_ports = dv_responder_ports(resp);
	if (resp->tcp != NULL) {
		res->has_resp_tcp = true;
		dv_resp_tcp_counts_read(resp->tcp, &res->resp_tcp);
		res->resp_tcp.segments = dv_count_read(&resp->tcp_segs);
	}
}

static void resp_release(struct dv_session *s)
{
	(void)s;
	if (resp == NULL)
		return;
	dv_responder_release(resp);
	rte_free(resp);
	resp = NULL;
}

const struct dv_feature dv_feature_responder = {
	.name = "responder",
	.setup = resp_setup,
	.launch = resp_launch,
	.collect = resp_collect,
	.release = resp_release,
};
