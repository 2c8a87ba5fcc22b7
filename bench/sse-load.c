/*
 * sse-load: opens many Server-Sent Event streams to buoy-sse on loopback
 * and measures how the events written by bench/feed reach them.
 *
 *   sse-load --port 18080 --connections 1000 --events 300 [--ready-file F]
 *
 * One thread, epoll, non-blocking sockets. Each connection sends
 * "GET /v1/observations/stream" with "Accept: text/event-stream" and parses
 * the reply as it arrives: status line, headers, chunked framing, SSE lines.
 * The parser keeps a few bytes of state per connection and no line buffer,
 * so a chunk or read may end at any byte. From each observation's data line
 * it reads "benchSeq" (the event number) and "benchSentNs" (CLOCK_MONOTONIC
 * when the feeder wrote it), and records latency = arrival - sent.
 *
 * At most --connect-window connections are between connect() and their
 * "connection" event at once, to stay within the listen backlog. When every
 * connection has its "connection" event or has failed, --ready-file is
 * written, so the caller knows when to start the feeder.
 *
 * The run ends when every open stream has the last event, when no event
 * arrived for --idle-timeout seconds after the first one, or after
 * --timeout seconds. key=value lines go to stdout, a table to stderr.
 */
#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define READ_BUFFER_SIZE (16 * 1024)
#define EPOLL_BATCH 256
#define CONNECTIONS_MAX 1000000L
#define EVENTS_MAX 10000000L
#define SPARE_DESCRIPTORS 32
#define EVENT_NAME_MAX 16
#define STATUS_LINE_MAX 64

/* Latency histogram: values below 64 ns have their own bucket, larger ones
 * 64 buckets per power of two, so a bucket is at most 1/64 (1.6 %) wide. */
#define HIST_SUB_BITS 6
#define HIST_SUB (1 << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

struct options {
	uint16_t port;
	long connections;
	long events;              /* observations the feeder writes */
	long connect_window;
	double timeout_s;
	double idle_timeout_s;
	const char *ready_file;
	double spin_us;           /* poll without sleeping this long after a delivery */
};

enum conn_phase {
	PHASE_IDLE,               /* not started yet */
	PHASE_CONNECTING,
	PHASE_STATUS,             /* reading the status line */
	PHASE_HEADERS,
	PHASE_BODY,
	PHASE_FAILED,             /* failed, or closed by the server */
};

enum chunk_state { CHUNK_SIZE, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF, CHUNK_LAST };

enum line_kind { LINE_UNKNOWN, LINE_DATA, LINE_EVENT, LINE_OTHER };

/* Bench field whose value a digit run in a data line carries. */
enum number_field { FIELD_NONE, FIELD_SEQ, FIELD_SENT };

struct sse_parser {
	enum line_kind kind;
	enum line_kind candidate;         /* the kind the line's first byte allows */
	uint8_t prefix_len;               /* bytes of the line compared to "data: "/"event: " */
	uint8_t seq_match, sent_match;    /* progress through the field patterns */
	enum number_field number;         /* field whose digits are being read */
	uint64_t value;
	char event_name[EVENT_NAME_MAX];
	uint8_t event_name_len;
	bool has_seq, has_sent;
	uint64_t seq, sent_ns;
};

struct conn {
	int fd;
	enum conn_phase phase;
	bool connected_event;             /* the "connection" event arrived */
	bool chunked;
	uint8_t chunked_match, header_end_match;
	char status[STATUS_LINE_MAX];
	uint8_t status_len;
	enum chunk_state chunk;
	uint64_t chunk_left;
	struct sse_parser sse;
	int64_t last_seq;                 /* -1 before the first observation */
	uint64_t received, lost, duplicated;
};

struct histogram {
	uint64_t count;
	uint64_t max;
	uint64_t buckets[HIST_BUCKETS];
};

/* Arrival of one event across all connections. */
struct event_track {
	uint64_t sent_ns;
	uint64_t last_arrival_ns;
	uint32_t receivers;
};

struct load {
	struct options options;
	struct sockaddr_in address;
	int epoll_fd;
	struct conn *conns;
	long started, pending;            /* pending: connecting, no connection event yet */
	long open, failed, closed_early, unexpected;
	bool ready;
	char first_error[160];
	struct histogram all, thirds[3];
	struct event_track *tracks;
	uint64_t deliveries, first_sent_ns, last_arrival_ns, last_progress_ns;
	long complete;                    /* streams that have the last event */
	uint64_t first_arrival_ns;        /* wall clock at the first delivery */
	uint64_t first_cpu_ns, first_wait_ns;   /* own CPU and run-queue wait then */
};

