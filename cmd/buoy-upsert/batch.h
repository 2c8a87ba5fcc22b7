/*
 * The records read since the last commit: observations with the input
 * line of each, so that the lines of new and changed rows can be printed
 * in input order, and station records, which are stored but not printed.
 */
#ifndef BUOY_UPSERT_BATCH_H
#define BUOY_UPSERT_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "observation.h"
#include "station_record.h"

/* Largest --batch-size. */
#define BATCH_ROWS_MAX 100000

/* Maximum bytes of input lines one batch keeps; a batch whose lines reach
 * it is committed early, whatever --batch-size is. */
#define BATCH_TEXT_MAX (16u * 1024 * 1024)

enum row_outcome {
	ROW_UNCHANGED,      /* stored values equal, or a later line has its key */
	ROW_INSERTED,
	ROW_UPDATED,
};

struct batch_row {
	/* The line's values; for the last line of a key, after
	 * batch_select_unique, the values to store, and after the store
	 * returns, the values as stored. */
	struct observation obs;
	size_t line_start;           /* offset of the line in batch.text */
	size_t line_len;             /* without the newline */
	enum row_outcome outcome;
	bool differs_from_line;      /* obs has values other than the line's */
};

struct batch_station {
	struct station_record record;
	size_t seq;                  /* the record's position in input order */
};

struct batch {
	struct batch_row *rows;      /* in input order */
	size_t count;
	size_t max_rows;             /* of rows and stations together */
	char *text;                  /* the input lines, back to back */
	size_t text_len;
	size_t text_capacity;
	struct batch_row **unique;   /* see batch_select_unique */
	size_t unique_count;

	struct batch_station *stations;    /* in input order, then see batch_select_unique */
	size_t station_count;
	size_t station_capacity;
	size_t station_bytes;        /* line bytes of the station records */
	size_t stations_inserted;    /* set when the batch is stored */
	size_t stations_updated;
};

/* Returns 0, or -1 when memory runs out. */
int batch_init(struct batch *batch, size_t max_rows);
void batch_free(struct batch *batch);

/* Returns true when one more record, from a line of len bytes, fits. */
bool batch_has_room(const struct batch *batch, size_t len);

/* Appends an observation and a copy of its line. The caller checks
 * batch_has_room first. Returns 0, or -1 when memory runs out. */
int batch_add(struct batch *batch, const struct observation *obs, const char *line, size_t len);

/* Appends a station record read from a line of len bytes, taking over its
 * strings. The caller checks batch_has_room first. Returns 0, or -1 when
 * memory runs out, and then the caller still owns the record. */
int batch_add_station(struct batch *batch, struct station_record *station, size_t len);

/*
 * Merges records that share a key: observations by station and time,
 * station records by station. For each value the latest non-null one in
 * input order wins. Then fills batch->unique with the last row of each
 * observation key, sorted by key, holding the merged values, and leaves
 * stations[0 .. station_count) with one merged record per station, sorted
 * by id.
 */
void batch_select_unique(struct batch *batch);

/* Returns the row of unique whose key is (station_id, observed_at), or
 * NULL. Call after batch_select_unique. */
struct batch_row *batch_find_unique(const struct batch *batch, const char *station_id,
                                    time_t observed_at);

/* Empties the batch, keeping its memory. */
void batch_clear(struct batch *batch);

#endif
