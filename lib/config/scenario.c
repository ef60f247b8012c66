/**
 * @file scenario.c
 * @brief Settings table shared by scenario files and options; scenario loader.
 */
#include "config/scenario.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dv_config.h"
#include "config/parse.h"
#include "config/seqspec.h"
#include "core/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)

void dv_plan_defaults(struct dv_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->dport = DV_DEFAULT_DPORT;
	p->qps = DV_DEFAULT_QPS;
	p->duration_s = DV_DEFAULT_DURATION;
	p->timeout_s = DV_DEFAULT_TIMEOUT;
	p->edns_size = DV_DEFAULT_EDNS;
	p->stats_interval_s = DV_DEFAULT_STATS;
	p->burst = DV_DEFAULT_BURST;
	p->sport_base = DV_DEFAULT_SPORT_BASE;
	p->poll = DV_POLL_FRUGAL;
	p->roles = DV_ROLES_COMBINED;
	p->frag_timeout_s = DV_DEFAULT_FRAG_TIMEOUT;
	p->fragmented = DV_FRAG_REASSEMBLE;
	p->collectors = DV_DEFAULT_COLLECTORS;
	p->generators = DV_DEFAULT_GENERATORS;
	p->rate_mode = DV_RATE_FIXED;
	p->search.resolution_pct = DV_DEFAULT_SEARCH_RESOLUTION;
	p->plot_interval_s = DV_DEFAULT_PLOT_INTERVAL;
	snprintf(p->port[0].spec, sizeof(p->port[0].spec), "%s", DV_DEFAULT_PORT_SPEC);
	p->nports = 1;
	dv_seqspec_defaults(p);

	/* Prefer the source tree so a build runs without "ninja install". */
	struct stat st;
	const char *dir = DV_INSTALL_DRIVERS_DIR;
	if (stat(DV_SOURCE_DRIVERS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		dir = DV_SOURCE_DRIVERS_DIR;
	snprintf(p->drivers_dir, sizeof(p->drivers_dir), "%s", dir);
}

/* Setting handlers: each checks one value and reports with ctx. */

typedef int (*set_fn)(struct dv_plan *p, const char *v, const char *ctx);

static int not_a(const char *ctx, const char *v, const char *what)
{
	char qb[DV_QUOTE_BUF];
	dv_err("%s: '%s' is not %s", ctx, dv_quote(v, qb, sizeof(qb)), what);
	return -EINVAL;
}

/** "CTX: 'FIELD' in 'VALUE' is not WHAT" (or without "in" when FIELD is VALUE). */
static int bad_field(const char *ctx, const char *field, const char *v, const char *what)
{
	char qf[DV_QUOTE_BUF], qv[DV_QUOTE_BUF];
	if (strcmp(field, v) == 0)
		return not_a(ctx, v, what);
	dv_err("%s: '%s' in '%s' is not %s", ctx, dv_quote(field, qf, sizeof(qf)),
	       dv_quote(v, qv, sizeof(qv)), what);
	return -EINVAL;
}

/**
 * Split a copy of v on sep into at most max fields (empty fields kept).
 * @return the number of fields, or -EINVAL if there are more than max or v
 *         does not fit buf
 */
static int split_fields(const char *v, char sep, char *buf, size_t size, char **f,
			int max)
{
	if (strlen(v) >= size)
		return -EINVAL;
	strcpy(buf, v);
	int n = 0;
	for (char *p = buf;;) {
		if (n == max)
			return -EINVAL;
		f[n++] = p;
		p = strchr(p, sep);
		if (p == NULL)
			return n;
		*p++ = '\0';
	}
}

/**
 * Add an address to a per-family array (target or source).
 * @param idx  receives the family index (may be NULL)
 */
static int add_addr(struct dv_addr arr[DV_FAMILIES], const char *ctx,
		    const char *v, const char *what, int *idx)
{
	struct dv_addr a;
	if (dv_parse_addr(v, &a) != 0)
		return not_a(ctx, v, "an IPv4 or IPv6 address");
	int i = a.family == AF_INET ? DV_FAMILY_V4 : DV_FAMILY_V6;
	if (arr[i].family != 0) {
		dv_err("%s: more than one %s %s (at most one IPv4 and one IPv6)",
		       ctx, i == DV_FAMILY_V4 ? "IPv4" : "IPv6", what);
		return -EINVAL;
	}
	arr[i] = a;
	if (idx != NULL)
		*idx = i;
	return 0;
}

/* Ports add up; the first one a scenario or the command line gives replaces the
 * ones before (dv_plan_ports_forget). */
static int set_port(struct dv_plan *p, const char *v, const char *ctx)
{
	if (p->nports >= DV_MAX_PORTS) {
		dv_err("%s: more than " STR(DV_MAX_PORTS) " ports", ctx);
		return -EINVAL;
	}
	int ret = dv_copy_value(ctx, v, p->port[p->nports].spec, sizeof(p->port[0].spec));
	if (ret == 0)
		p->nports++;
	return ret;
}

void dv_plan_ports_forget(struct dv_plan *p)
{
	memset(p->port, 0, sizeof(p->port));
	p->nports = 0;
}

static int set_target(struct dv_plan *p, const char *v, const char *ctx)
{
	return add_addr(p->target, ctx, v, "target", NULL);
}

/* Messages spell these out. */
_Static_assert(DV_SRC_PREFIX_MIN_V4 == 8 && DV_SRC_PREFIX_MIN_V6 == 48, "messages say 8 and 48");

/** ADDR or ADDR/PREFIX: a source address, or the range sharing its first PREFIX bits. */
static int set_source(struct dv_plan *p, const char *v, const char *ctx)
{
	const char *slash = strchr(v, '/');
	if (slash == NULL) {
		int idx;
		int ret = add_addr(p->src, ctx, v, "source", &idx);
		if (ret == 0)
			p->src_prefix[idx] = 0;
		return ret;
	}

	char addr[INET6_ADDRSTRLEN];
	struct dv_addr a;
	size_t alen = (size_t)(slash - v);
	if (alen >= sizeof(addr))
		return not_a(ctx, v, "an IPv4 or IPv6 address");
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	if (dv_parse_addr(addr, &a) != 0)
		return not_a(ctx, v, "an IPv4 or IPv6 address");

	bool v4 = a.family == AF_INET;
	uint64_t plen;
	if (dv_parse_uint(slash + 1, v4 ? DV_SRC_PREFIX_MIN_V4 : DV_SRC_PREFIX_MIN_V6,
			  v4 ? 32 : 128, &plen) != 0)
		return not_a(ctx, v, v4 ? "an IPv4 range ADDR/PREFIX with PREFIX in 8..32"
					: "an IPv6 range ADDR/PREFIX with PREFIX in 48..128");
	int idx;
	int ret = add_addr(p->src, ctx, addr, "source", &idx);
	if (ret != 0)
		return ret;
	/* All the bits: one address, no range. */
	p->src_prefix[idx] = plen == (v4 ? 32 : 128) ? 0 : (unsigned)plen;
	return 0;
}

static int set_dns_port(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_port(v, &p->dport) != 0)
		return not_a(ctx, v, "a port number (1..65535)");
	return 0;
}

static int set_queries(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->query_file, sizeof(p->query_file));
}

