/**
 * @file seqspec.c
 * @brief Settings of query sequences (see seqspec.h).
 */
#include "config/seqspec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/queryfile.h"
#include "config/scenario.h"
#include "core/log.h"
#include "wire/qname.h"

/** Longest list value we take (32 weighted entries need about 500 bytes). */
#define SPEC_MAX 2048

#define STR_(x) #x
#define STR(x) STR_(x)

/* Messages spell these limits out. */
_Static_assert((int)DV_TIMER_MAX_S == 60, "messages say 60 s");
_Static_assert((int)DV_IMPAIR_DELAY_MAX_S == 10, "messages say 10 s");
_Static_assert(DV_FRAG_MTU_MIN_V4 == 68 && DV_FRAG_MTU_MIN_V6 == 1280 && DV_DROP_FRAG_MAX == 64,
	       "STR() spells the numbers");

/* Tables. */

/** A re-query profile: `flat` attempts at `first`, then doubling. */
static const struct requery_profile {
	const char *name;
	double first;    /**< seconds */
	unsigned flat;   /**< attempts at the first value before doubling starts */
	unsigned dflt;   /**< default number of attempts */
} requery_profiles[] = {
	{ "unbound",       0.376, 1, 3 },
	{ "knot-resolver", 0.400, 1, 3 },
	{ "bind",          0.800, 3, 3 },
	{ "powerdns",      1.500, 1, 2 },
};

/** An EDNS preset. */
static const struct edns_preset {
	const char *name;
	unsigned n;
	int value[DV_WEIGHTED_MAX];
	double weight[DV_WEIGHTED_MAX];
} edns_presets[] = {
	/* APNIC, one day in November 2023: UDP buffer sizes of queries seen
	 * at authoritative servers (percent; "none" = no OPT record). */
	{ "apnic-2023", 11,
	  { 4096, 1232, 1400, 1452, 1472, 1220, 512, DV_EDNS_NONE, 1410, 1440, 1432 },
	  { 42.3, 23.5, 14.5, 4.9, 3.8, 3.7, 2.7, 1.4, 0.9, 0.7, 0.3 } },
};

static const char *const policy_names[] = {
	[DV_FAMPOL_AUTO] = "auto",
	[DV_FAMPOL_V4] = "v4",
	[DV_FAMPOL_V6] = "v6",
	[DV_FAMPOL_V4_FIRST] = "v4-first",
	[DV_FAMPOL_V6_FIRST] = "v6-first",
	[DV_FAMPOL_ALTERNATE] = "alternate",
	[DV_FAMPOL_MIX] = "mix",
	[DV_FAMPOL_HAPPY_EYEBALLS] = "happy-eyeballs",
};

/** The default EDNS ladder (RFC 6891 section 6.2.5). */
static const int default_ladder[] = { 4096, 1410, 512 };

/* Helpers. */

/**
 * Split buf in place on sep. Empty items are kept (the caller refuses them).
 * @return number of items; more than max means "too many" (only max are stored)
 */
