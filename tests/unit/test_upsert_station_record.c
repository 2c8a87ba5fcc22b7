/*
 * Unit tests for the station record that buoy-upsert reads
 * (lib/station_record.c): which objects are station records, and the
 * checks and messages for each field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "station_record.h"

static bool matches(const char *json)
{
	jv object = jv_parse(json);
	bool result = station_record_matches(object);

	jv_free(object);
	return result;
}

static void recognizes_station_records(void **state)
{
	assert_true(matches("{\"stationId\":\"44013\",\"lat\":1,\"lon\":2}"));
	assert_true(matches("{\"stationId\":\"44013\",\"lat\":null,\"lon\":null}"));
	assert_false(matches("{\"stationId\":\"44013\",\"lat\":1}"));
	assert_false(matches("{\"stationId\":\"44013\",\"lon\":1}"));
	assert_false(matches("{\"stationId\":\"44013\",\"lat\":1,\"lon\":2,"
	                     "\"timestamp\":\"2024-05-01T12:00:00Z\"}"));
	assert_false(matches("[1]"));
}

static bool read_record(const char *json, struct station_record *record, char *error,
                        size_t error_size)
{
	return station_record_from_jv(jv_parse(json), record, error, error_size);
}

static void reads_every_field(void **state)
{
	struct station_record record;
	char error[256];

	assert_true(read_record("{\"stationId\":\"tplm2\",\"name\":\"Thomas Point, MD\","
	                        "\"lat\":38.899,\"lon\":-76.436,\"owner\":\"NOS\","
	                        "\"type\":\"C-MAN station\",\"elevation\":5}",
	                        &record, error, sizeof error));
	assert_string_equal(record.station_id, "TPLM2");
	assert_string_equal(record.name, "Thomas Point, MD");
	assert_string_equal(record.owner, "NOS");
	assert_string_equal(record.type, "C-MAN station");
	assert_true(record.has_lat && record.lat == 38.899);
	assert_true(record.has_lon && record.lon == -76.436);
	station_record_free(&record);
	assert_null(record.name);
}

static void nulls_and_absent_fields(void **state)
{
	struct station_record record;
	char error[256];

	assert_true(read_record("{\"stationId\":\"44013\",\"name\":null,\"lat\":null,\"lon\":90}",
	                        &record, error, sizeof error));
	assert_null(record.name);
	assert_null(record.owner);
	assert_null(record.type);
	assert_false(record.has_lat);
	assert_true(record.has_lon && record.lon == 90);
	station_record_free(&record);
}

static void rejects_with_message(const char *json, const char *message)
{
	struct station_record record;
	char error[256];

	assert_false(read_record(json, &record, error, sizeof error));
	assert_string_equal(error, message);
	assert_null(record.name);
	assert_null(record.owner);
	assert_null(record.type);
}

static void rejects_bad_fields(void **state)
{
	rejects_with_message("{\"stationId\":\"44-013\",\"lat\":1,\"lon\":2}",
	                     "stationId is missing or not a station id (1 to 8 letters and digits)");
	rejects_with_message("{\"lat\":1,\"lon\":2}",
	                     "stationId is missing or not a station id (1 to 8 letters and digits)");
	rejects_with_message("{\"stationId\":\"44013\",\"lat\":-90.5,\"lon\":2}",
	                     "lat is out of range: expected a number from -90 to 90 or null");
	rejects_with_message("{\"stationId\":\"44013\",\"lat\":1,\"lon\":181}",
	                     "lon is out of range: expected a number from -180 to 180 or null");
	rejects_with_message("{\"stationId\":\"44013\",\"lat\":[1],\"lon\":2}",
	                     "lat is array: expected a number or null");
	rejects_with_message("{\"stationId\":\"44013\",\"lat\":1}",
	                     "lon is missing: expected a number or null");
	rejects_with_message("{\"stationId\":\"44013\",\"name\":\"ok\",\"lat\":1,\"lon\":2,"
	                     "\"owner\":false}",
	                     "owner is boolean: expected a string or null");
	rejects_with_message("{\"stationId\":\"44013\",\"lat\":1,\"lon\":2,\"type\":\"a\\u0000\"}",
	                     "type contains a NUL character");
	rejects_with_message("\"44013\"", "expected a JSON object, found string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recognizes_station_records),
		cmocka_unit_test(reads_every_field),
		cmocka_unit_test(nulls_and_absent_fields),
		cmocka_unit_test(rejects_bad_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
