/**
 * @file cli.h
 * @brief Command line (dnsperf letters) and scenario merge into a run plan.
 */
#pragma once

#include "config/plan.h"

/**
 * Parse the command line into a complete, validated plan.
 *
 * Order: defaults, then the scenario file (--scenario), then every other
 * option (the command line overrides the scenario; a rate mode on the
 * command line replaces the scenario's, see dv_rate_forget()), then the
 * settings are finished (dv_settings_finish(), dv_seqspec_finish()), then
 * the query file and the port profile are loaded and cross-checked: RX and
 * TX queues for --collectors and -T, at most DV_MAX_LANES generator x
 * collector pairs, --src ranges for several collectors, the roles (split
 * with more than one generator or collector), and --lcores (one CPU per
 * worker lcore, each in the process's CPU affinity).
 *
 * @retval 0       plan is ready to run
 * @retval 1       --help or --version was printed: exit 0
 * @retval -EINVAL a user error was reported on one line: exit DV_EXIT_USAGE
 */
int dv_cli_parse(int argc, char **argv, struct dv_plan *plan);

/**
 * Whether port k's interface has the queues the run opens there
 * (max(generators, collectors) on that port), for a profile that counts
 * combined channels (dv_profile_counts_channels()); the caller asks the
 * kernel for the count. On a shortfall one line names the channels and the
 * command that adds them.
 * @param channels the interface's combined channels (>= 1)
 * @retval 0 enough (or the profile does not count channels)
 * @retval -EINVAL reported
 */
int dv_cli_check_channels(const struct dv_plan *plan, unsigned k, unsigned channels);

/** Print the usage text to the given stream. */
void dv_cli_usage(void *stream);
