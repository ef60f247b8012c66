/**
 * @file scenario.c
 * @brief Scenario loader: a flat YAML mapping whose keys are looked up in
 *        the option table (options.def).
 */
#include "config/scenario.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/options.h"
#include "config/parse.h"
#include "core/log.h"

/* Scenario files. */

struct scn_ctx {
	struct dv_plan *plan;
	const char *file;
};

/**
 * Join a relative path to the directory of the scenario file.
 * @return 0, or -ENAMETOOLONG
 */
static int rel_to_file(const char *file, const char *v, char *out, size_t size)
{
	const char *slash = strrchr(file, '/');
	if (v[0] == '/' || slash == NULL) {
		if (strlen(v) >= size)
			return -ENAMETOOLONG;
		strcpy(out, v);
		return 0;
	}
	int dlen = (int)(slash - file);
	int n = snprintf(out, size, "%.*s/%s", dlen, file, v);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int scn_entry(const struct dv_yaml_entry *e, void *arg)
{
	struct scn_ctx *c = arg;
	char qb[DV_QUOTE_BUF];
	const struct dv_option *s = dv_option_by_key(e->key);
	if (s == NULL) {
		dv_err("%s:%zu: unknown key '%s'", e->file, e->line,
		       dv_quote(e->key, qb, sizeof(qb)));
		return -EINVAL;
	}
	if (e->is_seq && s->forget == NULL && !(s->flags & DV_OPT_JOIN)) {
		dv_err("%s:%zu: %s: expected a single value, not a list", e->file,
		       e->line, e->key);
		return -EINVAL;
	}
	if (e->is_seq && e->n == 0) {
		dv_err("%s:%zu: %s: empty list", e->file, e->line, e->key);
		return -EINVAL;
	}

	/* A list that is one value: "requery: [375ms, 750ms]" = "375ms,750ms". */
	if (e->is_seq && (s->flags & DV_OPT_JOIN)) {
		char ctx[PATH_MAX + 64], joined[4096];
		size_t o = 0;
		snprintf(ctx, sizeof(ctx), "%s:%zu: %s", e->file, e->line, e->key);
		for (size_t i = 0; i < e->n; i++) {
			int w = snprintf(joined + o, sizeof(joined) - o, "%s%s",
					 i > 0 ? "," : "", e->v[i]);
			if (w < 0 || (size_t)w >= sizeof(joined) - o) {
				dv_err("%s: longer than %zu bytes", ctx, sizeof(joined) - 1);
				return -EINVAL;
			}
			o += (size_t)w;
		}
		return s->set(c->plan, joined, ctx);
	}

	/* A scenario's list (addresses, ports) replaces whatever the plan had. */
	if (s->forget != NULL)
		s->forget(c->plan);

	for (size_t i = 0; i < e->n; i++) {
		char ctx[PATH_MAX + 64];
		snprintf(ctx, sizeof(ctx), "%s:%zu: %s", e->file, e->vline[i], e->key);
		const char *v = e->v[i];
		char path[PATH_MAX];
		if ((s->flags & DV_OPT_RELPATH) && *v != '\0') {
			if (rel_to_file(c->file, v, path, sizeof(path)) != 0) {
				dv_err("%s: path too long", ctx);
				return -EINVAL;
			}
			v = path;
		}
		int ret = s->set(c->plan, v, ctx);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int dv_scenario_load_mem(const char *file, const char *text, size_t len,
			 struct dv_plan *plan)
{
	if (file == NULL || plan == NULL)
		return -EINVAL;
	if (strlen(file) >= sizeof(plan->scenario_file)) {
		dv_err("%s: path too long", file);
		return -EINVAL;
	}

	struct scn_ctx c = { .plan = plan, .file = file };
	int ret = dv_yaml_map_walk(file, text, len, scn_entry, &c);
	if (ret != 0)
		return ret;
	strcpy(plan->scenario_file, file);
	return 0;
}

int dv_scenario_load(const char *path, struct dv_plan *plan)
{
	if (path == NULL || plan == NULL)
		return -EINVAL;

	char *text = NULL;
	size_t len = 0;
	int ret = dv_read_file(path, DV_YAML_FILE_MAX, &text, &len);
	if (ret != 0)
		return ret;
	ret = dv_scenario_load_mem(path, text, len, plan);
	free(text);
	return ret;
}
