#include "engine/features/xdp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config/profile.h"
#include "engine/features/feature.h"
#include "core/log.h"
#include "xdp/dns_filter.h"

/* Names the kernel knows our program and maps by (BPF_OBJ_NAME_LEN: 15 characters). */
#define PROG_NAME    "dv_dns_filter"
#define MAP_CONFIG   "dv_xdp_config"
#define MAP_COUNTERS "dv_xdp_counters"
/* One lock file per interface (network namespace, ifindex): the run holding it writes its PID. */
#define LOCK_DIR "/run/dnsvolley"

/* One port of the run that loads the program. */
struct xdp_port {
	bool on;
	const char *spec;      /* --port as given */
	const char *ifname;
	unsigned ifindex;
	int lock_fd;           /* flock'ed for the run's lifetime; -1: no lock */
	char lock_path[128];
	int cfg_fd, cnt_fd;    /* the program's maps; -1 until configured */
};

static struct xdp_port xp[DV_MAX_PORTS];

bool dv_xdp_used(const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++)
		if (dv_profile_uses_xdp_prog(&plan->port[k].profile))
			return true;
	return false;
}

void dv_xdp_off_command(unsigned attach_mode, const char *ifname, char *buf, size_t len)
{
	const char *kw = attach_mode == XDP_ATTACHED_SKB ? "xdpgeneric"
			 : attach_mode == XDP_ATTACHED_HW ? "xdpoffload"
			 : attach_mode == XDP_ATTACHED_DRV ? "xdpdrv"
							    : "xdp";
	snprintf(buf, len, "ip link set dev %s %s off", ifname, kw);
}

static __u32 mode_flags(unsigned attach_mode)
{
	return attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE
	       : attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE
	       : attach_mode == XDP_ATTACHED_DRV ? XDP_FLAGS_DRV_MODE
						  : 0;
}

/* The name of a program (or map) by fd: "" when unknown. */
static void prog_name(int prog_fd, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	memset(&info, 0, sizeof(info));
	name[0] = '\0';
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &ilen) == 0)
		snprintf(name, len, "%s", info.name);
}

/* A map of the program, by name: its fd, or -1. */
static int prog_map(int prog_fd, const char *want)
{
	__u32 ids[16];
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = 16;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &ilen) != 0)
		return -1;
	unsigned n = info.nr_map_ids < 16 ? info.nr_map_ids : 16;
	for (unsigned i = 0; i < n; i++) {
		int fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		struct bpf_map_info mi;
		__u32 mlen = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &mlen) == 0 && strcmp(mi.name, want) == 0)
			return fd;
		close(fd);
	}
	return -1;
}

/* Whether process pid holds an fd of program prog_id. */
static bool pid_holds_prog(const char *pid, __u32 prog_id)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "/proc/%.32s/fd", pid);
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d)) != NULL) {
		char path[PATH_MAX + NAME_MAX + 2], link[64];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, "anon_inode:bpf-prog") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%.32s/fdinfo/%s", pid, e->d_name);
		FILE *f = fopen(path, "r");
		char line[128];
		unsigned id;
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "prog_id: %u", &id) == 1 && id == prog_id)
				found = true;
		if (f != NULL)
			fclose(f);
	}
	closedir(d);
	return found;
}

/* A live process other than us holding program prog_id: its PID, or 0. */
static pid_t prog_holder(__u32 prog_id)
{
	DIR *d = opendir("/proc");
	if (d == NULL)
		return 0;
	pid_t self = getpid(), who = 0;
	struct dirent *e;
	while (who == 0 && (e = readdir(d)) != NULL) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid == self)
			continue;
		if (pid_holds_prog(e->d_name, prog_id))
			who = (pid_t)pid;
	}
	closedir(d);
	return who;
}

/* The PID a run of ours wrote into its program's configuration (0: none). */
static unsigned recorded_pid(int prog_fd)
{
	int fd = prog_map(prog_fd, MAP_CONFIG);
	struct dv_xdp_config cfg;
	uint32_t zero = 0;
	memset(&cfg, 0, sizeof(cfg));
	if (fd >= 0) {
		if (bpf_map_lookup_elem(fd, &zero, &cfg) != 0)
			cfg.pid = 0;
		close(fd);
	}
	return cfg.pid;
}

/*
 * Lock the interface for this run. 0: ours (or no lock directory: the
 * program check still guards); -EBUSY: another live run holds it (reported).
 */
