/*
 * Merging the rows of one station and time. They come twice from files
 * that overlap, such as a monthly file and the realtime file of the same
 * days, or from a file that repeats a row. The merged row has, for each
 * measurement, the value the rows report; when more than one reports it,
 * the later row's value.
 */
#ifndef BUOY_OBS_REPEATS_H
#define BUOY_OBS_REPEATS_H

#include <stdbool.h>
#include <stddef.h>

#include "observation.h"

/*
 * Merges the repeated rows of items, which are sorted by time, in place,
 * and returns the new count. The merged row takes the place of the first
 * of its rows; the other rows keep their order. Rows are later when they
 * come later in items, or earlier when newest_first is set (items were
 * reversed from the order they were read in). Returns (size_t)-1 when out
 * of memory, leaving items unchanged.
 */
size_t obs_repeats_merge(struct observation *items, size_t count, bool newest_first);

#endif