static unsigned split(char *buf, char sep, char **item, unsigned max)
{
	unsigned n = 0;
	char *p = buf;
	for (;;) {
		char *end = strchr(p, sep);
		if (end != NULL)
			*end = '\0';
		if (n < max)
			item[n] = p;
		n++;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return n;
}

static int not_a(const char *ctx, const char *v, const char *what)
{
	char qb[DV_QUOTE_BUF];
	dv_err("%s: '%s' is not %s", ctx, dv_quote(v, qb, sizeof(qb)), what);
	return -EINVAL;
}

/** An EDNS size as a list item: 1..65535, or 0 / "none" for no OPT record. */
static int edns_value(const char *s, int *out)
{
	uint64_t n;
	if (strcmp(s, "none") == 0) {
		*out = DV_EDNS_NONE;
		return 0;
	}
	if (dv_parse_uint(s, 0, 65535, &n) != 0)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

/** An RR type by mnemonic or TYPEnnn, with the query file's rules. */
static int qtype_value(const char *s, int *out)
{
	struct dv_query q;
	if (dv_query_parse("a.", s, &q) != 0)
		return -EINVAL;
	*out = q.qtype;
	return 0;
}

/* Tables, public. */

const char *dv_family_policy_name(enum dv_family_policy f)
{
	if ((unsigned)f >= sizeof(policy_names) / sizeof(policy_names[0]))
		return "?";
	return policy_names[f];
}

int dv_requery_profile(const char *name, unsigned attempts, double *timer_s, unsigned *dflt)
{
	if (name == NULL || attempts > DV_MAX_ATTEMPTS || (attempts > 0 && timer_s == NULL))
		return -EINVAL;

	for (size_t i = 0; i < sizeof(requery_profiles) / sizeof(requery_profiles[0]); i++) {
		const struct requery_profile *rp = &requery_profiles[i];
		if (strcmp(rp->name, name) != 0)
			continue;
		for (unsigned k = 0; k < attempts; k++) {
			double t = rp->first;
			if (k >= rp->flat)
				t = ldexp(rp->first, (int)(k - rp->flat + 1));
			timer_s[k] = t > DV_TIMER_MAX_S ? DV_TIMER_MAX_S : t;
		}
		if (dflt != NULL)
			*dflt = rp->dflt;
		return 0;
	}
	return -ENOENT;
}

int dv_edns_preset(const char *name, struct dv_weighted *out)
{
	if (name == NULL || out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(edns_presets) / sizeof(edns_presets[0]); i++) {
		const struct edns_preset *ep = &edns_presets[i];
		if (strcmp(ep->name, name) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->n = ep->n;
		memcpy(out->value, ep->value, sizeof(out->value));
		memcpy(out->weight, ep->weight, sizeof(out->weight));
		return 0;
	}
	return -ENOENT;
}

void dv_seqspec_defaults(struct dv_plan *p)
{
	memset(&p->seq, 0, sizeof(p->seq));
	memset(&p->impair, 0, sizeof(p->impair));
	p->seq.family = DV_FAMPOL_AUTO;
	p->seq.he_delay_s = DV_HE_DELAY_DEFAULT_S;
	for (unsigned i = 0; i < sizeof(default_ladder) / sizeof(default_ladder[0]); i++)
		p->seq.edns_ladder[i] = default_ladder[i];
	p->seq.edns_ladder_n = sizeof(default_ladder) / sizeof(default_ladder[0]);
}

int dv_weighted_parse(const char *s, const char *ctx, dv_weighted_value_fn fn,
		      const char *what, struct dv_weighted *out)
{
	char qb[DV_QUOTE_BUF];
	char buf[SPEC_MAX];
	char *item[DV_WEIGHTED_MAX];

	if (s == NULL || ctx == NULL || fn == NULL || what == NULL || out == NULL)
		return -EINVAL;
	if (dv_copy_value(ctx, s, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = split(buf, ',', item, DV_WEIGHTED_MAX);
	if (n > DV_WEIGHTED_MAX) {
		dv_err("%s: more than %d entries", ctx, DV_WEIGHTED_MAX);
		return -EINVAL;
	}

	struct dv_weighted w;
	memset(&w, 0, sizeof(w));
	for (unsigned i = 0; i < n; i++) {
		char *colon = strchr(item[i], ':');
		double weight;
		if (colon == NULL || colon == item[i] || dv_parse_number(colon + 1, &weight) != 0)
			return not_a(ctx, s, "a weighted list (VALUE:WEIGHT,...)");
		*colon = '\0';
		int value;
		if (fn(item[i], &value) != 0)
			return not_a(ctx, item[i], what);
		if (!(weight > 0.0) || !isfinite(weight)) {
			*colon = ':';
			dv_err("%s: weight of '%s' is not > 0", ctx,
			       dv_quote(item[i], qb, sizeof(qb)));
			return -EINVAL;
		}
		for (unsigned j = 0; j < w.n; j++) {
			if (w.value[j] == value) {
				dv_err("%s: '%s' appears twice", ctx,
				       dv_quote(item[i], qb, sizeof(qb)));
				return -EINVAL;
			}
		}
		w.value[w.n] = value;
		w.weight[w.n++] = weight;
	}

	double sum = 0.0;
	for (unsigned i = 0; i < w.n; i++)
		sum += w.weight[i];
	if (!(sum > 0.0) || !isfinite(sum)) {
		dv_err("%s: the weights do not sum to a number > 0", ctx);
		return -EINVAL;
	}
	*out = w;
	return 0;
}

/* Setting handlers. */

int dv_set_family(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	struct dv_seq_plan *s = &p->seq;
	const char *colon = strchr(v, ':');
	size_t nlen = colon != NULL ? (size_t)(colon - v) : strlen(v);

	if (strncmp(v, "mix", nlen) == 0 && nlen == 3) {
		double f;
		if (colon == NULL || dv_parse_fraction(colon + 1, &f) != 0)
			return not_a(ctx, v, "mix:P with P in 0..1 (the share of IPv6)");
		s->family = DV_FAMPOL_MIX;
		s->mix_v6 = f;
		s->he_delay_s = DV_HE_DELAY_DEFAULT_S;
		return 0;
	}
	if (strncmp(v, "happy-eyeballs", nlen) == 0 && nlen == 14) {
		double d = DV_HE_DELAY_DEFAULT_S;
		if (colon != NULL &&
		    (dv_parse_seconds(colon + 1, false, &d) != 0 || d > DV_TIMER_MAX_S))
			return not_a(ctx, v,
				     "happy-eyeballs:DELAY with a delay in (0, 60 s], e.g. 50ms");
		s->family = DV_FAMPOL_HAPPY_EYEBALLS;
		s->he_delay_s = d;
		s->mix_v6 = 0.0;
		return 0;
	}
	for (unsigned f = 0; colon == NULL && f < sizeof(policy_names) / sizeof(policy_names[0]); f++) {
		if (f == DV_FAMPOL_MIX || f == DV_FAMPOL_HAPPY_EYEBALLS)
			continue;
		if (strcmp(v, policy_names[f]) == 0) {
			s->family = (enum dv_family_policy)f;
			s->mix_v6 = 0.0;
			s->he_delay_s = DV_HE_DELAY_DEFAULT_S;
			return 0;
		}
	}
	dv_err("%s: '%s' is not a family policy (v4, v6, v4-first, v6-first, alternate, "
	       "mix:P, happy-eyeballs[:DELAY], auto)", ctx, dv_quote(v, qb, sizeof(qb)));
	return -EINVAL;
}

int dv_set_requery(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF], qb2[DV_QUOTE_BUF];
	char buf[SPEC_MAX];
	char *item[DV_MAX_ATTEMPTS];
	struct dv_seq_plan *s = &p->seq;

	if (dv_requery_profile(v, 0, NULL, NULL) == 0) {
		memset(s->timer_s, 0, sizeof(s->timer_s));
		snprintf(s->requery_profile, sizeof(s->requery_profile), "%s", v);
		return 0;
	}

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = split(buf, ',', item, DV_MAX_ATTEMPTS);
	if (n > DV_MAX_ATTEMPTS) {
		dv_err("%s: more than %d timers (at most %d attempts)", ctx, DV_MAX_ATTEMPTS,
		       DV_MAX_ATTEMPTS);
		return -EINVAL;
	}
	double t[DV_MAX_ATTEMPTS] = { 0 };
	for (unsigned i = 0; i < n; i++) {
		if (dv_parse_seconds(item[i], false, &t[i]) == 0 && t[i] <= DV_TIMER_MAX_S)
			continue;
		if (n == 1) {
			dv_err("%s: '%s' is not a timer list (375ms,750ms,1500ms), a timer "
			       "(400ms) or a profile (" DV_REQUERY_PROFILES ")",
			       ctx, dv_quote(v, qb, sizeof(qb)));
		} else {
			dv_err("%s: '%s' in '%s' is not a timer (more than 0, at most 60 s)",
			       ctx, dv_quote(item[i], qb, sizeof(qb)), dv_quote(v, qb2, sizeof(qb2)));
		}
		return -EINVAL;
	}
	memcpy(s->timer_s, t, sizeof(s->timer_s));
	s->requery_profile[0] = '\0';
	return 0;
}

int dv_set_attempts(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_MAX_ATTEMPTS, &n) != 0)
		return not_a(ctx, v, "a number of attempts in 1.." STR(DV_MAX_ATTEMPTS));
	p->seq.attempts = (unsigned)n;
	return 0;
}

int dv_set_retry_change(struct dv_plan *p, const char *v, const char *ctx)
{
	static const struct {
		const char *name;
		unsigned flags;
	} kinds[] = {
		{ "same", 0 },
		{ "family", DV_RETRY_FAMILY },
		{ "edns", DV_RETRY_EDNS },
		{ "family+edns", DV_RETRY_FAMILY | DV_RETRY_EDNS },
		{ "edns+family", DV_RETRY_FAMILY | DV_RETRY_EDNS },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(v, kinds[i].name) == 0) {
			p->seq.retry_change = kinds[i].flags;
			return 0;
		}
	}
	return not_a(ctx, v, "same, family, edns or family+edns");
}

int dv_set_edns_ladder(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF], qb2[DV_QUOTE_BUF];
	char buf[SPEC_MAX];
	char *item[DV_MAX_ATTEMPTS];

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = split(buf, ',', item, DV_MAX_ATTEMPTS);
	if (n > DV_MAX_ATTEMPTS) {
		dv_err("%s: more than %d sizes", ctx, DV_MAX_ATTEMPTS);
		return -EINVAL;
	}
	int size[DV_MAX_ATTEMPTS];
	for (unsigned i = 0; i < n; i++) {
		if (edns_value(item[i], &size[i]) != 0) {
			dv_err("%s: '%s' in '%s' is not an EDNS size (1..65535) or none", ctx,
			       dv_quote(item[i], qb, sizeof(qb)), dv_quote(v, qb2, sizeof(qb2)));
			return -EINVAL;
		}
		if (i > 0 && size[i - 1] == DV_EDNS_NONE) {
			dv_err("%s: 'none' can only be the last size", ctx);
			return -EINVAL;
		}
		if (i > 0 && size[i] != DV_EDNS_NONE && size[i] >= size[i - 1]) {
			dv_err("%s: '%s' is not descending (%d after %d)", ctx,
			       dv_quote(v, qb, sizeof(qb)), size[i], size[i - 1]);
			return -EINVAL;
		}
	}
	memset(p->seq.edns_ladder, 0, sizeof(p->seq.edns_ladder));
	memcpy(p->seq.edns_ladder, size, n * sizeof(size[0]));
	p->seq.edns_ladder_n = n;
	return 0;
}

