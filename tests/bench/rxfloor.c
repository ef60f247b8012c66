/*
 * Benchmark (not a test): the least an answer can cost the collector, from
 * dnsvolley's own pieces in the tightest loop they allow. The counterpart of
 * dv-floor (sending): the two bound the 100 GbE budget from below
 * (docs/performance-log.md, "Late night, 2026-12-05").
 *
 * The answers are frames in memory, built once and warm in the caches: what
 * a NIC's delivery costs (descriptors, mbufs, the frame's first read) is
 * not here, nor is the cross-core line of each in-flight slot, which this
 * core writes itself between rounds. So every figure is below what any
 * collector pays with a NIC.
 *
 * Modes, each adding to the one before:
 *   parse    each frame parsed as the collector parses it: Ethernet, IP and
 *            UDP checked, the DNS header and the question found
 *            (dv_response_parse());
 *   match    + matched as the collector matches it: port and ID to the
 *            in-flight slot, read under its seqlock, the source address,
 *            the question byte for byte against the query file's entry
 *            (dv_match_response()); recorded answered (dv_inflight_answer()),
 *            counted, its latency into a histogram;
 *   unique   as match, with names generated from the query's number
 *            ('{seq}.{rand8}.bench.test', as crafting.sh): the name is
 *            expanded again to be compared, as the collector does.
 * Between rounds (untimed) the same core issues the next attempt of every
 * slot, so that each frame answers a new outstanding query every round.
 *
 * usage: dv-rxfloor MODE SECONDS QUERY_FILE
 * prints: MODE cycles_per_answer answers_per_second
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rte_cycles.h>

#include "config/queryfile.h"
#include "engine/inflight.h"
#include "engine/match.h"
#include "engine/qsource.h"
#include "metrics/hist.h"
#include "wire/answer.h"
#include "wire/compose.h"
#include "wire/response.h"

#include "floor_args.h"

#define RXF_ANSWERS 4096u        /* frames of a round: 768 KiB, in L2 or LLC */
#define RXF_SLOTS   (1u << 16)
#define RXF_STRIDE  192u
#define RXF_SPORT   1024

enum rxf_mode { RXF_PARSE, RXF_MATCH, RXF_UNIQUE, RXF_MODES };
static const char *const rxf_modes[] = { "parse", "match", "unique" };

struct rxf {
	enum rxf_mode mode;
	struct dv_inflight ifl;
	struct dv_qsource qs;
	struct dv_query_list ql;
	struct dv_addr target[DV_FAMILIES];
	struct dv_l34_tmpl l34;       /* the queries' template: 198.18.0.1 to the target */
	struct dv_answer_cfg acfg;
	uint8_t *frames;
	uint16_t len[RXF_ANSWERS];
	uint64_t answered, parsed, round;
	struct dv_hist latency;
};

/* The answer to slot i's query: the query composed as the generator composes
 * it, answered in place as the embedded responder answers (one A record). */
static uint16_t rxf_answer(struct rxf *f, uint32_t i, const uint8_t *qname, uint8_t qlen,
			   uint16_t qtype)
{
	uint8_t q[DV_QUESTION_MAX];
	uint8_t *fr = f->frames + (size_t)i * RXF_STRIDE;
	uint16_t sport, id;
	dv_inflight_wire_id(&f->ifl, i, &sport, &id);
	uint16_t len = dv_question_write(q, qname, qlen, qtype);
	len = dv_frame_compose(fr, &f->l34, q, len, dv_question_sum(q, len), NULL, id, sport, NULL);
	int n = dv_answer_build(fr, len, RXF_STRIDE, &f->acfg);
	return n > 0 ? (uint16_t)n : 0; /* 0: never parsed as DNS, and the run reports it */
}

/* The attempt of every slot for this round, and its answer frames in the first. */
static void rxf_issue(struct rxf *f, uint64_t now)
{
	for (uint32_t i = 0; i < RXF_ANSWERS; i++) {
		uint32_t e = i % (uint32_t)f->ql.n;
		struct dv_attempt_id a = { .lseq = i, .family = DV_FAMILY_V4 };
		if (f->mode == RXF_UNIQUE) {
			a.qidx = DV_QIDX_GENERATED;
			a.qtype = 1;
		} else {
			a.qidx = e;
			a.qtype = f->ql.q[e].qtype;
		}
		dv_inflight_issue(&f->ifl, f->round * RXF_SLOTS + i, &a, now);
		if (f->round > 0)
			continue;
		if (f->mode == RXF_UNIQUE) {
			uint8_t name[DV_QNAME_OUT];
			uint8_t n = dv_qsource_name(&f->qs, dv_inflight_global(&f->ifl, i), name);
			f->len[i] = rxf_answer(f, i, name, n, 1);
		} else {
			f->len[i] = rxf_answer(f, i, f->ql.q[e].qname, f->ql.q[e].qname_len, a.qtype);
		}
	}
	dv_inflight_publish(&f->ifl, f->round * RXF_SLOTS + RXF_ANSWERS);
}

