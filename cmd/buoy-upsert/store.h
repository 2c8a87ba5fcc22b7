/*
 * The PostgreSQL side of buoy-upsert: one connection, the schema, and one
 * transaction per batch.
 *
 * Every function that can fail logs what failed and returns an exit status
 * from <sysexits.h>: EX_OK, EX_UNAVAILABLE (cannot connect), EX_CONFIG
 * (bad DATABASE_URL, missing table or column), EX_TEMPFAIL (connection
 * lost, deadlock, server shutting down or out of resources) or
 * EX_SOFTWARE (any other failed statement).
 */
#ifndef BUOY_UPSERT_STORE_H
#define BUOY_UPSERT_STORE_H

#include "batch.h"

struct store;

/* Connects with conninfo, a connection string or URI. An empty conninfo
 * uses libpq's defaults (PG* variables, ~/.pgpass). */
int store_open(const char *conninfo, struct store **store);
void store_close(struct store *store);

/* Creates the tables, or adds what an older schema lacks. */
int store_init_schema(struct store *store);

/* Creates the session's batch table and prepares the upsert. Fails with
 * EX_CONFIG when the schema is missing. */
int store_prepare(struct store *store);

/* Stores the batch in one transaction and sets each row's outcome. On
 * failure the transaction is rolled back and every outcome stays
 * ROW_UNCHANGED. */
int store_write_batch(struct store *store, struct batch *batch);

#endif
