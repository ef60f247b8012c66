/**
 * @file log.h
 * @brief One-line user errors and diagnostics.
 *
 * User errors are a single line on stderr, prefixed "dnsvolley: ", and map to
 * exit status DV_EXIT_USAGE. Library code never exits: it returns a negative
 * errno and reports through dv_err() exactly once, where the error is found.
 */
#pragma once

#include <stdarg.h>

/** Exit status for any user error (bad option, file, address, missing resource). */
#define DV_EXIT_USAGE 2
/** Exit status for a failure that is not the user's (internal, DPDK). */
#define DV_EXIT_FAILURE 1
/** Exit status when a verdict condition (--fail-if) was met: the run or comparison worked,
 *  the result failed the user's gate (docs/verdicts.md). */
#define DV_EXIT_VERDICT 3

/** Print "dnsvolley: <msg>\n" on stderr. */
void dv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Print "dnsvolley: <msg>\n" on stderr unless quiet mode is on. */
void dv_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Silence dv_info (errors are never silenced). */
void dv_log_set_quiet(int quiet);

/**
 * Prefix every message with "PREFIX: " (e.g. where in a file the setting
 * being finished came from) until called with NULL. The string is not copied.
 */
void dv_log_context(const char *prefix);

/**
 * Redirect errors into a buffer instead of stderr (for unit tests).
 * @param buf destination or NULL to restore stderr; the last message wins.
 */
void dv_log_capture(char *buf, unsigned len);
