/*
 * The observation record as one line of NDJSON, written by hand.
 *
 * Building a jv object per record and dumping it with libjq allocates a
 * string per key and value and formats each number with dtoa. In a perf
 * profile of buoy-fetch -f on a yearly file, libjq took 78% of the time,
 * so the line is written by hand. The text is byte for byte what
 * jv_dump_string(observation_to_jv(obs), 0) gives with libjq 1.6: the
 * same key order, numbers as json_number_format writes them, null for a
 * missing measurement. Station ids that are not plain letters and digits,
 * and times outside the years 1000 to 9999, go through libjq and strftime.
 */
#ifndef BUOY_OBSERVATION_LINE_H
#define BUOY_OBSERVATION_LINE_H

#include <stddef.h>

#include "observation.h"

/* Maximum line length, newline included: sixteen keys, an escaped station
 * id and fourteen numbers of at most JSON_NUMBER_MAX characters come to
 * about 650. */
#define OBSERVATION_LINE_MAX 1024

/* Writes the record and its '\n' into out and returns the length. out is
 * not NUL-terminated. */
size_t observation_line_format(const struct observation *obs, char out[OBSERVATION_LINE_MAX]);

#endif
