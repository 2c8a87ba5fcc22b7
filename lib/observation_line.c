#include "observation_line.h"

#include <string.h>

#include "json_number.h"

#define SECONDS_PER_DAY 86400

static char *append(char *at, const char *text, size_t len)
{
	memcpy(at, text, len);
	return at + len;
}

static char *append_two_digits(char *at, int value)
{
	at[0] = (char)('0' + value / 10);
	at[1] = (char)('0' + value % 10);
	return at + 2;
}

/*
 * Writes t as "YYYY-MM-DDTHH:MM:SSZ". gmtime_r takes glibc's time zone
 * lock and strftime parses its format on every call, so the date comes
 * from the day count by civil_from_days, from Howard Hinnant's
 * "chrono-Compatible Low-Level Date Algorithms" (proleptic Gregorian, as
 * gmtime).
 * Returns NULL for years outside 1000 to 9999, which it does not write.
 */
static char *append_timestamp(char *at, time_t t)
{
	long long days = t / SECONDS_PER_DAY;
	long long seconds = t % SECONDS_PER_DAY;

	if (seconds < 0) {
		seconds += SECONDS_PER_DAY;
		days--;
	}

	long long shifted = days + 719468;    /* days since 0000-03-01 */
	long long era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
	long long day_of_era = shifted - era * 146097;
	long long year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 -
	                         day_of_era / 146096) / 365;
	long long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 -
	                                      year_of_era / 100);
	long long month_index = (5 * day_of_year + 2) / 153;    /* 0 is March */
	int day = (int)(day_of_year - (153 * month_index + 2) / 5 + 1);
	int month = (int)(month_index < 10 ? month_index + 3 : month_index - 9);
	long long year = year_of_era + era * 400 + (month <= 2);

	if (year < 1000 || year > 9999)
		return NULL;
	at = append_two_digits(at, (int)(year / 100));
	at = append_two_digits(at, (int)(year % 100));
	*at++ = '-';
	at = append_two_digits(at, month);
	*at++ = '-';
	at = append_two_digits(at, day);
	*at++ = 'T';
	at = append_two_digits(at, (int)(seconds / 3600));
	*at++ = ':';
	at = append_two_digits(at, (int)(seconds / 60 % 60));
	*at++ = ':';
	at = append_two_digits(at, (int)(seconds % 60));
	*at++ = 'Z';
	return at;
}

/* Returns true when id needs no JSON escaping: letters and digits only, as
 * station_id_normalize makes every id read from NDBC or from a record. */
static bool is_plain_id(const char *id)
{
	for (const char *c = id; *c != '\0'; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')))
			return false;
	return true;
}

static size_t format_with_jq(const struct observation *obs, char *out)
{
	jv text = jv_dump_string(observation_to_jv(obs), 0);
	size_t len = (size_t)jv_string_length_bytes(jv_copy(text));

	if (len > OBSERVATION_LINE_MAX - 1)
		len = OBSERVATION_LINE_MAX - 1;
	memcpy(out, jv_string_value(text), len);
	out[len++] = '\n';
	jv_free(text);
	return len;
}

/* Writes ,"name": for a measurement. */
static char *append_key(char *at, const char *name)
{
	*at++ = ',';
	*at++ = '"';
	at = append(at, name, strlen(name));
	*at++ = '"';
	*at++ = ':';
	return at;
}

size_t observation_line_format(const struct observation *obs, char out[OBSERVATION_LINE_MAX])
{
	static const char station_key[] = "{\"stationId\":\"";
	static const char timestamp_key[] = "\",\"timestamp\":\"";
	char *at = out;

	if (!is_plain_id(obs->station_id))
		return format_with_jq(obs, out);

	at = append(at, station_key, sizeof station_key - 1);
	at = append(at, obs->station_id, strlen(obs->station_id));
	at = append(at, timestamp_key, sizeof timestamp_key - 1);
	at = append_timestamp(at, obs->observed_at);
	if (at == NULL)
		return format_with_jq(obs, out);
	*at++ = '"';

	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		at = append_key(at, obs_fields[field].json_name);
		if (observation_has(obs, field))
			at += json_number_format(obs->value[field], at);
		else
			at = append(at, "null", 4);
	}
	*at++ = '}';
	*at++ = '\n';
	return (size_t)(at - out);
}
