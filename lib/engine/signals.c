/*
 * Terminating signals, from the start of dv_run (see signals.h). The handler
 * only reads a monotonic clock and writes three words; the main lcore reads
 * them.
 */
#include "engine/signals.h"

#include <signal.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t presses;
static volatile sig_atomic_t last_sig;
static volatile uint64_t last_ns; /* time of the last press */

static const int terminating[] = { SIGINT, SIGTERM, SIGHUP };

int dv_signal_is_new_press(uint64_t last, uint64_t now)
{
	return last == 0 || now < last || now - last >= DV_SIGNAL_COALESCE_NS;
}

static void on_signal(int sig)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* async-signal-safe */
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* A signal within a second of the last press is that press again. */
	if (dv_signal_is_new_press(last_ns, now)) {
		presses++;
		last_ns = now;
	}
	last_sig = sig;
}

void dv_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		sigaddset(&sa.sa_mask, terminating[i]);
	/* Restart system calls: a signal must not fail a file write or EAL's set-up. */
	sa.sa_flags = SA_RESTART;
	presses = 0;
	last_sig = 0;
	last_ns = 0;
	for (unsigned i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		sigaction(terminating[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void dv_signals_restore(void)
{
	for (unsigned i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		signal(terminating[i], SIG_DFL);
}

unsigned dv_signals_presses(void)
{
	return (unsigned)presses;
}

int dv_signals_last(void)
{
	return (int)last_sig;
}
