/* Shared by the command-line tests (test_cli, test_population, test_instance):
 * errors captured into one buffer, an argv from a list, a parse that must fail
 * with exactly one message and leave nothing allocated. */
#pragma once

#include <check.h>
#include <errno.h>

#include "config/cli.h"
#include "core/log.h"

static char msg[512];

/** Build a NULL-terminated argv with argv[0] = "dnsvolley". */
#define ARGV(...) ((char *[]){ "dnsvolley", __VA_ARGS__, NULL })

static inline void cli_capture(void)
{
	dv_log_capture(msg, sizeof(msg));
}

static inline void cli_release(void)
{
	dv_log_capture(NULL, 0);
}

static inline int parse(struct dv_plan *p, char **argv)
{
	int argc = 0;
	while (argv[argc] != NULL)
		argc++;
	return dv_cli_parse(argc, argv, p);
}

/** Expect a user error with exactly this message; the plan holds nothing. */
static inline void expect_error(char **argv, const char *want)
{
	struct dv_plan p;
	ck_assert_int_eq(parse(&p, argv), -EINVAL);
	ck_assert_str_eq(msg, want);
	ck_assert_ptr_null(p.queries.q);
	ck_assert_uint_eq(p.queries.n, 0);
}