static int lock_iface(struct xdp_port *p)
{
	struct stat ns, a, b;
	p->lock_fd = -1;
	if (stat("/proc/self/ns/net", &ns) != 0 || (mkdir(LOCK_DIR, 0755) != 0 && errno != EEXIST))
		return 0;
	snprintf(p->lock_path, sizeof(p->lock_path), LOCK_DIR "/xdp-%lu-%u.lock",
		 (unsigned long)ns.st_ino, p->ifindex);
	for (int tries = 0; tries < 8; tries++) {
		int fd = open(p->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return 0;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			char buf[32] = "";
			ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
			close(fd);
			long pid = n > 0 ? strtol(buf, NULL, 10) : 0;
			if (pid > 0)
				dv_err("--port %s: %s is in use by another dnsvolley run (PID %ld): wait for "
				       "it to end, or use another interface", p->spec, p->ifname, pid);
			else
				dv_err("--port %s: %s is in use by another dnsvolley run: wait for it to "
				       "end, or use another interface", p->spec, p->ifname);
			return -EBUSY;
		}
		/* The holder before us may have removed the file: lock the one the path names. */
		if (fstat(fd, &a) == 0 && stat(p->lock_path, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			char buf[32];
			int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
			if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
				dv_info("XDP: cannot write our PID into %s", p->lock_path);
			p->lock_fd = fd;
			return 0;
		}
		close(fd);
	}
	return 0;
}

static void unlock_iface(struct xdp_port *p)
{
	if (p->lock_fd < 0)
		return;
	unlink(p->lock_path); /* while locked: whoever opens it next locks a new file */
	close(p->lock_fd);
	p->lock_fd = -1;
}

/*
 * The program attached to the interface, if any: none, ours left by a run
 * that is gone (detached here), or anything else (refused, with the command
 * that removes it).
 */
static int check_attached(struct xdp_port *p)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	if (bpf_xdp_query((int)p->ifindex, 0, &q) != 0 || q.attach_mode == XDP_ATTACHED_NONE)
		return 0;
	char cmd[128], name[32] = "";
	unsigned mode = q.attach_mode;
	__u32 id = q.prog_id;
	if (mode == XDP_ATTACHED_MULTI) { /* one per mode: take the one that would be in our way */
		id = q.skb_prog_id ? q.skb_prog_id : q.drv_prog_id ? q.drv_prog_id : q.hw_prog_id;
		mode = q.skb_prog_id ? XDP_ATTACHED_SKB : q.drv_prog_id ? XDP_ATTACHED_DRV : XDP_ATTACHED_HW;
	}
	dv_xdp_off_command(mode, p->ifname, cmd, sizeof(cmd));
	int fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0)
		prog_name(fd, name, sizeof(name));
	if (strcmp(name, PROG_NAME) != 0) {
		dv_err("--port %s: %s already has an XDP program (id %u%s%s), not dnsvolley's: remove it "
		       "(%s) or use another interface", p->spec, p->ifname, id, name[0] ? ", " : "", name,
		       cmd);
		if (fd >= 0)
			close(fd);
		return -EBUSY;
	}
	unsigned rec = recorded_pid(fd);
	pid_t holder = prog_holder(id);
	if (holder != 0) {
		/* A run that holds no lock: another mount namespace, or an older dnsvolley. */
		dv_err("--port %s: %s is in use by another dnsvolley run (PID %d): wait for it to end, "
		       "or use another interface", p->spec, p->ifname, (int)holder);
		close(fd);
		return -EBUSY;
	}
	LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = fd);
	int rc = bpf_xdp_detach((int)p->ifindex, mode_flags(mode) | XDP_FLAGS_REPLACE, &o);
	close(fd);
	if (rc != 0) {
		dv_err("--port %s: %s has dnsvolley's XDP program (id %u) left by a run that is gone, "
		       "and it cannot be removed (%s): run %s", p->spec, p->ifname, id, strerror(-rc), cmd);
		return -EBUSY;
	}
	/* A change to the host: said even with -q (dv_err is never silenced; the run goes on). */
	if (rec != 0)
		dv_err("XDP: removed the program (id %u) that run PID %u, which is gone, left on %s", id,
		       rec, p->ifname);
	else
		dv_err("XDP: removed the program (id %u) that a run which is gone left on %s", id,
		       p->ifname);
	return 0;
}

