/*
 * SIGINT and SIGTERM as a flag and a self-pipe, so that a program blocked
 * in poll() or an event loop wakes up and ends cleanly.
 */
#ifndef BUOY_STOP_SIGNAL_H
#define BUOY_STOP_SIGNAL_H

#include <signal.h>
#include <stdbool.h>

/*
 * Installs handlers for SIGINT and SIGTERM (without SA_RESTART, so blocking
 * reads return EINTR) and ignores SIGPIPE when ignore_sigpipe is set.
 * Returns 0, or -1 with errno set.
 */
int stop_signal_install(bool ignore_sigpipe);

/* Returns true once SIGINT or SIGTERM has arrived. */
bool stop_signal_received(void);

/* Returns the signal number that arrived, or 0. */
int stop_signal_number(void);

/* Returns the read end of the self-pipe: it becomes readable when a stop
 * signal arrives. Non-blocking. */
int stop_signal_fd(void);

#endif
