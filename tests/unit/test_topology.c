/* The shape of a run from the plan: lanes, sizing, source port ranges, shares. */
#include <check.h>
#include <math.h>
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "config/scenario.h"
#include "engine/reassembly.h"
#include "engine/topology.h"

static struct dv_plan plan;

static void setup(void)
{
	dv_plan_defaults(&plan);
}

START_TEST(lanes_one_port)
{
	struct dv_topology t;
	plan.generators = 2;
	plan.collectors = 3;
	dv_topo_lanes(&plan, &t);
	ck_assert_uint_eq(t.ngen, 2);
	ck_assert_uint_eq(t.ncol, 3);
	ck_assert_uint_eq(t.nlanes, 6);
	/* Generator by generator, each with every collector. */
	for (unsigned li = 0; li < 6; li++) {
		ck_assert_uint_eq(t.lane_gen[li], li / 3);
		ck_assert_uint_eq(t.lane_col[li], li % 3);
		ck_assert_uint_eq(t.lane_port[li], 0);
	}
}
END_TEST

START_TEST(lanes_default_one_each)
{
	struct dv_topology t;
	plan.generators = 0;
	plan.collectors = 0;
	dv_topo_lanes(&plan, &t);
	ck_assert_uint_eq(t.ngen, 1);
	ck_assert_uint_eq(t.ncol, 1);
	ck_assert_uint_eq(t.nlanes, 1);
}
END_TEST

START_TEST(lanes_two_ports)
{
	struct dv_topology t;
	plan.nports = 2;
	plan.generators = 4; /* g0, g2 on port 0; g1, g3 on port 1 */
	plan.collectors = 2; /* c0 on port 0, c1 on port 1 */
	dv_topo_lanes(&plan, &t);
	ck_assert_uint_eq(t.nlanes, 4);
	static const uint8_t gen[] = { 0, 1, 2, 3 }, col[] = { 0, 1, 0, 1 }, port[] = { 0, 1, 0, 1 };
	for (unsigned li = 0; li < 4; li++) {
		ck_assert_uint_eq(t.lane_gen[li], gen[li]);
		ck_assert_uint_eq(t.lane_col[li], col[li]);
		ck_assert_uint_eq(t.lane_port[li], port[li]);
	}
	/* Never a lane across ports. */
	plan.generators = 2;
	plan.collectors = 4;
	dv_topo_lanes(&plan, &t);
	ck_assert_uint_eq(t.nlanes, 4);
	for (unsigned li = 0; li < t.nlanes; li++)
		ck_assert_uint_eq(t.lane_gen[li] % 2, t.lane_col[li] % 2);
}
END_TEST

START_TEST(sizing_per_rate_mode)
{
	plan.qps = 5000;
	ck_assert_double_eq(dv_topo_sizing_qps(&plan, 1), 5000);
	plan.rate_mode = DV_RATE_SEARCH;
	ck_assert_double_eq(dv_topo_sizing_qps(&plan, 1), 5000);
	plan.rate_mode = DV_RATE_RAMP;
	plan.ramp.from_qps = 100;
	plan.ramp.to_qps = 9000;
	ck_assert_double_eq(dv_topo_sizing_qps(&plan, 1), 9000);
	plan.ramp.from_qps = 12000; /* a ramp down: sized for its start */
	ck_assert_double_eq(dv_topo_sizing_qps(&plan, 1), 12000);
	plan.rate_mode = DV_RATE_MAX;
	plan.nports = 2;
	plan.port[0].profile.max_qps = 1e6;
	plan.port[1].profile.max_qps = 3e5;
	/* Each generator at its port's max-qps: g0, g2 on port 0, g1 on port 1. */
	ck_assert_double_eq(dv_topo_sizing_qps(&plan, 3), 2.3e6);
}
END_TEST

