#include "engine/eal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <rte_eal.h>

#include "config/cli.h"
#include "config/profile.h"
#include "core/log.h"
#include "net/nexthop.h"

#define BPF_FS_MAGIC_NUMBER 0xcafe4a11
/* Memory cap per process so that tests and servers can run side by side. */
#define DV_EAL_MEM_MB "512"

static long meminfo_value(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return -1;
	char line[256];
	long val = -1;
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			val = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

static int mounted_fs(const char *fstype)
{
	FILE *f = fopen("/proc/mounts", "r");
	if (f == NULL)
		return 0;
	char dev[256], dir[256], type[64];
	int found = 0;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, fstype) == 0) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool is_pci(const struct dv_port_plan *pp)
{
	return strcmp(pp->profile.arg_kind, "pci") == 0;
}

/* Room for "0000:" before the longest --port argument. */
#define PCI_NAME_MAX (sizeof(((struct dv_port_plan *)0)->arg) + 8)

/* "3b:00.0" -> "0000:3b:00.0": DPDK names PCI devices with their domain. */
static void pci_canonical(const char *arg, char buf[PCI_NAME_MAX])
{
	const char *c1 = strchr(arg, ':');
	bool has_domain = c1 != NULL && strchr(c1 + 1, ':') != NULL;
	snprintf(buf, PCI_NAME_MAX, "%s%s", has_domain ? "" : "0000:", arg);
}

/* The device exists, and is bound to the driver the profile needs (before EAL probes it). */
static int preflight_pci(const struct dv_port_plan *pp)
{
	char addr[PCI_NAME_MAX], path[PATH_MAX], link[PATH_MAX];
	pci_canonical(pp->arg, addr);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	if (access(path, F_OK) != 0) {
		dv_err("--port %s: no PCI device %s (lspci -D lists them)", pp->spec, addr);
		return -ENODEV;
	}
	if (pp->profile.kernel_driver[0] == '\0')
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	const char *drv = "no driver";
	if (n > 0) {
		link[n] = '\0';
		const char *slash = strrchr(link, '/');
		drv = slash != NULL ? slash + 1 : link;
	}
	if (strcmp(drv, pp->profile.kernel_driver) != 0) {
		dv_err("--port %s: %s is bound to %s, not %s (docs/drivers.md: dpdk-devbind.py -b %s %s)",
		       pp->spec, addr, drv, pp->profile.kernel_driver, pp->profile.kernel_driver, addr);
		return -ENODEV;
	}
	return 0;
}

/* Hugepages for a run: root, a hugetlbfs, and what EAL's -m asks for free. `who` leads the message. */
static int preflight_hugepages(const char *who)
{
	if (geteuid() != 0) {
		dv_err("%s: needs root (raw access to hugepages)", who);
		return -EPERM;
	}
	long free_pages = meminfo_value("HugePages_Free");
	long page_kb = meminfo_value("Hugepagesize");
	if (!mounted_fs("hugetlbfs")) {
		dv_err("%s: needs hugepages, and no hugetlbfs is mounted "
		       "(mount -t hugetlbfs nodev /dev/hugepages)", who);
		return -ENOENT;
	}
	if (free_pages <= 0 || page_kb <= 0 || free_pages * page_kb < 512L * 1024) {
		dv_err("%s: needs 512 MiB of free hugepages, %ld kB free "
		       "(echo 1024 > /proc/sys/vm/nr_hugepages)", who,
		       free_pages > 0 && page_kb > 0 ? free_pages * page_kb : 0L);
		return -ENOMEM;
	}
	return 0;
}

static int preflight_port(const struct dv_port_plan *pp)
{
	const struct dv_port_profile *pr = &pp->profile;

	if ((pr->kernel_iface || pr->needs_bpffs) && geteuid() != 0) {
		dv_err("--port %s: needs root (raw access to %s)", pp->spec,
		       pr->kernel_iface ? "the interface" : "bpffs");
		return -EPERM;
	}
	if (pr->needs_hugepages) {
		char who[sizeof(pp->spec) + 8];
		snprintf(who, sizeof(who), "--port %s", pp->spec);
		int rc = preflight_hugepages(who);
		if (rc != 0)
			return rc;
	}
	/*
	 * bpffs is for the PMD's own program (libxdp pins its dispatcher there):
	 * with dnsvolley's ({xdp_prog}) the PMD attaches it through netlink and
	 * nothing is pinned, so a profile copied from an older af_xdp.yaml that
	 * still says "needs: bpffs" runs under ip netns exec too.
	 */
	if (pr->needs_bpffs && !dv_profile_uses_xdp_prog(pr)) {
		struct statfs st;
		if (statfs("/sys/fs/bpf", &st) != 0 || (unsigned long)st.f_type != BPF_FS_MAGIC_NUMBER) {
			dv_err("--port %s: needs bpffs at /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)",
			       pp->spec);
			return -ENOENT;
		}
	}
	return is_pci(pp) ? preflight_pci(pp) : 0;
}

