/* Unit tests for record: classifying and checking NDJSON lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

/* 2024-02-29T12:00:00Z */
#define LEAP_DAY_NOON 1709208000

static const char valid_line[] =
	"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
	"\"waveHeightM\":1.7,\"windSpeedMps\":6.2,\"windDirDeg\":250,"
	"\"waterTempC\":4.1,\"pressureHpa\":1015.2,\"gustMps\":null,"
	"\"dominantPeriodS\":null,\"averagePeriodS\":null,\"meanWaveDirDeg\":null,"
	"\"airTempC\":-0.4,\"dewPointC\":null,\"visibilityNmi\":null,"
	"\"pressureTendencyHpa\":null,\"tideFt\":null}";

static enum record_kind check(const char *line, struct record_info *info, char *error,
                              size_t error_size)
{
	error[0] = '\0';
	return record_check_line(line, strlen(line), info, error, error_size);
}

static void valid_observation(void **state)
{
	struct record_info info;
	char error[256];

	assert_int_equal(check(valid_line, &info, error, sizeof error), RECORD_OBSERVATION);
	assert_string_equal(info.station_id, "44013");
	assert_int_equal(info.observed_at, LEAP_DAY_NOON);
}

static void required_fields_only_with_nulls(void **state)
{
	static const char line[] =
		"{\"stationId\":\"tplm2\",\"timestamp\":\"2021-06-01T00:06:00Z\","
		"\"waveHeightM\":null,\"windSpeedMps\":null,\"windDirDeg\":null,"
		"\"waterTempC\":null,\"pressureHpa\":null}";
	struct record_info info;
	char error[256];

	assert_int_equal(check(line, &info, error, sizeof error), RECORD_OBSERVATION);
	assert_string_equal(info.station_id, "TPLM2");
	assert_int_equal(info.observed_at, 1622505960);
}

static void unknown_fields_accepted(void **state)
{
	static const char line[] =
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		"\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		"\"waterTempC\":4,\"pressureHpa\":5,\"salinityPsu\":\"n/a\",\"extra\":[1,2]}";
	struct record_info info;
	char error[256];

	assert_int_equal(check(line, &info, error, sizeof error), RECORD_OBSERVATION);
}

static void missing_required_field(void **state)
{
	static const char line[] =
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		"\"waveHeightM\":1.7,\"windSpeedMps\":6.2,\"windDirDeg\":250,"
		"\"waterTempC\":4.1}";
	struct record_info info;
	char error[256];

	assert_int_equal(check(line, &info, error, sizeof error), RECORD_INVALID);
	assert_non_null(strstr(error, "pressureHpa"));
	assert_non_null(strstr(error, "missing"));
}

static void missing_station_or_timestamp(void **state)
{
	static const char no_station[] =
		"{\"timestamp\":\"2024-02-29T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":2,\"windDirDeg\":3,\"waterTempC\":4,\"pressureHpa\":5}";
	static const char no_timestamp[] =
		"{\"stationId\":\"44013\",\"waveHeightM\":1,"
		"\"windSpeedMps\":2,\"windDirDeg\":3,\"waterTempC\":4,\"pressureHpa\":5}";
	struct record_info info;
	char error[256];

	assert_int_equal(check(no_station, &info, error, sizeof error), RECORD_INVALID);
	assert_non_null(strstr(error, "stationId"));
	assert_int_equal(check(no_timestamp, &info, error, sizeof error), RECORD_INVALID);
	assert_non_null(strstr(error, "timestamp"));
}

static void wrong_types(void **state)
{
	static const struct {
		const char *line;
		const char *field;
	} cases[] = {
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":\"1.7\",\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "waveHeightM" },
		{ "{\"stationId\":44013,\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "stationId" },
		{ "{\"stationId\":\"44013\",\"timestamp\":1709208000,"
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "timestamp" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-30T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "timestamp" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":true,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "windSpeedMps" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5,\"tideFt\":{}}", "tideFt" },
		{ "{\"stationId\":\"TOOLONGID\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "stationId" },
		{ "{\"stationId\":\"../x\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		  "\"waterTempC\":4,\"pressureHpa\":5}", "stationId" },
	};
	struct record_info info;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(check(cases[i].line, &info, error, sizeof error), RECORD_INVALID);
		assert_non_null(strstr(error, cases[i].field));
	}
}

static void not_an_object(void **state)
{
	static const char *const cases[] = { "[1,2]", "42", "\"text\"", "null", "true" };
	struct record_info info;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(check(cases[i], &info, error, sizeof error), RECORD_INVALID);
		assert_non_null(strstr(error, "expected a JSON object"));
	}
}

static void status_lines(void **state)
{
	struct record_info info;
	char error[256];

	assert_int_equal(check("{\"upstream\":\"down\",\"reason\":\"Connection refused\","
	                       "\"timestamp\":\"2026-12-04T19:30:00Z\"}", &info, error, sizeof error),
	                 RECORD_STATUS);
	assert_false(info.upstream_up);

	assert_int_equal(check("{\"upstream\":\"up\",\"timestamp\":\"2026-12-04T19:30:00Z\"}",
	                       &info, error, sizeof error),
	                 RECORD_STATUS);
	assert_true(info.upstream_up);
}

static void bad_status_lines(void **state)
{
	static const char *const cases[] = {
		"{\"upstream\":\"sideways\"}",
		"{\"upstream\":true}",
		"{\"upstream\":null}",
		"{\"upstream\":\"UP\"}",
	};
	struct record_info info;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(check(cases[i], &info, error, sizeof error), RECORD_INVALID);
		assert_non_null(strstr(error, "upstream"));
	}
}

