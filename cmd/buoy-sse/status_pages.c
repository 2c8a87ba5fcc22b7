#include "status_pages.h"

#include <stdbool.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "server.h"

static void send_body(struct evhttp_request *request, int status, const char *content_type,
                      struct evbuffer *body)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(request);

	evhttp_add_header(headers, "Content-Type", content_type);
	evhttp_add_header(headers, "Cache-Control", "no-cache");
	evhttp_send_reply(request, status, NULL, body);
}

void status_pages_send_health(struct sse_server *server, struct evhttp_request *request)
{
	bool up = server_upstream_available(server);
	struct evbuffer *body = evbuffer_new();

	if (body == NULL) {
		evhttp_send_error(request, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(body, "{\"status\":\"%s\",\"upstream\":\"%s\",\"clients\":%zu,"
	                    "\"uptimeSeconds\":%.0f,\"eventsReceived\":%llu}\n",
	                    up ? "ok" : "degraded", up ? "up" : "down", server->client_count,
	                    server_uptime_seconds(server), server->counters.observations_received);
	send_body(request, up ? HTTP_OK : 503, "application/json", body);
	evbuffer_free(body);
}

static void add_metric(struct evbuffer *body, const char *name, const char *type,
                       const char *help)
{
	evbuffer_add_printf(body, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void add_labelled(struct evbuffer *body, const char *name, const char *label,
                         const char *value, unsigned long long count)
{
	evbuffer_add_printf(body, "%s{%s=\"%s\"} %llu\n", name, label, value, count);
}

static void add_stream_metrics(struct evbuffer *body, const struct sse_server *server)
{
	const struct sse_counters *counters = &server->counters;
	const char *sent = "buoy_sse_events_sent_total";

	add_metric(body, "buoy_sse_clients", "gauge", "Stream clients connected now.");
	evbuffer_add_printf(body, "buoy_sse_clients %zu\n", server->client_count);

	add_metric(body, sent, "counter",
	           "Events and heartbeat comments queued to stream clients, one per client "
	           "and event.");
	add_labelled(body, sent, "type", "observation", counters->observation_events_sent);
	add_labelled(body, sent, "type", "connection", counters->connection_events_sent);
	add_labelled(body, sent, "type", "gap", counters->gap_events_sent);
	add_labelled(body, sent, "type", "heartbeat", counters->heartbeat_events_sent);

	histogram_format(&server->connection_seconds, "buoy_sse_connection_duration_seconds",
	                 "How long each ended stream was open.", body);
	histogram_format(&server->broadcast_seconds, "buoy_sse_broadcast_latency_seconds",
	                 "Time from an observation's arrival on stdin to its being queued "
	                 "to every stream client.", body);
}

static void add_drop_metrics(struct evbuffer *body, const struct sse_server *server)
{
	const struct sse_counters *counters = &server->counters;
	const char *dropped = "buoy_sse_clients_dropped_total";
	const char *rejected = "buoy_sse_stream_requests_rejected_total";

	add_metric(body, dropped, "counter",
	           "Streams ended by the server or by a failed write, by reason.");
	add_labelled(body, dropped, "reason", "buffer_full", counters->clients_dropped_buffer_full);
	add_labelled(body, dropped, "reason", "write_error", counters->clients_dropped_write_error);
	add_labelled(body, dropped, "reason", "out_of_memory",
	             counters->clients_dropped_out_of_memory);
	add_labelled(body, dropped, "reason", "shutdown", counters->clients_dropped_shutdown);

	add_metric(body, "buoy_sse_clients_disconnected_total", "counter",
	           "Streams that ended, for any reason.");
	evbuffer_add_printf(body, "buoy_sse_clients_disconnected_total %llu\n",
	                    counters->clients_disconnected);

	add_metric(body, rejected, "counter",
	           "Stream requests answered with an error instead of a stream.");
	add_labelled(body, rejected, "reason", "max_clients",
	             counters->streams_rejected_max_clients);
	add_labelled(body, rejected, "reason", "upstream_down",
	             counters->streams_rejected_upstream_down);

	add_metric(body, "buoy_sse_request_timeouts_total", "counter",
	           "Connections closed because their request did not arrive within "
	           "--request-timeout.");
	evbuffer_add_printf(body, "buoy_sse_request_timeouts_total %llu\n",
	                    server->deadlines.timed_out);
}

static void add_input_metrics(struct evbuffer *body, const struct sse_server *server)
{
	const struct sse_counters *counters = &server->counters;

	add_metric(body, "buoy_sse_input_lines_total", "counter", "Lines read on stdin.");
	evbuffer_add_printf(body, "buoy_sse_input_lines_total %llu\n", counters->input_lines);

	add_metric(body, "buoy_sse_invalid_lines_total", "counter",
	           "Lines read on stdin that were invalid and skipped.");
	evbuffer_add_printf(body, "buoy_sse_invalid_lines_total %llu\n", counters->invalid_lines);

	add_metric(body, "buoy_sse_observations_received_total", "counter",
	           "Valid observations read on stdin.");
	evbuffer_add_printf(body, "buoy_sse_observations_received_total %llu\n",
	                    counters->observations_received);

	add_metric(body, "buoy_sse_upstream_up", "gauge",
	           "1 while the observation source is available, else 0.");
	evbuffer_add_printf(body, "buoy_sse_upstream_up %d\n", server_upstream_available(server));

	add_metric(body, "buoy_sse_uptime_seconds", "gauge", "Seconds since the server started.");
	evbuffer_add_printf(body, "buoy_sse_uptime_seconds %.3f\n", server_uptime_seconds(server));
}

void status_pages_send_metrics(struct sse_server *server, struct evhttp_request *request)
{
	struct evbuffer *body = evbuffer_new();

	if (body == NULL) {
		evhttp_send_error(request, HTTP_INTERNAL, NULL);
		return;
	}
	add_stream_metrics(body, server);
	add_drop_metrics(body, server);
	add_input_metrics(body, server);
	send_body(request, HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body);
	evbuffer_free(body);
}
