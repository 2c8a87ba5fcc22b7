#include "clients.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "log.h"
#include "server.h"
#include "sse_event.h"

/* Bytes a stream client may send before the server stops reading from it.
 * A client has nothing to send after its request, so this only caps what a
 * misbehaving one can make the server hold. */
#define CLIENT_INPUT_MAX 4096

struct sse_client {
	struct sse_client *prev;
	struct sse_client *next;
	struct sse_server *server;
	struct evhttp_request *request;
	struct evhttp_connection *connection;
	struct evbuffer *output;         /* the socket's output buffer */
	bool chunked;                    /* HTTP/1.1 chunked reply */
	struct timespec connected_at;    /* CLOCK_MONOTONIC */
	char address[INET6_ADDRSTRLEN + sizeof "[]:65535"];
};

static void format_peer(struct evhttp_connection *connection, char *out, size_t out_size)
{
	char *host = NULL;
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(connection, &host, &port);
	if (host == NULL)
		snprintf(out, out_size, "unknown");
	else if (strchr(host, ':') != NULL)
		snprintf(out, out_size, "[%s]:%u", host, (unsigned)port);
	else
		snprintf(out, out_size, "%s:%u", host, (unsigned)port);
}

/*
 * Unlinks client, logs its end and frees it. The request and connection
 * are not touched: their owner depends on who closed the stream.
 */
static void client_forget(struct sse_client *client, const char *reason)
{
	struct sse_server *server = client->server;
	struct timespec now;
	char duration[32];

	if (client->prev != NULL)
		client->prev->next = client->next;
	else
		server->clients = client->next;
	if (client->next != NULL)
		client->next->prev = client->prev;
	server->client_count--;
	server->counters.clients_disconnected++;

	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(duration, sizeof duration, "%.3f",
	         (double)(now.tv_sec - client->connected_at.tv_sec) +
	         (double)(now.tv_nsec - client->connected_at.tv_nsec) / 1e9);
	log_fields(LOG_LEVEL_INFO, "client disconnected", "address", client->address,
	           "duration_seconds", duration, "reason", reason, (const char *)NULL);
	free(client);
}

/* Runs when the client closed the connection, a read or write failed, or a
 * timeout fired. libevent has detached the request from the connection by
 * then, so the request is ours to free. */
static void on_client_closed(struct evhttp_connection *connection, void *arg)
{
	struct sse_client *client = arg;
	struct evhttp_request *request = client->request;

	client_forget(client, "connection closed by the client or the network");
	if (evhttp_request_get_connection(request) == NULL)
		evhttp_request_free(request);
}

/* Closes the connection from this side; freeing it frees the request. */
static void client_drop(struct sse_client *client, const char *reason)
{
	struct evhttp_connection *connection = client->connection;

	evhttp_connection_set_closecb(connection, NULL, NULL);
	client_forget(client, reason);
	evhttp_connection_free(connection);
}

/*
 * Sets the socket up for a long reply. It gets no read timeout, because a
 * stream client sends nothing after its request. A write timeout and
 * TCP_USER_TIMEOUT close a peer that stopped reading or vanished. Buffered
 * input is capped, and one write may send the whole output limit.
 */
static void configure_stream_socket(struct bufferevent *socket_buffer, size_t max_output)
{
	struct timeval stall = { .tv_sec = CLIENT_STALL_TIMEOUT_S };
	unsigned int user_timeout_ms = CLIENT_STALL_TIMEOUT_S * 1000;
	evutil_socket_t fd = bufferevent_getfd(socket_buffer);

	bufferevent_set_timeouts(socket_buffer, NULL, &stall);
	bufferevent_setwatermark(socket_buffer, EV_READ, 0, CLIENT_INPUT_MAX);
	/* By default libevent writes at most 16 KiB per turn, which is less
	 * than one turn of input can queue. */
	bufferevent_set_max_single_write(socket_buffer, max_output);
	if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms,
	                          sizeof user_timeout_ms) != 0)
		log_debug("cannot set TCP_USER_TIMEOUT on a stream socket: %s", strerror(errno));
}

