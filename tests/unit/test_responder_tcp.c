/*
 * The embedded responder's TCP server, driven with frames a client template
 * builds (dv_tcp_build) and judged by what it sends back (dv_tcp_parse):
 * exact sequence numbers, flags, segments and counters for every tcp-*
 * impairment.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>

#include "check_main.h"
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "core/count.h"
#include "core/rng.h"
#include "engine/features/responder_tcp.h"
#include "wire/answer.h"
#include "wire/compose.h"
#include "wire/tcp.h"
#include "wire_helpers.h"

#define HZ        1000000000ull /* 1 tick = 1 ns */
#define CPORT     40001
#define DNS_PORT  53
#define CISN      1000u         /* the client's initial sequence number */
#define OUT_MAX   256
#define FRAME_ROOM 2048
#define QTYPE_A   1
#define QTYPE_TXT 16
#define DNS_TC    0x0200

/* ---- what the server sent ----------------------------------------------- */

static struct {
	uint8_t f[OUT_MAX][FRAME_ROOM];
	uint16_t len[OUT_MAX];
	enum dv_resp_tcp_kind kind[OUT_MAX];
	unsigned n;
	unsigned lost; /* beyond OUT_MAX */
} out;

static void emit_cb(void *ctx, const uint8_t *f, uint16_t len, enum dv_resp_tcp_kind kind)
{
	(void)ctx;
	ck_assert_uint_le(len, DV_RESP_TCP_FRAME_MAX);
	if (out.n >= OUT_MAX) {
		out.lost++;
		return;
	}
	memcpy(out.f[out.n], f, len);
	out.len[out.n] = len;
	out.kind[out.n] = kind;
	out.n++;
}

/* skip hook for one test: queries with an odd ID go unanswered */
static unsigned skipped;
static bool skip_odd(void *ctx, int family, const uint8_t *msg, uint16_t len)
{
	(void)ctx;
	(void)family;
	ck_assert_uint_ge(len, 2);
	if (rd16(msg) & 1) {
		skipped++;
		return true;
	}
	return false;
}

/* ---- the server under test --------------------------------------------- */

static struct dv_resp_tcp srv;
static void *mem;
static struct dv_answer_cfg acfg;
static struct dv_tcp_tmpl cli[2]; /* the client's templates: [0] IPv4, [1] IPv6 */

static void setup_full(const struct dv_impair_plan *ip, uint32_t nconn, bool late,
		       bool (*skip)(void *, int, const uint8_t *, uint16_t))
{
	struct dv_endpoints ep;
	dv_answer_cfg_default(&acfg);
	acfg.answer_size = (uint16_t)ip->answer_size;
	struct dv_resp_tcp_cfg cfg = {
		.answer = &acfg, .impair = *ip, .port = DNS_PORT, .hz = HZ, .seed = 42,
		.late_answers = late,
		.hooks = { .emit = emit_cb, .skip = skip },
	};
	mkep(&ep, AF_INET);
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &cli[0]), 0);
	mkep(&ep, AF_INET6);
	ck_assert_int_eq(dv_tcp_tmpl_build(&ep, &cli[1]), 0);
	free(mem);
	mem = aligned_alloc(64, (dv_resp_tcp_mem_size(nconn) + 63) & ~(size_t)63);
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(dv_resp_tcp_init(&srv, mem, nconn, &cfg), 0);
	memset(&out, 0, sizeof(out));
}

static void setup(const struct dv_impair_plan *ip)
{
	setup_full(ip, 16, false, NULL);
}

static void setup_plain(void)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	setup(&ip);
}

static void clear_out(void)
{
	out.n = 0;
	out.lost = 0;
}

/* The client sends one segment (a valid frame, checksums included). */
static void csend_full(int family, uint16_t cport, uint32_t seq, uint32_t ack, uint8_t flags,
		       uint16_t mss, const uint8_t *data, uint16_t len, uint64_t now)
{
	static uint8_t f[70000];
	struct dv_tcp_seg s = { .seq = seq, .ack = ack, .win = 65535, .flags = flags,
				.mss = mss, .wscale = (flags & DV_TCP_SYN) ? 7 : -1,
				.data = data, .len = len };
	uint16_t n = dv_tcp_build(f, sizeof(f), &cli[family == AF_INET6], NULL, cport, DNS_PORT, &s);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(dv_resp_tcp_input(&srv, f, n, now), 0);
}

static void csend(uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, uint16_t len,
		  uint64_t now)
{
	csend_full(AF_INET, CPORT, seq, ack, flags, 0, data, len, now);
}

/* Frame i of what the server sent, parsed; it must go from port 53 to cport, addresses swapped. */
static struct dv_tcp_view seg_at_port(unsigned i, uint16_t cport)
{
	struct dv_tcp_view v;
	ck_assert_uint_lt(i, out.n);
	ck_assert_int_eq(dv_tcp_parse(out.f[i], out.len[i], true, &v), 0);
	ck_assert_uint_eq(v.sport, DNS_PORT);
	ck_assert_uint_eq(v.dport, cport);
	const struct dv_tcp_tmpl *c = &cli[v.family == AF_INET6];
	size_t alen = v.family == AF_INET6 ? 16 : 4;
	/* Our source is the client's destination, and back. */
	ck_assert_mem_eq(v.saddr, c->bytes + c->src_off + alen, alen);
	ck_assert_mem_eq(v.daddr, c->bytes + c->src_off, alen);
	ck_assert_mem_eq(out.f[i], c->bytes + 6, 6);
	ck_assert_mem_eq(out.f[i] + 6, c->bytes, 6);
	return v;
}

