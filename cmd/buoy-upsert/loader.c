#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "print_changes.h"

int loader_init(struct loader *loader, struct store *store, size_t batch_size)
{
	memset(loader, 0, sizeof *loader);
	loader->store = store;
	loader->filling = &loader->batches[0];
	if (batch_init(&loader->batches[0], batch_size) != 0 ||
	    batch_init(&loader->batches[1], batch_size) != 0) {
		loader_free(loader);
		return -1;
	}
	return 0;
}

void loader_free(struct loader *loader)
{
	batch_free(&loader->batches[0]);
	batch_free(&loader->batches[1]);
}

static void count_outcomes(struct loader *loader, const struct batch *batch)
{
	for (size_t i = 0; i < batch->count; i++) {
		if (batch->rows[i].outcome == ROW_INSERTED)
			loader->counts.inserted++;
		else if (batch->rows[i].outcome == ROW_UPDATED)
			loader->counts.updated++;
	}
	loader->counts.stored += batch->count;
	loader->counts.stations_stored += loader->in_flight_stations;
	loader->counts.stations_inserted += batch->stations_inserted;
	loader->counts.stations_updated += batch->stations_updated;
}

/* Waits for the batch in flight, prints what changed and empties it. */
static int finish_in_flight(struct loader *loader)
{
	struct batch *batch = loader->in_flight;
	int status;

	if (batch == NULL)
		return EX_OK;

	status = store_finish_batch(loader->store, batch);
	if (status == EX_OK) {
		count_outcomes(loader, batch);
		log_debug("committed %zu observations and %zu station records", batch->count,
		          loader->in_flight_stations);
		if (print_changes(batch, stdout) != 0) {
			log_error("cannot write to stdout: %s", strerror(errno));
			status = EX_IOERR;
		}
	} else {
		loader->counts.failed += batch->count + loader->in_flight_stations;
	}

	batch_clear(batch);
	loader->in_flight = NULL;
	return status;
}

/* Sends the filling batch, once the one before it is finished. */
static int send_filling(struct loader *loader)
{
	struct batch *batch = loader->filling;
	int status = finish_in_flight(loader);

	if (status != EX_OK || (batch->count == 0 && batch->station_count == 0))
		return status;

	/* Station records merge within the batch, so count their lines first. */
	loader->in_flight_stations = batch->station_count;
	loader->in_flight = batch;
	loader->filling = batch == &loader->batches[0] ? &loader->batches[1] : &loader->batches[0];
	return store_send_batch(loader->store, batch);
}

int loader_add(struct loader *loader, const struct observation *obs,
               struct station_record *station, const char *line, size_t len)
{
	int status;
	int added;

	if (!batch_has_room(loader->filling, len)) {
		status = send_filling(loader);
		if (status != EX_OK) {
			loader->counts.failed++;   /* this line, which never joined a batch */
			return status;
		}
	}

	if (obs != NULL)
		added = batch_add(loader->filling, obs, line, len);
	else
		added = batch_add_station(loader->filling, station, len);
	return added == 0 ? EX_OK : EX_OSERR;
}

bool loader_has_pending(const struct loader *loader)
{
	return loader->in_flight != NULL || loader->filling->count > 0 ||
	       loader->filling->station_count > 0;
}

int loader_commit(struct loader *loader)
{
	int status = send_filling(loader);

	if (status != EX_OK)
		return status;
	return finish_in_flight(loader);
}

void loader_poll(struct loader *loader)
{
	if (loader->in_flight != NULL)
		store_poll(loader->store);
}

void loader_abandon(struct loader *loader)
{
	if (loader->in_flight != NULL)
		loader->counts.failed += loader->in_flight->count + loader->in_flight_stations;
	loader->counts.failed += loader->filling->count + loader->filling->station_count;
	loader->in_flight = NULL;
	batch_clear(loader->filling);
}
