/*
 * buoy-fetch: read NDBC standard meteorological files and print their
 * observations as NDJSON, oldest first.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <zlib.h>

#include "buoy-fetch/parse_text.h"
#include "buoy-fetch/read_file.h"
#include "config.h"
#include "http_get.h"
#include "log.h"
#include "numparse.h"
#include "obs_list.h"
#include "output.h"
#include "stop_signal.h"
#include "version.h"

#define PROGRAM "buoy-fetch"
#define STATIONS_MAX 2000
#define URL_MAX 2048
#define INTERVAL_MAX_MS (24L * 3600 * 1000)
#define TIMEOUT_MAX_MS (600L * 1000)

struct options {
	const char *files[STATIONS_MAX];
	int file_count;
	const char *station;           /* --station, for files */
	long interval_ms;              /* 0: fetch once */
	long timeout_ms;
};

/* State kept for a station between polls. */
struct station_state {
	char id[STATION_ID_MAX + 1];
	struct http_validators validators;
	time_t last_printed;            /* newest observation printed, or 0 */
};

/* Counts of sources, for the exit status. */
struct outcome {
	unsigned succeeded;
	unsigned unavailable;           /* fetch failed */
	unsigned no_input;              /* local file could not be read */
	unsigned bad_data;              /* not an NDBC file */
	bool output_failed;
	int write_errno;                /* errno of the failed write */
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: " PROGRAM " [-qv] [-i interval] [-t timeout] station ...\n"
	        "       " PROGRAM " [-qv] [-s station] -f file ...\n"
	        "\n"
	        "Print NDBC observations as NDJSON, oldest first.\n"
	        "\n"
	        "  -f, --file FILE        read a file on disk (- for standard input); repeatable\n"
	        "  -s, --station ID       station of files whose name and columns give none\n"
	        "  -i, --interval TIME    poll again every TIME (30s, 5m, 1h; at most 24h) and\n"
	        "                         print only observations newer than those printed\n"
	        "  -t, --timeout TIME     limit for one HTTP transfer (default 30s, at most 10m)\n"
	        "  -v, --verbose          log debug messages too\n"
	        "  -q, --quiet            log only warnings and errors\n"
	        "  -h, --help             print this help\n"
	        "  -V, --version          print the version and library versions\n"
	        "\n"
	        "Files are read from $BUOY_NDBC_URL (default " BUOY_DEFAULT_NDBC_URL ")\n"
	        "at data/realtime2/STATION.txt.\n");
}

static void usage_error(const char *format, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *format, ...)
{
	va_list args;

	va_start(args, format);
	fprintf(stderr, PROGRAM ": ");
	vfprintf(stderr, format, args);
	fprintf(stderr, "\nTry '" PROGRAM " --help' for more information.\n");
	va_end(args);
	exit(EX_USAGE);
}

static void print_version(void)
{
	version_print(PROGRAM);
	printf("libcurl %s\n", http_library_version());
	printf("zlib %s\n", zlibVersion());
}

