/* Unit tests for lib/wire/qname.c: generated query names. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <inttypes.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/qname.h"

/* ---- helpers ----------------------------------------------------------- */

/* The one's-complement sum of n bytes as rte_raw_cksum takes them (16-bit
 * words in memory order, the odd last byte as the low one), folded. */
static uint32_t ref_sum(const uint8_t *b, unsigned n)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < n; i++)
		s += (uint64_t)b[i] << (8 * (i & 1));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* dv_qname_expand_sum() writes what dv_qname_expand() writes, and its sum is the bytes'. */
static void expect_sum(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore, uint64_t seed)
{
	struct dv_rng r1, r2;
	dv_rng_seed(&r1, seed);
	dv_rng_seed(&r2, seed);
	uint8_t a[DV_QNAME_OUT + 16], b[DV_QNAME_OUT + 16];
	memset(a, 0x5a, sizeof(a));
	memset(b, 0x5a, sizeof(b));
	uint32_t sum = 0xdead;
	uint8_t la = dv_qname_expand(p, seq, lcore, &r1, a);
	uint8_t lb = dv_qname_expand_sum(p, seq, lcore, &r2, b, &sum);
	ck_assert_uint_eq(la, lb);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_uint_le(sum, 0xffff);
	/* 0 and 0xffff are the same one's-complement number. */
	uint32_t want = ref_sum(b, lb);
	ck_assert_msg(sum == want || (sum % 0xffff == 0 && want % 0xffff == 0),
		      "seq %llu: sum %#x, want %#x", (unsigned long long)seq, sum, want);
}

/* Expand and check the result is a valid name equal to the text expected. */
static void expect(const char *pattern, uint64_t seq, unsigned lcore, const char *want)
{
	struct dv_qname_pattern p;
	const char *why = NULL;
	ck_assert_msg(dv_qname_compile(pattern, &p, &why) == 0, "%s: %s", pattern, why);
	ck_assert_ptr_null(why);
	struct dv_rng r;
	dv_rng_seed(&r, 1);
	uint8_t out[DV_QNAME_OUT + 16];
	memset(out, 0xa5, sizeof(out));
	uint8_t len = dv_qname_expand(&p, seq, lcore, &r, out);
	ck_assert_uint_ge(len, 1);
	/* The junk stays within the slack. */
	for (size_t i = len + DV_QNAME_SLACK; i < sizeof(out); i++)
		ck_assert_uint_eq(out[i], 0xa5);

	ldns_rdf *got = ldns_dname_new_frm_data(len, out);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(ldns_rdf_size(got), len);
	ldns_rdf *exp = ldns_dname_new_frm_str(want);
	ck_assert_ptr_nonnull(exp);
	ck_assert_msg(ldns_dname_compare(got, exp) == 0, "%s: want %s", pattern, want);
	/* Case is kept: the wire bytes are exactly the expected text's. */
	ck_assert_uint_eq(ldns_rdf_size(exp), len);
	ck_assert_mem_eq(ldns_rdf_data(exp), out, len);
	ldns_rdf_deep_free(got);
	ldns_rdf_deep_free(exp);
	expect_sum(&p, seq, lcore, 1);
}

/* Compile must fail with exactly this reason. */
static void expect_error(const char *pattern, const char *why_want)
{
	struct dv_qname_pattern p;
	const char *why = NULL;
	ck_assert_msg(dv_qname_compile(pattern, &p, &why) == -EINVAL, "accepted: %s", pattern);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strcmp(why, why_want) == 0, "%s: '%s', want '%s'", pattern, why, why_want);
}

static int cmp_names(const void *a, const void *b)
{
	return memcmp(a, b, 64);
}

