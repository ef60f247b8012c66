/**
 * @file consistency_json.c
 * @brief The answer-consistency tracker to JSON and back.
 */
#include "report/consistency_json.h"
#include "core/json_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

/* --track-answers: one family of one owner, with its vanishing episodes. */
static json_t *cons_family_obj(const struct dv_cons_family *cf, enum dv_cons_fam fam, double iv_s,
			       bool *ok)
{
	json_t *o = json_object();
	json_t *addrs = json_array(), *secs = json_array(), *eps = json_array();
	char a[64];
	for (unsigned i = 0; i < cf->naddr; i++)
		dv_jpush(addrs, json_string(dv_cons_addr_str(cf, fam, i, a, sizeof(a))), ok);
	for (unsigned s = 0; s < DV_CONS_SECS; s++)
		if (cf->sections & (1u << s))
			dv_jpush(secs, json_string(dv_cons_section_name((enum dv_cons_sec)s)), ok);
	for (uint32_t e = 0; e < cf->nep; e++) {
		const struct dv_cons_episode *ep = &cf->ep[e];
		dv_jpush(eps, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
				    "from_s", dv_jreal(ep->first_iv * iv_s),
				    "to_s", dv_jreal((ep->last_iv + 1.0) * iv_s),
				    "intervals", dv_jint(ep->last_iv - ep->first_iv + 1ull),
				    "first_s", dv_jreal((double)ep->first_ns / 1e9),
				    "last_s", dv_jreal((double)ep->last_ns / 1e9),
				    "answers", dv_jint(ep->answers)), ok);
	}
	dv_jput(o, "answers", dv_jint(cf->answers), ok);
	dv_jput(o, "sections", secs, ok);
	dv_jput(o, "addresses", addrs, ok);
	dv_jput(o, "addresses_not_kept", dv_jint(cf->addrs_dropped), ok);
	dv_jput(o, "ttl_min", dv_jint(cf->ttl_min), ok);
	dv_jput(o, "ttl_max", dv_jint(cf->ttl_max), ok);
	dv_jput(o, "refreshes", dv_jint(cf->refreshes), ok);
	dv_jput(o, "missing", dv_jint(cf->missing), ok);
	dv_jput(o, "missing_at_end", json_boolean(cf->missing_last), ok);
	dv_jput(o, "vanished", eps, ok);
	dv_jput(o, "vanished_not_kept", dv_jint(cf->ep_dropped), ok);
	/* TTL over time: [start of the bucket in s, lowest TTL in it]. */
	json_t *pts = json_array();
	for (uint32_t i = 0; i < cf->nttl; i++)
		dv_jpush(pts, json_pack("[o, o]",
					dv_jreal((double)cf->ttl_at[i].bucket * cf->ttl_width * iv_s),
					dv_jint(cf->ttl_at[i].ttl)), ok);
	dv_jput(o, "ttl_over_time", json_pack("{s:o, s:o}", "step_s",
					      dv_jreal(cf->ttl_width * iv_s), "points", pts), ok);
	return o;
}

/*
 * --track-answers: per (name, type) the owners of A/AAAA records, what
 * vanished when, TTLs; and a flat list of the TTL mismatches.
 */
