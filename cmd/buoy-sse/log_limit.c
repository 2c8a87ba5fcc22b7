#include "log_limit.h"

#include "log.h"

static time_t monotonic_second(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec;
}

bool log_limit_allow(struct log_limit *limit, const char *description)
{
	time_t now = monotonic_second();

	if (limit->logged && limit->second == now) {
		limit->held_back++;
		return false;
	}
	log_limit_flush(limit, description);
	limit->second = now;
	limit->logged = true;
	return true;
}

void log_limit_flush(struct log_limit *limit, const char *description)
{
	if (limit->held_back == 0)
		return;
	log_warning("%lu more %s", limit->held_back, description);
	limit->held_back = 0;
}
