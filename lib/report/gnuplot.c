/**
 * @file gnuplot.c
 * @brief One plot as NAME.dat, NAME.gp, NAME.png and NAME.svg (gnuplot.h).
 *
 * Every plot is a pair NAME.dat (the numbers, so people can re-plot them)
 * and NAME.gp (a gnuplot script that draws NAME.png, then replots the same
 * settings as NAME.svg). gnuplot runs in the output directory, so the
 * scripts only name files by their base names and stay valid if the
 * directory is moved.
 */
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core/log.h"

extern char **environ;

/* One size for both formats: the SVG has a viewBox, so the page scales it. */
#define PLOT_W 900
#define PLOT_H 540
#define PLOT_FONT "sans,11"

/** Settings every plot starts from. */
static void write_common(FILE *gp, const char *title)
{
	fprintf(gp, "set title \"%s\" font \",13\"\n", title);
	/* The key below the x label (room made by bmargin): it never covers data. */
	fputs("set grid lc rgb \"#c0c0c0\" lw 1 dt 3\n"
	      "set border lw 1\n"
	      "set key outside below center horizontal\n"
	      "set bmargin 5.5\n"
	      "set tics nomirror\n"
	      "set datafile missing \"-\"\n", gp);
}

void dv_gp_log_tics(FILE *gp, const char *axis, double lo, double hi)
{
	static const double mant[] = { 1.0, 2.0, 5.0 };
	if (!(lo > 0.0) || hi / lo >= 1000.0)
		return;
	fprintf(gp, "set %stics (", axis);
	const char *sep = "";
	for (double dec = pow(10.0, floor(log10(lo))); dec <= hi; dec *= 10.0) {
		for (unsigned i = 0; i < 3; i++) {
			double v = mant[i] * dec;
			if (v < lo || v > hi)
				continue;
			fprintf(gp, "%s%.6g", sep, v);
			sep = ", ";
		}
	}
	fputs(")\n", gp);
}

/** dir/name.ext into buf. @return 0 or -ENAMETOOLONG (reported) */
static int file_path(char *buf, size_t len, const char *dir, const char *name, const char *ext)
{
	int n = snprintf(buf, len, "%s/%s.%s", dir, name, ext);
	if (n < 0 || (size_t)n >= len) {
		dv_err("plots: path too long in '%s'", dir);
		return -ENAMETOOLONG;
	}
	return 0;
}

/** Close a stream written to, reporting a failed write. @return 0 or a negative errno */
static int close_written(FILE *f, const char *path)
{
	bool bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		int err = errno != 0 ? errno : EIO;
		dv_err("plots: cannot write '%s': %s", path, strerror(err));
		return -err;
	}
	return 0;
}

/** Write NAME.dat and NAME.gp of one plot into dir. @return 0 or a negative errno (reported) */
static int write_files(const char *dir, const char *name, const char *title, dv_gp_body_fn body,
		       const void *ctx)
{
	char dat_path[PATH_MAX], gp_path[PATH_MAX];
	FILE *dat = NULL, *gp = NULL;
	int ret = file_path(dat_path, sizeof(dat_path), dir, name, "dat");
	if (ret == 0)
		ret = file_path(gp_path, sizeof(gp_path), dir, name, "gp");
	if (ret != 0)
		return ret;

	dat = fopen(dat_path, "w");
	if (dat == NULL) {
		ret = -errno;
		dv_err("plots: cannot create '%s': %s", dat_path, strerror(errno));
		goto cleanup;
	}
	gp = fopen(gp_path, "w");
	if (gp == NULL) {
		ret = -errno;
		dv_err("plots: cannot create '%s': %s", gp_path, strerror(errno));
		goto cleanup;
	}

	fprintf(gp, "# dnsvolley: %s (gnuplot 5.4; run in this directory: gnuplot %s.gp)\n",
		title, name);
	/* -d (no init file) is on the command line; noenhanced: labels are printed as written. */
	fprintf(gp, "set terminal pngcairo size %d,%d font \"%s\" noenhanced background \"white\"\n"
		"set output '%s.png'\n", PLOT_W, PLOT_H, PLOT_FONT, name);
	write_common(gp, title);
	body(ctx, dat, gp);
	/* The same settings again as SVG; fixed size gives it a viewBox, the page scales it. */
	fprintf(gp, "set terminal svg size %d,%d font \"%s\" noenhanced background \"white\" "
		"name \"%s\"\n"
		"set output '%s.svg'\n"
		"replot\n"
		"unset output\n", PLOT_W, PLOT_H, PLOT_FONT, name, name);

cleanup:
	if (dat != NULL) {
		int r = close_written(dat, dat_path);
		if (ret == 0)
			ret = r;
	}
	if (gp != NULL) {
		int r = close_written(gp, gp_path);
		if (ret == 0)
			ret = r;
	}
	return ret;
}

/**
 * Run "gnuplot -d NAME.gp" in dir and wait for it. stdout goes to /dev/null
 * (the report may be on ours); stderr passes through, it says what went wrong.
 * @return 0, -ENOENT when gnuplot cannot be run, -EIO when it failed (reported)
 */
static int run_gnuplot(const char *dir, const char *name)
{
	char script[96];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0;
	int ret;

	snprintf(script, sizeof(script), "%s.gp", name);
	char *const argv[] = { "gnuplot", "-d", script, NULL };

	ret = -posix_spawn_file_actions_init(&fa);
	if (ret != 0) {
		dv_err("plots: cannot run gnuplot: %s", strerror(-ret));
		return ret;
	}
	int err = posix_spawn_file_actions_addchdir_np(&fa, dir);
	if (err == 0)
		err = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (err == 0)
		err = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (err == 0)
		err = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	if (err != 0) {
		/* glibc reports a failed exec (or chdir) of the child here, as its errno. */
		dv_err("plots: cannot run gnuplot in '%s': %s (install gnuplot-nox)", dir,
		       strerror(err));
		ret = err == ENOENT || err == EACCES ? -ENOENT : -err;
		goto cleanup;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			dv_err("plots: waiting for gnuplot: %s", strerror(errno));
			goto cleanup;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			dv_err("plots: gnuplot failed on %s/%s (exit status %d)", dir, script,
			       WEXITSTATUS(status));
		else
			dv_err("plots: gnuplot killed by signal %d on %s/%s",
			       WIFSIGNALED(status) ? WTERMSIG(status) : 0, dir, script);
		ret = -EIO;
	}

cleanup:
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/** Whether gnuplot left both images (it exits 0 after some errors, e.g. a bad output). */
static bool images_exist(const char *dir, const char *name)
{
	static const char *const ext[] = { "png", "svg" };
	for (unsigned i = 0; i < 2; i++) {
		char path[PATH_MAX];
		struct stat st;
		if (file_path(path, sizeof(path), dir, name, ext[i]) != 0 ||
		    stat(path, &st) != 0 || st.st_size == 0) {
			dv_err("plots: gnuplot did not write %s/%s.%s", dir, name, ext[i]);
			return false;
		}
	}
	return true;
}

int dv_gp_render(const char *dir, const char *name, const char *title, dv_gp_body_fn body,
		 const void *ctx)
{
	int ret = write_files(dir, name, title, body, ctx);
	if (ret != 0)
		return ret;
	ret = run_gnuplot(dir, name);
	/* Without gnuplot no plot can be drawn: the caller stops. */
	if (ret == -ENOENT)
		return ret;
	/* One plot gnuplot refused (or left no image of) is left undrawn, the others are not. */
	return ret == 0 && images_exist(dir, name) ? 1 : 0;
}