static json_t *consistency_obj(const struct dv_cons *t, bool *ok)
{
	double iv_s = (double)t->interval_ns / 1e9;
	json_t *o = json_object(), *keys = json_array(), *mism = json_array();
	char name[1100], oname[1100], type[32];

	dv_jput(o, "interval_s", dv_jreal(iv_s), ok);
	dv_jput(o, "sampled", dv_jint(t->fed), ok);
	dv_jput(o, "counted", dv_jint(t->used), ok);
	dv_jput(o, "not_parsed", dv_jint(t->malformed), ok);
	dv_jput(o, "names_not_kept", dv_jint(t->keys_dropped), ok);
	dv_jput(o, "ring_full", dv_jint(t->ring_dropped), ok);
	dv_jput(o, "too_large", dv_jint(t->too_large), ok);
	for (uint32_t i = 0; i < t->nkeys; i++) {
		const struct dv_cons_key *k = &t->key[i];
		json_t *ko = json_object(), *recs = json_object(), *owners = json_array();
		dv_cons_name_str(k->qname, k->qname_len, name, sizeof(name));
		dv_cons_type_str(k->qtype, type, sizeof(type));
		dv_jput(ko, "qname", json_string(name), ok);
		dv_jput(ko, "qtype", json_string(type), ok);
		dv_jput(ko, "answers", dv_jint(k->answers), ok);
		dv_jput(ko, "first_s", dv_jreal((double)k->first_ns / 1e9), ok);
		dv_jput(ko, "last_s", dv_jreal((double)k->last_ns / 1e9), ok);
		for (unsigned s = 0; s < DV_CONS_SECS; s++)
			dv_jput(recs, dv_cons_section_name((enum dv_cons_sec)s), json_pack("[o, o]", dv_jint(k->count_min[s]),
							 dv_jint(k->count_max[s])), ok);
		dv_jput(ko, "records", recs, ok);
		json_t *chg = json_array();
		for (uint32_t c = 0; c < k->nchanges; c++) {
			const struct dv_cons_change *ch = &k->chg[c];
			dv_jpush(chg, json_pack("{s:o, s:[o, o, o], s:[o, o, o]}", "at_s",
					    dv_jreal((double)ch->t_ns / 1e9), "from", dv_jint(ch->from[0]),
					    dv_jint(ch->from[1]), dv_jint(ch->from[2]), "to", dv_jint(ch->to[0]),
					    dv_jint(ch->to[1]), dv_jint(ch->to[2])), ok);
		}
		dv_jput(ko, "record_changes", chg, ok);
		dv_jput(ko, "record_changes_not_kept", dv_jint(k->changes_dropped), ok);
		for (unsigned n = 0; n < k->nowners; n++) {
			const struct dv_cons_owner *ow = &k->owner[n];
			json_t *oo = json_object();
			bool mm = dv_cons_ttl_mismatch(ow);
			dv_cons_name_str(ow->name, ow->name_len, oname, sizeof(oname));
			dv_jput(oo, "name", json_string(oname), ok);
			for (unsigned fam = 0; fam < DV_CONS_FAMS; fam++)
				if (ow->fam[fam].answers > 0)
					dv_jput(oo, fam == DV_CONS_A ? "A" : "AAAA",
					    cons_family_obj(&ow->fam[fam], (enum dv_cons_fam)fam, iv_s, ok), ok);
			dv_jput(oo, "ttl_mismatch", json_boolean(mm), ok);
			dv_jpush(owners, oo, ok);
			if (mm)
				dv_jpush(mism, json_pack("{s:s, s:s, s:s, s:o, s:o}", "qname", name, "qtype", type,
						     "owner", oname,
						     "a_ttl_max", dv_jint(ow->fam[DV_CONS_A].ttl_max),
						     "aaaa_ttl_max", dv_jint(ow->fam[DV_CONS_AAAA].ttl_max)), ok);
		}
		dv_jput(ko, "owners", owners, ok);
		dv_jput(ko, "owners_not_kept", dv_jint(k->owners_dropped), ok);
		dv_jpush(keys, ko, ok);
	}
	dv_jput(o, "names", keys, ok);
	dv_jput(o, "ttl_mismatches", mism, ok);
	return o;
}

json_t *dv_cons_to_json(const struct dv_cons *t)
{
	bool ok = true;
	json_t *o = consistency_obj(t, &ok);
	return dv_jdone(o, ok);
}

/* ---- reading back ---- */


static uint64_t get_u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 ? (uint64_t)v : 0;
}

