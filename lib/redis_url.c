#include "redis_url.h"

#include <stdio.h>
#include <string.h>

#include "numparse.h"

/* Copies len bytes of text into out (size out_size), failing when too long. */
static bool copy_part(const char *text, size_t len, char *out, size_t out_size)
{
	if (len >= out_size)
		return false;
	memcpy(out, text, len);
	out[len] = '\0';
	return true;
}

static bool parse_credentials(const char *text, size_t len, struct redis_url *url)
{
	const char *colon = memchr(text, ':', len);

	if (colon == NULL)
		return copy_part(text, len, url->password, sizeof url->password);
	return copy_part(text, (size_t)(colon - text), url->user, sizeof url->user) &&
	       copy_part(colon + 1, len - (size_t)(colon - text) - 1, url->password,
	                 sizeof url->password);
}

static bool parse_port(const char *text, size_t len, int *port)
{
	char digits[8];
	long value;

	if (!copy_part(text, len, digits, sizeof digits) ||
	    !parse_long_range(digits, 1, 65535, &value))
		return false;
	*port = (int)value;
	return true;
}

static bool parse_host_port(const char *text, size_t len, struct redis_url *url)
{
	const char *port_colon;

	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);

		if (close == NULL || !copy_part(text + 1, (size_t)(close - text) - 1,
		                                url->host, sizeof url->host))
			return false;
		port_colon = close + 1 < text + len ? close + 1 : NULL;
		if (port_colon != NULL && *port_colon != ':')
			return false;
	} else {
		port_colon = memchr(text, ':', len);
		if (!copy_part(text, port_colon != NULL ? (size_t)(port_colon - text) : len,
		               url->host, sizeof url->host))
			return false;
	}
	if (url->host[0] == '\0')
		return false;
	if (port_colon == NULL)
		return true;
	return parse_port(port_colon + 1, len - (size_t)(port_colon + 1 - text), &url->port);
}

static bool parse_database(const char *text, int *database)
{
	long value;

	if (*text == '\0')
		return true;
	if (!parse_long_range(text, 0, 1000000, &value))
		return false;
	*database = (int)value;
	return true;
}

bool redis_url_parse(const char *text, struct redis_url *url, char *error, size_t error_size)
{
	static const char scheme[] = "redis://";
	const char *authority;
	const char *path;
	const char *at;

	memset(url, 0, sizeof *url);
	url->port = 6379;
	if (strncmp(text, scheme, sizeof scheme - 1) != 0) {
		snprintf(error, error_size, "REDIS_URL must start with redis://");
		return false;
	}

	authority = text + sizeof scheme - 1;
	path = authority + strcspn(authority, "/");
	/* The last '@' ends the credentials, so a password may contain '@'. */
	at = memrchr(authority, '@', (size_t)(path - authority));
	if (at != NULL && !parse_credentials(authority, (size_t)(at - authority), url)) {
		snprintf(error, error_size, "REDIS_URL user or password is longer than %d bytes",
		         REDIS_URL_SECRET_MAX);
		return false;
	}
	if (at != NULL)
		authority = at + 1;
	if (!parse_host_port(authority, (size_t)(path - authority), url)) {
		snprintf(error, error_size, "REDIS_URL has an invalid host or port: "
		         "expected redis://host:port");
		return false;
	}
	if (*path == '/' && !parse_database(path + 1, &url->database)) {
		snprintf(error, error_size, "REDIS_URL has an invalid database number after the host");
		return false;
	}
	return true;
}
