/**
 * @file qname.h
 * @brief Generated query names ("{seq}.{rand8}.example.test"), compiled once, expanded per query.
 *
 * Tokens: {seq} the logical query's sequence number (decimal), {randN} N
 * random characters [a-z0-9] (1 <= N <= 32), {lcore} the generator's number.
 * Everything else is literal. A pattern must contain {seq}, so that names are
 * unique within a run (and {lcore} keeps them unique across generators); no
 * cache can answer them. Expansion writes wire format directly: no
 * allocation, no ldns.
 */
#pragma once

#include <stdint.h>

#include "core/rng.h"

#define DV_QNAME_PIECES 32

/** One piece of a label: literal text or a token (as parsed). */
struct dv_qname_piece {
	uint8_t kind;      /**< 0 literal, 1 seq, 2 rand, 3 lcore, 4 end of label */
	uint8_t len;       /**< literal length or rand count */
	uint16_t off;      /**< literal offset in text[] */
};

/**
 * One step of the expansion: copy wire bytes prepared at compile time, write
 * a token, or open/close a label whose length only the expansion knows.
 */
struct dv_qname_op {
	uint8_t kind;      /**< DV_QNAME_OP_* (qname.c) */
	uint8_t len;       /**< bytes to copy, or rand count */
	uint16_t off;      /**< where the bytes to copy start in wire[] */
};

/** A compiled pattern. */
struct dv_qname_pattern {
	struct dv_qname_piece piece[DV_QNAME_PIECES];
	unsigned npieces;
	char text[256];    /**< literal characters */
	/* What the expansion runs: every run of constant bytes (literals and the
	 * length bytes of labels of fixed width, the root) one copy. */
	struct dv_qname_op op[2 * DV_QNAME_PIECES + 2];
	unsigned nops;
	uint8_t wire[256];  /**< the constant bytes the copies take */
};

/**
 * Compile and validate a pattern: tokens known, {seq} present, characters
 * [A-Za-z0-9_-] in literals, every label 1..63 and the whole name at most
 * 255 bytes even at the longest expansion (20-digit seq, 5-digit lcore).
 * @param why set to a short reason on error ("no {seq}", "label longer than 63", ...)
 * @return 0 or -EINVAL
 */
int dv_qname_compile(const char *pattern, struct dv_qname_pattern *p, const char **why);

/**
 * Expand for one logical query into uncompressed wire format.
 * @param out at least 255 bytes
 * @return name length in bytes (including the root label)
 */
uint8_t dv_qname_expand(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			struct dv_rng *r, uint8_t *out);
