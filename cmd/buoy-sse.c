/*
 * buoy-sse: serve the NDJSON observations read on stdin as Server-Sent
 * Events over HTTP, with /health and /metrics beside the stream.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "numparse.h"
#include "output.h"
#include "buoy-sse/server.h"
#include "buoy-sse/static_files.h"
#include "common/usage.h"
#include "stop_signal.h"

#define DEFAULT_MAX_CLIENTS 10000
#define MAX_CLIENTS_CEILING 1000000
#define DEFAULT_MAX_CLIENT_BUFFER (1024L * 1024)
/* One turn of input (cmd/buoy-sse/input.c) queues under 32 KiB plus one
 * line of at most RECORD_LINE_MAX bytes, so 128 KiB always has room for it
 * in the buffer of a client that keeps up. */
#define MAX_CLIENT_BUFFER_FLOOR (128L * 1024)
#define MAX_CLIENT_BUFFER_CEILING (256L * 1024 * 1024)
#define DEFAULT_HEARTBEAT_MS 15000L
#define HEARTBEAT_CEILING_MS 3600000L
#define DEFAULT_REQUEST_TIMEOUT_MS 10000L
#define REQUEST_TIMEOUT_FLOOR_MS 100L
#define REQUEST_TIMEOUT_CEILING_MS 300000L
#define DEFAULT_MAX_REQUEST_HEADERS 8192L
#define MAX_REQUEST_HEADERS_FLOOR 1024L
#define MAX_REQUEST_HEADERS_CEILING 65536L
#define DEFAULT_MAX_REQUEST_BODY 1024L
#define MAX_REQUEST_BODY_CEILING 65536L
#define DEFAULT_HISTORY 1000L
#define HISTORY_CEILING 100000L

enum {
	OPTION_MAX_CLIENTS = 256,
	OPTION_MAX_CLIENT_BUFFER,
	OPTION_HEARTBEAT,
	OPTION_MAX_REQUEST_BODY,
	OPTION_MAX_REQUEST_HEADERS,
	OPTION_REQUEST_TIMEOUT,
	OPTION_HISTORY,
	OPTION_STATIC,
};

