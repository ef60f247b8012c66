/**
 * @file compose.h
 * @brief Query frames composed from parts built once: per-family L2-L4 header,
 *        per-name DNS header + question, per-(size, DO) OPT record.
 *
 * A frame is header | DNS header + question | OPT (optional). Each part keeps
 * its one's-complement partial sum, so per packet the UDP checksum is a few
 * additions: ID, source port, the lengths, and the parts' sums (an OPT that
 * starts at an odd offset contributes its sum byte-swapped). So is the IPv4
 * header checksum: the template's sum plus the total length (and a source
 * address of a range).
 * DNS header and question are built with ldns for names from a query file,
 * and written directly for generated names (dv_question_write()).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/types.h"
#include "wire/query.h"

#define DV_L34_MAX   (14 + 4 + 40 + 8)   /**< Ethernet (+ VLAN room) + IPv6 + UDP */
#define DV_QUESTION_MAX (12 + 255 + 4)    /**< DNS header + name + type/class */
#define DV_OPT_LEN   11                   /**< OPT RR without options */

/** Ethernet + IP + UDP header of one family, lengths and checksums zero. */
struct dv_l34_tmpl {
	uint8_t bytes[DV_L34_MAX];
	uint16_t len;        /**< 42 (IPv4) or 62 (IPv6) */
	uint16_t l3_off;     /**< 14, or 18 behind an 802.1Q tag */
	uint16_t l4_off;     /**< UDP header offset */
	int family;          /**< AF_INET / AF_INET6 */
	uint32_t const_sum;  /**< partial sum: pseudo-header addresses + protocol + UDP dport */
	uint32_t phdr_sum;   /**< partial sum: pseudo-header addresses + protocol */
	uint16_t src_off;    /**< offset of the source address in bytes[] */
	uint16_t src_len;    /**< 4 or 16 */
	uint32_t src_sum;    /**< partial sum of the template's source address */
	uint32_t ip_sum;     /**< IPv4: partial sum of the header with total length and checksum 0 */
	bool csum_offload;   /**< leave the checksums to the NIC (dv_l34_offload()) */
};

/** A source address to put in a frame instead of the template's, with its partial sum. */
struct dv_src {
	uint8_t addr[16];    /**< 4 or 16 bytes used, network order */
	uint32_t sum;        /**< partial sum over the used bytes */
};

/** A dv_src for an address (family as in the template it will be used with). */
void dv_src_make(const struct dv_addr *a, struct dv_src *s);

/**
 * Let the NIC compute the checksums of frames composed from this template:
 * the IPv4 header checksum is left 0 and the UDP checksum field holds the
 * pseudo-header sum, as DPDK's TX checksum offload expects (the caller sets
 * the mbuf's ol_flags, l2_len and l3_len; see dv_l34_ol_flags()).
 */
void dv_l34_offload(struct dv_l34_tmpl *t);

/** The mbuf ol_flags a frame from an offloading template needs (0 for software checksums). */
uint64_t dv_l34_ol_flags(const struct dv_l34_tmpl *t);

#define DV_QUESTION_SIZE 320 /**< sizeof(struct dv_question): whole cache lines */

/**
 * DNS header (ID 0, RD=1, QDCOUNT 1, ARCOUNT 0) and one question, with its
 * partial sum. Length, type and sum first, and whole cache lines: in a table
 * allocated on a line (a query file's), what a frame needs of an entry with a
 * name of up to 40 bytes is one line.
 */
struct dv_question {
	uint16_t len;
	uint16_t qtype;      /**< host order */
	uint32_t sum;        /**< partial sum over wire[0..len), even alignment */
	uint8_t wire[DV_QUESTION_MAX];
	uint8_t pad[DV_QUESTION_SIZE - 8 - DV_QUESTION_MAX];
};
_Static_assert(sizeof(struct dv_question) == DV_QUESTION_SIZE, "dv_question: whole cache lines");

/** An OPT record for one (UDP size, DO) pair. */
struct dv_opt {
	uint8_t wire[DV_OPT_LEN];
	uint16_t size;       /**< UDP payload size it advertises */
	bool dnssec_ok;
	uint32_t sum;        /**< partial sum over wire, even alignment */
};

/** Build the header part for one family. @return 0 or -EAFNOSUPPORT */
int dv_l34_build(const struct dv_endpoints *ep, struct dv_l34_tmpl *t);

/** Build header + question of a query-file entry with ldns. @return 0 or -errno (reported) */
int dv_question_build(const struct dv_query *q, struct dv_question *out);

/** Build an OPT record (owner root, type 41, class = size, TTL with DO bit, RDLEN 0). */
void dv_opt_build(uint16_t size, bool dnssec_ok, struct dv_opt *o);

/**
 * Write header + question for a wire-format name directly (hot path, no ldns).
 * @return bytes written (12 + qname_len + 4); the caller ensures room
 */
uint16_t dv_question_write(uint8_t *dst, const uint8_t *qname, uint8_t qname_len, uint16_t qtype);

/**
 * Write header, type and class around a name already at dst + 12 (the
 * generator expands names straight into the frame).
 * @return bytes of header + question (12 + qname_len + 4)
 */
uint16_t dv_question_finish(uint8_t *dst, uint8_t qname_len, uint16_t qtype);

/** Partial sum of bytes written by dv_question_write (even alignment). */
uint32_t dv_question_sum(const uint8_t *q, uint16_t len);

/**
 * dv_question_sum() of what dv_question_finish() wrote around a name whose
 * partial sum is known (dv_qname_expand_sum()): no pass over the bytes.
 */
uint32_t dv_question_sum_named(uint8_t qname_len, uint16_t qtype, uint32_t name_sum);

/**
 * Compose a frame into dst: header, question bytes, optional OPT (ARCOUNT set
 * to 1), with DNS ID and UDP source port (host order), lengths and checksums.
 * @param q      header + question bytes (e.g. struct dv_question.wire), or
 *               the frame's own DNS part when already written there
 * @param q_sum  their partial sum
 * @param opt    NULL for no OPT record
 * @param src    source address instead of the template's, or NULL
 * @return frame length
 */
uint16_t dv_frame_compose(uint8_t *dst, const struct dv_l34_tmpl *t, const uint8_t *q,
			  uint16_t q_len, uint32_t q_sum, const struct dv_opt *opt, uint16_t id,
			  uint16_t sport, const struct dv_src *src);

/**
 * Write a DNS query message alone (no frame: for TCP, after its 2-byte
 * length prefix): header + question bytes with the ID set, and the OPT
 * record (ARCOUNT 1) unless opt is NULL. dst has room for
 * DV_QUESTION_MAX + DV_OPT_LEN bytes.
 * @return message length
 */
uint16_t dv_msg_compose(uint8_t *dst, const uint8_t *q, uint16_t q_len, const struct dv_opt *opt,
			uint16_t id);

/**
 * dv_frame_compose() into a buffer that still holds a frame composed from the
 * same template (an mbuf back from a PMD that does not write to what it
 * sends): the Ethernet, IP and UDP headers are not copied again, only the
 * fields that change are written. Same result as dv_frame_compose().
 */
uint16_t dv_frame_recompose(uint8_t *dst, const struct dv_l34_tmpl *t, const uint8_t *q,
			    uint16_t q_len, uint32_t q_sum, const struct dv_opt *opt, uint16_t id,
			    uint16_t sport, const struct dv_src *src);
