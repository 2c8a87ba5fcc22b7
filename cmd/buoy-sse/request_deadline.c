#include "request_deadline.h"

#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "log.h"
#include "peer_address.h"

#define UNREPORTED_TIMEOUTS \
	"connections were closed without a report for not sending their request in time"

/*
 * The states of a connection whose request is due. A new connection is
 * armed at once. After a reply, a zero timeout first confirms that
 * libevent kept the connection open. An input callback then waits for the
 * first byte of the next request, which arms the timer for the deadline.
 */
enum pending_state {
	PENDING_CONFIRMING,
	PENDING_IDLE,
	PENDING_ARMED,
};

struct pending_request {
	struct pending_request *prev;
	struct pending_request *next;
	struct request_deadlines *deadlines;
	struct bufferevent *socket_buffer;   /* holds a reference */
	struct event *timer;
	struct evbuffer_cb_entry *input_watch;   /* set while PENDING_IDLE */
	enum pending_state state;
};

static void stop_watching_input(struct pending_request *pending)
{
	if (pending->input_watch == NULL)
		return;
	evbuffer_remove_cb_entry(bufferevent_get_input(pending->socket_buffer),
	                         pending->input_watch);
	pending->input_watch = NULL;
}

static void pending_forget(struct pending_request *pending)
{
	struct request_deadlines *deadlines = pending->deadlines;

	if (pending->prev != NULL)
		pending->prev->next = pending->next;
	else
		deadlines->pending = pending->next;
	if (pending->next != NULL)
		pending->next->prev = pending->prev;

	stop_watching_input(pending);
	event_free(pending->timer);
	bufferevent_decref(pending->socket_buffer);
	free(pending);
}

/* Returns the connection that owns socket_buffer, or NULL when libevent has
 * freed it. */
static struct evhttp_connection *owner(struct bufferevent *socket_buffer)
{
	bufferevent_event_cb event_callback;
	void *argument;

	bufferevent_getcb(socket_buffer, NULL, NULL, &event_callback, &argument);
	return event_callback != NULL ? argument : NULL;
}

static void arm(struct pending_request *pending)
{
	long timeout_ms = pending->deadlines->timeout_ms;
	struct timeval limit = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	stop_watching_input(pending);
	pending->state = PENDING_ARMED;
	evtimer_add(pending->timer, &limit);
}

/* Arms the deadline when the first byte of the next request arrives. */
static void on_input(struct evbuffer *input, const struct evbuffer_cb_info *info, void *arg)
{
	struct pending_request *pending = arg;

	if (info->n_added > 0)
		arm(pending);
}

/* Waits for the next request on a connection that libevent kept open. */
static void watch_for_next_request(struct pending_request *pending)
{
	struct evbuffer *input = bufferevent_get_input(pending->socket_buffer);

	if (evbuffer_get_length(input) > 0) {
		arm(pending);
		return;
	}
	pending->input_watch = evbuffer_add_cb(input, on_input, pending);
	if (pending->input_watch == NULL) {
		log_debug("cannot watch a keep-alive connection for its next request: "
		          "out of memory");
		pending_forget(pending);
		return;
	}
	pending->state = PENDING_IDLE;
}

static void log_timeout(struct request_deadlines *deadlines,
                        struct evhttp_connection *connection)
{
	char address[PEER_ADDRESS_MAX];
	char limit[32];

	if (!log_limit_allow(&deadlines->log, UNREPORTED_TIMEOUTS))
		return;
	peer_address_format(connection, address, sizeof address);
	snprintf(limit, sizeof limit, "%.3f", (double)deadlines->timeout_ms / 1000);
	log_fields(LOG_LEVEL_WARNING, "connection closed: its request did not arrive within "
	           "the --request-timeout limit", "address", address, "limit_seconds", limit,
	           (const char *)NULL);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pending_request *pending = arg;
	struct evhttp_connection *connection = owner(pending->socket_buffer);

