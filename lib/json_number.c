#include "json_number.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <jv.h>

/*
 * libjq formats each number with a full dtoa call inside jv_dump_string,
 * and a record has fourteen. NDBC's values are short decimals (1015.2,
 * 0.69, -12.3), so the fast path below looks for the fewest decimal
 * places k such that some integer m gives m / 10^k == value, and prints m
 * with the point moved k places.
 *
 * Why that is jq's text: m and 10^k are exact doubles, so the division is
 * correctly rounded and m * 10^-k reads back as value. With m below 10^15
 * the decimal has at most 15 significant digits, and no two such decimals
 * read back as the same double (DBL_DIG is 15), so no other decimal of k
 * places reads back as value. A decimal with fewer digits would need fewer
 * places, and each smaller k was tried first. The shortest digits are
 * therefore those of m, which is what dtoa's mode 0 returns to jq. In the
 * range [1e-3, 1e15) jq never writes an exponent: it does below 1e-4, and
 * when more than 15 zeros would follow the significant digits.
 *
 * Every other value, and every value the search does not settle, goes
 * through libjq itself.
 */

#define FAST_DIGITS_LIMIT 1e15
#define FAST_MAGNITUDE_MIN 1e-3
#define FAST_DECIMALS_MAX 15

static const double powers_of_ten[FAST_DECIMALS_MAX + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

static size_t format_with_jq(double value, char *out)
{
	jv text = jv_dump_string(jv_number(value), 0);
	size_t len = (size_t)jv_string_length_bytes(jv_copy(text));

	if (len > JSON_NUMBER_MAX)
		len = JSON_NUMBER_MAX;
	memcpy(out, jv_string_value(text), len);
	out[len] = '\0';
	jv_free(text);
	return len;
}

/* Writes digits * 10^-decimals, as jq places the point: "0.0069" when
 * every digit is after the point. */
static size_t write_decimal(bool negative, uint64_t digits, int decimals, char *out)
{
	char text[24];
	char *first = text + sizeof text;
	size_t count;
	size_t places = (size_t)decimals;
	size_t len = 0;

	do {
		*--first = (char)('0' + digits % 10);
		digits /= 10;
	} while (digits > 0);
	count = (size_t)(text + sizeof text - first);

	if (negative)
		out[len++] = '-';
	if (places == 0) {
		memcpy(out + len, first, count);
		len += count;
	} else if (count > places) {
		memcpy(out + len, first, count - places);
		len += count - places;
		out[len++] = '.';
		memcpy(out + len, first + count - places, places);
		len += places;
	} else {
		out[len++] = '0';
		out[len++] = '.';
		memset(out + len, '0', places - count);
		len += places - count;
		memcpy(out + len, first, count);
		len += count;
	}
	out[len] = '\0';
	return len;
}

size_t json_number_format(double value, char out[JSON_NUMBER_MAX + 1])
{
	double magnitude = fabs(value);

	if (value == 0)
		return write_decimal(signbit(value), 0, 0, out);

	/* NaN fails both comparisons and goes to libjq. */
	if (!(magnitude >= FAST_MAGNITUDE_MIN && magnitude < FAST_DIGITS_LIMIT))
		return format_with_jq(value, out);

	for (int decimals = 0; decimals <= FAST_DECIMALS_MAX; decimals++) {
		double scaled = magnitude * powers_of_ten[decimals];

		if (scaled >= FAST_DIGITS_LIMIT)
			break;

		/* scaled is below 2^50, so adding 0.5 is exact and the cast
		 * rounds to the nearest integer. */
		uint64_t digits = (uint64_t)(scaled + 0.5);

		if ((double)digits / powers_of_ten[decimals] == magnitude)
			return write_decimal(value < 0, digits, decimals, out);
	}
	return format_with_jq(value, out);
}
