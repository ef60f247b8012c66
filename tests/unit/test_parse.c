/* Strict value parsers: what they accept, and every way to get them wrong. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <math.h>
#include <string.h>

#include "config/parse.h"

START_TEST(rate_accepts_plain_and_suffixes)
{
	double r = 0;
	ck_assert_int_eq(dv_parse_rate("20000", &r), 0);
	ck_assert_double_eq(r, 20000.0);
	ck_assert_int_eq(dv_parse_rate("20k", &r), 0);
	ck_assert_double_eq(r, 20000.0);
	ck_assert_int_eq(dv_parse_rate("20K", &r), 0);
	ck_assert_double_eq(r, 20000.0);
	ck_assert_int_eq(dv_parse_rate("1.5M", &r), 0);
	ck_assert_double_eq(r, 1500000.0);
	ck_assert_int_eq(dv_parse_rate("1G", &r), 0);
	ck_assert_double_eq(r, 1e9);
	ck_assert_int_eq(dv_parse_rate("0.5", &r), 0);
	ck_assert_double_eq(r, 0.5);
	ck_assert_int_eq(dv_parse_rate(".5k", &r), 0);
	ck_assert_double_eq(r, 500.0);
	ck_assert_int_eq(dv_parse_rate("7.", &r), 0);
	ck_assert_double_eq(r, 7.0);
}
END_TEST

START_TEST(rate_rejects_garbage)
{
	static const char *const bad[] = {
		"", " ", "abc", "0", "0.0", "0k", "-5", "+5", " 5", "5 ", "5x", "5kk",
		"5m", "1.5.1", ".", "k", "nan", "NaN", "inf", "-inf", "infinity",
		"1e3", "0x10", "1001M", "2G", "1000000001", "5\n", "1,000",
		"99999999999999999999999999999999999999999999999999999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double r = -1;
		ck_assert_msg(dv_parse_rate(bad[i], &r) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_double_eq(r, -1); /* untouched on error */
	}
	ck_assert_int_eq(dv_parse_rate(NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(rate_zero)
{
	double r = -1;
	ck_assert_int_eq(dv_parse_rate_zero("0", &r), 0);
	ck_assert_double_eq(r, 0.0);
	r = -1;
	ck_assert_int_eq(dv_parse_rate_zero("0.0k", &r), 0);
	ck_assert_double_eq(r, 0.0);
	ck_assert_int_eq(dv_parse_rate_zero("20k", &r), 0);
	ck_assert_double_eq(r, 20000.0);
	ck_assert_int_eq(dv_parse_rate_zero("1G", &r), 0);
	ck_assert_double_eq(r, 1e9);
	/* zero is the only thing it adds */
	static const char *const bad[] = { "", "-0", "+0", "-5", "0x", "0m", "2G", "nan", " 0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = -1;
		ck_assert_msg(dv_parse_rate_zero(bad[i], &r) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_double_eq(r, -1);
	}
	ck_assert_int_eq(dv_parse_rate_zero(NULL, &r), -EINVAL);
	ck_assert_int_eq(dv_parse_rate("0", &r), -EINVAL); /* unchanged */
}
END_TEST

START_TEST(percent)
{
	double v = -1;
	ck_assert_int_eq(dv_parse_percent("1%", &v), 0);
	ck_assert_double_eq(v, 1.0);
	ck_assert_int_eq(dv_parse_percent("1", &v), 0);
	ck_assert_double_eq(v, 1.0);
	ck_assert_int_eq(dv_parse_percent("0.5%", &v), 0);
	ck_assert_double_eq(v, 0.5);
	ck_assert_int_eq(dv_parse_percent("0", &v), 0);
	ck_assert_double_eq(v, 0.0);
	ck_assert_int_eq(dv_parse_percent("100%", &v), 0);
	ck_assert_double_eq(v, 100.0);
	ck_assert_int_eq(dv_parse_percent(".25", &v), 0);
	ck_assert_double_eq(v, 0.25);
	static const char *const bad[] = {
		"", "%", "100.1", "101%", "-1%", "+1", "1%%", "1 %", "1% ", "%1", "1e1", "nan",
		"1.5.1%", "0x10",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		ck_assert_msg(dv_parse_percent(bad[i], &v) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_double_eq(v, -1);
	}
	ck_assert_int_eq(dv_parse_percent(NULL, &v), -EINVAL);
}
END_TEST

START_TEST(seconds_units)
{
	double s = 0;
	ck_assert_int_eq(dv_parse_seconds("0.375", false, &s), 0);
	ck_assert_double_eq(s, 0.375);
	ck_assert_int_eq(dv_parse_seconds("375ms", false, &s), 0);
	ck_assert_double_eq_tol(s, 0.375, 1e-12);
	ck_assert_int_eq(dv_parse_seconds("2s", false, &s), 0);
	ck_assert_double_eq(s, 2.0);
	ck_assert_int_eq(dv_parse_seconds("10", false, &s), 0);
	ck_assert_double_eq(s, 10.0);
	ck_assert_int_eq(dv_parse_seconds("1.5ms", false, &s), 0);
	ck_assert_double_eq_tol(s, 0.0015, 1e-15);
}
END_TEST

START_TEST(seconds_zero_only_when_allowed)
{
	double s = 7;
	ck_assert_int_eq(dv_parse_seconds("0", false, &s), -EINVAL);
	ck_assert_int_eq(dv_parse_seconds("0ms", false, &s), -EINVAL);
	ck_assert_double_eq(s, 7);
	ck_assert_int_eq(dv_parse_seconds("0", true, &s), 0);
	ck_assert_double_eq(s, 0.0);
	ck_assert_int_eq(dv_parse_seconds("0.0s", true, &s), 0);
	ck_assert_double_eq(s, 0.0);
}
END_TEST

START_TEST(seconds_rejects_garbage)
{
	static const char *const bad[] = {
		"", "s", "ms", "-1", "+1", "1 s", " 1", "1m", "1h", "1us", "1sec",
		"nan", "inf", "1e2", "0x1", "1ss", "1mss", "20000000", "1..2",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double s = -1;
		ck_assert_msg(dv_parse_seconds(bad[i], true, &s) == -EINVAL,
			      "accepted '%s'", bad[i]);
		ck_assert_double_eq(s, -1);
	}
}
END_TEST

START_TEST(uint_range_and_overflow)
{
	uint64_t v = 0;
	ck_assert_int_eq(dv_parse_uint("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(dv_parse_uint("10", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(dv_parse_uint("007", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(dv_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);

	v = 42;
	ck_assert_int_eq(dv_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("11", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("0", 1, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("-1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("+1", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("1.0", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("0x5", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint(" 5", 0, 10, &v), -EINVAL);
	ck_assert_int_eq(dv_parse_uint("5 ", 0, 10, &v), -EINVAL);
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(port_bounds)
{
	uint16_t p = 0;
	ck_assert_int_eq(dv_parse_port("53", &p), 0);
	ck_assert_uint_eq(p, 53);
	ck_assert_int_eq(dv_parse_port("1", &p), 0);
	ck_assert_uint_eq(p, 1);
	ck_assert_int_eq(dv_parse_port("65535", &p), 0);
	ck_assert_uint_eq(p, 65535);
	ck_assert_int_eq(dv_parse_port("0", &p), -EINVAL);
	ck_assert_int_eq(dv_parse_port("65536", &p), -EINVAL);
	ck_assert_int_eq(dv_parse_port("domain", &p), -EINVAL);
	ck_assert_int_eq(dv_parse_port("-53", &p), -EINVAL);
	ck_assert_uint_eq(p, 65535);
}
END_TEST

START_TEST(addr_families)
{
	struct dv_addr a;
	char buf[INET6_ADDRSTRLEN];
	ck_assert_int_eq(dv_parse_addr("198.18.0.53", &a), 0);
	ck_assert_int_eq(a.family, AF_INET);
	ck_assert_uint_eq(ntohl(a.v4.s_addr), 0xc6120035u);
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "198.18.0.53");

	ck_assert_int_eq(dv_parse_addr("2001:2::53", &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(a.v6.s6_addr[0], 0x20);
	ck_assert_uint_eq(a.v6.s6_addr[15], 0x53);
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "2001:2::53");

	ck_assert_int_eq(dv_parse_addr("::ffff:198.18.2.1", &a), 0);
	ck_assert_int_eq(a.family, AF_INET6);

	a.family = 0;
	ck_assert_str_eq(dv_addr_str(&a, buf, sizeof(buf)), "(none)");
}
END_TEST

START_TEST(addr_rejects)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4",
		"[::1]", "fe80::1%eth0", "::1/128", "example.com", "1.2.3.4:53",
		"01.2.3.4", ":::",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dv_addr a = { .family = 99 };
		ck_assert_msg(dv_parse_addr(bad[i], &a) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_int_eq(a.family, 99);
	}
}
END_TEST

START_TEST(mac_strict)
{
	uint8_t m[6] = { 0 };
	ck_assert_int_eq(dv_parse_mac("aa:bb:cc:dd:ee:ff", m), 0);
	ck_assert_uint_eq(m[0], 0xaa);
	ck_assert_uint_eq(m[5], 0xff);
	ck_assert_int_eq(dv_parse_mac("02:00:5E:10:00:0a", m), 0);
	static const uint8_t want[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x0a };
	ck_assert_mem_eq(m, want, 6);

	static const char *const bad[] = {
		"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aa-bb-cc-dd-ee-ff",
		"a:bb:cc:dd:ee:ff0", "aa:bb:cc:dd:ee:fg", "aabb.ccdd.eeff",
		"aa:bb:cc:dd:ee:ff ", "aa:bb:cc:dd:ee:f",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(dv_parse_mac(bad[i], m) == -EINVAL, "accepted '%s'", bad[i]);
		ck_assert_mem_eq(m, want, 6);
	}
}
END_TEST

START_TEST(bool_words)
{
	static const char *const t[] = { "true", "yes", "on", "1", "TRUE", "Yes" };
	static const char *const f[] = { "false", "no", "off", "0", "False", "OFF" };
	for (size_t i = 0; i < 6; i++) {
		bool b = false;
		ck_assert_int_eq(dv_parse_bool(t[i], &b), 0);
		ck_assert(b);
		ck_assert_int_eq(dv_parse_bool(f[i], &b), 0);
		ck_assert(!b);
	}
	bool b = true;
	ck_assert_int_eq(dv_parse_bool("", &b), -EINVAL);
	ck_assert_int_eq(dv_parse_bool("2", &b), -EINVAL);
	ck_assert_int_eq(dv_parse_bool("y", &b), -EINVAL);
	ck_assert_int_eq(dv_parse_bool("true ", &b), -EINVAL);
	ck_assert_int_eq(dv_parse_bool("truee", &b), -EINVAL);
	ck_assert(b);
}
END_TEST

START_TEST(quote_escapes_and_cuts)
{
	char buf[DV_QUOTE_BUF];
	ck_assert_str_eq(dv_quote("a..b", buf, sizeof(buf)), "a..b");
	ck_assert_str_eq(dv_quote("a\nb\x01\xff", buf, sizeof(buf)), "a\\x0ab\\x01\\xff");
	ck_assert_str_eq(dv_quote(NULL, buf, sizeof(buf)), "");
	ck_assert_str_eq(dv_quote_mem("a\0b", 3, buf, sizeof(buf)), "a\\x00b");

	char longs[200];
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	dv_quote(longs, buf, sizeof(buf));
	ck_assert_uint_eq(strlen(buf), DV_QUOTE_KEEP + 3);
	ck_assert_str_eq(buf + DV_QUOTE_KEEP, "...");

	/* A tiny buffer is still terminated. */
	char tiny[6];
	dv_quote("abcdefgh", tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "ab...");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, rate_accepts_plain_and_suffixes);
	tcase_add_test(tc, rate_rejects_garbage);
	tcase_add_test(tc, rate_zero);
	tcase_add_test(tc, percent);
	tcase_add_test(tc, seconds_units);
	tcase_add_test(tc, seconds_zero_only_when_allowed);
	tcase_add_test(tc, seconds_rejects_garbage);
	tcase_add_test(tc, uint_range_and_overflow);
	tcase_add_test(tc, port_bounds);
	tcase_add_test(tc, addr_families);
	tcase_add_test(tc, addr_rejects);
	tcase_add_test(tc, mac_strict);
	tcase_add_test(tc, bool_words);
	tcase_add_test(tc, quote_escapes_and_cuts);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
