#include "stream_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

uint64_t station_key(const char *station_id)
{
	uint64_t key = 0;

	memcpy(&key, station_id, strnlen(station_id, STATION_ID_MAX));
	return key;
}

bool station_keys_match(const uint64_t *keys, size_t count, uint64_t key)
{
	size_t low = 0;
	size_t high = count;

	if (count == 0)
		return true;
	while (low < high) {
		size_t middle = low + (high - low) / 2;

		if (keys[middle] == key)
			return true;
		if (keys[middle] < key)
			low = middle + 1;
		else
			high = middle;
	}
	return false;
}

static int compare_keys(const void *a, const void *b)
{
	uint64_t left = *(const uint64_t *)a;
	uint64_t right = *(const uint64_t *)b;

	return (left > right) - (left < right);
}

/* Sorts the keys and removes duplicates. */
static void sort_unique(struct station_filter *filter)
{
	size_t unique_count = 0;

	qsort(filter->keys, filter->count, sizeof filter->keys[0], compare_keys);
	for (size_t i = 0; i < filter->count; i++)
		if (unique_count == 0 || filter->keys[unique_count - 1] != filter->keys[i])
			filter->keys[unique_count++] = filter->keys[i];
	filter->count = unique_count;
}

bool station_filter_parse(const char *list, struct station_filter *filter,
                          char *error, size_t error_size)
{
	const char *start = list;
	char id[STATION_ID_MAX + 1];

	filter->count = 0;
	for (;;) {
		size_t len = strcspn(start, ",");

		if (!station_id_normalize(start, len, id)) {
			snprintf(error, error_size, "invalid station id '%.*s' in stations: expected "
			         "1 to %d letters and digits, separated by commas",
			         len > 32 ? 32 : (int)len, start, STATION_ID_MAX);
			return false;
		}
		if (filter->count == STREAM_STATIONS_MAX) {
			snprintf(error, error_size, "too many station ids in stations: at most %d",
			         STREAM_STATIONS_MAX);
			return false;
		}
		filter->keys[filter->count++] = station_key(id);

		if (start[len] == '\0')
			break;
		start += len + 1;
	}
	sort_unique(filter);
	return true;
}

/* Copies id into request unless it is empty; the header comes first, so a
 * second call with the query parameter does nothing. */
static bool set_last_event_id(struct stream_request *request, const char *id,
                              const char *source, char *error, size_t error_size)
{
	size_t len = strlen(id);

	if (request->resume || len == 0)
		return true;
	if (len > STREAM_LAST_EVENT_ID_MAX) {
		snprintf(error, error_size, "%s is longer than %d bytes", source,
		         STREAM_LAST_EVENT_ID_MAX);
		return false;
	}
	memcpy(request->last_event_id, id, len + 1);
	request->resume = true;
	return true;
}

static bool apply_query(struct evkeyvalq *params, struct stream_request *request,
                        char *error, size_t error_size)
{
	const char *stations = evhttp_find_header(params, "stations");
	const char *last_event_id = evhttp_find_header(params, "lastEventId");

	if (stations != NULL && !station_filter_parse(stations, &request->stations,
	                                              error, error_size))
		return false;
	if (last_event_id != NULL)
		return set_last_event_id(request, last_event_id, "the lastEventId parameter",
		                         error, error_size);
	return true;
}

bool stream_request_parse(const char *query, const char *last_event_id_header,
                          struct stream_request *request, char *error, size_t error_size)
{
	struct evkeyvalq params;
	bool ok;

	memset(request, 0, sizeof *request);
	if (last_event_id_header != NULL &&
	    !set_last_event_id(request, last_event_id_header, "the Last-Event-ID header",
	                       error, error_size))
		return false;
	if (query == NULL)
		return true;

	if (evhttp_parse_query_str(query, &params) != 0) {
		evhttp_clear_headers(&params);
		snprintf(error, error_size, "malformed query string: expected name=value pairs "
		         "separated by '&'");
		return false;
	}
	ok = apply_query(&params, request, error, error_size);
	evhttp_clear_headers(&params);
	return ok;
}