static struct dv_tcp_view seg_at(unsigned i)
{
	return seg_at_port(i, CPORT);
}

/* Handshake from cport: the SYN-ACK's ISN. */
static uint32_t handshake_port(int family, uint16_t cport)
{
	clear_out();
	csend_full(family, cport, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view v = seg_at_port(0, cport);
	uint32_t iss = v.seg.seq;
	csend_full(family, cport, CISN + 1, iss + 1, DV_TCP_ACK, 0, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1); /* nothing for the ACK */
	clear_out();
	return iss;
}

static uint32_t handshake(void)
{
	return handshake_port(AF_INET, CPORT);
}

/* ---- queries ----------------------------------------------------------- */

static const uint8_t NAME[] = "\x07" "example" "\x04" "test";      /* 14 bytes with the root */
static const uint8_t TXT3000[] = "\x05" "s3000" "\x07" "example"; /* 15 bytes */

/* A query message: header, question, OPT (EDNS 1232) if opt. @return its length */
static uint16_t qmsg(uint8_t *dst, const uint8_t *name, uint8_t name_len, uint16_t qtype, uint16_t id,
		     bool opt)
{
	uint8_t q[DV_QUESTION_MAX];
	struct dv_opt o;
	uint16_t qlen = dv_question_write(q, name, name_len, qtype);
	dv_opt_build(1232, false, &o);
	return dv_msg_compose(dst, q, qlen, opt ? &o : NULL, id);
}

/* The same, with its 2-byte length prefix. @return prefix + message */
static uint16_t qstream(uint8_t *dst, uint16_t id, bool opt)
{
	uint16_t n = qmsg(dst + 2, NAME, sizeof(NAME), QTYPE_A, id, opt);
	wr16(dst, n);
	return (uint16_t)(n + 2);
}

/* An answer segment i: one whole length-prefixed answer; its DNS ID. */
static uint16_t answer_id(const struct dv_tcp_view *v)
{
	ck_assert_uint_ge(v->seg.len, 2 + 12);
	ck_assert_uint_eq(rd16(v->seg.data), v->seg.len - 2u);
	ck_assert(v->seg.data[2 + 2] & 0x80); /* QR */
	return rd16(v->seg.data + 2);
}

static uint64_t cnt(const uint64_t *c)
{
	return dv_count_read(c);
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(handshake_synack)
{
	setup_plain();
	csend_full(AF_INET, CPORT, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.kind[0], DV_RESP_TCP_CONTROL);
	struct dv_tcp_view v = seg_at(0);
	ck_assert_uint_eq(v.seg.flags, DV_TCP_SYN | DV_TCP_ACK);
	ck_assert_uint_eq(v.seg.ack, CISN + 1);
	ck_assert_uint_eq(v.seg.mss, 1460);
	ck_assert_int_eq(v.seg.wscale, -1);
	ck_assert_uint_eq(v.seg.win, 65535);
	ck_assert_uint_eq(v.seg.len, 0);
	ck_assert_uint_eq(cnt(&srv.n.accepted), 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);

	/* A retransmitted SYN: the same SYN-ACK, byte for byte, and no new connection. */
	csend_full(AF_INET, CPORT, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(out.len[1], out.len[0]);
	ck_assert_mem_eq(out.f[1], out.f[0], out.len[0]);
	ck_assert_uint_eq(cnt(&srv.n.accepted), 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);

	/* The ACK completes it: nothing sent. */
	csend(CISN + 1, v.seg.seq + 1, DV_TCP_ACK, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 2);

	/* IPv6: MSS 1440. */
	clear_out();
	csend_full(AF_INET6, CPORT, CISN, 0, DV_TCP_SYN, 1440, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	v = seg_at(0);
	ck_assert_int_eq(v.family, AF_INET6);
	ck_assert_uint_eq(v.seg.mss, 1440);
	ck_assert_uint_eq(v.seg.ack, CISN + 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 2);
	ck_assert_uint_eq(cnt(&srv.n.accepted), 2);
}
END_TEST

START_TEST(one_query)
{
	setup_plain();
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 0x1234, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK | DV_TCP_PSH, q, n, 10);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.kind[0], DV_RESP_TCP_ANSWER);
	struct dv_tcp_view v = seg_at(0);
	ck_assert_uint_eq(v.seg.flags, DV_TCP_ACK | DV_TCP_PSH);
	ck_assert_uint_eq(v.seg.seq, iss + 1);
	ck_assert_uint_eq(v.seg.ack, CISN + 1 + n);
	ck_assert_uint_eq(answer_id(&v), 0x1234);

	/* The same DNS message the UDP path builds for this query. */
	uint8_t udp[2048];
	struct dv_endpoints ep;
	struct dv_l34_tmpl lt;
	struct dv_opt o;
	uint8_t qq[DV_QUESTION_MAX];
	mkep(&ep, AF_INET);
	ck_assert_int_eq(dv_l34_build(&ep, &lt), 0);
	dv_opt_build(1232, false, &o);
	uint16_t qlen = dv_question_write(qq, NAME, sizeof(NAME), QTYPE_A);
	uint16_t flen = dv_frame_compose(udp, &lt, qq, qlen, dv_question_sum(qq, qlen), &o, 0x1234,
					 CPORT, NULL);
	int alen = dv_answer_build(udp, flen, sizeof(udp), &acfg);
	ck_assert_int_gt(alen, 0);
	size_t dns_off = (size_t)lt.l4_off + 8;
	ck_assert_uint_eq(v.seg.len - 2u, (size_t)alen - dns_off);
	ck_assert_mem_eq(v.seg.data + 2, udp + dns_off, v.seg.len - 2u);
	ck_assert_uint_eq(cnt(&srv.n.answers), 1);

	/* The client's ACK of it: nothing. */
	clear_out();
	csend(CISN + 1 + n, iss + 1 + v.seg.len, DV_TCP_ACK, NULL, 0, 20);
	ck_assert_uint_eq(out.n, 0);
}
END_TEST

START_TEST(never_truncated)
{
	/* TXT of 3000 bytes to a query with EDNS 1232: over UDP TC=1, over TCP whole. */
	setup_plain();
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t m = qmsg(q + 2, TXT3000, sizeof(TXT3000), QTYPE_TXT, 7, true);
	wr16(q, m);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, (uint16_t)(m + 2), 0);
	ck_assert_uint_eq(out.n, 3); /* 3000 + headers over segments of 1460 */
	struct dv_tcp_view v0 = seg_at(0);
	uint16_t alen = rd16(v0.seg.data);
	ck_assert_uint_gt(alen, 3000);
	ck_assert_uint_eq(rd16(v0.seg.data + 2 + 2) & DNS_TC, 0);
	ck_assert_uint_eq(rd16(v0.seg.data + 2 + 6), 1); /* ANCOUNT */
	uint32_t total = 0;
	for (unsigned i = 0; i < out.n; i++) {
		struct dv_tcp_view v = seg_at(i);
		ck_assert_uint_eq(v.seg.seq, iss + 1 + total);
		ck_assert_uint_eq(v.seg.len, i + 1 < out.n ? 1460 : 2u + alen - 2 * 1460u);
		total += v.seg.len;
	}
	ck_assert_uint_eq(total, 2u + alen);

	/* dv_answer_build_msg alone: no TC, and a buffer too small is an error, not TC. */
	uint8_t msg[65535];
	m = qmsg(msg, TXT3000, sizeof(TXT3000), QTYPE_TXT, 7, true);
	int r = dv_answer_build_msg(msg, m, sizeof(msg), &acfg, -1);
	ck_assert_int_eq(r, alen);
	m = qmsg(msg, NAME, sizeof(NAME), QTYPE_A, 7, true);
	ck_assert_int_eq(dv_answer_build_msg(msg, m, m, &acfg, -1), -EMSGSIZE);
}
END_TEST

START_TEST(query_split_over_segments)
{
	for (int cut = 1; cut <= 10; cut += 9) {
		setup_plain();
		uint32_t iss = handshake();
		uint8_t q[600];
		uint16_t n = qstream(q, 0x4242, true);
		csend(CISN + 1, iss + 1, DV_TCP_ACK, q, (uint16_t)cut, 0);
		/* Half a query: an ACK of it, no answer. */
		ck_assert_uint_eq(out.n, 1);
		struct dv_tcp_view v = seg_at(0);
		ck_assert_uint_eq(v.seg.flags, DV_TCP_ACK);
		ck_assert_uint_eq(v.seg.len, 0);
		ck_assert_uint_eq(v.seg.seq, iss + 1);
		ck_assert_uint_eq(v.seg.ack, CISN + 1 + (uint32_t)cut);
		clear_out();
		csend(CISN + 1 + (uint32_t)cut, iss + 1, DV_TCP_ACK, q + cut, (uint16_t)(n - cut), 0);
		ck_assert_uint_eq(out.n, 1);
		v = seg_at(0);
		ck_assert_uint_eq(v.seg.seq, iss + 1);
		ck_assert_uint_eq(v.seg.ack, CISN + 1 + n);
		ck_assert_uint_eq(answer_id(&v), 0x4242);
		ck_assert_uint_eq(cnt(&srv.n.answers), 1);
	}
}
END_TEST

/* Two queries in one segment; and a third split across that segment's end. */
static void pipelined(bool reverse)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_reverse = reverse;
	setup(&ip);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n1 = qstream(q, 1, true);
	uint16_t n2 = qstream(q + n1, 2, false);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, (uint16_t)(n1 + n2), 0);
	ck_assert_uint_eq(out.n, 2);
	struct dv_tcp_view a = seg_at(0), b = seg_at(1);
	ck_assert_uint_eq(answer_id(&a), reverse ? 2 : 1);
	ck_assert_uint_eq(answer_id(&b), reverse ? 1 : 2);
	ck_assert_uint_eq(a.seg.seq, iss + 1);
	ck_assert_uint_eq(b.seg.seq, iss + 1 + a.seg.len);
	ck_assert_uint_eq(a.seg.ack, CISN + 1 + n1 + n2);
	ck_assert_uint_eq(b.seg.ack, CISN + 1 + n1 + n2);
	/* Without OPT the answer is 11 bytes shorter. */
	ck_assert_uint_eq(reverse ? a.seg.len + 11 : b.seg.len + 11, reverse ? b.seg.len : a.seg.len);
	uint32_t snd = iss + 1 + a.seg.len + b.seg.len;
	uint32_t rcv = CISN + 1 + n1 + n2;

	/* Query 3 whole and the first 5 bytes of 4; then the rest of 4 and 5 whole. */
	clear_out();
	uint16_t n3 = qstream(q, 3, true);
	uint16_t n4 = qstream(q + n3, 4, true);
	uint16_t n5 = qstream(q + n3 + n4, 5, true);
	csend(rcv, snd, DV_TCP_ACK, q, (uint16_t)(n3 + 5), 0);
	ck_assert_uint_eq(out.n, 1);
	a = seg_at(0);
	ck_assert_uint_eq(answer_id(&a), 3);
	ck_assert_uint_eq(a.seg.seq, snd);
	clear_out();
	csend(rcv + n3 + 5, snd, DV_TCP_ACK, q + n3 + 5, (uint16_t)(n4 - 5 + n5), 0);
	ck_assert_uint_eq(out.n, 2);
	a = seg_at(0);
	b = seg_at(1);
	ck_assert_uint_eq(answer_id(&a), reverse ? 5 : 4);
	ck_assert_uint_eq(answer_id(&b), reverse ? 4 : 5);
	ck_assert_uint_eq(b.seg.ack, rcv + n3 + n4 + n5);
	ck_assert_uint_eq(cnt(&srv.n.answers), 5);
}

