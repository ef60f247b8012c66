/* A histogram's summary, for the report sections (hist_summary.h). */
#include "report/hist_summary.h"

#include <inttypes.h>

#include "core/json_util.h"

json_t *dv_json_hist_summary(const struct dv_hist *h, bool *ok)
{
	json_t *o = json_object();
	dv_jput(o, "count", dv_jint(h->count), ok);
	dv_jput(o, "p50", dv_jint(dv_hist_quantile(h, 0.50)), ok);
	dv_jput(o, "p90", dv_jint(dv_hist_quantile(h, 0.90)), ok);
	dv_jput(o, "p99", dv_jint(dv_hist_quantile(h, 0.99)), ok);
	dv_jput(o, "max", dv_jint(h->count == 0 ? 0 : h->max), ok);
	return o;
}

void dv_text_ms_line(FILE *f, int width, const char *label, const struct dv_hist *h)
{
	if (h->count == 0) {
		fprintf(f, "  %-*s-\n", width, label);
		return;
	}
	fprintf(f, "  %-*sp50 %.3f, p90 %.3f, p99 %.3f, max %.3f (%" PRIu64 ")\n", width, label,
		(double)dv_hist_quantile(h, 0.50) / 1e6, (double)dv_hist_quantile(h, 0.90) / 1e6,
		(double)dv_hist_quantile(h, 0.99) / 1e6, (double)h->max / 1e6, h->count);
}
