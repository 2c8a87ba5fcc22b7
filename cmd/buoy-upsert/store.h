/*
 * The PostgreSQL side of buoy-upsert: one connection, the schema, and one
 * statement, so one transaction, per batch.
 *
 * Every function that can fail logs what failed and returns an exit status
 * from <sysexits.h>: EX_OK, EX_UNAVAILABLE (cannot connect), EX_CONFIG
 * (bad DATABASE_URL, missing table or column), EX_TEMPFAIL (connection
 * lost, deadlock, server shutting down or out of resources, or conflicts
 * with other sessions in every attempt) or EX_SOFTWARE (any other failed
 * statement).
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

/* Prepares the upsert statement for the session. Fails with EX_CONFIG
 * when the schema is missing. */
int store_prepare(struct store *store);

/*
 * Sends the statement that stores the batch, in one transaction, after
 * merging its duplicate keys (batch_select_unique), and returns without
 * waiting for it, so that the next batch can be read meanwhile. Call
 * store_finish_batch before sending another. Keep the batch unchanged
 * until then: a conflict with another session makes store_finish_batch
 * send the statement again.
 */
int store_send_batch(struct store *store, struct batch *batch);

/* Waits for the statement that store_send_batch sent, then sets each
 * row's outcome and stored values and counts the changed stations. After
 * a failure nothing of the batch is stored and every outcome is
 * ROW_UNCHANGED. */
int store_finish_batch(struct store *store, struct batch *batch);

/* Reads what the server has sent so far without waiting, so that a large
 * result does not hold the server up while the next batch is read. */
void store_poll(struct store *store);

/* Returns the milliseconds spent sending the upsert statements and
 * waiting for their results. While a batch is read, its predecessor's
 * statement runs unwatched, so that time is not counted. */
double store_database_ms(const struct store *store);

#endif
