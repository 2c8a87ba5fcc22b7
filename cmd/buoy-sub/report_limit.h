/* At most one report per interval, counting the ones left out, so that a
 * flood of bad messages cannot flood the log. */
#ifndef BUOY_SUB_REPORT_LIMIT_H
#define BUOY_SUB_REPORT_LIMIT_H

#include <stdbool.h>

struct report_limit {
	long long interval_ms;
	long long last_report_ms;     /* monotonic time of the last report, or 0 */
	unsigned long suppressed;     /* reports left out since then */
};

void report_limit_init(struct report_limit *limit, long long interval_ms);

/*
 * Returns true when a report may be written now, and stores in *suppressed
 * how many were left out before it (then resets that count). Returns false
 * and counts one more left out report otherwise.
 */
bool report_limit_allow(struct report_limit *limit, unsigned long *suppressed);

#endif
