#include "redis_conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static struct timeval timeval_from_ms(long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return tv;
}

void redis_conn_address(const struct redis_url *url, char *out, size_t out_size)
{
	if (strchr(url->host, ':') != NULL)
		snprintf(out, out_size, "[%s]:%d", url->host, url->port);
	else
		snprintf(out, out_size, "%s:%d", url->host, url->port);
}

void redis_conn_error_reason(const redisContext *context, long command_timeout_ms,
                             char *out, size_t out_size)
{
	if (context->err == REDIS_ERR_IO && strcmp(context->errstr, strerror(EAGAIN)) == 0)
		snprintf(out, out_size, "no reply within %ld ms", command_timeout_ms);
	else if (context->err == REDIS_ERR_EOF)
		snprintf(out, out_size, "connection closed by the server");
	else
		snprintf(out, out_size, "%s", context->errstr);
}

/*
 * Sends one command given as arguments and checks its reply. An error reply
 * means REDIS_CONN_REJECTED, no reply REDIS_CONN_UNREACHABLE. what names
 * the step in messages and must not contain secrets.
 */
static enum redis_conn_status run_setup_command(redisContext *context, int argc, const char **argv,
                                                const char *what, const char *address,
                                                long command_timeout_ms,
                                                char *error, size_t error_size)
{
	redisReply *reply = redisCommandArgv(context, argc, argv, NULL);
	enum redis_conn_status status = REDIS_CONN_OK;
	char reason[256];

	if (reply == NULL) {
		redis_conn_error_reason(context, command_timeout_ms, reason, sizeof reason);
		snprintf(error, error_size, "cannot %s at Redis %s: %s", what, address, reason);
		return REDIS_CONN_UNREACHABLE;
	}

	if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(error, error_size, "cannot %s at Redis %s: %s", what, address, reply->str);
		status = REDIS_CONN_REJECTED;
	}
	freeReplyObject(reply);
	return status;
}

static enum redis_conn_status authenticate(redisContext *context, const struct redis_url *url,
                                           const char *address, long command_timeout_ms,
                                           char *error, size_t error_size)
{
	const char *with_user[] = { "AUTH", url->user, url->password };
	const char *without_user[] = { "AUTH", url->password };

	if (url->user[0] != '\0')
		return run_setup_command(context, 3, with_user, "authenticate", address,
		                         command_timeout_ms, error, error_size);
	return run_setup_command(context, 2, without_user, "authenticate", address,
	                         command_timeout_ms, error, error_size);
}

static enum redis_conn_status select_database(redisContext *context, const struct redis_url *url,
                                              const char *address, long command_timeout_ms,
                                              char *error, size_t error_size)
{
	char number[16];
	char what[48];
	const char *argv[] = { "SELECT", number };

	snprintf(number, sizeof number, "%d", url->database);
	snprintf(what, sizeof what, "select database %d", url->database);
	return run_setup_command(context, 2, argv, what, address, command_timeout_ms,
	                         error, error_size);
}

/* Sets the keepalive and timeouts, then runs AUTH and SELECT when url needs them. */
static enum redis_conn_status set_up(redisContext *context, const struct redis_url *url,
                                     const char *address, long command_timeout_ms,
                                     char *error, size_t error_size)
{
	enum redis_conn_status status = REDIS_CONN_OK;

	if (redisEnableKeepAlive(context) != REDIS_OK ||
	    redisSetTimeout(context, timeval_from_ms(command_timeout_ms)) != REDIS_OK) {
		snprintf(error, error_size, "cannot set socket options for Redis at %s: %s",
		         address, context->errstr);
		return REDIS_CONN_UNREACHABLE;
	}

	if (url->password[0] != '\0')
		status = authenticate(context, url, address, command_timeout_ms, error, error_size);
	if (status == REDIS_CONN_OK && url->database != 0)
		status = select_database(context, url, address, command_timeout_ms,
		                         error, error_size);
	return status;
}

enum redis_conn_status redis_conn_open(const struct redis_url *url, long connect_timeout_ms,
                                       long command_timeout_ms, redisContext **context,
                                       char *error, size_t error_size)
{
	char address[REDIS_URL_HOST_MAX + 16];
	redisContext *connection;
	enum redis_conn_status status;

	*context = NULL;
	redis_conn_address(url, address, sizeof address);
	connection = redisConnectWithTimeout(url->host, url->port, timeval_from_ms(connect_timeout_ms));
	if (connection == NULL) {
		snprintf(error, error_size, "cannot connect to Redis at %s: out of memory", address);
		return REDIS_CONN_UNREACHABLE;
	}
	if (connection->err != 0) {
		snprintf(error, error_size, "cannot connect to Redis at %s: %s", address,
		         connection->errstr);
		redisFree(connection);
		return REDIS_CONN_UNREACHABLE;
	}

	status = set_up(connection, url, address, command_timeout_ms, error, error_size);
	if (status != REDIS_CONN_OK) {
		redisFree(connection);
		return status;
	}
	*context = connection;
	return REDIS_CONN_OK;
}
