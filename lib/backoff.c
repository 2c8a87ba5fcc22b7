#include "backoff.h"

#include <stdlib.h>
#include <time.h>

void backoff_init(struct backoff *backoff, long initial_ms, long max_ms)
{
	/* A zero delay would make a retry loop spin; a start above the cap
	 * would exceed it. */
	if (initial_ms < 1)
		initial_ms = 1;
	if (max_ms < initial_ms)
		max_ms = initial_ms;
	backoff->initial_ms = initial_ms;
	backoff->max_ms = max_ms;
	backoff->next_ms = initial_ms;
}

long backoff_next_ms(struct backoff *backoff)
{
	long delay = backoff->next_ms;
	long jitter = delay / 4;

	if (backoff->next_ms < backoff->max_ms / 2)
		backoff->next_ms *= 2;
	else
		backoff->next_ms = backoff->max_ms;

	/* rand() is enough here: the jitter only spreads reconnects apart. */
	if (jitter > 0)
		delay -= rand() % (jitter + 1);
	return delay;
}

void backoff_reset(struct backoff *backoff)
{
	backoff->next_ms = backoff->initial_ms;
}

void backoff_sleep_ms(long ms)
{
	struct timespec pause = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&pause, NULL);
}
