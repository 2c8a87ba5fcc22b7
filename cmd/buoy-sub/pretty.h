/* Observation and status lines as text readable at a glance in a terminal. */
#ifndef BUOY_SUB_PRETTY_H
#define BUOY_SUB_PRETTY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes the observation in line (len bytes of JSON) into out as one line
 * with its '\n', for example
 *   2022-06-05T13:00:00Z  44013  wave 0.5 m  wind 3.0 m/s from 280°  water 13.9 °C
 * Measurements that are null are left out. Returns false when line is not
 * a valid observation or out is too small.
 */
bool pretty_observation(const char *line, size_t len, char *out, size_t out_size);

/* Writes "-- upstream up" or "-- upstream down: reason" with a '\n' into out. */
void pretty_status(bool upstream_up, const char *reason, char *out, size_t out_size);

#endif
