/* Query files: the dnsperf format, and one exact error line per bad input. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/queryfile.h"
#include "core/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif
#define DATA DV_TEST_DATA "/config/"

static char msg[512];

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/** Load a string; return the result and leave the message in msg. */
static int load_str(const char *text, struct dv_query_list *l)
{
	return dv_queryfile_load_mem("q.txt", text, strlen(text), l);
}

/** Expect text to fail with exactly this message. */
static void expect_error(const char *text, const char *want)
{
	struct dv_query_list l = { 0 };
	int ret = load_str(text, &l);
	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_str_eq(msg, want);
	ck_assert_ptr_null(l.q);
	ck_assert_uint_eq(l.n, 0);
}

START_TEST(good_file)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load(DATA "q-good.txt", &l), 0);
	ck_assert_str_eq(msg, "");
	ck_assert_uint_eq(l.n, 8);

	static const uint8_t example_com[] = "\x07" "example" "\x03" "com";
	ck_assert_uint_eq(l.q[0].qname_len, 13);
	ck_assert_mem_eq(l.q[0].qname, example_com, 13);
	ck_assert_uint_eq(l.q[0].qtype, 1);              /* A */
	ck_assert_uint_eq(l.q[1].qname_len, 17);
	ck_assert_uint_eq(l.q[1].qtype, 28);             /* AAAA */
	/* relative name, default type */
	static const uint8_t rel[] = "\x08" "relative" "\x07" "example";
	ck_assert_uint_eq(l.q[2].qname_len, 18);
	ck_assert_mem_eq(l.q[2].qname, rel, 18);
	ck_assert_uint_eq(l.q[2].qtype, 1);
	ck_assert_uint_eq(l.q[3].qtype, 15);             /* MX, comment after */
	ck_assert_uint_eq(l.q[4].qtype, 16);             /* txt, any case */
	ck_assert_uint_eq(l.q[5].qtype, 65);             /* TYPE65 */
	ck_assert_uint_eq(l.q[6].qtype, 255);            /* ANY # comment */
	ck_assert_uint_eq(l.q[7].qname_len, 1);          /* root */
	ck_assert_uint_eq(l.q[7].qname[0], 0);
	ck_assert_uint_eq(l.q[7].qtype, 2);              /* NS */
	dv_query_list_free(&l);
	ck_assert_ptr_null(l.q);
	ck_assert_uint_eq(l.n, 0);
	dv_query_list_free(&l); /* twice is fine */
}
END_TEST

START_TEST(bad_type_names_its_line)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load(DATA "q-badtype.txt", &l), -EINVAL);
	ck_assert_str_eq(msg, DATA "q-badtype.txt:7: unknown type 'AXX'");
	ck_assert_ptr_null(l.q);
}
END_TEST

START_TEST(missing_file)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load(DATA "does-not-exist.txt", &l), -ENOENT);
	ck_assert_str_eq(msg, DATA "does-not-exist.txt: No such file or directory");
}
END_TEST

START_TEST(directory_is_an_error)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load(DV_TEST_DATA, &l), -EISDIR);
	ck_assert_str_eq(msg, DV_TEST_DATA ": Is a directory");
}
END_TEST

START_TEST(empty_file)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load(DATA "q-empty.txt", &l), -EINVAL);
	ck_assert_str_eq(msg, DATA "q-empty.txt: no queries");
	ck_assert_int_eq(dv_queryfile_load("/dev/null", &l), -EINVAL);
	ck_assert_str_eq(msg, "/dev/null: no queries");
	expect_error("", "q.txt: no queries");
	expect_error("\n\n   \n; x\n", "q.txt: no queries");
}
END_TEST

START_TEST(bad_names)
{
	expect_error("ok.example\n\na..b A\n", "q.txt:3: bad name 'a..b' (empty label)");
	expect_error(".a A\n", "q.txt:1: bad name '.a' (empty label)");
	expect_error("a\\ A\n", "q.txt:1: bad name 'a\\' (Syntax error, bad escape sequence)");
	expect_error("a\\999.example\n",
		     "q.txt:1: bad name 'a\\999.example' (Syntax error, bad escape sequence)");
	expect_error("caf\xc3\xa9.example\n",
		     "q.txt:1: bad name 'caf\\xc3\\xa9.example' (control or non-ASCII byte, use \\DDD)");
}
END_TEST

