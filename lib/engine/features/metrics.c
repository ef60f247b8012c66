/*
 * --metrics ADDR:PORT: the run's counters as Prometheus text on
 * http://ADDR:PORT/metrics (libmicrohttpd, its own thread) and as DPDK
 * telemetry commands (/dnsvolley/stats, /dnsvolley/latency).
 *
 * The port is bound in prepare, before EAL, so a port in use refuses the run
 * with one line and exit status 2 before any packet; the HTTP thread starts
 * once EAL pinned the main lcore, so it inherits the control lcore's CPU and
 * not a generator's. The control loop renders (metrics/openmetrics.c) into
 * scratch buffers and swaps them in under a mutex; readers copy under it.
 * The final result is published once the run is over and served until the
 * process ends, --metrics-hold seconds longer if asked.
 */
#include "engine/features/metrics.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "core/log.h"
#include "engine/features/feature.h"
#include "engine/result.h"
#include "engine/signals.h"
#include "metrics/openmetrics.h"

/** Telemetry dict entries (DPDK's limit, RTE_TEL_MAX_DICT_ENTRIES). */
#define TEL_MAX 256

/* One telemetry entry: key "queries_sent_total/ipv4", its value. */
struct tel_kv {
	char key[96];
	struct dv_om_value v;
};

/* The text formats served, by the scrape's Accept header. */
enum { FMT_PROM, FMT_OM, FMTS };

static struct {
	bool on;
	int fd;                        /* listening socket until the daemon owns it */
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;          /* guards what readers copy: text, tel, lat */
	char *text[FMTS];              /* published, NUL-terminated */
	size_t text_cap[FMTS];
	char *scratch[FMTS];           /* the control loop's, swapped in */
	size_t scratch_cap[FMTS];
	struct tel_kv tel[TEL_MAX], tel_next[TEL_MAX];
	unsigned ntel, ntel_next;
	uint64_t lat[DV_OM_LE_N + 1], lat_next[DV_OM_LE_N + 1]; /* cumulative, +Inf last */
	unsigned nlat_next;
	bool final;                    /* the run's result is published */
	uint64_t prev_sent, prev_tsc;  /* for the achieved rate */
} m = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static int metrics_prepare(struct dv_session *s)
{
	const struct dv_plan *plan = s->plan;
	int ret = 0;
	union {
		struct sockaddr sa;
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa;
	socklen_t salen;
	int one = 1;

	m.on = plan->metrics_spec[0] != '\0';
	m.final = false;
	if (!m.on)
		return 0;
	memset(&sa, 0, sizeof(sa));
	if (plan->metrics_addr.family == AF_INET6) {
		sa.v6.sin6_family = AF_INET6;
		sa.v6.sin6_addr = plan->metrics_addr.v6;
		sa.v6.sin6_port = htons(plan->metrics_port);
		salen = sizeof(sa.v6);
	} else {
		sa.v4.sin_family = AF_INET;
		sa.v4.sin_addr = plan->metrics_addr.v4;
		sa.v4.sin_port = htons(plan->metrics_port);
		salen = sizeof(sa.v4);
	}
	m.fd = socket(sa.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m.fd < 0) {
		ret = -errno;
		goto fail;
	}
	/* A port left in TIME-WAIT by an earlier run is free; one another process listens on is not. */
	(void)setsockopt(m.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.sa.sa_family == AF_INET6)
		(void)setsockopt(m.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(m.fd, &sa.sa, salen) != 0 || listen(m.fd, 16) != 0) {
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	dv_err("--metrics %s: cannot listen: %s", plan->metrics_spec, strerror(-ret));
	if (m.fd >= 0)
		close(m.fd);
	m.fd = -1;
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	static const char not_found[] = "not found: the metrics are at /metrics\n";
	struct MHD_Response *r;
	unsigned status = MHD_HTTP_OK;
	int fmt = FMT_PROM;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") != 0) {
		status = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(sizeof(not_found) - 1, (void *)not_found,
						    MHD_RESPMEM_PERSISTENT);
	} else {
		/* OpenMetrics for scrapers that ask for it (Prometheus does), else the 0.0.4 text. */
		const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
								 MHD_HTTP_HEADER_ACCEPT);
		if (accept != NULL && strstr(accept, "application/openmetrics-text") != NULL)
			fmt = FMT_OM;
		pthread_mutex_lock(&m.lock);
		const char *t = m.text[fmt] != NULL ? m.text[fmt] : "";
		r = MHD_create_response_from_buffer(strlen(t), (void *)t, MHD_RESPMEM_MUST_COPY);
		pthread_mutex_unlock(&m.lock);
	}
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status != MHD_HTTP_OK ? "text/plain" :
				fmt == FMT_OM ? DV_OM_CTYPE_OPENMETRICS : DV_OM_CTYPE_PROM);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Telemetry keys: the family without its prefix, its suffix, then each label value. */
