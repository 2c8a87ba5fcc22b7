#include "station_id.h"

#include <ctype.h>
#include <string.h>

bool station_id_normalize(const char *text, size_t len, char out[STATION_ID_MAX + 1])
{
	char id[STATION_ID_MAX + 1];

	if (len == 0 || len > STATION_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (!isascii(c) || !isalnum(c))
			return false;
		id[i] = (char)toupper(c);
	}
	id[len] = '\0';
	memcpy(out, id, len + 1);
	return true;
}

static bool is_year_at(const char *text, size_t len, size_t at)
{
	if (at + 4 > len)
		return false;
	for (size_t i = at; i < at + 4; i++)
		if (!isdigit((unsigned char)text[i]))
			return false;
	return true;
}

bool station_id_from_filename(const char *path, char out[STATION_ID_MAX + 1])
{
	const char *base = strrchr(path, '/');
	size_t len;
	size_t id_len;

	base = base != NULL ? base + 1 : path;
	len = strcspn(base, "._-");
	id_len = len;

	/* Historical files are "<id>h<year>": take the last 'h' followed by
	 * four digits, so ids that contain an 'h' still come out whole. */
	for (size_t i = len; i-- > 1;) {
		if ((base[i] == 'h' || base[i] == 'H') && is_year_at(base, len, i + 1)) {
			id_len = i;
			break;
		}
	}
	return station_id_normalize(base, id_len, out);
}
