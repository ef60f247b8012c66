#include "engine/match.h"

#include <string.h>

static inline uint8_t ascii_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

static bool from_target(const struct dv_addr *target, const struct dv_resp_info *ri)
{
	if (ri->family != target->family)
		return false;
	if (ri->family == AF_INET)
		return memcmp(ri->l3 + 12, &target->v4, 4) == 0;
	return memcmp(ri->l3 + 8, &target->v6, 16) == 0;
}

static bool same_question(const struct dv_query *q, const struct dv_resp_info *ri)
{
	if (ri->qname == NULL || ri->qname_len != q->qname_len || ri->qtype != q->qtype)
		return false;
	for (unsigned i = 0; i < q->qname_len; i++)
		if (ascii_lower(ri->qname[i]) != ascii_lower(q->qname[i]))
			return false;
	return true;
}

enum dv_outcome dv_match_response(const struct dv_inflight *ifl, const struct dv_query_list *ql,
				  const struct dv_addr target[DV_FAMILIES],
				  const struct dv_resp_info *ri, struct dv_match *m)
{
	m->outcome = DV_OUT_UNMATCHED;
	if (!ri->qr)
		return DV_OUT_UNMATCHED;
	enum dv_outcome out = dv_inflight_lookup(ifl, ri->dport, ri->id, m);
	if (out == DV_OUT_UNMATCHED)
		return out;
	if (m->qidx >= ql->n || m->family >= DV_FAMILIES ||
	    !from_target(&target[m->family], ri) || !same_question(&ql->q[m->qidx], ri)) {
		m->outcome = DV_OUT_UNMATCHED;
		return DV_OUT_UNMATCHED;
	}
	return out;
}
