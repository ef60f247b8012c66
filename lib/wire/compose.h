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
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "core/types.h"
#include "wire/frame_parse.h"
#include "wire/query.h"

#define DV_L34_MAX   (14 + 4 + 40 + 8)   /**< Ethernet (+ VLAN room) + IPv6 + UDP */
#define DV_QUESTION_MAX (12 + 255 + 4)    /**< DNS header + name + type/class */
#define DV_OPT_LEN   11                   /**< OPT RR without options */
#define DV_DNS_ARCOUNT_OFF 10             /**< ARCOUNT in the DNS header */

/** A 16-bit header field (host order in) as DPDK's sums add it: network byte order. */
static inline uint32_t dv_be_word(uint16_t v)
{
	return rte_cpu_to_be_16(v);
}

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

/*
 * dv_frame_compose() and dv_frame_recompose(), here rather than in compose.c
 * so that the generator's file compiles them with its own code: GCC still
 * calls this once per frame, but as a local function, which took 2-3 % off
 * the generator's cycles (docs/performance-log.md).
 */
static inline uint16_t dv_frame_write(uint8_t *dst, const struct dv_l34_tmpl *t, const uint8_t *q,
				      uint16_t q_len, uint32_t q_sum, const struct dv_opt *opt,
				      uint16_t id, uint16_t sport, const struct dv_src *src,
				      bool copy_header)
{
	uint8_t *ip = dst + t->l3_off;
	uint8_t *udp = dst + t->l4_off;
	uint8_t *dns = udp + DV_UDP_HLEN;
	uint16_t dns_len = q_len;
	/* Every term is at most 17 bits wide except q_sum (a question's sum,
	 * at most 24 bits even unfolded): no overflow of 32 bits. */
	uint32_t sum = t->const_sum + q_sum;

	if (copy_header)
		memcpy(dst, t->bytes, t->len);
	else if (t->family == AF_INET && t->csum_offload)
		memset(ip + 10, 0, 2); /* a PMD's software checksum may have filled it */
	if (q != dns)
		memcpy(dns, q, q_len);
	/* Another source address: take the template's out of the sums (adding the
	 * one's complement subtracts), put the new one in. */
	uint32_t src_adj = 0;
	if (src != NULL) {
		memcpy(dst + t->src_off, src->addr, t->src_len);
		src_adj = (uint16_t)~__rte_raw_cksum_reduce(t->src_sum) +
			  __rte_raw_cksum_reduce(src->sum);
		sum += src_adj;
	}
	if (opt != NULL) {
		memcpy(dns + q_len, opt->wire, DV_OPT_LEN);
		/* Starting at an odd offset swaps the bytes of every word of the
		 * OPT, which in one's-complement arithmetic swaps its sum. */
		uint16_t os = __rte_raw_cksum_reduce(opt->sum);
		sum += (q_len & 1) ? rte_bswap16(os) : os;
		dv_wr16(dns + DV_DNS_ARCOUNT_OFF, 1);
		sum += dv_be_word(1);
		dns_len = (uint16_t)(dns_len + DV_OPT_LEN);
	}

	uint16_t udp_len = (uint16_t)(DV_UDP_HLEN + dns_len);
	rte_be16_t ulen_be = rte_cpu_to_be_16(udp_len);
	rte_be16_t sport_be = rte_cpu_to_be_16(sport);
	rte_be16_t id_be = rte_cpu_to_be_16(id);
	memcpy(udp, &sport_be, 2);
	memcpy(udp + 4, &ulen_be, 2);
	memcpy(dns, &id_be, 2);
	/* UDP length twice: in the pseudo header and in the UDP header. */
	sum += 2u * ulen_be + sport_be + id_be;

	if (t->family == AF_INET) {
		dv_wr16(ip + 2, (uint16_t)(DV_IPV4_HLEN + udp_len));
		if (!t->csum_offload) {
			/* The template's sum, the total length, the source's change. */
			uint16_t hc = (uint16_t)~__rte_raw_cksum_reduce(
				t->ip_sum + src_adj + rte_cpu_to_be_16((uint16_t)(DV_IPV4_HLEN + udp_len)));
			memcpy(ip + 10, &hc, 2);
		}
	} else {
		memcpy(ip + 4, &ulen_be, 2);
	}
	if (t->csum_offload) {
		/* The NIC adds the rest; it wants the pseudo header (with the length) here. */
		uint16_t ph = __rte_raw_cksum_reduce(t->phdr_sum + src_adj + ulen_be);
		memcpy(udp + 6, &ph, 2);
		return (uint16_t)(t->l4_off + udp_len);
	}

	uint16_t c = (uint16_t)~__rte_raw_cksum_reduce(sum);
	if (c == 0)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(udp + 6, &c, 2);
	return (uint16_t)(t->l4_off + udp_len);
}

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
static inline uint16_t dv_frame_compose(uint8_t *dst, const struct dv_l34_tmpl *t, const uint8_t *q,
					 uint16_t q_len, uint32_t q_sum, const struct dv_opt *opt,
					 uint16_t id, uint16_t sport, const struct dv_src *src)
{
	return dv_frame_write(dst, t, q, q_len, q_sum, opt, id, sport, src, true);
}

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
static inline uint16_t dv_frame_recompose(uint8_t *dst, const struct dv_l34_tmpl *t, const uint8_t *q,
					   uint16_t q_len, uint32_t q_sum, const struct dv_opt *opt,
					   uint16_t id, uint16_t sport, const struct dv_src *src)
{
	return dv_frame_write(dst, t, q, q_len, q_sum, opt, id, sport, src, false);
}