static const char request_format[] =
	"GET /v1/observations/stream HTTP/1.1\r\n"
	"Host: 127.0.0.1:%u\r\n"
	"Accept: text/event-stream\r\n"
	"\r\n";

static const char seq_pattern[] = "\"benchSeq\":";
static const char sent_pattern[] = "\"benchSentNs\":";

static uint64_t monotonic_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* User plus system CPU time of this process. */
static uint64_t own_cpu_ns(void)
{
	struct rusage usage;

	if (getrusage(RUSAGE_SELF, &usage) != 0)
		return 0;
	return (uint64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000u +
	       (uint64_t)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000u;
}

/* Time this process spent runnable but waiting for a CPU, from the second
 * field of /proc/self/schedstat; 0 where the kernel does not provide it. */
static uint64_t own_wait_ns(void)
{
	unsigned long long running = 0, waiting = 0;
	FILE *file = fopen("/proc/self/schedstat", "r");

	if (file == NULL)
		return 0;
	if (fscanf(file, "%llu %llu", &running, &waiting) != 2)
		waiting = 0;
	fclose(file);
	return waiting;
}

/* ---- options ---------------------------------------------------------- */

static void usage_error(const char *message)
{
	fprintf(stderr, "sse-load: %s\nTry 'sse-load --help' for more information.\n", message);
	exit(EX_USAGE);
}

static void print_usage(void)
{
	puts("usage: sse-load --port PORT --connections N --events K [options]\n"
	     "  -p, --port PORT           buoy-sse port on 127.0.0.1\n"
	     "  -c, --connections N       streams to open (1 to 1000000)\n"
	     "  -e, --events K            observations the feeder writes (1 to 10000000)\n"
	     "  -w, --connect-window N    connections awaiting their first event at once (default 256)\n"
	     "  -t, --timeout SECONDS     wall-clock limit of the whole run (default 120)\n"
	     "  -i, --idle-timeout SEC    end when no event arrived this long (default 5)\n"
	     "  -r, --ready-file PATH     create PATH once every stream is open or failed\n"
	     "  -s, --spin-us US          keep polling without sleeping this long after data\n"
	     "                            arrived (default 0: always sleep in epoll_wait)");
}

static double parse_number(const char *text, double min, double max, const char *message)
{
	char *end;
	double value;

	errno = 0;
	value = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !(value >= min && value <= max))
		usage_error(message);
	return value;
}

static void parse_option(struct options *options, int c, const char *arg)
{
	switch (c) {
	case 'p': options->port = (uint16_t)parse_number(arg, 1, 65535, "invalid --port: expected 1 to 65535"); break;
	case 'c': options->connections = (long)parse_number(arg, 1, CONNECTIONS_MAX, "invalid --connections: expected 1 to 1000000"); break;
	case 'e': options->events = (long)parse_number(arg, 1, EVENTS_MAX, "invalid --events: expected 1 to 10000000"); break;
	case 'w': options->connect_window = (long)parse_number(arg, 1, CONNECTIONS_MAX, "invalid --connect-window: expected 1 to 1000000"); break;
	case 't': options->timeout_s = parse_number(arg, 0.1, 86400, "invalid --timeout: expected 0.1 to 86400 seconds"); break;
	case 'i': options->idle_timeout_s = parse_number(arg, 0.1, 86400, "invalid --idle-timeout: expected 0.1 to 86400 seconds"); break;
	case 'r': options->ready_file = arg; break;
	case 's': options->spin_us = parse_number(arg, 0, 1e6, "invalid --spin-us: expected 0 to 1000000"); break;
	case 'h': print_usage(); exit(0);
	default: usage_error("unknown option");
	}
}

static struct options parse_options(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "connections", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'e' },
		{ "connect-window", required_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "spin-us", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options options = { .connect_window = 256, .timeout_s = 120, .idle_timeout_s = 5 };
	int c;

	while ((c = getopt_long(argc, argv, "p:c:e:w:t:i:r:s:h", long_options, NULL)) != -1)
		parse_option(&options, c, optarg);
	if (optind != argc)
		usage_error("unexpected argument");
	if (options.port == 0 || options.connections == 0 || options.events == 0)
		usage_error("--port, --connections and --events are required");
	return options;
}

