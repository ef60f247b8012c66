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

/** Bytes past the name that an expansion may overwrite (it stores in whole words). */
#define DV_QNAME_SLACK 15
/** The room an expansion needs: the longest name and the slack. */
#define DV_QNAME_OUT (255 + DV_QNAME_SLACK)

/** One piece of a label: literal text or a token (as parsed). */
struct dv_qname_piece {
	uint8_t kind;      /**< 0 literal, 1 seq, 2 rand, 3 lcore, 4 end of label */
	uint8_t len;       /**< literal length or rand count */
	uint16_t off;      /**< literal offset in text[] */
};

/**
 * One step of the expansion: a token, then the constant bytes that follow it
 * (literals, the length bytes of labels of fixed width, the root), prepared
 * at compile time with their partial sum.
 */
struct dv_qname_op {
	uint8_t kind;      /**< token: 1 seq, 2 rand, 3 lcore */
	uint8_t len;       /**< rand count */
	uint8_t flags;     /**< opens (1) and/or closes (2) a label of variable width */
	uint8_t pre;       /**< opening: the label's bytes before the token */
	uint8_t post;      /**< closing: the label's bytes after the token */
	uint8_t copy_len;  /**< constant bytes after the token */
	uint16_t copy_off; /**< where they start in wire[] */
	uint32_t copy_sum; /**< their partial sum, as if at an even offset */
};

/** A compiled pattern. */
struct dv_qname_pattern {
	struct dv_qname_piece piece[DV_QNAME_PIECES];
	unsigned npieces;
	char text[256];    /**< literal characters */
	uint8_t lead_len;  /**< constant bytes before the first token, at wire[0] */
	uint32_t lead_sum;
	struct dv_qname_op op[DV_QNAME_PIECES];
	unsigned nops;
	/** the constant bytes; a variable label's length byte is 0 here (read in whole 16-byte
	 *  words, so up to DV_QNAME_SLACK bytes past them) */
	uint8_t wire[256 + DV_QNAME_SLACK];
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
 * Expand for one logical query into uncompressed wire format. Up to
 * DV_QNAME_SLACK bytes past the name are overwritten with junk: write what
 * follows the name after it.
 * @param out at least DV_QNAME_OUT bytes
 * @return name length in bytes (including the root label)
 */
uint8_t dv_qname_expand(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			struct dv_rng *r, uint8_t *out);

/**
 * dv_qname_expand(), and the name's one's-complement partial sum as
 * rte_raw_cksum() would give it for out (16-bit words in memory order; out
 * at an even offset of what is summed), taken from the values written: no
 * second pass over the bytes.
 * @param sum set to the partial sum, at most 16 bits
 */
uint8_t dv_qname_expand_sum(const struct dv_qname_pattern *p, uint64_t seq, unsigned lcore,
			    struct dv_rng *r, uint8_t *out, uint32_t *sum);
