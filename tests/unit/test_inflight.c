/* In-flight table: wire mapping, match outcomes, FIFO timeouts, and the
 * single-writer hand-off between a generator and a collector thread. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/plan.h"
#include "core/bigmem.h"
#include "engine/inflight.h"

/* An attempt id for tests: query qidx over a family. */
#define AID(q, f) (&(struct dv_attempt_id){ .qidx = (q), .qtype = 1, .family = (f) })

/* A table of size bytes at p: on a line, on 2 MiB from 2 MiB up, every page
 * resident before the run touches it (no page fault in the run). */
static void check_table_memory(const unsigned char *p, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq((uintptr_t)p % 64, 0);
	if (size >= (2u << 20))
		ck_assert_uint_eq((uintptr_t)p % (2u << 20), 0);
	uintptr_t lo = (uintptr_t)p & ~(uintptr_t)(page - 1);
	size_t span = (uintptr_t)p + size - lo;
	size_t npages = (span + (size_t)page - 1) / (size_t)page;
	unsigned char *vec = malloc(npages);
	ck_assert_ptr_nonnull(vec);
	ck_assert_int_eq(mincore((void *)lo, span, vec), 0);
	for (size_t k = 0; k < npages; k++)
		ck_assert_msg(vec[k] & 1, "size %zu: page %zu of %zu not resident", size, k, npages);
	free(vec);
}

/* The tables' memory: placed and resident as above, zeroed, every byte usable. */
START_TEST(bigmem_alignment)
{
	static const size_t sizes[] = { 1, 100, 4096, (2u << 20) - 1, 2u << 20, (3u << 20) + 5 };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = dv_bigmem_alloc(sizes[i]);
		check_table_memory(p, sizes[i]);
		ck_assert_uint_eq(p[0], 0);
		ck_assert_uint_eq(p[sizes[i] / 2], 0);
		ck_assert_uint_eq(p[sizes[i] - 1], 0);
		memset(p, 0xa5, sizes[i]);
		ck_assert_uint_eq(p[sizes[i] - 1], 0xa5);
		dv_bigmem_free(p);
	}
	dv_bigmem_free(NULL);
}
END_TEST

/* A filled table: every record a copy of the prototype, placed and resident. */
START_TEST(bigmem_fill)
{
	struct rec {
		uint64_t a;
		uint8_t b[16];
	} proto = { .a = UINT64_MAX, .b = { 1, 2, 3 } };
	static const size_t counts[] = { 1, 3, 4096, (2u << 20) / sizeof(struct rec) + 7 };
	for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct rec *t = dv_bigmem_alloc_fill(counts[i], sizeof(proto), &proto);
		check_table_memory((const unsigned char *)t, counts[i] * sizeof(proto));
		for (size_t k = 0; k < counts[i]; k++)
			ck_assert_msg(memcmp(&t[k], &proto, sizeof(proto)) == 0, "record %zu of %zu", k,
				      counts[i]);
		dv_bigmem_free(t);
	}
	ck_assert_ptr_null(dv_bigmem_alloc_fill(SIZE_MAX / 8, 16, &proto));
}
END_TEST

START_TEST(slots_for_rate)
{
	ck_assert_uint_eq(dv_inflight_slots_for(20000, 1.0), 65536);
	ck_assert_uint_eq(dv_inflight_slots_for(1000000, 1.0), 1u << 21);
	ck_assert_uint_eq(dv_inflight_slots_for(1e9, 10), 1u << 24);
}
END_TEST

START_TEST(init_rejects_bad_sizes)
{
	struct dv_inflight t;
	ck_assert_int_eq(dv_inflight_init(&t, 1000, 10000), -EINVAL);
	ck_assert_int_eq(dv_inflight_init(&t, 32768, 10000), -EINVAL);
	ck_assert_int_eq(dv_inflight_init(&t, 1u << 17, 65535), -EINVAL);
	ck_assert_int_eq(dv_inflight_init(&t, 1u << 17, 65534), 0);
	dv_inflight_free(&t);
}
END_TEST

