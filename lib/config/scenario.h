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
 * Every setting, from a scenario or from an option, goes through
 * dv_setting_set(), so a value is checked and worded the same way in both.
 */
#pragma once

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
#define DV_DEFAULT_COLLECTORS 1
#define DV_COLLECTORS_MAX     16

/**
 * Reset a plan to the defaults (zeroes it first: free a previous plan's
 * queries before). The drivers directory is DV_SOURCE_DRIVERS_DIR when it
 * exists (running from the build tree), else DV_INSTALL_DRIVERS_DIR.
 */
void dv_plan_defaults(struct dv_plan *p);

/**
 * Apply one setting by its scenario key / long option name.
 *
 * Keys: port, target, dns-port, source, queries, rate, duration, timeout,
 * max-queries, edns, dnssec-ok, stats-interval, json, eal, dst-mac, burst,
 * sport-base, roles, poll, frag-timeout, fragmented, collectors, description
 * (ignored), and the sequence keys of seqspec.h: family, requery, attempts,
 * retry-change, edns-ladder, do, qname, qtypes, responder. In a scenario, edns, requery, edns-ladder,
 * qtypes and responder may also be YAML lists (joined with ',').
 *
 * "target" and "source" add one address (at most one per family; clear the
 * array first to replace). Errors are one line, "CTX: 'VALUE' is not ...".
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
