/**
 * @file json.h
 * @brief Results as JSON lines in the DNS-OARC dns-metrics schema.
 *
 * One object per line: a "header" first, a "stats_periodic" per interval, a
 * "stats_sum" last. Times in ns (time_units_per_sec 1000000000); latency
 * buckets as [low, high, count] triples of the non-empty histogram buckets.
 * What the schema has no field for is in each stats record's "dnsvolley"
 * object, including "sequences" (when the result has sequences) and "edns"
 * (with sequences or more than one EDNS size), see docs/sequences.md; and
 * "fragments", "icmp" and "failure_table" (when dv_result_has_frag_report()),
 * see docs/fragments.md.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/plan.h"
#include "metrics/result.h"

/**
 * An open JSON lines output. A regular file (or a new one) is written under a
 * temporary name in its directory and renamed to its path with the first
 * stats record, so a run that ends before measuring anything leaves an
 * earlier result at that path as it was. Each record is written whole, with
 * one write(); when a write fails (disk full) the file is cut back to its last
 * complete line, and nothing more is written.
 */
struct dv_json_out {
	int fd;               /**< -1 when closed */
	char runid[40];
	int err;              /**< first write error (-errno), sticky; reported once */
	char path[PATH_MAX];  /**< for the error message */
	char tmp[PATH_MAX];   /**< the temporary name until renamed ("" when not used) */
	bool committed;       /**< renamed to path (or path written directly) */
	bool regular;         /**< a regular file: can be cut back (ftruncate) */
	uint64_t good;        /**< bytes of complete records written */
	unsigned records;     /**< complete records written, header included */
};

/**
 * Create path and write the header record (generator "dnsvolley", version,
 * generator_params = argv, stats_interval and timeout in seconds). A FIFO
 * must have its reader: without one this fails at once with -ENXIO.
 * @return 0 or -errno (reported with dv_err, naming the path)
 */
int dv_json_open(struct dv_json_out *out, const char *path, const struct dv_plan *plan);

/**
 * dv_json_open() with the header's fields given: for results that no plan
 * made (merge). from: the runids merged (the header's "merged_from", so a
 * later merge sees them; NULL: none), and how ("side-by-side" or "sequential").
 */
int dv_json_open_params(struct dv_json_out *out, const char *path, int argc,
			const char *const *argv, double stats_interval_s, double timeout_s,
			const char *const *from, unsigned nfrom, const char *how);

/**
 * Write a stats_periodic record for one interval (achieved_qps over until - since).
 * @return 0 or -errno; the first write error is reported once and then returned again
 */
int dv_json_periodic(struct dv_json_out *out, const struct dv_result *iv);

/**
 * Write the stats_sum record (achieved_qps over send_seconds).
 * @return 0 or -errno, as dv_json_periodic()
 */
int dv_json_sum(struct dv_json_out *out, const struct dv_result *r);

/**
 * Close (also after a failed open); returns 0 or -errno if a write failed.
 * Without a stats record written, the temporary file goes and path keeps
 * what it held before.
 */
int dv_json_close(struct dv_json_out *out);