/* ---- histogram -------------------------------------------------------- */

static size_t histogram_index(uint64_t value)
{
	if (value < HIST_SUB)
		return (size_t)value;

	int exponent = 63 - __builtin_clzll(value);
	uint64_t sub = (value >> (exponent - HIST_SUB_BITS)) & (HIST_SUB - 1);

	return (size_t)(exponent - HIST_SUB_BITS + 1) * HIST_SUB + (size_t)sub;
}

/* The middle of a bucket's range. */
static uint64_t histogram_value(size_t index)
{
	if (index < HIST_SUB)
		return index;

	int exponent = (int)(index / HIST_SUB) + HIST_SUB_BITS - 1;
	uint64_t width = (uint64_t)1 << (exponent - HIST_SUB_BITS);

	return (HIST_SUB + index % HIST_SUB) * width + width / 2;
}

static void histogram_add(struct histogram *histogram, uint64_t value)
{
	histogram->buckets[histogram_index(value)]++;
	histogram->count++;
	if (value > histogram->max)
		histogram->max = value;
}

/* The value at quantile q (0 < q <= 1), never above the exact maximum. */
static uint64_t histogram_quantile(const struct histogram *histogram, double q)
{
	uint64_t rank = (uint64_t)(q * (double)histogram->count + 0.999999);
	uint64_t seen = 0;

	if (histogram->count == 0)
		return 0;
	for (size_t i = 0; i < HIST_BUCKETS; i++) {
		seen += histogram->buckets[i];
		if (seen >= rank) {
			uint64_t value = histogram_value(i);
			return value < histogram->max ? value : histogram->max;
		}
	}
	return histogram->max;
}

/* ---- deliveries ------------------------------------------------------- */

/* Counts seq on conn: a gap as lost, a repeat or step back as duplicated.
 * Returns false for a duplicate. */
static bool note_sequence(struct conn *conn, uint64_t seq)
{
	if ((int64_t)seq <= conn->last_seq) {
		conn->duplicated++;
		return false;
	}
	conn->lost += seq - (uint64_t)(conn->last_seq + 1);
	conn->last_seq = (int64_t)seq;
	conn->received++;
	return true;
}

static void record_delivery(struct load *load, struct conn *conn, uint64_t seq,
                            uint64_t sent_ns, uint64_t now)
{
	uint64_t events = (uint64_t)load->options.events;
	uint64_t latency = now > sent_ns ? now - sent_ns : 0;
	struct event_track *track;

	if (seq >= events) {
		load->unexpected++;
		return;
	}
	if (!note_sequence(conn, seq))
		return;

	histogram_add(&load->all, latency);
	histogram_add(&load->thirds[seq * 3 / events], latency);
	track = &load->tracks[seq];
	track->sent_ns = sent_ns;
	track->receivers++;
	if (now > track->last_arrival_ns)
		track->last_arrival_ns = now;

	if (load->deliveries++ == 0) {
		load->first_arrival_ns = now;
		load->first_cpu_ns = own_cpu_ns();
		load->first_wait_ns = own_wait_ns();
	}
	if (load->first_sent_ns == 0 || sent_ns < load->first_sent_ns)
		load->first_sent_ns = sent_ns;
	load->last_arrival_ns = now;
	load->last_progress_ns = now;
	if (seq == events - 1)
		load->complete++;
}

/* ---- SSE lines -------------------------------------------------------- */

static void dispatch_event(struct load *load, struct conn *conn, uint64_t now)
{
	struct sse_parser *sse = &conn->sse;
	const char *name = sse->event_name;
	size_t len = sse->event_name_len;

	if (len == strlen("connection") && memcmp(name, "connection", len) == 0) {
		if (!conn->connected_event) {
			conn->connected_event = true;
			load->open++;
			load->pending--;
		}
	} else if (len == strlen("observation") && memcmp(name, "observation", len) == 0) {
		if (sse->has_seq && sse->has_sent)
			record_delivery(load, conn, sse->seq, sse->sent_ns, now);
		else
			load->unexpected++;
	}
	memset(sse, 0, sizeof *sse);
}

/* Advances *match through pattern by the byte c and returns true when the
 * pattern is complete. A mismatch restarts the match, at 1 when c is the
 * pattern's first byte. NOTE: this skips the full KMP fallback, which is
 * exact for the patterns used here in well-formed HTTP and JSON. */