int dv_preflight(const struct dv_plan *plan)
{
	if (plan->hugepages) {
		int rc = preflight_hugepages("--hugepages");
		if (rc != 0)
			return rc;
	}
	for (unsigned k = 0; k < plan->nports; k++) {
		int rc = preflight_port(&plan->port[k]);
		if (rc != 0)
			return rc;
		/* af_xdp: the PMD refuses more queues than combined channels, with a message
		 * that reads like the XDP program failed; ask the kernel first. */
		int ch = dv_profile_counts_channels(&plan->port[k].profile)
				 ? dv_iface_combined_channels(plan->port[k].arg) : 0;
		if (ch > 0 && dv_cli_check_channels(plan, k, (unsigned)ch) != 0)
			return -EINVAL;
	}
	return 0;
}

bool dv_eal_needs_hugepages(const struct dv_plan *plan)
{
	if (plan->hugepages)
		return true;
	for (unsigned k = 0; k < plan->nports; k++)
		if (plan->port[k].profile.needs_hugepages)
			return true;
	return false;
}

/*
 * The profile's vdev with its arguments filled in, renamed for port k: the
 * digits ending the driver instance name ("net_af_xdp0") become k, so that
 * two ports of one profile are two devices.
 */
static int port_devargs(const struct dv_plan *plan, unsigned k, char *buf, size_t len)
{
	const struct dv_port_plan *pp = &plan->port[k];
	char exp[512];
	unsigned nq = dv_plan_on_port(plan, plan->generators, k);
	unsigned ncol = dv_plan_on_port(plan, plan->collectors, k);
	nq = nq > ncol ? nq : ncol;
	if (dv_profile_devargs(&pp->profile, pp->arg, nq ? nq : 1, exp, sizeof(exp)) < 0)
		return -E2BIG;
	size_t n = strcspn(exp, ",");
	size_t stem = n;
	while (stem > 0 && exp[stem - 1] >= '0' && exp[stem - 1] <= '9')
		stem--;
	int w = snprintf(buf, len, "%.*s%u%s", (int)stem, exp, k, exp + n);
	return w < 0 || (size_t)w >= len ? -E2BIG : 0;
}

void dv_eal_vdev_name(const struct dv_plan *plan, unsigned k, char *buf, size_t len)
{
	char dev[512];
	buf[0] = '\0';
	if (k < plan->nports && is_pci(&plan->port[k])) {
		char addr[PCI_NAME_MAX];
		pci_canonical(plan->port[k].arg, addr);
		snprintf(buf, len, "%s", addr);
		return;
	}
	if (k >= plan->nports || plan->port[k].profile.vdev[0] == '\0' ||
	    port_devargs(plan, k, dev, sizeof(dev)) != 0)
		return;
	size_t n = strcspn(dev, ",");
	if (n >= len)
		n = len - 1;
	memcpy(buf, dev, n);
	buf[n] = '\0';
}

struct argv_builder {
	struct dv_eal_args *a;
	size_t used;
	int err;
};

