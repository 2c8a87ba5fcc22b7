/*
 * The state of one buoy-sse process: its options, the event loop, the
 * HTTP server, the stream clients and the counters behind /health and
 * /metrics. Everything runs on one thread in one libevent loop.
 */
#ifndef BUOY_SSE_SERVER_H
#define BUOY_SSE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "history.h"
#include "listen_address.h"
#include "log_limit.h"
#include "metrics.h"
#include "request_deadline.h"

struct event;
struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct sse_client;
struct stdin_reader;

struct sse_options {
	struct listen_address listen;
	long max_clients;
	size_t max_client_buffer;   /* bytes of unsent output per client */
	long heartbeat_ms;          /* 0: no heartbeat comments */
	long request_timeout_ms;    /* from accept to the whole first request */
	long max_request_headers;   /* bytes of request line and headers */
	long max_request_body;      /* bytes of request body */
	size_t history_max;         /* observation events kept for resuming; 0: none */
	char *static_root;          /* real path of --static DIR; NULL: no static files */
};

/* Counters exported by /metrics; each only grows. */
struct sse_counters {
	unsigned long long input_lines;
	unsigned long long invalid_lines;
	unsigned long long observations_received;
	unsigned long long observation_events_sent;
	unsigned long long connection_events_sent;
	unsigned long long gap_events_sent;
	unsigned long long heartbeat_events_sent;
	unsigned long long clients_dropped_buffer_full;
	unsigned long long clients_dropped_write_error; /* closed with output unsent */
	unsigned long long clients_dropped_out_of_memory;
	unsigned long long clients_dropped_shutdown;
	unsigned long long clients_disconnected;
	unsigned long long streams_rejected_max_clients;
	unsigned long long streams_rejected_upstream_down;
};

struct sse_server {
	struct sse_options options;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *listener;
	struct event *stop_event;
	struct event *tick_event;
	struct event *heartbeat_event;
	struct event *shutdown_timer;
	struct stdin_reader *input;

	struct sse_client *clients;       /* doubly linked, newest first */
	size_t client_count;
	size_t closing_count;             /* streams ended at shutdown, not yet flushed */

	bool upstream_up;                 /* the last status line was "up" */
	bool input_open;                  /* stdin has not reached end of file */
	bool stopping;
	struct timespec started_at;       /* CLOCK_MONOTONIC */
	struct sse_counters counters;
	struct histogram connection_seconds; /* how long each stream lasted */
	struct histogram broadcast_seconds;  /* from stdin to every client's queue */
	struct request_deadlines deadlines;
	struct log_limit max_clients_log;    /* stream requests rejected, by reason */
	struct log_limit upstream_down_log;
	struct sse_history history;       /* recent observation events, for resuming */
};

/* Returns true when new stream requests are accepted: the last status line
 * was "up" (or none came yet) and stdin is still open. */
static inline bool server_upstream_available(const struct sse_server *server)
{
	return server->upstream_up && server->input_open;
}

/* Returns the seconds since start, from CLOCK_MONOTONIC. */
double server_uptime_seconds(const struct sse_server *server);

/* Serves until SIGINT or SIGTERM. Returns an exit status from sysexits.h:
 * 0 after a clean stop, EX_UNAVAILABLE when the address cannot be bound,
 * EX_OSERR or EX_SOFTWARE when the event loop cannot be set up. */
int server_run(const struct sse_options *options);

#endif
