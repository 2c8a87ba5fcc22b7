/* Unit tests for timefmt: the record's UTC timestamps. Expected epoch
 * seconds were computed independently with Python's calendar.timegm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timefmt.h"

static void format_epoch(void **state)
{
	char out[TIMEFMT_ISO_SIZE];

	timefmt_iso8601(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
}

static void format_leap_day(void **state)
{
	char out[TIMEFMT_ISO_SIZE];

	timefmt_iso8601(1709208000, out);
	assert_string_equal(out, "2024-02-29T12:00:00Z");
}

static void format_before_epoch(void **state)
{
	char out[TIMEFMT_ISO_SIZE];

	timefmt_iso8601(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
}

static void parse_valid_times(void **state)
{
	static const struct {
		const char *text;
		time_t expected;
	} cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "2026-12-04T19:30:00Z", 1796412600 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "1900-01-01T00:00:00Z", -2208988800 },
		{ "9999-12-31T23:59:59Z", 253402300799 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_t t = 12345;

		assert_true(timefmt_parse_iso8601(cases[i].text, &t));
		assert_int_equal(t, cases[i].expected);
	}
}

static void parse_rejects_missing_days(void **state)
{
	static const char *const cases[] = {
		"2023-02-29T00:00:00Z",    /* 2023 is not a leap year */
		"1900-02-29T00:00:00Z",    /* centuries are leap only when divisible by 400 */
		"2024-02-30T00:00:00Z",
		"2024-04-31T00:00:00Z",
		"2024-06-31T00:00:00Z",
		"2024-09-31T00:00:00Z",
		"2024-11-31T00:00:00Z",
		"2024-01-32T00:00:00Z",
		"2024-01-00T00:00:00Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(timefmt_parse_iso8601(cases[i], &t));
}

static void parse_rejects_fields_out_of_range(void **state)
{
	static const char *const cases[] = {
		"2024-00-10T00:00:00Z",
		"2024-13-10T00:00:00Z",
		"2024-01-10T24:00:00Z",
		"2024-01-10T00:60:00Z",
		"2024-01-10T00:00:60Z",    /* leap seconds are not accepted */
		"1899-12-31T23:59:59Z",
		"0000-01-01T00:00:00Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(timefmt_parse_iso8601(cases[i], &t));
}

static void parse_rejects_other_layouts(void **state)
{
	static const char *const cases[] = {
		"",
		"2024-01-10",
		"2024-01-10T00:00:00",
		"2024-01-10T00:00:00z",
		"2024-01-10 00:00:00Z",
		"2024-01-10T00:00:00+00:00",
		"2024-01-10T00:00:00.000Z",
		"2024-01-10T00:00:00Z ",
		" 2024-01-10T00:00:00Z",
		"2024-1-10T00:00:00Z",
		"2024/01/10T00:00:00Z",
		"2024-01-1aT00:00:00Z",
		"+024-01-10T00:00:00Z",
		"2024-01-10T0:00:00ZZ",
		"20240110T000000Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(timefmt_parse_iso8601(cases[i], &t));
}

static void round_trip_every_day_of_leap_year(void **state)
{
	time_t start;

	assert_true(timefmt_from_fields(2024, 1, 1, 23, 59, 59, &start));
	for (int day = 0; day < 366; day++) {
		char text[TIMEFMT_ISO_SIZE];
		time_t back;

		timefmt_iso8601(start + day * 86400, text);
		assert_true(timefmt_parse_iso8601(text, &back));
		assert_int_equal(back, start + day * 86400);
	}
}

static void from_fields_valid_and_invalid(void **state)
{
	time_t t;

	assert_true(timefmt_from_fields(2024, 2, 29, 12, 0, 0, &t));
	assert_int_equal(t, 1709208000);
	assert_true(timefmt_from_fields(2024, 12, 31, 23, 59, 59, &t));
	assert_int_equal(t, 1735689599);

	assert_false(timefmt_from_fields(2023, 2, 29, 0, 0, 0, &t));
	assert_false(timefmt_from_fields(2024, 4, 31, 0, 0, 0, &t));
	assert_false(timefmt_from_fields(2024, 0, 1, 0, 0, 0, &t));
	assert_false(timefmt_from_fields(2024, 1, 1, -1, 0, 0, &t));
	assert_false(timefmt_from_fields(2024, 1, 1, 0, -1, 0, &t));
	assert_false(timefmt_from_fields(2024, 1, 1, 0, 0, -1, &t));
	assert_false(timefmt_from_fields(10000, 1, 1, 0, 0, 0, &t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_epoch),
		cmocka_unit_test(format_leap_day),
		cmocka_unit_test(format_before_epoch),
		cmocka_unit_test(parse_valid_times),
		cmocka_unit_test(parse_rejects_missing_days),
		cmocka_unit_test(parse_rejects_fields_out_of_range),
		cmocka_unit_test(parse_rejects_other_layouts),
		cmocka_unit_test(round_trip_every_day_of_leap_year),
		cmocka_unit_test(from_fields_valid_and_invalid),
	};

	return cmocka_run_group_tests_name("timefmt", tests, NULL, NULL);
}
