#include "fetch_retry.h"

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "poll.h"
#include "stop_signal.h"

#define RETRY_FIRST_DELAY_MS 1000L

void fetch_build_url(const char *base, const char *path, char url[URL_MAX])
{
	size_t len = strlen(base);
	const char *slash = len > 0 && base[len - 1] == '/' ? "" : "/";

	snprintf(url, URL_MAX, "%s%s%s", base, slash, path);
}

void fetch_wait_ms(long ms)
{
	struct pollfd signal_poll = { .fd = stop_signal_fd(), .events = POLLIN };

	while (ms > 0 && !stop_signal_received()) {
		int slice = ms > 60000 ? 60000 : (int)ms;

		poll(&signal_poll, 1, slice);
		ms -= slice;
	}
}

static bool worth_retrying(long status)
{
	return status == 0 || status >= 500;
}

enum http_result fetch_with_retries(struct http_client *client, const char *url,
                                    const struct poll_settings *settings,
                                    struct http_validators *validators,
                                    struct http_body *body, char *error, size_t error_size)
{
	long delay_ms = RETRY_FIRST_DELAY_MS;

	for (int attempt = 0;; attempt++) {
		long status = 0;
		enum http_result result = http_get(client, url, validators, body, &status,
		                                   error, error_size);

		if (result != HTTP_FAILED || !worth_retrying(status) ||
		    attempt == settings->retries || stop_signal_received())
			return result;

		log_info("cannot fetch %s: %s; retry %d of %d in %ld ms", url, error,
		         attempt + 1, settings->retries, delay_ms);
		fetch_wait_ms(delay_ms);
		delay_ms *= 2;
	}
}