START_TEST(two_pipelined_in_order)
{
	pipelined(false);
}
END_TEST

START_TEST(two_pipelined_reversed)
{
	pipelined(true);
}
END_TEST

/* size=1000, tcp-split=100: 1002 bytes in 11 segments; reorder: the same, last first. */
static void split(bool reorder)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.answer_size = 1000;
	ip.tcp_split = 100;
	ip.tcp_reorder = reorder;
	setup(&ip);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 0x0bad, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 11);
	uint8_t whole[1002];
	for (unsigned k = 0; k < 11; k++) {
		unsigned i = reorder ? 10 - k : k; /* the segment's place in the answer */
		struct dv_tcp_view v = seg_at(k);
		ck_assert_int_eq(out.kind[k], DV_RESP_TCP_ANSWER);
		ck_assert_uint_eq(v.seg.seq, iss + 1 + 100 * i);
		ck_assert_uint_eq(v.seg.ack, CISN + 1 + n);
		ck_assert_uint_eq(v.seg.len, i < 10 ? 100 : 2);
		ck_assert_uint_eq(v.seg.flags, DV_TCP_ACK | (i == 10 ? DV_TCP_PSH : 0));
		memcpy(whole + 100 * i, v.seg.data, v.seg.len);
	}
	ck_assert_uint_eq(rd16(whole), 1000);
	ck_assert_uint_eq(rd16(whole + 2), 0x0bad);
	ck_assert_uint_eq(rd16(whole + 2 + 10), 2); /* ARCOUNT: the padding TXT and OPT */
	ck_assert_uint_eq(cnt(&srv.n.answers), 1);
}

