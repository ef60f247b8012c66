/* TCP receive stream: length-prefixed messages out of segments in any order, in fixed memory. */
#include <check.h>

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "tcp/stream.h"

#define MAXMSG 64
#define KEEP 64

struct got {
	unsigned n;
	uint16_t plen[MAXMSG];
	uint32_t full[MAXMSG];
	uint8_t prefix[MAXMSG][KEEP];
};

static void on_msg(void *ctx, const uint8_t *p, uint16_t plen, uint32_t full)
{
	struct got *g = ctx;
	ck_assert_uint_lt(g->n, MAXMSG);
	g->plen[g->n] = plen;
	g->full[g->n] = full;
	memcpy(g->prefix[g->n], p, plen < KEEP ? plen : KEEP);
	g->n++;
}

static uint8_t ring[65536], prefix[65536];

/* Message body i of length len: bytes (i * 7 + k) & 0xff. Appended with its prefix. */
static size_t put_msg(uint8_t *w, unsigned i, uint32_t len)
{
	w[0] = (uint8_t)(len >> 8);
	w[1] = (uint8_t)len;
	for (uint32_t k = 0; k < len; k++)
		w[2 + k] = (uint8_t)(i * 7 + k);
	return 2 + len;
}

static void ck_body(const struct got *g, unsigned m, unsigned i, uint32_t len, uint16_t plen)
{
	ck_assert_uint_eq(g->full[m], len);
	ck_assert_uint_eq(g->plen[m], plen);
	for (uint32_t k = 0; k < plen && k < KEEP; k++)
		ck_assert_uint_eq(g->prefix[m][k], (uint8_t)(i * 7 + k));
}

START_TEST(two_messages_in_one_segment)
{
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	uint8_t w[200];
	size_t n = put_msg(w, 0, 30);
	n += put_msg(w + n, 1, 50);
	dv_tcp_stream_init(&s, ring, 1000, prefix, 512, 100);
	dv_tcp_stream_input(&s, 100, w, (uint32_t)n, on_msg, &g, &r);
	ck_assert_uint_eq(r.in_order, 84);
	ck_assert_uint_eq(r.messages, 2);
	ck_assert_uint_eq(r.dup + r.stored + r.beyond + r.dropped, 0);
	ck_assert_uint_eq(s.nxt, 184);
	ck_assert_uint_eq(g.n, 2);
	ck_body(&g, 0, 0, 30, 30);
	ck_body(&g, 1, 1, 50, 50);
	ck_assert(!dv_tcp_stream_partial(&s));
}
END_TEST

START_TEST(byte_by_byte_and_zero_length)
{
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	uint8_t w[200];
	size_t n = put_msg(w, 3, 20);
	n += put_msg(w + n, 4, 0); /* zero-length: delivered as such, the caller judges */
	n += put_msg(w + n, 5, 9);
	dv_tcp_stream_init(&s, ring, 10, prefix, 10, 0);
	for (size_t i = 0; i < n; i++) {
		dv_tcp_stream_input(&s, (uint32_t)i, w + i, 1, on_msg, &g, &r);
		ck_assert_uint_eq(r.in_order, 1);
		ck_assert_uint_eq(dv_tcp_stream_partial(&s), i + 1 != 22 && i + 1 != 24 && i + 1 != n);
	}
	ck_assert_uint_eq(g.n, 3);
	ck_body(&g, 0, 3, 20, 10); /* prefix of 10 of 20 */
	ck_body(&g, 1, 4, 0, 0);
	ck_body(&g, 2, 5, 9, 9);
}
END_TEST

START_TEST(long_message_keeps_its_prefix)
{
	/* A 65 535-byte message through a 4 KiB window and a 512-byte prefix. */
	static uint8_t w[65537];
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	put_msg(w, 9, 65535);
	dv_tcp_stream_init(&s, ring, 4096, prefix, 512, 7);
	uint32_t off = 0;
	while (off < sizeof(w)) {
		uint32_t len = sizeof(w) - off < 1400 ? (uint32_t)sizeof(w) - off : 1400;
		dv_tcp_stream_input(&s, 7 + off, w + off, len, on_msg, &g, &r);
		ck_assert_uint_eq(r.in_order, len);
		off += len;
	}
	ck_assert_uint_eq(g.n, 1);
	ck_body(&g, 0, 9, 65535, 512);
	ck_assert_uint_eq(s.nxt, 7 + 65537);
}
END_TEST