static const struct option long_options[] = {
	{ "heartbeat", required_argument, NULL, OPTION_HEARTBEAT },
	{ "help", no_argument, NULL, 'h' },
	{ "history", required_argument, NULL, OPTION_HISTORY },
	{ "listen", required_argument, NULL, 'l' },
	{ "max-client-buffer", required_argument, NULL, OPTION_MAX_CLIENT_BUFFER },
	{ "max-clients", required_argument, NULL, OPTION_MAX_CLIENTS },
	{ "max-request-body", required_argument, NULL, OPTION_MAX_REQUEST_BODY },
	{ "max-request-headers", required_argument, NULL, OPTION_MAX_REQUEST_HEADERS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "request-timeout", required_argument, NULL, OPTION_REQUEST_TIMEOUT },
	{ "static", required_argument, NULL, OPTION_STATIC },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: buoy-sse [-hqVv] [-l address] [--heartbeat duration]\n"
	        "                [--history count] [--max-client-buffer bytes]\n"
	        "                [--max-clients count] [--max-request-body bytes]\n"
	        "                [--max-request-headers bytes] [--request-timeout duration]\n"
	        "                [--static dir]\n"
	        "\n"
	        "Serve the observation NDJSON read on stdin as Server-Sent Events at\n"
	        "GET /v1/observations/stream, with GET /health and GET /metrics.\n"
	        "\n"
	        "  -l, --listen ADDR          host:port, [IPv6]:port or :port for every\n"
	        "                             interface (default $BUOY_LISTEN, else %s)\n"
	        "      --heartbeat DURATION   send a comment to idle streams this often,\n"
	        "                             such as 15s or 1m; 0 turns it off (default 15s,\n"
	        "                             at most 1h)\n"
	        "      --history COUNT        observation events kept for clients that\n"
	        "                             resume with Last-Event-ID; 0 keeps none\n"
	        "                             (default %ld, at most %ld)\n"
	        "      --max-client-buffer BYTES\n"
	        "                             unsent bytes a client may hold before it is\n"
	        "                             disconnected (default %ld, from %ld to %ld)\n"
	        "      --max-clients COUNT    open streams at once; more get 503 (default %d,\n"
	        "                             at most %d)\n"
	        "      --max-request-body BYTES\n"
	        "                             request body size over which libevent replies\n"
	        "                             413 (default %ld, at most %ld)\n"
	        "      --max-request-headers BYTES\n"
	        "                             request line and headers size over which\n"
	        "                             libevent replies 400 (default %ld, from %ld\n"
	        "                             to %ld)\n"
	        "      --request-timeout DURATION\n"
	        "                             time a connection has to send a whole request\n"
	        "                             before it is closed (default 10s, from 100ms\n"
	        "                             to 5m)\n"
	        "      --static DIR           serve the files under DIR on every other path,\n"
	        "                             DIR/index.html at / (default: none)\n"
	        "  -q, --quiet                log less; repeat for errors only\n"
	        "  -v, --verbose              log more\n"
	        "  -h, --help                 print this help and exit\n"
	        "  -V, --version              print the version and exit\n",
	        BUOY_DEFAULT_LISTEN, DEFAULT_HISTORY, HISTORY_CEILING,
	        DEFAULT_MAX_CLIENT_BUFFER, MAX_CLIENT_BUFFER_FLOOR, MAX_CLIENT_BUFFER_CEILING,
	        DEFAULT_MAX_CLIENTS, MAX_CLIENTS_CEILING,
	        DEFAULT_MAX_REQUEST_BODY, MAX_REQUEST_BODY_CEILING, DEFAULT_MAX_REQUEST_HEADERS,
	        MAX_REQUEST_HEADERS_FLOOR, MAX_REQUEST_HEADERS_CEILING);
}

static void print_version(void)
{
	printf("buoy-sse %s\n", BUOY_VERSION);
	printf("libevent %s\n", event_get_version());
}

static void parse_number_option(int option, const char *value, struct sse_options *options)
{
	long number;

	switch (option) {
	case OPTION_HEARTBEAT:
		if (!parse_duration_ms(value, 0, HEARTBEAT_CEILING_MS, &options->heartbeat_ms))
			usage_error("invalid --heartbeat '%s': expected a duration such as 15s or "
			            "1m, at most 1h, or 0", value);
		break;
	case OPTION_HISTORY:
		if (!parse_long_range(value, 0, HISTORY_CEILING, &number))
			usage_error("invalid --history '%s': expected a number of events from 0 "
			            "to %ld", value, HISTORY_CEILING);
		options->history_max = (size_t)number;
		break;
	case OPTION_MAX_CLIENT_BUFFER:
		if (!parse_long_range(value, MAX_CLIENT_BUFFER_FLOOR, MAX_CLIENT_BUFFER_CEILING, &number))
			usage_error("invalid --max-client-buffer '%s': expected a number of bytes "
			            "from %ld to %ld", value,
			            MAX_CLIENT_BUFFER_FLOOR, MAX_CLIENT_BUFFER_CEILING);
		options->max_client_buffer = (size_t)number;
		break;
	case OPTION_MAX_CLIENTS:
		if (!parse_long_range(value, 1, MAX_CLIENTS_CEILING, &options->max_clients))
			usage_error("invalid --max-clients '%s': expected a number from 1 to 1000000",
			            value);
		break;
	}
}

