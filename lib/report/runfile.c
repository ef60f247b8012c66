/**
 * @file runfile.c
 * @brief Reading a result file back, streamed: JSON lines, header first,
 *        stats_sum last, one record in memory at a time.
 */
#include "report/runfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/** Record type of a line: "header", "stats_periodic", "stats_sum", or NULL. */
static const char *rec_type(const json_t *o)
{
	return json_string_value(json_object_get(o, "type"));
}

/** The next non-blank line as a JSON object: 1, 0 at the end, or -errno (reported). */
static int next_object(struct dv_runfile *rf, json_t **out)
{
	*out = NULL;
	while (getline(&rf->line, &rf->linecap, rf->f) != -1) {
		json_error_t jerr;
		rf->lineno++;
		if (rf->line[strspn(rf->line, " \t\r\n")] == '\0')
			continue;
		json_t *o = json_loads(rf->line, JSON_DISABLE_EOF_CHECK, &jerr);
		if (o == NULL || !json_is_object(o)) {
			dv_err("%s:%u: not a JSON object: %s", rf->path, rf->lineno, o ? "" : jerr.text);
			json_decref(o);
			return -EINVAL;
		}
		*out = o;
		return 1;
	}
	if (ferror(rf->f)) {
		dv_err("%s: cannot read: %s", rf->path, strerror(EIO));
		return -EIO;
	}
	return 0;
}

int dv_runfile_open(const char *path, struct dv_runfile *rf)
{
	json_t *o = NULL;
	memset(rf, 0, sizeof(*rf));
	snprintf(rf->path, sizeof(rf->path), "%s", path);
	rf->f = fopen(path, "r");
	if (rf->f == NULL) {
		int ret = -errno;
		dv_err("%s: cannot read: %s", path, strerror(errno));
		return ret;
	}
	int ret = next_object(rf, &o);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		dv_err("%s: empty, not a dnsvolley result", path);
		return -EINVAL;
	}
	const char *type = rec_type(o);
	const char *gen = json_string_value(json_object_get(o, "generator"));
	if (rf->lineno != 1 || type == NULL || strcmp(type, "header") != 0 || gen == NULL ||
	    strcmp(gen, "dnsvolley") != 0) {
		dv_err("%s:%u: not a dnsvolley result (no dnsvolley header line)", path, rf->lineno);
		json_decref(o);
		return -EINVAL;
	}
	rf->header = o;
	const json_t *iv = json_object_get(o, "stats_interval");
	const json_t *to = json_object_get(o, "timeout");
	rf->stats_interval_s = json_is_number(iv) ? json_number_value(iv) : 0.0;
	rf->timeout_s = json_is_number(to) ? json_number_value(to) : 0.0;
	return 0;
}

