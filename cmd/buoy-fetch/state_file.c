#include "state_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "atomic_file.h"
#include "read_file.h"
#include "timefmt.h"

/* Reads path as a JSON object; a missing file reads as {}. */
static int read_state(const char *path, jv *state, char *error, size_t error_size)
{
	struct http_body body = { 0 };

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		*state = jv_object();
		return 0;
	}
	if (read_whole_file(path, &body, error, error_size) != 0)
		return -1;
	if (body.len > STATE_FILE_MAX) {
		snprintf(error, error_size, "larger than %u MiB", STATE_FILE_MAX / (1024 * 1024));
		http_body_free(&body);
		return -1;
	}

	*state = jv_parse_sized(body.data != NULL ? body.data : "{}", (int)body.len);
	http_body_free(&body);
	if (jv_get_kind(*state) != JV_KIND_OBJECT) {
		jv_free(*state);
		snprintf(error, error_size, "not a JSON object: delete it to start afresh");
		return -1;
	}
	return 0;
}

/* Copies the string member key of object into out, when there is one. */
static void copy_member(jv object, const char *key, char *out, size_t out_size)
{
	jv value = jv_object_get(jv_copy(object), jv_string(key));

	if (jv_get_kind(value) == JV_KIND_STRING)
		snprintf(out, out_size, "%s", jv_string_value(value));
	jv_free(value);
}

static void load_validators(jv entry, struct http_validators *validators)
{
	copy_member(entry, "etag", validators->etag, sizeof validators->etag);
	copy_member(entry, "lastModified", validators->last_modified,
	            sizeof validators->last_modified);
}

static void load_station(jv entry, struct station_state *station)
{
	char printed[TIMEFMT_ISO_SIZE + 8] = "";

	load_validators(entry, &station->validators);
	copy_member(entry, "lastPrinted", printed, sizeof printed);
	if (!timefmt_parse_iso8601(printed, &station->last_printed))
		station->last_printed = 0;
}

/* Adds the stations of the file to an open table, so that latest_obs.txt
 * runs remember every station they have printed. Consumes stations:
 * jv_object_foreach iterates without freeing the object. */
static void add_file_stations(jv stations, struct station_table *table)
{
	jv_object_foreach(stations, key, entry) {
		char id[STATION_ID_MAX + 1];
		const char *text = jv_string_value(key);

		if (station_id_normalize(text, strlen(text), id))
			station_table_find(table, id);
		jv_free(key);
		jv_free(entry);
	}
	jv_free(stations);
}

int state_file_load(const char *path, struct station_table *table, char *error,
                    size_t error_size)
{
	jv state;
	jv stations;

	if (read_state(path, &state, error, error_size) != 0)
		return -1;

	stations = jv_object_get(jv_copy(state), jv_string("stations"));
	if (jv_get_kind(stations) == JV_KIND_OBJECT) {
		if (table->open)
			add_file_stations(jv_copy(stations), table);
		for (int i = 0; i < table->count; i++) {
			jv entry = jv_object_get(jv_copy(stations), jv_string(table->items[i].id));

			if (jv_get_kind(entry) == JV_KIND_OBJECT)
				load_station(entry, &table->items[i]);
			jv_free(entry);
		}
	}
	jv_free(stations);

	jv latest = jv_object_get(jv_copy(state), jv_string("latestObs"));
	jv station_table = jv_object_get(state, jv_string("stationTable"));

	if (jv_get_kind(latest) == JV_KIND_OBJECT)
		load_validators(latest, &table->latest_validators);
	if (jv_get_kind(station_table) == JV_KIND_OBJECT)
		load_validators(station_table, &table->table_validators);
	jv_free(latest);
	jv_free(station_table);
	return 0;
}

static jv validators_to_jv(jv entry, const struct http_validators *validators)
{
	entry = jv_object_set(entry, jv_string("etag"), jv_string(validators->etag));
	return jv_object_set(entry, jv_string("lastModified"),
	                     jv_string(validators->last_modified));
}

static jv station_to_jv(const struct station_state *station)
{
	jv entry = validators_to_jv(jv_object(), &station->validators);
	char printed[TIMEFMT_ISO_SIZE];

	if (station->last_printed == 0)
		return jv_object_set(entry, jv_string("lastPrinted"), jv_null());
	timefmt_iso8601(station->last_printed, printed);
	return jv_object_set(entry, jv_string("lastPrinted"), jv_string(printed));
}

int state_file_save(const char *path, const struct station_table *table, char *error,
                    size_t error_size)
{
	jv state;
	jv stations;
	jv text;
	int result;

	if (read_state(path, &state, error, error_size) != 0)
		state = jv_object();

	stations = jv_object_get(jv_copy(state), jv_string("stations"));
	if (jv_get_kind(stations) != JV_KIND_OBJECT) {
		jv_free(stations);
		stations = jv_object();
	}
	for (int i = 0; i < table->count; i++)
		stations = jv_object_set(stations, jv_string(table->items[i].id),
		                         station_to_jv(&table->items[i]));
	state = jv_object_set(state, jv_string("stations"), stations);
	state = jv_object_set(state, jv_string("latestObs"),
	                      validators_to_jv(jv_object(), &table->latest_validators));
	state = jv_object_set(state, jv_string("stationTable"),
	                      validators_to_jv(jv_object(), &table->table_validators));

	text = jv_string_concat(jv_dump_string(state, JV_PRINT_PRETTY | JV_PRINT_SORTED),
	                        jv_string("\n"));
	result = atomic_file_write(path, jv_string_value(text),
	                           (size_t)jv_string_length_bytes(jv_copy(text)), error, error_size);
	jv_free(text);
	return result;
}
