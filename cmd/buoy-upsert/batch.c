#include "batch.h"

#include <stdlib.h>
#include <string.h>

/* First size of the text buffer. It doubles up to BATCH_TEXT_MAX. */
#define TEXT_INITIAL_CAPACITY (64u * 1024)

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
	free(batch->rows);
	free(batch->unique);
	free(batch->text);
	memset(batch, 0, sizeof *batch);
}

bool batch_has_room(const struct batch *batch, size_t len)
{
	return batch->count < batch->max_rows && len <= BATCH_TEXT_MAX - batch->text_len;
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
	batch->text_len += len;
	batch->count++;
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

void batch_select_unique(struct batch *batch)
{
	size_t unique_count = 0;

	for (size_t i = 0; i < batch->count; i++)
		batch->unique[i] = &batch->rows[i];
	qsort(batch->unique, batch->count, sizeof *batch->unique, compare_rows);

	/* Within a run of equal keys the last row is the latest line. */
	for (size_t i = 0; i < batch->count; i++) {
		bool last_of_key = i + 1 == batch->count ||
		                   !same_key(batch->unique[i], batch->unique[i + 1]);

		if (last_of_key)
			batch->unique[unique_count++] = batch->unique[i];
	}
	batch->unique_count = unique_count;
}

void batch_clear(struct batch *batch)
{
	batch->count = 0;
	batch->text_len = 0;
	batch->unique_count = 0;
}
