/*
 * Running a helper command (core/spawn.h): input on its stdin, its output
 * captured and cut to fit, its status, a program that is not there, a child
 * that never reads its input, and the line a message quotes.
 */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/quote.h"
#include "core/spawn.h"

START_TEST(input_comes_back)
{
	static const char *const cat[] = { "cat", NULL };
	char out[64];
	ck_assert_int_eq(dv_spawn_run(cat, "add table inet x\n", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "add table inet x\n");
	/* No input: an empty stdin, not a wait. */
	ck_assert_int_eq(dv_spawn_run(cat, NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(stdout_and_stderr_in_order)
{
	static const char *const sh[] = { "sh", "-c", "echo one; echo two >&2; exit 3", NULL };
	char out[64];
	ck_assert_int_eq(dv_spawn_run(sh, NULL, out, sizeof(out)), 3);
	ck_assert_str_eq(out, "one\ntwo\n");
	/* No shell in between: an argument is one argument, whatever it holds. */
	static const char *const echo[] = { "echo", "a; exit 9", "$HOME", NULL };
	ck_assert_int_eq(dv_spawn_run(echo, NULL, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a; exit 9 $HOME\n");
}
END_TEST

START_TEST(status_of_a_signal)
{
	static const char *const sh[] = { "sh", "-c", "kill -TERM $$", NULL };
	ck_assert_int_eq(dv_spawn_run(sh, NULL, NULL, 0), 128 + SIGTERM);
}
END_TEST

START_TEST(no_such_program)
{
	static const char *const none[] = { "dnsvolley-no-such-program", NULL };
	static const char *const path[] = { "/nonexistent/nft", "-f", "-", NULL };
	char out[16] = "x";
	ck_assert_int_eq(dv_spawn_run(none, "x", out, sizeof(out)), -ENOENT);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(dv_spawn_run(path, "x", out, sizeof(out)), -ENOENT);
	static const char *const empty[] = { NULL };
	ck_assert_int_eq(dv_spawn_run(empty, NULL, out, sizeof(out)), -EINVAL);
	ck_assert_int_eq(dv_spawn_run(NULL, NULL, out, sizeof(out)), -EINVAL);
}
END_TEST

/* Far more than a pipe holds, both ways: written and read at once, cut to the buffer. */
START_TEST(large_input_and_output)
{
	static const char *const cat[] = { "cat", NULL };
	size_t n = 1 << 20;
	char *in = malloc(n + 1);
	ck_assert_ptr_nonnull(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	in[n] = '\0';
	char out[100];
	ck_assert_int_eq(dv_spawn_run(cat, in, out, sizeof(out)), 0);
	ck_assert_uint_eq(strlen(out), 99);
	ck_assert_int_eq(memcmp(out, in, 99), 0);
	free(in);
}
END_TEST

/* A child that exits without reading: no SIGPIPE for us, its status all the same. */
START_TEST(child_that_does_not_read)
{
	static const char *const sh[] = { "sh", "-c", "exec 0<&-; exit 1", NULL };
	size_t n = 1 << 20;
	char *in = malloc(n + 1);
	ck_assert_ptr_nonnull(in);
	memset(in, 'x', n);
	in[n] = '\0';
	ck_assert_int_eq(dv_spawn_run(sh, in, NULL, 0), 1);
	sigset_t pending;
	sigpending(&pending);
	ck_assert(!sigismember(&pending, SIGPIPE));
	free(in);
}
END_TEST

/* A Ctrl-C for the terminal's process group does not reach the child. */
START_TEST(child_in_its_own_group)
{
	static const char *const sh[] = { "sh", "-c", "set -- $(cat /proc/$$/stat); test \"$5\" -eq $$", NULL };
	ck_assert_int_eq(dv_spawn_run(sh, NULL, NULL, 0), 0);
}
END_TEST

START_TEST(line_for_a_message)
{
	char buf[DV_QUOTE_BUF];
	const char *out = "/dev/stdin:3:1-9: Error: Could not process rule: Operation not permitted\n"
			  "add table inet x\n^^^^^^^^^\n";
	ck_assert_str_eq(dv_spawn_line(out, "Error:", buf, sizeof(buf)),
			 "Error: Could not process rule: Operation not permitted");
	ck_assert_str_eq(dv_spawn_line(out, NULL, buf, sizeof(buf)),
			 "/dev/stdin:3:1-9: Error: Could not process rule: Operation n...");
	ck_assert_str_eq(dv_spawn_line("netlink: Error: x\r\nmore", "nothing", buf, sizeof(buf)),
			 "netlink: Error: x");
	ck_assert_str_eq(dv_spawn_line("bad\x01 byte", "Error:", buf, sizeof(buf)), "bad\\x01 byte");
	ck_assert_str_eq(dv_spawn_line("", "Error:", buf, sizeof(buf)), "");
	ck_assert_str_eq(dv_spawn_line(NULL, "Error:", buf, sizeof(buf)), "");
}
END_TEST

static Suite *spawn_suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("spawn");
	tcase_add_test(tc, input_comes_back);
	tcase_add_test(tc, stdout_and_stderr_in_order);
	tcase_add_test(tc, status_of_a_signal);
	tcase_add_test(tc, no_such_program);
	tcase_add_test(tc, large_input_and_output);
	tcase_add_test(tc, child_that_does_not_read);
	tcase_add_test(tc, child_in_its_own_group);
	tcase_add_test(tc, line_for_a_message);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(spawn_suite());
}
