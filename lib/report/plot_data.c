#include "report/plot_data.h"

#include <errno.h>
#include <string.h>

#include "core/log.h"

FILE *dv_plot_open(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		dv_err("--plot: cannot create '%s': %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "# time target_qps actual_qps responses_per_sec failures_per_sec "
		   "avg_latency connections conn_avg_latency\n");
	return f;
}

void dv_plot_write(FILE *f, const struct dv_plot_row *r)
{
	/* A comment, so resperf's column layout stays as plotting tools expect. */
	if (r->stall_s > 0.0)
		fprintf(f, "# stall: the process did not run for %.3f s in the next interval "
			   "(%.3f s long); its rates are over its real length\n", r->stall_s, r->secs);
	fprintf(f, "%.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f\n", r->time_s, r->target_qps,
		r->actual_qps, r->responses_ps, r->failures_ps, r->avg_latency_s, r->conn_ps,
		r->conn_avg_latency_s);
}

int dv_plot_close(FILE *f, const char *path)
{
	if (fclose(f) != 0) {
		dv_err("--plot: cannot write '%s': %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}
