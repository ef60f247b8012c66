/**
 * @file feature.h
 * @brief A feature of a run (the embedded responder, answer tracking,
 *        ARP/ND, collector hand-off, the XDP program, the TCP guard, the
 *        metrics endpoint): a row of hooks the session calls at its phases,
 *        in table order (features/table.c).
 *
 * Adding a feature is a file under features/ and a row in that table; the
 * session does not change. The hooks run on the main lcore, off the hot
 * path (the loops call what they need directly). Every hook may be NULL; a
 * feature the plan does not ask for returns at once. State lives in the
 * feature's file (one run per process) and is released by `release`, which
 * runs whatever happened before, before the ports close.
 */
#pragma once

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "engine/session.h"
#include "metrics/counters.h"

/** One feature's hooks. Those returning int: 0, or a negative errno (reported). */
struct dv_feature {
	const char *name;
	/** Before EAL starts and before the result files open: may refuse the run (exit 2). */
	int (*prepare)(struct dv_session *s);
	/** The ports exist; templates are not built yet. */
	int (*ports)(struct dv_session *s);
	/** The lcores' work spaces exist; nothing runs yet. */
	int (*setup)(struct dv_session *s);
	/** Each sending period, after the generators and collectors are launched: its own lcores. */
	int (*launch)(struct dv_session *s);
	/** Main lcore, about every millisecond of the control loop, and once when the lcores stopped. */
	void (*tick)(struct dv_session *s);
	/** Main lcore, in the drain once every query is resolved: true while the feature needs
	 *  the lcores to keep running (bounded by the feature). */
	bool (*holds_drain)(struct dv_session *s, uint64_t now);
	/** The run is over: its part of the result. */
	void (*collect)(struct dv_session *s, struct dv_result *res);
	/** Free what it holds (also after a failed setup). */
	void (*release)(struct dv_session *s);
};

/** The features, in the order their hooks run (NULL-terminated). */
extern const struct dv_feature *const dv_features[];

/** Call every feature's prepare / ports / setup / launch hook; stop at the first error. */
int dv_features_prepare(struct dv_session *s);
int dv_features_ports(struct dv_session *s);
int dv_features_setup(struct dv_session *s);
int dv_features_launch(struct dv_session *s);

/** Whether any feature holds the drain (its holds_drain hook). */
bool dv_features_hold_drain(struct dv_session *s, uint64_t now);

/** Call every feature's tick / collect / release hook. */
void dv_features_tick(struct dv_session *s);
void dv_features_collect(struct dv_session *s, struct dv_result *res);
void dv_features_release(struct dv_session *s);

/** Free a ring and the mbufs left in it (NULL: nothing). */
static inline void dv_ring_free_mbufs(struct rte_ring *r)
{
	void *m;
	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(r);
}

extern const struct dv_feature dv_feature_metrics;
extern const struct dv_feature dv_feature_xdp;
extern const struct dv_feature dv_feature_handoff;
extern const struct dv_feature dv_feature_track;
extern const struct dv_feature dv_feature_nd;
extern const struct dv_feature dv_feature_responder;
extern const struct dv_feature dv_feature_tcp;
extern const struct dv_feature dv_feature_tcp_guard;