int dv_set_edns(struct dv_plan *p, const char *v, const char *ctx)
{
	struct dv_seq_plan *s = &p->seq;
	struct dv_weighted w;
	const char *preset = "";

	if (*v >= '0' && *v <= '9' && strspn(v, "0123456789") == strlen(v)) {
		uint64_t n;
		if (dv_parse_uint(v, 0, 65535, &n) != 0)
			return not_a(ctx, v, "an EDNS buffer size (0 = no EDNS, or 1..65535)");
		p->edns_size = (int)n;
		memset(&s->edns, 0, sizeof(s->edns));
		s->edns_preset[0] = '\0';
		return 0;
	}
	if (strcmp(v, "none") == 0) {
		p->edns_size = DV_EDNS_NONE;
		memset(&s->edns, 0, sizeof(s->edns));
		s->edns_preset[0] = '\0';
		return 0;
	}
	if (strchr(v, ':') != NULL || strchr(v, ',') != NULL) {
		if (dv_weighted_parse(v, ctx, edns_value, "an EDNS size (1..65535) or none", &w) != 0)
			return -EINVAL;
	} else if (dv_edns_preset(v, &w) == 0) {
		preset = v;
	} else {
		return not_a(ctx, v, "an EDNS size, none, a weighted list (SIZE:WEIGHT,...) "
				     "or a preset (" DV_EDNS_PRESETS ")");
	}

	int largest = DV_EDNS_NONE;
	for (unsigned i = 0; i < w.n; i++)
		largest = w.value[i] > largest ? w.value[i] : largest;
	s->edns = w;
	snprintf(s->edns_preset, sizeof(s->edns_preset), "%s", preset);
	p->edns_size = largest;
	return 0;
}

