/*
 * Verifying a check's answer (battery.h): ldns parses both messages; the
 * fields are compared in the order a reader would look at them, and the
 * first that differs is the verdict's reason.
 */
#include "check/battery.h"
#include "check/judge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

static const char *rcode_name(unsigned rc)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
		"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13",
		"RCODE14", "RCODE15", "BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
		"BADALG", "BADTRUNC", "BADCOOKIE",
	};
	return rc < sizeof(names) / sizeof(names[0]) ? names[rc] : "RCODE?";
}

static enum dv_check_verdict fail(char *why, size_t wlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum dv_check_verdict fail(char *why, size_t wlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (why != NULL && wlen > 0)
		vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
	return DV_CHECK_FAIL;
}

/* The acceptable RCODEs, "NOERROR or NXDOMAIN". */
static void rcodes_text(uint32_t set, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned rc = 0; rc < 32 && off < len; rc++) {
		if (!(set & (1u << rc)))
			continue;
		int n = snprintf(buf + off, len - off, "%s%s", off ? " or " : "", rcode_name(rc));
		if (n < 0)
			return;
		off += (size_t)n;
	}
}

/* Option `code` in an OPT's data (judge.h's search over its bytes). */
static bool find_option(const ldns_rdf *data, uint16_t code, const uint8_t **val, uint16_t *vlen)
{
	return data != NULL &&
	       dv_check_find_option(ldns_rdf_data(data), ldns_rdf_size(data), code, val, vlen);
}

/* The question of a and of q are the same (name case-insensitively, type, class). */
static bool same_question(const ldns_pkt *q, const ldns_pkt *a)
{
	const ldns_rr_list *ql = ldns_pkt_question(q), *al = ldns_pkt_question(a);
	if (ldns_rr_list_rr_count(al) != 1 || ldns_rr_list_rr_count(ql) != 1)
		return false;
	const ldns_rr *x = ldns_rr_list_rr(ql, 0), *y = ldns_rr_list_rr(al, 0);
	return ldns_dname_compare(ldns_rr_owner(x), ldns_rr_owner(y)) == 0 &&
	       ldns_rr_get_type(x) == ldns_rr_get_type(y) &&
	       ldns_rr_get_class(x) == ldns_rr_get_class(y);
}

static enum dv_check_verdict verify(const struct dv_check *c, const ldns_pkt *q, const ldns_pkt *a,
				    size_t alen, char *why, size_t wlen)
{
	const struct dv_check_expect *e = &c->e;
	if (!ldns_pkt_qr(a))
		return fail(why, wlen, "QR: expected 1 (a response), got 0");
	if (ldns_pkt_id(a) != ldns_pkt_id(q))
		return fail(why, wlen, "ID: expected %u, got %u", ldns_pkt_id(q), ldns_pkt_id(a));
	if (ldns_pkt_get_opcode(a) != ldns_pkt_get_opcode(q))
		return fail(why, wlen, "opcode: expected %u, got %u", (unsigned)ldns_pkt_get_opcode(q),
			    (unsigned)ldns_pkt_get_opcode(a));

	bool opt = ldns_pkt_edns(a);
	unsigned rcode = (unsigned)ldns_pkt_get_rcode(a);
	if (opt)
		rcode |= (unsigned)ldns_pkt_edns_extended_rcode(a) << 4;
	if (rcode >= 32 || !(e->rcodes & (1u << rcode))) {
		char want[96];
		rcodes_text(e->rcodes, want, sizeof(want));
		return fail(why, wlen, "rcode: expected %s, got %s", want, rcode_name(rcode));
	}
	/* FORMERR and NOTIMP may leave the question out (RFC 6895 2.2). */
	bool may_drop_question = rcode == 1 || rcode == 4;
	if (!(may_drop_question && ldns_rr_list_rr_count(ldns_pkt_question(a)) == 0) &&
	    !same_question(q, a))
		return fail(why, wlen, "question: not the one asked");

	if (e->opt == DV_MUST && !opt)
		return fail(why, wlen, "OPT: expected one in the answer (RFC 6891 7), got none");
	if (e->opt == DV_MUST_NOT && opt)
		return fail(why, wlen, "OPT: expected none (the query had none), got one");
	if (opt) {
		if (ldns_pkt_edns_version(a) != 0)
			return fail(why, wlen, "EDNS version: expected 0, got %u", ldns_pkt_edns_version(a));
		uint16_t z = ldns_pkt_edns_z(a);
		if (c->q.flags != 0 && (z & c->q.flags))
			return fail(why, wlen, "EDNS flags: expected the unknown flag 0x%04x cleared, got "
				    "0x%04x", c->q.flags, z);
		const uint8_t *v;
		uint16_t vl;
		const ldns_rdf *data = ldns_pkt_edns_data(a);
		if (c->q.option == DV_CHECK_UNKNOWN_OPTION &&
		    find_option(data, DV_CHECK_UNKNOWN_OPTION, &v, &vl))
			return fail(why, wlen, "EDNS options: expected the unknown option %u ignored, got "
				    "it back", DV_CHECK_UNKNOWN_OPTION);
		if (c->q.option == DV_CHECK_OPT_COOKIE && find_option(data, DV_CHECK_OPT_COOKIE, &v, &vl) &&
		    (vl < 16 || vl > 40 || memcmp(v, DV_CHECK_CLIENT_COOKIE, 8) != 0))
			return fail(why, wlen, "COOKIE: expected our 8-byte client cookie and an 8..32-byte "
				    "server cookie, got %u bytes%s", vl,
				    vl >= 8 && memcmp(v, DV_CHECK_CLIENT_COOKIE, 8) != 0
				    ? " not starting with ours" : "");
		if (c->q.option == DV_CHECK_OPT_KEEPALIVE &&
		    find_option(data, DV_CHECK_OPT_KEEPALIVE, &v, &vl) && vl != 2)
			return fail(why, wlen, "edns-tcp-keepalive: expected a 2-byte timeout, got %u bytes",
				    vl);
	}
	if (e->aa == DV_MUST && !ldns_pkt_aa(a))
		return fail(why, wlen, "AA: expected 1 (authoritative for the zone), got 0");
	if (e->no_answer && ldns_pkt_ancount(a) != 0)
		return fail(why, wlen, "answer section: expected empty, got %u records", ldns_pkt_ancount(a));
	if (e->fits && c->q.transport == DV_CHECK_UDP) {
		size_t offered = c->q.edns && c->q.bufsize > 512 ? c->q.bufsize : 512;
		if (alen > offered && !ldns_pkt_tc(a))
			return fail(why, wlen, "size: expected at most %zu bytes (the offered size) or TC, "
				    "got %zu bytes without TC", offered, alen);
	}
	return DV_CHECK_PASS;
}

enum dv_check_verdict dv_check_verify(const struct dv_check *c, const uint8_t *q, size_t qlen,
				      const uint8_t *ans, size_t alen, char *why, size_t wlen)
{
	ldns_pkt *qp = NULL, *ap = NULL;
	enum dv_check_verdict v;
	if (why != NULL && wlen > 0)
		why[0] = '\0';
	if (c == NULL || q == NULL || ldns_wire2pkt(&qp, q, qlen) != LDNS_STATUS_OK)
		return fail(why, wlen, "the query does not parse");
	if (ans == NULL || ldns_wire2pkt(&ap, ans, alen) != LDNS_STATUS_OK)
		v = fail(why, wlen, "the answer does not parse (%zu bytes)", alen);
	else
		v = verify(c, qp, ap, alen, why, wlen);
	ldns_pkt_free(qp);
	ldns_pkt_free(ap);
	return v;
}