START_TEST(label_and_name_length)
{
	char line[600];
	/* 63 is the longest label */
	memset(line, 'a', 63);
	strcpy(line + 63, ".example\n");
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(load_str(line, &l), 0);
	ck_assert_uint_eq(l.q[0].qname[0], 63);
	dv_query_list_free(&l);

	memset(line, 'a', 64);
	strcpy(line + 64, ".example\n");
	expect_error(line, "q.txt:1: bad name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' "
			   "(label longer than 63 bytes)");

	/* 3 x 63 + 61 in presentation = 255 in wire: the longest name */
	char *p = line;
	for (int i = 0; i < 3; i++) {
		memset(p, 'b', 63);
		p[63] = '.';
		p += 64;
	}
	memset(p, 'c', 61);
	strcpy(p + 61, ". TXT\n");
	ck_assert_int_eq(load_str(line, &l), 0);
	ck_assert_uint_eq(l.q[0].qname_len, 255);
	ck_assert_uint_eq(l.q[0].qname[254], 0);
	ck_assert_uint_eq(l.q[0].qtype, 16);
	dv_query_list_free(&l);

	/* one more byte: 256 */
	memset(p, 'c', 62);
	strcpy(p + 62, ". TXT\n");
	expect_error(line, "q.txt:1: bad name 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb...' "
			   "(name longer than 255 bytes)");
}
END_TEST

START_TEST(types)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(load_str("a TYPE1\nb type65535\nc Aaaa\nd caa\ne ixfr\n", &l), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_uint_eq(l.q[0].qtype, 1);
	ck_assert_uint_eq(l.q[1].qtype, 65535);
	ck_assert_uint_eq(l.q[2].qtype, 28);
	ck_assert_uint_eq(l.q[3].qtype, 257);
	ck_assert_uint_eq(l.q[4].qtype, 251);
	dv_query_list_free(&l);

	expect_error("a.example. A\nb.example. AXX\n", "q.txt:2: unknown type 'AXX'");
	expect_error("x TYPE0\n", "q.txt:1: unknown type 'TYPE0'");
	expect_error("x TYPE65536\n", "q.txt:1: unknown type 'TYPE65536'");
	expect_error("x TYPE12x\n", "q.txt:1: unknown type 'TYPE12x'");
	expect_error("x TYPE\n", "q.txt:1: unknown type 'TYPE'");
	expect_error("x IN\n", "q.txt:1: unknown type 'IN'");
	expect_error("x \x7f\n", "q.txt:1: unknown type '\\x7f'");
}
END_TEST

START_TEST(trailing_text)
{
	expect_error("a A\nb A\nc A\nd A\ne A\nf A\ng A\nh A\nwww.example. A x\n",
		     "q.txt:9: trailing text 'x'");
	/* A class between name and type is read (issue 12); after it, more is trailing. */
	expect_error("www.example. IN A x\n", "q.txt:1: trailing text 'x'");
}
END_TEST

