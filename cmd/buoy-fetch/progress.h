/*
 * The progress line buoy-fetch -f shows on a terminal while it reads more
 * than one file: files done of the total, rows read, rows per second and
 * the file being read. It is rewritten in place with '\r' at most four
 * times a second, and ended with a newline after the last file. Nothing is
 * written when stderr is not a terminal, so logs and pipelines stay clean.
 */
#ifndef BUOY_FETCH_PROGRESS_H
#define BUOY_FETCH_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Minimum time between two redraws of the line. */
#define PROGRESS_INTERVAL_MS 250

struct progress {
	bool enabled;               /* stderr is a terminal and there are files to count */
	int file_count;
	int files_done;
	unsigned long rows;
	const char *current;        /* path of the file being read, or NULL */
	struct timespec start;
	struct timespec last_draw;
	bool drawn;                 /* drawn at least once */
	size_t width;               /* characters of the line on the terminal now */
};

/* Starts counting file_count files; enabled when stderr is a terminal and
 * file_count is more than 1. */
void progress_start(struct progress *progress, int file_count);

/* Records that path is being read, and redraws the line when it is due. */
void progress_begin_file(struct progress *progress, const char *path);

/* Records that the current file is done with rows rows. The next
 * progress_begin_file or progress_finish shows them. */
void progress_end_file(struct progress *progress, unsigned long rows);

/* Erases the line, so that a log message starts on a clean line; the next
 * redraw writes it again. */
void progress_clear(struct progress *progress);

/* Writes the final counts and ends the line with a newline. */
void progress_finish(struct progress *progress);

#endif
