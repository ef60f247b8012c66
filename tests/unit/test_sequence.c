/* The sequence state machine: timer FIFOs, retry hand-off, outcomes, as the
 * generator and collector drive it (without EAL: plain memory, one thread). */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "engine/inflight.h"
#include "engine/sequence.h"
#include "engine/signals.h"

static struct dv_inflight ifl;
static struct dv_seq sq;
static struct dv_seq_stats st;
static struct dv_hist resolve[DV_EDNS_VARIANTS];
static const uint64_t timers[3] = { 100, 200, 400 };

static void setup(void)
{
	ck_assert_int_eq(dv_inflight_init(&ifl, 65536, 10000), 0);
	ck_assert_int_eq(dv_seq_init(&sq, 1024, 3, timers), 0);
	memset(&st, 0, sizeof(st));
	for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++)
		dv_hist_init(&resolve[v]);
}

static void teardown(void)
{
	dv_seq_free(&sq);
	dv_inflight_free(&ifl);
}

/* The generator sends the attempt of logical query lseq it was asked for (k: DV_ASK_* bits)
 * at tx; returns its in-flight seq. */
static uint64_t send_attempt(uint64_t lseq, uint8_t k, uint8_t family, uint64_t tx)
{
	uint64_t seq = dv_inflight_next(&ifl);
	struct dv_attempt_id a = { .lseq = lseq, .qidx = 0, .qtype = 1, .family = family,
				   .attempt = k & DV_ASK_ATTEMPT,
				   .transport = (k & DV_ASK_TCP) ? DV_TRANSPORT_TCP : DV_TRANSPORT_UDP };
	dv_inflight_issue(&ifl, seq, &a, tx);
	dv_inflight_publish(&ifl, seq + 1);
	if ((k & DV_ASK_ATTEMPT) == 0)
		dv_seq_publish(&sq, lseq + 1);
	dv_seq_walk(&sq, &ifl);
	return seq;
}

/* The collector matches a response to in-flight seq, `after` ticks after it was sent. */
static void answer_after(uint64_t seq, bool tc, uint64_t after)
{
	struct dv_attempt_id a;
	uint64_t tx;
	ck_assert(dv_inflight_read(&ifl, seq, &tx, &a));
	dv_seq_answer(&sq, &a, tc, tx + after, &st, resolve);
}

static void answer(uint64_t seq, bool tc)
{
	answer_after(seq, tc, 1);
}

/* A TCP attempt's connection failed. */
static void tcp_failed(uint64_t seq, enum dv_tcp_fail why)
{
	struct dv_attempt_id a;
	uint64_t tx;
	ck_assert(dv_inflight_read(&ifl, seq, &tx, &a));
	dv_seq_tcp_failed(&sq, &a, why, &st);
}

/* The generator takes one retry request. */
static bool take_retry(uint64_t *lseq, uint8_t *k)
{
	return dv_seq_retries(&sq, lseq, k, 1) == 1;
}

START_TEST(timers_ask_for_retries_then_fail)
{
	uint64_t l;
	uint8_t k;
	send_attempt(0, 0, DV_FAMILY_V6, 1000);
	struct dv_hist late;
	dv_hist_init(&late);
	dv_seq_fire(&sq, 1099, &st, &late);
	ck_assert(!take_retry(&l, &k));
	dv_seq_fire(&sq, 1103, &st, &late); /* attempt 0's timer (100), fired 3 ticks late */
	ck_assert_uint_eq(late.count, 1);
	ck_assert_uint_eq(late.max, 3);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(l, 0);
	ck_assert_uint_eq(k, 1);
	send_attempt(0, 1, DV_FAMILY_V4, 1105);
	dv_seq_fire(&sq, 1304, &st, NULL);
	ck_assert(!take_retry(&l, &k));
	dv_seq_fire(&sq, 1305, &st, NULL); /* attempt 1's timer (200) */
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k, 2);
	send_attempt(0, 2, DV_FAMILY_V6, 1310);
	dv_seq_fire(&sq, 1709, &st, NULL);
	ck_assert_uint_eq(st.failed, 0);
	dv_seq_fire(&sq, 1710, &st, NULL); /* the last timer (400) ends the sequence */
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.seq_len[3], 1);
	ck_assert_uint_eq(st.first_two[DV_FAMILY_V6][DV_FAMILY_V4], 1);
	ck_assert(!take_retry(&l, &k));
	ck_assert(dv_seq_all_ended(&sq));
}
END_TEST

