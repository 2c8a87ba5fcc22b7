/*
 * The SQL that buoy-upsert runs, built from the measurement columns in
 * obs_fields so that a new field needs no SQL edited by hand.
 *
 * Each function returns a string the caller frees, or NULL when memory
 * runs out.
 */
#ifndef BUOY_UPSERT_SCHEMA_H
#define BUOY_UPSERT_SCHEMA_H

#include "observation.h"

/* Creates the stations and observations tables when missing, and adds
 * measurement columns that an older schema lacks. Safe to run again and
 * from several processes at once. */
char *schema_init_sql(void);

/* The upsert's parameters are binary one-dimensional arrays. The first
 * group has the observations' station ids (text[]), times (timestamptz[])
 * and one float8[] per measurement in obs_fields order. The second group
 * has the station records' ids, names (text[]), latitudes, longitudes
 * (float8[]), owners and types (text[]). Arrays of a group have equal
 * lengths. */
#define SCHEMA_STATION_PARAM_FIRST (3 + OBS_FIELD_COUNT)
#define SCHEMA_PARAM_COUNT (SCHEMA_STATION_PARAM_FIRST + 5)

/* The kind column of the upsert's result. */
enum schema_change {
	SCHEMA_OBSERVATIONS_INSERTED,
	SCHEMA_OBSERVATION_UPDATED,
	SCHEMA_STATION_INSERTED,
	SCHEMA_STATION_UPDATED,
};

/*
 * Stores one batch in one statement, and so in one transaction. It inserts
 * observations with new keys and updates those whose values changed, where
 * a NULL never replaces a stored value, and does the same for station
 * records. Its result has the columns kind (integer, a schema_change),
 * station id (text), observed_at (timestamptz), one float8 per
 * measurement, and seqs (integer[]), and these rows:
 *
 * - one SCHEMA_OBSERVATIONS_INSERTED row. Its seqs column contains the
 *   positions, counted from 1, of the inserted observations in the
 *   parameter arrays, or NULL when there are none. Its other columns are
 *   NULL.
 * - a SCHEMA_OBSERVATION_UPDATED row for each updated observation, with
 *   its key and its values as stored.
 * - a SCHEMA_STATION_INSERTED or SCHEMA_STATION_UPDATED row for each
 *   changed station, with its id.
 */
char *schema_upsert_sql(void);

#endif
