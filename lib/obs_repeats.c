#include "obs_repeats.h"

#include <stdlib.h>
#include <string.h>

/* A row of a group of rows with the same time, for sorting by station. */
struct group_entry {
	const char *station_id;
	size_t position;          /* in items */
};

/* Space for one group at a time, grown to the largest group. */
struct group_space {
	struct group_entry *entries;
	bool *removed;
	size_t capacity;
};

static int compare_entries(const void *left, const void *right)
{
	const struct group_entry *a = left;
	const struct group_entry *b = right;
	int order = strcmp(a->station_id, b->station_id);

	if (order != 0)
		return order;
	return (a->position > b->position) - (a->position < b->position);
}

static bool reserve(struct group_space *space, size_t size)
{
	struct group_entry *entries;
	bool *removed;

	if (size <= space->capacity)
		return true;
	entries = reallocarray(space->entries, size, sizeof *entries);
	if (entries == NULL)
		return false;
	space->entries = entries;
	removed = reallocarray(space->removed, size, sizeof *removed);
	if (removed == NULL)
		return false;
	space->removed = removed;
	space->capacity = size;
	return true;
}

/* Merges the rows of one station, entries[0..count) in list order, into
 * the first of them and marks the others removed. The row that came last
 * in the input wins, and each value it lacks comes from the latest row
 * before it that has one. */
static void merge_station(struct observation *items, const struct group_entry *entries,
                          size_t count, bool newest_first, size_t group_start, bool *removed)
{
	size_t latest = newest_first ? 0 : count - 1;
	struct observation merged = items[entries[latest].position];

	for (size_t step = 1; step < count; step++) {
		size_t earlier = newest_first ? step : count - 1 - step;

		observation_fill_missing(&merged, &items[entries[earlier].position]);
	}
	items[entries[0].position] = merged;
	for (size_t i = 1; i < count; i++)
		removed[entries[i].position - group_start] = true;
}

/* Merges the repeated stations of the group items[start..end), all of one
 * time, and marks the rows merged away in space->removed. */
static void merge_group(struct observation *items, size_t start, size_t end, bool newest_first,
                        struct group_space *space)
{
	size_t size = end - start;

	for (size_t i = 0; i < size; i++) {
		space->entries[i].station_id = items[start + i].station_id;
		space->entries[i].position = start + i;
		space->removed[i] = false;
	}
	qsort(space->entries, size, sizeof space->entries[0], compare_entries);

	for (size_t first = 0; first < size;) {
		size_t station_end = first + 1;

		while (station_end < size && strcmp(space->entries[station_end].station_id,
		                                    space->entries[first].station_id) == 0)
			station_end++;
		if (station_end - first > 1)
			merge_station(items, &space->entries[first], station_end - first, newest_first,
			              start, space->removed);
		first = station_end;
	}
}

static size_t largest_group(const struct observation *items, size_t count)
{
	size_t largest = count > 0 ? 1 : 0;

	for (size_t start = 0; start < count;) {
		size_t end = start + 1;

		while (end < count && items[end].observed_at == items[start].observed_at)
			end++;
		if (end - start > largest)
			largest = end - start;
		start = end;
	}
	return largest;
}

size_t obs_repeats_merge(struct observation *items, size_t count, bool newest_first)
{
	struct group_space space = { 0 };
	size_t largest = largest_group(items, count);
	size_t kept_count = 0;

	if (largest <= 1)
		return count;

	/* Reserving before the first change keeps items whole on failure. */
	if (!reserve(&space, largest)) {
		free(space.entries);
		free(space.removed);
		return (size_t)-1;
	}

	for (size_t start = 0; start < count;) {
		size_t end = start + 1;

		while (end < count && items[end].observed_at == items[start].observed_at)
			end++;

		/* A group of one row, by far the most common, is kept as it is. */
		if (end - start == 1) {
			if (kept_count != start)
				items[kept_count] = items[start];
			kept_count++;
			start = end;
			continue;
		}

		merge_group(items, start, end, newest_first, &space);
		for (size_t i = start; i < end; i++)
			if (!space.removed[i - start])
				items[kept_count++] = items[i];
		start = end;
	}
	free(space.entries);
	free(space.removed);
	return kept_count;
}
