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

/* Below 10^15 every integer is an exact double and every decimal of up to
 * 15 significant digits reads back as a distinct double. */
#define PLAIN_DIGITS_LIMIT 1000000000000000ULL
#define PLAIN_DECIMALS_MAX 22

bool parse_plain_decimal(const char *text, size_t len, double *value)
{
	static const double powers_of_ten[PLAIN_DECIMALS_MAX + 1] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	unsigned long long digits = 0;
	size_t digit_count = 0;
	int decimals = 0;
	bool negative = false;
	bool after_point = false;
	size_t i = 0;

	if (i < len && (text[i] == '-' || text[i] == '+'))
		negative = text[i++] == '-';

	for (; i < len; i++) {
		char c = text[i];

		if (c == '.' && !after_point) {
			after_point = true;
			continue;
		}
		if (c < '0' || c > '9')
			return false;
		digits = digits * 10 + (unsigned long long)(c - '0');
		if (digits >= PLAIN_DIGITS_LIMIT)
			return false;
		decimals += after_point;
		if (decimals > PLAIN_DECIMALS_MAX)
			return false;
		digit_count++;
	}
	if (digit_count == 0)
		return false;

	*value = (double)digits / powers_of_ten[decimals];
	if (negative)
		*value = -*value;
	return true;
}
