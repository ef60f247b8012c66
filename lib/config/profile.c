/**
 * @file profile.c
 * @brief Port profile loader and "--port NAME[:ARG]" resolution.
 */
#include "config/profile.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dv_config.h"

#include "config/parse.h"
#include "core/log.h"

/** Descriptor ring sizes we accept (the PMDs round or refuse beyond this). */
#define DESC_MIN 32
#define DESC_MAX 16384
#define DESC_DEFAULT 1024

#define STR_(x) #x
#define STR(x) STR_(x)

/** Loader state. */
struct prof_ctx {
	struct dv_port_profile p;
	const char *file;
	bool arg_set;      /**< an "arg" key was seen */
	size_t vdev_line;  /**< line of "vdev", 0 if absent */
	size_t dflt_line;  /**< line of "default-arg", 0 if absent */
};

typedef int (*prof_handler)(struct prof_ctx *c, const struct dv_yaml_entry *e);

/** Print "FILE:LINE: KEY: 'VALUE' is not WHAT" for value i of e. */
static int bad_value(const struct dv_yaml_entry *e, size_t i, const char *what)
{
	char qb[DV_QUOTE_BUF];
	dv_err("%s:%zu: %s: '%s' is not %s", e->file, e->vline[i], e->key,
	       dv_quote(e->v[i], qb, sizeof(qb)), what);
	return -EINVAL;
}

/** Copy a single string value into a fixed field. */
static int set_str(const struct dv_yaml_entry *e, char *dst, size_t size)
{
	if (strlen(e->v[0]) >= size) {
		dv_err("%s:%zu: %s: longer than %zu bytes", e->file, e->vline[0],
		       e->key, size - 1);
		return -EINVAL;
	}
	strcpy(dst, e->v[0]);
	return 0;
}

static int set_bool(const struct dv_yaml_entry *e, bool *dst)
{
	if (dv_parse_bool(e->v[0], dst) != 0)
		return bad_value(e, 0, "a boolean (true or false)");
	return 0;
}

static int h_name(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	char qb[DV_QUOTE_BUF];
	/* The file name is the identity; a differing "name" is a copy-paste slip. */
	if (strcmp(e->v[0], c->p.name) != 0) {
		dv_err("%s:%zu: name: '%s' does not match the file name '%s.yaml'",
		       e->file, e->vline[0], dv_quote(e->v[0], qb, sizeof(qb)),
		       c->p.name);
		return -EINVAL;
	}
	return 0;
}

static int h_description(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_str(e, c->p.description, sizeof(c->p.description));
}

static int h_vdev(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	c->vdev_line = e->vline[0];
	return set_str(e, c->p.vdev, sizeof(c->p.vdev));
}

static int h_pci_devargs(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	/* Options only: the address comes from --port, and no second device may sneak in. */
	if (strchr(e->v[0], ' ') != NULL || strchr(e->v[0], ':') != NULL)
		return bad_value(e, 0, "driver options like key=value,key=value");
	return set_str(e, c->p.pci_devargs, sizeof(c->p.pci_devargs));
}

static int h_kernel_driver(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	for (const char *q = e->v[0]; *q != '\0'; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '_' || *q == '-'))
			return bad_value(e, 0, "a kernel driver name like vfio-pci");
	return set_str(e, c->p.kernel_driver, sizeof(c->p.kernel_driver));
}

static int h_arg(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	static const char *const kinds[] = { "iface", "pci", "path", "none" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(e->v[0], kinds[i]) == 0) {
			bool none = strcmp(kinds[i], "none") == 0;
			snprintf(c->p.arg_kind, sizeof(c->p.arg_kind), "%s",
				 none ? "" : kinds[i]);
			c->p.needs_arg = !none;
			c->arg_set = true;
			return 0;
		}
	}
	return bad_value(e, 0, "iface, pci, path or none");
}

