/*
 * The recent observation events, kept so that a client which reconnects
 * with the id of the last event it got receives the events it missed.
 *
 * The history is a ring of at most max_events entries in the order read.
 * A new entry on a full ring evicts the oldest. Each entry
 * holds a reference to the event already formatted for the broadcast, so
 * the history costs no copy, and its memory is bounded by max_events times
 * the size of an event (each line is at most RECORD_LINE_MAX bytes). The
 * ring's array grows as events arrive, up to max_events entries.
 */
#ifndef BUOY_SSE_HISTORY_H
#define BUOY_SSE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sse_event.h"

struct history_entry {
	struct sse_event *event;            /* one reference held by the history */
	uint64_t station;                   /* station_key() of the event's station */
	char id[SSE_EVENT_ID_SIZE];
};

struct sse_history {
	struct history_entry *entries;
	size_t capacity;                    /* entries allocated, at most max_events */
	size_t max_events;
	size_t head;                        /* index of the oldest entry */
	size_t count;
};

/* Sets up an empty history for max_events events; 0 keeps none. */
void history_init(struct sse_history *history, size_t max_events);

/* Releases every event and the array. */
void history_free(struct sse_history *history);

/*
 * Reads the id and the station of an observation event back from its
 * text, which sse_event_new_observation wrote. Returns false when the text
 * does not start with an id field.
 */
bool history_read_event_id(const struct sse_event *event, char id[SSE_EVENT_ID_SIZE],
                           uint64_t *station);

/*
 * Appends an observation event with its id and station, evicting the
 * oldest entry when the history is full, and takes a reference to the
 * event. Does nothing when the history keeps no events. When the array
 * cannot grow, the history logs a warning and keeps the size it has.
 */
void history_add(struct sse_history *history, struct sse_event *event, const char *id,
                 uint64_t station);

/* Returns the entry at position index, 0 being the oldest. */
const struct history_entry *history_at(const struct sse_history *history, size_t index);

/*
 * Searches from the oldest entry for id and sets *next to the position
 * after the first match. NDBC may publish a revised observation again
 * under the same id, so a later copy may follow: replaying from the first
 * match may repeat an event but never skips one. Returns false when no
 * entry has id.
 */
bool history_find_after(const struct sse_history *history, const char *id, size_t *next);

#endif
