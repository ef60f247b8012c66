/* Source addresses of --src ranges: every one of the range, none outside,
 * each on the collector its answers hash to, the same for the same query. */
#include <check.h>

#include "check_main.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sources.h"
#include "wire/rss.h"

static struct dv_addr addr(int af, const char *s)
{
	struct dv_addr a = { .family = af };
	ck_assert_int_eq(inet_pton(af, s, af == AF_INET ? (void *)&a.v4 : (void *)&a.v6), 1);
	return a;
}

static dv_src_rss_tab tab;

/* The host part of a (the last 8 bytes at most) as a number. */
static uint64_t host_of(const uint8_t *a, unsigned alen, unsigned hbits)
{
	uint64_t h = 0;
	for (unsigned i = alen > 8 ? alen - 8 : 0; i < alen; i++)
		h = h << 8 | a[i];
	return hbits >= 64 ? h : h & ((1ull << hbits) - 1);
}

START_TEST(v4_every_address_once)
{
	/* A /22 with one collector: the first 1024 logical queries use each of its
	 * 1022 addresses (not .0 of the first, not .255 of the last), none twice but
	 * the two that stand in for the skipped host parts. */
	struct dv_addr base = addr(AF_INET, "198.18.4.77"), tgt = addr(AF_INET, "198.18.0.53");
	struct dv_src_range r;
	ck_assert_int_eq(dv_src_range_init(&r, &base, 22, &tgt, 0, 1, 7, NULL), 0);
	unsigned seen[1024] = { 0 }, twice = 0;
	for (uint64_t n = 0; n < 1024; n++) {
		struct dv_src s;
		dv_src_range_pick(&r, n, &s);
		ck_assert_mem_eq(s.addr, "\xc6\x12", 2);
		ck_assert_uint_eq(s.addr[2] & 0xfc, 4);
		unsigned h = (unsigned)host_of(s.addr, 4, 10);
		ck_assert_uint_ne(h, 0);
		ck_assert_uint_ne(h, 1023);
		twice += seen[h]++ != 0;
		/* The same query, the same address, with its checksum sum. */
		struct dv_src again;
		dv_src_range_pick(&r, n, &again);
		ck_assert_mem_eq(again.addr, s.addr, 4);
		struct dv_addr a = { .family = AF_INET };
		memcpy(&a.v4, s.addr, 4);
		struct dv_src made;
		dv_src_make(&a, &made);
		ck_assert_uint_eq(made.sum, s.sum);
	}
	ck_assert_uint_eq(twice, 2);
	for (unsigned h = 1; h < 1023; h++)
		ck_assert_uint_eq(seen[h] != 0, 1);
	/* A different key, a different order. */
	struct dv_src_range r2;
	ck_assert_int_eq(dv_src_range_init(&r2, &base, 22, &tgt, 0, 1, 8, NULL), 0);
	unsigned same = 0;
	for (uint64_t n = 0; n < 64; n++)
		same += dv_src_host_of(&r, n) == dv_src_host_of(&r2, n);
	ck_assert_uint_lt(same, 8);
}
END_TEST

START_TEST(per_collector_hash)
{
	/* Three collectors on a /118: each address on the queue the NIC hashes it
	 * to, the three together every address of the range. */
	struct dv_addr base = addr(AF_INET6, "2001:2:0:1::400"), tgt = addr(AF_INET6, "2001:2::53");
	dv_src_rss_build(&base, 118, &tab);
	unsigned owner[1024];
	memset(owner, 0xff, sizeof(owner));
	for (unsigned c = 0; c < 3; c++) {
		struct dv_src_range r;
		ck_assert_int_eq(dv_src_range_init(&r, &base, 118, &tgt, c, 3, 11 + c, &tab), 0);
		for (uint64_t n = 0; n < 1024 * 8; n++) {
			struct dv_src s;
			dv_src_range_pick(&r, n, &s);
			ck_assert_mem_eq(s.addr, base.v6.s6_addr, 14);
			ck_assert_uint_eq(dv_rss_queue(tgt.v6.s6_addr, s.addr, AF_INET6, 3), c);
			struct dv_addr a = { .family = AF_INET6 };
			memcpy(&a.v6, s.addr, 16);
			struct dv_src made;
			dv_src_make(&a, &made);
			ck_assert_uint_eq(made.sum, s.sum);
			unsigned h = (unsigned)host_of(s.addr, 16, 10);
			ck_assert(owner[h] == 0xffffffffu || owner[h] == c);
			owner[h] = c;
		}
	}
	unsigned used = 0;
	for (unsigned h = 0; h < 1024; h++)
		used += owner[h] != 0xffffffffu;
	ck_assert_uint_eq(used, 1022);
}
END_TEST

