#include "observation.h"

#include <math.h>
#include <string.h>

#include "observation_line.h"
#include "timefmt.h"

const struct obs_field_info obs_fields[OBS_FIELD_COUNT] = {
	[OBS_WAVE_HEIGHT] = { "waveHeightM", "wave_height_m", { "WVHT" }, 99 },
	[OBS_WIND_SPEED] = { "windSpeedMps", "wind_speed_mps", { "WSPD" }, 99 },
	[OBS_WIND_DIR] = { "windDirDeg", "wind_dir_deg", { "WDIR", "WD" }, 999 },
	[OBS_WATER_TEMP] = { "waterTempC", "water_temp_c", { "WTMP" }, 999 },
	[OBS_PRESSURE] = { "pressureHpa", "pressure_hpa", { "PRES", "BAR" }, 9999 },
	[OBS_GUST] = { "gustMps", "gust_mps", { "GST" }, 99 },
	[OBS_DOMINANT_PERIOD] = { "dominantPeriodS", "dominant_period_s", { "DPD" }, 99 },
	[OBS_AVERAGE_PERIOD] = { "averagePeriodS", "average_period_s", { "APD" }, 99 },
	[OBS_MEAN_WAVE_DIR] = { "meanWaveDirDeg", "mean_wave_dir_deg", { "MWD" }, 999 },
	[OBS_AIR_TEMP] = { "airTempC", "air_temp_c", { "ATMP" }, 999 },
	[OBS_DEW_POINT] = { "dewPointC", "dew_point_c", { "DEWP" }, 999 },
	[OBS_VISIBILITY] = { "visibilityNmi", "visibility_nmi", { "VIS" }, 99 },
	/* Pressure tendency has no 9-filled form: only realtime files carry
	 * it, and they write MM. NAN never compares equal, so nothing matches. */
	[OBS_PRESSURE_TENDENCY] = { "pressureTendencyHpa", "pressure_tendency_hpa", { "PTDY" }, NAN },
	[OBS_TIDE] = { "tideFt", "tide_ft", { "TIDE" }, 99 },
};

int observation_field_for_column(const char *name)
{
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		for (const char *const *alias = obs_fields[field].ndbc_names; *alias != NULL; alias++)
			if (strcmp(name, *alias) == 0)
				return field;
	return -1;
}

jv observation_to_jv(const struct observation *obs)
{
	char timestamp[TIMEFMT_ISO_SIZE];
	jv object = jv_object();

	timefmt_iso8601(obs->observed_at, timestamp);
	object = jv_object_set(object, jv_string("stationId"), jv_string(obs->station_id));
	object = jv_object_set(object, jv_string("timestamp"), jv_string(timestamp));
	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		jv value = observation_has(obs, field) ? jv_number(obs->value[field]) : jv_null();

		object = jv_object_set(object, jv_string(obs_fields[field].json_name), value);
	}
	return object;
}

int observation_write_json(const struct observation *obs, FILE *out)
{
	char line[OBSERVATION_LINE_MAX];
	size_t len = observation_line_format(obs, line);

	/* A line-buffered stream reports a failed flush through ferror only:
	 * fwrite still counts the bytes it buffered. */
	if (fwrite(line, 1, len, out) != len || ferror(out))
		return -1;
	return 0;
}

bool observation_fill_missing(struct observation *obs, const struct observation *from)
{
	bool filled = false;

	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		if (observation_has(obs, field) || !observation_has(from, field))
			continue;
		observation_set(obs, field, from->value[field]);
		filled = true;
	}
	return filled;
}

bool observation_read_station_id(jv object, char out[STATION_ID_MAX + 1], char *error,
                                 size_t error_size)
{
	jv id = jv_object_get(jv_copy(object), jv_string("stationId"));
	bool valid = jv_get_kind(id) == JV_KIND_STRING &&
	             station_id_normalize(jv_string_value(id),
	                                  (size_t)jv_string_length_bytes(jv_copy(id)), out);

	if (!valid)
		snprintf(error, error_size, "stationId is missing or not a station id "
		         "(1 to %d letters and digits)", STATION_ID_MAX);
	jv_free(id);
	return valid;
}

static bool read_timestamp(jv object, struct observation *obs, char *error, size_t error_size)
{
	jv timestamp = jv_object_get(jv_copy(object), jv_string("timestamp"));
	bool valid = jv_get_kind(timestamp) == JV_KIND_STRING &&
	             timefmt_parse_iso8601(jv_string_value(timestamp), &obs->observed_at);

	if (!valid)
		snprintf(error, error_size, "timestamp is missing or not a UTC time "
		         "written as YYYY-MM-DDTHH:MM:SSZ");
	jv_free(timestamp);
	return valid;
}

static bool read_measurement(jv object, int field, struct observation *obs,
                             char *error, size_t error_size)
{
	const char *name = obs_fields[field].json_name;
	jv value = jv_object_get(jv_copy(object), jv_string(name));
	jv_kind kind = jv_get_kind(value);
	bool valid = true;

	if (kind == JV_KIND_NUMBER && isfinite(jv_number_value(value))) {
		observation_set(obs, field, jv_number_value(value));
	} else if (kind == JV_KIND_NUMBER) {
		snprintf(error, error_size, "%s is out of range: expected a finite number or null",
		         name);
		valid = false;
	} else if (kind == JV_KIND_INVALID && field >= OBS_REQUIRED_MEASUREMENTS) {
		/* An optional field that is absent reads as null. */
	} else if (kind != JV_KIND_NULL) {
		snprintf(error, error_size, "%s is %s: expected a number or null", name,
		         kind == JV_KIND_INVALID ? "missing" : jv_kind_name(kind));
		valid = false;
	}
	jv_free(value);
	return valid;
}

bool observation_from_jv(jv object, struct observation *obs, char *error, size_t error_size)
{
	bool valid = false;

	memset(obs, 0, sizeof *obs);
	if (jv_get_kind(object) != JV_KIND_OBJECT) {
		snprintf(error, error_size, "expected a JSON object, found %s",
		         jv_kind_name(jv_get_kind(object)));
		goto cleanup;
	}
	if (!observation_read_station_id(object, obs->station_id, error, error_size) ||
	    !read_timestamp(object, obs, error, error_size))
		goto cleanup;
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		if (!read_measurement(object, field, obs, error, error_size))
			goto cleanup;
	valid = true;

cleanup:
	jv_free(object);
	return valid;
}
