#include "schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "observation.h"

/* Any constant works: it only has to differ from other users of advisory
 * locks in the same database. */
#define INIT_LOCK_KEY 4401300

/* Closes the stream and returns its text, or NULL after any failure.
 * open_memstream sets *text only when the stream is flushed or closed. */
static char *finish(FILE *sql, char **text)
{
	bool failed = ferror(sql) != 0;

	if (fclose(sql) != 0 || failed) {
		free(*text);
		return NULL;
	}
	return *text;
}

/* The unique constraint's index on (station_id, observed_at) also serves
 * "latest N for a station" (read backwards) and "since T for a station"
 * (a range scan), so the table needs no second index. There is no foreign
 * key to stations: observations of a station not listed there are kept. */
static void put_tables(FILE *sql)
{
	fputs("CREATE TABLE IF NOT EXISTS stations (\n"
	      "  id text PRIMARY KEY,\n"
	      "  name text,\n"
	      "  lat double precision,\n"
	      "  lon double precision,\n"
	      "  owner text,\n"
	      "  type text,\n"
	      "  active boolean NOT NULL DEFAULT true,\n"
	      "  updated_at timestamptz NOT NULL DEFAULT now()\n"
	      ");\n", sql);

	fputs("CREATE TABLE IF NOT EXISTS observations (\n"
	      "  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	      "  station_id text NOT NULL,\n"
	      "  observed_at timestamptz NOT NULL,\n", sql);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, "  %s double precision,\n", obs_fields[field].sql_column);
	fputs("  created_at timestamptz NOT NULL DEFAULT now(),\n"
	      "  updated_at timestamptz NOT NULL DEFAULT now(),\n"
	      "  CONSTRAINT observations_station_time_key UNIQUE (station_id, observed_at)\n"
	      ");\n", sql);
}

char *schema_init_sql(void)
{
	char *text = NULL;
	size_t size;
	FILE *sql = open_memstream(&text, &size);

	if (sql == NULL)
		return NULL;

	/* Two processes creating the same table at once can fail with a
	 * unique violation in the catalog, so --init runs under a lock. */
	fprintf(sql, "BEGIN;\nSELECT pg_advisory_xact_lock(%d);\n", INIT_LOCK_KEY);
	put_tables(sql);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, "ALTER TABLE observations ADD COLUMN IF NOT EXISTS %s double precision;\n",
		        obs_fields[field].sql_column);
	fputs("COMMIT;\n", sql);
	return finish(sql, &text);
}

/* Writes the columns as "<prefix>col, ...", or, when coalesce_from is set,
 * as "coalesce(<prefix>col, <coalesce_from>col), ...". */
static void put_list(FILE *sql, const char *const *columns, int count, const char *prefix,
                     const char *coalesce_from)
{
	for (int i = 0; i < count; i++) {
		fputs(i > 0 ? ", " : "", sql);
		if (coalesce_from != NULL)
			fprintf(sql, "coalesce(%s%s, %s%s)", prefix, columns[i], coalesce_from, columns[i]);
		else
			fprintf(sql, "%s%s", prefix, columns[i]);
	}
}

static void put_measurements(FILE *sql, const char *prefix, const char *coalesce_from)
{
	const char *columns[OBS_FIELD_COUNT];

	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		columns[field] = obs_fields[field].sql_column;
	put_list(sql, columns, OBS_FIELD_COUNT, prefix, coalesce_from);
}

/* Writes "col = coalesce(EXCLUDED.col, <table>.col), ..." for DO UPDATE:
 * a null in the new record keeps the stored value. */
static void put_coalesce_updates(FILE *sql, const char *const *columns, int count,
                                 const char *table)
{
	for (int i = 0; i < count; i++)
		fprintf(sql, "%s%s = coalesce(EXCLUDED.%s, %s.%s)", i > 0 ? ", " : "", columns[i],
		        columns[i], table, columns[i]);
}

/* The batch's observations that are new or changed, from parameters $1 to
 * $16, numbered from 1 by seq: each is compared with the stored row of its
 * key (found is NULL when there is none). The unnest() calls are in the
 * select list, where PostgreSQL 15 steps through the arrays together as
 * rows are needed. In FROM, unnest() would first copy every row into a
 * tuple store, which made a first load about 20 % slower. Leaving out the
 * unchanged rows here keeps them out of the CTE's tuple store, which
 * re-reading a file would otherwise fill for nothing. The LIMIT keeps the
 * lateral subquery from being turned into a join, so every row probes the
 * unique index once, whatever the planner guesses about the number of
 * rows. A hash join would read the whole observations table for every
 * batch. The columns are named with the
 * table's name, so that the error for a missing column reads "column
 * observations.tide_ft does not exist". */
static void put_compared(FILE *sql)
{
	fputs("WITH batch AS (\n"
	      "  SELECT unnest($1::text[]) AS station_id, unnest($2::timestamptz[]) AS observed_at", sql);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, ",\n    unnest($%d::float8[]) AS %s", 3 + field, obs_fields[field].sql_column);
	fputs(",\n    generate_subscripts($1::text[], 1) AS seq\n"
	      "), compared AS (\n"
	      "  SELECT b.*, s.found, s.same FROM batch b\n"
	      "  LEFT JOIN LATERAL (\n"
	      "    SELECT true AS found, (", sql);
	put_measurements(sql, "observations.", NULL);
	fputs(") IS NOT DISTINCT FROM (", sql);
	put_measurements(sql, "b.", "observations.");
	fputs(") AS same\n"
	      "    FROM observations\n"
	      "    WHERE observations.station_id = b.station_id\n"
	      "      AND observations.observed_at = b.observed_at\n"
	      "    LIMIT 1) s ON true\n"
	      "  WHERE s.found IS NULL OR NOT s.same\n"
	      ")", sql);
}

