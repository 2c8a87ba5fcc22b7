#include "obs_list.h"

#include <stdlib.h>
#include <string.h>

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

/* Merges sorted runs [0, middle) and [middle, count) of items through
 * scratch. A merge sort is used because qsort is not stable. */
static void merge(struct observation *items, struct observation *scratch,
                  size_t middle, size_t count)
{
	size_t left = 0;
	size_t right = middle;
	size_t out = 0;

	while (left < middle && right < count) {
		if (items[right].observed_at < items[left].observed_at)
			scratch[out++] = items[right++];
		else
			scratch[out++] = items[left++];
	}
	while (left < middle)
		scratch[out++] = items[left++];
	while (right < count)
		scratch[out++] = items[right++];
	memcpy(items, scratch, count * sizeof *items);
}

static void merge_sort(struct observation *items, struct observation *scratch, size_t count)
{
	size_t middle = count / 2;

	if (count < 2)
		return;
	merge_sort(items, scratch, middle);
	merge_sort(items + middle, scratch, count - middle);
	if (items[middle].observed_at < items[middle - 1].observed_at)
		merge(items, scratch, middle, count);
}

/* NDBC writes realtime rows newest first: reversing first makes those
 * already sorted, so the merge sort does almost no work on them. */
static void reverse_if_descending(struct obs_list *list)
{
	size_t count = list->count;

	if (count < 2 || list->items[0].observed_at <= list->items[count - 1].observed_at)
		return;
	for (size_t i = 0; i < count / 2; i++) {
		struct observation swap = list->items[i];

		list->items[i] = list->items[count - 1 - i];
		list->items[count - 1 - i] = swap;
	}
}

int obs_list_sort_by_time(struct obs_list *list)
{
	struct observation *scratch;

	reverse_if_descending(list);
	if (list->count < 2)
		return 0;
	scratch = reallocarray(NULL, list->count, sizeof *scratch);
	if (scratch == NULL)
		return -1;
	merge_sort(list->items, scratch, list->count);
	free(scratch);
	return 0;
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
