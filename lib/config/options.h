/**
 * @file options.h
 * @brief The option table: one row per option (options.def), from which the
 *        command line, the scenario keys and --help are made.
 *
 * A row gives the long name, the letter, the argument kind, the scenario key,
 * the setter, the default shown in --help and the help text. cli.c builds
 * getopt's tables from it and calls the setter of the option it reads;
 * scenario.c looks keys up in it; dv_options_help() prints the options part
 * of --help from it, group by group.
 */
#pragma once

#include <stdio.h>

#include "config/plan.h"

/** Checks and stores one value; reports a bad one as one line "CTX: ...". */
typedef int (*dv_setter_fn)(struct dv_plan *p, const char *v, const char *ctx);

/** Clears what a list setting accumulated, so a new list replaces it. */
typedef void (*dv_forget_fn)(struct dv_plan *p);

/** What follows the option on the command line (getopt's has_arg values). */
enum dv_opt_arg {
	DV_ARG_NONE = 0,     /**< a flag: the setter gets "true" */
	DV_ARG_REQUIRED = 1, /**< a value */
	DV_ARG_OPTIONAL = 2, /**< --name[=VALUE]; alone the setter gets "true" */
};

/** Sections of --help; a row in DV_GROUP_HIDDEN is not listed. */
enum dv_opt_group {
	DV_GROUP_HIDDEN = 0,
	DV_GROUP_LOAD,
	DV_GROUP_RATE,
	DV_GROUP_SEQUENCE,
	DV_GROUP_FRAGMENTS,
	DV_GROUP_TCP,
	DV_GROUP_NETWORK,
	DV_GROUP_LCORES,
	DV_GROUP_OUTPUT,
	DV_GROUP_COUNT,
};

/** Scenario value shapes (a list is also accepted when the row has a forget function). */
#define DV_OPT_RELPATH 0x1 /**< a relative path is relative to the scenario */
#define DV_OPT_JOIN    0x2 /**< a YAML list is joined with ',' into one value */

/** The rows' identifiers: DV_OPT_TARGET, DV_OPT_RATE, ... */
enum dv_opt_id {
#define DV_OPT(id, ...) DV_OPT_##id,
#define DV_NOTE(id, ...) DV_OPT_##id,
#include "config/options.def"
	DV_OPT_COUNT
};

/** One row of options.def. */
struct dv_option {
	enum dv_opt_id id;
	const char *name;      /**< long option, without "--"; NULL: scenario key only, or a note */
	int letter;            /**< short option, or 0 */
	enum dv_opt_arg arg;
	const char *key;       /**< scenario key, or NULL: command line only */
	dv_setter_fn set;      /**< NULL: handled before the scenario (--help, --scenario, ...) */
	dv_forget_fn forget;   /**< list settings: clears the list the first value replaces */
	unsigned flags;        /**< DV_OPT_RELPATH, DV_OPT_JOIN */
	enum dv_opt_group group;
	const char *meta;      /**< the value's name in --help ("ADDR"), NULL for flags */
	const char *dflt;      /**< default as --help shows it (replaces "{D}" in help); NULL: none */
	const char *help;      /**< lines joined with '\n', without indentation */
	const char *label;     /**< notes only: the left column, e.g. "--edns SPEC" */
};

/** Every row, in options.def order (= getopt's order); dv_options[i].id == i. */
extern const struct dv_option dv_options[DV_OPT_COUNT];

/** The row of a scenario key, or NULL. */
const struct dv_option *dv_option_by_key(const char *key);

/**
 * The left column of --help for a row: "-s ADDR", "-q, --quiet",
 * "--max-queries N", "--track-answers[=N]" (or the note's label).
 */
void dv_option_label(const struct dv_option *o, char *buf, size_t len);

/**
 * Print the options part of --help: each group's title, then its rows in
 * table order, "{D}" in a help text replaced by the row's default.
 */
void dv_options_help(FILE *f);
