#include "publisher.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "stop_signal.h"

static const long retry_delays_ms[PUBLISHER_RETRIES] = { 100, 200, 400 };

enum attempt_result {
	ATTEMPT_PUBLISHED,
	ATTEMPT_REJECTED,     /* Redis replied with an error, which a retry would get again */
	ATTEMPT_FAILED,       /* no connection or no reply: worth retrying */
};

void publisher_init(struct publisher *publisher, const struct redis_url *url, const char *channel)
{
	publisher->url = *url;
	publisher->channel = channel;
	publisher->context = NULL;
	publisher->had_failure = false;
}

static void drop_connection(struct publisher *publisher)
{
	if (publisher->context != NULL)
		redisFree(publisher->context);
	publisher->context = NULL;
}

void publisher_close(struct publisher *publisher)
{
	drop_connection(publisher);
}

/* Sleeps for ms milliseconds. Returns false early when a stop signal arrives. */
static bool wait_unless_stopped(long ms)
{
	struct pollfd stop = { .fd = stop_signal_fd(), .events = POLLIN };

	if (stop_signal_received())
		return false;
	if (poll(&stop, 1, (int)ms) < 0 && errno != EINTR)
		return true;
	return !stop_signal_received();
}

static enum attempt_result connect_publisher(struct publisher *publisher,
                                             char *error, size_t error_size)
{
	char address[REDIS_URL_HOST_MAX + 16];
	enum redis_conn_status status;

	status = redis_conn_open(&publisher->url, PUBLISHER_CONNECT_TIMEOUT_MS,
	                         PUBLISHER_COMMAND_TIMEOUT_MS, &publisher->context,
	                         error, error_size);
	if (status == REDIS_CONN_REJECTED)
		return ATTEMPT_REJECTED;
	if (status == REDIS_CONN_UNREACHABLE)
		return ATTEMPT_FAILED;

	redis_conn_address(&publisher->url, address, sizeof address);
	if (publisher->had_failure)
		log_info("connected to Redis at %s again", address);
	else
		log_debug("connected to Redis at %s", address);
	publisher->had_failure = false;
	return ATTEMPT_PUBLISHED;
}

static enum attempt_result attempt_publish(struct publisher *publisher, const char *message,
                                           size_t len, char *error, size_t error_size)
{
	const char *argv[] = { "PUBLISH", publisher->channel, message };
	size_t argv_len[] = { strlen("PUBLISH"), strlen(publisher->channel), len };
	enum attempt_result result = ATTEMPT_PUBLISHED;
	redisReply *reply;

	if (publisher->context == NULL) {
		result = connect_publisher(publisher, error, error_size);
		if (result != ATTEMPT_PUBLISHED)
			return result;
	}

	reply = redisCommandArgv(publisher->context, 3, argv, argv_len);
	if (reply == NULL) {
		char address[REDIS_URL_HOST_MAX + 16];
		char reason[200];

		redis_conn_address(&publisher->url, address, sizeof address);
		redis_conn_error_reason(publisher->context, PUBLISHER_COMMAND_TIMEOUT_MS,
		                        reason, sizeof reason);
		snprintf(error, error_size, "Redis at %s: %s", address, reason);
		drop_connection(publisher);
		return ATTEMPT_FAILED;
	}

	if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(error, error_size, "Redis replied with an error: %s", reply->str);
		result = ATTEMPT_REJECTED;
	}
	freeReplyObject(reply);
	return result;
}

bool publisher_send(struct publisher *publisher, const char *message, size_t len,
                    const char *position, char *error, size_t error_size)
{
	for (int retry = 0;; retry++) {
		enum attempt_result result = attempt_publish(publisher, message, len,
		                                             error, error_size);

		if (result != ATTEMPT_FAILED)
			return result == ATTEMPT_PUBLISHED;

		publisher->had_failure = true;
		if (retry == PUBLISHER_RETRIES || stop_signal_received())
			return false;
		log_info("cannot publish %s to %s: %s; retry %d of %d in %ld ms", position,
		         publisher->channel, error, retry + 1, PUBLISHER_RETRIES,
		         retry_delays_ms[retry]);
		if (!wait_unless_stopped(retry_delays_ms[retry]))
			return false;
	}
}
