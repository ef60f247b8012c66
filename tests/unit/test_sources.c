/* Source addresses from --src ranges: inside the prefix, distinct, hashing to their collector. */
#include <check.h>

#include "check_main.h"
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "engine/sources.h"
#include "wire/rss.h"

static struct dv_addr addr(int af, const char *s)
{
	struct dv_addr a = { .family = af };
	ck_assert_int_eq(inet_pton(af, s, af == AF_INET ? (void *)&a.v4 : (void *)&a.v6), 1);
	return a;
}

static struct dv_src pool[DV_SRC_POOL_MAX];

START_TEST(v4_range_small_and_whole)
{
	struct dv_addr base = addr(AF_INET, "198.18.4.0"), tgt = addr(AF_INET, "198.18.0.53");
	int n = dv_src_pool_build(&base, 24, &tgt, 0, 1, 7, pool);
	/* 254 usable host parts (not .0, not .255): the largest power of two is 128. */
	ck_assert_int_eq(n, 128);
	uint8_t seen[256] = { 0 };
	for (int i = 0; i < n; i++) {
		ck_assert_mem_eq(pool[i].addr, "\xc6\x12\x04", 3);
		ck_assert_uint_ne(pool[i].addr[3], 0);
		ck_assert_uint_ne(pool[i].addr[3], 255);
		ck_assert_uint_eq(seen[pool[i].addr[3]], 0);
		seen[pool[i].addr[3]] = 1;
	}
}
END_TEST

START_TEST(per_collector_hash)
{
	struct dv_addr base = addr(AF_INET6, "2001:2:0:1::"), tgt = addr(AF_INET6, "2001:2::53");
	for (unsigned c = 0; c < 3; c++) {
		int n = dv_src_pool_build(&base, 64, &tgt, c, 3, 11, pool);
		ck_assert_int_eq(n, DV_SRC_POOL_MAX);
		for (int i = 0; i < n; i++) {
			ck_assert_mem_eq(pool[i].addr, base.v6.s6_addr, 8);
			ck_assert_uint_eq(dv_rss_queue(tgt.v6.s6_addr, pool[i].addr, AF_INET6, 3), c);
		}
	}
}
END_TEST

START_TEST(tiny_range)
{
	/* A /30 has two usable host parts; a /32-like /31 keeps both. */
	struct dv_addr base = addr(AF_INET, "198.18.9.4"), tgt = addr(AF_INET, "198.18.0.53");
	ck_assert_int_eq(dv_src_pool_build(&base, 30, &tgt, 0, 1, 1, pool), 2);
	ck_assert_int_eq(dv_src_pool_build(&base, 31, &tgt, 0, 1, 1, pool), 2);
}
END_TEST

static Suite *sources_suite(void)
{
	Suite *s = suite_create("sources");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, v4_range_small_and_whole);
	tcase_add_test(tc, per_collector_hash);
	tcase_add_test(tc, tiny_range);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(sources_suite());
}
