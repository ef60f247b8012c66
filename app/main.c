/*
 * dnsvolley: the program is thin. Parse and validate everything into an
 * immutable plan, then hand it to the engine.
 */
#include <string.h>

#include "analyze/command.h"
#include "check/command.h"
#include "check_datapath.h"
#include "config/cli.h"
#include "engine/run.h"
#include "report/commands.h"
#include "report/compare.h"
#include "report/run_sink.h"
#include "report/verdict.h"
#include "core/log.h"

int main(int argc, char **argv)
{
	/* Commands on result files need no EAL, no port and no plan. */
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return dv_cmd_report(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "merge") == 0)
		return dv_cmd_merge(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "compare") == 0)
		return dv_cmd_compare(argc - 1, argv + 1);
	/* A capture taken at a server: the APNIC tables (no EAL). */
	if (argc > 1 && strcmp(argv[1], "analyze") == 0)
		return dv_cmd_analyze(argc - 1, argv + 1);
	/* The compliance battery: over the kernel's sockets, or a port (a run of checks). */
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return dv_cmd_check(argc - 1, argv + 1, dv_check_datapath_run);

	struct dv_plan plan;
	int rc = dv_cli_parse(argc, argv, &plan);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return DV_EXIT_USAGE;
	dv_log_set_quiet(plan.quiet);
	/* The engine measures; the report prints and writes what it measured. */
	struct dv_run_sink out;
	struct dv_sink sink = dv_run_sink_init(&out, &plan);
	static struct dv_result res; /* histograms: too large for the stack */
	int status = dv_run(&plan, &sink, &res);
	/* --fail-if: judged on the whole result, after the result files are written. */
	if (status == 0 && dv_verdict_report(&plan.fail_if, &res, NULL) > 0)
		status = DV_EXIT_VERDICT;
	dv_plan_free(&plan);
	return status;
}
