#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"

#define LINE_MAX_WIDTH 512
#define DEFAULT_COLUMNS 80

static double seconds_between(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) + (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* Writes value with a comma every three digits ("1,234,567"): printf's '
 * flag depends on the locale, which buoy-fetch leaves as "C". */
static void format_count(unsigned long value, char *out, size_t size)
{
	char digits[32];
	int count = snprintf(digits, sizeof digits, "%lu", value);
	size_t at = 0;

	for (int i = 0; i < count && at + 2 < size; i++) {
		if (i > 0 && (count - i) % 3 == 0)
			out[at++] = ',';
		out[at++] = digits[i];
	}
	out[at] = '\0';
}

/* Returns the terminal's width in columns, less one so that the line never
 * wraps (a wrapped line cannot be rewritten with '\r'). */
static size_t line_width(void)
{
	struct winsize size;
	size_t columns = DEFAULT_COLUMNS;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1)
		columns = size.ws_col;
	if (columns > LINE_MAX_WIDTH)
		columns = LINE_MAX_WIDTH;
	return columns - 1;
}

/* Formats the counts into text: "buoy-fetch: 3/40 files, 123,456 rows,
 * 1,234,567 rows/s", then ", 44013h2015.txt" while a file is being read. */
static void format_line(const struct progress *progress, const struct timespec *now,
                        char *text, size_t size)
{
	double elapsed = seconds_between(&progress->start, now);
	char rows[32];
	char rate[32];
	int len;

	format_count(progress->rows, rows, sizeof rows);
	format_count(elapsed > 0.001 ? (unsigned long)((double)progress->rows / elapsed) : 0,
	             rate, sizeof rate);
	len = snprintf(text, size, "%s: %d/%d files, %s rows, %s rows/s", log_program(),
	               progress->files_done, progress->file_count, rows, rate);
	if (progress->current != NULL && len > 0 && (size_t)len < size) {
		const char *slash = strrchr(progress->current, '/');

		snprintf(text + len, size - (size_t)len, ", %s",
		         slash != NULL ? slash + 1 : progress->current);
	}
}

/* Rewrites the line, padding with spaces over a longer previous line. */
static void draw(struct progress *progress, const struct timespec *now)
{
	char text[LINE_MAX_WIDTH + 1];
	char line[2 * LINE_MAX_WIDTH + 2];
	size_t width = line_width();
	size_t len;

	format_line(progress, now, text, sizeof text);
	len = strlen(text);
	if (len > width)
		len = width;

	line[0] = '\r';
	memcpy(line + 1, text, len);
	if (progress->width > len)
		memset(line + 1 + len, ' ', progress->width - len);
	fwrite(line, 1, 1 + (progress->width > len ? progress->width : len), stderr);
	fflush(stderr);

	progress->width = len;
	progress->last_draw = *now;
	progress->drawn = true;
}

static void draw_when_due(struct progress *progress)
{
	struct timespec now;

	if (!progress->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!progress->drawn ||
	    seconds_between(&progress->last_draw, &now) * 1000 >= PROGRESS_INTERVAL_MS)
		draw(progress, &now);
}

void progress_start(struct progress *progress, int file_count)
{
	memset(progress, 0, sizeof *progress);
	progress->file_count = file_count;
	progress->enabled = file_count > 1 && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &progress->start);
}

void progress_begin_file(struct progress *progress, const char *path)
{
	progress->current = path;
	draw_when_due(progress);
}

void progress_end_file(struct progress *progress, unsigned long rows)
{
	progress->files_done++;
	progress->rows += rows;
}

void progress_clear(struct progress *progress)
{
	char line[LINE_MAX_WIDTH + 2];

	if (!progress->enabled || progress->width == 0)
		return;
	line[0] = '\r';
	memset(line + 1, ' ', progress->width);
	line[progress->width + 1] = '\r';
	fwrite(line, 1, progress->width + 2, stderr);
	fflush(stderr);
	progress->width = 0;

	/* Redraw at the next chance rather than leave the line empty. */
	progress->drawn = false;
}

void progress_finish(struct progress *progress)
{
	struct timespec now;

	if (!progress->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	progress->current = NULL;
	draw(progress, &now);
	fputc('\n', stderr);
	fflush(stderr);
	progress->width = 0;
}