static void tel_family(void *ctx, const struct dv_om_family *f)
{
	(void)ctx;
	(void)f;
}

static void tel_sample(void *ctx, const struct dv_om_family *f, const char *suffix,
		       const struct dv_om_labels *l, const struct dv_om_value *v)
{
	(void)ctx;
	if (strcmp(suffix, "_bucket") == 0) {
		if (m.nlat_next < DV_OM_LE_N + 1)
			m.lat_next[m.nlat_next++] = v->u;
		return;
	}
	if (m.ntel_next >= TEL_MAX)
		return;
	struct tel_kv *kv = &m.tel_next[m.ntel_next++];
	const char *name = strncmp(f->name, "dnsvolley_", 10) == 0 ? f->name + 10 : f->name;
	int o = snprintf(kv->key, sizeof(kv->key), "%s%s", name, suffix);
	for (unsigned i = 0; i < l->n && o > 0 && (size_t)o < sizeof(kv->key); i++)
		o += snprintf(kv->key + o, sizeof(kv->key) - (size_t)o, "/%s", l->value[i]);
	/* Telemetry names take letters, digits, '_' and '/' only ("port-unreachable"). */
	for (char *p = kv->key; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '/'))
			*p = '_';
	kv->v = *v;
}

/* Render v into the scratch buffers, then swap them in (one writer: the main lcore). */
static void publish(const struct dv_om_view *v)
{
	for (int f = 0; f < FMTS; f++) {
		size_t need = dv_om_render(v, f == FMT_OM, m.scratch[f], m.scratch_cap[f]);
		if (need >= m.scratch_cap[f]) {
			size_t cap = need + need / 2 + 1024;
			char *b = realloc(m.scratch[f], cap);
			if (b == NULL)
				return; /* keep serving the last text: out of memory is no reason to stop the run */
			m.scratch[f] = b;
			m.scratch_cap[f] = cap;
			dv_om_render(v, f == FMT_OM, m.scratch[f], m.scratch_cap[f]);
		}
	}
	const struct dv_om_walker w = { .family = tel_family, .sample = tel_sample };
	m.ntel_next = 0;
	m.nlat_next = 0;
	dv_om_walk(v, &w);

	pthread_mutex_lock(&m.lock);
	for (int f = 0; f < FMTS; f++) {
		char *t = m.text[f];
		size_t cap = m.text_cap[f];
		m.text[f] = m.scratch[f];
		m.text_cap[f] = m.scratch_cap[f];
		m.scratch[f] = t;
		m.scratch_cap[f] = cap;
	}
	memcpy(m.tel, m.tel_next, m.ntel_next * sizeof(m.tel[0]));
	m.ntel = m.ntel_next;
	memcpy(m.lat, m.lat_next, sizeof(m.lat));
	pthread_mutex_unlock(&m.lock);
}

