#include "tcp/ports.h"

#include <errno.h>
#include <stdint.h>

size_t dv_tcp_ports_mem_size(uint16_t naddr, uint16_t lo, uint16_t hi)
{
	if (lo > hi)
		return 0;
	size_t nkeys = (size_t)naddr * ((size_t)hi - lo + 1);
	return nkeys * (sizeof(uint64_t) + sizeof(uint32_t) + sizeof(uint8_t));
}

int dv_tcp_ports_init(struct dv_tcp_ports *p, void *mem, size_t size, uint16_t naddr,
		      uint16_t lo, uint16_t hi, uint64_t quarantine)
{
	if (naddr == 0 || lo > hi || ((uintptr_t)mem & 7) != 0 ||
	    size < dv_tcp_ports_mem_size(naddr, lo, hi))
		return -EINVAL;
	p->nports = (uint32_t)(hi - lo) + 1;
	p->nkeys = (uint32_t)naddr * p->nports;
	p->naddr = naddr;
	p->port_lo = lo;
	p->quarantine = quarantine;
	p->free_at = mem;
	p->fifo = (uint32_t *)(p->free_at + p->nkeys);
	p->used = (uint8_t *)(p->fifo + p->nkeys);
	/* Port-major order: consecutive connections take different addresses. */
	uint32_t n = 0;
	for (uint32_t port = 0; port < p->nports; port++)
		for (uint32_t a = 0; a < naddr; a++) {
			p->fifo[n] = a * p->nports + port;
			p->free_at[n] = 0;
			n++;
		}
	for (uint32_t k = 0; k < p->nkeys; k++)
		p->used[k] = 0;
	p->head = 0;
	p->count = p->nkeys;
	return 0;
}

int dv_tcp_ports_alloc(struct dv_tcp_ports *p, uint64_t now, uint16_t *addr, uint16_t *port)
{
	if (p->count == 0)
		return -ENOSPC;
	if (p->free_at[p->head] > now)
		return -EAGAIN;
	uint32_t key = p->fifo[p->head];
	p->head = p->head + 1 == p->nkeys ? 0 : p->head + 1;
	p->count--;
	p->used[key] = 1;
	*addr = (uint16_t)(key / p->nports);
	*port = (uint16_t)(p->port_lo + key % p->nports);
	return 0;
}

int dv_tcp_ports_release(struct dv_tcp_ports *p, uint16_t addr, uint16_t port, uint64_t now)
{
	uint32_t key = dv_tcp_ports_key(p, addr, port);
	if (key == UINT32_MAX || !p->used[key])
		return -EINVAL;
	p->used[key] = 0;
	uint32_t tail = p->head + p->count;
	if (tail >= p->nkeys)
		tail -= p->nkeys;
	p->fifo[tail] = key;
	p->free_at[tail] = now + p->quarantine;
	p->count++;
	return 0;
}