/* -Q 0 is --max: recorded as qps 0, resolved by dv_settings_finish(). */
static int set_rate(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_rate_zero(v, &p->qps) != 0)
		return not_a(ctx, v, "a rate");
	return 0;
}

static int set_max(struct dv_plan *p, const char *v, const char *ctx)
{
	bool on;
	if (dv_parse_bool(v, &on) != 0)
		return not_a(ctx, v, "a boolean (true or false)");
	if (on)
		p->rate_mode = DV_RATE_MAX;
	else if (p->rate_mode == DV_RATE_MAX)
		p->rate_mode = DV_RATE_FIXED;
	return 0;
}

/** FROM:TO:DURATION, FROM >= 0, TO > FROM, the duration as -l takes it. */
static int set_ramp(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[128], *f[3];
	struct dv_ramp_plan r;
	if (split_fields(v, ':', buf, sizeof(buf), f, 3) != 3)
		return not_a(ctx, v, "a ramp FROM:TO:DURATION, e.g. 0:50k:60s");
	if (dv_parse_rate_zero(f[0], &r.from_qps) != 0)
		return bad_field(ctx, f[0], v, "a starting rate (FROM, 0 or more)");
	if (dv_parse_rate(f[1], &r.to_qps) != 0)
		return bad_field(ctx, f[1], v, "an end rate (TO, above 0)");
	if (dv_parse_seconds(f[2], false, &r.duration_s) != 0)
		return bad_field(ctx, f[2], v, "a duration in seconds");
	if (!(r.to_qps > r.from_qps)) {
		char qb[DV_QUOTE_BUF];
		dv_err("%s: '%s' does not ramp up (TO must be above FROM)", ctx,
		       dv_quote(v, qb, sizeof(qb)));
		return -EINVAL;
	}
	p->ramp = r;
	return 0;
}

