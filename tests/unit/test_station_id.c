/* Unit tests for station_id: validating ids and finding them in NDBC file
 * names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "station_id.h"

static void normalize_upper_cases(void **state)
{
	char out[STATION_ID_MAX + 1];

	assert_true(station_id_normalize("tplm2", 5, out));
	assert_string_equal(out, "TPLM2");
	assert_true(station_id_normalize("44013", 5, out));
	assert_string_equal(out, "44013");
}

static void normalize_uses_only_len_bytes(void **state)
{
	char out[STATION_ID_MAX + 1];

	assert_true(station_id_normalize("44013.txt", 5, out));
	assert_string_equal(out, "44013");
}

static void normalize_length_limits(void **state)
{
	char out[STATION_ID_MAX + 1];

	assert_true(station_id_normalize("abcd1234", 8, out));
	assert_string_equal(out, "ABCD1234");
	assert_false(station_id_normalize("abcd12345", 9, out));
	assert_false(station_id_normalize("", 0, out));
}

static void normalize_rejects_other_characters(void **state)
{
	static const char *const cases[] = {
		"440 13", "44013/", "../etc", "a-b", "a_b", "a.b", "44%20", "caf\xc3\xa9",
		"4401\n",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[STATION_ID_MAX + 1] = "KEEP";

		assert_false(station_id_normalize(cases[i], strlen(cases[i]), out));
		assert_string_equal(out, "KEEP");
	}
}

static void normalize_rejects_embedded_nul(void **state)
{
	char out[STATION_ID_MAX + 1] = "KEEP";

	assert_false(station_id_normalize("440\0" "13", 6, out));
	assert_string_equal(out, "KEEP");
}

static void filename_ndbc_names(void **state)
{
	static const struct {
		const char *path;
		const char *expected;
	} cases[] = {
		{ "44013.txt", "44013" },
		{ "46035h2000.txt", "46035" },
		{ "tplm2h2021.txt.gz", "TPLM2" },
		{ "/a/b/tplm2_2022-01.txt", "TPLM2" },
		{ "46097h201908qc.txt", "46097" },
		{ "WPOW1H2020.txt", "WPOW1" },
		{ "44013", "44013" },
		{ "data/realtime2/41002.spec", "41002" },
		{ "./v1.2/44013.txt", "44013" },
		/* An id that contains an 'h' keeps it: only "h" plus a year ends it. */
		{ "chlv2.txt", "CHLV2" },
		{ "chlv2h2019.txt.gz", "CHLV2" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[STATION_ID_MAX + 1] = "";

		assert_true(station_id_from_filename(cases[i].path, out));
		assert_string_equal(out, cases[i].expected);
	}
}

static void filename_without_id(void **state)
{
	static const char *const cases[] = {
		"", ".txt", "/a/b/", "/a/b/.hidden", "_2022-01.txt", "-x.txt",
		"stationtoolong.txt", "44 013.txt", "latest obs.txt",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[STATION_ID_MAX + 1] = "KEEP";

		assert_false(station_id_from_filename(cases[i], out));
		assert_string_equal(out, "KEEP");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalize_upper_cases),
		cmocka_unit_test(normalize_uses_only_len_bytes),
		cmocka_unit_test(normalize_length_limits),
		cmocka_unit_test(normalize_rejects_other_characters),
		cmocka_unit_test(normalize_rejects_embedded_nul),
		cmocka_unit_test(filename_ndbc_names),
		cmocka_unit_test(filename_without_id),
	};

	return cmocka_run_group_tests_name("station_id", tests, NULL, NULL);
}
