/*
 * The --state file: what buoy-fetch has fetched and printed, kept across
 * runs so that a one-shot run from cron is conditional and prints only
 * new observations. A JSON object:
 *
 *   {"stations": {"44013": {"etag": "...", "lastModified": "...",
 *                           "lastPrinted": "2022-06-05T13:00:00Z"}, ...},
 *    "latestObs": {"etag": "...", "lastModified": "..."}}
 */
#ifndef BUOY_FETCH_STATE_FILE_H
#define BUOY_FETCH_STATE_FILE_H

#include <stddef.h>

#include "run.h"

/* Largest state file read: about 200 bytes a station. */
#define STATE_FILE_MAX (4u * 1024 * 1024)

/*
 * Loads path into table: the state of every station of the table, and of
 * every station in the file when the table is open. A missing file is an
 * empty state. Returns 0, or -1 with the reason in error (the table is
 * then left as it was).
 */
int state_file_load(const char *path, struct station_table *table, char *error,
                    size_t error_size);

/*
 * Saves the table's state to path, keeping the entries of stations this
 * run did not follow, through a temporary file and rename(2). Returns 0,
 * or -1 with the reason in error.
 */
int state_file_save(const char *path, const struct station_table *table, char *error,
                    size_t error_size);

#endif
