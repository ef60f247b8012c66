/*
 * libFuzzer harness: an answer from the network, judged by every check of
 * the battery as the collector judges it under load (lib/check/judge.c).
 *
 * The input is a DNS message, copied into a buffer of exactly its size so
 * that AddressSanitizer catches a read past its end; it is judged whole and
 * as a prefix of a longer message (the bytes an answer over TCP keeps).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/battery.h"
#include "check/judge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t q[DV_CHECKS_MAX][512];
	static int qlen[DV_CHECKS_MAX];
	static bool built;
	if (!built) {
		for (unsigned i = 0; i < dv_checks_n && i < DV_CHECKS_MAX; i++) {
			qlen[i] = dv_check_build(&dv_checks[i], "example.", 0x1234, q[i], sizeof(q[i]));
			if (qlen[i] <= 0)
				abort();
		}
		built = true;
	}
	uint8_t *a = malloc(size ? size : 1);
	if (a == NULL)
		return 0;
	memcpy(a, data, size);
	for (unsigned i = 0; i < dv_checks_n && i < DV_CHECKS_MAX; i++)
		for (int tcp = 0; tcp < 2; tcp++) {
			enum dv_check_result r = dv_check_judge(&dv_checks[i], q[i], (size_t)qlen[i], a, size,
								size + (size_t)tcp * 100, tcp);
			if (r == DV_CR_NO_ANSWER || r >= DV_CR_KINDS)
				abort(); /* a verdict of the judge's own kinds, always */
		}
	free(a);
	return 0;
}
