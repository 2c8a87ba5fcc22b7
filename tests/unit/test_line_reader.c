/* Unit tests for line_reader: bounded line reading from pipes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "line_reader.h"

struct pipe_reader {
	struct line_reader reader;
	int write_fd;
};

static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t written = write(fd, data, len);

		if (written < 0 && errno == EINTR)
			continue;
		assert_true(written > 0);
		data += written;
		len -= (size_t)written;
	}
}

static void open_pipe_reader(struct pipe_reader *pipe_reader, size_t max_line)
{
	int fds[2];

	assert_int_equal(pipe(fds), 0);
	pipe_reader->write_fd = fds[1];
	assert_int_equal(line_reader_init(&pipe_reader->reader, fds[0], max_line), 0);
}

static void close_writer(struct pipe_reader *pipe_reader)
{
	if (pipe_reader->write_fd >= 0)
		close(pipe_reader->write_fd);
	pipe_reader->write_fd = -1;
}

/* Each test gets a struct pipe_reader in *state, which the teardown closes
 * and frees even when an assertion ended the test early. */
static int setup_pipe_reader(void **state)
{
	struct pipe_reader *pipe_reader = calloc(1, sizeof *pipe_reader);

	if (pipe_reader == NULL)
		return -1;
	pipe_reader->reader.fd = -1;
	pipe_reader->write_fd = -1;
	*state = pipe_reader;
	return 0;
}

static int teardown_pipe_reader(void **state)
{
	struct pipe_reader *pipe_reader = *state;

	close_writer(pipe_reader);
	if (pipe_reader->reader.fd >= 0)
		close(pipe_reader->reader.fd);
	line_reader_free(&pipe_reader->reader);
	free(pipe_reader);
	return 0;
}

/* Macros rather than functions, so that a failure names the caller's line. */
#define expect_line(reader, expected)                                          \
	do {                                                                   \
		const char *line_ = NULL;                                      \
		size_t len_ = 0;                                               \
                                                                               \
		assert_int_equal(line_reader_next((reader), &line_, &len_), LINE_OK); \
		assert_int_equal(len_, strlen(expected));                      \
		assert_memory_equal(line_, (expected), len_);                  \
	} while (0)

#define expect_status(reader, expected)                                        \
	do {                                                                   \
		const char *line_;                                             \
		size_t len_;                                                   \
                                                                               \
		assert_int_equal(line_reader_next((reader), &line_, &len_), (expected)); \
	} while (0)

static void lines_and_last_line_without_newline(void **state)
{
	static const char input[] = "a\nbb\n\nccc";
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 16);
	write_all(p->write_fd, input, sizeof input - 1);
	close_writer(p);

	expect_line(&p->reader, "a");
	assert_int_equal(p->reader.line_number, 1);
	expect_line(&p->reader, "bb");
	expect_line(&p->reader, "");
	expect_line(&p->reader, "ccc");
	assert_int_equal(p->reader.line_number, 4);
	expect_status(&p->reader, LINE_EOF);
	expect_status(&p->reader, LINE_EOF);
}

static void empty_input(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 16);
	close_writer(p);
	expect_status(&p->reader, LINE_EOF);
	assert_int_equal(p->reader.line_number, 0);
}

static void carriage_return_kept(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 16);
	write_all(p->write_fd, "x\r\n", 3);
	close_writer(p);
	expect_line(&p->reader, "x\r");
	expect_status(&p->reader, LINE_EOF);
}

static void line_of_exactly_max(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 8);
	write_all(p->write_fd, "12345678\n87654321", 17);
	close_writer(p);
	expect_line(&p->reader, "12345678");
	expect_line(&p->reader, "87654321");
	expect_status(&p->reader, LINE_EOF);
}

static void too_long_lines_dropped(void **state)
{
	static const char input[] =
		"123456789\n"
		"ok\n"
		"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\n"
		"after\n"
		"123456789abc";
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 8);
	write_all(p->write_fd, input, sizeof input - 1);
	close_writer(p);

	expect_status(&p->reader, LINE_TOO_LONG);
	assert_int_equal(p->reader.line_number, 1);
	expect_line(&p->reader, "ok");
	expect_status(&p->reader, LINE_TOO_LONG);
	assert_int_equal(p->reader.line_number, 3);
	expect_line(&p->reader, "after");
	assert_int_equal(p->reader.line_number, 4);
	expect_status(&p->reader, LINE_TOO_LONG);
	assert_int_equal(p->reader.line_number, 5);
	expect_status(&p->reader, LINE_EOF);
}

