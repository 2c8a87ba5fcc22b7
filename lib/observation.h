/*
 * The observation record: one station's measurements at one time.
 *
 * A measurement NDBC did not report is absent from `present` and written as
 * JSON null. Values are doubles parsed from NDBC's decimal text. Printed
 * in the shortest form that reads back as the same double, they give the
 * digits NDBC wrote (1.7 for "01.70", 0.69 for ".69").
 */
#ifndef BUOY_OBSERVATION_H
#define BUOY_OBSERVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jv.h>

#include "station_id.h"

enum obs_field {
	OBS_WAVE_HEIGHT,
	OBS_WIND_SPEED,
	OBS_WIND_DIR,
	OBS_WATER_TEMP,
	OBS_PRESSURE,
	OBS_GUST,
	OBS_DOMINANT_PERIOD,
	OBS_AVERAGE_PERIOD,
	OBS_MEAN_WAVE_DIR,
	OBS_AIR_TEMP,
	OBS_DEW_POINT,
	OBS_VISIBILITY,
	OBS_PRESSURE_TENDENCY,
	OBS_TIDE,
	OBS_FIELD_COUNT
};

/* The first OBS_REQUIRED_MEASUREMENTS fields, with stationId and timestamp,
 * are the stream's required fields. */
#define OBS_REQUIRED_MEASUREMENTS 5

struct obs_field_info {
	const char *json_name;       /* "waveHeightM" */
	const char *sql_column;      /* "wave_height_m" */
	const char *ndbc_names[3];   /* header names, NULL-terminated */
	double sentinel;             /* 9-filled "missing" value of old files */
};

extern const struct obs_field_info obs_fields[OBS_FIELD_COUNT];

struct observation {
	char station_id[STATION_ID_MAX + 1];
	time_t observed_at;
	double value[OBS_FIELD_COUNT];
	uint32_t present;            /* bit i set: value[i] was reported */
};

static inline bool observation_has(const struct observation *obs, enum obs_field field)
{
	return (obs->present >> field) & 1u;
}

static inline void observation_set(struct observation *obs, enum obs_field field, double value)
{
	obs->value[field] = value;
	obs->present |= 1u << field;
}

/* Copies into obs the measurements it lacks and from has: the merge of two
 * rows of one station and time, obs being the one whose values win.
 * Returns true when it copied any. */
bool observation_fill_missing(struct observation *obs, const struct observation *from);

/* Returns the field whose NDBC header name is name, or -1. */
int observation_field_for_column(const char *name);

/* Builds the JSON object of the record, every field present, in the
 * documented order. */
jv observation_to_jv(const struct observation *obs);

/* Writes the record as one JSON line (with '\n') to out: the text of
 * observation_to_jv, formatted by observation_line_format without libjq.
 * Returns 0, or -1 with errno set when writing failed. */
int observation_write_json(const struct observation *obs, FILE *out);

/* Reads the "stationId" of object, which is not consumed, normalized into
 * out. Returns false with a message in error when it is missing or not a
 * station id. Station records use it too. */
bool observation_read_station_id(jv object, char out[STATION_ID_MAX + 1], char *error,
                                 size_t error_size);

/*
 * Reads a record from a parsed JSON object. Unknown keys are ignored;
 * missing optional measurements are read as null. Consumes object.
 * Returns false with a message in error naming the first bad field.
 */
bool observation_from_jv(jv object, struct observation *obs, char *error, size_t error_size);

#endif
