#include "stations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_retry.h"
#include "http_get.h"
#include "log.h"
#include "parse_text.h"
#include "read_file.h"
#include "station_table.h"
#include "stop_signal.h"

#define TABLE_NAME "station_table.txt"
#define TABLE_PATH "data/stations/" TABLE_NAME

/* A station and its line in the file, so that sorting keeps the file's
 * order for rows that repeat an id. */
struct listed_station {
	struct station_table_row record;
	unsigned long line_number;
};

struct station_list {
	struct listed_station *items;
	size_t count;
	size_t capacity;
};

static void station_list_free(struct station_list *list)
{
	free(list->items);
	memset(list, 0, sizeof *list);
}

static int station_list_append(struct station_list *list, const struct station_table_row *record,
                               unsigned long line_number)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 1024;
		struct listed_station *grown;

		if (list->count == STATION_ROWS_MAX)
			return -1;
		if (capacity > STATION_ROWS_MAX)
			capacity = STATION_ROWS_MAX;
		grown = reallocarray(list->items, capacity, sizeof *grown);
		if (grown == NULL)
			return -1;
		list->items = grown;
		list->capacity = capacity;
	}
	list->items[list->count].record = *record;
	list->items[list->count].line_number = line_number;
	list->count++;
	return 0;
}

static bool filter_accepts(const struct station_table *filter, const char *id)
{
	if (filter->count == 0)
		return true;
	for (int i = 0; i < filter->count; i++)
		if (strcmp(filter->items[i].id, id) == 0)
			return true;
	return false;
}

/* Appends the station of a row to list when filter accepts it. Returns 0,
 * or -1 when the list cannot grow (reported). */
static int keep_row(const char *source, unsigned long line_number,
                    const struct station_table_row *record, const struct station_table *filter,
                    struct station_list *list)
{
	if (!filter_accepts(filter, record->station_id))
		return 0;
	if (station_list_append(list, record, line_number) == 0)
		return 0;
	log_error("%s:%lu: too many rows in memory (at most %u): split the file", source,
	          line_number, STATION_ROWS_MAX);
	return -1;
}

/* Reads the station table in text (len bytes) from the file named source
 * into list. Returns 0, or -1 when the list cannot grow (reported). */
static int parse_station_text(const char *source, const char *text, size_t len,
                              const struct station_table *filter, struct station_list *list,
                              struct parse_summary *summary)
{
	struct station_table_parser parser;
	unsigned long line_number = 0;
	const char *end = text + len;

	memset(summary, 0, sizeof *summary);
	station_table_parser_init(&parser);
	for (const char *line = text; line < end;) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = newline != NULL ? (size_t)(newline - line) : (size_t)(end - line);
		struct station_table_row record;
		char error[256];

		line_number++;
		switch (station_table_parse_line(&parser, line, line_len, &record, error,
		                                 sizeof error)) {
		case STATION_TABLE_ROW:
			if (keep_row(source, line_number, &record, filter, list) != 0)
				return -1;
			summary->rows++;
			break;
		case STATION_TABLE_SKIP:
			break;
		case STATION_TABLE_BAD_ROW:
			log_warning("%s:%lu: %s; the row is skipped", source, line_number, error);
			summary->bad_rows++;
			break;
		case STATION_TABLE_BAD_FILE:
			log_error("%s:%lu: %s", source, line_number, error);
			summary->bad_file = true;
			return 0;
		}
		line += line_len + 1;
	}

	if (!parser.have_header) {
		log_error("%s: the file is empty: expected a station table with a "
		          "'# STATION_ID | ...' header line", source);
		summary->bad_file = true;
	}
	return 0;
}

static int compare_stations(const void *left, const void *right)
{
	const struct listed_station *a = left;
	const struct listed_station *b = right;
	int order = strcmp(a->record.station_id, b->record.station_id);

	if (order != 0)
		return order;
	return (a->line_number > b->line_number) - (a->line_number < b->line_number);
}

static bool list_has(const struct station_list *list, const char *id)
{
	for (size_t i = 0; i < list->count; i++)
		if (strcmp(list->items[i].record.station_id, id) == 0)
			return true;
	return false;
}

/* Warns about each station of the filter that the table does not list. */
static void report_missing(const char *source, const struct station_table *filter,
                           const struct station_list *list)
{
	for (int i = 0; i < filter->count; i++)
		if (!list_has(list, filter->items[i].id))
			log_warning("%s: station %s is not in the table", source, filter->items[i].id);
}

/* Prints the stations of list sorted by id. Returns 0, or -1 when writing
 * failed (recorded in outcome). */
static int print_stations(struct station_list *list, struct outcome *outcome)
{
	if (list->count > 0)
		qsort(list->items, list->count, sizeof list->items[0], compare_stations);
	for (size_t i = 0; i < list->count; i++) {
		jv text = jv_dump_string(station_table_row_to_jv(&list->items[i].record), 0);
		int written = fprintf(stdout, "%s\n", jv_string_value(text));

		jv_free(text);
		if (written < 0)
			return outcome_fail_write(outcome);
	}
	return fflush(stdout) == 0 ? 0 : outcome_fail_write(outcome);
}

/* Parses and prints one station table held in memory. */
static void print_table(const char *source, const char *text, size_t len,
                        const struct station_table *filter, struct outcome *outcome)
{
	struct station_list list = { 0 };
	struct parse_summary summary;

	if (parse_station_text(source, text, len, filter, &list, &summary) != 0) {
		outcome->bad_data++;
		goto cleanup;
	}
	outcome_add_parse(outcome, &summary);
	if (summary.bad_file)
		goto cleanup;
	report_missing(source, filter, &list);
	print_stations(&list, outcome);

cleanup:
	station_list_free(&list);
}

void stations_read_file(const char *path, const struct station_table *filter,
                        struct outcome *outcome)
{
	struct http_body body = { 0 };
	char error[256];

	if (read_whole_file(path, &body, error, sizeof error) != 0) {
		log_error("cannot read %s: %s", path, error);
		outcome->no_input++;
	} else {
		print_table(path, body.data != NULL ? body.data : "", body.len, filter, outcome);
	}
	http_body_free(&body);
}

static void fetch_table(struct http_client *client, const struct poll_settings *settings,
                        const char *url, struct http_validators *validators,
                        const struct station_table *filter, struct outcome *outcome)
{
	struct http_body body = { 0 };
	char error[URL_MAX + 256];

	switch (fetch_with_retries(client, url, settings, validators, &body, error, sizeof error)) {
	case HTTP_NOT_MODIFIED:
		log_debug("%s: not modified since the last request", url);
		outcome->succeeded++;
		break;
	case HTTP_FAILED:
		log_error("cannot fetch " TABLE_NAME ": %s", error);
		outcome->unavailable++;
		break;
	case HTTP_FETCHED:
		print_table(url, body.data != NULL ? body.data : "", body.len, filter, outcome);
		break;
	}
	http_body_free(&body);
}

int stations_poll(const struct poll_settings *settings, const struct station_table *filter,
                  struct http_validators *validators, struct outcome *outcome)
{
	struct http_client *client = http_client_new(settings->timeout_ms);
	char url[URL_MAX];

	if (client == NULL)
		return -1;
	fetch_build_url(settings->base_url, TABLE_PATH, url);

	for (;;) {
		fetch_table(client, settings, url, validators, filter, outcome);
		if (settings->interval_ms == 0 || stop_signal_received() || outcome->output_failed)
			break;
		fetch_wait_ms(settings->interval_ms);
	}
	http_client_free(client);
	return 0;
}
