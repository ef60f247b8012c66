/*
 * libFuzzer harness: a result file (--json lines), read back as `report`
 * and `merge` do: loaded, then the counters of every record and the
 * intervals as time series. The reader takes a path: the input is written to
 * a memory file (memfd) and read through /proc/self/fd/N.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/log.h"
#include "report/runfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[512];
	static struct dv_result_store st;
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("dvfuzz-result", 0);
		if (fd < 0) {
			perror("fuzz_result: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	dv_log_capture(msg, sizeof(msg));

	struct dv_runfile rf;
	if (dv_runfile_open(path, &rf) == 0) {
		/* The report's one streaming pass: rows, the intervals' total, the sum. */
		struct dv_series_row *rows = NULL;
		json_t *sum = NULL;
		long n = dv_runfile_scan(&rf, &rows, &st, &sum);
		if (n > 0 && rows == NULL)
			abort();
		if (sum != NULL)
			(void)dv_runfile_state(&rf, sum, &st);
		json_decref(sum);
		free(rows);
		/* merge's second pass */
		if (n >= 0 && dv_runfile_rewind(&rf) == 0)
			(void)dv_runfile_scan(&rf, NULL, NULL, NULL);
	}
	dv_runfile_free(&rf);
	return 0;
}