	if (connection != NULL && pending->state == PENDING_CONFIRMING) {
		watch_for_next_request(pending);
		return;
	}
	if (connection != NULL) {
		pending->deadlines->timed_out++;
		log_timeout(pending->deadlines, connection);
		evhttp_connection_free(connection);
	}
	pending_forget(pending);
}

/* Returns a new record for socket_buffer, linked and with its timer, or
 * NULL when out of memory. */
static struct pending_request *pending_new(struct request_deadlines *deadlines,
                                           struct bufferevent *socket_buffer)
{
	struct pending_request *pending = calloc(1, sizeof *pending);

	if (pending == NULL)
		return NULL;
	pending->timer = evtimer_new(bufferevent_get_base(socket_buffer), on_timer, pending);
	if (pending->timer == NULL) {
		free(pending);
		return NULL;
	}

	bufferevent_incref(socket_buffer);
	pending->socket_buffer = socket_buffer;
	pending->deadlines = deadlines;
	pending->next = deadlines->pending;
	if (deadlines->pending != NULL)
		deadlines->pending->prev = pending;
	deadlines->pending = pending;
	return pending;
}

/* Creates the bufferevent of a connection that evhttp is accepting, with a
 * deadline. Without memory for the deadline the connection goes without. */
static struct bufferevent *on_new_connection(struct event_base *base, void *arg)
{
	struct bufferevent *socket_buffer = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct pending_request *pending;

	if (socket_buffer == NULL)
		return NULL;
	pending = pending_new(arg, socket_buffer);
	if (pending == NULL)
		log_debug("cannot set a request deadline for a new connection: out of memory");
	else
		arm(pending);
	return socket_buffer;
}

/* Runs just before libevent frees request, and then frees the connection
 * too unless it is kept alive. The zero timeout checks which. */
static void on_reply_sent(struct evhttp_request *request, void *arg)
{
	struct evhttp_connection *connection = evhttp_request_get_connection(request);
	struct pending_request *pending;
	struct timeval now = { 0, 0 };

	if (connection == NULL)
		return;
	pending = pending_new(arg, evhttp_connection_get_bufferevent(connection));
	if (pending == NULL) {
		log_debug("cannot set a request deadline for a keep-alive connection: "
		          "out of memory");
		return;
	}
	pending->state = PENDING_CONFIRMING;
	evtimer_add(pending->timer, &now);
}

void request_deadlines_start(struct request_deadlines *deadlines, struct evhttp *http,
                             long timeout_ms)
{
	deadlines->timeout_ms = timeout_ms;
	evhttp_set_bevcb(http, on_new_connection, deadlines);
}

void request_deadlines_arrived(struct request_deadlines *deadlines,
                               struct evhttp_request *request)
{
	struct evhttp_connection *connection = evhttp_request_get_connection(request);
	struct bufferevent *socket_buffer;

	if (connection == NULL)
		return;
	/* A stream replaces this callback with its own at shutdown. */
	evhttp_request_set_on_complete_cb(request, on_reply_sent, deadlines);

	socket_buffer = evhttp_connection_get_bufferevent(connection);
	for (struct pending_request *p = deadlines->pending; p != NULL; p = p->next) {
		if (p->socket_buffer == socket_buffer) {
			pending_forget(p);
			return;
		}
	}
}

void request_deadlines_sweep(struct request_deadlines *deadlines)
{
	struct pending_request *next;

	for (struct pending_request *p = deadlines->pending; p != NULL; p = next) {
		next = p->next;
		if (owner(p->socket_buffer) == NULL)
			pending_forget(p);
	}
	log_limit_flush(&deadlines->log, UNREPORTED_TIMEOUTS);
}

void request_deadlines_free(struct request_deadlines *deadlines)
{
	while (deadlines->pending != NULL)
		pending_forget(deadlines->pending);
	log_limit_flush(&deadlines->log, UNREPORTED_TIMEOUTS);
}