START_TEST(answer_ends_the_sequence)
{
	uint64_t l;
	uint8_t k;
	uint64_t s0 = send_attempt(0, 0, DV_FAMILY_V4, 1000);
	answer(s0, false);
	ck_assert_uint_eq(st.answered_on[0][DV_FAMILY_V4], 1);
	ck_assert_uint_eq(st.seq_len[1], 1);
	ck_assert_uint_eq(st.single[DV_FAMILY_V4], 1);
	dv_seq_fire(&sq, 100000, &st, NULL);
	ck_assert(!take_retry(&l, &k));
	ck_assert_uint_eq(st.failed, 0);
	ck_assert(dv_seq_all_ended(&sq));
	/* A second answer to the same logical query is redundant. */
	answer(s0, false);
	ck_assert_uint_eq(st.redundant, 1);
}
END_TEST

START_TEST(late_answer_counts_for_its_attempt)
{
	uint64_t l;
	uint8_t k;
	uint64_t s0 = send_attempt(0, 0, DV_FAMILY_V6, 1000);
	dv_seq_fire(&sq, 1100, &st, NULL);
	ck_assert(take_retry(&l, &k));
	uint64_t s1 = send_attempt(0, 1, DV_FAMILY_V4, 1100);
	/* Attempt 0's answer arrives after attempt 1 went out: answered on attempt 1 (index 0), late. */
	answer(s0, false);
	ck_assert_uint_eq(st.answered_on[0][DV_FAMILY_V6], 1);
	ck_assert_uint_eq(st.answered_late[0], 1);
	ck_assert_uint_eq(st.seq_len[2], 1);
	/* The retry's answer is the loser. */
	answer(s1, false);
	ck_assert_uint_eq(st.redundant, 1);
	ck_assert_uint_eq(st.answered_on[1][DV_FAMILY_V4], 0);
}
END_TEST

START_TEST(truncated_ends_udp_sequence)
{
	uint64_t l;
	uint8_t k;
	send_attempt(0, 0, DV_FAMILY_V4, 1000);
	dv_seq_fire(&sq, 1100, &st, NULL);
	ck_assert(take_retry(&l, &k));
	uint64_t s1 = send_attempt(0, 1, DV_FAMILY_V4, 1100);
	answer(s1, true);
	ck_assert_uint_eq(st.truncated_on[1], 1);
	ck_assert_uint_eq(st.answered_on[1][DV_FAMILY_V4], 0);
	ck_assert_uint_eq(st.first_two[DV_FAMILY_V4][DV_FAMILY_V4], 1);
	dv_seq_fire(&sq, 100000, &st, NULL);
	ck_assert(!take_retry(&l, &k));
}
END_TEST

START_TEST(ended_upto_waits_for_the_oldest)
{
	send_attempt(0, 0, DV_FAMILY_V4, 1000);
	uint64_t s1 = send_attempt(1, 0, DV_FAMILY_V4, 1001);
	answer(s1, false);
	ck_assert_uint_eq(sq.ended_upto, 0); /* 0 still open */
	ck_assert(!dv_seq_all_ended(&sq));
	dv_seq_finish(&sq, &st, false);      /* end of run: 0 fails */
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(sq.ended_upto, 2);
	ck_assert(dv_seq_all_ended(&sq));
}
END_TEST

/* --on-tc tcp: a TC answer asks for the same question over TCP at once (same
 * family, same EDNS size), whose answer resolves the name; time to resolution
 * runs from the first attempt. */
START_TEST(tc_asks_tcp_at_once)
{
	uint64_t l;
	uint8_t k;
	ck_assert_int_eq(dv_seq_set_transport(&sq, true, DV_MAX_ATTEMPTS, 800), 0);
	uint64_t s0 = send_attempt(0, 0, DV_FAMILY_V6, 1000);
	answer_after(s0, true, 20); /* TC at 1020 */
	ck_assert_uint_eq(st.truncated_on[0], 0);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k & DV_ASK_ATTEMPT, 1);
	ck_assert(k & DV_ASK_TCP);
	ck_assert(k & DV_ASK_AFTER_TC);
	ck_assert_uint_eq(k >> DV_ASK_SRC_SHIFT, 0);
	/* Attempt 0's timer fires while TCP is on its way: no UDP retry. */
	dv_seq_fire(&sq, 1100, &st, NULL);
	ck_assert(!take_retry(&l, &k));
	uint64_t s1 = send_attempt(0, k, DV_FAMILY_V6, 1021);
	answer_after(s1, false, 30); /* over TCP at 1051 */
	ck_assert_uint_eq(st.answered_on[1][DV_FAMILY_V6], 1);
	ck_assert_uint_eq(st.answered_tcp[1], 1);
	ck_assert_uint_eq(st.tc_tcp_answered, 1);
	ck_assert_uint_eq(st.tcp_after_timeouts, 0);
	ck_assert_uint_eq(st.seq_len_tcp[2], 1);
	ck_assert_uint_eq(st.first_two_tcp[DV_FAMILY_V6][DV_FAMILY_V6], 1);
	ck_assert_uint_eq(resolve[0].count, 1);
	ck_assert_uint_eq(resolve[0].max, 51);
	ck_assert(dv_seq_all_ended(&sq));
}
END_TEST

