/* rte_ip_frag_table_del_expired_entries() is experimental in DPDK 22.11. */
#ifndef ALLOW_EXPERIMENTAL_API
#define ALLOW_EXPERIMENTAL_API 1
#endif
#include "engine/reassembly.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "config/plan.h"
#include "core/count.h"
#include "core/pow2.h"

/* The key (family, source padded to 16 bytes, IP ID) as two 8-byte words, each
 * mixed by a multiplication (splitmix64's constants): a dozen instructions where
 * FNV-1a took one multiplication per byte, for every fragment, completion, expiry
 * and backward shift. */
static inline uint64_t key_hash(uint8_t family, const uint8_t *src, uint32_t ip_id)
{
	uint64_t a, b;
	memcpy(&a, src, 8);
	memcpy(&b, src + 8, 8);
	uint64_t h = (a ^ ((uint64_t)ip_id << 8) ^ family) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 32) ^ b) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

static void key_of(const struct dv_frag_info *fi, uint8_t *family, uint8_t src[16])
{
	*family = fi->family == AF_INET6 ? DV_FAMILY_V6 : DV_FAMILY_V4;
	memset(src, 0, 16);
	memcpy(src, fi->src, fi->family == AF_INET6 ? 16 : 4);
}

/* Slot of the set with this key, or of the empty cell where it would go. */
static uint32_t find(const struct dv_frags *f, uint8_t family, const uint8_t *src, uint32_t ip_id)
{
	uint32_t i = (uint32_t)key_hash(family, src, ip_id) & f->mask;
	while (f->set[i].used) {
		const struct dv_frag_set *s = &f->set[i];
		if (s->family == family && s->ip_id == ip_id && memcmp(s->src, src, 16) == 0)
			break;
		i = (i + 1) & f->mask;
	}
	return i;
}

/* Linear probing delete without tombstones: shift later entries back into the hole. */
static void erase(struct dv_frags *f, uint32_t i)
{
	uint32_t j = i;
	f->set[i].used = 0;
	f->live--;
	for (;;) {
		j = (j + 1) & f->mask;
		if (!f->set[j].used)
			return;
		const struct dv_frag_set *s = &f->set[j];
		uint32_t home = (uint32_t)key_hash(s->family, s->src, s->ip_id) & f->mask;
		/* Move j into the hole i unless its home lies cyclically in (i, j]. */
		bool stays = (i <= j) ? (i < home && home <= j) : (i < home || home <= j);
		if (stays)
			continue;
		f->set[i] = f->set[j];
		f->set[j].used = 0;
		i = j;
	}
}

/* Idle sweeps of rte_ip_frag's table: far below any fragment timeout. */
#define DV_FRAG_SWEEP_NS 100000.0

int dv_frags_init(struct dv_frags *f, uint32_t max_sets, uint64_t timeout_tsc, double ns_per_tick,
		  bool reassemble, int socket)
{
	memset(f, 0, sizeof(*f));
	/* Half-full at most keeps probes short. */
	uint32_t n = dv_pow2_at_least(2.0 * max_sets, 1024, 1u << 22);
	f->set = calloc(n, sizeof(*f->set));
	f->fifo = calloc(n, sizeof(*f->fifo));
	if (f->set == NULL || f->fifo == NULL)
		goto nomem;
	f->mask = n - 1;
	f->fifo_mask = n - 1;
	f->timeout_tsc = timeout_tsc;
	f->ns_per_tick = ns_per_tick;
	f->sweep_tsc = ns_per_tick > 0 ? (uint64_t)(DV_FRAG_SWEEP_NS / ns_per_tick) : 0;
	if (reassemble) {
		uint32_t buckets = dv_pow2_at_least(max_sets / 8.0, 64, 1u << 16);
		f->tbl = rte_ip_frag_table_create(buckets, 16, buckets * 16, timeout_tsc, socket);
		if (f->tbl == NULL)
			goto nomem;
	}
	return 0;
nomem:
	dv_frags_free(f);
	return -ENOMEM;
}

void dv_frags_free(struct dv_frags *f)
{
	if (f->tbl != NULL) {
		rte_ip_frag_table_destroy(f->tbl);
		f->tbl = NULL;
	}
	dv_frags_flush(f);
	free(f->set);
	free(f->fifo);
	f->set = NULL;
	f->fifo = NULL;
}

void dv_frags_note(struct dv_frags *f, const struct dv_frag_info *fi, uint32_t frame_len,
		   uint64_t now, uint16_t dns_port, uint16_t ours_lo, uint16_t ours_hi,
		   struct dv_frag_stats *st)
{
	uint8_t family, src[16];
	key_of(fi, &family, src);
	dv_count_add(&st->frags[family], 1);
	dv_count_add(&st->frag_bytes, frame_len);

	uint32_t i = find(f, family, src, fi->ip_id);
	struct dv_frag_set *s = &f->set[i];
	if (!s->used) {
		if (f->live >= f->mask / 2 || f->tail - f->head > f->fifo_mask) {
			/* Table full: this fragment's set cannot be tracked (nor counted as a
			 * set: its other fragments would count again): a lost fragment. */
			dv_count_add(&st->untracked, 1);
			return;
		}
		*s = (struct dv_frag_set){ .used = 1, .family = family, .ip_id = fi->ip_id,
					   .first_tsc = now };
		memcpy(s->src, src, 16);
		f->live++;
		struct dv_frag_age *a = &f->fifo[f->tail++ & f->fifo_mask];
		*a = (struct dv_frag_age){ .created_tsc = now, .ip_id = fi->ip_id, .family = family };
		memcpy(a->src, src, 16);
	}
	s->nfrags++;
	s->bytes += frame_len;
	s->last_tsc = now;
	if (fi->has_udp && fi->offset == 0) {
		s->has_first = 1;
		s->udp_len = fi->udp_len;
		s->dport = fi->dport;
		s->dns_id = fi->has_dns_id ? fi->dns_id : 0;
		s->ours = fi->has_dns_id && fi->sport == dns_port && fi->dport >= ours_lo &&
			  fi->dport < ours_hi;
		if (!s->ours)
			dv_count_add(&st->not_ours, 1);
	}
}

