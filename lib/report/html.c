/**
 * @file html.c
 * @brief One self-contained HTML page: the text report and the SVG plots inlined.
 *
 * The page must open anywhere (a mail attachment, a CI artifact): no script,
 * no font, no image or style sheet by reference. The SVGs gnuplot wrote are
 * copied into the page; their ids are prefixed with the plot's name because
 * every gnuplot SVG defines the same ids (gpPt0, textbox, ...), and ids must
 * be unique in one document.
 */
#include "report/html.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/log.h"

/* An SVG of one plot is ~100 KB; anything far larger is not one of ours. */
#define SVG_MAX (16u << 20)

static const char page_style[] =
	"body{font-family:sans-serif;margin:1.5em auto;max-width:1000px;padding:0 1em;"
	"color:#222;background:#fff}\n"
	"h1{font-size:1.5em}\n"
	"pre{font-size:0.8em;background:#f6f6f6;border:1px solid #ddd;padding:0.8em;"
	"overflow-x:auto}\n"
	"figure{margin:1.5em 0}\n"
	"figure svg{display:block;width:100%;max-width:100%;height:auto}\n"
	"figcaption{font-size:0.9em;color:#444;margin-top:0.3em}\n"
	"table{border-collapse:collapse;font-size:0.85em;margin:1em 0}\n"
	"th,td{border:1px solid #ddd;padding:0.2em 0.5em;text-align:right;white-space:nowrap}\n"
	"div.wide{overflow-x:auto}\n"
	"th:first-child,td:first-child,td.t{text-align:left}\n"
	"td.pass{background:#e6f4e6}td.fail{background:#f9dede}td.none{background:#fff3cd}\n";

/** Text as HTML character data or attribute value. */
static void html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/**
 * Whether the SVG only draws: no script, no foreign content, and no link
 * except to its own ids. gnuplot's SVG terminal (without "mouse") passes;
 * anything else is not inlined, the page stays self-contained.
 */
static bool svg_is_inert(const char *svg)
{
	static const char *const banned[] = { "<script", "<foreignobject", "<iframe", "<image",
					      " src=", "javascript:", "@import" };
	for (unsigned i = 0; i < sizeof(banned) / sizeof(banned[0]); i++) {
		size_t bl = strlen(banned[i]);
		for (const char *p = svg; *p != '\0'; p++)
			if (strncasecmp(p, banned[i], bl) == 0)
				return false;
	}
	for (const char *p = strcasestr(svg, "href="); p != NULL; p = strcasestr(p + 5, "href=")) {
		if ((p[5] != '"' && p[5] != '\'') || p[6] != '#')
			return false;
	}
	for (const char *p = strcasestr(svg, "url("); p != NULL; p = strcasestr(p + 4, "url(")) {
		if (p[4] != '#')
			return false;
	}
	return true;
}

/**
 * Copy the <svg> element, without the XML declaration and DOCTYPE before it,
 * with every id and reference to an id prefixed by "prefix-".
 */
static void write_svg(FILE *f, const char *svg, const char *prefix)
{
	const char *p = strstr(svg, "<svg");
	const char *end = NULL;
	/* The element ends at the last </svg>: whatever follows is not part of it. */
	for (const char *q = strstr(p, "</svg>"); q != NULL; q = strstr(q + 1, "</svg>"))
		end = q + strlen("</svg>");

	while (p < end) {
		/* Attribute id='x' / id="x" (not e.g. "grid='..."), href="#x", url(#x). */
		if ((strncmp(p, " id='", 5) == 0 || strncmp(p, " id=\"", 5) == 0 ||
		     strncmp(p, "\tid='", 5) == 0 || strncmp(p, "\tid=\"", 5) == 0)) {
			fwrite(p, 1, 5, f);
			fprintf(f, "%s-", prefix);
			p += 5;
		} else if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
			fwrite(p, 1, 7, f);
			fprintf(f, "%s-", prefix);
			p += 7;
		} else if (strncmp(p, "url(#", 5) == 0) {
			fwrite(p, 1, 5, f);
			fprintf(f, "%s-", prefix);
			p += 5;
		} else {
			fputc(*p++, f);
		}
	}
	fputc('\n', f);
}

/** One <figure>: the plot's SVG inlined and its caption. @return 0 or a negative errno (reported) */
static int write_figure(FILE *f, const char *dir, const struct dv_html_figure *fig)
{
	char path[PATH_MAX];
	char *svg = NULL;
	size_t len = 0;
	int ret;

	int n = snprintf(path, sizeof(path), "%s/%s", dir, fig->svg);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		dv_err("html: path too long in '%s'", dir);
		return -ENAMETOOLONG;
	}
	ret = dv_read_file(path, SVG_MAX, &svg, &len);
	if (ret != 0)
		goto cleanup;
	if (strstr(svg, "<svg") == NULL || strstr(svg, "</svg>") == NULL ||
	    strlen(svg) != len || !svg_is_inert(svg)) {
		dv_err("html: '%s' is no plain SVG drawing, not inlined", path);
		ret = -EINVAL;
		goto cleanup;
	}

	/* The id prefix: the file's base name ("latency"), which is an XML name. */
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s", fig->svg);
	char *dot = strchr(prefix, '.');
	if (dot != NULL)
		*dot = '\0';
	for (char *c = prefix; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			*c = '_';

	fprintf(f, "<figure id=\"fig-%s\">\n", prefix);
	write_svg(f, svg, prefix);
	fputs("<figcaption>", f);
	html_escape(f, fig->caption);
	fputs("</figcaption>\n</figure>\n", f);

cleanup:
	free(svg);
	return ret;
}

int dv_html_write(const char *path, const char *title, const char *sections,
		  const char *report_text, const char *dir, const struct dv_html_figure *figs,
		  unsigned nfigs)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (f == NULL) {
		ret = -errno;
		dv_err("html: cannot create '%s': %s", path, strerror(errno));
		return ret;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>", f);
	html_escape(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", page_style);
	html_escape(f, title);
	fputs("</h1>\n", f);
	if (sections != NULL)
		fputs(sections, f);
	fputs("<pre>", f);
	html_escape(f, report_text != NULL ? report_text : "");
	fputs("</pre>\n", f);

	for (unsigned k = 0; figs != NULL && k < nfigs; k++) {
		ret = write_figure(f, dir, &figs[k]);
		/* A plot that cannot be inlined leaves the page without it, not without the rest. */
		if (ret == -EINVAL) {
			ret = 0;
			continue;
		}
		if (ret != 0)
			goto cleanup;
	}
	fputs("</body>\n</html>\n", f);

cleanup:;
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		if (ret == 0) {
			ret = -EIO;
			dv_err("html: cannot write '%s'", path);
		}
	}
	return ret;
}
