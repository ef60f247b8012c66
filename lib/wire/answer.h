/**
 * @file answer.h
 * @brief The embedded responder's answer synthesis, in place in the query frame.
 *
 * A/AAAA/TXT are synthesized; other types get NOERROR with no data. An OPT
 * record in the query is echoed (with the responder's own size). When the
 * answer would exceed the requestor's buffer (512 without OPT), the response
 * carries only the question (and OPT) with TC=1.
 * TXT size: a first label "sNNNN" (e.g. s1500.example.) asks for about NNNN
 * bytes of TXT data, else 16 bytes: a knob for tests of truncation.
 * Answer size: with answer_size set, every response that is not truncated is
 * padded to exactly that many bytes of DNS message by a TXT record in the
 * additional section (before the OPT), so that truncation happens below a
 * chosen buffer size whatever the query.
 * Ignoring EDNS: with ignore_edns set, the requestor's buffer size (its OPT,
 * or 512 without one) is not a limit: answers are sent whole, as a
 * misbehaving server would; the MTU and the caller's buffer still are. An
 * MTU up to 65535 lets an answer be built whole for a caller that fragments
 * it afterwards.
 * Over TCP (dv_answer_build_msg()) the message stands alone, without a frame:
 * neither the requestor's UDP size nor the MTU applies (RFC 7766 8), so the
 * answer is never truncated; an edns-tcp-keepalive option (RFC 7828) can be
 * added to its OPT record.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** What the responder answers with. */
struct dv_answer_cfg {
	uint32_t ttl;           /**< TTL of synthesized records */
	uint8_t a[4];           /**< address for A answers */
	uint8_t aaaa[16];       /**< address for AAAA answers */
	uint16_t edns_size;     /**< UDP size the responder advertises in its OPT */
	uint16_t mtu;           /**< largest IP packet it sends (1500); up to 65535 when the
				     caller fragments the answers itself */
	uint16_t answer_size;   /**< pad each DNS message to this size (0 = off); if even the
				     padding record does not fit, the response is not padded */
	bool ignore_edns;       /**< answer in full whatever the requestor's buffer (no TC
				     for its size; the MTU still applies) */
	uint16_t defects;       /**< DV_ANSWER_* non-compliances on purpose (tests of checks) */
};

/**
 * Non-compliances the responder can commit on purpose, at least one per
 * compliance check (--responder NAME; docs/interop.md lists which check
 * each fails).
 */
#define DV_ANSWER_BAD_OPCODE    0x0001 /**< bad-opcode: the response's opcode is STATUS (2), not the query's */
#define DV_ANSWER_NO_OPT        0x0002 /**< no-opt: no OPT record, even when the query had one */
#define DV_ANSWER_FORMERR       0x0004 /**< formerr: FORMERR to every query */
#define DV_ANSWER_TC_TCP        0x0008 /**< tc-over-tcp: TC set on answers over TCP */
#define DV_ANSWER_NO_AA         0x0010 /**< no-aa: AA cleared */
#define DV_ANSWER_NO_BADVERS    0x0020 /**< no-badvers: EDNS version 1 answered as version 0 */
#define DV_ANSWER_ECHO_OPTION   0x0040 /**< echo-option: unknown EDNS options echoed */
#define DV_ANSWER_ECHO_FLAGS    0x0080 /**< echo-flags: the query's EDNS flags word echoed whole */
#define DV_ANSWER_DROP_DO       0x0100 /**< drop-do: queries with DO=1 get no answer */
#define DV_ANSWER_OPCODE_QUERY  0x0200 /**< opcode-as-query: an unknown opcode answered as a query */
#define DV_ANSWER_NOTIMP_NO_OPT 0x0400 /**< notimp-no-opt: NOTIMP without an OPT (NSD 4.6's) */
#define DV_ANSWER_BAD_COOKIE    0x0800 /**< bad-cookie: a COOKIE whose client part is not the query's */
#define DV_ANSWER_BAD_KEEPALIVE 0x1000 /**< bad-keepalive: an edns-tcp-keepalive of 3 bytes */

/** The DV_ANSWER_* flag of a defect's name, or 0. */
unsigned dv_answer_defect_of(const char *name);

/** Default config: TTL 300, 198.18.0.53, 2001:2::53, EDNS 1232, MTU 1500, no padding,
 *  requestor's buffer respected. */
void dv_answer_cfg_default(struct dv_answer_cfg *cfg);

/**
 * Turn a query frame into its response, in place.
 * Swaps MACs, addresses and ports; recomputes IPv4 header and UDP checksums.
 * @param frame query frame of len bytes in a buffer of cap bytes
 * @return length of the response frame, or a negative errno if the frame is
 *         not a DNS query we answer (caller drops it)
 */
int dv_answer_build(uint8_t *frame, size_t len, size_t cap, const struct dv_answer_cfg *cfg);

/**
 * Turn a query message received over TCP (without its 2-byte length prefix)
 * into its response, in place: the same answer dv_answer_build() gives,
 * padded to cfg->answer_size likewise, but never truncated (no TC bit):
 * cfg->edns_size is still advertised in the OPT record, while the query's
 * UDP size, cfg->ignore_edns and cfg->mtu do not apply.
 * @param msg       query message of len bytes in a buffer of cap bytes (at
 *                  most 65535 of them are used: the length prefix's limit)
 * @param keepalive edns-tcp-keepalive TIMEOUT (RFC 7828, units of 100 ms,
 *                  0..65535) added to the OPT record when the query has
 *                  one; -1 for none
 * @return length of the response message, or a negative errno if it is not
 *         a DNS query we answer (-EBADMSG, -EINVAL) or does not fit
 *         (-EMSGSIZE); the caller drops it
 */
int dv_answer_build_msg(uint8_t *msg, size_t len, size_t cap, const struct dv_answer_cfg *cfg,
			int keepalive);