/* Messages spell these limits out. */
_Static_assert((int)DV_SEARCH_TRIAL_MAX == 3600 && DV_SEARCH_REPEATS_MAX == 15,
	       "messages say 3600 s and 15");
#ifdef __clang__
/* clang folds a floating constant only as the operand of a cast to an integer. */
_Static_assert((int)DV_SEARCH_RESOLUTION_MAX == 50, "messages say 0.01..50");
#else
_Static_assert(DV_SEARCH_RESOLUTION_MIN == 0.01 && DV_SEARCH_RESOLUTION_MAX == 50.0,
	       "messages say 0.01..50");
#endif

/** LOSS%[:TRIAL[:REPEATS]]; keeps --search-resolution. */
static int set_search(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[128], *f[3];
	int n = split_fields(v, ':', buf, sizeof(buf), f, 3);
	if (n < 1)
		return not_a(ctx, v, "a search LOSS%[:TRIAL[:REPEATS]], e.g. 1%:2s:3");

	struct dv_search_plan s = p->search;
	s.trial_s = DV_DEFAULT_SEARCH_TRIAL;
	s.repeats = DV_DEFAULT_SEARCH_REPEATS;
	if (dv_parse_percent(f[0], &s.loss_pct) != 0)
		return bad_field(ctx, f[0], v, "a loss percentage in 0..100, e.g. 1%");
	if (n > 1 && (dv_parse_seconds(f[1], false, &s.trial_s) != 0 ||
		      s.trial_s > DV_SEARCH_TRIAL_MAX))
		return bad_field(ctx, f[1], v, "a trial duration in (0, 3600 s]");
	uint64_t r;
	if (n > 2) {
		if (dv_parse_uint(f[2], 1, DV_SEARCH_REPEATS_MAX, &r) != 0)
			return bad_field(ctx, f[2], v, "a number of repeats in 1..15");
		s.repeats = (unsigned)r;
	}
	p->search = s;
	return 0;
}

static int set_search_resolution(struct dv_plan *p, const char *v, const char *ctx)
{
	double r;
	if (dv_parse_percent(v, &r) != 0 || r < DV_SEARCH_RESOLUTION_MIN ||
	    r > DV_SEARCH_RESOLUTION_MAX)
		return not_a(ctx, v, "a percentage in 0.01..50");
	p->search.resolution_pct = r;
	return 0;
}

static int set_duration(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->duration_s) != 0)
		return not_a(ctx, v, "a duration in seconds");
	return 0;
}

static int set_timeout(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->timeout_s) != 0)
		return not_a(ctx, v, "a timeout in seconds");
	return 0;
}

static int set_max_queries(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_uint(v, 0, UINT64_MAX, &p->max_queries) != 0)
		return not_a(ctx, v, "a number of queries");
	return 0;
}

static int set_dnssec_ok(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_bool(v, &p->dnssec_ok) != 0)
		return not_a(ctx, v, "a boolean (true or false)");
	p->seq.do_prob = p->dnssec_ok ? 1.0 : 0.0;
	return 0;
}

static int set_stats_interval(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, true, &p->stats_interval_s) != 0)
		return not_a(ctx, v, "an interval in seconds (0 = off)");
	return 0;
}

