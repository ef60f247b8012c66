/**
 * @file commands.h
 * @brief The commands that work on result files: `dnsvolley report` and `dnsvolley merge`.
 */
#pragma once

/**
 * dnsvolley report [-o DIR] [--no-plots] [-q] RESULT.json: print the report
 * again, write DIR/series.csv, the plots (PNG and SVG) and DIR/report.html.
 * @param argv argv[0] is "report"
 * @return exit status (0, DV_EXIT_FAILURE, DV_EXIT_USAGE)
 */
int dv_cmd_report(int argc, char **argv);

/**
 * dnsvolley merge [-o OUT.json] [-q] A.json B.json...: one result of runs side
 * by side (several hosts or ports): counters add, histograms merge bucket by
 * bucket, the i-th intervals merge with each other.
 * @param argv argv[0] is "merge"
 * @return exit status
 */
int dv_cmd_merge(int argc, char **argv);
