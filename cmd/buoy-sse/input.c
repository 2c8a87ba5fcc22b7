#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jv.h>

#include "clients.h"
#include "line_reader.h"
#include "log.h"
#include "log_limit.h"
#include "metrics.h"
#include "record.h"
#include "server.h"
#include "sse_event.h"

/*
 * Lines and bytes read in one turn of the event loop before the clients'
 * sockets are written again. A turn must queue less than one writev()
 * sends per client, which is up to 128 buffer chains (one per event) in
 * libevent 2.1. It must also stay under the smallest --max-client-buffer.
 * Otherwise a client that reads as fast as it can would be dropped during
 * a burst.
 */
#define LINES_PER_TURN 64
#define BYTES_PER_TURN (32 * 1024)

struct stdin_reader {
	struct sse_server *server;
	struct line_reader lines;
	struct event *event;         /* fd 0 readable; NULL when always ready */
	struct event *resume;        /* zero timeout: the next turn, after the sockets */
	int saved_flags;             /* fd 0 flags before O_NONBLOCK was added */
	struct log_limit invalid_log;
	/* Start of the first turn since the input was last drained. A line's
	 * broadcast latency counts from it, so a line left for a later turn
	 * in a burst counts the turns it waited. */
	struct timespec backlog_since;   /* CLOCK_MONOTONIC */
	bool backlogged;                 /* the last turn left input unread */
};

#define UNREPORTED_INVALID "invalid lines on stdin were skipped without a report"

void stdin_reader_flush_reports(struct stdin_reader *reader)
{
	if (reader != NULL)
		log_limit_flush(&reader->invalid_log, UNREPORTED_INVALID);
}

/* Counts an invalid line and reports it, unless another report went out in
 * the same second. */
static void report_invalid(struct stdin_reader *reader, const char *reason)
{
	reader->server->counters.invalid_lines++;
	if (log_limit_allow(&reader->invalid_log, UNREPORTED_INVALID))
		log_warning("stdin:%lu: %s; the line is skipped", reader->lines.line_number,
		            reason);
}

#define NO_REASON "none given"

/* Copies the "reason" of a status line into out, or NO_REASON. */
static void status_reason(const char *line, size_t len, char *out, size_t out_size)
{
	jv object = jv_parse_sized(line, (int)len);
	jv reason = jv_object_get(object, jv_string("reason"));

	if (jv_get_kind(reason) == JV_KIND_STRING)
		snprintf(out, out_size, "%s", jv_string_value(reason));
	else
		snprintf(out, out_size, NO_REASON);
	jv_free(reason);
}

static void set_upstream(struct sse_server *server, bool up, const char *reason)
{
	if (server->upstream_up == up)
		return;
	server->upstream_up = up;
	if (up && strcmp(reason, NO_REASON) == 0)
		log_info("upstream up");
	else if (up)
		log_fields(LOG_LEVEL_INFO, "upstream up", "reason", reason, (const char *)NULL);
	else
		log_fields(LOG_LEVEL_WARNING, "upstream down: new stream requests get 500 "
		           "until an \"up\" status line arrives", "reason", reason, (const char *)NULL);
}

static void broadcast_observation(struct stdin_reader *reader, const char *line, size_t len,
                                  const struct record_info *info)
{
	struct sse_event *event;

	/* A CR ends a line in the event-stream format, so one inside the
	 * JSON (where it is valid whitespace) would split the data field. */
	if (memchr(line, '\r', len) != NULL) {
		report_invalid(reader, "carriage return inside the line, which would split the "
		               "event's data field");
		return;
	}

	event = sse_event_new_observation(line, len, info);
	if (event == NULL) {
		log_error("stdin:%lu: out of memory; the observation was not sent",
		          reader->lines.line_number);
		return;
	}
	reader->server->counters.observations_received++;
	clients_broadcast(reader->server, event, true);
	sse_event_release(event);
	histogram_observe_since(&reader->server->broadcast_seconds, &reader->backlog_since);
}

static void handle_line(struct stdin_reader *reader, const char *line, size_t len)
{
	struct record_info info;
	char error[256];
	char reason[256];

	reader->server->counters.input_lines++;
	if (len > 0 && line[len - 1] == '\r')
		len--;

	switch (record_check_line(line, len, &info, error, sizeof error)) {
	case RECORD_OBSERVATION:
		broadcast_observation(reader, line, len, &info);
		break;
	case RECORD_STATUS:
		status_reason(line, len, reason, sizeof reason);
		set_upstream(reader->server, info.upstream_up, reason);
		break;
	case RECORD_BLANK:
		break;
	case RECORD_INVALID:
		report_invalid(reader, error);
		break;
	}
}

