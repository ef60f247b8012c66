/**
 * @file set_network.c
 * @brief Setters of ports, addresses, next hop, source ports and EAL arguments.
 */
#include "config/setters.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/scenario.h"
#include "config/set_util.h"
#include "core/log.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Ports add up; the first one a scenario or the command line gives replaces the
 * ones before (dv_plan_ports_forget). */
int dv_set_port(struct dv_plan *p, const char *v, const char *ctx)
{
	if (p->nports >= DV_MAX_PORTS) {
		dv_err("%s: more than " STR(DV_MAX_PORTS) " ports", ctx);
		return -EINVAL;
	}
	int ret = dv_copy_value(ctx, v, p->port[p->nports].spec, sizeof(p->port[0].spec));
	if (ret == 0)
		p->nports++;
	return ret;
}

int dv_set_drivers_dir(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	if (*v == '\0' || strlen(v) >= sizeof(p->drivers_dir)) {
		dv_err("%s: '%s' is not a usable directory name", ctx, dv_quote(v, qb, sizeof(qb)));
		return -EINVAL;
	}
	strcpy(p->drivers_dir, v);
	return 0;
}

/* The first --port, or a scenario's port list, replaces the ports before. */
void dv_plan_ports_forget(struct dv_plan *p)
{
	memset(p->port, 0, sizeof(p->port));
	p->nports = 0;
}

/* Messages spell these out. */
_Static_assert(DV_SRC_PREFIX_MIN_V4 == 8 && DV_SRC_PREFIX_MIN_V6 == 64, "messages say 8 and 64");

/** ADDR or ADDR/PREFIX: a source address, or the range sharing its first PREFIX bits. */
int dv_set_source(struct dv_plan *p, const char *v, const char *ctx)
{
	const char *slash = strchr(v, '/');
	if (slash == NULL) {
		int idx;
		int ret = dv_add_addr(p->src, ctx, v, "source", &idx);
		if (ret == 0)
			p->src_prefix[idx] = 0;
		return ret;
	}

	char addr[INET6_ADDRSTRLEN];
	struct dv_addr a;
	size_t alen = (size_t)(slash - v);
	if (alen >= sizeof(addr))
		return dv_not_a(ctx, v, "an IPv4 or IPv6 address");
	memcpy(addr, v, alen);
	addr[alen] = '\0';
	if (dv_parse_addr(addr, &a) != 0)
		return dv_not_a(ctx, v, "an IPv4 or IPv6 address");

	bool v4 = a.family == AF_INET;
	uint64_t plen;
	if (dv_parse_uint(slash + 1, v4 ? DV_SRC_PREFIX_MIN_V4 : DV_SRC_PREFIX_MIN_V6,
			  v4 ? 32 : 128, &plen) != 0)
		return dv_not_a(ctx, v, v4 ? "an IPv4 range ADDR/PREFIX with PREFIX in 8..32"
					: "an IPv6 range ADDR/PREFIX with PREFIX in 64..128");
	int idx;
	int ret = dv_add_addr(p->src, ctx, addr, "source", &idx);
	if (ret != 0)
		return ret;
	/* All the bits: one address, no range. */
	p->src_prefix[idx] = plen == (v4 ? 32 : 128) ? 0 : (unsigned)plen;
	return 0;
}

void dv_forget_source(struct dv_plan *p)
{
	memset(p->src, 0, sizeof(p->src));
	memset(p->src_prefix, 0, sizeof(p->src_prefix));
}

int dv_set_dst_mac(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_mac(v, p->dst_mac) != 0)
		return dv_not_a(ctx, v, "a MAC address (aa:bb:cc:dd:ee:ff)");
	p->dst_mac_set = true;
	return 0;
}

int dv_set_gateway(struct dv_plan *p, const char *v, const char *ctx)
{
	return dv_add_addr(p->gateway, ctx, v, "gateway", NULL);
}

void dv_forget_gateway(struct dv_plan *p)
{
	memset(p->gateway, 0, sizeof(p->gateway));
}

int dv_set_vlan(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, 4094, &n) != 0)
		return dv_not_a(ctx, v, "a VLAN ID in 1..4094");
	p->vlan = (uint16_t)n;
	return 0;
}

int dv_set_sport_base(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, DV_SPORT_BASE_MIN, DV_SPORT_BASE_MAX, &n) != 0)
		return dv_not_a(ctx, v, "a source port in 1024..65519");
	p->sport_base = (uint16_t)n;
	return 0;
}

/** LOW-HIGH: the source ports the in-flight table may use. */
int dv_set_sport(struct dv_plan *p, const char *v, const char *ctx)
{
	char buf[32], *f[2];
	uint64_t lo, hi;
	if (dv_split_copy(v, '-', buf, sizeof(buf), f, 2) != 2 ||
	    dv_parse_uint(f[0], DV_SPORT_BASE_MIN, DV_SPORT_MAX, &lo) != 0 ||
	    dv_parse_uint(f[1], lo, DV_SPORT_MAX, &hi) != 0)
		return dv_not_a(ctx, v, "a source port range LOW-HIGH, 1024 <= LOW <= HIGH <= 65535");
	p->sport_base = (uint16_t)lo;
	p->sport_high = (uint16_t)hi;
	return 0;
}

int dv_set_burst(struct dv_plan *p, const char *v, const char *ctx)
{
	uint64_t n;
	if (dv_parse_uint(v, 1, DV_BURST_MAX, &n) != 0)
		return dv_not_a(ctx, v, "a burst size in 1.." STR(DV_BURST_MAX));
	p->burst = (unsigned)n;
	return 0;
}

int dv_set_eal(struct dv_plan *p, const char *v, const char *ctx)
{
	/* Empty is allowed: it clears arguments a scenario gave. */
	if (strlen(v) >= sizeof(p->eal_extra)) {
		dv_err("%s: longer than %zu bytes", ctx, sizeof(p->eal_extra) - 1);
		return -EINVAL;
	}
	strcpy(p->eal_extra, v);
	return 0;
}

int dv_set_hugepages(struct dv_plan *p, const char *v, const char *ctx)
{
	if (dv_parse_bool(v, &p->hugepages) != 0)
		return dv_not_a(ctx, v, "a boolean (true or false)");
	return 0;
}
