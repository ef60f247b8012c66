/**
 * @file set_util.h
 * @brief Helpers the setters (set_*.c) share: one-line value errors and splitting.
 */
#pragma once

#include <stddef.h>

#include "config/plan.h"

/** Longest list value the setters take (32 weighted entries need about 500 bytes). */
#define DV_SPEC_MAX 2048

/** Report "CTX: 'VALUE' is not WHAT". @return -EINVAL */
int dv_not_a(const char *ctx, const char *v, const char *what);

/** "CTX: 'FIELD' in 'VALUE' is not WHAT" (or without "in" when FIELD is VALUE). @return -EINVAL */
int dv_bad_field(const char *ctx, const char *field, const char *v, const char *what);

/**
 * Split a copy of v on sep into at most max fields (empty fields kept).
 * @return the number of fields, or -EINVAL if there are more than max or v
 *         does not fit buf
 */
int dv_split_copy(const char *v, char sep, char *buf, size_t size, char **f, int max);

/**
 * Split buf in place on sep. Empty items are kept (the caller refuses them).
 * @return number of items; more than max means "too many" (only max are stored)
 */
unsigned dv_split(char *buf, char sep, char **item, unsigned max);

/**
 * Add an address to a per-family array (target, source, gateway).
 * @param what  the array's name in messages
 * @param idx   receives the family index (may be NULL)
 * @return 0 or -EINVAL (reported)
 */
int dv_add_addr(struct dv_addr arr[DV_FAMILIES], const char *ctx, const char *v,
		const char *what, int *idx);
