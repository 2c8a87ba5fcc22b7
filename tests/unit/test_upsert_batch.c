/*
 * Unit tests for buoy-upsert's batch and binary COPY encoder. Those modules
 * live in cmd/buoy-upsert/, outside libbuoy.a, so this file compiles their
 * sources in directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../cmd/buoy-upsert/batch.c"
#include "../../cmd/buoy-upsert/copy_binary.c"

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

static void header_and_trailer_bytes(void **state)
{
	static const unsigned char header[COPY_HEADER_SIZE] = {
		'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	unsigned char out[COPY_HEADER_SIZE];
	unsigned char trailer[COPY_TRAILER_SIZE];

	assert_int_equal(copy_binary_header(out), COPY_HEADER_SIZE);
	assert_memory_equal(out, header, COPY_HEADER_SIZE);
	assert_int_equal(copy_binary_trailer(trailer), COPY_TRAILER_SIZE);
	assert_int_equal(trailer[0], 0xff);
	assert_int_equal(trailer[1], 0xff);
}

static uint32_t read_u32(const unsigned char *in)
{
	return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 | (uint32_t)in[2] << 8 | in[3];
}

static uint64_t read_u64(const unsigned char *in)
{
	return (uint64_t)read_u32(in) << 32 | read_u32(in + 4);
}

/* 2000-01-01T00:00:01Z is one second after PostgreSQL's epoch, and 1.5 is
 * 0x3ff8000000000000 as an IEEE 754 double. */
static void row_bytes(void **state)
{
	struct observation obs = make_observation("44013", 946684801);
	unsigned char out[COPY_ROW_MAX];
	size_t len;
	size_t at;

	observation_set(&obs, OBS_WAVE_HEIGHT, 1.5);
	len = copy_binary_row(&obs, 7, out);

	assert_int_equal(out[0] << 8 | out[1], 3 + OBS_FIELD_COUNT);
	assert_int_equal(read_u32(out + 2), 4);
	assert_int_equal(read_u32(out + 6), 7);
	assert_int_equal(read_u32(out + 10), 5);
	assert_memory_equal(out + 14, "44013", 5);
	assert_int_equal(read_u32(out + 19), 8);
	assert_int_equal(read_u64(out + 23), 1000000);
	assert_int_equal(read_u32(out + 31), 8);
	assert_int_equal(read_u64(out + 35), 0x3ff8000000000000u);

	/* Every other measurement is NULL: a length of -1 and no bytes. */
	at = 43;
	for (int field = 1; field < OBS_FIELD_COUNT; field++, at += 4)
		assert_int_equal(read_u32(out + at), 0xffffffffu);
	assert_int_equal(len, at);
	assert_true(len <= COPY_ROW_MAX);
}

static void row_with_every_field_fits(void **state)
{
	struct observation obs = make_observation("ABCDEFGH", 0);
	unsigned char out[COPY_ROW_MAX];

	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		observation_set(&obs, field, -0.25);
	assert_int_equal(copy_binary_row(&obs, 99999, out), COPY_ROW_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unique_keeps_later_line),
		cmocka_unit_test(room_ends_at_max_rows),
		cmocka_unit_test(room_ends_at_text_max),
		cmocka_unit_test(header_and_trailer_bytes),
		cmocka_unit_test(row_bytes),
		cmocka_unit_test(row_with_every_field_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
