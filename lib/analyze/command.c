/*
 * `dnsvolley analyze` (command.h): a capture, one packet at a time, through
 * the packet parser, the window of open sequences and the source table into
 * the tables; memory is what the window and the source table were sized for.
 */
#include "analyze/command.h"

#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/packet.h"
#include "analyze/page.h"
#include "analyze/sources.h"
#include "analyze/tables.h"
#include "analyze/window.h"
#include "core/log.h"

#define USAGE_ANALYZE "dnsvolley analyze CAPTURE [--quiet-time SECONDS] [--dns-port PORT] " \
		      "[--window N] [--sources N] [--json FILE] [--html FILE] [--plots DIR] " \
		      "[--no-plots] [-q]"
#define QUIET_DEFAULT_S 5.0
#define WINDOW_DEFAULT (1u << 21)
#define SOURCES_DEFAULT (1u << 20)
#define TABLE_MAX (1u << 28)

/* Link types whose IP header we find (pcap's DLT_ values, as libpcap names them). */
static int l3_offset(int dlt, const uint8_t *p, size_t len)
{
	switch (dlt) {
	case DLT_EN10MB: {
		size_t off = 12;
		if (len < 14)
			return -1;
		uint16_t et = (uint16_t)(p[12] << 8 | p[13]);
		while ((et == 0x8100 || et == 0x88a8) && off + 6 <= len) {
			off += 4;
			et = (uint16_t)(p[off] << 8 | p[off + 1]);
		}
		return et == 0x0800 || et == 0x86dd ? (int)off + 2 : -1;
	}
	case DLT_LINUX_SLL:
		return len >= 16 ? 16 : -1;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		return len >= 20 ? 20 : -1;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		return len >= 4 ? 4 : -1;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		return 0;
	default:
		return -2;
	}
}

static int bad(const char *what, const char *value, const char *as)
{
	dv_err("analyze: %s: '%s' is not %s", what, value, as);
	return DV_EXIT_USAGE;
}

static int parse_count(const char *opt, const char *v, uint32_t *out)
{
	char *end = NULL;
	unsigned long n = strtoul(v, &end, 10);
	if (end == v || *end != '\0' || n == 0 || n > TABLE_MAX)
		return bad(opt, v, "a count (1..268435456)");
	*out = (uint32_t)n;
	return 0;
}

