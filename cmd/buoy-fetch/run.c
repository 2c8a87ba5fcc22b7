#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

struct station_state *station_table_find(struct station_table *table, const char *id)
{
	for (int i = 0; i < table->count; i++)
		if (strcmp(table->items[i].id, id) == 0)
			return &table->items[i];

	if (!table->open || table->count == STATIONS_MAX)
		return NULL;

	struct station_state *added = &table->items[table->count++];

	memset(added, 0, sizeof *added);
	snprintf(added->id, sizeof added->id, "%s", id);
	return added;
}

int outcome_fail_write(struct outcome *outcome)
{
	outcome->output_failed = true;
	outcome->write_errno = errno;
	return -1;
}

static int sort_oldest_first(struct obs_list *list)
{
	if (obs_list_sort_by_time(list) == 0)
		return 0;
	log_error("out of memory while sorting %zu observations", list->count);
	return -1;
}

int print_new_observations(struct obs_list *list, struct station_table *table,
                           struct outcome *outcome)
{
	struct station_state *station = NULL;

	if (sort_oldest_first(list) != 0)
		return -1;
	for (size_t i = 0; i < list->count; i++) {
		const struct observation *obs = &list->items[i];

		/* Rows of one station usually come together: look up only on a change. */
		if (station == NULL || strcmp(station->id, obs->station_id) != 0)
			station = station_table_find(table, obs->station_id);
		if (station == NULL || obs->observed_at <= station->last_printed)
			continue;
		if (observation_write_json(obs, stdout) != 0)
			return outcome_fail_write(outcome);
		station->last_printed = obs->observed_at;
	}
	return fflush(stdout) == 0 ? 0 : outcome_fail_write(outcome);
}

int print_all_observations(struct obs_list *list, struct outcome *outcome)
{
	if (sort_oldest_first(list) != 0)
		return -1;
	for (size_t i = 0; i < list->count; i++)
		if (observation_write_json(&list->items[i], stdout) != 0)
			return outcome_fail_write(outcome);
	return fflush(stdout) == 0 ? 0 : outcome_fail_write(outcome);
}

void outcome_add_parse(struct outcome *outcome, const struct parse_summary *summary)
{
	if (summary->bad_file)
		outcome->bad_data++;
	else
		outcome->succeeded++;
}
