/*
 * Histograms for /metrics, in the Prometheus text format 0.0.4.
 *
 * A histogram counts observations in fixed buckets given by their upper
 * bounds; a value equal to a bound falls in that bound's bucket, as the
 * format's "le" (less or equal) label says. The +Inf bucket is implicit.
 */
#ifndef BUOY_SSE_METRICS_H
#define BUOY_SSE_METRICS_H

#include <stddef.h>
#include <time.h>

struct evbuffer;

/* Bounds a histogram may have, besides +Inf. */
#define HISTOGRAM_BOUNDS_MAX 16

struct histogram {
	const double *bounds;                         /* ascending, finite */
	size_t bound_count;
	unsigned long long counts[HISTOGRAM_BOUNDS_MAX + 1]; /* per bucket, last is +Inf */
	unsigned long long count;
	double sum;
};

/* Sets h up empty with bound_count ascending bounds, which must outlive it.
 * Returns 0, or -1 when there are more than HISTOGRAM_BOUNDS_MAX bounds or
 * they do not ascend. */
int histogram_init(struct histogram *h, const double *bounds, size_t bound_count);

/* Counts value (a NaN is ignored). */
void histogram_observe(struct histogram *h, double value);

/* Counts the seconds from start to now, both on CLOCK_MONOTONIC. */
void histogram_observe_since(struct histogram *h, const struct timespec *start);

/* Returns the seconds from start to now on CLOCK_MONOTONIC. */
double seconds_since(const struct timespec *start);

/* Appends the HELP and TYPE lines, the cumulative _bucket lines, _sum and
 * _count for the metric name. Returns 0, or -1 when out of memory. */
int histogram_format(const struct histogram *h, const char *name, const char *help,
                     struct evbuffer *out);

#endif
