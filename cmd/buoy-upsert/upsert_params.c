#include "upsert_params.h"

#include <limits.h>
#include <string.h>

enum {
	PARAM_STATION_ID,
	PARAM_OBSERVED_AT,
	PARAM_FIRST_MEASUREMENT,
	PARAM_STATION_RECORD_ID = SCHEMA_STATION_PARAM_FIRST - 1,
	PARAM_NAME,
	PARAM_LAT,
	PARAM_LON,
	PARAM_OWNER,
	PARAM_TYPE,
};

static void reset_arrays(struct upsert_params *params)
{
	pg_array_reset(&params->arrays[PARAM_STATION_ID], PG_OID_TEXT);
	pg_array_reset(&params->arrays[PARAM_OBSERVED_AT], PG_OID_TIMESTAMPTZ);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		pg_array_reset(&params->arrays[PARAM_FIRST_MEASUREMENT + field], PG_OID_FLOAT8);

	pg_array_reset(&params->arrays[PARAM_STATION_RECORD_ID], PG_OID_TEXT);
	pg_array_reset(&params->arrays[PARAM_NAME], PG_OID_TEXT);
	pg_array_reset(&params->arrays[PARAM_LAT], PG_OID_FLOAT8);
	pg_array_reset(&params->arrays[PARAM_LON], PG_OID_FLOAT8);
	pg_array_reset(&params->arrays[PARAM_OWNER], PG_OID_TEXT);
	pg_array_reset(&params->arrays[PARAM_TYPE], PG_OID_TEXT);
}

static int add_observation(struct upsert_params *params, const struct observation *obs)
{
	int failed = pg_array_add_text(&params->arrays[PARAM_STATION_ID], obs->station_id) |
	             pg_array_add_timestamptz(&params->arrays[PARAM_OBSERVED_AT], obs->observed_at);

	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		struct pg_array *array = &params->arrays[PARAM_FIRST_MEASUREMENT + field];

		if (observation_has(obs, field))
			failed |= pg_array_add_float8(array, obs->value[field]);
		else
			failed |= pg_array_add_null(array);
	}
	return failed != 0 ? -1 : 0;
}

static int add_text_or_null(struct pg_array *array, const char *text)
{
	return text != NULL ? pg_array_add_text(array, text) : pg_array_add_null(array);
}

static int add_degrees(struct pg_array *array, bool present, double value)
{
	return present ? pg_array_add_float8(array, value) : pg_array_add_null(array);
}

static int add_station(struct upsert_params *params, const struct station_record *station)
{
	int failed = pg_array_add_text(&params->arrays[PARAM_STATION_RECORD_ID], station->station_id) |
	             add_text_or_null(&params->arrays[PARAM_NAME], station->name) |
	             add_degrees(&params->arrays[PARAM_LAT], station->has_lat, station->lat) |
	             add_degrees(&params->arrays[PARAM_LON], station->has_lon, station->lon) |
	             add_text_or_null(&params->arrays[PARAM_OWNER], station->owner) |
	             add_text_or_null(&params->arrays[PARAM_TYPE], station->type);

	return failed != 0 ? -1 : 0;
}

/* Points the libpq arguments at the finished arrays. A batch has at most
 * BATCH_TEXT_MAX bytes of lines and BATCH_ROWS_MAX rows, so each array is
 * far below INT_MAX bytes. */
static int finish_arrays(struct upsert_params *params)
{
	for (int i = 0; i < SCHEMA_PARAM_COUNT; i++) {
		struct pg_array *array = &params->arrays[i];

		if (pg_array_finish(array) != 0 || array->len > INT_MAX)
			return -1;
		params->values[i] = (const char *)array->data;
		params->lengths[i] = (int)array->len;
		params->formats[i] = 1;
	}
	return 0;
}

int upsert_params_build(struct upsert_params *params, const struct batch *batch)
{
	reset_arrays(params);
	for (size_t i = 0; i < batch->unique_count; i++)
		if (add_observation(params, &batch->unique[i]->obs) != 0)
			return -1;
	for (size_t i = 0; i < batch->station_count; i++)
		if (add_station(params, &batch->stations[i].record) != 0)
			return -1;
	return finish_arrays(params);
}

void upsert_params_free(struct upsert_params *params)
{
	for (int i = 0; i < SCHEMA_PARAM_COUNT; i++)
		pg_array_free(&params->arrays[i]);
}
