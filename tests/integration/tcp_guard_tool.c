/*
 * tcp_guard_tool: the TCP guard's install and remove (engine/features/
 * tcp_guard.h), by hand, for tests/integration/tcp-guard.sh. The same calls
 * the feature makes, in the network namespace the tool runs in:
 *
 *   tcp_guard_tool install IFACE PORT TARGET SRC[/PLEN] [TARGET SRC[/PLEN]]
 *       installs table inet dnsvolley_PID (PID: the tool's own, printed on
 *       stdout) and exits, leaving it as a run killed with SIGKILL would;
 *       exit 2 when the guard cannot be installed (its line on stderr)
 *   tcp_guard_tool remove PID
 *   tcp_guard_tool ruleset IFACE PORT TARGET SRC[/PLEN] [TARGET SRC[/PLEN]]
 *       prints the ruleset install would add (for PID 1)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "core/log.h"
#include "engine/features/tcp_guard.h"

static int usage(void)
{
	fprintf(stderr, "usage: tcp_guard_tool install|ruleset IFACE PORT TARGET SRC[/PLEN] "
			"[TARGET SRC[/PLEN]]\n       tcp_guard_tool remove PID\n");
	return 2;
}

/* "ADDR" or "ADDR/PLEN" into a, *plen (0: the address alone). */
static int parse_addr(const char *s, struct dv_addr *a, unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	*plen = 0;
	if (slash != NULL) {
		*slash = '\0';
		*plen = (unsigned)strtoul(slash + 1, NULL, 10);
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a->v6) == 1)
		a->family = AF_INET6;
	return a->family != 0 ? 0 : -EINVAL;
}

/* The guard for one interface from argv: IFACE PORT (TARGET SRC)... */
static int parse_guard(int argc, char **argv, struct dv_tcp_guard *g)
{
	memset(g, 0, sizeof(*g));
	if (argc < 4 || argc % 2 != 0)
		return -EINVAL;
	g->pid = (unsigned)getpid();
	g->nports = 1;
	snprintf(g->port[0].ifname, sizeof(g->port[0].ifname), "%s", argv[0]);
	g->dport = (uint16_t)strtoul(argv[1], NULL, 10);
	for (int i = 2; i + 1 < argc; i += 2) {
		struct dv_addr t, s;
		unsigned tplen, splen;
		if (parse_addr(argv[i], &t, &tplen) != 0 || parse_addr(argv[i + 1], &s, &splen) != 0 ||
		    t.family != s.family)
			return -EINVAL;
		int f = t.family == AF_INET ? DV_FAMILY_V4 : DV_FAMILY_V6;
		g->target[f] = t;
		g->port[0].src[f] = s;
		g->port[0].src_plen[f] = splen;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct dv_tcp_guard g;
	if (argc == 3 && strcmp(argv[1], "remove") == 0)
		return dv_tcp_guard_remove((unsigned)strtoul(argv[2], NULL, 10)) == 0 ? 0 : 1;
	if (argc < 2 || parse_guard(argc - 2, argv + 2, &g) != 0)
		return usage();
	if (strcmp(argv[1], "ruleset") == 0) {
		char buf[DV_TCP_GUARD_RULESET_MAX];
		g.pid = 1;
		int n = dv_tcp_guard_ruleset(&g, buf, sizeof(buf));
		if (n < 0)
			return 1;
		fputs(buf, stdout);
		return 0;
	}
	if (strcmp(argv[1], "install") != 0)
		return usage();
	/* What dnsvolley --transport tcp --port af_packet:IFACE would say. */
	char what[64];
	snprintf(what, sizeof(what), "--transport tcp on af_packet:%s", g.port[0].ifname);
	if (dv_tcp_guard_install(&g, what) != 0)
		return DV_EXIT_USAGE;
	printf("%u\n", g.pid);
	return 0;
}
