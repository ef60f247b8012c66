/**
 * @file judge.h
 * @brief A check's verdict on an answer without ldns, for the collector's
 *        hot path (the battery under load): a bounded walk of the message
 *        and the same comparisons, in the same order, as dv_check_verify().
 *
 * The verdict is a field (the first that differs) rather than words, so
 * that it can be counted per check; dv_check_field_name() gives the word
 * dv_check_verify() starts its reason with. No allocation, no syscall; any
 * input, however malformed, gets a verdict.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Checks a run can carry (the battery has fewer; counters are sized by this). */
#define DV_CHECKS_MAX 16

/** How an attempt of a check ended: passed, no answer, or the first field that differed. */
enum dv_check_result {
	DV_CR_PASS = 0,
	DV_CR_NO_ANSWER,     /**< the attempt timed out */
	DV_CR_QR,
	DV_CR_ID,
	DV_CR_OPCODE,
	DV_CR_RCODE,
	DV_CR_QUESTION,
	DV_CR_OPT,           /**< an OPT missing, or one to a query without */
	DV_CR_VERSION,       /**< EDNS version of the answer not 0 */
	DV_CR_FLAGS,         /**< the unknown EDNS flag echoed */
	DV_CR_OPTION,        /**< the unknown EDNS option echoed */
	DV_CR_COOKIE,        /**< a COOKIE option of the wrong shape */
	DV_CR_KEEPALIVE,     /**< an edns-tcp-keepalive option of the wrong length */
	DV_CR_AA,
	DV_CR_ANSWER,        /**< records in an answer section that must be empty */
	DV_CR_SIZE,          /**< over UDP, larger than offered without TC */
	DV_CR_UNREADABLE,    /**< the message does not parse (or was not kept whole) */
	DV_CR_KINDS
};

struct dv_check;

/** The first word(s) of dv_check_verify()'s reason for a field ("rcode", "OPT", ...). */
const char *dv_check_field_name(enum dv_check_result r);

/**
 * Judge an answer to check c's query.
 * @param q       the query as sent (its ID and question are what the answer must echo)
 * @param ans     the answer's bytes kept, `have` of them
 * @param msg_len the answer's whole length (>= have; over UDP the datagram's)
 * @param tcp     it came over TCP (the size limit does not apply)
 * @return DV_CR_PASS or the first field that differs (never DV_CR_NO_ANSWER)
 */
enum dv_check_result dv_check_judge(const struct dv_check *c, const uint8_t *q, size_t qlen,
				    const uint8_t *ans, size_t have, size_t msg_len, bool tcp);

/**
 * Option `code` in an OPT record's RDATA (n bytes at p, NULL: none): its
 * value and length. Bounded: a cut option list ends the search.
 * @return false if absent (or the data is cut before it)
 */
bool dv_check_find_option(const uint8_t *p, size_t n, uint16_t code, const uint8_t **val,
			  uint16_t *vlen);