START_TEST(wire_id_mapping)
{
	struct dv_inflight t;
	ck_assert_int_eq(dv_inflight_init(&t, 1u << 17, 10000), 0);
	uint16_t sport, id;
	/* Identity maps: the low slot bit picks the port, the rest is the ID. */
	dv_inflight_wire_id(&t, 0, &sport, &id);
	ck_assert_uint_eq(sport, 10000);
	ck_assert_uint_eq(id, 0);
	dv_inflight_wire_id(&t, 65537, &sport, &id);
	ck_assert_uint_eq(sport, 10001);
	ck_assert_uint_eq(id, 32768);
	dv_inflight_wire_id(&t, (1u << 17) + 5, &sport, &id);
	ck_assert_uint_eq(sport, 10001);
	ck_assert_uint_eq(id, 2);
	dv_inflight_free(&t);
}
END_TEST

/* Publish attempt seq so that a lookup can find it. */
static void issue_one(struct dv_inflight *t, uint64_t seq)
{
	struct dv_attempt_id a = { .lseq = seq };
	dv_inflight_issue(t, seq, &a, 1);
	dv_inflight_publish(t, seq + 1);
}

START_TEST(spread_is_a_bijection)
{
	static uint8_t seen[65536 / 8 * 256];
	struct dv_inflight t;
	ck_assert_int_eq(dv_inflight_init(&t, 65536, 20000), 0);
	ck_assert_int_eq(dv_inflight_spread(&t, 256, 0x1234567887654321ull), 0);
	memset(seen, 0, sizeof(seen));
	unsigned consecutive_same_port = 0;
	uint16_t prev_port = 0;
	for (uint32_t slot = 0; slot < 65536; slot++) {
		uint16_t sport, id;
		dv_inflight_wire_id(&t, slot, &sport, &id);
		ck_assert_uint_ge(sport, 20000);
		ck_assert_uint_lt(sport, 20256);
		uint32_t key = (uint32_t)(sport - 20000) << 16 | id;
		ck_assert_msg(!(seen[key >> 3] & (1u << (key & 7))), "slot %u reuses (port, ID)", slot);
		seen[key >> 3] |= (uint8_t)(1u << (key & 7));
		consecutive_same_port += slot > 0 && sport == prev_port;
		prev_port = sport;
	}
	ck_assert_uint_eq(consecutive_same_port, 0);

	/* Round trip through the wire for a few slots, then what is not ours. */
	uint64_t probes[] = { 0, 1, 255, 256, 40000, 65535 };
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint16_t sport, id;
		struct dv_match m;
		t.sent = probes[i]; /* publish in any order: the table does not care here */
		issue_one(&t, probes[i]);
		dv_inflight_wire_id(&t, probes[i], &sport, &id);
		ck_assert_int_eq(dv_inflight_lookup(&t, sport, id, &m), DV_OUT_ANSWERED);
		ck_assert_uint_eq(m.seq, probes[i]);
		ck_assert_uint_eq(m.a.lseq, probes[i]);
		struct dv_match miss;
		ck_assert_int_eq(dv_inflight_lookup(&t, 20256, id, &miss), DV_OUT_UNMATCHED);
		ck_assert_int_eq(dv_inflight_lookup(&t, 19999, id, &miss), DV_OUT_UNMATCHED);
	}
	/* 256 ports x 256 IDs: three quarters of the ID space of each port is never used. */
	unsigned unused = 0;
	for (uint32_t id = 0; id < 65536; id++) {
		struct dv_match m;
		unused += dv_inflight_lookup(&t, 20000, (uint16_t)id, &m) == DV_OUT_UNMATCHED;
	}
	ck_assert_uint_ge(unused, 65536 - 256);
	dv_inflight_free(&t);
}
END_TEST

START_TEST(spread_rejects_bad_port_counts)
{
	struct dv_inflight t;
	ck_assert_int_eq(dv_inflight_init(&t, 1u << 17, 60000), 0);
	ck_assert_int_eq(dv_inflight_spread(&t, 1, 7), -EINVAL);     /* fewer than nslots / 65536 */
	ck_assert_int_eq(dv_inflight_spread(&t, 96, 7), -EINVAL);    /* not a power of two */
	ck_assert_int_eq(dv_inflight_spread(&t, 8192, 7), -EINVAL);  /* beyond port 65535 */
	ck_assert_int_eq(dv_inflight_spread(&t, 4096, 7), 0);
	ck_assert_uint_eq(t.nports, 4096);
	dv_inflight_free(&t);
}
END_TEST

