/*
 * Unit tests for buoy-upsert's batch, with its merging of repeated keys,
 * and for its PostgreSQL binary arrays. Those modules live in
 * cmd/buoy-upsert/, outside libbuoy.a, so this file compiles their sources
 * in directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/buoy-upsert/batch.c"
#include "../../cmd/buoy-upsert/pg_binary.c"

static struct observation make_observation(const char *station, time_t observed_at)
{
	struct observation obs;

	memset(&obs, 0, sizeof obs);
	snprintf(obs.station_id, sizeof obs.station_id, "%s", station);
	obs.observed_at = observed_at;
	return obs;
}

static void add_line(struct batch *batch, const char *station, time_t observed_at,
                     const char *line)
{
	struct observation obs = make_observation(station, observed_at);

	assert_true(batch_has_room(batch, strlen(line)));
	assert_int_equal(batch_add(batch, &obs, line, strlen(line)), 0);
}

static const char *row_line(const struct batch *batch, const struct batch_row *row)
{
	static char line[256];

	memcpy(line, batch->text + row->line_start, row->line_len);
	line[row->line_len] = '\0';
	return line;
}

static void unique_keeps_later_line(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 10), 0);
	add_line(&batch, "B", 100, "b100-first");
	add_line(&batch, "A", 200, "a200");
	add_line(&batch, "B", 100, "b100-second");
	add_line(&batch, "A", 100, "a100");
	add_line(&batch, "B", 100, "b100-third");

	batch_select_unique(&batch);
	assert_int_equal(batch.unique_count, 3);
	assert_string_equal(row_line(&batch, batch.unique[0]), "a100");
	assert_string_equal(row_line(&batch, batch.unique[1]), "a200");
	assert_string_equal(row_line(&batch, batch.unique[2]), "b100-third");
	batch_free(&batch);
}

static void room_ends_at_max_rows(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 2), 0);
	add_line(&batch, "A", 1, "one");
	add_line(&batch, "A", 2, "two");
	assert_false(batch_has_room(&batch, 1));

	batch_clear(&batch);
	assert_true(batch_has_room(&batch, 1));
	assert_int_equal(batch.count, 0);
	batch_free(&batch);
}

static void room_ends_at_text_max(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 10), 0);
	assert_true(batch_has_room(&batch, BATCH_TEXT_MAX));
	assert_false(batch_has_room(&batch, BATCH_TEXT_MAX + 1));
	batch_free(&batch);
}

static void add_values(struct batch *batch, const char *station, time_t observed_at,
                       const char *line, double wave, double wind)
{
	struct observation obs = make_observation(station, observed_at);

	if (!isnan(wave))
		observation_set(&obs, OBS_WAVE_HEIGHT, wave);
	if (!isnan(wind))
		observation_set(&obs, OBS_WIND_SPEED, wind);
	assert_int_equal(batch_add(batch, &obs, line, strlen(line)), 0);
}

/* For each measurement the latest non-null value wins. */
static void unique_merges_values(void **state)
{
	struct batch batch;
	const struct batch_row *row;

	assert_int_equal(batch_init(&batch, 10), 0);
	add_values(&batch, "A", 100, "first", 1.0, 10.0);
	add_values(&batch, "A", 100, "second", 2.0, NAN);
	add_values(&batch, "A", 100, "third", NAN, NAN);

	batch_select_unique(&batch);
	assert_int_equal(batch.unique_count, 1);
	row = batch.unique[0];
	assert_string_equal(row_line(&batch, row), "third");
	assert_true(row->differs_from_line);
	assert_true(observation_has(&row->obs, OBS_WAVE_HEIGHT));
	assert_true(row->obs.value[OBS_WAVE_HEIGHT] == 2.0);
	assert_true(observation_has(&row->obs, OBS_WIND_SPEED));
	assert_true(row->obs.value[OBS_WIND_SPEED] == 10.0);
	assert_false(observation_has(&row->obs, OBS_WATER_TEMP));
	batch_free(&batch);
}

