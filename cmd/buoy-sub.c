/*
 * buoy-sub: SUBSCRIBE to a Redis channel and print each valid observation
 * message as one NDJSON line, with status lines that tell whether Redis is
 * reachable.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "backoff.h"
#include "buoy-sub/pretty.h"
#include "buoy-sub/report_limit.h"
#include "buoy-sub/subscription.h"
#include "common/usage.h"
#include "config.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "redis_conn.h"
#include "redis_url.h"
#include "stop_signal.h"
#include "version.h"

#define RECONNECT_INITIAL_MS 100
#define RECONNECT_MAX_MS 5000
#define INVALID_REPORT_INTERVAL_MS 1000

enum upstream_state {
	UPSTREAM_STARTING,
	UPSTREAM_UP,
	UPSTREAM_DOWN,
};

/* The program's state across reconnections. */
struct subscriber {
	struct redis_url url;
	char address[REDIS_URL_HOST_MAX + 16];
	const char *channel;
	bool readable;                 /* terminal text instead of NDJSON */
	bool write_status;             /* write status lines (no --no-status) */
	enum upstream_state state;
	struct backoff backoff;
	struct report_limit invalid_reports;
	unsigned long messages;        /* received since start */
	int output_error;              /* errno of a failed write to stdout, or 0 */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: buoy-sub [-hqVv] [-c channel] [--json] [--no-status]\n"
	        "\n"
	        "SUBSCRIBE to a Redis channel and print each valid observation as one line.\n"
	        "\n"
	        "  -c, --channel=NAME  channel to subscribe to (default: BUOY_CHANNEL, else %s)\n"
	        "      --json          print NDJSON even when stdout is a terminal\n"
	        "      --no-status     do not print {\"upstream\":...} status lines\n"
	        "  -v, --verbose       log debug messages too\n"
	        "  -q, --quiet         log less (warnings and errors only)\n"
	        "  -h, --help          print this help and exit\n"
	        "  -V, --version       print the version and exit\n"
	        "\n"
	        "Environment: REDIS_URL (default %s), BUOY_CHANNEL, BUOY_LOG_LEVEL.\n",
	        BUOY_DEFAULT_CHANNEL, BUOY_DEFAULT_REDIS_URL);
}

