/* Replacing a file so that readers see the old or the new contents, never
 * half of either. */
#ifndef BUOY_ATOMIC_FILE_H
#define BUOY_ATOMIC_FILE_H

#include <stddef.h>

/*
 * Writes len bytes of text to a temporary file beside path, then renames
 * it over path. Returns 0, or -1 with the reason in error; the temporary
 * file is removed on failure.
 */
int atomic_file_write(const char *path, const char *text, size_t len, char *error,
                      size_t error_size);

#endif
