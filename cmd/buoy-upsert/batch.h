/*
 * The observations read since the last commit, with the input line of each,
 * so that the lines the database reports as new or changed can be printed
 * byte for byte and in input order.
 */
#ifndef BUOY_UPSERT_BATCH_H
#define BUOY_UPSERT_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "observation.h"

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
	struct observation obs;
	size_t line_start;           /* offset of the line in batch.text */
	size_t line_len;             /* without the newline */
	enum row_outcome outcome;
};

struct batch {
	struct batch_row *rows;      /* in input order */
	size_t count;
	size_t max_rows;
	char *text;                  /* the input lines, back to back */
	size_t text_len;
	size_t text_capacity;
	const struct batch_row **unique;   /* see batch_select_unique */
	size_t unique_count;
};

/* Returns 0, or -1 when memory runs out. */
int batch_init(struct batch *batch, size_t max_rows);
void batch_free(struct batch *batch);

/* Returns true when a line of len bytes still fits. */
bool batch_has_room(const struct batch *batch, size_t len);

/* Appends an observation and a copy of its line. The caller checks
 * batch_has_room first. Returns 0, or -1 when memory runs out. */
int batch_add(struct batch *batch, const struct observation *obs, const char *line, size_t len);

/* Fills batch->unique with one row per (station, time), sorted by that key:
 * of rows sharing a key, the last in input order. */
void batch_select_unique(struct batch *batch);

/* Empties the batch, keeping its memory. */
void batch_clear(struct batch *batch);

#endif
