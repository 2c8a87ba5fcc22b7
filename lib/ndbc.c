#include "ndbc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "timefmt.h"

/* One whitespace-separated token of a line. */
struct token {
	const char *text;
	size_t len;
};

struct tokens {
	struct token item[NDBC_COLUMNS_MAX];
	int count;
	bool overflow;          /* more than NDBC_COLUMNS_MAX tokens */
};

/* The separators between tokens. Splitting a line tests every byte, so
 * the test is one table lookup. */
static const bool space_table[256] = {
	[' '] = true, ['\t'] = true, ['\r'] = true, ['\v'] = true, ['\f'] = true,
};

static bool is_space(char c)
{
	return space_table[(unsigned char)c];
}

static void split_tokens(const char *line, size_t len, struct tokens *tokens)
{
	size_t i = 0;

	tokens->count = 0;
	tokens->overflow = false;
	for (;;) {
		while (i < len && is_space(line[i]))
			i++;
		if (i == len)
			return;
		if (tokens->count == NDBC_COLUMNS_MAX) {
			tokens->overflow = true;
			return;
		}

		size_t start = i;

		while (i < len && !is_space(line[i]))
			i++;
		tokens->item[tokens->count].text = line + start;
		tokens->item[tokens->count].len = i - start;
		tokens->count++;
	}
}

static bool token_is(const struct token *token, const char *name)
{
	return token->len == strlen(name) && memcmp(token->text, name, token->len) == 0;
}

void ndbc_parser_init(struct ndbc_parser *parser, const char *station_id)
{
	memset(parser, 0, sizeof *parser);
	if (station_id != NULL)
		snprintf(parser->station_id, sizeof parser->station_id, "%s", station_id);
}

static void reset_layout(struct ndbc_layout *layout, int column_count)
{
	layout->column_count = column_count;
	layout->station_column = -1;
	for (int part = 0; part < NDBC_TIME_PARTS; part++)
		layout->time_column[part] = -1;
	for (int field = 0; field < OBS_FIELD_COUNT; field++)
		layout->field_column[field] = -1;
}

/* Returns the time part a header name stands for, or -1. */
static int time_part_for_name(const struct token *name)
{
	static const char *const names[][2] = {
		[NDBC_YEAR] = { "YY", "YYYY" },
		[NDBC_MONTH] = { "MM", NULL },
		[NDBC_DAY] = { "DD", NULL },
		[NDBC_HOUR] = { "hh", NULL },
		[NDBC_MINUTE] = { "mm", NULL },
	};

	for (int part = 0; part < NDBC_TIME_PARTS; part++)
		for (int alias = 0; alias < 2; alias++)
			if (names[part][alias] != NULL && token_is(name, names[part][alias]))
				return part;
	return -1;
}

static void map_column(struct ndbc_layout *layout, const struct token *name, int column)
{
	char text[16];
	int part = time_part_for_name(name);
	int field;

	if (part >= 0) {
		if (layout->time_column[part] < 0)
			layout->time_column[part] = column;
		return;
	}
	if (token_is(name, "STN")) {
		layout->station_column = column;
		return;
	}
	if (name->len >= sizeof text)
		return;
	memcpy(text, name->text, name->len);
	text[name->len] = '\0';
	field = observation_field_for_column(text);
	if (field >= 0 && layout->field_column[field] < 0)
		layout->field_column[field] = column;
}

/* Reads a header line into a layout. A header names at least the year,
 * month, day and hour. The first name may carry NDBC's leading '#'. */
static bool read_header(const struct tokens *tokens, struct ndbc_layout *layout)
{
	reset_layout(layout, tokens->count);
	for (int column = 0; column < tokens->count; column++) {
		struct token name = tokens->item[column];

		if (column == 0 && name.len > 1 && name.text[0] == '#') {
			name.text++;
			name.len--;
		}
		map_column(layout, &name, column);
	}
	for (int part = NDBC_YEAR; part <= NDBC_HOUR; part++)
		if (layout->time_column[part] < 0)
			return false;
	return true;
}

