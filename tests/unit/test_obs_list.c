/*
 * Unit tests for obs_list: sorting oldest first, stably, and merging the
 * rows of one station and time within a file and across files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs_list.h"

#define T0 1654434000     /* 2022-06-05T13:00:00Z */
#define MINUTE 60

/* A row with only wind speed, or no measurement when wind is negative. */
static struct observation row(const char *station, time_t at, double wind)
{
	struct observation obs = { .observed_at = at };
	size_t len = strnlen(station, STATION_ID_MAX);

	memcpy(obs.station_id, station, len);
	obs.station_id[len] = '\0';
	if (wind >= 0)
		observation_set(&obs, OBS_WIND_SPEED, wind);
	return obs;
}

static void append(struct obs_list *list, struct observation obs)
{
	assert_int_equal(obs_list_append(list, &obs), 0);
}

static void assert_row(const struct obs_list *list, size_t i, const char *station, time_t at)
{
	assert_true(i < list->count);
	assert_string_equal(list->items[i].station_id, station);
	assert_int_equal(list->items[i].observed_at, at);
}

static void assert_value(const struct observation *obs, enum obs_field field, double expected)
{
	assert_true(observation_has(obs, field));
	assert_true(obs->value[field] == expected);
}

static void sorts_oldest_first_stably(void **state)
{
	struct obs_list list = { 0 };

	append(&list, row("A", T0, 1));
	append(&list, row("B", T0 - MINUTE, 2));
	append(&list, row("C", T0 + MINUTE, 3));
	append(&list, row("D", T0 - MINUTE, 4));
	append(&list, row("E", T0 + MINUTE, 5));
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 5);
	assert_row(&list, 0, "B", T0 - MINUTE);
	assert_row(&list, 1, "D", T0 - MINUTE);
	assert_row(&list, 2, "A", T0);
	assert_row(&list, 3, "C", T0 + MINUTE);
	assert_row(&list, 4, "E", T0 + MINUTE);
	obs_list_free(&list);
}

/* A file newest first (first row newer than the last) is reversed, so rows
 * of one time come in the reverse of the file order. */
static void newest_first_is_reversed(void **state)
{
	struct obs_list list = { 0 };

	append(&list, row("A", T0 + MINUTE, 1));
	append(&list, row("B", T0, 2));
	append(&list, row("C", T0, 3));
	append(&list, row("A", T0 - MINUTE, 4));
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 4);
	assert_row(&list, 0, "A", T0 - MINUTE);
	assert_row(&list, 1, "C", T0);
	assert_row(&list, 2, "B", T0);
	assert_row(&list, 3, "A", T0 + MINUTE);
	obs_list_free(&list);
}

static void identical_rows_once(void **state)
{
	struct obs_list list = { 0 };

	append(&list, row("A", T0, 3));
	append(&list, row("A", T0, 3));
	append(&list, row("A", T0 + MINUTE, 4));
	append(&list, row("A", T0, 3));
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 2);
	assert_row(&list, 0, "A", T0);
	assert_int_equal(list.items[0].present, 1u << OBS_WIND_SPEED);
	assert_value(&list.items[0], OBS_WIND_SPEED, 3);
	assert_row(&list, 1, "A", T0 + MINUTE);
	obs_list_free(&list);
}

/* The sparse row first: its measurement is replaced by the full row's,
 * which the later row reports too. */
static void sparse_then_full(void **state)
{
	struct obs_list list = { 0 };
	struct observation full = row("A", T0, 4);

	observation_set(&full, OBS_PRESSURE, 1015.2);
	append(&list, row("A", T0, 3));
	append(&list, full);
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 1);
	assert_value(&list.items[0], OBS_WIND_SPEED, 4);
	assert_value(&list.items[0], OBS_PRESSURE, 1015.2);
	assert_int_equal(list.items[0].present, 1u << OBS_WIND_SPEED | 1u << OBS_PRESSURE);
	obs_list_free(&list);
}

/* The full row first: a later row's null never replaces a value. */
static void full_then_sparse(void **state)
{
	struct obs_list list = { 0 };
	struct observation full = row("A", T0, 4);
	struct observation sparse = row("A", T0, -1);

	observation_set(&full, OBS_PRESSURE, 1015.2);
	observation_set(&sparse, OBS_AIR_TEMP, 12.5);
	append(&list, full);
	append(&list, sparse);
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 1);
	assert_value(&list.items[0], OBS_WIND_SPEED, 4);
	assert_value(&list.items[0], OBS_PRESSURE, 1015.2);
	assert_value(&list.items[0], OBS_AIR_TEMP, 12.5);
	obs_list_free(&list);
}

/* In a file newest first, the later row in the file still wins. */
static void newest_first_later_row_wins(void **state)
{
	struct obs_list list = { 0 };

	append(&list, row("A", T0 + MINUTE, 1));
	append(&list, row("A", T0, 2));
	append(&list, row("A", T0, 5));
	append(&list, row("A", T0 - MINUTE, 3));
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 3);
	assert_row(&list, 1, "A", T0);
	assert_value(&list.items[1], OBS_WIND_SPEED, 5);
	obs_list_free(&list);
}

