/**
 * @file checks_section.h
 * @brief The compliance battery under load (--checks) in the report: per
 *        check what was asked, what passed, the fields that failed and the
 *        first offered rate at which it failed; and the share passed per
 *        load level.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "metrics/result.h"

/** Whether the run asked any check (--checks). */
bool dv_result_has_checks(const struct dv_result *r);

/** "Compliance under load" block of the text report (nothing without checks). */
void dv_text_checks(FILE *f, const struct dv_result *r);

/** The "checks" object: one entry per check asked, and the load levels. */
json_t *dv_json_checks(const struct dv_result *r, bool *ok);

/**
 * The HTML section (a heading and a table: per check its totals and the
 * share passed per load level, coloured); nothing without checks.
 */
void dv_html_checks(FILE *f, const struct dv_result *r);