START_TEST(split_100)
{
	split(false);
}
END_TEST

START_TEST(split_reordered)
{
	split(true);
}
END_TEST

START_TEST(no_synack)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_no_synack = true;
	setup(&ip);
	for (int i = 1; i <= 3; i++) {
		csend_full(AF_INET, CPORT, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, (uint64_t)i * HZ);
		ck_assert_uint_eq(out.n, 0);
		ck_assert_uint_eq(cnt(&srv.n.syns_ignored), (uint64_t)i);
	}
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
	ck_assert_uint_eq(cnt(&srv.n.accepted), 0);
}
END_TEST

START_TEST(rst_after_2)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_rst_after = 2;
	setup(&ip);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 1, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view a = seg_at(0);
	ck_assert_uint_eq(answer_id(&a), 1);
	clear_out();
	n = qstream(q, 2, true);
	csend(CISN + 1 + n, iss + 1 + a.seg.len, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 2);
	struct dv_tcp_view b = seg_at(0), r = seg_at(1);
	ck_assert_uint_eq(answer_id(&b), 2);
	ck_assert_uint_eq(r.seg.flags, DV_TCP_RST | DV_TCP_ACK);
	ck_assert_uint_eq(r.seg.seq, iss + 1 + a.seg.len + b.seg.len);
	ck_assert_uint_eq(r.seg.ack, CISN + 1 + 2u * n);
	ck_assert_int_eq(out.kind[1], DV_RESP_TCP_CLOSE);
	ck_assert_uint_eq(cnt(&srv.n.rsts), 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);

	/* Three pipelined: two answers, the RST, and the third never answered. */
	iss = handshake();
	uint16_t n1 = qstream(q, 1, true);
	uint16_t n2 = qstream(q + n1, 2, true);
	uint16_t n3 = qstream(q + n1 + n2, 3, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, (uint16_t)(n1 + n2 + n3), 0);
	ck_assert_uint_eq(out.n, 3);
	a = seg_at(0);
	b = seg_at(1);
	r = seg_at(2);
	ck_assert_uint_eq(answer_id(&a), 1);
	ck_assert_uint_eq(answer_id(&b), 2);
	ck_assert_uint_eq(r.seg.flags, DV_TCP_RST | DV_TCP_ACK);
	ck_assert_uint_eq(r.seg.seq, iss + 1 + a.seg.len + b.seg.len);
	ck_assert_uint_eq(cnt(&srv.n.rsts), 2);
	ck_assert_uint_eq(cnt(&srv.n.answers), 4);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
}
END_TEST

