#include "accept_header.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *skip_spaces(const char *text, const char *end)
{
	while (text < end && (*text == ' ' || *text == '\t'))
		text++;
	return text;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end;
}

/* Returns true when the parameters after a media range, ";q=0" style,
 * set the quality to zero ("0", "0.", "0.0", up to "0.000"). */
static bool has_zero_quality(const char *params, const char *end)
{
	while (params < end) {
		const char *next = memchr(params, ';', (size_t)(end - params));
		const char *param_end = next != NULL ? next : end;
		const char *name = skip_spaces(params, param_end);

		if (param_end - name >= 2 && strncasecmp(name, "q=", 2) == 0) {
			const char *value = name + 2;
			const char *value_end = trim_end(value, param_end);

			if (value < value_end && *value == '0' &&
			    strspn(value + 1, ".0") >= (size_t)(value_end - value - 1))
				return true;
		}
		params = next != NULL ? next + 1 : end;
	}
	return false;
}

static bool range_matches(const char *range, size_t len)
{
	static const char *const matching[] = { "text/event-stream", "text/*", "*/*" };

	for (size_t i = 0; i < sizeof matching / sizeof matching[0]; i++)
		if (strlen(matching[i]) == len && strncasecmp(range, matching[i], len) == 0)
			return true;
	return false;
}

bool accept_allows_event_stream(const char *accept)
{
	const char *item;
	const char *end;

	if (accept == NULL || *skip_spaces(accept, accept + strlen(accept)) == '\0')
		return true;

	end = accept + strlen(accept);
	for (item = accept; item < end;) {
		const char *comma = memchr(item, ',', (size_t)(end - item));
		const char *item_end = comma != NULL ? comma : end;
		const char *semicolon = memchr(item, ';', (size_t)(item_end - item));
		const char *range = skip_spaces(item, item_end);
		const char *range_end = trim_end(range, semicolon != NULL ? semicolon : item_end);

		if (range_matches(range, (size_t)(range_end - range)) &&
		    (semicolon == NULL || !has_zero_quality(semicolon + 1, item_end)))
			return true;
		item = comma != NULL ? comma + 1 : end;
	}
	return false;
}
