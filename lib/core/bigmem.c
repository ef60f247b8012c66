#include "core/bigmem.h"

#include <stdlib.h>
#include <sys/mman.h>

#define DV_HUGE_PAGE ((size_t)2 << 20)

void *dv_bigmem_alloc(size_t size)
{
	if (size < DV_HUGE_PAGE)
		return aligned_alloc(64, (size + 63) & ~(size_t)63);
	size_t whole = (size + DV_HUGE_PAGE - 1) & ~(DV_HUGE_PAGE - 1);
	void *p = aligned_alloc(DV_HUGE_PAGE, whole);
	/* Only a request: without transparent huge pages the table still works. */
	if (p != NULL)
		(void)madvise(p, whole, MADV_HUGEPAGE);
	return p;
}

void dv_bigmem_free(void *p)
{
	free(p);
}