static bool match_byte(uint8_t *match, const char *pattern, size_t len, char c)
{
	if (c == pattern[*match])
		(*match)++;
	else
		*match = c == pattern[0] ? 1 : 0;
	if (*match < len)
		return false;
	*match = 0;
	return true;
}

static void finish_number(struct sse_parser *sse)
{
	if (sse->number == FIELD_SEQ) {
		sse->seq = sse->value;
		sse->has_seq = true;
	} else if (sse->number == FIELD_SENT) {
		sse->sent_ns = sse->value;
		sse->has_sent = true;
	}
	sse->number = FIELD_NONE;
	sse->value = 0;
}

static void scan_data_byte(struct sse_parser *sse, char c)
{
	if (sse->number != FIELD_NONE) {
		if (c >= '0' && c <= '9') {
			sse->value = sse->value * 10 + (uint64_t)(c - '0');
			return;
		}
		finish_number(sse);
	}
	if (match_byte(&sse->seq_match, seq_pattern, sizeof seq_pattern - 1, c))
		sse->number = FIELD_SEQ;
	if (match_byte(&sse->sent_match, sent_pattern, sizeof sent_pattern - 1, c))
		sse->number = FIELD_SENT;
}

/* Decides the kind of a line from its first bytes: "data: " or "event: ",
 * which differ in their first byte. */
static void scan_prefix_byte(struct sse_parser *sse, char c)
{
	size_t at = sse->prefix_len++;
	const char *prefix;

	if (at == 0) {
		if (c == 'd')
			sse->candidate = LINE_DATA;
		else if (c == 'e')
			sse->candidate = LINE_EVENT;
		else
			sse->candidate = LINE_OTHER;
	}
	if (sse->candidate == LINE_OTHER) {
		sse->kind = LINE_OTHER;
		return;
	}

	prefix = sse->candidate == LINE_DATA ? "data: " : "event: ";
	if (prefix[at] != c)
		sse->kind = LINE_OTHER;
	else if (prefix[at + 1] == '\0')
		sse->kind = sse->candidate;
}

static void end_line(struct load *load, struct conn *conn, uint64_t now)
{
	struct sse_parser *sse = &conn->sse;
	bool empty = sse->prefix_len == 0 && sse->kind == LINE_UNKNOWN;

	if (sse->number != FIELD_NONE)
		finish_number(sse);
	if (empty) {
		dispatch_event(load, conn, now);
		return;
	}
	sse->kind = LINE_UNKNOWN;
	sse->prefix_len = 0;
	sse->seq_match = sse->sent_match = 0;
}

/* Scans part of a data line, without its newline. While no field pattern
 * or number is in progress, memmem skips to the next "\"bench", which both
 * patterns start with. The last bytes of the span could hold the start of
 * one, so they are scanned one by one: a pattern split across chunks or
 * reads is still found. */
static void scan_data_span(struct sse_parser *sse, const char *p, size_t n)
{
	static const char common[] = "\"bench";
	size_t i = 0;

	while (i < n) {
		bool idle = sse->number == FIELD_NONE && sse->seq_match == 0 && sse->sent_match == 0;

		if (idle) {
			const char *hit = memmem(p + i, n - i, common, sizeof common - 1);
			size_t tail = sizeof common - 2;

			if (hit != NULL)
				i = (size_t)(hit - p);
			else if (n - i > tail)
				i = n - tail;
		}
		scan_data_byte(sse, p[i]);
		i++;
	}
}

/* Feeds SSE text (the chunk payload) through the line scanner. */
static void scan_sse(struct load *load, struct conn *conn, const char *p, size_t n, uint64_t now)
{
	struct sse_parser *sse = &conn->sse;

	while (n > 0) {
		if (sse->kind == LINE_UNKNOWN) {
			if (*p == '\n')
				end_line(load, conn, now);
			else
				scan_prefix_byte(sse, *p);
			p++;
			n--;
			continue;
		}

		const char *newline = memchr(p, '\n', n);
		size_t span = newline != NULL ? (size_t)(newline - p) : n;

		if (sse->kind == LINE_DATA)
			scan_data_span(sse, p, span);
		for (size_t i = 0; sse->kind == LINE_EVENT && i < span; i++)
			if (sse->event_name_len < EVENT_NAME_MAX)
				sse->event_name[sse->event_name_len++] = p[i];
		if (newline != NULL) {
			end_line(load, conn, now);
			span++;
		}
		p += span;
		n -= span;
	}
}