int dv_set_do(struct dv_plan *p, const char *v, const char *ctx)
{
	double f;
	if (dv_parse_fraction(v, &f) != 0)
		return not_a(ctx, v, "a fraction in 0..1");
	p->seq.do_prob = f;
	p->dnssec_ok = f == 1.0;
	return 0;
}

int dv_set_qname(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	struct dv_qname_pattern pat;
	const char *why = NULL;

	if (*v == '\0') {
		dv_err("%s: empty value", ctx);
		return -EINVAL;
	}
	if (strlen(v) >= sizeof(p->seq.qname_pattern)) {
		dv_err("%s: longer than %zu bytes", ctx, sizeof(p->seq.qname_pattern) - 1);
		return -EINVAL;
	}
	if (dv_qname_compile(v, &pat, &why) != 0) {
		if (why == NULL)
			why = "invalid";
		if (strcmp(why, "no {seq}") == 0)
			dv_err("%s: '%s' cannot make unique names (%s)", ctx,
			       dv_quote(v, qb, sizeof(qb)), why);
		else
			dv_err("%s: '%s' is not a name pattern (%s)", ctx,
			       dv_quote(v, qb, sizeof(qb)), why);
		return -EINVAL;
	}
	strcpy(p->seq.qname_pattern, v);
	return 0;
}

