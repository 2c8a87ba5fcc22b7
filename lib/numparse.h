/* Strict, range-checked number parsing for options and environment values,
 * and a fast reader of the plain decimals in NDBC files. */
#ifndef BUOY_NUMPARSE_H
#define BUOY_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Parses a whole decimal number in [min, max], with no sign other than a
 * leading '-', no spaces and nothing after the digits. */
bool parse_long_range(const char *text, long min, long max, long *value);

/* Parses a duration such as "250ms", "30s", "5m", "1h" or a plain number
 * of seconds, into milliseconds within [min_ms, max_ms]. */
bool parse_duration_ms(const char *text, long min_ms, long max_ms, long *value_ms);

/*
 * Reads a plain decimal of len bytes (an optional sign, digits, an optional
 * point and digits, at least one digit: "1015.2", ".69", "+1.6", "-0.0")
 * with at most 15 significant digits. The result equals strtod's, which
 * rounds correctly, because the digits and the power of ten are both exact
 * doubles and their quotient is rounded once. Returns false for any other
 * text (an exponent, "0x1p3", "nan", more digits), which the caller
 * then reads with strtod.
 */
bool parse_plain_decimal(const char *text, size_t len, double *value);

#endif
