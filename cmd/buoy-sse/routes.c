#include "routes.h"

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jv.h>

#include "accept_header.h"
#include "clients.h"
#include "log.h"
#include "server.h"
#include "static_files.h"
#include "status_pages.h"
#include "stream_request.h"

/* Sends a JSON error reply. The body is built with jv so that any text in
 * message is escaped. */
static void reply_error(struct evhttp_request *request, int status, const char *code,
                        const char *message)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(request);
	struct evbuffer *body = evbuffer_new();
	jv object = jv_object();
	jv text;

	object = jv_object_set(object, jv_string("error"), jv_string(code));
	object = jv_object_set(object, jv_string("message"), jv_string(message));
	object = jv_object_set(object, jv_string("statusCode"), jv_number(status));
	text = jv_dump_string(object, 0);

	evhttp_add_header(headers, "Content-Type", "application/json");
	evhttp_add_header(headers, "Cache-Control", "no-cache");
	if (body != NULL)
		evbuffer_add_printf(body, "%s\n", jv_string_value(text));

	/* libevent 2.1 sends a body after the headers of a HEAD reply and
	 * leaves out Content-Length, which desynchronizes a keep-alive
	 * connection; so a HEAD reply gets the length and no body. */
	if (evhttp_request_get_command(request) == EVHTTP_REQ_HEAD && body != NULL) {
		char length[32];

		snprintf(length, sizeof length, "%zu", evbuffer_get_length(body));
		evhttp_add_header(headers, "Content-Length", length);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(request, status, NULL, body);

	jv_free(text);
	if (body != NULL)
		evbuffer_free(body);
}

static void reply_method_not_allowed(struct evhttp_request *request)
{
	evhttp_add_header(evhttp_request_get_output_headers(request), "Allow", "GET");
	reply_error(request, 405, "METHOD_NOT_ALLOWED", "only GET is allowed on this path");
}

static void handle_stream(struct sse_server *server, struct evhttp_request *request)
{
	struct evkeyvalq *headers = evhttp_request_get_input_headers(request);
	const char *accept = evhttp_find_header(headers, "Accept");
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(request);
	struct stream_request stream;
	char message[160];

	if (!accept_allows_event_stream(accept)) {
		reply_error(request, 400, "NOT_ACCEPTABLE",
		            "the Accept header excludes text/event-stream: send "
		            "'Accept: text/event-stream' or none");
		return;
	}
	if (!stream_request_parse(evhttp_uri_get_query(uri),
	                          evhttp_find_header(headers, "Last-Event-ID"),
	                          &stream, message, sizeof message)) {
		reply_error(request, 400, "BAD_REQUEST", message);
		return;
	}
	if (server->stopping) {
		reply_error(request, 503, "SHUTTING_DOWN",
		            "the server is shutting down: reconnect to another instance");
		return;
	}
	if (!server_upstream_available(server)) {
		server->counters.streams_rejected_upstream_down++;
		reply_error(request, 500, "SERVICE_UNAVAILABLE",
		            server->input_open
		            ? "the observation source is not connected: check buoy-sub and Redis"
		            : "the observation source ended (stdin closed): restart buoy-sse with "
		              "a running source");
		return;
	}
	if ((long)server->client_count >= server->options.max_clients) {
		server->counters.streams_rejected_max_clients++;
		snprintf(message, sizeof message, "the server already has %zu stream clients, "
		         "its --max-clients limit: try again later", server->client_count);
		reply_error(request, 503, "TOO_MANY_CLIENTS", message);
		return;
	}
	if (clients_start_stream(server, request, &stream) != 0) {
		log_error("cannot start a stream: out of memory");
		reply_error(request, 500, "INTERNAL_ERROR", "the server is out of memory");
	}
}

/* Serves a file of --static DIR, or sends the JSON error with the reason. */
static void handle_static_file(struct sse_server *server, struct evhttp_request *request,
                               const char *path)
{
	enum evhttp_cmd_type method = evhttp_request_get_command(request);
	const char *reason = NULL;
	char message[80];

	if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(request), "Allow", "GET, HEAD");
		reply_error(request, 405, "METHOD_NOT_ALLOWED",
		            "only GET and HEAD are allowed on static files");
		return;
	}

	switch (static_files_send(server->options.static_root, path, request, &reason)) {
	case STATIC_OK:
		break;
	case STATIC_BAD_PATH:
		reply_error(request, 400, "BAD_REQUEST", reason);
		break;
	case STATIC_NOT_FOUND:
		reply_error(request, 404, "NOT_FOUND",
		            "no such file: the page is at /, the stream at " STREAM_PATH
		            ", status at /health and /metrics");
		break;
	case STATIC_TOO_LARGE:
		snprintf(message, sizeof message, "the file is larger than the %ld MiB limit "
		         "for static files", STATIC_FILE_MAX_BYTES / (1024 * 1024));
		reply_error(request, 500, "INTERNAL_ERROR", message);
		break;
	case STATIC_FAILED:
		reply_error(request, 500, "INTERNAL_ERROR",
		            "the file cannot be read: the server's log has the reason");
		break;
	}
}

struct route {
	const char *path;
	void (*handle)(struct sse_server *server, struct evhttp_request *request);
};

static const struct route routes[] = {
	{ STREAM_PATH, handle_stream },
	{ "/health", status_pages_send_health },
	{ "/metrics", status_pages_send_metrics },
};

void routes_handle_request(struct evhttp_request *request, void *arg)
{
	struct sse_server *server = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(request);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;

	/* Pages on any origin may read the stream: EventSource sends no
	 * credentials unless asked, so "*" exposes nothing private. */
	evhttp_add_header(evhttp_request_get_output_headers(request),
	                  "Access-Control-Allow-Origin", "*");

	if (path == NULL) {
		reply_error(request, 400, "BAD_REQUEST", "the request has no valid path");
		return;
	}

	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(path, routes[i].path) != 0)
			continue;
		if (evhttp_request_get_command(request) != EVHTTP_REQ_GET)
			reply_method_not_allowed(request);
		else
			routes[i].handle(server, request);
		return;
	}
	if (server->options.static_root != NULL) {
		handle_static_file(server, request, path);
		return;
	}
	reply_error(request, 404, "NOT_FOUND",
	            "no such path: the stream is at " STREAM_PATH
	            ", status at /health and /metrics");
}