static int h_default_arg(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	c->dflt_line = e->vline[0];
	return set_str(e, c->p.default_arg, sizeof(c->p.default_arg));
}

static int h_needs(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	for (size_t i = 0; i < e->n; i++) {
		if (strcmp(e->v[i], "hugepages") == 0)
			c->p.needs_hugepages = true;
		else if (strcmp(e->v[i], "bpffs") == 0)
			c->p.needs_bpffs = true;
		else
			return bad_value(e, i, "a known requirement (hugepages, bpffs)");
	}
	return 0;
}

static int h_rss_hash(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	static const struct { const char *name; unsigned bit; } kinds[] = {
		{ "ipv4", DV_RSS_IPV4 }, { "frag-ipv4", DV_RSS_FRAG_IPV4 },
		{ "ipv6", DV_RSS_IPV6 }, { "frag-ipv6", DV_RSS_FRAG_IPV6 },
	};
	c->p.rss_hash = 0;
	for (size_t i = 0; i < e->n; i++) {
		size_t k = 0;
		while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(e->v[i], kinds[k].name) != 0)
			k++;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			return bad_value(e, i, "an address hash (ipv4, frag-ipv4, ipv6, frag-ipv6)");
		c->p.rss_hash |= kinds[k].bit;
	}
	return 0;
}

static int h_kernel_iface(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_bool(e, &c->p.kernel_iface);
}

static int h_arp_nd(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_bool(e, &c->p.arp_nd);
}

static int h_embedded(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_bool(e, &c->p.embedded);
}

static int h_checksum(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	if (strcmp(e->v[0], "software") == 0)
		c->p.csum = DV_CSUM_SOFTWARE;
	else if (strcmp(e->v[0], "offload") == 0)
		c->p.csum = DV_CSUM_OFFLOAD;
	else
		return bad_value(e, 0, "software or offload");
	return 0;
}

static int set_desc(const struct dv_yaml_entry *e, uint16_t *dst)
{
	uint64_t v;
	if (dv_parse_uint(e->v[0], DESC_MIN, DESC_MAX, &v) != 0)
		return bad_value(e, 0, "a ring size in " STR(DESC_MIN) ".." STR(DESC_MAX));
	*dst = (uint16_t)v;
	return 0;
}

static int h_rx_desc(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_desc(e, &c->p.rx_desc);
}

static int h_tx_desc(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_desc(e, &c->p.tx_desc);
}

static int h_rx_queues(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	uint64_t v;
	if (dv_parse_uint(e->v[0], 1, DV_MAX_COLLECTORS, &v) != 0)
		return bad_value(e, 0, "a number of RX queues in 1.." STR(DV_MAX_COLLECTORS));
	c->p.rx_queues = (unsigned)v;
	return 0;
}

static int h_tx_queues(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	uint64_t v;
	if (dv_parse_uint(e->v[0], 1, DV_MAX_GENERATORS, &v) != 0)
		return bad_value(e, 0, "a number of TX queues in 1.." STR(DV_MAX_GENERATORS));
	c->p.tx_queues = (unsigned)v;
	return 0;
}

static int h_tx_csum_offload(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_bool(e, &c->p.tx_csum_offload);
}

static int h_tx_from_rx_pool(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	return set_bool(e, &c->p.tx_from_rx_pool);
}

static int h_rx_steering(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	if (strcmp(e->v[0], "address") == 0)
		c->p.rx_steering = DV_STEER_ADDRESS;
	else if (strcmp(e->v[0], "kernel") == 0)
		c->p.rx_steering = DV_STEER_KERNEL;
	else if (strcmp(e->v[0], "none") == 0)
		c->p.rx_steering = DV_STEER_NONE;
	else
		return bad_value(e, 0, "address, kernel or none");
	return 0;
}

