/*
 * The NDJSON input on stdin, read without blocking the event loop.
 *
 * Each line is checked with record_check_line. An observation is broadcast
 * unchanged, and a status line from buoy-sub sets the upstream state. An
 * invalid line is counted and reported on stderr, with at most one report
 * per second and a count of the lines not reported. End of input makes the
 * upstream unavailable, and the server keeps serving the streams already
 * open.
 */
#ifndef BUOY_SSE_INPUT_H
#define BUOY_SSE_INPUT_H

struct sse_server;
struct stdin_reader;

/* Starts reading fd 0. Returns NULL with errno set when it cannot. */
struct stdin_reader *stdin_reader_start(struct sse_server *server);

/* Stops reading and frees the reader; NULL is allowed. */
void stdin_reader_free(struct stdin_reader *reader);

/* Reports how many invalid lines went unreported since the last report;
 * the server calls this once a second. */
void stdin_reader_flush_reports(struct stdin_reader *reader);

#endif
