#include "pending_events.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <event2/buffer.h>

#include "sse_event.h"

/* Returns the bytes of event that this client's connection carries: the
 * whole chunk for HTTP/1.1, the event text alone for HTTP/1.0. */
static struct iovec event_bytes(const struct pending_events *queue,
                                const struct sse_event *event)
{
	struct iovec bytes = {
		.iov_base = (void *)event->bytes,
		.iov_len = event->chunk_length,
	};

	if (!queue->chunked) {
		bytes.iov_base = (char *)bytes.iov_base + event->body_offset;
		bytes.iov_len = event->body_length;
	}
	return bytes;
}

size_t pending_events_size(const struct pending_events *queue, const struct sse_event *event)
{
	return event_bytes(queue, event).iov_len;
}

void pending_events_push(struct pending_events *queue, struct sse_event *event)
{
	event->refs++;
	queue->events[queue->count++] = event;
	queue->bytes += pending_events_size(queue, event);
}

/* Sends every queued event with one sendmsg. Returns the bytes the socket
 * took, or 0 after any error. */
static size_t send_all(const struct pending_events *queue, int fd)
{
	struct iovec parts[PENDING_EVENTS_MAX];
	struct msghdr message = { .msg_iov = parts, .msg_iovlen = queue->count };
	ssize_t sent;

	for (size_t i = 0; i < queue->count; i++)
		parts[i] = event_bytes(queue, queue->events[i]);
	sent = sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
	return sent > 0 ? (size_t)sent : 0;
}

/*
 * Releases the events that the first `sent` bytes covered and hands the
 * rest to output, each with the reference the queue held. Returns -1 when
 * output could not take one. The events not handed over are released.
 */
static int keep_unsent(struct pending_events *queue, size_t sent, struct evbuffer *output)
{
	int status = 0;

	for (size_t i = 0; i < queue->count; i++) {
		struct sse_event *event = queue->events[i];
		struct iovec bytes = event_bytes(queue, event);

		if (sent >= bytes.iov_len) {
			sent -= bytes.iov_len;
			sse_event_release(event);
			continue;
		}
		if (status != 0 ||
		    evbuffer_add_reference(output, (char *)bytes.iov_base + sent,
		                           bytes.iov_len - sent, sse_event_release_reference,
		                           event) != 0) {
			status = -1;
			sse_event_release(event);
		}
		sent = 0;
	}

	queue->count = 0;
	queue->bytes = 0;
	return status;
}

int pending_events_send(struct pending_events *queue, int fd, struct evbuffer *output)
{
	size_t sent = 0;

	if (queue->count == 0)
		return 0;
	if (evbuffer_get_length(output) == 0)
		sent = send_all(queue, fd);
	return keep_unsent(queue, sent, output);
}

int pending_events_move(struct pending_events *queue, struct evbuffer *output)
{
	return keep_unsent(queue, 0, output);
}

void pending_events_clear(struct pending_events *queue)
{
	for (size_t i = 0; i < queue->count; i++)
		sse_event_release(queue->events[i]);
	queue->count = 0;
	queue->bytes = 0;
}
