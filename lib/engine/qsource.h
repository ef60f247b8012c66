/**
 * @file qsource.h
 * @brief Where query names come from: a query file (questions prebuilt with
 *        ldns) or a pattern expanded per logical query.
 *
 * A generated name is a pure function of (seed, logical query number), so the
 * collector re-expands it to check a response's question instead of storing
 * names per query.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config/plan.h"
#include "core/alias.h"
#include "core/rng.h"
#include "wire/compose.h"
#include "wire/qname.h"

/** Read-only once built. */
struct dv_qsource {
	const struct dv_query_list *ql;  /**< query file entries (n = 0 with a pattern) */
	struct dv_question *questions;   /**< header + question of each entry */
	bool generated;
	struct dv_qname_pattern pattern;
	struct dv_alias qtypes;          /**< qtype mix of generated names */
	uint64_t seed;
};

/** Build from the plan. @return 0 or -errno (reported) */
int dv_qsource_init(struct dv_qsource *qs, const struct dv_plan *plan, uint64_t seed);

/** Release. */
void dv_qsource_free(struct dv_qsource *qs);

/** The generated name of logical query lseq (out: at least 255 bytes). @return its length */
static inline uint8_t dv_qsource_name(const struct dv_qsource *qs, uint64_t lseq, uint8_t *out)
{
	struct dv_rng r;
	dv_rng_seed(&r, qs->seed ^ (lseq * 0xd1b54a32d192ed03ull));
	return dv_qname_expand(&qs->pattern, lseq, 0, &r, out);
}
