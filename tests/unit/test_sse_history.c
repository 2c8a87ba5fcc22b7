/*
 * Unit tests for buoy-sse's event history (the ring behind Last-Event-ID
 * resumes) and the parsing of a stream request's query, Last-Event-ID and
 * station list. Those files live in cmd/buoy-sse/, outside libbuoy.a, so
 * this file compiles them in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../cmd/buoy-sse/history.c"
#include "../../cmd/buoy-sse/sse_event.c"
#include "../../cmd/buoy-sse/stream_request.c"

/* 2022-06-05T13:00:00Z */
#define FIRST_TIME 1654434000

/* Makes the observation event of station at FIRST_TIME plus minutes. */
static struct sse_event *make_event(const char *station, int minutes)
{
	static const char line[] = "{\"stationId\":\"x\"}";
	struct record_info info = { .observed_at = FIRST_TIME + minutes * 60 };
	struct sse_event *event;

	snprintf(info.station_id, sizeof info.station_id, "%s", station);
	event = sse_event_new_observation(line, sizeof line - 1, &info);
	assert_non_null(event);
	return event;
}

/* Adds the event to history as the broadcast does, keeping the caller's
 * reference. */
static void add_event(struct sse_history *history, struct sse_event *event)
{
	char id[SSE_EVENT_ID_SIZE];
	uint64_t station;

	assert_true(history_read_event_id(event, id, &station));
	history_add(history, event, id, station);
}

static void read_event_id_gives_id_and_station(void **state)
{
	struct sse_event *event = make_event("TPLM2", 10);
	char id[SSE_EVENT_ID_SIZE];
	uint64_t station = 0;

	assert_true(history_read_event_id(event, id, &station));
	assert_string_equal(id, "20220605T131000Z-TPLM2");
	assert_true(station == station_key("TPLM2"));
	sse_event_release(event);
}

static void history_evicts_oldest_when_full(void **state)
{
	struct sse_history history;
	struct sse_event *events[5];

	history_init(&history, 3);
	for (int i = 0; i < 5; i++) {
		events[i] = make_event("44013", i);
		add_event(&history, events[i]);
	}

	assert_int_equal(history.count, 3);
	assert_string_equal(history_at(&history, 0)->id, "20220605T130200Z-44013");
	assert_string_equal(history_at(&history, 2)->id, "20220605T130400Z-44013");
	/* The evicted events hold only the test's reference again. */
	assert_int_equal(events[0]->refs, 1);
	assert_int_equal(events[1]->refs, 1);
	assert_int_equal(events[4]->refs, 2);

	history_free(&history);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(events[i]->refs, 1);
		sse_event_release(events[i]);
	}
}

static void history_grows_then_keeps_order(void **state)
{
	struct sse_history history;
	char expected[64];

	history_init(&history, 100);
	for (int i = 0; i < 250; i++) {
		struct sse_event *event = make_event("44013", i);

		add_event(&history, event);
		sse_event_release(event);
	}

	assert_int_equal(history.count, 100);
	assert_int_equal(history.capacity, 100);
	for (size_t i = 0; i < history.count; i++) {
		int minutes = 150 + (int)i;

		snprintf(expected, sizeof expected, "20220605T%02d%02d00Z-44013",
		         13 + minutes / 60, minutes % 60);
		assert_string_equal(history_at(&history, i)->id, expected);
	}
	history_free(&history);
}

static void history_zero_keeps_nothing(void **state)
{
	struct sse_history history;
	struct sse_event *event = make_event("44013", 0);
	size_t next = 99;

	history_init(&history, 0);
	add_event(&history, event);
	assert_int_equal(history.count, 0);
	assert_int_equal(event->refs, 1);
	assert_false(history_find_after(&history, "20220605T130000Z-44013", &next));
	assert_int_equal(next, 99);

	history_free(&history);
	sse_event_release(event);
}

static void find_searches_from_oldest(void **state)
{
	/* The second 44013 event at minute 0 is a revision with the same id. */
	static const struct {
		const char *station;
		int minutes;
	} order[] = { { "44009", 0 }, { "44013", 0 }, { "44009", 10 }, { "44013", 0 },
	              { "46042", 20 } };
	struct sse_history history;
	size_t next = 0;

	history_init(&history, 10);
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		struct sse_event *event = make_event(order[i].station, order[i].minutes);

		add_event(&history, event);
		sse_event_release(event);
	}

	assert_true(history_find_after(&history, "20220605T130000Z-44013", &next));
	assert_int_equal(next, 2);
	assert_true(history_find_after(&history, "20220605T132000Z-46042", &next));
	assert_int_equal(next, 5);
	assert_true(history_find_after(&history, "20220605T130000Z-44009", &next));
	assert_int_equal(next, 1);
	assert_false(history_find_after(&history, "20220605T125000Z-44013", &next));
	assert_false(history_find_after(&history, "", &next));
	history_free(&history);
}

