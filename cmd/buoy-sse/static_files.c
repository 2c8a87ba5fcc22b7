#include "static_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/util.h>

#include "log.h"
#include "log_limit.h"

#define UNREPORTED_FILE_ERRORS "static file errors were not logged"

/* One limit for every static file warning; buoy-sse runs on one thread. */
static struct log_limit file_error_log;

struct content_type {
	const char *extension;
	const char *type;
};

static const struct content_type content_types[] = {
	{ "css", "text/css; charset=utf-8" },
	{ "html", "text/html; charset=utf-8" },
	{ "ico", "image/x-icon" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "png", "image/png" },
	{ "svg", "image/svg+xml" },
	{ "txt", "text/plain; charset=utf-8" },
};

/* Returns the Content-Type for a file name, by its extension in any case. */
static const char *content_type_for(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *dot = strrchr(slash != NULL ? slash + 1 : name, '.');

	if (dot != NULL)
		for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
			if (strcasecmp(dot + 1, content_types[i].extension) == 0)
				return content_types[i].type;
	return "application/octet-stream";
}

char *static_files_resolve_root(const char *dir, char *error, size_t error_size)
{
	char *root = realpath(dir, NULL);
	struct stat status;

	if (root == NULL) {
		snprintf(error, error_size, "cannot use '%s' as the static folder: %s", dir,
		         strerror(errno));
		return NULL;
	}
	if (stat(root, &status) != 0 || !S_ISDIR(status.st_mode)) {
		snprintf(error, error_size, "cannot use '%s' as the static folder: not a directory",
		         dir);
		free(root);
		return NULL;
	}
	return root;
}

/*
 * Decodes one percent-encoded path segment and appends it, after a slash
 * unless it is the first, to relative, whose length is *length. A segment
 * is decoded on its own so that an encoded slash (%2f) stays inside it,
 * where it is rejected.
 */
static enum static_result append_segment(const char *segment, size_t segment_length,
                                         char *relative, size_t relative_size, size_t *length,
                                         const char **reason)
{
	char encoded[STATIC_PATH_MAX + 1];
	size_t decoded_length;
	char *decoded;
	enum static_result result = STATIC_OK;

	if (segment_length > STATIC_PATH_MAX)
		return STATIC_NOT_FOUND;
	memcpy(encoded, segment, segment_length);
	encoded[segment_length] = '\0';
	decoded = evhttp_uridecode(encoded, 0, &decoded_length);
	if (decoded == NULL) {
		log_error("cannot decode a request path: out of memory");
		return STATIC_FAILED;
	}

	if (decoded_length != strlen(decoded)) {
		*reason = "invalid path: it contains a NUL byte";
		result = STATIC_BAD_PATH;
	} else if (strpbrk(decoded, "/\\") != NULL) {
		*reason = "invalid path: it contains an encoded slash or a backslash";
		result = STATIC_BAD_PATH;
	} else if (strcmp(decoded, ".") == 0 || strcmp(decoded, "..") == 0) {
		*reason = "invalid path: it contains a '.' or '..' segment";
		result = STATIC_BAD_PATH;
	} else if (decoded[0] == '.') {
		result = STATIC_NOT_FOUND;   /* hidden files such as .git are not served */
	} else if (*length + (*length > 0) + decoded_length >= relative_size) {
		result = STATIC_NOT_FOUND;
	} else {
		*length += (size_t)snprintf(relative + *length, relative_size - *length, "%s%s",
		                            *length > 0 ? "/" : "", decoded);
	}
	free(decoded);
	return result;
}

enum static_result static_files_check_path(const char *raw_path, char *relative,
                                           size_t relative_size, const char **reason)
{
	const char *segment = raw_path + 1;
	size_t length = 0;

	if (raw_path[0] != '/') {
		*reason = "invalid path: it does not start with '/'";
		return STATIC_BAD_PATH;
	}
	if (strcmp(raw_path, "/") == 0) {
		snprintf(relative, relative_size, "index.html");
		return STATIC_OK;
	}

	for (;;) {
		size_t segment_length = strcspn(segment, "/");
		enum static_result result;

		if (segment_length == 0) {
			if (segment[0] == '\0')
				return STATIC_NOT_FOUND;   /* a trailing slash names a directory */
			*reason = "invalid path: it contains an empty segment";
			return STATIC_BAD_PATH;
		}
		result = append_segment(segment, segment_length, relative, relative_size, &length,
		                        reason);
		if (result != STATIC_OK)
			return result;
		if (segment[segment_length] == '\0')
			return STATIC_OK;
		segment += segment_length + 1;
	}
}

static void log_file_error(const char *message, const char *path, const char *detail)
{
	if (log_limit_allow(&file_error_log, UNREPORTED_FILE_ERRORS))
		log_fields(LOG_LEVEL_WARNING, message, "path", path, "reason", detail,
		           (const char *)NULL);
}

/*
 * Resolves every symbolic link in root/relative and stores the real path,
 * which the caller frees, in *resolved. A path whose real path is outside
 * root is not found.
 */
static enum static_result resolve_under_root(const char *root, const char *relative,
                                             char **resolved)
{
	char joined[PATH_MAX + STATIC_PATH_MAX + 2];
	size_t root_length = strlen(root);

	/* memcpy rather than "%s/%s": GCC 12 with -fsanitize=undefined warns
	 * there that root may be NULL, which it never is. realpath returned
	 * root, so it fits in PATH_MAX. */
	if (root_length > PATH_MAX)
		return STATIC_NOT_FOUND;
	memcpy(joined, root, root_length);
	snprintf(joined + root_length, sizeof joined - root_length, "/%s", relative);
	*resolved = realpath(joined, NULL);
	if (*resolved == NULL) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == ENAMETOOLONG)
			return STATIC_NOT_FOUND;
		log_file_error("cannot resolve a static file", relative, strerror(errno));
		return STATIC_FAILED;
	}

	/* root "/" ends in a slash already; any other root needs one after it. */
	if (strncmp(*resolved, root, root_length) == 0 &&
	    (root[root_length - 1] == '/' || (*resolved)[root_length] == '/'))
		return STATIC_OK;
	log_debug("static file %s resolves to %s, outside %s: not served", relative, *resolved,
	          root);
	free(*resolved);
	*resolved = NULL;
	return STATIC_NOT_FOUND;
}

