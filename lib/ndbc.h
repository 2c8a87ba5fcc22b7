/*
 * Parser for NDBC standard meteorological text files, one line at a time.
 *
 * Columns are found by the header line, never by position, because the
 * order differs between file kinds (latest_obs.txt puts PTDY before ATMP)
 * and historical files add, rename and drop columns over the years:
 *
 *   realtime2, since 2007   #YY  MM DD hh mm WDIR WSPD ... PRES ... TIDE
 *                           #yr  mo dy hr mn degT m/s  ...   (units line)
 *   2005-2006               YYYY MM DD hh mm  WD  WSPD ... BAR ...
 *   1999-2004               YYYY MM DD hh  WD  WSPD ...     (no minute)
 *   before 1999             YY MM DD hh WD WSPD ...          (19YY, no minute)
 *   latest_obs, hourly2     #STN ... YYYY MM DD hh mm ...    (many stations)
 *
 * Missing values are "MM", or in old files a 9-filled sentinel per column
 * (99.0, 999, 9999.0: see obs_fields). Years of two digits mean 19YY.
 */
#ifndef BUOY_NDBC_H
#define BUOY_NDBC_H

#include <stdbool.h>
#include <stddef.h>

#include "observation.h"

/* Maximum number of columns in a header; NDBC files have at most 22. */
#define NDBC_COLUMNS_MAX 64

enum ndbc_time_part {
	NDBC_YEAR,
	NDBC_MONTH,
	NDBC_DAY,
	NDBC_HOUR,
	NDBC_MINUTE,
	NDBC_TIME_PARTS
};

struct ndbc_layout {
	int column_count;
	int time_column[NDBC_TIME_PARTS];     /* -1: absent (minute before 2005) */
	int station_column;                   /* -1: no STN column */
	int field_column[OBS_FIELD_COUNT];    /* -1: the file lacks this measurement */
};

/* A date already checked, and its midnight as a time_t. */
struct ndbc_day {
	int year, month, day;                 /* day 0: none yet */
	time_t midnight;
};

struct ndbc_parser {
	char station_id[STATION_ID_MAX + 1];  /* for files without STN; may be empty */
	struct ndbc_layout layout;
	bool have_header;
	struct ndbc_day last_day;             /* rows of one day skip timegm */
};

enum ndbc_result {
	NDBC_ROW,          /* *obs contains an observation */
	NDBC_SKIP,         /* header, units line, comment or blank line */
	NDBC_BAD_ROW,      /* this row cannot be read; later rows may be fine */
	NDBC_BAD_FILE,     /* no usable header: no row of this file can be read */
};

/* Starts a file. station_id (may be NULL) is used when the file has no STN
 * column; it must already be normalized. */
void ndbc_parser_init(struct ndbc_parser *parser, const char *station_id);

/*
 * Reads one line (without its newline; a trailing '\r' is ignored). On
 * NDBC_BAD_ROW and NDBC_BAD_FILE, error contains the reason, without the
 * position: the caller knows the file and line number.
 */
enum ndbc_result ndbc_parse_line(struct ndbc_parser *parser, const char *line, size_t len,
                                 struct observation *obs, char *error, size_t error_size);

#endif
