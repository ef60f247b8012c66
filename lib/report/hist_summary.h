/**
 * @file hist_summary.h
 * @brief A histogram of nanoseconds (or counts) summed up the same way in
 *        every report section: count, p50, p90, p99, max.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "metrics/hist.h"

/** {"count", "p50", "p90", "p99", "max"} of h, in its own unit (0 when empty). */
json_t *dv_json_hist_summary(const struct dv_hist *h, bool *ok);

/**
 * "  LABEL  p50 x, p90 y, p99 z, max w (n)" of a histogram of nanoseconds, in
 * milliseconds, the label padded to width; "-" when empty.
 */
void dv_text_ms_line(FILE *f, int width, const char *label, const struct dv_hist *h);