static void unique_full_last_line_is_unchanged(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 10), 0);
	add_values(&batch, "A", 100, "sparse", NAN, 10.0);
	add_values(&batch, "A", 100, "full", 2.0, 20.0);
	add_values(&batch, "B", 100, "alone", NAN, NAN);

	batch_select_unique(&batch);
	assert_int_equal(batch.unique_count, 2);
	assert_string_equal(row_line(&batch, batch.unique[0]), "full");
	assert_false(batch.unique[0]->differs_from_line);
	assert_true(batch.unique[0]->obs.value[OBS_WIND_SPEED] == 20.0);
	assert_false(batch.unique[1]->differs_from_line);
	batch_free(&batch);
}

static void find_unique_by_key(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 10), 0);
	add_line(&batch, "B", 100, "b100");
	add_line(&batch, "A", 300, "a300");
	add_line(&batch, "A", 100, "a100");
	add_line(&batch, "AB", 100, "ab100");
	batch_select_unique(&batch);

	assert_string_equal(row_line(&batch, batch_find_unique(&batch, "A", 100)), "a100");
	assert_string_equal(row_line(&batch, batch_find_unique(&batch, "A", 300)), "a300");
	assert_string_equal(row_line(&batch, batch_find_unique(&batch, "AB", 100)), "ab100");
	assert_string_equal(row_line(&batch, batch_find_unique(&batch, "B", 100)), "b100");
	assert_null(batch_find_unique(&batch, "A", 200));
	assert_null(batch_find_unique(&batch, "C", 100));
	batch_free(&batch);
}

static struct station_record make_station(const char *id, const char *name, double lat)
{
	struct station_record station;

	memset(&station, 0, sizeof station);
	snprintf(station.station_id, sizeof station.station_id, "%s", id);
	station.name = name != NULL ? strdup(name) : NULL;
	if (!isnan(lat)) {
		station.lat = lat;
		station.has_lat = true;
	}
	return station;
}

static void add_station(struct batch *batch, const char *id, const char *name, double lat)
{
	struct station_record station = make_station(id, name, lat);

	assert_true(batch_has_room(batch, 10));
	assert_int_equal(batch_add_station(batch, &station, 10), 0);
	assert_null(station.name);
}

static void unique_merges_stations(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 10), 0);
	add_station(&batch, "S2", "two", 2.0);
	add_station(&batch, "S1", "first", 1.0);
	add_station(&batch, "S1", NULL, 1.5);
	add_station(&batch, "S1", "last", NAN);

	batch_select_unique(&batch);
	assert_int_equal(batch.station_count, 2);
	assert_string_equal(batch.stations[0].record.station_id, "S1");
	assert_string_equal(batch.stations[0].record.name, "last");
	assert_true(batch.stations[0].record.has_lat);
	assert_true(batch.stations[0].record.lat == 1.5);
	assert_string_equal(batch.stations[1].record.station_id, "S2");
	assert_string_equal(batch.stations[1].record.name, "two");
	batch_free(&batch);
}

static void stations_share_max_rows(void **state)
{
	struct batch batch;

	assert_int_equal(batch_init(&batch, 2), 0);
	add_line(&batch, "A", 1, "one");
	add_station(&batch, "S1", "name", 1.0);
	assert_false(batch_has_room(&batch, 1));
	batch_clear(&batch);
	assert_int_equal(batch.station_count, 0);
	assert_true(batch_has_room(&batch, 1));
	batch_free(&batch);
}

