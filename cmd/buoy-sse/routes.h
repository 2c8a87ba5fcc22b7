/*
 * HTTP routing: GET /v1/observations/stream, GET /health and GET /metrics,
 * then the files of --static DIR for any other path. Every error reply has a JSON body
 * {"error":"CODE","message":"...","statusCode":N}.
 */
#ifndef BUOY_SSE_ROUTES_H
#define BUOY_SSE_ROUTES_H

#define STREAM_PATH "/v1/observations/stream"

struct evhttp_request;

/* The evhttp general callback; arg is the struct sse_server. */
void routes_handle_request(struct evhttp_request *request, void *arg);

#endif
