/*
 * libFuzzer harness: one received frame through the TCP segment parser
 * (dv_tcp_parse), with and without the checksum; a segment that parses is
 * built again (dv_tcp_build) and must parse back to the same fields.
 *
 * The input is the frame, Ethernet header first, copied into a buffer of
 * exactly its size, so AddressSanitizer catches any read past the end.
 * The rebuild is checked three ways: with the payload copied, with it already
 * in place, and with the source address as an override of a template built
 * for another one: all three must be the same bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/compose.h"
#include "wire/tcp.h"

/* A frame is at most 64 KiB; the rebuild has no IP options, so never longer. */
#define OUT_MAX 65536

static uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	for (size_t i = 0; p != NULL && i < n; i++)
		sink ^= p[i];
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *f, size_t len)
{
	return p >= f && n <= len && p <= f + len - n;
}

/* The fields two parses of one segment must share. */
static void same_segment(const struct dv_tcp_view *a, const struct dv_tcp_view *b)
{
	size_t alen = a->family == AF_INET ? 4 : 16;
	if (a->family != b->family || a->sport != b->sport || a->dport != b->dport ||
	    memcmp(a->saddr, b->saddr, alen) != 0 || memcmp(a->daddr, b->daddr, alen) != 0 ||
	    a->seg.seq != b->seg.seq || a->seg.flags != b->seg.flags || a->seg.win != b->seg.win ||
	    a->seg.len != b->seg.len ||
	    (a->seg.len != 0 && memcmp(a->seg.data, b->seg.data, a->seg.len) != 0))
		abort();
}

static void rebuild(const struct dv_tcp_view *v)
{
	static uint8_t out[OUT_MAX], again[OUT_MAX], other[OUT_MAX];
	size_t alen = v->family == AF_INET ? 4 : 16;
	struct dv_endpoints ep;
	memset(&ep, 0, sizeof(ep));
	ep.src.family = ep.dst.family = v->family;
	memcpy(v->family == AF_INET ? (void *)&ep.src.v4 : (void *)&ep.src.v6, v->saddr, alen);
	memcpy(v->family == AF_INET ? (void *)&ep.dst.v4 : (void *)&ep.dst.v6, v->daddr, alen);
	ep.dport = v->dport;
	ep.vlan = (uint16_t)(v->seg.seq & 0x0fff); /* some tag, or none */
	struct dv_tcp_tmpl t;
	if (dv_tcp_tmpl_build(&ep, &t) != 0)
		abort();
	uint16_t n = dv_tcp_build(out, sizeof(out), &t, NULL, v->sport, v->dport, &v->seg);
	if (n == 0) {
		/* Only a segment too long for a 16-bit IP length may not fit. */
		if ((size_t)t.l4_off + DV_TCP_HLEN + dv_tcp_opt_len(&v->seg) + v->seg.len <= 65535)
			abort();
		return;
	}

	struct dv_tcp_view w;
	if (dv_tcp_parse(out, n, true, &w) != 0)
		abort();
	same_segment(v, &w);
	bool syn = v->seg.flags & DV_TCP_SYN;
	if (w.seg.ack != ((v->seg.flags & DV_TCP_ACK) ? v->seg.ack : 0) ||
	    w.seg.mss != (syn ? v->seg.mss : 0) || w.seg.wscale != (syn ? v->seg.wscale : -1) ||
	    w.l3_off != t.l3_off || w.l4_off != t.l4_off)
		abort();

	/* The payload already in place: not copied, the same frame. */
	uint16_t off = dv_tcp_payload_off(&t, &v->seg);
	struct dv_tcp_seg s = v->seg;
	if (s.len != 0) {
		memcpy(again + off, v->seg.data, s.len);
		s.data = again + off;
	}
	if (dv_tcp_build(again, sizeof(again), &t, NULL, v->sport, v->dport, &s) != n ||
	    memcmp(out, again, n) != 0)
		abort();

	/* A template for another source, overridden with this one: the same frame. */
	struct dv_src src;
	dv_src_make(&ep.src, &src);
	uint8_t *a = v->family == AF_INET ? (uint8_t *)&ep.src.v4 : ep.src.v6.s6_addr;
	a[alen - 1] ^= 0x5a;
	a[0] ^= 0xff;
	struct dv_tcp_tmpl t2;
	if (dv_tcp_tmpl_build(&ep, &t2) != 0)
		abort();
	if (dv_tcp_build(other, sizeof(other), &t2, &src, v->sport, v->dport, &v->seg) != n ||
	    memcmp(out, other, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65535)
		return -1;
	uint8_t *f = malloc(size ? size : 1);
	if (f == NULL)
		abort();
	memcpy(f, data, size);

	struct dv_tcp_view v, vc;
	int r = dv_tcp_parse(f, size, false, &v);
	int rc = dv_tcp_parse(f, size, true, &vc);
	if (r != 0 && r != -ENOMSG && r != -EBADMSG)
		abort();
	/* The checksum can only turn a segment into a malformed one. */
	if (rc != r && !(r == 0 && rc == -EBADMSG))
		abort();
	if (r == 0) {
		size_t alen = v.family == AF_INET ? 4 : 16;
		if ((v.family != AF_INET && v.family != AF_INET6) ||
		    !inside(v.saddr, alen, f, size) || !inside(v.daddr, alen, f, size) ||
		    v.l3_off >= v.l4_off || !inside(f + v.l4_off, DV_TCP_HLEN, f, size) ||
		    v.seg.wscale < -1 || v.seg.wscale > 14 ||
		    (v.seg.len == 0) != (v.seg.data == NULL) ||
		    (v.seg.len != 0 && !inside(v.seg.data, v.seg.len, f, size)))
			abort();
		touch(v.saddr, alen);
		touch(v.daddr, alen);
		touch(v.seg.data, v.seg.len);
		if (rc == 0)
			same_segment(&v, &vc);
		rebuild(&v);
	}
	free(f);
	return 0;
}
