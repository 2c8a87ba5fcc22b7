/* NDBC station ids: 1 to 8 letters and digits, stored upper case. */
#ifndef BUOY_STATION_ID_H
#define BUOY_STATION_ID_H

#include <stdbool.h>
#include <stddef.h>

#define STATION_ID_MAX 8

/* Copies text upper-cased into out (STATION_ID_MAX + 1 bytes) when it is a
 * valid station id of length len. Returns false, leaving out untouched,
 * when it is not. */
bool station_id_normalize(const char *text, size_t len, char out[STATION_ID_MAX + 1]);

/* Derives the station from a file name as NDBC names its files:
 * "44013.txt", "46035h2000.txt", "tplm2h2021.txt.gz", "tplm2_2022-01.txt".
 * Directories in path are ignored. Returns false when no id is found. */
bool station_id_from_filename(const char *path, char out[STATION_ID_MAX + 1]);

#endif
