/**
 * @file socket.h
 * @brief One query, one answer, over the kernel's UDP or TCP sockets: how
 *        `dnsvolley check` asks a server its battery (a few queries; the
 *        datapath is for load).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "check/battery.h"
#include "core/addr.h"

/**
 * Send query q (a DNS message) to addr:port over transport and wait, at most
 * timeout_ms, for the answer with its ID (UDP: other datagrams are skipped;
 * TCP: the first message, 2-byte length prefixed).
 * @return the answer's length in ans, 0 for no answer in time, or a negative
 *         errno (no route, connection refused, reset: the verdict says it)
 */
int dv_check_ask(const struct dv_addr *addr, uint16_t port, enum dv_check_transport transport,
		 const uint8_t *q, size_t qlen, uint8_t *ans, size_t alen, int timeout_ms);
