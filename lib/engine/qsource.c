#include "engine/qsource.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

int dv_qsource_init(struct dv_qsource *qs, const struct dv_plan *plan, uint64_t seed)
{
	memset(qs, 0, sizeof(*qs));
	qs->ql = &plan->queries;
	qs->seed = seed;

	if (plan->seq.qname_pattern[0] != '\0') {
		const char *why = "";
		if (dv_qname_compile(plan->seq.qname_pattern, &qs->pattern, &why) != 0) {
			dv_err("--qname: '%s': %s", plan->seq.qname_pattern, why);
			return -EINVAL;
		}
		qs->generated = true;
		if (plan->seq.qtypes.n > 0) {
			if (dv_alias_build(&qs->qtypes, &plan->seq.qtypes) != 0) {
				dv_err("--qtypes: weights do not sum to more than 0");
				return -EINVAL;
			}
		} else {
			dv_alias_const(&qs->qtypes, 1 /* A */);
		}
		return 0;
	}

	qs->questions = calloc(plan->queries.n > 0 ? plan->queries.n : 1, sizeof(*qs->questions));
	if (qs->questions == NULL) {
		dv_err("out of memory for %zu questions", plan->queries.n);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plan->queries.n; i++) {
		int rc = dv_question_build(&plan->queries.q[i], &qs->questions[i]);
		if (rc != 0) {
			dv_qsource_free(qs);
			return rc;
		}
	}
	return 0;
}

void dv_qsource_free(struct dv_qsource *qs)
{
	free(qs->questions);
	qs->questions = NULL;
}