static int h_kernel_reassembles(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	if (strcmp(e->v[0], "none") == 0)
		c->p.kernel_reassembles = 0;
	else if (strcmp(e->v[0], "ipv4") == 0)
		c->p.kernel_reassembles = 1u << DV_FAMILY_V4;
	else
		return bad_value(e, 0, "ipv4 or none");
	return 0;
}

static int h_max_qps(struct prof_ctx *c, const struct dv_yaml_entry *e)
{
	uint64_t v;
	if (dv_parse_uint(e->v[0], 1000, 1000000000, &v) != 0)
		return bad_value(e, 0, "a rate in 1000..1000000000 queries per second");
	c->p.max_qps = (double)v;
	return 0;
}

/** Profile keys. */
static const struct {
	const char *key;
	prof_handler fn;
	bool list;         /**< a list is accepted (a scalar is a list of one) */
} prof_keys[] = {
	{ "name",         h_name,         false },
	{ "description",  h_description,  false },
	{ "vdev",         h_vdev,         false },
	{ "arg",          h_arg,          false },
	{ "default-arg",  h_default_arg,  false },
	{ "needs",        h_needs,        true },
	{ "kernel-iface", h_kernel_iface, false },
	{ "embedded",     h_embedded,     false },
	{ "arp-nd",       h_arp_nd,       false },
	{ "checksum",     h_checksum,     false },
	{ "rx-desc",      h_rx_desc,      false },
	{ "tx-desc",      h_tx_desc,      false },
	{ "rx-queues",    h_rx_queues,    false },
	{ "tx-queues",    h_tx_queues,    false },
	{ "tx-checksum-offload", h_tx_csum_offload, false },
	{ "tx-from-rx-pool", h_tx_from_rx_pool, false },
	{ "rx-steering",  h_rx_steering,  false },
	{ "max-qps",      h_max_qps,      false },
	{ "kernel-reassembles", h_kernel_reassembles, false },
	{ "rss-hash",     h_rss_hash,     true },
	{ "pci-devargs",  h_pci_devargs,  false },
	{ "kernel-driver", h_kernel_driver, false },
};

static int prof_entry(const struct dv_yaml_entry *e, void *arg)
{
	struct prof_ctx *c = arg;
	char qb[DV_QUOTE_BUF];
	for (size_t i = 0; i < sizeof(prof_keys) / sizeof(prof_keys[0]); i++) {
		if (strcmp(e->key, prof_keys[i].key) != 0)
			continue;
		if (e->is_seq && !prof_keys[i].list) {
			dv_err("%s:%zu: %s: expected a single value, not a list",
			       e->file, e->line, e->key);
			return -EINVAL;
		}
		return prof_keys[i].fn(c, e);
	}
	dv_err("%s:%zu: unknown key '%s'", e->file, e->line,
	       dv_quote(e->key, qb, sizeof(qb)));
	return -EINVAL;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > DV_PROFILE_NAME_MAX)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
	}
	return true;
}

/** The vdev template may only use the placeholders "{arg}" and "{queues}". */
static bool template_ok(const char *vdev, bool *uses_arg)
{
	*uses_arg = false;
	for (const char *p = vdev; *p != '\0'; p++) {
		if (*p == '}')
			return false;
		if (*p != '{')
			continue;
		if (strncmp(p, "{arg}", 5) == 0) {
			*uses_arg = true;
			p += 4;
		} else if (strncmp(p, "{queues}", 8) == 0) {
			p += 7;
		} else if (strncmp(p, "{xdp_prog}", 10) == 0) {
			p += 9;
		} else {
			return false;
		}
	}
	return true;
}

const char *dv_profile_xdp_prog(void)
{
	/* The build's copy when running from a build tree, else the installed one. */
	return access(DV_XDP_PROG_BUILD, R_OK) == 0 ? DV_XDP_PROG_BUILD : DV_XDP_PROG_INSTALL;
}

bool dv_profile_uses_xdp_prog(const struct dv_port_profile *prof)
{
	return strstr(prof->vdev, "{xdp_prog}") != NULL;
}

