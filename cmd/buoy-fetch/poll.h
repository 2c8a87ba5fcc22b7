/* Fetching stations over HTTP: realtime2 files one by one, or every
 * station at once from latest_obs.txt, once or every interval. */
#ifndef BUOY_FETCH_POLL_H
#define BUOY_FETCH_POLL_H

#include <stdbool.h>

#include "run.h"

struct poll_settings {
	const char *base_url;       /* NDBC's site root */
	long timeout_ms;            /* one HTTP transfer */
	long interval_ms;           /* 0: one round only */
	long pause_ms;              /* between two stations' requests */
	int retries;                /* after a timeout or a 5xx reply */
	bool latest;                /* read latest_obs.txt instead of realtime2 files */
};

/* Fetches the stations of table, printing new observations, until one
 * round is done (interval_ms 0), a stop signal arrives or output fails.
 * Returns 0, or -1 when libcurl cannot be set up. */
int poll_stations(const struct poll_settings *settings, struct station_table *table,
                  struct outcome *outcome);

#endif
