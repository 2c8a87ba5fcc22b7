/*
 * libFuzzer harness for record_check_line, which every program that reads
 * NDJSON runs on each line: the strict JSON check, then libjq's parse and
 * the checks of the required fields. The input is split into lines.
 *
 * The first line also serves as the reason of a status line formatted by
 * record_format_status, as buoy-sub formats one from an error message, and
 * the result must pass record_check_line as a status line again. Only the
 * first, because formatting with libjq costs more than the check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks one line from its own allocation of exactly len bytes, without a
 * terminating NUL, so that AddressSanitizer catches a read past its end. */
static void check_copy(const uint8_t *line, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	struct record_info info;
	char error[256];
	enum record_kind kind;

	if (copy == NULL)
		abort();
	memcpy(copy, line, len);
	kind = record_check_line(copy, len, &info, error, sizeof error);

	if (kind == RECORD_INVALID && memchr(error, '\0', sizeof error) == NULL)
		abort();
	if (kind == RECORD_OBSERVATION &&
	    memchr(info.station_id, '\0', sizeof info.station_id) == NULL)
		abort();
	free(copy);
}

/* Formats a status line with the line, up to its first NUL, as the reason
 * and checks it back. The time is fixed so that a crash reproduces. */
static void check_status_round_trip(const uint8_t *line, size_t len, bool up)
{
	char *reason = malloc(len + 1);
	char status[8192];
	struct record_info info;
	char error[256] = "";
	size_t written;

	if (reason == NULL)
		abort();
	memcpy(reason, line, len);
	reason[len] = '\0';
	written = record_format_status(up, reason, 1654434000, status, sizeof status);
	free(reason);
	if (written == 0)
		return;   /* the status line does not fit in status */

	if (status[written - 1] != '\n' ||
	    record_check_line(status, written - 1, &info, error, sizeof error) != RECORD_STATUS ||
	    info.upstream_up != up) {
		fprintf(stderr, "record_format_status wrote a line that record_check_line "
		        "rejects (%s): %.*s", error, (int)written, status);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t start = 0;

	while (start < size) {
		const uint8_t *newline = memchr(data + start, '\n', size - start);
		size_t end = newline != NULL ? (size_t)(newline - data) : size;

		check_copy(data + start, end - start);
		if (start == 0)
			check_status_round_trip(data, end, (size & 1) == 0);
		start = end + 1;
	}
	return 0;
}