static void view_init(struct dv_om_view *v, const struct dv_session *s)
{
	memset(v, 0, sizeof(*v));
	v->n_edns = s->pol[0].n_edns;
	v->edns_size = s->pol[0].edns_size;
	v->tcp = dv_plan_uses_tcp(s->plan);
	v->running = true;
}

void dv_metrics_publish(struct dv_session *s, const struct dv_tx_stats *tx,
			const struct dv_rx_stats *rx, double target_qps, uint64_t now_tsc)
{
	static struct dv_result describe;
	struct dv_om_view v;
	uint64_t hz = s->sh->tsc_hz;

	if (!m.on || m.final)
		return;
	view_init(&v, s);
	/* Whether the report shows sequences: the engine's own rule (result.c). */
	dv_session_describe(&describe, s);
	v.sequences = describe.sequences;
	v.tx = tx;
	v.rx = rx;
	v.target_qps = target_qps;
	v.tcp_open = dv_session_tcp_open(s);
	v.elapsed_s = now_tsc > s->sh->start_tsc ? (double)(now_tsc - s->sh->start_tsc) / (double)hz : 0.0;
	uint64_t sent = 0;
	for (unsigned f = 0; f < DV_FAMILIES; f++)
		sent += tx->sent[f];
	if (m.prev_tsc == 0 || m.prev_tsc < s->sh->start_tsc)
		m.prev_tsc = s->sh->start_tsc;
	if (now_tsc > m.prev_tsc && sent >= m.prev_sent)
		v.achieved_qps = (double)(sent - m.prev_sent) * (double)hz / (double)(now_tsc - m.prev_tsc);
	m.prev_sent = sent;
	m.prev_tsc = now_tsc;
	publish(&v);
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&m.lock);
	for (unsigned i = 0; i < m.ntel; i++) {
		const struct tel_kv *kv = &m.tel[i];
		char num[40];
		if (kv->v.kind == DV_OM_U64) {
			rte_tel_data_add_dict_u64(d, kv->key, kv->v.u);
			continue;
		}
		if (kv->v.kind == DV_OM_NS_AS_S)
			dv_om_ns_str(kv->v.u, num, sizeof(num));
		else
			snprintf(num, sizeof(num), "%.10g", kv->v.d);
		rte_tel_data_add_dict_string(d, kv->key, num);
	}
	pthread_mutex_unlock(&m.lock);
	return 0;
}

static int tel_latency(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	struct rte_tel_data *le = rte_tel_data_alloc(), *cum = rte_tel_data_alloc();
	if (le == NULL || cum == NULL) {
		rte_tel_data_free(le);
		rte_tel_data_free(cum);
		return -ENOMEM;
	}
	rte_tel_data_start_array(le, RTE_TEL_U64_VAL);
	rte_tel_data_start_array(cum, RTE_TEL_U64_VAL);
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&m.lock);
	/* Bucket bounds in ns (the last, +Inf, as UINT64_MAX) and cumulative counts. */
	for (unsigned e = DV_OM_LE_FIRST; e <= DV_OM_LE_LAST; e++)
		rte_tel_data_add_array_u64(le, (UINT64_C(1) << e) - 1);
	rte_tel_data_add_array_u64(le, UINT64_MAX);
	for (unsigned i = 0; i < DV_OM_LE_N + 1; i++)
		rte_tel_data_add_array_u64(cum, m.lat[i]);
	rte_tel_data_add_dict_u64(d, "count", m.lat[DV_OM_LE_N]);
	pthread_mutex_unlock(&m.lock);
	rte_tel_data_add_dict_container(d, "le_ns", le, 0);
	rte_tel_data_add_dict_container(d, "cumulative", cum, 0);
	return 0;
}