START_TEST(idle_close)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_idle_close_s = 5.0;
	setup(&ip);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 9, true);
	const uint64_t t0 = 1 * HZ;
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, t0);
	ck_assert_uint_eq(out.n, 1);
	uint32_t alen = seg_at(0).seg.len;
	clear_out();
	dv_resp_tcp_timer(&srv, t0 + 5 * HZ - 1);
	ck_assert_uint_eq(out.n, 0);
	dv_resp_tcp_timer(&srv, t0 + 5 * HZ);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.kind[0], DV_RESP_TCP_CLOSE);
	struct dv_tcp_view f = seg_at(0);
	ck_assert_uint_eq(f.seg.flags, DV_TCP_FIN | DV_TCP_ACK);
	ck_assert_uint_eq(f.seg.seq, iss + 1 + alen);
	ck_assert_uint_eq(f.seg.ack, CISN + 1 + n);
	ck_assert_uint_eq(cnt(&srv.n.fins), 1);
	dv_resp_tcp_timer(&srv, t0 + 6 * HZ);
	ck_assert_uint_eq(out.n, 1); /* once */

	/* The client ACKs our FIN and sends its own: our ACK, and the entry is gone. */
	clear_out();
	csend(CISN + 1 + n, iss + 2 + alen, DV_TCP_ACK, NULL, 0, t0 + 6 * HZ);
	ck_assert_uint_eq(out.n, 0);
	csend(CISN + 1 + n, iss + 2 + alen, DV_TCP_ACK | DV_TCP_FIN, NULL, 0, t0 + 6 * HZ);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view a = seg_at(0);
	ck_assert_uint_eq(a.seg.flags, DV_TCP_ACK);
	ck_assert_uint_eq(a.seg.seq, iss + 2 + alen);
	ck_assert_uint_eq(a.seg.ack, CISN + 2 + n);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
	ck_assert_uint_eq(cnt(&srv.n.fins), 1);
}
END_TEST

START_TEST(drop_seg_1)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_drop_seg = 1;
	setup(&ip);
	uint32_t iss = handshake(); /* the handshake's ACK has no data: not counted */
	uint8_t q[600];
	uint16_t n = qstream(q, 77, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 0); /* no answer, no ACK */
	ck_assert_uint_eq(cnt(&srv.n.segs_dropped), 1);
	/* Its retransmission after the client's RTO is answered. */
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, HZ);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view v = seg_at(0);
	ck_assert_uint_eq(answer_id(&v), 77);
	ck_assert_uint_eq(v.seg.ack, CISN + 1 + n);
	ck_assert_uint_eq(cnt(&srv.n.segs_dropped), 1);
}
END_TEST

START_TEST(keepalive_30)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_keepalive = 300; /* tcp-keepalive=30 */
	setup(&ip);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 5, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view v = seg_at(0);
	const uint8_t *m = v.seg.data + 2;
	uint16_t mlen = rd16(v.seg.data);
	/* header 12 + question 18 + A 16, then OPT: root, type 41, ..., RDLEN 6, option 11 len 2 = 300 */
	ck_assert_uint_eq(mlen, 12 + sizeof(NAME) + 4 + 16 + 11 + 6);
	const uint8_t *opt = m + mlen - 17;
	ck_assert_uint_eq(opt[0], 0);
	ck_assert_uint_eq(rd16(opt + 1), 41);
	ck_assert_uint_eq(rd16(opt + 9), 6);
	ck_assert_uint_eq(rd16(opt + 11), 11);
	ck_assert_uint_eq(rd16(opt + 13), 2);
	ck_assert_uint_eq(rd16(opt + 15), 300);
	ck_assert_uint_eq(rd16(m + 10), 1); /* ARCOUNT */

	/* A query without OPT: no OPT, so no option. */
	clear_out();
	uint16_t n2 = qstream(q, 6, false);
	csend(CISN + 1 + n, iss + 1 + v.seg.len, DV_TCP_ACK, q, n2, 0);
	ck_assert_uint_eq(out.n, 1);
	v = seg_at(0);
	ck_assert_uint_eq(rd16(v.seg.data), 12 + sizeof(NAME) + 4 + 16);
	ck_assert_uint_eq(rd16(v.seg.data + 2 + 10), 0);
}
END_TEST

