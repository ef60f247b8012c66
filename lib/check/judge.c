/*
 * A check's verdict without ldns (judge.h). The message is walked once,
 * within the bytes kept: header, question, the answer and authority
 * records skipped, the additional section searched for the OPT. The fields
 * are then compared in dv_check_verify()'s order, so that both name the
 * same field (test_check holds them to it).
 */
#include "check/judge.h"

#include <string.h>

#include "check/battery.h"
#include "core/hash.h"
#include "wire/frame_parse.h"

#define DNS_HLEN 12
#define TYPE_OPT 41

/* What the walk found. */
struct answer_view {
	uint16_t id, flags, qdcount, ancount;
	const uint8_t *qname;   /* the question's name (uncompressed in what we compare) */
	size_t qname_off;
	uint16_t qtype, qclass;
	bool opt;
	uint8_t ext_rcode, version;
	uint16_t z;
	const uint8_t *odata;   /* the OPT's RDATA */
	uint16_t olen;
};

/* Walk the message: false if it does not parse within len. */
static bool view_of(const uint8_t *m, size_t len, struct answer_view *v)
{
	*v = (struct answer_view){ 0 };
	if (len < DNS_HLEN)
		return false;
	v->id = dv_rd16(m);
	v->flags = dv_rd16(m + 2);
	v->qdcount = dv_rd16(m + 4);
	v->ancount = dv_rd16(m + 6);
	unsigned rrs = (unsigned)dv_rd16(m + 6) + dv_rd16(m + 8);
	unsigned additional = dv_rd16(m + 10);
	size_t off = DNS_HLEN;
	for (unsigned i = 0; i < v->qdcount; i++) {
		size_t end = off;
		if (dv_dns_skip_name(m, len, &end) != 0 || end + 4 > len)
			return false;
		if (i == 0) {
			v->qname = m + off;
			v->qname_off = off;
			v->qtype = dv_rd16(m + end);
			v->qclass = dv_rd16(m + end + 2);
		}
		off = end + 4;
	}
	for (unsigned i = 0; i < rrs + additional; i++) {
		size_t end = off;
		if (dv_dns_skip_name(m, len, &end) != 0 || end + 10 > len)
			return false;
		uint16_t type = dv_rd16(m + end);
		uint16_t rdlen = dv_rd16(m + end + 8);
		if (end + 10 + rdlen > len)
			return false;
		if (i >= rrs && type == TYPE_OPT && !v->opt) {
			v->opt = true;
			v->ext_rcode = m[end + 4];
			v->version = m[end + 5];
			v->z = dv_rd16(m + end + 6);
			v->odata = m + end + 10;
			v->olen = rdlen;
		}
		off = end + 10 + rdlen;
	}
	return true;
}

bool dv_check_find_option(const uint8_t *p, size_t n, uint16_t code, const uint8_t **val,
			  uint16_t *vlen)
{
	size_t off = 0;
	while (p != NULL && off + 4 <= n) {
		uint16_t c = dv_rd16(p + off), l = dv_rd16(p + off + 2);
		if (off + 4 + l > n)
			return false;
		if (c == code) {
			*val = p + off + 4;
			*vlen = l;
			return true;
		}
		off += 4u + l;
	}
	return false;
}

/* Two uncompressed names at a and b (both within their messages) are the same, ignoring case. */
static bool same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t i = 0;
	for (;;) {
		if (i >= alen || i >= blen)
			return false;
		uint8_t l = a[i];
		if (l != b[i] || (l & 0xc0))
			return false;
		if (l == 0)
			return true;
		if (i + 1 + l > alen || i + 1 + l > blen)
			return false;
		for (unsigned k = 1; k <= l; k++)
			if (dv_ascii_lower(a[i + k]) != dv_ascii_lower(b[i + k]))
				return false;
		i += 1u + l;
	}
}