/* ---- HTTP framing ----------------------------------------------------- */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Feeds body bytes through the chunked framing to the SSE scanner. Returns
 * the bytes consumed; fewer than len only after the last chunk. */
static size_t scan_chunked(struct load *load, struct conn *conn, const char *p, size_t len,
                           uint64_t now)
{
	size_t i = 0;

	while (i < len && conn->chunk != CHUNK_LAST) {
		char c = p[i];

		switch (conn->chunk) {
		case CHUNK_SIZE:
			if (hex_digit(c) >= 0)
				conn->chunk_left = conn->chunk_left * 16 + (uint64_t)hex_digit(c);
			else if (c == '\n')
				conn->chunk = conn->chunk_left == 0 ? CHUNK_LAST : CHUNK_DATA;
			else
				conn->chunk = CHUNK_SIZE_LF;    /* CR or an extension */
			i++;
			break;
		case CHUNK_SIZE_LF:
			if (c == '\n')
				conn->chunk = conn->chunk_left == 0 ? CHUNK_LAST : CHUNK_DATA;
			i++;
			break;
		case CHUNK_DATA: {
			size_t take = len - i < conn->chunk_left ? len - i : (size_t)conn->chunk_left;

			scan_sse(load, conn, p + i, take, now);
			i += take;
			conn->chunk_left -= take;
			if (conn->chunk_left == 0)
				conn->chunk = CHUNK_DATA_CR;
			break;
		}
		case CHUNK_DATA_CR:
			conn->chunk = c == '\r' ? CHUNK_DATA_LF : CHUNK_SIZE;
			i += c == '\r' || c == '\n';
			break;
		case CHUNK_DATA_LF:
			conn->chunk = CHUNK_SIZE;
			i += c == '\n';
			break;
		case CHUNK_LAST:
			break;
		}
	}
	return i;
}

static void fail(struct load *load, struct conn *conn, const char *what, const char *detail)
{
	if (load->first_error[0] == '\0')
		snprintf(load->first_error, sizeof load->first_error, "%s: %s", what, detail);
	if (conn->fd >= 0)
		close(conn->fd);
	conn->fd = -1;
	if (!conn->connected_event)
		load->pending--;
	if (conn->phase == PHASE_BODY && conn->connected_event)
		load->closed_early++;
	else
		load->failed++;
	conn->phase = PHASE_FAILED;
}

static void scan_status_byte(struct load *load, struct conn *conn, char c)
{
	if (c != '\n') {
		if (conn->status_len < STATUS_LINE_MAX - 1)
			conn->status[conn->status_len++] = c;
		return;
	}
	conn->status[conn->status_len] = '\0';
	if (strncmp(conn->status, "HTTP/1.1 200", 12) != 0 &&
	    strncmp(conn->status, "HTTP/1.0 200", 12) != 0)
		fail(load, conn, "stream request rejected", conn->status);
	else
		conn->phase = PHASE_HEADERS;
}

static void scan_header_byte(struct conn *conn, char c)
{
	static const char chunked[] = "chunked";
	static const char header_end[] = "\r\n\r\n";

	if (match_byte(&conn->chunked_match, chunked, sizeof chunked - 1, c))
		conn->chunked = true;
	if (match_byte(&conn->header_end_match, header_end, sizeof header_end - 1, c)) {
		conn->phase = PHASE_BODY;
		conn->chunk = CHUNK_SIZE;
		conn->chunk_left = 0;
	}
}

static void scan_bytes(struct load *load, struct conn *conn, const char *p, size_t len,
                       uint64_t now)
{
	size_t i = 0;

	while (i < len && (conn->phase == PHASE_STATUS || conn->phase == PHASE_HEADERS)) {
		if (conn->phase == PHASE_STATUS)
			scan_status_byte(load, conn, p[i]);
		else
			scan_header_byte(conn, p[i]);
		i++;
	}
	if (conn->phase != PHASE_BODY)
		return;
	if (conn->chunked) {
		scan_chunked(load, conn, p + i, len - i, now);
		return;
	}
	scan_sse(load, conn, p + i, len - i, now);
}

/* ---- sockets ---------------------------------------------------------- */

