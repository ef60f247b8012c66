/**
 * @file options.c
 * @brief The option table made from options.def, its look-ups and --help.
 */
#include "config/options.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "dv_config.h"
#include "config/population.h"
#include "config/scenario.h"
#include "config/seqspec.h"
#include "config/setters.h"
#include "core/log.h"

/* The help texts spell these out. */
_Static_assert(DV_TRACK_ANSWERS_DEFAULT == 100, "--help says 100");

const struct dv_option dv_options[DV_OPT_COUNT] = {
#define DV_OPT(id_, name_, letter_, arg_, key_, set_, forget_, flags_, group_, meta_, dflt_, help_) \
	[DV_OPT_##id_] = { .id = DV_OPT_##id_, .name = name_, .letter = letter_,              \
			   .arg = DV_ARG_##arg_, .key = key_, .set = set_, .forget = forget_,  \
			   .flags = flags_, .group = DV_GROUP_##group_, .meta = meta_,         \
			   .dflt = dflt_, .help = help_ },
#define DV_NOTE(id_, group_, label_, help_) \
	[DV_OPT_##id_] = { .id = DV_OPT_##id_, .group = DV_GROUP_##group_, .label = label_, \
			   .help = help_ },
#include "config/options.def"
};

const struct dv_option *dv_option_by_key(const char *key)
{
	if (key == NULL)
		return NULL;
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		if (dv_options[i].key != NULL && strcmp(dv_options[i].key, key) == 0)
			return &dv_options[i];
	}
	return NULL;
}

void dv_plan_defaults(struct dv_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->dport = DV_DEFAULT_DPORT;
	p->qps = DV_DEFAULT_QPS;
	p->duration_s = DV_DEFAULT_DURATION;
	p->timeout_s = DV_DEFAULT_TIMEOUT;
	p->edns_size = DV_DEFAULT_EDNS;
	p->stats_interval_s = DV_DEFAULT_STATS;
	p->burst = DV_DEFAULT_BURST;
	p->sport_base = DV_DEFAULT_SPORT_BASE;
	p->poll = DV_POLL_FRUGAL;
	p->roles = DV_ROLES_COMBINED;
	p->frag_timeout_s = DV_DEFAULT_FRAG_TIMEOUT;
	p->fragmented = DV_FRAG_REASSEMBLE;
	p->collectors = DV_DEFAULT_COLLECTORS;
	p->generators = DV_DEFAULT_GENERATORS;
	p->rate_mode = DV_RATE_FIXED;
	p->search.resolution_pct = DV_DEFAULT_SEARCH_RESOLUTION;
	p->plot_interval_s = DV_DEFAULT_PLOT_INTERVAL;
	p->checks_share = DV_DEFAULT_CHECKS_SHARE;
	snprintf(p->port[0].spec, sizeof(p->port[0].spec), "%s", DV_DEFAULT_PORT_SPEC);
	p->nports = 1;
	dv_seqspec_defaults(p);
	dv_tcp_plan_defaults(p);

	/* Prefer the source tree so a build runs without "ninja install". */
	struct stat st;
	const char *dir = DV_INSTALL_DRIVERS_DIR;
	if (stat(DV_SOURCE_DRIVERS_DIR, &st) == 0 && S_ISDIR(st.st_mode))
		dir = DV_SOURCE_DRIVERS_DIR;
	snprintf(p->drivers_dir, sizeof(p->drivers_dir), "%s", dir);
}

int dv_setting_set(struct dv_plan *p, const char *key, const char *value,
		   const char *ctx)
{
	if (p == NULL || key == NULL || value == NULL)
		return -EINVAL;
	const struct dv_option *o = dv_option_by_key(key);
	if (o == NULL)
		return -ENOENT;
	return o->set(p, value, ctx != NULL ? ctx : key);
}

/* The rate mode (set_rate.c), then the source ports: --sport-base within a --sport range. */
int dv_settings_finish(struct dv_plan *p)
{
	if (p == NULL)
		return -EINVAL;

	int ret = dv_rate_finish(p);
	if (ret != 0)
		return ret;
	if (p->sport_high != 0 && p->sport_base > p->sport_high) {
		dv_err("--sport-base %u: above the end of the --sport range (%u)",
		       (unsigned)p->sport_base, (unsigned)p->sport_high);
		return -EINVAL;
	}
	return 0;
}

