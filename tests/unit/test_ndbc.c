/*
 * Unit tests for the NDBC parser. The header and data lines are copied
 * from real NDBC files (the file is named above each case), and the
 * expected values were read off those lines by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ndbc.h"
#include "timefmt.h"

/* Feeds lines to a fresh parser and returns the result of the last one. */
static enum ndbc_result parse_lines(struct ndbc_parser *parser, const char *station,
                                    const char *const *lines, size_t count,
                                    struct observation *obs)
{
	char error[256];
	enum ndbc_result result = NDBC_SKIP;

	ndbc_parser_init(parser, station);
	for (size_t i = 0; i < count; i++)
		result = ndbc_parse_line(parser, lines[i], strlen(lines[i]), obs, error, sizeof error);
	return result;
}

static time_t utc(int year, int month, int day, int hour, int minute)
{
	time_t t = 0;

	assert_true(timefmt_from_fields(year, month, day, hour, minute, 0, &t));
	return t;
}

static void assert_value(const struct observation *obs, enum obs_field field, double expected)
{
	assert_true(observation_has(obs, field));
	assert_true(fabs(obs->value[field] - expected) < 1e-9);
}

static void assert_missing(const struct observation *obs, enum obs_field field)
{
	assert_false(observation_has(obs, field));
}

/* realtime2/44013.txt, the newest row: MM for missing, "+1.6" tendency. */
static void realtime_row(void **state)
{
	static const char *const lines[] = {
		"#YY  MM DD hh mm WDIR WSPD GST  WVHT   DPD   APD MWD   PRES  ATMP  WTMP  DEWP  VIS PTDY  TIDE",
		"#yr  mo dy hr mn degT m/s  m/s     m   sec   sec degT   hPa  degC  degC  degC  nmi  hPa    ft",
		"2022 06 05 13 00 280  3.0  4.0    MM    MM    MM  MM 1015.2    MM  13.9    MM   MM +1.6    MM",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "44013", lines, 3, &obs), NDBC_ROW);
	assert_string_equal(obs.station_id, "44013");
	assert_int_equal(obs.observed_at, utc(2022, 6, 5, 13, 0));
	assert_value(&obs, OBS_WIND_DIR, 280);
	assert_value(&obs, OBS_WIND_SPEED, 3.0);
	assert_value(&obs, OBS_GUST, 4.0);
	assert_missing(&obs, OBS_WAVE_HEIGHT);
	assert_missing(&obs, OBS_DOMINANT_PERIOD);
	assert_value(&obs, OBS_PRESSURE, 1015.2);
	assert_missing(&obs, OBS_AIR_TEMP);
	assert_value(&obs, OBS_WATER_TEMP, 13.9);
	assert_value(&obs, OBS_PRESSURE_TENDENCY, 1.6);
	assert_missing(&obs, OBS_TIDE);
}

/* historical/44005h1978.txt: two-digit year, no minute, WD and BAR, CRLF,
 * zero-padded values and 9-filled sentinels. */
static void historical_1978_row(void **state)
{
	static const char *const lines[] = {
		"YY MM DD hh WD   WSPD GST  WVHT  DPD   APD  MWD  BAR    ATMP  WTMP  DEWP  VIS\r",
		"78 12 16 12 267 11.2 99.0 01.70 99.00 04.30 999 1017.5  07.2 999.0 999.0 99.0\r",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "44005", lines, 2, &obs), NDBC_ROW);
	assert_int_equal(obs.observed_at, utc(1978, 12, 16, 12, 0));
	assert_value(&obs, OBS_WIND_DIR, 267);
	assert_value(&obs, OBS_WIND_SPEED, 11.2);
	assert_missing(&obs, OBS_GUST);
	assert_value(&obs, OBS_WAVE_HEIGHT, 1.7);
	assert_missing(&obs, OBS_DOMINANT_PERIOD);
	assert_value(&obs, OBS_AVERAGE_PERIOD, 4.3);
	assert_missing(&obs, OBS_MEAN_WAVE_DIR);
	assert_value(&obs, OBS_PRESSURE, 1017.5);
	assert_value(&obs, OBS_AIR_TEMP, 7.2);
	assert_missing(&obs, OBS_WATER_TEMP);
	assert_missing(&obs, OBS_DEW_POINT);
	assert_missing(&obs, OBS_VISIBILITY);
	assert_missing(&obs, OBS_TIDE);
}

