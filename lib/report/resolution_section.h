/**
 * @file resolution_section.h
 * @brief Resolvers' transport steps and time to resolution in the report:
 *        what TC → TCP and TCP after UDP timeouts did, and how long each
 *        logical query took from its first attempt to its answer, by the
 *        first attempt's EDNS size.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "metrics/hist.h"
#include "metrics/result.h"

/** Time to resolution of one EDNS size (its variants merged). */
struct dv_resolve_row {
	int edns_size;        /**< DV_EDNS_NONE: no OPT */
	uint64_t ended;       /**< logical queries that ended, first attempt with this size */
	struct dv_hist h;     /**< those resolved (answered, TC=0): first TX to the answer */
};

/** Whether the run took transport steps (--on-tc tcp, --tcp-after) or saw any over TCP. */
bool dv_result_has_transport_steps(const struct dv_result *r);

/**
 * Row i of the time-to-resolution table: EDNS sizes in the order of the
 * run's variants, each once.
 * @return false past the last row
 */
bool dv_result_resolve_row(const struct dv_result *r, unsigned i, struct dv_resolve_row *row);

/** Share (0..1) of the row's ended logical queries resolved within ns. */
double dv_resolve_within(const struct dv_resolve_row *row, uint64_t ns);

/** "Time to resolution" table of the text report (nothing when no logical query ended). */
void dv_text_resolution(FILE *f, const struct dv_result *r);

/** "Transport steps:" block of the text report (nothing without transport steps). */
void dv_text_transport_steps(FILE *f, const struct dv_result *r);

/** The "transport" object of dv.sequences: the steps and their outcomes. */
json_t *dv_json_seq_transport(const struct dv_result *r, bool *ok);

/** "time_to_resolution": one object per EDNS size (percentiles, shares within 100 ms, 500 ms, 2 s, a CDF). */
json_t *dv_json_resolution(const struct dv_result *r, bool *ok);
