/*
 * buoy-fetch --stations: NDBC's station table printed as station records
 * (see station_table.h), one per line, sorted by station id.
 */
#ifndef BUOY_FETCH_STATIONS_H
#define BUOY_FETCH_STATIONS_H

#include "poll.h"
#include "run.h"

/* Maximum rows kept from one station table: NDBC's lists about 1,700. */
#define STATION_ROWS_MAX 100000

/*
 * Reads path ("-" for standard input, gzip-compressed or not) as a station
 * table and prints its stations, only those of filter when it names any.
 * Rows that cannot be read are reported with path and line number and
 * skipped.
 */
void stations_read_file(const char *path, const struct station_table *filter,
                        struct outcome *outcome);

/*
 * Fetches data/stations/station_table.txt under settings->base_url and
 * prints its stations, as stations_read_file does. The request is
 * conditional on validators, which are updated. With an interval, it
 * fetches the table again every interval and prints the whole table again
 * only when it changed, until a stop signal arrives or output fails.
 * Returns 0, or -1 when libcurl cannot be set up.
 */
int stations_poll(const struct poll_settings *settings, const struct station_table *filter,
                  struct http_validators *validators, struct outcome *outcome);

#endif
