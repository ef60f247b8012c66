/*
 * Benchmark (not a test): the least a query from a query file can cost one
 * core, built from dnsvolley's own pieces in the tightest loop they allow,
 * into net_null. crafting.sh runs it beside dnsvolley and testpmd: what the
 * generator takes beyond the mode that tracks like it is its generality
 * (lanes, policies, retries, checks, TCP); what a mode takes beyond testpmd
 * is what that much work costs on this machine, whatever the program.
 *
 * Modes, each adding to the one before:
 *   dpdk     mbufs allocated in bursts of 32, lengths set, handed to the PMD
 *            (headers written once, when the pool is made, as dnsvolley's
 *            reused mbufs keep theirs; testpmd copies its header into every
 *            frame);
 *   frame    + each frame's DNS part: a query-file entry's question copied,
 *            the ID and source port of its number (dv_inflight_wire_id()),
 *            OPT, lengths and both checksums (dv_frame_recompose());
 *   lean     + the least tracking that still finds every answer's query and
 *            its TX time: 16 bytes a query (number, TX time) in a table
 *            indexed by the wire's slot, published once a burst;
 *   tracked  + dnsvolley's own records instead: the logical query's record
 *            (entry, type, last TX time), the attempt's identity written to
 *            the in-flight slot under its seqlock (dv_inflight_issue()),
 *            sent counted once a burst;
 *   unique   as tracked, with a name generated for each query
 *            ('{seq}.{rand8}.bench.test', as crafting.sh) and its sum, written
 *            straight into the frame, as the generator does, instead of the
 *            file's entry;
 *   offload  as unique, with the checksums left to the NIC, as the generator
 *            leaves them to a NIC that offers it (dv_l34_offload(): neither
 *            the headers' sums nor the name's; net_null ignores the flags).
 * No mode waits for answers or for room: nothing answers in net_null, and
 * the table's slots are overwritten in turn.
 *
 * usage: dv-floor [EAL options] -- MODE SECONDS QUERY_FILE
 * prints: MODE cycles_per_query queries_per_second
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config/queryfile.h"
#include "engine/inflight.h"
#include "engine/qsource.h"
#include "wire/compose.h"

#include "floor_args.h"

#define FLOOR_BURST 32
#define FLOOR_MBUFS 16384
#define FLOOR_SLOTS (1u << 20)

enum floor_mode { FLOOR_DPDK, FLOOR_FRAME, FLOOR_LEAN, FLOOR_TRACKED, FLOOR_UNIQUE, FLOOR_OFFLOAD,
		  FLOOR_MODES };
static const char *const floor_modes[] = { "dpdk", "frame", "lean", "tracked", "unique", "offload" };

/* The least record that matches an answer to its query: number and TX time. */
struct floor_lean {
	uint64_t seq;
	uint64_t tx_tsc;
};

/* What the generator keeps of a logical query to send its later attempts. */
struct floor_lq {
	uint32_t qidx;
	uint16_t qtype;
	uint16_t pad;
	uint64_t last_tx_tsc;
};

struct floor {
	enum floor_mode mode;
	struct dv_l34_tmpl l34;
	struct dv_opt opt;
	struct dv_question *q;
	uint32_t nq;
	struct dv_inflight ifl;
	struct floor_lean *lean;
	struct floor_lq *lq;
	struct dv_qsource qs;   /* unique: the pattern */
	uint64_t sent;
};

