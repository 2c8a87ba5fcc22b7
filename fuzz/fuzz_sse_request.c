/*
 * libFuzzer harness for buoy-sse's HTTP request path. It drives the real
 * server code (the evhttp set-up of server.c, the router, the status pages
 * and the stream clients) on one event loop, which listens on a loopback
 * port that the kernel chooses.
 *
 * The first byte of an input sets the server state, and the rest is what
 * a client sends:
 *   bit 0: the upstream is down, as after a "down" status line
 *   bit 1: stdin has reached end of file
 *   bit 2: broadcast one observation once a stream has started
 * The history contains the four OBSERVATIONS from the start, so a
 * Last-Event-ID such as 20220605T131000Z-44013 resumes.
 *
 * Each run connects, sends the bytes, half-closes the connection and reads
 * the reply until the server closes (or RUN_TIMEOUT_MS passes). Then it
 * closes and runs the loop until the server has dropped every stream
 * client. With bit 2 the half-close waits for the first bytes of the reply
 * (or FIRST_REPLY_TIMEOUT_MS), so that a stream is still open for the
 * broadcast.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>

/* Included for its static create_http and on_tick, so fuzz/run leaves
 * server.c out of the objects it links. */
#include "server.c"

#define UPSTREAM_DOWN 0x01
#define INPUT_CLOSED 0x02
#define BROADCAST 0x04

/* Upper bound on one run's wait for the reply, in milliseconds. */
#define RUN_TIMEOUT_MS 200

/* Wait for the first reply bytes before a half-close, in milliseconds. */
#define FIRST_REPLY_TIMEOUT_MS 5

/* Upper bound on loop turns to let the server drop closed streams. */
#define DRAIN_TURNS_MAX 1000

/* Maximum events in the history, which OBSERVATIONS fill at start. */
#define HISTORY_MAX 8

static const char *const OBSERVATIONS[] = {
	"{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T13:00:00Z\","
	"\"waveHeightM\":0.5,\"windSpeedMps\":3,\"windDirDeg\":280,"
	"\"waterTempC\":13.9,\"pressureHpa\":1015.2}",
	"{\"stationId\":\"TPLM2\",\"timestamp\":\"2022-06-05T13:00:00Z\","
	"\"waveHeightM\":null,\"windSpeedMps\":5.1,\"windDirDeg\":90,"
	"\"waterTempC\":null,\"pressureHpa\":1012.0}",
	"{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T13:10:00Z\","
	"\"waveHeightM\":null,\"windSpeedMps\":3.0,\"windDirDeg\":280,"
	"\"waterTempC\":13.9,\"pressureHpa\":1015.2,\"futureField\":[1,2]}",
	"{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T13:20:00Z\","
	"\"waveHeightM\":0.6,\"windSpeedMps\":2.5,\"windDirDeg\":270,"
	"\"waterTempC\":14.0,\"pressureHpa\":1015.0}",
};
#define OBSERVATION_COUNT (sizeof OBSERVATIONS / sizeof OBSERVATIONS[0])

/* Bytes of the reply kept for the start-up check. */
#define REPLY_KEPT 64

struct run {
	int fd;
	struct event *reader;
	bool broadcast;
	bool half_closed;
	char reply[REPLY_KEPT + 1];
	size_t reply_length;
};

static struct sse_server server;
static struct sockaddr_in server_address;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_sse_request: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Formats observation i as an event, as buoy-sse does for a line on
 * stdin. */
static struct sse_event *new_observation_event(size_t i)
{
	const char *line = OBSERVATIONS[i];
	struct record_info info;
	char error[128];
	struct sse_event *event;

	if (record_check_line(line, strlen(line), &info, error, sizeof error) !=
	    RECORD_OBSERVATION) {
		fprintf(stderr, "fuzz_sse_request: built-in observation %zu is invalid: %s\n",
		        i, error);
		abort();
	}
	event = sse_event_new_observation(line, strlen(line), &info);
	if (event == NULL)
		abort();
	return event;
}

static void fill_history(void)
{
	history_init(&server.history, HISTORY_MAX);
	for (size_t i = 0; i < OBSERVATION_COUNT; i++) {
		struct sse_event *event = new_observation_event(i);
		char id[SSE_EVENT_ID_SIZE];
		uint64_t station;

		if (!history_read_event_id(event, id, &station))
			abort();
		history_add(&server.history, event, id, station);
		sse_event_release(event);
	}
}

static void broadcast_observation(void)
{
	struct sse_event *event = new_observation_event(OBSERVATION_COUNT - 1);

	clients_broadcast(&server, event, true);
	sse_event_release(event);
}

/* Ends the request side of the connection and waits at most RUN_TIMEOUT_MS
 * for the rest of the reply. */
static void half_close(struct run *run)
{
	struct timeval timeout = { .tv_sec = 0, .tv_usec = RUN_TIMEOUT_MS * 1000 };

	shutdown(run->fd, SHUT_WR);
	run->half_closed = true;
	if (event_add(run->reader, &timeout) != 0)
		abort();
}

/* Reads the reply and keeps its first bytes. The loop ends when the server
 * closes or the timeout passes. */
static void on_client_readable(evutil_socket_t fd, short what, void *arg)
{
	struct run *run = arg;
	char reply[4096];
	ssize_t n;

	if (what & EV_TIMEOUT) {
		if (run->half_closed)
			event_base_loopbreak(server.base);
		else
			half_close(run);
		return;
	}

	while ((n = recv(fd, reply, sizeof reply, 0)) > 0) {
		size_t keep = (size_t)n < REPLY_KEPT - run->reply_length
		              ? (size_t)n : REPLY_KEPT - run->reply_length;

		memcpy(run->reply + run->reply_length, reply, keep);
		run->reply_length += keep;
	}
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		event_base_loopbreak(server.base);
		return;
	}

	if (!run->half_closed) {
		if (server.client_count > 0)
			broadcast_observation();
		half_close(run);
	}
}

