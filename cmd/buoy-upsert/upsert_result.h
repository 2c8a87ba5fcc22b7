/*
 * Reading the upsert statement's binary result (see schema.h) into the
 * batch: each new or changed observation's outcome, the stored values of
 * the changed ones, and the counts of changed stations.
 */
#ifndef BUOY_UPSERT_UPSERT_RESULT_H
#define BUOY_UPSERT_UPSERT_RESULT_H

#include <stddef.h>

#include <libpq-fe.h>

#include "batch.h"

/* Sets the outcome of each unique row the result names and, for an
 * updated row, its values as stored, marking the row when they differ
 * from its line. The parameters were built from batch->unique in order. Returns 0, or -1 with a message in error when a result
 * row does not match the statement or the batch. */
int upsert_result_apply(const PGresult *result, struct batch *batch, char *error,
                        size_t error_size);

#endif
