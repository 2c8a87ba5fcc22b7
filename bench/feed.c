/*
 * feed: writes observation lines for the buoy-sse benchmark to stdout.
 *
 *   feed --rate 20 --duration 15    20 lines a second for 15 seconds
 *   feed --burst 2000               2000 lines as fast as stdout takes them
 *
 * Each line is a complete observation record (all sixteen fields) plus two
 * fields that buoy-sse passes on unchanged: "benchSeq", the line's number
 * from 0, and "benchSentNs", CLOCK_MONOTONIC in nanoseconds just before the
 * line is written. Line K carries the time 2026-01-01T00:00:00Z plus K
 * seconds, so every event gets its own SSE id. Each line is one write(2),
 * so the time stamp is taken when the line is handed to the pipe.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024
#define FIRST_OBSERVATION 1767225600 /* 2026-01-01T00:00:00Z */
#define EVENTS_MAX 10000000L

struct feed_options {
	double rate;       /* lines per second; 0 in burst mode */
	double duration;   /* seconds */
	long burst;        /* lines written back to back; 0 in rate mode */
};

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static void usage_error(const char *message)
{
	fprintf(stderr, "feed: %s\nTry 'feed --help' for more information.\n", message);
	exit(EX_USAGE);
}

static double parse_positive(const char *text, const char *option)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !(value > 0))
		usage_error(option);
	return value;
}

static struct feed_options parse_options(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "burst", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct feed_options options = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "r:d:b:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'r': options.rate = parse_positive(optarg, "invalid --rate: expected lines per second above 0"); break;
		case 'd': options.duration = parse_positive(optarg, "invalid --duration: expected seconds above 0"); break;
		case 'b': options.burst = (long)parse_positive(optarg, "invalid --burst: expected a line count above 0"); break;
		case 'h': puts("usage: feed --rate LINES_PER_S --duration SECONDS | --burst COUNT"); exit(0);
		default: usage_error("unknown option");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument");
	if ((options.burst > 0) == (options.rate > 0 && options.duration > 0))
		usage_error("give either --rate and --duration, or --burst");
	if (options.burst > EVENTS_MAX || options.rate * options.duration > EVENTS_MAX)
		usage_error("too many lines: at most 10000000");
	return options;
}

static size_t format_line(char *out, size_t size, long seq)
{
	time_t observed = FIRST_OBSERVATION + (time_t)seq;
	char timestamp[sizeof "YYYY-MM-DDTHH:MM:SSZ"];
	struct tm utc;
	int len;

	gmtime_r(&observed, &utc);
	strftime(timestamp, sizeof timestamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
	len = snprintf(out, size,
	               "{\"stationId\":\"BENCH1\",\"timestamp\":\"%s\",\"waveHeightM\":1.2,"
	               "\"windSpeedMps\":5.1,\"windDirDeg\":230,\"waterTempC\":12.4,"
	               "\"pressureHpa\":1016.8,\"gustMps\":6.7,\"dominantPeriodS\":8,"
	               "\"averagePeriodS\":5.6,\"meanWaveDirDeg\":190,\"airTempC\":11.9,"
	               "\"dewPointC\":9.1,\"visibilityNmi\":null,\"pressureTendencyHpa\":-0.4,"
	               "\"tideFt\":null,\"benchSeq\":%ld,\"benchSentNs\":%llu}\n",
	               timestamp, seq, (unsigned long long)monotonic_ns());
	return len < 0 ? 0 : (size_t)len;
}

static void write_all(const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "feed: cannot write to stdout: %s\n", strerror(errno));
			exit(EX_IOERR);
		}
		data += n;
		len -= (size_t)n;
	}
}

static void send_line(long seq)
{
	char line[LINE_MAX_BYTES];
	size_t len = format_line(line, sizeof line, seq);

	write_all(line, len);
}

/* Sleeps until start_ns + offset_ns on CLOCK_MONOTONIC, so that a slow
 * write does not shift the lines after it. */
static void sleep_until(uint64_t start_ns, uint64_t offset_ns)
{
	uint64_t when = start_ns + offset_ns;
	struct timespec deadline = {
		.tv_sec = (time_t)(when / 1000000000u),
		.tv_nsec = (long)(when % 1000000000u),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct feed_options options = parse_options(argc, argv);

	if (options.burst > 0) {
		for (long seq = 0; seq < options.burst; seq++)
			send_line(seq);
		return 0;
	}

	long count = (long)(options.rate * options.duration);
	uint64_t interval_ns = (uint64_t)(1e9 / options.rate);
	uint64_t start_ns = monotonic_ns();

	for (long seq = 0; seq < count; seq++) {
		sleep_until(start_ns, (uint64_t)seq * interval_ns);
		send_line(seq);
	}
	return 0;
}
