/*
 * `dnsvolley check --port SPEC`: the battery over the datapath. The check
 * command (lib/check) owns the options, the table and the exit status; this
 * wires it to the engine: a load run whose every logical query is a check
 * (--checks ZONE --checks-share 100%), each check --repeat times per address,
 * and the run's per-check, per-family tallies back.
 */
#include "check_datapath.h"

#include <stdio.h>
#include <string.h>

#include "check/battery.h"
#include "config/cli.h"
#include "core/log.h"
#include "engine/run.h"
#include "metrics/result.h"

#define ARGS_MAX 40

int dv_check_datapath_run(const struct dv_check_datapath *rq,
			  struct dv_check_tally tally[DV_FAMILIES][DV_CHECKS_MAX])
{
	char qps[32], count[32], secs[32], timeout[32], dport[16];
	const char *av[ARGS_MAX];
	int ac = 0;
	unsigned nfam = (rq->target[0] != NULL) + (rq->target[1] != NULL);
	/* Every check of a UDP run, in turn: each exactly repeat times per family. */
	unsigned n = dv_checks_n * rq->repeat * nfam;
	snprintf(qps, sizeof(qps), "%g", rq->qps);
	snprintf(count, sizeof(count), "%u", n);
	/* Long enough to send them all at the rate, and bounded. */
	snprintf(secs, sizeof(secs), "%g", (double)n / rq->qps + 1.0);
	snprintf(timeout, sizeof(timeout), "%g", rq->timeout_s);
	snprintf(dport, sizeof(dport), "%u", rq->dns_port);
	av[ac++] = "dnsvolley";
	av[ac++] = "--port";
	av[ac++] = rq->port;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		if (rq->target[f] != NULL) {
			av[ac++] = "-s";
			av[ac++] = rq->target[f];
		}
	const char *fixed[] = { "-p", dport, "--checks", rq->zone, "--checks-share", "100%", "-Q", qps,
				"--max-queries", count, "-l", secs, "-t", timeout, "-S", "0", "-q" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		av[ac++] = fixed[i];
	if (rq->responder != NULL) {
		av[ac++] = "--responder";
		av[ac++] = rq->responder;
	}
	if (rq->eal != NULL) {
		av[ac++] = "--eal";
		av[ac++] = rq->eal;
	}
	av[ac] = NULL;

	static struct dv_plan plan;
	int rc = dv_cli_parse(ac, (char **)av, &plan);
	if (rc != 0)
		return DV_EXIT_USAGE;
	static struct dv_result res;
	memset(&res, 0, sizeof(res));
	int status = dv_run(&plan, NULL, &res);
	dv_plan_free(&plan);
	if (status != 0)
		return status;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		for (unsigned c = 0; c < DV_CHECKS_MAX; c++) {
			tally[f][c].sent = res.tx.check_sent[f][c];
			memcpy(tally[f][c].res, res.rx.check_res[f][c], sizeof(tally[f][c].res));
		}
	return 0;
}