/* EAL is up and the main lcore pinned: the HTTP thread starts from here, on its CPU. */
static int metrics_ports(struct dv_session *s)
{
	static bool registered;
	static struct dv_tx_stats tx0;
	static struct dv_rx_stats rx0;
	struct dv_om_view v;

	if (!m.on)
		return 0;
	m.mhd = MHD_start_daemon(MHD_USE_POLL_INTERNAL_THREAD, 0, NULL, NULL, answer, NULL,
				 MHD_OPTION_LISTEN_SOCKET, m.fd, MHD_OPTION_CONNECTION_LIMIT, 64u,
				 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (m.mhd == NULL) {
		dv_err("--metrics %s: cannot start the HTTP server", s->plan->metrics_spec);
		return -EIO;
	}
	m.fd = -1; /* the daemon's now: MHD_stop_daemon closes it */
	/* Until the first snapshot: zeros, so a scrape before sending is well-formed. */
	dv_tx_stats_init(&tx0);
	dv_rx_stats_init(&rx0);
	memset(&v, 0, sizeof(v));
	v.tx = &tx0;
	v.rx = &rx0;
	v.target_qps = -1.0;
	v.running = true;
	v.tcp = dv_plan_uses_tcp(s->plan);
	publish(&v);
	if (!registered) {
		rte_telemetry_register_cmd("/dnsvolley/stats", tel_stats,
					   "dnsvolley's counters as in /metrics. Takes no parameters");
		rte_telemetry_register_cmd("/dnsvolley/latency", tel_latency,
					   "dnsvolley's response latency histogram (cumulative). "
					   "Takes no parameters");
		registered = true;
	}
	return 0;
}

/* The run's result: its totals, final. Served from now on, never replaced. */
static void metrics_collect(struct dv_session *s, struct dv_result *res)
{
	const struct dv_plan *plan = s->plan;
	struct dv_om_view v;

	if (!m.on)
		return;
	view_init(&v, s);
	v.sequences = res->sequences;
	v.tx = &res->tx;
	v.rx = &res->rx;
	v.running = false;
	v.elapsed_s = res->run_seconds;
	v.target_qps = plan->rate_mode == DV_RATE_FIXED ? plan->qps :
		       plan->rate_mode == DV_RATE_RAMP ? plan->ramp.to_qps :
		       plan->rate_mode == DV_RATE_SEARCH ? s->trial_qps : -1.0;
	/* The achieved rate of the whole run: attempts over the time they were sent in. */
	if (res->send_seconds > 0.0)
		v.achieved_qps = (double)dv_result_sent(res) / res->send_seconds;
	v.tcp_open = 0;
	publish(&v);
	m.final = true;
}

/* Nap in steps, so a signal (Ctrl-C during the hold) ends it at once. */
static void hold(const struct dv_plan *plan)
{
	unsigned presses = dv_signals_presses();
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!plan->quiet) {
		printf("[Status] Serving the final metrics on http://%s/metrics for %g s (--metrics-hold)\n",
		       plan->metrics_spec, plan->metrics_hold_s);
		fflush(stdout);
	}
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double secs = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs >= plan->metrics_hold_s || dv_signals_presses() != presses)
			break;
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
	}
}

static void metrics_release(struct dv_session *s)
{
	if (!m.on)
		return;
	if (m.final && s->plan->metrics_hold_s > 0.0)
		hold(s->plan);
	if (m.mhd != NULL)
		MHD_stop_daemon(m.mhd);
	m.mhd = NULL;
	if (m.fd >= 0)
		close(m.fd);
	m.fd = -1;
	/* Telemetry cannot unregister a command: it keeps answering, from what is left. */
	pthread_mutex_lock(&m.lock);
	for (int f = 0; f < FMTS; f++) {
		free(m.text[f]);
		free(m.scratch[f]);
		m.text[f] = m.scratch[f] = NULL;
		m.text_cap[f] = m.scratch_cap[f] = 0;
	}
	pthread_mutex_unlock(&m.lock);
	m.on = false;
}

const struct dv_feature dv_feature_metrics = {
	.name = "metrics",
	.prepare = metrics_prepare,
	.ports = metrics_ports,
	.collect = metrics_collect,
	.release = metrics_release,
};
