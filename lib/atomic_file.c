#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int atomic_file_write(const char *path, const char *text, size_t len, char *error,
                      size_t error_size)
{
	char temporary[4096];
	FILE *out;
	int failed;

	if ((size_t)snprintf(temporary, sizeof temporary, "%s.%ld.tmp", path,
	                     (long)getpid()) >= sizeof temporary) {
		snprintf(error, error_size, "path too long");
		return -1;
	}
	out = fopen(temporary, "w");
	if (out == NULL) {
		snprintf(error, error_size, "%s", strerror(errno));
		return -1;
	}

	failed = fwrite(text, 1, len, out) != len;
	failed |= fclose(out) != 0;
	if (failed || rename(temporary, path) != 0) {
		snprintf(error, error_size, "%s", strerror(errno));
		unlink(temporary);
		return -1;
	}
	return 0;
}