int dv_set_qtypes(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_weighted_parse(v, ctx, qtype_value, "an RR type", &p->seq.qtypes);
}

/** What --responder lists, for messages. */
#define IMPAIRMENTS "drop-v6, drop-v4, drop-first, drop=FRACTION, seed=N, delay=SECONDS, " \
		    "size=BYTES, frag-mtu=BYTES, drop-frag=K|nonfirst, frag-family=v4|v6|both, " \
		    "ignore-edns, rate=QPS"

int dv_set_responder(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	char buf[SPEC_MAX];
	char *item[16];
	struct dv_impair_plan im;
	/* Which keys were seen, to refuse one given twice. */
	enum {
		K_DROP_V6, K_DROP_V4, K_DROP_FIRST, K_DROP, K_SEED, K_DELAY, K_SIZE,
		K_FRAG_MTU, K_DROP_FRAG, K_FRAG_FAMILY, K_IGNORE_EDNS, K_RATE, K_NONE, K_N
	};
	static const char *const keys[K_N] = {
		"drop-v6", "drop-v4", "drop-first", "drop", "seed", "delay", "size",
		"frag-mtu", "drop-frag", "frag-family", "ignore-edns", "rate", "none",
	};
	bool seen[K_N] = { false };

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = split(buf, ',', item, sizeof(item) / sizeof(item[0]));
	if (n > sizeof(item) / sizeof(item[0])) {
		dv_err("%s: more than %zu impairments", ctx, sizeof(item) / sizeof(item[0]));
		return -EINVAL;
	}

	memset(&im, 0, sizeof(im));
	for (unsigned i = 0; i < n; i++) {
		char *it = item[i];
		char *eq = strchr(it, '=');
		const char *val = NULL;
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		unsigned k;
		for (k = 0; k < K_N; k++) {
			if (strcmp(it, keys[k]) == 0)
				break;
		}
		bool takes_value = k == K_DROP || k == K_SEED || k == K_DELAY || k == K_SIZE ||
				   k == K_FRAG_MTU || k == K_DROP_FRAG || k == K_FRAG_FAMILY ||
				   k == K_RATE;
		if (k == K_N || takes_value != (val != NULL)) {
			if (eq != NULL)
				*eq = '=';
			return not_a(ctx, it, "an impairment (" IMPAIRMENTS ")");
		}
		if (seen[k]) {
			dv_err("%s: '%s' given twice", ctx, dv_quote(keys[k], qb, sizeof(qb)));
			return -EINVAL;
		}
		seen[k] = true;
		if (eq != NULL)
			*eq = '=';

		uint64_t u;
		switch (k) {
		case K_DROP_V6:
			im.drop_v6 = true;
			break;
		case K_DROP_V4:
			im.drop_v4 = true;
			break;
		case K_DROP_FIRST:
			im.drop_first = true;
			break;
		case K_DROP:
			if (dv_parse_fraction(val, &im.drop_fraction) != 0)
				return not_a(ctx, it, "drop=FRACTION with a fraction in 0..1");
			break;
		case K_SEED:
			if (dv_parse_uint(val, 0, UINT64_MAX, &im.seed) != 0)
				return not_a(ctx, it, "seed=N with N a whole number");
			break;
		case K_DELAY:
			if (dv_parse_seconds(val, true, &im.delay_s) != 0 ||
			    im.delay_s > DV_IMPAIR_DELAY_MAX_S)
				return not_a(ctx, it, "delay=SECONDS with at most 10 s, e.g. 50ms");
			break;
		case K_SIZE:
			if (dv_parse_uint(val, 12, 65535, &u) != 0)
				return not_a(ctx, it, "size=BYTES with 12..65535 bytes");
			im.answer_size = (unsigned)u;
			break;
		case K_FRAG_MTU:
			if (dv_parse_uint(val, DV_FRAG_MTU_MIN_V4, 65535, &u) != 0)
				return not_a(ctx, it, "frag-mtu=BYTES with " STR(DV_FRAG_MTU_MIN_V4)
						      "..65535 bytes (IPv6: "
						      STR(DV_FRAG_MTU_MIN_V6) " or more)");
			im.frag_mtu = (unsigned)u;
			break;
		case K_DROP_FRAG:
			if (strcmp(val, "nonfirst") == 0) {
				im.drop_frag = DV_DROP_FRAG_NONFIRST;
				break;
			}
			if (dv_parse_uint(val, 1, DV_DROP_FRAG_MAX, &u) != 0)
				return not_a(ctx, it, "drop-frag=K with K in 1.." STR(DV_DROP_FRAG_MAX)
						      ", or drop-frag=nonfirst");
			im.drop_frag = (int)u;
			break;
		case K_FRAG_FAMILY:
			if (strcmp(val, "v4") == 0)
				im.frag_families = 1u << DV_FAMILY_V4;
			else if (strcmp(val, "v6") == 0)
				im.frag_families = 1u << DV_FAMILY_V6;
			else if (strcmp(val, "both") == 0)
				im.frag_families = 0; /* 0 = both, the default */
			else
				return not_a(ctx, it, "frag-family=v4, v6 or both");
			break;
		case K_IGNORE_EDNS:
			im.ignore_edns = true;
			break;
		case K_RATE:
			if (dv_parse_rate(val, &im.rate_qps) != 0 || im.rate_qps <= 0.0)
				return not_a(ctx, it, "rate=QPS with a rate above 0, e.g. rate=50000");
			break;
		case K_NONE:
			if (n > 1) {
				dv_err("%s: 'none' cannot be combined with impairments", ctx);
				return -EINVAL;
			}
			break;
		default:
			break;
		}
	}
	/* Fragment impairments act on the fragments frag-mtu makes. */
	if (seen[K_DROP_FRAG] && !seen[K_FRAG_MTU]) {
		dv_err("%s: drop-frag needs frag-mtu (answers are only fragmented at a frag-mtu)", ctx);
		return -EINVAL;
	}
	if (seen[K_FRAG_FAMILY] && !seen[K_FRAG_MTU]) {
		dv_err("%s: frag-family needs frag-mtu (it says which answers frag-mtu fragments)",
		       ctx);
		return -EINVAL;
	}
	p->impair = im;
	return 0;
}

