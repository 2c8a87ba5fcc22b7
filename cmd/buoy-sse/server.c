#include "server.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

#include "clients.h"
#include "input.h"
#include "log.h"
#include "peer_address.h"
#include "routes.h"
#include "sse_event.h"
#include "stop_signal.h"

/* Maximum wait at shutdown for the final chunk of every stream to leave. */
#define SHUTDOWN_FLUSH_S 2

/* Seconds a connection may stay silent: between two reads of a request,
 * and idle between requests on a keep-alive connection. */
#define REQUEST_TIMEOUT_S 30

/* Buckets of the histograms on /metrics, in seconds. */
static const double connection_buckets[] = { 1, 10, 60, 300, 1800, 3600, 21600, 86400 };
static const double broadcast_buckets[] = {
	0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25,
};

#define UNREPORTED_MAX_CLIENTS \
	"stream requests were rejected without a report: the --max-clients limit was reached"
#define UNREPORTED_UPSTREAM_DOWN \
	"stream requests were rejected without a report: the observation source is down"

/* Descriptors besides the clients': stdin, the listener, the self-pipe,
 * epoll and a margin for connections not yet counted as clients. */
#define SPARE_DESCRIPTORS 64

double server_uptime_seconds(const struct sse_server *server)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - server->started_at.tv_sec) +
	       (double)(now.tv_nsec - server->started_at.tv_nsec) / 1e9;
}

static void log_libevent_message(int severity, const char *message)
{
	if (severity >= EVENT_LOG_WARN)
		log_warning("libevent: %s", message);
	else
		log_debug("libevent: %s", message);
}

/* Raises the soft RLIMIT_NOFILE toward the hard limit so that max_clients
 * connections fit, and warns when they still do not. */
static void raise_open_file_limit(long max_clients)
{
	rlim_t needed = (rlim_t)max_clients + SPARE_DESCRIPTORS;
	struct rlimit limit;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
		return;
	limit.rlim_cur = limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed
	                 ? needed : limit.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || getrlimit(RLIMIT_NOFILE, &limit) != 0)
		return;
	if (limit.rlim_cur < needed)
		log_warning("the open file limit %llu allows about %llu stream clients, fewer than "
		            "--max-clients %ld: raise it with ulimit -n or LimitNOFILE=",
		            (unsigned long long)limit.rlim_cur,
		            (unsigned long long)(limit.rlim_cur - SPARE_DESCRIPTORS), max_clients);
}

static void on_shutdown_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct sse_server *server = arg;

	log_warning("%zu streams did not take their final bytes within %d s; closing them",
	            server->closing_count, SHUTDOWN_FLUSH_S);
	event_base_loopexit(server->base, NULL);
}

/* Stops accepting and reading, then ends every stream. The loop exits once
 * the streams are flushed, or after SHUTDOWN_FLUSH_S seconds. */
static void begin_shutdown(struct sse_server *server)
{
	struct timeval flush_limit = { .tv_sec = SHUTDOWN_FLUSH_S };
	int signal_number = stop_signal_number();

	server->stopping = true;
	log_info("stopping on %s: ending %zu streams",
	         signal_number == SIGINT ? "SIGINT" : "SIGTERM", server->client_count);

	evhttp_del_accept_socket(server->http, server->listener);
	server->listener = NULL;
	stdin_reader_free(server->input);
	server->input = NULL;
	event_del(server->tick_event);

	clients_end_all(server);
	if (server->closing_count == 0)
		event_base_loopexit(server->base, NULL);
	else
		evtimer_add(server->shutdown_timer, &flush_limit);
}

static void on_stop_signal(evutil_socket_t fd, short what, void *arg)
{
	struct sse_server *server = arg;
	char drain[64];

	while (read(fd, drain, sizeof drain) > 0)
		continue;
	if (!server->stopping)
		begin_shutdown(server);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sse_server *server = arg;

	stdin_reader_flush_reports(server->input);
	request_deadlines_sweep(&server->deadlines);
	log_limit_flush(&server->max_clients_log, UNREPORTED_MAX_CLIENTS);
	log_limit_flush(&server->upstream_down_log, UNREPORTED_UPSTREAM_DOWN);
}

static void on_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct sse_server *server = arg;
	struct sse_event *heartbeat;

	if (server->client_count == 0)
		return;
	heartbeat = sse_event_new_heartbeat();
	if (heartbeat == NULL)
		return;
	clients_broadcast(server, heartbeat, false);
	sse_event_release(heartbeat);
	/* The clients that the broadcast did not drop got the comment. */
	server->counters.heartbeat_events_sent += server->client_count;
}

/* Logs a stream request that the router rejected, at most once a second for
 * each reason. */
static void log_rejection(struct sse_server *server, const struct sse_counters *before,
                          const char *address)
{
	const struct sse_counters *after = &server->counters;
	char clients[32];

	if (after->streams_rejected_max_clients != before->streams_rejected_max_clients &&
	    log_limit_allow(&server->max_clients_log, UNREPORTED_MAX_CLIENTS)) {
		snprintf(clients, sizeof clients, "%zu", server->client_count);
		log_fields(LOG_LEVEL_WARNING, "stream request rejected with 503: the "
		           "--max-clients limit is reached", "address", address,
		           "clients", clients, (const char *)NULL);
	}
	if (after->streams_rejected_upstream_down != before->streams_rejected_upstream_down &&
	    log_limit_allow(&server->upstream_down_log, UNREPORTED_UPSTREAM_DOWN))
		log_fields(LOG_LEVEL_WARNING, "stream request rejected with 500: the observation "
		           "source is down", "address", address, (const char *)NULL);
}