static void raise_open_file_limit(long connections)
{
	rlim_t needed = (rlim_t)connections + SPARE_DESCRIPTORS;
	struct rlimit limit;

	if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed)
		return;
	limit.rlim_cur = limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed
	                 ? limit.rlim_max : needed;
	if (setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < needed)
		fprintf(stderr, "sse-load: the open file limit %llu is below the %llu needed; "
		        "connections past it will fail (raise ulimit -Hn)\n",
		        (unsigned long long)limit.rlim_cur, (unsigned long long)needed);
}

static void start_connect(struct load *load, long index)
{
	struct conn *conn = &load->conns[index];
	struct epoll_event watch = { .events = EPOLLOUT, .data.u64 = (uint64_t)index };

	conn->last_seq = -1;
	conn->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	conn->phase = PHASE_CONNECTING;
	load->started++;
	load->pending++;
	if (conn->fd < 0) {
		fail(load, conn, "cannot create a socket", strerror(errno));
		return;
	}
	if (connect(conn->fd, (struct sockaddr *)&load->address, sizeof load->address) != 0 &&
	    errno != EINPROGRESS) {
		fail(load, conn, "cannot connect", strerror(errno));
		return;
	}
	if (epoll_ctl(load->epoll_fd, EPOLL_CTL_ADD, conn->fd, &watch) != 0)
		fail(load, conn, "cannot watch a socket", strerror(errno));
}

static void send_request(struct load *load, struct conn *conn, long index)
{
	char request[sizeof request_format + 8];
	int len = snprintf(request, sizeof request, request_format, load->options.port);
	struct epoll_event watch = { .events = EPOLLIN, .data.u64 = (uint64_t)index };
	int error = 0;
	socklen_t error_len = sizeof error;

	getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &error_len);
	if (error != 0) {
		fail(load, conn, "cannot connect", strerror(error));
		return;
	}
	/* A fresh socket's send buffer takes the short request whole. */
	if (send(conn->fd, request, (size_t)len, MSG_NOSIGNAL) != len) {
		fail(load, conn, "cannot send the request", strerror(errno));
		return;
	}
	conn->phase = PHASE_STATUS;
	epoll_ctl(load->epoll_fd, EPOLL_CTL_MOD, conn->fd, &watch);
}

static void read_stream(struct load *load, struct conn *conn, char *buffer)
{
	ssize_t n = recv(conn->fd, buffer, READ_BUFFER_SIZE, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		fail(load, conn, "cannot read a stream", strerror(errno));
		return;
	}
	if (n == 0) {
		fail(load, conn, "stream closed by the server", "end of file");
		return;
	}
	scan_bytes(load, conn, buffer, (size_t)n, monotonic_ns());
}

static void handle_ready(struct load *load, const struct epoll_event *ready, char *buffer)
{
	long index = (long)ready->data.u64;
	struct conn *conn = &load->conns[index];

	if (conn->phase == PHASE_CONNECTING)
		send_request(load, conn, index);
	else if (conn->phase != PHASE_FAILED)
		read_stream(load, conn, buffer);
}

/* ---- run -------------------------------------------------------------- */

static void open_more(struct load *load)
{
	while (load->started < load->options.connections &&
	       load->pending < load->options.connect_window)
		start_connect(load, load->started);
}

static void note_all_open(struct load *load)
{
	FILE *file;

	if (load->ready || load->started < load->options.connections || load->pending > 0)
		return;
	load->ready = true;
	fprintf(stderr, "sse-load: %ld streams open, %ld failed\n", load->open, load->failed);
	if (load->options.ready_file == NULL)
		return;
	file = fopen(load->options.ready_file, "w");
	if (file == NULL || fprintf(file, "open=%ld\nfailed=%ld\n", load->open, load->failed) < 0 ||
	    fclose(file) != 0)
		fprintf(stderr, "sse-load: cannot write %s: %s\n", load->options.ready_file,
		        strerror(errno));
}

static bool run_finished(const struct load *load, uint64_t now, uint64_t deadline)
{
	uint64_t idle_ns = (uint64_t)(load->options.idle_timeout_s * 1e9);

	if (now >= deadline)
		return true;
	if (!load->ready)
		return false;
	if (load->open - load->closed_early <= 0)
		return true;
	if (load->complete >= load->open - load->closed_early && load->deliveries > 0)
		return true;
	return load->deliveries > 0 && now - load->last_progress_ns > idle_ns;
}

