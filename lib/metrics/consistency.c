/**
 * @file consistency.c
 * @brief Answer consistency tracker (see consistency.h): fed on the main
 *        lcore, never on the hot path.
 */
#include "metrics/consistency.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

/* Intervals are 32-bit; a clamp keeps "last + 1" from wrapping. */
#define DV_CONS_IV_MAX (UINT32_MAX - 2u)

struct dv_cons *dv_cons_new(uint64_t interval_ns)
{
	if (interval_ns == 0)
		return NULL;
	struct dv_cons *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->interval_ns = interval_ns;
	return t;
}

void dv_cons_free(struct dv_cons *t)
{
	free(t);
}

/*
 * Copy a name rdf as lower-case wire format. Label length bytes are at most
 * 63, below 'A', so lowering every byte leaves them alone.
 */
static int name_canon(const ldns_rdf *rdf, uint8_t out[255], uint8_t *len)
{
	if (rdf == NULL || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME)
		return -EINVAL;
	size_t n = ldns_rdf_size(rdf);
	if (n == 0 || n > 255)
		return -EINVAL;
	const uint8_t *d = ldns_rdf_data(rdf);
	for (size_t i = 0; i < n; i++)
		out[i] = (d[i] >= 'A' && d[i] <= 'Z') ? (uint8_t)(d[i] + 32) : d[i];
	*len = (uint8_t)n;
	return 0;
}

static struct dv_cons_key *key_get(struct dv_cons *t, const uint8_t *qn, uint8_t qlen,
				   uint16_t qtype)
{
	/* Linear: a few hundred keys, at most a few thousand samples a second. */
	for (uint32_t i = 0; i < t->nkeys; i++) {
		struct dv_cons_key *k = &t->key[i];
		if (k->qtype == qtype && k->qname_len == qlen && memcmp(k->qname, qn, qlen) == 0)
			return k;
	}
	if (t->nkeys == DV_CONS_KEYS)
		return NULL;
	struct dv_cons_key *k = &t->key[t->nkeys++];
	memcpy(k->qname, qn, qlen);
	k->qname_len = qlen;
	k->qtype = qtype;
	for (int s = 0; s < DV_CONS_SECS; s++)
		k->count_min[s] = UINT16_MAX;
	return k;
}

/** @return the owner's index in k, or -ENOSPC */
static int owner_get(struct dv_cons_key *k, const uint8_t *name, uint8_t len)
{
	for (unsigned i = 0; i < k->nowners; i++)
		if (k->owner[i].name_len == len && memcmp(k->owner[i].name, name, len) == 0)
			return (int)i;
	if (k->nowners == DV_CONS_OWNERS)
		return -ENOSPC;
	struct dv_cons_owner *o = &k->owner[k->nowners];
	memcpy(o->name, name, len);
	o->name_len = len;
	for (int f = 0; f < DV_CONS_FAMS; f++)
		o->fam[f].ttl_min = UINT32_MAX;
	return (int)k->nowners++;
}

static void addr_note(struct dv_cons_family *f, const uint8_t *a, size_t alen, unsigned sec)
{
	for (unsigned i = 0; i < f->naddr; i++) {
		if (memcmp(f->addr[i], a, alen) == 0) {
			f->addr_sections[i] |= (uint8_t)(1u << sec);
			return;
		}
	}
	if (f->naddr == DV_CONS_ADDRS) {
		f->addrs_dropped++;
		return;
	}
	memcpy(f->addr[f->naddr], a, alen);
	f->addr_sections[f->naddr] = (uint8_t)(1u << sec);
	f->naddr++;
}

/*
 * One answer missing family f of an owner while it carried the other:
 * extend the episode this interval touches, or start one.
 */
static void episode_note(struct dv_cons_family *f, uint32_t iv, uint64_t t_ns)
{
	f->missing++;
	f->missing_last = true;
	if (f->nep > 0) {
		struct dv_cons_episode *e = &f->ep[f->nep - 1];
		/* Several collectors: samples may arrive slightly out of order. */
		if (iv + 1 >= e->first_iv && iv <= e->last_iv + 1) {
			if (iv < e->first_iv)
				e->first_iv = iv;
			if (iv > e->last_iv)
				e->last_iv = iv;
			if (t_ns < e->first_ns)
				e->first_ns = t_ns;
			if (t_ns > e->last_ns)
				e->last_ns = t_ns;
			e->answers++;
			return;
		}
	}
	if (f->nep == DV_CONS_EPISODES) {
		/* Count an episode that did not fit once, not once per interval. */
		if (f->ep_dropped == 0 || iv > f->dropped_last_iv + 1)
			f->ep_dropped++;
		if (iv > f->dropped_last_iv)
			f->dropped_last_iv = iv;
		return;
	}
	f->ep[f->nep++] = (struct dv_cons_episode){ .first_iv = iv, .last_iv = iv,
						    .first_ns = t_ns, .last_ns = t_ns,
						    .answers = 1 };
}

