/*
 * The features of a run, one row each, in the order their hooks run: the
 * order the run needs them set up (hand-off before tracking before ARP/ND
 * before the responder, as the lcores' work spaces grow). The TCP guard
 * comes last: it changes the host (nftables), so only a run every other
 * feature accepted makes that change. The metrics endpoint comes first: a
 * port in use refuses the run before any other feature claims anything, and
 * its release (which serves the final values for --metrics-hold) runs first.
 */
#include "engine/features/feature.h"

#include <stddef.h>

const struct dv_feature *const dv_features[] = {
	&dv_feature_metrics,
	&dv_feature_xdp,
	&dv_feature_handoff,
	&dv_feature_track,
	&dv_feature_nd,
	&dv_feature_responder,
	&dv_feature_tcp,
	&dv_feature_tcp_guard,
	NULL,
};

#define EACH(f) for (const struct dv_feature *const *f = dv_features; *f != NULL; f++)
#define CALL_ALL(hook)                                          \
	EACH(f) {                                               \
		int rc = (*f)->hook != NULL ? (*f)->hook(s) : 0; \
		if (rc != 0)                                    \
			return rc;                              \
	}                                                       \
	return 0

int dv_features_prepare(struct dv_session *s) { CALL_ALL(prepare); }
int dv_features_ports(struct dv_session *s) { CALL_ALL(ports); }
int dv_features_setup(struct dv_session *s) { CALL_ALL(setup); }
int dv_features_launch(struct dv_session *s) { CALL_ALL(launch); }

void dv_features_tick(struct dv_session *s)
{
	EACH(f)
		if ((*f)->tick != NULL)
			(*f)->tick(s);
}

bool dv_features_hold_drain(struct dv_session *s, uint64_t now)
{
	bool hold = false;
	EACH(f)
		if ((*f)->holds_drain != NULL)
			hold |= (*f)->holds_drain(s, now);
	return hold;
}

void dv_features_collect(struct dv_session *s, struct dv_result *res)
{
	EACH(f)
		if ((*f)->collect != NULL)
			(*f)->collect(s, res);
}

void dv_features_release(struct dv_session *s)
{
	EACH(f)
		if ((*f)->release != NULL)
			(*f)->release(s);
}
