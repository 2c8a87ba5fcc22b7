/* A growable list of observations, sorted oldest first before printing. */
#ifndef BUOY_OBS_LIST_H
#define BUOY_OBS_LIST_H

#include <stddef.h>

#include "observation.h"

/* Most observations one file may hold: the largest NDBC yearly file of
 * 10-minute rows has about 53,000. */
#define OBS_LIST_MAX 10000000u

struct obs_list {
	struct observation *items;
	size_t count;
	size_t capacity;
};

/* Appends a copy of obs. Returns 0, or -1 when out of memory or full. */
int obs_list_append(struct obs_list *list, const struct observation *obs);

/* Sorts by time, keeping the file order of rows with the same time (the
 * reverse order when the list runs newest first). Returns 0, or -1 when
 * out of memory, leaving the list unsorted. */
int obs_list_sort_by_time(struct obs_list *list);

void obs_list_clear(struct obs_list *list);
void obs_list_free(struct obs_list *list);

#endif
