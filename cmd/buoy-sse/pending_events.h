/*
 * The events queued for one stream client in the current turn of the
 * event loop, held as references to the shared events.
 *
 * At the end of the turn they go to the socket in one sendmsg() straight
 * from the shared events, so a delivery costs one system call and no
 * allocation. What the socket does not take moves to the connection's
 * output buffer, and libevent sends it when the socket is writable.
 */
#ifndef BUOY_SSE_PENDING_EVENTS_H
#define BUOY_SSE_PENDING_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;
struct sse_event;

/* Events one client can hold per turn before they must be sent. A turn
 * reads at most 64 input lines, so a full queue is rare. */
#define PENDING_EVENTS_MAX 64

struct pending_events {
	struct sse_event *events[PENDING_EVENTS_MAX];
	size_t count;
	size_t bytes;
	bool chunked;           /* send the HTTP/1.1 chunk framing too */
};

static inline bool pending_events_full(const struct pending_events *queue)
{
	return queue->count == PENDING_EVENTS_MAX;
}

/* Adds a reference to event. The queue must not be full. */
void pending_events_push(struct pending_events *queue, struct sse_event *event);

/* Bytes event takes on this client's connection. */
size_t pending_events_size(const struct pending_events *queue, const struct sse_event *event);

/*
 * Sends the queue to fd when output is empty, then appends whatever was
 * not sent to output, and empties the queue. A failed send (EAGAIN, a
 * closed peer) moves everything to output, where libevent's next write
 * reports the error. Returns 0, or -1 when output could not take the
 * rest (out of memory); the unsent events are then released.
 */
int pending_events_send(struct pending_events *queue, int fd, struct evbuffer *output);

/* Appends the queue to output without writing to the socket. */
int pending_events_move(struct pending_events *queue, struct evbuffer *output);

/* Releases every queued event without sending it. */
void pending_events_clear(struct pending_events *queue);

#endif