/* Finishing and cross-checks. */

bool dv_impair_any(const struct dv_impair_plan *im)
{
	return im->drop_v6 || im->drop_v4 || im->drop_first || im->drop_fraction > 0.0 ||
	       im->seed != 0 || im->delay_s > 0.0 || im->answer_size != 0 ||
	       im->frag_mtu != 0 || im->drop_frag != 0 || im->frag_families != 0 ||
	       im->ignore_edns || im->rate_qps > 0.0;
}

/** Targets a family policy needs: bit 0 IPv4, bit 1 IPv6. */
static unsigned policy_needs(enum dv_family_policy f)
{
	switch (f) {
	case DV_FAMPOL_AUTO:
		return 0;
	case DV_FAMPOL_V4:
		return 1u << DV_FAMILY_V4;
	case DV_FAMPOL_V6:
		return 1u << DV_FAMILY_V6;
	default:
		return 1u << DV_FAMILY_V4 | 1u << DV_FAMILY_V6;
	}
}

bool dv_seqspec_needs_family(const struct dv_plan *p, int family)
{
	if (family != DV_FAMILY_V4 && family != DV_FAMILY_V6)
		return false;
	unsigned need = policy_needs(p->seq.family);
	if (p->seq.retry_change & DV_RETRY_FAMILY)
		need = 1u << DV_FAMILY_V4 | 1u << DV_FAMILY_V6;
	return (need >> family) & 1;
}

