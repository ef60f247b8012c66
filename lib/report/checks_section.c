/*
 * The battery under load in the report (checks_section.h): the
 * generator's check_sent and the collector's check_res rows, and the load
 * levels the intervals were added to (metrics/check_levels.h).
 */
#include "report/checks_section.h"

#include <inttypes.h>
#include <string.h>

#include "check/battery.h"
#include "core/json_util.h"

/* Check c's attempts sent, both families. */
static uint64_t sent_of(const struct dv_result *r, unsigned c)
{
	return r->tx.check_sent[0][c] + r->tx.check_sent[1][c];
}

/* Check c's outcomes, both families: by kind (res) and summed (o). @return false: not asked */
static bool check_row(const struct dv_result *r, unsigned c, uint64_t res[DV_CR_KINDS],
		      uint64_t o[DV_CL_COLS])
{
	for (unsigned k = 0; k < DV_CR_KINDS; k++)
		res[k] = r->rx.check_res[0][c][k] + r->rx.check_res[1][c][k];
	dv_check_outcome_sum(res, o);
	return sent_of(r, c) != 0;
}

bool dv_result_has_checks(const struct dv_result *r)
{
	for (unsigned c = 0; c < DV_CHECKS_MAX; c++)
		if (sent_of(r, c) != 0)
			return true;
	return false;
}

/* The first level at which check c had a failed answer (col DV_CL_FAILED) or none (NO_ANSWER); -1: never. */
static int first_level(const struct dv_check_levels *lv, unsigned c, unsigned col)
{
	for (unsigned i = 0; i < lv->n && i < DV_CHECK_LEVELS_MAX; i++)
		if (lv->l[i].n[c][col] != 0)
			return (int)i;
	return -1;
}

/* The field that failed most often for check c; DV_CR_PASS when none failed. */
static enum dv_check_result top_field(const uint64_t res[DV_CR_KINDS])
{
	enum dv_check_result top = DV_CR_PASS;
	uint64_t most = 0;
	for (unsigned k = DV_CR_NO_ANSWER + 1; k < DV_CR_KINDS; k++)
		if (res[k] > most) {
			most = res[k];
			top = (enum dv_check_result)k;
		}
	return top;
}

static void level_range(const struct dv_check_level *l, char *buf, size_t len)
{
	if (l->qps_hi > l->qps_lo * 1.0005)
		snprintf(buf, len, "%.0f-%.0f", l->qps_lo, l->qps_hi);
	else
		snprintf(buf, len, "%.0f", l->qps_lo);
}

/* "rcode at 2500-2625" (unit appended): the field that failed most, at the first level it did; "-" if none. */
static void first_failure(const struct dv_check_levels *lv, unsigned c, const uint64_t res[DV_CR_KINDS],
			  const uint64_t o[DV_CL_COLS], char *buf, size_t len, const char *unit)
{
	if (o[DV_CL_FAILED] == 0) {
		snprintf(buf, len, "-");
		return;
	}
	char range[48] = "?";
	int i = first_level(lv, c, DV_CL_FAILED);
	if (i >= 0)
		level_range(&lv->l[i], range, sizeof(range));
	snprintf(buf, len, "%s at %s%s", dv_check_field_name(top_field(res)), range, unit);
}

