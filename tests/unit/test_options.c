/* The option table (lib/config/options.def): consistent, documented in the
 * man page, and the defaults --help shows are the plan's. */
#include <check.h>

#include "check_main.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cli.h"
#include "config/options.h"
#include "config/parse.h"
#include "config/scenario.h"
#include "core/log.h"

#ifndef DV_TEST_DATA
#error "DV_TEST_DATA must name tests/data"
#endif

static char msg[512];

static void setup(void)
{
	dv_log_capture(msg, sizeof(msg));
}

static void teardown(void)
{
	dv_log_capture(NULL, 0);
}

/** The --help text, malloc'd. */
/* noinline: inlined, GCC -O3 takes the memstream's pointer to 'text' for a dangling one. */
static __attribute__((noinline)) char *usage_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	dv_cli_usage(f);
	fclose(f);
	return text;
}

/* Options cli.c's first pass handles: they have no setter. */
static bool first_pass(enum dv_opt_id id)
{
	return id == DV_OPT_HELP || id == DV_OPT_VERSION || id == DV_OPT_SCENARIO ||
	       id == DV_OPT_LIST_PORTS;
}

START_TEST(table_is_consistent)
{
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		const struct dv_option *a = &dv_options[i];
		ck_assert_int_eq(a->id, (int)i);
		bool note = a->label != NULL;
		ck_assert_msg(note || a->name != NULL || a->key != NULL, "row %zu: neither option nor key", i);
		if (!note) {
			ck_assert_msg((a->set == NULL) == first_pass(a->id), "row %zu (%s): setter", i,
				      a->name);
		} else {
			ck_assert_msg(a->name == NULL && a->key == NULL && a->set == NULL,
				      "note %zu is an option", i);
		}
		/* A list is a scenario key's (the first value replaces the list). */
		ck_assert_msg(a->forget == NULL || a->key != NULL || a->name != NULL, "row %zu", i);
		if (a->group != DV_GROUP_HIDDEN) {
			ck_assert_msg(a->help != NULL && a->help[0] != '\0', "row %zu: no help", i);
			ck_assert_msg(note || a->name != NULL, "row %zu: shown without a name", i);
			ck_assert_msg(note || (a->meta != NULL) == (a->arg != DV_ARG_NONE),
				      "--%s: META and ARG disagree", a->name);
		}
		/* "{D}" in the help text exactly when there is a default. */
		bool has_d = a->help != NULL && strstr(a->help, "{D}") != NULL;
		ck_assert_msg(has_d == (a->dflt != NULL), "row %zu (%s): {D} and DEFAULT", i,
			      a->name != NULL ? a->name : a->key);
		if (a->letter != 0)
			ck_assert_msg(isalnum(a->letter) && a->name != NULL, "row %zu: letter", i);

		for (size_t j = 0; j < i; j++) {
			const struct dv_option *b = &dv_options[j];
			if (a->name != NULL && b->name != NULL)
				ck_assert_msg(strcmp(a->name, b->name) != 0, "--%s twice", a->name);
			if (a->letter != 0)
				ck_assert_msg(a->letter != b->letter, "-%c twice", a->letter);
			if (a->key != NULL && b->key != NULL)
				ck_assert_msg(strcmp(a->key, b->key) != 0, "key %s twice", a->key);
		}
		if (a->key != NULL)
			ck_assert_ptr_eq(dv_option_by_key(a->key), a);
	}
	ck_assert_ptr_null(dv_option_by_key("nope"));
}
END_TEST

/** Whether the man page names --NAME (roff: "\-\-dns\-port"), as a whole word. */
static bool man_has(const char *man, const char *name)
{
	char want[128] = "\\-\\-";
	size_t o = strlen(want);
	for (const char *s = name; *s != '\0' && o + 3 < sizeof(want); s++) {
		if (*s == '-')
			want[o++] = '\\';
		want[o++] = *s;
	}
	want[o] = '\0';
	for (const char *p = strstr(man, want); p != NULL; p = strstr(p + 1, want)) {
		const char *end = p + o;
		if (!isalnum((unsigned char)*end) && strncmp(end, "\\-", 2) != 0)
			return true;
	}
	return false;
}

