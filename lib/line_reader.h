/*
 * Reads newline-terminated lines from a file descriptor into one buffer of
 * fixed size, so that no input can make a program grow without bound.
 * Works on blocking and non-blocking descriptors.
 */
#ifndef BUOY_LINE_READER_H
#define BUOY_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>

struct line_reader {
	int fd;
	char *buffer;
	size_t capacity;        /* maximum line length plus its newline */
	size_t start;           /* first byte not yet returned */
	size_t end;             /* one past the last byte read */
	bool discarding;        /* inside a line that was too long */
	bool at_eof;
	unsigned long line_number;   /* of the line last returned */
};

enum line_status {
	LINE_OK,           /* *line and *len hold a line, without its newline */
	LINE_TOO_LONG,     /* a line longer than max_line was dropped */
	LINE_AGAIN,        /* no whole line yet: EAGAIN or EINTR from read */
	LINE_EOF,          /* end of input, every line returned */
	LINE_ERROR,        /* read failed; errno is set */
};

/* Returns 0, or -1 when the buffer cannot be allocated. */
int line_reader_init(struct line_reader *reader, int fd, size_t max_line);
void line_reader_free(struct line_reader *reader);

/* Returns the next line. The line stays valid until the next call. A last
 * line without a newline is returned at end of input. */
enum line_status line_reader_next(struct line_reader *reader, const char **line, size_t *len);

/* Returns true when a whole line is already in the buffer, so the caller
 * can tell "more input is waiting" from "the writer paused". */
bool line_reader_has_line(const struct line_reader *reader);

#endif
