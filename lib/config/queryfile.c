/**
 * @file queryfile.c
 * @brief dnsperf-style query file loader (see queryfile.h).
 *
 * This runs before EAL, so plain malloc/realloc is fine here; the engine
 * copies the list into its frame templates later.
 */
#include "config/queryfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "config/parse.h"
#include "core/log.h"

/** Loader state shared by the file and memory front ends. */
struct qf_ctx {
	const char *name;            /**< for messages */
	struct dv_query_list list;   /**< being built */
	size_t cap;                  /**< allocated entries */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/** Raw bytes that presentation format requires to be escaped. */
static bool has_raw_bytes(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f)
			return true;
	}
	return false;
}

/**
 * Convert a name to wire format.
 * @param why  set to a short reason on failure
 */
static int parse_name(const char *name, struct dv_query *q, const char **why)
{
	if (has_raw_bytes(name)) {
		*why = "control or non-ASCII byte, use \\DDD";
		return -EINVAL;
	}

	ldns_rdf *rdf = NULL;
	ldns_status st = ldns_str2rdf_dname(&rdf, name);
	if (st != LDNS_STATUS_OK) {
		switch (st) {
		case LDNS_STATUS_LABEL_OVERFLOW:
			*why = "label longer than 63 bytes";
			break;
		case LDNS_STATUS_DOMAINNAME_OVERFLOW:
			*why = "name longer than 255 bytes";
			break;
		case LDNS_STATUS_EMPTY_LABEL:
			*why = "empty label";
			break;
		default:
			*why = ldns_get_errorstr_by_id(st);
			break;
		}
		return -EINVAL;
	}

	/* ldns always ends the wire form with the root label, so a relative
	 * name comes out absolute, which is what dnsperf does too. */
	size_t len = ldns_rdf_size(rdf);
	int ret = 0;
	if (len == 0 || len > sizeof(q->qname)) {
		*why = "name longer than 255 bytes";
		ret = -EINVAL;
		goto cleanup;
	}
	memcpy(q->qname, ldns_rdf_data(rdf), len);
	q->qname_len = (uint8_t)len;
cleanup:
	ldns_rdf_deep_free(rdf);
	return ret;
}

/** A DNS class mnemonic (IN, CH, HS, ANY, CLASSn). */
static bool is_class(const char *w)
{
	return strcasecmp(w, "IN") == 0 || strcasecmp(w, "CH") == 0 || strcasecmp(w, "HS") == 0 ||
	       strcasecmp(w, "ANY") == 0 ||
	       (strncasecmp(w, "CLASS", 5) == 0 && w[5] >= '0' && w[5] <= '9');
}

/** Type mnemonic or TYPEnnn to a number; 0 if unknown. */
static uint16_t parse_type(const char *type)
{
	if (strncasecmp(type, "TYPE", 4) == 0 && type[4] != '\0') {
		/* ldns uses atoi() here, which takes "TYPE12x" and wraps
		 * "TYPE99999"; be strict instead. */
		uint64_t v;
		if (dv_parse_uint(type + 4, 1, 65535, &v) != 0)
			return 0;
		return (uint16_t)v;
	}
	if (has_raw_bytes(type))
		return 0;
	int t = (int)ldns_get_rr_type_by_name(type);
	if (t <= 0 || t > 65535)
		return 0;
	return (uint16_t)t;
}

int dv_query_parse(const char *name, const char *type, struct dv_query *q)
{
	if (name == NULL || q == NULL)
		return -EINVAL;

	struct dv_query tmp;
	memset(&tmp, 0, sizeof(tmp));
	const char *why;
	if (parse_name(name, &tmp, &why) != 0)
		return -EINVAL;
	tmp.qtype = type == NULL ? LDNS_RR_TYPE_A : parse_type(type);
	if (tmp.qtype == 0)
		return -EPROTO;
	*q = tmp;
	return 0;
}

static int list_push(struct qf_ctx *ctx, const struct dv_query *q)
{
	if (ctx->list.n == ctx->cap) {
		size_t ncap = ctx->cap == 0 ? 256 : ctx->cap * 2;
		if (ncap > SIZE_MAX / sizeof(*q))
			return -ENOMEM;
		struct dv_query *nq = realloc(ctx->list.q, ncap * sizeof(*q));
		if (nq == NULL)
			return -ENOMEM;
		ctx->list.q = nq;
		ctx->cap = ncap;
	}
	ctx->list.q[ctx->list.n++] = *q;
	return 0;
}

/**
 * Cut the line at its comment: an unescaped ';' anywhere (as in zone files),
 * or a '#' that starts a word.
 */
static void strip_comment(char *line)
{
	for (char *p = line; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				break;
			p++; /* "\;" is part of a name */
			continue;
		}
		if (*p == ';' || (*p == '#' && (p == line || is_blank(p[-1])))) {
			*p = '\0';
			break;
		}
	}
}

