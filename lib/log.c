#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "timefmt.h"

static const char *program_name = "buoy";
static enum log_level current_level = LOG_LEVEL_INFO;
static bool use_json;

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *program)
{
	const char *env = getenv("BUOY_LOG_LEVEL");
	enum log_level level;

	program_name = program;
	use_json = !isatty(STDERR_FILENO);
	if (env != NULL && *env != '\0') {
		if (log_parse_level(env, &level))
			current_level = level;
		else
			log_warning("invalid BUOY_LOG_LEVEL '%s': expected error, "
			            "warning, info or debug; using info", env);
	}
}

const char *log_program(void)
{
	return program_name;
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_adjust_level(int steps)
{
	int level = (int)current_level + steps;

	if (level < LOG_LEVEL_ERROR)
		level = LOG_LEVEL_ERROR;
	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	current_level = (enum log_level)level;
}

bool log_parse_level(const char *text, enum log_level *level)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcasecmp(text, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return true;
		}
	}
	if (strcasecmp(text, "warn") == 0) {
		*level = LOG_LEVEL_WARNING;
		return true;
	}
	return false;
}

void log_set_json(bool json)
{
	use_json = json;
}

static void write_json_line(enum log_level level, const char *message, va_list fields)
{
	char now[TIMEFMT_ISO_SIZE];
	jv line = jv_object();
	const char *key;

	timefmt_iso8601(time(NULL), now);
	line = jv_object_set(line, jv_string("time"), jv_string(now));
	line = jv_object_set(line, jv_string("level"), jv_string(level_names[level]));
	line = jv_object_set(line, jv_string("program"), jv_string(program_name));
	line = jv_object_set(line, jv_string("message"), jv_string(message));
	while ((key = va_arg(fields, const char *)) != NULL) {
		const char *value = va_arg(fields, const char *);

		line = jv_object_set(line, jv_string(key),
		                     value != NULL ? jv_string(value) : jv_null());
	}

	jv text = jv_dump_string(line, 0);
	fprintf(stderr, "%s\n", jv_string_value(text));
	jv_free(text);
}

static void write_text_line(enum log_level level, const char *message, va_list fields)
{
	const char *key;

	fprintf(stderr, "%s: ", program_name);
	if (level == LOG_LEVEL_WARNING || level == LOG_LEVEL_DEBUG)
		fprintf(stderr, "%s: ", level_names[level]);
	fputs(message, stderr);
	while ((key = va_arg(fields, const char *)) != NULL) {
		const char *value = va_arg(fields, const char *);

		fprintf(stderr, " %s=%s", key, value != NULL ? value : "null");
	}
	fputc('\n', stderr);
}

static void write_line(enum log_level level, const char *message, va_list fields)
{
	if (level > current_level)
		return;
	if (use_json)
		write_json_line(level, message, fields);
	else
		write_text_line(level, message, fields);
	fflush(stderr);
}

/* Calls write_line with an empty field list. A helper is needed because a
 * va_list can only be made by a variadic function. */
static void write_plain(enum log_level level, const char *message, ...)
{
	va_list none;

	va_start(none, message);
	write_line(level, message, none);
	va_end(none);
}

static void log_formatted(enum log_level level, const char *format, va_list args)
{
	char message[4096];

	if (level > current_level)
		return;
	vsnprintf(message, sizeof message, format, args);
	write_plain(level, message, (const char *)NULL);
}

void log_error(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_formatted(LOG_LEVEL_ERROR, format, args);
	va_end(args);
}

void log_warning(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_formatted(LOG_LEVEL_WARNING, format, args);
	va_end(args);
}

void log_info(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_formatted(LOG_LEVEL_INFO, format, args);
	va_end(args);
}

void log_debug(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	log_formatted(LOG_LEVEL_DEBUG, format, args);
	va_end(args);
}

void log_fields(enum log_level level, const char *message, ...)
{
	va_list fields;

	va_start(fields, message);
	write_line(level, message, fields);
	va_end(fields);
}