void dv_text_checks(FILE *f, const struct dv_result *r)
{
	if (!dv_result_has_checks(r))
		return;
	const struct dv_check_levels *lv = &r->check_levels;
	fputs("\nCompliance under load (--checks; each check's attempts, judged as `dnsvolley check` "
	      "does):\n", f);
	fprintf(f, "  %-13s %-30s %9s %9s %9s %9s %8s  %s\n", "check", "RFC", "sent", "passed",
		"failed", "no answer", "passed%", "first failure (offered qps)");
	for (unsigned c = 0; c < DV_CHECKS_MAX && c < dv_checks_n; c++) {
		uint64_t res[DV_CR_KINDS], o[DV_CL_COLS];
		if (!check_row(r, c, res, o))
			continue;
		uint64_t judged = o[DV_CL_PASSED] + o[DV_CL_FAILED] + o[DV_CL_NO_ANSWER];
		char first[96];
		first_failure(lv, c, res, o, first, sizeof(first), "");
		fprintf(f, "  %-13s %-30s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %8.2f  %s\n",
			dv_checks[c].id, dv_checks[c].rfc, sent_of(r, c), o[DV_CL_PASSED],
			o[DV_CL_FAILED], o[DV_CL_NO_ANSWER], dv_pct(o[DV_CL_PASSED], judged), first);
	}
	if (lv->n < 2)
		return;
	fputs("  By load level:\n", f);
	fprintf(f, "    %-17s %9s %8s %9s %9s  %s\n", "offered qps", "judged", "passed%", "failed",
		"no answer", "checks failing");
	for (unsigned i = 0; i < lv->n && i < DV_CHECK_LEVELS_MAX; i++) {
		const struct dv_check_level *l = &lv->l[i];
		uint64_t t[DV_CL_COLS] = { 0 };
		char failing[256] = "";
		size_t off = 0;
		for (unsigned c = 0; c < DV_CHECKS_MAX && c < dv_checks_n; c++) {
			for (unsigned k = 0; k < DV_CL_COLS; k++)
				t[k] += l->n[c][k];
			if (l->n[c][DV_CL_FAILED] != 0 && off < sizeof(failing)) {
				int w = snprintf(failing + off, sizeof(failing) - off, "%s%s", off ? ", " : "",
						 dv_checks[c].id);
				off += w > 0 ? (size_t)w : 0;
			}
		}
		char range[48];
		level_range(l, range, sizeof(range));
		fprintf(f, "    %-17s %9" PRIu64 " %8.2f %9" PRIu64 " %9" PRIu64 "  %s\n", range,
			t[0] + t[1] + t[2], dv_pct(t[DV_CL_PASSED], t[0] + t[1] + t[2]), t[DV_CL_FAILED],
			t[DV_CL_NO_ANSWER], off ? failing : "-");
	}
}

json_t *dv_json_checks(const struct dv_result *r, bool *ok)
{
	const struct dv_check_levels *lv = &r->check_levels;
	json_t *o = json_object(), *arr = json_array(), *levels = json_array();
	for (unsigned c = 0; c < DV_CHECKS_MAX && c < dv_checks_n; c++) {
		uint64_t res[DV_CR_KINDS], s[DV_CL_COLS];
		if (!check_row(r, c, res, s))
			continue;
		json_t *e = json_object(), *fields = json_object(), *fams = json_object();
		dv_jput(e, "id", json_string(dv_checks[c].id), ok);
		dv_jput(e, "rfc", json_string(dv_checks[c].rfc), ok);
		dv_jput(e, "sent", dv_jint(sent_of(r, c)), ok);
		dv_jput(e, "passed", dv_jint(s[DV_CL_PASSED]), ok);
		dv_jput(e, "failed", dv_jint(s[DV_CL_FAILED]), ok);
		dv_jput(e, "no_answer", dv_jint(s[DV_CL_NO_ANSWER]), ok);
		for (unsigned k = DV_CR_NO_ANSWER + 1; k < DV_CR_KINDS; k++)
			if (res[k] != 0)
				dv_jput(fields, dv_check_field_name((enum dv_check_result)k), dv_jint(res[k]), ok);
		dv_jput(e, "failed_fields", fields, ok);
		for (unsigned f = 0; f < DV_FAMILIES; f++) {
			if (r->tx.check_sent[f][c] == 0)
				continue;
			uint64_t fo[DV_CL_COLS];
			dv_check_outcome_sum(r->rx.check_res[f][c], fo);
			dv_jput(fams, f == DV_FAMILY_V6 ? "ipv6" : "ipv4",
				json_pack("{s:o, s:o, s:o, s:o}", "sent", dv_jint(r->tx.check_sent[f][c]),
					  "passed", dv_jint(fo[DV_CL_PASSED]), "failed", dv_jint(fo[DV_CL_FAILED]),
					  "no_answer", dv_jint(fo[DV_CL_NO_ANSWER])), ok);
		}
		dv_jput(e, "families", fams, ok);
		int i = first_level(lv, c, DV_CL_FAILED), j = first_level(lv, c, DV_CL_NO_ANSWER);
		dv_jput(e, "first_failure_qps", i >= 0 ? dv_jreal(lv->l[i].qps_lo) : json_null(), ok);
		dv_jput(e, "first_no_answer_qps", j >= 0 ? dv_jreal(lv->l[j].qps_lo) : json_null(), ok);
		dv_jpush(arr, e, ok);
	}
	for (unsigned i = 0; i < lv->n && i < DV_CHECK_LEVELS_MAX; i++) {
		const struct dv_check_level *l = &lv->l[i];
		json_t *e = json_object(), *per = json_object();
		dv_jput(e, "offered_qps_lo", dv_jreal(l->qps_lo), ok);
		dv_jput(e, "offered_qps_hi", dv_jreal(l->qps_hi), ok);
		for (unsigned c = 0; c < DV_CHECKS_MAX && c < dv_checks_n; c++)
			if (l->n[c][0] + l->n[c][1] + l->n[c][2] != 0)
				dv_jput(per, dv_checks[c].id,
					json_pack("{s:o, s:o, s:o}", "passed", dv_jint(l->n[c][DV_CL_PASSED]),
						  "failed", dv_jint(l->n[c][DV_CL_FAILED]), "no_answer",
						  dv_jint(l->n[c][DV_CL_NO_ANSWER])), ok);
		dv_jput(e, "checks", per, ok);
		dv_jpush(levels, e, ok);
	}
	dv_jput(o, "checks", arr, ok);
	dv_jput(o, "levels", levels, ok);
	return dv_jdone(o, *ok);
}

