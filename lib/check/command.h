/**
 * @file command.h
 * @brief `dnsvolley check`: the compliance battery against a server, one
 *        line per check and address, a JSON table, an exit status for CI.
 */
#pragma once

#include <stdint.h>

#include "check/judge.h"
#include "core/types.h"

/** The battery over a DPDK port (check --port): what to run. */
struct dv_check_datapath {
	const char *port;              /**< --port SPEC, as a load run takes it */
	const char *responder;         /**< --responder SPEC (with --port embedded), or NULL */
	const char *eal;               /**< --eal "...", or NULL */
	const char *target[DV_FAMILIES]; /**< the addresses, as given (NULL: not asked) */
	const char *zone;
	unsigned dns_port;
	double timeout_s;
	unsigned repeat;               /**< each check this many times per address */
	double qps;                    /**< the rate the checks are asked at */
};

/** What it gave for one check and family: its attempts sent and how they ended. */
struct dv_check_tally {
	uint64_t sent;
	uint64_t res[DV_CR_KINDS];
};

/**
 * Runs the battery over the datapath (the app wires it to the engine: the
 * check layer does not depend on it).
 * @return 0, or DV_EXIT_USAGE / DV_EXIT_FAILURE (reported)
 */
typedef int (*dv_check_datapath_fn)(const struct dv_check_datapath *rq,
				    struct dv_check_tally tally[DV_FAMILIES][DV_CHECKS_MAX]);

/**
 * dnsvolley check -s ADDR [-s ADDR ...] -z ZONE [-p PORT] [-t SECONDS]
 *                 [--only ID,...] [--expect-fail ID[@v4|@v6],...] [--json FILE] [-q]
 *                 [--port SPEC [--responder SPEC] [--eal "..."] [--repeat N] [-Q QPS]]
 * Over the kernel's sockets, or with --port through datapath().
 * @param datapath the runner for --port (NULL: --port is refused)
 * @return 0 every check passed (or failed as expected), 1 one did not, 2 bad usage
 */
int dv_cmd_check(int argc, char **argv, dv_check_datapath_fn datapath);
