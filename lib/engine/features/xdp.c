#include "engine/features/xdp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config/profile.h"
#include "engine/features/feature.h"
#include "core/log.h"
#include "xdp/dns_filter.h"

/* Where libbpf pins maps declared with LIBBPF_PIN_BY_NAME. */
#define PIN_CONFIG   "/sys/fs/bpf/dv_xdp_config"
#define PIN_COUNTERS "/sys/fs/bpf/dv_xdp_counters"

bool dv_xdp_used(const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++)
		if (dv_profile_uses_xdp_prog(&plan->port[k].profile))
			return true;
	return false;
}

void dv_xdp_unpin(void)
{
	unlink(PIN_CONFIG);
	unlink(PIN_COUNTERS);
}

int dv_xdp_configure(const struct dv_plan *plan)
{
	int fd = bpf_obj_get(PIN_CONFIG);
	if (fd < 0) {
		dv_err("XDP program: no configuration map at %s (did the af_xdp PMD load %s?)",
		       PIN_CONFIG, dv_profile_xdp_prog());
		return -ENOENT;
	}
	struct dv_xdp_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	const struct dv_addr *t4 = &plan->target[DV_FAMILY_V4], *t6 = &plan->target[DV_FAMILY_V6];
	if (t4->family != 0) {
		memcpy(&cfg.target4, &t4->v4, 4);
		cfg.has4 = 1;
	}
	if (t6->family != 0) {
		memcpy(cfg.target6, &t6->v6, 16);
		cfg.has6 = 1;
	}
	cfg.dport = htons(plan->dport);
	uint32_t zero = 0;
	int rc = bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY);
	close(fd);
	if (rc != 0) {
		dv_err("XDP program: cannot write its configuration: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int dv_xdp_read(struct dv_xdp_counts *out)
{
	memset(out, 0, sizeof(*out));
	int fd = bpf_obj_get(PIN_COUNTERS);
	if (fd < 0)
		return -errno;
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*v)) : NULL;
	int rc = v == NULL ? -ENOMEM : 0;
	uint64_t sum[DV_XDP_COUNTERS] = { 0 };
	for (uint32_t k = 0; rc == 0 && k < DV_XDP_COUNTERS; k++) {
		if (bpf_map_lookup_elem(fd, &k, v) != 0) {
			rc = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			sum[k] += v[c];
	}
	free(v);
	close(fd);
	out->redirected = sum[DV_XDP_REDIRECTED];
	out->passed = sum[DV_XDP_PASSED];
	out->fragments = sum[DV_XDP_FRAGMENTS];
	out->icmp = sum[DV_XDP_ICMP];
	return rc;
}

/* ---------------------------------------------------------------- the feature */

static bool xdp_on; /* a port of this run loads the program */

static int xdp_prepare(struct dv_session *s)
{
	xdp_on = dv_xdp_used(s->plan);
	if (xdp_on)
		dv_xdp_unpin(); /* counters of an earlier run */
	return 0;
}

static int xdp_ports(struct dv_session *s)
{
	return xdp_on ? dv_xdp_configure(s->plan) : 0;
}

static void xdp_collect(struct dv_session *s, struct dv_result *res)
{
	struct dv_xdp_counts xc;
	(void)s;
	if (!xdp_on || dv_xdp_read(&xc) != 0)
		return;
	res->has_xdp = true;
	res->xdp_redirected = xc.redirected;
	res->xdp_passed = xc.passed;
	res->xdp_fragments = xc.fragments;
	res->xdp_icmp = xc.icmp;
}

static void xdp_release(struct dv_session *s)
{
	(void)s;
	if (xdp_on)
		dv_xdp_unpin(); /* the program goes with the port */
	xdp_on = false;
}

const struct dv_feature dv_feature_xdp = {
	.name = "xdp",
	.prepare = xdp_prepare,
	.ports = xdp_ports,
	.collect = xdp_collect,
	.release = xdp_release,
};
