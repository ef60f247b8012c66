/**
 * @file setters.h
 * @brief The setters of the option table (options.def), by topic file.
 *
 * A setter takes one option's or scenario key's whole value, checks it and
 * stores it in the plan; a bad value is reported as ONE line "CTX: ..." and
 * -EINVAL returned, where CTX is the option as written ("-Q", "--rate") or
 * "FILE:LINE: KEY". Flags get "true" from the command line. Settings that
 * depend on each other only record what was given: dv_settings_finish() and
 * dv_seqspec_finish() derive the rest once every setting is in.
 */
#pragma once

#include <stdbool.h>

#include "config/plan.h"

/* set_load.c: target, server port, query file, duration, timeout, DO bit, statistics */
int dv_set_target(struct dv_plan *p, const char *v, const char *ctx);
void dv_forget_target(struct dv_plan *p);
int dv_set_dns_port(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_queries(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_duration(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_timeout(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_max_queries(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_dnssec_ok(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_stats_interval(struct dv_plan *p, const char *v, const char *ctx);

/* set_instance.c: one run over many generator hosts */
int dv_set_instance(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_start_at(struct dv_plan *p, const char *v, const char *ctx);

/* set_checks.c: the compliance battery's queries in the load */
int dv_set_checks(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_checks_share(struct dv_plan *p, const char *v, const char *ctx);

/* set_rate.c: -Q and the rate modes */
int dv_set_rate(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_max(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_ramp(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_search(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_search_resolution(struct dv_plan *p, const char *v, const char *ctx);

/**
 * The rate mode from the rate settings given (part of dv_settings_finish(),
 * which documents it).
 * @retval 0 or -EINVAL (reported)
 */
int dv_rate_finish(struct dv_plan *p);

/* set_sequence.c: sequences of attempts, generated names */

/** --family v4|v6|v4-first|v6-first|alternate|mix:P|happy-eyeballs[:DELAY]|auto */
int dv_set_family(struct dv_plan *p, const char *v, const char *ctx);

/** --requery LIST|TIMER|PROFILE: 375ms,750ms,1500ms; 400ms; unbound, knot-resolver, bind, powerdns */
int dv_set_requery(struct dv_plan *p, const char *v, const char *ctx);

/** --attempts N, 1..DV_MAX_ATTEMPTS */
int dv_set_attempts(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_on_tc(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_after(struct dv_plan *p, const char *v, const char *ctx);

/** --retry-change same|family|edns|family+edns */
int dv_set_retry_change(struct dv_plan *p, const char *v, const char *ctx);

/** --do P: fraction 0..1 of logical queries with DO; plan->dnssec_ok = (P == 1). */
int dv_set_do(struct dv_plan *p, const char *v, const char *ctx);

/** --qname PATTERN, checked with dv_qname_compile() ("{seq}.{rand8}.example.test"). */
int dv_set_qname(struct dv_plan *p, const char *v, const char *ctx);

/** --qtypes A:50,AAAA:50 (mnemonics or TYPEnnn). */
int dv_set_qtypes(struct dv_plan *p, const char *v, const char *ctx);

/* set_edns.c: EDNS sizes, mixes, presets and the retry ladder */

/**
 * -e / --edns SPEC: a size 1..65535, 0 or "none" (no OPT record), a weighted
 * list "4096:42.3,1232:23.5,none:1.4", or a preset name ("apnic-2023").
 *
 * A size or none sets plan->edns_size and clears plan->seq.edns (v0
 * behaviour). A list or preset fills plan->seq.edns and sets
 * plan->edns_size to the largest size in it (0 if all are none).
 */
int dv_set_edns(struct dv_plan *p, const char *v, const char *ctx);

/** --edns-ladder 4096,1410,512[,none]: strictly descending sizes, "none" only last */
int dv_set_edns_ladder(struct dv_plan *p, const char *v, const char *ctx);

/**
 * Weighted list of a named EDNS preset ("apnic-2023": the UDP buffer sizes
 * APNIC measured over one day in November 2023; 0 = no OPT record).
 *
 * @retval 0 or -ENOENT
 */
int dv_edns_preset(const char *name, struct dv_weighted *out);

/* set_impair.c: the embedded responder's impairments */

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

/** Whether any impairment of the responder's TCP server (tcp-*) is set. */
bool dv_impair_tcp_any(const struct dv_impair_plan *im);

/* set_fragments.c: fragmented answers and collectors */
int dv_set_frag_timeout(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_fragmented(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_collectors(struct dv_plan *p, const char *v, const char *ctx);

/* set_tcp.c: DNS over TCP */
int dv_set_transport(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_queries(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_pipeline(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_end(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_stress(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_rto(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_quarantine(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_tcp_conns(struct dv_plan *p, const char *v, const char *ctx);
/** Reset plan->transport and plan->tcp to their defaults (dv_plan_defaults()). */
void dv_tcp_plan_defaults(struct dv_plan *p);
/** Checks across TCP options once all are set. @return 0 or -EINVAL (reported) */
int dv_tcp_plan_check(const struct dv_plan *p);

/* set_network.c: ports, addresses, next hop, source ports, EAL */
int dv_set_port(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_drivers_dir(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_source(struct dv_plan *p, const char *v, const char *ctx);
void dv_forget_source(struct dv_plan *p);
int dv_set_dst_mac(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_gateway(struct dv_plan *p, const char *v, const char *ctx);
void dv_forget_gateway(struct dv_plan *p);
int dv_set_vlan(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_sport_base(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_sport(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_burst(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_eal(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_hugepages(struct dv_plan *p, const char *v, const char *ctx);

/* set_lcores.c: generators, CPUs, roles, polling */
int dv_set_generators(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_lcores(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_roles(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_poll(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_busy_poll(struct dv_plan *p, const char *v, const char *ctx);

/* set_output.c: result files, answer tracking, quiet, the scenario's description */
int dv_set_json(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_plot(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_plot_interval(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_track_answers(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_quiet(struct dv_plan *p, const char *v, const char *ctx);
int dv_set_description(struct dv_plan *p, const char *v, const char *ctx);

/* set_metrics.c: live metrics */

/** --metrics ADDR:PORT (IPv6: [ADDR]:PORT): where the HTTP endpoint listens. */
int dv_set_metrics(struct dv_plan *p, const char *v, const char *ctx);

/** --metrics-hold SECONDS, 0..3600: serve the final values this long after the report. */
int dv_set_metrics_hold(struct dv_plan *p, const char *v, const char *ctx);

/* set_verdict.c: the run's verdict conditions (conditions.h) */

/** --fail-if CONDS: appended to plan->fail_if; relative values are refused (no base). */
int dv_set_fail_if(struct dv_plan *p, const char *v, const char *ctx);
void dv_forget_fail_if(struct dv_plan *p);