bool dv_profile_counts_channels(const struct dv_port_profile *prof)
{
	return strncmp(prof->vdev, "net_af_xdp", 10) == 0;
}

/** Cross-checks between keys, once the whole file is read. */
static int prof_validate(struct prof_ctx *c)
{
	struct dv_port_profile *p = &c->p;
	bool uses_arg;
	if (!template_ok(p->vdev, &uses_arg)) {
		dv_err("%s:%zu: vdev: only the placeholders {arg}, {queues} and {xdp_prog} are known",
		       c->file, c->vdev_line);
		return -EINVAL;
	}
	if (p->embedded) {
		if (p->vdev[0] != '\0' || p->needs_arg) {
			dv_err("%s: an embedded profile has no vdev and no arg", c->file);
			return -EINVAL;
		}
		return 0;
	}
	bool pci = strcmp(p->arg_kind, "pci") == 0;
	if (pci && p->vdev[0] != '\0') {
		dv_err("%s:%zu: a pci profile has no vdev (the device is on the PCI bus)", c->file,
		       c->vdev_line);
		return -EINVAL;
	}
	if (!pci && (p->pci_devargs[0] != '\0' || p->kernel_driver[0] != '\0')) {
		dv_err("%s: pci-devargs and kernel-driver are for pci profiles (arg: pci)", c->file);
		return -EINVAL;
	}
	if (p->vdev[0] == '\0' && !pci) {
		dv_err("%s: missing key 'vdev' (only pci and embedded profiles go without)",
		       c->file);
		return -EINVAL;
	}
	if (uses_arg && !p->needs_arg) {
		dv_err("%s:%zu: vdev uses {arg} but the profile has no 'arg'",
		       c->file, c->vdev_line);
		return -EINVAL;
	}
	if (!uses_arg && p->needs_arg && p->vdev[0] != '\0') {
		dv_err("%s:%zu: vdev: 'arg' is %s but the template has no {arg}",
		       c->file, c->vdev_line, p->arg_kind);
		return -EINVAL;
	}
	if (p->default_arg[0] != '\0') {
		const char *why;
		if (!p->needs_arg) {
			dv_err("%s:%zu: default-arg without 'arg'", c->file, c->dflt_line);
			return -EINVAL;
		}
		if (dv_profile_check_arg(p, p->default_arg, &why) != 0) {
			dv_err("%s:%zu: default-arg: %s", c->file, c->dflt_line, why);
			return -EINVAL;
		}
	}
	return 0;
}

int dv_profile_load_mem(const char *file, const char *name, const char *text,
			size_t len, struct dv_port_profile *out)
{
	if (file == NULL || name == NULL || out == NULL)
		return -EINVAL;
	if (!name_ok(name)) {
		char qb[DV_QUOTE_BUF];
		dv_err("%s: bad profile name '%s' (use [A-Za-z0-9_-], at most %d)",
		       file, dv_quote(name, qb, sizeof(qb)), DV_PROFILE_NAME_MAX);
		return -EINVAL;
	}

	struct prof_ctx c;
	memset(&c, 0, sizeof(c));
	c.file = file;
	snprintf(c.p.name, sizeof(c.p.name), "%s", name);
	c.p.csum = DV_CSUM_SOFTWARE;
	c.p.rx_desc = DESC_DEFAULT;
	c.p.tx_desc = DESC_DEFAULT;
	c.p.rx_queues = 1;
	c.p.tx_queues = 1;
	c.p.tx_csum_offload = false;
	c.p.max_qps = DV_PROFILE_MAX_QPS;
	c.p.rss_hash = DV_RSS_ALL;

	int ret = dv_yaml_map_walk(file, text, len, prof_entry, &c);
	if (ret == 0)
		ret = prof_validate(&c);
	if (ret == 0)
		*out = c.p;
	return ret;
}

