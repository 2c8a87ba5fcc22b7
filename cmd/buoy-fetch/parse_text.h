/* Turns the text of one NDBC file into observations, reporting each row
 * that cannot be read with its file name and line number. */
#ifndef BUOY_FETCH_PARSE_TEXT_H
#define BUOY_FETCH_PARSE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "obs_list.h"

struct parse_summary {
	unsigned long rows;        /* observations appended */
	unsigned long bad_rows;    /* rows reported and skipped */
	bool bad_file;             /* no row could be read: reported */
};

/*
 * Parses text (len bytes) from the file named source. station_id may be
 * NULL for files with an STN column. Appends observations to list and
 * returns 0, or -1 when the list cannot grow (reported).
 */
int parse_ndbc_text(const char *source, const char *station_id, const char *text, size_t len,
                    struct obs_list *list, struct parse_summary *summary);

/* Sets a function that parse_ndbc_text calls with context before it logs
 * a message, so that a progress line on the terminal can be erased first.
 * NULL, the default, sets none. */
void parse_text_set_before_log(void (*before_log)(void *context), void *context);

#endif
