/**
 * @file parse.c
 * @brief Strict value parsers (see parse.h).
 *
 * strtod()/strtoul() are too lenient for user input (leading blanks, signs,
 * hex, "inf", "nan", exponents), so the syntax is checked by hand first and
 * only a validated plain decimal string is handed to strtod().
 */
#include "config/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "core/log.h"

/**
 * Accept a plain decimal number "D+", "D+.D*" or ".D+" at the start of s.
 * @return number of bytes consumed (0 = not a number)
 */
static size_t scan_decimal(const char *s, double *val)
{
	size_t i = 0, digits = 0;
	while (s[i] >= '0' && s[i] <= '9') {
		i++;
		digits++;
	}
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			i++;
			digits++;
		}
	}
	if (digits == 0)
		return 0;

	/* Bounded copy so strtod() sees exactly the validated text. */
	char tmp[64];
	if (i >= sizeof(tmp))
		return 0;
	memcpy(tmp, s, i);
	tmp[i] = '\0';
	errno = 0;
	double v = strtod(tmp, NULL);
	if (errno != 0 || !isfinite(v))
		return 0;
	*val = v;
	return i;
}

/** dv_parse_rate() and dv_parse_rate_zero(). */
static int parse_rate(const char *s, bool allow_zero, double *out)
{
	if (s == NULL || out == NULL)
		return -EINVAL;

	double v;
	size_t n = scan_decimal(s, &v);
	if (n == 0)
		return -EINVAL;

	const char *sfx = s + n;
	double mult = 1.0;
	/* Lower-case 'm' is refused on purpose: it reads like "milli". */
	if (strcmp(sfx, "k") == 0 || strcmp(sfx, "K") == 0)
		mult = 1e3;
	else if (strcmp(sfx, "M") == 0)
		mult = 1e6;
	else if (strcmp(sfx, "G") == 0)
		mult = 1e9;
	else if (*sfx != '\0')
		return -EINVAL;

	v *= mult;
	if (v < 0.0 || v > DV_QPS_MAX || (v == 0.0 && !allow_zero))
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_rate(const char *s, double *out)
{
	return parse_rate(s, false, out);
}

int dv_parse_rate_zero(const char *s, double *out)
{
	return parse_rate(s, true, out);
}

int dv_parse_seconds(const char *s, bool allow_zero, double *out)
{
	if (s == NULL || out == NULL)
		return -EINVAL;

	double v;
	size_t n = scan_decimal(s, &v);
	if (n == 0)
		return -EINVAL;

	const char *unit = s + n;
	if (strcmp(unit, "ms") == 0)
		v /= 1000.0;
	else if (strcmp(unit, "s") != 0 && *unit != '\0')
		return -EINVAL;

	if (v < 0.0 || v > DV_SECONDS_MAX)
		return -EINVAL;
	if (v == 0.0 && !allow_zero)
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_number(const char *s, double *out)
{
	if (s == NULL || out == NULL)
		return -EINVAL;

	double v;
	size_t n = scan_decimal(s, &v);
	if (n == 0 || s[n] != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_percent(const char *s, double *out)
{
	if (s == NULL || out == NULL)
		return -EINVAL;

	double v;
	size_t n = scan_decimal(s, &v);
	if (n == 0)
		return -EINVAL;
	if (s[n] == '%')
		n++;
	if (s[n] != '\0' || v > 100.0)
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_fraction(const char *s, double *out)
{
	double v;
	if (dv_parse_number(s, &v) != 0 || v > 1.0)
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (s == NULL || out == NULL || *s == '\0')
		return -EINVAL;

	uint64_t v = 0;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int dv_parse_port(const char *s, uint16_t *out)
{
	uint64_t v;
	int ret = dv_parse_uint(s, 1, 65535, &v);
	if (ret != 0 || out == NULL)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int dv_parse_addr(const char *s, struct dv_addr *out)
{
	if (s == NULL || out == NULL)
		return -EINVAL;

	struct dv_addr a;
	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, &a.v4) == 1) {
		a.family = AF_INET;
	} else if (inet_pton(AF_INET6, s, &a.v6) == 1) {
		a.family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*out = a;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dv_parse_mac(const char *s, uint8_t mac[6])
{
	if (s == NULL || mac == NULL || strlen(s) != 17)
		return -EINVAL;

	uint8_t m[6];
	for (int i = 0; i < 6; i++) {
		const char *p = s + i * 3;
		int hi = hexval(p[0]), lo = hexval(p[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && p[2] != ':')
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, sizeof(m));
	return 0;
}

int dv_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };

	if (s == NULL || out == NULL)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Flat YAML mappings. */

/*
 * The whole document is read into entries before any callback runs, so a
 * YAML syntax error is always reported before a bad value above it (libyaml
 * would otherwise hand out "5 timeout" for a mis-indented line first).
 */

/** One collected entry. */
struct yentry {
	char *key;
	size_t line;
	bool is_seq;
	size_t n;
	char *v[DV_YAML_SEQ_MAX];
	size_t vline[DV_YAML_SEQ_MAX];
};

/** Walker state. */
struct ywalk {
	yaml_parser_t parser;
	const char *file;
	const char *text;
	size_t len;
	struct yentry *ent;
	size_t nent, cap;
};

/** Report why libyaml failed, with the best line we can find. */
static int yaml_syntax_error(struct ywalk *w)
{
	const yaml_parser_t *p = &w->parser;
	if (p->error == YAML_MEMORY_ERROR) {
		dv_err("%s: out of memory", w->file);
		return -ENOMEM;
	}

	size_t line;
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors (bad UTF-8, control bytes) carry only an offset. */
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < w->len; i++)
			line += w->text[i] == '\n';
	} else {
		line = p->problem_mark.line + 1;
	}
	const char *problem = p->problem != NULL ? p->problem : "unknown problem";

	/* The context says where the broken construct began, e.g. the opening
	 * quote of a string that never ends. */
	size_t cline = p->context_mark.line + 1;
	if (p->error != YAML_READER_ERROR && p->context != NULL && cline != line)
		dv_err("%s:%zu: YAML syntax error: %s (%s on line %zu)", w->file, line,
		       problem, p->context, cline);
	else
		dv_err("%s:%zu: YAML syntax error: %s", w->file, line, problem);
	return -EINVAL;
}

static int next_event(struct ywalk *w, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&w->parser, ev))
		return yaml_syntax_error(w);
	if (ev->type == YAML_ALIAS_EVENT) {
		dv_err("%s:%zu: YAML aliases are not supported", w->file,
		       ev->start_mark.line + 1);
		yaml_event_delete(ev);
		return -EINVAL;
	}
	return 0;
}

static size_t ev_line(const yaml_event_t *ev)
{
	return ev->start_mark.line + 1;
}

/** A plain scalar that YAML reads as null ("key:" with nothing after it). */
static bool scalar_is_null(const yaml_event_t *ev)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strcmp((const char *)ev->data.scalar.value, nulls[i]) == 0)
			return true;
	}
	return false;
}

