/**
 * @file scenario.h
 * @brief Scenario files (YAML) and the settings they share with the command line.
 *
 * A scenario is a flat YAML mapping whose keys are the long option names:
 *
 *     port: af_xdp:veth0
 *     target: [198.18.0.2, 2001:2::2]
 *     queries: queries/lab.txt     # relative to the scenario's directory
 *     rate: 20k
 *     duration: 30
 *
 * A key and its long option are one row of the option table (options.h):
 * both go through the row's setter, so a value is checked and worded the
 * same way in both. The functions on settings below live with the table:
 * dv_plan_defaults(), dv_setting_set() and dv_settings_finish() in
 * options.c, dv_rate_forget() in set_rate.c, dv_plan_ports_forget() in
 * set_network.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config/plan.h"

/** Defaults of a run, before the scenario and the command line. */
#define DV_DEFAULT_PORT_SPEC  "embedded"
#define DV_DEFAULT_DPORT      53
#define DV_DEFAULT_QPS        1000.0
#define DV_DEFAULT_DURATION   10.0
#define DV_DEFAULT_TIMEOUT    1.0
#define DV_DEFAULT_EDNS       1232
#define DV_DEFAULT_STATS      1.0
#define DV_DEFAULT_BURST      32
#define DV_DEFAULT_SPORT_BASE 10000
#define DV_BURST_MAX          512
#define DV_SPORT_BASE_MIN     1024
#define DV_SPORT_BASE_MAX     (65535 - 16)
#define DV_DEFAULT_FRAG_TIMEOUT 0.1  /**< --frag-timeout, seconds: well under any resolver's re-query timer */
#define DV_FRAG_TIMEOUT_MAX   10.0   /**< largest --frag-timeout, seconds */
#define DV_DEFAULT_COLLECTORS 1   /**< --collectors, 1..DV_MAX_COLLECTORS */
#define DV_DEFAULT_GENERATORS 1   /**< -T, 1..DV_MAX_GENERATORS */
#define DV_SPORT_MAX          65535 /**< last port of --sport LOW-HIGH */
#define DV_SRC_PREFIX_MIN_V4  8     /**< shortest IPv4 prefix of --src ADDR/PREFIX */
#define DV_SRC_PREFIX_MIN_V6  64    /**< shortest IPv6 prefix of --src ADDR/PREFIX */
#define DV_CPU_MAX            1023  /**< largest CPU number of --lcores (CPU_SETSIZE - 1) */
#define DV_DEFAULT_PLOT_INTERVAL 0.5 /**< --plot-interval, seconds (resperf's) */
#define DV_DEFAULT_CHECKS_SHARE 0.01 /**< --checks-share: 1 % of logical queries */
#define DV_DEFAULT_SEARCH_TRIAL 2.0  /**< --search LOSS%:TRIAL, seconds */
#define DV_SEARCH_TRIAL_MAX   3600.0 /**< largest TRIAL, seconds */
#define DV_DEFAULT_SEARCH_REPEATS 3  /**< --search LOSS%:TRIAL:REPEATS */
#define DV_SEARCH_REPEATS_MAX 15
#define DV_DEFAULT_SEARCH_RESOLUTION 1.0 /**< --search-resolution, percent of the upper bound */
#define DV_SEARCH_RESOLUTION_MIN 0.01
#define DV_SEARCH_RESOLUTION_MAX 50.0
#define DV_DEFAULT_TCP_QUERIES 1     /**< --tcp-queries: a new connection per query (a resolver's TC fallback) */
#define DV_DEFAULT_TCP_PIPELINE 1    /**< --tcp-pipeline */
#define DV_TCP_PIPELINE_MAX   64     /**< queries outstanding on one connection */
#define DV_TCP_QUERIES_MAX    1000000
#define DV_DEFAULT_TCP_RTO    1.0    /**< --tcp-rto, seconds (RFC 6298 2.1) */
#define DV_TCP_RTO_MIN        0.001
#define DV_TCP_RTO_MAX        60.0
#define DV_DEFAULT_TCP_IDLE_MAX 60.0 /**< --tcp-end idle:MAX, seconds (servers' idle timeouts: 10-30 s) */
#define DV_TCP_IDLE_MAX_MAX   600.0
#define DV_DEFAULT_TCP_QUARANTINE 60.0 /**< --tcp-quarantine, seconds (Linux's TIME-WAIT) */
#define DV_TCP_QUARANTINE_MAX 600.0
#define DV_TCP_CONNS_MAX      (1u << 20) /**< --tcp-conns */

