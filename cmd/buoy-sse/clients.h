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

/* Seconds a stream's socket may hold unacknowledged or unsent bytes before
 * the connection is closed (TCP_USER_TIMEOUT and the write timeout). */
#define CLIENT_STALL_TIMEOUT_S 30

/*
 * Replies to request with the stream headers and the connection event, and
 * adds it to the clients that receive every broadcast. The caller has
 * checked the method, the Accept header, the upstream and the client limit.
 * Returns 0, or -1 when out of memory, and then nothing was sent.
 */
int clients_start_stream(struct sse_server *server, struct evhttp_request *request);

/*
 * Queues event on every client. A client whose unsent output would grow
 * past the --max-client-buffer limit is disconnected and counted instead.
 * observation selects the counter of sent events to increase.
 */
void clients_broadcast(struct sse_server *server, struct sse_event *event, bool observation);

/*
 * Ends every stream at shutdown: each reply gets its final chunk, and
 * server->closing_count counts the replies not yet flushed. Calls
 * event_base_loopexit when the last one is flushed.
 */
void clients_end_all(struct sse_server *server);

#endif
