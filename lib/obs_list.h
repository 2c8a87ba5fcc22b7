/* A growable list of observations, sorted oldest first before printing,
 * with the rows of one station and time merged into one. */
#ifndef BUOY_OBS_LIST_H
#define BUOY_OBS_LIST_H

#include <stddef.h>

#include "observation.h"

/* Maximum number of observations in one list: the rows of one file, or of
 * all the files one buoy-fetch -f run reads. The largest NDBC yearly file of
 * 10-minute rows has about 53,000; 10 million rows take 1.4 GB. */
#define OBS_LIST_MAX 10000000u

struct obs_list {
	struct observation *items;
	size_t count;
	size_t capacity;
};

/* Appends a copy of obs. Returns 0, or -1 when out of memory or full. */
int obs_list_append(struct obs_list *list, const struct observation *obs);

/*
 * Sorts the rows of one file by time, oldest first, and merges the rows
 * of one station and time into one (see obs_repeats.h), the later row in
 * the file winning. Rows of different stations with the same time keep
 * the file order, or the reverse order when the list runs newest first
 * (its first row newer than its last). Returns 0, or -1 when out of
 * memory, leaving the list unsorted.
 */
int obs_list_sort_by_time(struct obs_list *list);

/* Does what obs_list_sort_by_time does for the items from index first on:
 * the rows of one file, appended after those of the files before it. */
int obs_list_sort_file(struct obs_list *list, size_t first);

/* Sorts a list of files, each sorted by obs_list_sort_file, into one,
 * merging the rows of one station and time across files: a later file's
 * row is the later row. Rows of different stations with the same time
 * keep the list order. Returns 0, or -1 when out of memory. */
int obs_list_sort_files(struct obs_list *list);

void obs_list_clear(struct obs_list *list);
void obs_list_free(struct obs_list *list);

#endif
