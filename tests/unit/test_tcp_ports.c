/* TCP source ports: O(1) FIFO allocation, no 4-tuple reused within the quarantine. */
#include <check.h>

#include "check_main.h"
#include <errno.h>
#include <stdlib.h>

#include "tcp/ports.h"
#include "tcp/table.h"

static uint64_t mem[4096];

START_TEST(hands_out_interleaved_then_runs_out)
{
	struct dv_tcp_ports p;
	ck_assert_uint_eq(dv_tcp_ports_mem_size(2, 100, 102), 6 * 13);
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, sizeof(mem), 2, 100, 102, 1000), 0);
	uint16_t want[6][2] = { { 0, 100 }, { 1, 100 }, { 0, 101 }, { 1, 101 }, { 0, 102 }, { 1, 102 } };
	for (unsigned i = 0; i < 6; i++) {
		uint16_t a, port;
		ck_assert_int_eq(dv_tcp_ports_alloc(&p, 0, &a, &port), 0);
		ck_assert_uint_eq(a, want[i][0]);
		ck_assert_uint_eq(port, want[i][1]);
	}
	uint16_t a, port;
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 5000, &a, &port), -ENOSPC);
	ck_assert_uint_eq(dv_tcp_ports_key(&p, 1, 101), 4);
	ck_assert_uint_eq(dv_tcp_ports_key(&p, 2, 101), UINT32_MAX);
	ck_assert_uint_eq(dv_tcp_ports_key(&p, 0, 103), UINT32_MAX);
	ck_assert_uint_eq(dv_tcp_ports_key(&p, 0, 99), UINT32_MAX);
}
END_TEST

START_TEST(quarantine_holds_then_frees_in_release_order)
{
	struct dv_tcp_ports p;
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, sizeof(mem), 1, 5000, 5001, 60000), 0);
	uint16_t a, x, y, z;
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 0, &a, &x), 0);
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 0, &a, &y), 0);
	ck_assert_uint_eq(x, 5000);
	ck_assert_uint_eq(y, 5001);
	ck_assert_int_eq(dv_tcp_ports_release(&p, 0, y, 100), 0);
	ck_assert_int_eq(dv_tcp_ports_release(&p, 0, x, 200), 0);
	ck_assert_int_eq(dv_tcp_ports_release(&p, 0, x, 300), -EINVAL); /* not handed out */
	ck_assert_int_eq(dv_tcp_ports_release(&p, 0, 4999, 300), -EINVAL);
	/* All free keys in quarantine: refused until 100 + 60000. */
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 60099, &a, &z), -EAGAIN);
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 60100, &a, &z), 0);
	ck_assert_uint_eq(z, 5001); /* released first */
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 60150, &a, &z), -EAGAIN);
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 60200, &a, &z), 0);
	ck_assert_uint_eq(z, 5000);
	ck_assert_int_eq(dv_tcp_ports_alloc(&p, 90000, &a, &z), -ENOSPC);
}
END_TEST

START_TEST(bad_arguments)
{
	struct dv_tcp_ports p;
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, sizeof(mem), 0, 1, 2, 0), -EINVAL);
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, sizeof(mem), 1, 3, 2, 0), -EINVAL);
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, 12, 1, 1, 1, 0), -EINVAL);
	ck_assert_int_eq(dv_tcp_ports_init(&p, (uint8_t *)mem + 1, 100, 1, 1, 1, 0), -EINVAL);
	ck_assert_int_eq(dv_tcp_ports_init(&p, mem, 13, 1, 1, 1, 0), 0);
	ck_assert_uint_eq(dv_tcp_key_bytes(), 17);
	/* The figures lib/tcp/conn.h states: 272 + 4096 + 512 + 1028 + 20 per connection. */
	struct dv_tcp_cfg cfg;
	dv_tcp_cfg_default(&cfg, 1000);
	ck_assert_uint_eq(sizeof(struct dv_tcp_conn), 272);
	ck_assert_uint_eq(dv_tcp_conn_bytes(&cfg), 5928);
	ck_assert_int_eq(dv_tcp_cfg_check(&cfg), 0);
	cfg.prefix = (uint16_t)(cfg.rcvbuf + 1);
	ck_assert_int_eq(dv_tcp_cfg_check(&cfg), -EINVAL);
	ck_assert_uint_eq(dv_tcp_table_mem_size(&cfg), 0);
}
END_TEST

/* The table through its ports: a connection's port rests after it ended. */
static unsigned nsent, nev;
static struct dv_tcp_seg last;
static void rec_send(void *ctx, uint32_t c, uint16_t a, uint16_t p, const struct dv_tcp_seg *s)
{
	(void)ctx, (void)c, (void)a, (void)p;
	last = *s;
	nsent++;
}
static void rec_event(void *ctx, const struct dv_tcp_event *ev)
{
	(void)ctx, (void)ev;
	nev++;
}

START_TEST(table_reuses_a_port_only_after_the_quarantine)
{
	struct dv_tcp_cfg cfg;
	dv_tcp_cfg_default(&cfg, 1000);
	cfg.conns = 3;
	cfg.port_lo = 40000;
	cfg.port_hi = 40001;
	cfg.quarantine = 60000;
	cfg.timer_res = 1;
	struct dv_tcp_ops ops = { rec_send, rec_event };
	size_t size = dv_tcp_table_mem_size(&cfg);
	void *m = malloc(size);
	static struct dv_tcp_table t;
	ck_assert_int_eq(dv_tcp_table_init(&t, m, size, &cfg, &ops, NULL, 7, 0), 0);
	int c0 = dv_tcp_open(&t, 0), c1 = dv_tcp_open(&t, 0);
	ck_assert_int_eq(c0, 0);
	ck_assert_int_eq(c1, 1);
	ck_assert_uint_eq(t.conn[0].port, 40000);
	ck_assert_uint_eq(t.conn[1].port, 40001);
	ck_assert_uint_eq(dv_tcp_lookup(&t, 0, 40001), 1);
	ck_assert_int_eq(dv_tcp_open(&t, 0), -EADDRNOTAVAIL); /* both ports in use */
	ck_assert_uint_eq(t.counts.no_port, 1);
	ck_assert_int_eq(dv_tcp_abort(&t, 1, 10), 0);  /* port 40001 rests until 60010 */
	ck_assert_uint_eq(dv_tcp_lookup(&t, 0, 40001), DV_TCP_NONE);
	ck_assert_int_eq(dv_tcp_open(&t, 20), -EAGAIN);
	ck_assert_uint_eq(t.counts.port_quarantined, 1);
	ck_assert_int_eq(dv_tcp_open(&t, 60009), -EAGAIN);
	ck_assert_int_eq(dv_tcp_open(&t, 60010), 1);
	ck_assert_uint_eq(t.conn[1].port, 40001);
	ck_assert_ptr_null(dv_tcp_table_check(&t));
	/* Aborted in SYN_SENT: no RST, one CLOSED event each. */
	ck_assert_uint_eq(nsent, 3);
	ck_assert_uint_eq(nev, 1);
	ck_assert_uint_eq(last.flags, DV_TCP_SYN);
	ck_assert_uint_eq(t.counts.closed[DV_TCP_WHY_ABORTED], 1);
	free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tcp_ports");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, hands_out_interleaved_then_runs_out);
	tcase_add_test(tc, quarantine_holds_then_frees_in_release_order);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, table_reuses_a_port_only_after_the_quarantine);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