START_TEST(class_between)
{
	/* "name IN type" as dig and zone files write it: class IN is what is sent. */
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(load_str("www.example. IN AAAA\nmail.example. in MX\nx.example. A\n", &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.q[0].qtype, 28);
	ck_assert_uint_eq(l.q[1].qtype, 15);
	ck_assert_uint_eq(l.q[2].qtype, 1);
	dv_query_list_free(&l);
	/* Other classes are refused, by name. */
	expect_error("version.bind. CH TXT\n", "q.txt:1: class 'CH': queries are sent in class IN only");
}
END_TEST

START_TEST(comments_and_spacing)
{
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(load_str("# c\n ; c\n\t a.example.\tMX\t\r\n"
				  "b.example. A;c\n"
				  "c.example;comment\n"
				  "d\\;e.example TXT\n"
				  "f#g.example # c\n"
				  "h.example. AAAA", &l), 0);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_uint_eq(l.q[0].qtype, 15);
	ck_assert_uint_eq(l.q[1].qtype, 1);
	ck_assert_uint_eq(l.q[2].qtype, 1);
	static const uint8_t semi[] = "\x03" "d;e" "\x07" "example";
	ck_assert_uint_eq(l.q[3].qname_len, 13);
	ck_assert_mem_eq(l.q[3].qname, semi, 13);
	ck_assert_uint_eq(l.q[3].qtype, 16);
	static const uint8_t hash[] = "\x03" "f#g" "\x07" "example";
	ck_assert_mem_eq(l.q[4].qname, hash, 13);
	ck_assert_uint_eq(l.q[5].qtype, 28); /* no final newline */
	dv_query_list_free(&l);
}
END_TEST

START_TEST(binary_junk)
{
	/* NUL bytes */
	static const char nul[] = "a.example A\nb\0c A\n";
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load_mem("bin", nul, sizeof(nul) - 1, &l), -EINVAL);
	ck_assert_str_eq(msg, "bin:2: NUL byte in line (binary file?)");

	/* Random bytes through the file path: an error, never a crash. */
	char path[] = "/tmp/dv-test-junk-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	srand(7);
	for (int i = 0; i < 65536; i++) {
		unsigned char c = (unsigned char)(rand() % 255 + 1); /* no NULs */
		ck_assert_int_eq(write(fd, &c, 1), 1);
	}
	close(fd);
	ck_assert_int_eq(dv_queryfile_load(path, &l), -EINVAL);
	ck_assert_ptr_null(l.q);
	ck_assert_int_eq(strncmp(msg, path, strlen(path)), 0);
	ck_assert_ptr_null(strchr(msg, '\n'));
	unlink(path);

	/* Many random short inputs. */
	for (int round = 0; round < 2000; round++) {
		char buf[64];
		size_t n = (size_t)(rand() % (int)sizeof(buf));
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)(rand() % 256);
		if (dv_queryfile_load_mem("r", buf, n, &l) == 0)
			dv_query_list_free(&l);
		ck_assert_ptr_null(strchr(msg, '\n'));
	}
}
END_TEST

START_TEST(long_line)
{
	size_t n = DV_QUERYFILE_LINE_MAX + 10;
	char *buf = malloc(n + 1);
	ck_assert_ptr_nonnull(buf);
	memset(buf, 'a', n);
	buf[n] = '\0';
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load_mem("q.txt", buf, n, &l), -EINVAL);
	ck_assert_str_eq(msg, "q.txt:1: line longer than 4096 bytes");
	free(buf);
}
END_TEST

START_TEST(grows_past_initial_capacity)
{
	size_t n = 5000;
	char *buf = malloc(n * 16);
	ck_assert_ptr_nonnull(buf);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(buf + o, "h%zu.example\n", i);
	struct dv_query_list l = { 0 };
	ck_assert_int_eq(dv_queryfile_load_mem("q.txt", buf, o, &l), 0);
	ck_assert_uint_eq(l.n, n);
	static const uint8_t last[] = "\x05" "h4999" "\x07" "example";
	ck_assert_mem_eq(l.q[n - 1].qname, last, 15);
	dv_query_list_free(&l);
	free(buf);
}
END_TEST

START_TEST(single_question)
{
	struct dv_query q;
	ck_assert_int_eq(dv_query_parse("example.", NULL, &q), 0);
	ck_assert_uint_eq(q.qtype, 1);
	ck_assert_uint_eq(q.qname_len, 9);
	ck_assert_int_eq(dv_query_parse("example.", "SOA", &q), 0);
	ck_assert_uint_eq(q.qtype, 6);
	ck_assert_int_eq(dv_query_parse("a..b", "A", &q), -EINVAL);
	ck_assert_int_eq(dv_query_parse("example.", "BOGUS", &q), -EPROTO);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("queryfile");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, good_file);
	tcase_add_test(tc, bad_type_names_its_line);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, directory_is_an_error);
	tcase_add_test(tc, empty_file);
	tcase_add_test(tc, bad_names);
	tcase_add_test(tc, label_and_name_length);
	tcase_add_test(tc, types);
	tcase_add_test(tc, trailing_text);
	tcase_add_test(tc, class_between);
	tcase_add_test(tc, comments_and_spacing);
	tcase_add_test(tc, binary_junk);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, grows_past_initial_capacity);
	tcase_add_test(tc, single_question);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
