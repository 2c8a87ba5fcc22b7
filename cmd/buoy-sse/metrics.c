#include "metrics.h"

#include <math.h>

#include <event2/buffer.h>

int histogram_init(struct histogram *h, const double *bounds, size_t bound_count)
{
	if (bound_count > HISTOGRAM_BOUNDS_MAX)
		return -1;
	for (size_t i = 0; i < bound_count; i++)
		if (!isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
			return -1;

	*h = (struct histogram){ .bounds = bounds, .bound_count = bound_count };
	return 0;
}

void histogram_observe(struct histogram *h, double value)
{
	size_t bucket = 0;

	if (isnan(value))
		return;
	while (bucket < h->bound_count && value > h->bounds[bucket])
		bucket++;
	h->counts[bucket]++;
	h->count++;
	h->sum += value;
}

double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void histogram_observe_since(struct histogram *h, const struct timespec *start)
{
	histogram_observe(h, seconds_since(start));
}

int histogram_format(const struct histogram *h, const char *name, const char *help,
                     struct evbuffer *out)
{
	unsigned long long cumulative = 0;
	int failed = 0;

	failed |= evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n",
	                              name, help, name) < 0;
	for (size_t i = 0; i < h->bound_count; i++) {
		cumulative += h->counts[i];
		failed |= evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %llu\n",
		                              name, h->bounds[i], cumulative) < 0;
	}
	failed |= evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n", name, h->count) < 0;

	failed |= evbuffer_add_printf(out, "%s_sum %.9g\n%s_count %llu\n",
	                              name, h->sum, name, h->count) < 0;
	return failed ? -1 : 0;
}
