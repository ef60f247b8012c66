/**
 * @file parse.h
 * @brief Strict value parsers shared by the command line and scenario files.
 *
 * Every parser takes a whole NUL-terminated string and either accepts all of
 * it or returns -EINVAL: no leading/trailing blanks, no signs, no empty
 * strings, no NaN or infinities. Value parsers never print; the caller knows
 * the option or file:line to blame and reports the error itself.
 *
 * The flat YAML walker at the end is shared by scenario files and port
 * profiles; it reports structural errors itself, with file and line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/plan.h"
#include "core/addr.h"
#include "core/file.h"
#include "core/quote.h"

/** Largest accepted query rate (queries per second). Not DV_RATE_MAX: that
 *  is the rate mode of plan.h. */
#define DV_QPS_MAX 1e9
/** Largest accepted duration/timeout/interval in seconds (about 115 days). */
#define DV_SECONDS_MAX 1e7

/**
 * Parse a query rate: a positive decimal number with an optional k, M or G
 * suffix ("20000", "20k", "1.5M"), at most DV_QPS_MAX.
 *
 * @param s    input string
 * @param out  the rate in queries per second (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_rate(const char *s, double *out);

/**
 * Parse a query rate like dv_parse_rate(), also accepting zero ("0", "0.0",
 * "0k"): -Q 0 and the FROM of --ramp.
 *
 * @param s    input string
 * @param out  the rate in queries per second, >= 0 (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_rate_zero(const char *s, double *out);

/**
 * Parse a percentage: a plain decimal number in [0, 100] with an optional
 * '%' right after it ("1%", "1", "0.5%").
 *
 * @param s    input string
 * @param out  the percentage, 0..100 (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_percent(const char *s, double *out);

/**
 * Parse a time span: a decimal number of seconds ("0.375", "2"), optionally
 * with a unit "s" or "ms" ("375ms", "2s"), at most DV_SECONDS_MAX.
 *
 * @param s           input string
 * @param allow_zero  accept 0 (used for "off", e.g. the stats interval)
 * @param out         seconds (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_seconds(const char *s, bool allow_zero, double *out);

/**
 * Parse a plain non-negative decimal number ("42.3", "0.5", "7"): no sign,
 * no exponent, no unit.
 *
 * @param s    input string
 * @param out  the number (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_number(const char *s, double *out);

/**
 * Parse a fraction in [0, 1] as a plain decimal number ("0.25", "1").
 *
 * @param s    input string
 * @param out  the fraction (written only on success)
 * @retval 0 or -EINVAL
 */
int dv_parse_fraction(const char *s, double *out);

/**
 * Parse an unsigned decimal integer in [min, max].
 *
 * @retval 0 or -EINVAL (not a number, or out of range)
 */
int dv_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/**
 * Parse a UDP port number, 1..65535.
 *
 * @retval 0 or -EINVAL
 */
int dv_parse_port(const char *s, uint16_t *out);

/**
 * Parse an IPv4 or IPv6 address literal (inet_pton syntax, no brackets,
 * no zone index).
 *
 * @retval 0 or -EINVAL
 */
int dv_parse_addr(const char *s, struct dv_addr *out);

/**
 * Parse a MAC address "aa:bb:cc:dd:ee:ff" (two hex digits per group,
 * either case).
 *
 * @retval 0 or -EINVAL
 */
int dv_parse_mac(const char *s, uint8_t mac[6]);

/**
 * Parse a boolean: true/false, yes/no, on/off, 1/0 (case-insensitive).
 *
 * @retval 0 or -EINVAL
 */
int dv_parse_bool(const char *s, bool *out);

/**
 * Copy a non-empty option value into a fixed buffer, reporting (one line,
 * naming ctx) an empty or too long value.
 * @return 0 or -EINVAL
 */
int dv_copy_value(const char *ctx, const char *v, char *dst, size_t size);

/* Flat YAML mappings (scenario files and port profiles). */

/** Largest YAML file we read (they are a few hundred bytes). */
#define DV_YAML_FILE_MAX (1024 * 1024)
/** Most items in one list value. */
#define DV_YAML_SEQ_MAX 64

/** One "key: value" or "key: [list]" entry of a flat YAML mapping. */
struct dv_yaml_entry {
	const char *file;          /**< file name for messages */
	const char *key;           /**< the key, NUL-terminated */
	size_t line;               /**< line of the key (1-based) */
	bool is_seq;               /**< the value was a list */
	size_t n;                  /**< number of values (1 unless is_seq) */
	const char *const *v;      /**< the values, NUL-terminated */
	const size_t *vline;       /**< line of each value */
};

/**
 * Entry callback: check and store one entry.
 * @return 0 to continue, or a negative errno after reporting the error
 */
typedef int (*dv_yaml_entry_cb)(const struct dv_yaml_entry *e, void *ctx);

/**
 * Walk a flat YAML mapping whose values are scalars or lists of scalars.
 *
 * Structural problems are reported here as "FILE:LINE: ...": YAML syntax
 * errors, non-mapping documents, more than one document, nested mappings,
 * aliases, empty keys, null values and duplicate keys. An empty document is
 * a mapping with no entries. The whole document is parsed before the first
 * callback, so structural errors come before value errors.
 *
 * @param file  name for messages
 * @param text  YAML text
 * @param len   bytes in text
 * @param cb    called once per entry, in file order; stops at the first error
 * @param ctx   passed to cb
 * @retval 0        walked all entries
 * @retval -EINVAL  reported error (or the callback's return value)
 * @retval -ENOMEM  reported
 */
int dv_yaml_map_walk(const char *file, const char *text, size_t len,
		     dv_yaml_entry_cb cb, void *ctx);