/* Every request starts here: its connection's deadline is over, and the
 * router's rejections are logged. */
static void on_request(struct evhttp_request *request, void *arg)
{
	struct sse_server *server = arg;
	struct sse_counters before = server->counters;
	char address[PEER_ADDRESS_MAX];

	request_deadlines_arrived(&server->deadlines, request);
	peer_address_format(evhttp_request_get_connection(request), address, sizeof address);
	routes_handle_request(request, server);
	log_rejection(server, &before, address);
}

static int create_http(struct sse_server *server)
{
	server->http = evhttp_new(server->base);
	if (server->http == NULL)
		return -1;

	/* Every method reaches the router, which replies 405 with a JSON body
	 * instead of libevent's plain one. */
	evhttp_set_allowed_methods(server->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	                           EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                           EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	                           EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	/* libevent replies 400 to headers over the limit, and 413 to a body
	 * over it, without calling the router. */
	evhttp_set_max_headers_size(server->http, server->options.max_request_headers);
	evhttp_set_max_body_size(server->http, server->options.max_request_body);
	evhttp_set_timeout(server->http, REQUEST_TIMEOUT_S);
	request_deadlines_start(&server->deadlines, server->http,
	                        server->options.request_timeout_ms);
	evhttp_set_gencb(server->http, on_request, server);
	return 0;
}

static int start_listening(struct sse_server *server)
{
	const struct listen_address *address = &server->options.listen;
	char error[512];
	int fd = listen_address_open(address, error, sizeof error);

	if (fd < 0) {
		log_error("%s: check that no other program uses the port and that the "
		          "address belongs to this host", error);
		return -1;
	}
	server->listener = evhttp_accept_socket_with_handle(server->http, fd);
	if (server->listener == NULL) {
		log_error("cannot accept connections on the listening socket");
		close(fd);
		return -1;
	}
	log_fields(LOG_LEVEL_INFO, "listening", "host",
	           address->host[0] != '\0' ? address->host : "*", "port", address->port,
	           "path", STREAM_PATH, (const char *)NULL);
	return 0;
}

static int add_timers(struct sse_server *server)
{
	struct timeval one_second = { .tv_sec = 1 };
	struct timeval heartbeat = {
		.tv_sec = server->options.heartbeat_ms / 1000,
		.tv_usec = (server->options.heartbeat_ms % 1000) * 1000,
	};

	server->stop_event = event_new(server->base, stop_signal_fd(), EV_READ | EV_PERSIST,
	                               on_stop_signal, server);
	server->tick_event = event_new(server->base, -1, EV_PERSIST, on_tick, server);
	server->heartbeat_event = event_new(server->base, -1, EV_PERSIST, on_heartbeat, server);
	server->shutdown_timer = evtimer_new(server->base, on_shutdown_timeout, server);
	if (server->stop_event == NULL || server->tick_event == NULL ||
	    server->heartbeat_event == NULL || server->shutdown_timer == NULL)
		return -1;

	if (event_add(server->stop_event, NULL) != 0 ||
	    event_add(server->tick_event, &one_second) != 0)
		return -1;
	if (server->options.heartbeat_ms > 0 && event_add(server->heartbeat_event, &heartbeat) != 0)
		return -1;
	return 0;
}

/* Returns 0 or the exit status for the step that failed. */
static int setup(struct sse_server *server)
{
	clock_gettime(CLOCK_MONOTONIC, &server->started_at);
	histogram_init(&server->connection_seconds, connection_buckets,
	               sizeof connection_buckets / sizeof connection_buckets[0]);
	histogram_init(&server->broadcast_seconds, broadcast_buckets,
	               sizeof broadcast_buckets / sizeof broadcast_buckets[0]);
	event_set_log_callback(log_libevent_message);
	history_init(&server->history, server->options.history_max);
	raise_open_file_limit(server->options.max_clients);

	server->base = event_base_new();
	if (server->base == NULL || create_http(server) != 0) {
		log_error("cannot set up the event loop: out of memory or no event backend");
		return EX_OSERR;
	}
	if (start_listening(server) != 0)
		return EX_UNAVAILABLE;

	server->input = stdin_reader_start(server);
	if (server->input == NULL) {
		log_error("cannot read stdin: %s", strerror(errno));
		return EX_OSERR;
	}
	if (add_timers(server) != 0) {
		log_error("cannot set up the timers and the signal event");
		return EX_OSERR;
	}
	return 0;
}

static void free_event(struct event *event)
{
	if (event != NULL)
		event_free(event);
}

static void teardown(struct sse_server *server)
{
	/* evhttp_free closes the listener and any connection still open. */
	if (server->http != NULL)
		evhttp_free(server->http);
	request_deadlines_free(&server->deadlines);
	stdin_reader_free(server->input);
	free_event(server->stop_event);
	history_free(&server->history);
	free_event(server->tick_event);
	free_event(server->heartbeat_event);
	free_event(server->shutdown_timer);
	if (server->base != NULL)
		event_base_free(server->base);
	libevent_global_shutdown();
}

int server_run(const struct sse_options *options)
{
	struct sse_server server = {
		.options = *options,
		.upstream_up = true,
		.input_open = true,
	};
	int status = setup(&server);

	if (status == 0 && event_base_dispatch(server.base) != 0) {
		log_error("the event loop failed");
		status = EX_SOFTWARE;
	}
	if (status == 0)
		log_info("stopped");
	teardown(&server);
	return status;
}
