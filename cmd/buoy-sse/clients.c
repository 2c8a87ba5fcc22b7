#include "clients.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jv.h>

#include "history.h"
#include "log.h"
#include "peer_address.h"
#include "pending_events.h"
#include "server.h"
#include "sse_event.h"
#include "stream_request.h"

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
	evutil_socket_t fd;
	struct timespec connected_at;    /* CLOCK_MONOTONIC */
	uint64_t *station_keys;          /* sorted; NULL when every station is sent */
	size_t station_count;
	char address[PEER_ADDRESS_MAX];
	struct pending_events pending;   /* queued this turn, not yet sent */
};

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
	histogram_observe_since(&server->connection_seconds, &client->connected_at);

	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(duration, sizeof duration, "%.3f",
	         (double)(now.tv_sec - client->connected_at.tv_sec) +
	         (double)(now.tv_nsec - client->connected_at.tv_nsec) / 1e9);
	log_fields(LOG_LEVEL_INFO, "client disconnected", "address", client->address,
	           "duration_seconds", duration, "reason", reason, (const char *)NULL);
	pending_events_clear(&client->pending);
	free(client->station_keys);
	free(client);
}

/* Runs when the client closed the connection, a read or write failed, or a
 * timeout fired. libevent has detached the request from the connection by
 * then, so the request is ours to free. */
