/*
 * Unit tests for observation_line: the hand-written record line must be
 * byte for byte what libjq writes for observation_to_jv, so each case is
 * checked against libjq.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "observation_line.h"
#include "timefmt.h"

/* Fails with both lines when obs is written other than libjq writes it. */
static void assert_like_jq(const struct observation *obs)
{
	char line[OBSERVATION_LINE_MAX];
	size_t len = observation_line_format(obs, line);
	jv expected = jv_dump_string(observation_to_jv(obs), 0);
	const char *text = jv_string_value(expected);
	size_t expected_len = strlen(text);

	if (len != expected_len + 1 || memcmp(line, text, expected_len) != 0 ||
	    line[expected_len] != '\n')
		fail_msg("written %.*s\nlibjq   %s", (int)len, line, text);
	jv_free(expected);
}

static void exact_line(void **state)
{
	static const char expected[] =
		"{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T13:00:00Z\","
		"\"waveHeightM\":null,\"windSpeedMps\":3,\"windDirDeg\":280,"
		"\"waterTempC\":13.9,\"pressureHpa\":1015.2,\"gustMps\":4,"
		"\"dominantPeriodS\":null,\"averagePeriodS\":null,\"meanWaveDirDeg\":null,"
		"\"airTempC\":null,\"dewPointC\":null,\"visibilityNmi\":null,"
		"\"pressureTendencyHpa\":1.6,\"tideFt\":null}\n";
	struct observation obs = { .station_id = "44013", .observed_at = 1654434000 };
	char line[OBSERVATION_LINE_MAX];

	observation_set(&obs, OBS_WIND_SPEED, 3);
	observation_set(&obs, OBS_WIND_DIR, 280);
	observation_set(&obs, OBS_WATER_TEMP, 13.9);
	observation_set(&obs, OBS_PRESSURE, 1015.2);
	observation_set(&obs, OBS_GUST, 4);
	observation_set(&obs, OBS_PRESSURE_TENDENCY, 1.6);
	assert_int_equal(observation_line_format(&obs, line), sizeof expected - 1);
	assert_memory_equal(line, expected, sizeof expected - 1);
	assert_like_jq(&obs);
}

static void all_null_and_all_present(void **state)
{
	struct observation obs = { .station_id = "TPLM2", .observed_at = 0 };

	assert_like_jq(&obs);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		observation_set(&obs, field, -0.5 * field);
	assert_like_jq(&obs);
}

/* Every day from 1899 to 2101 at a varying time of day, then times spread
 * over the years 1000 to 9999, against gmtime and strftime. */
static void timestamps_like_strftime(void **state)
{
	struct observation obs = { .station_id = "1" };
	char line[OBSERVATION_LINE_MAX];
	char expected[TIMEFMT_ISO_SIZE];
	time_t first = -2240524800;     /* 1899-01-01 */
	time_t last = 4133980800;       /* 2101-01-01 */
	const time_t year_1000 = -30610224000;
	const time_t year_10000 = 253402300800;

	srand48(1978);
	for (time_t day = first; day < last; day += 86400) {
		obs.observed_at = day + lrand48() % 86400;
		observation_line_format(&obs, line);
		timefmt_iso8601(obs.observed_at, expected);
		if (memcmp(line + strlen("{\"stationId\":\"1\",\"timestamp\":\""), expected,
		           sizeof expected - 1) != 0)
			fail_msg("%lld: written %.60s, expected %s", (long long)obs.observed_at, line,
			         expected);
	}
	for (int i = 0; i < 100000; i++) {
		obs.observed_at = year_1000 + (time_t)(drand48() * (double)(year_10000 - year_1000));
		observation_line_format(&obs, line);
		timefmt_iso8601(obs.observed_at, expected);
		if (memcmp(line + strlen("{\"stationId\":\"1\",\"timestamp\":\""), expected,
		           sizeof expected - 1) != 0)
			fail_msg("%lld: written %.60s, expected %s", (long long)obs.observed_at, line,
			         expected);
	}
}

/* A year of three digits goes through strftime, as before. (Years past
 * 9999 do not fit timefmt_iso8601's buffer, and no parser makes them.) */
static void year_of_three_digits(void **state)
{
	struct observation obs = { .station_id = "1", .observed_at = -30610224001 };
	char line[OBSERVATION_LINE_MAX];

	observation_line_format(&obs, line);
	assert_memory_equal(line, "{\"stationId\":\"1\",\"timestamp\":\"999-12-31T23:59:59Z\"",
	                    strlen("{\"stationId\":\"1\",\"timestamp\":\"999-12-31T23:59:59Z\""));
	assert_like_jq(&obs);
}

/* An id that needs escaping goes through libjq. */
static void escaped_station_id(void **state)
{
	struct observation obs = { .station_id = "a\"b\\c\n", .observed_at = 0 };

	assert_like_jq(&obs);
}

static void random_records_like_jq(void **state)
{
	srand48(2016);
	for (int i = 0; i < 20000; i++) {
		struct observation obs = { .station_id = "42040" };

		obs.observed_at = (time_t)(lrand48() % 4000000000L) - 2000000000L;
		for (int field = 0; field < OBS_FIELD_COUNT; field++)
			if (lrand48() % 3 != 0)
				observation_set(&obs, field, (double)(lrand48() % 200000 - 100000) /
				                             (double)(lrand48() % 2 ? 100 : 10));
		assert_like_jq(&obs);
	}
}

/* observation_write_json writes the same line through stdio. */
static void write_json_matches(void **state)
{
	struct observation obs = { .station_id = "46035", .observed_at = 946684800 };
	char line[OBSERVATION_LINE_MAX];
	size_t len;
	char *buffer = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);

	observation_set(&obs, OBS_AIR_TEMP, -12.3);
	len = observation_line_format(&obs, line);
	assert_non_null(out);
	assert_int_equal(observation_write_json(&obs, out), 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(size, len);
	assert_memory_equal(buffer, line, len);
	free(buffer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_line),
		cmocka_unit_test(all_null_and_all_present),
		cmocka_unit_test(timestamps_like_strftime),
		cmocka_unit_test(year_of_three_digits),
		cmocka_unit_test(escaped_station_id),
		cmocka_unit_test(random_records_like_jq),
		cmocka_unit_test(write_json_matches),
	};

	return cmocka_run_group_tests_name("observation_line", tests, NULL, NULL);
}
