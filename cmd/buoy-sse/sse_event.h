/*
 * Server-Sent Events as bytes on the wire.
 *
 * An observation event is formatted once and shared by reference between
 * the clients' pending queues and output buffers, so a broadcast costs no
 * copy of the event per client. The block
 * contains the event already framed as an HTTP/1.1 chunk: "<hex size>\r\n",
 * the event, "\r\n". Clients whose reply is not chunked (HTTP/1.0)
 * reference only the event in the middle.
 */
#ifndef BUOY_SSE_SSE_EVENT_H
#define BUOY_SSE_SSE_EVENT_H

#include <stddef.h>
#include <time.h>

#include "record.h"

struct evbuffer;

/* The stream's "retry" field: milliseconds an EventSource client waits
 * before it reconnects. */
#define SSE_RETRY_MS 2000

/* "YYYYMMDDTHHMMSSZ-" plus the longest station id and its NUL. */
#define SSE_EVENT_ID_SIZE (sizeof "YYYYMMDDTHHMMSSZ-" + STATION_ID_MAX)

struct sse_event {
	unsigned long refs;     /* the broadcaster's own plus one per buffer */
	size_t body_offset;     /* where the event text starts, after the size line */
	size_t body_length;
	size_t chunk_length;    /* size line, event text and the closing CRLF */
	char bytes[];
};

/* Writes the event id of an observation, "20220605T130000Z-44013": its
 * time in UTC and its station. Every buoy-sse instance derives the same id
 * for the same observation, so a client can switch instances and still
 * recognise events it has seen. */
void sse_event_id(const struct record_info *info, char out[SSE_EVENT_ID_SIZE]);

/* Formats "id: ...\nevent: observation\ndata: <line>\n\n" with one
 * reference held by the caller. Returns NULL when out of memory. */
struct sse_event *sse_event_new_observation(const char *line, size_t len,
                                            const struct record_info *info);

/* Formats the comment ": keep-alive\n\n", which EventSource clients ignore
 * and which keeps proxies from closing an idle stream. */
struct sse_event *sse_event_new_heartbeat(void);

/* Drops one reference; the last one frees the event. */
void sse_event_release(struct sse_event *event);

/* The cleanup callback for evbuffer_add_reference: extra is the event. */
void sse_event_release_reference(const void *data, size_t length, void *extra);

/* Appends the first bytes of a stream to out: the retry interval and the
 * connection event stamped with now. Returns 0, or -1 when out of memory. */
int sse_event_format_connection(struct evbuffer *out, time_t now);

#endif
