/*
 * buoy-publish: PUBLISH each observation line read from stdin or files to a
 * Redis channel, unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buoy-publish/metrics_file.h"
#include "buoy-publish/publisher.h"
#include "common/usage.h"
#include "config.h"
#include "line_reader.h"
#include "log.h"
#include "output.h"
#include "record.h"
#include "redis_url.h"
#include "stop_signal.h"
#include "version.h"

/* The program's state across input files. */
struct run {
	struct publisher publisher;
	bool tee;
	const char *metrics_file;      /* --metrics-file, or NULL */
	unsigned long published;
	unsigned long failed;          /* valid lines Redis did not take */
	unsigned long invalid;
	bool input_failed;             /* a file could not be opened or read */
	int output_error;              /* errno of a failed --tee write, or 0 */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: buoy-publish [-hqtVv] [-c channel] [-m file] [file ...]\n"
	        "\n"
	        "PUBLISH each observation line of the files (or stdin) to a Redis channel.\n"
	        "\n"
	        "  -c, --channel=NAME  channel to publish to (default: BUOY_CHANNEL, else %s)\n"
	        "  -m, --metrics-file=FILE  write the run's counts to FILE at exit, in\n"
	        "                      Prometheus text format (for node_exporter's textfile\n"
	        "                      collector)\n"
	        "  -t, --tee           also copy each valid line to stdout\n"
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
	version_print("buoy-publish");
	/* hiredis 0.14 has no runtime version call, so this is the version of
	 * the headers it was built with. */
	printf("hiredis %d.%d.%d\n", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
}

/* Copies a valid line to stdout for --tee; remembers the first write error. */
static void tee_line(struct run *run, const char *line, size_t len)
{
	if (!run->tee || run->output_error != 0)
		return;
	errno = 0;
	fwrite(line, 1, len, stdout);
	putchar('\n');
	if (ferror(stdout))
		run->output_error = errno != 0 ? errno : EIO;
}

static void handle_line(struct run *run, const char *name, unsigned long number,
                        const char *line, size_t len)
{
	char position[300];
	char error[512];
	struct record_info info;
	enum record_kind kind = record_check_line(line, len, &info, error, sizeof error);

	snprintf(position, sizeof position, "%s:%lu", name, number);
	if (kind == RECORD_BLANK || kind == RECORD_STATUS)
		return;
	if (kind == RECORD_INVALID) {
		log_warning("%s: %s; the line is skipped", position, error);
		run->invalid++;
		return;
	}

	/* record_check_line ignores a '\r' before the newline; so does the copy. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (publisher_send(&run->publisher, line, len, position, error, sizeof error)) {
		run->published++;
	} else {
		log_error("cannot publish %s to %s: %s; the line is dropped", position,
		          run->publisher.channel, error);
		run->failed++;
	}
	tee_line(run, line, len);
}

/* Waits until fd has input. Returns false when a stop signal came first. */
static bool wait_for_input(int fd)
{
	struct pollfd fds[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = stop_signal_fd(), .events = POLLIN },
	};

	while (!stop_signal_received()) {
		if (poll(fds, 2, -1) > 0 && fds[0].revents != 0)
			return !stop_signal_received();
	}
	return false;
}

/* Reads every line of fd. Returns false when the program has to stop. */
static bool read_input(struct run *run, int fd, const char *name, struct line_reader *reader)
{
	const char *line;
	size_t len;

	for (;;) {
		enum line_status status;

		if (run->output_error != 0 || stop_signal_received())
			return false;
		if (!line_reader_has_line(reader) && !reader->at_eof && !wait_for_input(fd))
			return false;

		status = line_reader_next(reader, &line, &len);
		if (status == LINE_OK) {
			handle_line(run, name, reader->line_number, line, len);
		} else if (status == LINE_TOO_LONG) {
			log_warning("%s:%lu: line is longer than %d bytes; the line is skipped",
			            name, reader->line_number, RECORD_LINE_MAX);
			run->invalid++;
		} else if (status == LINE_EOF) {
			return true;
		} else if (status == LINE_ERROR) {
			log_error("cannot read %s: %s; the rest of it is skipped", name, strerror(errno));
			run->input_failed = true;
			return true;
		}
	}
}

/* Reads one input ("-" is stdin). Returns false when the program has to stop. */
static bool read_source(struct run *run, const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "stdin" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct line_reader reader;
	bool go_on;

	if (fd < 0) {
		log_error("cannot open %s: %s; the file is skipped", path, strerror(errno));
		run->input_failed = true;
		return true;
	}
	if (line_reader_init(&reader, fd, RECORD_LINE_MAX) != 0) {
		log_error("cannot allocate a line buffer of %d bytes", RECORD_LINE_MAX);
		exit(EX_OSERR);
	}

	go_on = read_input(run, fd, name, &reader);

	line_reader_free(&reader);
	if (!is_stdin)
		close(fd);
	return go_on;
}

/* Returns the exit status; see EXIT STATUS in the manual. */
static int exit_status(const struct run *run)
{
	if (run->output_error != 0)
		return EX_IOERR;
	if (run->failed > 0)
		return EX_TEMPFAIL;
	if (run->input_failed)
		return EX_NOINPUT;
	if (run->invalid > 0)
		return EX_DATAERR;
	return EX_OK;
}

static void write_metrics_file(const struct run *run, int status)
{
	struct publish_counts counts = {
		.channel = run->publisher.channel,
		.published = run->published,
		.failed = run->failed,
		.invalid = run->invalid,
		.exit_status = status,
	};
	char error[256];

	if (run->metrics_file != NULL &&
	    metrics_file_write(run->metrics_file, &counts, error, sizeof error) != 0)
		log_error("cannot write the metrics file %s: %s", run->metrics_file, error);
}

/* Finishes stdout, logs the summary and writes the metrics file. Returns
 * the exit status. */
static int finish(struct run *run)
{
	int status;

	int output_error = output_close();

	if (run->output_error == 0)
		run->output_error = output_error;
	log_info("lines published to %s: %lu, failed: %lu, invalid: %lu", run->publisher.channel,
	         run->published, run->failed, run->invalid);

	if (run->output_error != 0)
		log_error("cannot write to stdout: %s", strerror(run->output_error));

	status = exit_status(run);
	write_metrics_file(run, status);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "tee", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct run run = { 0 };
	const char *channel_option = NULL;
	const char *channel;
	struct redis_url url;
	char error[512];
	int option;

	log_init("buoy-publish");
	opterr = 0;
	while ((option = getopt_long(argc, argv, ":c:hm:qtVv", options, NULL)) != -1) {
		switch (option) {
		case 'c':
			channel_option = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'm':
			run.metrics_file = optarg;
			break;
		case 'q':
			log_adjust_level(-1);
			break;
		case 't':
			run.tee = true;
			break;
		case 'V':
			print_version();
			return EX_OK;
		case 'v':
			log_adjust_level(+1);
			break;
		default:
			usage_bad_option(option, argv);
		}
	}

	channel = config_value(channel_option, "BUOY_CHANNEL", BUOY_DEFAULT_CHANNEL);
	if (channel[0] == '\0')
		usage_error("the channel name must not be empty");
	if (!redis_url_parse(config_value(NULL, "REDIS_URL", BUOY_DEFAULT_REDIS_URL), &url,
	                     error, sizeof error)) {
		log_error("%s", error);
		return EX_CONFIG;
	}

	if (stop_signal_install(true) != 0) {
		log_error("cannot install signal handlers: %s", strerror(errno));
		return EX_OSERR;
	}
	output_setup();
	publisher_init(&run.publisher, &url, channel);

	if (optind == argc) {
		read_source(&run, "-");
	} else {
		for (int i = optind; i < argc && read_source(&run, argv[i]); i++)
			continue;
	}

	publisher_close(&run.publisher);
	return finish(&run);
}
