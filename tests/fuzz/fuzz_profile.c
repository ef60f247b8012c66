/*
 * libFuzzer harness: a port profile (drivers-config/NAME.yaml), loaded from
 * memory; a profile that loads has its argument checked and its devargs
 * template expanded, as --port does. Errors are captured, not printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "core/log.h"

/* The profile's name is its file's; take the input's "name:" so real profiles load. */
static void name_of(const char *text, size_t len, char *name, size_t cap)
{
	static const char key[] = "name:";
	snprintf(name, cap, "fuzz");
	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++) {
		if ((i != 0 && text[i - 1] != '\n') || memcmp(text + i, key, sizeof(key) - 1) != 0)
			continue;
		size_t p = i + sizeof(key) - 1, n = 0;
		while (p < len && text[p] == ' ')
			p++;
		while (p + n < len && n + 1 < cap && strchr("\n\r #", text[p + n]) == NULL &&
		       text[p + n] != '\0')
			n++;
		if (n > 0) {
			memcpy(name, text + p, n);
			name[n] = '\0';
		}
		return;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char msg[512];
	char name[DV_PROFILE_NAME_MAX + 1], devargs[512];
	struct dv_port_profile prof;
	dv_log_capture(msg, sizeof(msg));
	name_of((const char *)data, size, name, sizeof(name));
	if (dv_profile_load_mem("fuzz.yaml", name, (const char *)data, size, &prof) != 0)
		return 0;
	const char *why = NULL;
	const char *arg = prof.default_arg[0] != '\0' ? prof.default_arg : "veth0";
	(void)dv_profile_check_arg(&prof, arg, &why);
	int n = dv_profile_devargs(&prof, arg, 8, devargs, sizeof(devargs));
	if (n >= (int)sizeof(devargs) || (n >= 0 && strlen(devargs) != (size_t)n))
		abort(); /* the length returned is what was written */
	(void)dv_profile_uses_xdp_prog(&prof);
	return 0;
}
