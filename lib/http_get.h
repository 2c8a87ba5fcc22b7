/*
 * HTTP GET with libcurl for buoy-fetch: redirects followed, timeouts,
 * compressed transfer accepted, and conditional requests so that an
 * unchanged file costs one round trip and no body.
 */
#ifndef BUOY_HTTP_GET_H
#define BUOY_HTTP_GET_H

#include <stdbool.h>
#include <stddef.h>

/* Largest body accepted: a realtime2 file is about 0.5 MiB, a yearly
 * historical file of 10-minute rows about 4 MiB. */
#define HTTP_BODY_MAX (64u * 1024 * 1024)
#define HTTP_VALIDATOR_MAX 255

/* Validators of the file's version that the server sent (ETag,
 * Last-Modified), sent back as If-None-Match and If-Modified-Since. Empty
 * when unknown. */
struct http_validators {
	char etag[HTTP_VALIDATOR_MAX + 1];
	char last_modified[HTTP_VALIDATOR_MAX + 1];
};

struct http_body {
	char *data;
	size_t len;
	size_t capacity;
};

enum http_result {
	HTTP_FETCHED,        /* 200: body contains the file, validators updated */
	HTTP_NOT_MODIFIED,   /* 304: the file has not changed since validators */
	HTTP_FAILED,         /* error contains the reason, naming the URL */
};

struct http_client;

/* Returns NULL when libcurl cannot be set up. timeout_ms bounds a whole
 * transfer; connecting is bounded by the smaller of it and 10 s. */
struct http_client *http_client_new(long timeout_ms);
void http_client_free(struct http_client *client);

/*
 * Fetches url into body (replacing its contents). validators may be NULL;
 * when given, the request is conditional and the validators are updated
 * from a 200 reply. status (may be NULL) receives the HTTP status or 0.
 */
enum http_result http_get(struct http_client *client, const char *url,
                          struct http_validators *validators, struct http_body *body,
                          long *status, char *error, size_t error_size);

void http_body_free(struct http_body *body);

/* Returns libcurl's version string, for --version. */
const char *http_library_version(void);

#endif