static void stations_parse_sorted_upper_case(void **state)
{
	struct station_filter filter;
	char error[256];

	assert_true(station_filter_parse("tplm2,44009,TPLM2,46042", &filter, error, sizeof error));
	assert_int_equal(filter.count, 3);
	for (size_t i = 1; i < filter.count; i++)
		assert_true(filter.keys[i - 1] < filter.keys[i]);
	assert_true(station_keys_match(filter.keys, filter.count, station_key("TPLM2")));
	assert_true(station_keys_match(filter.keys, filter.count, station_key("44009")));
	assert_true(station_keys_match(filter.keys, filter.count, station_key("46042")));
	assert_false(station_keys_match(filter.keys, filter.count, station_key("44013")));
	assert_false(station_keys_match(filter.keys, filter.count, station_key("4400")));
	assert_false(station_keys_match(filter.keys, filter.count, station_key("440091")));
	assert_true(station_keys_match(NULL, 0, station_key("44013")));
}

static void stations_reject_bad_lists(void **state)
{
	static const struct {
		const char *list;
		const char *message;
	} cases[] = {
		{ "44009,bad!", "invalid station id 'bad!' in stations" },
		{ "", "invalid station id '' in stations" },
		{ "44009,", "invalid station id '' in stations" },
		{ ",44009", "invalid station id '' in stations" },
		{ "44009,123456789", "invalid station id '123456789' in stations" },
		{ "44009, 46042", "invalid station id ' 46042' in stations" },
	};
	struct station_filter filter;
	char error[256];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (station_filter_parse(cases[i].list, &filter, error, sizeof error))
			fail_msg("stations '%s' was accepted", cases[i].list);
		if (strncmp(error, cases[i].message, strlen(cases[i].message)) != 0)
			fail_msg("stations '%s' gave '%s'", cases[i].list, error);
	}
}

static void stations_allow_at_most_the_maximum(void **state)
{
	char list[STREAM_STATIONS_MAX * 8 + 16] = "";
	size_t used = 0;
	struct station_filter filter;
	char error[256];

	for (int i = 0; i < STREAM_STATIONS_MAX; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%sS%d", i ? "," : "", i);
	assert_true(station_filter_parse(list, &filter, error, sizeof error));
	assert_int_equal(filter.count, STREAM_STATIONS_MAX);

	snprintf(list + used, sizeof list - used, ",S%d", STREAM_STATIONS_MAX);
	assert_false(station_filter_parse(list, &filter, error, sizeof error));
	assert_string_equal(error, "too many station ids in stations: at most 100");
}

static void request_header_wins_over_query(void **state)
{
	struct stream_request request;
	char error[256];

	assert_true(stream_request_parse("lastEventId=from-query", "from-header", &request,
	                                 error, sizeof error));
	assert_true(request.resume);
	assert_string_equal(request.last_event_id, "from-header");

	assert_true(stream_request_parse("lastEventId=20220605T130000Z-44013", NULL, &request,
	                                 error, sizeof error));
	assert_true(request.resume);
	assert_string_equal(request.last_event_id, "20220605T130000Z-44013");

	assert_true(stream_request_parse("lastEventId=from-query", "", &request,
	                                 error, sizeof error));
	assert_string_equal(request.last_event_id, "from-query");
}

static void request_without_parameters(void **state)
{
	struct stream_request request;
	char error[256];

	assert_true(stream_request_parse(NULL, NULL, &request, error, sizeof error));
	assert_false(request.resume);
	assert_int_equal(request.stations.count, 0);

	assert_true(stream_request_parse("", NULL, &request, error, sizeof error));
	assert_false(request.resume);

	assert_true(stream_request_parse("lastEventId=", NULL, &request, error, sizeof error));
	assert_false(request.resume);
}

static void request_decodes_and_ignores_unknown(void **state)
{
	struct stream_request request;
	char error[256];

	assert_true(stream_request_parse("cache=123&stations=44009%2Ctplm2&lastEventId=a%20b",
	                                 NULL, &request, error, sizeof error));
	assert_int_equal(request.stations.count, 2);
	assert_true(station_keys_match(request.stations.keys, request.stations.count,
	                               station_key("TPLM2")));
	assert_string_equal(request.last_event_id, "a b");
}

static void request_rejects_bad_input(void **state)
{
	char long_id[STREAM_LAST_EVENT_ID_MAX + 2];
	struct stream_request request;
	char error[256];

	assert_false(stream_request_parse("stations=44009,x-y", NULL, &request,
	                                  error, sizeof error));
	assert_non_null(strstr(error, "'x-y'"));

	assert_false(stream_request_parse("stations", NULL, &request, error, sizeof error));
	assert_non_null(strstr(error, "malformed query string"));

	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	assert_false(stream_request_parse(NULL, long_id, &request, error, sizeof error));
	assert_string_equal(error, "the Last-Event-ID header is longer than 128 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_event_id_gives_id_and_station),
		cmocka_unit_test(history_evicts_oldest_when_full),
		cmocka_unit_test(history_grows_then_keeps_order),
		cmocka_unit_test(history_zero_keeps_nothing),
		cmocka_unit_test(find_searches_from_oldest),
		cmocka_unit_test(stations_parse_sorted_upper_case),
		cmocka_unit_test(stations_reject_bad_lists),
		cmocka_unit_test(stations_allow_at_most_the_maximum),
		cmocka_unit_test(request_header_wins_over_query),
		cmocka_unit_test(request_without_parameters),
		cmocka_unit_test(request_decodes_and_ignores_unknown),
		cmocka_unit_test(request_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
