/*
 * Publishing lines to a Redis channel, reconnecting and retrying when the
 * connection fails so that a short Redis outage loses no line.
 */
#ifndef BUOY_PUBLISH_PUBLISHER_H
#define BUOY_PUBLISH_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis.h>

#include "redis_conn.h"
#include "redis_url.h"

/* Timeouts for one connect and for one command, in milliseconds. */
#define PUBLISHER_CONNECT_TIMEOUT_MS 2000
#define PUBLISHER_COMMAND_TIMEOUT_MS 2000

/* Retries after a connection failure, and the pause before each. */
#define PUBLISHER_RETRIES 3

struct publisher {
	struct redis_url url;
	const char *channel;
	redisContext *context;        /* NULL while disconnected */
	bool had_failure;             /* the last attempt failed */
};

void publisher_init(struct publisher *publisher, const struct redis_url *url, const char *channel);
void publisher_close(struct publisher *publisher);

/*
 * PUBLISHes message (len bytes) to the channel. A failed connect, read or
 * write is retried PUBLISHER_RETRIES times, after 100, 200 and 400 ms, on
 * a new connection each time. A stop signal cuts the retries short. An
 * error reply from Redis (such as NOAUTH) is not retried. Logs each retry,
 * naming the line by position ("stdin:12"). Returns true when Redis took
 * the message, else false with the reason in error.
 */
bool publisher_send(struct publisher *publisher, const char *message, size_t len,
                    const char *position, char *error, size_t error_size);

#endif
