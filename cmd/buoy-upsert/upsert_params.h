/*
 * The parameters of the upsert statement (see schema.h), built from a
 * batch after batch_select_unique.
 */
#ifndef BUOY_UPSERT_UPSERT_PARAMS_H
#define BUOY_UPSERT_UPSERT_PARAMS_H

#include "batch.h"
#include "pg_binary.h"
#include "schema.h"

struct upsert_params {
	struct pg_array arrays[SCHEMA_PARAM_COUNT];
	const char *values[SCHEMA_PARAM_COUNT];   /* for PQexecPrepared */
	int lengths[SCHEMA_PARAM_COUNT];
	int formats[SCHEMA_PARAM_COUNT];          /* all binary */
};

/* Fills params from the batch's unique rows and stations, reusing the
 * memory of earlier batches. Returns 0, or -1 when memory runs out. */
int upsert_params_build(struct upsert_params *params, const struct batch *batch);
void upsert_params_free(struct upsert_params *params);

#endif
