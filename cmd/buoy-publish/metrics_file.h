/* The --metrics-file output: the counts of the last run in Prometheus text
 * format, for node_exporter's textfile collector. */
#ifndef BUOY_PUBLISH_METRICS_FILE_H
#define BUOY_PUBLISH_METRICS_FILE_H

#include <stddef.h>

struct publish_counts {
	const char *channel;
	unsigned long published;
	unsigned long failed;
	unsigned long invalid;
	int exit_status;
};

/*
 * Writes counts to path through a temporary file in the same folder and
 * rename(2), so a collector never reads half a file. Returns 0, or -1 with
 * the reason in error.
 */
int metrics_file_write(const char *path, const struct publish_counts *counts,
                       char *error, size_t error_size);

#endif
