/**
 * @file runfile.c
 * @brief Reading a result file back: JSON lines, header first, stats_sum last.
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

static int keep_periodic(struct dv_runfile *rf, json_t *o, size_t *cap)
{
	if (rf->nperiodic == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		json_t **p = realloc(rf->periodic, ncap * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		rf->periodic = p;
		*cap = ncap;
	}
	rf->periodic[rf->nperiodic++] = o;
	return 0;
}

int dv_runfile_load(const char *path, struct dv_runfile *rf)
{
	char *line = NULL;
	size_t len = 0, cap = 0;
	unsigned lineno = 0;
	json_t *o = NULL;
	int ret = 0;

	memset(rf, 0, sizeof(*rf));
	snprintf(rf->path, sizeof(rf->path), "%s", path);
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		dv_err("%s: cannot read: %s", path, strerror(errno));
		goto cleanup;
	}
	while (getline(&line, &len, f) != -1) {
		json_error_t jerr;
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		o = json_loads(line, JSON_DISABLE_EOF_CHECK, &jerr);
		if (o == NULL || !json_is_object(o)) {
			dv_err("%s:%u: not a JSON object: %s", path, lineno, o ? "" : jerr.text);
			ret = -EINVAL;
			goto cleanup;
		}
		const char *type = rec_type(o);
		if (lineno == 1) {
			const char *gen = json_string_value(json_object_get(o, "generator"));
			if (type == NULL || strcmp(type, "header") != 0 || gen == NULL ||
			    strcmp(gen, "dnsvolley") != 0) {
				dv_err("%s:1: not a dnsvolley result (no dnsvolley header line)", path);
				ret = -EINVAL;
				goto cleanup;
			}
			rf->header = o;
			const json_t *iv = json_object_get(o, "stats_interval");
			const json_t *to = json_object_get(o, "timeout");
			rf->stats_interval_s = json_is_number(iv) ? json_number_value(iv) : 0.0;
			rf->timeout_s = json_is_number(to) ? json_number_value(to) : 0.0;
		} else if (type != NULL && strcmp(type, "stats_periodic") == 0 && rf->sum == NULL) {
			if (keep_periodic(rf, o, &cap) < 0) {
				ret = -ENOMEM;
				dv_err("%s:%u: out of memory", path, lineno);
				goto cleanup;
			}
		} else if (type != NULL && strcmp(type, "stats_sum") == 0 && rf->sum == NULL) {
			rf->sum = o;
		} else {
			dv_err("%s:%u: unexpected record (type '%s')", path, lineno,
			       type ? type : "none");
			ret = -EINVAL;
			goto cleanup;
		}
		o = NULL;
	}
	if (ferror(f)) {
		ret = -EIO;
		dv_err("%s: cannot read: %s", path, strerror(EIO));
	} else if (rf->header == NULL) {
		ret = -EINVAL;
		dv_err("%s: empty, not a dnsvolley result", path);
	}

cleanup:
	json_decref(o);
	free(line);
	if (f != NULL)
		fclose(f);
	return ret;
}

void dv_runfile_free(struct dv_runfile *rf)
{
	json_decref(rf->header);
	for (size_t i = 0; i < rf->nperiodic; i++)
		json_decref(rf->periodic[i]);
	free(rf->periodic);
	json_decref(rf->sum);
	memset(rf, 0, sizeof(*rf));
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

long dv_runfile_series(const struct dv_runfile *rf, struct dv_series_row **rows)
{
	static struct dv_result_store st;
	*rows = NULL;
	if (rf->nperiodic == 0)
		return 0;
	struct dv_series_row *r = calloc(rf->nperiodic, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	uint64_t start_ns = 0;
	for (size_t i = 0; i < rf->nperiodic; i++) {
		int ret = dv_runfile_state(rf, rf->periodic[i], &st);
		if (ret < 0) {
			free(r);
			return ret;
		}
		/* The run starts where its first interval does. */
		if (i == 0)
			start_ns = st.r.since_ns;
		dv_series_row_of(&st.r, start_ns, &r[i]);
	}
	*rows = r;
	return (long)rf->nperiodic;
}
