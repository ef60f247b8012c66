#include "engine/match.h"

#include <string.h>

#include "core/hash.h"

static bool from_target(const struct dv_addr *target, const struct dv_resp_info *ri)
{
	if (ri->family != target->family)
		return false;
	if (ri->family == AF_INET)
		return memcmp(ri->l3 + 12, &target->v4, 4) == 0;
	return memcmp(ri->l3 + 8, &target->v6, 16) == 0;
}

/*
 * Byte-equal names, in 8-byte words (the last one overlapping). Not memcmp():
 * with a query file of 100 000 names an answer cost 316 cycles against 190
 * with 1 000, stalled on glibc's masked 32-byte load of the name; with these
 * loads 232 (docs/performance-log.md, "Late night, 2026-12-05").
 */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, unsigned len)
{
	if (len < 8) {
		for (unsigned i = 0; i < len; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	uint64_t x, y, diff = 0;
	unsigned i = 0;
	for (; i + 8 < len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		diff |= x ^ y;
	}
	memcpy(&x, a + len - 8, 8);
	memcpy(&y, b + len - 8, 8);
	return (diff | (x ^ y)) == 0;
}

static bool same_question(const struct dv_qsource *qs, const struct dv_attempt_id *a,
			  uint64_t gseq, const struct dv_resp_info *ri)
{
	uint8_t gen[DV_QNAME_OUT];
	const uint8_t *name;
	unsigned len;

	const struct dv_check_msg *cm = dv_qsource_check(qs, a->qidx);
	if (cm != NULL && ri->qname == NULL)
		/* FORMERR and NOTIMP may leave the question out (RFC 6895 2.2): the check judges. */
		return ri->qdcount == 0 && (ri->rcode == 1 || ri->rcode == 4);
	if (ri->qname == NULL || ri->qtype != a->qtype)
		return false;
	if (cm != NULL) {
		name = cm->qname;
		len = cm->qname_len;
	} else if (a->qidx == DV_QIDX_GENERATED) {
		if (!qs->generated)
			return false;
		len = dv_qsource_name(qs, gseq, gen);
		name = gen;
	} else {
		if (a->qidx >= qs->ql->n)
			return false;
		name = qs->ql->q[a->qidx].qname;
		len = qs->ql->q[a->qidx].qname_len;
	}
	if (ri->qname_len != len)
		return false;
	/* Servers echo the question as it was sent: byte for byte, nearly always. */
	if (same_bytes(ri->qname, name, len))
		return true;
	for (unsigned i = 0; i < len; i++)
		if (dv_ascii_lower(ri->qname[i]) != dv_ascii_lower(name[i]))
			return false;
	return true;
}

enum dv_outcome dv_match_response(const struct dv_inflight *ifl, const struct dv_qsource *qs,
				  const struct dv_addr target[DV_FAMILIES],
				  const struct dv_resp_info *ri, struct dv_match *m)
{
	m->outcome = DV_OUT_UNMATCHED;
	if (!ri->qr)
		return DV_OUT_UNMATCHED;
	enum dv_outcome out = dv_inflight_lookup(ifl, ri->dport, ri->id, m);
	if (out == DV_OUT_UNMATCHED)
		return out;
	if (m->a.family >= DV_FAMILIES || !from_target(&target[m->a.family], ri) ||
	    !same_question(qs, &m->a, dv_inflight_global(ifl, m->a.lseq), ri)) {
		m->outcome = DV_OUT_UNMATCHED;
		return DV_OUT_UNMATCHED;
	}
	return out;
}

enum dv_outcome dv_match_tcp_answer(const struct dv_inflight *ifl, const struct dv_qsource *qs,
				    uint64_t seq, const struct dv_resp_info *ri, struct dv_match *m)
{
	m->outcome = DV_OUT_UNMATCHED;
	if (!ri->qr)
		return DV_OUT_UNMATCHED;
	enum dv_outcome out = dv_inflight_lookup_seq(ifl, seq, m);
	if (out == DV_OUT_UNMATCHED)
		return out;
	if (!same_question(qs, &m->a, dv_inflight_global(ifl, m->a.lseq), ri)) {
		m->outcome = DV_OUT_UNMATCHED;
		return DV_OUT_UNMATCHED;
	}
	return out;
}
