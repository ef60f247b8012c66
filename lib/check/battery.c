/*
 * The compliance battery's table and its queries (battery.h). RFC 8906
 * section 8 lists what every server must answer correctly; its expectations
 * are written here as the RFC states them, one row a check.
 */
#include "check/battery.h"

#include <errno.h>
#include <string.h>

#include <ldns/ldns.h>

#define RC(x) (1u << (x))
#define NOERROR 0
#define FORMERR 1
#define NOTIMP 4
#define BADVERS 16

/* The checks. The name asked is the zone's apex: every server for the zone has its SOA. */
const struct dv_check dv_checks[] = {
	{ "dns", "RFC 8906 8.1.1", "SOA of the zone, no EDNS",
	  { .qtype = LDNS_RR_TYPE_SOA },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST_NOT, .aa = DV_MUST, .fits = true } },
	{ "unknown-type", "RFC 8906 8.1.2", "an unknown type (TYPE1000), no EDNS",
	  { .qtype = 1000 },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST_NOT, .aa = DV_MUST, .fits = true } },
	{ "tcp", "RFC 8906 8.1.3, RFC 7766 5", "SOA over TCP, no EDNS",
	  { .qtype = LDNS_RR_TYPE_SOA, .transport = DV_CHECK_TCP },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST_NOT, .aa = DV_MUST } },
	{ "edns", "RFC 8906 8.2.1, RFC 6891 7", "SOA with EDNS (version 0, 4096)",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096 },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "edns-version", "RFC 8906 8.2.2, RFC 6891 6.1.3", "SOA with EDNS version 1: BADVERS",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .version = 1, .bufsize = 4096 },
	  { .rcodes = RC(BADVERS), .opt = DV_MUST, .no_answer = true, .fits = true } },
	{ "edns-option", "RFC 8906 8.2.3, RFC 6891 6.1.2", "SOA with an unknown EDNS option (100): ignored",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .option = DV_CHECK_UNKNOWN_OPTION },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "edns-flag", "RFC 8906 8.2.4, RFC 6891 6.1.4", "SOA with an unknown EDNS flag (0x80): not echoed",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .flags = DV_CHECK_UNKNOWN_FLAG },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "edns-do", "RFC 8906 8.2.5, RFC 3225", "SOA with DO=1",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .dnssec_ok = true },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "edns-512", "RFC 8906 8.2.6, RFC 6891 6.2.5", "DNSKEY with EDNS 512 and DO=1: fits, or TC",
	  { .qtype = LDNS_RR_TYPE_DNSKEY, .edns = true, .bufsize = 512, .dnssec_ok = true },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "opcode", "RFC 8906 8.2.7, RFC 1035 4.1.1", "an unknown opcode (15), no EDNS: NOTIMP",
	  { .qtype = LDNS_RR_TYPE_SOA, .opcode = 15 },
	  { .rcodes = RC(NOTIMP), .opt = DV_MUST_NOT, .no_answer = true, .fits = true } },
	{ "opcode-edns", "RFC 8906 8.2.7, RFC 6891 7", "an unknown opcode (15) with EDNS: NOTIMP and an OPT",
	  { .qtype = LDNS_RR_TYPE_SOA, .opcode = 15, .edns = true, .bufsize = 4096 },
	  { .rcodes = RC(NOTIMP), .opt = DV_MUST, .no_answer = true, .fits = true } },
	{ "tcp-edns", "RFC 8906 8.2.8, RFC 7766 5", "SOA with EDNS over TCP",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .transport = DV_CHECK_TCP },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST } },
	{ "cookie", "RFC 7873 5.2, RFC 9018", "SOA with a client cookie: a server cookie after ours, or none",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .option = DV_CHECK_OPT_COOKIE },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST, .fits = true } },
	{ "keepalive", "RFC 7828 3.2", "SOA over TCP asking edns-tcp-keepalive: a 2-byte timeout, or none",
	  { .qtype = LDNS_RR_TYPE_SOA, .edns = true, .bufsize = 4096, .option = DV_CHECK_OPT_KEEPALIVE,
	    .transport = DV_CHECK_TCP },
	  { .rcodes = RC(NOERROR), .opt = DV_MUST, .aa = DV_MUST } },
};

const unsigned dv_checks_n = sizeof(dv_checks) / sizeof(dv_checks[0]);

const struct dv_check *dv_check_find(const char *id)
{
	for (unsigned i = 0; id != NULL && i < dv_checks_n; i++)
		if (strcmp(dv_checks[i].id, id) == 0)
			return &dv_checks[i];
	return NULL;
}

/* The option a check sends, as EDNS option data (code, length, value). */
static size_t option_of(const struct dv_check_query *q, uint8_t *o)
{
	size_t n = 0;
	if (q->option == DV_CHECK_OPT_COOKIE) {
		n = 8;
		memcpy(o + 4, DV_CHECK_CLIENT_COOKIE, n);
	}
	o[0] = (uint8_t)(q->option >> 8);
	o[1] = (uint8_t)q->option;
	o[2] = 0;
	o[3] = (uint8_t)n;
	return 4 + n;
}

int dv_check_build(const struct dv_check *c, const char *zone, uint16_t id, uint8_t *buf,
		   size_t len)
{
	ldns_rdf *name = NULL;
	if (c == NULL || zone == NULL || ldns_str2rdf_dname(&name, zone) != LDNS_STATUS_OK)
		return -EINVAL;
	ldns_pkt *p = ldns_pkt_query_new(name, (ldns_rr_type)c->q.qtype, LDNS_RR_CLASS_IN, 0);
	if (p == NULL) {
		ldns_rdf_deep_free(name);
		return -ENOMEM;
	}
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_opcode(p, (ldns_pkt_opcode)c->q.opcode);
	if (c->q.edns) {
		ldns_pkt_set_edns_udp_size(p, c->q.bufsize);
		ldns_pkt_set_edns_version(p, c->q.version);
		ldns_pkt_set_edns_z(p, (uint16_t)((c->q.dnssec_ok ? 0x8000u : 0u) | c->q.flags));
		if (c->q.option != 0) {
			uint8_t o[16];
			size_t n = option_of(&c->q, o);
			ldns_pkt_set_edns_data(p, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, n, o));
		}
	}
	uint8_t *wire = NULL;
	size_t wlen = 0;
	int rc;
	if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK)
		rc = -ENOMEM;
	else if (wlen > len)
		rc = -ENOSPC;
	else {
		memcpy(buf, wire, wlen);
		rc = (int)wlen;
	}
	free(wire);
	ldns_pkt_free(p);
	return rc;
}