static void on_client_closed(struct evhttp_connection *connection, void *arg)
{
	struct sse_client *client = arg;
	struct evhttp_request *request = client->request;

	if (evbuffer_get_length(client->output) + client->pending.bytes > 0)
		client->server->counters.clients_dropped_write_error++;
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
/* Discards what a stream client sends after its request. evhttp keeps
 * reading a streaming connection only to see it close, and without this a
 * client that sent CLIENT_INPUT_MAX bytes would fill the input up to the
 * read watermark, reading would stop, and its close would go unseen. */
static void discard_client_input(struct evbuffer *input, const struct evbuffer_cb_info *info,
                                 void *arg)
{
	(void)arg;
	if (info->n_added > 0)
		evbuffer_drain(input, evbuffer_get_length(input));
}

static void configure_stream_socket(struct bufferevent *socket_buffer, size_t max_output)
{
	struct timeval stall = { .tv_sec = CLIENT_STALL_TIMEOUT_S };
	unsigned int user_timeout_ms = CLIENT_STALL_TIMEOUT_S * 1000;
	evutil_socket_t fd = bufferevent_getfd(socket_buffer);

	bufferevent_set_timeouts(socket_buffer, NULL, &stall);
	bufferevent_setwatermark(socket_buffer, EV_READ, 0, CLIENT_INPUT_MAX);
	evbuffer_drain(bufferevent_get_input(socket_buffer),
	               evbuffer_get_length(bufferevent_get_input(socket_buffer)));
	evbuffer_add_cb(bufferevent_get_input(socket_buffer), discard_client_input, NULL);
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

/*
 * Sends the client's pending events behind its queued output. When no
 * output is queued, they go straight to the socket, which saves the two
 * epoll_ctl calls and the wait that libevent spends on each write.
 * libevent sends what is left, applies the write timeout and reports a
 * write error to on_client_closed.
 */
static int flush_client(struct sse_client *client)
{
	return pending_events_send(&client->pending, client->fd, client->output);
}

/* True while on_flush is scheduled. One static flag is enough because a
 * process runs one server. */
static bool flush_scheduled;

/* Flushes every client with pending bytes. It runs once after the
 * callbacks that queued them, so each client gets one write per turn of the
 * event loop, however many events the turn broadcast. */
static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct sse_server *server = arg;

	struct sse_client *next;

	flush_scheduled = false;
	for (struct sse_client *client = server->clients; client != NULL; client = next) {
		next = client->next;
		if (client->pending.count > 0 && flush_client(client) != 0) {
			server->counters.clients_dropped_out_of_memory++;
			client_drop(client, "out of memory");
		}
	}
}

/* Queues a reference to the shared event to one client and makes sure a
 * flush follows in this turn of the event loop. A full queue is flushed
 * first. Returns -1 when out of memory. */
static int queue_event(struct sse_client *client, struct sse_event *event)
{
	struct sse_server *server = client->server;

	if (pending_events_full(&client->pending) && flush_client(client) != 0)
		return -1;
	pending_events_push(&client->pending, event);

	/* With a NULL timeout, event_base_once makes the callback active at
	 * once, so the loop runs it in this turn after the callbacks already
	 * active, without another epoll_wait. */
	if (!flush_scheduled) {
		if (event_base_once(server->base, -1, EV_TIMEOUT, on_flush, server, NULL) == 0)
			flush_scheduled = true;
		else
			return flush_client(client);
	}
	return 0;
}

/* Copies the stream's station filter into client. Returns -1 when out of
 * memory. */
static int copy_filter(struct sse_client *client, const struct stream_request *stream)
{
	size_t count = stream->stations.count;

	if (count == 0)
		return 0;
	client->station_keys = calloc(count, sizeof client->station_keys[0]);
	if (client->station_keys == NULL)
		return -1;
	memcpy(client->station_keys, stream->stations.keys, count * sizeof client->station_keys[0]);
	client->station_count = count;
	return 0;
}

/* The history events a new client receives before the live ones. */
struct replay {
	size_t first;       /* history position of the oldest event replayed */
	size_t events;      /* events that pass the client's filter */
	bool gap;           /* the client gets a gap event first */
};

/*
 * Finds the events after the client's Last-Event-ID, or all of them when
 * the id is not in the history, and keeps the newest ones that fit in half
 * of --max-client-buffer. Events may be missing, and a gap event is due,
 * when the id was not found or not every event fitted.
 */
static void plan_replay(const struct sse_server *server, const struct sse_client *client,
                        const struct stream_request *stream, struct replay *replay)
{
	const struct sse_history *history = &server->history;
	size_t budget = server->options.max_client_buffer / 2;
	size_t bytes = 0;

	replay->first = history->count;
	replay->events = 0;
	replay->gap = false;
	if (!stream->resume)
		return;
	if (!history_find_after(history, stream->last_event_id, &replay->first)) {
		replay->first = 0;
		replay->gap = true;
	}

	for (size_t i = history->count; i > replay->first; i--) {
		const struct history_entry *entry = history_at(history, i - 1);

		if (!station_keys_match(client->station_keys, client->station_count, entry->station))
			continue;
		bytes += entry->event->chunk_length;
		if (bytes > budget) {
			replay->first = i;
			replay->gap = true;
			break;
		}
		replay->events++;
	}
}

/* Returns the id of the oldest event the replay sends to a client with
 * stream's filter, or NULL when it sends none. */
static const char *oldest_replayed_id(const struct sse_history *history,
                                      const struct stream_request *stream,
                                      const struct replay *replay)
{
	for (size_t i = replay->first; i < history->count; i++) {
		const struct history_entry *entry = history_at(history, i);

		if (station_keys_match(stream->stations.keys, stream->stations.count, entry->station))
			return entry->id;
	}
	return NULL;
}

/*
 * Appends the gap event: the id the client gave, the oldest id of the
 * replay that follows (null when nothing is replayed) and what to do. jv
 * escapes the client's id. Returns 0, or -1 when out of memory.
 */
static int format_gap(struct evbuffer *out, const struct sse_history *history,
                      const struct stream_request *stream, const struct replay *replay)
{
	const char *oldest = oldest_replayed_id(history, stream, replay);
	jv object = jv_object();
	jv text;
	int status;

	object = jv_object_set(object, jv_string("lastEventId"),
	                       jv_string(stream->last_event_id));
	object = jv_object_set(object, jv_string("oldestId"),
	                       oldest != NULL ? jv_string(oldest) : jv_null());
	object = jv_object_set(object, jv_string("message"),
	                       jv_string("events after lastEventId may be missing: fetch them "
	                                 "from the database, then follow this stream"));
	text = jv_dump_string(object, 0);
	status = evbuffer_add_printf(out, "event: gap\ndata: %s\n\n", jv_string_value(text));
	jv_free(text);
	return status < 0 ? -1 : 0;
}

/* Queues the planned history events that pass the client's filter.
 * Returns -1 when out of memory. */
static int send_replay(struct sse_client *client, const struct replay *replay)
{
	struct sse_server *server = client->server;
	const struct sse_history *history = &server->history;

	for (size_t i = replay->first; i < history->count; i++) {
		const struct history_entry *entry = history_at(history, i);

		if (!station_keys_match(client->station_keys, client->station_count, entry->station))
			continue;
		if (queue_event(client, entry->event) != 0)
			return -1;
		server->counters.observation_events_sent++;
	}
	return 0;
}

/* Logs the new client with its station filter and how it resumed. */
static void log_connected(const struct sse_client *client, struct evhttp_request *request,
                          const struct stream_request *stream, const struct replay *replay)
{
	char stations[STREAM_STATIONS_MAX * (STATION_ID_MAX + 1) + 1] = "all";
	size_t used = 0;
	char replayed[32];
	const char *resume = "no";

	for (size_t i = 0; i < client->station_count; i++) {
		char id[STATION_ID_MAX + 1] = { 0 };

		memcpy(id, &client->station_keys[i], STATION_ID_MAX);
		used += (size_t)snprintf(stations + used, sizeof stations - used, "%s%s",
		                         i > 0 ? "," : "", id);
	}
	snprintf(replayed, sizeof replayed, "%zu", replay->events);
	if (stream->resume)
		resume = replay->gap ? "gap" : "from history";

	log_fields(LOG_LEVEL_INFO, "client connected", "address", client->address,
	           "path", evhttp_request_get_uri(request), "stations", stations,
	           "resume", resume, "replayed_events", replayed, (const char *)NULL);
}

int clients_start_stream(struct sse_server *server, struct evhttp_request *request,
                         const struct stream_request *stream)
{
	struct sse_client *client = calloc(1, sizeof *client);
	struct evbuffer *first = evbuffer_new();
	struct bufferevent *socket_buffer;
	struct replay replay;

	if (client == NULL || first == NULL)
		goto out_of_memory;
	client->server = server;
	if (copy_filter(client, stream) != 0 || sse_event_format_connection(first, time(NULL)) != 0)
		goto out_of_memory;
	plan_replay(server, client, stream, &replay);
	if (replay.gap && format_gap(first, &server->history, stream, &replay) != 0)
		goto out_of_memory;

	client->request = request;
	client->connection = evhttp_request_get_connection(request);
	clock_gettime(CLOCK_MONOTONIC, &client->connected_at);
	peer_address_format(client->connection, client->address, sizeof client->address);

	add_stream_headers(request);
	evhttp_send_reply_start(request, HTTP_OK, NULL);
	client->pending.chunked = evhttp_find_header(evhttp_request_get_output_headers(request),
	                                     "Transfer-Encoding") != NULL;
	evhttp_send_reply_chunk(request, first);
	evbuffer_free(first);

	socket_buffer = evhttp_connection_get_bufferevent(client->connection);
	client->output = bufferevent_get_output(socket_buffer);
	client->fd = bufferevent_getfd(socket_buffer);
	configure_stream_socket(socket_buffer, server->options.max_client_buffer);
	evhttp_connection_set_closecb(client->connection, on_client_closed, client);

	link_client(server, client);
	server->counters.connection_events_sent++;
	if (replay.gap)
		server->counters.gap_events_sent++;
	log_connected(client, request, stream, &replay);
	/* The reply has started, so a failure ends the stream; the client
	 * reconnects with the id of the last event it got. */
	if (send_replay(client, &replay) != 0) {
		server->counters.clients_dropped_out_of_memory++;
		client_drop(client, "out of memory while replaying the history");
	}
	return 0;

out_of_memory:
	if (client != NULL)
		free(client->station_keys);
	free(client);
	if (first != NULL)
		evbuffer_free(first);
	return -1;
}

void clients_broadcast(struct sse_server *server, struct sse_event *event, bool observation)
{
	struct sse_client *next;
	char id[SSE_EVENT_ID_SIZE];
	uint64_t station = 0;

	if (observation && history_read_event_id(event, id, &station))
		history_add(&server->history, event, id, station);

	for (struct sse_client *client = server->clients; client != NULL; client = next) {
		next = client->next;

		if (observation && client->station_count > 0 &&
		    !station_keys_match(client->station_keys, client->station_count, station))
			continue;
		if (evbuffer_get_length(client->output) + client->pending.bytes +
		    pending_events_size(&client->pending, event) > server->options.max_client_buffer) {
			server->counters.clients_dropped_buffer_full++;
			client_drop(client, "unsent output over the --max-client-buffer limit");
			continue;
		}
		if (queue_event(client, event) != 0) {
			server->counters.clients_dropped_out_of_memory++;
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
		server->counters.clients_dropped_shutdown++;
		pending_events_move(&client->pending, client->output);
		client_forget(client, "server shutting down");
		evhttp_send_reply_end(request);
	}
}