static void run(struct load *load)
{
	static char buffer[READ_BUFFER_SIZE];
	struct epoll_event ready[EPOLL_BATCH];
	uint64_t deadline = monotonic_ns() + (uint64_t)(load->options.timeout_s * 1e9);
	uint64_t spin_ns = (uint64_t)(load->options.spin_us * 1e3);
	uint64_t last_data_ns = 0;

	while (!run_finished(load, monotonic_ns(), deadline)) {
		open_more(load);
		note_all_open(load);

		/* While spinning, the server's writes find this process awake,
		 * so they do not pay for waking it, as with a remote client. */
		int wait_ms = monotonic_ns() - last_data_ns < spin_ns ? 0 : 100;
		int count = epoll_wait(load->epoll_fd, ready, EPOLL_BATCH, wait_ms);

		if (count > 0)
			last_data_ns = monotonic_ns();

		if (count < 0 && errno != EINTR) {
			perror("sse-load: epoll_wait");
			exit(EX_OSERR);
		}
		for (int i = 0; i < count; i++)
			handle_ready(load, &ready[i], buffer);
	}
}

/* ---- report ----------------------------------------------------------- */

static void sum_connections(const struct load *load, uint64_t *lost, uint64_t *duplicated,
                            uint64_t *received)
{
	uint64_t last = (uint64_t)load->options.events - 1;

	*lost = *duplicated = *received = 0;
	for (long i = 0; i < load->started; i++) {
		const struct conn *conn = &load->conns[i];

		if (!conn->connected_event)
			continue;
		*lost += conn->lost + (last - (uint64_t)conn->last_seq) * (conn->last_seq < (int64_t)last);
		*duplicated += conn->duplicated;
		*received += conn->received;
	}
}

/* Returns the worst time from sent to last arrival over the events that
 * reached every open stream, and sets *all_count to how many did. */
static uint64_t fanout_max_ns(const struct load *load, long *all_count)
{
	uint64_t worst = 0;

	*all_count = 0;
	for (long seq = 0; seq < load->options.events; seq++) {
		const struct event_track *track = &load->tracks[seq];

		if (track->receivers == 0 || (long)track->receivers < load->open)
			continue;
		(*all_count)++;
		if (track->last_arrival_ns - track->sent_ns > worst)
			worst = track->last_arrival_ns - track->sent_ns;
	}
	return worst;
}

static bool lag_grows(uint64_t first_p99, uint64_t last_p99)
{
	/* Growing: the last third's p99 is over 1.5 times the first's and
	 * more than 10 ms above it. The p99 of a third rests on its few worst
	 * events, so smaller rises are within run-to-run noise. */
	return last_p99 > first_p99 + first_p99 / 2 && last_p99 - first_p99 > 10000000u;
}

/* Figures of a finished run; times in nanoseconds. */
struct summary {
	uint64_t expected, received, lost, duplicated;
	uint64_t p50, p99, max, first_p99, last_p99, fanout;
	long reached_all;
	double seconds, rate;                 /* first line written to last arrival */
	double cpu_share, wait_share;         /* of this client, since the first delivery */
};

static struct summary summarize(const struct load *load)
{
	struct summary sum = { 0 };
	uint64_t wall = load->deliveries > 0 ? monotonic_ns() - load->first_arrival_ns : 0;

	sum_connections(load, &sum.lost, &sum.duplicated, &sum.received);
	sum.expected = (uint64_t)load->open * (uint64_t)load->options.events;
	sum.p50 = histogram_quantile(&load->all, 0.50);
	sum.p99 = histogram_quantile(&load->all, 0.99);
	sum.max = load->all.max;
	sum.first_p99 = histogram_quantile(&load->thirds[0], 0.99);
	sum.last_p99 = histogram_quantile(&load->thirds[2], 0.99);
	sum.fanout = fanout_max_ns(load, &sum.reached_all);

	if (load->deliveries > 0)
		sum.seconds = (double)(load->last_arrival_ns - load->first_sent_ns) / 1e9;
	if (sum.seconds > 0)
		sum.rate = (double)load->deliveries / sum.seconds;
	if (wall > 0) {
		sum.cpu_share = (double)(own_cpu_ns() - load->first_cpu_ns) / (double)wall;
		sum.wait_share = (double)(own_wait_ns() - load->first_wait_ns) / (double)wall;
	}
	return sum;
}

