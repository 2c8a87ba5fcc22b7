#include "subscription.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "stop_signal.h"

static long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Returns true when reply is an array whose first element is the string kind. */
static bool is_push(const redisReply *reply, const char *kind, size_t elements)
{
	return reply->type == REDIS_REPLY_ARRAY && reply->elements == elements &&
	       reply->element[0]->type == REDIS_REPLY_STRING &&
	       strcasecmp(reply->element[0]->str, kind) == 0;
}

static void lost_reason(const struct subscription *subscription, char *error, size_t error_size)
{
	redis_conn_error_reason(subscription->context, SUBSCRIPTION_COMMAND_TIMEOUT_MS,
	                        error, error_size);
}

enum redis_conn_status subscription_open(struct subscription *subscription,
                                         const struct redis_url *url, const char *channel,
                                         char *error, size_t error_size)
{
	const char *argv[] = { "SUBSCRIBE", channel };
	enum redis_conn_status status;
	redisReply *reply;

	memset(subscription, 0, sizeof *subscription);
	status = redis_conn_open(url, SUBSCRIPTION_CONNECT_TIMEOUT_MS,
	                         SUBSCRIPTION_COMMAND_TIMEOUT_MS, &subscription->context,
	                         error, error_size);
	if (status != REDIS_CONN_OK)
		return status;

	reply = redisCommandArgv(subscription->context, 2, argv, NULL);
	if (reply == NULL) {
		lost_reason(subscription, error, error_size);
		status = REDIS_CONN_UNREACHABLE;
	} else if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(error, error_size, "cannot subscribe to %s: %s", channel, reply->str);
		status = REDIS_CONN_REJECTED;
	} else if (!is_push(reply, "subscribe", 3)) {
		snprintf(error, error_size, "cannot subscribe to %s: unexpected reply", channel);
		status = REDIS_CONN_REJECTED;
	}
	if (reply != NULL)
		freeReplyObject(reply);

	if (status != REDIS_CONN_OK) {
		subscription_close(subscription);
		return status;
	}
	subscription->next_ping_ms = monotonic_ms() + SUBSCRIPTION_PING_INTERVAL_MS;
	return REDIS_CONN_OK;
}

void subscription_close(struct subscription *subscription)
{
	if (subscription->message != NULL)
		freeReplyObject(subscription->message);
	if (subscription->context != NULL)
		redisFree(subscription->context);
	subscription->message = NULL;
	subscription->context = NULL;
}

/* Queues a PING and writes it out. Returns false when the write failed. */
static bool send_ping(struct subscription *subscription, long long now)
{
	int done = 0;

	if (redisAppendCommand(subscription->context, "PING") != REDIS_OK)
		return false;
	while (!done)
		if (redisBufferWrite(subscription->context, &done) != REDIS_OK)
			return false;
	subscription->pong_deadline_ms = now + SUBSCRIPTION_PING_TIMEOUT_MS;
	return true;
}

/* Sends a PING when one is due and checks the pending PONG. Stores in
 * *wait_ms how long poll() may wait. Returns false when the connection
 * counts as lost. */
static bool keep_alive(struct subscription *subscription, int *wait_ms,
                       char *error, size_t error_size)
{
	long long now = monotonic_ms();

	if (subscription->pong_deadline_ms != 0 && now >= subscription->pong_deadline_ms) {
		snprintf(error, error_size, "no reply to PING within %d ms",
		         SUBSCRIPTION_PING_TIMEOUT_MS);
		return false;
	}
	if (subscription->pong_deadline_ms == 0 && now >= subscription->next_ping_ms &&
	    !send_ping(subscription, now)) {
		lost_reason(subscription, error, error_size);
		return false;
	}

	if (subscription->pong_deadline_ms != 0)
		*wait_ms = (int)(subscription->pong_deadline_ms - now);
	else
		*wait_ms = (int)(subscription->next_ping_ms - now);
	return true;
}

/* Handles a reply that is not a message. Returns false when it is an
 * error reply, which ends the subscription. */
static bool handle_other_reply(struct subscription *subscription, const redisReply *reply,
                               char *error, size_t error_size)
{
	if (is_push(reply, "pong", 2)) {
		subscription->pong_deadline_ms = 0;
		subscription->next_ping_ms = monotonic_ms() + SUBSCRIPTION_PING_INTERVAL_MS;
	} else if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(error, error_size, "Redis replied with an error: %s", reply->str);
		return false;
	}
	return true;
}

/*
 * Takes the next message out of the replies already read into *message,
 * or NULL when no complete message is buffered. Handles PONGs and
 * subscription confirmations on the way. Returns false when the connection
 * has to be given up.
 */
static bool take_message(struct subscription *subscription, redisReply **message,
                         char *error, size_t error_size)
{
	*message = NULL;
	for (;;) {
		void *untyped = NULL;
		redisReply *reply;
		bool keep;

		if (redisGetReplyFromReader(subscription->context, &untyped) != REDIS_OK) {
			lost_reason(subscription, error, error_size);
			return false;
		}
		if (untyped == NULL)
			return true;

		reply = untyped;
		if (is_push(reply, "message", 3) && reply->element[2]->type == REDIS_REPLY_STRING) {
			*message = reply;
			return true;
		}
		keep = handle_other_reply(subscription, reply, error, error_size);
		freeReplyObject(reply);
		if (!keep)
			return false;
	}
}

/* Waits up to wait_ms for the socket or a stop signal, then reads what came.
 * Returns false when the connection is lost. */
static bool wait_and_read(struct subscription *subscription, int wait_ms,
                          char *error, size_t error_size)
{
	struct pollfd fds[2] = {
		{ .fd = subscription->context->fd, .events = POLLIN },
		{ .fd = stop_signal_fd(), .events = POLLIN },
	};
	int ready = poll(fds, 2, wait_ms > 0 ? wait_ms : 0);

	if (ready < 0 && errno != EINTR) {
		snprintf(error, error_size, "poll failed: %s", strerror(errno));
		return false;
	}
	if (ready <= 0 || fds[0].revents == 0)
		return true;

	if (redisBufferRead(subscription->context) != REDIS_OK) {
		lost_reason(subscription, error, error_size);
		return false;
	}
	return true;
}

enum subscription_event subscription_next(struct subscription *subscription,
                                          const char **payload, size_t *len,
                                          char *error, size_t error_size)
{
	if (subscription->message != NULL)
		freeReplyObject(subscription->message);
	subscription->message = NULL;

	for (;;) {
		redisReply *message;
		int wait_ms;

		if (stop_signal_received())
			return SUBSCRIPTION_STOPPED;
		if (!take_message(subscription, &message, error, error_size))
			return SUBSCRIPTION_LOST;
		if (message != NULL) {
			subscription->message = message;
			*payload = message->element[2]->str;
			*len = message->element[2]->len;
			return SUBSCRIPTION_MESSAGE;
		}

		if (!keep_alive(subscription, &wait_ms, error, error_size) ||
		    !wait_and_read(subscription, wait_ms, error, error_size))
			return SUBSCRIPTION_LOST;
	}
}
