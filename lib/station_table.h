/*
 * Parser for NDBC's station table (data/stations/station_table.txt), one
 * line at a time, and the station record it yields.
 *
 * The file is pipe-separated, with a header line that names the columns:
 *
 *   # STATION_ID | OWNER | TTYPE | HULL | NAME | PAYLOAD | LOCATION | TIMEZONE | FORECAST | NOTE
 *   #
 *   44013|N|3-meter discus buoy|3D85|BOSTON 16 NM East of Boston, MA|ARES payload|42.346 N 70.651 W (42&#176;20'44" N 70&#176;39'4" W)|E| |...
 *
 * Columns are found by the names in the header, as in the observation
 * files. Text fields may contain HTML character references (&#176;, &amp;),
 * which are decoded to UTF-8.
 *
 * The station record, one JSON object per line, in this key order:
 *
 *   {"stationId":"44013","name":"BOSTON 16 NM East of Boston, MA",
 *    "lat":42.346,"lon":-70.651,"owner":"N","type":"3-meter discus buoy"}
 *
 * lat and lon are signed decimal degrees (south and west negative), or
 * both null when the location cannot be read. An empty name, owner or
 * type is null. Programs tell a station record from an observation by its
 * "lat" and "lon" keys and the absence of "timestamp".
 */
#ifndef BUOY_STATION_TABLE_H
#define BUOY_STATION_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <jv.h>

#include "station_id.h"

/* Maximum decoded lengths in bytes. NDBC's longest are about 80 (NAME),
 * 2 (OWNER) and 31 (TTYPE). */
#define STATION_NAME_MAX 255
#define STATION_OWNER_MAX 15
#define STATION_TYPE_MAX 63

/* Maximum number of columns in the header; NDBC's has 10. */
#define STATION_TABLE_COLUMNS_MAX 32

enum station_column {
	STATION_COLUMN_ID,
	STATION_COLUMN_OWNER,
	STATION_COLUMN_TYPE,
	STATION_COLUMN_NAME,
	STATION_COLUMN_LOCATION,
	STATION_COLUMN_COUNT
};

/* One station. Empty strings are printed as null. */
struct station_table_row {
	char station_id[STATION_ID_MAX + 1];
	char name[STATION_NAME_MAX + 1];
	char owner[STATION_OWNER_MAX + 1];
	char type[STATION_TYPE_MAX + 1];
	bool has_location;
	double lat;              /* degrees, south negative */
	double lon;              /* degrees, west negative */
};

struct station_table_parser {
	int column[STATION_COLUMN_COUNT];    /* position in a row, or -1 */
	int column_count;                    /* columns the header names */
	bool have_header;
};

enum station_table_result {
	STATION_TABLE_ROW,         /* *record contains a station */
	STATION_TABLE_SKIP,        /* header, comment or blank line */
	STATION_TABLE_BAD_ROW,     /* this row cannot be read; later rows may be fine */
	STATION_TABLE_BAD_FILE,    /* no usable header: no row can be read */
};

void station_table_parser_init(struct station_table_parser *parser);

/*
 * Reads one line (without its newline; a trailing '\r' is ignored). A
 * header must come before the first row and name at least STATION_ID.
 * On STATION_TABLE_BAD_ROW and STATION_TABLE_BAD_FILE, error contains
 * the reason, without the position: the caller knows the file and line.
 */
enum station_table_result station_table_parse_line(struct station_table_parser *parser,
                                                   const char *line, size_t len,
                                                   struct station_table_row *record,
                                                   char *error, size_t error_size);

/*
 * Parses a LOCATION field, "42.346 N 70.651 W (42&#176;20'44" N ...)",
 * into signed degrees. Text after the longitude's hemisphere letter is
 * ignored. Returns false when the field does not start with a latitude
 * of 0 to 90 and a longitude of 0 to 180, each with its hemisphere.
 */
bool station_table_parse_location(const char *text, size_t len, double *lat, double *lon);

/*
 * Copies text to out (out_size bytes, NUL-terminated) without leading and
 * trailing spaces, and decodes HTML character references. The references
 * decoded are &amp; &lt; &gt; &quot; &apos; &nbsp; &deg; and numeric ones
 * (&#176; &#xB0;). Other text
 * that starts with '&' is copied unchanged. Returns false when the decoded
 * text does not fit.
 */
bool station_table_decode_text(const char *text, size_t len, char *out, size_t out_size);

/* Builds the JSON object of the record, keys in the documented order. */
jv station_table_row_to_jv(const struct station_table_row *record);

#endif
