/*
 * Unit tests for json_number: every number must come out exactly as
 * libjq's jv_dump_string writes it, so each case is checked against
 * libjq itself as well as against the expected text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "json_number.h"

/* Fails with both texts when value is written other than libjq writes it. */
static void assert_like_jq(double value)
{
	char text[JSON_NUMBER_MAX + 1];
	size_t len = json_number_format(value, text);
	jv expected = jv_dump_string(jv_number(value), 0);

	if (strcmp(text, jv_string_value(expected)) != 0 || len != strlen(text))
		fail_msg("%.17g: written %s, libjq writes %s", value, text,
		         jv_string_value(expected));
	jv_free(expected);
}

static void assert_written(double value, const char *expected)
{
	char text[JSON_NUMBER_MAX + 1];

	json_number_format(value, text);
	assert_string_equal(text, expected);
	assert_like_jq(value);
}

static void ndbc_values(void **state)
{
	assert_written(1015.2, "1015.2");
	assert_written(1.7, "1.7");
	assert_written(0.69, "0.69");
	assert_written(-0.4, "-0.4");
	assert_written(280, "280");
	assert_written(30.12, "30.12");
	assert_written(-12.3, "-12.3");
	assert_written(99, "99");
	assert_written(9999, "9999");
	assert_written(0.05, "0.05");
}

static void zero_and_signs(void **state)
{
	assert_written(0.0, "0");
	assert_written(-0.0, "-0");
	assert_written(-1, "-1");
}

/* Where libjq switches to an exponent: below 1e-4, and when more than 15
 * zeros would follow the significant digits. */
static void exponent_boundaries(void **state)
{
	assert_written(0.001, "0.001");
	assert_written(0.0001, "0.0001");
	assert_written(0.00001, "1e-05");
	assert_written(1e15, "1000000000000000");
	assert_written(1e16, "1e+16");
	assert_written(123456789012345678.0, "123456789012345680");
	assert_written(1e300, "1e+300");
}

static void not_finite(void **state)
{
	assert_written(NAN, "null");
	assert_written(INFINITY, "1.7976931348623157e+308");
	assert_written(-INFINITY, "-1.7976931348623157e+308");
}

/* The maximum length: a sign, 17 digits and 15 zeros before the point. */
static void longest_text(void **state)
{
	char text[JSON_NUMBER_MAX + 1];

	assert_int_equal(json_number_format(-1.2345678901234567e31, text), 33);
	assert_like_jq(-1.2345678901234567e31);
}

static void short_decimals_like_jq(void **state)
{
	char text[64];

	for (long digits = -30000; digits <= 30000; digits++) {
		for (int places = 0; places <= 5; places++) {
			snprintf(text, sizeof text, "%lde-%d", digits, places);
			assert_like_jq(strtod(text, NULL));
		}
	}
}

/* Decimals of up to 17 digits at any scale, and doubles of any bit
 * pattern, from a fixed seed so that a failure repeats. */
static void random_values_like_jq(void **state)
{
	srand48(20221230);
	for (int i = 0; i < 100000; i++) {
		char text[64];
		long long digits = 0;
		int count = 1 + (int)(lrand48() % 17);
		uint64_t bits;
		double value;

		for (int d = 0; d < count; d++)
			digits = digits * 10 + lrand48() % 10;
		snprintf(text, sizeof text, "%s%llde%ld", lrand48() % 2 ? "-" : "", digits,
		         lrand48() % 40 - 25);
		assert_like_jq(strtod(text, NULL));

		bits = (uint64_t)lrand48() << 42 ^ (uint64_t)lrand48() << 21 ^ (uint64_t)lrand48();
		memcpy(&value, &bits, sizeof value);
		assert_like_jq(value);
		assert_like_jq(drand48() * 2000 - 1000);
	}
	assert_like_jq(0.1 + 0.2);
	assert_like_jq(DBL_MAX);
	assert_like_jq(DBL_MIN);
	assert_like_jq(5e-324);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ndbc_values),
		cmocka_unit_test(zero_and_signs),
		cmocka_unit_test(exponent_boundaries),
		cmocka_unit_test(not_finite),
		cmocka_unit_test(longest_text),
		cmocka_unit_test(short_decimals_like_jq),
		cmocka_unit_test(random_values_like_jq),
	};

	return cmocka_run_group_tests_name("json_number", tests, NULL, NULL);
}
