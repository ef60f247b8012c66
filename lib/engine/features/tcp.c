/*
 * --transport tcp: every lane's collector owns the lane's connections
 * (engine/tcp_lane.c); here they are made, sized from the plan, on the
 * collector's socket: a table per family, the queries each connection
 * carries, a header template, a pool for the frames and the ring that takes
 * them to the lane's generator. The drain waits for connections to end
 * (bounded), so that closes and the server's idle timeout are measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "core/log.h"
#include "engine/features/feature.h"
#include "engine/result.h"
#include "engine/tcp_lane.h"
#include "engine/topology.h"
#include "wire/frame_parse.h"

#define DV_TCP_RING 2048      /* frames on their way to the generator */
#define DV_TCP_POOL 8191      /* frames built and not yet sent: the ring, the TX queue, a burst */
#define DV_TCP_POOL_MIN 1023  /* a population's lane: its kind's share of the TCP frames */
#define DV_TCP_RCVBUF 4096    /* the window: in-order bytes are consumed at once */
#define DV_TCP_PREFIX 2048    /* an answer's bytes kept (header, question, records to sample) */
#define DV_TCP_CLOSE_WAIT_S 2 /* the drain waits this long for closes (FIN exchanges) */
#define DV_TCP_ADDR_MAX 1024  /* --src range: source addresses a lane's table uses */
#define DV_TCP_KEYS_MAX (1u << 20) /* (address, port) keys per table: 17 MiB of lookup and ports */

static struct dv_tcp_lane *lanes[DV_MAX_LANES];
static uint8_t *tcp_owner;   /* TCP source port -> its collector + 1 */
static uint64_t mem_bytes;   /* tables and queries of all lanes */
static uint64_t drain_from;  /* TSC the drain began waiting for connections */
static uint64_t wound_at;    /* TSC the collectors were told to close what is left */

/* The endpoints a lane's UDP template was built from, to build its TCP one. */
static void endpoints_of(const struct dv_l34_tmpl *l, uint16_t dport, struct dv_endpoints *ep)
{
	memset(ep, 0, sizeof(*ep));
	memcpy(ep->dst_mac, l->bytes, 6);
	memcpy(ep->src_mac, l->bytes + 6, 6);
	if (l->l3_off > DV_ETH_HLEN)
		ep->vlan = dv_rd16(l->bytes + 14) & 0x0fff;
	ep->src.family = ep->dst.family = l->family;
	unsigned n = l->family == AF_INET6 ? 16 : 4;
	memcpy(&ep->src.v6, l->bytes + l->src_off, n);
	memcpy(&ep->dst.v6, l->bytes + l->src_off + n, n);
	ep->dport = dport;
}

static void tcp_cfg_of(const struct dv_plan *plan, uint64_t hz, struct dv_tcp_cfg *cfg)
{
	const struct dv_tcp_plan *tp = &plan->tcp;
	dv_tcp_cfg_default(cfg, hz);
	cfg->quarantine = (uint64_t)(tp->quarantine_s * (double)hz);
	cfg->rcvbuf = DV_TCP_RCVBUF;
	cfg->prefix = DV_TCP_PREFIX;
	cfg->query_max = DV_QUESTION_MAX + DV_OPT_LEN;
	uint32_t sb = tp->pipeline * (cfg->query_max + 2u);
	cfg->sndbuf = (uint16_t)(sb > 65535 ? 65535 : sb);
	cfg->pipeline = (uint16_t)tp->pipeline;
	cfg->queries = tp->queries_per_conn;
	switch (tp->end) {
	case DV_TCP_END_CLOSE: cfg->mode = DV_TCP_MODE_FIN; break;
	case DV_TCP_END_RESET: cfg->mode = DV_TCP_MODE_RST; break;
	case DV_TCP_END_IDLE:
		cfg->mode = DV_TCP_MODE_IDLE;
		cfg->idle_max = (uint64_t)(tp->idle_max_s * (double)hz);
		break;
	}
	if (tp->stress == DV_TCP_STRESS_HOLD)
		cfg->mode = DV_TCP_MODE_HOLD;
	else if (tp->stress == DV_TCP_STRESS_HALF_OPEN)
		cfg->mode = DV_TCP_MODE_HALF_OPEN;
	cfg->hold_max = 0; /* until the end of the run */
	cfg->rto_init = (uint64_t)(tp->rto_init_s * (double)hz);
	/* RFC 6298's 1 s minimum, unless the user starts below it (a lab link). */
	cfg->rto_min = cfg->rto_init < hz ? cfg->rto_init : hz;
	/* A load generator gives up sooner than a kernel (6 and 15 retries). */
	cfg->syn_retries = 3;
	cfg->data_retries = 5;
}