/** Copy a scalar, refusing embedded NULs (possible with "\0" escapes). */
static int scalar_dup(struct ywalk *w, const yaml_event_t *ev, char **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	if (memchr(v, '\0', n) != NULL) {
		dv_err("%s:%zu: NUL byte in value", w->file, ev_line(ev));
		return -EINVAL;
	}
	*out = strndup(v, n);
	if (*out == NULL) {
		dv_err("%s: out of memory", w->file);
		return -ENOMEM;
	}
	return 0;
}

static void yentry_clear(struct yentry *e)
{
	free(e->key);
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i]);
	memset(e, 0, sizeof(*e));
}

/** Read the value after a key into e (which owns the key already). */
static int read_value(struct ywalk *w, struct yentry *e)
{
	char qb[DV_QUOTE_BUF];
	const char *qkey = dv_quote(e->key, qb, sizeof(qb));
	yaml_event_t ev;
	int ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	bool have_ev = true;

	switch (ev.type) {
	case YAML_SCALAR_EVENT:
		if (scalar_is_null(&ev)) {
			dv_err("%s:%zu: %s: missing value", w->file, ev_line(&ev), qkey);
			ret = -EINVAL;
			goto cleanup;
		}
		ret = scalar_dup(w, &ev, &e->v[0]);
		if (ret != 0)
			goto cleanup;
		e->vline[0] = ev_line(&ev);
		e->n = 1;
		break;
	case YAML_SEQUENCE_START_EVENT:
		e->is_seq = true;
		for (;;) {
			yaml_event_delete(&ev);
			have_ev = false;
			ret = next_event(w, &ev);
			if (ret != 0)
				goto cleanup;
			have_ev = true;
			if (ev.type == YAML_SEQUENCE_END_EVENT)
				break;
			if (ev.type != YAML_SCALAR_EVENT) {
				dv_err("%s:%zu: %s: list items must be plain values",
				       w->file, ev_line(&ev), qkey);
				ret = -EINVAL;
				goto cleanup;
			}
			if (scalar_is_null(&ev)) {
				dv_err("%s:%zu: %s: empty list item", w->file,
				       ev_line(&ev), qkey);
				ret = -EINVAL;
				goto cleanup;
			}
			if (e->n == DV_YAML_SEQ_MAX) {
				dv_err("%s:%zu: %s: more than %d items", w->file,
				       ev_line(&ev), qkey, DV_YAML_SEQ_MAX);
				ret = -EINVAL;
				goto cleanup;
			}
			ret = scalar_dup(w, &ev, &e->v[e->n]);
			if (ret != 0)
				goto cleanup;
			e->vline[e->n++] = ev_line(&ev);
		}
		break;
	case YAML_MAPPING_START_EVENT:
		dv_err("%s:%zu: %s: expected a value, not a mapping", w->file,
		       ev_line(&ev), qkey);
		ret = -EINVAL;
		break;
	default:
		dv_err("%s:%zu: %s: unexpected YAML structure", w->file,
		       ev_line(&ev), qkey);
		ret = -EINVAL;
		break;
	}
cleanup:
	if (have_ev)
		yaml_event_delete(&ev);
	return ret;
}

