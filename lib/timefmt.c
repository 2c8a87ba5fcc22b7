#include "timefmt.h"

#include <stdio.h>
#include <string.h>

void timefmt_iso8601(time_t t, char out[TIMEFMT_ISO_SIZE])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, TIMEFMT_ISO_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool timefmt_from_fields(int year, int month, int day, int hour, int minute,
                         int second, time_t *t)
{
	struct tm tm = {
		.tm_year = year - 1900,
		.tm_mon = month - 1,
		.tm_mday = day,
		.tm_hour = hour,
		.tm_min = minute,
		.tm_sec = second,
	};

	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
	    second < 0 || second > 59)
		return false;

	*t = timegm(&tm);

	/* timegm normalises April 31 to May 1; a changed day means the date
	 * does not exist. */
	return tm.tm_mday == day && tm.tm_mon == month - 1;
}

static bool read_digits(const char *text, int count, int *value)
{
	*value = 0;
	for (int i = 0; i < count; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		*value = *value * 10 + (text[i] - '0');
	}
	return true;
}

bool timefmt_parse_iso8601(const char *text, time_t *t)
{
	int year, month, day, hour, minute, second;

	if (strlen(text) != TIMEFMT_ISO_SIZE - 1)
		return false;
	if (text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
	    text[13] != ':' || text[16] != ':' || text[19] != 'Z')
		return false;
	if (!read_digits(text, 4, &year) || !read_digits(text + 5, 2, &month) ||
	    !read_digits(text + 8, 2, &day) || !read_digits(text + 11, 2, &hour) ||
	    !read_digits(text + 14, 2, &minute) || !read_digits(text + 17, 2, &second))
		return false;
	return timefmt_from_fields(year, month, day, hour, minute, second, t);
}
