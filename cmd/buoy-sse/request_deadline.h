/*
 * A deadline for each request to arrive whole, headers and body: a client
 * that sends its headers a byte at a time (slowloris) is closed when the
 * deadline passes, however often each byte arrives. The first request on
 * a connection has it from the accept, a later one on a keep-alive
 * connection from its first byte. An idle keep-alive connection has only
 * libevent's read timeout.
 *
 * NOTE: libevent 2.1's evhttp_set_timeout only limits the time between two
 * reads, and 2.1.12 has no callback for a new connection
 * (evhttp_set_newreqcb is not in its http.h). So the socket's bufferevent
 * is created here, through evhttp_set_bevcb, and each connection whose
 * request is due has a record. The record holds a reference on the
 * bufferevent, which keeps it readable after libevent frees the
 * connection. Its callbacks are then NULL, whereas a live connection's
 * event callback argument is its evhttp_connection.
 */
#ifndef BUOY_SSE_REQUEST_DEADLINE_H
#define BUOY_SSE_REQUEST_DEADLINE_H

#include "log_limit.h"

struct evhttp;
struct evhttp_request;
struct pending_request;

struct request_deadlines {
	struct pending_request *pending;   /* doubly linked, newest first */
	long timeout_ms;
	unsigned long long timed_out;      /* connections closed at their deadline */
	struct log_limit log;
};

/* Gives every connection that http accepts from now on a deadline of
 * timeout_ms. deadlines must stay in place until request_deadlines_free. */
void request_deadlines_start(struct request_deadlines *deadlines, struct evhttp *http,
                             long timeout_ms);

/* Cancels the deadline of the connection that delivered request, and
 * watches it for the next request once the reply is sent. The request
 * handler calls this first. The search is linear in the connections whose
 * request is due. */
void request_deadlines_arrived(struct request_deadlines *deadlines,
                               struct evhttp_request *request);

/* Forgets the connections that libevent closed, and logs the count of
 * closes held back by the log limit. Call once a second. */
void request_deadlines_sweep(struct request_deadlines *deadlines);

/* Cancels every deadline. Call after evhttp_free and before
 * event_base_free. */
void request_deadlines_free(struct request_deadlines *deadlines);

#endif
