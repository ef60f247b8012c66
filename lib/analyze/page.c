/*
 * analyze's plots and HTML page (page.h): the plots drawn by analyze/plots.c,
 * the page written by report/html.c, the same page machinery as a run's.
 */
#include "analyze/page.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/plots.h"
#include "core/log.h"
#include "report/html.h"

/** Whether dir (a directory's path) exists as a directory we may write in. @return 0 or -errno */
static int writable_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return access(dir, W_OK | X_OK) == 0 ? 0 : -errno;
}

/** The directory path names (dirname() modifies its argument: a copy). */
static int parent_of(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", path);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	const char *d = dirname(buf);
	memmove(buf, d, strlen(d) + 1);
	return 0;
}

int dv_an_page_check(const struct dv_an_page_opts *o)
{
	char parent[PATH_MAX];
	struct stat st;
	int ret;

	if (o->html != NULL) {
		if (stat(o->html, &st) == 0 && S_ISDIR(st.st_mode)) {
			dv_err("analyze: --html %s: is a directory (the page is a file)", o->html);
			return -EISDIR;
		}
		ret = parent_of(o->html, parent, sizeof(parent));
		if (ret == 0)
			ret = writable_dir(parent);
		if (ret != 0) {
			dv_err("analyze: --html %s: cannot write in %s: %s", o->html, parent, strerror(-ret));
			return ret;
		}
	}
	if (o->plots_dir != NULL) {
		if (stat(o->plots_dir, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				dv_err("analyze: --plots %s: exists and is not a directory (the plots go in one)",
				       o->plots_dir);
				return -ENOTDIR;
			}
			ret = writable_dir(o->plots_dir);
		} else {
			/* Made after the analysis, in a directory that must be there. */
			ret = parent_of(o->plots_dir, parent, sizeof(parent));
			if (ret == 0)
				ret = writable_dir(parent);
		}
		if (ret != 0) {
			dv_err("analyze: --plots %s: cannot write there: %s", o->plots_dir, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/** Remove the files dv_an_plots_render() may have left in a temporary directory, and it. */
static void remove_plots(const char *dir)
{
	static const char *const ext[] = { "dat", "gp", "png", "svg" };
	char path[PATH_MAX];
	for (unsigned k = 0; k < DV_AN_PLOTS; k++)
		for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s.%s", dir, dv_an_plot_name(k), ext[i]);
			(void)unlink(path);
		}
	if (rmdir(dir) != 0)
		dv_err("analyze: cannot remove the temporary directory %s: %s", dir, strerror(errno));
}

int dv_an_page_write(const struct dv_an_tables *t, const char *capture,
		     const struct dv_an_page_opts *o)
{
	struct dv_html_figure figs[DV_AN_PLOTS];
	unsigned nfigs = 0;
	char tmp[PATH_MAX] = "";
	const char *dir = o->plots_dir;
	char *text = NULL;
	size_t tlen = 0;
	int ret = 0;

	if (!o->no_plots) {
		if (dir == NULL) {
			/* The page alone was asked for: the plots' files are not the user's to clean up. */
			const char *td = getenv("TMPDIR");
			snprintf(tmp, sizeof(tmp), "%s/dnsvolley-analyze-XXXXXX",
				 td != NULL && td[0] != '\0' ? td : "/tmp");
			if (mkdtemp(tmp) == NULL) {
				ret = -errno;
				dv_err("analyze: cannot make a directory for the plots (%s): %s", tmp,
				       strerror(errno));
				tmp[0] = '\0';
				goto cleanup;
			}
			dir = tmp;
		} else if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			ret = -errno;
			dv_err("analyze: --plots %s: cannot create: %s", dir, strerror(errno));
			goto cleanup;
		}
		ret = dv_an_plots_render(t, dir, figs, &nfigs);
		if (ret == -ENOENT)
			dv_err("analyze: gnuplot cannot be run (apt-get install gnuplot-nox), or use --no-plots");
		if (ret < 0)
			goto cleanup;
	}
	if (o->html != NULL) {
		/* The page's tables are the ones printed, written once. */
		FILE *m = open_memstream(&text, &tlen);
		if (m != NULL)
			dv_an_text(m, t);
		if (m == NULL || fclose(m) != 0) {
			dv_err("analyze: out of memory");
			ret = -ENOMEM;
			goto cleanup;
		}
		char base[PATH_MAX], title[PATH_MAX + 32];
		snprintf(base, sizeof(base), "%s", capture);
		snprintf(title, sizeof(title), "dnsvolley analyze: %s", basename(base));
		ret = dv_html_write(o->html, title, NULL, text, dir, figs, nfigs);
		if (ret < 0)
			goto cleanup;
	}
	ret = (int)nfigs;

cleanup:
	if (tmp[0] != '\0')
		remove_plots(tmp);
	free(text);
	return ret;
}
