/**
 * @file rss.h
 * @brief The receive-side hash dnsvolley assumes: Toeplitz over the IP
 *        addresses only, so every fragment of a datagram (non-first fragments
 *        carry no UDP ports) lands on the same RX queue and collector.
 *
 * The embedded responder uses it to pick the queue of each answer as a NIC
 * configured for RTE_ETH_RSS_IP would; the generator uses it to choose, per
 * collector, source addresses whose answers come back to that collector.
 */
#pragma once

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_thash.h>

/** The 40-byte RSS key (the one most NIC datasheets use as their default). */
static const uint8_t dv_rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/**
 * The hash of a packet from src to dst (network-order address bytes).
 * @param family AF_INET (4-byte addresses) or AF_INET6 (16)
 */
static inline uint32_t dv_rss_hash(const uint8_t *src, const uint8_t *dst, int family)
{
	uint32_t tuple[8];
	unsigned words = family == AF_INET6 ? 8 : 2;
	unsigned alen = family == AF_INET6 ? 16 : 4;
	uint8_t b[32];
	memcpy(b, src, alen);
	memcpy(b + alen, dst, alen);
	/* rte_softrss takes the tuple as host-order 32-bit words. */
	for (unsigned i = 0; i < words; i++)
		tuple[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
			   (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	return rte_softrss(tuple, words, dv_rss_key);
}

/** Queue of a packet from src to dst among nq (the hash modulo nq). */
static inline unsigned dv_rss_queue(const uint8_t *src, const uint8_t *dst, int family, unsigned nq)
{
	return nq <= 1 ? 0 : dv_rss_hash(src, dst, family) % nq;
}
