/*
 * Unit tests for lib/engine/reassembly.c with DPDK's rte_ip_frag and real
 * mbufs (EAL in memory): the fragment counters add up, the tracker counts
 * sets (not fragments) when full, incomplete sets hold at most their share
 * of the pool, and expired sets give their mbufs back on time, with no new
 * fragment arriving.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "check_main.h"
#include "engine/reassembly.h"
#include "wire/fragment.h"
#include "wire/response.h"
#include "wire_helpers.h"

#define POOL_SIZE 1023
#define TIMEOUT   8000u
#define DNS_PORT  53

static struct rte_mempool *pool;

static void eal_once(void)
{
	if (pool != NULL)
		return;
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=dvtreasm-%d", (int)getpid());
	char *eal[] = { "test_reassembly", "-l", "0", "--no-huge", "--no-shconf", "-m", "256",
			"--no-pci", prefix, "--log-level=error", "--no-telemetry", NULL };
	ck_assert_int_ge(rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])) - 1, eal), 0);
	pool = rte_pktmbuf_pool_create("dvtreasm", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	ck_assert_ptr_nonnull(pool);
}

/* Fragment k of set id: 8 bytes at offset 8k; more: MF. A frame in an mbuf. */
static struct rte_mbuf *frag4(uint16_t id, unsigned k, bool more)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	ck_assert_ptr_nonnull(m);
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 8);
	size_t off = put_eth(f, 0x0800, false);
	uint8_t *ip = f + off;
	memset(ip, 0, 28);
	ip[0] = 0x45;
	wr16(ip + 2, 28);
	wr16(ip + 4, id);
	wr16(ip + 6, (uint16_t)((more ? 0x2000 : 0) | k));
	ip[8] = 64;
	ip[9] = 17;
	inet_pton(AF_INET, "198.18.0.53", ip + 12);
	inet_pton(AF_INET, "198.18.2.1", ip + 16);
	wr16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, 20)));
	if (k == 0) {
		wr16(ip + 20, DNS_PORT);
		wr16(ip + 22, 10001);
		wr16(ip + 24, 8 * 3);
	}
	return m;
}

struct rig {
	struct dv_frags f;
	struct dv_frag_stats st;
	struct dv_hist cnt, spr;
	uint64_t received;
};

/* What col_fragment() does. */
static void feed(struct rig *r, struct rte_mbuf *m, uint64_t now)
{
	struct dv_frag_info fi;
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	ck_assert_int_eq(dv_frag_parse(d, m->data_len, &fi), 0);
	r->received++;
	dv_frags_note(&r->f, &fi, m->pkt_len, now, DNS_PORT, 10000, 10016, &r->st);
	if (r->f.tbl == NULL || !dv_frags_admit(&r->f, m, &r->st)) {
		rte_pktmbuf_free(m);
		return;
	}
	struct rte_mbuf *full = dv_frags_reassemble(&r->f, m, &fi, now);
	if (full != NULL) {
		dv_frags_done(&r->f, &fi, &r->st, &r->cnt, &r->spr);
		rte_pktmbuf_free(full);
	}
	dv_frags_flush(&r->f);
}

/* Every fragment received is in exactly one place. */
static void check_identity(const struct rig *r)
{
	const struct dv_frag_stats *st = &r->st;
	ck_assert_uint_eq(st->frags[DV_FAMILY_V4] + st->frags[DV_FAMILY_V6], r->received);
	ck_assert_uint_eq(r->received, st->in_reassembled + st->in_lost + st->untracked +
					       dv_frags_live_fragments(&r->f));
}

START_TEST(test_identities_share_expiry)
{
	eal_once();
	struct rig r;
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(dv_frags_init(&r.f, 64, TIMEOUT, 1.0, true, SOCKET_ID_ANY), 0);
	r.f.held_max = 40;
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t now = 1;

	/* Three sets of three fragments: reassembled. */
	for (uint16_t id = 1; id <= 3; id++)
		for (unsigned k = 0; k < 3; k++)
			feed(&r, frag4(id, k, k < 2), now);
	ck_assert_uint_eq(r.st.reassembled[DV_FAMILY_V4], 3);
	ck_assert_uint_eq(r.st.in_reassembled, 9);
	check_identity(&r);

	/* A flood: 10 sets of 7 fragments that never complete. At most 40 mbufs held. */
	for (uint16_t id = 100; id < 110; id++)
		for (unsigned k = 0; k < 7; k++) {
			feed(&r, frag4(id, k, true), now);
			ck_assert_uint_le(r.f.held, 40);
		}
	ck_assert_uint_eq(r.f.held, 40);
	ck_assert_uint_eq(r.st.over_share, 70 - 40);
	ck_assert_uint_eq(avail - rte_mempool_avail_count(pool), 40);
	check_identity(&r);

	/* Past the timeout, with no fragment arriving: the sets are lost and their mbufs back. */
	now += TIMEOUT + 1;
	ck_assert_uint_eq(dv_frags_expire(&r.f, now, false, &r.st, NULL, NULL), 10);
	ck_assert_uint_eq(r.st.lost_sets[DV_FAMILY_V4], 10);
	ck_assert_uint_eq(r.st.in_lost, 70);
	ck_assert_uint_eq(r.f.held, 0);
	ck_assert_uint_eq(rte_mempool_avail_count(pool), avail);
	check_identity(&r);
	dv_frags_free(&r.f);
}
END_TEST

START_TEST(test_full_tracker_counts_sets)
{
	eal_once();
	struct rig r;
	memset(&r, 0, sizeof(r));
	/* Drop mode: no rte_ip_frag table; the tracker holds 511 sets. */
	ck_assert_int_eq(dv_frags_init(&r.f, 64, TIMEOUT, 1.0, false, SOCKET_ID_ANY), 0);
	uint32_t cap = r.f.mask / 2;
	/* cap + 50 sets of two fragments each. */
	for (uint32_t id = 0; id < cap + 50; id++)
		for (unsigned k = 0; k < 2; k++)
			feed(&r, frag4((uint16_t)id, k, true), 1);
	ck_assert_uint_eq(r.st.untracked, 100);
	check_identity(&r);
	dv_frags_expire(&r.f, 0, true, &r.st, NULL, NULL);
	/* Sets, not fragments: the untracked ones are no sets. */
	ck_assert_uint_eq(r.st.lost_sets[DV_FAMILY_V4], cap);
	ck_assert_uint_eq(r.st.in_lost, 2 * cap);
	check_identity(&r);
	dv_frags_free(&r.f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reassembly");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_identities_share_expiry);
	tcase_add_test(tc, test_full_tracker_counts_sets);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
