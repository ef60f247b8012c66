/**
 * @file quote.h
 * @brief User bytes made safe for one-line messages.
 */
#pragma once

#include <stddef.h>

/** Input bytes dv_quote() keeps before cutting with "...". */
#define DV_QUOTE_KEEP 60
/** Buffer size that always holds a full dv_quote() result. */
#define DV_QUOTE_BUF (DV_QUOTE_KEEP * 4 + 4)

/**
 * Make user-supplied bytes safe to quote in a one-line error message:
 * control and non-ASCII bytes become \xHH and input longer than
 * DV_QUOTE_KEEP bytes (or than buf) is cut with "...".
 *
 * @param s    input bytes (may contain NULs)
 * @param n    number of input bytes
 * @param buf  destination, always NUL-terminated when len > 0
 * @param len  size of buf
 * @return buf
 */
const char *dv_quote_mem(const void *s, size_t n, char *buf, unsigned len);

/** dv_quote_mem() for a NUL-terminated string (NULL yields ""). */
const char *dv_quote(const char *s, char *buf, unsigned len);
