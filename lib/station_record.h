/*
 * The station record: one station's metadata, one JSON object per line,
 * as `buoy-fetch --stations` prints it:
 *
 *   {"stationId":"44013","name":"BOSTON 16 NM East of Boston, MA",
 *    "lat":42.346,"lon":-70.651,"owner":"N","type":"3-meter foam buoy"}
 *
 * A line is a station record when its object has "lat" and "lon" and no
 * "timestamp". Name, owner, type, lat and lon may be null, and name, owner
 * and type may be absent.
 */
#ifndef BUOY_STATION_RECORD_H
#define BUOY_STATION_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include <jv.h>

#include "station_id.h"

struct station_record {
	char station_id[STATION_ID_MAX + 1];   /* normalized, upper case */
	char *name;                 /* NULL when null or absent; owned */
	char *owner;
	char *type;
	double lat;                 /* degrees north, valid when has_lat */
	double lon;                 /* degrees east, valid when has_lon */
	bool has_lat;
	bool has_lon;
};

/* Returns true when object has the keys of a station record: "lat" and
 * "lon", and no "timestamp". Does not consume object. */
bool station_record_matches(jv object);

/*
 * Reads a station record from a parsed JSON object, consuming it. Strings
 * are copied, so the caller frees the record with station_record_free.
 * Returns false with a message in error naming the first bad field, and
 * then owns nothing.
 */
bool station_record_from_jv(jv object, struct station_record *record, char *error,
                            size_t error_size);

/* Frees the strings of a record and sets them to NULL. */
void station_record_free(struct station_record *record);

#endif