static uint32_t read_u32(const unsigned char *in)
{
	return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

static uint64_t read_u64(const unsigned char *in)
{
	return (uint64_t)read_u32(in) << 32 | read_u32(in + 4);
}

/* 1.5 is 0x3ff8000000000000 as an IEEE 754 double. */
static void float8_array_bytes(void **state)
{
	struct pg_array array = { 0 };

	pg_array_reset(&array, PG_OID_FLOAT8);
	assert_int_equal(pg_array_add_float8(&array, 1.5), 0);
	assert_int_equal(pg_array_add_null(&array), 0);
	assert_int_equal(pg_array_finish(&array), 0);

	assert_int_equal(array.len, PG_ARRAY_HEADER_SIZE + 12 + 4);
	assert_int_equal(read_u32(array.data), 1);            /* dimensions */
	assert_int_equal(read_u32(array.data + 4), 1);        /* has NULL */
	assert_int_equal(read_u32(array.data + 8), 701);      /* float8 */
	assert_int_equal(read_u32(array.data + 12), 2);       /* length */
	assert_int_equal(read_u32(array.data + 16), 1);       /* lower bound */
	assert_int_equal(read_u32(array.data + 20), 8);
	assert_int_equal(read_u64(array.data + 24), 0x3ff8000000000000u);
	assert_int_equal(read_u32(array.data + 32), 0xffffffffu);
	pg_array_free(&array);
}

/* 2000-01-01T00:00:01Z is one second after PostgreSQL's epoch. */
static void text_and_time_array_bytes(void **state)
{
	struct pg_array text = { 0 };
	struct pg_array times = { 0 };

	pg_array_reset(&text, PG_OID_TEXT);
	assert_int_equal(pg_array_add_text(&text, "44013"), 0);
	assert_int_equal(pg_array_finish(&text), 0);
	assert_int_equal(read_u32(text.data + 4), 0);
	assert_int_equal(read_u32(text.data + 8), 25);
	assert_int_equal(read_u32(text.data + 20), 5);
	assert_memory_equal(text.data + 24, "44013", 5);

	pg_array_reset(&times, PG_OID_TIMESTAMPTZ);
	assert_int_equal(pg_array_add_timestamptz(&times, 946684801), 0);
	assert_int_equal(pg_array_add_timestamptz(&times, 0), 0);
	assert_int_equal(pg_array_finish(&times), 0);
	assert_int_equal(read_u32(times.data + 8), 1184);
	assert_int_equal(read_u64(times.data + 24), 1000000);
	assert_int_equal((int64_t)read_u64(times.data + 36), -(int64_t)946684800 * 1000000);
	assert_true(pg_binary_unix_time((int64_t)read_u64(times.data + 36)) == 0);
	pg_array_free(&text);
	pg_array_free(&times);
}

static void empty_array_after_reset(void **state)
{
	struct pg_array array = { 0 };

	pg_array_reset(&array, PG_OID_TEXT);
	assert_int_equal(pg_array_add_text(&array, "x"), 0);
	pg_array_reset(&array, PG_OID_TEXT);
	assert_int_equal(pg_array_finish(&array), 0);
	assert_int_equal(array.len, PG_ARRAY_HEADER_SIZE);
	assert_int_equal(read_u32(array.data + 12), 0);
	pg_array_free(&array);
}

static void int4_array_reading(void **state)
{
	static const char array[] = {
		0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1,
		0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 4, (char)0xff, (char)0xff, (char)0xff, (char)0xfe,
	};
	static const char empty[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23 };
	struct pg_int4_array_reader reader;
	int32_t value;

	assert_true(pg_int4_array_open(&reader, array, sizeof array));
	assert_true(pg_int4_array_next(&reader, &value));
	assert_int_equal(value, 7);
	assert_true(pg_int4_array_next(&reader, &value));
	assert_int_equal(value, -2);
	assert_false(pg_int4_array_next(&reader, &value));
	assert_int_equal(reader.remaining, 0);

	/* Cut short: the second element is missing. */
	assert_true(pg_int4_array_open(&reader, array, sizeof array - 8));
	assert_true(pg_int4_array_next(&reader, &value));
	assert_false(pg_int4_array_next(&reader, &value));
	assert_int_equal(reader.remaining, 1);

	assert_true(pg_int4_array_open(&reader, empty, sizeof empty));
	assert_false(pg_int4_array_next(&reader, &value));
	assert_false(pg_int4_array_open(&reader, array, 8));
}

static void unix_time_rounds_down(void **state)
{
	assert_true(pg_binary_unix_time(0) == 946684800);
	assert_true(pg_binary_unix_time(1500000) == 946684801);
	assert_true(pg_binary_unix_time(-1) == 946684799);
	assert_true(pg_binary_unix_time(-1000000) == 946684799);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unique_keeps_later_line),
		cmocka_unit_test(room_ends_at_max_rows),
		cmocka_unit_test(room_ends_at_text_max),
		cmocka_unit_test(unique_merges_values),
		cmocka_unit_test(unique_full_last_line_is_unchanged),
		cmocka_unit_test(find_unique_by_key),
		cmocka_unit_test(unique_merges_stations),
		cmocka_unit_test(stations_share_max_rows),
		cmocka_unit_test(float8_array_bytes),
		cmocka_unit_test(text_and_time_array_bytes),
		cmocka_unit_test(empty_array_after_reset),
		cmocka_unit_test(int4_array_reading),
		cmocka_unit_test(unix_time_rounds_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
