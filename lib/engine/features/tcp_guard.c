/*
 * --transport tcp: keep the kernel from answering for our connections
 * (tcp_guard.h says what each port kind needs and why).
 */
#include "engine/features/tcp_guard.h"

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "config/profile.h"
#include "core/addr.h"
#include "core/log.h"
#include "core/quote.h"
#include "core/spawn.h"
#include "engine/features/feature.h"

/* The netfilter priority of the raw table: before conntrack (-200) and any socket lookup. */
#define PRIO_RAW "-300"

enum dv_tcp_guard_need dv_tcp_guard_need(const struct dv_port_profile *prof)
{
	if (prof->embedded)
		return DV_TCP_GUARD_NONE;
	/* A copy of af_xdp without our program: what lands on a queue without a socket is the kernel's. */
	if (prof->kernel_iface)
		return dv_profile_uses_xdp_prog(prof) ? DV_TCP_GUARD_XDP : DV_TCP_GUARD_NFT;
	/* An interface the PMD makes (tap): the kernel is on the other end of it. */
	if (strcmp(prof->arg_kind, "iface") == 0)
		return DV_TCP_GUARD_NOT_LOCAL;
	return DV_TCP_GUARD_NONE;
}

/* ------------------------------------------------------------- the ruleset */

/* Appends to a buffer; remembers running out of room. */
struct text {
	char *buf;
	size_t len, used;
	bool full;
};

__attribute__((format(printf, 2, 3))) static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = t->used < t->len ? t->len - t->used : 0;
	int n = vsnprintf(t->buf + (room > 0 ? t->used : 0), room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		t->full = true;
	else
		t->used += (size_t)n;
}

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* a with every bit past the first plen cleared. */
static struct dv_addr masked(const struct dv_addr *a, unsigned plen)
{
	struct dv_addr m = *a;
	uint8_t *b = a->family == AF_INET ? (uint8_t *)&m.v4 : (uint8_t *)&m.v6;
	unsigned nbytes = family_bits(a->family) / 8;
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned keep = plen > i * 8 ? plen - i * 8 : 0;
		if (keep < 8)
			b[i] &= (uint8_t)(0xff00u >> keep);
	}
	return m;
}

/* Whether a lies in net/plen (plen 0: a is net). */
static bool in_prefix(const struct dv_addr *a, const struct dv_addr *net, unsigned plen)
{
	if (a->family != net->family || a->family == 0)
		return false;
	unsigned bits = plen == 0 || plen > family_bits(a->family) ? family_bits(a->family) : plen;
	struct dv_addr x = masked(a, bits), y = masked(net, bits);
	size_t n = a->family == AF_INET ? 4 : 16;
	return memcmp(a->family == AF_INET ? (void *)&x.v4 : (void *)&x.v6,
		      a->family == AF_INET ? (void *)&y.v4 : (void *)&y.v6, n) == 0;
}

/* "198.18.0.1", or a range as its network "198.18.128.0/20". */
static const char *addr_text(const struct dv_addr *a, unsigned plen, char *buf, size_t len)
{
	char ab[INET6_ADDRSTRLEN];
	bool range = plen != 0 && plen < family_bits(a->family);
	struct dv_addr m = range ? masked(a, plen) : *a;
	dv_addr_str(&m, ab, sizeof(ab));
	if (range)
		snprintf(buf, len, "%s/%u", ab, plen);
	else
		snprintf(buf, len, "%s", ab);
	return buf;
}

/* What the profile rules allow in an interface name; nft takes it quoted as it is. */
static bool ifname_ok(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);
	if (n == 0 || n >= IFNAMSIZ)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return false;
	return true;
}

/* Whether port k's source of family f was already given an output rule by an earlier port. */
static bool src_seen(const struct dv_tcp_guard *g, unsigned k, int f)
{
	const struct dv_tcp_guard_port *p = &g->port[k];
	for (unsigned j = 0; j < k; j++) {
		const struct dv_tcp_guard_port *q = &g->port[j];
		if (q->src[f].family == p->src[f].family && q->src_plen[f] == p->src_plen[f] &&
		    in_prefix(&p->src[f], &q->src[f], p->src_plen[f]))
			return true;
	}
	return false;
}

