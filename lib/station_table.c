#include "station_table.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One pipe-separated field of a line, not yet trimmed. */
struct field {
	const char *text;
	size_t len;
};

struct fields {
	struct field item[STATION_TABLE_COLUMNS_MAX];
	int count;
	bool overflow;          /* more than STATION_TABLE_COLUMNS_MAX fields */
};

static const char *const column_names[STATION_COLUMN_COUNT] = {
	[STATION_COLUMN_ID] = "STATION_ID",
	[STATION_COLUMN_OWNER] = "OWNER",
	[STATION_COLUMN_TYPE] = "TTYPE",
	[STATION_COLUMN_NAME] = "NAME",
	[STATION_COLUMN_LOCATION] = "LOCATION",
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char **text, size_t *len)
{
	while (*len > 0 && is_space(**text)) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*text)[*len - 1]))
		(*len)--;
}

static void split_fields(const char *line, size_t len, struct fields *fields)
{
	const char *end = line + len;
	const char *start = line;

	fields->count = 0;
	fields->overflow = false;
	for (;;) {
		const char *bar = memchr(start, '|', (size_t)(end - start));
		const char *stop = bar != NULL ? bar : end;

		if (fields->count == STATION_TABLE_COLUMNS_MAX) {
			fields->overflow = true;
			return;
		}
		fields->item[fields->count].text = start;
		fields->item[fields->count].len = (size_t)(stop - start);
		fields->count++;
		if (bar == NULL)
			return;
		start = bar + 1;
	}
}

void station_table_parser_init(struct station_table_parser *parser)
{
	memset(parser, 0, sizeof *parser);
	for (int column = 0; column < STATION_COLUMN_COUNT; column++)
		parser->column[column] = -1;
}

/* Reads the column names of a '#' line into the parser when the line names
 * STATION_ID. Returns false, leaving the parser as it was, for any other
 * comment line. */
static bool read_header(struct station_table_parser *parser, const char *line, size_t len)
{
	struct station_table_parser header;
	struct fields names;

	station_table_parser_init(&header);
	split_fields(line + 1, len - 1, &names);
	if (names.overflow)
		return false;
	for (int i = 0; i < names.count; i++) {
		const char *name = names.item[i].text;
		size_t name_len = names.item[i].len;

		trim(&name, &name_len);
		for (int column = 0; column < STATION_COLUMN_COUNT; column++)
			if (name_len == strlen(column_names[column]) &&
			    memcmp(name, column_names[column], name_len) == 0)
				header.column[column] = i;
	}
	if (header.column[STATION_COLUMN_ID] < 0)
		return false;

	header.column_count = names.count;
	header.have_header = true;
	*parser = header;
	return true;
}

/* Returns the trimmed field of the row for column, or an empty field when
 * the header does not name the column. */
static struct field column_field(const struct station_table_parser *parser,
                                 const struct fields *row, enum station_column column)
{
	struct field field = { "", 0 };
	int position = parser->column[column];

	if (position >= 0)
		field = row->item[position];
	trim(&field.text, &field.len);
	return field;
}

static bool read_id(const struct field *field, struct station_table_row *record, char *error,
                    size_t error_size)
{
	if (field->len == 0) {
		snprintf(error, error_size, "missing station id");
		return false;
	}
	if (!station_id_normalize(field->text, field->len, record->station_id)) {
		snprintf(error, error_size, "invalid station id '%.*s': expected 1 to %d letters "
		         "and digits", (int)(field->len > 64 ? 64 : field->len), field->text,
		         STATION_ID_MAX);
		return false;
	}
	return true;
}

static bool read_text(const struct field *field, const char *column_name, char *out,
                      size_t out_size, char *error, size_t error_size)
{
	if (station_table_decode_text(field->text, field->len, out, out_size))
		return true;
	snprintf(error, error_size, "%s is longer than %zu bytes", column_name, out_size - 1);
	return false;
}

