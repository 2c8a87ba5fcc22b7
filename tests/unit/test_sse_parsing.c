/*
 * Unit tests for buoy-sse's parsers and formats: the Accept header, the
 * listen address, the event id and the framing of a shared event. Those
 * files live in cmd/buoy-sse/, outside libbuoy.a, so this file compiles
 * them in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../cmd/buoy-sse/accept_header.c"
#include "../../cmd/buoy-sse/listen_address.c"
#include "../../cmd/buoy-sse/sse_event.c"

static void accept_allows_matching_ranges(void **state)
{
	static const char *const allowed[] = {
		"text/event-stream",
		"TEXT/Event-Stream",
		"text/*",
		"*/*",
		"application/json, text/event-stream",
		"application/json;q=0.9, */*;q=0.1",
		" text/event-stream ; q=1 ",
		"text/event-stream;q=0.001",
		"",
		"   ",
	};

	assert_true(accept_allows_event_stream(NULL));
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (!accept_allows_event_stream(allowed[i]))
			fail_msg("Accept '%s' was rejected", allowed[i]);
}

static void accept_rejects_other_ranges(void **state)
{
	static const char *const rejected[] = {
		"application/json",
		"text/html, application/xhtml+xml",
		"text/event-stream;q=0",
		"text/event-stream; q=0.000, application/json",
		"*/*;q=0",
		"text/event-streams",
		"text/event",
		"image/*",
	};

	for (size_t i = 0; i < sizeof rejected / sizeof rejected[0]; i++)
		if (accept_allows_event_stream(rejected[i]))
			fail_msg("Accept '%s' was allowed", rejected[i]);
}

static void listen_parses_three_forms(void **state)
{
	struct listen_address address;
	char error[256];

	assert_true(listen_address_parse("127.0.0.1:8080", &address, error, sizeof error));
	assert_string_equal(address.host, "127.0.0.1");
	assert_string_equal(address.port, "8080");

	assert_true(listen_address_parse("[::1]:9000", &address, error, sizeof error));
	assert_string_equal(address.host, "::1");
	assert_string_equal(address.port, "9000");

	assert_true(listen_address_parse(":80", &address, error, sizeof error));
	assert_string_equal(address.host, "");
	assert_string_equal(address.port, "80");

	assert_true(listen_address_parse("localhost:65535", &address, error, sizeof error));
	assert_string_equal(address.host, "localhost");
}

static void listen_rejects_bad_addresses(void **state)
{
	static const char *const bad[] = {
		"", "localhost", "8080", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:80x", "127.0.0.1:-1", "::1:8080", "[::1]", "[::1]8080", "[::1:8080",
	};
	struct listen_address address;
	char error[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		error[0] = '\0';
		if (listen_address_parse(bad[i], &address, error, sizeof error))
			fail_msg("listen address '%s' was accepted", bad[i]);
		assert_non_null(strstr(error, "invalid listen address"));
	}
}

static void event_id_is_time_and_station(void **state)
{
	struct record_info info = { .station_id = "44013", .observed_at = 1654434000 };
	char id[SSE_EVENT_ID_SIZE];

	sse_event_id(&info, id);
	assert_string_equal(id, "20220605T130000Z-44013");

	memcpy(info.station_id, "ABCDEFGH", sizeof "ABCDEFGH");
	info.observed_at = 0;
	sse_event_id(&info, id);
	assert_string_equal(id, "19700101T000000Z-ABCDEFGH");
}

static void observation_event_is_framed_as_chunk(void **state)
{
	static const char line[] = "{\"stationId\":\"TPLM2\"}";
	static const char text[] = "id: 20220605T130000Z-TPLM2\nevent: observation\n"
	                           "data: {\"stationId\":\"TPLM2\"}\n\n";
	struct record_info info = { .station_id = "TPLM2", .observed_at = 1654434000 };
	struct sse_event *event = sse_event_new_observation(line, sizeof line - 1, &info);
	char size_line[16];

	assert_non_null(event);
	snprintf(size_line, sizeof size_line, "%zx\r\n", sizeof text - 1);
	assert_int_equal(event->body_offset, strlen(size_line));
	assert_memory_equal(event->bytes, size_line, strlen(size_line));
	assert_int_equal(event->body_length, sizeof text - 1);
	assert_memory_equal(event->bytes + event->body_offset, text, sizeof text - 1);
	assert_int_equal(event->chunk_length, strlen(size_line) + sizeof text - 1 + 2);
	assert_memory_equal(event->bytes + event->chunk_length - 2, "\r\n", 2);
	assert_int_equal(event->refs, 1);
	sse_event_release(event);
}

static void connection_event_has_retry_and_time(void **state)
{
	static const char expected[] = "retry: 2000\nevent: connection\n"
	                               "data: {\"status\":\"connected\","
	                               "\"timestamp\":\"2022-06-05T13:00:00Z\"}\n\n";
	struct evbuffer *out = evbuffer_new();
	size_t len;

	assert_non_null(out);
	assert_int_equal(sse_event_format_connection(out, 1654434000), 0);
	len = evbuffer_get_length(out);
	assert_int_equal(len, sizeof expected - 1);
	assert_memory_equal(evbuffer_pullup(out, -1), expected, len);
	evbuffer_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accept_allows_matching_ranges),
		cmocka_unit_test(accept_rejects_other_ranges),
		cmocka_unit_test(listen_parses_three_forms),
		cmocka_unit_test(listen_rejects_bad_addresses),
		cmocka_unit_test(event_id_is_time_and_station),
		cmocka_unit_test(observation_event_is_framed_as_chunk),
		cmocka_unit_test(connection_event_has_retry_and_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
