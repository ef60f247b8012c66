/*
 * libFuzzer harness: a scenario file (YAML), loaded from memory on top of the
 * defaults, then the settings finished as the command line does.
 * Errors are captured, not printed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config/plan.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[512];
	static struct dv_plan p;
	dv_log_capture(msg, sizeof(msg));
	dv_plan_defaults(&p);
	if (dv_scenario_load_mem("fuzz.yaml", (const char *)data, size, &p) == 0 &&
	    dv_settings_finish(&p) == 0)
		(void)dv_seqspec_finish(&p);
	dv_plan_free(&p);
	return 0;
}
