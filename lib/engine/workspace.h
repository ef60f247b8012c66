/**
 * @file workspace.h
 * @brief The lcores' work spaces: the query source and policy, each lane's
 *        in-flight and sequence tables, the shared context (frame
 *        templates, source pools, OPT records), struct dv_gen and dv_col.
 *        Per-lcore memory lives on its lcore's NUMA socket: DPDK memory
 *        from that socket, the big tables first touched by the lane's
 *        collector on its lcore.
 */
#pragma once

#include "engine/session.h"

/**
 * Build everything the generators and collectors use, sized by topology.c.
 * @return 0, or a negative errno (reported)
 */
int dv_workspace_build(struct dv_session *s);

/** What must go before the ports close: mbufs the fragment tables hold. */
void dv_workspace_drop_mbufs(struct dv_session *s);

/** Free the rest (NULL-safe, also after a failed build). */
void dv_workspace_release(struct dv_session *s);
