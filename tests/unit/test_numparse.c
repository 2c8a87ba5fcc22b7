/* Unit tests for numparse: whole numbers and durations from options and
 * environment values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>

#include "numparse.h"

static void long_accepts_plain_numbers(void **state)
{
	long value = -1;

	assert_true(parse_long_range("42", 0, 100, &value));
	assert_int_equal(value, 42);
	assert_true(parse_long_range("0", 0, 100, &value));
	assert_int_equal(value, 0);
	assert_true(parse_long_range("100", 0, 100, &value));
	assert_int_equal(value, 100);
	assert_true(parse_long_range("007", 0, 100, &value));
	assert_int_equal(value, 7);
}

static void long_accepts_leading_minus(void **state)
{
	long value = 0;

	assert_true(parse_long_range("-5", -10, 10, &value));
	assert_int_equal(value, -5);
	assert_true(parse_long_range("-0", -10, 10, &value));
	assert_int_equal(value, 0);
}

static void long_rejects_other_signs_and_spaces(void **state)
{
	static const char *const cases[] = {
		"+5", " 5", "5 ", "\t5", "5\n", "--5", "-", "- 5", "-+5",
	};
	long value;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(parse_long_range(cases[i], -10, 10, &value));
}

static void long_rejects_trailing_junk(void **state)
{
	static const char *const cases[] = {
		"5x", "5.0", "1e3", "0x10", "10abc", "5s",
	};
	long value;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(parse_long_range(cases[i], 0, 100000, &value));
}

static void long_rejects_empty_and_null(void **state)
{
	long value;

	assert_false(parse_long_range("", 0, 10, &value));
	assert_false(parse_long_range(NULL, 0, 10, &value));
}

static void long_checks_bounds(void **state)
{
	long value;

	assert_false(parse_long_range("101", 0, 100, &value));
	assert_false(parse_long_range("-1", 0, 100, &value));
	assert_false(parse_long_range("-11", -10, 10, &value));
	assert_false(parse_long_range("5", 6, 6, &value));
	assert_true(parse_long_range("6", 6, 6, &value));
	assert_int_equal(value, 6);
}

static void long_rejects_overflow(void **state)
{
	long value;

	assert_true(parse_long_range("9223372036854775807", LONG_MIN, LONG_MAX, &value));
	assert_true(value == LONG_MAX);
	assert_true(parse_long_range("-9223372036854775808", LONG_MIN, LONG_MAX, &value));
	assert_true(value == LONG_MIN);

	assert_false(parse_long_range("9223372036854775808", LONG_MIN, LONG_MAX, &value));
	assert_false(parse_long_range("-9223372036854775809", LONG_MIN, LONG_MAX, &value));
	assert_false(parse_long_range("99999999999999999999999", LONG_MIN, LONG_MAX, &value));
}

static void duration_units(void **state)
{
	static const struct {
		const char *text;
		long expected_ms;
	} cases[] = {
		{ "250ms", 250 },
		{ "30s", 30000 },
		{ "5m", 300000 },
		{ "1h", 3600000 },
		{ "10", 10000 },
		{ "0", 0 },
		{ "0ms", 0 },
		{ "24h", 86400000 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long value = -1;

		assert_true(parse_duration_ms(cases[i].text, 0, LONG_MAX, &value));
		assert_int_equal(value, cases[i].expected_ms);
	}
}

static void duration_rejects_bad_text(void **state)
{
	static const char *const cases[] = {
		"", "s", "ms", "-5s", "+5s", " 5s", "5 s", "5s ", "5S", "5MS", "5x",
		"5min", "5msx", "1.5s", "5d", "1h30m", "0x10",
	};
	long value;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_false(parse_duration_ms(cases[i], 0, LONG_MAX, &value));
	assert_false(parse_duration_ms(NULL, 0, LONG_MAX, &value));
}

static void duration_checks_bounds_in_ms(void **state)
{
	long value;

	assert_false(parse_duration_ms("99ms", 100, 3600000, &value));
	assert_true(parse_duration_ms("100ms", 100, 3600000, &value));
	assert_int_equal(value, 100);
	assert_true(parse_duration_ms("1h", 100, 3600000, &value));
	assert_int_equal(value, 3600000);
	assert_false(parse_duration_ms("3600001ms", 100, 3600000, &value));
	assert_false(parse_duration_ms("61m", 100, 3600000, &value));
	assert_false(parse_duration_ms("0", 1, 3600000, &value));
}

static void duration_rejects_overflow(void **state)
{
	long value;

	/* LONG_MAX / 3600000 is 2562047788015, so one more hour overflows. */
	assert_true(parse_duration_ms("2562047788015h", 0, LONG_MAX, &value));
	assert_int_equal(value, 2562047788015L * 3600000L);
	assert_false(parse_duration_ms("2562047788016h", 0, LONG_MAX, &value));

	/* LONG_MAX / 1000 is 9223372036854775, for both "s" and no unit. */
	assert_true(parse_duration_ms("9223372036854775", 0, LONG_MAX, &value));
	assert_false(parse_duration_ms("9223372036854776", 0, LONG_MAX, &value));
	assert_false(parse_duration_ms("9223372036854776s", 0, LONG_MAX, &value));
	assert_false(parse_duration_ms("153722867280913m", 0, LONG_MAX, &value));

	assert_true(parse_duration_ms("9223372036854775807ms", 0, LONG_MAX, &value));
	assert_true(value == LONG_MAX);
	assert_false(parse_duration_ms("9223372036854775808ms", 0, LONG_MAX, &value));
	assert_false(parse_duration_ms("99999999999999999999999", 0, LONG_MAX, &value));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(long_accepts_plain_numbers),
		cmocka_unit_test(long_accepts_leading_minus),
		cmocka_unit_test(long_rejects_other_signs_and_spaces),
		cmocka_unit_test(long_rejects_trailing_junk),
		cmocka_unit_test(long_rejects_empty_and_null),
		cmocka_unit_test(long_checks_bounds),
		cmocka_unit_test(long_rejects_overflow),
		cmocka_unit_test(duration_units),
		cmocka_unit_test(duration_rejects_bad_text),
		cmocka_unit_test(duration_checks_bounds_in_ms),
		cmocka_unit_test(duration_rejects_overflow),
	};

	return cmocka_run_group_tests_name("numparse", tests, NULL, NULL);
}
