/* The outcome of one buoy-fetch run so far, and the state it keeps per
 * station between polls. */
#ifndef BUOY_FETCH_RUN_H
#define BUOY_FETCH_RUN_H

#include <stdbool.h>
#include <time.h>

#include "http_get.h"
#include "obs_list.h"
#include "parse_text.h"
#include "station_id.h"

/* Most stations one run follows: NDBC lists about 1,000 active ones. */
#define STATIONS_MAX 2000

/* State kept for a station between polls. */
struct station_state {
	char id[STATION_ID_MAX + 1];
	struct http_validators validators;    /* of its realtime2 file */
	time_t last_printed;                  /* newest observation printed, or 0 */
};

/* The stations a run follows, in the order given. */
struct station_table {
	struct station_state items[STATIONS_MAX];
	int count;
	bool open;          /* stations not named are added as they appear */
	struct http_validators latest_validators;    /* of latest_obs.txt */
	struct http_validators table_validators;     /* of station_table.txt */
};

/* Counts of sources, for the exit status. */
struct outcome {
	unsigned succeeded;
	unsigned unavailable;           /* fetch failed */
	unsigned no_input;              /* local file could not be read */
	unsigned bad_data;              /* not an NDBC file */
	bool output_failed;
	int write_errno;                /* errno of the failed write */
};

/* Returns the state of station id, adding it when the table is open and
 * not full; NULL for a station the run does not follow. */
struct station_state *station_table_find(struct station_table *table, const char *id);

/*
 * Prints the observations of list that are newer than the last one printed
 * for their station, oldest first, and records what was printed. Stations
 * the table does not follow are left out. Returns 0, or -1 when sorting or
 * writing failed (recorded in outcome).
 */
int print_new_observations(struct obs_list *list, struct station_table *table,
                           struct outcome *outcome);

/* Prints every observation of list, oldest first. Returns 0, or -1 when
 * sorting or writing failed (recorded in outcome). */
int print_all_observations(struct obs_list *list, struct outcome *outcome);

/* Records a failed write to stdout, with errno, in outcome. Returns -1. */
int outcome_fail_write(struct outcome *outcome);

/* Counts a parsed file as read or as not an NDBC file. */
void outcome_add_parse(struct outcome *outcome, const struct parse_summary *summary);

#endif
