/** @file quote.c @brief User bytes made safe for one-line messages (see quote.h). */
#include "core/quote.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *dv_quote_mem(const void *s, size_t n, char *buf, unsigned len)
{
	if (len == 0)
		return buf;

	const unsigned char *in = s;
	bool cut = n > DV_QUOTE_KEEP;
	size_t keep = cut ? DV_QUOTE_KEEP : n;
	unsigned o = 0;
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = in[i];
		char esc[5];
		if (c < 0x20 || c >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			snprintf(esc, sizeof(esc), "%c", c);
		size_t el = strlen(esc);
		/* Always leave room for "..." and the NUL. */
		if (o + el + 4 > len) {
			cut = true;
			break;
		}
		memcpy(buf + o, esc, el);
		o += el;
	}
	if (cut && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

const char *dv_quote(const char *s, char *buf, unsigned len)
{
	if (s == NULL)
		s = "";
	return dv_quote_mem(s, strlen(s), buf, len);
}
