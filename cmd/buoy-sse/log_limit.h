/*
 * Rate limits for repeated log lines, so that a flood of bad input or of
 * rejected requests cannot flood the log. Each kind of line goes out at
 * most once a second, and log_limit_flush, called once a second, logs the
 * count of the lines held back.
 */
#ifndef BUOY_SSE_LOG_LIMIT_H
#define BUOY_SSE_LOG_LIMIT_H

#include <stdbool.h>
#include <time.h>

struct log_limit {
	time_t second;               /* CLOCK_MONOTONIC second of the last line */
	bool logged;                 /* a line went out at that second */
	unsigned long held_back;     /* lines not logged since the last flush */
};

/* Returns true when a line of this kind may be logged now, after logging
 * the count of the lines held back, if any, as "N more <description>".
 * Otherwise counts the line as held back and returns false. */
bool log_limit_allow(struct log_limit *limit, const char *description);

/* Logs "N more <description>" as a warning when lines were held back, and
 * resets the count. */
void log_limit_flush(struct log_limit *limit, const char *description);

#endif