static void observation_with_upstream_key_is_observation(void **state)
{
	static const char line[] =
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		"\"upstream\":\"down\",\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,"
		"\"waterTempC\":4,\"pressureHpa\":5}";
	struct record_info info;
	char error[256];

	assert_int_equal(check(line, &info, error, sizeof error), RECORD_OBSERVATION);
	assert_string_equal(info.station_id, "44013");
}

static void invalid_json(void **state)
{
	static const char *const cases[] = {
		"{\"stationId\":",
		"{stationId:1}",
		"not json",
		"{\"a\":1}{\"b\":2}",
		"{\"a\":1,}",
	};
	struct record_info info;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(check(cases[i], &info, error, sizeof error), RECORD_INVALID);
		assert_non_null(strstr(error, "not valid JSON"));
	}
}

static void blank_lines(void **state)
{
	static const char *const cases[] = { "", " ", "\t \t", "\r", "  \r" };
	struct record_info info;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(check(cases[i], &info, error, sizeof error), RECORD_BLANK);
}

static void crlf_line(void **state)
{
	char line[sizeof valid_line + 1];
	struct record_info info;
	char error[256];

	snprintf(line, sizeof line, "%s\r", valid_line);
	assert_int_equal(check(line, &info, error, sizeof error), RECORD_OBSERVATION);
	assert_string_equal(info.station_id, "44013");
}

/* Pads valid_line with trailing spaces to len bytes. */
static char *padded_line(size_t len)
{
	char *line = malloc(len + 1);

	assert_non_null(line);
	memcpy(line, valid_line, sizeof valid_line - 1);
	memset(line + sizeof valid_line - 1, ' ', len - (sizeof valid_line - 1));
	line[len] = '\0';
	return line;
}

static void line_at_maximum(void **state)
{
	char *line = padded_line(RECORD_LINE_MAX);
	struct record_info info;
	char error[256];

	assert_int_equal(record_check_line(line, RECORD_LINE_MAX, &info, error, sizeof error),
	                 RECORD_OBSERVATION);

	/* A trailing '\r' does not count towards the maximum. */
	line = realloc(line, RECORD_LINE_MAX + 2);
	assert_non_null(line);
	line[RECORD_LINE_MAX] = '\r';
	assert_int_equal(record_check_line(line, RECORD_LINE_MAX + 1, &info, error, sizeof error),
	                 RECORD_OBSERVATION);
	free(line);
}

static void line_too_long(void **state)
{
	char *line = padded_line(RECORD_LINE_MAX + 1);
	struct record_info info;
	char error[256] = "";

	assert_int_equal(record_check_line(line, RECORD_LINE_MAX + 1, &info, error, sizeof error),
	                 RECORD_INVALID);
	assert_non_null(strstr(error, "longer than 65536 bytes"));
	free(line);
}

static void length_bounds_the_line(void **state)
{
	char line[sizeof valid_line + 16];
	struct record_info info;
	char error[256];

	/* Bytes after len belong to the next line and are not read. */
	snprintf(line, sizeof line, "%s\n{oops", valid_line);
	assert_int_equal(record_check_line(line, sizeof valid_line - 1, &info, error, sizeof error),
	                 RECORD_OBSERVATION);
}

static void format_status_round_trip(void **state)
{
	char out[256];
	size_t len;
	struct record_info info;
	char error[256];

	len = record_format_status(false, "cannot connect to Redis", LEAP_DAY_NOON, out, sizeof out);
	assert_string_equal(out, "{\"upstream\":\"down\",\"reason\":\"cannot connect to Redis\","
	                    "\"timestamp\":\"2024-02-29T12:00:00Z\"}\n");
	assert_int_equal(len, strlen(out));
	assert_int_equal(record_check_line(out, len - 1, &info, error, sizeof error), RECORD_STATUS);
	assert_false(info.upstream_up);

	len = record_format_status(true, NULL, 0, out, sizeof out);
	assert_string_equal(out, "{\"upstream\":\"up\",\"timestamp\":\"1970-01-01T00:00:00Z\"}\n");
	assert_int_equal(len, strlen(out));
}

static void format_status_escapes_reason(void **state)
{
	char out[256];

	assert_true(record_format_status(false, "say \"no\"\n", 0, out, sizeof out) > 0);
	assert_string_equal(out, "{\"upstream\":\"down\",\"reason\":\"say \\\"no\\\"\\n\","
	                    "\"timestamp\":\"1970-01-01T00:00:00Z\"}\n");
}

static void format_status_too_small(void **state)
{
	char out[16];

	assert_int_equal(record_format_status(true, "reason", 0, out, sizeof out), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_observation),
		cmocka_unit_test(required_fields_only_with_nulls),
		cmocka_unit_test(unknown_fields_accepted),
		cmocka_unit_test(missing_required_field),
		cmocka_unit_test(missing_station_or_timestamp),
		cmocka_unit_test(wrong_types),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(status_lines),
		cmocka_unit_test(bad_status_lines),
		cmocka_unit_test(observation_with_upstream_key_is_observation),
		cmocka_unit_test(invalid_json),
		cmocka_unit_test(blank_lines),
		cmocka_unit_test(crlf_line),
		cmocka_unit_test(line_at_maximum),
		cmocka_unit_test(line_too_long),
		cmocka_unit_test(length_bounds_the_line),
		cmocka_unit_test(format_status_round_trip),
		cmocka_unit_test(format_status_escapes_reason),
		cmocka_unit_test(format_status_too_small),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
