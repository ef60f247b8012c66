/**
 * @file clock.h
 * @brief The TSC's real rate, measured against the kernel's clock.
 *
 * DPDK's rte_get_tsc_hz() may be the CPU's nominal frequency (read from
 * CPUID on a VM) rather than what the TSC really counts: on the lab's VM it
 * was 0.22 % high, so a 376 ms timer fired after 376.8 ms of real time and
 * a 1.2 s time to resolution read 2.6 ms short of a capture's. Every tick to
 * time conversion and every timer uses this rate instead.
 */
#pragma once

#include <stdint.h>

/**
 * TSC ticks per second, measured once against CLOCK_MONOTONIC_RAW over
 * about 50 ms (then cached); rte_get_tsc_hz() if the measurement is off by
 * more than 5 % from it (a clock that jumped). Call after rte_eal_init().
 */
uint64_t dv_tsc_hz(void);
