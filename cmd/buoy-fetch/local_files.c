#include "local_files.h"

#include <string.h>

#include "log.h"
#include "obs_list.h"
#include "parse_text.h"
#include "progress.h"
#include "read_file.h"
#include "stop_signal.h"

static void clear_progress(void *context)
{
	progress_clear(context);
}

/* Finds the station of a file without an STN column: --station, else the
 * file's name; empty when neither gives one. */
static void file_station(const char *path, const char *station_option,
                         char station[STATION_ID_MAX + 1])
{
	station[0] = '\0';
	if (station_option != NULL)
		station_id_normalize(station_option, strlen(station_option), station);
	else if (strcmp(path, "-") != 0)
		station_id_from_filename(path, station);
}

/* Appends the rows of one file to list, sorted and with their repeated
 * times merged. Returns the number of rows appended. */
static unsigned long read_one_file(const char *path, const char *station_option,
                                   struct obs_list *list, struct progress *progress,
                                   struct outcome *outcome)
{
	struct http_body body = { 0 };
	struct parse_summary summary = { 0 };
	char station[STATION_ID_MAX + 1];
	char error[256];
	size_t first = list->count;

	if (read_whole_file(path, &body, error, sizeof error) != 0) {
		progress_clear(progress);
		log_error("cannot read %s: %s", path, error);
		outcome->no_input++;
		goto cleanup;
	}

	file_station(path, station_option, station);
	if (parse_ndbc_text(path, station[0] ? station : NULL, body.data, body.len, list,
	                    &summary) != 0) {
		list->count = first;
		outcome->bad_data++;
		goto cleanup;
	}
	if (obs_list_sort_file(list, first) != 0) {
		progress_clear(progress);
		log_error("%s: out of memory while sorting %zu observations", path,
		          list->count - first);
		list->count = first;
		outcome->bad_data++;
		goto cleanup;
	}
	outcome_add_parse(outcome, &summary);

cleanup:
	http_body_free(&body);
	return (unsigned long)(list->count - first);
}

void read_local_files(const char *const *paths, int count, const char *station_option,
                      struct outcome *outcome)
{
	struct obs_list list = { 0 };
	struct progress progress;

	progress_start(&progress, count);
	parse_text_set_before_log(clear_progress, &progress);
	for (int i = 0; i < count && !stop_signal_received(); i++) {
		unsigned long rows;

		progress_begin_file(&progress, paths[i]);
		rows = read_one_file(paths[i], station_option, &list, &progress, outcome);
		progress_end_file(&progress, rows);
	}
	progress_finish(&progress);
	parse_text_set_before_log(NULL, NULL);

	if (obs_list_sort_files(&list) != 0) {
		log_error("out of memory while sorting %zu observations", list.count);
		outcome->bad_data++;
	} else {
		print_all_observations(&list, outcome);
	}
	obs_list_free(&list);
}