/**
 * Reset a plan to the defaults (zeroes it first: free a previous plan's
 * queries before). The drivers directory is DV_SOURCE_DRIVERS_DIR when it
 * exists (running from the build tree), else DV_INSTALL_DRIVERS_DIR.
 */
void dv_plan_defaults(struct dv_plan *p);

/**
 * Apply one setting by its scenario key / long option name.
 *
 * Keys: the scenario keys of the option table (lib/config/options.def);
 * "description" is accepted and ignored.
 *
 * "target" and "source" add one address (at most one per family; clear the
 * array, and src_prefix with src, first to replace); "source" takes
 * ADDR[/PREFIX]. Errors are one line, "CTX: 'VALUE' is not ...".
 *
 * The rate mode depends on settings that may come in any order, so the
 * handlers only record what was given and dv_settings_finish() derives
 * plan->rate_mode once every setting is in:
 *
 * - plan->qps == 0 means "-Q 0" (rate: 0);
 * - plan->rate_mode == DV_RATE_MAX means "--max" (no handler sets another mode);
 * - plan->ramp.to_qps > 0 means "--ramp" was given;
 * - plan->search.repeats > 0 means "--search" was given.
 *
 * @param p      the plan being built
 * @param key    the setting
 * @param value  its text
 * @param ctx    message prefix: the option ("-Q") or "FILE:LINE: KEY"
 * @retval 0        applied
 * @retval -EINVAL  bad value (reported)
 * @retval -ENOENT  unknown key (not reported: the caller words it)
 */
int dv_setting_set(struct dv_plan *p, const char *key, const char *value,
		   const char *ctx);

/**
 * Forget the rate mode settings already in the plan (a scenario's), because
 * the command line chooses again: its choice replaces the scenario's instead
 * of conflicting with it.
 *
 * Always forgets --max and --ramp (a -Q QPS on the command line means a
 * fixed rate, or the upper bound of a scenario's search); with @p all also
 * --search, and rate 0 becomes DV_DEFAULT_QPS (the command line gives
 * --max, --ramp, --search or -Q 0). --search-resolution stays.
 *
 * @param p    the plan, after the scenario and before the command line
 * @param all  also forget --search and -Q 0
 */
void dv_rate_forget(struct dv_plan *p, bool all);

/**
 * Forget every port (a scenario's "port" list, or the first --port on the
 * command line, replaces the ports given before).
 */
void dv_plan_ports_forget(struct dv_plan *p);

/**
 * Finish the settings that depend on each other, once every setting is in
 * (before the query file and the port profile are read).
 *
 * Rate mode: at most one of --max (or -Q 0), --ramp and --search, and a
 * search needs -Q above 0 (its upper bound). Then plan->rate_mode is set and:
 * DV_RATE_MAX sets qps to 0; DV_RATE_RAMP sets duration_s to the ramp's
 * duration and qps to its end rate (the highest it offers);
 * DV_RATE_SEARCH sets search.max_qps to qps. Also: --sport-base must not be
 * above the end of a --sport range.
 *
 * Idempotent. Errors name the options, e.g. "--ramp: conflicts with --search".
 *
 * @param p  the plan
 * @retval 0 or -EINVAL (reported on one line)
 */
int dv_settings_finish(struct dv_plan *p);

/**
 * Load a scenario file on top of the plan.
 *
 * A relative "queries" path is taken relative to the scenario's directory;
 * "json" is relative to the current directory, like --json. A "target" or
 * "source" key replaces the addresses in the plan. Records the path in
 * plan->scenario_file.
 *
 * @param path  the scenario file (also the name used in messages)
 * @param plan  the plan (usually fresh from dv_plan_defaults())
 * @retval 0        loaded
 * @retval -EINVAL  an error was reported as "FILE:LINE: ..."
 * @retval -errno   the file could not be read (reported)
 */
int dv_scenario_load(const char *path, struct dv_plan *plan);

/**
 * Load a scenario from memory (for tests); file names the scenario in
 * messages and anchors relative "queries" paths like a real path would.
 *
 * @retval 0, -EINVAL or -ENOMEM (reported)
 */
int dv_scenario_load_mem(const char *file, const char *text, size_t len,
			 struct dv_plan *plan);
