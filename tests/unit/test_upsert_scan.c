/*
 * Unit tests for buoy-upsert's fast observation reader. Whenever it reads
 * a line, it must fill the record exactly as libjq and observation_from_jv
 * do. It may decline any line, and must decline every invalid one. The
 * module lives in cmd/buoy-upsert/, outside libbuoy.a, so this file
 * compiles its source in directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "json_check.h"
#include "../../cmd/buoy-upsert/scan_line.c"

/* Reads the line the slow way: the strict check, libjq, then
 * observation_from_jv. */
static bool read_with_jq(const char *line, struct observation *obs)
{
	char error[256];

	if (!json_check_strict(line, strlen(line), error, sizeof error))
		return false;
	return observation_from_jv(jv_parse_sized(line, (int)strlen(line)), obs, error, sizeof error);
}

static void assert_same_record(const struct observation *a, const struct observation *b)
{
	assert_string_equal(a->station_id, b->station_id);
	assert_true(a->observed_at == b->observed_at);
	assert_int_equal(a->present, b->present);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		if (observation_has(a, field))
			assert_memory_equal(&a->value[field], &b->value[field], sizeof(double));
}

/* Checks the line against libjq and returns whether the scanner read it. */
static bool check_line(const char *line)
{
	struct observation scanned;
	struct observation expected;
	bool scan_read = scan_observation_line(line, strlen(line), &scanned);
	bool jq_read = read_with_jq(line, &expected);

	if (scan_read) {
		if (!jq_read)
			fail_msg("the scanner read a line that libjq rejects: %s", line);
		assert_same_record(&scanned, &expected);
	}
	return scan_read;
}

static void reads_common_lines(void **state)
{
	static const char *const lines[] = {
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1.2,"
		"\"windSpeedMps\":5.1,\"windDirDeg\":200,\"waterTempC\":10.3,\"pressureHpa\":1013.2,"
		"\"gustMps\":null,\"dominantPeriodS\":9.09,\"averagePeriodS\":null,"
		"\"meanWaveDirDeg\":null,\"airTempC\":-1.5,\"dewPointC\":null,\"visibilityNmi\":null,"
		"\"pressureTendencyHpa\":-0.3,\"tideFt\":null}",
		/* lower-case id, optional fields absent, unknown fields of every kind */
		"{ \"timestamp\" : \"2024-05-01T12:20:00Z\",  \"stationId\":\"tplm2\", "
		"\"futureField\":[1,{\"a\":\"}]\\\"\"},[]],\"note\":\"x\\\\\",\"waveHeightM\":1e-7,"
		"\"windSpeedMps\":123456789.125,\"windDirDeg\":0,\"waterTempC\":-0.5,"
		"\"pressureHpa\":1013.25 , \"flag\":true,\"none\":null}",
		/* numbers strtod reads: exponents, many digits, negative zero */
		"{\"stationId\":\"A1\",\"timestamp\":\"1999-12-31T23:59:59Z\",\"waveHeightM\":2.5E+3,"
		"\"windSpeedMps\":0.30000000000000004,\"windDirDeg\":-0,\"waterTempC\":1.23456789012345678,"
		"\"pressureHpa\":4.9e-324,\"tideFt\":-1.7976931348623157e308}",
		/* a later key replaces an earlier one, null included */
		"{\"stationId\":\"B1\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":2,\"windDirDeg\":3,\"waterTempC\":4,\"pressureHpa\":5,"
		"\"waveHeightM\":null,\"windSpeedMps\":7,\"stationId\":\"B2\"}",
		"{\"stationId\":\"C1\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":null,"
		"\"windSpeedMps\":null,\"windDirDeg\":null,\"waterTempC\":null,\"pressureHpa\":null}\r",
	};

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		if (!check_line(lines[i]))
			fail_msg("the scanner declined a common line: %s", lines[i]);
}

