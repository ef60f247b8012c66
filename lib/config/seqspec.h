/**
 * @file seqspec.h
 * @brief Settings of query sequences: family policy, re-query timers,
 *        attempts, what a retry changes, EDNS mix, DO fraction, generated
 *        names, qtype mix, and the embedded responder's impairments.
 *
 * Each dv_set_*() is a setting handler of the table in scenario.c (so a
 * scenario key and its long option are checked and worded alike): it takes
 * the whole value, reports a bad one as ONE line "CTX: ..." and returns
 * -EINVAL, where CTX is the option ("--requery") or "FILE:LINE: KEY".
 *
 * Some settings depend on others that may come later (--attempts after
 * --requery, -t after both), so handlers only record what was given and
 * dv_seqspec_finish() derives the final plan->seq once every setting is in:
 *
 * - plan->seq.attempts == 0 means "--attempts not given";
 * - plan->seq.timer_s[] holds the --requery list as given (its length is the
 *   number of leading non-zero values), or is all zero with a profile name in
 *   plan->seq.requery_profile, or is all zero with no name (no --requery).
 */
#pragma once

#include <stdbool.h>

#include "config/plan.h"

/** Largest re-query timer (also where a profile's backoff stops growing). */
#define DV_TIMER_MAX_S 60.0
/** Largest delay of the embedded responder's answers. */
#define DV_IMPAIR_DELAY_MAX_S 10.0
/** Smallest frag-mtu: the IPv4 minimum MTU (RFC 791). */
#define DV_FRAG_MTU_MIN_V4 68
/** Smallest frag-mtu for answers over IPv6: the IPv6 minimum link MTU (RFC 8200). */
#define DV_FRAG_MTU_MIN_V6 1280
/** Largest k of drop-frag=K. */
#define DV_DROP_FRAG_MAX 64
/** Default happy-eyeballs delay (RFC 8305 resolution delay). */
#define DV_HE_DELAY_DEFAULT_S 0.050
/** Target of the embedded port for IPv6, when the policy needs one (RFC 5180 range). */
#define DV_EMBEDDED_TARGET6 "2001:2::53"

/** The re-query profiles, as listed in messages and help. */
#define DV_REQUERY_PROFILES "unbound, knot-resolver, bind, powerdns"
/** The EDNS presets, as listed in messages and help. */
#define DV_EDNS_PRESETS "apnic-2023"

/** Reset plan->seq and plan->impair to their defaults (called by dv_plan_defaults()). */
void dv_seqspec_defaults(struct dv_plan *p);

/**
 * Name of a family policy, as --family spells it ("v6-first", "mix",
 * "happy-eyeballs"; "auto" for the default).
 */
const char *dv_family_policy_name(enum dv_family_policy f);

/**
 * Timers of a named re-query profile.
 *
 * unbound 376 ms, knot-resolver 400 ms, powerdns 1500 ms: doubling from the
 * first attempt; bind 800 ms for the first three attempts, then doubling.
 * Every value is capped at DV_TIMER_MAX_S.
 *
 * @param name      profile name
 * @param attempts  how many timers to fill, 0..DV_MAX_ATTEMPTS (0: only look up)
 * @param timer_s   receives timer_s[0..attempts-1] (may be NULL if attempts is 0)
 * @param dflt      receives the profile's default number of attempts (may be NULL)
 * @retval 0        known profile
 * @retval -ENOENT  no such profile
 * @retval -EINVAL  bad arguments
 */
int dv_requery_profile(const char *name, unsigned attempts, double *timer_s, unsigned *dflt);

/**
 * Weighted list of a named EDNS preset ("apnic-2023": the UDP buffer sizes
 * APNIC measured over one day in November 2023; 0 = no OPT record).
 *
 * @retval 0 or -ENOENT
 */
int dv_edns_preset(const char *name, struct dv_weighted *out);

/**
 * Turn one entry's VALUE into a number for dv_weighted_parse().
 * @return 0, or a negative errno if VALUE is not acceptable
 */
typedef int (*dv_weighted_value_fn)(const char *value, int *out);

/**
 * Parse a weighted list "VALUE:WEIGHT,VALUE:WEIGHT,...": weights are plain
 * decimals > 0, at most DV_WEIGHTED_MAX entries, no VALUE twice. Errors are
 * reported as one line starting with ctx:
 *
 *     CTX: 'LIST' is not a weighted list (VALUE:WEIGHT,...)
 *     CTX: 'VALUE' is not WHAT
 *     CTX: weight of 'ENTRY' is not > 0
 *     CTX: 'VALUE' appears twice
 *     CTX: more than 32 entries
 *
 * @param s     the list
 * @param ctx   message prefix (option or FILE:LINE: KEY)
 * @param fn    converts a VALUE
 * @param what  what a VALUE must be, for messages ("an RR type")
 * @param out   receives the list (written only on success)
 * @retval 0 or -EINVAL (reported)
 */