START_TEST(fin_handshake)
{
	setup_plain();
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 3, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	uint32_t alen = seg_at(0).seg.len;
	clear_out();
	/* The client closes: our ACK and FIN in one segment. */
	csend(CISN + 1 + n, iss + 1 + alen, DV_TCP_ACK | DV_TCP_FIN, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.kind[0], DV_RESP_TCP_CLOSE);
	struct dv_tcp_view f = seg_at(0);
	ck_assert_uint_eq(f.seg.flags, DV_TCP_FIN | DV_TCP_ACK);
	ck_assert_uint_eq(f.seg.seq, iss + 1 + alen);
	ck_assert_uint_eq(f.seg.ack, CISN + 2 + n);
	ck_assert_uint_eq(cnt(&srv.n.fins), 1);
	/* Its FIN again (our FIN lost, for it): our FIN again. */
	csend(CISN + 1 + n, iss + 1 + alen, DV_TCP_ACK | DV_TCP_FIN, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_mem_eq(out.f[1], out.f[0], out.len[0]);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);
	/* The ACK of our FIN frees the entry; a segment after that is answered by RST. */
	csend(CISN + 2 + n, iss + 2 + alen, DV_TCP_ACK, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
	csend(CISN + 2 + n, iss + 2 + alen, DV_TCP_ACK, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 3);
	struct dv_tcp_view r = seg_at(2);
	ck_assert_uint_eq(r.seg.flags, DV_TCP_RST);
	ck_assert_uint_eq(r.seg.seq, iss + 2 + alen);
	ck_assert_uint_eq(cnt(&srv.n.rsts), 1);

	/* RST from the client frees an entry, and gets nothing back. */
	clear_out();
	iss = handshake();
	csend(CISN + 1, iss + 1, DV_TCP_RST | DV_TCP_ACK, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
}
END_TEST

START_TEST(table_full)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	setup_full(&ip, 2, false, NULL);
	uint32_t iss1 = handshake_port(AF_INET, 1001);
	uint32_t iss6 = handshake_port(AF_INET6, 1001); /* another address: another connection */
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 2);
	csend_full(AF_INET, 1003, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view r = seg_at_port(0, 1003);
	ck_assert_uint_eq(r.seg.flags, DV_TCP_RST | DV_TCP_ACK);
	ck_assert_uint_eq(r.seg.seq, 0);
	ck_assert_uint_eq(r.seg.ack, CISN + 1);
	ck_assert_uint_eq(cnt(&srv.n.table_full), 1);
	ck_assert_uint_eq(cnt(&srv.n.rsts), 1);
	ck_assert_uint_eq(cnt(&srv.n.accepted), 2);
	/* One leaves (RST): the next SYN gets its connection. */
	clear_out();
	csend_full(AF_INET, 1001, CISN + 1, iss1 + 1, DV_TCP_RST | DV_TCP_ACK, 0, NULL, 0, 0);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);
	csend_full(AF_INET, 1003, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(seg_at_port(0, 1003).seg.flags, DV_TCP_SYN | DV_TCP_ACK);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 2);
	/* ... and the other one is still there, answered. */
	clear_out();
	uint8_t q[600];
	uint16_t n = qstream(q, 11, true);
	csend_full(AF_INET6, 1001, CISN + 1, iss6 + 1, DV_TCP_ACK, 0, q, n, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view a = seg_at_port(0, 1001);
	ck_assert_int_eq(a.family, AF_INET6);
	ck_assert_uint_eq(answer_id(&a), 11);
	/* An ACK of what it never sent: a bare ACK back, and the data is not taken. */
	clear_out();
	csend_full(AF_INET6, 1001, CISN + 1 + n, iss6 + 1 + a.seg.len + 1, DV_TCP_ACK, 0, q, n, 0);
	ck_assert_uint_eq(out.n, 1);
	a = seg_at_port(0, 1001);
	ck_assert_uint_eq(a.seg.len, 0);
	ck_assert_uint_eq(a.seg.ack, CISN + 1 + n);
	ck_assert_uint_eq(cnt(&srv.n.answers), 1);
}
END_TEST

START_TEST(out_of_order_and_duplicates)
{
	setup_plain();
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n1 = qstream(q, 1, true);
	uint16_t n2 = qstream(q + n1, 2, true);
	/* The second query first: a gap before it, so an ACK of what we have. */
	csend(CISN + 1 + n1, iss + 1, DV_TCP_ACK, q + n1, n2, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view v = seg_at(0);
	ck_assert_uint_eq(v.seg.len, 0);
	ck_assert_uint_eq(v.seg.ack, CISN + 1);
	/* The first: answered; the second is retransmitted by the client, then answered. */
	clear_out();
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n1, 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view a = seg_at(0);
	ck_assert_uint_eq(answer_id(&a), 1);
	clear_out();
	/* A duplicate of the first: an ACK, no second answer. */
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n1, 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(seg_at(0).seg.len, 0);
	ck_assert_uint_eq(seg_at(0).seg.ack, CISN + 1 + n1);
	/* Both again in one segment (old and new bytes): only the new one answered. */
	clear_out();
	csend(CISN + 1, iss + 1 + a.seg.len, DV_TCP_ACK, q, (uint16_t)(n1 + n2), 0);
	ck_assert_uint_eq(out.n, 1);
	struct dv_tcp_view b = seg_at(0);
	ck_assert_uint_eq(answer_id(&b), 2);
	ck_assert_uint_eq(b.seg.seq, iss + 1 + a.seg.len);
	ck_assert_uint_eq(b.seg.ack, CISN + 1 + n1 + n2);
	ck_assert_uint_eq(cnt(&srv.n.answers), 2);
}
END_TEST

START_TEST(late_answers_acked_at_once)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	setup_full(&ip, 16, true, skip_odd);
	uint32_t iss = handshake();
	uint8_t q[600];
	uint16_t n = qstream(q, 2, true);
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, n, 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_int_eq(out.kind[0], DV_RESP_TCP_ANSWER);
	ck_assert_int_eq(out.kind[1], DV_RESP_TCP_CONTROL);
	ck_assert_uint_eq(seg_at(1).seg.len, 0);
	ck_assert_uint_eq(seg_at(1).seg.ack, CISN + 1 + n);
	uint32_t alen = seg_at(0).seg.len;
	/* Skipped by the caller's impairments: an ACK, no answer. */
	clear_out();
	skipped = 0;
	uint16_t n2 = qstream(q, 3, true);
	csend(CISN + 1 + n, iss + 1 + alen, DV_TCP_ACK, q, n2, 0);
	ck_assert_uint_eq(skipped, 1);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(seg_at(0).seg.len, 0);
	ck_assert_uint_eq(seg_at(0).seg.ack, CISN + 1 + n + n2);
	ck_assert_uint_eq(cnt(&srv.n.answers), 1);
}
END_TEST

START_TEST(query_too_long)
{
	setup_plain();
	uint32_t iss = handshake();
	uint8_t q[4] = { 0x03, 0xff, 0, 0 }; /* 1023 bytes announced: 1025 with the prefix */
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, 4, 0);
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(seg_at(0).seg.flags, DV_TCP_RST | DV_TCP_ACK);
	ck_assert_uint_eq(cnt(&srv.n.too_long), 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
	/* 1022 is the longest that fits: kept, waiting for the rest. */
	iss = handshake();
	q[0] = 0x03;
	q[1] = 0xfe;
	csend(CISN + 1, iss + 1, DV_TCP_ACK, q, 1, 0);
	csend(CISN + 2, iss + 1, DV_TCP_ACK, q + 1, 3, 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(seg_at(1).seg.flags, DV_TCP_ACK);
	ck_assert_uint_eq(cnt(&srv.n.too_long), 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);
}
END_TEST

START_TEST(half_open_expires)
{
	setup_plain();
	csend_full(AF_INET, CPORT, CISN, 0, DV_TCP_SYN, 1460, NULL, 0, 0);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);
	uint64_t linger = (uint64_t)(DV_RESP_TCP_LINGER_S * (double)HZ);
	dv_resp_tcp_timer(&srv, linger - 1);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 1);
	dv_resp_tcp_timer(&srv, linger);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
	ck_assert_uint_eq(cnt(&srv.n.expired), 1);
	ck_assert_uint_eq(out.n, 1); /* the SYN-ACK only: forgotten silently */
}
END_TEST