static void push(struct argv_builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void push(struct argv_builder *b, const char *fmt, ...)
{
	struct dv_eal_args *a = b->a;
	if (b->err != 0)
		return;
	if (a->argc >= DV_EAL_ARGV_MAX - 1) {
		b->err = -E2BIG;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(a->buf + b->used, sizeof(a->buf) - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->buf) - b->used) {
		b->err = -E2BIG;
		return;
	}
	a->argv[a->argc++] = a->buf + b->used;
	a->argv[a->argc] = NULL;
	b->used += (size_t)n + 1;
}

int dv_eal_args_build(const struct dv_plan *plan, const char *prog, struct dv_eal_args *a,
		      struct dv_lcore_map *map)
{
	struct argv_builder b = { .a = a };
	memset(a, 0, sizeof(*a));

	/* CPUs we may run on: lcores are pinned to them, oversubscribed on small hosts. */
	cpu_set_t set;
	int cpus[CPU_SETSIZE];
	int ncpu = 0;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				cpus[ncpu++] = i;
	}
	if (ncpu == 0)
		cpus[ncpu++] = 0;

	/* lcore 0: main (control loop, mostly asleep). */
	int last = cpus[ncpu - 1];
	int first = cpus[0];
	unsigned ngen = plan->generators > 1 ? plan->generators : 1;
	unsigned ncol = plan->roles == DV_ROLES_SPLIT ? (plan->collectors > 1 ? plan->collectors : 1) : 0;
	unsigned explicit_k = 0;
	char lcores[512];
	int off = snprintf(lcores, sizeof(lcores), "0@%d", first);
	unsigned next = 1;
	/* --lcores: worker CPUs in the order generators, collectors, responder (checked by the CLI). */
#define PLACE(id, dflt)                                                                        \
	do {                                                                                   \
		int cpu_ = plan->n_lcore_cpu > 0 ? (int)plan->lcore_cpu[explicit_k++] : (dflt);  \
		off += snprintf(lcores + off, sizeof(lcores) - (size_t)off, ",%u@%d", (id), cpu_); \
	} while (0)
	for (unsigned i = 0; i < ngen; i++) {
		map->gen[i] = next++;
		/* Generators from the last CPU down, oversubscribed on small hosts. */
		PLACE(map->gen[i], cpus[(unsigned)(ncpu - 1) - i % (unsigned)ncpu]);
	}
	map->col[0] = map->gen[0];
	for (unsigned i = 0; i < ncol; i++) {
		map->col[i] = next++;
		/* Collectors spread over the other CPUs, oversubscribed on small hosts. */
		PLACE(map->col[i], ncpu > 2 ? cpus[(ncpu - 2 + ncpu - (int)(i % (unsigned)(ncpu - 1))) % ncpu]
					    : (i % 2 == 0 ? first : last));
	}
	map->resp = UINT32_MAX;
	if (plan->port[0].profile.embedded) {
		map->resp = next++;
		PLACE(map->resp, ncpu > 3 ? cpus[ncpu - 3] : first);
	}
#undef PLACE
	if ((size_t)off >= sizeof(lcores)) {
		dv_err("--lcores: too many lcores");
		return -E2BIG;
	}
	a->nlcores = next;

	push(&b, "%s", prog);
	push(&b, "--file-prefix=dnsvolley-%d", (int)getpid());
	push(&b, "--lcores=%s", lcores);
	if (dv_eal_needs_hugepages(plan)) {
		/* No hugepage files left behind, even after a crash. */
		push(&b, "--in-memory");
		push(&b, "-m");
		push(&b, DV_EAL_MEM_MB);
	} else {
		push(&b, "--no-huge");
		/* No shared config: nothing left in /var/run/dpdk after the run. */
		push(&b, "--no-shconf");
		push(&b, "-m");
		push(&b, DV_EAL_MEM_MB);
	}
	bool any_pci = false;
	for (unsigned k = 0; k < plan->nports; k++) {
		if (!is_pci(&plan->port[k]))
			continue;
		/* Only the devices of the run: -a ADDR[,driver options]. */
		char addr[PCI_NAME_MAX];
		pci_canonical(plan->port[k].arg, addr);
		push(&b, "-a");
		push(&b, "%s%s%s", addr, plan->port[k].profile.pci_devargs[0] ? "," : "",
		     plan->port[k].profile.pci_devargs);
		any_pci = true;
	}
	if (!any_pci)
		push(&b, "--no-pci");
	/* Telemetry's socket (RUNTIME_DIR/dpdk_telemetry.v2) only for --metrics: it exports our counters. */
	if (plan->metrics_spec[0] == '\0')
		push(&b, "--no-telemetry");
	else
		push(&b, "--log-level=lib.telemetry:error"); /* not "no legacy callbacks" on every run */
	push(&b, "--log-level=lib.eal:error");
	push(&b, "--log-level=pmd.*:error");
	push(&b, "--log-level=lib.ethdev:error");
	push(&b, "--log-level=user1:error"); /* rte_ip_frag logs its table size as USER1 */
	for (unsigned k = 0; k < plan->nports; k++) {
		if (plan->port[k].profile.vdev[0] == '\0')
			continue;
		char vdev[512];
		if (port_devargs(plan, k, vdev, sizeof(vdev)) != 0) {
			dv_err("--port %s: device arguments too long", plan->port[k].spec);
			return -E2BIG;
		}
		push(&b, "--vdev=%s", vdev);
	}

	/* --eal extras: split on blanks, no quoting (documented). */
	char extra[sizeof(plan->eal_extra)];
	snprintf(extra, sizeof(extra), "%s", plan->eal_extra);
	char *save = NULL;
	for (char *tok = strtok_r(extra, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
		push(&b, "%s", tok);

	if (b.err != 0) {
		dv_err("--eal: too many EAL arguments");
		return b.err;
	}
	return 0;
}

/* Remove a directory of plain files (EAL's runtime directory: config, sockets). */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void dv_eal_stop(void)
{
	/* EAL leaves its runtime directory (/var/run/dpdk/PREFIX) behind: one per run. */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(dir);
}