static bool rand_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(test_literal_tokens)
{
	expect("{seq}.example.test", 0, 0, "0.example.test.");
	expect("{seq}.example.test.", 42, 0, "42.example.test.");
	expect("q{seq}x.Example.TEST", 7, 3, "q7x.Example.TEST.");
	expect("{seq}", 18446744073709551615ull, 0, "18446744073709551615.");
	expect("{lcore}-{seq}.dv", 123, 17, "17-123.dv.");
	expect("{seq}.{lcore}.l{lcore}", 5, 65535, "5.65535.l65535.");
	expect("a_b-c.{seq}.x", 9, 1, "a_b-c.9.x.");
	expect("{seq}{seq}", 12, 0, "1212.");
	/* 16 labels: 32 pieces, the most a pattern holds. */
	expect("{seq}.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o", 1, 0, "1.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.");
	/* Longest label at the longest expansion: 43 literal + 20 digits. */
	char pat[128], want[128];
	snprintf(pat, sizeof(pat), "%.43s{seq}.t", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	snprintf(want, sizeof(want), "%.43s18446744073709551615.t.",
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	expect(pat, UINT64_MAX, 0, want);
	/* The longest name: 255 bytes at the longest expansion. */
	char longp[300], longw[300];
	const char *l63 = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
	/* (1 + 20) + 3 * (1 + 63) + (1 + 40) + 1 root = 255 */
	snprintf(longp, sizeof(longp), "{seq}.%s.%s.%s.%.40s", l63, l63, l63, l63);
	snprintf(longw, sizeof(longw), "18446744073709551615.%s.%s.%s.%.40s.", l63, l63, l63, l63);
	expect(longp, UINT64_MAX, 0, longw);
	/* Every number of digits, and both sides of each power of ten. */
	uint64_t p10 = 1;
	for (int d = 1; d <= 20; d++) {
		uint64_t vals[2] = { p10, p10 - 1 };
		for (int k = 0; k < 2; k++) {
			char w[32];
			snprintf(w, sizeof(w), "%llu.", (unsigned long long)vals[k]);
			expect("{seq}", vals[k], 0, w);
		}
		p10 = d < 20 ? p10 * 10 : p10;
	}
}
END_TEST

START_TEST(test_rand)
{
	struct dv_qname_pattern p;
	const char *why = NULL;
	ck_assert_int_eq(dv_qname_compile("{seq}.{rand8}.example.test", &p, &why), 0);
	struct dv_rng r, r2;
	dv_rng_seed(&r, 99);
	dv_rng_seed(&r2, 99);
	unsigned hist[256] = { 0 };
	uint8_t out[DV_QNAME_OUT], out2[DV_QNAME_OUT];
	for (uint64_t s = 0; s < 20000; s++) {
		uint8_t len = dv_qname_expand(&p, s, 0, &r, out);
		/* Deterministic for a seed. */
		ck_assert_uint_eq(dv_qname_expand(&p, s, 0, &r2, out2), len);
		ck_assert_mem_eq(out, out2, len);

		char text[64];
		int tl = snprintf(text, sizeof(text), "%" PRIu64, s);
		ck_assert_uint_eq(out[0], (unsigned)tl);
		ck_assert_mem_eq(out + 1, text, (size_t)tl);
		const uint8_t *rl = out + 1 + tl;
		ck_assert_uint_eq(rl[0], 8);
		for (int i = 1; i <= 8; i++) {
			ck_assert(rand_char(rl[i]));
			hist[rl[i]]++;
		}
		static const uint8_t tail[] = "\x07" "example" "\x04" "test";
		ck_assert_mem_eq(rl + 9, tail, sizeof(tail));
		ck_assert_uint_eq(len, 1 + tl + 9 + sizeof(tail));

		ldns_rdf *d = ldns_dname_new_frm_data(len, out);
		ck_assert_ptr_nonnull(d);
		ldns_rdf_deep_free(d);
	}
	/* 160000 characters over 36: each about 4444; a loose uniformity bound. */
	unsigned seen = 0;
	for (int c = 0; c < 256; c++) {
		if (hist[c] == 0)
			continue;
		ck_assert(rand_char((uint8_t)c));
		ck_assert_uint_gt(hist[c], 4000);
		ck_assert_uint_lt(hist[c], 4900);
		seen++;
	}
	ck_assert_uint_eq(seen, 36);

	/* Every width, and different seeds give different names. */
	for (unsigned n = 1; n <= 32; n++) {
		char pat[32];
		snprintf(pat, sizeof(pat), "{rand%u}{seq}", n);
		ck_assert_int_eq(dv_qname_compile(pat, &p, &why), 0);
		dv_rng_seed(&r, n);
		uint8_t len = dv_qname_expand(&p, 5, 0, &r, out);
		ck_assert_uint_eq(len, 1 + n + 1 + 1);
		ck_assert_uint_eq(out[0], n + 1);
		for (unsigned i = 1; i <= n; i++)
			ck_assert(rand_char(out[i]));
		ck_assert_uint_eq(out[n + 1], '5');
	}
	ck_assert_int_eq(dv_qname_compile("{rand32}.{seq}", &p, &why), 0);
	dv_rng_seed(&r, 1);
	dv_rng_seed(&r2, 2);
	dv_qname_expand(&p, 0, 0, &r, out);
	dv_qname_expand(&p, 0, 0, &r2, out2);
	ck_assert_mem_ne(out, out2, 33);
}
END_TEST

START_TEST(test_unique)
{
	enum { N = 100000 };
	struct dv_qname_pattern p;
	const char *why = NULL;
	ck_assert_int_eq(dv_qname_compile("{seq}.{lcore}.{rand2}.t", &p, &why), 0);
	uint8_t (*names)[64] = calloc(2 * N, 64);
	ck_assert_ptr_nonnull(names);
	struct dv_rng r;
	dv_rng_seed(&r, 7);
	/* Two generators, the same seqs, the same random stream. */
	for (unsigned lc = 0; lc < 2; lc++) {
		dv_rng_seed(&r, 7);
		for (uint64_t s = 0; s < N; s++) {
			uint64_t seq = 1000000000000ull + s;
			uint8_t len = dv_qname_expand(&p, seq, lc + 1, &r, names[lc * N + s]);
			ck_assert_uint_le(len, 64 - DV_QNAME_SLACK);
			/* The rows are compared whole: clear the junk past the name. */
			memset(names[lc * N + s] + len, 0, 64 - len);
		}
	}
	qsort(names, 2 * N, 64, cmp_names);
	for (size_t i = 1; i < 2 * N; i++)
		ck_assert(memcmp(names[i - 1], names[i], 64) != 0);
	free(names);
}
END_TEST

/* Names' sums, for patterns of every shape: tokens at odd and even offsets,
 * several in a label, numbers of every width (both sides of 10^8 and 10^16). */
START_TEST(test_sum)
{
	static const char *pats[] = {
		"{seq}.{rand8}.bench.test", "{seq}", "x{seq}", "xy{seq}.{rand3}", "{rand1}{seq}{rand2}.a",
		"{lcore}-{seq}.dv", "{seq}{lcore}{seq}.b.c", "a.{seq}", "ab.{rand5}{seq}x.{rand7}.test",
		"{rand32}.{seq}.{lcore}.{rand13}", "q{seq}x.Example.TEST", "{seq}{seq}",
	};
	uint64_t vals[64];
	unsigned nv = 0;
	uint64_t p10 = 1;
	for (int d = 0; d < 20; d++, p10 *= 10) {
		vals[nv++] = p10;
		vals[nv++] = p10 - 1;
		vals[nv++] = p10 + 7;
	}
	vals[nv++] = UINT64_MAX;
	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct dv_qname_pattern p;
		const char *why = NULL;
		ck_assert_msg(dv_qname_compile(pats[i], &p, &why) == 0, "%s: %s", pats[i], why);
		for (unsigned k = 0; k < nv; k++)
			expect_sum(&p, vals[k], k % 3 == 0 ? 0 : 12345 + k, k);
		for (uint64_t seq = 0; seq < 3000; seq++)
			expect_sum(&p, seq * 7919, (unsigned)seq & 7, seq);
	}
}
END_TEST

START_TEST(test_errors)
{
	expect_error("", "no {seq}");
	expect_error(".", "no {seq}");
	expect_error("example.test", "no {seq}");
	expect_error("{rand8}.{lcore}.example.test", "no {seq}");
	expect_error("{seq}.{foo}.test", "unknown token '{foo}'");
	expect_error("{seq}.{Seq}.test", "unknown token '{Seq}'");
	expect_error("{seq}.{randx}", "unknown token '{randx}'");
	expect_error("{seq}.{rand}", "unknown token '{rand}'");
	expect_error("{seq}.{rand-1}", "unknown token '{rand-1}'");
	expect_error("{seq}.{}", "unknown token '{}'");
	expect_error("{seq}.{rand0}", "{randN} needs 1 <= N <= 32");
	expect_error("{seq}.{rand33}", "{randN} needs 1 <= N <= 32");
	expect_error("{seq}.{rand99999999999}", "{randN} needs 1 <= N <= 32");
	expect_error("{seq}.{rand8", "unterminated '{'");
	expect_error("{seq}.rand8}", "bad character '}'");
	expect_error("{seq}.exa mple", "bad character ' '");
	expect_error("{seq}.ex*", "bad character '*'");
	expect_error("{seq}.b\xc3\xbc" "cher", "bad character '\\xc3'");
	expect_error("{seq}..test", "empty label");
	expect_error(".{seq}.test", "empty label");
	expect_error("{seq}.test..", "empty label");
	/* 44 literal + 20 digits = 64. */
	char pat[512];
	snprintf(pat, sizeof(pat), "%.44s{seq}.t", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	expect_error(pat, "label longer than 63");
	expect_error("{seq}.{rand32}{rand32}", "label longer than 63");
	expect_error("{rand32}{lcore}{seq}{rand8}", "label longer than 63"); /* 32+5+20+8 = 65 */
	const char *l64 = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
	snprintf(pat, sizeof(pat), "{seq}.%s", l64);
	expect_error(pat, "label longer than 63");
	/* One byte over the longest name (see test_literal_tokens). */
	const char *l63 = l64 + 1;
	snprintf(pat, sizeof(pat), "{seq}.%s.%s.%s.%.41s", l63, l63, l63, l63);
	expect_error(pat, "name longer than 255");
	snprintf(pat, sizeof(pat), "%s.%s.%s.%s.{seq}", l63, l63, l63, l63);
	expect_error(pat, "name longer than 255");
	/* Literals alone beyond 255 characters. */
	snprintf(pat, sizeof(pat), "%s.%s.%s.%s.%s.{seq}", l63, l63, l63, l63, l63);
	expect_error(pat, "name longer than 255");
	/* More pieces than fit. */
	expect_error("{seq}.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", "too many labels and tokens");
	/* why may be NULL; p or the pattern NULL is refused. */
	struct dv_qname_pattern p;
	ck_assert_int_eq(dv_qname_compile("{foo}", &p, NULL), -EINVAL);
	ck_assert_int_eq(dv_qname_compile(NULL, &p, NULL), -EINVAL);
	ck_assert_int_eq(dv_qname_compile("{seq}", NULL, NULL), -EINVAL);
	ck_assert_int_eq(dv_qname_compile("{seq}", &p, NULL), 0);
}
END_TEST

static Suite *qname_suite(void)
{
	Suite *s = suite_create("qname");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_literal_tokens);
	tcase_add_test(tc, test_rand);
	tcase_add_test(tc, test_unique);
	tcase_add_test(tc, test_sum);
	tcase_add_test(tc, test_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(qname_suite());
}
