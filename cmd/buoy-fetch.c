/*
 * buoy-fetch: read NDBC standard meteorological files and print their
 * observations as NDJSON, oldest first.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <zlib.h>

#include "buoy-fetch/local_files.h"
#include "buoy-fetch/poll.h"
#include "buoy-fetch/run.h"
#include "buoy-fetch/state_file.h"
#include "buoy-fetch/stations.h"
#include "common/usage.h"
#include "config.h"
#include "http_get.h"
#include "log.h"
#include "numparse.h"
#include "output.h"
#include "stop_signal.h"
#include "version.h"

#define PROGRAM "buoy-fetch"
#define INTERVAL_MAX_MS (24L * 3600 * 1000)
#define TIMEOUT_MAX_MS (600L * 1000)
#define PAUSE_MAX_MS (60L * 1000)
#define RETRIES_MAX 10

enum { OPTION_STATE = 256, OPTION_STATIONS };

struct options {
	const char *files[STATIONS_MAX];
	int file_count;
	const char *station;           /* --station, for files */
	const char *state_path;        /* --state, or NULL */
	bool list_stations;            /* --stations: print the station table */
	struct poll_settings poll;
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: " PROGRAM " [-qv] [-i interval] [-p pause] [-r retries] [-t timeout]\n"
	        "                  [--state file] station ...\n"
	        "       " PROGRAM " [-qv] [-i interval] [-r retries] [-t timeout] [--state file]\n"
	        "                  -l [station ...]\n"
	        "       " PROGRAM " [-qv] [-s station] -f file ...\n"
	        "       " PROGRAM " [-qv] [-i interval] [-r retries] [-t timeout] --stations\n"
	        "                  [-f file ...] [station ...]\n"
	        "\n"
	        "Print NDBC observations as NDJSON, oldest first.\n"
	        "\n"
	        "  -f, --file FILE        read a file on disk (- for standard input); repeatable\n"
	        "  -s, --station ID       station of files whose name and columns give none\n"
	        "  -i, --interval TIME    poll again every TIME (30s, 5m, 1h; at most 24h) and\n"
	        "                         print only observations newer than those printed\n"
	        "  -l, --latest           read every station's newest observation from\n"
	        "                         latest_obs.txt (only the stations named, if any)\n"
	        "  -p, --pause TIME       wait between two stations' requests (default 100ms,\n"
	        "                         at most 60s)\n"
	        "  -r, --retries N        retries after a timeout or a 5xx reply, 1s, 2s, 4s ...\n"
	        "                         apart (default 3, at most 10); none after a 4xx\n"
	        "      --state FILE       keep validators and the newest observation printed\n"
	        "                         per station in FILE across runs\n"
	        "      --stations         print NDBC's station table as station records, sorted\n"
	        "                         by id (only the stations named, if any)\n"
	        "  -t, --timeout TIME     limit for one HTTP transfer (default 30s, at most 10m)\n"
	        "  -v, --verbose          log debug messages too\n"
	        "  -q, --quiet            log only warnings and errors\n"
	        "  -h, --help             print this help\n"
	        "  -V, --version          print the version and library versions\n"
	        "\n"
	        "Files are read from $BUOY_NDBC_URL (default " BUOY_DEFAULT_NDBC_URL ")\n"
	        "at data/realtime2/STATION.txt, data/latest_obs/latest_obs.txt with -l, or\n"
	        "data/stations/station_table.txt with --stations.\n");
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
		{ "latest", no_argument, NULL, 'l' },
		{ "pause", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "retries", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, OPTION_STATE },
		{ "station", required_argument, NULL, 's' },
		{ "stations", no_argument, NULL, OPTION_STATIONS },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int option;

	long retries;

	options->poll.timeout_ms = 30000;
	options->poll.retries = 3;
	options->poll.pause_ms = 100;
	while ((option = getopt_long(argc, argv, "f:hi:lp:qr:s:t:vV", long_options, NULL)) != -1) {
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
			if (!parse_duration_ms(optarg, 1000, INTERVAL_MAX_MS, &options->poll.interval_ms))
				usage_error("invalid interval '%s': expected a time from 1s to 24h, "
				            "such as 30s, 5m or 1h", optarg);
			break;
		case 'l':
			options->poll.latest = true;
			break;
		case 'p':
			if (!parse_duration_ms(optarg, 0, PAUSE_MAX_MS, &options->poll.pause_ms))
				usage_error("invalid pause '%s': expected a time from 0 to 60s, "
				            "such as 100ms or 2s", optarg);
			break;
		case 'q':
			log_adjust_level(-1);
			break;
		case 'r':
			if (!parse_long_range(optarg, 0, RETRIES_MAX, &retries))
				usage_error("invalid retries '%s': expected a whole number from 0 to 10",
				            optarg);
			options->poll.retries = (int)retries;
			break;
		case OPTION_STATE:
			options->state_path = optarg;
			break;
		case 's':
			options->station = optarg;
			break;
		case OPTION_STATIONS:
			options->list_stations = true;
			break;
		case 't':
			if (!parse_duration_ms(optarg, 100, TIMEOUT_MAX_MS, &options->poll.timeout_ms))
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

/* Checks the options that cannot be combined with --stations. */
static void check_stations_option(const struct options *options)
{
	if (options->poll.latest)
		usage_error("--stations and --latest read different files; give one of them");
	if (options->station != NULL)
		usage_error("--station names the station of observation files; "
		            "it cannot be used with --stations");
}

/* Checks the station arguments and the option combinations. With
 * --stations, station ids select stations of the table, read with -f or
 * fetched. */
static void read_stations(int argc, char **argv, const struct options *options,
                          struct station_table *table)
{
	int count = argc - optind;
	bool latest = options->poll.latest;
	bool listing = options->list_stations;

	if (listing)
		check_stations_option(options);
	if (count == 0 && options->file_count == 0 && !latest && !listing)
		usage_error("no station given: name stations (44013 TPLM2), -l, or files with -f");
	if ((count > 0 || latest) && options->file_count > 0 && !listing)
		usage_error("give either stations or files with -f, not both");
	if (count > STATIONS_MAX)
		usage_error("too many stations: at most 2000 per run");
	if (options->station != NULL && (count > 0 || latest))
		usage_error("--station names the station of files read with -f; "
		            "it cannot be used with station ids");
	if (options->poll.interval_ms > 0 && options->file_count > 0)
		usage_error("--interval polls stations over HTTP; it cannot be used with -f");
	if (options->state_path != NULL && options->file_count > 0)
		usage_error("--state keeps what was fetched over HTTP; it cannot be used with -f");

	for (int i = 0; i < count; i++) {
		const char *id = argv[optind + i];

		memset(&table->items[i], 0, sizeof table->items[i]);
		if (!station_id_normalize(id, strlen(id), table->items[i].id))
			usage_error("invalid station id '%s': expected 1 to 8 letters and digits", id);
	}
	table->count = count;

	/* latest_obs.txt without station ids: follow every station it lists. */
	table->open = latest && count == 0;
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

/* Checks --station, which read_stations cannot: it needs no station ids. */
static void check_station_option(const char *station)
{
	char id[STATION_ID_MAX + 1];

	if (station != NULL && !station_id_normalize(station, strlen(station), id))
		usage_error("invalid station id '%s': expected 1 to 8 letters and digits", station);
}

static int finish(const struct outcome *outcome, bool polling)
{
	int status = exit_status(outcome, polling);
	int write_error = output_close();

	if (outcome->output_failed && outcome->write_errno != 0)
		write_error = outcome->write_errno;
	if (write_error != 0 || outcome->output_failed) {
		log_error("cannot write to stdout: %s", strerror(write_error != 0 ? write_error : EIO));
		status = EX_IOERR;
	}
	return status;
}

/* Fetches NDBC's station table, conditional on the validators that
 * --state keeps. The state's own table names no stations, so loading and
 * saving it leaves the observation entries as they are. */
static int fetch_stations(const struct options *options, const struct station_table *filter,
                          struct outcome *outcome, bool *state_failed)
{
	static struct station_table state;
	char error[512];

	if (options->state_path != NULL &&
	    state_file_load(options->state_path, &state, error, sizeof error) != 0) {
		log_error("cannot read the state file %s: %s", options->state_path, error);
		return EX_CONFIG;
	}
	if (stations_poll(&options->poll, filter, &state.table_validators, outcome) != 0) {
		log_error("cannot set up libcurl");
		return EX_SOFTWARE;
	}
	if (options->state_path != NULL &&
	    state_file_save(options->state_path, &state, error, sizeof error) != 0) {
		log_error("cannot write the state file %s: %s", options->state_path, error);
		*state_failed = true;
	}
	return EX_OK;
}

/* Prints the station tables of the files given, or of NDBC's site. */
static int run_stations(const struct options *options, const struct station_table *filter)
{
	struct outcome outcome = { 0 };
	bool state_failed = false;
	int status;

	for (int i = 0; i < options->file_count && !stop_signal_received(); i++)
		stations_read_file(options->files[i], filter, &outcome);

	if (options->file_count == 0) {
		status = fetch_stations(options, filter, &outcome, &state_failed);
		if (status != EX_OK)
			return status;
	}
	status = finish(&outcome, options->poll.interval_ms > 0);
	return state_failed && status == EX_OK ? EX_CANTCREAT : status;
}

int main(int argc, char **argv)
{
	static struct options options;
	static struct station_table stations;
	struct outcome outcome = { 0 };
	char error[512];
	bool state_failed = false;
	int status;

	log_init(PROGRAM);
	parse_options(argc, argv, &options);
	read_stations(argc, argv, &options, &stations);
	check_station_option(options.station);
	options.poll.base_url = config_value(NULL, "BUOY_NDBC_URL", BUOY_DEFAULT_NDBC_URL);

	/* Every printer flushes after its file, station or round. */
	output_setup_batches();
	stop_signal_install(true);
	if (options.list_stations)
		return run_stations(&options, &stations);

	if (options.file_count > 0)
		read_local_files(options.files, options.file_count, options.station, &outcome);

	if (stations.count > 0 || options.poll.latest) {
		if (options.state_path != NULL &&
		    state_file_load(options.state_path, &stations, error, sizeof error) != 0) {
			log_error("cannot read the state file %s: %s", options.state_path, error);
			return EX_CONFIG;
		}
		if (poll_stations(&options.poll, &stations, &outcome) != 0) {
			log_error("cannot set up libcurl");
			return EX_SOFTWARE;
		}
		if (options.state_path != NULL &&
		    state_file_save(options.state_path, &stations, error, sizeof error) != 0) {
			log_error("cannot write the state file %s: %s", options.state_path, error);
			state_failed = true;
		}
	}

	status = finish(&outcome, options.poll.interval_ms > 0);
	return state_failed && status == EX_OK ? EX_CANTCREAT : status;
}
