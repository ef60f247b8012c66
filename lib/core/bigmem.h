/**
 * @file bigmem.h
 * @brief The run's large tables, on 2 MiB pages where the kernel gives them.
 *
 * The in-flight slots, the logical queries' records, the timer FIFOs and a
 * query file's entries are tens to hundreds of MiB, touched before the run
 * starts: on 4 KiB pages that is a page fault every 4 KiB (a one-second --max
 * run given one CPU: 3.2-3.3 s of wall time, 2.5-3.0 s on huge pages;
 * docs/performance-log.md). Transparent huge pages need no hugetlbfs, no
 * privilege and no reservation; the kernel's default mode (madvise) gives
 * them to memory that asks. Where it gives none, the tables are what they
 * were: ordinary pages.
 *
 * Every page is touched when the table is made. A timer FIFO is written a
 * few bytes a query as the run goes: left to fault in, it took a page fault
 * every 4 KiB during the run (about 300 a second at 200 k qps), or on huge
 * pages a 2 MiB clear that stalls the lcore that touches it, which then
 * timestamps late what it receives meanwhile.
 */
#pragma once

#include <stddef.h>

/**
 * Allocate a table of `size` bytes, zeroed and every page touched (call it
 * on the lcore that will use the table), on a 64-byte line; from 2 MiB up,
 * aligned to 2 MiB and asked to be backed by huge pages.
 * @return the table (release with dv_bigmem_free()), or NULL
 */
void *dv_bigmem_alloc(size_t size);

/**
 * dv_bigmem_alloc() of n records of `size` bytes, each a copy of `proto`:
 * the pages touched by the fill itself, one pass instead of a zeroing and
 * then the caller's loop (tables whose empty record is not all zeros).
 * @return the table (release with dv_bigmem_free()), or NULL
 */
void *dv_bigmem_alloc_fill(size_t n, size_t size, const void *proto);

/** Release a table of dv_bigmem_alloc() (NULL is fine). */
void dv_bigmem_free(void *p);
