/*
 * A fast reader for observation lines in the form buoy-fetch writes them.
 *
 * Parsing a line with libjq and reading its sixteen fields took about
 * 4 µs, two thirds of buoy-upsert's CPU time when loading new rows
 * (perf(1), bench/store-bench on the 2-core machine of docs/benchmarks.md).
 * With this scanner, buoy-upsert spends about 1.1 µs of CPU per line in
 * all. It reads only the common form: a line that passed
 * json_check_strict, whose keys, stationId and timestamp have no
 * backslash escapes and whose measurements are numbers or null. It
 * declines every other line, including every invalid one. The caller
 * then reads that line with libjq, which stays the reference reader and
 * writes the error messages.
 */
#ifndef BUOY_UPSERT_SCAN_LINE_H
#define BUOY_UPSERT_SCAN_LINE_H

#include <stdbool.h>
#include <stddef.h>

#include "observation.h"

/* Reads the observation in line, which json_check_strict accepted.
 * Returns true with *obs filled in exactly as observation_from_jv would
 * fill it, or false when the line needs libjq. */
bool scan_observation_line(const char *line, size_t len, struct observation *obs);

#endif
