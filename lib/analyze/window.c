/*
 * The window of open sequences (window.h).
 */
#include "analyze/window.h"

#include <errno.h>
#include <stdlib.h>

#include "core/hash.h"

#define NONE UINT32_MAX

int dv_an_window_init(struct dv_an_window *w, uint32_t cap, uint64_t quiet_ns)
{
	*w = (struct dv_an_window){ .cap = cap, .oldest = NONE, .newest = NONE, .quiet_ns = quiet_ns };
	uint32_t slots = 2;
	while (slots < 2u * cap && slots < (1u << 31))
		slots <<= 1;
	w->e = calloc(cap, sizeof(*w->e));
	w->slot = calloc(slots, sizeof(*w->slot));
	if (cap == 0 || w->e == NULL || w->slot == NULL) {
		dv_an_window_free(w);
		return -ENOMEM;
	}
	w->mask = slots - 1;
	for (uint32_t i = 0; i < cap; i++)
		w->e[i].next = i + 1 < cap ? i + 1 : NONE;
	w->free_top = 0;
	return 0;
}

void dv_an_window_free(struct dv_an_window *w)
{
	free(w->e);
	free(w->slot);
	w->e = NULL;
	w->slot = NULL;
}

uint64_t dv_an_key(const struct dv_seen_query *q)
{
	uint8_t t[2] = { (uint8_t)(q->qtype >> 8), (uint8_t)q->qtype };
	return dv_fnv1a(dv_fnv1a(0xcbf29ce484222325ull, q->qname, q->qname_len), t, 2);
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t find(const struct dv_an_window *w, uint64_t key)
{
	uint32_t i = (uint32_t)(key ^ (key >> 32)) & w->mask;
	while (w->slot[i] != 0 && w->e[w->slot[i] - 1].key != key)
		i = (i + 1) & w->mask;
	return i;
}

/* Remove the entry at slot i; later entries of its run move back (no tombstones). */
static void slot_delete(struct dv_an_window *w, uint32_t i)
{
	uint32_t j = i;
	for (;;) {
		w->slot[i] = 0;
		for (;;) {
			j = (j + 1) & w->mask;
			if (w->slot[j] == 0)
				return;
			uint64_t key = w->e[w->slot[j] - 1].key;
			uint32_t home = (uint32_t)(key ^ (key >> 32)) & w->mask;
			/* Stays if its home lies cyclically in (i, j]. */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		w->slot[i] = w->slot[j];
		i = j;
	}
}

static void list_unlink(struct dv_an_window *w, uint32_t x)
{
	struct dv_an_open *o = &w->e[x];
	if (o->prev != NONE)
		w->e[o->prev].next = o->next;
	else
		w->oldest = o->next;
	if (o->next != NONE)
		w->e[o->next].prev = o->prev;
	else
		w->newest = o->prev;
}

static void list_append(struct dv_an_window *w, uint32_t x)
{
	struct dv_an_open *o = &w->e[x];
	o->prev = w->newest;
	o->next = NONE;
	if (w->newest != NONE)
		w->e[w->newest].next = x;
	else
		w->oldest = x;
	w->newest = x;
}

/* Close the oldest open sequence into t. */
static void close_oldest(struct dv_an_window *w, struct dv_an_tables *t)
{
	uint32_t x = w->oldest;
	struct dv_an_open *o = &w->e[x];
	struct dv_an_seq s = { .queries = o->queries, .fam = { o->fam[0], o->fam[1] }, .fams = o->fams,
			       .udp_then_tcp = o->udp_then_tcp != 0, .gap12_ns = o->gap12_ns };
	dv_an_add_sequence(t, &s);
	slot_delete(w, find(w, o->key));
	list_unlink(w, x);
	o->next = w->free_top;
	w->free_top = x;
	w->n--;
}

void dv_an_window_add(struct dv_an_window *w, struct dv_an_tables *t, const struct dv_seen_query *q,
		      uint64_t ts_ns)
{
	if (w->newest != NONE && ts_ns < w->e[w->newest].last_ns)
		ts_ns = w->e[w->newest].last_ns;
	while (w->oldest != NONE && w->e[w->oldest].last_ns + w->quiet_ns < ts_ns)
		close_oldest(w, t);
	uint64_t key = dv_an_key(q);
	uint32_t i = find(w, key);
	unsigned f = q->family & 1;
	if (w->slot[i] != 0) {
		uint32_t x = w->slot[i] - 1;
		struct dv_an_open *o = &w->e[x];
		if (o->queries == 1) {
			o->fam[1] = (uint8_t)f;
			o->gap12_ns = ts_ns - o->first_ns;
		}
		o->queries++;
		o->fams |= (uint8_t)(1u << f);
		if (q->tcp && o->udp_seen)
			o->udp_then_tcp = 1;
		o->udp_seen |= !q->tcp;
		o->last_ns = ts_ns;
		list_unlink(w, x);
		list_append(w, x);
		return;
	}
	if (w->n == w->cap) {
		t->closed_early++;
		close_oldest(w, t);
		i = find(w, key);
	}
	uint32_t x = w->free_top;
	struct dv_an_open *o = &w->e[x];
	w->free_top = o->next;
	*o = (struct dv_an_open){ .key = key, .first_ns = ts_ns, .last_ns = ts_ns, .queries = 1,
				  .fam = { (uint8_t)f, 0 }, .fams = (uint8_t)(1u << f),
				  .udp_seen = !q->tcp };
	w->slot[i] = x + 1;
	w->n++;
	list_append(w, x);
}

void dv_an_window_flush(struct dv_an_window *w, struct dv_an_tables *t)
{
	while (w->oldest != NONE)
		close_oldest(w, t);
}
