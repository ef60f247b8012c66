#include "core/bigmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DV_HUGE_PAGE ((size_t)2 << 20)

void *dv_bigmem_alloc(size_t size)
{
	size_t whole;
	void *p;
	if (size < DV_HUGE_PAGE) {
		whole = (size + 63) & ~(size_t)63;
		p = aligned_alloc(64, whole);
	} else {
		whole = (size + DV_HUGE_PAGE - 1) & ~(DV_HUGE_PAGE - 1);
		p = aligned_alloc(DV_HUGE_PAGE, whole);
		/* Only a request: without transparent huge pages the table still works. */
		if (p != NULL)
			(void)madvise(p, whole, MADV_HUGEPAGE);
	}
	/* Every page faulted in now, on the calling lcore: none in the run. */
	if (p != NULL)
		memset(p, 0, whole);
	return p;
}

void dv_bigmem_free(void *p)
{
	free(p);
}
