/**
 * @file compare.h
 * @brief `dnsvolley compare`: two result files side by side, and a verdict.
 */
#pragma once

/**
 * dnsvolley compare BASE.json NEW.json [--fail-if CONDS] [--json OUT] [-q]:
 * print each metric (config/conditions.h) of both runs with its absolute and
 * relative change, write them as JSON with --json, and evaluate the
 * conditions on NEW (relative ones against BASE; report/verdict.h).
 * @param argv argv[0] is "compare"
 * @return exit status: 0, DV_EXIT_VERDICT (a condition was met),
 *         DV_EXIT_USAGE (bad usage, a file that is no result), DV_EXIT_FAILURE
 *         (--json OUT could not be written)
 */
int dv_cmd_compare(int argc, char **argv);