static void declines_invalid_lines(void **state)
{
	static const char *const lines[] = {
		"{}",
		"[]",
		"{\"stationId\":\"44013\"}",
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01 12:00\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"TOO-LONG-ID\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":\"1\","
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1e999,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":true,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		/* pressureHpa, a required field, is missing */
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1}",
		"{\"stationId\":44013,\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-30T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
	};
	struct observation obs;

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		if (scan_observation_line(lines[i], strlen(lines[i]), &obs))
			fail_msg("the scanner read an invalid line: %s", lines[i]);
		assert_false(check_line(lines[i]));
	}
}

/* Escapes in keys, ids and times are left to libjq, which reads them. */
static void declines_escapes(void **state)
{
	static const char *const lines[] = {
		"{\"station\\u0049d\":\"44013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
		"{\"stationId\":\"\\u00344013\",\"timestamp\":\"2024-05-01T12:00:00Z\",\"waveHeightM\":1,"
		"\"windSpeedMps\":1,\"windDirDeg\":1,\"waterTempC\":1,\"pressureHpa\":1}",
	};
	struct observation obs;

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		assert_false(scan_observation_line(lines[i], strlen(lines[i]), &obs));
		assert_true(read_with_jq(lines[i], &obs));
	}
}

/* A small linear congruential generator, so that runs repeat. */
static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

/* Writes null or a number in one of the forms JSON allows. */
static int put_number(char *out, size_t size, uint32_t *seed)
{
	double value = ((double)next_random(seed) / (1 << 24) - 0.5) * 2000.0;

	switch (next_random(seed) % 6) {
	case 0:
		return snprintf(out, size, "null");
	case 1:
		return snprintf(out, size, "%.1f", value);
	case 2:
		return snprintf(out, size, "%.2f", value);
	case 3:
		return snprintf(out, size, "%.17g", value);
	case 4:
		return snprintf(out, size, "%.3e", value);
	default:
		return snprintf(out, size, "%.0f", value);
	}
}

/* Writes a valid observation line with its fields in a random order. */
static void random_line(char *line, size_t size, uint32_t *seed)
{
	int order[OBS_FIELD_COUNT + 2];
	size_t len = (size_t)snprintf(line, size, "{");

	for (int i = 0; i < OBS_FIELD_COUNT + 2; i++)
		order[i] = i;
	for (int i = OBS_FIELD_COUNT + 1; i > 0; i--) {
		int j = (int)(next_random(seed) % (uint32_t)(i + 1));
		int swap = order[i];

		order[i] = order[j];
		order[j] = swap;
	}

	for (int i = 0; i < OBS_FIELD_COUNT + 2; i++) {
		int field = order[i] - 2;

		len += (size_t)snprintf(line + len, size - len, "%s", i > 0 ? "," : "");
		if (field == -2) {
			len += (size_t)snprintf(line + len, size - len, "\"stationId\":\"S%u\"",
			                        next_random(seed) % 1000);
		} else if (field == -1) {
			len += (size_t)snprintf(line + len, size - len,
			                        "\"timestamp\":\"2024-%02u-%02uT%02u:%02u:00Z\"",
			                        1 + next_random(seed) % 12, 1 + next_random(seed) % 28,
			                        next_random(seed) % 24, next_random(seed) % 60);
		} else {
			len += (size_t)snprintf(line + len, size - len, "\"%s\":", obs_fields[field].json_name);
			len += (size_t)put_number(line + len, size - len, seed);
		}
	}
	snprintf(line + len, size - len, ",\"extra\":{\"k\":[%u,\"}\"]}}", next_random(seed));
}

static void random_lines_match_libjq(void **state)
{
	uint32_t seed = 44013;
	char line[2048];

	for (int i = 0; i < 20000; i++) {
		random_line(line, sizeof line, &seed);
		if (!check_line(line))
			fail_msg("the scanner declined a valid line: %s", line);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_common_lines),
		cmocka_unit_test(declines_invalid_lines),
		cmocka_unit_test(declines_escapes),
		cmocka_unit_test(random_lines_match_libjq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
