/*
 * dnsvolley: the program is thin. Parse and validate everything into an
 * immutable plan, then hand it to the engine.
 */
#include "config/cli.h"
#include "engine/run.h"
#include "util/log.h"

int main(int argc, char **argv)
{
	struct dv_plan plan;
	int rc = dv_cli_parse(argc, argv, &plan);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return DV_EXIT_USAGE;
	dv_log_set_quiet(plan.quiet);
	int status = dv_run(&plan, NULL);
	dv_plan_free(&plan);
	return status;
}