int dv_profile_load(const char *path, struct dv_port_profile *out)
{
	if (path == NULL || out == NULL)
		return -EINVAL;

	/* Profile name = base name without ".yaml". */
	const char *base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	size_t blen = strlen(base);
	if (blen > 5 && strcmp(base + blen - 5, ".yaml") == 0)
		blen -= 5;
	char name[DV_PROFILE_NAME_MAX + 2];
	if (blen >= sizeof(name))
		blen = sizeof(name) - 1; /* too long: name_ok() refuses it */
	memcpy(name, base, blen);
	name[blen] = '\0';

	char *text = NULL;
	size_t len = 0;
	int ret = dv_read_file(path, DV_YAML_FILE_MAX, &text, &len);
	if (ret != 0)
		return ret;
	ret = dv_profile_load_mem(path, name, text, len, out);
	free(text);
	return ret;
}

static bool iface_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

static bool pci_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.';
}

int dv_profile_check_arg(const struct dv_port_profile *prof, const char *arg,
			 const char **why)
{
	const char *dummy;
	if (why == NULL)
		why = &dummy;
	if (prof == NULL || arg == NULL || *arg == '\0') {
		*why = "empty";
		return -EINVAL;
	}
	/* Whatever the kind: the argument lands inside a devargs string, where
	 * ',' and '=' would add or override driver options. */
	for (const unsigned char *p = (const unsigned char *)arg; *p != '\0'; p++) {
		if (*p == ',' || *p == '=') {
			*why = "',' and '=' are not allowed";
			return -EINVAL;
		}
		if (*p <= 0x20 || *p >= 0x7f || *p == '{' || *p == '}') {
			*why = "blanks, control and non-ASCII bytes are not allowed";
			return -EINVAL;
		}
	}
	size_t n = strlen(arg);
	if (strcmp(prof->arg_kind, "iface") == 0) {
		if (n > IFNAMSIZ - 1) {
			*why = "interface names have at most 15 bytes";
			return -EINVAL;
		}
		if (strcmp(arg, ".") == 0 || strcmp(arg, "..") == 0) {
			*why = "not an interface name";
			return -EINVAL;
		}
		for (const char *p = arg; *p != '\0'; p++) {
			if (!iface_char(*p)) {
				*why = "interface names use only A-Z a-z 0-9 _ . -";
				return -EINVAL;
			}
		}
	} else if (strcmp(prof->arg_kind, "pci") == 0) {
		for (const char *p = arg; *p != '\0'; p++) {
			if (!pci_char(*p)) {
				*why = "not a PCI address like 0000:01:00.0";
				return -EINVAL;
			}
		}
		if (strchr(arg, ':') == NULL || strchr(arg, '.') == NULL || n > 16) {
			*why = "not a PCI address like 0000:01:00.0";
			return -EINVAL;
		}
	}
	return 0;
}

