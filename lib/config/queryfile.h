/**
 * @file queryfile.h
 * @brief dnsperf-style query files: one "NAME [TYPE]" question per line.
 *
 * Format: NAME is a domain name in presentation format (escapes allowed; a
 * relative name is taken as absolute), TYPE a mnemonic ("AAAA") or "TYPEnnn",
 * default A. A comment runs from an unescaped ';', or from a '#' that starts
 * a word, to the end of the line; blank lines and surrounding whitespace are
 * ignored.
 *
 * Errors are reported once through dv_err() as "FILE:LINE: what 'token'".
 */
#pragma once

#include <stddef.h>

#include "config/plan.h"

/** Longest accepted line in bytes (longer lines are an error, not a crash). */
#define DV_QUERYFILE_LINE_MAX 4096

/**
 * Load a query file.
 *
 * @param path  file to read; also the name used in error messages
 * @param out   receives the list (replaced, not appended; free with
 *              dv_query_list_free()); left empty on error
 * @retval 0        at least one query was loaded
 * @retval -EINVAL  syntax error or no queries (reported)
 * @retval -errno   the file could not be read (reported)
 */
int dv_queryfile_load(const char *path, struct dv_query_list *out);

/**
 * Load queries from memory (same format and errors as a file).
 *
 * @param name  name used in error messages
 * @param text  file contents, may contain NUL bytes
 * @param len   number of bytes in text
 * @param out   as for dv_queryfile_load()
 * @retval 0, -EINVAL or -ENOMEM
 */
int dv_queryfile_load_mem(const char *name, const char *text, size_t len,
			  struct dv_query_list *out);

/**
 * Parse one question (NAME and TYPE tokens) into wire format.
 *
 * @param name   domain name in presentation format
 * @param type   type mnemonic or TYPEnnn; NULL means A
 * @param q      receives the question
 * Nothing is printed: the caller adds file and line.
 *
 * @retval 0        parsed
 * @retval -EINVAL  bad name
 * @retval -EPROTO  unknown type
 */
int dv_query_parse(const char *name, const char *type, struct dv_query *q);

/** Free the array and reset the list to empty (safe on an empty list). */
void dv_query_list_free(struct dv_query_list *l);
