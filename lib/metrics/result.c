/**
 * @file result.c
 * @brief Sums and tables of a run's result that the report reads.
 */
#include "metrics/result.h"

#include <math.h>
#include <string.h>

#include "core/wallclock.h"

/** Number of elements of an array. */
#define DV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

uint64_t dv_result_sent(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->tx.sent[i];
	return n;
}

double dv_result_seconds(const struct dv_result *r)
{
	return dv_ns_span_s(r->since_ns, r->until_ns);
}

uint64_t dv_result_answered(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->rx.answered[i];
	return n;
}

uint64_t dv_result_timeouts(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->rx.timeouts[i];
	return n;
}

uint64_t dv_result_abandoned(const struct dv_result *r)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < DV_FAMILIES; i++)
		n += r->rx.abandoned[i];
	return n;
}

const char *dv_trial_verdict_name(enum dv_trial_verdict v)
{
	switch (v) {
	case DV_TRIAL_PASS:
		return "pass";
	case DV_TRIAL_FAIL:
		return "fail";
	case DV_TRIAL_GEN_LIMITED:
		return "generator-limited";
	case DV_TRIAL_REPEAT:
		return "repeated";
	}
	return "?";
}

const char *dv_rcode_name(unsigned rcode)
{
	/* RFC 1035 and RFC 2136 header RCODEs; 11..15 are unassigned in the header. */
	static const char *const names[16] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
		"RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15",
	};
	if (rcode >= DV_ARRAY_LEN(names))
		return "UNKNOWN";
	return names[rcode];
}

void dv_seq_sum(const struct dv_seq_stats *s, struct dv_seq_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned k = 0; k < DV_MAX_ATTEMPTS; k++) {
		for (unsigned f = 0; f < DV_FAMILIES; f++)
			t->answered += s->answered_on[k][f];
		t->truncated += s->truncated_on[k];
		t->late += s->answered_late[k];
	}
	/* seq_len is indexed by the number of attempts, 1..N. */
	for (unsigned n = 1; n < DV_ARRAY_LEN(s->seq_len); n++) {
		t->ended += s->seq_len[n];
		t->attempts += n * s->seq_len[n];
	}
	for (unsigned a = 0; a < DV_FAMILIES; a++) {
		for (unsigned b = 0; b < DV_FAMILIES; b++)
			t->two_plus += s->first_two[a][b];
	}
}

unsigned dv_result_attempt_rows(const struct dv_result *r)
{
	const struct dv_seq_stats *s = &r->rx.seq;
	unsigned rows = r->attempts;

	if (rows < 1)
		rows = 1;
	if (rows > DV_MAX_ATTEMPTS)
		rows = DV_MAX_ATTEMPTS;
	for (unsigned k = rows; k < DV_MAX_ATTEMPTS; k++) {
		uint64_t any = s->answered_on[k][DV_FAMILY_V4] | s->answered_on[k][DV_FAMILY_V6] |
			       s->answered_late[k] | s->truncated_on[k] | s->seq_len[k + 1];
		if (any != 0)
			rows = k + 1;
	}
	return rows;
}

bool dv_result_edns_cell(const struct dv_result *r, unsigned v, unsigned family,
			 uint64_t *sent, struct dv_edns_rx *cell)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;

	if (v >= n || family >= DV_FAMILIES)
		return false;
	for (unsigned i = 0; i < v; i++) {
		if (r->edns_size[i] == r->edns_size[v])
			return false;
	}
	*sent = 0;
	dv_edns_rx_init(cell);
	for (unsigned i = v; i < n; i++) {
		if (r->edns_size[i] != r->edns_size[v])
			continue;
		*sent += r->tx.edns_sent[i][family];
		dv_edns_rx_merge(cell, &r->rx.edns[i][family]);
	}
	return true;
}

const char *dv_size_class_name(enum dv_size_class c)
{
	static const char *const names[DV_SIZE_CLASSES] = {
		[DV_SIZE_512] = "<=512",
		[DV_SIZE_1232] = "<=1232",
		[DV_SIZE_1452] = "<=1452",
		[DV_SIZE_1472] = "<=1472",
		[DV_SIZE_LARGE] = ">1472",
		[DV_SIZE_UNKNOWN] = "unknown",
	};
	if ((unsigned)c >= DV_SIZE_CLASSES)
		return "?";
	return names[c];
}