/* historical/46035h1999.txt: four-digit year, no minute, 9999.0 pressure. */
static void historical_1999_row(void **state)
{
	static const char *const lines[] = {
		"YYYY MM DD hh WD   WSPD GST  WVHT  DPD   APD  MWD  BAR    ATMP  WTMP  DEWP  VIS",
		"1999 01 01 01 999 99.0 99.0  1.98  7.69  6.31 999 1015.0  -2.2   2.5 999.0 99.0",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "46035", lines, 2, &obs), NDBC_ROW);
	assert_int_equal(obs.observed_at, utc(1999, 1, 1, 1, 0));
	assert_missing(&obs, OBS_WIND_DIR);
	assert_missing(&obs, OBS_WIND_SPEED);
	assert_value(&obs, OBS_WAVE_HEIGHT, 1.98);
	assert_value(&obs, OBS_DOMINANT_PERIOD, 7.69);
	assert_value(&obs, OBS_PRESSURE, 1015.0);
	assert_value(&obs, OBS_AIR_TEMP, -2.2);
	assert_value(&obs, OBS_WATER_TEMP, 2.5);
}

/* historical/46035h2005.txt: minute column, no '#', WD and BAR. */
static void historical_2005_row(void **state)
{
	static const char *const lines[] = {
		"YYYY MM DD hh mm  WD  WSPD GST  WVHT  DPD   APD  MWD  BAR    ATMP  WTMP  DEWP  VIS  TIDE",
		"2005 01 01 00 00 174 15.0 20.3  4.57 17.39  8.32 999  983.9   2.3   3.1  -0.1 99.0 99.00",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "46035", lines, 2, &obs), NDBC_ROW);
	assert_int_equal(obs.observed_at, utc(2005, 1, 1, 0, 0));
	assert_value(&obs, OBS_WIND_DIR, 174);
	assert_value(&obs, OBS_GUST, 20.3);
	assert_value(&obs, OBS_DOMINANT_PERIOD, 17.39);
	assert_value(&obs, OBS_PRESSURE, 983.9);
	assert_value(&obs, OBS_DEW_POINT, -0.1);
	assert_missing(&obs, OBS_TIDE);
}

/* latest/latest_obs_2022-12-30.txt: STN, LAT and LON columns, PTDY
 * before ATMP. */
static void latest_obs_row(void **state)
{
	static const char *const lines[] = {
		"#STN     LAT      LON  YYYY MM DD hh mm WDIR WSPD   GST WVHT  DPD APD MWD   PRES  PTDY  ATMP  WTMP  DEWP  VIS   TIDE",
		"#text    deg      deg   yr mo day hr mn degT  m/s   m/s   m   sec sec degT   hPa   hPa  degC  degC  degC  nmi     ft",
		"13002  21.000  -23.000 2022 12 30 01 00  43   8.3  10.0   MM  MM   MM  MM     MM    MM  22.6  23.5    MM   MM     MM",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, NULL, lines, 3, &obs), NDBC_ROW);
	assert_string_equal(obs.station_id, "13002");
	assert_int_equal(obs.observed_at, utc(2022, 12, 30, 1, 0));
	assert_value(&obs, OBS_WIND_DIR, 43);
	assert_value(&obs, OBS_WIND_SPEED, 8.3);
	assert_value(&obs, OBS_GUST, 10.0);
	assert_missing(&obs, OBS_PRESSURE_TENDENCY);
	assert_value(&obs, OBS_AIR_TEMP, 22.6);
	assert_value(&obs, OBS_WATER_TEMP, 23.5);
}

/* hourly2/hour_15.txt: STN first and "YY" naming a four-digit year. */
static void hourly2_row(void **state)
{
	static const char *const lines[] = {
		"#STN  YY   MM DD hh mm WDIR WSPD GST  WVHT   DPD   APD MWD   PRES  ATMP  WTMP  DEWP  VIS PTDY  TIDE",
		"#txt  yr   mo dy hr mn degT m/s  m/s     m   sec   sec deg    hPa  degC  degC  degC  nmi  hPa    ft",
		"41001 2012 02 24 15 50  MM   MM   MM   3.5     8   6.6  MM 1008.3  21.1  19.6  18.9   MM -0.4    MM",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, NULL, lines, 3, &obs), NDBC_ROW);
	assert_string_equal(obs.station_id, "41001");
	assert_int_equal(obs.observed_at, utc(2012, 2, 24, 15, 50));
	assert_value(&obs, OBS_WAVE_HEIGHT, 3.5);
	assert_value(&obs, OBS_DOMINANT_PERIOD, 8);
	assert_value(&obs, OBS_PRESSURE_TENDENCY, -0.4);
	assert_value(&obs, OBS_DEW_POINT, 18.9);
}

