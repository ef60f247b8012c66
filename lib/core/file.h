/**
 * @file file.h
 * @brief Reading small files whole.
 */
#pragma once

#include <stddef.h>

/**
 * Read a small text file into a NUL-terminated malloc'd buffer.
 *
 * @param path  file to read (also used in messages)
 * @param max   largest accepted size in bytes
 * @param out   receives the buffer (free() it)
 * @param len   receives the size
 * @retval 0 or a negative errno (reported as "PATH: reason")
 */
int dv_read_file(const char *path, size_t max, char **out, size_t *len);
