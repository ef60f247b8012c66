/*
 * libFuzzer harness: a query file (dnsperf format), parsed from memory.
 * Errors are captured, not printed: the fuzzer's output stays readable.
 */
#include <stdint.h>
#include <stdlib.h>

#include "config/queryfile.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[512];
	dv_log_capture(msg, sizeof(msg));
	struct dv_query_list l = { 0 };
	int ret = dv_queryfile_load_mem("fuzz.txt", (const char *)data, size, &l);
	if ((ret == 0) != (l.n > 0))
		abort(); /* loaded means at least one query; an error leaves the list empty */
	dv_query_list_free(&l);
	return 0;
}
