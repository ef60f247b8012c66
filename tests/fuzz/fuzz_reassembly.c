/*
 * libFuzzer harness: a burst of received frames through a collector's
 * fragment path: the set tracker (engine/reassembly.h) and DPDK's rte_ip_frag,
 * with real mbufs. After every input, every mbuf must be back in its pool: a
 * leak (or a double free, which overfills it) aborts.
 *
 * Input: records of [ctl:1][len:2, big-endian][len bytes of frame]; the last
 * one may be cut short. ctl bits 0-3: how far the clock moves before the
 * frame, in eighths of the fragment timeout; bit 4: the frame is a chain of
 * two mbufs; bit 5: the burst ends after it (the death row is freed).
 *
 * EAL runs in memory (--no-huge --no-shconf), once per process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "engine/reassembly.h"
#include "wire/fragment.h"
#include "wire/response.h"

#define POOL_SIZE   255   /* 2^n - 1: a mempool's best size */
#define MAX_FRAMES  32
#define MAX_SETS    64
#define TIMEOUT_TSC 8000u /* ticks; ctl moves the clock by timeout/8 steps */
#define DNS_PORT    53
#define OUR_PORT_LO 10000
#define OUR_PORT_HI 10016

static struct rte_mempool *pool;
static struct dv_frags frags;
static struct dv_frag_stats fst;
static struct dv_hist frag_count, frag_spread;
static uint64_t now = 1;               /* the virtual TSC: only moves forward */
static uint8_t scratch[65536];         /* a reassembled datagram, made contiguous */
static uint16_t seg_room;              /* data room of one mbuf */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=dvfuzz-%d", (int)getpid());
	char *eal[] = { (*argv)[0], "-l", "0", "--no-huge", "--no-shconf", "-m", "256",
			"--no-pci", prefix, "--log-level=error", "--no-telemetry", NULL };
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal) < 0) {
		fprintf(stderr, "fuzz_reassembly: EAL init failed\n");
		abort();
	}
	pool = rte_pktmbuf_pool_create("dvfuzz", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL ||
	    dv_frags_init(&frags, MAX_SETS, TIMEOUT_TSC, 1.0, true, SOCKET_ID_ANY) != 0) {
		fprintf(stderr, "fuzz_reassembly: cannot allocate the pool or the tables\n");
		abort();
	}
	seg_room = (uint16_t)(rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM);
	return 0;
}

/* A lost set's verdict must describe one of ours. */
static void on_lost(void *ctx, const struct dv_frag_verdict *v)
{
	(void)ctx;
	if (!v->attributable || v->dport < OUR_PORT_LO || v->dport >= OUR_PORT_HI)
		abort();
}

/* The frame in one mbuf, or split in two (as a software fragmenter chains them). */
static struct rte_mbuf *to_mbuf(const uint8_t *f, uint16_t len, bool chain)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		abort(); /* MAX_FRAMES * 2 mbufs fit the pool: only a leak gets here */
	uint16_t first = chain ? len / 2 : len;
	memcpy(rte_pktmbuf_append(m, first), f, first);
	if (chain) {
		struct rte_mbuf *t = rte_pktmbuf_alloc(pool);
		if (t == NULL)
			abort();
		memcpy(rte_pktmbuf_append(t, (uint16_t)(len - first)), f + first, len - first);
		if (rte_pktmbuf_chain(m, t) != 0)
			abort();
	}
	return m;
}

/* What col_fragment() does with a fragment; the mbuf is consumed. */
static void fragment(struct rte_mbuf *m, const uint8_t *f, uint16_t len)
{
	struct dv_frag_info fi;
	if (dv_frag_parse(f, len, &fi) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	dv_frags_note(&frags, &fi, m->pkt_len, now, DNS_PORT, OUR_PORT_LO, OUR_PORT_HI, &fst);
	struct rte_mbuf *full = dv_frags_reassemble(&frags, m, &fi, now);
	if (full == NULL)
		return;
	uint32_t flen = rte_pktmbuf_pkt_len(full);
	const uint8_t *p = flen <= sizeof(scratch) ? rte_pktmbuf_read(full, 0, flen, scratch) : NULL;
	struct dv_resp_info ri;
	if (p != NULL && dv_response_parse(p, flen, DNS_PORT, &ri) == DV_PKT_DNS &&
	    (ri.dns < p || ri.dns + ri.dns_len > p + flen))
		abort();
	dv_frags_done(&frags, &fi, &fst, &frag_count, &frag_spread);
	rte_pktmbuf_free(full);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	for (int n = 0; n < MAX_FRAMES && size - pos >= 3; n++) {
		uint8_t ctl = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		bool chain = ctl & 0x10;
		size_t cap = chain ? 2u * seg_room : seg_room;
		if (len > size - pos)
			len = size - pos;
		if (len > cap)
			len = cap;
		const uint8_t *f = data + pos;
		pos += len;

		now += (ctl & 0x0f) * (TIMEOUT_TSC / 8);
		struct rte_mbuf *m = to_mbuf(f, (uint16_t)len, chain && len >= 2);
		struct dv_resp_info ri;
		if (dv_response_parse(f, len, DNS_PORT, &ri) == DV_PKT_FRAGMENT)
			fragment(m, f, (uint16_t)len);
		else
			rte_pktmbuf_free(m);
		if (ctl & 0x20)
			dv_frags_flush(&frags);
		dv_frags_expire(&frags, now, false, &fst, on_lost, NULL);
	}

	/* The end of a run: every set is given up and every mbuf freed. */
	dv_frags_flush(&frags);
	dv_frags_expire(&frags, 0, true, &fst, on_lost, NULL);
	now += TIMEOUT_TSC + 1;
	do {
		rte_ip_frag_table_del_expired_entries(frags.tbl, &frags.dr, now);
		if (frags.dr.cnt == 0)
			break;
		dv_frags_flush(&frags);
	} while (1);
	if (frags.live != 0 || rte_mempool_avail_count(pool) != POOL_SIZE) {
		fprintf(stderr, "fuzz_reassembly: %u mbufs of %u back in the pool, %u sets live\n",
			rte_mempool_avail_count(pool), POOL_SIZE, frags.live);
		abort();
	}
	return 0;
}
