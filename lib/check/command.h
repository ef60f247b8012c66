/**
 * @file command.h
 * @brief `dnsvolley check`: the compliance battery against a server, one
 *        line per check and address, a JSON table, an exit status for CI.
 */
#pragma once

/**
 * dnsvolley check -s ADDR [-s ADDR ...] -z ZONE [-p PORT] [-t SECONDS]
 *                 [--only ID,...] [--expect-fail ID[@v4|@v6],...] [--json FILE] [-q]
 * @return 0 every check passed (or failed as expected), 1 one did not, 2 bad usage
 */
int dv_cmd_check(int argc, char **argv);
