/*
 * Checking NDJSON lines between programs.
 *
 * buoy-publish, buoy-sub and buoy-sse check each line's required fields and
 * pass the line on unchanged, unknown fields included. A status line, which
 * buoy-sub writes when its Redis connection goes down or comes back, is a
 * JSON object with an "upstream" key ("up" or "down") and no "stationId":
 *
 *   {"upstream":"down","reason":"...","timestamp":"2026-12-04T19:30:00Z"}
 */
#ifndef BUOY_RECORD_H
#define BUOY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "station_id.h"

/* Maximum length of a line any program accepts, newline excluded. */
#define RECORD_LINE_MAX 65536

enum record_kind {
	RECORD_INVALID,
	RECORD_OBSERVATION,
	RECORD_STATUS,
	RECORD_BLANK,
};

struct record_info {
	char station_id[STATION_ID_MAX + 1];   /* observation: normalized id */
	time_t observed_at;                     /* observation: its time */
	bool upstream_up;                       /* status: the upstream state */
};

/*
 * Classifies one line (without its newline; a trailing '\r' is ignored)
 * and checks an observation's required fields. Returns RECORD_INVALID with
 * a message in error naming the bad field.
 */
enum record_kind record_check_line(const char *line, size_t len, struct record_info *info,
                                   char *error, size_t error_size);

/* Formats a status line (with its '\n') into out. Returns its length, or
 * 0 when out is too small. */
size_t record_format_status(bool upstream_up, const char *reason, time_t now,
                            char *out, size_t out_size);

#endif
