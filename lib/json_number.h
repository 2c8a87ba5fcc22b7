/*
 * Numbers written exactly as libjq 1.6 writes them (jv_dump_string): the
 * shortest decimal that reads back as the same double. An exponent is used
 * below 1e-4 and when more than 15 zeros would follow the significant
 * digits (1e-05, 1e+16). Negative zero is "-0" and NaN is "null".
 */
#ifndef BUOY_JSON_NUMBER_H
#define BUOY_JSON_NUMBER_H

#include <stddef.h>

/* Maximum length of the text json_number_format writes, without its NUL.
 * jq writes up to 17 significant digits and 15 zeros after them before it
 * switches to an exponent, so the longest text is "-" and 32 digits (33
 * characters). */
#define JSON_NUMBER_MAX 40

/* Writes value into out, NUL-terminated, and returns its length. */
size_t json_number_format(double value, char out[JSON_NUMBER_MAX + 1]);

#endif
