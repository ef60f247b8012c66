/**
 * @file bigmem.h
 * @brief The run's large tables, on 2 MiB pages where the kernel gives them.
 *
 * The in-flight slots, the logical queries' records, the timer FIFOs and a
 * query file's entries are walked in order, a few dozen bytes a query, and
 * are tens to hundreds of MiB: on 4 KiB pages the walk misses the TLB every
 * 4 KiB, and a page walk in a virtual machine is dear. Transparent huge pages
 * need no hugetlbfs, no privilege and no reservation; the kernel's default
 * mode (madvise) gives them to memory that asks. Where it gives none, the
 * tables are what they were: ordinary pages.
 */
#pragma once

#include <stddef.h>

/**
 * Allocate a table of `size` bytes (not zeroed), on a 64-byte line; from
 * 2 MiB up, aligned to 2 MiB and asked to be backed by huge pages.
 * @return the table (release with dv_bigmem_free()), or NULL
 */
void *dv_bigmem_alloc(size_t size);

/** Release a table of dv_bigmem_alloc() (NULL is fine). */
void dv_bigmem_free(void *p);