/* A TC answer to the last UDP attempt still gets its TCP attempt (one index
 * more), which waits the extra timer; when that runs out the query fails
 * "TC, then TCP failed", by timeout. */
START_TEST(tc_on_the_last_attempt)
{
	uint64_t l;
	uint8_t k;
	ck_assert_int_eq(dv_seq_set_transport(&sq, true, DV_MAX_ATTEMPTS, 800), 0);
	send_attempt(0, 0, DV_FAMILY_V4, 1000);
	dv_seq_fire(&sq, 1100, &st, NULL);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k, 1); /* a plain UDP retry */
	send_attempt(0, k, DV_FAMILY_V4, 1100);
	dv_seq_fire(&sq, 1300, &st, NULL);
	ck_assert(take_retry(&l, &k));
	uint64_t s2 = send_attempt(0, k, DV_FAMILY_V4, 1300);
	answer(s2, true);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k & DV_ASK_ATTEMPT, 3);
	ck_assert_uint_eq(k >> DV_ASK_SRC_SHIFT, 2);
	send_attempt(0, k, DV_FAMILY_V4, 1302);
	dv_seq_fire(&sq, 2101, &st, NULL);
	ck_assert_uint_eq(st.failed, 0);
	dv_seq_fire(&sq, 2102, &st, NULL); /* the TC attempt's timer: 800 */
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.tc_tcp_failed[DV_TCPF_TIMEOUT], 1);
	ck_assert_uint_eq(st.seq_len[4], 1);
	ck_assert_uint_eq(resolve[0].count, 0);
	ck_assert(!take_retry(&l, &k));
}
END_TEST

/* A refused TCP connection goes on to the next attempt at once, over TCP
 * still; when none is left the query fails with the reason. */
START_TEST(tcp_failure_moves_on_then_fails)
{
	uint64_t l;
	uint8_t k;
	ck_assert_int_eq(dv_seq_set_transport(&sq, true, DV_MAX_ATTEMPTS, 800), 0);
	uint64_t s0 = send_attempt(0, 0, DV_FAMILY_V4, 1000);
	answer(s0, true);
	ck_assert(take_retry(&l, &k));
	uint64_t s1 = send_attempt(0, k, DV_FAMILY_V4, 1002);
	tcp_failed(s1, DV_TCPF_REFUSED);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k, 2 | DV_ASK_TCP);
	uint64_t s2 = send_attempt(0, k, DV_FAMILY_V4, 1004);
	tcp_failed(s1, DV_TCPF_RESET); /* the older attempt's connection: changes nothing */
	ck_assert(!take_retry(&l, &k));
	tcp_failed(s2, DV_TCPF_NO_SYNACK);
	ck_assert_uint_eq(st.failed, 1);
	ck_assert_uint_eq(st.tc_tcp_failed[DV_TCPF_NO_SYNACK], 1);
	ck_assert_uint_eq(st.tcp_failed[DV_TCPF_NO_SYNACK], 0);
	dv_seq_fire(&sq, 100000, &st, NULL); /* the timers find it ended */
	ck_assert_uint_eq(st.failed, 1);
	ck_assert(!take_retry(&l, &k));
	ck_assert(dv_seq_all_ended(&sq));
}
END_TEST

