#include "history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "stream_request.h"

/* Entries allocated at first, then doubled up to max_events. */
#define HISTORY_INITIAL_CAPACITY 64

void history_init(struct sse_history *history, size_t max_events)
{
	memset(history, 0, sizeof *history);
	history->max_events = max_events;
}

void history_free(struct sse_history *history)
{
	for (size_t i = 0; i < history->count; i++)
		sse_event_release(history->entries[(history->head + i) % history->capacity].event);
	free(history->entries);
	history_init(history, history->max_events);
}

bool history_read_event_id(const struct sse_event *event, char id[SSE_EVENT_ID_SIZE],
                           uint64_t *station)
{
	static const char id_field[] = "id: ";
	const char *text = event->bytes + event->body_offset;
	const char *end;
	const char *hyphen;
	size_t len;

	if (event->body_length < sizeof id_field ||
	    memcmp(text, id_field, sizeof id_field - 1) != 0)
		return false;
	text += sizeof id_field - 1;
	end = memchr(text, '\n', event->body_length - (sizeof id_field - 1));
	if (end == NULL || (size_t)(end - text) >= SSE_EVENT_ID_SIZE)
		return false;

	len = (size_t)(end - text);
	memcpy(id, text, len);
	id[len] = '\0';
	hyphen = strrchr(id, '-');
	*station = station_key(hyphen != NULL ? hyphen + 1 : "");
	return true;
}

/* Makes room for one more entry while the ring is not yet at max_events.
 * Until then no entry was evicted, so the entries start at index 0 and a
 * realloc keeps their order. Returns false when the array cannot grow. */
static bool grow(struct sse_history *history)
{
	size_t capacity = history->capacity == 0 ? HISTORY_INITIAL_CAPACITY
	                                         : history->capacity * 2;
	struct history_entry *entries;

	if (capacity > history->max_events)
		capacity = history->max_events;
	entries = reallocarray(history->entries, capacity, sizeof *entries);
	if (entries == NULL)
		return false;
	history->entries = entries;
	history->capacity = capacity;
	return true;
}

void history_add(struct sse_history *history, struct sse_event *event, const char *id,
                 uint64_t station)
{
	struct history_entry *slot;

	if (history->count == history->capacity && history->capacity < history->max_events &&
	    !grow(history)) {
		log_warning("cannot grow the event history past %zu events: out of memory; "
		            "it keeps that many from now on", history->capacity);
		history->max_events = history->capacity;
	}
	if (history->max_events == 0)
		return;

	if (history->count == history->capacity) {
		slot = &history->entries[history->head];
		sse_event_release(slot->event);
		history->head = (history->head + 1) % history->capacity;
	} else {
		slot = &history->entries[(history->head + history->count) % history->capacity];
		history->count++;
	}
	slot->event = event;
	slot->station = station;
	snprintf(slot->id, sizeof slot->id, "%s", id);
	event->refs++;
}

const struct history_entry *history_at(const struct sse_history *history, size_t index)
{
	return &history->entries[(history->head + index) % history->capacity];
}

/* NOTE: a search is a linear scan, about 0.3 ms over 100000 events on one
 * AMD EPYC core, so 10000 clients resuming at once at the --history
 * ceiling hold the event loop for seconds. */
bool history_find_after(const struct sse_history *history, const char *id, size_t *next)
{
	for (size_t i = 0; i < history->count; i++) {
		if (strcmp(history_at(history, i)->id, id) == 0) {
			*next = i + 1;
			return true;
		}
	}
	return false;
}