static bool churn_of(const struct dv_plan *plan)
{
	return plan->tcp.queries_per_conn == 0 || plan->tcp.stress == DV_TCP_STRESS_HALF_OPEN;
}

/* Cache-aligned, zeroed memory (released with free()). */
static void *zalloc(size_t n)
{
	size_t sz = (n + RTE_CACHE_LINE_SIZE - 1) / RTE_CACHE_LINE_SIZE * RTE_CACHE_LINE_SIZE;
	void *p = aligned_alloc(RTE_CACHE_LINE_SIZE, sz);
	if (p != NULL)
		memset(p, 0, sz);
	return p;
}

/*
 * The MSS we offer: what fits the interface's MTU (a 1280-byte lab link must
 * not get 1460-byte segments that only path MTU discovery would cut down,
 * and where that fails, never arrive). A kernel interface's MTU is read from
 * sysfs (the run's namespace's); other ports offer Ethernet's.
 */
static uint16_t mss_of(const struct dv_port_plan *pp, unsigned f)
{
	unsigned hdr = f == DV_FAMILY_V6 ? 60 : 40;
	unsigned mtu = 1500;
	char path[160];
	if (pp->profile.kernel_iface &&
	    snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", pp->arg) < (int)sizeof(path)) {
		FILE *fp = fopen(path, "r");
		unsigned v;
		if (fp != NULL) {
			if (fscanf(fp, "%u", &v) == 1 && v >= 1280 && v <= 1500)
				mtu = v;
			fclose(fp);
		}
	}
	return (uint16_t)(mtu - hdr);
}

static int side_setup(struct dv_session *s, struct dv_tcp_lane *t, unsigned li, unsigned f,
		      const struct dv_tcp_cfg *base, uint32_t conns, int socket)
{
	struct dv_tcp_side *sd = &t->side[f];
	struct dv_tcp_cfg cfg = *base;
	cfg.conns = conns;
	cfg.port_lo = t->port_lo;
	cfg.port_hi = (uint16_t)(t->port_lo + t->nports - 1);
	/* --src range: the lane's addresses, each with the lane's ports, as many
	 * (address, port) keys as the lookup table may hold. */
	const struct dv_src_range *range = &s->sh->srcs[li][f];
	if (range->alen != 0) {
		/* The connections' table keys an address by its index: the range's first ones. */
		struct dv_src *a = calloc(DV_TCP_ADDR_MAX, sizeof(*a));
		uint32_t n = a == NULL ? 0 : dv_src_range_list(range, a, DV_TCP_ADDR_MAX);
		sd->srcs = a;
		sd->nsrc = n;
		if (n == 0 || dv_tcp_side_rev_build(sd, f == DV_FAMILY_V6 ? 16 : 4) != 0) {
			dv_err("--transport tcp: out of memory for the source addresses");
			return -ENOMEM;
		}
		uint32_t per = DV_TCP_KEYS_MAX / n;
		if (per < t->nports)
			cfg.port_hi = (uint16_t)(t->port_lo + per - 1);
		cfg.naddr = (uint16_t)n;
	}
	cfg.mss = mss_of(&s->plan->port[s->topo.lane_port[li]], f);
	sd->ln = t;
	sd->fam = f;
	sd->family = f == DV_FAMILY_V6 ? AF_INET6 : AF_INET;
	struct dv_endpoints ep;
	endpoints_of(&s->sh->l34[li][f], s->plan->dport, &ep);
	if (dv_tcp_tmpl_build(&ep, &sd->tmpl) != 0)
		return -EINVAL;
	size_t tsz = dv_tcp_table_mem_size(&cfg);
	size_t psz = (size_t)conns * t->pipeline * sizeof(struct dv_tcp_pend);
	if (tsz == 0) {
		dv_err("--transport tcp: the connection settings do not fit (%u connections)", conns);
		return -EINVAL;
	}
	/* Plain memory, not hugepages: the tables can be large (--tcp-conns), and
	 * the EAL's memory is capped for the mbuf pools. */
	(void)socket;
	sd->tbl = zalloc(sizeof(*sd->tbl));
	sd->mem = zalloc(tsz);
	sd->pend = zalloc(psz);
	if (sd->tbl == NULL || sd->mem == NULL || sd->pend == NULL) {
		dv_err("--transport tcp: out of memory for %u connections (%.1f MiB); "
		       "lower --tcp-conns", conns, (double)(tsz + psz) / 1048576.0);
		return -ENOMEM;
	}
	mem_bytes += tsz + psz;
	/* Fresh every run: a server may still hold an earlier run's 4-tuple (TIME-WAIT),
	 * and RFC 6528 wants ISNs nobody can guess from the last run's. */
	uint64_t seed = rte_rdtsc() ^ ((uint64_t)getpid() << 20) ^ ((uint64_t)li << 40) ^ f;
	int rc = dv_tcp_table_init(sd->tbl, sd->mem, tsz, &cfg, &dv_tcp_lane_ops, sd, seed, rte_rdtsc());
	if (rc != 0) {
		dv_err("--transport tcp: cannot lay out the connection table (%d)", rc);
		return rc;
	}
	return 0;
}

