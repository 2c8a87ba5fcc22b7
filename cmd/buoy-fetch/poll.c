#include "poll.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "http_get.h"
#include "log.h"
#include "stop_signal.h"

#define URL_MAX 2048
#define RETRY_FIRST_DELAY_MS 1000L

/* Waits for ms milliseconds, or less when a stop signal arrives. */
static void wait_ms(long ms)
{
	struct pollfd signal_poll = { .fd = stop_signal_fd(), .events = POLLIN };

	while (ms > 0 && !stop_signal_received()) {
		int slice = ms > 60000 ? 60000 : (int)ms;

		poll(&signal_poll, 1, slice);
		ms -= slice;
	}
}

static void build_url(const char *base, const char *path, char url[URL_MAX])
{
	size_t len = strlen(base);
	const char *slash = len > 0 && base[len - 1] == '/' ? "" : "/";

	snprintf(url, URL_MAX, "%s%s%s", base, slash, path);
}

/* A timeout, a network error or a 5xx reply may pass; a 4xx reply (404 for
 * a station without a realtime2 file) will not. */
static bool worth_retrying(long status)
{
	return status == 0 || status >= 500;
}

/* Fetches url, retrying after 1, 2, 4 ... seconds when worth it. */
static enum http_result get_with_retries(struct http_client *client, const char *url,
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
		wait_ms(delay_ms);
		delay_ms *= 2;
	}
}

/* Fetches one file and prints what is new in it. name is the station id,
 * or "latest_obs.txt", for messages. */
static void fetch_file(struct http_client *client, const struct poll_settings *settings,
                       const char *url, const char *name, const char *station_id,
                       struct http_validators *validators, struct station_table *table,
                       struct outcome *outcome)
{
	struct http_body body = { 0 };
	struct obs_list list = { 0 };
	struct parse_summary summary;
	char error[URL_MAX + 256];

	switch (get_with_retries(client, url, settings, validators, &body, error, sizeof error)) {
	case HTTP_NOT_MODIFIED:
		log_debug("%s: not modified since the last request", url);
		outcome->succeeded++;
		goto cleanup;
	case HTTP_FAILED:
		log_error("cannot fetch %s: %s", name, error);
		outcome->unavailable++;
		goto cleanup;
	case HTTP_FETCHED:
		break;
	}

	if (parse_ndbc_text(url, station_id, body.data, body.len, &list, &summary) != 0) {
		outcome->bad_data++;
		goto cleanup;
	}
	outcome_add_parse(outcome, &summary);
	print_new_observations(&list, table, outcome);

cleanup:
	obs_list_free(&list);
	http_body_free(&body);
}

static void fetch_realtime_round(struct http_client *client, const struct poll_settings *settings,
                                 struct station_table *table, struct outcome *outcome)
{
	for (int i = 0; i < table->count; i++) {
		struct station_state *station = &table->items[i];
		char path[64];
		char url[URL_MAX];

		if (stop_signal_received() || outcome->output_failed)
			return;
		if (i > 0)
			wait_ms(settings->pause_ms);

		snprintf(path, sizeof path, "data/realtime2/%s.txt", station->id);
		build_url(settings->base_url, path, url);
		fetch_file(client, settings, url, station->id, station->id, &station->validators,
		           table, outcome);
	}
}

int poll_stations(const struct poll_settings *settings, struct station_table *table,
                  struct outcome *outcome)
{
	struct http_client *client = http_client_new(settings->timeout_ms);
	char latest_url[URL_MAX];

	if (client == NULL)
		return -1;
	build_url(settings->base_url, "data/latest_obs/latest_obs.txt", latest_url);

	for (;;) {
		if (settings->latest)
			fetch_file(client, settings, latest_url, "latest_obs.txt", NULL,
			           &table->latest_validators, table, outcome);
		else
			fetch_realtime_round(client, settings, table, outcome);

		if (settings->interval_ms == 0 || stop_signal_received() || outcome->output_failed)
			break;
		wait_ms(settings->interval_ms);
	}
	http_client_free(client);
	return 0;
}
