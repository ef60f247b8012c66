/**
 * @file hash.h
 * @brief Small helpers for keys of DNS names and addresses: FNV-1a, ASCII case folding.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define DV_FNV_OFFSET 0xcbf29ce484222325ull

/** Fold an ASCII letter to lower case (DNS names compare case-insensitively). */
static inline uint8_t dv_ascii_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c | 0x20) : c;
}

/** FNV-1a over len bytes, continuing from h (start with DV_FNV_OFFSET). */
static inline uint64_t dv_fnv1a(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