START_TEST(not_ours)
{
	setup_plain();
	/* UDP, ARP-sized junk, TCP to another port: left to the caller. */
	uint8_t f[256];
	struct dv_endpoints ep;
	struct dv_l34_tmpl lt;
	uint8_t qq[DV_QUESTION_MAX];
	mkep(&ep, AF_INET);
	ck_assert_int_eq(dv_l34_build(&ep, &lt), 0);
	uint16_t ql = dv_question_write(qq, NAME, sizeof(NAME), QTYPE_A);
	uint16_t fl = dv_frame_compose(f, &lt, qq, ql, dv_question_sum(qq, ql), NULL, 1, CPORT, NULL);
	ck_assert_int_eq(dv_resp_tcp_input(&srv, f, fl, 0), -ENOMSG);
	memset(f, 0, 60);
	ck_assert_int_eq(dv_resp_tcp_input(&srv, f, 60, 0), -ENOMSG);
	struct dv_tcp_seg s = { .seq = 1, .flags = DV_TCP_SYN, .mss = 1460, .wscale = -1 };
	fl = dv_tcp_build(f, sizeof(f), &cli[0], NULL, CPORT, 54, &s);
	ck_assert_int_eq(dv_resp_tcp_input(&srv, f, fl, 0), -ENOMSG);
	/* To port 53 with a bad checksum: ours, counted, nothing sent. */
	fl = dv_tcp_build(f, sizeof(f), &cli[0], NULL, CPORT, DNS_PORT, &s);
	f[fl - 1] ^= 0x55;
	ck_assert_int_eq(dv_resp_tcp_input(&srv, f, fl, 0), 0);
	ck_assert_uint_eq(cnt(&srv.n.bad_segments), 1);
	ck_assert_uint_eq(out.n, 0);
	ck_assert_uint_eq(dv_resp_tcp_open(&srv), 0);
}
END_TEST

