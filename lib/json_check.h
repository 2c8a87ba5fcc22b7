/*
 * Strict JSON syntax check (RFC 8259, UTF-8 only).
 *
 * libjq 1.6 parses more than JSON: it takes numbers such as 01.5, .5, 1.
 * and +1, NaN (read as null), NUL bytes inside strings and invalid UTF-8. Browsers'
 * JSON.parse rejects all of these, so every line that goes on towards
 * them is checked here first. No library in Debian 12 that the toolkit
 * already links offers a strict check, hence this small scanner.
 */
#ifndef BUOY_JSON_CHECK_H
#define BUOY_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Deepest nesting of objects and arrays accepted. */
#define JSON_CHECK_DEPTH_MAX 64

/* Returns true when text contains exactly one JSON value, with optional white
 * space around it. Otherwise writes the problem and its byte offset into
 * error. */
bool json_check_strict(const char *text, size_t len, char *error, size_t error_size);

#endif
