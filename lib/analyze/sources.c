/*
 * Queries per source address (sources.h): open addressing over the
 * address's hash, never more than half full.
 */
#include "analyze/sources.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"

#define EMPTY 0xff

int dv_an_sources_init(struct dv_an_sources *s, uint32_t cap)
{
	uint32_t slots = 2;
	while (slots < 2u * cap && slots < (1u << 31))
		slots <<= 1;
	*s = (struct dv_an_sources){ .mask = slots - 1, .cap = cap };
	s->addr = malloc((size_t)slots * sizeof(*s->addr));
	s->count = calloc(slots, sizeof(*s->count));
	if (cap == 0 || s->addr == NULL || s->count == NULL) {
		dv_an_sources_free(s);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < slots; i++)
		s->addr[i][0] = EMPTY;
	return 0;
}

void dv_an_sources_free(struct dv_an_sources *s)
{
	free(s->addr);
	free(s->count);
	s->addr = NULL;
	s->count = NULL;
}

void dv_an_sources_add(struct dv_an_sources *s, struct dv_an_tables *t, const struct dv_seen_query *q)
{
	uint8_t a[17] = { q->family };
	memcpy(a + 1, q->src, q->family == DV_FAMILY_V6 ? 16 : 4);
	uint64_t h = dv_fnv1a(0xcbf29ce484222325ull, a, sizeof(a));
	uint32_t i = (uint32_t)(h ^ (h >> 32)) & s->mask;
	while (s->addr[i][0] != EMPTY && memcmp(s->addr[i], a, sizeof(a)) != 0)
		i = (i + 1) & s->mask;
	if (s->addr[i][0] == EMPTY) {
		if (s->n == s->cap) {
			t->sources_untracked++;
			return;
		}
		memcpy(s->addr[i], a, sizeof(a));
		s->n++;
	}
	s->count[i]++;
}

void dv_an_sources_finish(const struct dv_an_sources *s, struct dv_an_tables *t)
{
	t->sources = s->n;
	memset(t->src_buckets, 0, sizeof(t->src_buckets));
	for (uint32_t i = 0; i <= s->mask; i++) {
		if (s->addr[i][0] == EMPTY)
			continue;
		/* 1, 2-9, 10-99, ...: one bucket per decimal digit beyond one query. */
		unsigned b = s->count[i] > 1;
		for (uint64_t c = s->count[i]; c >= 10 && b + 1 < DV_AN_SRC_BUCKETS; c /= 10)
			b++;
		t->src_buckets[b]++;
	}
}
