/*
 * Unit tests for the station table parser and the station record. The
 * header and rows are copied from a real station_table.txt of NDBC, except
 * in the cases whose comment starts "Written for the test".
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "station_table.h"

static const char header[] =
	"# STATION_ID | OWNER | TTYPE | HULL | NAME | PAYLOAD | LOCATION | TIMEZONE | FORECAST | NOTE";

/* Feeds the header, the "#" line after it, then row, and returns the
 * result of the row. */
static enum station_table_result parse_row(const char *row, struct station_table_row *record,
                                           char *error, size_t error_size)
{
	struct station_table_parser parser;
	char header_error[256];

	station_table_parser_init(&parser);
	assert_int_equal(station_table_parse_line(&parser, header, strlen(header), record,
	                                          header_error, sizeof header_error),
	                 STATION_TABLE_SKIP);
	assert_int_equal(station_table_parse_line(&parser, "#", 1, record, header_error,
	                                          sizeof header_error),
	                 STATION_TABLE_SKIP);
	return station_table_parse_line(&parser, row, strlen(row), record, error, error_size);
}

/* Returns the record as its JSON line (without '\n'), in a static buffer. */
static const char *record_json(const struct station_table_row *record)
{
	static char out[1024];
	jv text = jv_dump_string(station_table_row_to_jv(record), 0);

	snprintf(out, sizeof out, "%s", jv_string_value(text));
	jv_free(text);
	return out;
}

static void north_west_row(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("44013|N|3-meter discus buoy|3D85|BOSTON 16 NM East of "
	                           "Boston, MA|ARES payload|42.346 N 70.651 W (42&#176;20'44\" N "
	                           "70&#176;39'4\" W)|E| |Caution: Right whales may be active",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record.station_id, "44013");
	assert_string_equal(record.name, "BOSTON 16 NM East of Boston, MA");
	assert_string_equal(record.owner, "N");
	assert_string_equal(record.type, "3-meter discus buoy");
	assert_true(record.has_location);
	assert_true(record.lat == 42.346);
	assert_true(record.lon == -70.651);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"44013\",\"name\":\"BOSTON 16 NM East of Boston, MA\","
	                    "\"lat\":42.346,\"lon\":-70.651,\"owner\":\"N\","
	                    "\"type\":\"3-meter discus buoy\"}");
}

static void south_east_row(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("15319|CT|Fixed Drilling Platform||Sanha - WANE 25947||5.583 S "
	                           "11.833 E (5&#176;35'0\" S 11&#176;50'0\" E)|| |",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"15319\",\"name\":\"Sanha - WANE 25947\","
	                    "\"lat\":-5.583,\"lon\":11.833,\"owner\":\"CT\","
	                    "\"type\":\"Fixed Drilling Platform\"}");
}

static void lower_case_id_row(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("sanf1|N|C-MAN Station||Sand Key, FL||24.456 N 81.877 W "
	                           "(24&#176;27'21\" N 81&#176;52'38\" W)|E|FZUS52.KKEY |",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record.station_id, "SANF1");
}

/* 31260 has no NAME and 41300 no TTYPE: both print as null. */
static void empty_fields_are_null(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("31260|HC|Buoy||||23.031 S 43.088 W (23&#176;1'52\" S "
	                           "43&#176;5'17\" W)|| |This buoy was removed",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"31260\",\"name\":null,\"lat\":-23.031,"
	                    "\"lon\":-43.088,\"owner\":\"HC\",\"type\":\"Buoy\"}");

	assert_int_equal(parse_row("41300|F|||West Indies||15.850 N 57.467 W (15&#176;51'0\" N "
	                           "57&#176;28'0\" W)|| |",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"41300\",\"name\":\"West Indies\",\"lat\":15.85,"
	                    "\"lon\":-57.467,\"owner\":\"F\",\"type\":null}");
}

/* Written for the test: a name with references, and spaces around it. */
static void name_references_decoded(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("42396|CT|Fixed Drilling Platform||  Jack &amp; St Malo "
	                           "&#176;&nbsp;FPU &quot;A&quot;  ||26.235 N 91.261 W|| |",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record.name, "Jack & St Malo \xc2\xb0\xc2\xa0" "FPU \"A\"");
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"42396\",\"name\":\"Jack & St Malo \xc2\xb0\xc2\xa0"
	                    "FPU \\\"A\\\"\",\"lat\":26.235,\"lon\":-91.261,\"owner\":\"CT\","
	                    "\"type\":\"Fixed Drilling Platform\"}");
}

/* Written for the test: a location that cannot be read gives null lat
 * and lon, and the row is still a station. */
