/**
 * @file tcp_section.h
 * @brief The report's TCP section (--transport tcp): connections, how they
 *        ended, handshake and idle times, queries per connection, segments.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "metrics/result.h"

/** Whether the run went over TCP (it opened, or tried to open, a connection). */
bool dv_result_has_tcp(const struct dv_result *r);

/** "TCP:" block of the text report. */
void dv_text_tcp(FILE *f, const struct dv_result *r);

/** The "tcp" object of the JSON report (counters under their names, the histograms' summaries). */
json_t *dv_json_tcp(const struct dv_result *r, bool *ok);