/* Among rows of other stations at the same time, only one station's rows
 * merge, into the place of its first row. */
static void repeats_among_other_stations(void **state)
{
	struct obs_list list = { 0 };

	append(&list, row("A", T0, 1));
	append(&list, row("B", T0, 2));
	append(&list, row("A", T0, 3));
	append(&list, row("C", T0, 4));
	append(&list, row("B", T0, -1));
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 3);
	assert_row(&list, 0, "A", T0);
	assert_value(&list.items[0], OBS_WIND_SPEED, 3);
	assert_row(&list, 1, "B", T0);
	assert_value(&list.items[1], OBS_WIND_SPEED, 2);
	assert_row(&list, 2, "C", T0);
	obs_list_free(&list);
}

static void three_rows_merge(void **state)
{
	struct obs_list list = { 0 };
	struct observation second = row("A", T0, -1);
	struct observation third = row("A", T0, 9);

	observation_set(&second, OBS_PRESSURE, 1001);
	observation_set(&third, OBS_GUST, 12);
	append(&list, row("A", T0, 7));
	append(&list, second);
	append(&list, third);
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, 1);
	assert_value(&list.items[0], OBS_WIND_SPEED, 9);
	assert_value(&list.items[0], OBS_PRESSURE, 1001);
	assert_value(&list.items[0], OBS_GUST, 12);
	obs_list_free(&list);
}

/* Two files: each sorted on its own, then together; the second file's row
 * is the later one. The first file runs newest first. */
static void files_merge_later_file_wins(void **state)
{
	struct obs_list list = { 0 };
	struct observation revised = row("A", T0, 5);

	append(&list, row("A", T0, 3));
	append(&list, row("A", T0 - MINUTE, 1));
	assert_int_equal(obs_list_sort_file(&list, 0), 0);

	observation_set(&revised, OBS_PRESSURE, 1013);
	append(&list, revised);
	append(&list, row("A", T0 + MINUTE, 6));
	append(&list, row("B", T0 - MINUTE, 2));
	assert_int_equal(obs_list_sort_file(&list, 2), 0);
	assert_int_equal(obs_list_sort_files(&list), 0);

	assert_int_equal(list.count, 4);
	assert_row(&list, 0, "A", T0 - MINUTE);
	assert_row(&list, 1, "B", T0 - MINUTE);
	assert_row(&list, 2, "A", T0);
	assert_value(&list.items[2], OBS_WIND_SPEED, 5);
	assert_value(&list.items[2], OBS_PRESSURE, 1013);
	assert_row(&list, 3, "A", T0 + MINUTE);
	obs_list_free(&list);
}

/* Reference order for the random test: by time, then by first index. */
struct reference {
	time_t at;
	size_t index;
};

static int compare_reference(const void *left, const void *right)
{
	const struct reference *a = left;
	const struct reference *b = right;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->index > b->index) - (a->index < b->index);
}

/* Random times with many ties: the order must be that of a stable sort.
 * Each row has its own station, so nothing merges. */
static void random_rows_stable(void **state)
{
	enum { COUNT = 20000 };
	struct obs_list list = { 0 };
	struct reference *expected = calloc(COUNT, sizeof *expected);

	assert_non_null(expected);
	srand48(42040);
	append(&list, row("0", T0 - 1000 * MINUTE, 0));
	expected[0] = (struct reference){ T0 - 1000 * MINUTE, 0 };
	for (size_t i = 1; i < COUNT; i++) {
		char station[16];
		time_t at = T0 + (time_t)(lrand48() % 500) * MINUTE;

		snprintf(station, sizeof station, "%zu", i);
		append(&list, row(station, at, (double)i));
		expected[i] = (struct reference){ at, i };
	}
	qsort(expected, COUNT, sizeof *expected, compare_reference);
	assert_int_equal(obs_list_sort_by_time(&list), 0);

	assert_int_equal(list.count, COUNT);
	for (size_t i = 0; i < COUNT; i++) {
		assert_int_equal(list.items[i].observed_at, expected[i].at);
		assert_value(&list.items[i], OBS_WIND_SPEED, (double)expected[i].index);
	}
	free(expected);
	obs_list_free(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sorts_oldest_first_stably),
		cmocka_unit_test(newest_first_is_reversed),
		cmocka_unit_test(identical_rows_once),
		cmocka_unit_test(sparse_then_full),
		cmocka_unit_test(full_then_sparse),
		cmocka_unit_test(newest_first_later_row_wins),
		cmocka_unit_test(repeats_among_other_stations),
		cmocka_unit_test(three_rows_merge),
		cmocka_unit_test(files_merge_later_file_wins),
		cmocka_unit_test(random_rows_stable),
	};

	return cmocka_run_group_tests_name("obs_list", tests, NULL, NULL);
}