/** A boolean (true: the default rate) or answers sampled per second per collector, 0 = off. */
static int set_track_answers(struct dv_plan *p, const char *v, const char *ctx)
{
	bool on;
	uint64_t n;
	if (dv_parse_bool(v, &on) == 0) {
		p->track_answers = on ? DV_TRACK_ANSWERS_DEFAULT : 0;
		return 0;
	}
	if (dv_parse_uint(v, 0, DV_TRACK_ANSWERS_MAX, &n) != 0)
		return not_a(ctx, v, "true, false, or answers per second 0..100000");
	p->track_answers = (unsigned)n;
	return 0;
}

static int set_json(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->json_path, sizeof(p->json_path));
}

static int set_plot(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_copy_value(ctx, v, p->plot_path, sizeof(p->plot_path));
}

static int set_plot_interval(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_seconds(v, false, &p->plot_interval_s) != 0)
		return not_a(ctx, v, "an interval in seconds above 0, e.g. 0.5");
	return 0;
}

static int set_eal(struct dv_plan *p, const char *v, const char *ctx)
{
	/* Empty is allowed: it clears arguments a scenario gave. */
	if (strlen(v) >= sizeof(p->eal_extra)) {
		dv_err("%s: longer than %zu bytes", ctx, sizeof(p->eal_extra) - 1);
		return -EINVAL;
	}
	strcpy(p->eal_extra, v);
	return 0;
}

static int set_dst_mac(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_mac(v, p->dst_mac) != 0)
		return not_a(ctx, v, "a MAC address (aa:bb:cc:dd:ee:ff)");
	p->dst_mac_set = true;
	return 0;
}

static int set_gateway(struct dv_plan *p, const char *v, const char *ctx)
{
	return add_addr(p->gateway, ctx, v, "gateway", NULL);
}

static int set_vlan(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, 4094, &n) != 0)
		return not_a(ctx, v, "a VLAN ID in 1..4094");
	p->vlan = (uint16_t)n;
	return 0;
}

static int set_burst(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_BURST_MAX, &n) != 0)
		return not_a(ctx, v, "a burst size in 1.." STR(DV_BURST_MAX));
	p->burst = (unsigned)n;
	return 0;
}

static int set_sport_base(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, DV_SPORT_BASE_MIN, DV_SPORT_BASE_MAX, &n) != 0)
		return not_a(ctx, v, "a source port in 1024..65519");
	p->sport_base = (uint16_t)n;
	return 0;
}

/** LOW-HIGH: the source ports the in-flight table may use. */
static int set_sport(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[32], *f[2];
	uint64_t lo, hi;
	if (split_fields(v, '-', buf, sizeof(buf), f, 2) != 2 ||
	    dv_parse_uint(f[0], DV_SPORT_BASE_MIN, DV_SPORT_MAX, &lo) != 0 ||
	    dv_parse_uint(f[1], lo, DV_SPORT_MAX, &hi) != 0)
		return not_a(ctx, v, "a source port range LOW-HIGH, 1024 <= LOW <= HIGH <= 65535");
	p->sport_base = (uint16_t)lo;
	p->sport_high = (uint16_t)hi;
	return 0;
}

static int set_roles(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "combined") == 0)
		p->roles = DV_ROLES_COMBINED;
	else if (strcmp(v, "split") == 0)
		p->roles = DV_ROLES_SPLIT;
	else
		return not_a(ctx, v, "combined or split");
	return 0;
}

static int set_poll(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "frugal") == 0)
		p->poll = DV_POLL_FRUGAL;
	else if (strcmp(v, "busy") == 0)
		p->poll = DV_POLL_BUSY;
	else
		return not_a(ctx, v, "frugal or busy");
	return 0;
}

/* Messages spell these limits out. */
_Static_assert((int)DV_FRAG_TIMEOUT_MAX == 10, "messages say 10 s");
_Static_assert(DV_MAX_COLLECTORS == 8 && DV_MAX_GENERATORS == 8, "messages say 8");
_Static_assert(DV_CPU_MAX == 1023, "messages say 1023");

