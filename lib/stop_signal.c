#include "stop_signal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static volatile sig_atomic_t received_signal;
static int pipe_fds[2] = { -1, -1 };

static void handle_stop(int signal_number)
{
	int saved_errno = errno;
	char byte = 1;
	ssize_t ignored;

	received_signal = signal_number;
	ignored = write(pipe_fds[1], &byte, 1);
	(void)ignored;
	errno = saved_errno;
}

int stop_signal_install(bool ignore_sigpipe)
{
	struct sigaction action = { .sa_handler = handle_stop };

	if (pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;

	sigemptyset(&action.sa_mask);
	if (sigaction(SIGINT, &action, NULL) != 0 || sigaction(SIGTERM, &action, NULL) != 0)
		return -1;

	if (ignore_sigpipe && signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	return 0;
}

bool stop_signal_received(void)
{
	return received_signal != 0;
}

int stop_signal_number(void)
{
	return received_signal;
}

int stop_signal_fd(void)
{
	return pipe_fds[0];
}
