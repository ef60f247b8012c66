/**
 * @file population.c
 * @brief Resolver populations: a file or a preset, each kind's settings
 *        checked by the option table's own setters.
 */
#include "config/population.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/options.h"
#include "config/parse.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "config/set_util.h"
#include "core/addr.h"
#include "core/file.h"
#include "core/log.h"
#include "core/quote.h"

/* EDNS sizes of the day (APNIC), 4096 shifted between the kinds that start
 * over IPv4 and those that start over IPv6 so that 47 % of IPv6 queries
 * offer 4096 and 42.3 % of all (docs/populations.md). */
#define EDNS_V4START "edns=4096:40.54,1232:24.78,1400:15.29,1452:5.17,1472:4.01,1220:3.90," \
		     "512:2.85,none:1.48,1410:0.95,1440:0.74,1432:0.32"
#define EDNS_V6START "edns=4096:48.08,1232:21.63,1400:13.35,1452:4.51,1472:3.50,1220:3.41," \
		     "512:2.49,none:1.29,1410:0.83,1440:0.64,1432:0.28"

/*
 * apnic-2023: APNIC's measurement of 9 Nov 2023 at a dual-stack authoritative
 * service (46 M unique names): 65 % of sequences start over IPv4, 46 % of
 * names are asked 2+ times and 2.1 times on average, first two queries
 * v4->v4 39 %, v4->v6 20 %, v6->v4 22 %, v6->v6 20 %, gaps clustered at
 * 10 ms, 375 ms, 400 ms and 1 s. A server that answers at once sees repeats
 * only from resolvers that did not get the answer: lost= is that share,
 * higher where the sequence starts over IPv6, and one kind never gets any
 * (the long sequences behind the mean of 2.1). The DO shares are not
 * APNIC's figures: validating resolvers' defaults. docs/populations.md
 * derives every number.
 */
static const char apnic_2023[] =
	"unbound-v4: \"14.87% family=v4 requery=unbound attempts=3 lost=33.26% do=1 "
	EDNS_V4START "\"\n"
	"timer-1s-v4: \"14.87% family=v4 requery=1s attempts=3 lost=33.26% do=0 on-tc=tcp "
	EDNS_V4START "\"\n"
	"knot-dual: \"27.39% family=v4-first requery=knot-resolver attempts=3 lost=33.26% do=1 "
	EDNS_V4START "\"\n"
	"happy-eyeballs: \"9.17% family=happy-eyeballs:10ms requery=375ms attempts=3 "
	"lost=54.65% do=1 on-tc=tcp " EDNS_V6START "\"\n"
	"unbound-v6-first: \"9.17% family=v6-first requery=unbound attempts=3 lost=54.65% do=1 "
	EDNS_V6START "\"\n"
	"v6-only: \"16.67% family=v6 requery=1s attempts=3 lost=54.65% do=0 on-tc=tcp "
	EDNS_V6START "\"\n"
	"broken-path: \"7.87% family=v4 requery=375ms attempts=8 lost=100% do=0 on-tc=tcp "
	EDNS_V4START "\"\n";

static const struct {
	const char *name;
	const char *text;
} presets[] = {
	{ "apnic-2023", apnic_2023 },
};

/* The sequence options a kind may set: the option table's rows of the same name. */
static const char *const kind_keys[] = {
	"family", "requery", "attempts", "retry-change", "on-tc", "tcp-after", "edns", "edns-ladder",
	"do",
};

const char *dv_population_preset(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].name, name) == 0)
			return presets[i].text;
	return NULL;
}

int dv_set_population(struct dv_plan *p, const char *v, const char *ctx)
{
	if (*v == '\0' || strlen(v) >= sizeof(p->pop.source))
		return dv_not_a(ctx, v, "a population file or preset (" DV_POPULATION_PRESETS ")");
	snprintf(p->pop.source, sizeof(p->pop.source), "%s", v);
	return 0;
}

struct pop_ctx {
	struct dv_plan *plan;    /* the run: each kind starts from its sequence options */
	struct dv_plan *scratch; /* a kind's settings go here, then its finished sequences out */
	double total;
};

