/**
 * @file seqspec.c
 * @brief Query sequences: tables, defaults, finishing and checks (see seqspec.h);
 *        their setters are in set_sequence.c, set_edns.c and set_impair.c.
 */
#include "config/seqspec.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "config/setters.h"
#include "core/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Messages spell these limits out. */
_Static_assert(DV_FRAG_MTU_MIN_V6 == 1280, "STR() spells the number");

/* Tables. */

/**
 * A re-query profile: `flat` attempts at `first`, then doubling; its
 * transport steps (docs/sequences.md cites each resolver's source): every
 * one re-asks over TCP at once after a TC answer.
 */
static const struct requery_profile {
	const char *name;
	double first;       /**< seconds */
	unsigned flat;      /**< attempts at the first value before doubling starts */
	unsigned dflt;      /**< default number of attempts */
	unsigned tcp_after; /**< UDP timeouts after which the next attempt is over TCP (0 = never) */
} requery_profiles[] = {
	{ "unbound",       0.376, 1, 3, 0 },
	{ "knot-resolver", 0.400, 1, 3, 2 },
	{ "bind",          0.800, 3, 3, 0 },
	{ "powerdns",      1.500, 1, 2, 0 },
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

int dv_requery_tcp_after(const char *name, unsigned *tcp_after)
{
	for (size_t i = 0; name != NULL && i < sizeof(requery_profiles) / sizeof(requery_profiles[0]); i++) {
		if (strcmp(requery_profiles[i].name, name) == 0) {
			*tcp_after = requery_profiles[i].tcp_after;
			return 0;
		}
	}
	return -ENOENT;
}

void dv_seqspec_defaults(struct dv_plan *p)
{
	memset(&p->seq, 0, sizeof(p->seq));
	memset(&p->impair, 0, sizeof(p->impair));
	p->seq.family = DV_FAMPOL_AUTO;
	p->seq.on_tc = DV_ON_TC_UNSET;
	p->seq.tcp_after = -1;
	p->seq.he_delay_s = DV_HE_DELAY_DEFAULT_S;
	for (unsigned i = 0; i < sizeof(default_ladder) / sizeof(default_ladder[0]); i++)
		p->seq.edns_ladder[i] = default_ladder[i];
	p->seq.edns_ladder_n = sizeof(default_ladder) / sizeof(default_ladder[0]);
}

int dv_weighted_parse(const char *s, const char *ctx, dv_weighted_value_fn fn,
		      const char *what, struct dv_weighted *out)
{
	char qb[DV_QUOTE_BUF];
	char buf[DV_SPEC_MAX];
	char *item[DV_WEIGHTED_MAX];

	if (s == NULL || ctx == NULL || fn == NULL || what == NULL || out == NULL)
		return -EINVAL;
	if (dv_copy_value(ctx, s, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = dv_split(buf, ',', item, DV_WEIGHTED_MAX);
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
			return dv_not_a(ctx, s, "a weighted list (VALUE:WEIGHT,...)");
		*colon = '\0';
		int value;
		if (fn(item[i], &value) != 0)
			return dv_not_a(ctx, item[i], what);
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

/* Finishing and cross-checks. */

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

/**
 * The transport steps: a profile's, unless given. Over --transport tcp every
 * attempt is TCP already: no step applies.
 */
static int finish_transport(struct dv_plan *p)
{
	struct dv_seq_plan *s = &p->seq;
	bool profile = s->requery_profile[0] != '\0';
	if (p->transport == DV_TRANSPORT_TCP) {
		s->on_tc = DV_ON_TC_STOP;
		s->tcp_after = 0;
		return 0;
	}
	if (s->tcp_after > 0 && (unsigned)s->tcp_after >= s->attempts) {
		dv_err("--tcp-after %d: with %u attempts no attempt follows %d timeouts "
		       "(--attempts %d or more)", s->tcp_after, s->attempts, s->tcp_after,
		       s->tcp_after + 1);
		return -EINVAL;
	}
	if (s->tcp_after < 0) {
		unsigned k = 0;
		if (profile)
			dv_requery_tcp_after(s->requery_profile, &k);
		/* A profile's K beyond the attempts asked for never comes. */
		s->tcp_after = k < s->attempts ? (int)k : 0;
	}
	/* With all 8 attempts a TC on the last one has no TCP attempt left: it
	 * ends truncated (docs/sequences.md). */
	if (s->on_tc == DV_ON_TC_UNSET)
		s->on_tc = profile ? DV_ON_TC_TCP : DV_ON_TC_STOP;
	return 0;
}

int dv_seqspec_finish(struct dv_plan *p)
{
	if (p == NULL)
		return -EINVAL;
	struct dv_seq_plan *s = &p->seq;

	finish_timers(p);
	int rc = finish_transport(p);
	if (rc != 0)
		return rc;

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
	if (dv_impair_tcp_any(im) && !dv_plan_uses_tcp(p)) {
		dv_err("--responder: the tcp-* impairments need TCP (--transport tcp, --on-tc tcp or --tcp-after K)");
		return -EINVAL;
	}
	bool frag6 = im->frag_families == 0 || (im->frag_families & (1u << DV_FAMILY_V6));
	if (im->frag_mtu != 0 && im->frag_mtu < DV_FRAG_MTU_MIN_V6 && frag6 && has6) {
		dv_err("--responder: frag-mtu=%u is below the IPv6 minimum MTU of "
		       STR(DV_FRAG_MTU_MIN_V6) " (frag-family=v4 keeps it to IPv4)", im->frag_mtu);
		return -EINVAL;
	}
	return 0;
}