static bool parse_small_int(const struct token *token, int *value)
{
	if (token->len == 0 || token->len > 4)
		return false;
	*value = 0;
	for (size_t i = 0; i < token->len; i++) {
		if (token->text[i] < '0' || token->text[i] > '9')
			return false;
		*value = *value * 10 + (token->text[i] - '0');
	}
	return true;
}

/* Finds the midnight of a date, checking that the date exists. timegm
 * takes glibc's time zone lock and normalizes every field on each call,
 * and a file of 10-minute rows has 144 rows of a day one after another,
 * so the last date is kept. */
static bool find_midnight(struct ndbc_day *last, int year, int month, int day,
                          time_t *midnight)
{
	if (last->day != 0 && last->year == year && last->month == month && last->day == day) {
		*midnight = last->midnight;
		return true;
	}
	if (!timefmt_from_fields(year, month, day, 0, 0, 0, midnight))
		return false;

	last->year = year;
	last->month = month;
	last->day = day;
	last->midnight = *midnight;
	return true;
}

static bool read_time(struct ndbc_parser *parser, const struct tokens *tokens,
                      time_t *observed_at, char *error, size_t error_size)
{
	static const char *const part_names[] = { "year", "month", "day", "hour", "minute" };
	const struct ndbc_layout *layout = &parser->layout;
	int value[NDBC_TIME_PARTS] = { 0 };
	time_t midnight;

	for (int part = 0; part < NDBC_TIME_PARTS; part++) {
		int column = layout->time_column[part];

		if (column < 0)
			continue;
		if (!parse_small_int(&tokens->item[column], &value[part])) {
			snprintf(error, error_size, "invalid %s '%.*s'", part_names[part],
			         (int)tokens->item[column].len, tokens->item[column].text);
			return false;
		}
	}

	/* Files before 1999 write the year with two digits, meaning 19YY. */
	if (tokens->item[layout->time_column[NDBC_YEAR]].len <= 2)
		value[NDBC_YEAR] += 1900;

	if (value[NDBC_HOUR] > 23 || value[NDBC_MINUTE] > 59 ||
	    !find_midnight(&parser->last_day, value[NDBC_YEAR], value[NDBC_MONTH],
	                   value[NDBC_DAY], &midnight)) {
		snprintf(error, error_size, "invalid date or time %04d-%02d-%02d %02d:%02d",
		         value[NDBC_YEAR], value[NDBC_MONTH], value[NDBC_DAY],
		         value[NDBC_HOUR], value[NDBC_MINUTE]);
		return false;
	}

	/* POSIX time_t counts no leap seconds, so every day has 86,400 seconds. */
	*observed_at = midnight + value[NDBC_HOUR] * 3600 + value[NDBC_MINUTE] * 60;
	return true;
}

/* Reads a number as NDBC writes it, a plain decimal (".69", "01.70",
 * "+1.6"), of fewer than 32 characters. parse_plain_decimal reads those
 * without the cost of strtod; strtod reads the rest, and must consume the
 * whole token. */
static bool read_number(const struct token *token, double *value)
{
	char text[32];
	char *end;

	if (token->len == 0 || token->len >= sizeof text)
		return false;
	if (parse_plain_decimal(token->text, token->len, value))
		return true;

	memcpy(text, token->text, token->len);
	text[token->len] = '\0';
	*value = strtod(text, &end);
	return end == text + token->len && isfinite(*value) && strchr(text, 'x') == NULL &&
	       strchr(text, 'X') == NULL;
}

/* Parses a measurement: "MM" and the column's sentinel mean missing. */
static bool read_value(const struct token *token, int field, struct observation *obs,
                       char *error, size_t error_size)
{
	double value;

	if (token_is(token, "MM"))
		return true;
	if (!read_number(token, &value)) {
		snprintf(error, error_size, "invalid %s value '%.*s'", obs_fields[field].ndbc_names[0],
		         (int)(token->len < 40 ? token->len : 40), token->text);
		return false;
	}
	if (value != obs_fields[field].sentinel)
		observation_set(obs, field, value);
	return true;
}