START_TEST(out_of_order_and_duplicates)
{
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	uint8_t w[400];
	size_t n = put_msg(w, 1, 298); /* 300 bytes: [0,100) [100,200) [200,300) */
	ck_assert_uint_eq(n, 300);
	dv_tcp_stream_init(&s, ring, 1000, prefix, 512, 1000);
	dv_tcp_stream_input(&s, 1200, w + 200, 100, on_msg, &g, &r);
	ck_assert_uint_eq(r.stored, 100);
	ck_assert_uint_eq(s.nranges, 1);
	dv_tcp_stream_input(&s, 1200, w + 200, 100, on_msg, &g, &r); /* the same again */
	ck_assert_uint_eq(r.stored, 0);
	ck_assert_uint_eq(r.dup, 100);
	dv_tcp_stream_input(&s, 1100, w + 100, 100, on_msg, &g, &r); /* touches: one range */
	ck_assert_uint_eq(r.stored, 100);
	ck_assert_uint_eq(s.nranges, 1);
	ck_assert_uint_eq(s.ooo[0].start, 1100);
	ck_assert_uint_eq(s.ooo[0].end, 1300);
	ck_assert_uint_eq(g.n, 0);
	/* [0,150): 100 new in order, 50 already stored, then the stored rest. */
	dv_tcp_stream_input(&s, 1000, w, 150, on_msg, &g, &r);
	ck_assert_uint_eq(r.in_order, 300);
	ck_assert_uint_eq(r.dup, 50);
	ck_assert_uint_eq(r.messages, 1);
	ck_assert_uint_eq(s.nranges, 0);
	ck_assert_uint_eq(s.nxt, 1300);
	ck_body(&g, 0, 1, 298, 298);
	/* Entirely old now. */
	dv_tcp_stream_input(&s, 1000, w, 300, on_msg, &g, &r);
	ck_assert_uint_eq(r.dup, 300);
	ck_assert_uint_eq(r.in_order + r.stored, 0);
}
END_TEST

START_TEST(range_limit_drops_and_merges)
{
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	uint8_t w[1100];
	size_t n = put_msg(w, 2, 998);
	ck_assert_uint_eq(n, 1000);
	dv_tcp_stream_init(&s, ring, 1000, prefix, 512, 0);
	for (unsigned k = 1; k <= DV_TCP_OOO_MAX; k++) {
		dv_tcp_stream_input(&s, k * 100, w + k * 100, 10, on_msg, &g, &r);
		ck_assert_uint_eq(r.stored, 10);
		ck_assert_uint_eq(s.nranges, k);
	}
	/* A fifth disjoint range does not fit: dropped, the peer sends it again. */
	uint32_t fifth = (DV_TCP_OOO_MAX + 1) * 100;
	dv_tcp_stream_input(&s, fifth, w + fifth, 10, on_msg, &g, &r);
	ck_assert_uint_eq(r.dropped, 10);
	ck_assert_uint_eq(r.stored, 0);
	ck_assert_uint_eq(s.nranges, DV_TCP_OOO_MAX);
	/* Bridging [110, 200) joins two ranges: room again. */
	dv_tcp_stream_input(&s, 110, w + 110, 90, on_msg, &g, &r);
	ck_assert_uint_eq(r.stored, 90);
	ck_assert_uint_eq(s.nranges, DV_TCP_OOO_MAX - 1);
	ck_assert_uint_eq(s.ooo[0].start, 100);
	ck_assert_uint_eq(s.ooo[0].end, 210);
	dv_tcp_stream_input(&s, fifth, w + fifth, 10, on_msg, &g, &r);
	ck_assert_uint_eq(r.stored, 10);
	/* Past the window (R = 1000 from nxt 0): the tail is trimmed, the rest needs a fifth range. */
	dv_tcp_stream_input(&s, 990, w + 990, 20, on_msg, &g, &r);
	ck_assert_uint_eq(r.beyond, 10);
	ck_assert_uint_eq(r.dropped, 10);
	dv_tcp_stream_input(&s, 1000, w, 10, on_msg, &g, &r);
	ck_assert_uint_eq(r.beyond, 10);
	ck_assert_uint_eq(r.stored + r.dropped, 0);
	/* Everything, in order: one message, nothing left stored. */
	dv_tcp_stream_input(&s, 0, w, 1000, on_msg, &g, &r);
	ck_assert_uint_eq(r.in_order, 1000);
	ck_assert_uint_eq(s.nranges, 0);
	ck_assert_uint_eq(g.n, 1);
	ck_body(&g, 0, 2, 998, 512);
}
END_TEST

