/**
 * @file consistency_json.h
 * @brief The answer-consistency tracker as JSON ("dnsvolley"."consistency"),
 *        and read back, so that `dnsvolley report` prints its section again.
 */
#pragma once

#include <stddef.h>

#include <jansson.h>

#include "metrics/consistency.h"

/**
 * The tracker's findings: per (name, type) the owners, their families,
 * addresses, TTLs and vanishing episodes, and a flat list of TTL mismatches.
 * @return a new reference, or NULL when out of memory
 */
json_t *dv_cons_to_json(const struct dv_cons *t);

/**
 * Fill t (from dv_cons_new(), any interval) from what dv_cons_to_json()
 * wrote: everything the text report prints. Lists longer than the tracker's
 * bounds, unknown names or types, and wrong types are errors.
 * @param[out] err one line, when the return is < 0
 * @return 0 or -EINVAL
 */
int dv_cons_from_json(const json_t *o, struct dv_cons *t, char *err, size_t errlen);