/* Merge neighbouring buckets of the TTL series until one more point fits. */
static void ttl_series_coarsen(struct dv_cons_family *f)
{
	while (f->nttl == DV_CONS_TTL_POINTS) {
		uint32_t n = 0;
		for (uint32_t i = 0; i < f->nttl; i++) {
			uint32_t b = f->ttl_at[i].bucket / 2;
			if (n > 0 && f->ttl_at[n - 1].bucket == b) {
				if (f->ttl_at[i].ttl < f->ttl_at[n - 1].ttl)
					f->ttl_at[n - 1].ttl = f->ttl_at[i].ttl;
				continue;
			}
			f->ttl_at[n].bucket = b;
			f->ttl_at[n].ttl = f->ttl_at[i].ttl;
			n++;
		}
		f->nttl = n;
		f->ttl_width *= 2;
	}
}

/* Note the lowest TTL of family f in an answer of interval iv. */
static void ttl_series_note(struct dv_cons_family *f, uint32_t iv, uint32_t ttl)
{
	if (f->ttl_width == 0)
		f->ttl_width = 1;
	uint32_t b = iv / f->ttl_width;
	/* The bucket may be an earlier one: several collectors, slightly out of order. */
	for (uint32_t i = f->nttl; i-- > 0 && f->ttl_at[i].bucket >= b;) {
		if (f->ttl_at[i].bucket == b) {
			if (ttl < f->ttl_at[i].ttl)
				f->ttl_at[i].ttl = ttl;
			return;
		}
	}
	if (f->nttl > 0 && f->ttl_at[f->nttl - 1].bucket > b)
		return; /* older than the series' end, in a bucket it skipped: leave it */
	if (f->nttl == DV_CONS_TTL_POINTS) {
		ttl_series_coarsen(f);
		ttl_series_note(f, iv, ttl);
		return;
	}
	f->ttl_at[f->nttl].bucket = b;
	f->ttl_at[f->nttl].ttl = ttl;
	f->nttl++;
}

/* What one answer carried for one owner, before it is folded into the table. */
struct seen {
	uint8_t fams;                  /**< bit per family */
	uint32_t ttl[DV_CONS_FAMS];    /**< lowest TTL of the family in this answer */
};

/* The A/AAAA records of one section. @return records of owners that did not fit */
static uint64_t section_scan(struct dv_cons_key *k, const ldns_rr_list *rrs, unsigned sec,
			     struct seen seen[DV_CONS_OWNERS])
{
	uint64_t dropped = 0;
	size_t n = rrs != NULL ? ldns_rr_list_rr_count(rrs) : 0;
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		ldns_rr_type type = ldns_rr_get_type(rr);
		if ((type != LDNS_RR_TYPE_A && type != LDNS_RR_TYPE_AAAA) ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN || ldns_rr_rd_count(rr) != 1)
			continue;
		unsigned fam = type == LDNS_RR_TYPE_A ? DV_CONS_A : DV_CONS_AAAA;
		const ldns_rdf *rd = ldns_rr_rdf(rr, 0);
		size_t alen = fam == DV_CONS_A ? 4 : 16;
		if (rd == NULL || ldns_rdf_size(rd) != alen)
			continue;
		uint8_t name[255], nlen;
		if (name_canon(ldns_rr_owner(rr), name, &nlen) != 0)
			continue;
		int oi = owner_get(k, name, nlen);
		if (oi < 0) {
			dropped++;
			continue;
		}
		struct dv_cons_family *f = &k->owner[oi].fam[fam];
		uint32_t ttl = ldns_rr_ttl(rr);
		f->sections |= (uint8_t)(1u << sec);
		if (ttl < f->ttl_min)
			f->ttl_min = ttl;
		if (ttl > f->ttl_max)
			f->ttl_max = ttl;
		addr_note(f, ldns_rdf_data(rd), alen, sec);
		struct seen *s = &seen[oi];
		if (!(s->fams & (1u << fam)) || ttl < s->ttl[fam])
			s->ttl[fam] = ttl;
		s->fams |= (uint8_t)(1u << fam);
	}
	return dropped;
}

/* Fold one answer's view of an owner into its per-family state. */
static void owner_fold(struct dv_cons_owner *o, const struct seen *s, uint32_t iv, uint64_t t_ns)
{
	if (s->fams == 0)
		return; /* absent altogether: this answer says nothing about its families */
	for (unsigned fam = 0; fam < DV_CONS_FAMS; fam++) {
		struct dv_cons_family *f = &o->fam[fam];
		if (s->fams & (1u << fam)) {
			/* A TTL that went up: the cache fetched the record again. */
			if (f->answers > 0 && s->ttl[fam] > f->ttl_last)
				f->refreshes++;
			f->ttl_last = s->ttl[fam];
			ttl_series_note(f, iv, s->ttl[fam]);
			f->answers++;
			f->missing_last = false;
		} else if (f->answers > 0) {
			/* Seen before for this question, gone now, the other family still here. */
			episode_note(f, iv, t_ns);
		}
	}
}

