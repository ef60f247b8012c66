/**
 * @file population.h
 * @brief --population FILE|PRESET: a weighted mix of resolver kinds.
 *
 * A population file is a flat YAML mapping, one kind per key:
 *
 *     # kind: WEIGHT then the kind's settings, KEY=VALUE
 *     unbound-v4:  "40% family=v4 requery=unbound attempts=3 lost=33% edns=1232 do=1"
 *     happy-eyes:  "60% family=happy-eyeballs:10ms requery=375ms lost=55%"
 *
 * WEIGHT is relative (percent or any number). The keys are the sequence
 * options of the command line (family, requery, attempts, retry-change,
 * on-tc, tcp-after, edns, edns-ladder, do), checked by the same setters,
 * whose values the run's options give a kind that does not set them; and
 * lost=P, the share of answers the kind's resolvers never get (a lossy
 * path), which makes them ask again as after a timeout. Each kind sends from
 * its own slice of the --src ranges, so a source address always behaves as
 * the same kind.
 */
#pragma once

#include "config/plan.h"

#define DV_POPULATION_PRESETS "apnic-2023"

/** --population: record the file or preset (resolved by dv_population_finish()). */
int dv_set_population(struct dv_plan *p, const char *v, const char *ctx);

/**
 * Read the population (a file, else a preset by name), each kind's settings
 * on top of the run's sequence options, and finish each kind's sequences.
 * Call once every setting is in, before dv_seqspec_finish() of the run.
 * @return 0, or -EINVAL after one line saying why
 */
int dv_population_finish(struct dv_plan *p);

/**
 * Once the targets are known: each kind's families have a target, and the
 * --src range of each family it sends is split into a slice per kind.
 * @return 0, or -EINVAL after one line saying why
 */
int dv_population_check(struct dv_plan *p);

/**
 * The text of a preset (a population file), or NULL.
 */
const char *dv_population_preset(const char *name);