/* Random frames and random well-formed segments: never a crash, every frame sent well-formed. */
START_TEST(garbage_never_crashes)
{
	struct dv_impair_plan ip;
	memset(&ip, 0, sizeof(ip));
	ip.tcp_split = 37;
	ip.tcp_rst_after = 5;
	ip.tcp_idle_close_s = 0.001;
	setup_full(&ip, 8, false, NULL);
	struct dv_rng r;
	dv_rng_seed(&r, 7);
	static uint8_t f[4096], data[1500];
	uint8_t q[600];
	uint16_t qn = qstream(q, 1, true);
	uint64_t now = 0;
	for (int it = 0; it < 200000; it++) {
		uint64_t x = dv_rng_next(&r);
		now += x % 100000;
		clear_out();
		if ((x >> 8) % 4 == 0) {
			/* bytes: random, or a valid segment with random bytes flipped */
			size_t len = (size_t)((x >> 16) % sizeof(f));
			for (size_t i = 0; i < len; i++)
				f[i] = (uint8_t)dv_rng_next(&r);
			if ((x >> 40) & 1) {
				struct dv_tcp_seg s = { .seq = (uint32_t)x, .ack = (uint32_t)(x >> 32),
							.flags = (uint8_t)(x >> 24), .wscale = -1,
							.data = q, .len = qn };
				len = dv_tcp_build(f, sizeof(f), &cli[(x >> 41) & 1], NULL, CPORT,
						   DNS_PORT, &s);
				for (int k = 0; k < 3; k++)
					f[dv_rng_next(&r) % len] = (uint8_t)dv_rng_next(&r);
			}
			int rc = dv_resp_tcp_input(&srv, f, len, now);
			ck_assert(rc == 0 || rc == -ENOMSG);
		} else {
			/* a well-formed segment from one of few clients, near the right numbers */
			uint16_t cport = (uint16_t)(CPORT + (x >> 12) % 12);
			uint8_t flags = (uint8_t)(dv_rng_next(&r) & 0x1f) | DV_TCP_ACK;
			if ((x >> 20) % 3 == 0)
				flags = DV_TCP_SYN;
			uint16_t len = 0;
			const uint8_t *d = NULL;
			if ((x >> 24) % 2 == 0) {
				len = (uint16_t)((x >> 32) % sizeof(data));
				for (uint16_t i = 0; i < len; i++)
					data[i] = (uint8_t)dv_rng_next(&r);
				/* often whole queries, for the stream to chew on */
				for (uint16_t o = 0; (x >> 50) & 1 && o + qn <= len; o = (uint16_t)(o + qn))
					memcpy(data + o, q, qn);
				d = data;
			}
			uint32_t seq = CISN + 1 + (uint32_t)((x >> 36) % 2000);
			uint32_t ack = (uint32_t)dv_rng_next(&r);
			csend_full((x >> 60) & 1 ? AF_INET6 : AF_INET, cport, seq, ack, flags,
				   (uint16_t)((x >> 44) % 2000), d, len, now);
		}
		if (it % 7 == 0)
			dv_resp_tcp_timer(&srv, now);
		ck_assert_uint_le(dv_resp_tcp_open(&srv), 8);
		ck_assert_uint_eq(out.lost, 0);
		for (unsigned i = 0; i < out.n; i++) {
			struct dv_tcp_view v;
			ck_assert_int_eq(dv_tcp_parse(out.f[i], out.len[i], true, &v), 0);
			ck_assert_uint_eq(v.sport, DNS_PORT);
			ck_assert_uint_le(v.seg.len, 37);
		}
	}
	/* It did things: connections, answers, resets, closes. */
	ck_assert_uint_gt(cnt(&srv.n.accepted), 100);
	ck_assert_uint_gt(cnt(&srv.n.rsts), 100);
	ck_assert_uint_gt(cnt(&srv.n.bad_segments), 100);
}
END_TEST

START_TEST(init_checks)
{
	struct dv_resp_tcp t;
	struct dv_resp_tcp_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	dv_answer_cfg_default(&acfg);
	cfg.answer = &acfg;
	cfg.hz = HZ;
	uint64_t m[64];
	ck_assert_int_eq(dv_resp_tcp_init(&t, m, 1, &cfg), -EINVAL); /* no emit hook */
	cfg.hooks.emit = emit_cb;
	ck_assert_int_eq(dv_resp_tcp_init(&t, m, 0, &cfg), -EINVAL);
	ck_assert_int_eq(dv_resp_tcp_init(&t, m, (1u << 24) + 1, &cfg), -EINVAL);
	ck_assert_uint_gt(dv_resp_tcp_mem_size(2), dv_resp_tcp_mem_size(1));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("responder_tcp");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, handshake_synack);
	tcase_add_test(tc, one_query);
	tcase_add_test(tc, never_truncated);
	tcase_add_test(tc, query_split_over_segments);
	tcase_add_test(tc, two_pipelined_in_order);
	tcase_add_test(tc, two_pipelined_reversed);
	tcase_add_test(tc, split_100);
	tcase_add_test(tc, split_reordered);
	tcase_add_test(tc, no_synack);
	tcase_add_test(tc, rst_after_2);
	tcase_add_test(tc, idle_close);
	tcase_add_test(tc, drop_seg_1);
	tcase_add_test(tc, keepalive_30);
	tcase_add_test(tc, fin_handshake);
	tcase_add_test(tc, table_full);
	tcase_add_test(tc, out_of_order_and_duplicates);
	tcase_add_test(tc, late_answers_acked_at_once);
	tcase_add_test(tc, query_too_long);
	tcase_add_test(tc, half_open_expires);
	tcase_add_test(tc, not_ours);
	tcase_add_test(tc, garbage_never_crashes);
	tcase_add_test(tc, init_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dv_check_run(suite());
}
