/**
 * @file set_impair.c
 * @brief Setter of the embedded responder's impairments (--responder).
 */
#include "config/setters.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "config/parse.h"
#include "config/seqspec.h"
#include "config/set_util.h"
#include "core/log.h"
#include "wire/answer.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Messages spell these limits out. */
_Static_assert((int)DV_IMPAIR_DELAY_MAX_S == 10, "messages say 10 s");
_Static_assert(DV_FRAG_FLOOD_MAX == 60000, "the message says 60000");
_Static_assert(DV_FRAG_MTU_MIN_V4 == 68 && DV_FRAG_MTU_MIN_V6 == 1280 && DV_DROP_FRAG_MAX == 64,
	       "STR() spells the numbers");
_Static_assert(DV_RESP_TCP_N_MAX == 1000000 && (int)DV_RESP_TCP_IDLE_MAX_S == 600 &&
	       DV_RESP_TCP_SPLIT_MAX == 1460 && DV_RESP_TCP_KEEPALIVE_MAX == 65535,
	       "messages say 1000000, 600 s, 1460 and 6553.5 s");

/** What --responder lists, for messages. */
#define IMPAIRMENTS "drop-v6, drop-v4, drop-first, drop=FRACTION, seed=N, delay=SECONDS, " \
		    "size=BYTES, frag-mtu=BYTES, drop-frag=K|nonfirst, frag-family=v4|v6|both, " \
		    "ignore-edns, a defect (docs/interop.md), " \
		    "rate=QPS, frag-flood=N, tcp-no-synack, tcp-refuse, tcp-rst-query, " \
		    "tcp-rst-after=N, " \
		    "tcp-idle-close=SECONDS, tcp-split=BYTES, tcp-reorder, tcp-drop-seg=K, " \
		    "tcp-keepalive=SECONDS, tcp-reverse"

