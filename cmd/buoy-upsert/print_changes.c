#include "print_changes.h"

#include <jv.h>

#include "observation.h"

/* Writes the line with its measurements replaced by the row's values. The
 * line was read as a JSON object before it joined the batch, so the
 * fallback to the record's own fields only guards against a libjq that
 * reads it differently the second time. */
static int print_stored_values(const struct batch *batch, const struct batch_row *row, FILE *out)
{
	jv object = jv_parse_sized(batch->text + row->line_start, (int)row->line_len);
	jv text;
	int written;

	if (jv_get_kind(object) != JV_KIND_OBJECT) {
		jv_free(object);
		return observation_write_json(&row->obs, out);
	}
	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		jv value = observation_has(&row->obs, field) ? jv_number(row->obs.value[field]) :
		           jv_null();

		object = jv_object_set(object, jv_string(obs_fields[field].json_name), value);
	}

	text = jv_dump_string(object, 0);
	written = fprintf(out, "%s\n", jv_string_value(text));
	jv_free(text);
	return written < 0 ? -1 : 0;
}

int print_changes(const struct batch *batch, FILE *out)
{
	for (size_t i = 0; i < batch->count; i++) {
		const struct batch_row *row = &batch->rows[i];

		if (row->outcome == ROW_UNCHANGED)
			continue;
		if (row->differs_from_line) {
			if (print_stored_values(batch, row, out) != 0)
				return -1;
			continue;
		}
		fwrite(batch->text + row->line_start, 1, row->line_len, out);
		putc('\n', out);
		if (ferror(out))
			return -1;
	}
	return 0;
}
