/**
 * @file set_sequence.c
 * @brief Setters of query sequences: family policy, re-query timers, attempts, what a retry changes, DO fraction, generated names and their qtypes.
 */
#include "config/setters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/queryfile.h"
#include "config/seqspec.h"
#include "config/set_util.h"
#include "core/log.h"
#include "wire/qname.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Messages spell these limits out. */
_Static_assert((int)DV_TIMER_MAX_S == 60, "messages say 60 s");
_Static_assert(DV_MAX_ATTEMPTS == 8, "--tcp-after's message says 0..7");

/** An RR type by mnemonic or TYPEnnn, with the query file's rules. */
static int qtype_value(const char *s, int *out)
{
	struct dv_query q;
	if (dv_query_parse("a.", s, &q) != 0)
		return -EINVAL;
	*out = q.qtype;
	return 0;
}

int dv_set_family(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	struct dv_seq_plan *s = &p->seq;
	const char *colon = strchr(v, ':');
	size_t nlen = colon != NULL ? (size_t)(colon - v) : strlen(v);

	if (strncmp(v, "mix", nlen) == 0 && nlen == 3) {
		double f;
		if (colon == NULL || dv_parse_fraction(colon + 1, &f) != 0)
			return dv_not_a(ctx, v, "mix:P with P in 0..1 (the share of IPv6)");
		s->family = DV_FAMPOL_MIX;
		s->mix_v6 = f;
		s->he_delay_s = DV_HE_DELAY_DEFAULT_S;
		return 0;
	}
	if (strncmp(v, "happy-eyeballs", nlen) == 0 && nlen == 14) {
		double d = DV_HE_DELAY_DEFAULT_S;
		if (colon != NULL &&
		    (dv_parse_seconds(colon + 1, false, &d) != 0 || d > DV_TIMER_MAX_S))
			return dv_not_a(ctx, v,
				     "happy-eyeballs:DELAY with a delay in (0, 60 s], e.g. 50ms");
		s->family = DV_FAMPOL_HAPPY_EYEBALLS;
		s->he_delay_s = d;
		s->mix_v6 = 0.0;
		return 0;
	}
	for (unsigned f = 0; colon == NULL && f <= DV_FAMPOL_HAPPY_EYEBALLS; f++) {
		if (f == DV_FAMPOL_MIX || f == DV_FAMPOL_HAPPY_EYEBALLS)
			continue;
		if (strcmp(v, dv_family_policy_name((enum dv_family_policy)f)) == 0) {
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
	char buf[DV_SPEC_MAX];
	char *item[DV_MAX_ATTEMPTS];
	struct dv_seq_plan *s = &p->seq;

	if (dv_requery_profile(v, 0, NULL, NULL) == 0) {
		memset(s->timer_s, 0, sizeof(s->timer_s));
		snprintf(s->requery_profile, sizeof(s->requery_profile), "%s", v);
		return 0;
	}

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = dv_split(buf, ',', item, DV_MAX_ATTEMPTS);
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
		return dv_not_a(ctx, v, "a number of attempts in 1.." STR(DV_MAX_ATTEMPTS));
	p->seq.attempts = (unsigned)n;
	return 0;
}

int dv_set_on_tc(struct dv_plan *p, const char *v, const char *ctx)
{
	if (strcmp(v, "tcp") == 0)
		p->seq.on_tc = DV_ON_TC_TCP;
	else if (strcmp(v, "stop") == 0)
		p->seq.on_tc = DV_ON_TC_STOP;
	else
		return dv_not_a(ctx, v, "tcp or stop");
	return 0;
}

int dv_set_tcp_after(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 0, DV_MAX_ATTEMPTS - 1, &n) != 0)
		return dv_not_a(ctx, v, "a number of UDP timeouts in 0..7 (0 = never)");
	p->seq.tcp_after = (int)n;
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
	return dv_not_a(ctx, v, "same, family, edns or family+edns");
}

int dv_set_do(struct dv_plan *p, const char *v, const char *ctx)
{
	double f;
	if (dv_parse_fraction(v, &f) != 0)
		return dv_not_a(ctx, v, "a fraction in 0..1");
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
	/* Types without weights ("TXT", "A,AAAA") are equally likely: add ":1" to each. */
	if (v != NULL && strchr(v, ':') == NULL && strlen(v) < DV_SPEC_MAX / 4) {
		char w[DV_SPEC_MAX];
		size_t o = 0;
		for (const char *c = v; *c != '\0'; c++) {
			if (*c == ',')
				o += (size_t)snprintf(w + o, sizeof(w) - o, ":1");
			w[o++] = *c;
		}
		snprintf(w + o, sizeof(w) - o, ":1");
		return dv_weighted_parse(w, ctx, qtype_value, "an RR type", &p->seq.qtypes);
	}
	return dv_weighted_parse(v, ctx, qtype_value, "an RR type", &p->seq.qtypes);
}