/*
 * Binds fd to the next of 250 loopback addresses, 127.0.0.1 to
 * 127.0.0.250. The client half-closes first, so each run leaves its
 * client port in TIME_WAIT for 60 s. At thousands of runs a second one
 * source address would run short of ephemeral ports, and a connect then
 * waits for a port to free up.
 */
static void bind_next_source(int fd)
{
	static unsigned int next;
	struct sockaddr_in source = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(0x7f000001u + next++ % 250),
	};
	int on = 1;

	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&source, sizeof source) != 0)
		fail("cannot bind the client socket to a loopback address");
}

/* Connects to the server. A signal (libFuzzer's timeout alarm) may
 * interrupt connect, and then the connection completes in the background. */
static int connect_client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct pollfd writable = { .events = POLLOUT };
	int error = 0;
	socklen_t length = sizeof error;

	if (fd < 0)
		fail("socket");
	bind_next_source(fd);
	if (connect(fd, (struct sockaddr *)&server_address, sizeof server_address) == 0)
		return fd;
	if (errno != EINTR)
		fail("cannot connect to the server");

	writable.fd = fd;
	while (poll(&writable, 1, -1) < 0)
		if (errno != EINTR)
			fail("poll");
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
		errno = error;
		fail("cannot connect to the server");
	}
	return fd;
}

/* Writes all of data. The loopback socket buffer takes any input up to
 * -max_len, so the server need not read first. */
static void send_all(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = send(fd, data, size, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;   /* the server closed first, which is a valid outcome */
		data += n;
		size -= (size_t)n;
	}
}

/* Runs the loop until the server has no stream client left. */
static void drain_clients(void)
{
	for (int turn = 0; turn < DRAIN_TURNS_MAX && server.client_count > 0; turn++)
		event_base_loop(server.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	if (server.client_count > 0) {
		fprintf(stderr, "fuzz_sse_request: %zu stream clients still open after their "
		        "connections closed\n", server.client_count);
		abort();
	}
}

/* Sends request, half-closes, reads the reply into run, then closes and
 * waits until the server has dropped the stream, if one started. Ends with
 * the server's once-a-second tick. */
static void exchange(struct run *run, const uint8_t *request, size_t size)
{
	struct timeval first_reply = { .tv_sec = 0, .tv_usec = FIRST_REPLY_TIMEOUT_MS * 1000 };

	run->fd = connect_client();
	send_all(run->fd, request, size);
	evutil_make_socket_nonblocking(run->fd);
	run->reader = event_new(server.base, run->fd, EV_READ | EV_PERSIST, on_client_readable,
	                        run);
	if (run->reader == NULL || event_add(run->reader, &first_reply) != 0)
		abort();
	if (!run->broadcast)
		half_close(run);

	event_base_dispatch(server.base);
	event_free(run->reader);
	close(run->fd);
	drain_clients();

	/* buoy-sse runs this once a second. Among other things it releases
	 * the connections that closed before their first request. */
	on_tick(-1, EV_TIMEOUT, &server);
}

/* Checks that the set-up above still matches the server: a new option of
 * struct sse_options left at zero can make every request fail, and the
 * fuzzer would then explore nothing but the rejection. */
static void check_stream_starts(void)
{
	static const char request[] =
		"GET " STREAM_PATH " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n";
	struct run run = { .fd = -1 };

	server.upstream_up = true;
	server.input_open = true;
	exchange(&run, (const uint8_t *)request, sizeof request - 1);
	if (strncmp(run.reply, "HTTP/1.1 200 ", 13) != 0) {
		fprintf(stderr, "fuzz_sse_request: a stream request got \"%.40s\" instead of "
		        "200: update the options set in LLVMFuzzerInitialize\n", run.reply);
		exit(1);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct evhttp_bound_socket *bound;
	socklen_t length = sizeof server_address;

	log_init("fuzz_sse_request");
	log_set_level(LOG_LEVEL_ERROR);
	signal(SIGPIPE, SIG_IGN);

	/* The defaults of buoy-sse, with fewer clients, less buffer and
	 * history, no heartbeat and a request timeout fit for a fuzzer. */
	server.options.max_clients = 8;
	server.options.max_client_buffer = 64 * 1024;
	server.options.request_timeout_ms = 1000;
	server.options.max_request_headers = 8192;
	server.options.max_request_body = 1024;
	server.options.history_max = HISTORY_MAX;
	fill_history();
	clock_gettime(CLOCK_MONOTONIC, &server.started_at);
	server.base = event_base_new();
	if (server.base == NULL || create_http(&server) != 0)
		fail("cannot set up the event loop");

	bound = evhttp_bind_socket_with_handle(server.http, "127.0.0.1", 0);
	if (bound == NULL)
		fail("cannot listen on 127.0.0.1");
	server.listener = bound;
	if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&server_address,
	                &length) != 0)
		fail("getsockname");

	check_stream_starts();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run = { .fd = -1 };

	if (size < 1)
		return 0;
	server.upstream_up = !(data[0] & UPSTREAM_DOWN);
	server.input_open = !(data[0] & INPUT_CLOSED);
	run.broadcast = data[0] & BROADCAST;

	exchange(&run, data + 1, size - 1);
	return 0;
}