/* historical/42040h2016.txt: a trailing space after the last field. */
static void trailing_space_row(void **state)
{
	static const char *const lines[] = {
		"#YY  MM DD hh mm WDIR WSPD GST  WVHT   DPD   APD MWD   PRES  ATMP  WTMP  DEWP  VIS  TIDE",
		"#yr  mo dy hr mn degT m/s  m/s     m   sec   sec degT   hPa  degC  degC  degC   mi    ft",
		"2015 12 31 23 50  33 10.2 11.9  1.63  6.25  4.60  50 1020.0  18.2  23.2  16.6 99.0 99.00 ",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "42040", lines, 3, &obs), NDBC_ROW);
	assert_value(&obs, OBS_MEAN_WAVE_DIR, 50);
	assert_value(&obs, OBS_AVERAGE_PERIOD, 4.6);
	assert_missing(&obs, OBS_VISIBILITY);
	assert_missing(&obs, OBS_TIDE);
}

static const char *const modern_header[] = {
	"#YY  MM DD hh mm WDIR WSPD GST  WVHT   DPD   APD MWD   PRES  ATMP  WTMP  DEWP  VIS PTDY  TIDE",
	"#yr  mo dy hr mn degT m/s  m/s     m   sec   sec degT   hPa  degC  degC  degC  nmi  hPa    ft",
};

/* Parses one row after the modern header and returns the result. */
static enum ndbc_result parse_row(const char *row, struct observation *obs, char *error,
                                  size_t error_size)
{
	struct ndbc_parser parser;

	parse_lines(&parser, "44013", modern_header, 2, obs);
	return ndbc_parse_line(&parser, row, strlen(row), obs, error, error_size);
}

