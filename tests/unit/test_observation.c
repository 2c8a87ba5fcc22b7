/* Unit tests for observation: the record's JSON form, both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observation.h"

/* 2024-02-29T12:00:00Z */
#define LEAP_DAY_NOON 1709208000

/* Every field in the documented order: the five required measurements
 * first, then the optional ones. */
static const char sample_json[] =
	"{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
	"\"waveHeightM\":1.7,\"windSpeedMps\":null,\"windDirDeg\":250,"
	"\"waterTempC\":4.1,\"pressureHpa\":1015.2,\"gustMps\":null,"
	"\"dominantPeriodS\":null,\"averagePeriodS\":0.69,\"meanWaveDirDeg\":null,"
	"\"airTempC\":-0.4,\"dewPointC\":null,\"visibilityNmi\":null,"
	"\"pressureTendencyHpa\":0,\"tideFt\":null}";

static struct observation sample_observation(void)
{
	struct observation obs = { .station_id = "44013", .observed_at = LEAP_DAY_NOON };

	observation_set(&obs, OBS_WAVE_HEIGHT, 1.7);
	observation_set(&obs, OBS_WIND_DIR, 250);
	observation_set(&obs, OBS_WATER_TEMP, 4.1);
	observation_set(&obs, OBS_PRESSURE, 1015.2);
	observation_set(&obs, OBS_AVERAGE_PERIOD, 0.69);
	observation_set(&obs, OBS_AIR_TEMP, -0.4);
	observation_set(&obs, OBS_PRESSURE_TENDENCY, 0);
	return obs;
}

/* Returns the compact JSON text of obs, which the caller frees. */
static char *dump_observation(const struct observation *obs)
{
	jv text = jv_dump_string(observation_to_jv(obs), 0);
	char *copy = strdup(jv_string_value(text));

	jv_free(text);
	assert_non_null(copy);
	return copy;
}

static void to_jv_exact_text(void **state)
{
	struct observation obs = sample_observation();
	char *text = dump_observation(&obs);

	assert_string_equal(text, sample_json);
	free(text);
}

static void to_jv_all_null(void **state)
{
	struct observation obs = { .station_id = "TPLM2", .observed_at = 0 };
	char *text = dump_observation(&obs);

	assert_string_equal(text,
		"{\"stationId\":\"TPLM2\",\"timestamp\":\"1970-01-01T00:00:00Z\","
		"\"waveHeightM\":null,\"windSpeedMps\":null,\"windDirDeg\":null,"
		"\"waterTempC\":null,\"pressureHpa\":null,\"gustMps\":null,"
		"\"dominantPeriodS\":null,\"averagePeriodS\":null,\"meanWaveDirDeg\":null,"
		"\"airTempC\":null,\"dewPointC\":null,\"visibilityNmi\":null,"
		"\"pressureTendencyHpa\":null,\"tideFt\":null}");
	free(text);
}

static void number_formatting(void **state)
{
	static const struct {
		double value;
		const char *expected;
	} cases[] = {
		{ 1.7, "1.7" }, { 1015.2, "1015.2" }, { -0.4, "-0.4" }, { 0.69, "0.69" },
		{ 1.2, "1.2" }, { 12.5, "12.5" }, { 250, "250" }, { 0, "0" }, { 99, "99" },
		{ 30.12, "30.12" }, { -12.3, "-12.3" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct observation obs = { .station_id = "1", .observed_at = 0 };
		char expected[64];
		char *text;

		observation_set(&obs, OBS_WAVE_HEIGHT, cases[i].value);
		text = dump_observation(&obs);
		snprintf(expected, sizeof expected, "\"waveHeightM\":%s,", cases[i].expected);
		if (strstr(text, expected) == NULL)
			fail_msg("%s not found in %s", expected, text);
		free(text);
	}
}

static void write_json_line(void **state)
{
	struct observation obs = sample_observation();
	char *buffer = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buffer, &size);

	assert_non_null(out);
	assert_int_equal(observation_write_json(&obs, out), 0);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(size, strlen(sample_json) + 1);
	assert_memory_equal(buffer, sample_json, size - 1);
	assert_int_equal(buffer[size - 1], '\n');
	free(buffer);
}