const char *dv_check_field_name(enum dv_check_result r)
{
	static const char *const names[DV_CR_KINDS] = {
		[DV_CR_PASS] = "pass", [DV_CR_NO_ANSWER] = "no answer", [DV_CR_QR] = "QR",
		[DV_CR_ID] = "ID", [DV_CR_OPCODE] = "opcode", [DV_CR_RCODE] = "rcode",
		[DV_CR_QUESTION] = "question", [DV_CR_OPT] = "OPT", [DV_CR_VERSION] = "EDNS version",
		[DV_CR_FLAGS] = "EDNS flags", [DV_CR_OPTION] = "EDNS options", [DV_CR_COOKIE] = "COOKIE",
		[DV_CR_KEEPALIVE] = "edns-tcp-keepalive", [DV_CR_AA] = "AA",
		[DV_CR_ANSWER] = "answer section", [DV_CR_SIZE] = "size",
		[DV_CR_UNREADABLE] = "unreadable",
	};
	return (unsigned)r < DV_CR_KINDS ? names[r] : "?";
}

enum dv_check_result dv_check_judge(const struct dv_check *c, const uint8_t *q, size_t qlen,
				    const uint8_t *ans, size_t have, size_t msg_len, bool tcp)
{
	struct answer_view a, qv;
	if (!view_of(q, qlen, &qv) || !view_of(ans, have, &a))
		return DV_CR_UNREADABLE;
	const struct dv_check_expect *e = &c->e;
	if (!(a.flags & 0x8000))
		return DV_CR_QR;
	if (a.id != qv.id)
		return DV_CR_ID;
	if (((a.flags >> 11) & 15) != ((qv.flags >> 11) & 15))
		return DV_CR_OPCODE;
	unsigned rcode = a.flags & 15u;
	if (a.opt)
		rcode |= (unsigned)a.ext_rcode << 4;
	if (rcode >= 32 || !(e->rcodes & (1u << rcode)))
		return DV_CR_RCODE;
	/* FORMERR and NOTIMP may leave the question out (RFC 6895 2.2). */
	bool may_drop_question = rcode == 1 || rcode == 4;
	if (!(may_drop_question && a.qdcount == 0) &&
	    (a.qdcount != 1 || qv.qdcount != 1 || a.qtype != qv.qtype || a.qclass != qv.qclass ||
	     !same_name(a.qname, have - a.qname_off, qv.qname, qlen - qv.qname_off)))
		return DV_CR_QUESTION;
	if ((e->opt == DV_MUST && !a.opt) || (e->opt == DV_MUST_NOT && a.opt))
		return DV_CR_OPT;
	if (a.opt) {
		const uint8_t *val;
		uint16_t vl;
		if (a.version != 0)
			return DV_CR_VERSION;
		if (c->q.flags != 0 && (a.z & c->q.flags))
			return DV_CR_FLAGS;
		if (c->q.option == DV_CHECK_UNKNOWN_OPTION &&
		    dv_check_find_option(a.odata, a.olen, DV_CHECK_UNKNOWN_OPTION, &val, &vl))
			return DV_CR_OPTION;
		if (c->q.option == DV_CHECK_OPT_COOKIE &&
		    dv_check_find_option(a.odata, a.olen, DV_CHECK_OPT_COOKIE, &val, &vl) &&
		    (vl < 16 || vl > 40 || memcmp(val, DV_CHECK_CLIENT_COOKIE, 8) != 0))
			return DV_CR_COOKIE;
		if (c->q.option == DV_CHECK_OPT_KEEPALIVE &&
		    dv_check_find_option(a.odata, a.olen, DV_CHECK_OPT_KEEPALIVE, &val, &vl) && vl != 2)
			return DV_CR_KEEPALIVE;
	}
	if (e->aa == DV_MUST && !(a.flags & 0x0400))
		return DV_CR_AA;
	if (e->no_answer && a.ancount != 0)
		return DV_CR_ANSWER;
	if (e->fits && !tcp && c->q.transport == DV_CHECK_UDP) {
		size_t offered = c->q.edns && c->q.bufsize > 512 ? c->q.bufsize : 512;
		if (msg_len > offered && !(a.flags & 0x0200))
			return DV_CR_SIZE;
	}
	return DV_CR_PASS;
}
