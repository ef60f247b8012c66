/**
 * @file ports.h
 * @brief Source (address, port) pairs for new connections, never reused
 *        within a quarantine after their last connection ended.
 *
 * The destination is the same for every connection of a table, so a
 * (source address index, port) key names a 4-tuple. Free keys wait in a FIFO
 * in the order they were released, each with the time it may be handed out
 * again (release + quarantine): the quarantine is one value, so the oldest
 * release is always at the head and both allocation and release are O(1).
 * The quarantine covers what the server's TIME-WAIT may hold (default 60 s),
 * so the client keeps no TIME-WAIT of its own. Initially every key is free,
 * ports interleaved over the addresses. Memory: 13 bytes per key.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/** The allocator (its arrays in caller memory). */
struct dv_tcp_ports {
	uint64_t *free_at;   /**< FIFO: when the key may be handed out again */
	uint32_t *fifo;      /**< FIFO: keys, oldest release first */
	uint8_t *used;       /**< per key: handed out and not released */
	uint32_t nkeys;      /**< naddr * nports */
	uint32_t nports;     /**< ports per address */
	uint32_t head;       /**< FIFO index of the oldest release */
	uint32_t count;      /**< keys in the FIFO */
	uint16_t port_lo;
	uint16_t naddr;
	uint64_t quarantine; /**< ticks */
};

/** Bytes of memory for naddr addresses and ports lo..hi (0 if the range is empty). */
size_t dv_tcp_ports_mem_size(uint16_t naddr, uint16_t lo, uint16_t hi);

/**
 * Lay the allocator out in mem (8-byte aligned, at least dv_tcp_ports_mem_size()).
 * @return 0, or -EINVAL (no address, lo > hi, mem too small or misaligned)
 */
int dv_tcp_ports_init(struct dv_tcp_ports *p, void *mem, size_t size, uint16_t naddr,
		      uint16_t lo, uint16_t hi, uint64_t quarantine);

/**
 * Hand out the key released longest ago, if its quarantine is over.
 * @return 0 (addr, port set), -ENOSPC (every key is in use) or -EAGAIN
 *         (the free ones are all in quarantine)
 */
int dv_tcp_ports_alloc(struct dv_tcp_ports *p, uint64_t now, uint16_t *addr, uint16_t *port);

/** Take a key back: free again at now + quarantine. @return 0 or -EINVAL (not handed out) */
int dv_tcp_ports_release(struct dv_tcp_ports *p, uint16_t addr, uint16_t port, uint64_t now);

/** The key of (addr, port), or UINT32_MAX outside the allocator's range. */
static inline uint32_t dv_tcp_ports_key(const struct dv_tcp_ports *p, uint16_t addr, uint16_t port)
{
	if (addr >= p->naddr || port < p->port_lo || (uint32_t)(port - p->port_lo) >= p->nports)
		return UINT32_MAX;
	return (uint32_t)addr * p->nports + (uint32_t)(port - p->port_lo);
}
