/*
 * Setters of the compliance battery under load (setters.h): --checks ZONE
 * and --checks-share P. The zone is checked as a domain name here, before
 * EAL; the engine builds the check messages from it.
 */
#include "config/setters.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "config/parse.h"
#include "config/set_util.h"
#include "core/log.h"

int dv_set_checks(struct dv_plan *p, const char *v, const char *ctx)
{
	ldns_rdf *name = NULL;
	if (*v == '\0' || ldns_str2rdf_dname(&name, v) != LDNS_STATUS_OK)
		return dv_not_a(ctx, v, "a zone's domain name");
	size_t wire = ldns_rdf_size(name);
	ldns_rdf_deep_free(name);
	if (wire > DV_CHECKS_ZONE_MAX - 4 || strlen(v) >= DV_CHECKS_ZONE_MAX) {
		dv_err("%s: '%.40s...' is too long for the checks' queries (at most %d bytes of "
		       "name)", ctx, v, DV_CHECKS_ZONE_MAX - 4);
		return -EINVAL;
	}
	snprintf(p->checks_zone, sizeof(p->checks_zone), "%s", v);
	return 0;
}

int dv_set_checks_share(struct dv_plan *p, const char *v, const char *ctx)
{
	double pct;
	if (dv_parse_percent(v, &pct) != 0 || pct <= 0.0)
		return dv_not_a(ctx, v, "a share of the queries in (0, 100%]");
	p->checks_share = pct / 100.0;
	return 0;
}
