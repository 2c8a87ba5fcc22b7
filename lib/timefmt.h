/* Conversions between time_t and the record's UTC "YYYY-MM-DDTHH:MM:SSZ". */
#ifndef BUOY_TIMEFMT_H
#define BUOY_TIMEFMT_H

#include <stdbool.h>
#include <time.h>

#define TIMEFMT_ISO_SIZE sizeof "YYYY-MM-DDTHH:MM:SSZ"

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void timefmt_iso8601(time_t t, char out[TIMEFMT_ISO_SIZE]);

/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" with every field in range.
 * Returns false for any other text. */
bool timefmt_parse_iso8601(const char *text, time_t *t);

/* Builds a UTC time from calendar fields, rejecting days that the month
 * does not have (such as April 31). */
bool timefmt_from_fields(int year, int month, int day, int hour, int minute,
                         int second, time_t *t);

#endif
