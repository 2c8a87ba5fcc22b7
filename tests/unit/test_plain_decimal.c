/* Unit tests for parse_plain_decimal: NDBC's decimals read exactly as
 * strtod reads them, and every other text left to strtod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

/* Fails unless text is read, to the same double as strtod's. */
static void assert_like_strtod(const char *text)
{
	double value = NAN;
	double expected = strtod(text, NULL);

	if (!parse_plain_decimal(text, strlen(text), &value))
		fail_msg("'%s' was not read", text);
	if (memcmp(&value, &expected, sizeof value) != 0)
		fail_msg("'%s': read %.17g, strtod reads %.17g", text, value, expected);
}

static void assert_left_to_strtod(const char *text)
{
	double value = 0;

	if (parse_plain_decimal(text, strlen(text), &value))
		fail_msg("'%s' was read as %.17g", text, value);
}

static void ndbc_forms(void **state)
{
	assert_like_strtod("1015.2");
	assert_like_strtod(".69");
	assert_like_strtod("01.70");
	assert_like_strtod("+1.6");
	assert_like_strtod("-12.3");
	assert_like_strtod("99.00");
	assert_like_strtod("9999.0");
	assert_like_strtod("0");
	assert_like_strtod("7.");
	assert_like_strtod("-0.0");
	assert_like_strtod("999999999999999");
	assert_like_strtod("0.0000000000000000000001");
}

static void other_forms(void **state)
{
	assert_left_to_strtod("");
	assert_left_to_strtod("-");
	assert_left_to_strtod(".");
	assert_left_to_strtod("+.");
	assert_left_to_strtod("1e5");
	assert_left_to_strtod("0x1p3");
	assert_left_to_strtod("nan");
	assert_left_to_strtod("inf");
	assert_left_to_strtod("1.2.3");
	assert_left_to_strtod("--1");
	assert_left_to_strtod("1-");
	assert_left_to_strtod("MM");
	assert_left_to_strtod("1000000000000000");
	assert_left_to_strtod("0.00000000000000000000001");
}

/* The length bounds the text: a NUL or any byte after it is not read. */
static void length_bounds_text(void **state)
{
	double value = 0;

	assert_true(parse_plain_decimal("12.5junk", 4, &value));
	assert_true(value == 12.5);
	assert_false(parse_plain_decimal("1\0002", 3, &value));
}

static void random_decimals_like_strtod(void **state)
{
	srand48(1999);
	for (int i = 0; i < 300000; i++) {
		char text[40];
		int len = 0;
		int count = 1 + (int)(lrand48() % 15);
		int point = (int)(lrand48() % (count + 1));

		if (lrand48() % 3 == 0)
			text[len++] = lrand48() % 2 ? '-' : '+';
		for (int d = 0; d < count; d++) {
			if (d == point)
				text[len++] = '.';
			text[len++] = (char)('0' + lrand48() % 10);
		}
		text[len] = '\0';
		assert_like_strtod(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ndbc_forms),
		cmocka_unit_test(other_forms),
		cmocka_unit_test(length_bounds_text),
		cmocka_unit_test(random_decimals_like_strtod),
	};

	return cmocka_run_group_tests_name("plain_decimal", tests, NULL, NULL);
}
