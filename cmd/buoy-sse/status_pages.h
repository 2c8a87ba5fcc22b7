/* GET /health (JSON) and GET /metrics (Prometheus text format 0.0.4). */
#ifndef BUOY_SSE_STATUS_PAGES_H
#define BUOY_SSE_STATUS_PAGES_H

struct evhttp_request;
struct sse_server;

/* Sends {"status":"ok"|"degraded","upstream":"up"|"down","clients":N,
 * "uptimeSeconds":N,"eventsReceived":N}: 200 while the upstream is
 * available, else 503 with status "degraded". */
void status_pages_send_health(struct sse_server *server, struct evhttp_request *request);

/* Sends the counters and gauges, each with HELP and TYPE lines. */
void status_pages_send_metrics(struct sse_server *server, struct evhttp_request *request);

#endif
