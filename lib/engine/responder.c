/*
 * The embedded responder: an lcore that answers every query on its port.
 * It is the quickstart's target and the tests' ground truth, so it must
 * answer exactly what it is asked, and count what it drops.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "engine/lcore.h"
#include "util/count.h"
#include "wire/answer.h"

int dv_responder_main(struct dv_resp *r)
{
	const struct dv_shared *sh = r->sh;
	bool frugal = sh->plan->poll == DV_POLL_FRUGAL;
	struct rte_mbuf *in[DV_BURST_MAX];
	struct rte_mbuf *out[DV_BURST_MAX];

	while (!__atomic_load_n(&sh->stop_rx, __ATOMIC_ACQUIRE)) {
		uint16_t nb = rte_eth_rx_burst(r->port, 0, in, (uint16_t)r->burst);
		if (nb == 0) {
			if (frugal)
				dv_frugal_sleep(10000);
			continue;
		}
		unsigned nout = 0;
		for (uint16_t i = 0; i < nb; i++) {
			struct rte_mbuf *m = in[i];
			size_t cap = (size_t)m->data_len + rte_pktmbuf_tailroom(m);
			int len = m->nb_segs == 1
				  ? dv_answer_build(rte_pktmbuf_mtod(m, uint8_t *), m->data_len, cap,
						    &sh->answer_cfg)
				  : -1;
			if (len < 0) {
				rte_pktmbuf_free(m);
				dv_count_add(&r->dropped, 1);
				continue;
			}
			m->data_len = (uint16_t)len;
			m->pkt_len = (uint32_t)len;
			out[nout++] = m;
		}
		uint16_t sent = rte_eth_tx_burst(r->port, 0, out, (uint16_t)nout);
		dv_count_add(&r->answered, sent);
		if (sent < nout) {
			rte_pktmbuf_free_bulk(out + sent, nout - sent);
			dv_count_add(&r->dropped, nout - sent);
		}
	}
	__atomic_store_n(&r->finished, 1, __ATOMIC_RELEASE);
	return 0;
}
