/**
 * @file set_edns.c
 * @brief Setters of EDNS: sizes, weighted mixes, presets and the retry ladder.
 */
#include "config/setters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/parse.h"
#include "config/seqspec.h"
#include "config/set_util.h"
#include "core/log.h"

/** An EDNS preset. */
static const struct edns_preset {
	const char *name;
	unsigned n;
	int value[DV_WEIGHTED_MAX];
	double weight[DV_WEIGHTED_MAX];
} edns_presets[] = {
	/* APNIC, one day in November 2023: UDP buffer sizes of queries seen
	 * at authoritative servers (percent; "none" = no OPT record). */
	{ "apnic-2023", 11,
	  { 4096, 1232, 1400, 1452, 1472, 1220, 512, DV_EDNS_NONE, 1410, 1440, 1432 },
	  { 42.3, 23.5, 14.5, 4.9, 3.8, 3.7, 2.7, 1.4, 0.9, 0.7, 0.3 } },
};

/** An EDNS size as a list item: 1..65535, or 0 / "none" for no OPT record. */
static int edns_value(const char *s, int *out)
{
	uint64_t n;
	if (strcmp(s, "none") == 0) {
		*out = DV_EDNS_NONE;
		return 0;
	}
	if (dv_parse_uint(s, 0, 65535, &n) != 0)
		return -EINVAL;
	*out = (int)n;
	return 0;
}

int dv_edns_preset(const char *name, struct dv_weighted *out)
{
	if (name == NULL || out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(edns_presets) / sizeof(edns_presets[0]); i++) {
		const struct edns_preset *ep = &edns_presets[i];
		if (strcmp(ep->name, name) != 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->n = ep->n;
		memcpy(out->value, ep->value, sizeof(out->value));
		memcpy(out->weight, ep->weight, sizeof(out->weight));
		return 0;
	}
	return -ENOENT;
}

int dv_set_edns_ladder(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF], qb2[DV_QUOTE_BUF];
	char buf[DV_SPEC_MAX];
	char *item[DV_MAX_ATTEMPTS];

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = dv_split(buf, ',', item, DV_MAX_ATTEMPTS);
	if (n > DV_MAX_ATTEMPTS) {
		dv_err("%s: more than %d sizes", ctx, DV_MAX_ATTEMPTS);
		return -EINVAL;
	}
	int size[DV_MAX_ATTEMPTS];
	for (unsigned i = 0; i < n; i++) {
		if (edns_value(item[i], &size[i]) != 0) {
			dv_err("%s: '%s' in '%s' is not an EDNS size (1..65535) or none", ctx,
			       dv_quote(item[i], qb, sizeof(qb)), dv_quote(v, qb2, sizeof(qb2)));
			return -EINVAL;
		}
		if (i > 0 && size[i - 1] == DV_EDNS_NONE) {
			dv_err("%s: 'none' can only be the last size", ctx);
			return -EINVAL;
		}
		if (i > 0 && size[i] != DV_EDNS_NONE && size[i] >= size[i - 1]) {
			dv_err("%s: '%s' is not descending (%d after %d)", ctx,
			       dv_quote(v, qb, sizeof(qb)), size[i], size[i - 1]);
			return -EINVAL;
		}
	}
	memset(p->seq.edns_ladder, 0, sizeof(p->seq.edns_ladder));
	memcpy(p->seq.edns_ladder, size, n * sizeof(size[0]));
	p->seq.edns_ladder_n = n;
	return 0;
}

int dv_set_edns(struct dv_plan *p, const char *v, const char *ctx)
{
	struct dv_seq_plan *s = &p->seq;
	struct dv_weighted w;
	const char *preset = "";

	if (*v >= '0' && *v <= '9' && strspn(v, "0123456789") == strlen(v)) {
		uint64_t n;
		if (dv_parse_uint(v, 0, 65535, &n) != 0)
			return dv_not_a(ctx, v, "an EDNS buffer size (0 = no EDNS, or 1..65535)");
		p->edns_size = (int)n;
		memset(&s->edns, 0, sizeof(s->edns));
		s->edns_preset[0] = '\0';
		return 0;
	}
	if (strcmp(v, "none") == 0) {
		p->edns_size = DV_EDNS_NONE;
		memset(&s->edns, 0, sizeof(s->edns));
		s->edns_preset[0] = '\0';
		return 0;
	}
	if (strchr(v, ':') != NULL || strchr(v, ',') != NULL) {
		if (dv_weighted_parse(v, ctx, edns_value, "an EDNS size (1..65535) or none", &w) != 0)
			return -EINVAL;
	} else if (dv_edns_preset(v, &w) == 0) {
		preset = v;
	} else {
		return dv_not_a(ctx, v, "an EDNS size, none, a weighted list (SIZE:WEIGHT,...) "
				     "or a preset (" DV_EDNS_PRESETS ")");
	}

	int largest = DV_EDNS_NONE;
	for (unsigned i = 0; i < w.n; i++)
		largest = w.value[i] > largest ? w.value[i] : largest;
	s->edns = w;
	snprintf(s->edns_preset, sizeof(s->edns_preset), "%s", preset);
	p->edns_size = largest;
	return 0;
}
