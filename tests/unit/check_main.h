/* Shared tail of every unit test's main(): run a suite, exit 0 only if all passed. */
#pragma once

#include <check.h>
#include <stdlib.h>

static inline int dv_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