int dv_weighted_parse(const char *s, const char *ctx, dv_weighted_value_fn fn,
		      const char *what, struct dv_weighted *out);

/** --family v4|v6|v4-first|v6-first|alternate|mix:P|happy-eyeballs[:DELAY]|auto */
int dv_set_family(struct dv_plan *p, const char *v, const char *ctx);

/** --requery LIST|TIMER|PROFILE: 375ms,750ms,1500ms; 400ms; unbound, knot-resolver, bind, powerdns */
int dv_set_requery(struct dv_plan *p, const char *v, const char *ctx);

/** --attempts N, 1..DV_MAX_ATTEMPTS */
int dv_set_attempts(struct dv_plan *p, const char *v, const char *ctx);

/** --retry-change same|family|edns|family+edns */
int dv_set_retry_change(struct dv_plan *p, const char *v, const char *ctx);

/** --edns-ladder 4096,1410,512[,none]: strictly descending sizes, "none" only last */
int dv_set_edns_ladder(struct dv_plan *p, const char *v, const char *ctx);

/**
 * -e / --edns SPEC: a size 1..65535, 0 or "none" (no OPT record), a weighted
 * list "4096:42.3,1232:23.5,none:1.4", or a preset name ("apnic-2023").
 *
 * A size or none sets plan->edns_size and clears plan->seq.edns (v0
 * behaviour). A list or preset fills plan->seq.edns and sets
 * plan->edns_size to the largest size in it (0 if all are none).
 */
int dv_set_edns(struct dv_plan *p, const char *v, const char *ctx);

/** --do P: fraction 0..1 of logical queries with DO; plan->dnssec_ok = (P == 1). */
int dv_set_do(struct dv_plan *p, const char *v, const char *ctx);

/** --qname PATTERN, checked with dv_qname_compile() ("{seq}.{rand8}.example.test"). */
int dv_set_qname(struct dv_plan *p, const char *v, const char *ctx);

/** --qtypes A:50,AAAA:50 (mnemonics or TYPEnnn). */
int dv_set_qtypes(struct dv_plan *p, const char *v, const char *ctx);

/**
 * --responder drop-v6,drop-v4,drop-first,drop=FRACTION,seed=N,delay=SECONDS,size=BYTES,
 * frag-mtu=BYTES,drop-frag=K|nonfirst,frag-family=v4|v6|both,ignore-edns
 * (or "none"): replaces plan->impair as a whole.
 *
 * frag-mtu is 68..65535 here (the IPv6 minimum of 1280 is checked against
 * the targets by dv_seqspec_check_targets()); drop-frag (1..64, or nonfirst:
 * DV_DROP_FRAG_NONFIRST) and frag-family need frag-mtu. frag-family=both is
 * stored as 0, like no frag-family.
 */
int dv_set_responder(struct dv_plan *p, const char *v, const char *ctx);

/** Whether any impairment of the embedded responder is set. */
bool dv_impair_any(const struct dv_impair_plan *im);

/**
 * Whether the plan needs a target of this family (DV_FAMILY_V4 or
 * DV_FAMILY_V6): the family policy or a retry that switches family.
 * Always false for DV_FAMPOL_AUTO without DV_RETRY_FAMILY.
 */
bool dv_seqspec_needs_family(const struct dv_plan *p, int family);

/**
 * Finish plan->seq once every setting is in (before the query file is read):
 * attempts and timers (no --requery: every timer is -t and attempts is
 * --attempts or 1, except happy-eyeballs which defaults to 2; a list: its
 * length unless --attempts, the last value repeating; one value: 3 attempts
 * unless --attempts; a profile: its default unless --attempts, backoff
 * continuing), default qtypes A:1 for --qname, and the checks that need no
 * target: DO needs EDNS, --qtypes needs --qname, --retry-change edns needs a
 * ladder, --retry-change family contradicts --family v4/v6, happy-eyeballs
 * needs 2 attempts; and with N > 1 attempts, --frag-timeout must be shorter
 * than every re-query timer (the happy-eyeballs delay is not one): the
 * default (DV_DEFAULT_FRAG_TIMEOUT) becomes half the shortest timer, any
 * other value is an error.
 *
 * @retval 0 or -EINVAL (reported on one line)
 */
int dv_seqspec_finish(struct dv_plan *p);

/**
 * Checks against the targets and the port (after defaults are filled in):
 * each family policy has the targets it needs, --retry-change family has
 * both, impairments only on the embedded port, and a frag-mtu below 1280
 * only when it cannot apply to IPv6 (no IPv6 target, or frag-family=v4).
 *
 * @retval 0 or -EINVAL (reported on one line)
 */
int dv_seqspec_check_targets(const struct dv_plan *p);
