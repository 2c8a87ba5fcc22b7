/*
 * buoy-fetch -f: files on disk read into one list, so that the rows of one
 * station and time are merged across files as within one, and printed
 * oldest first. A progress line shows on a terminal (see progress.h).
 */
#ifndef BUOY_FETCH_LOCAL_FILES_H
#define BUOY_FETCH_LOCAL_FILES_H

#include "run.h"

/*
 * Reads paths[0..count) ("-" for standard input, gzip-compressed or not)
 * and prints their observations. station_option (--station, or NULL)
 * names the station of files without an STN column; otherwise each file's
 * name does. A file that cannot be read, or is not an NDBC file, is
 * reported and counted in outcome, and the other files still print. A
 * stop signal ends the reading, and what was read is printed.
 */
void read_local_files(const char *const *paths, int count, const char *station_option,
                      struct outcome *outcome);

#endif
