/* Capped exponential backoff with jitter, for reconnect and retry loops. */
#ifndef BUOY_BACKOFF_H
#define BUOY_BACKOFF_H

struct backoff {
	long initial_ms;
	long max_ms;
	long next_ms;
};

void backoff_init(struct backoff *backoff, long initial_ms, long max_ms);

/* Returns the next delay: initial_ms, then doubling up to max_ms, each
 * lowered by up to a quarter at random so that many clients do not retry
 * in step. */
long backoff_next_ms(struct backoff *backoff);

/* Starts again from initial_ms, after a success. */
void backoff_reset(struct backoff *backoff);

/* Sleeps for ms milliseconds; returns early when a signal arrives. */
void backoff_sleep_ms(long ms);

#endif
