/*
 * Connections to Redis from a parsed REDIS_URL, shared by buoy-publish and
 * buoy-sub: a connect timeout, a timeout on every command, TCP keepalive,
 * AUTH and SELECT. Errors go back to the caller; nothing here prints.
 */
#ifndef BUOY_REDIS_CONN_H
#define BUOY_REDIS_CONN_H

#include <stddef.h>

#include <hiredis.h>

#include "redis_url.h"

enum redis_conn_status {
	REDIS_CONN_OK,
	REDIS_CONN_UNREACHABLE,   /* connect, read or write failed or timed out: worth retrying */
	REDIS_CONN_REJECTED,      /* Redis replied to AUTH or SELECT with an error */
};

/*
 * Connects to url's host and port within connect_timeout_ms, enables TCP
 * keepalive and sets command_timeout_ms on every later read and write.
 * Then sends AUTH when url has a password (with the user when it has one,
 * for Redis 6 ACL users) and SELECT when url names a database other than 0.
 *
 * On success stores the blocking connection in *context. Otherwise stores
 * NULL and writes a message into error, for example "cannot connect to
 * Redis at 127.0.0.1:6379: Connection refused". Messages never contain
 * the password.
 */
enum redis_conn_status redis_conn_open(const struct redis_url *url, long connect_timeout_ms,
                                       long command_timeout_ms, redisContext **context,
                                       char *error, size_t error_size);

/* Writes "host:port", or "[host]:port" for an IPv6 address, into out. */
void redis_conn_address(const struct redis_url *url, char *out, size_t out_size);

/*
 * Writes the reason for the failure recorded in context into out. A read
 * or write that hit the command timeout reads "no reply within N ms"
 * rather than hiredis's "Resource temporarily unavailable".
 */
void redis_conn_error_reason(const redisContext *context, long command_timeout_ms,
                             char *out, size_t out_size);

#endif
