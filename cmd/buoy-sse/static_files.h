/*
 * Static files for --static DIR: GET and HEAD of the regular files under
 * DIR, with / serving DIR/index.html. The router sends the stream, /health
 * and /metrics first, so a file of the same name is never served.
 *
 * A request path is decoded once and rejected when a segment is "." or
 * "..", is empty, or decodes to a slash, a backslash or a NUL byte. The
 * file's real path, with every symbolic link resolved, must lie under
 * DIR's real path, and the file must be a regular file of at most
 * STATIC_FILE_MAX_BYTES. Each request reads the file anew.
 */
#ifndef BUOY_SSE_STATIC_FILES_H
#define BUOY_SSE_STATIC_FILES_H

#include <stddef.h>

#define STATIC_FILE_MAX_BYTES (8L * 1024 * 1024)
#define STATIC_PATH_MAX 1024   /* bytes of a decoded request path */

struct evhttp_request;

enum static_result {
	STATIC_OK,          /* the path is acceptable, or a 200 or 304 reply was sent */
	STATIC_BAD_PATH,    /* the path is malformed or tries to leave DIR: 400 */
	STATIC_NOT_FOUND,   /* no regular file under DIR has that path: 404 */
	STATIC_TOO_LARGE,   /* the file has more than STATIC_FILE_MAX_BYTES: 500 */
	STATIC_FAILED,      /* a system call failed or memory ran out: 500 */
};

/* Returns DIR's real path in a string the caller frees, or NULL with the
 * reason in error when DIR cannot be resolved or is not a directory. */
char *static_files_resolve_root(const char *dir, char *error, size_t error_size);

/*
 * Checks a request path, still percent-encoded as evhttp_uri_get_path
 * returns it, and writes the file's path relative to DIR into relative:
 * "index.html" for "/". Returns STATIC_OK when the path is acceptable,
 * else STATIC_BAD_PATH with an error message in *reason, or
 * STATIC_NOT_FOUND for a name starting with a dot or a path longer than
 * STATIC_PATH_MAX, or STATIC_FAILED when memory ran out.
 */
enum static_result static_files_check_path(const char *raw_path, char *relative,
                                           size_t relative_size, const char **reason);

/*
 * Replies to a GET or HEAD request for the file at raw_path under root
 * (a path from static_files_resolve_root). Sends the reply and returns
 * STATIC_OK, or returns another result and sends nothing, so that the
 * caller sends its error reply. *reason has the error message for
 * STATIC_BAD_PATH, and every STATIC_FAILED is logged.
 */
enum static_result static_files_send(const char *root, const char *raw_path,
                                     struct evhttp_request *request, const char **reason);

#endif
