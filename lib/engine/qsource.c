#include "engine/qsource.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/battery.h"
#include "core/bigmem.h"
#include "core/log.h"
#include "wire/frame_parse.h"

/*
 * --checks: the battery, each message built with ldns for the zone: a UDP
 * run asks every check, each over its transport; a TCP run (every attempt
 * over TCP) asks the TCP checks. A check every 1/share logical queries, in turn.
 */
static int checks_init(struct dv_qsource *qs, const struct dv_plan *plan)
{
	if (plan->checks_zone[0] == '\0')
		return 0;
	enum dv_check_transport want = plan->transport == DV_TRANSPORT_TCP ? DV_CHECK_TCP : DV_CHECK_UDP;
	for (unsigned i = 0; i < dv_checks_n && qs->nchecks < DV_CHECKS_MAX; i++) {
		const struct dv_check *c = &dv_checks[i];
		if (want == DV_CHECK_TCP && c->q.transport != DV_CHECK_TCP)
			continue;
		struct dv_check_msg *m = &qs->checks[qs->nchecks];
		int n = dv_check_build(c, plan->checks_zone, 0, m->q.wire, sizeof(m->q.wire));
		if (n < 0) {
			dv_err("--checks: '%s': cannot build check %s's query (%s)", plan->checks_zone,
			       c->id, strerror(-n));
			return n;
		}
		m->q.len = (uint16_t)n;
		m->q.sum = dv_question_sum(m->q.wire, m->q.len);
		m->qname = m->q.wire + DV_DNS_HLEN;
		unsigned len = 0;
		while (m->qname[len] != 0)
			len += 1u + m->qname[len];
		m->qname_len = (uint8_t)(len + 1);
		m->qtype = c->q.qtype;
		m->row = (uint8_t)i;
		m->tcp = c->q.transport == DV_CHECK_TCP;
		m->check = c;
		qs->nchecks++;
	}
	double every = 1.0 / plan->checks_share;
	qs->check_every = every < 1.0 ? 1 : (uint64_t)(every + 0.5);
	return 0;
}

int dv_qsource_init(struct dv_qsource *qs, const struct dv_plan *plan, uint64_t seed)
{
	memset(qs, 0, sizeof(*qs));
	qs->ql = &plan->queries;
	qs->seed = seed;
	qs->name_mul = plan->instance_n > 0 ? plan->instance_n : 1;
	qs->name_add = plan->instance_n > 0 ? plan->instance_k - 1 : 0;

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
		return checks_init(qs, plan);
	}

	/* On a cache line: each entry's first line holds what a frame needs of it. */
	size_t nq = plan->queries.n > 0 ? plan->queries.n : 1;
	qs->questions = dv_bigmem_alloc(nq * sizeof(*qs->questions));
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
	int rc = checks_init(qs, plan);
	if (rc != 0)
		dv_qsource_free(qs);
	return rc;
}

void dv_qsource_free(struct dv_qsource *qs)
{
	dv_bigmem_free(qs->questions);
	qs->questions = NULL;
}