int dv_profile_devargs(const struct dv_port_profile *prof, const char *arg,
		       unsigned nqueues, char *buf, size_t len)
{
	if (prof == NULL || buf == NULL || len == 0 || nqueues == 0)
		return -EINVAL;
	if (arg == NULL)
		arg = "";

	char queues[16];
	snprintf(queues, sizeof(queues), "%u", nqueues);
	const char *xdp = dv_profile_xdp_prog();
	size_t o = 0, alen = strlen(arg), qlen = strlen(queues);
	for (const char *p = prof->vdev; *p != '\0';) {
		const char *piece = p;
		size_t plen = 1;
		if (strncmp(p, "{arg}", 5) == 0) {
			piece = arg;
			plen = alen;
			p += 5;
		} else if (strncmp(p, "{queues}", 8) == 0) {
			piece = queues;
			plen = qlen;
			p += 8;
		} else if (strncmp(p, "{xdp_prog}", 10) == 0) {
			piece = xdp;
			plen = strlen(xdp);
			p += 10;
		} else {
			p++;
		}
		if (o + plen >= len)
			return -ENOSPC;
		memcpy(buf + o, piece, plen);
		o += plen;
	}
	buf[o] = '\0';
	return (int)o;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dv_profile_list(const char *dir, char *buf, size_t len)
{
	if (dir == NULL || buf == NULL || len == 0)
		return -EINVAL;
	buf[0] = '\0';

	char **names = NULL;
	size_t n = 0;
	int ret = 0;
	DIR *d = opendir(dir);
	if (d == NULL)
		return -errno;

	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l <= 5 || strcmp(de->d_name + l - 5, ".yaml") != 0)
			continue;
		char *nm = strndup(de->d_name, l - 5);
		if (nm == NULL) {
			ret = -ENOMEM;
			goto cleanup;
		}
		if (!name_ok(nm)) {
			free(nm);
			continue;
		}
		char **nn = realloc(names, (n + 1) * sizeof(*nn));
		if (nn == NULL) {
			free(nm);
			ret = -ENOMEM;
			goto cleanup;
		}
		names = nn;
		names[n++] = nm;
	}
	qsort(names, n, sizeof(*names), cmp_str);

	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + o, len - o, "%s%s", i > 0 ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - o) {
			/* Cut: end with "..." if there is room at all. */
			if (len >= 4)
				snprintf(buf + len - 4, 4, "...");
			break;
		}
		o += (size_t)w;
	}
	ret = (int)n;
cleanup:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

/** Human words for what a profile's argument is. */
static const char *arg_words(const struct dv_port_profile *p)
{
	if (strcmp(p->arg_kind, "iface") == 0)
		return "an interface name";
	if (strcmp(p->arg_kind, "pci") == 0)
		return "a PCI address";
	return "a path";
}

static const char *arg_meta(const struct dv_port_profile *p)
{
	if (strcmp(p->arg_kind, "iface") == 0)
		return "IFACE";
	if (strcmp(p->arg_kind, "pci") == 0)
		return "PCI";
	return "PATH";
}

int dv_profile_resolve(const char *spec, const char *dir,
		       struct dv_port_profile *prof, char *arg, size_t arg_len)
{
	char qb[DV_QUOTE_BUF];
	if (spec == NULL || dir == NULL || prof == NULL || arg == NULL || arg_len == 0)
		return -EINVAL;
	if (*spec == '\0') {
		dv_err("--port: empty port spec (expected NAME[:ARG])");
		return -EINVAL;
	}

	/* NAME ends at the first ':'; a PCI address after it keeps its colons. */
	const char *colon = strchr(spec, ':');
	size_t nlen = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	char name[DV_PROFILE_NAME_MAX + 1];
	if (nlen == 0 || nlen > DV_PROFILE_NAME_MAX) {
		dv_err("--port: bad profile name in '%s' (expected NAME[:ARG])",
		       dv_quote(spec, qb, sizeof(qb)));
		return -EINVAL;
	}
	memcpy(name, spec, nlen);
	name[nlen] = '\0';
	/* Also keeps "../x" from reaching outside the drivers directory. */
	if (!name_ok(name)) {
		dv_err("--port: bad profile name '%s' (use [A-Za-z0-9_-])",
		       dv_quote(name, qb, sizeof(qb)));
		return -EINVAL;
	}

	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.yaml", dir, name) >= sizeof(path)) {
		dv_err("--port: drivers directory path too long");
		return -ENAMETOOLONG;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		char known[256];
		int n = dv_profile_list(dir, known, sizeof(known));
		if (n < 0)
			dv_err("--port: no profile '%s' in %s (%s)", name, dir, strerror(-n));
		else
			dv_err("--port: no profile '%s' in %s (known: %s)", name, dir,
			       n > 0 ? known : "none");
		return -EINVAL;
	}

	struct dv_port_profile p;
	int ret = dv_profile_load(path, &p);
	if (ret != 0)
		return ret;

	const char *a = colon != NULL ? colon + 1 : NULL;
	if (a != NULL && *a == '\0') {
		dv_err("--port: nothing after ':' in '%s'", dv_quote(spec, qb, sizeof(qb)));
		return -EINVAL;
	}
	if (a != NULL && !p.needs_arg) {
		dv_err("--port: profile '%s' takes no argument", name);
		return -EINVAL;
	}
	if (a == NULL && p.needs_arg) {
		if (p.default_arg[0] == '\0') {
			dv_err("--port: profile '%s' needs %s: --port %s:%s", name,
			       arg_words(&p), name, arg_meta(&p));
			return -EINVAL;
		}
		a = p.default_arg;
	}
	if (a == NULL)
		a = "";

	const char *why;
	if (*a != '\0' && dv_profile_check_arg(&p, a, &why) != 0) {
		dv_err("--port: bad argument '%s' for '%s': %s",
		       dv_quote(a, qb, sizeof(qb)), name, why);
		return -EINVAL;
	}
	if (strlen(a) >= arg_len) {
		dv_err("--port: argument longer than %zu bytes", arg_len - 1);
		return -EINVAL;
	}
	strcpy(arg, a);
	*prof = p;
	return 0;
}