int dv_xdp_claim(const struct dv_plan *plan)
{
	for (unsigned k = 0; k < plan->nports; k++) {
		struct xdp_port *p = &xp[k];
		memset(p, 0, sizeof(*p));
		p->lock_fd = p->cfg_fd = p->cnt_fd = -1;
		if (!dv_profile_uses_xdp_prog(&plan->port[k].profile))
			continue;
		p->on = true;
		p->spec = plan->port[k].spec;
		p->ifname = plan->port[k].arg;
		p->ifindex = if_nametoindex(p->ifname);
		if (p->ifindex == 0) {
			dv_err("--port %s: no interface %s (ip link lists them)", p->spec, p->ifname);
			return -ENODEV;
		}
		int rc = lock_iface(p);
		if (rc == 0)
			rc = check_attached(p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The maps of the program the PMD attached to port p, and its configuration written. */
static int configure_port(struct xdp_port *p, const struct dv_xdp_config *cfg)
{
	__u32 id = 0;
	char name[32] = "";
	int prog = -1;
	if (bpf_xdp_query_id((int)p->ifindex, 0, &id) == 0 && id != 0)
		prog = bpf_prog_get_fd_by_id(id);
	if (prog >= 0)
		prog_name(prog, name, sizeof(name));
	if (prog < 0 || strcmp(name, PROG_NAME) != 0) {
		dv_err("--port %s: dnsvolley's XDP program is not attached to %s (did the af_xdp PMD "
		       "load %s?)", p->spec, p->ifname, dv_profile_xdp_prog());
		if (prog >= 0)
			close(prog);
		return -ENOENT;
	}
	p->cfg_fd = prog_map(prog, MAP_CONFIG);
	p->cnt_fd = prog_map(prog, MAP_COUNTERS);
	close(prog);
	if (p->cfg_fd < 0 || p->cnt_fd < 0) {
		dv_err("--port %s: the XDP program on %s has no %s map: not built from %s?", p->spec,
		       p->ifname, p->cfg_fd < 0 ? MAP_CONFIG : MAP_COUNTERS, dv_profile_xdp_prog());
		return -ENOENT;
	}
	uint32_t zero = 0;
	if (bpf_map_update_elem(p->cfg_fd, &zero, cfg, BPF_ANY) != 0) {
		dv_err("XDP program on %s: cannot write its configuration: %s", p->ifname, strerror(errno));
		return -errno;
	}
	return 0;
}

int dv_xdp_configure(const struct dv_plan *plan)
{
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
	cfg.pid = (__u32)getpid();
	cfg.tcp = dv_plan_uses_tcp(plan);
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!xp[k].on)
			continue;
		int rc = configure_port(&xp[k], &cfg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int dv_xdp_read(struct dv_xdp_counts *out)
{
	memset(out, 0, sizeof(*out));
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *v = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*v)) : NULL;
	int rc = v == NULL ? -ENOMEM : 0;
	uint64_t sum[DV_XDP_COUNTERS] = { 0 };
	for (unsigned p = 0; rc == 0 && p < DV_MAX_PORTS; p++) {
		if (!xp[p].on)
			continue;
		for (uint32_t k = 0; rc == 0 && k < DV_XDP_COUNTERS; k++) {
			if (xp[p].cnt_fd < 0 || bpf_map_lookup_elem(xp[p].cnt_fd, &k, v) != 0) {
				rc = xp[p].cnt_fd < 0 ? -ENOENT : -errno;
				break;
			}
			for (int c = 0; c < ncpu; c++)
				sum[k] += v[c];
		}
	}
	free(v);
	out->redirected = sum[DV_XDP_REDIRECTED];
	out->passed = sum[DV_XDP_PASSED];
	out->fragments = sum[DV_XDP_FRAGMENTS];
	out->icmp = sum[DV_XDP_ICMP];
	out->tcp = sum[DV_XDP_TCP];
	return rc;
}

void dv_xdp_release(void)
{
	for (unsigned k = 0; k < DV_MAX_PORTS; k++) {
		struct xdp_port *p = &xp[k];
		if (!p->on)
			continue;
		if (p->cfg_fd >= 0)
			close(p->cfg_fd);
		if (p->cnt_fd >= 0)
			close(p->cnt_fd);
		unlock_iface(p);
		memset(p, 0, sizeof(*p));
	}
}

/* ---------------------------------------------------------------- the feature */

static bool xdp_on; /* a port of this run loads the program */

static int xdp_prepare(struct dv_session *s)
{
	xdp_on = dv_xdp_used(s->plan);
	return xdp_on ? dv_xdp_claim(s->plan) : 0;
}

static int xdp_ports(struct dv_session *s)
{
	return xdp_on ? dv_xdp_configure(s->plan) : 0;
}

static void xdp_collect(struct dv_session *s, struct dv_result *res)
{
	struct dv_xdp_counts xc;
	if (!xdp_on || dv_xdp_read(&xc) != 0)
		return;
	res->has_xdp = true;
	res->xdp_redirected = xc.redirected;
	res->xdp_passed = xc.passed;
	res->xdp_fragments = xc.fragments;
	res->xdp_icmp = xc.icmp;
	res->xdp_tcp = xc.tcp;
	res->xdp_takes_tcp = dv_plan_uses_tcp(s->plan);
}

static void xdp_release(struct dv_session *s)
{
	(void)s;
	dv_xdp_release(); /* the program goes with the port */
	xdp_on = false;
}

const struct dv_feature dv_feature_xdp = {
	.name = "xdp",
	.prepare = xdp_prepare,
	.ports = xdp_ports,
	.collect = xdp_collect,
	.release = xdp_release,
};