/** Next whitespace-separated word, NULL at the end of the line. */
static char *next_word(char **cursor)
{
	char *p = *cursor;
	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return NULL;
	char *w = p;
	while (*p != '\0' && !is_blank(*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*cursor = p;
	return w;
}

/**
 * Parse one line (without its '\n'); the line may be modified.
 * @return 0, -EINVAL (reported) or -ENOMEM (reported)
 */
static int parse_line(struct qf_ctx *ctx, char *line, size_t len, size_t lineno)
{
	char qb[DV_QUOTE_BUF];

	if (len > DV_QUERYFILE_LINE_MAX) {
		dv_err("%s:%zu: line longer than %d bytes", ctx->name, lineno,
		       DV_QUERYFILE_LINE_MAX);
		return -EINVAL;
	}
	if (memchr(line, '\0', len) != NULL) {
		dv_err("%s:%zu: NUL byte in line (binary file?)", ctx->name, lineno);
		return -EINVAL;
	}

	strip_comment(line);
	char *cursor = line;
	char *name = next_word(&cursor);
	if (name == NULL)
		return 0; /* blank or comment */
	char *type = next_word(&cursor);
	char *extra = type != NULL ? next_word(&cursor) : NULL;
	/* "name CLASS type", as zone files and dig write it: the class goes
	 * between; every query is sent in class IN, so only IN is taken. */
	if (extra != NULL && is_class(type)) {
		if (strcasecmp(type, "IN") != 0) {
			dv_err("%s:%zu: class '%s': queries are sent in class IN only", ctx->name,
			       lineno, dv_quote(type, qb, sizeof(qb)));
			return -EINVAL;
		}
		type = extra;
		extra = next_word(&cursor);
	}
	if (extra != NULL) {
		dv_err("%s:%zu: trailing text '%s'", ctx->name, lineno,
		       dv_quote(extra, qb, sizeof(qb)));
		return -EINVAL;
	}

	struct dv_query q;
	memset(&q, 0, sizeof(q));
	const char *why = NULL;
	if (parse_name(name, &q, &why) != 0) {
		dv_err("%s:%zu: bad name '%s' (%s)", ctx->name, lineno,
		       dv_quote(name, qb, sizeof(qb)), why);
		return -EINVAL;
	}
	q.qtype = type == NULL ? LDNS_RR_TYPE_A : parse_type(type);
	if (q.qtype == 0) {
		dv_err("%s:%zu: unknown type '%s'", ctx->name, lineno,
		       dv_quote(type, qb, sizeof(qb)));
		return -EINVAL;
	}

	if (list_push(ctx, &q) != 0) {
		dv_err("%s:%zu: out of memory", ctx->name, lineno);
		return -ENOMEM;
	}
	return 0;
}

/** Hand the list over, or report an empty file. */
static int finish(struct qf_ctx *ctx, struct dv_query_list *out)
{
	if (ctx->list.n == 0) {
		dv_err("%s: no queries", ctx->name);
		return -EINVAL;
	}
	*out = ctx->list;
	ctx->list.q = NULL;
	ctx->list.n = 0;
	return 0;
}

int dv_queryfile_load_mem(const char *name, const char *text, size_t len,
			  struct dv_query_list *out)
{
	if (name == NULL || (text == NULL && len > 0) || out == NULL)
		return -EINVAL;

	struct qf_ctx ctx = { .name = name };
	char *line = NULL;
	int ret = 0;
	out->q = NULL;
	out->n = 0;

	size_t pos = 0, lineno = 0;
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		/* Copy: words are cut in place and the input is const. */
		if (ll <= DV_QUERYFILE_LINE_MAX) {
			char *nb = realloc(line, ll + 1);
			if (nb == NULL) {
				dv_err("%s: out of memory", name);
				ret = -ENOMEM;
				goto cleanup;
			}
			line = nb;
			memcpy(line, text + pos, ll);
			line[ll] = '\0';
		}
		ret = parse_line(&ctx, line, ll, lineno);
		if (ret != 0)
			goto cleanup;
		pos += ll + 1;
	}
	ret = finish(&ctx, out);
cleanup:
	free(line);
	dv_query_list_free(&ctx.list);
	return ret;
}

int dv_queryfile_load(const char *path, struct dv_query_list *out)
{
	if (path == NULL || out == NULL)
		return -EINVAL;

	struct qf_ctx ctx = { .name = path };
	char *line = NULL;
	size_t line_cap = 0;
	int ret = 0;
	out->q = NULL;
	out->n = 0;

	FILE *f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		dv_err("%s: %s", path, strerror(errno));
		return ret;
	}

	size_t lineno = 0;
	for (;;) {
		errno = 0;
		ssize_t n = getline(&line, &line_cap, f);
		if (n < 0) {
			if (ferror(f)) {
				ret = errno != 0 ? -errno : -EIO;
				dv_err("%s: %s", path, strerror(-ret));
				goto cleanup;
			}
			break;
		}
		lineno++;
		size_t ll = (size_t)n;
		if (ll > 0 && line[ll - 1] == '\n')
			line[--ll] = '\0';
		ret = parse_line(&ctx, line, ll, lineno);
		if (ret != 0)
			goto cleanup;
	}
	ret = finish(&ctx, out);
cleanup:
	free(line);
	fclose(f);
	dv_query_list_free(&ctx.list);
	return ret;
}

void dv_query_list_free(struct dv_query_list *l)
{
	if (l == NULL)
		return;
	free(l->q);
	l->q = NULL;
	l->n = 0;
}
