#include "parse_text.h"

#include <string.h>

#include "log.h"
#include "ndbc.h"

static void (*before_log_function)(void *context);
static void *before_log_context;

void parse_text_set_before_log(void (*before_log)(void *context), void *context)
{
	before_log_function = before_log;
	before_log_context = context;
}

static void call_before_log(void)
{
	if (before_log_function != NULL)
		before_log_function(before_log_context);
}

int parse_ndbc_text(const char *source, const char *station_id, const char *text, size_t len,
                    struct obs_list *list, struct parse_summary *summary)
{
	struct ndbc_parser parser;
	unsigned long line_number = 0;
	const char *end = text + len;

	memset(summary, 0, sizeof *summary);
	ndbc_parser_init(&parser, station_id);
	for (const char *line = text; line < end;) {
		const char *newline = memchr(line, '\n', (size_t)(end - line));
		size_t line_len = newline != NULL ? (size_t)(newline - line) : (size_t)(end - line);
		struct observation obs;
		char error[256];

		line_number++;
		switch (ndbc_parse_line(&parser, line, line_len, &obs, error, sizeof error)) {
		case NDBC_ROW:
			if (obs_list_append(list, &obs) != 0) {
				call_before_log();
				log_error("%s:%lu: too many rows in memory (at most %u in one run): "
				          "read fewer or smaller files at once", source, line_number,
				          OBS_LIST_MAX);
				return -1;
			}
			summary->rows++;
			break;
		case NDBC_SKIP:
			break;
		case NDBC_BAD_ROW:
			call_before_log();
			log_warning("%s:%lu: %s; the row is skipped", source, line_number, error);
			summary->bad_rows++;
			break;
		case NDBC_BAD_FILE:
			call_before_log();
			log_error("%s:%lu: %s", source, line_number, error);
			summary->bad_file = true;
			return 0;
		}
		line += line_len + 1;
	}

	if (!parser.have_header) {
		call_before_log();
		log_error("%s: the file is empty: expected an NDBC header line and rows", source);
		summary->bad_file = true;
	}
	return 0;
}
