/**
 * @file set_lcores.c
 * @brief Setters of generators, worker CPUs, roles and polling.
 */
#include "config/setters.h"

#include <errno.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

/* Messages spell these limits out. */
_Static_assert(DV_MAX_GENERATORS == 8, "messages say 8");
_Static_assert(DV_CPU_MAX == 1023, "messages say 1023");

int dv_set_generators(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_MAX_GENERATORS, &n) != 0)
		return dv_not_a(ctx, v, "a number of generators in 1..8");
	p->generators = (unsigned)n;
	return 0;
}

#define LCORE_CPUS_MAX (sizeof(((struct dv_plan *)0)->lcore_cpu) / sizeof(unsigned))

/** CPU,CPU,...: CPUs of the worker lcores; the count is checked with the port. */
int dv_set_lcores(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[8 * LCORE_CPUS_MAX], *f[LCORE_CPUS_MAX];
	int n = dv_split_copy(v, ',', buf, sizeof(buf), f, (int)LCORE_CPUS_MAX);
	if (n < 0 && strlen(v) < sizeof(buf)) {
		dv_err("%s: more than %zu CPUs (one per worker lcore)", ctx, LCORE_CPUS_MAX);
		return -EINVAL;
	}
	if (n < 0)
		return dv_not_a(ctx, v, "a list of CPU numbers, e.g. 2,3");

	unsigned cpu[LCORE_CPUS_MAX];
	for (int i = 0; i < n; i++) {
		uint64_t c;
		if (*f[i] == '\0')
			return dv_not_a(ctx, v, "a list of CPU numbers, e.g. 2,3");
		if (dv_parse_uint(f[i], 0, DV_CPU_MAX, &c) != 0)
			return dv_bad_field(ctx, f[i], v, "a CPU number in 0..1023");
		cpu[i] = (unsigned)c;
	}
	memcpy(p->lcore_cpu, cpu, (size_t)n * sizeof(cpu[0]));
	p->n_lcore_cpu = (unsigned)n;
	return 0;
}

int dv_set_roles(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "combined") == 0)
		p->roles = DV_ROLES_COMBINED;
	else if (strcmp(v, "split") == 0)
		p->roles = DV_ROLES_SPLIT;
	else
		return dv_not_a(ctx, v, "combined or split");
	return 0;
}

int dv_set_poll(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "frugal") == 0)
		p->poll = DV_POLL_FRUGAL;
	else if (strcmp(v, "busy") == 0)
		p->poll = DV_POLL_BUSY;
	else
		return dv_not_a(ctx, v, "frugal or busy");
	return 0;
}

/** --busy-poll: --poll busy as a flag. */
int dv_set_busy_poll(struct dv_plan *p, const char *v, const char *ctx)
{
	bool on;
	if (dv_parse_bool(v, &on) != 0)
		return dv_not_a(ctx, v, "a boolean (true or false)");
	if (on)
		p->poll = DV_POLL_BUSY;
	return 0;
}