/* WEIGHT: 40% or 0.4 (relative). */
static int weight_parse(const char *tok, double *w)
{
	size_t tl = tok != NULL ? strlen(tok) : 0;
	if (tl == 0)
		return -EINVAL;
	int rc = tok[tl - 1] == '%' ? dv_parse_percent(tok, w) : dv_parse_number(tok, w);
	return rc == 0 && *w > 0 ? 0 : -EINVAL;
}

/* One kind's settings on a copy of the run's, then its sequences finished. */
static int kind_parse(struct pop_ctx *c, struct dv_kind *k, const char *spec, const char *where)
{
	char buf[1024], ctx[PATH_MAX + 160];
	if (strlen(spec) >= sizeof(buf)) {
		dv_err("%s: longer than %zu bytes", where, sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, spec);
	struct dv_plan *t = c->scratch;
	*t = *c->plan;
	memset(&t->queries, 0, sizeof(t->queries)); /* the run's; never freed through the copy */
	char *save = NULL, *tok = strtok_r(buf, " \t", &save);
	if (weight_parse(tok, &k->weight) != 0)
		return dv_not_a(where, tok != NULL ? tok : "", "a weight (e.g. 40% or 0.4)");
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		char *eq = strchr(tok, '=');
		if (eq == NULL || eq == tok || eq[1] == '\0')
			return dv_not_a(where, tok, "KEY=VALUE");
		*eq = '\0';
		const char *key = tok, *val = eq + 1;
		snprintf(ctx, sizeof(ctx), "%s: %s", where, key);
		if (strcmp(key, "lost") == 0) {
			double pct;
			if (dv_parse_percent(val, &pct) != 0)
				return dv_not_a(ctx, val, "a share of the answers, 0..100%");
			k->lost = pct / 100.0;
			continue;
		}
		bool known = false;
		for (size_t i = 0; i < sizeof(kind_keys) / sizeof(kind_keys[0]); i++)
			known |= strcmp(kind_keys[i], key) == 0;
		if (!known) {
			char qb[DV_QUOTE_BUF];
			dv_err("%s: unknown key '%s' (a kind takes family, requery, attempts, "
			       "retry-change, on-tc, tcp-after, edns, edns-ladder, do, lost)", where,
			       dv_quote(key, qb, sizeof(qb)));
			return -EINVAL;
		}
		int rc = dv_setting_set(t, key, val, ctx);
		if (rc != 0)
			return rc;
	}
	/* What only the kind's settings together can say is wrong is said of the kind. */
	dv_log_context(where);
	int rc = dv_seqspec_finish(t);
	dv_log_context(NULL);
	if (rc != 0)
		return rc;
	k->seq = t->seq;
	c->total += k->weight;
	return 0;
}

static int kind_entry(const struct dv_yaml_entry *e, void *arg)
{
	struct pop_ctx *c = arg;
	struct dv_population *pop = &c->plan->pop;
	char where[PATH_MAX + 96], qb[DV_QUOTE_BUF];
	snprintf(where, sizeof(where), "%s:%zu: kind %s", e->file, e->line,
		 dv_quote(e->key, qb, sizeof(qb)));
	if (e->is_seq) {
		dv_err("%s: expected one line of settings, not a list", where);
		return -EINVAL;
	}
	if (pop->n >= DV_KINDS_MAX) {
		dv_err("%s: more than %d kinds", where, DV_KINDS_MAX);
		return -EINVAL;
	}
	if (strlen(e->key) >= sizeof(pop->kind[0].name)) {
		dv_err("%s: a name of at most %zu characters", where, sizeof(pop->kind[0].name) - 1);
		return -EINVAL;
	}
	struct dv_kind *k = &pop->kind[pop->n];
	memset(k, 0, sizeof(*k));
	strcpy(k->name, e->key);
	int rc = kind_parse(c, k, e->v[0], where);
	if (rc == 0)
		pop->n++;
	return rc;
}

