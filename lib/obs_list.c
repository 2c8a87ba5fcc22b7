#include "obs_list.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "obs_repeats.h"

int obs_list_append(struct obs_list *list, const struct observation *obs)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 1024;
		struct observation *grown;

		if (list->count >= OBS_LIST_MAX)
			return -1;
		grown = reallocarray(list->items, capacity, sizeof *grown);
		if (grown == NULL)
			return -1;
		list->items = grown;
		list->capacity = capacity;
	}
	list->items[list->count++] = *obs;
	return 0;
}

/* A row's time and its place in the list. Sorting these 16-byte keys and
 * then moving each row once costs far less than merge-sorting the rows
 * themselves, and needs scratch space for the keys only. */
struct sort_key {
	time_t time;
	size_t index;
};

/* How far a list is from sorted. One scan finds whether it needs sorting,
 * merging of repeated times, or neither (most files). */
enum order {
	ORDER_STRICT,         /* every time newer than the one before */
	ORDER_ASCENDING,      /* sorted, with some time repeated */
	ORDER_UNSORTED,
};

static enum order find_order(const struct observation *items, size_t count)
{
	enum order order = ORDER_STRICT;

	for (size_t i = 1; i < count; i++) {
		if (items[i].observed_at < items[i - 1].observed_at)
			return ORDER_UNSORTED;
		if (items[i].observed_at == items[i - 1].observed_at)
			order = ORDER_ASCENDING;
	}
	return order;
}

/* Returns the end of the ascending run of keys that starts at start. */
static size_t run_end(const struct sort_key *keys, size_t start, size_t count)
{
	size_t end = start + 1;

	while (end < count && keys[end].time >= keys[end - 1].time)
		end++;
	return end;
}

/* Merges keys[start, middle) and keys[middle, end) into out at start. Ties
 * take the left key, which keeps the sort stable. */
static void merge_runs(const struct sort_key *keys, size_t start, size_t middle, size_t end,
                       struct sort_key *out)
{
	size_t left = start;
	size_t right = middle;
	size_t at = start;

	while (left < middle && right < end)
		out[at++] = keys[right].time < keys[left].time ? keys[right++] : keys[left++];
	while (left < middle)
		out[at++] = keys[left++];
	while (right < end)
		out[at++] = keys[right++];
}

/* Sorts keys by time with a natural merge sort, which merges the ascending
 * runs it finds two by two: k sorted runs, such as the files of one run,
 * take log2(k) passes. Returns the buffer, keys or scratch, that contains
 * the result. */
static struct sort_key *sort_keys(struct sort_key *keys, struct sort_key *scratch, size_t count)
{
	while (run_end(keys, 0, count) < count) {
		struct sort_key *swap;

		for (size_t start = 0; start < count;) {
			size_t middle = run_end(keys, start, count);
			size_t end = middle < count ? run_end(keys, middle, count) : count;

			merge_runs(keys, start, middle, end, scratch);
			start = end;
		}
		swap = keys;
		keys = scratch;
		scratch = swap;
	}
	return keys;
}

/* Moves every row to its sorted place by following the cycles of the
 * permutation: keys[i].index is the row that belongs at place i, and is
 * set to i once that row is there. */
static void apply_order(struct observation *items, struct sort_key *keys, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct observation displaced;
		size_t place = i;

		if (keys[i].index == i)
			continue;
		displaced = items[i];
		for (;;) {
			size_t from = keys[place].index;

			keys[place].index = place;
			if (from == i) {
				items[place] = displaced;
				break;
			}
			items[place] = items[from];
			place = from;
		}
	}
}

/* Sorts items by time, keeping the order of rows with the same time.
 * Returns 0, or -1 when out of memory. */
static int stable_sort(struct observation *items, size_t count)
{
	struct sort_key *keys = reallocarray(NULL, count, 2 * sizeof *keys);

	if (keys == NULL)
		return -1;

	for (size_t i = 0; i < count; i++) {
		keys[i].time = items[i].observed_at;
		keys[i].index = i;
	}
	apply_order(items, sort_keys(keys, keys + count, count), count);
	free(keys);
	return 0;
}

/* NDBC writes realtime rows newest first: reversing first makes those
 * already sorted. Returns true when the rows were reversed. */
static bool reverse_if_descending(struct observation *items, size_t count)
{
	if (count < 2 || items[0].observed_at <= items[count - 1].observed_at)
		return false;
	for (size_t i = 0; i < count / 2; i++) {
		struct observation swap = items[i];

		items[i] = items[count - 1 - i];
		items[count - 1 - i] = swap;
	}
	return true;
}

/* Sorts items[first, count) and merges their repeated times. */
static int sort_and_merge(struct obs_list *list, size_t first, bool newest_first)
{
	struct observation *items = list->items + first;
	size_t count = list->count - first;
	enum order order = find_order(items, count);
	size_t merged_count;

	if (order == ORDER_STRICT)
		return 0;
	if (order == ORDER_UNSORTED && stable_sort(items, count) != 0)
		return -1;
	merged_count = obs_repeats_merge(items, count, newest_first);
	if (merged_count == (size_t)-1)
		return -1;
	list->count = first + merged_count;
	return 0;
}

int obs_list_sort_file(struct obs_list *list, size_t first)
{
	bool newest_first = reverse_if_descending(list->items + first, list->count - first);

	return sort_and_merge(list, first, newest_first);
}

int obs_list_sort_by_time(struct obs_list *list)
{
	return obs_list_sort_file(list, 0);
}

int obs_list_sort_files(struct obs_list *list)
{
	return sort_and_merge(list, 0, false);
}

void obs_list_clear(struct obs_list *list)
{
	list->count = 0;
}

void obs_list_free(struct obs_list *list)
{
	free(list->items);
	memset(list, 0, sizeof *list);
}