static void print_version(void)
{
	version_print("buoy-sub");
	/* hiredis 0.14 has no runtime version call, so this is the version of
	 * the headers it was built with. */
	printf("hiredis %d.%d.%d\n", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
}

/* Writes text to stdout and flushes it, even into a file, because messages
 * arrive one at a time for as long as the program runs. Remembers the first
 * write error. */
static void write_output(struct subscriber *sub, const char *text, size_t len, bool newline)
{
	if (sub->output_error != 0)
		return;
	errno = 0;
	fwrite(text, 1, len, stdout);
	if (newline)
		putchar('\n');
	fflush(stdout);
	if (ferror(stdout))
		sub->output_error = errno != 0 ? errno : EIO;
}

static void write_status(struct subscriber *sub, bool upstream_up, const char *reason)
{
	char line[1024];
	size_t len;

	if (!sub->write_status)
		return;
	if (sub->readable) {
		pretty_status(upstream_up, reason, line, sizeof line);
		len = strlen(line);
	} else {
		len = record_format_status(upstream_up, reason, time(NULL), line, sizeof line);
	}
	write_output(sub, line, len, false);
}

static void mark_up(struct subscriber *sub)
{
	log_info("subscribed to %s at Redis %s", sub->channel, sub->address);
	write_status(sub, true, NULL);
	sub->state = UPSTREAM_UP;
	backoff_reset(&sub->backoff);
}

/* Reports the first failure after a success (or at start) once; repeated
 * failures while down are debug lines only. */
static void mark_down(struct subscriber *sub, enum redis_conn_status status, const char *reason)
{
	enum log_level level = status == REDIS_CONN_REJECTED ? LOG_LEVEL_ERROR : LOG_LEVEL_WARNING;
	char message[1024];

	if (sub->state == UPSTREAM_DOWN) {
		log_debug("%s; retrying", reason);
		return;
	}
	snprintf(message, sizeof message, "%s; retrying, at most %d ms apart", reason,
	         RECONNECT_MAX_MS);
	log_fields(level, message, (const char *)NULL);
	write_status(sub, false, reason);
	sub->state = UPSTREAM_DOWN;
}

static void report_invalid(struct subscriber *sub, const char *reason)
{
	unsigned long suppressed;

	if (!report_limit_allow(&sub->invalid_reports, &suppressed))
		return;
	if (suppressed > 0)
		log_warning("message %lu on %s: %s; the message is dropped "
		            "(and %lu more invalid messages since the last report)",
		            sub->messages, sub->channel, reason, suppressed);
	else
		log_warning("message %lu on %s: %s; the message is dropped",
		            sub->messages, sub->channel, reason);
}

/* Checks that a message is one observation line. Returns false with the
 * reason in error. */
static bool check_message(const char *payload, size_t len, char *error, size_t error_size)
{
	struct record_info info;
	enum record_kind kind;

	if (len > RECORD_LINE_MAX) {
		snprintf(error, error_size, "message is longer than %d bytes", RECORD_LINE_MAX);
		return false;
	}
	if (memchr(payload, '\n', len) != NULL) {
		snprintf(error, error_size, "message contains a newline, so it is not one NDJSON line");
		return false;
	}

	kind = record_check_line(payload, len, &info, error, error_size);
	if (kind == RECORD_STATUS)
		snprintf(error, error_size, "message is a status line, not an observation");
	else if (kind == RECORD_BLANK)
		snprintf(error, error_size, "message is empty");
	return kind == RECORD_OBSERVATION;
}

static void handle_message(struct subscriber *sub, const char *payload, size_t len)
{
	char error[512];
	char text[1024];

	sub->messages++;
	if (!check_message(payload, len, error, sizeof error)) {
		report_invalid(sub, error);
		return;
	}

	/* record_check_line ignores a '\r' at the end; so does the output. */
	if (payload[len - 1] == '\r')
		len--;
	if (sub->readable && pretty_observation(payload, len, text, sizeof text))
		write_output(sub, text, strlen(text), false);
	else
		write_output(sub, payload, len, true);
}

/* Prints messages until the connection is lost, a stop signal arrives or
 * stdout fails. */
static void follow(struct subscriber *sub, struct subscription *subscription)
{
	const char *payload;
	size_t len;
	char reason[256];
	char message[REDIS_URL_HOST_MAX + 16 + 256 + 64];

	while (sub->output_error == 0) {
		enum subscription_event event = subscription_next(subscription, &payload, &len,
		                                                  reason, sizeof reason);

		if (event == SUBSCRIPTION_STOPPED)
			return;
		if (event == SUBSCRIPTION_LOST) {
			snprintf(message, sizeof message, "lost connection to Redis at %s: %s",
			         sub->address, reason);
			mark_down(sub, REDIS_CONN_UNREACHABLE, message);
			return;
		}
		handle_message(sub, payload, len);
	}
}

/* Sleeps for ms milliseconds, or less when a stop signal arrives. */
static void wait_unless_stopped(long ms)
{
	struct pollfd stop = { .fd = stop_signal_fd(), .events = POLLIN };

	if (!stop_signal_received())
		poll(&stop, 1, (int)ms);
}

/* Subscribes, follows and reconnects until a stop signal or an output error. */
static void run_subscriber(struct subscriber *sub)
{
	struct subscription subscription;
	char error[512];

	while (!stop_signal_received() && sub->output_error == 0) {
		enum redis_conn_status status = subscription_open(&subscription, &sub->url,
		                                                  sub->channel, error, sizeof error);

		if (status == REDIS_CONN_OK) {
			mark_up(sub);
			follow(sub, &subscription);
			subscription_close(&subscription);
		} else if (!stop_signal_received()) {
			mark_down(sub, status, error);
		}
		if (!stop_signal_received() && sub->output_error == 0)
			wait_unless_stopped(backoff_next_ms(&sub->backoff));
	}
}

/* Finishes stdout and returns the exit status. */
static int finish(struct subscriber *sub)
{
	int output_error = output_close();

	if (sub->output_error == 0)
		sub->output_error = output_error;
	if (sub->invalid_reports.suppressed > 0)
		log_warning("%lu more invalid messages on %s were dropped since the last report",
		            sub->invalid_reports.suppressed, sub->channel);
	if (stop_signal_received())
		log_info("stopping on SIG%s", sigabbrev_np(stop_signal_number()));

	if (sub->output_error != 0) {
		log_error("cannot write to stdout: %s", strerror(sub->output_error));
		return EX_IOERR;
	}
	return EX_OK;
}

/* Parses the options into sub; exits on --help, --version and usage errors. */
static void parse_options(int argc, char **argv, struct subscriber *sub, const char **channel)
{
	enum { OPTION_JSON = 256, OPTION_NO_STATUS };
	static const struct option options[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPTION_JSON },
		{ "no-status", no_argument, NULL, OPTION_NO_STATUS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	opterr = 0;
	while ((option = getopt_long(argc, argv, ":c:hqVv", options, NULL)) != -1) {
		switch (option) {
		case 'c':
			*channel = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EX_OK);
		case OPTION_JSON:
			sub->readable = false;
			break;
		case OPTION_NO_STATUS:
			sub->write_status = false;
			break;
		case 'q':
			log_adjust_level(-1);
			break;
		case 'V':
			print_version();
			exit(EX_OK);
		case 'v':
			log_adjust_level(+1);
			break;
		default:
			usage_bad_option(option, argv);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
}

int main(int argc, char **argv)
{
	struct subscriber sub = {
		.readable = output_is_terminal(),
		.write_status = true,
		.state = UPSTREAM_STARTING,
	};
	const char *channel_option = NULL;
	char error[512];

	log_init("buoy-sub");
	parse_options(argc, argv, &sub, &channel_option);

	sub.channel = config_value(channel_option, "BUOY_CHANNEL", BUOY_DEFAULT_CHANNEL);
	if (sub.channel[0] == '\0')
		usage_error("the channel name must not be empty");
	if (!redis_url_parse(config_value(NULL, "REDIS_URL", BUOY_DEFAULT_REDIS_URL), &sub.url,
	                     error, sizeof error)) {
		log_error("%s", error);
		return EX_CONFIG;
	}
	redis_conn_address(&sub.url, sub.address, sizeof sub.address);

	if (stop_signal_install(true) != 0) {
		log_error("cannot install signal handlers: %s", strerror(errno));
		return EX_OSERR;
	}
	output_setup();
	backoff_init(&sub.backoff, RECONNECT_INITIAL_MS, RECONNECT_MAX_MS);
	report_limit_init(&sub.invalid_reports, INVALID_REPORT_INTERVAL_MS);

	run_subscriber(&sub);
	return finish(&sub);
}