/* One round over every frame: the timed work, inlined once per mode. */
static inline __attribute__((always_inline)) void rxf_round(struct rxf *f, enum rxf_mode mode)
{
	uint64_t now = rte_rdtsc();
	for (uint32_t i = 0; i < RXF_ANSWERS; i++) {
		struct dv_resp_info ri;
		if ((i & 31) == 0)
			now = rte_rdtsc(); /* once a burst, as the collector */
		if (dv_response_parse(f->frames + (size_t)i * RXF_STRIDE, f->len[i], 53, &ri) != DV_PKT_DNS)
			continue;
		f->parsed++;
		if (mode == RXF_PARSE)
			continue;
		struct dv_match m;
		if (dv_match_response(&f->ifl, &f->qs, f->target, &ri, &m) != DV_OUT_ANSWERED)
			continue;
		dv_inflight_answer(&f->ifl, &m);
		f->answered++;
		dv_hist_add(&f->latency, now - m.tx_tsc);
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static struct rxf f;
	unsigned mode;
	double secs;
	if (floor_args("dv-rxfloor", false, argc, argv, rxf_modes, RXF_MODES, &mode, &secs) != 0)
		return 2;
	f.mode = (enum rxf_mode)mode;
	struct dv_endpoints ep;
	floor_endpoints(&ep);
	f.target[0] = ep.dst;
	dv_answer_cfg_default(&f.acfg);
	const char *why = NULL;
	f.qs.ql = &f.ql;
	f.qs.generated = true;
	f.qs.seed = 42;
	f.qs.name_mul = 1;
	f.frames = aligned_alloc(64, (size_t)RXF_ANSWERS * RXF_STRIDE);
	if (dv_queryfile_load(argv[3], &f.ql) != 0 || f.ql.n == 0 || f.frames == NULL ||
	    dv_qname_compile(FLOOR_PATTERN, &f.qs.pattern, &why) != 0 || dv_l34_build(&ep, &f.l34) != 0 ||
	    dv_inflight_init(&f.ifl, RXF_SLOTS, RXF_SPORT) != 0) {
		fprintf(stderr, "dv-rxfloor: cannot set up (query file %s)\n", argv[3]);
		return 2;
	}
	memset(f.frames, 0, (size_t)RXF_ANSWERS * RXF_STRIDE);

	/* The TSC's rate against the monotonic clock, over the whole run. */
	double s0 = now_s();
	uint64_t c0 = rte_rdtsc(), busy = 0, until = 0;
	do {
		rxf_issue(&f, rte_rdtsc());
		uint64_t t = rte_rdtsc();
		switch (f.mode) {
		case RXF_PARSE: rxf_round(&f, RXF_PARSE); break;
		case RXF_MATCH: rxf_round(&f, RXF_MATCH); break;
		case RXF_UNIQUE: rxf_round(&f, RXF_UNIQUE); break;
		case RXF_MODES: break;
		}
		busy += rte_rdtsc() - t;
		f.round++;
		if (until == 0 && f.round == 16) /* a first estimate of the TSC's rate */
			until = c0 + (uint64_t)(secs * (double)(rte_rdtsc() - c0) / (now_s() - s0));
	} while (until == 0 || rte_rdtsc() < until);
	double hz = (double)(rte_rdtsc() - c0) / (now_s() - s0);

	uint64_t expect = f.round * RXF_ANSWERS;
	uint64_t done = f.mode == RXF_PARSE ? f.parsed : f.answered;
	if (done != expect) {
		fprintf(stderr, "dv-rxfloor: %s: %llu of %llu answers taken\n", rxf_modes[mode],
			(unsigned long long)done, (unsigned long long)expect);
		return 1;
	}
	printf("%s %.2f %.0f\n", rxf_modes[mode], (double)busy / (double)done,
	       (double)done * hz / (double)busy);
	dv_query_list_free(&f.ql);
	dv_inflight_free(&f.ifl);
	free(f.frames);
	return 0;
}