static int set_frag_timeout(struct dv_plan *p, const char *v, const char *ctx)
{
	double t;
	if (dv_parse_seconds(v, false, &t) != 0 || t > DV_FRAG_TIMEOUT_MAX)
		return not_a(ctx, v, "a fragment timeout in (0, 10 s], e.g. 100ms");
	p->frag_timeout_s = t;
	return 0;
}

static int set_fragmented(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "reassemble") == 0)
		p->fragmented = DV_FRAG_REASSEMBLE;
	else if (strcmp(v, "drop") == 0)
		p->fragmented = DV_FRAG_DROP;
	else
		return not_a(ctx, v, "reassemble or drop");
	return 0;
}

static int set_collectors(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_MAX_COLLECTORS, &n) != 0)
		return not_a(ctx, v, "a number of collectors in 1..8");
	p->collectors = (unsigned)n;
	return 0;
}

static int set_generators(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_MAX_GENERATORS, &n) != 0)
		return not_a(ctx, v, "a number of generators in 1..8");
	p->generators = (unsigned)n;
	return 0;
}

#define LCORE_CPUS_MAX (sizeof(((struct dv_plan *)0)->lcore_cpu) / sizeof(unsigned))

/** CPU,CPU,...: CPUs of the worker lcores; the count is checked with the port. */
static int set_lcores(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[8 * LCORE_CPUS_MAX], *f[LCORE_CPUS_MAX];
	int n = split_fields(v, ',', buf, sizeof(buf), f, (int)LCORE_CPUS_MAX);
	if (n < 0 && strlen(v) < sizeof(buf)) {
		dv_err("%s: more than %zu CPUs (one per worker lcore)", ctx, LCORE_CPUS_MAX);
		return -EINVAL;
	}
	if (n < 0)
		return not_a(ctx, v, "a list of CPU numbers, e.g. 2,3");

	unsigned cpu[LCORE_CPUS_MAX];
	for (int i = 0; i < n; i++) {
		uint64_t c;
		if (*f[i] == '\0')
			return not_a(ctx, v, "a list of CPU numbers, e.g. 2,3");
		if (dv_parse_uint(f[i], 0, DV_CPU_MAX, &c) != 0)
			return bad_field(ctx, f[i], v, "a CPU number in 0..1023");
		cpu[i] = (unsigned)c;
	}
	memcpy(p->lcore_cpu, cpu, (size_t)n * sizeof(cpu[0]));
	p->n_lcore_cpu = (unsigned)n;
	return 0;
}

static int set_description(struct dv_plan *p, const char *v, const char *ctx)
{
	(void)p;
	(void)v;
	(void)ctx;
	return 0;
}

/** What a scenario may do with a key beyond a single value. */
enum set_flags {
	SET_LIST = 1 << 0,    /**< a list of values is accepted (addresses) */
	SET_RELPATH = 1 << 1, /**< a relative path is relative to the scenario */
	SET_JOIN = 1 << 2,    /**< a list is joined with ',' into one value */
};

/** The settings, by scenario key (= long option name). */
static const struct setting {
	const char *key;
	set_fn fn;
	unsigned flags;
} settings[] = {
	{ "port",           set_port,           SET_LIST },
	{ "target",         set_target,         SET_LIST },
	{ "dns-port",       set_dns_port,       0 },
	{ "source",         set_source,         SET_LIST },
	{ "queries",        set_queries,        SET_RELPATH },
	{ "rate",           set_rate,           0 },
	{ "max",            set_max,            0 },
	{ "ramp",           set_ramp,           0 },
	{ "search",         set_search,         0 },
	{ "search-resolution", set_search_resolution, 0 },
	{ "duration",       set_duration,       0 },
	{ "timeout",        set_timeout,        0 },
	{ "max-queries",    set_max_queries,    0 },
	{ "edns",           dv_set_edns,        SET_JOIN },
	{ "dnssec-ok",      set_dnssec_ok,      0 },
	{ "stats-interval", set_stats_interval, 0 },
	{ "json",           set_json,           0 },
	{ "track-answers",  set_track_answers,  0 },
	{ "plot",           set_plot,           0 },
	{ "plot-interval",  set_plot_interval,  0 },
	{ "eal",            set_eal,            0 },
	{ "dst-mac",        set_dst_mac,        0 },
	{ "gateway",        set_gateway,        SET_LIST },
	{ "vlan",           set_vlan,           0 },
	{ "burst",          set_burst,          0 },
	{ "sport-base",     set_sport_base,     0 },
	{ "sport",          set_sport,          0 },
	{ "roles",          set_roles,          0 },
	{ "poll",           set_poll,           0 },
	{ "frag-timeout",   set_frag_timeout,   0 },
	{ "fragmented",     set_fragmented,     0 },
	{ "collectors",     set_collectors,     0 },
	{ "generators",     set_generators,     0 },
	{ "lcores",         set_lcores,         SET_JOIN },
	{ "family",         dv_set_family,      0 },
	{ "requery",        dv_set_requery,     SET_JOIN },
	{ "attempts",       dv_set_attempts,    0 },
	{ "retry-change",   dv_set_retry_change, 0 },
	{ "edns-ladder",    dv_set_edns_ladder, SET_JOIN },
	{ "do",             dv_set_do,          0 },
	{ "qname",          dv_set_qname,       0 },
	{ "qtypes",         dv_set_qtypes,      SET_JOIN },
	{ "responder",      dv_set_responder,   SET_JOIN },
	{ "description",    set_description,    0 },
};