int dv_cons_add(struct dv_cons *t, const uint8_t *msg, size_t len, uint64_t t_ns)
{
	ldns_pkt *pkt = NULL;
	int ret = -EINVAL;

	if (t == NULL)
		return -EINVAL;
	t->fed++;
	if (msg == NULL || len < LDNS_HEADER_SIZE || len > 65535 ||
	    ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK)
		goto cleanup;
	const ldns_rr_list *ql = ldns_pkt_question(pkt);
	if (ql == NULL || ldns_rr_list_rr_count(ql) != 1)
		goto cleanup;
	const ldns_rr *q = ldns_rr_list_rr(ql, 0);
	uint8_t qn[255], qlen;
	if (name_canon(ldns_rr_owner(q), qn, &qlen) != 0)
		goto cleanup;

	struct dv_cons_key *k = key_get(t, qn, qlen, (uint16_t)ldns_rr_get_type(q));
	if (k == NULL) {
		t->keys_dropped++;
		ret = -ENOSPC;
		goto cleanup;
	}
	uint64_t ivl = t_ns / t->interval_ns;
	uint32_t iv = ivl > DV_CONS_IV_MAX ? DV_CONS_IV_MAX : (uint32_t)ivl;
	if (k->answers == 0 || t_ns < k->first_ns)
		k->first_ns = t_ns;
	if (t_ns > k->last_ns)
		k->last_ns = t_ns;
	k->answers++;
	if (iv > t->last_iv)
		t->last_iv = iv;
	const uint16_t counts[DV_CONS_SECS] = { ldns_pkt_ancount(pkt), ldns_pkt_nscount(pkt),
						ldns_pkt_arcount(pkt) };
	if (k->answers > 1 && memcmp(counts, k->count_last, sizeof(counts)) != 0) {
		if (k->nchanges == DV_CONS_CHANGES) {
			k->changes_dropped++;
		} else {
			struct dv_cons_change *ch = &k->chg[k->nchanges++];
			ch->iv = iv;
			ch->t_ns = t_ns;
			memcpy(ch->from, k->count_last, sizeof(ch->from));
			memcpy(ch->to, counts, sizeof(ch->to));
		}
	}
	memcpy(k->count_last, counts, sizeof(counts));
	for (int s = 0; s < DV_CONS_SECS; s++) {
		if (counts[s] < k->count_min[s])
			k->count_min[s] = counts[s];
		if (counts[s] > k->count_max[s])
			k->count_max[s] = counts[s];
	}

	struct seen seen[DV_CONS_OWNERS];
	memset(seen, 0, sizeof(seen));
	k->owners_dropped += section_scan(k, ldns_pkt_answer(pkt), DV_CONS_SEC_AN, seen);
	k->owners_dropped += section_scan(k, ldns_pkt_authority(pkt), DV_CONS_SEC_NS, seen);
	k->owners_dropped += section_scan(k, ldns_pkt_additional(pkt), DV_CONS_SEC_AR, seen);
	for (unsigned i = 0; i < k->nowners; i++)
		owner_fold(&k->owner[i], &seen[i], iv, t_ns);
	t->used++;
	ret = 0;
cleanup:
	if (ret == -EINVAL)
		t->malformed++;
	ldns_pkt_free(pkt);
	return ret;
}

bool dv_cons_ttl_mismatch(const struct dv_cons_owner *o)
{
	const struct dv_cons_family *a = &o->fam[DV_CONS_A], *b = &o->fam[DV_CONS_AAAA];
	if (a->answers == 0 || b->answers == 0)
		return false;
	uint64_t lo = a->ttl_max < b->ttl_max ? a->ttl_max : b->ttl_max;
	uint64_t hi = a->ttl_max < b->ttl_max ? b->ttl_max : a->ttl_max;
	return hi >= 2 * lo && hi - lo >= 60;
}

char *dv_cons_name_str(const uint8_t *name, uint8_t len, char *buf, size_t buflen)
{
	ldns_rdf *rdf = NULL;
	char *s = NULL;

	if (buflen == 0)
		return buf;
	buf[0] = '\0';
	if (name == NULL || len == 0)
		goto cleanup;
	rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, name);
	if (rdf == NULL)
		goto cleanup;
	s = ldns_rdf2str(rdf);
	if (s != NULL)
		snprintf(buf, buflen, "%s", s);
cleanup:
	free(s);
	ldns_rdf_deep_free(rdf);
	return buf;
}

char *dv_cons_addr_str(const struct dv_cons_family *f, enum dv_cons_fam fam, unsigned i,
		       char *buf, size_t buflen)
{
	if (buflen == 0)
		return buf;
	buf[0] = '\0';
	if (i >= f->naddr ||
	    inet_ntop(fam == DV_CONS_A ? AF_INET : AF_INET6, f->addr[i], buf, (socklen_t)buflen) == NULL)
		buf[0] = '\0';
	return buf;
}

char *dv_cons_type_str(uint16_t qtype, char *buf, size_t buflen)
{
	char *s = ldns_rr_type2str((ldns_rr_type)qtype);
	if (buflen > 0)
		snprintf(buf, buflen, "%s", s != NULL ? s : "?");
	free(s);
	return buf;
}

const char *dv_cons_section_name(enum dv_cons_sec sec)
{
	static const char *const name[DV_CONS_SECS] = { "answer", "authority", "additional" };
	return (unsigned)sec < DV_CONS_SECS ? name[sec] : "?";
}