int dv_tcp_guard_ruleset(const struct dv_tcp_guard *g, char *buf, size_t len)
{
	static const char *const ipkw[DV_FAMILIES] = { [DV_FAMILY_V4] = "ip", [DV_FAMILY_V6] = "ip6" };
	struct text t = { .buf = buf, .len = len };
	unsigned rules = 0;
	if (g->nports == 0 || g->nports > DV_MAX_PORTS)
		return -EINVAL;
	for (unsigned k = 0; k < g->nports; k++)
		if (!ifname_ok(g->port[k].ifname))
			return -EINVAL;
	if (len > 0)
		buf[0] = '\0';

	put(&t, "table inet " DV_TCP_GUARD_TABLE "%u {\n", g->pid);
	/* In: the server's segments to us, on the port's interface, before any socket lookup. */
	put(&t, "\tchain in {\n\t\ttype filter hook prerouting priority " PRIO_RAW
		"; policy accept;\n");
	for (unsigned k = 0; k < g->nports; k++) {
		const struct dv_tcp_guard_port *p = &g->port[k];
		for (int f = 0; f < DV_FAMILIES; f++) {
			char tb[INET6_ADDRSTRLEN + 8], sb[INET6_ADDRSTRLEN + 8];
			if (g->target[f].family == 0 || p->src[f].family != g->target[f].family)
				continue;
			if (g->vlan == 0)
				put(&t, "\t\tiifname \"%s\" ", p->ifname);
			else
				put(&t, "\t\t");
			put(&t, "%s saddr %s %s daddr %s tcp sport %u counter drop\n", ipkw[f],
			    addr_text(&g->target[f], 0, tb, sizeof(tb)), ipkw[f],
			    addr_text(&p->src[f], p->src_plen[f], sb, sizeof(sb)), g->dport);
			rules++;
		}
	}
	/* Out: a reset the kernel would send for us anyway (our own leave by the packet socket). */
	put(&t, "\t}\n\tchain out {\n\t\ttype filter hook output priority " PRIO_RAW
		"; policy accept;\n");
	for (unsigned k = 0; k < g->nports; k++) {
		const struct dv_tcp_guard_port *p = &g->port[k];
		for (int f = 0; f < DV_FAMILIES; f++) {
			char tb[INET6_ADDRSTRLEN + 8], sb[INET6_ADDRSTRLEN + 8];
			if (g->target[f].family == 0 || p->src[f].family != g->target[f].family ||
			    src_seen(g, k, f))
				continue;
			put(&t, "\t\t%s saddr %s %s daddr %s tcp dport %u tcp flags & rst == rst counter "
				"drop\n", ipkw[f], addr_text(&p->src[f], p->src_plen[f], sb, sizeof(sb)),
			    ipkw[f], addr_text(&g->target[f], 0, tb, sizeof(tb)), g->dport);
		}
	}
	put(&t, "\t}\n}\n");
	if (rules == 0)
		return -EINVAL;
	return t.full ? -ENOSPC : (int)t.used;
}

unsigned dv_tcp_guard_tables(const char *listing, unsigned *pids, unsigned max)
{
	static const char head[] = "table inet " DV_TCP_GUARD_TABLE;
	unsigned n = 0;
	for (const char *line = listing; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t ll = end != NULL ? (size_t)(end - line) : strlen(line);
		if (ll > sizeof(head) - 1 && strncmp(line, head, sizeof(head) - 1) == 0) {
			const char *d = line + sizeof(head) - 1, *e = line + ll;
			unsigned long v = 0;
			bool ok = d < e && *d != '0';
			/* A pid_t: positive, at most INT_MAX. */
			for (; ok && d < e; d++) {
				ok = *d >= '0' && *d <= '9';
				v = v * 10 + (unsigned long)(*d - '0');
				ok = ok && v <= INT_MAX;
			}
			if (ok) {
				if (n < max)
					pids[n] = (unsigned)v;
				n++;
			}
		}
		line = end != NULL ? end + 1 : NULL;
	}
	return n;
}

/* ------------------------------------------------------------ nft itself */

