/**
 * @file command.h
 * @brief `dnsvolley analyze CAPTURE`: the APNIC tables of a capture taken
 *        at a DNS server (pcap or pcapng, read with libpcap, streamed).
 */
#pragma once

/**
 * dnsvolley analyze CAPTURE [--quiet-time S] [--dns-port P] [--window N]
 *                   [--sources N] [--json FILE] [--html FILE] [--plots DIR]
 *                   [--no-plots] [-q]
 * @return 0, 1 when the capture could not be read to its end (the tables of
 *         what was read are printed), 2 on bad usage or an unreadable file
 */
int dv_cmd_analyze(int argc, char **argv);
