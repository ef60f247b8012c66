/*
 * Collector hand-off: a kernel-backed port (a veth, PACKET_FANOUT) spreads
 * answers over its queues by its own hash, not by ours, so a collector may
 * read another's answers; it passes them on (col.c). Here: the owner of
 * every source port, an inbox ring per collector that shares its port
 * (many producers, one consumer), and an mbuf field for the RX time.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf_dyn.h>

#include "engine/features/feature.h"
#include "core/log.h"

/* Packets in flight from one collector to another: a few bursts of each peer. */
#define DV_INBOX_SIZE 4096

static uint8_t *sport_owner; /* source port -> its collector + 1 */

static int handoff_setup(struct dv_session *s)
{
	struct dv_shared *sh = s->sh;
	sport_owner = calloc(65536, 1);
	if (sport_owner == NULL) {
		dv_err("out of memory for the collectors' port table");
		return -ENOMEM;
	}
	for (unsigned li = 0; li < s->nlanes; li++)
		for (uint32_t i = 0; i < s->ifl[li].nports && s->ifl[li].sport_base + i < 65536; i++)
			sport_owner[s->ifl[li].sport_base + i] = (uint8_t)(s->topo.lane_col[li] + 1);
	sh->sport_owner = sport_owner;
	sh->rx_ts_off = -1;
	for (unsigned c = 0; c < s->ncol; c++) {
		if (s->col[c]->npeers < 2)
			continue;
		if (sh->rx_ts_off < 0 && rte_mbuf_dyn_rx_timestamp_register(&sh->rx_ts_off, NULL) != 0) {
			dv_err("cannot register the mbuf RX timestamp: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		char name[32];
		snprintf(name, sizeof(name), "dv_inbox_%u", c);
		sh->inbox[c] = rte_ring_create(name, DV_INBOX_SIZE,
					       (int)rte_lcore_to_socket_id(dv_session_col_lcore(s, c)),
					       RING_F_SC_DEQ);
		if (sh->inbox[c] == NULL) {
			dv_err("cannot create the collectors' hand-off rings: %s", rte_strerror(rte_errno));
			return -ENOMEM;
		}
		s->col[c]->inbox = sh->inbox[c];
	}
	return 0;
}

static void handoff_release(struct dv_session *s)
{
	/* The rings may still hold mbufs: freed before the pools go. */
	if (s->sh != NULL)
		for (unsigned c = 0; c < DV_MAX_COLLECTORS; c++) {
			dv_ring_free_mbufs(s->sh->inbox[c]);
			s->sh->inbox[c] = NULL;
		}
	free(sport_owner);
	sport_owner = NULL;
}

const struct dv_feature dv_feature_handoff = {
	.name = "handoff",
	.setup = handoff_setup,
	.release = handoff_release,
};
