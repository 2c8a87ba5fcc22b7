/*
 * The SQL that buoy-upsert runs, built from the measurement columns in
 * obs_fields so that a new field needs no SQL edited by hand.
 *
 * Each function returns a string the caller frees, or NULL when memory
 * runs out.
 */
#ifndef BUOY_UPSERT_SCHEMA_H
#define BUOY_UPSERT_SCHEMA_H

/* The session's temporary table that each batch is copied into. */
#define SCHEMA_BATCH_TABLE "buoy_upsert_batch"

/* Creates the stations and observations tables when missing, and adds
 * measurement columns that an older schema lacks. Safe to run again and
 * from several processes at once. */
char *schema_init_sql(void);

/* Creates SCHEMA_BATCH_TABLE, emptied at every commit. */
char *schema_batch_table_sql(void);

/* Starts the binary COPY of a batch into SCHEMA_BATCH_TABLE. */
char *schema_copy_sql(void);

/* Upserts SCHEMA_BATCH_TABLE into observations and returns one row
 * (seq integer, inserted boolean) per observation that was new or changed. */
char *schema_upsert_sql(void);

#endif