static uint64_t rec_time(const json_t *rec, const char *key)
{
	const json_t *v = json_object_get(rec, key);
	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

int dv_runfile_next(struct dv_runfile *rf, json_t **rec, bool *is_sum)
{
	json_t *o;
	*rec = NULL;
	int ret = next_object(rf, &o);
	if (ret <= 0)
		return ret;
	const char *type = rec_type(o);
	bool periodic = type != NULL && strcmp(type, "stats_periodic") == 0;
	bool sum = type != NULL && strcmp(type, "stats_sum") == 0;
	if (rf->ended || !(periodic || sum)) {
		dv_err("%s:%u: unexpected record (type '%s')", rf->path, rf->lineno,
		       type ? type : "none");
		json_decref(o);
		return -EINVAL;
	}
	if (periodic) {
		rf->nperiodic++;
		if (rf->since_ns == 0)
			rf->since_ns = rec_time(o, "since");
		if (rec_time(o, "until") > rf->until_ns)
			rf->until_ns = rec_time(o, "until");
	} else {
		/* The sum's span is the run's. */
		rf->ended = true;
		if (rec_time(o, "since") != 0)
			rf->since_ns = rec_time(o, "since");
		if (rec_time(o, "until") != 0)
			rf->until_ns = rec_time(o, "until");
	}
	*rec = o;
	*is_sum = sum;
	return 1;
}

int dv_runfile_rewind(struct dv_runfile *rf)
{
	json_t *o = NULL;
	if (fseek(rf->f, 0, SEEK_SET) != 0) {
		int ret = -errno;
		dv_err("%s: cannot read again: %s", rf->path, strerror(errno));
		return ret;
	}
	rf->lineno = 0;
	rf->ended = false;
	rf->nperiodic = 0;
	int ret = next_object(rf, &o); /* the header, read before */
	json_decref(o);
	if (ret <= 0) {
		dv_err("%s: changed while read", rf->path);
		return ret < 0 ? ret : -EINVAL;
	}
	return 0;
}

void dv_runfile_free(struct dv_runfile *rf)
{
	json_decref(rf->header);
	free(rf->line);
	if (rf->f != NULL)
		fclose(rf->f);
	memset(rf, 0, sizeof(*rf));
}

const char *dv_runfile_runid(const struct dv_runfile *rf)
{
	const char *id = json_string_value(json_object_get(rf->header, "runid"));
	return id != NULL ? id : "";
}

int dv_runfile_state(const struct dv_runfile *rf, const json_t *rec, struct dv_result_store *st)
{
	char err[256];
	const json_t *state = json_object_get(json_object_get(rec, "dnsvolley"), "state");
	if (state == NULL) {
		dv_err("%s: a %s record has no dnsvolley.state (written by an older dnsvolley)",
		       rf->path, rec_type(rec) ? rec_type(rec) : "stats");
		return -EINVAL;
	}
	int ret = dv_state_from_json(state, st, err, sizeof(err));
	if (ret < 0)
		dv_err("%s: %s", rf->path, err);
	return ret;
}

long dv_runfile_scan(struct dv_runfile *rf, struct dv_series_row **rows,
		     struct dv_result_store *total, json_t **sum)
{
	static struct dv_result_store one;
	struct dv_series_row *r = NULL;
	size_t n = 0, cap = 0;
	uint64_t start_ns = 0;
	json_t *rec;
	bool is_sum;
	int ret;

	if (rows != NULL)
		*rows = NULL;
	if (sum != NULL)
		*sum = NULL;
	while ((ret = dv_runfile_next(rf, &rec, &is_sum)) == 1) {
		if (is_sum) {
			if (sum != NULL)
				*sum = rec;
			else
				json_decref(rec);
			continue;
		}
		if (rows == NULL && total == NULL) {
			json_decref(rec);
			n++;
			continue;
		}
		ret = dv_runfile_state(rf, rec, &one);
		json_decref(rec);
		if (ret < 0)
			goto fail;
		if (total != NULL) {
			ret = n == 0 ? dv_result_store_copy(total, &one)
				     : dv_result_add_interval(total, &one.r);
			if (n == 0) {
				/* The first interval is the first load level too. */
				memset(&total->r.check_levels, 0, sizeof(total->r.check_levels));
				dv_check_levels_add(&total->r.check_levels, one.r.target_qps,
						    (const uint64_t (*)[DV_CHECKS_MAX][DV_CR_KINDS])one.r.rx.check_res);
			}
			if (ret < 0) {
				dv_err("%s: more EDNS sizes than one result holds (%d)", rf->path,
				       DV_EDNS_VARIANTS);
				goto fail;
			}
		}
		if (rows != NULL) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct dv_series_row *p = realloc(r, ncap * sizeof(*p));
				if (p == NULL) {
					dv_err("%s: out of memory", rf->path);
					ret = -ENOMEM;
					goto fail;
				}
				r = p, cap = ncap;
			}
			/* The run starts where its first interval does. */
			if (n == 0)
				start_ns = one.r.since_ns;
			dv_series_row_of(&one.r, start_ns, &r[n]);
		}
		n++;
	}
	if (ret < 0)
		goto fail;
	if (rows != NULL)
		*rows = r;
	return (long)n;
fail:
	free(r);
	if (sum != NULL) {
		json_decref(*sum);
		*sum = NULL;
	}
	return ret;
}

enum dv_runs_timing dv_runs_timing(const uint64_t *since, const uint64_t *until, unsigned n)
{
	unsigned overlapping = 0, pairs = 0;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++) {
			pairs++;
			/* Spans that only touch (one ends as the next starts) do not overlap. */
			if (since[i] < until[j] && since[j] < until[i])
				overlapping++;
		}
	if (overlapping == pairs)
		return DV_RUNS_TOGETHER;
	return overlapping == 0 ? DV_RUNS_SEQUENTIAL : DV_RUNS_MIXED;
}

int dv_runs_repeated(const char *const *ids, const unsigned *file, unsigned n, unsigned *a)
{
	for (unsigned j = 1; j < n; j++)
		for (unsigned i = 0; i < j; i++)
			if (ids[i][0] != '\0' && strcmp(ids[i], ids[j]) == 0) {
				*a = file[i];
				return (int)j;
			}
	return -1;
}
