/** @file file.c @brief Reading small files whole (see file.h). */
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

int dv_read_file(const char *path, size_t max, char **out, size_t *len)
{
	if (path == NULL || out == NULL || len == NULL)
		return -EINVAL;

	int ret = 0;
	char *buf = NULL;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		dv_err("%s: %s", path, strerror(errno));
		return ret;
	}

	/* Read one byte past max to tell "exactly max" from "too big". */
	buf = malloc(max + 2);
	if (buf == NULL) {
		dv_err("%s: out of memory", path);
		ret = -ENOMEM;
		goto cleanup;
	}
	size_t n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		ret = errno != 0 ? -errno : -EIO;
		dv_err("%s: %s", path, strerror(-ret));
		goto cleanup;
	}
	if (n > max) {
		dv_err("%s: larger than %zu bytes", path, max);
		ret = -EFBIG;
		goto cleanup;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
cleanup:
	free(buf);
	fclose(f);
	return ret;
}
