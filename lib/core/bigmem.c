#include "core/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DV_HUGE_PAGE ((size_t)2 << 20)

/* The table's memory, untouched: `*whole` bytes, size rounded up. */
static void *bigmem_reserve(size_t size, size_t *whole)
{
	void *p;
	if (size < DV_HUGE_PAGE) {
		*whole = (size + 63) & ~(size_t)63;
		return aligned_alloc(64, *whole);
	}
	*whole = (size + DV_HUGE_PAGE - 1) & ~(DV_HUGE_PAGE - 1);
	p = aligned_alloc(DV_HUGE_PAGE, *whole);
	/* Only a request: without transparent huge pages the table still works. */
	if (p != NULL)
		(void)madvise(p, *whole, MADV_HUGEPAGE);
	return p;
}

void *dv_bigmem_alloc(size_t size)
{
	size_t whole;
	void *p = bigmem_reserve(size, &whole);
	/* Every page faulted in now, on the calling lcore: none in the run. */
	if (p != NULL)
		memset(p, 0, whole);
	return p;
}

void *dv_bigmem_alloc_fill(size_t n, size_t size, const void *proto)
{
	size_t whole;
	if (size == 0 || n > SIZE_MAX / size)
		return NULL;
	uint8_t *p = bigmem_reserve(n * size, &whole);
	if (p == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		memcpy(p + i * size, proto, size);
	memset(p + n * size, 0, whole - n * size); /* the rounding: touched too */
	return p;
}

void dv_bigmem_free(void *p)
{
	free(p);
}
