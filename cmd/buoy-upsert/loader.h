/*
 * The batches of one run: records are added to one batch while the
 * statement of the batch before it runs in PostgreSQL, so that reading
 * input and storing overlap. At most one batch is in the database at a
 * time, and batches are committed and printed in input order.
 */
#ifndef BUOY_UPSERT_LOADER_H
#define BUOY_UPSERT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "batch.h"
#include "store.h"

struct loader_counts {
	unsigned long stored;        /* observation lines in committed batches */
	unsigned long inserted;
	unsigned long updated;
	unsigned long stations_stored;   /* station lines in committed batches */
	unsigned long stations_inserted;
	unsigned long stations_updated;
	unsigned long failed;        /* record lines in batches that failed */
};

struct loader {
	struct store *store;
	struct batch batches[2];
	struct batch *filling;       /* the batch records are added to */
	struct batch *in_flight;     /* the batch whose statement runs, or NULL */
	size_t in_flight_stations;   /* station lines of in_flight before merging */
	struct loader_counts counts;
};

/* Returns 0, or -1 when memory runs out. */
int loader_init(struct loader *loader, struct store *store, size_t batch_size);
void loader_free(struct loader *loader);

/*
 * Adds an observation with its line, or a station record (obs NULL) read
 * from a line of len bytes, taking over the record's strings. A full
 * batch is sent first, after the batch in flight is finished and printed.
 * Returns EX_OK, or the status of a failure that ends the run.
 */
int loader_add(struct loader *loader, const struct observation *obs,
               struct station_record *station, const char *line, size_t len);

/* Returns true when records were added that are not yet committed. */
bool loader_has_pending(const struct loader *loader);

/* Commits and prints every record added so far. Returns EX_OK, or the
 * status of a failure that ends the run. */
int loader_commit(struct loader *loader);

/* Reads the in-flight statement's result as far as it has arrived. */
void loader_poll(struct loader *loader);

/* Counts the records not yet committed as not stored, after a failure
 * that ends the run. */
void loader_abandon(struct loader *loader);

#endif