static enum station_table_result read_row(const struct station_table_parser *parser,
                                          const struct fields *row,
                                          struct station_table_row *record, char *error,
                                          size_t error_size)
{
	struct field id = column_field(parser, row, STATION_COLUMN_ID);
	struct field owner = column_field(parser, row, STATION_COLUMN_OWNER);
	struct field type = column_field(parser, row, STATION_COLUMN_TYPE);
	struct field name = column_field(parser, row, STATION_COLUMN_NAME);
	struct field location = column_field(parser, row, STATION_COLUMN_LOCATION);

	memset(record, 0, sizeof *record);
	if (!read_id(&id, record, error, error_size) ||
	    !read_text(&name, "NAME", record->name, sizeof record->name, error, error_size) ||
	    !read_text(&owner, "OWNER", record->owner, sizeof record->owner, error, error_size) ||
	    !read_text(&type, "TTYPE", record->type, sizeof record->type, error, error_size))
		return STATION_TABLE_BAD_ROW;

	record->has_location = station_table_parse_location(location.text, location.len,
	                                                    &record->lat, &record->lon);
	return STATION_TABLE_ROW;
}

enum station_table_result station_table_parse_line(struct station_table_parser *parser,
                                                   const char *line, size_t len,
                                                   struct station_table_row *record,
                                                   char *error, size_t error_size)
{
	struct fields row;

	if (len > 0 && line[len - 1] == '\r')
		len--;

	const char *text = line;
	size_t text_len = len;

	trim(&text, &text_len);
	if (text_len == 0)
		return STATION_TABLE_SKIP;
	if (text[0] == '#') {
		read_header(parser, text, text_len);
		return STATION_TABLE_SKIP;
	}
	if (!parser->have_header) {
		snprintf(error, error_size, "no header line: expected '# STATION_ID | OWNER | "
		         "TTYPE | ...' before the first row of a station table");
		return STATION_TABLE_BAD_FILE;
	}

	split_fields(line, len, &row);
	if (row.overflow || row.count != parser->column_count) {
		snprintf(error, error_size, "row has %s%d fields but the header names %d columns",
		         row.overflow ? "more than " : "", row.count, parser->column_count);
		return STATION_TABLE_BAD_ROW;
	}
	return read_row(parser, &row, record, error, error_size);
}

/* Reads unsigned decimal degrees ("42.346") at *cursor, at most max. */
static bool read_degrees(const char **cursor, const char *end, double max, double *value)
{
	const char *start;
	char number[32];
	char *number_end;

	while (*cursor < end && is_space(**cursor))
		(*cursor)++;
	start = *cursor;
	while (*cursor < end && ((**cursor >= '0' && **cursor <= '9') || **cursor == '.'))
		(*cursor)++;

	size_t len = (size_t)(*cursor - start);

	/* strtod alone would also take signs, exponents, "inf" and hex. */
	if (len == 0 || len >= sizeof number || start[0] == '.')
		return false;
	memcpy(number, start, len);
	number[len] = '\0';
	*value = strtod(number, &number_end);
	return *number_end == '\0' && *value <= max;
}

/* Reads a hemisphere letter at *cursor and applies its sign to *value:
 * positive is north or east, negative is south or west. */
static bool read_hemisphere(const char **cursor, const char *end, char positive, char negative,
                            double *value)
{
	char letter;

	while (*cursor < end && is_space(**cursor))
		(*cursor)++;
	if (*cursor == end)
		return false;
	letter = **cursor;
	(*cursor)++;
	if (*cursor < end && !is_space(**cursor) && **cursor != '(')
		return false;

	if (letter == positive)
		return true;
	if (letter != negative)
		return false;
	/* Negating 0 would print as -0. */
	if (*value != 0)
		*value = -*value;
	return true;
}

bool station_table_parse_location(const char *text, size_t len, double *lat, double *lon)
{
	const char *cursor = text;
	const char *end = text + len;
	double latitude;
	double longitude;

	if (!read_degrees(&cursor, end, 90, &latitude) ||
	    !read_hemisphere(&cursor, end, 'N', 'S', &latitude) ||
	    !read_degrees(&cursor, end, 180, &longitude) ||
	    !read_hemisphere(&cursor, end, 'E', 'W', &longitude))
		return false;

	*lat = latitude;
	*lon = longitude;
	return true;
}

/* Named references decoded: the five of XML, &nbsp; (which the NOTE column
 * of NDBC's table contains) and &deg;. */
struct named_reference {
	const char *name;
	uint32_t code_point;
};

