/**
 * @file json_util.h
 * @brief Small jansson helpers shared by the JSON writers and readers (metrics/state.c, lib/report).
 *
 * Writers build a whole object and note any failure (out of memory) in one
 * flag, checked once at the end; readers note the first error as one line.
 */
#pragma once

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/** JSON integer from a counter; the schema's integers are signed 64-bit (saturates). */
static inline json_t *dv_jint(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

/** JSON number; jansson refuses NaN and infinities, which would read as out of memory. */
static inline json_t *dv_jreal(double v)
{
	return json_real(isfinite(v) ? v : 0.0);
}

/** Set key to v (stolen; NULL is a failure) and note a failure in *ok. */
static inline void dv_jput(json_t *obj, const char *key, json_t *v, bool *ok)
{
	if (json_object_set_new(obj, key, v) != 0)
		*ok = false;
}

/** Append v (stolen) and note a failure in *ok. */
static inline void dv_jpush(json_t *arr, json_t *v, bool *ok)
{
	if (json_array_append_new(arr, v) != 0)
		*ok = false;
}

/** o when building it went well, else NULL (and o released). */
static inline json_t *dv_jdone(json_t *o, bool ok)
{
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/** Reading context: the first error, as one line. */
struct dv_jread {
	char *err;
	size_t errlen;
	int rc; /**< 0, or -EINVAL after the first error */
};

/** Note an error (fmt has one %s, for arg) unless one was noted already. */
static inline void dv_jread_fail(struct dv_jread *rd, const char *fmt, const char *arg)
{
	if (rd->rc == 0) {
		snprintf(rd->err, rd->errlen, fmt, arg);
		rd->rc = -EINVAL;
	}
}