START_TEST(wide_ranges)
{
	/* A /15 (the lab's whole IPv4 range: 17 host bits) and a /64: no table,
	 * addresses spread over the whole range. */
	struct dv_addr b4 = addr(AF_INET, "198.18.0.0"), t4 = addr(AF_INET, "198.18.0.53");
	struct dv_addr b6 = addr(AF_INET6, "2001:2:0:8000::"), t6 = addr(AF_INET6, "2001:2::53");
	struct dv_src_range r4, r6;
	dv_src_rss_build(&b4, 15, &tab);
	ck_assert_int_eq(dv_src_range_init(&r4, &b4, 15, &t4, 1, 2, 3, &tab), 0);
	unsigned third[256] = { 0 }, second[2] = { 0 };
	for (uint64_t n = 0; n < 100000; n++) {
		struct dv_src s;
		dv_src_range_pick(&r4, n, &s);
		ck_assert_uint_eq(s.addr[0], 198);
		ck_assert(s.addr[1] == 18 || s.addr[1] == 19);
		ck_assert_uint_eq(dv_rss_queue((const uint8_t *)&t4.v4, s.addr, AF_INET, 2), 1);
		third[s.addr[2]]++;
		second[s.addr[1] - 18]++;
	}
	for (unsigned i = 0; i < 256; i++)
		ck_assert_uint_gt(third[i], 200); /* ~390 each */
	ck_assert_uint_gt(second[0], 45000);
	ck_assert_uint_gt(second[1], 45000);
	dv_src_rss_build(&b6, 64, &tab);
	ck_assert_int_eq(dv_src_range_init(&r6, &b6, 64, &t6, 0, 4, 5, &tab), 0);
	unsigned hi[16] = { 0 };
	for (uint64_t n = 0; n < 10000; n++) {
		struct dv_src s;
		dv_src_range_pick(&r6, n, &s);
		ck_assert_mem_eq(s.addr, b6.v6.s6_addr, 8);
		ck_assert_uint_eq(dv_rss_queue(t6.v6.s6_addr, s.addr, AF_INET6, 4), 0);
		hi[s.addr[8] >> 4]++;
	}
	for (unsigned i = 0; i < 16; i++)
		ck_assert_uint_gt(hi[i], 400); /* ~625 each */
}
END_TEST

START_TEST(tiny_and_bad_ranges)
{
	struct dv_addr base = addr(AF_INET, "198.18.9.4"), tgt = addr(AF_INET, "198.18.0.53");
	struct dv_src_range r;
	struct dv_src l[8];
	/* A /30 has two usable host parts; a /31 keeps both of its own. */
	ck_assert_int_eq(dv_src_range_init(&r, &base, 30, &tgt, 0, 1, 1, NULL), 0);
	ck_assert_uint_eq(dv_src_range_list(&r, l, 8), 2);
	ck_assert_uint_ne(l[0].addr[3], l[1].addr[3]);
	ck_assert_int_eq(dv_src_range_init(&r, &base, 31, &tgt, 0, 1, 1, NULL), 0);
	ck_assert_uint_eq(dv_src_range_list(&r, l, 8), 2);
	/* More host bits than a /64 has. */
	struct dv_addr b6 = addr(AF_INET6, "2001:2::");
	ck_assert_int_eq(dv_src_range_init(&r, &b6, 63, &tgt, 0, 1, 1, NULL), -EINVAL);
	/* A /31 and 8 queues: some queue gets neither address. */
	dv_src_rss_build(&base, 31, &tab);
	int enoent = 0;
	for (unsigned q = 0; q < 8; q++)
		enoent += dv_src_range_init(&r, &base, 31, &tgt, q, 8, 1, &tab) == -ENOENT;
	ck_assert_int_ge(enoent, 6);
}
END_TEST

static Suite *sources_suite(void)
{
	Suite *s = suite_create("sources");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, v4_every_address_once);
	tcase_add_test(tc, per_collector_hash);
	tcase_add_test(tc, wide_ranges);
	tcase_add_test(tc, tiny_and_bad_ranges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(sources_suite());
}
