#include "tcp/stream.h"

#include <string.h>

#include "wire/tcp.h"

void dv_tcp_stream_init(struct dv_tcp_stream *s, uint8_t *ring, uint16_t ring_size,
			uint8_t *prefix, uint16_t prefix_max, uint32_t nxt)
{
	memset(s, 0, sizeof(*s));
	s->ring = ring;
	s->ring_size = ring_size;
	s->prefix = prefix;
	s->prefix_max = prefix_max;
	s->nxt = nxt;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* In-order bytes through the message parser: length prefix, prefix kept, rest counted. */
static void parse(struct dv_tcp_stream *s, const uint8_t *p, uint32_t n, dv_tcp_msg_fn fn,
		  void *ctx, struct dv_tcp_stream_res *res)
{
	while (n > 0) {
		if (s->hdr_have == 0) {
			s->hdr0 = *p++;
			n--;
			s->hdr_have = 1;
			continue;
		}
		if (s->hdr_have == 1) {
			s->msg_len = (uint32_t)s->hdr0 << 8 | *p++;
			n--;
			s->hdr_have = 2;
			s->msg_have = 0;
			s->prefix_len = 0;
			if (s->msg_len == 0) { /* malformed, but whole: the caller judges it */
				s->hdr_have = 0;
				res->messages++;
				fn(ctx, s->prefix, 0, 0);
			}
			continue;
		}
		uint32_t k = min32(n, s->msg_len - s->msg_have);
		if (s->prefix_len < s->prefix_max) {
			uint32_t c = min32(k, (uint32_t)(s->prefix_max - s->prefix_len));
			memcpy(s->prefix + s->prefix_len, p, c);
			s->prefix_len = (uint16_t)(s->prefix_len + c);
		}
		s->msg_have += k;
		p += k;
		n -= k;
		if (s->msg_have == s->msg_len) {
			s->hdr_have = 0;
			res->messages++;
			fn(ctx, s->prefix, s->prefix_len, s->msg_len);
		}
	}
}

static void advance(struct dv_tcp_stream *s, uint32_t n)
{
	s->nxt += n;
	s->ring_head = (uint16_t)((s->ring_head + n) % s->ring_size);
}

/* n stored bytes from nxt on, through the parser, in at most two runs of the ring. */
static void parse_stored(struct dv_tcp_stream *s, uint32_t n, dv_tcp_msg_fn fn, void *ctx,
			 struct dv_tcp_stream_res *res)
{
	uint32_t head = s->ring_head;
	uint32_t first = min32(n, s->ring_size - head);
	advance(s, n);
	/* The ring bytes stay put while parsed: nothing else writes the ring meanwhile. */
	parse(s, s->ring + head, first, fn, ctx, res);
	parse(s, s->ring, n - first, fn, ctx, res);
}

/* Store [off, off + len) (offsets from nxt, inside the window) and merge its range. */
static void store(struct dv_tcp_stream *s, uint32_t off, const uint8_t *data, uint32_t len,
		  struct dv_tcp_stream_res *res)
{
	struct dv_tcp_range out[DV_TCP_OOO_MAX + 1];
	unsigned nout = 0;
	uint32_t a = off, b = off + len, dup = 0;
	bool placed = false;
	for (unsigned i = 0; i < s->nranges; i++) {
		uint32_t rs = s->ooo[i].start - s->nxt, re = s->ooo[i].end - s->nxt;
		if (re < a) {
			out[nout++] = (struct dv_tcp_range){ rs, re };
		} else if (b < rs) {
			if (!placed)
				out[nout++] = (struct dv_tcp_range){ a, b };
			placed = true;
			out[nout++] = (struct dv_tcp_range){ rs, re };
		} else {
			/* Overlapping or touching: bytes of the segment already held are duplicates. */
			uint32_t lo = rs > off ? rs : off, hi = re < off + len ? re : off + len;
			if (hi > lo)
				dup += hi - lo;
			a = rs < a ? rs : a;
			b = re > b ? re : b;
		}
		if (nout > DV_TCP_OOO_MAX)
			break;
	}
	if (!placed && nout <= DV_TCP_OOO_MAX)
		out[nout++] = (struct dv_tcp_range){ a, b };
	if (nout > DV_TCP_OOO_MAX) {
		res->dropped += len;
		return;
	}
	uint32_t pos = (s->ring_head + off) % s->ring_size;
	uint32_t first = min32(len, s->ring_size - pos);
	memcpy(s->ring + pos, data, first);
	memcpy(s->ring, data + first, len - first);
	for (unsigned i = 0; i < nout; i++)
		s->ooo[i] = (struct dv_tcp_range){ s->nxt + out[i].start, s->nxt + out[i].end };
	s->nranges = (uint8_t)nout;
	res->dup += dup;
	res->stored += len - dup;
}

void dv_tcp_stream_input(struct dv_tcp_stream *s, uint32_t seq, const uint8_t *data, uint32_t len,
			 dv_tcp_msg_fn fn, void *ctx, struct dv_tcp_stream_res *res)
{
	memset(res, 0, sizeof(*res));
	if (len == 0 || data == NULL)
		return;
	if (dv_tcp_seq_lt(seq, s->nxt)) {
		uint32_t behind = s->nxt - seq;
		if (behind >= len) {
			res->dup = len;
			return;
		}
		res->dup = behind;
		data += behind;
		len -= behind;
		seq = s->nxt;
	}
	uint32_t off = seq - s->nxt;
	if (off >= s->ring_size) {
		res->beyond = len;
		return;
	}
	if (len > s->ring_size - off) {
		res->beyond = len - (s->ring_size - off);
		len = s->ring_size - off;
	}
	if (off > 0) {
		store(s, off, data, len, res);
		return;
	}
	advance(s, len);
	res->in_order = len;
	parse(s, data, len, fn, ctx, res);
	/* The gap may be closed: take the stored ranges it reached. */
	while (s->nranges > 0 && !dv_tcp_seq_lt(s->nxt, s->ooo[0].start)) {
		struct dv_tcp_range r = s->ooo[0];
		uint32_t held = (dv_tcp_seq_lt(r.end, s->nxt) ? r.end : s->nxt) - r.start;
		res->dup += held;
		memmove(&s->ooo[0], &s->ooo[1], (size_t)(s->nranges - 1) * sizeof(s->ooo[0]));
		s->nranges--;
		if (dv_tcp_seq_lt(s->nxt, r.end)) {
			uint32_t n = r.end - s->nxt;
			res->in_order += n;
			parse_stored(s, n, fn, ctx, res);
		}
	}
}
