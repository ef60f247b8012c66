/**
 * @file seqspec.h
 * @brief Settings of query sequences: family policy, re-query timers,
 *        attempts, what a retry changes, EDNS mix, DO fraction, generated
 *        names, qtype mix, and the embedded responder's impairments.
 *
 * Their setters (dv_set_family(), dv_set_edns(), dv_set_responder(), ...)
 * are declared in setters.h and live in set_sequence.c, set_edns.c and
 * set_impair.c; the option table (options.def) calls them for a scenario key
 * and its long option alike.
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
#include "config/setters.h"

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
#define DV_FRAG_FLOOD_MAX 60000 /**< --responder frag-flood=N: most sets (7 fragments each) */
#define DV_RESP_TCP_N_MAX 1000000     /**< --responder tcp-rst-after=N, tcp-drop-seg=K: largest N, K */
#define DV_RESP_TCP_IDLE_MAX_S 600.0  /**< --responder tcp-idle-close=SECONDS: longest */
#define DV_RESP_TCP_SPLIT_MAX 1460    /**< --responder tcp-split=BYTES: an IPv4 MSS on Ethernet */
#define DV_RESP_TCP_KEEPALIVE_MAX 65535 /**< tcp-keepalive: its TIMEOUT field, 16 bits of 100 ms */
/** Default happy-eyeballs delay (RFC 8305 resolution delay). */
#define DV_HE_DELAY_DEFAULT_S 0.050
/** Target of the embedded port (RFC 2544 range). */
#define DV_EMBEDDED_TARGET "198.18.0.53"
/** Target of the embedded port for IPv6, when the policy needs one (RFC 5180 range). */
#define DV_EMBEDDED_TARGET6 "2001:2::53"

/** The re-query profiles, as listed in messages and help. */
#define DV_REQUERY_PROFILES "unbound, knot-resolver, bind, powerdns"

/**
 * A re-query profile's transport step: after how many UDP timeouts its next
 * attempt goes over TCP (0 = never).
 * @return 0, or -ENOENT for no such profile
 */
int dv_requery_tcp_after(const char *name, unsigned *tcp_after);
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
