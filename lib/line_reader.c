#include "line_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int line_reader_init(struct line_reader *reader, int fd, size_t max_line)
{
	memset(reader, 0, sizeof *reader);
	reader->fd = fd;
	reader->capacity = max_line + 1;
	reader->buffer = malloc(reader->capacity);
	return reader->buffer != NULL ? 0 : -1;
}

void line_reader_free(struct line_reader *reader)
{
	free(reader->buffer);
	reader->buffer = NULL;
}

bool line_reader_has_line(const struct line_reader *reader)
{
	return memchr(reader->buffer + reader->start, '\n', reader->end - reader->start) != NULL;
}

/* Returns the buffered line up to newline, or marks a dropped long line. */
static enum line_status take_line(struct line_reader *reader, char *newline,
                                  const char **line, size_t *len)
{
	size_t line_start = reader->start;

	reader->start = (size_t)(newline - reader->buffer) + 1;
	reader->line_number++;
	if (reader->discarding) {
		reader->discarding = false;
		return LINE_TOO_LONG;
	}
	*line = reader->buffer + line_start;
	*len = (size_t)(newline - reader->buffer) - line_start;
	return LINE_OK;
}

static enum line_status take_last_line(struct line_reader *reader, const char **line, size_t *len)
{
	size_t line_start = reader->start;

	/* A too-long last line may have been dropped whole by make_room, so an
	 * empty buffer still owes the caller its LINE_TOO_LONG. */
	if (reader->start == reader->end && !reader->discarding)
		return LINE_EOF;
	reader->start = reader->end;
	reader->line_number++;
	if (reader->discarding) {
		reader->discarding = false;
		return LINE_TOO_LONG;
	}
	*line = reader->buffer + line_start;
	*len = reader->end - line_start;
	return LINE_OK;
}

/* Moves unread bytes to the front, or drops them inside a too-long line. */
static void make_room(struct line_reader *reader)
{
	size_t pending = reader->end - reader->start;

	if (pending == reader->capacity) {
		reader->discarding = true;
		reader->start = reader->end = 0;
		return;
	}
	memmove(reader->buffer, reader->buffer + reader->start, pending);
	reader->start = 0;
	reader->end = pending;
}

enum line_status line_reader_next(struct line_reader *reader, const char **line, size_t *len)
{
	for (;;) {
		char *newline = memchr(reader->buffer + reader->start, '\n',
		                       reader->end - reader->start);
		ssize_t got;

		if (newline != NULL)
			return take_line(reader, newline, line, len);
		if (reader->at_eof)
			return take_last_line(reader, line, len);

		make_room(reader);
		got = read(reader->fd, reader->buffer + reader->end, reader->capacity - reader->end);
		if (got > 0) {
			reader->end += (size_t)got;
		} else if (got == 0) {
			reader->at_eof = true;
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			return LINE_AGAIN;
		} else {
			return LINE_ERROR;
		}
	}
}
