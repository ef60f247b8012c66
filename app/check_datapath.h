/**
 * @file check_datapath.h
 * @brief `dnsvolley check --port`: the battery as a load run of checks alone.
 */
#pragma once

#include "check/command.h"

/** A dv_check_datapath_fn: runs the battery over rq->port with the engine. */
int dv_check_datapath_run(const struct dv_check_datapath *rq,
			  struct dv_check_tally tally[DV_FAMILIES][DV_CHECKS_MAX]);