static void row_errors(void **state)
{
	struct observation obs;
	char error[256];

	assert_int_equal(parse_row("2022 06 05 13 00 280 abc 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid WSPD value 'abc'");

	assert_int_equal(parse_row("2022 02 30 13 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid date or time 2022-02-30 13:00");

	assert_int_equal(parse_row("2022 06 05 13 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM 7",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "row has more fields than the 19 columns of the header");

	assert_int_equal(parse_row("2022 06 05", &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_int_equal(parse_row("0x10 06 05 13 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid year '0x10'");
}

/* A row shorter than the header is rejected: a download cut inside the
 * last row would otherwise give a shortened number. */
static void short_row(void **state)
{
	struct observation obs;
	char error[256];

	assert_int_equal(parse_row("2022 06 05 13 00 280 3.0 4.0 MM MM MM MM 10",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "row has 13 fields but the header names 19 columns");
}

/* Headers of other realtime2 kinds lack required columns. */
static void other_file_kinds(void **state)
{
	static const char *const supl[] = { "#YY  MM DD hh mm PRES  PTIME WSPD  WDIR WTIME" };
	static const char *const spec[] = {
		"#YY  MM DD hh mm WVHT  SwH  SwP  WWH  WWP SwD WWD  STEEPNESS  APD MWD",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "44013", supl, 1, &obs), NDBC_BAD_FILE);
	assert_int_equal(parse_lines(&parser, "41002", spec, 1, &obs), NDBC_BAD_FILE);
}

/* Rows that leave a day and come back to it: the parser keeps the last
 * date it checked, and each row's time must still be its own. */
static void rows_across_days(void **state)
{
	static const char *const rows[] = {
		"2022 02 28 23 50 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		"2022 03 01 00 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		"2022 03 01 13 10 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		"2022 02 28 00 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		"2024 02 29 12 30 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	};
	const time_t expected[] = {
		utc(2022, 2, 28, 23, 50), utc(2022, 3, 1, 0, 0), utc(2022, 3, 1, 13, 10),
		utc(2022, 2, 28, 0, 0), utc(2024, 2, 29, 12, 30),
	};
	struct ndbc_parser parser;
	struct observation obs;
	char error[256];

	parse_lines(&parser, "44013", modern_header, 2, &obs);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(ndbc_parse_line(&parser, rows[i], strlen(rows[i]), &obs, error,
		                                 sizeof error), NDBC_ROW);
		assert_int_equal(obs.observed_at, expected[i]);
	}
}

/* An hour or minute out of range is an error on a day already seen, and a
 * day the month lacks is an error right after a valid day. */
static void time_errors_after_valid_row(void **state)
{
	static const char *const rows[][2] = {
		{ "2022 02 28 24 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		  "invalid date or time 2022-02-28 24:00" },
		{ "2022 02 28 23 60 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		  "invalid date or time 2022-02-28 23:60" },
		{ "2022 02 29 00 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		  "invalid date or time 2022-02-29 00:00" },
		{ "2022 13 28 00 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
		  "invalid date or time 2022-13-28 00:00" },
	};
	static const char valid[] =
		"2022 02 28 12 00 280 3.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM";
	struct ndbc_parser parser;
	struct observation obs;
	char error[256];

	parse_lines(&parser, "44013", modern_header, 2, &obs);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(ndbc_parse_line(&parser, valid, strlen(valid), &obs, error,
		                                 sizeof error), NDBC_ROW);
		assert_int_equal(ndbc_parse_line(&parser, rows[i][0], strlen(rows[i][0]), &obs, error,
		                                 sizeof error), NDBC_BAD_ROW);
		assert_string_equal(error, rows[i][1]);
	}
}

/* Values that are not plain decimals are read by strtod, as they always
 * were: an exponent is accepted, hexadecimal and infinity are not. */
static void values_beyond_plain_decimals(void **state)
{
	struct observation obs;
	char error[256];

	assert_int_equal(parse_row("2022 06 05 13 00 280 1e1 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_ROW);
	assert_value(&obs, OBS_WIND_SPEED, 10);

	assert_int_equal(parse_row("2022 06 05 13 00 280 0x1A 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid WSPD value '0x1A'");

	assert_int_equal(parse_row("2022 06 05 13 00 280 inf 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid WSPD value 'inf'");

	assert_int_equal(parse_row("2022 06 05 13 00 280 . 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid WSPD value '.'");

	/* A value of 32 characters or more is invalid, even a plain decimal. */
	assert_int_equal(parse_row("2022 06 05 13 00 280 000000000000000000000000000003.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_BAD_ROW);
	assert_string_equal(error, "invalid WSPD value '000000000000000000000000000003.0'");
	assert_int_equal(parse_row("2022 06 05 13 00 280 00000000000000000000000000003.0 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM",
	                           &obs, error, sizeof error), NDBC_ROW);
	assert_value(&obs, OBS_WIND_SPEED, 3);
}

/* A NUL byte inside a value makes the row invalid, not a shorter value. */
static void nul_in_value(void **state)
{
	static const char row[] = "2022 06 05 13 00 280 3.0\0junk 4.0 MM MM MM MM 1015.2 MM 13.9 MM MM +1.6 MM";
	struct ndbc_parser parser;
	struct observation obs;
	char error[256];

	parse_lines(&parser, "44013", modern_header, 2, &obs);
	assert_int_equal(ndbc_parse_line(&parser, row, sizeof row - 1, &obs, error, sizeof error),
	                 NDBC_BAD_ROW);
	assert_non_null(strstr(error, "invalid WSPD value"));
}

static void missing_header(void **state)
{
	static const char *const lines[] = {
		"2022 06 05 13 00 280  3.0  4.0    MM    MM    MM  MM 1015.2    MM  13.9    MM   MM +1.6    MM",
	};
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, "44013", lines, 1, &obs), NDBC_BAD_FILE);
}

static void missing_station(void **state)
{
	struct ndbc_parser parser;
	struct observation obs;

	assert_int_equal(parse_lines(&parser, NULL, modern_header, 1, &obs), NDBC_BAD_FILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(realtime_row),
		cmocka_unit_test(historical_1978_row),
		cmocka_unit_test(historical_1999_row),
		cmocka_unit_test(historical_2005_row),
		cmocka_unit_test(latest_obs_row),
		cmocka_unit_test(hourly2_row),
		cmocka_unit_test(trailing_space_row),
		cmocka_unit_test(row_errors),
		cmocka_unit_test(short_row),
		cmocka_unit_test(other_file_kinds),
		cmocka_unit_test(rows_across_days),
		cmocka_unit_test(time_errors_after_valid_row),
		cmocka_unit_test(values_beyond_plain_decimals),
		cmocka_unit_test(nul_in_value),
		cmocka_unit_test(missing_header),
		cmocka_unit_test(missing_station),
	};

	return cmocka_run_group_tests_name("ndbc", tests, NULL, NULL);
}