int dv_cmd_analyze(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet-time", required_argument, NULL, 'w' },
		{ "dns-port", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'W' },
		{ "sources", required_argument, NULL, 'S' },
		{ "json", required_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "plots", required_argument, NULL, 'P' },
		{ "no-plots", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double quiet_s = QUIET_DEFAULT_S;
	uint32_t window = WINDOW_DEFAULT, nsrc = SOURCES_DEFAULT;
	unsigned port = 53;
	const char *json = NULL;
	struct dv_an_page_opts page = { 0 };
	bool quiet = false;
	int opt;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "p:qh", opts, NULL)) != -1) {
		char *end = NULL;
		switch (opt) {
		case 'w':
			quiet_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(quiet_s > 0.0) || quiet_s > 3600.0)
				return bad("--quiet-time", optarg, "a time in seconds (more than 0, at most 3600)");
			break;
		case 'p': {
			unsigned long v = strtoul(optarg, &end, 10);
			if (end == optarg || *end != '\0' || v == 0 || v > 65535)
				return bad("-p", optarg, "a port (1..65535)");
			port = (unsigned)v;
			break;
		}
		case 'W':
			if (parse_count("--window", optarg, &window) != 0)
				return DV_EXIT_USAGE;
			break;
		case 'S':
			if (parse_count("--sources", optarg, &nsrc) != 0)
				return DV_EXIT_USAGE;
			break;
		case 'j': json = optarg; break;
		case 'H': page.html = optarg; break;
		case 'P': page.plots_dir = optarg; break;
		case 'N': page.no_plots = true; break;
		case 'q': quiet = true; break;
		case 'h': printf("usage: %s\n", USAGE_ANALYZE); return 0;
		default:
			dv_err("analyze: unknown option '%s'; usage: %s", argv[optind - 1], USAGE_ANALYZE);
			return DV_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		dv_err("analyze: %s; usage: %s", optind == argc ? "no capture" : "one capture at a time",
		       USAGE_ANALYZE);
		return DV_EXIT_USAGE;
	}
	if (page.no_plots && page.plots_dir != NULL) {
		dv_err("analyze: --plots and --no-plots: one or the other; usage: %s", USAGE_ANALYZE);
		return DV_EXIT_USAGE;
	}
	/* Before the capture is read: a mistyped path must not cost the whole analysis. */
	if (dv_an_page_check(&page) != 0)
		return DV_EXIT_USAGE;
	const char *path = argv[optind];
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (pc == NULL) {
		/* libpcap's message names the file when it could not open it. */
		if (strstr(err, path) != NULL)
			dv_err("analyze: %s", err);
		else
			dv_err("analyze: %s: %s", path, err);
		return DV_EXIT_USAGE;
	}
	int dlt = pcap_datalink(pc);
	if (l3_offset(dlt, (const uint8_t *)"", 0) == -2) {
		dv_err("analyze: %s: link type %s is not one we read (Ethernet, Linux cooked, raw IP, "
		       "loopback)", path, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(pc);
		return DV_EXIT_USAGE;
	}

	static struct dv_an_tables t;
	memset(&t, 0, sizeof(t));
	struct dv_an_window w;
	struct dv_an_sources src;
	int status = 0;
	if (dv_an_window_init(&w, window, (uint64_t)(quiet_s * 1e9)) != 0) {
		dv_err("analyze: out of memory for a window of %u sequences (--window)", window);
		pcap_close(pc);
		return DV_EXIT_FAILURE;
	}
	if (dv_an_sources_init(&src, nsrc) != 0) {
		dv_err("analyze: out of memory for %u source addresses (--sources)", nsrc);
		dv_an_window_free(&w);
		pcap_close(pc);
		return DV_EXIT_FAILURE;
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		struct dv_seen_query q;
		enum dv_seen_kind k = DV_SEEN_OTHER;
		int off = l3_offset(dlt, data, h->caplen);
		if (off >= 0)
			k = dv_seen_parse(data + off, h->caplen - (unsigned)off, (uint16_t)port, &q);
		else
			memset(&q, 0, sizeof(q));
		dv_an_count_packet(&t, k, &q, ts);
		if (k == DV_SEEN_QUERY) {
			dv_an_window_add(&w, &t, &q, ts);
			dv_an_sources_add(&src, &t, &q);
		}
	}
	if (rc == PCAP_ERROR) {
		dv_err("analyze: %s: cut after %lu packets (%s): the tables are of those", path,
		       (unsigned long)t.packets, pcap_geterr(pc));
		status = DV_EXIT_FAILURE;
	}
	dv_an_window_flush(&w, &t);
	dv_an_sources_finish(&src, &t);
	dv_an_window_free(&w);
	dv_an_sources_free(&src);
	pcap_close(pc);

	if (!quiet)
		dv_an_text(stdout, &t);
	if (json != NULL) {
		json_t *doc = dv_an_json(&t);
		json_t *top = doc ? json_pack("{s:s, s:s, s:f, s:o}", "type", "capture_analysis", "capture",
					      path, "quiet_time_s", quiet_s, "tables", doc) : NULL;
		if (top == NULL || json_dump_file(top, json, JSON_INDENT(1)) != 0) {
			dv_err("analyze: --json: cannot write %s", json);
			status = DV_EXIT_FAILURE;
		}
		json_decref(top);
	}
	if (page.html != NULL || page.plots_dir != NULL) {
		int drawn = dv_an_page_write(&t, path, &page);
		if (drawn < 0)
			status = DV_EXIT_FAILURE;
		if (drawn >= 0 && !quiet && page.plots_dir != NULL)
			printf("\nWrote %d plots in %s (PNG, SVG, their data and gnuplot scripts)\n", drawn,
			       page.plots_dir);
		if (drawn >= 0 && !quiet && page.html != NULL)
			printf("%sWrote %s: the tables and %d plots\n", page.plots_dir ? "" : "\n", page.html,
			       drawn);
	}
	return status;
}
