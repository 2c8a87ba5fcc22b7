/*
 * buoy-upsert: stores observation NDJSON in PostgreSQL and prints the
 * observations whose rows were new or changed, so that a downstream
 * publisher receives each observation once however often NDBC's files are
 * read again. Station records in the input are stored too, but not printed.
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

#include <jv.h>
#include <libpq-fe.h>

#include "config.h"
#include "line_reader.h"
#include "json_check.h"
#include "log.h"
#include "numparse.h"
#include "observation.h"
#include "output.h"
#include "record.h"
#include "station_record.h"
#include "stop_signal.h"

#include "buoy-upsert/loader.h"
#include "buoy-upsert/scan_line.h"
#include "buoy-upsert/store.h"
#include "common/usage.h"

#define PROGRAM "buoy-upsert"
#define BATCH_SIZE_DEFAULT 10000

/* Lines between two reads of the in-flight statement's result. */
#define POLL_INTERVAL_LINES 1024

/* The kind of record on an input line. */
enum input_kind {
	INPUT_OBSERVATION,
	INPUT_STATION,
	INPUT_SKIPPED,               /* a blank or status line */
	INPUT_INVALID,
};

struct options {
	bool init;
	long batch_size;
};

struct upsert {
	struct store *store;
	struct loader loader;
	unsigned long lines_read;
	unsigned long invalid;
	int input_status;            /* the worst of EX_DATAERR, EX_NOINPUT, EX_IOERR */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: %s [-hqVv] [-b rows] [file ...]\n"
	        "       %s --init\n"
	        "\n"
	        "Stores observation and station NDJSON (from the files, or from stdin\n"
	        "when none is given or a file is '-') in PostgreSQL, and prints the\n"
	        "observations whose rows were new or changed.\n"
	        "\n"
	        "  -b, --batch-size=ROWS  commit at least every ROWS records\n"
	        "                         (1 to %d, default %d)\n"
	        "      --init             create the tables when missing, then exit\n"
	        "  -q, --quiet            log one level less (repeatable)\n"
	        "  -v, --verbose          log one level more (repeatable)\n"
	        "  -h, --help             print this help and exit\n"
	        "  -V, --version          print the version and libpq's, then exit\n"
	        "\n"
	        "DATABASE_URL names the database as a URI or key=value string; when it\n"
	        "is unset libpq's PG* variables and ~/.pgpass apply.\n",
	        PROGRAM, PROGRAM, BATCH_ROWS_MAX, BATCH_SIZE_DEFAULT);
}

static void print_version(void)
{
	int libpq = PQlibVersion();

	printf("%s %s\n", PROGRAM, BUOY_VERSION);
	printf("libpq %d.%d\n", libpq / 10000, libpq % 10000);
}

/* Returns -1 to go on, else the exit status of --help or --version. Exits
 * 64 after a usage error. */
