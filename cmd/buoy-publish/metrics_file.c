#include "metrics_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "atomic_file.h"

/* Writes a label value with '\', '"' and newlines escaped, as the text
 * format requires. */
static void put_label_value(FILE *out, const char *value)
{
	for (const char *c = value; *c != '\0'; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', out);
		if (*c == '\n')
			fputs("\\n", out);
		else
			fputc(*c, out);
	}
}

static void put_lines(FILE *out, const struct publish_counts *counts)
{
	static const char *const results[] = { "published", "failed", "invalid" };
	unsigned long values[] = { counts->published, counts->failed, counts->invalid };

	fputs("# HELP buoy_publish_last_run_lines Input lines of the last run, by result.\n"
	      "# TYPE buoy_publish_last_run_lines gauge\n", out);
	for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
		fputs("buoy_publish_last_run_lines{channel=\"", out);
		put_label_value(out, counts->channel);
		fprintf(out, "\",result=\"%s\"} %lu\n", results[i], values[i]);
	}
}

static void put_metrics(FILE *out, const struct publish_counts *counts)
{
	put_lines(out, counts);
	fprintf(out,
	        "# HELP buoy_publish_last_run_exit_status Exit status of the last run.\n"
	        "# TYPE buoy_publish_last_run_exit_status gauge\n"
	        "buoy_publish_last_run_exit_status %d\n"
	        "# HELP buoy_publish_last_run_timestamp_seconds When the last run ended, "
	        "in seconds since the epoch.\n"
	        "# TYPE buoy_publish_last_run_timestamp_seconds gauge\n"
	        "buoy_publish_last_run_timestamp_seconds %lld\n",
	        counts->exit_status, (long long)time(NULL));
}

int metrics_file_write(const char *path, const struct publish_counts *counts,
                       char *error, size_t error_size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int result;

	if (out == NULL) {
		snprintf(error, error_size, "%s", strerror(errno));
		return -1;
	}
	put_metrics(out, counts);
	if (fclose(out) != 0) {
		snprintf(error, error_size, "%s", strerror(errno));
		free(text);
		return -1;
	}

	result = atomic_file_write(path, text, len, error, error_size);
	free(text);
	return result;
}