/* --tcp-after 2: the third attempt goes over TCP, after two UDP timeouts. */
START_TEST(tcp_after_timeouts)
{
	uint64_t l;
	uint8_t k;
	ck_assert_int_eq(dv_seq_set_transport(&sq, false, 2, 0), 0);
	send_attempt(0, 0, DV_FAMILY_V4, 1000);
	dv_seq_fire(&sq, 1100, &st, NULL);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k, 1);
	send_attempt(0, k, DV_FAMILY_V4, 1100);
	dv_seq_fire(&sq, 1300, &st, NULL);
	ck_assert(take_retry(&l, &k));
	ck_assert_uint_eq(k, 2 | DV_ASK_TCP);
	uint64_t s2 = send_attempt(0, k, DV_FAMILY_V4, 1300);
	answer_after(s2, false, 5);
	ck_assert_uint_eq(st.tcp_after_timeouts, 1);
	ck_assert_uint_eq(st.tc_tcp_answered, 0);
	ck_assert_uint_eq(st.answered_tcp[2], 1);
	ck_assert_uint_eq(resolve[0].max, 305);
	/* Without --on-tc tcp a TC answer still ends the query as truncated. */
	uint64_t s = send_attempt(1, 0, DV_FAMILY_V4, 2000);
	answer(s, true);
	ck_assert_uint_eq(st.truncated_on[0], 1);
	ck_assert(!take_retry(&l, &k));
}
END_TEST

/* A drain cut short by a second signal: what is open is abandoned, not failed. */
START_TEST(cut_drain_abandons)
{
	send_attempt(0, 0, DV_FAMILY_V4, 1000);
	uint64_t s1 = send_attempt(1, 0, DV_FAMILY_V4, 1001);
	answer(s1, false);
	dv_seq_finish(&sq, &st, true);
	ck_assert_uint_eq(st.failed, 0);
	ck_assert_uint_eq(st.abandoned, 1);
	ck_assert_uint_eq(st.seq_len[1], 2); /* both ended, each in one outcome */
	ck_assert(dv_seq_all_ended(&sq));
}
END_TEST

/* Signals within a second of a press are that press (timeout -s INT may send two). */
START_TEST(signals_coalesce)
{
	const uint64_t s = 1000000000ull;
	ck_assert(dv_signal_is_new_press(0, 5 * s));
	ck_assert(!dv_signal_is_new_press(5 * s, 5 * s + s / 2));
	ck_assert(!dv_signal_is_new_press(5 * s, 6 * s - 1));
	ck_assert(dv_signal_is_new_press(5 * s, 6 * s));
}
END_TEST

/* Many logical queries, timers firing in order, answers to every third attempt:
 * every logical query ends exactly once, in exactly one outcome. */
START_TEST(every_query_ends_once)
{
	const uint64_t n = 200000;
	uint64_t now = 0, created = 0;
	while (created < n || !dv_seq_all_ended(&sq)) {
		now += 7;
		uint64_t l[64];
		uint8_t k[64];
		unsigned nr = dv_seq_retries(&sq, l, k, 64);
		for (unsigned i = 0; i < nr; i++) {
			uint64_t s = send_attempt(l[i], k[i], k[i] & 1, now);
			if (s % 3 == 0)
				answer(s, false);
		}
		if (created < n && dv_seq_has_room(&sq)) {
			uint64_t s = send_attempt(created++, 0, 0, now);
			if (s % 3 == 0)
				answer(s, false);
		}
		dv_seq_fire(&sq, now, &st, NULL);
		dv_inflight_expire(&ifl, now > 2000 ? now - 2000 : 0, false, 64, NULL, NULL);
		ck_assert_uint_lt(now, 1000000000ull);
	}
	uint64_t answered = 0, lens = 0;
	for (unsigned a = 0; a < 3; a++)
		answered += st.answered_on[a][0] + st.answered_on[a][1];
	for (unsigned a = 1; a <= 3; a++)
		lens += st.seq_len[a];
	ck_assert_uint_eq(answered + st.failed, n);
	ck_assert_uint_eq(lens, n);
	ck_assert_uint_gt(st.failed, 0);
	ck_assert_uint_gt(st.answered_on[2][0] + st.answered_on[2][1], 0);
	ck_assert_uint_eq(st.retry_dropped, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sequence");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, timers_ask_for_retries_then_fail);
	tcase_add_test(tc, answer_ends_the_sequence);
	tcase_add_test(tc, late_answer_counts_for_its_attempt);
	tcase_add_test(tc, truncated_ends_udp_sequence);
	tcase_add_test(tc, tc_asks_tcp_at_once);
	tcase_add_test(tc, tc_on_the_last_attempt);
	tcase_add_test(tc, tcp_failure_moves_on_then_fails);
	tcase_add_test(tc, tcp_after_timeouts);
	tcase_add_test(tc, ended_upto_waits_for_the_oldest);
	tcase_add_test(tc, cut_drain_abandons);
	tcase_add_test(tc, signals_coalesce);
	tcase_add_test(tc, every_query_ends_once);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