static bool read_station(const struct ndbc_parser *parser, const struct tokens *tokens,
                         struct observation *obs, char *error, size_t error_size)
{
	int column = parser->layout.station_column;

	if (column < 0) {
		memcpy(obs->station_id, parser->station_id, sizeof obs->station_id);
		return true;
	}
	if (station_id_normalize(tokens->item[column].text, tokens->item[column].len,
	                         obs->station_id))
		return true;

	snprintf(error, error_size, "invalid station id '%.*s'",
	         (int)(tokens->item[column].len < 40 ? tokens->item[column].len : 40),
	         tokens->item[column].text);
	return false;
}

static enum ndbc_result read_row(struct ndbc_parser *parser, const struct tokens *tokens,
                                 struct observation *obs, char *error, size_t error_size)
{
	const struct ndbc_layout *layout = &parser->layout;

	if (tokens->overflow || tokens->count > layout->column_count) {
		snprintf(error, error_size, "row has more fields than the %d columns of the header",
		         layout->column_count);
		return NDBC_BAD_ROW;
	}

	/* A short row cannot be trusted: a download cut in the middle of the
	 * last row ends in a shortened number ("10" for "1015.2"). */
	if (tokens->count < layout->column_count) {
		snprintf(error, error_size, "row has %d fields but the header names %d columns",
		         tokens->count, layout->column_count);
		return NDBC_BAD_ROW;
	}

	memset(obs, 0, sizeof *obs);
	if (!read_station(parser, tokens, obs, error, error_size) ||
	    !read_time(parser, tokens, &obs->observed_at, error, error_size))
		return NDBC_BAD_ROW;

	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		int column = layout->field_column[field];

		if (column < 0)
			continue;
		if (!read_value(&tokens->item[column], field, obs, error, error_size))
			return NDBC_BAD_ROW;
	}
	return NDBC_ROW;
}

/* Returns false when the header lacks a column of the stream's required
 * fields. Every standard meteorological layout in the sample files, from
 * 1978 to today, has them all. The other realtime2 kinds (.spec, .cwind,
 * .supl, .ocean) lack some, and their columns of the same name mean other
 * things. */
static bool has_required_columns(const struct ndbc_layout *layout, char *missing,
                                 size_t missing_size)
{
	for (int field = 0; field < OBS_REQUIRED_MEASUREMENTS; field++) {
		if (layout->field_column[field] < 0) {
			snprintf(missing, missing_size, "%s", obs_fields[field].ndbc_names[0]);
			return false;
		}
	}
	return true;
}

static enum ndbc_result read_first_line(struct ndbc_parser *parser, const struct tokens *tokens,
                                        char *error, size_t error_size)
{
	char missing[16];

	if (!read_header(tokens, &parser->layout)) {
		snprintf(error, error_size, "no header line: expected column names such as "
		         "'#YY MM DD hh mm WDIR WSPD ...' before the data");
		return NDBC_BAD_FILE;
	}
	if (!has_required_columns(&parser->layout, missing, sizeof missing)) {
		snprintf(error, error_size, "the header has no %s column: this is not a standard "
		         "meteorological (stdmet) file", missing);
		return NDBC_BAD_FILE;
	}
	if (parser->layout.station_column < 0 && parser->station_id[0] == '\0') {
		snprintf(error, error_size, "the file has no STN column and its name gives no "
		         "station id: name the station with --station");
		return NDBC_BAD_FILE;
	}
	parser->have_header = true;
	return NDBC_SKIP;
}

enum ndbc_result ndbc_parse_line(struct ndbc_parser *parser, const char *line, size_t len,
                                 struct observation *obs, char *error, size_t error_size)
{
	struct tokens tokens;

	split_tokens(line, len, &tokens);
	if (tokens.count == 0)
		return NDBC_SKIP;
	if (!parser->have_header)
		return read_first_line(parser, &tokens, error, error_size);

	/* After the header, '#' starts the units line or a comment. */
	if (tokens.item[0].text[0] == '#')
		return NDBC_SKIP;
	return read_row(parser, &tokens, obs, error, error_size);
}
