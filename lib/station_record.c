#include "station_record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observation.h"

static bool has_key(jv object, const char *key)
{
	return jv_object_has(jv_copy(object), jv_string(key));
}

bool station_record_matches(jv object)
{
	return jv_get_kind(object) == JV_KIND_OBJECT && has_key(object, "lat") &&
	       has_key(object, "lon") && !has_key(object, "timestamp");
}

/* Reads an optional string into *out (NULL for null or absent). PostgreSQL
 * text cannot hold a NUL character, so a string with "\u0000" is invalid. */
static bool read_text(jv object, const char *key, char **out, char *error, size_t error_size)
{
	jv value = jv_object_get(jv_copy(object), jv_string(key));
	jv_kind kind = jv_get_kind(value);
	bool valid = true;

	if (kind == JV_KIND_STRING) {
		size_t len = (size_t)jv_string_length_bytes(jv_copy(value));

		if (strlen(jv_string_value(value)) != len) {
			snprintf(error, error_size, "%s contains a NUL character", key);
			valid = false;
		} else if ((*out = strdup(jv_string_value(value))) == NULL) {
			snprintf(error, error_size, "cannot copy %s: out of memory", key);
			valid = false;
		}
	} else if (kind != JV_KIND_NULL && kind != JV_KIND_INVALID) {
		snprintf(error, error_size, "%s is %s: expected a string or null", key,
		         jv_kind_name(kind));
		valid = false;
	}
	jv_free(value);
	return valid;
}

/* Reads "lat" or "lon", which must be present: a number within
 * [-limit, limit], or null. */
static bool read_degrees(jv object, const char *key, double limit, double *out, bool *present,
                         char *error, size_t error_size)
{
	jv value = jv_object_get(jv_copy(object), jv_string(key));
	jv_kind kind = jv_get_kind(value);
	bool valid = true;

	if (kind == JV_KIND_NUMBER && fabs(jv_number_value(value)) <= limit) {
		*out = jv_number_value(value);
		*present = true;
	} else if (kind == JV_KIND_NUMBER) {
		snprintf(error, error_size, "%s is out of range: expected a number from %g to %g "
		         "or null", key, -limit, limit);
		valid = false;
	} else if (kind != JV_KIND_NULL) {
		snprintf(error, error_size, "%s is %s: expected a number or null", key,
		         kind == JV_KIND_INVALID ? "missing" : jv_kind_name(kind));
		valid = false;
	}
	jv_free(value);
	return valid;
}

bool station_record_from_jv(jv object, struct station_record *record, char *error,
                            size_t error_size)
{
	bool valid = false;

	memset(record, 0, sizeof *record);
	if (jv_get_kind(object) != JV_KIND_OBJECT) {
		snprintf(error, error_size, "expected a JSON object, found %s",
		         jv_kind_name(jv_get_kind(object)));
		goto cleanup;
	}
	valid = observation_read_station_id(object, record->station_id, error, error_size) &&
	        read_degrees(object, "lat", 90, &record->lat, &record->has_lat, error, error_size) &&
	        read_degrees(object, "lon", 180, &record->lon, &record->has_lon, error, error_size) &&
	        read_text(object, "name", &record->name, error, error_size) &&
	        read_text(object, "owner", &record->owner, error, error_size) &&
	        read_text(object, "type", &record->type, error, error_size);

cleanup:
	jv_free(object);
	if (!valid)
		station_record_free(record);
	return valid;
}

void station_record_free(struct station_record *record)
{
	free(record->name);
	free(record->owner);
	free(record->type);
	record->name = NULL;
	record->owner = NULL;
	record->type = NULL;
}
