#include "schema.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "observation.h"

/* Any constant works: it only has to differ from other users of advisory
 * locks in the same database. */
#define INIT_LOCK_KEY 4401300

/* Writes the measurement columns as "<prefix>col, <prefix>col, ...". */
static void put_columns(FILE *sql, const char *prefix)
{
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, "%s%s%s", field > 0 ? ", " : "", prefix, obs_fields[field].sql_column);
}

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

char *schema_batch_table_sql(void)
{
	char *text = NULL;
	size_t size;
	FILE *sql = open_memstream(&text, &size);

	if (sql == NULL)
		return NULL;

	fputs("CREATE TEMPORARY TABLE " SCHEMA_BATCH_TABLE " (\n"
	      "  seq integer NOT NULL,\n"
	      "  station_id text NOT NULL,\n"
	      "  observed_at timestamptz NOT NULL", sql);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, ",\n  %s double precision", obs_fields[field].sql_column);
	fputs("\n) ON COMMIT DELETE ROWS", sql);
	return finish(sql, &text);
}

char *schema_copy_sql(void)
{
	char *text = NULL;
	size_t size;
	FILE *sql = open_memstream(&text, &size);

	if (sql == NULL)
		return NULL;

	fputs("COPY " SCHEMA_BATCH_TABLE " (seq, station_id, observed_at, ", sql);
	put_columns(sql, "");
	fputs(") FROM STDIN (FORMAT binary)", sql);
	return finish(sql, &text);
}

/*
 * Rows whose stored values already equal the batch's are left out before
 * the INSERT: a plain read is cheaper than ON CONFLICT, which locks each
 * conflicting row even when its WHERE clause then skips it. The check is a
 * correlated scalar subquery, which probes the unique index once per row.
 * NOT EXISTS would be shorter, but PostgreSQL 15 plans it as a hash anti
 * join that reads the whole observations table for every batch.
 */
static void put_changed_rows(FILE *sql)
{
	fputs("  SELECT b.station_id, b.observed_at, ", sql);
	put_columns(sql, "b.");
	fputs("\n  FROM " SCHEMA_BATCH_TABLE " b\n"
	      "  WHERE NOT coalesce((\n"
	      "    SELECT (", sql);
	put_columns(sql, "s.");
	fputs(") IS NOT DISTINCT FROM (", sql);
	put_columns(sql, "b.");
	fputs(")\n    FROM observations s\n"
	      "    WHERE s.station_id = b.station_id AND s.observed_at = b.observed_at), false)\n"
	      "  ORDER BY b.station_id, b.observed_at\n", sql);
}

/* The WHERE of DO UPDATE repeats the comparison, because another process
 * may have changed the row since put_changed_rows read it. In RETURNING,
 * xmax is 0 for a row this statement inserted and the updating
 * transaction's id for a row it updated. That is how PostgreSQL stores row
 * versions (checked on 15), not a documented interface; it only splits the
 * inserted and updated counts. */
static void put_conflict_update(FILE *sql)
{
	fputs("  ON CONFLICT (station_id, observed_at) DO UPDATE SET ", sql);
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		fprintf(sql, "%s = EXCLUDED.%s, ", obs_fields[field].sql_column,
		        obs_fields[field].sql_column);
	fputs("updated_at = now()\n  WHERE (", sql);
	put_columns(sql, "o.");
	fputs(") IS DISTINCT FROM (", sql);
	put_columns(sql, "EXCLUDED.");
	fputs(")\n  RETURNING o.station_id, o.observed_at, o.xmax = 0 AS inserted\n", sql);
}

char *schema_upsert_sql(void)
{
	char *text = NULL;
	size_t size;
	FILE *sql = open_memstream(&text, &size);

	if (sql == NULL)
		return NULL;

	fputs("WITH changed AS (\n"
	      "  INSERT INTO observations AS o (station_id, observed_at, ", sql);
	put_columns(sql, "");
	fputs(")\n", sql);
	put_changed_rows(sql);
	put_conflict_update(sql);
	fputs(")\nSELECT b.seq, c.inserted FROM changed c\n"
	      "JOIN " SCHEMA_BATCH_TABLE " b\n"
	      "  ON b.station_id = c.station_id AND b.observed_at = c.observed_at", sql);
	return finish(sql, &text);
}
