/**
 * @file signals.h
 * @brief Terminating signals (INT, TERM, HUP) from the very start of a run.
 *
 * dv_run() installs the handlers before anything else, so a signal in any
 * phase ends the run the same way: before sending, a clean exit with one
 * line and no result file; while sending, sending stops and the outstanding
 * queries drain; a second signal (a "press" at least DV_SIGNAL_COALESCE_NS
 * after the first) cuts the drain short. Signals that arrive together (the
 * same press delivered twice, as `timeout -s INT` may) count as one press.
 * SIGPIPE is ignored: writes to a reader that went away fail with EPIPE.
 */
#pragma once

#include <stdint.h>

/** Signals closer together than this are one press. */
#define DV_SIGNAL_COALESCE_NS 1000000000ull

/** Install the handlers (and ignore SIGPIPE); resets the count. */
void dv_signals_install(void);

/** Restore the default dispositions (SIGPIPE stays ignored). */
void dv_signals_restore(void);

/** Presses so far (signals coalesced); async-signal-safe counter. */
unsigned dv_signals_presses(void);

/** The last signal received (0: none). */
int dv_signals_last(void);

/**
 * Pure: whether a signal at now_ns is a new press, given the time of the
 * last press (0: none yet). Unit-tested.
 */
int dv_signal_is_new_press(uint64_t last_ns, uint64_t now_ns);