static unsigned timeouts_by_family[2];
static void count_timeout(void *ctx, uint64_t seq, const struct dv_attempt_id *a)
{
	(void)ctx;
	(void)seq;
	timeouts_by_family[a->family]++;
}

START_TEST(match_outcomes)
{
	struct dv_inflight t;
	struct dv_match m;
	ck_assert_int_eq(dv_inflight_init(&t, 65536, 20000), 0);

	dv_inflight_issue(&t, 0, AID(7, DV_FAMILY_V6), 1000);
	/* Not yet published: a response cannot match it. */
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 0, &m), DV_OUT_UNMATCHED);
	dv_inflight_publish(&t, 1);
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 0, &m), DV_OUT_ANSWERED);
	ck_assert_uint_eq(m.seq, 0);
	ck_assert_uint_eq(m.a.qidx, 7);
	ck_assert_uint_eq(m.tx_tsc, 1000);
	ck_assert_uint_eq(m.a.family, DV_FAMILY_V6);
	dv_inflight_answer(&t, &m);
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 0, &m), DV_OUT_DUPLICATE);
	/* Wrong port, or an ID never sent. */
	ck_assert_int_eq(dv_inflight_lookup(&t, 20001, 0, &m), DV_OUT_UNMATCHED);
	ck_assert_int_eq(dv_inflight_lookup(&t, 19999, 0, &m), DV_OUT_UNMATCHED);
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 1, &m), DV_OUT_UNMATCHED);

	/* The answered query is resolved without a timeout. */
	ck_assert_uint_eq(dv_inflight_expire(&t, 5000, false, 100, count_timeout, NULL), 1);
	ck_assert_uint_eq(t.resolved, 1);
	dv_inflight_free(&t);
}
END_TEST

START_TEST(timeouts_are_fifo)
{
	struct dv_inflight t;
	struct dv_match m;
	timeouts_by_family[0] = timeouts_by_family[1] = 0;
	ck_assert_int_eq(dv_inflight_init(&t, 65536, 20000), 0);
	for (uint64_t s = 0; s < 10; s++)
		dv_inflight_issue(&t, s, AID(0, (uint8_t)(s & 1)), 100 * (s + 1));
	dv_inflight_publish(&t, 10);

	/* Answer query 5; deadline 350 times out 0,1,2 (tx 100..300) and stops at 3 (tx 400). */
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 5, &m), DV_OUT_ANSWERED);
	dv_inflight_answer(&t, &m);
	ck_assert_uint_eq(dv_inflight_expire(&t, 350, false, 100, count_timeout, NULL), 3);
	ck_assert_uint_eq(timeouts_by_family[0] + timeouts_by_family[1], 3);
	ck_assert_uint_eq(timeouts_by_family[0], 2); /* seq 0 and 2 */
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 1, &m), DV_OUT_LATE);
	ck_assert_int_eq(dv_inflight_lookup(&t, 20000, 3, &m), DV_OUT_ANSWERED);

	/* Budget limits the walk. */
	ck_assert_uint_eq(dv_inflight_expire(&t, 10000, false, 2, count_timeout, NULL), 2);
	ck_assert_uint_eq(t.resolved, 5);
	/* 5 was answered: skipped without a timeout; the rest time out. */
	ck_assert_uint_eq(dv_inflight_expire(&t, 0, true, 100, count_timeout, NULL), 5);
	ck_assert_uint_eq(timeouts_by_family[0] + timeouts_by_family[1], 9);
	ck_assert_uint_eq(dv_inflight_outstanding(&t), 0);
	dv_inflight_free(&t);
}
END_TEST

START_TEST(room_is_bounded)
{
	struct dv_inflight t;
	ck_assert_int_eq(dv_inflight_init(&t, 65536, 20000), 0);
	for (uint64_t s = 0; s < 65536; s++)
		dv_inflight_issue(&t, s, AID(0, 0), 1);
	dv_inflight_publish(&t, 65536);
	ck_assert(!dv_inflight_has_room(&t));
	ck_assert_uint_eq(dv_inflight_expire(&t, 2, false, 10, NULL, NULL), 10);
	ck_assert(dv_inflight_has_room(&t));
	dv_inflight_free(&t);
}
END_TEST

