/* Strict, range-checked number parsing for options and environment values. */
#ifndef BUOY_NUMPARSE_H
#define BUOY_NUMPARSE_H

#include <stdbool.h>

/* Parses a whole decimal number in [min, max], with no sign other than a
 * leading '-', no spaces and nothing after the digits. */
bool parse_long_range(const char *text, long min, long max, long *value);

/* Parses a duration such as "250ms", "30s", "5m", "1h" or a plain number
 * of seconds, into milliseconds within [min_ms, max_ms]. */
bool parse_duration_ms(const char *text, long min_ms, long max_ms, long *value_ms);

#endif
