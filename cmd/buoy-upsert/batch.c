#include "batch.h"

#include <stdlib.h>
#include <string.h>

/* First size of the text buffer. It doubles up to BATCH_TEXT_MAX. */
#define TEXT_INITIAL_CAPACITY (64u * 1024)

/* First size of the station array. It doubles up to max_rows. */
#define STATIONS_INITIAL_CAPACITY 64

int batch_init(struct batch *batch, size_t max_rows)
{
	memset(batch, 0, sizeof *batch);
	batch->max_rows = max_rows;
	batch->rows = calloc(max_rows, sizeof *batch->rows);
	batch->unique = calloc(max_rows, sizeof *batch->unique);
	if (batch->rows == NULL || batch->unique == NULL) {
		batch_free(batch);
		return -1;
	}
	return 0;
}

void batch_free(struct batch *batch)
{
	batch_clear(batch);
	free(batch->rows);
	free(batch->unique);
	free(batch->text);
	free(batch->stations);
	memset(batch, 0, sizeof *batch);
}

bool batch_has_room(const struct batch *batch, size_t len)
{
	return batch->count + batch->station_count < batch->max_rows &&
	       len <= BATCH_TEXT_MAX - batch->text_len - batch->station_bytes;
}

static int reserve_text(struct batch *batch, size_t len)
{
	size_t needed = batch->text_len + len;
	size_t capacity = batch->text_capacity > 0 ? batch->text_capacity : TEXT_INITIAL_CAPACITY;
	char *text;

	if (needed <= batch->text_capacity)
		return 0;
	while (capacity < needed)
		capacity *= 2;
	if (capacity > BATCH_TEXT_MAX)
		capacity = BATCH_TEXT_MAX;

	text = realloc(batch->text, capacity);
	if (text == NULL)
		return -1;
	batch->text = text;
	batch->text_capacity = capacity;
	return 0;
}

int batch_add(struct batch *batch, const struct observation *obs, const char *line, size_t len)
{
	struct batch_row *row = &batch->rows[batch->count];

	if (reserve_text(batch, len) != 0)
		return -1;
	if (len > 0)
		memcpy(batch->text + batch->text_len, line, len);

	row->obs = *obs;
	row->line_start = batch->text_len;
	row->line_len = len;
	row->outcome = ROW_UNCHANGED;
	row->differs_from_line = false;
	batch->text_len += len;
	batch->count++;
	return 0;
}

static int reserve_station(struct batch *batch)
{
	size_t capacity = batch->station_capacity > 0 ? batch->station_capacity * 2 :
	                  STATIONS_INITIAL_CAPACITY;
	struct batch_station *stations;

	if (batch->station_count < batch->station_capacity)
		return 0;
	if (capacity > batch->max_rows)
		capacity = batch->max_rows;

	stations = reallocarray(batch->stations, capacity, sizeof *stations);
	if (stations == NULL)
		return -1;
	batch->stations = stations;
	batch->station_capacity = capacity;
	return 0;
}

int batch_add_station(struct batch *batch, struct station_record *station, size_t len)
{
	struct batch_station *entry;

	if (reserve_station(batch) != 0)
		return -1;

	entry = &batch->stations[batch->station_count];
	entry->record = *station;
	entry->seq = batch->count + batch->station_count;
	memset(station, 0, sizeof *station);
	batch->station_count++;
	batch->station_bytes += len;
	return 0;
}

/* Orders rows by station, then time, then input order: the rows live in
 * one array, so a higher address is a later line. */
static int compare_rows(const void *left, const void *right)
{
	const struct batch_row *a = *(const struct batch_row *const *)left;
	const struct batch_row *b = *(const struct batch_row *const *)right;
	int by_station = strcmp(a->obs.station_id, b->obs.station_id);

	if (by_station != 0)
		return by_station;
	if (a->obs.observed_at != b->obs.observed_at)
		return a->obs.observed_at < b->obs.observed_at ? -1 : 1;
	return a < b ? -1 : a > b;
}

static bool same_key(const struct batch_row *a, const struct batch_row *b)
{
	return a->obs.observed_at == b->obs.observed_at &&
	       strcmp(a->obs.station_id, b->obs.station_id) == 0;
}