static const struct setting *find_setting(const char *key)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (strcmp(settings[i].key, key) == 0)
			return &settings[i];
	}
	return NULL;
}

int dv_setting_set(struct dv_plan *p, const char *key, const char *value,
		   const char *ctx)
{
	if (p == NULL || key == NULL || value == NULL)
		return -EINVAL;
	const struct setting *s = find_setting(key);
	if (s == NULL)
		return -ENOENT;
	return s->fn(p, value, ctx != NULL ? ctx : key);
}

void dv_rate_forget(struct dv_plan *p, bool all)
{
	if (p->rate_mode == DV_RATE_MAX)
		p->rate_mode = DV_RATE_FIXED;
	memset(&p->ramp, 0, sizeof(p->ramp));
	if (!all)
		return;
	double resolution = p->search.resolution_pct;
	memset(&p->search, 0, sizeof(p->search));
	p->search.resolution_pct = resolution;
	if (p->qps == 0.0)
		p->qps = DV_DEFAULT_QPS;
}

int dv_settings_finish(struct dv_plan *p)
{
	if (p == NULL)
		return -EINVAL;

	bool zero = p->qps == 0.0;
	bool max = p->rate_mode == DV_RATE_MAX;
	bool ramp = p->ramp.to_qps > 0.0;
	bool search = p->search.repeats > 0;
	const char *max_name = max ? "--max" : "-Q 0";

	if (ramp && search) {
		dv_err("--ramp: conflicts with --search");
		return -EINVAL;
	}
	if ((max || zero) && (ramp || search)) {
		if (max || ramp)
			dv_err("%s: conflicts with %s", max_name, ramp ? "--ramp" : "--search");
		else
			dv_err("--search: needs an upper bound: -Q QPS above 0 (-Q 0 is --max)");
		return -EINVAL;
	}

	if (max || zero) {
		p->rate_mode = DV_RATE_MAX;
		p->qps = 0.0;
	} else if (ramp) {
		p->rate_mode = DV_RATE_RAMP;
		p->duration_s = p->ramp.duration_s;
		p->qps = p->ramp.to_qps;
	} else if (search) {
		p->rate_mode = DV_RATE_SEARCH;
		p->search.max_qps = p->qps;
	} else {
		p->rate_mode = DV_RATE_FIXED;
	}

	if (p->sport_high != 0 && p->sport_base > p->sport_high) {
		dv_err("--sport-base %u: above the end of the --sport range (%u)",
		       (unsigned)p->sport_base, (unsigned)p->sport_high);
		return -EINVAL;
	}
	return 0;
}

/* Scenario files. */

struct scn_ctx {
	struct dv_plan *plan;
	const char *file;
};

/**
 * Join a relative path to the directory of the scenario file.
 * @return 0, or -ENAMETOOLONG
 */