bool dv_frags_admit(const struct dv_frags *f, const struct rte_mbuf *m, struct dv_frag_stats *st)
{
	if (f->held_max == 0 || f->held + m->nb_segs <= f->held_max)
		return true;
	dv_count_add(&st->over_share, 1);
	return false;
}

uint64_t dv_frags_live_fragments(const struct dv_frags *f)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i <= f->mask; i++)
		if (f->set[i].used)
			n += f->set[i].nfrags;
	return n;
}

/* What rte_ip_frag returned: a whole datagram leaves the held count. */
static struct rte_mbuf *returned(struct dv_frags *f, struct rte_mbuf *full)
{
	if (full != NULL)
		f->held -= full->nb_segs <= f->held ? full->nb_segs : f->held;
	return full;
}

struct rte_mbuf *dv_frags_reassemble(struct dv_frags *f, struct rte_mbuf *m,
				     const struct dv_frag_info *fi, uint64_t now)
{
	uint8_t *l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, fi->l3_off);
	m->l2_len = fi->l3_off;
	if (fi->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		m->l3_len = rte_ipv4_hdr_len(ip);
		f->held += m->nb_segs;
		return returned(f, rte_ipv4_frag_reassemble_packet(f->tbl, &f->dr, m, now, ip));
	}
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)l3;
	struct rte_ipv6_fragment_ext *fh = rte_ipv6_frag_get_ipv6_fragment_header(ip6);
	if (fh == NULL) {
		/* Extension headers before the fragment header: rte_ip_frag cannot; the set is lost. */
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->l3_len = sizeof(*ip6) + sizeof(*fh);
	f->held += m->nb_segs;
	return returned(f, rte_ipv6_frag_reassemble_packet(f->tbl, &f->dr, m, now, ip6, fh));
}

void dv_frags_done(struct dv_frags *f, const struct dv_frag_info *fi, struct dv_frag_stats *st,
		   struct dv_hist *count, struct dv_hist *spread)
{
	uint8_t family, src[16];
	key_of(fi, &family, src);
	dv_count_add(&st->reassembled[family], 1);
	uint32_t i = find(f, family, src, fi->ip_id);
	if (!f->set[i].used)
		return;
	const struct dv_frag_set *s = &f->set[i];
	dv_count_add(&st->in_reassembled, s->nfrags);
	dv_count_add(&st->reassembled_bytes, s->bytes);
	dv_hist_add(count, s->nfrags);
	dv_hist_add(spread, (uint64_t)((double)(s->last_tsc - s->first_tsc) * f->ns_per_tick));
	erase(f, i);
}

unsigned dv_frags_expire(struct dv_frags *f, uint64_t now, bool all, struct dv_frag_stats *st,
			 void (*on_lost)(void *ctx, const struct dv_frag_verdict *v), void *ctx)
{
	unsigned n = 0;
	while (f->head < f->tail) {
		const struct dv_frag_age *a = &f->fifo[f->head & f->fifo_mask];
		if (!all && a->created_tsc + f->timeout_tsc > now)
			break;
		f->head++;
		uint32_t i = find(f, a->family, a->src, a->ip_id);
		struct dv_frag_set *s = &f->set[i];
		/* Completed (gone), or the key was reused by a newer set: nothing lost here. */
		if (!s->used || s->first_tsc != a->created_tsc)
			continue;
		bool mine = s->has_first && s->ours;
		bool refused = f->tbl == NULL && mine;
		dv_count_add(&st->in_lost, s->nfrags);
		if (refused) {
			dv_count_add(&st->dropped_sets, 1);
		} else {
			dv_count_add(&st->lost_sets[s->family], 1);
			if (mine)
				dv_count_add(&st->lost_attributed, 1);
		}
		if (mine && on_lost != NULL) {
			struct dv_frag_verdict v = { .attributable = true, .refused = refused,
						     .dport = s->dport, .dns_id = s->dns_id,
						     .udp_len = s->udp_len, .family = s->family };
			on_lost(ctx, &v);
		}
		erase(f, i);
		n++;
	}
	/* rte_ip_frag frees an expired set only when a fragment of its bucket arrives:
	 * after a flood nothing may come, and its mbufs would starve RX for good.
	 * (At the end of the run the table's destruction frees them.) A round frees
	 * what fits the death row; a few rounds per call keep the walk short.
	 * Holding no mbuf, there is nothing to free: a sweep every DV_FRAG_SWEEP_NS
	 * then (a safety net) instead of one per poll (the fragment path idle). */
	if (f->tbl != NULL && !all && (f->held != 0 || now >= f->next_sweep_tsc)) {
		f->next_sweep_tsc = now + f->sweep_tsc;
		for (unsigned k = 0; k < 8; k++) {
			rte_ip_frag_table_del_expired_entries(f->tbl, &f->dr, now);
			if (f->dr.cnt == 0)
				break;
			dv_frags_flush(f);
		}
	}
	return n;
}

void dv_frags_flush(struct dv_frags *f)
{
	if (f->dr.cnt == 0)
		return;
	for (uint32_t i = 0; i < f->dr.cnt; i++) {
		uint16_t segs = f->dr.row[i]->nb_segs;
		f->held -= segs <= f->held ? segs : f->held;
	}
	rte_ip_frag_free_death_row(&f->dr, 3);
}