static const struct named_reference named_references[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	{ "nbsp", 0xA0 }, { "deg", 0xB0 },
};

/* Returns the code point of the digits of "&#176;" or "&#xB0;" (without
 * "&#" and ";"), or 0 when they are not a valid Unicode scalar value. */
static uint32_t read_numeric_reference(const char *digits, size_t len)
{
	uint32_t base = 10;
	uint32_t value = 0;

	if (len > 0 && (digits[0] == 'x' || digits[0] == 'X')) {
		base = 16;
		digits++;
		len--;
	}
	if (len == 0 || len > 7)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = digits[i];
		uint32_t digit;

		if (c >= '0' && c <= '9')
			digit = (uint32_t)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = (uint32_t)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = (uint32_t)(c - 'A' + 10);
		else
			return 0;
		value = value * base + digit;
	}
	if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
		return 0;
	return value;
}

/* Returns the code point of the reference that starts at text ('&'), with
 * its length in *reference_len, or 0 when text starts no known reference. */
static uint32_t read_reference(const char *text, size_t len, size_t *reference_len)
{
	/* A reference read here has at most 11 bytes ("&#x", seven hex digits
	 * and ';'), so its ';' is within the first 12. */
	const char *semicolon = memchr(text, ';', len < 12 ? len : 12);

	if (semicolon == NULL)
		return 0;

	const char *name = text + 1;
	size_t name_len = (size_t)(semicolon - name);

	*reference_len = name_len + 2;
	if (name_len > 1 && name[0] == '#')
		return read_numeric_reference(name + 1, name_len - 1);
	for (size_t i = 0; i < sizeof named_references / sizeof named_references[0]; i++)
		if (strlen(named_references[i].name) == name_len &&
		    memcmp(named_references[i].name, name, name_len) == 0)
			return named_references[i].code_point;
	return 0;
}

/* Writes code_point as UTF-8 into out (4 bytes) and returns its length. */
static size_t encode_utf8(uint32_t code_point, char out[4])
{
	if (code_point < 0x80) {
		out[0] = (char)code_point;
		return 1;
	}
	if (code_point < 0x800) {
		out[0] = (char)(0xC0 | (code_point >> 6));
		out[1] = (char)(0x80 | (code_point & 0x3F));
		return 2;
	}
	if (code_point < 0x10000) {
		out[0] = (char)(0xE0 | (code_point >> 12));
		out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
		out[2] = (char)(0x80 | (code_point & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (code_point >> 18));
	out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
	out[3] = (char)(0x80 | (code_point & 0x3F));
	return 4;
}

/* Written by hand because the toolkit links no HTML library, and NDBC's
 * table uses only a few references. */
bool station_table_decode_text(const char *text, size_t len, char *out, size_t out_size)
{
	size_t used = 0;

	trim(&text, &len);
	for (size_t i = 0; i < len;) {
		char encoded[4] = { text[i] };
		size_t encoded_len = 1;
		size_t consumed = 1;
		size_t reference_len;
		uint32_t code_point;

		if (text[i] == '&' &&
		    (code_point = read_reference(text + i, len - i, &reference_len)) != 0) {
			encoded_len = encode_utf8(code_point, encoded);
			consumed = reference_len;
		}
		if (used + encoded_len >= out_size)
			return false;
		memcpy(out + used, encoded, encoded_len);
		used += encoded_len;
		i += consumed;
	}
	out[used] = '\0';
	return true;
}

static jv text_or_null(const char *text)
{
	return text[0] != '\0' ? jv_string(text) : jv_null();
}

jv station_table_row_to_jv(const struct station_table_row *record)
{
	jv object = jv_object();
	jv lat = record->has_location ? jv_number(record->lat) : jv_null();
	jv lon = record->has_location ? jv_number(record->lon) : jv_null();

	object = jv_object_set(object, jv_string("stationId"), jv_string(record->station_id));
	object = jv_object_set(object, jv_string("name"), text_or_null(record->name));
	object = jv_object_set(object, jv_string("lat"), lat);
	object = jv_object_set(object, jv_string("lon"), lon);
	object = jv_object_set(object, jv_string("owner"), text_or_null(record->owner));
	return jv_object_set(object, jv_string("type"), text_or_null(record->type));
}