/* Fills the measurements that last lacks from earlier, an earlier line of
 * the same key. Called from the latest earlier line back, so each value
 * comes from the latest line that has one. */
static void fill_from_earlier(struct batch_row *last, const struct batch_row *earlier)
{
	if (observation_fill_missing(&last->obs, &earlier->obs))
		last->differs_from_line = true;
}

static void select_unique_rows(struct batch *batch)
{
	size_t unique_count = 0;
	size_t run_start = 0;

	for (size_t i = 0; i < batch->count; i++)
		batch->unique[i] = &batch->rows[i];
	qsort(batch->unique, batch->count, sizeof *batch->unique, compare_rows);

	/* Within a run of equal keys the last row is the latest line. */
	for (size_t i = 0; i < batch->count; i++) {
		struct batch_row *last = batch->unique[i];

		if (i + 1 < batch->count && same_key(last, batch->unique[i + 1]))
			continue;
		for (size_t k = i; k > run_start; k--)
			fill_from_earlier(last, batch->unique[k - 1]);
		batch->unique[unique_count++] = last;
		run_start = i + 1;
	}
	batch->unique_count = unique_count;
}

static int compare_stations(const void *left, const void *right)
{
	const struct batch_station *a = left;
	const struct batch_station *b = right;
	int by_id = strcmp(a->record.station_id, b->record.station_id);

	if (by_id != 0)
		return by_id;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void take_text(char **into, char **from)
{
	if (*into == NULL) {
		*into = *from;
		*from = NULL;
	}
}

/* Fills what last lacks from earlier, taking over earlier's strings. */
static void fill_station(struct station_record *last, struct station_record *earlier)
{
	take_text(&last->name, &earlier->name);
	take_text(&last->owner, &earlier->owner);
	take_text(&last->type, &earlier->type);
	if (!last->has_lat && earlier->has_lat) {
		last->lat = earlier->lat;
		last->has_lat = true;
	}
	if (!last->has_lon && earlier->has_lon) {
		last->lon = earlier->lon;
		last->has_lon = true;
	}
}

static void select_unique_stations(struct batch *batch)
{
	size_t unique_count = 0;
	size_t run_start = 0;

	if (batch->station_count == 0)
		return;   /* stations is NULL until the first station record */

	qsort(batch->stations, batch->station_count, sizeof *batch->stations, compare_stations);
	for (size_t i = 0; i < batch->station_count; i++) {
		struct station_record *last = &batch->stations[i].record;

		if (i + 1 < batch->station_count &&
		    strcmp(last->station_id, batch->stations[i + 1].record.station_id) == 0)
			continue;
		for (size_t k = i; k > run_start; k--) {
			fill_station(last, &batch->stations[k - 1].record);
			station_record_free(&batch->stations[k - 1].record);
		}
		batch->stations[unique_count++] = batch->stations[i];
		run_start = i + 1;
	}
	batch->station_count = unique_count;
}

void batch_select_unique(struct batch *batch)
{
	select_unique_rows(batch);
	select_unique_stations(batch);
}

struct batch_row *batch_find_unique(const struct batch *batch, const char *station_id,
                                    time_t observed_at)
{
	size_t low = 0;
	size_t high = batch->unique_count;

	while (low < high) {
		size_t middle = low + (high - low) / 2;
		struct batch_row *row = batch->unique[middle];
		int order = strcmp(row->obs.station_id, station_id);

		if (order == 0 && row->obs.observed_at != observed_at)
			order = row->obs.observed_at < observed_at ? -1 : 1;
		if (order == 0)
			return row;
		if (order < 0)
			low = middle + 1;
		else
			high = middle;
	}
	return NULL;
}

void batch_clear(struct batch *batch)
{
	for (size_t i = 0; i < batch->station_count; i++)
		station_record_free(&batch->stations[i].record);
	batch->count = 0;
	batch->text_len = 0;
	batch->unique_count = 0;
	batch->station_count = 0;
	batch->station_bytes = 0;
	batch->stations_inserted = 0;
	batch->stations_updated = 0;
}
