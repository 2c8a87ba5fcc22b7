#include "read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

static int grow(struct http_body *body, char *error, size_t error_size)
{
	size_t capacity = body->capacity ? body->capacity * 2 : 1024 * 1024;
	char *grown;

	if (body->capacity >= READ_FILE_MAX + 1) {
		snprintf(error, error_size, "file larger than %u MiB", READ_FILE_MAX / (1024 * 1024));
		return -1;
	}
	if (capacity > READ_FILE_MAX + 1)
		capacity = READ_FILE_MAX + 1;
	grown = realloc(body->data, capacity);
	if (grown == NULL) {
		snprintf(error, error_size, "out of memory");
		return -1;
	}
	body->data = grown;
	body->capacity = capacity;
	return 0;
}

/* Reads everything from the open gzip stream into body. */
static int read_stream(gzFile stream, struct http_body *body, char *error, size_t error_size)
{
	for (;;) {
		int got;

		if (body->len + 1 >= body->capacity && grow(body, error, error_size) != 0)
			return -1;

		unsigned int room = (unsigned int)(body->capacity - body->len - 1);

		got = gzread(stream, body->data + body->len, room);
		if (got < 0) {
			int code;
			const char *message = gzerror(stream, &code);

			snprintf(error, error_size, "%s", code == Z_ERRNO ? strerror(errno) : message);
			return -1;
		}
		if (got == 0)
			break;
		body->len += (size_t)got;
	}
	body->data[body->len] = '\0';
	return 0;
}

int read_whole_file(const char *path, struct http_body *body, char *error, size_t error_size)
{
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	gzFile stream;
	int result;

	body->len = 0;
	if (fd < 0) {
		snprintf(error, error_size, "%s", strerror(errno));
		return -1;
	}
	stream = gzdopen(fd, "rb");
	if (stream == NULL) {
		close(fd);
		snprintf(error, error_size, "out of memory");
		return -1;
	}
	result = read_stream(stream, body, error, error_size);
	gzclose(stream);
	return result;
}
