/* Unit tests for the strict JSON check: every case libjq 1.6 accepts but
 * RFC 8259 (and so JSON.parse in browsers) rejects must fail here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "json_check.h"

struct json_case {
	const char *text;
	size_t len;            /* 0: strlen(text) */
	const char *problem;   /* NULL: valid */
};

static void check_case(const struct json_case *item)
{
	char error[128] = "";
	size_t len = item->len ? item->len : strlen(item->text);
	bool valid = json_check_strict(item->text, len, error, sizeof error);

	if (item->problem == NULL) {
		if (!valid)
			fail_msg("'%s' rejected: %s", item->text, error);
		return;
	}
	if (valid)
		fail_msg("'%s' accepted, expected: %s", item->text, item->problem);
	if (strcmp(error, item->problem) != 0)
		fail_msg("'%s': got '%s', expected '%s'", item->text, error, item->problem);
}

static void valid_values(void **state)
{
	static const struct json_case cases[] = {
		{ "{}", 0, NULL },
		{ " [ ] \r", 0, NULL },
		{ "{\"a\":1.5,\"b\":null,\"c\":[true,false],\"d\":\"x\"}", 0, NULL },
		{ "-0.5e+10", 0, NULL },
		{ "0", 0, NULL },
		{ "\"\\u00e9\\n\\\"\"", 0, NULL },
		{ "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x8c\x8a\"", 0, NULL },
		{ "{\"stationId\":\"44013\",\"waveHeightM\":1015.2}", 0, NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

static void invalid_numbers(void **state)
{
	static const struct json_case cases[] = {
		{ "01.5", 0, "number with a leading zero at byte 2" },
		{ ".5", 0, "unexpected character at byte 1" },
		{ "1.", 0, "expected a digit at byte 3" },
		{ "+1", 0, "unexpected character at byte 1" },
		{ "-", 0, "expected a digit at byte 2" },
		{ "1e", 0, "expected a digit at byte 3" },
		{ "NaN", 0, "unexpected character at byte 1" },
		{ "[1,]", 0, "unexpected character at byte 4" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

static void invalid_strings(void **state)
{
	static const struct json_case cases[] = {
		{ "\"a\0b\"", 5, "control character or NUL inside a string at byte 3" },
		{ "\"a\tb\"", 0, "control character or NUL inside a string at byte 3" },
		{ "\"\xff\"", 0, "invalid UTF-8 at byte 2" },
		{ "\"\xc0\xaf\"", 0, "invalid UTF-8 at byte 2" },
		{ "\"\xed\xa0\x80\"", 0, "invalid UTF-8 at byte 2" },
		{ "\"\xe2\x82\"", 0, "invalid UTF-8 at byte 2" },
		{ "\"\\x\"", 0, "invalid escape in a string at byte 3" },
		{ "\"\\u12g4\"", 0, "invalid \\u escape in a string at byte 6" },
		{ "\"abc", 0, "unterminated string at byte 5" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

static void invalid_structure(void **state)
{
	static const struct json_case cases[] = {
		{ "", 0, "unexpected end of input at byte 1" },
		{ "{\"a\" 1}", 0, "expected ':' after an object key at byte 6" },
		{ "{a:1}", 0, "expected a string as object key at byte 2" },
		{ "{\"a\":1 \"b\":2}", 0, "expected ',' or '}' at byte 8" },
		{ "{} {}", 0, "unexpected text after the JSON value at byte 4" },
		{ "tru", 0, "unexpected character at byte 1" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_case(&cases[i]);
}

static void nesting_limit(void **state)
{
	char deep[2 * (JSON_CHECK_DEPTH_MAX + 1) + 1];
	char error[128];

	memset(deep, '[', JSON_CHECK_DEPTH_MAX);
	memset(deep + JSON_CHECK_DEPTH_MAX, ']', JSON_CHECK_DEPTH_MAX);
	assert_true(json_check_strict(deep, 2 * JSON_CHECK_DEPTH_MAX, error, sizeof error));

	memset(deep, '[', JSON_CHECK_DEPTH_MAX + 1);
	memset(deep + JSON_CHECK_DEPTH_MAX + 1, ']', JSON_CHECK_DEPTH_MAX + 1);
	assert_false(json_check_strict(deep, 2 * (JSON_CHECK_DEPTH_MAX + 1), error, sizeof error));
	assert_non_null(strstr(error, "nested too deeply"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_values),
		cmocka_unit_test(invalid_numbers),
		cmocka_unit_test(invalid_strings),
		cmocka_unit_test(invalid_structure),
		cmocka_unit_test(nesting_limit),
	};

	return cmocka_run_group_tests_name("json_check", tests, NULL, NULL);
}
