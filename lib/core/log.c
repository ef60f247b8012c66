#include "core/log.h"

#include <stdio.h>
#include <string.h>

static int quiet;
static char *capture_buf;
static unsigned capture_len;
static const char *context;

static void vreport(const char *fmt, va_list ap)
{
	if (capture_buf != NULL) {
		int o = context != NULL ? snprintf(capture_buf, capture_len, "%s: ", context) : 0;
		if (o < 0 || (unsigned)o >= capture_len)
			o = 0;
		vsnprintf(capture_buf + o, capture_len - (unsigned)o, fmt, ap);
		return;
	}
	fputs("dnsvolley: ", stderr);
	if (context != NULL)
		fprintf(stderr, "%s: ", context);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void dv_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

void dv_info(const char *fmt, ...)
{
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

void dv_log_set_quiet(int q)
{
	quiet = q;
}

void dv_log_capture(char *buf, unsigned len)
{
	capture_buf = buf;
	capture_len = len;
	if (buf != NULL && len > 0)
		buf[0] = '\0';
}

void dv_log_context(const char *prefix)
{
	context = prefix;
}