/** Fill timer_s[] and attempts from what was given (see seqspec.h). */
static void finish_timers(struct dv_plan *p)
{
	struct dv_seq_plan *s = &p->seq;
	bool given = s->attempts != 0;
	double t[DV_MAX_ATTEMPTS] = { 0 };
	unsigned n, listn = 0;

	while (listn < DV_MAX_ATTEMPTS && s->timer_s[listn] > 0.0)
		listn++;

	if (s->requery_profile[0] != '\0') {
		unsigned dflt = 1;
		dv_requery_profile(s->requery_profile, 0, NULL, &dflt);
		n = given ? s->attempts : dflt;
		dv_requery_profile(s->requery_profile, n, t, NULL);
	} else if (listn > 0) {
		n = given ? s->attempts : (listn >= 2 ? listn : 3);
		for (unsigned k = 0; k < n; k++)
			t[k] = s->timer_s[k < listn ? k : listn - 1];
	} else {
		n = given ? s->attempts : (s->family == DV_FAMPOL_HAPPY_EYEBALLS ? 2 : 1);
		for (unsigned k = 0; k < n; k++)
			t[k] = p->timeout_s;
	}
	s->attempts = n;
	memcpy(s->timer_s, t, sizeof(s->timer_s));
}

/**
 * With sequences (N > 1), an incomplete fragment set must expire before the
 * next attempt goes out, so that its loss is known (and attributed) while
 * the resolver would still be waiting for it. The happy-eyeballs delay is
 * not a re-query timer (the IPv6 attempt stays open after it), so it is not
 * compared. The default (100 ms) gives way to half the shortest timer; a
 * value the user chose that is too long is an error.
 */
static int finish_frag_timeout(struct dv_plan *p)
{
	const struct dv_seq_plan *s = &p->seq;
	unsigned n = s->attempts;

	if (n <= 1)
		return 0;
	/* happy-eyeballs: timer_s[k] follows attempt k + 1 (the delay comes first). */
	if (s->family == DV_FAMPOL_HAPPY_EYEBALLS)
		n--;
	double shortest = 0.0;
	for (unsigned k = 0; k < n && k < DV_MAX_ATTEMPTS; k++) {
		if (k == 0 || s->timer_s[k] < shortest)
			shortest = s->timer_s[k];
	}
	if (!(shortest > 0.0) || p->frag_timeout_s < shortest)
		return 0;
	if (p->frag_timeout_s == DV_DEFAULT_FRAG_TIMEOUT) {
		p->frag_timeout_s = shortest / 2.0;
		return 0;
	}
	dv_err("--frag-timeout: %gms is not shorter than the shortest re-query timer (%gms)",
	       p->frag_timeout_s * 1e3, shortest * 1e3);
	return -EINVAL;
}