/*
 * New keys go in with a plain INSERT, which costs less than ON CONFLICT:
 * PostgreSQL 15 probes the unique index once more for each row of an
 * INSERT ... ON CONFLICT and inserts it speculatively. A key that another
 * session inserts after this statement's snapshot makes the plain INSERT
 * fail with a unique violation, and store_write_batch then runs the
 * statement again. Changed keys go through ON CONFLICT, so that a row
 * deleted in the meantime is inserted again. Its WHERE repeats the
 * comparison against the row as it is when locked.
 */
static void put_observation_writes(FILE *sql)
{
	const char *columns[OBS_FIELD_COUNT];

	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		columns[field] = obs_fields[field].sql_column;

	fputs(", inserted AS (\n"
	      "  INSERT INTO observations (station_id, observed_at, ", sql);
	put_measurements(sql, "", NULL);
	fputs(")\n  SELECT station_id, observed_at, ", sql);
	put_measurements(sql, "", NULL);
	fputs(" FROM compared WHERE found IS NULL\n"
	      "), updated AS (\n"
	      "  INSERT INTO observations AS o (station_id, observed_at, ", sql);
	put_measurements(sql, "", NULL);
	fputs(")\n  SELECT station_id, observed_at, ", sql);
	put_measurements(sql, "", NULL);
	fputs(" FROM compared WHERE NOT same\n"
	      "  ON CONFLICT (station_id, observed_at) DO UPDATE SET ", sql);
	put_coalesce_updates(sql, columns, OBS_FIELD_COUNT, "o");
	fputs(", updated_at = now()\n  WHERE (", sql);
	put_measurements(sql, "o.", NULL);
	fputs(") IS DISTINCT FROM (", sql);
	put_measurements(sql, "EXCLUDED.", "o.");
	fputs(")\n  RETURNING o.station_id, o.observed_at, ", sql);
	put_measurements(sql, "o.", NULL);
	fputs("\n)", sql);
}

/* The batch's station records, from parameters $17 to $22. Station
 * records are few, so they all go through ON CONFLICT. */
static void put_station_writes(FILE *sql)
{
	static const char *const columns[] = { "name", "lat", "lon", "owner", "type" };
	const int count = (int)(sizeof columns / sizeof columns[0]);
	const int first = SCHEMA_STATION_PARAM_FIRST;

	fprintf(sql, ", station_batch AS (\n"
	        "  SELECT n.*, EXISTS (SELECT 1 FROM stations s WHERE s.id = n.id) AS found\n"
	        "  FROM unnest($%d::text[], $%d::text[], $%d::float8[], $%d::float8[], "
	        "$%d::text[], $%d::text[])\n"
	        "    AS n(id, name, lat, lon, owner, type)\n"
	        "), station_changed AS (\n"
	        "  INSERT INTO stations AS s (id, name, lat, lon, owner, type)\n"
	        "  SELECT id, name, lat, lon, owner, type FROM station_batch\n"
	        "  ON CONFLICT (id) DO UPDATE SET ",
	        first, first + 1, first + 2, first + 3, first + 4, first + 5);
	put_coalesce_updates(sql, columns, count, "s");
	fputs(", updated_at = now()\n  WHERE (", sql);
	put_list(sql, columns, count, "s.", NULL);
	fputs(") IS DISTINCT FROM (", sql);
	put_list(sql, columns, count, "EXCLUDED.", "s.");
	fputs(")\n  RETURNING s.id\n)\n", sql);
}

/* The result rows described in schema.h. The plain INSERT stores every
 * row it selects or fails, so the rows without a stored key are the
 * inserted ones. Sending their numbers in one array costs far less than a
 * result row for each. */
static void put_results(FILE *sql)
{
	fprintf(sql, "SELECT %d AS kind, NULL::text AS station_id, NULL::timestamptz AS observed_at",
	        SCHEMA_OBSERVATIONS_INSERTED);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fputs(", NULL::float8", sql);
	fprintf(sql, ",\n  (SELECT array_agg(seq::integer) FROM compared WHERE found IS NULL) AS seqs\n"
	        "UNION ALL SELECT %d, station_id, observed_at, ", SCHEMA_OBSERVATION_UPDATED);
	put_measurements(sql, "", NULL);
	fprintf(sql, ", NULL FROM updated\n"
	        "UNION ALL SELECT CASE WHEN b.found THEN %d ELSE %d END, c.id, NULL",
	        SCHEMA_STATION_UPDATED, SCHEMA_STATION_INSERTED);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fputs(", NULL", sql);
	fputs(", NULL FROM station_changed c JOIN station_batch b ON b.id = c.id", sql);
}

char *schema_upsert_sql(void)
{
	char *text = NULL;
	size_t size;
	FILE *sql = open_memstream(&text, &size);

	if (sql == NULL)
		return NULL;

	put_compared(sql);
	put_observation_writes(sql);
	put_station_writes(sql);
	put_results(sql);
	return finish(sql, &text);
}