static int rel_to_file(const char *file, const char *v, char *out, size_t size)
{
	const char *slash = strrchr(file, '/');
	if (v[0] == '/' || slash == NULL) {
		if (strlen(v) >= size)
			return -ENAMETOOLONG;
		strcpy(out, v);
		return 0;
	}
	int dlen = (int)(slash - file);
	int n = snprintf(out, size, "%.*s/%s", dlen, file, v);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int scn_entry(const struct dv_yaml_entry *e, void *arg)
{
	struct scn_ctx *c = arg;
	char qb[DV_QUOTE_BUF];
	const struct setting *s = find_setting(e->key);
	if (s == NULL) {
		dv_err("%s:%zu: unknown key '%s'", e->file, e->line,
		       dv_quote(e->key, qb, sizeof(qb)));
		return -EINVAL;
	}
	if (e->is_seq && !(s->flags & (SET_LIST | SET_JOIN))) {
		dv_err("%s:%zu: %s: expected a single value, not a list", e->file,
		       e->line, e->key);
		return -EINVAL;
	}
	if (e->is_seq && e->n == 0) {
		dv_err("%s:%zu: %s: empty list", e->file, e->line, e->key);
		return -EINVAL;
	}

	/* A list that is one value: "requery: [375ms, 750ms]" = "375ms,750ms". */
	if (e->is_seq && (s->flags & SET_JOIN)) {
		char ctx[PATH_MAX + 64], joined[4096];
		size_t o = 0;
		snprintf(ctx, sizeof(ctx), "%s:%zu: %s", e->file, e->line, e->key);
		for (size_t i = 0; i < e->n; i++) {
			int w = snprintf(joined + o, sizeof(joined) - o, "%s%s",
					 i > 0 ? "," : "", e->v[i]);
			if (w < 0 || (size_t)w >= sizeof(joined) - o) {
				dv_err("%s: longer than %zu bytes", ctx, sizeof(joined) - 1);
				return -EINVAL;
			}
			o += (size_t)w;
		}
		return s->fn(c->plan, joined, ctx);
	}

	/* A scenario's address list replaces whatever the plan had. */
	if (s->fn == set_target)
		memset(c->plan->target, 0, sizeof(c->plan->target));
	else if (s->fn == set_port)
		dv_plan_ports_forget(c->plan);
	else if (s->fn == set_gateway)
		memset(c->plan->gateway, 0, sizeof(c->plan->gateway));
	else if (s->fn == set_source) {
		memset(c->plan->src, 0, sizeof(c->plan->src));
		memset(c->plan->src_prefix, 0, sizeof(c->plan->src_prefix));
	}

	for (size_t i = 0; i < e->n; i++) {
		char ctx[PATH_MAX + 64];
		snprintf(ctx, sizeof(ctx), "%s:%zu: %s", e->file, e->vline[i], e->key);
		const char *v = e->v[i];
		char path[PATH_MAX];
		if ((s->flags & SET_RELPATH) && *v != '\0') {
			if (rel_to_file(c->file, v, path, sizeof(path)) != 0) {
				dv_err("%s: path too long", ctx);
				return -EINVAL;
			}
			v = path;
		}
		int ret = s->fn(c->plan, v, ctx);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int dv_scenario_load_mem(const char *file, const char *text, size_t len,
			 struct dv_plan *plan)
{
	if (file == NULL || plan == NULL)
		return -EINVAL;
	if (strlen(file) >= sizeof(plan->scenario_file)) {
		dv_err("%s: path too long", file);
		return -EINVAL;
	}

	struct scn_ctx c = { .plan = plan, .file = file };
	int ret = dv_yaml_map_walk(file, text, len, scn_entry, &c);
	if (ret != 0)
		return ret;
	strcpy(plan->scenario_file, file);
	return 0;
}

int dv_scenario_load(const char *path, struct dv_plan *plan)
{
	if (path == NULL || plan == NULL)
		return -EINVAL;

	char *text = NULL;
	size_t len = 0;
	int ret = dv_read_file(path, DV_YAML_FILE_MAX, &text, &len);
	if (ret != 0)
		return ret;
	ret = dv_scenario_load_mem(path, text, len, plan);
	free(text);
	return ret;
}
