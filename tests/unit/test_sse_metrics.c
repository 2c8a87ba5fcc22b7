/*
 * Unit tests for buoy-sse's histograms (bucket edges, sum and count, the
 * Prometheus text) and its log rate limit. Those files live in
 * cmd/buoy-sse/, outside libbuoy.a, so this file compiles them in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../cmd/buoy-sse/log_limit.c"
#include "../../cmd/buoy-sse/metrics.c"

static const double bounds[] = { 0.001, 0.01, 1 };

/* Returns the text that histogram_format appends, which the caller frees. */
static char *format(const struct histogram *h)
{
	struct evbuffer *out = evbuffer_new();
	size_t length;
	char *text;

	assert_non_null(out);
	assert_int_equal(histogram_format(h, "test_seconds", "Test help.", out), 0);
	length = evbuffer_get_length(out);
	text = calloc(1, length + 1);
	assert_non_null(text);
	evbuffer_remove(out, text, length);
	evbuffer_free(out);
	return text;
}

static void init_rejects_bad_bounds(void **state)
{
	static const double descending[] = { 1, 0.5 };
	static const double equal[] = { 1, 1 };
	static const double infinite[] = { 1, INFINITY };
	double too_many[HISTOGRAM_BOUNDS_MAX + 1];
	struct histogram h = { 0 };

	for (size_t i = 0; i < sizeof too_many / sizeof too_many[0]; i++)
		too_many[i] = (double)i + 1;
	assert_int_equal(histogram_init(&h, descending, 2), -1);
	assert_int_equal(histogram_init(&h, equal, 2), -1);
	assert_int_equal(histogram_init(&h, infinite, 2), -1);
	assert_int_equal(histogram_init(&h, too_many, HISTOGRAM_BOUNDS_MAX + 1), -1);
	assert_int_equal(histogram_init(&h, too_many, HISTOGRAM_BOUNDS_MAX), 0);
	assert_int_equal(histogram_init(&h, bounds, 0), 0);
}

/* A value equal to a bound falls in that bound's bucket ("le"), a value
 * just above it in the next one. */
static void bucket_edges_are_inclusive(void **state)
{
	struct histogram h = { 0 };

	assert_int_equal(histogram_init(&h, bounds, 3), 0);
	histogram_observe(&h, 0);
	histogram_observe(&h, 0.001);
	histogram_observe(&h, nextafter(0.001, 1));
	histogram_observe(&h, 1);
	histogram_observe(&h, 1.5);
	histogram_observe(&h, -2);
	histogram_observe(&h, NAN);

	assert_int_equal(h.counts[0], 3);
	assert_int_equal(h.counts[1], 1);
	assert_int_equal(h.counts[2], 1);
	assert_int_equal(h.counts[3], 1);
	assert_int_equal(h.count, 6);
	assert_float_equal(h.sum, 0.001 + nextafter(0.001, 1) + 1 + 1.5 - 2, 1e-12);
}

static void text_has_cumulative_buckets(void **state)
{
	struct histogram h = { 0 };
	char *text;

	assert_int_equal(histogram_init(&h, bounds, 3), 0);
	histogram_observe(&h, 0.0005);
	histogram_observe(&h, 0.005);
	histogram_observe(&h, 0.005);
	histogram_observe(&h, 30);
	text = format(&h);
	assert_string_equal(text,
	                    "# HELP test_seconds Test help.\n"
	                    "# TYPE test_seconds histogram\n"
	                    "test_seconds_bucket{le=\"0.001\"} 1\n"
	                    "test_seconds_bucket{le=\"0.01\"} 3\n"
	                    "test_seconds_bucket{le=\"1\"} 3\n"
	                    "test_seconds_bucket{le=\"+Inf\"} 4\n"
	                    "test_seconds_sum 30.0105\n"
	                    "test_seconds_count 4\n");
	free(text);
}

static void empty_histogram_has_zero_lines(void **state)
{
	static const double small[] = { 0.0001, 0.0005, 0.25 };
	struct histogram h = { 0 };
	char *text;

	assert_int_equal(histogram_init(&h, small, 3), 0);
	text = format(&h);
	assert_non_null(strstr(text, "test_seconds_bucket{le=\"0.0001\"} 0\n"));
	assert_non_null(strstr(text, "test_seconds_bucket{le=\"0.0005\"} 0\n"));
	assert_non_null(strstr(text, "test_seconds_bucket{le=\"0.25\"} 0\n"));
	assert_non_null(strstr(text, "test_seconds_bucket{le=\"+Inf\"} 0\n"));
	assert_non_null(strstr(text, "test_seconds_sum 0\ntest_seconds_count 0\n"));
	free(text);
}

static void observe_since_counts_elapsed_seconds(void **state)
{
	struct histogram h = { 0 };
	struct timespec start;

	assert_int_equal(histogram_init(&h, bounds, 3), 0);
	clock_gettime(CLOCK_MONOTONIC, &start);
	start.tv_sec -= 2;
	histogram_observe_since(&h, &start);
	assert_int_equal(h.counts[3], 1);
	assert_true(h.sum >= 2 && h.sum < 3);
}

/* The first line of a second goes out, the next ones in that second are
 * held back and counted, and a flush resets the count. */
static void log_limit_holds_back_within_a_second(void **state)
{
	struct log_limit limit = { 0 };
	int allowed = 0;

	log_set_level(LOG_LEVEL_ERROR);
	for (int i = 0; i < 50; i++)
		allowed += log_limit_allow(&limit, "test lines");
	/* The loop may cross into the next second once. */
	assert_in_range(allowed, 1, 2);
	assert_int_equal(limit.held_back, 50 - (unsigned long)allowed);

	log_limit_flush(&limit, "test lines");
	assert_int_equal(limit.held_back, 0);
}

static void log_limit_allows_again_next_second(void **state)
{
	struct log_limit limit = { 0 };

	log_set_level(LOG_LEVEL_ERROR);
	assert_true(log_limit_allow(&limit, "test lines"));
	assert_true(limit.logged);

	/* As if that line went out a second ago, with three held back since. */
	limit.second = monotonic_second() - 1;
	limit.held_back = 3;
	assert_true(log_limit_allow(&limit, "test lines"));
	assert_int_equal(limit.held_back, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_rejects_bad_bounds),
		cmocka_unit_test(bucket_edges_are_inclusive),
		cmocka_unit_test(text_has_cumulative_buckets),
		cmocka_unit_test(empty_histogram_has_zero_lines),
		cmocka_unit_test(observe_since_counts_elapsed_seconds),
		cmocka_unit_test(log_limit_holds_back_within_a_second),
		cmocka_unit_test(log_limit_allows_again_next_second),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