int dv_set_responder(struct dv_plan *p, const char *v, const char *ctx)
{
	char qb[DV_QUOTE_BUF];
	char buf[DV_SPEC_MAX];
	char *item[32];
	struct dv_impair_plan im;
	/* Which keys were seen, to refuse one given twice. */
	enum {
		K_DROP_V6, K_DROP_V4, K_DROP_FIRST, K_DROP, K_SEED, K_DELAY, K_SIZE,
		K_FRAG_MTU, K_DROP_FRAG, K_FRAG_FAMILY, K_IGNORE_EDNS, K_RATE, K_FRAG_FLOOD,
		K_TCP_NO_SYNACK, K_TCP_RST_AFTER, K_TCP_IDLE_CLOSE, K_TCP_SPLIT, K_TCP_REORDER,
		K_TCP_DROP_SEG, K_TCP_KEEPALIVE, K_TCP_REVERSE, K_TCP_REFUSE, K_TCP_RST_QUERY,
		K_NONE, K_N
	};
	static const char *const keys[K_N] = {
		"drop-v6", "drop-v4", "drop-first", "drop", "seed", "delay", "size",
		"frag-mtu", "drop-frag", "frag-family", "ignore-edns", "rate", "frag-flood",
		"tcp-no-synack", "tcp-rst-after", "tcp-idle-close", "tcp-split", "tcp-reorder",
		"tcp-drop-seg", "tcp-keepalive", "tcp-reverse", "tcp-refuse", "tcp-rst-query",
		"none",
	};
	bool seen[K_N] = { false };

	if (dv_copy_value(ctx, v, buf, sizeof(buf)) != 0)
		return -EINVAL;
	unsigned n = dv_split(buf, ',', item, sizeof(item) / sizeof(item[0]));
	if (n > sizeof(item) / sizeof(item[0])) {
		dv_err("%s: more than %zu impairments", ctx, sizeof(item) / sizeof(item[0]));
		return -EINVAL;
	}

	memset(&im, 0, sizeof(im));
	for (unsigned i = 0; i < n; i++) {
		char *it = item[i];
		char *eq = strchr(it, '=');
		const char *val = NULL;
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		/* A non-compliance on purpose (one per compliance check): a flag. */
		unsigned d = val == NULL ? dv_answer_defect_of(it) : 0;
		if (d != 0) {
			if (im.defects & d) {
				dv_err("%s: '%s' given twice", ctx, dv_quote(it, qb, sizeof(qb)));
				return -EINVAL;
			}
			im.defects |= d;
			continue;
		}
		unsigned k;
		for (k = 0; k < K_N; k++) {
			if (strcmp(it, keys[k]) == 0)
				break;
		}
		bool takes_value = k == K_DROP || k == K_SEED || k == K_DELAY || k == K_SIZE ||
				   k == K_FRAG_MTU || k == K_DROP_FRAG || k == K_FRAG_FAMILY ||
				   k == K_RATE || k == K_FRAG_FLOOD || k == K_TCP_RST_AFTER ||
				   k == K_TCP_IDLE_CLOSE || k == K_TCP_SPLIT || k == K_TCP_DROP_SEG ||
				   k == K_TCP_KEEPALIVE;
		if (k == K_N || takes_value != (val != NULL)) {
			if (eq != NULL)
				*eq = '=';
			return dv_not_a(ctx, it, "an impairment (" IMPAIRMENTS ")");
		}
		if (seen[k]) {
			dv_err("%s: '%s' given twice", ctx, dv_quote(keys[k], qb, sizeof(qb)));
			return -EINVAL;
		}
		seen[k] = true;
		if (eq != NULL)
			*eq = '=';

		uint64_t u;
		double t;
		switch (k) {
		case K_DROP_V6:
			im.drop_v6 = true;
			break;
		case K_DROP_V4:
			im.drop_v4 = true;
			break;
		case K_DROP_FIRST:
			im.drop_first = true;
			break;
		case K_DROP:
			if (dv_parse_fraction(val, &im.drop_fraction) != 0)
				return dv_not_a(ctx, it, "drop=FRACTION with a fraction in 0..1");
			break;
		case K_SEED:
			if (dv_parse_uint(val, 0, UINT64_MAX, &im.seed) != 0)
				return dv_not_a(ctx, it, "seed=N with N a whole number");
			break;
		case K_DELAY:
			if (dv_parse_seconds(val, true, &im.delay_s) != 0 ||
			    im.delay_s > DV_IMPAIR_DELAY_MAX_S)
				return dv_not_a(ctx, it, "delay=SECONDS with at most 10 s, e.g. 50ms");
			break;
		case K_SIZE:
			if (dv_parse_uint(val, 12, 65535, &u) != 0)
				return dv_not_a(ctx, it, "size=BYTES with 12..65535 bytes");
			im.answer_size = (unsigned)u;
			break;
		case K_FRAG_MTU:
			if (dv_parse_uint(val, DV_FRAG_MTU_MIN_V4, 65535, &u) != 0)
				return dv_not_a(ctx, it, "frag-mtu=BYTES with " STR(DV_FRAG_MTU_MIN_V4)
						      "..65535 bytes (IPv6: "
						      STR(DV_FRAG_MTU_MIN_V6) " or more)");
			im.frag_mtu = (unsigned)u;
			break;
		case K_DROP_FRAG:
			if (strcmp(val, "nonfirst") == 0) {
				im.drop_frag = DV_DROP_FRAG_NONFIRST;
				break;
			}
			if (dv_parse_uint(val, 1, DV_DROP_FRAG_MAX, &u) != 0)
				return dv_not_a(ctx, it, "drop-frag=K with K in 1.." STR(DV_DROP_FRAG_MAX)
						      ", or drop-frag=nonfirst");
			im.drop_frag = (int)u;
			break;
		case K_FRAG_FAMILY:
			if (strcmp(val, "v4") == 0)
				im.frag_families = 1u << DV_FAMILY_V4;
			else if (strcmp(val, "v6") == 0)
				im.frag_families = 1u << DV_FAMILY_V6;
			else if (strcmp(val, "both") == 0)
				im.frag_families = 0; /* 0 = both, the default */
			else
				return dv_not_a(ctx, it, "frag-family=v4, v6 or both");
			break;
		case K_IGNORE_EDNS:
			im.ignore_edns = true;
			break;
		case K_RATE:
			if (dv_parse_rate(val, &im.rate_qps) != 0 || im.rate_qps <= 0.0)
				return dv_not_a(ctx, it, "rate=QPS with a rate above 0, e.g. rate=50000");
			break;
		case K_FRAG_FLOOD:
			if (dv_parse_uint(val, 1, DV_FRAG_FLOOD_MAX, &u) != 0)
				return dv_not_a(ctx, it, "frag-flood=N with N in 1..60000 (sets)");
			im.frag_flood = (unsigned)u;
			break;
		case K_TCP_NO_SYNACK:
			im.tcp_no_synack = true;
			break;
		case K_TCP_REFUSE:
			im.tcp_refuse = true;
			break;
		case K_TCP_RST_QUERY:
			im.tcp_rst_query = true;
			break;
		case K_TCP_RST_AFTER:
			if (dv_parse_uint(val, 1, DV_RESP_TCP_N_MAX, &u) != 0)
				return dv_not_a(ctx, it, "tcp-rst-after=N with N in 1..1000000 (queries)");
			im.tcp_rst_after = (unsigned)u;
			break;
		case K_TCP_IDLE_CLOSE:
			if (dv_parse_seconds(val, false, &im.tcp_idle_close_s) != 0 ||
			    im.tcp_idle_close_s > DV_RESP_TCP_IDLE_MAX_S)
				return dv_not_a(ctx, it, "tcp-idle-close=SECONDS with at most 600 s, e.g. 10s");
			break;
		case K_TCP_SPLIT:
			if (dv_parse_uint(val, 1, DV_RESP_TCP_SPLIT_MAX, &u) != 0)
				return dv_not_a(ctx, it, "tcp-split=BYTES with 1..1460 bytes");
			im.tcp_split = (unsigned)u;
			break;
		case K_TCP_REORDER:
			im.tcp_reorder = true;
			break;
		case K_TCP_DROP_SEG:
			if (dv_parse_uint(val, 1, DV_RESP_TCP_N_MAX, &u) != 0)
				return dv_not_a(ctx, it, "tcp-drop-seg=K with K in 1..1000000 (segments)");
			im.tcp_drop_seg = (unsigned)u;
			break;
		case K_TCP_KEEPALIVE:
			/* The option counts in units of 100 ms: the value is rounded to them. */
			if (dv_parse_seconds(val, false, &t) != 0 || t * 10.0 + 0.5 < 1.0 ||
			    t * 10.0 + 0.5 >= DV_RESP_TCP_KEEPALIVE_MAX + 1.0)
				return dv_not_a(ctx, it, "tcp-keepalive=SECONDS with 100ms..6553.5 s");
			im.tcp_keepalive = (unsigned)(t * 10.0 + 0.5);
			break;
		case K_TCP_REVERSE:
			im.tcp_reverse = true;
			break;
		case K_NONE:
			if (n > 1) {
				dv_err("%s: 'none' cannot be combined with impairments", ctx);
				return -EINVAL;
			}
			break;
		default:
			break;
		}
	}
	/* Fragment impairments act on the fragments frag-mtu makes. */
	if (seen[K_DROP_FRAG] && !seen[K_FRAG_MTU]) {
		dv_err("%s: drop-frag needs frag-mtu (answers are only fragmented at a frag-mtu)", ctx);
		return -EINVAL;
	}
	if (seen[K_FRAG_FAMILY] && !seen[K_FRAG_MTU]) {
		dv_err("%s: frag-family needs frag-mtu (it says which answers frag-mtu fragments)",
		       ctx);
		return -EINVAL;
	}
	p->impair = im;
	return 0;
}

bool dv_impair_any(const struct dv_impair_plan *im)
{
	return im->drop_v6 || im->drop_v4 || im->drop_first || im->drop_fraction > 0.0 ||
	       im->seed != 0 || im->delay_s > 0.0 || im->answer_size != 0 ||
	       im->frag_mtu != 0 || im->drop_frag != 0 || im->frag_families != 0 ||
	       im->ignore_edns || im->defects != 0 || im->rate_qps > 0.0 || im->frag_flood != 0 ||
	       dv_impair_tcp_any(im);
}

bool dv_impair_tcp_any(const struct dv_impair_plan *im)
{
	return (im->defects & DV_ANSWER_TC_TCP) || im->tcp_no_synack || im->tcp_refuse || im->tcp_rst_query || im->tcp_rst_after != 0 || im->tcp_idle_close_s > 0.0 ||
	       im->tcp_split != 0 || im->tcp_reorder || im->tcp_drop_seg != 0 ||
	       im->tcp_keepalive != 0 || im->tcp_reverse;
}
