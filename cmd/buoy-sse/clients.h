/*
 * Stream clients: the list of open event streams, the broadcast of each
 * event to all of them, and the limits that keep one slow client from
 * holding memory or slowing the others.
 */
#ifndef BUOY_SSE_CLIENTS_H
#define BUOY_SSE_CLIENTS_H

#include <stdbool.h>

struct evhttp_request;
struct sse_event;
struct sse_server;
struct stream_request;

/* Seconds a stream's socket may hold unacknowledged or unsent bytes before
 * the connection is closed (TCP_USER_TIMEOUT and the write timeout). */
#define CLIENT_STALL_TIMEOUT_S 30

/*
 * Replies to request with the stream headers and the connection event,
 * replays the history after stream's Last-Event-ID, and adds the client to
 * those that receive every broadcast of the stations it asked for. The
 * caller has checked the method, the Accept header, the query, the
 * upstream and the client limit. Returns 0, or -1 when out of memory, and
 * then nothing was sent.
 *
 * A replay queues at most half of --max-client-buffer bytes, which leaves
 * the other half for live events while the client reads it. When the
 * events after the id need more, or the id is not in the history, a "gap"
 * event goes first and the newest events that fit follow.
 */
int clients_start_stream(struct sse_server *server, struct evhttp_request *request,
                         const struct stream_request *stream);

/*
 * Queues event on every client. A client whose unsent output would grow
 * past the --max-client-buffer limit is disconnected and counted instead.
 * An observation (observation true) is added to the history and skips the
 * clients whose station filter excludes it.
 *
 * The events queued in one turn of the event loop go to each client's
 * socket together at the end of the turn: in one writev when the client
 * has no earlier output waiting, otherwise behind that output.
 */
void clients_broadcast(struct sse_server *server, struct sse_event *event, bool observation);

/*
 * Ends every stream at shutdown: each reply gets its final chunk, and
 * server->closing_count counts the replies not yet flushed. Calls
 * event_base_loopexit when the last one is flushed.
 */
void clients_end_all(struct sse_server *server);

#endif
