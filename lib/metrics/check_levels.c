/*
 * Check outcomes by load level (check_levels.h).
 */
#include "metrics/check_levels.h"

#include <stdbool.h>
#include <string.h>

#define FIRST_RATIO 1.05

void dv_check_outcome_sum(const uint64_t res[DV_CR_KINDS], uint64_t out[DV_CL_COLS])
{
	out[DV_CL_PASSED] = res[DV_CR_PASS];
	out[DV_CL_NO_ANSWER] = res[DV_CR_NO_ANSWER];
	out[DV_CL_FAILED] = 0;
	for (unsigned k = DV_CR_NO_ANSWER + 1; k < DV_CR_KINDS; k++)
		out[DV_CL_FAILED] += res[k];
}

/* Merge neighbouring levels in pairs and square the ratio: room for more. */
static void coarsen(struct dv_check_levels *lv)
{
	unsigned m = 0;
	for (unsigned i = 0; i < lv->n; i += 2, m++) {
		struct dv_check_level l = lv->l[i];
		if (i + 1 < lv->n) {
			const struct dv_check_level *b = &lv->l[i + 1];
			for (unsigned c = 0; c < DV_CHECKS_MAX; c++)
				for (unsigned k = 0; k < DV_CL_COLS; k++)
					l.n[c][k] += b->n[c][k];
			if (b->qps_lo < l.qps_lo)
				l.qps_lo = b->qps_lo;
			if (b->qps_hi > l.qps_hi)
				l.qps_hi = b->qps_hi;
		}
		lv->l[m] = l;
	}
	memset(&lv->l[m], 0, (lv->n - m) * sizeof(lv->l[0]));
	lv->n = m;
	lv->ratio *= lv->ratio;
}

void dv_check_levels_add(struct dv_check_levels *lv, double qps,
			 const uint64_t res[DV_FAMILIES][DV_CHECKS_MAX][DV_CR_KINDS])
{
	uint64_t any = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned c = 0; c < DV_CHECKS_MAX; c++)
			for (unsigned k = 0; k < DV_CR_KINDS; k++)
				any |= res[f][c][k];
	if (any == 0)
		return;
	if (lv->ratio == 0.0)
		lv->ratio = FIRST_RATIO;
	struct dv_check_level *l = lv->n > 0 ? &lv->l[lv->n - 1] : NULL;
	bool joins = l != NULL && (qps <= 0.0 || (qps >= l->qps_lo / lv->ratio && qps < l->qps_lo * lv->ratio));
	if (!joins) {
		if (lv->n == DV_CHECK_LEVELS_MAX)
			coarsen(lv);
		l = &lv->l[lv->n++];
		memset(l, 0, sizeof(*l));
		l->qps_lo = l->qps_hi = qps > 0.0 ? qps : 0.0;
	}
	if (qps > 0.0 && qps < l->qps_lo)
		l->qps_lo = qps;
	if (qps > l->qps_hi)
		l->qps_hi = qps;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned c = 0; c < DV_CHECKS_MAX; c++) {
			uint64_t o[DV_CL_COLS];
			dv_check_outcome_sum(res[f][c], o);
			for (unsigned k = 0; k < DV_CL_COLS; k++)
				l->n[c][k] += o[k];
		}
}
