/*
 * The parameters of a stream request: where to resume (the Last-Event-ID
 * header, or the lastEventId query parameter for clients that cannot set
 * headers) and which stations to send (?stations=44009,46042).
 *
 * A station id has at most 8 characters, so its upper-case form packed
 * into a uint64_t (zero padded) is a station key. Comparing keys is how the
 * broadcast checks a client's filter, once per client and event.
 */
#ifndef BUOY_SSE_STREAM_REQUEST_H
#define BUOY_SSE_STREAM_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "station_id.h"

/* Maximum stations in one ?stations= list. */
#define STREAM_STATIONS_MAX 100

/* Maximum bytes of a Last-Event-ID; buoy-sse's own ids have 25 at most. */
#define STREAM_LAST_EVENT_ID_MAX 128

/* A sorted set of station keys; count 0 means every station. */
struct station_filter {
	uint64_t keys[STREAM_STATIONS_MAX];
	size_t count;
};

struct stream_request {
	bool resume;                                   /* an id was given */
	char last_event_id[STREAM_LAST_EVENT_ID_MAX + 1];
	struct station_filter stations;
};

/* Packs a normalized station id (at most STATION_ID_MAX characters) into
 * its key. */
uint64_t station_key(const char *station_id);

/* Returns true when the sorted keys let the station through: count is 0
 * or keys contains key. */
bool station_keys_match(const uint64_t *keys, size_t count, uint64_t key);

/*
 * Parses a comma-separated station list into filter: each id
 * case-insensitive, duplicates merged. Returns false with a message in
 * error naming the bad id when an entry is not a station id, when the list
 * is empty or when it has more than STREAM_STATIONS_MAX ids.
 */
bool station_filter_parse(const char *list, struct station_filter *filter,
                          char *error, size_t error_size);

/*
 * Fills request from the URI's query string (NULL when there is none) and
 * the Last-Event-ID header (NULL when absent). The header wins over the
 * lastEventId parameter; an empty id means no resume. Unknown parameters
 * are ignored. Returns false with a message in error when the query is
 * malformed, the station list invalid or the id too long.
 */
bool stream_request_parse(const char *query, const char *last_event_id_header,
                          struct stream_request *request, char *error, size_t error_size);

#endif