static void unreadable_location_is_null(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("44013|N|3-meter discus buoy|3D85|BOSTON||unknown|E| |",
	                           &record, error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_false(record.has_location);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"44013\",\"name\":\"BOSTON\",\"lat\":null,"
	                    "\"lon\":null,\"owner\":\"N\",\"type\":\"3-meter discus buoy\"}");
}

/* 13010 lies at 0 N 0 E; "0.000 S" and "0.000 W" must not print as -0. */
static void zero_degrees_unsigned(void **state)
{
	double lat = 1;
	double lon = 1;

	assert_true(station_table_parse_location("0.000 N 0.000 E (0&#176;0'0\" N 0&#176;0'0\" E)",
	                                         47, &lat, &lon));
	assert_true(lat == 0 && !signbit(lat));
	assert_true(lon == 0 && !signbit(lon));
	assert_true(station_table_parse_location("0.000 S 0.000 W", 15, &lat, &lon));
	assert_true(lat == 0 && !signbit(lat));
	assert_true(lon == 0 && !signbit(lon));
}

static void location_forms(void **state)
{
	static const struct {
		const char *text;
		double lat;
		double lon;
	} cases[] = {
		{ "42.346 N 70.651 W", 42.346, -70.651 },
		{ "0.000 N  35.000 W (0&#176;0'0\" N  35&#176;0'0\" W)", 0, -35 },
		{ "90 S 180 E", -90, 180 },
		{ "5.293 S 165.002 E(5&#176;17'36\" S)", -5.293, 165.002 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double lat = 1000;
		double lon = 1000;

		assert_true(station_table_parse_location(cases[i].text, strlen(cases[i].text), &lat,
		                                         &lon));
		assert_true(lat == cases[i].lat);
		assert_true(lon == cases[i].lon);
	}
}

static void location_rejects(void **state)
{
	static const char *const cases[] = {
		"", "42.346 N", "42.346 N 70.651", "90.001 N 10 W", "10 N 180.5 W", "-5 N 10 W",
		"5 N -10 W", "1e1 N 10 W", "inf N 10 W", "0x10 N 10 W", ".5 N 10 W", "1.2.3 N 10 W",
		"10 X 10 W", "10 N 10 Q", "10 NE 10 W", "10 N 10 WEST", "10 n 10 w",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double lat = 7;
		double lon = 7;

		if (station_table_parse_location(cases[i], strlen(cases[i]), &lat, &lon))
			fail_msg("'%s' was read as %g, %g", cases[i], lat, lon);
		assert_true(lat == 7 && lon == 7);
	}
}

static void decode_references(void **state)
{
	static const struct {
		const char *text;
		const char *decoded;
	} cases[] = {
		{ "30&#176;0'0\"", "30\xc2\xb0" "0'0\"" },
		{ "30&#xB0; &#XB0; &deg;", "30\xc2\xb0 \xc2\xb0 \xc2\xb0" },
		{ "E &amp; P &lt;x&gt; &apos;a&apos;", "E & P <x> 'a'" },
		{ "a&nbsp;b", "a\xc2\xa0" "b" },
		{ "&#x1F30A;", "\xf0\x9f\x8c\x8a" },
		{ "&#2048;", "\xe0\xa0\x80" },
		{ "E & P", "E & P" },
		{ "&bogus; &amp &; &#; &#x; &#12a;", "&bogus; &amp &; &#; &#x; &#12a;" },
		{ "&#0; &#xD800; &#1114112; &#12345678;", "&#0; &#xD800; &#1114112; &#12345678;" },
		{ "  padded\t", "padded" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];

		assert_true(station_table_decode_text(cases[i].text, strlen(cases[i].text), out,
		                                      sizeof out));
		assert_string_equal(out, cases[i].decoded);
	}
}

static void decode_checks_room(void **state)
{
	char out[4];

	assert_true(station_table_decode_text("abc", 3, out, sizeof out));
	assert_string_equal(out, "abc");
	assert_false(station_table_decode_text("abcd", 4, out, sizeof out));
	/* The degree sign needs two bytes, so "ab&#176;" needs five. */
	assert_false(station_table_decode_text("ab&#176;", 8, out, sizeof out));
}

static void bad_ids_reported(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("4401/3|N|Buoy||Name||42.346 N 70.651 W|E| |", &record, error,
	                           sizeof error),
	                 STATION_TABLE_BAD_ROW);
	assert_string_equal(error, "invalid station id '4401/3': expected 1 to 8 letters and digits");

	assert_int_equal(parse_row("abcd12345|N|Buoy||Name||42.346 N 70.651 W|E| |", &record,
	                           error, sizeof error),
	                 STATION_TABLE_BAD_ROW);
	assert_string_equal(error,
	                    "invalid station id 'abcd12345': expected 1 to 8 letters and digits");

	assert_int_equal(parse_row("  |N|Buoy||Name||42.346 N 70.651 W|E| |", &record, error,
	                           sizeof error),
	                 STATION_TABLE_BAD_ROW);
	assert_string_equal(error, "missing station id");
}

