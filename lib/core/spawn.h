/**
 * @file spawn.h
 * @brief Run a helper command (nft, ...) with text on its stdin and its
 *        output captured: posix_spawn, no shell.
 *
 * For the few host changes dnsvolley makes through a standard tool, off the
 * hot path (start and release). posix_spawn does not copy the address space
 * (DPDK's hugepage mappings stay put), no shell ever parses an argument, and
 * the child runs in a process group of its own, so a Ctrl-C meant for
 * dnsvolley does not cut a host change in half: the run decides when to stop.
 */
#pragma once

#include <stddef.h>

/** How long a command may take before it is killed. */
#define DV_SPAWN_TIMEOUT_MS 10000

/**
 * Run argv[0] (searched on PATH) with the arguments argv[1..], input on its
 * stdin (then closed), its stdout and stderr together into out.
 *
 * The child gets default dispositions for SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE, an empty signal mask and its own process group. It is killed
 * after DV_SPAWN_TIMEOUT_MS. Nothing is reported: the caller knows what the
 * command was for.
 *
 * @param argv    NULL-terminated, argv[0] the program
 * @param input   text for its stdin (NULL: stdin is empty)
 * @param out     receives its output, NUL-terminated, cut to fit (may be NULL)
 * @param outlen  size of out
 * @return its exit status (0..255), 128 + the signal that ended it,
 *         -ENOENT (no such program on PATH), -ETIMEDOUT (killed), or
 *         another negative errno
 */
int dv_spawn_run(const char *const argv[], const char *input, char *out, size_t outlen);

/**
 * One line of a command's output for a one-line message: the line holding
 * the first `from` (from there on), else the first line; without its end,
 * cut to DV_QUOTE_KEEP bytes and made safe (core/quote.h); "" if none.
 *
 * @param out   output as dv_spawn_run() captured it (NULL: none)
 * @param from  e.g. "Error:" (NULL: the first line)
 * @param buf   destination, DV_QUOTE_BUF bytes hold any line
 * @param len   size of buf
 * @return buf
 */
const char *dv_spawn_line(const char *out, const char *from, char *buf, unsigned len);