static void end_of_input(struct stdin_reader *reader, const char *read_error)
{
	struct sse_server *server = reader->server;

	stdin_reader_flush_reports(reader);
	if (reader->event != NULL)
		event_del(reader->event);
	server->input_open = false;
	if (read_error != NULL)
		log_error("cannot read stdin: %s; new stream requests get 500, open streams "
		          "stay open", read_error);
	else
		log_warning("stdin reached end of file: new stream requests get 500, open "
		            "streams stay open until SIGTERM");
}

static void on_stdin_readable(evutil_socket_t fd, short what, void *arg)
{
	struct stdin_reader *reader = arg;
	struct timeval next_turn = { 0, 0 };
	const char *line;
	size_t len;
	size_t bytes = 0;
	char reason[64];

	if (!reader->backlogged)
		clock_gettime(CLOCK_MONOTONIC, &reader->backlog_since);
	reader->backlogged = false;

	for (int i = 0; i < LINES_PER_TURN && bytes < BYTES_PER_TURN; i++) {
		switch (line_reader_next(&reader->lines, &line, &len)) {
		case LINE_OK:
			handle_line(reader, line, len);
			bytes += len;
			break;
		case LINE_TOO_LONG:
			reader->server->counters.input_lines++;
			snprintf(reason, sizeof reason, "line is longer than %d bytes", RECORD_LINE_MAX);
			report_invalid(reader, reason);
			break;
		case LINE_AGAIN:
			return;
		case LINE_EOF:
			end_of_input(reader, NULL);
			return;
		case LINE_ERROR:
			end_of_input(reader, strerror(errno));
			return;
		}
	}

	/* Input is left over. A zero timeout runs after the loop has polled
	 * and served the sockets, which event_active would not wait for. */
	reader->backlogged = true;
	evtimer_add(reader->resume, &next_turn);
}

/* Returns true for input that is always readable and that epoll rejects:
 * a regular file or a device such as /dev/null. */
static bool is_always_ready(int fd)
{
	struct stat info;

	if (fstat(fd, &info) != 0)
		return false;
	return S_ISREG(info.st_mode) || (S_ISCHR(info.st_mode) && !isatty(fd));
}

/* Watches fd 0 with the event loop, or, for input that is always
 * readable, reads it in turns driven by the resume timer alone. */
static int watch_stdin(struct stdin_reader *reader, struct event_base *base)
{
	struct timeval first_turn = { 0, 0 };

	reader->resume = evtimer_new(base, on_stdin_readable, reader);
	if (reader->resume == NULL)
		return -1;

	if (!is_always_ready(STDIN_FILENO)) {
		reader->event = event_new(base, STDIN_FILENO, EV_READ | EV_PERSIST,
		                          on_stdin_readable, reader);
		if (reader->event != NULL && event_add(reader->event, NULL) == 0)
			return 0;
		if (reader->event != NULL)
			event_free(reader->event);
		reader->event = NULL;
	}
	return evtimer_add(reader->resume, &first_turn);
}

struct stdin_reader *stdin_reader_start(struct sse_server *server)
{
	struct stdin_reader *reader = calloc(1, sizeof *reader);

	if (reader == NULL)
		return NULL;
	reader->server = server;
	if (line_reader_init(&reader->lines, STDIN_FILENO, RECORD_LINE_MAX) != 0) {
		free(reader);
		return NULL;
	}

	reader->saved_flags = fcntl(STDIN_FILENO, F_GETFL);
	if (reader->saved_flags < 0 ||
	    fcntl(STDIN_FILENO, F_SETFL, reader->saved_flags | O_NONBLOCK) != 0 ||
	    watch_stdin(reader, server->base) != 0) {
		stdin_reader_free(reader);
		return NULL;
	}
	return reader;
}

void stdin_reader_free(struct stdin_reader *reader)
{
	if (reader == NULL)
		return;
	stdin_reader_flush_reports(reader);
	if (reader->event != NULL)
		event_free(reader->event);
	if (reader->resume != NULL)
		event_free(reader->resume);
	if (reader->saved_flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, reader->saved_flags);
	line_reader_free(&reader->lines);
	free(reader);
}