static void field_count_checked(void **state)
{
	struct station_table_row record;
	char error[256];

	assert_int_equal(parse_row("44013|N|3-meter discus buoy|3D85|BOSTON", &record, error,
	                           sizeof error),
	                 STATION_TABLE_BAD_ROW);
	assert_string_equal(error, "row has 5 fields but the header names 10 columns");

	assert_int_equal(parse_row("44013|N|Buoy||BOSTON | MA||42.346 N 70.651 W|E| |", &record,
	                           error, sizeof error),
	                 STATION_TABLE_BAD_ROW);
	assert_string_equal(error, "row has 11 fields but the header names 10 columns");
}

static void long_name_reported(void **state)
{
	char row[600];
	struct station_table_row record;
	char error[256];

	snprintf(row, sizeof row, "44013|N|Buoy||%0*d||42.346 N 70.651 W|E| |",
	         STATION_NAME_MAX + 1, 0);
	assert_int_equal(parse_row(row, &record, error, sizeof error), STATION_TABLE_BAD_ROW);
	assert_string_equal(error, "NAME is longer than 255 bytes");

	snprintf(row, sizeof row, "44013|N|Buoy||%0*d||42.346 N 70.651 W|E| |",
	         STATION_NAME_MAX, 0);
	assert_int_equal(parse_row(row, &record, error, sizeof error), STATION_TABLE_ROW);
	assert_int_equal(strlen(record.name), STATION_NAME_MAX);
}

static void row_before_header(void **state)
{
	static const char row[] = "44013|N|Buoy||BOSTON||42.346 N 70.651 W|E| |";
	struct station_table_parser parser;
	struct station_table_row record;
	char error[256];

	station_table_parser_init(&parser);
	assert_int_equal(station_table_parse_line(&parser, "# a comment", 11, &record, error,
	                                          sizeof error),
	                 STATION_TABLE_SKIP);
	assert_int_equal(station_table_parse_line(&parser, row, strlen(row), &record, error,
	                                          sizeof error),
	                 STATION_TABLE_BAD_FILE);
	assert_string_equal(error, "no header line: expected '# STATION_ID | OWNER | TTYPE | ...' "
	                    "before the first row of a station table");
}

/* Written for the test: columns in another order and fewer of them, CRLF
 * line endings and a blank line. */
static void columns_found_by_name(void **state)
{
	static const char *const lines[] = {
		"# NAME | LOCATION | STATION_ID\r", "\r", "Sand Key, FL|24.456 N 81.877 W|sanf1\r",
	};
	struct station_table_parser parser;
	struct station_table_row record;
	char error[256];

	station_table_parser_init(&parser);
	assert_int_equal(station_table_parse_line(&parser, lines[0], strlen(lines[0]), &record,
	                                          error, sizeof error),
	                 STATION_TABLE_SKIP);
	assert_int_equal(station_table_parse_line(&parser, lines[1], strlen(lines[1]), &record,
	                                          error, sizeof error),
	                 STATION_TABLE_SKIP);
	assert_int_equal(station_table_parse_line(&parser, lines[2], strlen(lines[2]), &record,
	                                          error, sizeof error),
	                 STATION_TABLE_ROW);
	assert_string_equal(record_json(&record),
	                    "{\"stationId\":\"SANF1\",\"name\":\"Sand Key, FL\",\"lat\":24.456,"
	                    "\"lon\":-81.877,\"owner\":null,\"type\":null}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(north_west_row),
		cmocka_unit_test(south_east_row),
		cmocka_unit_test(lower_case_id_row),
		cmocka_unit_test(empty_fields_are_null),
		cmocka_unit_test(name_references_decoded),
		cmocka_unit_test(unreadable_location_is_null),
		cmocka_unit_test(zero_degrees_unsigned),
		cmocka_unit_test(location_forms),
		cmocka_unit_test(location_rejects),
		cmocka_unit_test(decode_references),
		cmocka_unit_test(decode_checks_room),
		cmocka_unit_test(bad_ids_reported),
		cmocka_unit_test(field_count_checked),
		cmocka_unit_test(long_name_reported),
		cmocka_unit_test(row_before_header),
		cmocka_unit_test(columns_found_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
