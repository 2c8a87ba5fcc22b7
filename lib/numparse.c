#include "numparse.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool parse_long_range(const char *text, long min, long max, long *value)
{
	char *end;
	long parsed;

	if (text == NULL || *text == '\0' || (*text != '-' && (*text < '0' || *text > '9')))
		return false;

	errno = 0;
	parsed = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || parsed < min || parsed > max)
		return false;

	*value = parsed;
	return true;
}

struct duration_unit {
	const char *suffix;
	long ms;
};

static const struct duration_unit duration_units[] = {
	{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 }, { "h", 3600000 },
};

bool parse_duration_ms(const char *text, long min_ms, long max_ms, long *value_ms)
{
	char *end;
	long amount;

	if (text == NULL || *text < '0' || *text > '9')
		return false;

	errno = 0;
	amount = strtol(text, &end, 10);
	if (errno != 0)
		return false;

	for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
		const struct duration_unit *unit = &duration_units[i];

		if (strcmp(end, unit->suffix) != 0)
			continue;
		if (amount > LONG_MAX / unit->ms)
			return false;
		amount *= unit->ms;
		if (amount < min_ms || amount > max_ms)
			return false;
		*value_ms = amount;
		return true;
	}
	return false;
}