int dv_seqspec_finish(struct dv_plan *p)
{
	if (p == NULL)
		return -EINVAL;
	struct dv_seq_plan *s = &p->seq;

	finish_timers(p);

	if (s->family == DV_FAMPOL_HAPPY_EYEBALLS && s->attempts < 2) {
		dv_err("--family happy-eyeballs: needs 2 attempts or more "
		       "(IPv6, then IPv4 after the delay)");
		return -EINVAL;
	}

	bool any_opt = p->edns_size != DV_EDNS_NONE;
	if (s->edns.n > 0) {
		any_opt = false;
		for (unsigned i = 0; i < s->edns.n; i++)
			any_opt |= s->edns.value[i] != DV_EDNS_NONE;
	}
	if (s->do_prob > 0.0 && !any_opt) {
		if (p->dnssec_ok)
			dv_err("-D: the DO bit needs EDNS (-e SIZE)");
		else
			dv_err("--do: the DO bit needs EDNS (--edns SPEC)");
		return -EINVAL;
	}

	if (s->qtypes.n > 0 && s->qname_pattern[0] == '\0') {
		dv_err("--qtypes: only with --qname (a query file gives each name its type)");
		return -EINVAL;
	}
	if (s->qname_pattern[0] != '\0' && s->qtypes.n == 0) {
		s->qtypes.n = 1;
		s->qtypes.value[0] = 1; /* A */
		s->qtypes.weight[0] = 1.0;
	}

	if ((s->retry_change & DV_RETRY_EDNS) && s->edns_ladder_n == 0) {
		dv_err("--retry-change edns: needs a ladder (--edns-ladder)");
		return -EINVAL;
	}
	if ((s->retry_change & DV_RETRY_FAMILY) &&
	    (s->family == DV_FAMPOL_V4 || s->family == DV_FAMPOL_V6)) {
		dv_err("--retry-change family: --family %s keeps every attempt on %s",
		       dv_family_policy_name(s->family),
		       s->family == DV_FAMPOL_V4 ? "IPv4" : "IPv6");
		return -EINVAL;
	}
	return finish_frag_timeout(p);
}

int dv_seqspec_check_targets(const struct dv_plan *p)
{
	if (p == NULL)
		return -EINVAL;
	const struct dv_seq_plan *s = &p->seq;
	bool has4 = p->target[DV_FAMILY_V4].family != 0;
	bool has6 = p->target[DV_FAMILY_V6].family != 0;
	unsigned need = policy_needs(s->family);
	bool need4 = need & (1u << DV_FAMILY_V4), need6 = need & (1u << DV_FAMILY_V6);

	if ((need4 && !has4) || (need6 && !has6)) {
		dv_err("--family %s: needs %s target (-s)", dv_family_policy_name(s->family),
		       need4 && need6 ? "an IPv4 and an IPv6" : need4 ? "an IPv4" : "an IPv6");
		return -EINVAL;
	}
	if ((s->retry_change & DV_RETRY_FAMILY) && !(has4 && has6)) {
		dv_err("--retry-change family: needs an IPv4 and an IPv6 target (-s)");
		return -EINVAL;
	}
	if (dv_impair_any(&p->impair) && !p->port[0].profile.embedded) {
		dv_err("--responder: only the embedded responder has impairments");
		return -EINVAL;
	}
	const struct dv_impair_plan *im = &p->impair;
	bool frag6 = im->frag_families == 0 || (im->frag_families & (1u << DV_FAMILY_V6));
	if (im->frag_mtu != 0 && im->frag_mtu < DV_FRAG_MTU_MIN_V6 && frag6 && has6) {
		dv_err("--responder: frag-mtu=%u is below the IPv6 minimum MTU of "
		       STR(DV_FRAG_MTU_MIN_V6) " (frag-family=v4 keeps it to IPv4)", im->frag_mtu);
		return -EINVAL;
	}
	return 0;
}