static void print_keys(const struct load *load, const struct summary *sum)
{
	printf("connections_requested=%ld\nconnections_open=%ld\nconnect_failed=%ld\n"
	       "streams_closed_early=%ld\nfirst_error=%s\n",
	       load->options.connections, load->open, load->failed, load->closed_early,
	       load->first_error[0] ? load->first_error : "none");
	printf("events_per_stream=%ld\nevents_expected=%llu\nevents_received=%llu\n"
	       "events_lost=%llu\nevents_duplicated=%llu\nevents_unexpected=%ld\n",
	       load->options.events, (unsigned long long)sum->expected,
	       (unsigned long long)sum->received, (unsigned long long)sum->lost,
	       (unsigned long long)sum->duplicated, load->unexpected);
	printf("latency_p50_us=%.1f\nlatency_p99_us=%.1f\nlatency_max_us=%.1f\n"
	       "latency_p99_first_third_us=%.1f\nlatency_p99_last_third_us=%.1f\nlag_grows=%s\n",
	       (double)sum->p50 / 1e3, (double)sum->p99 / 1e3, (double)sum->max / 1e3,
	       (double)sum->first_p99 / 1e3, (double)sum->last_p99 / 1e3,
	       lag_grows(sum->first_p99, sum->last_p99) ? "yes" : "no");
	printf("events_reaching_all=%ld\nfanout_max_us=%.1f\nrun_seconds=%.3f\n"
	       "deliveries_per_second=%.0f\nclient_cpu_percent=%.0f\nclient_cpu_wait_percent=%.0f\n",
	       sum->reached_all, (double)sum->fanout / 1e3, sum->seconds, sum->rate,
	       sum->cpu_share * 100, sum->wait_share * 100);
}

static void print_table(const struct load *load, const struct summary *sum)
{
	fprintf(stderr, "  streams open %ld of %ld (%ld failed, %ld closed early)\n",
	        load->open, load->options.connections, load->failed, load->closed_early);
	fprintf(stderr, "  events  expected %llu  received %llu  lost %llu  duplicated %llu\n",
	        (unsigned long long)sum->expected, (unsigned long long)sum->received,
	        (unsigned long long)sum->lost, (unsigned long long)sum->duplicated);
	fprintf(stderr, "  latency p50 %.3f ms  p99 %.3f ms  max %.3f ms"
	        "  (p99 first third %.3f, last third %.3f)\n",
	        (double)sum->p50 / 1e6, (double)sum->p99 / 1e6, (double)sum->max / 1e6,
	        (double)sum->first_p99 / 1e6, (double)sum->last_p99 / 1e6);
	fprintf(stderr, "  one event to all streams, worst %.3f ms; %.0f deliveries/s over %.3f s\n",
	        (double)sum->fanout / 1e6, sum->rate, sum->seconds);
	fprintf(stderr, "  this client ran %.0f %% and waited for a CPU %.0f %% of the time"
	        " since the first delivery\n", sum->cpu_share * 100, sum->wait_share * 100);
}

static void load_init(struct load *load, const struct options *options)
{
	memset(load, 0, sizeof *load);
	load->options = *options;
	load->address.sin_family = AF_INET;
	load->address.sin_port = htons(options->port);
	load->address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	load->conns = calloc((size_t)options->connections, sizeof *load->conns);
	load->tracks = calloc((size_t)options->events, sizeof *load->tracks);
	load->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (load->conns == NULL || load->tracks == NULL || load->epoll_fd < 0) {
		perror("sse-load: cannot set up");
		exit(EX_OSERR);
	}
	for (long i = 0; i < options->connections; i++)
		load->conns[i].fd = -1;
}

static void load_free(struct load *load)
{
	for (long i = 0; i < load->started; i++)
		if (load->conns[i].fd >= 0)
			close(load->conns[i].fd);
	close(load->epoll_fd);
	free(load->conns);
	free(load->tracks);
}

int main(int argc, char **argv)
{
	struct options options = parse_options(argc, argv);
	static struct load load;

	raise_open_file_limit(options.connections);
	load_init(&load, &options);
	run(&load);
	if (!load.ready)
		fprintf(stderr, "sse-load: timed out before every stream was open; the figures cover the open ones\n");
	struct summary sum = summarize(&load);

	print_keys(&load, &sum);
	print_table(&load, &sum);
	load_free(&load);
	return 0;
}