/*
 * Opens a regular file of at most STATIC_FILE_MAX_BYTES. O_NOFOLLOW rejects
 * a symbolic link put in place since realpath, and O_NONBLOCK keeps a FIFO
 * from blocking the open.
 * NOTE: a directory above the file that someone with write access to DIR
 * swaps for a symbolic link between realpath and open is still followed.
 */
static enum static_result open_regular_file(const char *path, const char *relative, int *fd,
                                            struct stat *status)
{
	char size[80];

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == ENOENT || errno == ELOOP || errno == ENXIO)
			return STATIC_NOT_FOUND;
		log_file_error("cannot open a static file", relative, strerror(errno));
		return STATIC_FAILED;
	}
	if (fstat(*fd, status) != 0 || !S_ISREG(status->st_mode)) {
		close(*fd);
		return STATIC_NOT_FOUND;
	}
	if (status->st_size > STATIC_FILE_MAX_BYTES) {
		snprintf(size, sizeof size, "%lld bytes, over the limit of %ld",
		         (long long)status->st_size, STATIC_FILE_MAX_BYTES);
		log_file_error("static file too large to serve", relative, size);
		close(*fd);
		return STATIC_TOO_LARGE;
	}
	return STATIC_OK;
}

/*
 * Reads the whole file into body now, instead of evbuffer_add_file, which
 * may mmap it: a file truncated while its reply is being sent would then
 * raise SIGBUS. Closes fd.
 */
static enum static_result read_file(int fd, const char *relative, struct evbuffer *body)
{
	int count;

	do {
		size_t room = (size_t)STATIC_FILE_MAX_BYTES + 1 - evbuffer_get_length(body);

		count = evbuffer_read(body, fd, room > 65536 ? 65536 : (int)room);
	} while (count > 0 && evbuffer_get_length(body) <= (size_t)STATIC_FILE_MAX_BYTES);
	close(fd);

	if (count < 0) {
		log_file_error("cannot read a static file", relative, strerror(errno));
		return STATIC_FAILED;
	}
	if (evbuffer_get_length(body) > (size_t)STATIC_FILE_MAX_BYTES) {
		log_file_error("static file too large to serve", relative,
		               "it grew over the limit while being read");
		return STATIC_TOO_LARGE;
	}
	return STATIC_OK;
}

/* Returns true when the request's If-Modified-Since is at or after mtime. */
static bool not_modified_since(struct evhttp_request *request, time_t mtime)
{
	const char *since = evhttp_find_header(evhttp_request_get_input_headers(request),
	                                       "If-Modified-Since");
	struct tm tm = { 0 };
	const char *end;

	if (since == NULL)
		return false;
	end = strptime(since, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return false;
	return mtime <= timegm(&tm);
}

static void add_file_headers(struct evhttp_request *request, const char *relative,
                             time_t mtime)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(request);
	char date[64];
	struct tm tm;

	gmtime_r(&mtime, &tm);
	evutil_date_rfc1123(date, sizeof date, &tm);
	evhttp_add_header(headers, "Last-Modified", date);
	evhttp_add_header(headers, "Cache-Control", "no-cache");
	evhttp_add_header(headers, "Content-Type", content_type_for(relative));
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
}

/*
 * Sends the file's body, or for HEAD its length and no body: libevent 2.1
 * leaves Content-Length out of a HEAD reply and would send a body given
 * to it after the headers.
 */
static void send_body(struct evhttp_request *request, struct evbuffer *body)
{
	char length[32];

	snprintf(length, sizeof length, "%zu", evbuffer_get_length(body));
	evhttp_add_header(evhttp_request_get_output_headers(request), "Content-Length", length);
	if (evhttp_request_get_command(request) == EVHTTP_REQ_HEAD)
		evbuffer_drain(body, evbuffer_get_length(body));
	evhttp_send_reply(request, HTTP_OK, NULL, body);
}

enum static_result static_files_send(const char *root, const char *raw_path,
                                     struct evhttp_request *request, const char **reason)
{
	char relative[STATIC_PATH_MAX + 1];
	char *resolved = NULL;
	struct stat status;
	struct evbuffer *body;
	enum static_result result;
	int fd;

	result = static_files_check_path(raw_path, relative, sizeof relative, reason);
	if (result == STATIC_OK)
		result = resolve_under_root(root, relative, &resolved);
	if (result == STATIC_OK)
		result = open_regular_file(resolved, relative, &fd, &status);
	free(resolved);
	if (result != STATIC_OK)
		return result;

	if (not_modified_since(request, status.st_mtime)) {
		close(fd);
		add_file_headers(request, relative, status.st_mtime);
		evhttp_send_reply(request, HTTP_NOTMODIFIED, NULL, NULL);
		return STATIC_OK;
	}

	body = evbuffer_new();
	if (body == NULL) {
		log_file_error("cannot send a static file", relative, "out of memory");
		close(fd);
		return STATIC_FAILED;
	}
	result = read_file(fd, relative, body);
	if (result == STATIC_OK) {
		add_file_headers(request, relative, status.st_mtime);
		send_body(request, body);
	}
	evbuffer_free(body);
	return result;
}
