/*
 * Log lines on stderr, shared by every program.
 *
 * When stderr is a terminal, a line reads "prog: message", with "warning:"
 * or "debug:" before warnings and debug lines. Otherwise each line is one
 * JSON object with time, level, program, message and any extra string
 * fields, so that journald and log shippers can index it.
 */
#ifndef BUOY_LOG_H
#define BUOY_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Sets the program name and picks the format from isatty(stderr). The level
 * comes from BUOY_LOG_LEVEL when set and valid, else info. */
void log_init(const char *program);

/* Returns the program name given to log_init. */
const char *log_program(void);

/* Sets the level; -v and -q call this after log_init. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Moves the level one step more verbose (+1) or quieter (-1). */
void log_adjust_level(int steps);

/* Parses "error", "warning", "info" or "debug". Returns false otherwise. */
bool log_parse_level(const char *text, enum log_level *level);

/* Forces the JSON (true) or text (false) format; tests use this. */
void log_set_json(bool json);

void log_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *format, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * Logs a message with extra string fields given as key, value pairs ended
 * by NULL: log_fields(LOG_LEVEL_INFO, "client connected", "address",
 * "127.0.0.1", NULL). The text format appends them as key=value.
 */
void log_fields(enum log_level level, const char *message, ...);

#endif