/* Every mbuf of the pool holds the template's headers, as the generator's do once reused. */
static void floor_fill(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	const struct dv_l34_tmpl *t = arg;
	struct rte_mbuf *m = obj;
	(void)mp;
	(void)idx;
	memcpy((uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM, t->bytes, t->len);
}

static int floor_questions(struct floor *f, const char *path)
{
	struct dv_query_list ql;
	int rc = dv_queryfile_load(path, &ql);
	if (rc != 0)
		return rc;
	f->q = aligned_alloc(64, ql.n * sizeof(*f->q));
	if (f->q == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < ql.n && rc == 0; i++)
		rc = dv_question_build(&ql.q[i], &f->q[i]);
	f->nq = (uint32_t)ql.n;
	dv_query_list_free(&ql);
	return rc;
}

/* One burst: the loop's only work, inlined once per mode (a constant there). */
static inline __attribute__((always_inline)) void floor_burst(struct floor *f, struct rte_mempool *mp,
							     uint32_t *qcursor, enum floor_mode mode)
{
	struct rte_mbuf *m[FLOOR_BURST];
	if (rte_pktmbuf_alloc_bulk(mp, m, FLOOR_BURST) != 0)
		return;
	uint64_t seq0 = f->sent;
	uint32_t qi = *qcursor;
	uint32_t qidx[FLOOR_BURST];
	for (unsigned i = 0; i < FLOOR_BURST; i++) {
		uint16_t len = 97; /* dnsvolley's frame length from crafting.sh's file */
		if (mode >= FLOOR_UNIQUE) {
			uint8_t *dst = rte_pktmbuf_mtod(m[i], uint8_t *);
			uint8_t *dns = dst + f->l34.l4_off + DV_UDP_HLEN;
			uint32_t nsum, qsum = 0;
			uint8_t nlen;
			qidx[i] = DV_QIDX_GENERATED;
			if (mode == FLOOR_OFFLOAD) {
				nlen = dv_qsource_name(&f->qs, seq0 + i, dns + DV_DNS_HLEN);
			} else {
				nlen = dv_qsource_name_sum(&f->qs, seq0 + i, dns + DV_DNS_HLEN, &nsum);
				qsum = dv_question_sum_named(nlen, 1, nsum);
			}
			uint16_t qlen = dv_question_finish(dns, nlen, 1);
			uint16_t sport, id;
			dv_inflight_wire_id(&f->ifl, seq0 + i, &sport, &id);
			len = dv_frame_recompose(dst, &f->l34, dns, qlen, qsum, &f->opt, id, sport, NULL);
		} else if (mode >= FLOOR_FRAME) {
			const struct dv_question *q = &f->q[qi];
			qidx[i] = qi;
			if (++qi == f->nq)
				qi = 0;
			uint16_t sport, id;
			dv_inflight_wire_id(&f->ifl, seq0 + i, &sport, &id);
			len = dv_frame_recompose(rte_pktmbuf_mtod(m[i], uint8_t *), &f->l34, q->wire, q->len,
						 q->sum, &f->opt, id, sport, NULL);
		}
		m[i]->data_len = len;
		m[i]->pkt_len = len;
	}
	uint64_t t = rte_rdtsc();
	if (mode == FLOOR_LEAN) {
		for (unsigned i = 0; i < FLOOR_BURST; i++) {
			struct floor_lean *r = &f->lean[(uint32_t)(seq0 + i) & (FLOOR_SLOTS - 1)];
			r->seq = seq0 + i;
			r->tx_tsc = t;
		}
	} else if (mode >= FLOOR_TRACKED) {
		for (unsigned i = 0; i < FLOOR_BURST; i++) {
			uint64_t lseq = seq0 + i;
			struct floor_lq *lq = &f->lq[(uint32_t)lseq & (FLOOR_SLOTS - 1)];
			lq->qidx = qidx[i];
			lq->qtype = mode >= FLOOR_UNIQUE ? 1 : f->q[qidx[i]].qtype;
			lq->last_tx_tsc = t;
			struct dv_attempt_id a = { .lseq = lseq, .qidx = qidx[i], .qtype = lq->qtype,
						   .family = DV_FAMILY_V4, .edns_var = 0 };
			dv_inflight_issue(&f->ifl, seq0 + i, &a, t);
		}
		dv_inflight_publish(&f->ifl, seq0 + FLOOR_BURST);
	}
	*qcursor = qi;
	uint16_t nb = rte_eth_tx_burst(0, 0, m, FLOOR_BURST);
	if (nb < FLOOR_BURST)
		rte_pktmbuf_free_bulk(m + nb, FLOOR_BURST - nb);
	__atomic_store_n(&f->sent, seq0 + nb, __ATOMIC_RELEASE);
}

static int floor_port(struct rte_mempool *mp)
{
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_count_avail() < 1)
		return -ENODEV;
	int rc = rte_eth_dev_configure(0, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(0, 0, 512, (unsigned)rte_socket_id(), NULL, mp);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(0, 0, 512, (unsigned)rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(0);
	return rc;
}

int main(int argc, char **argv)
{
	static struct floor f;
	int n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dv-floor: EAL init failed\n");
		return 2;
	}
	argc -= n;
	argv += n;
	unsigned mode;
	double secs;
	if (floor_args("dv-floor", true, argc, argv, floor_modes, FLOOR_MODES, &mode, &secs) != 0)
		return 2;
	f.mode = (enum floor_mode)mode;

	struct dv_endpoints ep;
	floor_endpoints(&ep);
	f.lean = aligned_alloc(64, FLOOR_SLOTS * sizeof(*f.lean));
	f.lq = aligned_alloc(64, FLOOR_SLOTS * sizeof(*f.lq));
	if (dv_l34_build(&ep, &f.l34) != 0 || floor_questions(&f, argv[3]) != 0 || f.nq == 0 ||
	    dv_inflight_init(&f.ifl, FLOOR_SLOTS, 1024) != 0 || f.lean == NULL || f.lq == NULL) {
		fprintf(stderr, "dv-floor: cannot set up (query file %s)\n", argv[3]);
		return 2;
	}
	dv_opt_build(1232, false, &f.opt);
	if (f.mode == FLOOR_OFFLOAD)
		dv_l34_offload(&f.l34);
	const char *why = NULL;
	f.qs.generated = true;
	f.qs.seed = 42;
	f.qs.name_mul = 1;
	if (dv_qname_compile(FLOOR_PATTERN, &f.qs.pattern, &why) != 0) {
		fprintf(stderr, "dv-floor: the name pattern: %s\n", why);
		return 2;
	}
	/* First touch here, not in the measured loop. */
	memset(f.lean, 0, FLOOR_SLOTS * sizeof(*f.lean));
	memset(f.lq, 0, FLOOR_SLOTS * sizeof(*f.lq));

	struct rte_mempool *mp = rte_pktmbuf_pool_create("floor", FLOOR_MBUFS, 256, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL || floor_port(mp) != 0) {
		fprintf(stderr, "dv-floor: no port (give --vdev net_null0,no-rx=1)\n");
		return 2;
	}
	rte_mempool_obj_iter(mp, floor_fill, &f.l34);

	uint32_t qcursor = 0;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t t0 = rte_rdtsc(), end = t0 + (uint64_t)(secs * (double)hz), now;
	do {
		for (unsigned k = 0; k < 64; k++) {
			switch (f.mode) {
			case FLOOR_DPDK: floor_burst(&f, mp, &qcursor, FLOOR_DPDK); break;
			case FLOOR_FRAME: floor_burst(&f, mp, &qcursor, FLOOR_FRAME); break;
			case FLOOR_LEAN: floor_burst(&f, mp, &qcursor, FLOOR_LEAN); break;
			case FLOOR_TRACKED: floor_burst(&f, mp, &qcursor, FLOOR_TRACKED); break;
			case FLOOR_UNIQUE: floor_burst(&f, mp, &qcursor, FLOOR_UNIQUE); break;
			case FLOOR_OFFLOAD: floor_burst(&f, mp, &qcursor, FLOOR_OFFLOAD); break;
			case FLOOR_MODES: break;
			}
		}
		now = rte_rdtsc();
	} while (now < end);
	double cpq = f.sent > 0 ? (double)(now - t0) / (double)f.sent : 0;
	printf("%s %.2f %.0f\n", floor_modes[mode], cpq, (double)f.sent * (double)hz / (double)(now - t0));
	rte_eth_dev_stop(0);
	rte_eal_cleanup();
	return 0;
}