/* A cell of passed shares: green when all passed, red when an answer failed, yellow when some went unanswered. */
static void html_share_cell(FILE *f, const uint64_t o[DV_CL_COLS])
{
	uint64_t judged = o[DV_CL_PASSED] + o[DV_CL_FAILED] + o[DV_CL_NO_ANSWER];
	const char *cls = o[DV_CL_FAILED] ? "fail" : o[DV_CL_NO_ANSWER] ? "none" : "pass";
	if (judged == 0)
		fputs("<td></td>", f);
	else
		fprintf(f, "<td class=\"%s\">%.2f</td>", cls, dv_pct(o[DV_CL_PASSED], judged));
}

void dv_html_checks(FILE *f, const struct dv_result *r)
{
	if (!dv_result_has_checks(r))
		return;
	const struct dv_check_levels *lv = &r->check_levels;
	unsigned nl = lv->n < DV_CHECK_LEVELS_MAX ? lv->n : DV_CHECK_LEVELS_MAX;
	fputs("<h2>Compliance under load</h2>\n<p>Each check's attempts (--checks), judged as "
	      "<code>dnsvolley check</code> judges them; the share passed in %, per load level "
	      "(offered qps) when the run had intervals.</p>\n<div class=\"wide\"><table>\n<tr><th>check</th><th>RFC</th>"
	      "<th>sent</th><th>passed</th><th>failed</th><th>no answer</th><th>passed %</th>"
	      "<th>first failure</th>", f);
	for (unsigned i = 0; nl > 1 && i < nl; i++) {
		char range[48];
		level_range(&lv->l[i], range, sizeof(range));
		fprintf(f, "<th>%s</th>", range);
	}
	fputs("</tr>\n", f);
	for (unsigned c = 0; c < DV_CHECKS_MAX && c < dv_checks_n; c++) {
		uint64_t res[DV_CR_KINDS], o[DV_CL_COLS];
		if (!check_row(r, c, res, o))
			continue;
		fprintf(f, "<tr><td>%s</td><td class=\"t\">%s</td><td>%" PRIu64 "</td><td>%" PRIu64
			   "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td>", dv_checks[c].id,
			dv_checks[c].rfc, sent_of(r, c), o[DV_CL_PASSED], o[DV_CL_FAILED],
			o[DV_CL_NO_ANSWER]);
		html_share_cell(f, o);
		char first[96];
		first_failure(lv, c, res, o, first, sizeof(first), " qps");
		fprintf(f, "<td class=\"t\">%s</td>", first);
		for (unsigned l = 0; nl > 1 && l < nl; l++)
			html_share_cell(f, lv->l[l].n[c]);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}
