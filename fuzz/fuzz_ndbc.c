/*
 * libFuzzer harness for the NDBC text parser: the input is one file, split
 * into lines as buoy-fetch splits a download, and fed to a fresh parser.
 * Each record read is also written by the hand-written line writer and
 * must match libjq's text of the same record byte for byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jv.h>

#include "ndbc.h"
#include "observation.h"
#include "observation_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts when the hand-written line differs from libjq's dump. */
static void check_line_writer(const struct observation *obs)
{
	char line[OBSERVATION_LINE_MAX];
	size_t len = observation_line_format(obs, line);
	jv text = jv_dump_string(observation_to_jv(obs), 0);
	size_t expected = (size_t)jv_string_length_bytes(jv_copy(text));

	if (len != expected + 1 || memcmp(line, jv_string_value(text), expected) != 0 ||
	    line[expected] != '\n')
		abort();
	jv_free(text);
}

/* Parses one line from its own allocation of exactly len bytes, so that
 * AddressSanitizer catches a read past the end of the line. */
static enum ndbc_result parse_copy(struct ndbc_parser *parser, const uint8_t *line, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	struct observation obs;
	char error[256];
	enum ndbc_result result;

	if (copy == NULL)
		abort();
	memcpy(copy, line, len);
	result = ndbc_parse_line(parser, copy, len, &obs, error, sizeof error);

	/* The error text must be a terminated string within its buffer. */
	if ((result == NDBC_BAD_ROW || result == NDBC_BAD_FILE) &&
	    memchr(error, '\0', sizeof error) == NULL)
		abort();
	if (result == NDBC_ROW)
		check_line_writer(&obs);
	free(copy);
	return result;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndbc_parser parser;
	size_t start = 0;

	ndbc_parser_init(&parser, "44013");
	while (start < size) {
		const uint8_t *newline = memchr(data + start, '\n', size - start);
		size_t end = newline != NULL ? (size_t)(newline - data) : size;

		if (parse_copy(&parser, data + start, end - start) == NDBC_BAD_FILE)
			break;
		start = end + 1;
	}
	return 0;
}