int dv_population_finish(struct dv_plan *p)
{
	struct dv_population *pop = &p->pop;
	if (pop->source[0] == '\0')
		return 0;
	pop->n = 0;
	/* A file by that name, else a preset (a scenario's relative value is its directory's). */
	const char *base = strrchr(pop->source, '/');
	base = base != NULL ? base + 1 : pop->source;
	bool exists = access(pop->source, F_OK) == 0;
	const char *preset = exists ? NULL : dv_population_preset(base);
	char *text = NULL, file[PATH_MAX + 16], qb[DV_QUOTE_BUF];
	size_t len = 0;
	if (!exists && preset == NULL) {
		dv_err("--population: '%s' is neither a file nor a preset (" DV_POPULATION_PRESETS ")",
		       dv_quote(pop->source, qb, sizeof(qb)));
		return -EINVAL;
	}
	if (preset != NULL) {
		snprintf(file, sizeof(file), "%s (preset)", base);
		text = strdup(preset);
		len = strlen(preset);
	} else {
		int rc = dv_read_file(pop->source, DV_YAML_FILE_MAX, &text, &len);
		if (rc != 0) {
			dv_err("--population: cannot read %s: %s", dv_quote(pop->source, qb, sizeof(qb)),
			       strerror(-rc));
			return -EINVAL;
		}
		snprintf(file, sizeof(file), "%s", pop->source);
	}
	/* A long file name is cut: the name only labels the run. */
	snprintf(pop->name, sizeof(pop->name), "%.*s", (int)sizeof(pop->name) - 1, base);
	struct pop_ctx c = { .plan = p, .scratch = malloc(sizeof(struct dv_plan)) };
	int rc = c.scratch == NULL || text == NULL ? -ENOMEM
		 : dv_yaml_map_walk(file, text, len, kind_entry, &c);
	free(c.scratch);
	free(text);
	if (rc == -ENOMEM)
		dv_err("--population: out of memory");
	if (rc == 0 && pop->n == 0) {
		dv_err("%s: no kind", file);
		rc = -EINVAL;
	}
	if (rc != 0) {
		pop->n = 0;
		return -EINVAL;
	}
	for (unsigned i = 0; i < pop->n; i++)
		pop->kind[i].weight /= c.total;
	return 0;
}

int dv_population_check(struct dv_plan *p)
{
	struct dv_population *pop = &p->pop;
	static const char *const fam_name[DV_FAMILIES] = { "IPv4", "IPv6" };
	if (pop->n == 0)
		return 0;
	unsigned bits = 0;
	while ((1u << bits) < pop->n)
		bits++;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		if (p->target[f].family == 0)
			continue;
		/* Every kind from its own addresses: a slice of the family's range each. */
		unsigned width = f == DV_FAMILY_V6 ? 128 : 32;
		if (p->src_prefix[f] == 0 || p->src_prefix[f] + bits + 1 > width) {
			dv_err("--population: %u kinds need a --src range for %s, /%u or wider (each "
			       "kind sends from a slice of it), e.g. --src %s", pop->n, fam_name[f],
			       width - bits - 1,
			       f == DV_FAMILY_V6 ? "2001:2:0:100::/64" : "198.18.128.0/17");
			return -EINVAL;
		}
		for (unsigned i = 0; i < pop->n; i++) {
			pop->kind[i].src[f] = p->src[f];
			dv_addr_set_bits(&pop->kind[i].src[f], p->src_prefix[f], bits, i);
			pop->kind[i].src_prefix[f] = p->src_prefix[f] + bits;
		}
	}
	/* Each kind's sequences need their targets, as the run's would. */
	struct dv_plan *t = malloc(sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	int rc = 0;
	for (unsigned i = 0; i < pop->n && rc == 0; i++) {
		char where[96];
		*t = *p;
		t->seq = pop->kind[i].seq;
		snprintf(where, sizeof(where), "--population: kind '%s'", pop->kind[i].name);
		dv_log_context(where);
		rc = dv_seqspec_check_targets(t);
		dv_log_context(NULL);
	}
	free(t);
	return rc;
}
