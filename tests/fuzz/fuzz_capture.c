/*
 * libFuzzer harness: a captured IP packet, through dnsvolley analyze's
 * parser and, when it is a query, the window of open sequences and the
 * source table (tiny, so that closing early and a full table are reached).
 *
 * The input is the packet from its IP header on, copied into a buffer of
 * exactly its size so that AddressSanitizer catches a read past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/packet.h"
#include "analyze/sources.h"
#include "analyze/tables.h"
#include "analyze/window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dv_an_tables t;
	static struct dv_an_window w;
	static struct dv_an_sources s;
	static uint64_t ts;
	if (w.e == NULL && (dv_an_window_init(&w, 8, 1000000000ull) != 0 || dv_an_sources_init(&s, 8) != 0))
		abort();
	uint8_t *p = malloc(size ? size : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data, size);
	struct dv_seen_query q;
	enum dv_seen_kind k = dv_seen_parse(p, size, 53, &q);
	if (k >= DV_SEEN_KINDS)
		abort();
	dv_an_count_packet(&t, k, &q, ts);
	if (k == DV_SEEN_QUERY) {
		if (q.qname_len == 0 || q.family > 1)
			abort(); /* a query has a name (at least the root) and a family */
		dv_an_window_add(&w, &t, &q, ts);
		dv_an_sources_add(&s, &t, &q);
	}
	ts += 300000000ull; /* every fourth input closes what the others opened */
	if ((ts / 300000000ull) % 64 == 0)
		dv_an_window_flush(&w, &t);
	free(p);
	return 0;
}
