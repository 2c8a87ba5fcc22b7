#include "scan_line.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "timefmt.h"

/* Maximum length of a number read here; a longer one goes to libjq. */
#define NUMBER_TOKEN_MAX 63

struct scanner {
	const char *at;
	const char *end;
};

/* Bits of struct scan_seen.fields for the two keys that are not
 * measurements. */
#define SEEN_STATION (1u << OBS_FIELD_COUNT)
#define SEEN_TIMESTAMP (1u << (OBS_FIELD_COUNT + 1))
#define SEEN_REQUIRED (SEEN_STATION | SEEN_TIMESTAMP | ((1u << OBS_REQUIRED_MEASUREMENTS) - 1))

static void skip_space(struct scanner *scan)
{
	while (scan->at < scan->end &&
	       (*scan->at == ' ' || *scan->at == '\t' || *scan->at == '\n' || *scan->at == '\r'))
		scan->at++;
}

static bool next_is(struct scanner *scan, char c)
{
	skip_space(scan);
	return scan->at < scan->end && *scan->at == c;
}

/* Reads a string without backslashes; the scanner is on its opening quote.
 * The line is valid JSON, so the next quote closes it. */
static bool read_plain_string(struct scanner *scan, const char **text, size_t *len)
{
	const char *start = scan->at + 1;
	const char *quote = memchr(start, '"', (size_t)(scan->end - start));

	if (quote == NULL || memchr(start, '\\', (size_t)(quote - start)) != NULL)
		return false;
	*text = start;
	*len = (size_t)(quote - start);
	scan->at = quote + 1;
	return true;
}

/* Skips a string that may hold escapes; the scanner is on its opening quote. */
static void skip_string(struct scanner *scan)
{
	for (scan->at++; scan->at < scan->end && *scan->at != '"'; scan->at++)
		if (*scan->at == '\\')
			scan->at++;
	scan->at++;
}

/* Skips any value: a string, a nested object or array, or a number or
 * literal, which ends at a comma, a closing bracket or white space. */
static void skip_value(struct scanner *scan)
{
	int depth = 0;

	while (scan->at < scan->end) {
		char c = *scan->at;

		if (c == '"') {
			skip_string(scan);
			if (depth == 0)
				return;
			continue;
		}
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return;
			if (--depth == 0) {
				scan->at++;
				return;
			}
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			return;
		}
		scan->at++;
	}
}

static int measurement_for_key(const char *key, size_t len)
{
	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		const char *name = obs_fields[field].json_name;

		if (strlen(name) == len && memcmp(name, key, len) == 0)
			return field;
	}
	return -1;
}

static bool key_is(const char *key, size_t len, const char *name)
{
	return strlen(name) == len && memcmp(name, key, len) == 0;
}

/* Reads a number or null into the field; anything else needs libjq. */
static bool read_measurement(struct scanner *scan, int field, struct observation *obs)
{
	char token[NUMBER_TOKEN_MAX + 1];
	const char *start = scan->at;
	size_t len;
	double value;

	if (scan->end - scan->at >= 4 && memcmp(scan->at, "null", 4) == 0) {
		obs->present &= ~(1u << field);
		scan->at += 4;
		return true;
	}
	if (*start != '-' && (*start < '0' || *start > '9'))
		return false;

	skip_value(scan);
	len = (size_t)(scan->at - start);
	if (!parse_plain_decimal(start, len, &value)) {
		if (len > NUMBER_TOKEN_MAX)
			return false;
		memcpy(token, start, len);
		token[len] = '\0';
		value = strtod(token, NULL);
	}
	if (!isfinite(value))
		return false;   /* libjq reports the value as out of range */
	observation_set(obs, field, value);
	return true;
}

static bool read_station(struct scanner *scan, struct observation *obs)
{
	const char *text;
	size_t len;

	return *scan->at == '"' && read_plain_string(scan, &text, &len) &&
	       station_id_normalize(text, len, obs->station_id);
}

static bool read_timestamp(struct scanner *scan, struct observation *obs)
{
	char copy[TIMEFMT_ISO_SIZE];
	const char *text;
	size_t len;

	if (*scan->at != '"' || !read_plain_string(scan, &text, &len) || len != TIMEFMT_ISO_SIZE - 1)
		return false;
	memcpy(copy, text, len);
	copy[len] = '\0';
	return timefmt_parse_iso8601(copy, &obs->observed_at);
}

/* Reads one member's value by its key, and notes the key in *seen. */
static bool read_member(struct scanner *scan, const char *key, size_t key_len,
                        struct observation *obs, uint32_t *seen)
{
	int field;

	if (key_is(key, key_len, "stationId")) {
		*seen |= SEEN_STATION;
		return read_station(scan, obs);
	}
	if (key_is(key, key_len, "timestamp")) {
		*seen |= SEEN_TIMESTAMP;
		return read_timestamp(scan, obs);
	}
	field = measurement_for_key(key, key_len);
	if (field < 0) {
		skip_value(scan);
		return true;
	}
	*seen |= 1u << field;
	return read_measurement(scan, field, obs);
}

/* A later member with the same key replaces an earlier one, as in libjq. */
bool scan_observation_line(const char *line, size_t len, struct observation *obs)
{
	struct scanner scan = { line, line + len };
	uint32_t seen = 0;

	memset(obs, 0, sizeof *obs);
	if (!next_is(&scan, '{'))
		return false;
	scan.at++;
	if (next_is(&scan, '}'))
		return false;

	for (;;) {
		const char *key;
		size_t key_len;

		if (!next_is(&scan, '"') || !read_plain_string(&scan, &key, &key_len) ||
		    !next_is(&scan, ':'))
			return false;
		scan.at++;
		skip_space(&scan);
		if (scan.at >= scan.end || !read_member(&scan, key, key_len, obs, &seen))
			return false;
		if (next_is(&scan, ',')) {
			scan.at++;
			continue;
		}
		if (next_is(&scan, '}'))
			break;
		return false;
	}
	return (seen & SEEN_REQUIRED) == SEEN_REQUIRED;
}