/* Two threads, as on two lcores: every query ends answered or timed out, exactly once. */
#define STRESS_N 2000000ull
struct stress {
	struct dv_inflight t;
	uint64_t answered, timeouts, dups, answered6;
	uint64_t clock;  /* logical time, written by the generator */
};

static void *stress_gen(void *arg)
{
	struct stress *s = arg;
	uint64_t seq = 0;
	while (seq < STRESS_N) {
		if (!dv_inflight_has_room(&s->t))
			continue;
		uint64_t now = __atomic_add_fetch(&s->clock, 1, __ATOMIC_RELAXED);
		dv_inflight_issue(&s->t, seq, AID((uint32_t)(seq % 97), (uint8_t)(seq & 1)), now);
		dv_inflight_publish(&s->t, ++seq);
	}
	return NULL;
}

static void stress_timeout(void *ctx, uint64_t seq, const struct dv_attempt_id *a)
{
	(void)a;
	(void)seq;
	((struct stress *)ctx)->timeouts++;
}

static void *stress_col(void *arg)
{
	struct stress *s = arg;
	uint64_t probe = 0;
	for (;;) {
		uint64_t sent = __atomic_load_n(&s->t.sent, __ATOMIC_ACQUIRE);
		/* "Responses": answer every third published query, some twice. */
		for (int i = 0; i < 64 && probe < sent; i++, probe++) {
			if (probe % 3 != 0)
				continue;
			uint16_t sport, id;
			struct dv_match m;
			dv_inflight_wire_id(&s->t, probe, &sport, &id);
			enum dv_outcome o = dv_inflight_lookup(&s->t, sport, id, &m);
			if (o == DV_OUT_ANSWERED && m.seq == probe) {
				ck_assert_uint_eq(m.a.qidx, probe % 97);
				dv_inflight_answer(&s->t, &m);
				s->answered++;
				s->answered6 += probe % 6 == 0;
				if (probe % 6 == 0 &&
				    dv_inflight_lookup(&s->t, sport, id, &m) == DV_OUT_DUPLICATE)
					s->dups++;
			}
		}
		uint64_t now = __atomic_load_n(&s->clock, __ATOMIC_RELAXED);
		dv_inflight_expire(&s->t, now > 40000 ? now - 40000 : 0, false, 256,
				   stress_timeout, s);
		if (sent == STRESS_N && probe == STRESS_N) {
			dv_inflight_expire(&s->t, 0, true, UINT32_MAX, stress_timeout, s);
			break;
		}
	}
	return NULL;
}

START_TEST(two_thread_handoff)
{
	static struct stress s;
	ck_assert_int_eq(dv_inflight_init(&s.t, 65536, 10000), 0);
	pthread_t g, c;
	pthread_create(&g, NULL, stress_gen, &s);
	pthread_create(&c, NULL, stress_col, &s);
	pthread_join(g, NULL);
	pthread_join(c, NULL);
	ck_assert_uint_eq(s.answered + s.timeouts, STRESS_N);
	ck_assert_uint_gt(s.answered, 0);
	/* A second response right after the first is always a duplicate, never a new match. */
	ck_assert_uint_gt(s.answered6, 0);
	ck_assert_uint_eq(s.dups, s.answered6);
	ck_assert_uint_eq(dv_inflight_outstanding(&s.t), 0);
	dv_inflight_free(&s.t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("inflight");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, bigmem_alignment);
	tcase_add_test(tc, bigmem_fill);
	tcase_add_test(tc, slots_for_rate);
	tcase_add_test(tc, init_rejects_bad_sizes);
	tcase_add_test(tc, wire_id_mapping);
	tcase_add_test(tc, spread_is_a_bijection);
	tcase_add_test(tc, spread_rejects_bad_port_counts);
	tcase_add_test(tc, match_outcomes);
	tcase_add_test(tc, timeouts_are_fifo);
	tcase_add_test(tc, room_is_bounded);
	tcase_add_test(tc, two_thread_handoff);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
