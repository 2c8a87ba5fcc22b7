#include "poll.h"

#include <stdio.h>

#include "fetch_retry.h"
#include "http_get.h"
#include "log.h"
#include "stop_signal.h"

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

	switch (fetch_with_retries(client, url, settings, validators, &body, error, sizeof error)) {
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
			fetch_wait_ms(settings->pause_ms);

		snprintf(path, sizeof path, "data/realtime2/%s.txt", station->id);
		fetch_build_url(settings->base_url, path, url);
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
	fetch_build_url(settings->base_url, "data/latest_obs/latest_obs.txt", latest_url);

	for (;;) {
		if (settings->latest)
			fetch_file(client, settings, latest_url, "latest_obs.txt", NULL,
			           &table->latest_validators, table, outcome);
		else
			fetch_realtime_round(client, settings, table, outcome);

		if (settings->interval_ms == 0 || stop_signal_received() || outcome->output_failed)
			break;
		fetch_wait_ms(settings->interval_ms);
	}
	http_client_free(client);
	return 0;
}