/* Parses the limits on incoming requests. */
static void parse_request_option(int option, const char *value, struct sse_options *options)
{
	switch (option) {
	case OPTION_MAX_REQUEST_BODY:
		if (!parse_long_range(value, 0, MAX_REQUEST_BODY_CEILING, &options->max_request_body))
			usage_error("invalid --max-request-body '%s': expected a number of bytes "
			            "from 0 to %ld", value, MAX_REQUEST_BODY_CEILING);
		break;
	case OPTION_MAX_REQUEST_HEADERS:
		if (!parse_long_range(value, MAX_REQUEST_HEADERS_FLOOR, MAX_REQUEST_HEADERS_CEILING,
		                      &options->max_request_headers))
			usage_error("invalid --max-request-headers '%s': expected a number of bytes "
			            "from %ld to %ld", value, MAX_REQUEST_HEADERS_FLOOR,
			            MAX_REQUEST_HEADERS_CEILING);
		break;
	case OPTION_REQUEST_TIMEOUT:
		if (!parse_duration_ms(value, REQUEST_TIMEOUT_FLOOR_MS, REQUEST_TIMEOUT_CEILING_MS,
		                       &options->request_timeout_ms))
			usage_error("invalid --request-timeout '%s': expected a duration such as 10s, "
			            "from 100ms to 5m", value);
		break;
	}
}

/* Sets options->static_root to the real path of --static DIR. A DIR that is
 * missing or not a directory is a usage error. */
static void set_static_root(const char *dir, struct sse_options *options)
{
	char error[PATH_MAX + 128];
	char *root = static_files_resolve_root(dir, error, sizeof error);

	if (root == NULL)
		usage_error("%s", error);
	free(options->static_root);
	options->static_root = root;
}

/* Parses the options into options and returns the --listen value or NULL. */
static const char *parse_options(int argc, char **argv, struct sse_options *options)
{
	const char *listen = NULL;
	int option;

	while ((option = getopt_long(argc, argv, "hl:qVv", long_options, NULL)) != -1) {
		switch (option) {
		case 'h':
			usage(stdout);
			exit(EX_OK);
		case 'l':
			listen = optarg;
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
		case OPTION_HEARTBEAT:
		case OPTION_HISTORY:
		case OPTION_MAX_CLIENT_BUFFER:
		case OPTION_MAX_CLIENTS:
			parse_number_option(option, optarg, options);
			break;
		case OPTION_MAX_REQUEST_BODY:
		case OPTION_MAX_REQUEST_HEADERS:
		case OPTION_REQUEST_TIMEOUT:
			parse_request_option(option, optarg, options);
			break;
		case OPTION_STATIC:
			set_static_root(optarg, options);
			break;
		default:
			fprintf(stderr, "Try 'buoy-sse --help' for more information.\n");
			exit(EX_USAGE);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s': the observations come on stdin", argv[optind]);
	return listen;
}

/* Sets options->listen from --listen, else BUOY_LISTEN, else the default.
 * A bad --listen is a usage error (64), a bad BUOY_LISTEN a configuration
 * error (78). */
static void resolve_listen(const char *listen_option, struct sse_options *options)
{
	const char *text = config_value(listen_option, "BUOY_LISTEN", BUOY_DEFAULT_LISTEN);
	char error[512];

	if (listen_address_parse(text, &options->listen, error, sizeof error))
		return;
	if (listen_option != NULL)
		usage_error("%s", error);
	log_error("BUOY_LISTEN: %s", error);
	exit(EX_CONFIG);
}

int main(int argc, char **argv)
{
	struct sse_options options = {
		.max_clients = DEFAULT_MAX_CLIENTS,
		.max_client_buffer = DEFAULT_MAX_CLIENT_BUFFER,
		.heartbeat_ms = DEFAULT_HEARTBEAT_MS,
		.request_timeout_ms = DEFAULT_REQUEST_TIMEOUT_MS,
		.max_request_headers = DEFAULT_MAX_REQUEST_HEADERS,
		.max_request_body = DEFAULT_MAX_REQUEST_BODY,
		.history_max = DEFAULT_HISTORY,
	};
	int status;

	log_init("buoy-sse");
	output_setup();
	resolve_listen(parse_options(argc, argv, &options), &options);

	if (stop_signal_install(true) != 0) {
		log_error("cannot install the signal handlers");
		return EX_OSERR;
	}

	status = server_run(&options);
	free(options.static_root);
	if (output_close() != 0 && status == EX_OK)
		status = EX_IOERR;
	return status;
}