static int lane_setup(struct dv_session *s, unsigned li, const struct dv_tcp_cfg *base,
		      uint32_t conns)
{
	const struct dv_plan *plan = s->plan;
	unsigned c = s->topo.lane_col[li], g = s->topo.lane_gen[li];
	struct dv_col *col = s->col[c];
	struct dv_gen *gen = s->gen[g];
	int socket = (int)rte_lcore_to_socket_id(dv_session_col_lcore(s, c));
	struct dv_col_lane *cl = NULL;
	struct dv_lane *gl = NULL;
	for (unsigned k = 0; k < col->nlanes; k++)
		if (col->lane[k].ifl == &s->ifl[li])
			cl = &col->lane[k];
	for (unsigned k = 0; k < gen->nlanes; k++)
		if (gen->lane[k].global == li)
			gl = &gen->lane[k];
	if (cl == NULL || gl == NULL)
		return -EINVAL;

	struct dv_tcp_lane *t = rte_zmalloc_socket("dv_tcp_lane", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL) {
		dv_err("--transport tcp: out of DPDK memory");
		return -ENOMEM;
	}
	lanes[li] = t;
	t->cl = cl;
	t->dport = plan->dport;
	t->churn = churn_of(plan);
	t->pipeline = t->churn ? 1 : plan->tcp.pipeline;
	t->mode = base->mode;
	uint32_t lo, n;
	if (dv_topo_tcp_ports(plan, li, s->nlanes, &lo, &n) != 0)
		return -EINVAL;
	t->port_lo = (uint16_t)lo;
	t->nports = n;
	for (uint32_t p = lo; p < lo + n; p++)
		tcp_owner[p] = (uint8_t)(c + 1);
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		if (plan->target[f].family == 0)
			continue;
		int rc = side_setup(s, t, li, f, base, conns, socket);
		if (rc != 0)
			return rc;
	}
	/* A population's kinds share the lanes' load, and the EAL's memory cap: a
	 * smaller pool each (2^k - 1 mbufs, as mempools like). */
	unsigned npool = DV_TCP_POOL;
	while ((npool + 1) * s->topo.nkinds > DV_TCP_POOL + 1 && npool > DV_TCP_POOL_MIN)
		npool = (npool + 1) / 2 - 1;
	char name[32];
	snprintf(name, sizeof(name), "dv_tcp_tx_%u", li);
	t->pool = rte_pktmbuf_pool_create(name, npool, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	snprintf(name, sizeof(name), "dv_tcp_ring_%u", li);
	t->tx = rte_ring_create(name, DV_TCP_RING, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (t->pool == NULL || t->tx == NULL) {
		dv_err("--transport tcp: cannot create the frames' pool or ring: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	cl->tcp = t;
	col->tcp = true;
	gl->tcp_tx = t->tx;
	gen->tcp = true;
	return 0;
}

static int tcp_setup(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	if (!dv_plan_uses_tcp(plan))
		return 0;
	tcp_owner = calloc(65536, 1);
	if (tcp_owner == NULL) {
		dv_err("out of memory for the TCP port table");
		return -ENOMEM;
	}
	s->sh->tcp_owner = tcp_owner;
	struct dv_tcp_cfg base;
	tcp_cfg_of(plan, s->sh->tsc_hz, &base);
	struct dv_lifetime lt;
	dv_topo_lifetime(plan, &lt);
	uint32_t conns = dv_topo_tcp_conns(plan, s->sizing_qps / s->nlanes, &lt);
	for (unsigned li = 0; li < s->nlanes; li++) {
		int rc = lane_setup(s, li, &base, conns);
		if (rc != 0)
			return rc;
	}
	if (!plan->quiet)
		printf("[Status] TCP: %u connections per lane and family (%zu bytes each), %.1f MiB; "
		       "%u queries per connection, %u outstanding\n",
		       conns, dv_tcp_conn_bytes(&base), (double)mem_bytes / 1048576.0,
		       plan->tcp.queries_per_conn, plan->tcp.pipeline);
	return 0;
}

/* The drain waits for connections to end: the closes, and with --tcp-end idle the server's timeout. */
static bool tcp_holds_drain(struct dv_session *s, uint64_t now)
{
	const struct dv_plan *plan = s->plan;
	/* Half-open connections are never ours to close; held ones are reset at the end. */
	if (!dv_plan_uses_tcp(plan) || plan->tcp.stress == DV_TCP_STRESS_HALF_OPEN)
		return false;
	if (dv_session_tcp_open(s) == 0)
		return false;
	uint64_t hz = s->sh->tsc_hz;
	if (drain_from == 0)
		drain_from = now;
	/* With --tcp-end idle the server closes them: wait for it (at most MAX). Then
	 * the collectors close what is left, and the closes get a little time. */
	double idle = plan->tcp.end == DV_TCP_END_IDLE ? plan->tcp.idle_max_s : 0.0;
	if (wound_at == 0 && now >= drain_from + (uint64_t)(idle * (double)hz)) {
		__atomic_store_n(&s->sh->tcp_wind_down, s->sh->tcp_wind_down + 1, __ATOMIC_RELEASE);
		wound_at = now;
	}
	return wound_at == 0 || now < wound_at + (uint64_t)(DV_TCP_CLOSE_WAIT_S * (double)hz);
}

/* Each sending period (a search's trials) has its own drain. */
static int tcp_launch(struct dv_session *s)
{
	(void)s;
	drain_from = 0;
	wound_at = 0;
	return 0;
}

static void tcp_collect(struct dv_session *s, struct dv_result *res)
{
	(void)s;
	res->mem_tcp = mem_bytes;
}

static void tcp_release(struct dv_session *s)
{
	for (unsigned li = 0; li < DV_MAX_LANES; li++) {
		struct dv_tcp_lane *t = lanes[li];
		if (t == NULL)
			continue;
		dv_ring_free_mbufs(t->tx);
		for (unsigned i = 0; i < t->nout; i++)
			rte_pktmbuf_free(t->out[i]);
		rte_mempool_free(t->pool);
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			free(t->side[f].tbl);
			free(t->side[f].mem);
			free(t->side[f].pend);
			free(t->side[f].rev);
			free(t->side[f].srcs);
		}
		if (t->cl != NULL)
			t->cl->tcp = NULL;
		rte_free(t);
		lanes[li] = NULL;
	}
	if (s->sh != NULL)
		s->sh->tcp_owner = NULL;
	free(tcp_owner);
	tcp_owner = NULL;
	mem_bytes = 0;
	drain_from = 0;
	wound_at = 0;
}

const struct dv_feature dv_feature_tcp = {
	.name = "tcp",
	.setup = tcp_setup,
	.launch = tcp_launch,
	.holds_drain = tcp_holds_drain,
	.collect = tcp_collect,
	.release = tcp_release,
};