static void from_jv_round_trip(void **state)
{
	struct observation expected = sample_observation();
	struct observation got;
	char error[256] = "";
	char *text;

	assert_true(observation_from_jv(jv_parse(sample_json), &got, error, sizeof error));
	assert_string_equal(got.station_id, "44013");
	assert_int_equal(got.observed_at, LEAP_DAY_NOON);
	assert_int_equal(got.present, expected.present);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		if (observation_has(&expected, field))
			assert_true(got.value[field] == expected.value[field]);

	text = dump_observation(&got);
	assert_string_equal(text, sample_json);
	free(text);
}

static void from_jv_null_and_absent_optional(void **state)
{
	static const char json[] =
		"{\"stationId\":\"tplm2\",\"timestamp\":\"2021-06-01T00:06:00Z\","
		"\"waveHeightM\":null,\"windSpeedMps\":3.1,\"windDirDeg\":null,"
		"\"waterTempC\":null,\"pressureHpa\":null,\"unknownField\":\"kept elsewhere\"}";
	struct observation obs;
	char error[256] = "";

	assert_true(observation_from_jv(jv_parse(json), &obs, error, sizeof error));
	assert_string_equal(obs.station_id, "TPLM2");
	assert_int_equal(obs.present, 1u << OBS_WIND_SPEED);
	assert_true(obs.value[OBS_WIND_SPEED] == 3.1);
}

static void from_jv_errors(void **state)
{
	static const struct {
		const char *json;
		const char *message;
	} cases[] = {
		{ "[]", "expected a JSON object, found array" },
		{ "\"44013\"", "expected a JSON object, found string" },
		{ "{\"timestamp\":\"2024-02-29T12:00:00Z\"}", "stationId" },
		{ "{\"stationId\":\"\",\"timestamp\":\"2024-02-29T12:00:00Z\"}", "stationId" },
		{ "{\"stationId\":\"123456789\",\"timestamp\":\"2024-02-29T12:00:00Z\"}", "stationId" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29 12:00:00\"}", "timestamp" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\"}",
		  "waveHeightM is missing" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":\"1.7\"}", "waveHeightM is string" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,\"waterTempC\":4,"
		  "\"pressureHpa\":5,\"tideFt\":[1]}", "tideFt is array" },
		{ "{\"stationId\":\"44013\",\"timestamp\":\"2024-02-29T12:00:00Z\","
		  "\"waveHeightM\":1,\"windSpeedMps\":2,\"windDirDeg\":3,\"waterTempC\":4,"
		  "\"pressureHpa\":false}", "pressureHpa is boolean" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct observation obs;
		char error[256] = "";

		assert_false(observation_from_jv(jv_parse(cases[i].json), &obs, error, sizeof error));
		if (strstr(error, cases[i].message) == NULL)
			fail_msg("%s: expected \"%s\" in \"%s\"", cases[i].json, cases[i].message, error);
	}
}

static void from_jv_invalid_value(void **state)
{
	struct observation obs;
	char error[256] = "";

	/* jv_parse of broken text gives an invalid value, which is consumed. */
	assert_false(observation_from_jv(jv_parse("{"), &obs, error, sizeof error));
	assert_non_null(strstr(error, "expected a JSON object"));
}

static void field_for_column(void **state)
{
	assert_int_equal(observation_field_for_column("WVHT"), OBS_WAVE_HEIGHT);
	assert_int_equal(observation_field_for_column("WDIR"), OBS_WIND_DIR);
	assert_int_equal(observation_field_for_column("WD"), OBS_WIND_DIR);
	assert_int_equal(observation_field_for_column("PRES"), OBS_PRESSURE);
	assert_int_equal(observation_field_for_column("BAR"), OBS_PRESSURE);
	assert_int_equal(observation_field_for_column("PTDY"), OBS_PRESSURE_TENDENCY);
	assert_int_equal(observation_field_for_column("TIDE"), OBS_TIDE);
	assert_int_equal(observation_field_for_column("wvht"), -1);
	assert_int_equal(observation_field_for_column("#YY"), -1);
	assert_int_equal(observation_field_for_column("mm"), -1);
	assert_int_equal(observation_field_for_column(""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(to_jv_exact_text),
		cmocka_unit_test(to_jv_all_null),
		cmocka_unit_test(number_formatting),
		cmocka_unit_test(write_json_line),
		cmocka_unit_test(from_jv_round_trip),
		cmocka_unit_test(from_jv_null_and_absent_optional),
		cmocka_unit_test(from_jv_errors),
		cmocka_unit_test(from_jv_invalid_value),
		cmocka_unit_test(field_for_column),
	};

	return cmocka_run_group_tests_name("observation", tests, NULL, NULL);
}
