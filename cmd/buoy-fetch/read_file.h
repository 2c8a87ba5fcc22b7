/* Reads a whole local file, or standard input, into memory. */
#ifndef BUOY_FETCH_READ_FILE_H
#define BUOY_FETCH_READ_FILE_H

#include "http_get.h"

/* Largest file read with -f: a yearly file of 10-minute rows is 4 MiB. */
#define READ_FILE_MAX (256u * 1024 * 1024)

/*
 * Reads path ("-" for standard input) into body, decompressing gzip data
 * (NDBC's "*.txt.gz") and passing plain text through unchanged.
 * Returns 0, or -1 with the reason in error.
 */
int read_whole_file(const char *path, struct http_body *body, char *error, size_t error_size);

#endif
