/* Parses REDIS_URL: redis://[[user]:password@]host[:port][/db]. */
#ifndef BUOY_REDIS_URL_H
#define BUOY_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define REDIS_URL_HOST_MAX 255
#define REDIS_URL_SECRET_MAX 255

struct redis_url {
	char host[REDIS_URL_HOST_MAX + 1];      /* brackets of an IPv6 host removed */
	int port;                               /* 6379 when not given */
	char user[REDIS_URL_SECRET_MAX + 1];    /* empty when not given */
	char password[REDIS_URL_SECRET_MAX + 1];/* empty when not given */
	int database;                           /* 0 when not given */
};

/* Returns false with a message in error; the message never contains the
 * password. */
bool redis_url_parse(const char *text, struct redis_url *url, char *error, size_t error_size);

#endif
