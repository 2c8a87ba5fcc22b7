/*
 * A Redis SUBSCRIBE connection read through poll(), so that a stop signal
 * ends the wait at once, with a PING every few seconds to notice a
 * connection that died without a FIN or RST.
 */
#ifndef BUOY_SUB_SUBSCRIPTION_H
#define BUOY_SUB_SUBSCRIPTION_H

#include <stddef.h>

#include <hiredis.h>

#include "redis_conn.h"
#include "redis_url.h"

#define SUBSCRIPTION_CONNECT_TIMEOUT_MS 2000
#define SUBSCRIPTION_COMMAND_TIMEOUT_MS 2000

/* A PING goes out after this long since the last PONG; the connection
 * counts as lost when its PONG takes longer than the timeout, so a dead
 * connection is noticed within the sum of the two. */
#define SUBSCRIPTION_PING_INTERVAL_MS 5000
#define SUBSCRIPTION_PING_TIMEOUT_MS 5000

struct subscription {
	redisContext *context;
	redisReply *message;          /* the reply of the last message returned */
	long long next_ping_ms;       /* monotonic time to send the next PING */
	long long pong_deadline_ms;   /* monotonic time the PONG is due, or 0 */
};

enum subscription_event {
	SUBSCRIPTION_MESSAGE,
	SUBSCRIPTION_LOST,
	SUBSCRIPTION_STOPPED,   /* a stop signal arrived */
};

/*
 * Connects to url and SUBSCRIBEs to channel. Returns REDIS_CONN_OK, or
 * another status with a message in error (see redis_conn_open; an error
 * reply to SUBSCRIBE, such as NOAUTH, is REDIS_CONN_REJECTED).
 */
enum redis_conn_status subscription_open(struct subscription *subscription,
                                         const struct redis_url *url, const char *channel,
                                         char *error, size_t error_size);

/*
 * Waits for the next message, sending PINGs and checking their PONGs on
 * the way. SUBSCRIPTION_MESSAGE stores the payload in *payload and *len, valid
 * until the next call. SUBSCRIPTION_LOST writes the reason into error;
 * the caller then closes the subscription.
 */
enum subscription_event subscription_next(struct subscription *subscription,
                                          const char **payload, size_t *len,
                                          char *error, size_t error_size);

void subscription_close(struct subscription *subscription);

#endif