/*
 * A too-long last line without a newline whose length is a multiple of
 * max_line + 1 (here 9 bytes with max_line 8) empties the buffer exactly;
 * it must still be reported as LINE_TOO_LONG with its line number.
 */
static void too_long_last_line_filling_buffer(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 8);
	write_all(p->write_fd, "ok\n123456789", 12);
	close_writer(p);
	expect_line(&p->reader, "ok");
	expect_status(&p->reader, LINE_TOO_LONG);
	assert_int_equal(p->reader.line_number, 2);
	expect_status(&p->reader, LINE_EOF);
}

/* Runs in a child process, so it reports failure by exit status: a cmocka
 * assertion there would carry on with the parent's tests. Line i is
 * (i * 101) % length_range copies of one letter. */
static _Noreturn void write_lines_and_exit(int fd, int lines, size_t length_range)
{
	char *line = malloc(length_range + 1);

	if (line == NULL)
		_exit(1);
	for (int i = 0; i < lines; i++) {
		size_t len = (size_t)(i * 101) % length_range;
		size_t done = 0;

		memset(line, 'a' + i % 26, len);
		line[len] = '\n';
		while (done < len + 1) {
			ssize_t written = write(fd, line + done, len + 1 - done);

			if (written < 0 && errno != EINTR)
				_exit(1);
			if (written > 0)
				done += (size_t)written;
		}
	}
	free(line);
	_exit(0);
}

/* Writes from a child process: more data than a pipe holds, so the reader
 * sees short reads and lines split across them. */
static void large_input_through_pipe(void **state)
{
	enum { LINES = 2000, MAX_LINE = 4096, LENGTH_RANGE = MAX_LINE + 200 };
	struct pipe_reader *p = *state;
	int too_long = 0;
	pid_t child;
	int status;

	open_pipe_reader(p, MAX_LINE);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p->reader.fd);
		write_lines_and_exit(p->write_fd, LINES, LENGTH_RANGE);
	}
	close_writer(p);

	for (int i = 0; i < LINES; i++) {
		size_t expected_len = (size_t)(i * 101) % LENGTH_RANGE;
		const char *line;
		size_t len;
		enum line_status got = line_reader_next(&p->reader, &line, &len);

		if (expected_len > MAX_LINE) {
			assert_int_equal(got, LINE_TOO_LONG);
			too_long++;
			continue;
		}
		assert_int_equal(got, LINE_OK);
		assert_int_equal(len, expected_len);
		for (size_t j = 0; j < len; j++)
			assert_int_equal(line[j], 'a' + i % 26);
	}
	expect_status(&p->reader, LINE_EOF);
	assert_int_equal(p->reader.line_number, LINES);
	assert_true(too_long > 10);

	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void nonblocking_empty_pipe_returns_again(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 16);
	assert_int_equal(fcntl(p->reader.fd, F_SETFL, O_NONBLOCK), 0);

	expect_status(&p->reader, LINE_AGAIN);

	write_all(p->write_fd, "part", 4);
	expect_status(&p->reader, LINE_AGAIN);
	assert_false(line_reader_has_line(&p->reader));

	write_all(p->write_fd, "ial\nnext\n", 9);
	expect_line(&p->reader, "partial");
	assert_true(line_reader_has_line(&p->reader));
	expect_line(&p->reader, "next");
	assert_false(line_reader_has_line(&p->reader));
	expect_status(&p->reader, LINE_AGAIN);

	close_writer(p);
	expect_status(&p->reader, LINE_EOF);
}

static void read_error_sets_errno(void **state)
{
	struct pipe_reader *p = *state;

	open_pipe_reader(p, 16);
	assert_int_equal(close(p->reader.fd), 0);

	errno = 0;
	expect_status(&p->reader, LINE_ERROR);
	assert_int_equal(errno, EBADF);
	p->reader.fd = -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lines_and_last_line_without_newline, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(empty_input, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(carriage_return_kept, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(line_of_exactly_max, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(too_long_lines_dropped, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(too_long_last_line_filling_buffer, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(large_input_through_pipe, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(nonblocking_empty_pipe_returns_again, setup_pipe_reader,
		                                teardown_pipe_reader),
		cmocka_unit_test_setup_teardown(read_error_sets_errno, setup_pipe_reader,
		                                teardown_pipe_reader),
	};

	return cmocka_run_group_tests_name("line_reader", tests, NULL, NULL);
}