START_TEST(man_page_has_every_option)
{
	const char *root = getenv("DV_SOURCE_ROOT");
	char path[4096];
	snprintf(path, sizeof(path), "%s/docs/dnsvolley.1",
		 root != NULL ? root : DV_TEST_DATA "/../..");
	char *man = NULL;
	size_t len = 0;
	ck_assert_int_eq(dv_read_file(path, 1 << 22, &man, &len), 0);
	ck_assert(man_has(man, "dns-port"));
	ck_assert(!man_has(man, "dns"));     /* a word, not a prefix */
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		const char *name = dv_options[i].name;
		if (name != NULL)
			ck_assert_msg(man_has(man, name), "docs/dnsvolley.1 lacks --%s", name);
	}
	free(man);
}
END_TEST

/** The text of one --help entry: from its label to the next entry or section. */
static char *help_entry(const char *usage, const struct dv_option *o)
{
	char label[80], head[96];
	dv_option_label(o, label, sizeof(label));
	snprintf(head, sizeof(head), "\n  %s", label);
	const char *p = strstr(usage, head);
	/* "--max" is also the start of "--max-queries N" */
	while (p != NULL && p[strlen(head)] != ' ' && p[strlen(head)] != '\n')
		p = strstr(p + 1, head);
	ck_assert_msg(p != NULL, "--help lacks '%s'", label);
	p += strlen(head);
	const char *end = p;
	while (*end != '\0' && strncmp(end, "\n  -", 4) != 0 && strncmp(end, "\n\n", 2) != 0)
		end++;
	return strndup(p, (size_t)(end - p));
}

START_TEST(help_defaults_are_the_plans)
{
	char *usage = usage_text();
	size_t shown = 0;
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		const struct dv_option *o = &dv_options[i];
		if (o->group != DV_GROUP_HIDDEN) {
			char *e = help_entry(usage, o);
			ck_assert_msg(strstr(e, "{D}") == NULL, "--%s: {D} not replaced", o->name);
			if (o->dflt != NULL) {
				/* "(default 1232)", or "reassemble (default)" */
				char a[96], b[96];
				snprintf(a, sizeof(a), "default %s", o->dflt);
				snprintf(b, sizeof(b), "%s (default)", o->dflt);
				ck_assert_msg(strstr(e, a) != NULL || strstr(e, b) != NULL,
					      "--%s: --help does not show default %s", o->name, o->dflt);
			}
			free(e);
		}
		if (o->dflt == NULL)
			continue;
		/* Given explicitly, the default leaves the default plan as it was. */
		struct dv_plan want, got;
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "--%s", o->name);
		dv_plan_defaults(&want);
		dv_plan_defaults(&got);
		ck_assert_msg(o->set(&got, o->dflt, ctx) == 0, "%s %s: %s", ctx, o->dflt, msg);
		ck_assert_msg(memcmp(&want, &got, sizeof(want)) == 0,
			      "%s: --help says default %s, the plan's default differs", ctx, o->dflt);
		shown++;
	}
	ck_assert_uint_ge(shown, 10);
	free(usage);
}
END_TEST

START_TEST(help_catches_a_wrong_default)
{
	/* The check above would see a plan default that drifted from --help. */
	struct dv_plan want, got;
	dv_plan_defaults(&want);
	dv_plan_defaults(&got);
	ck_assert_int_eq(dv_options[DV_OPT_EDNS].set(&got, "4096", "-e"), 0);
	ck_assert(memcmp(&want, &got, sizeof(want)) != 0);
}
END_TEST

START_TEST(help_names_every_option)
{
	/* Each long option is in --help: as an entry, or in the closing list of
	 * scenario keys (the letters' long names, hidden options). */
	char *usage = usage_text();
	for (size_t i = 0; i < DV_OPT_COUNT; i++) {
		const char *name = dv_options[i].name;
		if (name == NULL)
			continue;
		char word[64];
		int n = snprintf(word, sizeof(word), "--%s", name);
		bool found = false;
		for (const char *p = strstr(usage, word); p != NULL && !found;
		     p = strstr(p + 1, word))
			found = !isalnum((unsigned char)p[n]) && p[n] != '-';
		ck_assert_msg(found, "--help lacks %s", word);
	}
	free(usage);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("options");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, table_is_consistent);
	tcase_add_test(tc, man_page_has_every_option);
	tcase_add_test(tc, help_defaults_are_the_plans);
	tcase_add_test(tc, help_catches_a_wrong_default);
	tcase_add_test(tc, help_names_every_option);
	suite_add_tcase(s, tc);
	return dv_check_run(s);
}
