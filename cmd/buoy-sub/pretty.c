#include "pretty.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "observation.h"
#include "timefmt.h"

/* Text being built in a fixed buffer; overflowed is set once it is full. */
struct text {
	char *out;
	size_t size;
	size_t used;
	bool overflowed;
};

static void append(struct text *text, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

static void append(struct text *text, const char *format, ...)
{
	va_list args;
	int written;

	if (text->overflowed)
		return;
	va_start(args, format);
	written = vsnprintf(text->out + text->used, text->size - text->used, format, args);
	va_end(args);
	if (written < 0 || (size_t)written >= text->size - text->used)
		text->overflowed = true;
	else
		text->used += (size_t)written;
}

/* Formats value with the fewest decimals (one to three) that give it back
 * exactly, so 3 reads "3.0" and 0.69 reads "0.69", as NDBC writes them. */
static void format_number(double value, char out[32])
{
	for (int decimals = 1; decimals <= 3; decimals++) {
		snprintf(out, 32, "%.*f", decimals, value);
		if (strtod(out, NULL) == value)
			return;
	}
	snprintf(out, 32, "%g", value);
}

/* Appends "  label VALUE unit" when the measurement is present. */
static void append_measurement(struct text *text, const struct observation *obs,
                               enum obs_field field, const char *label, const char *unit)
{
	char number[32];

	if (!observation_has(obs, field))
		return;
	format_number(obs->value[field], number);
	append(text, "  %s %s %s", label, number, unit);
}

static void append_wind(struct text *text, const struct observation *obs)
{
	char number[32];

	if (!observation_has(obs, OBS_WIND_SPEED) && !observation_has(obs, OBS_WIND_DIR))
		return;
	append(text, "  wind");
	if (observation_has(obs, OBS_WIND_SPEED)) {
		format_number(obs->value[OBS_WIND_SPEED], number);
		append(text, " %s m/s", number);
	}
	if (observation_has(obs, OBS_GUST)) {
		format_number(obs->value[OBS_GUST], number);
		append(text, " gusts %s m/s", number);
	}
	if (observation_has(obs, OBS_WIND_DIR))
		append(text, " from %.0f°", obs->value[OBS_WIND_DIR]);
}

bool pretty_observation(const char *line, size_t len, char *out, size_t out_size)
{
	struct text text = { .out = out, .size = out_size };
	char timestamp[TIMEFMT_ISO_SIZE];
	struct observation obs;
	char error[256];
	jv object = jv_parse_sized(line, (int)len);

	if (!jv_is_valid(object)) {
		jv_free(object);
		return false;
	}
	if (!observation_from_jv(object, &obs, error, sizeof error))
		return false;

	timefmt_iso8601(obs.observed_at, timestamp);
	append(&text, "%s  %s", timestamp, obs.station_id);
	append_measurement(&text, &obs, OBS_WAVE_HEIGHT, "wave", "m");
	append_wind(&text, &obs);
	append_measurement(&text, &obs, OBS_WATER_TEMP, "water", "°C");
	append_measurement(&text, &obs, OBS_AIR_TEMP, "air", "°C");
	append_measurement(&text, &obs, OBS_PRESSURE, "pressure", "hPa");
	append(&text, "\n");
	return !text.overflowed;
}

void pretty_status(bool upstream_up, const char *reason, char *out, size_t out_size)
{
	if (upstream_up)
		snprintf(out, out_size, "-- upstream up\n");
	else
		snprintf(out, out_size, "-- upstream down: %s\n", reason);
}