START_TEST(sizing_tables)
{
	struct dv_topology t;
	struct dv_lifetime lt;
	struct dv_sizing sz;
	plan.qps = 1e6;
	plan.timeout_s = 1.0;
	plan.generators = 2;
	plan.collectors = 2;
	dv_topo_lanes(&plan, &t);
	dv_topo_lifetime(&plan, &lt);
	ck_assert_uint_eq(lt.attempts, 1);
	ck_assert_double_eq(lt.lifetime_s, 1.0);
	dv_topo_sizing(&plan, &t, &lt, &sz);
	ck_assert_double_eq(sz.lane_qps, 250000);
	/* 250k qps x 1 s x 2 headroom: 2^19 slots. */
	ck_assert_uint_eq(sz.slots, 1u << 19);
	ck_assert_uint_eq(sz.lslots, 1u << 19);
	/* Small rates still get the minimum. */
	plan.qps = 10;
	dv_topo_sizing(&plan, &t, &lt, &sz);
	ck_assert_uint_eq(sz.slots, 65536);
}
END_TEST

START_TEST(lifetime_sums_timers)
{
	struct dv_lifetime lt;
	plan.timeout_s = 0.5;
	plan.seq.attempts = 3;
	plan.seq.timer_s[0] = 0.2;
	plan.seq.timer_s[1] = 0.3;
	plan.seq.timer_s[2] = 0; /* the last: -t */
	dv_topo_lifetime(&plan, &lt);
	ck_assert_uint_eq(lt.attempts, 3);
	ck_assert_double_eq_tol(lt.seq_s, 1.0, 1e-12);
	ck_assert_double_eq_tol(lt.lifetime_s, 1.0, 1e-12);
	/* A long -t outlives the sequence. */
	plan.seq.attempts = 1;
	plan.seq.timer_s[0] = 0;
	plan.timeout_s = 4;
	dv_topo_lifetime(&plan, &lt);
	ck_assert_double_eq(lt.lifetime_s, 4);
}
END_TEST

START_TEST(lane_ports_default_consecutive)
{
	uint32_t base, n;
	plan.sport_base = 10000;
	for (unsigned li = 0; li < 3; li++) {
		ck_assert_int_eq(dv_topo_lane_ports(&plan, li, 3, 1u << 18, &base, &n), 0);
		ck_assert_uint_eq(n, 4);
		ck_assert_uint_eq(base, 10000 + li * 4);
	}
	/* Not enough ports above the base. */
	plan.sport_base = 65534;
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 1, 1u << 18, &base, &n), -EINVAL);
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 1, 1u << 17, &base, &n), 0);
	ck_assert_uint_eq(base + n, 65536);
}
END_TEST

START_TEST(lane_ports_range_split)
{
	uint32_t base, n;
	plan.sport_base = 20000;
	plan.sport_high = 20999; /* 1000 ports over 4 lanes: 250 each, 128 used */
	for (unsigned li = 0; li < 4; li++) {
		ck_assert_int_eq(dv_topo_lane_ports(&plan, li, 4, 1u << 16, &base, &n), 0);
		ck_assert_uint_eq(base, 20000 + li * 250);
		ck_assert_uint_eq(n, 128);
	}
	/* Never more ports than slots, nor above 32768. */
	plan.sport_high = 65535;
	plan.sport_base = 1024;
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 1, 1u << 16, &base, &n), 0);
	ck_assert_uint_eq(n, 32768);
	/* Too few: less than a port per lane, or fewer than the tables need. */
	plan.sport_base = 20000;
	plan.sport_high = 20002;
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 4, 1u << 16, &base, &n), -EINVAL);
	plan.sport_high = 20003;
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 4, 1u << 16, &base, &n), 0);
	ck_assert_int_eq(dv_topo_lane_ports(&plan, 0, 4, 1u << 17, &base, &n), -EINVAL);
}
END_TEST

