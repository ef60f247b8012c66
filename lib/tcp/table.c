#include "tcp/table.h"

#include <errno.h>
#include <string.h>

#define ALIGN 64

static size_t align_up(size_t n)
{
	return (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

void dv_tcp_cfg_default(struct dv_tcp_cfg *cfg, uint64_t hz)
{
	*cfg = (struct dv_tcp_cfg){
		.hz = hz,
		.conns = 1024,
		.naddr = 1,
		.port_lo = 1024,
		.port_hi = 65535,
		.quarantine = 60 * hz,
		.mss = 1460,
		.mss_default = 536, /* RFC 1122 4.2.2.6 */
		.rcvbuf = 4096,
		.prefix = 512,
		.sndbuf = 2 * (512 + 2),
		.query_max = 512,
		.iw = 10, /* RFC 6928 */
		.pipeline = 1,
		.queries = 1,
		.mode = DV_TCP_MODE_FIN,
		.rto_init = hz,
		.rto_min = hz,
		.rto_max = 60 * hz,
		.syn_retries = 6,
		.data_retries = 8,
		.zwin_max = 10 * hz,
		.idle_max = 30 * hz,
		.fin_wait_max = 60 * hz,
		.hold_max = 0,
		.timer_res = hz >= 1000 ? hz / 1000 : 1,
		.timer_slots = 1024,
	};
}

int dv_tcp_cfg_check(const struct dv_tcp_cfg *c)
{
	bool ok = c->hz > 0 && c->conns >= 1 && c->conns <= (1u << 24) && c->naddr >= 1 &&
		  c->port_lo >= 1 && c->port_lo <= c->port_hi && c->mss >= 64 && c->mss_default >= 1 &&
		  c->rcvbuf >= 1 && c->prefix >= 1 && c->prefix <= c->rcvbuf && c->query_max >= 1 &&
		  (uint32_t)c->sndbuf >= (uint32_t)c->query_max + 2 && c->iw >= 1 && c->pipeline >= 1 &&
		  c->mode <= DV_TCP_MODE_HALF_OPEN && c->rto_min > 0 && c->rto_min <= c->rto_init &&
		  c->rto_init <= c->rto_max && c->zwin_max > 0 && c->fin_wait_max > 0 && c->timer_res > 0 &&
		  c->timer_slots >= 2 && c->timer_slots <= (1u << 20) &&
		  (c->timer_slots & (c->timer_slots - 1)) == 0;
	return ok ? 0 : -EINVAL;
}

size_t dv_tcp_conn_bytes(const struct dv_tcp_cfg *cfg)
{
	return sizeof(struct dv_tcp_conn) + cfg->rcvbuf + cfg->prefix + cfg->sndbuf +
	       2 * sizeof(struct dv_tcp_link) + sizeof(uint32_t);
}

size_t dv_tcp_key_bytes(void)
{
	return sizeof(uint32_t) + dv_tcp_ports_mem_size(1, 1, 1);
}

/* The layout, in the order of dv_tcp_table_init(). */
struct layout {
	size_t conn, bufs, wheel, spare, free_idx, by_key, ports, total;
};

static struct layout layout_of(const struct dv_tcp_cfg *cfg)
{
	size_t n = cfg->conns;
	size_t nkeys = (size_t)cfg->naddr * ((size_t)cfg->port_hi - cfg->port_lo + 1);
	struct layout l;
	l.conn = 0;
	l.bufs = l.conn + align_up(n * sizeof(struct dv_tcp_conn));
	l.wheel = l.bufs + align_up(n * ((size_t)cfg->rcvbuf + cfg->prefix + cfg->sndbuf));
	l.spare = l.wheel + align_up((n + cfg->timer_slots + 1) * sizeof(struct dv_tcp_link));
	l.free_idx = l.spare + align_up((n + 1) * sizeof(struct dv_tcp_link));
	l.by_key = l.free_idx + align_up(n * sizeof(uint32_t));
	l.ports = l.by_key + align_up(nkeys * sizeof(uint32_t));
	l.total = l.ports + align_up(dv_tcp_ports_mem_size(cfg->naddr, cfg->port_lo, cfg->port_hi));
	return l;
}

size_t dv_tcp_table_mem_size(const struct dv_tcp_cfg *cfg)
{
	if (dv_tcp_cfg_check(cfg) != 0)
		return 0;
	return layout_of(cfg).total + ALIGN; /* room to align the start */
}

/* Intrusive circular lists: an unlinked entry points at itself. */
static bool linked(const struct dv_tcp_link *l, uint32_t i)
{
	return l[i].next != i;
}

static void list_init(struct dv_tcp_link *l, uint32_t i)
{
	l[i].prev = l[i].next = i;
}

static void list_add(struct dv_tcp_link *l, uint32_t head, uint32_t i)
{
	uint32_t last = l[head].prev;
	l[i].prev = last;
	l[i].next = head;
	l[last].next = i;
	l[head].prev = i;
}

static void list_del(struct dv_tcp_link *l, uint32_t i)
{
	l[l[i].prev].next = l[i].next;
	l[l[i].next].prev = l[i].prev;
	list_init(l, i);
}

/* Append every entry of list `from` to list `to`. */
static void list_splice(struct dv_tcp_link *l, uint32_t from, uint32_t to)
{
	if (!linked(l, from))
		return;
	uint32_t first = l[from].next, last = l[from].prev, tail = l[to].prev;
	l[tail].next = first;
	l[first].prev = tail;
	l[last].next = to;
	l[to].prev = last;
	list_init(l, from);
}

static uint32_t slot_head(const struct dv_tcp_table *t, uint64_t slot)
{
	return t->cfg.conns + (uint32_t)(slot & (t->cfg.timer_slots - 1));
}

static uint32_t visited_head(const struct dv_tcp_table *t)
{
	return t->cfg.conns + t->cfg.timer_slots;
}

static void wheel_del(struct dv_tcp_table *t, uint32_t i)
{
	if (linked(t->wheel, i)) {
		list_del(t->wheel, i);
		t->armed--;
	}
}

/*
 * Slot k holds deadlines in (k * res, (k + 1) * res] and is run once
 * (k + 1) * res <= now: nothing fires early, nothing more than res late.
 */
static void wheel_arm(struct dv_tcp_table *t, struct dv_tcp_conn *c)
{
	wheel_del(t, c->idx);
	c->wheel_at = c->deadline;
	if (c->deadline == DV_TCP_NEVER)
		return;
	uint64_t k = c->deadline == 0 ? 0 : (c->deadline - 1) / t->cfg.timer_res;
	if (k < t->slot)
		k = t->slot;
	list_add(t->wheel, slot_head(t, k), c->idx);
	t->armed++;
}

static void spare_set(struct dv_tcp_table *t, uint32_t i, bool on)
{
	if (on == linked(t->spare, i))
		return;
	if (on)
		list_add(t->spare, t->cfg.conns, i);
	else
		list_del(t->spare, i);
}

static bool registered(const struct dv_tcp_table *t, const struct dv_tcp_conn *c)
{
	uint32_t key = dv_tcp_ports_key(&t->ports, c->addr, c->port);
	return key != UINT32_MAX && t->by_key[key] == c->idx;
}

/* Bring the table's view of a connection up to date; free it once it ended. */
static void sync(struct dv_tcp_table *t, struct dv_tcp_conn *c, uint64_t now)
{
	if (c->state == DV_TCP_CLOSED) {
		/* Off the lists at once; freed when no call on it is under way. */
		wheel_del(t, c->idx);
		c->wheel_at = DV_TCP_NEVER;
		spare_set(t, c->idx, false);
		if ((c->flags & DV_TCP_CF_BUSY) || !registered(t, c))
			return;
		t->by_key[dv_tcp_ports_key(&t->ports, c->addr, c->port)] = DV_TCP_NONE;
		dv_tcp_ports_release(&t->ports, c->addr, c->port, now);
		c->port = 0;
		c->flags = 0;
		t->free_idx[t->nfree++] = c->idx;
		return;
	}
	if (c->deadline != c->wheel_at || (c->deadline != DV_TCP_NEVER && !linked(t->wheel, c->idx)))
		wheel_arm(t, c);
	spare_set(t, c->idx, dv_tcp_conn_can_send(c, &t->env));
}

static struct dv_tcp_conn *enter(struct dv_tcp_table *t, uint32_t i)
{
	struct dv_tcp_conn *c = &t->conn[i];
	c->flags |= DV_TCP_CF_BUSY;
	return c;
}

/* The outermost call on c is done: act on what its callbacks asked, then sync. */
static void leave(struct dv_tcp_table *t, struct dv_tcp_conn *c, uint64_t now)
{
	while (c->state != DV_TCP_CLOSED && c->pending != 0) {
		uint8_t p = c->pending;
		c->pending = 0;
		if (p & DV_TCP_PEND_ABORT) {
			dv_tcp_conn_abort(c, &t->env, now);
			continue;
		}
		if (p & DV_TCP_PEND_CLOSE)
			dv_tcp_conn_close(c, &t->env, DV_TCP_WHY_CALLER, now);
		if ((p & DV_TCP_PEND_FLUSH) && c->state != DV_TCP_CLOSED)
			dv_tcp_conn_flush(c, &t->env, now);
	}
	c->pending = 0;
	c->flags &= (uint16_t)~DV_TCP_CF_BUSY;
	sync(t, c, now);
}

int dv_tcp_table_init(struct dv_tcp_table *t, void *mem, size_t size, const struct dv_tcp_cfg *cfg,
		      const struct dv_tcp_ops *ops, void *ctx, uint64_t seed, uint64_t now)
{
	if (dv_tcp_cfg_check(cfg) != 0 || ops == NULL || ops->send == NULL || ops->event == NULL)
		return -EINVAL;
	if (mem == NULL || size < dv_tcp_table_mem_size(cfg))
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	t->ops = *ops;
	t->env = (struct dv_tcp_env){
		.cfg = &t->cfg,
		.ops = &t->ops,
		.ctx = ctx,
		.counts = &t->counts,
		.rto = { .init = cfg->rto_init, .min = cfg->rto_min, .max = cfg->rto_max,
			 .granularity = cfg->timer_res },
	};
	dv_rng_seed(&t->rng, seed);

	uint8_t *base = (uint8_t *)(((uintptr_t)mem + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
	struct layout l = layout_of(cfg);
	uint32_t n = cfg->conns;
	t->conn = (struct dv_tcp_conn *)(base + l.conn);
	t->wheel = (struct dv_tcp_link *)(base + l.wheel);
	t->spare = (struct dv_tcp_link *)(base + l.spare);
	t->free_idx = (uint32_t *)(base + l.free_idx);
	t->by_key = (uint32_t *)(base + l.by_key);
	int rc = dv_tcp_ports_init(&t->ports, base + l.ports, l.total - l.ports, cfg->naddr,
				   cfg->port_lo, cfg->port_hi, cfg->quarantine);
	if (rc != 0)
		return rc;

	size_t per = (size_t)cfg->rcvbuf + cfg->prefix + cfg->sndbuf;
	for (uint32_t i = 0; i < n; i++) {
		struct dv_tcp_conn *c = &t->conn[i];
		uint8_t *b = base + l.bufs + (size_t)i * per;
		memset(c, 0, sizeof(*c));
		c->idx = i;
		dv_tcp_stream_init(&c->rx, b, cfg->rcvbuf, b + cfg->rcvbuf, cfg->prefix, 0);
		c->sbuf = b + cfg->rcvbuf + cfg->prefix;
		c->rtx_at = c->life_at = c->deadline = c->wheel_at = DV_TCP_NEVER;
		c->zwin_since = DV_TCP_NEVER;
		list_init(t->wheel, i);
		list_init(t->spare, i);
		t->free_idx[i] = n - 1 - i; /* index 0 is handed out first */
	}
	for (uint32_t i = 0; i <= cfg->timer_slots; i++)
		list_init(t->wheel, n + i);
	list_init(t->spare, n);
	t->nfree = n;
	for (uint32_t k = 0; k < t->ports.nkeys; k++)
		t->by_key[k] = DV_TCP_NONE;
	t->slot = now / cfg->timer_res;
	return 0;
}

int dv_tcp_open(struct dv_tcp_table *t, uint64_t now)
{
	if (t->nfree == 0) {
		t->counts.no_conn++;
		return -ENOSPC;
	}
	uint16_t addr, port;
	int rc = dv_tcp_ports_alloc(&t->ports, now, &addr, &port);
	if (rc == -ENOSPC) {
		t->counts.no_port++;
		return -EADDRNOTAVAIL;
	}
	if (rc != 0) {
		t->counts.port_quarantined++;
		return -EAGAIN;
	}
	uint32_t i = t->free_idx[--t->nfree];
	t->by_key[dv_tcp_ports_key(&t->ports, addr, port)] = i;
	struct dv_tcp_conn *c = enter(t, i);
	dv_tcp_conn_open(c, &t->env, (uint32_t)dv_rng_next(&t->rng), addr, port, now);
	leave(t, c, now);
	return (int)i;
}

/* 0 if index i is a live connection, else -EINVAL or -ENOTCONN. */
static int live_conn(const struct dv_tcp_table *t, uint32_t i)
{
	if (i >= t->cfg.conns)
		return -EINVAL;
	return t->conn[i].state == DV_TCP_CLOSED ? -ENOTCONN : 0;
}

int dv_tcp_send(struct dv_tcp_table *t, uint32_t conn, const uint8_t *msg, uint16_t len, uint64_t now)
{
	int rc = live_conn(t, conn);
	if (rc != 0)
		return rc;
	struct dv_tcp_conn *c = &t->conn[conn];
	if (c->flags & DV_TCP_CF_BUSY) { /* from its own callback: sent when that call is done */
		rc = dv_tcp_conn_send(c, &t->env, msg, len, now);
		sync(t, c, now);
		return rc;
	}
	c = enter(t, conn);
	rc = dv_tcp_conn_send(c, &t->env, msg, len, now);
	leave(t, c, now);
	return rc;
}

int dv_tcp_query(struct dv_tcp_table *t, const uint8_t *msg, uint16_t len, uint64_t now)
{
	if (t->cfg.queries == 0 || t->cfg.mode == DV_TCP_MODE_HALF_OPEN)
		return -EPIPE;
	if (len == 0 || len > t->cfg.query_max || msg == NULL)
		return -EMSGSIZE;
	uint32_t head = t->cfg.conns;
	/*
	 * A connection inside one of its own calls is synced when that call is
	 * done: from its callback it may have ended or closed since it was
	 * listed. Skip it (one per call under way).
	 */
	uint32_t s = t->spare[head].next;
	while (s != head && !dv_tcp_conn_can_send(&t->conn[s], &t->env))
		s = t->spare[s].next;
	int i = s != head ? (int)s : dv_tcp_open(t, now);
	if (i < 0)
		return i;
	int rc = dv_tcp_send(t, (uint32_t)i, msg, len, now);
	return rc < 0 ? rc : i;
}

int dv_tcp_keepalive(struct dv_tcp_table *t, uint32_t conn, uint16_t timeout_100ms, uint64_t now)
{
	int rc = live_conn(t, conn);
	if (rc != 0)
		return rc;
	struct dv_tcp_conn *c = &t->conn[conn];
	dv_tcp_conn_keepalive(c, &t->env, (uint64_t)timeout_100ms * t->cfg.hz / 10, now);
	sync(t, c, now);
	return 0;
}

/* close or abort, now or (from the connection's own callback) when its call is done */
static int end_conn(struct dv_tcp_table *t, uint32_t conn, uint8_t pend, uint64_t now)
{
	int rc = live_conn(t, conn);
	if (rc != 0)
		return rc;
	struct dv_tcp_conn *c = &t->conn[conn];
	if (c->flags & DV_TCP_CF_BUSY) {
		c->pending |= pend;
		return 0;
	}
	c = enter(t, conn);
	if (pend == DV_TCP_PEND_ABORT)
		dv_tcp_conn_abort(c, &t->env, now);
	else
		dv_tcp_conn_close(c, &t->env, DV_TCP_WHY_CALLER, now);
	leave(t, c, now);
	return 0;
}

int dv_tcp_close(struct dv_tcp_table *t, uint32_t conn, uint64_t now)
{
	return end_conn(t, conn, DV_TCP_PEND_CLOSE, now);
}

int dv_tcp_abort(struct dv_tcp_table *t, uint32_t conn, uint64_t now)
{
	return end_conn(t, conn, DV_TCP_PEND_ABORT, now);
}

uint32_t dv_tcp_lookup(const struct dv_tcp_table *t, uint16_t addr, uint16_t port)
{
	uint32_t key = dv_tcp_ports_key(&t->ports, addr, port);
	return key == UINT32_MAX ? DV_TCP_NONE : t->by_key[key];
}

int dv_tcp_input(struct dv_tcp_table *t, uint16_t addr, uint16_t port, const struct dv_tcp_seg *seg,
		 uint64_t now)
{
	uint32_t i = dv_tcp_lookup(t, addr, port);
	if (i == DV_TCP_NONE) {
		t->counts.segs_in++;
		t->counts.bytes_in += seg->len;
		t->counts.no_match++;
		return -ENOENT;
	}
	if (t->conn[i].flags & DV_TCP_CF_BUSY)
		return -EBUSY;
	struct dv_tcp_conn *c = enter(t, i);
	dv_tcp_conn_input(c, &t->env, seg, now);
	leave(t, c, now);
	return 0;
}

unsigned dv_tcp_timers_run(struct dv_tcp_table *t, uint64_t now, unsigned budget)
{
	if (t->in_timers)
		return 0;
	t->in_timers = true;
	const uint64_t res = t->cfg.timer_res;
	const uint32_t visited = visited_head(t);
	unsigned work = 0, fired = 0;
	while (work < budget && (t->slot + 1) * res <= now) {
		uint32_t head = slot_head(t, t->slot);
		while (linked(t->wheel, head) && work < budget) {
			uint32_t i = t->wheel[head].next;
			struct dv_tcp_conn *c = &t->conn[i];
			work++;
			if (c->deadline > now) { /* a later turn of the wheel */
				list_del(t->wheel, i);
				list_add(t->wheel, visited, i);
				continue;
			}
			wheel_del(t, i);
			c->wheel_at = DV_TCP_NEVER;
			if (c->flags & DV_TCP_CF_BUSY) /* its own callback runs the timers: re-armed when done */
				continue;
			fired++;
			c = enter(t, i);
			dv_tcp_conn_timer(c, &t->env, now);
			leave(t, c, now);
		}
		if (linked(t->wheel, head))
			break; /* out of budget inside the slot: resume here */
		list_splice(t->wheel, visited, head);
		t->slot++;
		work++;
		if (t->armed == 0 && (t->slot + 1) * res <= now)
			t->slot = now / res; /* nothing armed: skip the empty slots */
	}
	t->in_timers = false;
	return fired;
}

uint64_t dv_tcp_deadline(const struct dv_tcp_table *t, uint32_t conn)
{
	if (conn >= t->cfg.conns || t->conn[conn].state == DV_TCP_CLOSED)
		return DV_TCP_NEVER;
	return t->conn[conn].deadline;
}

void dv_tcp_abort_all(struct dv_tcp_table *t, uint64_t now)
{
	for (uint32_t i = 0; i < t->cfg.conns; i++)
		if (t->conn[i].state != DV_TCP_CLOSED)
			dv_tcp_abort(t, i, now);
}

const struct dv_tcp_conn *dv_tcp_conn_at(const struct dv_tcp_table *t, uint32_t conn)
{
	return conn < t->cfg.conns ? &t->conn[conn] : NULL;
}

static const char *check_conn(const struct dv_tcp_table *t, const struct dv_tcp_conn *c)
{
	const struct dv_tcp_cfg *cfg = &t->cfg;
	if (!registered(t, c))
		return "a live connection is not in the lookup";
	if (!t->ports.used[dv_tcp_ports_key(&t->ports, c->addr, c->port)])
		return "a live connection's port is not in use";
	if (!dv_tcp_seq_le(c->snd_una, c->snd_nxt) || !dv_tcp_seq_le(c->snd_nxt, c->snd_max))
		return "SND.UNA <= SND.NXT <= SND.MAX broken";
	if (c->sbuf_len > cfg->sndbuf || c->sbuf_head >= cfg->sndbuf)
		return "send ring out of bounds";
	if (c->answered > c->queued || c->queued > cfg->queries)
		return "answers > queries or queries > N";
	if (c->rx.nranges > DV_TCP_OOO_MAX || c->rx.ring_head >= c->rx.ring_size ||
	    c->rx.prefix_len > c->rx.prefix_max)
		return "receive stream out of bounds";
	uint32_t prev = c->rx.nxt;
	for (unsigned r = 0; r < c->rx.nranges; r++) {
		const struct dv_tcp_range *g = &c->rx.ooo[r];
		if (!dv_tcp_seq_lt(prev, g->start) || !dv_tcp_seq_lt(g->start, g->end) ||
		    g->end - c->rx.nxt > c->rx.ring_size)
			return "out-of-order ranges not sorted, disjoint and in the window";
		prev = g->end;
	}
	if (c->wheel_at != c->deadline)
		return "the wheel holds a stale deadline";
	if (linked(t->wheel, c->idx) != (c->deadline != DV_TCP_NEVER))
		return "a deadline is not on the wheel (or none is)";
	if (linked(t->spare, c->idx) != dv_tcp_conn_can_send(c, &t->env))
		return "spare list and capacity disagree";
	if (c->flags & DV_TCP_CF_BUSY)
		return "busy outside a call";
	return NULL;
}

const char *dv_tcp_table_check(const struct dv_tcp_table *t)
{
	const struct dv_tcp_cfg *cfg = &t->cfg;
	uint32_t live = 0, on_wheel = 0, keyed = 0, used = 0;
	if (t->nfree > cfg->conns)
		return "free stack overflows";
	for (uint32_t i = 0; i < cfg->conns; i++) {
		const struct dv_tcp_conn *c = &t->conn[i];
		if (c->state == DV_TCP_CLOSED) {
			if (linked(t->wheel, i) || linked(t->spare, i))
				return "a free connection is on a list";
			continue;
		}
		live++;
		const char *why = check_conn(t, c);
		if (why != NULL)
			return why;
	}
	if (live + t->nfree != cfg->conns)
		return "live + free != conns";
	for (uint32_t f = 0; f < t->nfree; f++) {
		uint32_t i = t->free_idx[f];
		if (i >= cfg->conns || t->conn[i].state != DV_TCP_CLOSED)
			return "the free stack holds a live connection";
		for (uint32_t g = f + 1; g < t->nfree; g++)
			if (t->free_idx[g] == i)
				return "a connection is free twice";
	}
	for (uint32_t k = 0; k < t->ports.nkeys; k++) {
		used += t->ports.used[k];
		if (t->by_key[k] == DV_TCP_NONE)
			continue;
		keyed++;
		const struct dv_tcp_conn *c = &t->conn[t->by_key[k]];
		if (c->state == DV_TCP_CLOSED || dv_tcp_ports_key(&t->ports, c->addr, c->port) != k)
			return "the lookup names a connection that is not there";
	}
	if (keyed != live || used != live || t->ports.count + used != t->ports.nkeys)
		return "ports in use, lookup entries and live connections disagree";
	for (uint32_t s = 0; s <= cfg->timer_slots; s++) {
		uint32_t head = cfg->conns + s;
		for (uint32_t i = t->wheel[head].next; i != head; i = t->wheel[i].next) {
			if (i >= cfg->conns || t->wheel[t->wheel[i].next].prev != i)
				return "wheel list broken";
			on_wheel++;
		}
	}
	if (on_wheel != t->armed)
		return "armed count is off";
	return NULL;
}
