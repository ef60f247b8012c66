/**
 * @file sources.h
 * @brief Queries per source address of a capture: a table of addresses
 *        sized once (beyond it, queries are counted as untracked).
 */
#pragma once

#include <stdint.h>

#include "analyze/tables.h"

/** The table. */
struct dv_an_sources {
	uint8_t (*addr)[17];     /**< family byte + 16 address bytes; family 0xff = empty */
	uint64_t *count;
	uint32_t mask, n, cap;
};

/** Room for cap addresses. @return 0 or -ENOMEM */
int dv_an_sources_init(struct dv_an_sources *s, uint32_t cap);

/** Release it. */
void dv_an_sources_free(struct dv_an_sources *s);

/** A query from q's source. */
void dv_an_sources_add(struct dv_an_sources *s, struct dv_an_tables *t, const struct dv_seen_query *q);

/** Fill t's source table (addresses, queries per address) from what was added. */
void dv_an_sources_finish(const struct dv_an_sources *s, struct dv_an_tables *t);