static void parse_options(int argc, char **argv, struct options *options)
{
	static const struct option long_options[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "station", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	options->timeout_ms = 30000;
	while ((option = getopt_long(argc, argv, "f:hi:qs:t:vV", long_options, NULL)) != -1) {
		switch (option) {
		case 'f':
			if (options->file_count == STATIONS_MAX)
				usage_error("too many files: at most 2000 per run");
			options->files[options->file_count++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EX_OK);
		case 'i':
			if (!parse_duration_ms(optarg, 1000, INTERVAL_MAX_MS, &options->interval_ms))
				usage_error("invalid interval '%s': expected a time from 1s to 24h, "
				            "such as 30s, 5m or 1h", optarg);
			break;
		case 'q':
			log_adjust_level(-1);
			break;
		case 's':
			options->station = optarg;
			break;
		case 't':
			if (!parse_duration_ms(optarg, 100, TIMEOUT_MAX_MS, &options->timeout_ms))
				usage_error("invalid timeout '%s': expected a time from 100ms to 10m, "
				            "such as 30s", optarg);
			break;
		case 'v':
			log_adjust_level(+1);
			break;
		case 'V':
			print_version();
			exit(EX_OK);
		default:
			fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
			exit(EX_USAGE);
		}
	}
}

/* Checks the station arguments and the option combinations. */
static int read_stations(int argc, char **argv, const struct options *options,
                         struct station_state *stations)
{
	int count = argc - optind;

	if (count == 0 && options->file_count == 0)
		usage_error("no station given: name stations (44013 TPLM2) or files with -f");
	if (count > 0 && options->file_count > 0)
		usage_error("give either station ids or files with -f, not both");
	if (count > STATIONS_MAX)
		usage_error("too many stations: at most 2000 per run");
	if (options->station != NULL && count > 0)
		usage_error("--station names the station of files read with -f; "
		            "it cannot be used with station ids");
	if (options->interval_ms > 0 && options->file_count > 0)
		usage_error("--interval polls stations over HTTP; it cannot be used with -f");

	for (int i = 0; i < count; i++) {
		const char *id = argv[optind + i];

		memset(&stations[i], 0, sizeof stations[i]);
		if (!station_id_normalize(id, strlen(id), stations[i].id))
			usage_error("invalid station id '%s': expected 1 to 8 letters and digits", id);
	}
	return count;
}

/* Prints the observations of list newer than *last_printed, oldest first. */
static int print_newer(struct obs_list *list, time_t *last_printed)
{
	time_t newest = *last_printed;

	if (obs_list_sort_by_time(list) != 0) {
		log_error("out of memory while sorting %zu observations", list->count);
		return -1;
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct observation *obs = &list->items[i];

		if (obs->observed_at <= *last_printed)
			continue;
		if (observation_write_json(obs, stdout) != 0)
			return -1;
		if (obs->observed_at > newest)
			newest = obs->observed_at;
	}
	*last_printed = newest;
	return fflush(stdout) == 0 ? 0 : -1;
}

static void record_write_error(struct outcome *outcome)
{
	outcome->output_failed = true;
	outcome->write_errno = errno;
}

static void record_parse(struct outcome *outcome, const struct parse_summary *summary)
{
	if (summary->bad_file)
		outcome->bad_data++;
	else
		outcome->succeeded++;
}

static void read_one_file(const char *path, const char *station_option, struct outcome *outcome)
{
	struct http_body body = { 0 };
	struct obs_list list = { 0 };
	struct parse_summary summary;
	char station[STATION_ID_MAX + 1] = "";
	char error[256];
	time_t none = 0;

	if (read_whole_file(path, &body, error, sizeof error) != 0) {
		log_error("cannot read %s: %s", path, error);
		outcome->no_input++;
		goto cleanup;
	}
	if (station_option != NULL)
		station_id_normalize(station_option, strlen(station_option), station);
	else if (strcmp(path, "-") != 0)
		station_id_from_filename(path, station);

	if (parse_ndbc_text(path, station[0] ? station : NULL, body.data, body.len, &list,
	                    &summary) != 0) {
		outcome->bad_data++;
		goto cleanup;
	}
	record_parse(outcome, &summary);
	if (print_newer(&list, &none) != 0)
		record_write_error(outcome);

cleanup:
	obs_list_free(&list);
	http_body_free(&body);
}

static void station_url(const char *base, const char *id, char url[URL_MAX])
{
	size_t len = strlen(base);
	const char *slash = len > 0 && base[len - 1] == '/' ? "" : "/";

	snprintf(url, URL_MAX, "%s%sdata/realtime2/%s.txt", base, slash, id);
}

static void fetch_one_station(struct http_client *client, const char *base,
                              struct station_state *station, struct outcome *outcome)
{
	struct http_body body = { 0 };
	struct obs_list list = { 0 };
	struct parse_summary summary;
	char url[URL_MAX];
	char error[URL_MAX + 256];

	station_url(base, station->id, url);
	switch (http_get(client, url, &station->validators, &body, NULL, error, sizeof error)) {
	case HTTP_NOT_MODIFIED:
		log_debug("%s: not modified since the last request", url);
		outcome->succeeded++;
		goto cleanup;
	case HTTP_FAILED:
		log_error("cannot fetch %s: %s", station->id, error);
		outcome->unavailable++;
		goto cleanup;
	case HTTP_FETCHED:
		break;
	}

	if (parse_ndbc_text(url, station->id, body.data, body.len, &list, &summary) != 0) {
		outcome->bad_data++;
		goto cleanup;
	}
	record_parse(outcome, &summary);
	if (print_newer(&list, &station->last_printed) != 0)
		record_write_error(outcome);

cleanup:
	obs_list_free(&list);
	http_body_free(&body);
}

/* Waits for ms milliseconds, or less when a stop signal arrives. */
static void wait_interval(long ms)
{
	struct pollfd signal_poll = { .fd = stop_signal_fd(), .events = POLLIN };

	while (ms > 0 && !stop_signal_received()) {
		int slice = ms > 60000 ? 60000 : (int)ms;

		poll(&signal_poll, 1, slice);
		ms -= slice;
	}
}

static void fetch_stations(const struct options *options, struct station_state *stations,
                           int count, struct outcome *outcome)
{
	const char *base = config_value(NULL, "BUOY_NDBC_URL", BUOY_DEFAULT_NDBC_URL);
	struct http_client *client = http_client_new(options->timeout_ms);

	if (client == NULL) {
		log_error("cannot set up libcurl");
		exit(EX_SOFTWARE);
	}
	for (;;) {
		for (int i = 0; i < count && !stop_signal_received() && !outcome->output_failed; i++)
			fetch_one_station(client, base, &stations[i], outcome);
		if (options->interval_ms == 0 || stop_signal_received() || outcome->output_failed)
			break;
		wait_interval(options->interval_ms);
	}
	http_client_free(client);
}

/* The worst outcome decides: no output, then failed fetches (69 when
 * nothing succeeded, 75 when some did), then files that could not be
 * opened, then files that are not NDBC data. */
static int exit_status(const struct outcome *outcome, bool polling)
{
	if (outcome->output_failed)
		return EX_IOERR;
	if (polling && stop_signal_received())
		return EX_OK;
	if (outcome->unavailable > 0)
		return outcome->succeeded > 0 ? EX_TEMPFAIL : EX_UNAVAILABLE;
	if (outcome->no_input > 0)
		return EX_NOINPUT;
	if (outcome->bad_data > 0)
		return EX_DATAERR;
	return EX_OK;
}

int main(int argc, char **argv)
{
	static struct options options;
	static struct station_state stations[STATIONS_MAX];
	struct outcome outcome = { 0 };
	int station_count;
	int status;
	int write_error;

	log_init(PROGRAM);
	parse_options(argc, argv, &options);
	station_count = read_stations(argc, argv, &options, stations);
	if (options.station != NULL) {
		char id[STATION_ID_MAX + 1];

		if (!station_id_normalize(options.station, strlen(options.station), id))
			usage_error("invalid station id '%s': expected 1 to 8 letters and digits",
			            options.station);
	}

	output_setup();
	stop_signal_install(true);
	for (int i = 0; i < options.file_count && !stop_signal_received(); i++)
		read_one_file(options.files[i], options.station, &outcome);
	if (station_count > 0)
		fetch_stations(&options, stations, station_count, &outcome);

	status = exit_status(&outcome, options.interval_ms > 0);
	write_error = output_close();
	if (outcome.output_failed && outcome.write_errno != 0)
		write_error = outcome.write_errno;
	if (write_error != 0 || outcome.output_failed) {
		log_error("cannot write to stdout: %s", strerror(write_error != 0 ? write_error : EIO));
		status = EX_IOERR;
	}
	return status;
}
