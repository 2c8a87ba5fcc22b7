/* HTTP fetching shared by the station, latest_obs.txt and station table
 * fetches: URLs under NDBC's site root, retries and interruptible waits. */
#ifndef BUOY_FETCH_FETCH_RETRY_H
#define BUOY_FETCH_FETCH_RETRY_H

#include <stddef.h>

#include "http_get.h"

#define URL_MAX 2048

struct poll_settings;

/* Writes base, a slash unless base ends with one, and path into url. */
void fetch_build_url(const char *base, const char *path, char url[URL_MAX]);

/* Waits for ms milliseconds, or less when a stop signal arrives. */
void fetch_wait_ms(long ms);

/*
 * Fetches url with a conditional request, retrying after a network error,
 * a timeout or a 5xx reply 1, 2, 4 ... seconds apart, at most
 * settings->retries times. A 4xx reply (404 for a station without a
 * realtime2 file) is not retried.
 */
enum http_result fetch_with_retries(struct http_client *client, const char *url,
                                    const struct poll_settings *settings,
                                    struct http_validators *validators,
                                    struct http_body *body, char *error, size_t error_size);

#endif
