/*
 * libFuzzer harness: a command line, parsed into a plan as main() does.
 *
 * The input is split on NUL bytes into at most 32 arguments after
 * "dnsvolley". The parser never exits (--help and --version return 1), so no
 * input is filtered for that. Arguments naming /dev, /proc or /sys are
 * refused: the parser reads the files it is given (-d, --scenario,
 * --drivers-dir), and a device such as /dev/stdin or a FIFO would block.
 * Relative file names are taken from the source tree, so the seeds may name
 * scenarios/ and tests/data/. Usage text goes to /dev/null, errors to a buffer
 * (printed with DV_FUZZ_VERBOSE set).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cli.h"
#include "config/plan.h"
#include "core/log.h"

#define MAX_ARGS 32

static int cwd;     /* libFuzzer's directory: its file names are relative to it */
static bool verbose; /* DV_FUZZ_VERBOSE set: print the parser's verdict (to check seeds) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	int fd = open("/dev/null", O_RDWR);
	cwd = open(".", O_RDONLY | O_DIRECTORY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 || cwd < 0) {
		perror("fuzz_cli: setup");
		abort();
	}
	close(fd);
	dv_log_set_quiet(1);
	verbose = getenv("DV_FUZZ_VERBOSE") != NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[512];
	static struct dv_plan plan;
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	/* One NUL-terminated copy: each argument ends at a NUL (the last at the end). */
	char *buf = malloc(size + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "dnsvolley";
	for (size_t pos = 0; pos < size && argc <= MAX_ARGS; pos += strlen(buf + pos) + 1)
		argv[argc++] = buf + pos;
	argv[argc] = NULL;
	for (int i = 1; i < argc; i++) {
		if (strstr(argv[i], "/dev") || strstr(argv[i], "/proc") || strstr(argv[i], "/sys")) {
			free(buf);
			return -1;
		}
	}
	dv_log_capture(msg, sizeof(msg));
	if (chdir(DV_FUZZ_SOURCE_ROOT) != 0)
		abort();
	int ret = dv_cli_parse(argc, argv, &plan);
	if (fchdir(cwd) != 0)
		abort();
	if (ret != 0 && ret != 1 && ret != -EINVAL)
		abort(); /* the documented results only */
	if (verbose)
		fprintf(stderr, "dv_cli_parse: %d %s\n", ret, ret < 0 ? msg : "");
	dv_plan_free(&plan);
	free(buf);
	return 0;
}