/* What a profile's port needs from the host, in words. */
static void needs_words(const struct dv_port_profile *p, char *buf, size_t len)
{
	size_t o = 0;
	bool root = p->kernel_iface || p->needs_hugepages || p->needs_bpffs ||
		    strcmp(p->arg_kind, "pci") == 0;
	const char *w[5];
	unsigned n = 0;
	if (root)
		w[n++] = "root";
	if (p->needs_hugepages)
		w[n++] = "hugepages";
	if (p->needs_bpffs)
		w[n++] = "bpffs";
	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", w[i]);
	if (p->kernel_driver[0] != '\0' && o < len)
		snprintf(buf + o, len - o, "%sthe device bound to %s", n ? ", " : "", p->kernel_driver);
	else if (n == 0)
		snprintf(buf, len, "nothing");
}

int dv_profile_print_all(const char *dir, FILE *out)
{
	char list[2048];
	int n = dv_profile_list(dir, list, sizeof(list));
	if (n < 0) {
		dv_err("--list-ports: cannot read %s: %s", dir, strerror(-n));
		return n;
	}
	fprintf(out, "Port profiles in %s (--port NAME[:ARG]; docs/drivers.md):\n", dir);
	char *save = NULL;
	for (char *name = strtok_r(list, ", ", &save); name != NULL; name = strtok_r(NULL, ", ", &save)) {
		char path[PATH_MAX];
		struct dv_port_profile p;
		snprintf(path, sizeof(path), "%s/%s.yaml", dir, name);
		if (dv_profile_load(path, &p) != 0) {
			fprintf(out, "  %-22s (invalid, see the error above)\n", name);
			continue;
		}
		char usage[64], needs[128];
		if (!p.needs_arg)
			snprintf(usage, sizeof(usage), "%s", p.name);
		else if (p.default_arg[0] != '\0')
			snprintf(usage, sizeof(usage), "%s[:%s]", p.name, arg_meta(&p));
		else
			snprintf(usage, sizeof(usage), "%s:%s", p.name, arg_meta(&p));
		needs_words(&p, needs, sizeof(needs));
		static const char *const steer[] = { "by our address hash", "by the kernel/peer (hand-off)",
						     "nowhere (it receives nothing)" };
		fprintf(out, "  %-22s %s\n", usage, p.description);
		fprintf(out, "  %-22s needs %s; %u RX / %u TX queues, answers spread %s%s%s\n", "", needs,
			p.rx_queues, p.tx_queues, steer[p.rx_steering],
			p.arp_nd ? "; speaks ARP/ND itself" : "",
			p.tx_csum_offload ? "; TX checksum offload" : "");
	}
	return 0;
}