/* Whether a process of that PID exists (ours or not). */
static bool pid_alive(unsigned pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* One nft call: 0, or a negative errno with the one line said. */
static int nft(const char *const argv[], const char *input, char *out, size_t outlen,
	       const char *what, const char *doing)
{
	int rc = dv_spawn_run(argv, input, out, outlen);
	char line[DV_QUOTE_BUF];
	if (rc == 0)
		return 0;
	if (rc == -ENOENT)
		dv_err("%s: needs nft (nftables) to keep the kernel from resetting our connections",
		       what);
	else if (rc == -ETIMEDOUT)
		dv_err("%s: nft did not %s in %d s", what, doing, DV_SPAWN_TIMEOUT_MS / 1000);
	else if (rc < 0)
		dv_err("%s: cannot run nft to %s: %s", what, doing, strerror(-rc));
	else
		dv_err("%s: nft could not %s: %s", what, doing, dv_spawn_line(out, "Error:", line,
									      sizeof(line)));
	return rc < 0 ? rc : -EIO;
}

int dv_tcp_guard_install(const struct dv_tcp_guard *g, const char *what)
{
	static const char *const list[] = { "nft", "list", "tables", "inet", NULL };
	static const char *const apply[] = { "nft", "-f", "-", NULL };
	char out[4096], rules[DV_TCP_GUARD_RULESET_MAX];
	unsigned pids[64];
	/* Two lines of at most 40 bytes for each table to remove, then ours. */
	char text[DV_TCP_GUARD_RULESET_MAX + (64 + 1) * 96];

	int n = dv_tcp_guard_ruleset(g, rules, sizeof(rules));
	if (n < 0) {
		dv_err("%s: cannot write the nftables rules: %s", what, strerror(-n));
		return n;
	}
	int rc = nft(list, NULL, out, sizeof(out), what, "list the tables of this network namespace");
	if (rc != 0)
		return rc;
	unsigned nt = dv_tcp_guard_tables(out, pids, sizeof(pids) / sizeof(pids[0]));
	nt = nt < sizeof(pids) / sizeof(pids[0]) ? nt : sizeof(pids) / sizeof(pids[0]);

	/*
	 * One transaction: the tables of runs that are gone go, ours comes (or
	 * nothing changes). "add" before "delete" makes a table that is gone
	 * meanwhile (another run cleaned it) no error.
	 */
	struct text t = { .buf = text, .len = sizeof(text) };
	bool stale[64] = { false };
	for (unsigned i = 0; i < nt; i++) {
		stale[i] = pids[i] == g->pid || !pid_alive(pids[i]);
		if (stale[i] && pids[i] != g->pid)
			put(&t, "add table inet " DV_TCP_GUARD_TABLE "%u\ndelete table inet "
				DV_TCP_GUARD_TABLE "%u\n", pids[i], pids[i]);
	}
	put(&t, "add table inet " DV_TCP_GUARD_TABLE "%u\ndelete table inet " DV_TCP_GUARD_TABLE
		"%u\n%s", g->pid, g->pid, rules);
	if (t.full) {
		dv_err("%s: too many nftables tables of runs that are gone to remove at once", what);
		return -ENOSPC;
	}
	rc = nft(apply, text, out, sizeof(out), what, "add the rules that keep the kernel from "
		 "resetting our connections");
	if (rc != 0)
		return rc;
	/* A change to the host: said even with -q (the run goes on). */
	for (unsigned i = 0; i < nt; i++)
		if (stale[i])
			dv_err("nftables: removed the table inet " DV_TCP_GUARD_TABLE "%u that run PID %u, "
			       "which is gone, left in this network namespace", pids[i], pids[i]);
	return 0;
}

int dv_tcp_guard_remove(unsigned pid)
{
	static const char *const apply[] = { "nft", "-f", "-", NULL };
	char text[128], out[1024], line[DV_QUOTE_BUF];
	snprintf(text, sizeof(text),
		 "add table inet " DV_TCP_GUARD_TABLE "%u\ndelete table inet " DV_TCP_GUARD_TABLE "%u\n",
		 pid, pid);
	int rc = dv_spawn_run(apply, text, out, sizeof(out));
	if (rc == 0)
		return 0;
	const char *why = rc == -ETIMEDOUT ? "it did not finish in time"
			  : rc < 0	   ? strerror(-rc)
					   : dv_spawn_line(out, "Error:", line, sizeof(line));
	dv_err("nftables: could not remove the table inet " DV_TCP_GUARD_TABLE "%u (%s): \"nft delete "
	       "table inet " DV_TCP_GUARD_TABLE "%u\" removes it", pid, why, pid);
	return rc < 0 ? rc : -EIO;
}

int dv_tcp_guard_check_not_local(const char *what, const struct dv_tcp_guard_port *ours,
				 const struct ifaddrs *local)
{
	for (const struct ifaddrs *i = local; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		struct dv_addr a = { .family = i->ifa_addr->sa_family };
		if (a.family == AF_INET)
			a.v4 = ((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		else if (a.family == AF_INET6)
			a.v6 = ((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		else
			continue;
		for (int f = 0; f < DV_FAMILIES; f++) {
			if (!in_prefix(&a, &ours->src[f], ours->src_plen[f]))
				continue;
			char ab[INET6_ADDRSTRLEN];
			dv_err("%s: %s (on %s) is one of our source addresses and an address of this "
			       "host: the kernel would take the server's segments to it and reset them; "
			       "give --src addresses no interface has", what,
			       dv_addr_str(&a, ab, sizeof(ab)), i->ifa_name != NULL ? i->ifa_name : "?");
			return -EADDRINUSE;
		}
	}
	return 0;
}

/* ------------------------------------------------------------- the feature */

static struct dv_tcp_guard guard;
static bool installed; /* our table may exist: release removes it */

/* Port k's source addresses: a --src range, else the one the endpoints have. */
static void port_sources(const struct dv_session *s, unsigned k, struct dv_tcp_guard_port *p)
{
	const struct dv_plan *plan = s->plan;
	snprintf(p->ifname, sizeof(p->ifname), "%s", plan->port[k].arg);
	for (int f = 0; f < DV_FAMILIES; f++) {
		if (plan->src_prefix[f] != 0) {
			p->src[f] = plan->src[f];
			p->src_plen[f] = plan->src_prefix[f];
		} else {
			p->src[f] = s->ep[k][f].src;
		}
	}
}

static int tcp_guard_prepare(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	char what[DV_MAX_PORTS * 140 + 96];
	struct text w = { .buf = what, .len = sizeof(what) };
	installed = false;
	memset(&guard, 0, sizeof(guard));
	if (!dv_plan_uses_tcp(plan))
		return 0;
	guard.pid = (unsigned)getpid();
	memcpy(guard.target, plan->target, sizeof(guard.target));
	guard.dport = plan->dport;
	guard.vlan = plan->vlan;
	/* What brings TCP into the run, as the messages name it. */
	const char *why = plan->transport == DV_TRANSPORT_TCP
			  ? "--transport tcp"
			  : "TCP after UDP (--on-tc tcp, --tcp-after; --on-tc stop goes without)";
	put(&w, "%s on", why);
	for (unsigned k = 0; k < plan->nports; k++) {
		enum dv_tcp_guard_need need = dv_tcp_guard_need(&plan->port[k].profile);
		if (need == DV_TCP_GUARD_NOT_LOCAL) {
			struct dv_tcp_guard_port p;
			struct ifaddrs *local = NULL;
			char one[256];
			memset(&p, 0, sizeof(p));
			port_sources(s, k, &p);
			snprintf(one, sizeof(one), "%s on %s", why, plan->port[k].spec);
			if (getifaddrs(&local) != 0) {
				int e = errno;
				dv_err("%s: cannot list this host's addresses: %s", one, strerror(e));
				return -e;
			}
			int rc = dv_tcp_guard_check_not_local(one, &p, local);
			freeifaddrs(local);
			if (rc != 0)
				return rc;
		} else if (need == DV_TCP_GUARD_NFT) {
			port_sources(s, k, &guard.port[guard.nports++]);
			put(&w, "%s %s", guard.nports > 1 ? "," : "", plan->port[k].spec);
		}
	}
	if (guard.nports == 0)
		return 0;
	int rc = dv_tcp_guard_install(&guard, what);
	/* Timed out: the rules may be in; removing what is not there is no error. */
	installed = rc == 0 || rc == -ETIMEDOUT;
	if (rc == 0)
		dv_info("%s: nftables table inet " DV_TCP_GUARD_TABLE "%u keeps the kernel from resetting "
			"our connections (removed at exit)", what, guard.pid);
	return rc;
}

static void tcp_guard_release(struct dv_session *s)
{
	(void)s;
	if (installed)
		dv_tcp_guard_remove(guard.pid);
	installed = false;
}

const struct dv_feature dv_feature_tcp_guard = {
	.name = "tcp-guard",
	.prepare = tcp_guard_prepare,
	.release = tcp_guard_release,
};