START_TEST(shares)
{
	/* --max-queries 10 over 3 generators: 4, 3, 3. */
	ck_assert_uint_eq(dv_topo_quota(10, 3, 0), 4);
	ck_assert_uint_eq(dv_topo_quota(10, 3, 1), 3);
	ck_assert_uint_eq(dv_topo_quota(10, 3, 2), 3);
	ck_assert_uint_eq(dv_topo_quota(0, 3, 0), 0);
	/* Catch-up: 200 us of the share, at least a burst. */
	plan.burst = 32;
	ck_assert_uint_eq(dv_topo_backlog(&plan, 1e6, 2), 100);
	ck_assert_uint_eq(dv_topo_backlog(&plan, 1e4, 1), 32);
	plan.rate_mode = DV_RATE_RAMP;
	plan.ramp.to_qps = 2e6;
	ck_assert_uint_eq(dv_topo_backlog(&plan, 1e4, 1), 400);
	/* Fragment sets: bounded. */
	ck_assert_uint_eq(dv_topo_frag_sets(1000, 1, 1, 1.0), 3024);
	ck_assert_uint_eq(dv_topo_frag_sets(1e9, 1, 1, 1.0), DV_FRAG_SETS_MAX);
}
END_TEST

START_TEST(tcp_ports_split)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	uint32_t lo, n;
	ck_assert_int_eq(dv_topo_tcp_ports(&p, 0, 1, &lo, &n), 0);
	ck_assert_uint_eq(lo, 10000);
	ck_assert_uint_eq(n, 55536);
	ck_assert_int_eq(dv_topo_tcp_ports(&p, 2, 3, &lo, &n), 0);
	ck_assert_uint_eq(n, 18512);
	ck_assert_uint_eq(lo, 10000 + 2 * 18512);
	ck_assert_uint_le(lo + n, 65536);
	p.sport_base = 2000;
	p.sport_high = 2047;
	ck_assert_int_eq(dv_topo_tcp_ports(&p, 1, 2, &lo, &n), 0);
	ck_assert_uint_eq(lo, 2024);
	ck_assert_uint_eq(n, 24);
	ck_assert_int_eq(dv_topo_tcp_ports(&p, 0, 4, &lo, &n), -EINVAL); /* 12 each */
}
END_TEST

START_TEST(tcp_conns_sized)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	p.transport = DV_TRANSPORT_TCP;
	struct dv_lifetime lt;
	dv_topo_lifetime(&p, &lt);
	ck_assert(lt.lifetime_s == 1.0);
	/* 1000 new connections a second x (1 s + 3 x 1 s RTO) x 2 */
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 1000, &lt), 8000);
	p.tcp.queries_per_conn = 10;
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 1000, &lt), 800);
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 10, &lt), DV_TCP_CONNS_AUTO_MIN);
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 1e6, &lt), DV_TCP_CONNS_AUTO_MAX);
	p.tcp.end = DV_TCP_END_IDLE; /* + 60 s */
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 100, &lt), 10 * 64 * 2);
	p.tcp.conns = 5;
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 1e6, &lt), 5);
}
END_TEST

/* TCP after UDP: a connection per query at most, living its attempt's timer and one RTO. */
START_TEST(tcp_conns_sized_for_fallback)
{
	struct dv_plan p;
	dv_plan_defaults(&p);
	p.seq.attempts = 2;
	p.seq.timer_s[0] = 0.4;
	p.seq.timer_s[1] = 0.8;
	p.seq.on_tc = DV_ON_TC_TCP;
	struct dv_lifetime lt;
	dv_topo_lifetime(&p, &lt);
	ck_assert(lt.tc_attempt);
	ck_assert(lt.timer_s[2] == 0.8);
	ck_assert(fabs(lt.seq_s - 2.0) < 1e-9);
	/* 1000 queries a second x (0.8 s + 1 s RTO) */
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 1000, &lt), 1800);
	ck_assert_uint_eq(dv_topo_tcp_conns(&p, 10, &lt), DV_TCP_CONNS_AUTO_MIN);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("topology");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, lanes_one_port);
	tcase_add_test(tc, lanes_default_one_each);
	tcase_add_test(tc, lanes_two_ports);
	tcase_add_test(tc, sizing_per_rate_mode);
	tcase_add_test(tc, sizing_tables);
	tcase_add_test(tc, lifetime_sums_timers);
	tcase_add_test(tc, lane_ports_default_consecutive);
	tcase_add_test(tc, lane_ports_range_split);
	tcase_add_test(tc, shares);
	tcase_add_test(tc, tcp_ports_split);
	tcase_add_test(tc, tcp_conns_sized);
	tcase_add_test(tc, tcp_conns_sized_for_fallback);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
