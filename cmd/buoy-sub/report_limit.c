#include "report_limit.h"

#include <time.h>

static long long monotonic_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void report_limit_init(struct report_limit *limit, long long interval_ms)
{
	limit->interval_ms = interval_ms;
	limit->last_report_ms = 0;
	limit->suppressed = 0;
}

bool report_limit_allow(struct report_limit *limit, unsigned long *suppressed)
{
	long long now = monotonic_ms();

	if (limit->last_report_ms != 0 && now - limit->last_report_ms < limit->interval_ms) {
		limit->suppressed++;
		return false;
	}
	*suppressed = limit->suppressed;
	limit->suppressed = 0;
	limit->last_report_ms = now;
	return true;
}