START_TEST(sequence_and_ring_wrap)
{
	/* nxt just below 2^32, a ring of 97 bytes: stored bytes wrap both. */
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	struct got g = { 0 };
	uint8_t w[300];
	size_t n = put_msg(w, 6, 60);
	n += put_msg(w + n, 7, 70); /* 134 bytes */
	uint32_t base = 0xffffffc0u;
	dv_tcp_stream_init(&s, ring, 97, prefix, 64, base);
	dv_tcp_stream_input(&s, base, w, 50, on_msg, &g, &r); /* ring head -> 50 */
	ck_assert_uint_eq(r.in_order, 50);
	dv_tcp_stream_input(&s, base + 80, w + 80, 54, on_msg, &g, &r); /* crosses 2^32, wraps the ring */
	ck_assert_uint_eq(r.stored, 54);
	ck_assert_uint_eq(s.ooo[0].end, base + 134); /* = 70 after the wrap */
	dv_tcp_stream_input(&s, base + 50, w + 50, 30, on_msg, &g, &r);
	ck_assert_uint_eq(r.in_order, 84);
	ck_assert_uint_eq(s.nxt, 70u);
	ck_assert_uint_eq(g.n, 2);
	ck_body(&g, 0, 6, 60, 60);
	ck_body(&g, 1, 7, 70, 64);
}
END_TEST

START_TEST(random_order_delivers_everything)
{
	/* Random messages cut into random segments, fed in random order with
	 * repeats (a lossy, reordering, duplicating path) until all arrived. */
	static uint8_t w[20000];
	struct got g = { 0 };
	struct dv_rng rng;
	dv_rng_seed(&rng, 42);
	uint32_t lens[40];
	size_t n = 0;
	unsigned nm = 0;
	while (nm < 40) {
		uint32_t len = (uint32_t)(dv_rng_next(&rng) % 400);
		if (n + 2 + len > sizeof(w))
			break;
		lens[nm] = len;
		n += put_msg(w + n, nm, len);
		nm++;
	}
	uint32_t cut[400], ncut = 0, off = 0;
	while (off < n) {
		uint32_t len = 1 + (uint32_t)(dv_rng_next(&rng) % 300);
		if (off + len > n)
			len = (uint32_t)(n - off);
		cut[ncut++] = off;
		off += len;
	}
	cut[ncut] = (uint32_t)n;
	struct dv_tcp_stream s;
	struct dv_tcp_stream_res r;
	uint32_t base = 0xfffff000u;
	dv_tcp_stream_init(&s, ring, 1500, prefix, 48, base);
	unsigned steps = 0;
	uint64_t in_order = 0;
	while (s.nxt != base + (uint32_t)n && steps < 100000) {
		uint32_t k = (uint32_t)(dv_rng_next(&rng) % ncut);
		dv_tcp_stream_input(&s, base + cut[k], w + cut[k], cut[k + 1] - cut[k], on_msg, &g, &r);
		in_order += r.in_order;
		ck_assert_uint_le(s.nranges, DV_TCP_OOO_MAX);
		steps++;
	}
	ck_assert_uint_eq(s.nxt, base + (uint32_t)n);
	ck_assert_uint_eq(in_order, n);
	ck_assert_uint_eq(g.n, nm);
	for (unsigned i = 0; i < nm; i++)
		ck_body(&g, i, i, lens[i], lens[i] < 48 ? (uint16_t)lens[i] : 48);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tcp_stream");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, two_messages_in_one_segment);
	tcase_add_test(tc, byte_by_byte_and_zero_length);
	tcase_add_test(tc, long_message_keeps_its_prefix);
	tcase_add_test(tc, out_of_order_and_duplicates);
	tcase_add_test(tc, range_limit_drops_and_merges);
	tcase_add_test(tc, sequence_and_ring_wrap);
	tcase_add_test(tc, random_order_delivers_everything);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
