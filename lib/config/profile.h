/**
 * @file profile.h
 * @brief Port profiles: one YAML file per DPDK driver in drivers-config/.
 *
 * A profile tells the engine how to bring a port up (the --vdev devargs
 * template, what the argument of "--port NAME:ARG" means, what the host must
 * provide) so that adding a driver is a data change, not a code change.
 */
#pragma once

#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>

#include "config/plan.h"

/** Longest profile name ([a-z0-9_-], file name without ".yaml"). */
#define DV_PROFILE_NAME_MAX 31
#define DV_PROFILE_MAX_QPS 2e6  /**< max-qps when a profile does not say (per TX queue) */

/**
 * Load and validate a profile file.
 *
 * The profile name is the file name without ".yaml"; a "name" key, if any,
 * must match it. Errors are reported as "FILE:LINE: ...".
 *
 * @param path  the profile file
 * @param out   receives the profile (written only on success)
 * @retval 0, -EINVAL (reported) or a negative errno (reported)
 */
int dv_profile_load(const char *path, struct dv_port_profile *out);

/**
 * Load a profile from memory (for tests).
 *
 * @param file  name for messages
 * @param name  the profile name (what the file name would give)
 * @param text  YAML text
 * @param len   bytes in text
 * @param out   receives the profile (written only on success)
 * @retval 0, -EINVAL or -ENOMEM (reported)
 */
int dv_profile_load_mem(const char *file, const char *name, const char *text,
			size_t len, struct dv_port_profile *out);

/**
 * Resolve a port spec "NAME[:ARG]" against a drivers directory.
 *
 * Loads DIR/NAME.yaml and checks ARG against the profile: required unless
 * the profile has a default-arg, refused for profiles without one, and never
 * containing ',' or '=' (which would inject devargs). Interface names must
 * be 1..IFNAMSIZ-1 bytes of [A-Za-z0-9_.-]. Errors are one "--port: ..."
 * line; an unknown NAME lists the profiles the directory has.
 *
 * This does not check that an interface exists: see dv_cli_parse().
 *
 * @param spec     e.g. "af_xdp:veth0", "embedded"
 * @param dir      the drivers-config directory
 * @param prof     receives the profile
 * @param arg      receives the effective argument ("" if none)
 * @param arg_len  size of arg
 * @retval 0, -EINVAL (reported) or a negative errno (reported)
 */
int dv_profile_resolve(const char *spec, const char *dir,
		       struct dv_port_profile *prof, char *arg, size_t arg_len);

/**
 * Check an argument for a profile (the rules of dv_profile_resolve()).
 *
 * @param prof  the profile
 * @param arg   the argument, non-empty
 * @param why   set to a short reason on failure (may be NULL)
 * @retval 0 or -EINVAL (not reported)
 */
int dv_profile_check_arg(const struct dv_port_profile *prof, const char *arg,
			 const char **why);

/**
 * Expand the profile's vdev template: every "{arg}" becomes arg and every
 * "{queues}" the number of queues (pairs) to open, in decimal.
 *
 * @param prof     the profile
 * @param arg      the argument (may be "" when the template has no "{arg}")
 * @param nqueues  queues the run uses, >= 1: max(generators, collectors)
 * @param buf      destination
 * @param len      size of buf
 * @return length of the devargs string (0 for profiles without a vdev),
 *         -ENOSPC if it does not fit, or -EINVAL (bad arguments, nqueues 0)
 */
int dv_profile_devargs(const struct dv_port_profile *prof, const char *arg,
		       unsigned nqueues, char *buf, size_t len);

/**
 * List the profile names of a directory, sorted, as "a, b, c".
 *
 * @param dir  the drivers-config directory
 * @param buf  destination (always NUL-terminated, may be cut with "...")
 * @param len  size of buf
 * @return number of profiles, or a negative errno if dir cannot be read
 */
int dv_profile_list(const char *dir, char *buf, size_t len);

/** Path of dnsvolley's XDP program (the {xdp_prog} placeholder of a vdev). */
const char *dv_profile_xdp_prog(void);

/** Whether the profile loads dnsvolley's XDP program ({xdp_prog} in its vdev). */
bool dv_profile_uses_xdp_prog(const struct dv_port_profile *prof);

/**
 * Whether the profile's driver opens its queues on the interface's combined
 * channels (the af_xdp PMD: queue_count may not exceed them).
 */
bool dv_profile_counts_channels(const struct dv_port_profile *prof);

/**
 * --list-ports: every profile of dir, what its argument is, what it needs
 * (root, hugepages, bpffs, a driver binding) and what it does.
 * @return 0, or a negative errno if dir cannot be read (reported)
 */
int dv_profile_print_all(const char *dir, FILE *out);
