/**
 * @file set_instance.c
 * @brief One run over many generator hosts: --instance K/N (this host's share
 *        of the rate, the source ranges and the generated names) and
 *        --start-at TIME (every host starts its schedule at one wall-clock time).
 */
#include "config/instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/parse.h"
#include "config/set_util.h"
#include "config/setters.h"
#include "core/addr.h"
#include "core/log.h"
#include "core/wallclock.h"

#define STR_(x) #x
#define STR(x) STR_(x)

int dv_set_instance(struct dv_plan *p, const char *v, const char *ctx)
{
	const char *slash = strchr(v, '/');
	char k[16];
	uint64_t kk, nn;
	if (slash == NULL || (size_t)(slash - v) >= sizeof(k))
		return dv_not_a(ctx, v, "K/N (this host's share, 1 <= K <= N <= " STR(DV_INSTANCES_MAX) ")");
	memcpy(k, v, (size_t)(slash - v));
	k[slash - v] = '\0';
	if (dv_parse_uint(slash + 1, 1, DV_INSTANCES_MAX, &nn) != 0 ||
	    dv_parse_uint(k, 1, nn, &kk) != 0)
		return dv_not_a(ctx, v, "K/N (this host's share, 1 <= K <= N <= " STR(DV_INSTANCES_MAX) ")");
	p->instance_k = (unsigned)kk;
	p->instance_n = (unsigned)nn;
	return 0;
}

/* YYYY-MM-DDTHH:MM:SS[.frac]Z (UTC) as seconds since the epoch. @return 0 or -EINVAL */
static int parse_iso8601(const char *v, double *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return -EINVAL;
	double frac = 0;
	if (*end == '.') {
		char *e;
		frac = strtod(end, &e);
		if (e == end + 1)
			return -EINVAL;
		end = e;
	}
	if (strcmp(end, "Z") != 0)
		return -EINVAL; /* UTC only: hosts in other zones must agree on the instant */
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*out = (double)t + frac;
	return 0;
}

int dv_set_start_at(struct dv_plan *p, const char *v, const char *ctx)
{
	double now = (double)dv_wall_ns() * 1e-9, at;
	const char *what = "a wall-clock time: seconds since the epoch (1765000000.5), "
			   "+SECONDS from now, or YYYY-MM-DDTHH:MM:SS[.frac]Z";
	if (v[0] == '+') {
		double s;
		if (dv_parse_number(v + 1, &s) != 0)
			return dv_not_a(ctx, v, what);
		at = now + s;
	} else if (strchr(v, 'T') != NULL) {
		if (parse_iso8601(v, &at) != 0)
			return dv_not_a(ctx, v, what);
	} else if (dv_parse_number(v[0] == '@' ? v + 1 : v, &at) != 0) {
		return dv_not_a(ctx, v, what);
	}
	if (at <= now) {
		dv_err("%s: %s is %.3f s in the past (is this host's clock synchronised?)", ctx, v,
		       now - at);
		return -EINVAL;
	}
	if (at > now + DV_START_AT_MAX_S) {
		dv_err("%s: %s is more than a day ahead", ctx, v);
		return -EINVAL;
	}
	p->start_at = at;
	return 0;
}

int dv_instance_finish(struct dv_plan *p)
{
	if (p->instance_n == 0)
		return 0;
	unsigned n = p->instance_n, k = p->instance_k - 1;
	if (p->rate_mode == DV_RATE_SEARCH) {
		dv_err("--instance: --search finds one sender's limit; run it on one host");
		return -EINVAL;
	}
	/* The rate, a ramp's ends and --max-queries are the whole run's: this host sends its share. */
	p->qps /= n;
	p->ramp.from_qps /= n;
	p->ramp.to_qps /= n;
	if (p->max_queries != 0) {
		uint64_t q = p->max_queries / n + (k < p->max_queries % n);
		if (q == 0) {
			dv_err("--instance %u/%u: --max-queries %llu leaves this host nothing to send",
			       p->instance_k, n, (unsigned long long)p->max_queries);
			return -EINVAL;
		}
		p->max_queries = q;
	}
	/* Each --src range: this host's slice of it (the next power of two of slices). */
	unsigned bits = 0;
	while ((1u << bits) < n)
		bits++;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		if (p->src_prefix[f] == 0)
			continue;
		unsigned width = f == DV_FAMILY_V6 ? 128 : 32;
		if (p->src_prefix[f] + bits + 1 > width) {
			char ab[64];
			dv_err("--instance %u/%u: --src %s/%u is too narrow for %u slices", p->instance_k,
			       n, dv_addr_str(&p->src[f], ab, sizeof(ab)), p->src_prefix[f], n);
			return -EINVAL;
		}
		dv_addr_set_bits(&p->src[f], p->src_prefix[f], bits, k);
		p->src_prefix[f] += bits;
	}
	return 0;
}