static double get_real(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

/** Seconds (as written) back to ns. */
static uint64_t get_ns(const json_t *o, const char *key)
{
	double s = get_real(o, key);
	/* Out of any run's range (or not a number): 0 rather than an overflow. */
	return s > 0.0 && s < 1e9 ? (uint64_t)llround(s * 1e9) : 0;
}

/** A list of at most max elements; NULL (iterates as empty) when absent or wrong, then an error. */
static const json_t *get_list(struct dv_jread *rd, const json_t *o, const char *key, size_t max)
{
	const json_t *v = json_object_get(o, key);
	if (v == NULL)
		return NULL;
	if (!json_is_array(v) || json_array_size(v) > max) {
		dv_jread_fail(rd, "consistency: too long, or not a list: '%s'", key);
		return NULL;
	}
	return v;
}

/** A domain name in presentation format to wire format (lower case, as the tracker keeps it). */
static void name_read(struct dv_jread *rd, const char *s, uint8_t *wire, uint8_t *len)
{
	ldns_rdf *rdf = NULL;
	if (s == NULL || ldns_str2rdf_dname(&rdf, s) != LDNS_STATUS_OK ||
	    ldns_rdf_size(rdf) > 255) {
		dv_jread_fail(rd, "consistency: not a domain name: '%s'", s ? s : "(none)");
		goto cleanup;
	}
	ldns_dname2canonical(rdf);
	memcpy(wire, ldns_rdf_data(rdf), ldns_rdf_size(rdf));
	*len = (uint8_t)ldns_rdf_size(rdf);
cleanup:
	ldns_rdf_deep_free(rdf);
}

static void family_read(struct dv_jread *rd, const json_t *o, enum dv_cons_fam fam, double iv_s,
			struct dv_cons_family *cf)
{
	size_t i;
	const json_t *e;
	cf->answers = get_u64(o, "answers");
	cf->ttl_min = (uint32_t)get_u64(o, "ttl_min");
	cf->ttl_max = (uint32_t)get_u64(o, "ttl_max");
	cf->refreshes = (uint32_t)get_u64(o, "refreshes");
	cf->addrs_dropped = get_u64(o, "addresses_not_kept");
	cf->missing = get_u64(o, "missing");
	cf->missing_last = json_is_true(json_object_get(o, "missing_at_end"));
	cf->ep_dropped = get_u64(o, "vanished_not_kept");
	const json_t *tot = json_object_get(o, "ttl_over_time");
	double step = get_real(tot, "step_s") / iv_s;
	cf->ttl_width = step >= 1.0 && step < 4e9 ? (uint32_t)llround(step) : 1;
	const json_t *pts = get_list(rd, tot, "points", DV_CONS_TTL_POINTS);
	json_array_foreach(pts, i, e) {
		double b = json_number_value(json_array_get(e, 0)) / iv_s / cf->ttl_width;
		json_int_t ttl = json_integer_value(json_array_get(e, 1));
		if (!json_is_array(e) || !(b >= 0.0 && b < 4e9) || ttl < 0 || ttl > UINT32_MAX)
			return dv_jread_fail(rd, "consistency: a TTL point of '%s' is out of range",
					     fam == DV_CONS_A ? "A" : "AAAA");
		cf->ttl_at[cf->nttl].bucket = (uint32_t)llround(b);
		cf->ttl_at[cf->nttl].ttl = (uint32_t)ttl;
		cf->nttl++;
	}
	const json_t *secs = get_list(rd, o, "sections", DV_CONS_SECS);
	json_array_foreach(secs, i, e) {
		for (unsigned s = 0; s < DV_CONS_SECS; s++)
			if (json_is_string(e) && strcmp(json_string_value(e), dv_cons_section_name((enum dv_cons_sec)s)) == 0)
				cf->sections |= (uint8_t)(1u << s);
	}
	const json_t *addrs = get_list(rd, o, "addresses", DV_CONS_ADDRS);
	json_array_foreach(addrs, i, e) {
		const char *a = json_string_value(e);
		if (a == NULL || inet_pton(fam == DV_CONS_A ? AF_INET : AF_INET6, a,
					   cf->addr[cf->naddr]) != 1)
			return dv_jread_fail(rd, "consistency: not an address: '%s'", a ? a : "(none)");
		cf->naddr++;
	}
	const json_t *eps = get_list(rd, o, "vanished", DV_CONS_EPISODES);
	json_array_foreach(eps, i, e) {
		struct dv_cons_episode *ep = &cf->ep[cf->nep++];
		double from = get_real(e, "from_s") / iv_s, to = get_real(e, "to_s") / iv_s;
		ep->first_iv = from > 0.0 && from < 4e9 ? (uint32_t)llround(from) : 0;
		ep->last_iv = to > 0.0 && to < 4e9 ? (uint32_t)llround(to) : 0;
		ep->last_iv = ep->last_iv > ep->first_iv ? ep->last_iv - 1 : ep->first_iv;
		ep->first_ns = get_ns(e, "first_s");
		ep->last_ns = get_ns(e, "last_s");
		ep->answers = get_u64(e, "answers");
	}
}

static void key_read(struct dv_jread *rd, const json_t *o, double iv_s, struct dv_cons_key *k)
{
	size_t i;
	const json_t *e;
	name_read(rd, json_string_value(json_object_get(o, "qname")), k->qname, &k->qname_len);
	const char *type = json_string_value(json_object_get(o, "qtype"));
	k->qtype = type != NULL ? (uint16_t)ldns_get_rr_type_by_name(type) : 0;
	if (k->qtype == 0)
		dv_jread_fail(rd, "consistency: not a type: '%s'", type ? type : "(none)");
	k->answers = get_u64(o, "answers");
	k->first_ns = get_ns(o, "first_s");
	k->last_ns = get_ns(o, "last_s");
	const json_t *recs = json_object_get(o, "records");
	for (unsigned s = 0; s < DV_CONS_SECS; s++) {
		const json_t *mm = json_object_get(recs, dv_cons_section_name((enum dv_cons_sec)s));
		k->count_min[s] = (uint16_t)json_integer_value(json_array_get(mm, 0));
		k->count_max[s] = (uint16_t)json_integer_value(json_array_get(mm, 1));
	}
	const json_t *chg = get_list(rd, o, "record_changes", DV_CONS_CHANGES);
	json_array_foreach(chg, i, e) {
		struct dv_cons_change *c = &k->chg[k->nchanges++];
		c->t_ns = get_ns(e, "at_s");
		c->iv = (uint32_t)(c->t_ns / (uint64_t)llround(iv_s * 1e9)); /* >= 1 */
		for (unsigned s = 0; s < DV_CONS_SECS; s++) {
			c->from[s] = (uint16_t)json_integer_value(json_array_get(json_object_get(e, "from"), s));
			c->to[s] = (uint16_t)json_integer_value(json_array_get(json_object_get(e, "to"), s));
		}
	}
	k->changes_dropped = get_u64(o, "record_changes_not_kept");
	k->owners_dropped = get_u64(o, "owners_not_kept");
	const json_t *owners = get_list(rd, o, "owners", DV_CONS_OWNERS);
	json_array_foreach(owners, i, e) {
		struct dv_cons_owner *ow = &k->owner[k->nowners++];
		name_read(rd, json_string_value(json_object_get(e, "name")), ow->name, &ow->name_len);
		for (unsigned fam = 0; fam < DV_CONS_FAMS; fam++) {
			const json_t *f = json_object_get(e, fam == DV_CONS_A ? "A" : "AAAA");
			if (json_is_object(f))
				family_read(rd, f, (enum dv_cons_fam)fam, iv_s, &ow->fam[fam]);
		}
	}
}

int dv_cons_from_json(const json_t *o, struct dv_cons *t, char *err, size_t errlen)
{
	struct dv_jread rd = { .err = err, .errlen = errlen, .rc = 0 };
	size_t i;
	const json_t *e;
	double iv_s = get_real(o, "interval_s");

	memset(t, 0, sizeof(*t));
	/* At least 1 ns and at most a day: interval numbers are divided out of times. */
	if (!json_is_object(o) || !(iv_s >= 1e-9 && iv_s <= 86400.0)) {
		dv_jread_fail(&rd, "consistency: not an object with '%s'", "interval_s");
		return rd.rc;
	}
	t->interval_ns = (uint64_t)llround(iv_s * 1e9);
	t->fed = get_u64(o, "sampled");
	t->used = get_u64(o, "counted");
	t->malformed = get_u64(o, "not_parsed");
	t->keys_dropped = get_u64(o, "names_not_kept");
	t->ring_dropped = get_u64(o, "ring_full");
	t->too_large = get_u64(o, "too_large");
	const json_t *names = get_list(&rd, o, "names", DV_CONS_KEYS);
	json_array_foreach(names, i, e) {
		if (!json_is_object(e)) {
			dv_jread_fail(&rd, "consistency: not an object in '%s'", "names");
			break;
		}
		key_read(&rd, e, iv_s, &t->key[t->nkeys++]);
	}
	return rd.rc;
}