static void add_stream_headers(struct evhttp_request *request)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(request);

	evhttp_add_header(headers, "Content-Type", "text/event-stream");
	evhttp_add_header(headers, "Cache-Control", "no-cache");
	evhttp_add_header(headers, "Connection", "keep-alive");
	evhttp_add_header(headers, "X-Accel-Buffering", "no");
}

static void link_client(struct sse_server *server, struct sse_client *client)
{
	client->next = server->clients;
	if (server->clients != NULL)
		server->clients->prev = client;
	server->clients = client;
	server->client_count++;
}

int clients_start_stream(struct sse_server *server, struct evhttp_request *request)
{
	struct sse_client *client = calloc(1, sizeof *client);
	struct evbuffer *first = evbuffer_new();
	struct bufferevent *socket_buffer;

	if (client == NULL || first == NULL || sse_event_format_connection(first, time(NULL)) != 0) {
		free(client);
		if (first != NULL)
			evbuffer_free(first);
		return -1;
	}

	client->server = server;
	client->request = request;
	client->connection = evhttp_request_get_connection(request);
	clock_gettime(CLOCK_MONOTONIC, &client->connected_at);
	format_peer(client->connection, client->address, sizeof client->address);

	add_stream_headers(request);
	evhttp_send_reply_start(request, HTTP_OK, NULL);
	client->chunked = evhttp_find_header(evhttp_request_get_output_headers(request),
	                                     "Transfer-Encoding") != NULL;
	evhttp_send_reply_chunk(request, first);
	evbuffer_free(first);

	socket_buffer = evhttp_connection_get_bufferevent(client->connection);
	client->output = bufferevent_get_output(socket_buffer);
	configure_stream_socket(socket_buffer, server->options.max_client_buffer);
	evhttp_connection_set_closecb(client->connection, on_client_closed, client);

	link_client(server, client);
	server->counters.connection_events_sent++;
	log_fields(LOG_LEVEL_INFO, "client connected", "address", client->address,
	           "path", evhttp_request_get_uri(request), (const char *)NULL);
	return 0;
}

/* Appends a reference to the shared event to one client's output. */
static int queue_event(struct sse_client *client, struct sse_event *event)
{
	const char *data = event->bytes;
	size_t length = event->chunk_length;

	if (!client->chunked) {
		data += event->body_offset;
		length = event->body_length;
	}
	if (evbuffer_add_reference(client->output, data, length,
	                           sse_event_release_reference, event) != 0)
		return -1;
	event->refs++;
	return 0;
}

void clients_broadcast(struct sse_server *server, struct sse_event *event, bool observation)
{
	struct sse_client *next;

	for (struct sse_client *client = server->clients; client != NULL; client = next) {
		next = client->next;

		if (evbuffer_get_length(client->output) + event->chunk_length >
		    server->options.max_client_buffer) {
			server->counters.clients_dropped_buffer_full++;
			client_drop(client, "unsent output over the --max-client-buffer limit");
			continue;
		}
		if (queue_event(client, event) != 0) {
			client_drop(client, "out of memory");
			continue;
		}
		if (observation)
			server->counters.observation_events_sent++;
	}
}

static void on_stream_flushed(struct evhttp_request *request, void *arg)
{
	struct sse_server *server = arg;

	if (server->closing_count > 0 && --server->closing_count == 0 && server->clients == NULL)
		event_base_loopexit(server->base, NULL);
}

void clients_end_all(struct sse_server *server)
{
	while (server->clients != NULL) {
		struct sse_client *client = server->clients;
		struct evhttp_request *request = client->request;

		evhttp_connection_set_closecb(client->connection, NULL, NULL);
		evhttp_request_set_on_complete_cb(request, on_stream_flushed, server);
		server->closing_count++;
		client_forget(client, "server shutting down");
		evhttp_send_reply_end(request);
	}
}