static int parse_options(int argc, char **argv, struct options *options)
{
	enum { OPTION_INIT = 256 };
	static const struct option long_options[] = {
		{ "batch-size", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "init", no_argument, NULL, OPTION_INIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	opterr = 0;   /* report bad options as "buoy-upsert: ...", not with argv[0] */
	while ((option = getopt_long(argc, argv, ":b:hqVv", long_options, NULL)) != -1) {
		switch (option) {
		case 'b':
			if (!parse_long_range(optarg, 1, BATCH_ROWS_MAX, &options->batch_size))
				usage_error("invalid --batch-size: expected a whole number "
				                   "from 1 to 100000");
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case OPTION_INIT:
			options->init = true;
			break;
		case 'q':
			log_adjust_level(-1);
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

	if (options->init && optind < argc)
		usage_error("--init reads no input: run it without file arguments");
	return -1;
}

static void note_input_status(struct upsert *run, int status)
{
	/* EX_IOERR (74) > EX_NOINPUT (66) > EX_DATAERR (65): keep the worst. */
	if (status > run->input_status)
		run->input_status = status;
}

static void report_invalid(struct upsert *run, const char *name, unsigned long line_number,
                           const char *reason)
{
	log_warning("%s:%lu: %s; the line is skipped", name, line_number, reason);
	run->invalid++;
	note_input_status(run, EX_DATAERR);
}

/* Reads a line that is strict JSON with a stationId through libjq: a
 * station record when it has the keys of one, else an observation. */
static enum input_kind read_with_jq(jv object, struct observation *obs,
                                    struct station_record *station, char *error,
                                    size_t error_size)
{
	if (station_record_matches(object))
		return station_record_from_jv(object, station, error, error_size) ?
		       INPUT_STATION : INPUT_INVALID;
	return observation_from_jv(object, obs, error, error_size) ?
	       INPUT_OBSERVATION : INPUT_INVALID;
}

/*
 * Reads the common observation line with scan_observation_line, and any
 * other strict JSON object with a stationId through libjq. Every other
 * line goes to record_check_line, which classifies blank and status lines
 * and writes the error message; it never finds an observation there,
 * because those are exactly the lines that libjq reads here.
 */
static enum input_kind read_record(const char *line, size_t len, struct observation *obs,
                                   struct station_record *station, char *error,
                                   size_t error_size)
{
	bool strict = json_check_strict(line, len, error, error_size);
	jv object;
	struct record_info info;
	enum record_kind kind;

	if (strict && scan_observation_line(line, len, obs))
		return INPUT_OBSERVATION;

	object = jv_parse_sized(line, (int)len);
	if (strict && jv_get_kind(object) == JV_KIND_OBJECT &&
	    jv_object_has(jv_copy(object), jv_string("stationId")))
		return read_with_jq(object, obs, station, error, error_size);

	jv_free(object);
	kind = record_check_line(line, len, &info, error, error_size);
	return kind == RECORD_BLANK || kind == RECORD_STATUS ? INPUT_SKIPPED : INPUT_INVALID;
}

static int handle_line(struct upsert *run, const char *name, unsigned long line_number,
                       const char *line, size_t len)
{
	struct observation obs;
	struct station_record station = { 0 };
	char error[512];
	enum input_kind kind = read_record(line, len, &obs, &station, error, sizeof error);
	int status;

	if (kind == INPUT_INVALID) {
		report_invalid(run, name, line_number, error);
		return EX_OK;
	}
	if (kind == INPUT_SKIPPED)
		return EX_OK;   /* blank and status lines carry nothing to store */

	status = loader_add(&run->loader, kind == INPUT_OBSERVATION ? &obs : NULL, &station,
	                    line, len);
	station_record_free(&station);
	if (status == EX_OSERR)
		log_error("cannot keep %s:%lu for the batch: out of memory", name, line_number);
	return status;
}

/*
 * Commits the records read so far when no whole line is waiting, so that a
 * live pipeline is not held back by --batch-size, then blocks until input
 * or a stop signal arrives.
 */
static int wait_for_input(struct upsert *run, const struct line_reader *reader)
{
	struct pollfd fds[2] = {
		{ .fd = reader->fd, .events = POLLIN },
		{ .fd = stop_signal_fd(), .events = POLLIN },
	};
	int status;

	if (line_reader_has_line(reader) || reader->at_eof)
		return EX_OK;

	if (loader_has_pending(&run->loader) && poll(fds, 1, 0) == 0) {
		status = loader_commit(&run->loader);
		if (status != EX_OK)
			return status;
	}

	if (!loader_has_pending(&run->loader))
		while (poll(fds, 2, -1) < 0 && errno == EINTR && !stop_signal_received())
			continue;
	return EX_OK;
}

/* Reads one input to its end. Returns EX_OK, or the status of a failure
 * that ends the program. A read error only raises the input status. */
static int read_input(struct upsert *run, const char *name, int fd)
{
	struct line_reader reader;
	int status = EX_OK;

	if (line_reader_init(&reader, fd, RECORD_LINE_MAX) != 0) {
		log_error("cannot read %s: out of memory", name);
		return EX_OSERR;
	}

	while (status == EX_OK && !stop_signal_received()) {
		const char *line;
		size_t len;
		enum line_status got;

		status = wait_for_input(run, &reader);
		if (status != EX_OK || stop_signal_received())
			break;

		got = line_reader_next(&reader, &line, &len);
		if (got == LINE_EOF)
			break;
		if (got == LINE_AGAIN)
			continue;
		if (got == LINE_ERROR) {
			log_error("cannot read %s: %s", name, strerror(errno));
			note_input_status(run, EX_IOERR);
			break;
		}

		run->lines_read++;
		if (run->lines_read % POLL_INTERVAL_LINES == 0)
			loader_poll(&run->loader);
		if (got == LINE_TOO_LONG)
			report_invalid(run, name, reader.line_number, "line is longer than "
			               "65536 bytes");
		else
			status = handle_line(run, name, reader.line_number, line, len);
	}

	line_reader_free(&reader);
	return status;
}

static int read_inputs(struct upsert *run, char **paths, int path_count)
{
	int status = EX_OK;

	if (path_count == 0)
		return read_input(run, "stdin", STDIN_FILENO);

	for (int i = 0; i < path_count && status == EX_OK && !stop_signal_received(); i++) {
		int fd;

		if (strcmp(paths[i], "-") == 0) {
			status = read_input(run, "stdin", STDIN_FILENO);
			continue;
		}

		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("cannot open %s: %s", paths[i], strerror(errno));
			note_input_status(run, EX_NOINPUT);
			continue;
		}
		status = read_input(run, paths[i], fd);
		close(fd);
	}
	return status;
}

static void log_summary(const struct upsert *run)
{
	const struct loader_counts *counts = &run->loader.counts;
	char lines_read[32], inserted[32], updated[32], unchanged[32], failed[32], invalid[32];
	char stations_inserted[32], stations_updated[32], stations_unchanged[32];
	char database_ms[32];

	snprintf(lines_read, sizeof lines_read, "%lu", run->lines_read);
	snprintf(inserted, sizeof inserted, "%lu", counts->inserted);
	snprintf(updated, sizeof updated, "%lu", counts->updated);
	snprintf(unchanged, sizeof unchanged, "%lu",
	         counts->stored - counts->inserted - counts->updated);
	snprintf(failed, sizeof failed, "%lu", counts->failed);
	snprintf(invalid, sizeof invalid, "%lu", run->invalid);
	snprintf(stations_inserted, sizeof stations_inserted, "%lu", counts->stations_inserted);
	snprintf(stations_updated, sizeof stations_updated, "%lu", counts->stations_updated);
	snprintf(stations_unchanged, sizeof stations_unchanged, "%lu",
	         counts->stations_stored - counts->stations_inserted - counts->stations_updated);
	snprintf(database_ms, sizeof database_ms, "%.1f", store_database_ms(run->store));
	log_fields(LOG_LEVEL_INFO, "finished", "lines_read", lines_read, "inserted", inserted,
	           "updated", updated, "unchanged", unchanged, "not_stored", failed,
	           "invalid", invalid, "stations_inserted", stations_inserted,
	           "stations_updated", stations_updated, "stations_unchanged", stations_unchanged,
	           "database_ms", database_ms, (const char *)NULL);
}

static int upsert_inputs(struct upsert *run, char **paths, int path_count, long batch_size)
{
	int status = store_prepare(run->store);

	if (status != EX_OK)
		return status;
	if (loader_init(&run->loader, run->store, (size_t)batch_size) != 0) {
		log_error("cannot allocate batches of %ld rows: out of memory", batch_size);
		return EX_OSERR;
	}

	/* After a stop signal the lines already read are still committed:
	 * they are whole, and the writer will not send them again. */
	status = read_inputs(run, paths, path_count);
	if (status == EX_OK)
		status = loader_commit(&run->loader);
	if (status != EX_OK)
		loader_abandon(&run->loader);
	if (stop_signal_received())
		log_info("stopped by %s", strsignal(stop_signal_number()));

	log_summary(run);
	loader_free(&run->loader);
	return status != EX_OK ? status : run->input_status;
}

int main(int argc, char **argv)
{
	struct options options = { .batch_size = BATCH_SIZE_DEFAULT };
	struct upsert run = { 0 };
	int status;
	int output_error;

	log_init(PROGRAM);
	status = parse_options(argc, argv, &options);
	if (status >= 0)
		return status;

	output_setup();
	if (stop_signal_install(true) != 0) {
		log_error("cannot install signal handlers: %s", strerror(errno));
		return EX_OSERR;
	}

	status = store_open(config_value(NULL, "DATABASE_URL", ""), &run.store);
	if (status == EX_OK && options.init)
		status = store_init_schema(run.store);
	else if (status == EX_OK)
		status = upsert_inputs(&run, argv + optind, argc - optind, options.batch_size);
	store_close(run.store);

	output_error = output_close();
	if (output_error != 0 && status != EX_IOERR) {
		log_error("cannot write to stdout: %s", strerror(output_error));
		status = EX_IOERR;
	}
	return status;
}
