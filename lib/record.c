#include "record.h"

#include <stdio.h>
#include <string.h>

#include <jv.h>

#include "json_check.h"
#include "observation.h"
#include "timefmt.h"

static enum record_kind check_status(jv object, struct record_info *info,
                                     char *error, size_t error_size)
{
	jv upstream = jv_object_get(jv_copy(object), jv_string("upstream"));
	enum record_kind kind = RECORD_INVALID;

	if (jv_get_kind(upstream) == JV_KIND_STRING) {
		const char *state = jv_string_value(upstream);

		if (strcmp(state, "up") == 0 || strcmp(state, "down") == 0) {
			info->upstream_up = strcmp(state, "up") == 0;
			kind = RECORD_STATUS;
		}
	}
	if (kind == RECORD_INVALID)
		snprintf(error, error_size, "status line: upstream must be \"up\" or \"down\"");

	jv_free(upstream);
	jv_free(object);
	return kind;
}

static bool is_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t')
			return false;
	return true;
}

enum record_kind record_check_line(const char *line, size_t len, struct record_info *info,
                                   char *error, size_t error_size)
{
	struct observation obs;
	jv object;

	memset(info, 0, sizeof *info);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (is_blank(line, len))
		return RECORD_BLANK;
	if (len > RECORD_LINE_MAX) {
		snprintf(error, error_size, "line is longer than %d bytes", RECORD_LINE_MAX);
		return RECORD_INVALID;
	}

	if (!json_check_strict(line, len, error, error_size)) {
		char problem[200];

		snprintf(problem, sizeof problem, "%s", error);
		snprintf(error, error_size, "not valid JSON: %s", problem);
		return RECORD_INVALID;
	}

	object = jv_parse_sized(line, (int)len);
	if (!jv_is_valid(object)) {
		jv message = jv_invalid_get_msg(object);

		snprintf(error, error_size, "not valid JSON: %s",
		         jv_get_kind(message) == JV_KIND_STRING ? jv_string_value(message) : "parse error");
		jv_free(message);
		return RECORD_INVALID;
	}

	if (jv_get_kind(object) == JV_KIND_OBJECT) {
		jv station = jv_object_get(jv_copy(object), jv_string("stationId"));
		bool has_station = jv_is_valid(station);

		jv_free(station);
		if (!has_station && jv_object_has(jv_copy(object), jv_string("upstream")))
			return check_status(object, info, error, error_size);
	}

	if (!observation_from_jv(object, &obs, error, error_size))
		return RECORD_INVALID;
	memcpy(info->station_id, obs.station_id, sizeof info->station_id);
	info->observed_at = obs.observed_at;
	return RECORD_OBSERVATION;
}

size_t record_format_status(bool upstream_up, const char *reason, time_t now,
                            char *out, size_t out_size)
{
	char timestamp[TIMEFMT_ISO_SIZE];
	jv object = jv_object();
	jv text;
	int written;

	timefmt_iso8601(now, timestamp);
	object = jv_object_set(object, jv_string("upstream"), jv_string(upstream_up ? "up" : "down"));
	if (reason != NULL)
		object = jv_object_set(object, jv_string("reason"), jv_string(reason));
	object = jv_object_set(object, jv_string("timestamp"), jv_string(timestamp));

	text = jv_dump_string(object, 0);
	written = snprintf(out, out_size, "%s\n", jv_string_value(text));
	jv_free(text);
	return written > 0 && (size_t)written < out_size ? (size_t)written : 0;
}