void dv_option_label(const struct dv_option *o, char *buf, size_t len)
{
	if (o->label != NULL)
		snprintf(buf, len, "%s", o->label);
	else if (o->letter != 0 && o->meta != NULL)
		snprintf(buf, len, "-%c %s", o->letter, o->meta);
	else if (o->letter != 0)
		snprintf(buf, len, "-%c, --%s", o->letter, o->name);
	else if (o->arg == DV_ARG_OPTIONAL)
		snprintf(buf, len, "--%s[=%s]", o->name, o->meta);
	else if (o->meta != NULL)
		snprintf(buf, len, "--%s %s", o->name, o->meta);
	else
		snprintf(buf, len, "--%s", o->name);
}

/** Section titles of --help, in the order they are printed. */
static const struct {
	enum dv_opt_group group;
	const char *title;
} help_groups[] = {
	{ DV_GROUP_LOAD, "Load (dnsperf letters):" },
	{ DV_GROUP_RATE, "Rate modes (at most one; default: the fixed rate -Q):" },
	{ DV_GROUP_SEQUENCE, "Query sequences (each logical query is sent as up to N attempts):" },
	{ DV_GROUP_FRAGMENTS, "Fragments and collectors:" },
	{ DV_GROUP_TCP, "DNS over TCP (--transport tcp):" },
	{ DV_GROUP_NETWORK, "Port and network:" },
	{ DV_GROUP_LCORES, "Lcores:" },
	{ DV_GROUP_OUTPUT, "Output and files:" },
};

/** Help text columns: options from 2, their text from 21. */
#define HELP_INDENT 21

/** One entry: the label, then the text, every line after a '\n' indented. */
static void help_entry(FILE *f, const struct dv_option *o)
{
	char label[64];
	dv_option_label(o, label, sizeof(label));
	int w = fprintf(f, "  %s", label);
	if (w > HELP_INDENT - 2)
		fprintf(f, "\n%*s", HELP_INDENT, "");
	else
		fprintf(f, "%*s", HELP_INDENT - w, "");
	for (const char *s = o->help; *s != '\0'; s++) {
		if (*s == '\n')
			fprintf(f, "\n%*s", HELP_INDENT, "");
		else if (strncmp(s, "{D}", 3) == 0 && o->dflt != NULL) {
			fputs(o->dflt, f);
			s += 2;
		} else
			fputc(*s, f);
	}
	fputc('\n', f);
}

/** Width the closing paragraph is wrapped at. */
#define HELP_WIDTH 76

/** Print a word, starting a new line when it would pass HELP_WIDTH. */
static void help_word(FILE *f, const char *word, size_t *col)
{
	size_t n = strlen(word);
	if (*col > 0 && *col + 1 + n > HELP_WIDTH) {
		fputc('\n', f);
		*col = 0;
	} else if (*col > 0) {
		fputc(' ', f);
		(*col)++;
	}
	fputs(word, f);
	*col += n;
}

/** A scenario key whose long option --help does not show (a letter's, or hidden). */
static bool key_unlisted(const struct dv_option *o)
{
	return o->name != NULL && o->key != NULL &&
	       (o->group == DV_GROUP_HIDDEN || (o->letter != 0 && o->meta != NULL));
}

/** The keys key_unlisted() finds; letters outside the dnsperf group are named too. */
static void help_keys(FILE *f)
{
	static const char *const head[] = { "Every", "scenario", "key", "is", "also", "a",
					    "long", "option:" };
	static const char *const tail[] = { "and", "the", "other", "options", "above",
					    "(in", "a", "scenario,", "max:", "true|false)." };
	char word[64];
	size_t col = 0, last = 0;

	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		if (key_unlisted(&dv_options[i]))
			last = i;
	}
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		help_word(f, head[i], &col);
	for (size_t i = 0; i <= last; i++) {
		const struct dv_option *o = &dv_options[i];
		if (!key_unlisted(o))
			continue;
		const char *sep = i == last ? ";" : ",";
		if (o->letter != 0 && o->group != DV_GROUP_LOAD) {
			snprintf(word, sizeof(word), "--%s", o->name);
			help_word(f, word, &col);
			snprintf(word, sizeof(word), "(-%c)%s", o->letter, sep);
		} else {
			snprintf(word, sizeof(word), "--%s%s", o->name, sep);
		}
		help_word(f, word, &col);
	}
	for (size_t i = 0; i < sizeof(tail) / sizeof(tail[0]); i++)
		help_word(f, tail[i], &col);
	fputc('\n', f);
}

void dv_options_help(FILE *f)
{
	for (size_t g = 0; g < sizeof(help_groups) / sizeof(help_groups[0]); g++) {
		fprintf(f, "%s%s\n", g > 0 ? "\n" : "", help_groups[g].title);
		for (size_t i = 0; i < DV_OPT_COUNT; i++) {
			if (dv_options[i].group == help_groups[g].group)
				help_entry(f, &dv_options[i]);
		}
	}
	fputc('\n', f);
	help_keys(f);
}
