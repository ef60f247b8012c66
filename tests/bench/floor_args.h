/*
 * What dv-floor (sending) and dv-rxfloor (receiving) share: their arguments
 * (MODE SECONDS QUERY_FILE), the lab's two addresses, and the pattern of
 * crafting.sh's unique names. Header-only: each benchmark is one program.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "wire/query.h"

/* crafting.sh's unique names: the frame length of its query file's. */
#define FLOOR_PATTERN "{seq}.{rand8}.bench.test"

/*
 * MODE (one of n names) and SECONDS from argv[1] and argv[2] of exactly three
 * arguments (after EAL's, when eal). @return 0, or 2 with the reason printed
 * (the exit status)
 */
static inline int floor_args(const char *prog, bool eal, int argc, char **argv,
			     const char *const *modes, unsigned n, unsigned *mode, double *secs)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s%s MODE SECONDS QUERY_FILE\n", prog,
			eal ? " [EAL options] --" : "");
		return 2;
	}
	for (*mode = 0; *mode < n && strcmp(argv[1], modes[*mode]) != 0; (*mode)++)
		;
	*secs = atof(argv[2]);
	if (*mode == n || !(*secs > 0 && *secs < 3600)) {
		fprintf(stderr, "%s: MODE is one of", prog);
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, " %s", modes[i]);
		fprintf(stderr, "; SECONDS in (0, 3600)\n");
		return 2;
	}
	return 0;
}

/* The queries' endpoints: 198.18.0.1 to 198.18.0.2 port 53. */
static inline void floor_endpoints(struct dv_endpoints *ep)
{
	memset(ep, 0, sizeof(*ep));
	ep->src.family = ep->dst.family = AF_INET;
	inet_pton(AF_INET, "198.18.0.1", &ep->src.v4);
	inet_pton(AF_INET, "198.18.0.2", &ep->dst.v4);
	ep->dport = 53;
}
