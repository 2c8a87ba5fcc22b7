#include "sse_event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "timefmt.h"

void sse_event_id(const struct record_info *info, char out[SSE_EVENT_ID_SIZE])
{
	struct tm utc;
	size_t len = 0;

	if (gmtime_r(&info->observed_at, &utc) != NULL)
		len = strftime(out, SSE_EVENT_ID_SIZE, "%Y%m%dT%H%M%SZ", &utc);
	snprintf(out + len, SSE_EVENT_ID_SIZE - len, "-%s", info->station_id);
}

/* Allocates an event whose text is body_length bytes, with its chunk
 * framing already written around the space for the text. */
static struct sse_event *event_alloc(size_t body_length)
{
	char size_line[sizeof "ffffffffffffffff\r\n"];
	int size_len = snprintf(size_line, sizeof size_line, "%zx\r\n", body_length);
	struct sse_event *event;

	event = malloc(sizeof *event + (size_t)size_len + body_length + 2);
	if (event == NULL)
		return NULL;

	event->refs = 1;
	event->body_offset = (size_t)size_len;
	event->body_length = body_length;
	event->chunk_length = (size_t)size_len + body_length + 2;
	memcpy(event->bytes, size_line, (size_t)size_len);
	memcpy(event->bytes + event->chunk_length - 2, "\r\n", 2);
	return event;
}

static char *append(char *cursor, const char *text, size_t len)
{
	memcpy(cursor, text, len);
	return cursor + len;
}

struct sse_event *sse_event_new_observation(const char *line, size_t len,
                                            const struct record_info *info)
{
	static const char id_field[] = "id: ";
	static const char event_field[] = "\nevent: observation\ndata: ";
	static const char end[] = "\n\n";
	char id[SSE_EVENT_ID_SIZE];
	size_t id_len;
	struct sse_event *event;
	char *cursor;

	sse_event_id(info, id);
	id_len = strlen(id);
	event = event_alloc(sizeof id_field - 1 + id_len + sizeof event_field - 1 + len +
	                    sizeof end - 1);
	if (event == NULL)
		return NULL;

	cursor = event->bytes + event->body_offset;
	cursor = append(cursor, id_field, sizeof id_field - 1);
	cursor = append(cursor, id, id_len);
	cursor = append(cursor, event_field, sizeof event_field - 1);
	cursor = append(cursor, line, len);
	append(cursor, end, sizeof end - 1);
	return event;
}

struct sse_event *sse_event_new_heartbeat(void)
{
	static const char comment[] = ": keep-alive\n\n";
	struct sse_event *event = event_alloc(sizeof comment - 1);

	if (event != NULL)
		memcpy(event->bytes + event->body_offset, comment, sizeof comment - 1);
	return event;
}

void sse_event_release(struct sse_event *event)
{
	if (event != NULL && --event->refs == 0)
		free(event);
}

void sse_event_release_reference(const void *data, size_t length, void *extra)
{
	sse_event_release(extra);
}

int sse_event_format_connection(struct evbuffer *out, time_t now)
{
	char timestamp[TIMEFMT_ISO_SIZE];

	timefmt_iso8601(now, timestamp);
	return evbuffer_add_printf(out, "retry: %d\nevent: connection\n"
	                           "data: {\"status\":\"connected\",\"timestamp\":\"%s\"}\n\n",
	                           SSE_RETRY_MS, timestamp) < 0 ? -1 : 0;
}
