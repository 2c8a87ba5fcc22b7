#include "upsert_result.h"

#include <stdio.h>
#include <string.h>

#include "observation.h"
#include "pg_binary.h"
#include "schema.h"

enum {
	COLUMN_KIND,
	COLUMN_STATION_ID,
	COLUMN_OBSERVED_AT,
	COLUMN_FIRST_MEASUREMENT,
	COLUMN_SEQS = COLUMN_FIRST_MEASUREMENT + OBS_FIELD_COUNT,
	COLUMN_COUNT,
};

static bool same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Copies the stored values of an updated row into it. The statement
 * stores NULL only where the batch sent NULL, but the row may hold values
 * from an earlier load or from another session. */
static void read_stored_values(const PGresult *result, int tuple, struct batch_row *row)
{
	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		int column = COLUMN_FIRST_MEASUREMENT + field;
		bool stored_null = PQgetisnull(result, tuple, column);
		double stored = stored_null ? 0 : pg_binary_float8(PQgetvalue(result, tuple, column));

		if (stored_null && observation_has(&row->obs, field)) {
			row->obs.present &= ~(1u << field);
			row->differs_from_line = true;
		} else if (!stored_null && (!observation_has(&row->obs, field) ||
		                            !same_bits(stored, row->obs.value[field]))) {
			observation_set(&row->obs, field, stored);
			row->differs_from_line = true;
		}
	}
}

/* Marks the rows of unique that the seqs array names as inserted. */
static int apply_inserted(const PGresult *result, int tuple, struct batch *batch, char *error,
                          size_t error_size)
{
	struct pg_int4_array_reader reader;
	int32_t seq;

	if (PQgetisnull(result, tuple, COLUMN_SEQS))
		return 0;
	if (!pg_int4_array_open(&reader, PQgetvalue(result, tuple, COLUMN_SEQS),
	                        (size_t)PQgetlength(result, tuple, COLUMN_SEQS))) {
		snprintf(error, error_size, "the inserted rows are not an integer array");
		return -1;
	}

	while (pg_int4_array_next(&reader, &seq)) {
		struct batch_row *row = seq >= 1 && (size_t)seq <= batch->unique_count ?
		                        batch->unique[seq - 1] : NULL;

		if (row == NULL || row->outcome != ROW_UNCHANGED) {
			snprintf(error, error_size, "the inserted rows name row %d of %zu, or name it twice",
			         (int)seq, batch->unique_count);
			return -1;
		}
		row->outcome = ROW_INSERTED;
	}
	if (reader.remaining != 0) {
		snprintf(error, error_size, "the array of inserted rows is cut short or holds NULL");
		return -1;
	}
	return 0;
}

static int apply_updated(const PGresult *result, int tuple, struct batch *batch, char *error,
                         size_t error_size)
{
	const char *station_id = PQgetvalue(result, tuple, COLUMN_STATION_ID);
	struct batch_row *row = NULL;

	if (!PQgetisnull(result, tuple, COLUMN_OBSERVED_AT) &&
	    PQgetlength(result, tuple, COLUMN_OBSERVED_AT) == 8) {
		int64_t micros = pg_binary_int64(PQgetvalue(result, tuple, COLUMN_OBSERVED_AT));

		row = batch_find_unique(batch, station_id, pg_binary_unix_time(micros));
	}
	if (row == NULL || row->outcome != ROW_UNCHANGED) {
		snprintf(error, error_size, "the result names station %.16s at a time "
		         "that is not in the batch, or names it twice", station_id);
		return -1;
	}

	row->outcome = ROW_UPDATED;
	read_stored_values(result, tuple, row);
	return 0;
}

static bool has_expected_shape(const PGresult *result)
{
	if (PQnfields(result) != COLUMN_COUNT)
		return false;
	for (int column = 0; column < COLUMN_COUNT; column++)
		if (PQfformat(result, column) != 1)
			return false;
	return true;
}

int upsert_result_apply(const PGresult *result, struct batch *batch, char *error,
                        size_t error_size)
{
	int tuples = PQntuples(result);

	if (!has_expected_shape(result)) {
		snprintf(error, error_size, "the result has %d columns, expected %d binary ones",
		         PQnfields(result), COLUMN_COUNT);
		return -1;
	}

	for (int tuple = 0; tuple < tuples; tuple++) {
		int kind = PQgetlength(result, tuple, COLUMN_KIND) == 4 ?
		           pg_binary_int32(PQgetvalue(result, tuple, COLUMN_KIND)) : -1;
		int status = 0;

		if (kind == SCHEMA_OBSERVATIONS_INSERTED) {
			status = apply_inserted(result, tuple, batch, error, error_size);
		} else if (kind == SCHEMA_OBSERVATION_UPDATED) {
			status = apply_updated(result, tuple, batch, error, error_size);
		} else if (kind == SCHEMA_STATION_INSERTED) {
			batch->stations_inserted++;
		} else if (kind == SCHEMA_STATION_UPDATED) {
			batch->stations_updated++;
		} else {
			snprintf(error, error_size, "the result has an unknown kind of change %d", kind);
			status = -1;
		}
		if (status != 0)
			return -1;
	}
	return 0;
}
