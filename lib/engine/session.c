/*
 * One run, as its phases: plan checks and endpoints, EAL, ports, the
 * lcores' work spaces and the features' setup, sending (control.c), the
 * result and the report (result.c), release. What a phase does lives in its
 * file; a feature hooks into the phases through features/table.c.
 */
#include "engine/run.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "engine/control.h"
#include "engine/endpoints.h"
#include "engine/features/feature.h"
#include "engine/result.h"
#include "engine/session.h"
#include "engine/signals.h"
#include "engine/workspace.h"
#include "core/log.h"

/* Everything the run holds, in one place, whatever phase it reached. */
static void session_release(struct dv_session *s)
{
	if (s->sink->release != NULL)
		s->sink->release(s->sink->ctx);
	/* Features and fragment tables hold mbufs: freed before the pools go. */
	dv_features_release(s);
	dv_workspace_drop_mbufs(s);
	if (s->ports_up)
		dv_ports_close(&s->ports);
	dv_workspace_release(s);
	if (s->eal_up)
		dv_eal_stop();
}

/* Before EAL: everything the user can get wrong is found here, before any packet. */
static int plan_phase(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	if (dv_preflight(plan) != 0)
		return -EINVAL;
	for (unsigned k = 0; k < plan->nports; k++)
		if (dv_endpoints_resolve(plan, k, s->ep[k]) != 0)
			return -EINVAL;
	/* The features' claims (an interface another run uses is refused here). */
	int rc = dv_features_prepare(s);
	if (rc != 0)
		return rc;
	/* The result files, once the run passed its checks (a refused run leaves none). */
	if (s->sink->open != NULL && s->sink->open(s->sink->ctx) != 0)
		return -EIO;
	if (dv_eal_args_build(plan, plan->argv != NULL ? plan->argv[0] : "dnsvolley", &s->eal,
			      &s->map) != 0)
		return -EINVAL;
	return 0;
}

/* EAL and the ports. */
static int ports_phase(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	if (rte_eal_init(s->eal.argc, s->eal.argv) < 0) {
		dv_err("--port %s: DPDK EAL initialisation failed: %s", plan->port[0].spec,
		       rte_strerror(rte_errno));
		return -ENODEV;
	}
	s->eal_up = true;
	if (rte_lcore_count() < s->eal.nlcores) {
		dv_err("--eal: %u lcores needed, EAL has %u", s->eal.nlcores, rte_lcore_count());
		return -EINVAL;
	}
	if (dv_ports_setup(plan, &s->ports, s->eal.nlcores) != 0)
		return -ENODEV;
	s->ports_up = true;
	return dv_features_ports(s);
}

/*
 * A signal before the first query: nothing was measured, so there is nothing
 * to report or keep (the result file is not created: the sink's release drops
 * its temporary). One line, and the shell's status for a signal.
 */
static bool stopped_before_sending(int *status)
{
	if (dv_signals_presses() == 0)
		return false;
	int sig = dv_signals_last();
	dv_err("interrupted by %s before sending: nothing measured, no result written",
	       sig == SIGHUP ? "SIGHUP" : sig == SIGTERM ? "SIGTERM" : "SIGINT");
	*status = 128 + sig;
	return true;
}

int dv_run(const struct dv_plan *plan, const struct dv_sink *sink, struct dv_result *result)
{
	static const struct dv_sink none;
	static struct dv_session s;
	static struct dv_result res;
	int status = DV_EXIT_USAGE;

	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	s.plan = plan;
	s.sink = sink != NULL ? sink : &none;
	/* From here on a terminating signal is handled in every phase (engine/signals.c). */
	dv_signals_install();

	/* Plan, endpoints, EAL, ports: what fails here is the user's or the host's to fix. */
	if (plan_phase(&s) != 0 || stopped_before_sending(&status) || ports_phase(&s) != 0 ||
	    stopped_before_sending(&status))
		goto cleanup;

	/* Topology, tables and templates, the features' setup; then send, drain, report. */
	status = DV_EXIT_FAILURE;
	if (dv_endpoints_complete(&s) != 0 || dv_workspace_build(&s) != 0 ||
	    dv_features_setup(&s) != 0)
		goto cleanup;
	if (stopped_before_sending(&status))
		goto cleanup;
	if (!plan->quiet)
		dv_control_intro(&s);
	int rc = dv_control_run(&s, &res);
	if (rc == -EINTR && stopped_before_sending(&status))
		goto cleanup;
	if (rc == -ETIME)
		status = DV_EXIT_USAGE; /* --start-at passed while the ports came up: nothing was sent */
	if (rc != 0)
		goto cleanup;
	dv_session_result(&s, &res);
	if (s.sink->done != NULL && s.sink->done(s.sink->ctx, &res) != 0)
		goto cleanup;
	/* The tracker goes with the run's state. */
	res.consistency = NULL;
	if (result != NULL)
		*result = res;
	status = 0;
cleanup:
	session_release(&s);
	dv_signals_restore();
	return status;
}