bool dv_result_has_frag_report(const struct dv_result *r)
{
	const struct dv_rx_stats *rx = &r->rx;
	const struct dv_frag_stats *fs = &rx->frag;
	uint64_t any = 0;

	if (r->frag_report)
		return true;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		any |= fs->frags[f] | fs->reassembled[f] | fs->lost_sets[f] | fs->by_port[f];
		for (unsigned k = 0; k < DV_ICMP_KINDS; k++)
			any |= rx->icmp[f][k];
	}
	any |= fs->frag_bytes | fs->lost_attributed | fs->dropped_sets | fs->not_ours;
	any |= rx->frag_count.count | rx->frag_spread.count | rx->icmp_attributed;
	for (unsigned f = 0; f < DV_FAMILIES; f++) {
		for (unsigned v = 0; v < DV_EDNS_VARIANTS; v++) {
			for (unsigned c = 0; c < DV_SIZE_CLASSES; c++) {
				const uint64_t *col = rx->fail[f][v][c];
				any |= col[DV_FR_REASM] | col[DV_FR_LOST_FRAG] |
				       col[DV_FR_FRAG_DROP] | col[DV_FR_ICMP];
			}
		}
	}
	return any != 0;
}

const char *const dv_answer_violation_key[DV_AV_KINDS] = {
	[DV_AV_OPCODE] = "opcode", [DV_AV_OVERSIZE] = "larger_than_offered",
	[DV_AV_NO_OPT] = "no_opt", [DV_AV_TC_TCP] = "tc_over_tcp",
	[DV_AV_REJECTED] = "formerr_or_notimp",
};
const char *const dv_answer_violation_words[DV_AV_KINDS] = {
	[DV_AV_OPCODE] = "another opcode", [DV_AV_OVERSIZE] = "larger than offered",
	[DV_AV_NO_OPT] = "no OPT", [DV_AV_TC_TCP] = "TC over TCP",
	[DV_AV_REJECTED] = "FORMERR or NOTIMP",
};

bool dv_result_fail_row(const struct dv_result *r, unsigned family, unsigned v,
			enum dv_size_class size, struct dv_fail_row *row)
{
	unsigned n = r->n_edns < DV_EDNS_VARIANTS ? r->n_edns : DV_EDNS_VARIANTS;

	if (v >= n || family >= DV_FAMILIES || (unsigned)size >= DV_SIZE_CLASSES)
		return false;
	for (unsigned i = 0; i < v; i++) {
		if (r->edns_size[i] == r->edns_size[v])
			return false;
	}
	memset(row, 0, sizeof(*row));
	row->family = family;
	row->variant = v;
	row->edns_size = r->edns_size[v];
	row->size = size;
	for (unsigned i = v; i < n; i++) {
		if (r->edns_size[i] != r->edns_size[v])
			continue;
		for (unsigned c = 0; c < DV_FR_COLS; c++)
			row->col[c] += r->rx.fail[family][i][size][c];
		for (unsigned c = 0; c < DV_FRT_COLS; c++)
			row->tcp[c] += r->rx.fail_tcp[family][i][size][c];
	}
	for (unsigned c = 0; c < DV_FR_COLS; c++)
		row->attempts += row->col[c];
	for (unsigned c = 0; c < DV_FRT_COLS; c++)
		row->attempts += row->tcp[c];
	row->failed = row->col[DV_FR_LOST_FRAG] + row->col[DV_FR_FRAG_DROP] +
		      row->col[DV_FR_ICMP] + row->col[DV_FR_TIMEOUT] + row->tcp[DV_FRT_FAILED];
	return row->attempts != 0;
}

uint64_t dv_result_gap_quantile(const struct dv_result *r, double q)
{
	const struct dv_hist *h = &r->tx.gap;
	if (h->count == 0)
		return 0;
	if (q < 0.0)
		q = 0.0;
	if (q > 1.0)
		q = 1.0;
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (uint32_t b = 0; b < DV_GAP_FINE_BINS; b++) {
		seen += r->tx.gap_fine[b];
		if (seen >= rank)
			return (uint64_t)b * DV_GAP_FINE_NS;
	}
	return dv_hist_quantile(h, q);
}