/** Read one key and its value into a new entry; reports duplicates. */
static int read_entry(struct ywalk *w, const yaml_event_t *kev)
{
	char qb[DV_QUOTE_BUF];
	size_t line = ev_line(kev);
	if (kev->type != YAML_SCALAR_EVENT) {
		dv_err("%s:%zu: keys must be plain words", w->file, line);
		return -EINVAL;
	}
	if (scalar_is_null(kev)) {
		dv_err("%s:%zu: empty key", w->file, line);
		return -EINVAL;
	}

	if (w->nent == w->cap) {
		size_t ncap = w->cap == 0 ? 16 : w->cap * 2;
		struct yentry *ne = realloc(w->ent, ncap * sizeof(*ne));
		if (ne == NULL) {
			dv_err("%s: out of memory", w->file);
			return -ENOMEM;
		}
		w->ent = ne;
		w->cap = ncap;
	}
	struct yentry *e = &w->ent[w->nent];
	memset(e, 0, sizeof(*e));
	int ret = scalar_dup(w, kev, &e->key);
	if (ret != 0)
		return ret;
	e->line = line;

	for (size_t i = 0; i < w->nent; i++) {
		if (strcmp(w->ent[i].key, e->key) == 0) {
			dv_err("%s:%zu: duplicate key '%s' (first on line %zu)", w->file,
			       line, dv_quote(e->key, qb, sizeof(qb)), w->ent[i].line);
			yentry_clear(e);
			return -EINVAL;
		}
	}

	ret = read_value(w, e);
	if (ret != 0) {
		yentry_clear(e);
		return ret;
	}
	w->nent++;
	return 0;
}

/** Collect the entries of the top-level mapping, up to its MAPPING_END. */
static int read_mapping(struct ywalk *w)
{
	for (;;) {
		yaml_event_t ev;
		int ret = next_event(w, &ev);
		if (ret != 0)
			return ret;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		ret = read_entry(w, &ev);
		yaml_event_delete(&ev);
		if (ret != 0)
			return ret;
	}
}

/** Parse the whole stream into w->ent. */
static int read_document(struct ywalk *w)
{
	yaml_event_t ev;
	/* STREAM-START, then DOCUMENT-START or STREAM-END (empty file). */
	int ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	yaml_event_delete(&ev);
	ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	bool empty = ev.type == YAML_STREAM_END_EVENT;
	yaml_event_delete(&ev);
	if (empty)
		return 0;

	/* The document's root node: a mapping, or nothing at all. */
	ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	if (ev.type == YAML_MAPPING_START_EVENT) {
		yaml_event_delete(&ev);
		ret = read_mapping(w);
		if (ret != 0)
			return ret;
	} else {
		bool null_doc = ev.type == YAML_SCALAR_EVENT && scalar_is_null(&ev);
		size_t line = ev_line(&ev);
		yaml_event_delete(&ev);
		if (!null_doc) {
			dv_err("%s:%zu: expected 'key: value' lines", w->file, line);
			return -EINVAL;
		}
	}

	/* DOCUMENT-END, then nothing but STREAM-END. */
	ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	yaml_event_delete(&ev);
	ret = next_event(w, &ev);
	if (ret != 0)
		return ret;
	if (ev.type != YAML_STREAM_END_EVENT) {
		dv_err("%s:%zu: only one YAML document is allowed", w->file, ev_line(&ev));
		ret = -EINVAL;
	}
	yaml_event_delete(&ev);
	return ret;
}

int dv_yaml_map_walk(const char *file, const char *text, size_t len,
		     dv_yaml_entry_cb cb, void *ctx)
{
	if (file == NULL || (text == NULL && len > 0) || cb == NULL)
		return -EINVAL;

	struct ywalk w = { .file = file, .text = text, .len = len };
	if (!yaml_parser_initialize(&w.parser)) {
		dv_err("%s: out of memory", file);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&w.parser,
				     (const unsigned char *)(text != NULL ? text : ""), len);

	int ret = read_document(&w);
	for (size_t i = 0; ret == 0 && i < w.nent; i++) {
		const struct yentry *y = &w.ent[i];
		struct dv_yaml_entry e = {
			.file = file, .key = y->key, .line = y->line,
			.is_seq = y->is_seq, .n = y->n,
			.v = (const char *const *)y->v, .vline = y->vline,
		};
		ret = cb(&e, ctx);
	}

	yaml_parser_delete(&w.parser);
	for (size_t i = 0; i < w.nent; i++)
		yentry_clear(&w.ent[i]);
	free(w.ent);
	return ret;
}

int dv_copy_value(const char *ctx, const char *v, char *dst, size_t size)
{
	if (*v == '\0') {
		dv_err("%s: empty value", ctx);
		return -EINVAL;
	}
	if (strlen(v) >= size) {
		dv_err("%s: longer than %zu bytes", ctx, size - 1);
		return -EINVAL;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}
