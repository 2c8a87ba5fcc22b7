#include "store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <libpq-fe.h>

#include "copy_binary.h"
#include "log.h"
#include "numparse.h"
#include "schema.h"

/* Bytes of COPY data sent to the server at a time. */
#define COPY_CHUNK_SIZE (64 * 1024)

#define UPSERT_STATEMENT "buoy_upsert"

struct store {
	PGconn *conn;
	char *copy_sql;
	unsigned char chunk[COPY_CHUNK_SIZE];
	size_t chunk_len;
};

/* Copies a libpq message, which may span lines, onto one line. */
static void flatten_message(const char *message, char *out, size_t out_size)
{
	size_t len = 0;
	bool pending_space = false;

	for (const char *c = message; *c != '\0' && len + 2 < out_size; c++) {
		if (*c == '\n' || *c == '\t' || *c == ' ') {
			pending_space = len > 0;
			continue;
		}
		if (pending_space)
			out[len++] = ' ';
		pending_space = false;
		out[len++] = *c;
	}
	out[len] = '\0';
}

static bool is_temporary(const char *sqlstate)
{
	/* Classes 08 connection exception, 40 transaction rollback (deadlock,
	 * serialization failure), 53 insufficient resources and 57 operator
	 * intervention (shutdown, cancel). */
	static const char *const classes[] = { "08", "40", "53", "57" };

	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strncmp(sqlstate, classes[i], 2) == 0)
			return true;
	return false;
}

/* Logs the failure of the statement that produced result (NULL when libpq
 * returned none) and returns the exit status it calls for. */
static int report_failure(struct store *store, const PGresult *result, const char *failed_action)
{
	const char *sqlstate = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = result != NULL ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char message[1024];

	flatten_message(primary != NULL ? primary : PQerrorMessage(store->conn), message, sizeof message);
	if (PQstatus(store->conn) == CONNECTION_BAD) {
		log_error("%s: connection to PostgreSQL lost: %s", failed_action, message);
		return EX_TEMPFAIL;
	}
	if (sqlstate == NULL) {
		log_error("%s: %s", failed_action, message);
		return EX_SOFTWARE;
	}
	if (strcmp(sqlstate, "42P01") == 0) {
		log_error("table \"observations\" does not exist: run 'buoy-upsert --init' first");
		return EX_CONFIG;
	}
	if (strcmp(sqlstate, "42703") == 0) {
		log_error("%s: run 'buoy-upsert --init' to add it", message);
		return EX_CONFIG;
	}
	log_error("%s: %s (SQLSTATE %s)", failed_action, message, sqlstate);
	return is_temporary(sqlstate) ? EX_TEMPFAIL : EX_SOFTWARE;
}

/* Runs a statement that returns no rows. */
static int run_command(struct store *store, const char *sql, const char *failed_action)
{
	PGresult *result = PQexec(store->conn, sql);
	int status = EX_OK;

	if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK)
		status = report_failure(store, result, failed_action);
	PQclear(result);
	return status;
}

/* Connection strings carry passwords, so a parse error is reported
 * without libpq's message, which may quote part of the string. */
static bool conninfo_is_valid(const char *conninfo)
{
	char *error = NULL;
	PQconninfoOption *options = PQconninfoParse(conninfo, &error);
	bool valid = options != NULL;

	PQconninfoFree(options);
	PQfreemem(error);
	return valid;
}

/* Server notices, such as "relation already exists, skipping" from --init,
 * go to the debug log instead of libpq's default of plain stderr. */
static void log_notice(void *context, const char *message)
{
	char line[1024];

	(void)context;
	flatten_message(message, line, sizeof line);
	log_debug("PostgreSQL: %s", line);
}

static int check_connection(struct store *store)
{
	const char *integer_datetimes;
	char message[1024];

	if (PQstatus(store->conn) != CONNECTION_OK) {
		flatten_message(PQerrorMessage(store->conn), message, sizeof message);
		log_error("cannot connect to PostgreSQL: %s", message);
		return EX_UNAVAILABLE;
	}

	/* The binary COPY sends timestamps as integer microseconds, the only
	 * form servers have used since PostgreSQL 10. */
	integer_datetimes = PQparameterStatus(store->conn, "integer_datetimes");
	if (integer_datetimes == NULL || strcmp(integer_datetimes, "on") != 0) {
		log_error("cannot use PostgreSQL server %d: it stores timestamps as "
		          "floating point; use PostgreSQL 10 or later", PQserverVersion(store->conn));
		return EX_UNAVAILABLE;
	}

	PQsetNoticeProcessor(store->conn, log_notice, NULL);
	return EX_OK;
}

int store_open(const char *conninfo, struct store **out)
{
	const char *const keywords[] = { "dbname", "fallback_application_name", NULL };
	const char *const values[] = { conninfo, "buoy-upsert", NULL };
	struct store *store;
	int status;

	*out = NULL;
	if (*conninfo != '\0' && !conninfo_is_valid(conninfo)) {
		log_error("invalid DATABASE_URL: expected a PostgreSQL URI such as "
		          "postgresql://user@host:5432/dbname or key=value pairs");
		return EX_CONFIG;
	}

	store = calloc(1, sizeof *store);
	if (store == NULL) {
		log_error("cannot connect to PostgreSQL: out of memory");
		return EX_OSERR;
	}
	store->conn = PQconnectdbParams(keywords, values, 1);
	status = store->conn != NULL ? check_connection(store) : EX_OSERR;
	if (status != EX_OK) {
		store_close(store);
		return status;
	}

	*out = store;
	return EX_OK;
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	PQfinish(store->conn);
	free(store->copy_sql);
	free(store);
}

int store_init_schema(struct store *store)
{
	char *sql = schema_init_sql();
	int status;

	if (sql == NULL) {
		log_error("cannot create the schema: out of memory");
		return EX_OSERR;
	}
	status = run_command(store, sql, "cannot create the schema");
	free(sql);
	return status;
}

int store_prepare(struct store *store)
{
	char *table_sql = schema_batch_table_sql();
	char *upsert_sql = schema_upsert_sql();
	PGresult *result = NULL;
	int status = EX_OSERR;

	store->copy_sql = schema_copy_sql();
	if (table_sql == NULL || upsert_sql == NULL || store->copy_sql == NULL) {
		log_error("cannot prepare the upsert: out of memory");
		goto cleanup;
	}

	status = run_command(store, table_sql, "cannot create the batch table");
	if (status != EX_OK)
		goto cleanup;

	result = PQprepare(store->conn, UPSERT_STATEMENT, upsert_sql, 0, NULL);
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		status = report_failure(store, result, "cannot prepare the upsert");

cleanup:
	PQclear(result);
	free(table_sql);
	free(upsert_sql);
	return status;
}

static int send_chunk(struct store *store)
{
	if (store->chunk_len > 0 &&
	    PQputCopyData(store->conn, (const char *)store->chunk, (int)store->chunk_len) != 1)
		return -1;
	store->chunk_len = 0;
	return 0;
}

/* Streams the batch's unique rows. The seq column is each row's index in
 * input order. */
static int send_rows(struct store *store, const struct batch *batch)
{
	store->chunk_len = copy_binary_header(store->chunk);
	for (size_t i = 0; i < batch->unique_count; i++) {
		const struct batch_row *row = batch->unique[i];

		/* Room for this row and, should it be the last, the trailer. */
		if (COPY_CHUNK_SIZE - store->chunk_len < COPY_ROW_MAX + COPY_TRAILER_SIZE &&
		    send_chunk(store) != 0)
			return -1;
		store->chunk_len += copy_binary_row(&row->obs, (int32_t)(row - batch->rows),
		                                    store->chunk + store->chunk_len);
	}
	store->chunk_len += copy_binary_trailer(store->chunk + store->chunk_len);
	return send_chunk(store);
}

static int copy_batch(struct store *store, const struct batch *batch)
{
	PGresult *result = PQexec(store->conn, store->copy_sql);
	int status = EX_OK;

	if (PQresultStatus(result) != PGRES_COPY_IN) {
		status = report_failure(store, result, "cannot start COPY of the batch");
		PQclear(result);
		return status;
	}
	PQclear(result);

	/* On a send failure PQputCopyEnd still ends the COPY, so that the
	 * results below report the cause. */
	if (send_rows(store, batch) != 0)
		PQputCopyEnd(store->conn, "buoy-upsert could not send the batch");
	else
		PQputCopyEnd(store->conn, NULL);

	while ((result = PQgetResult(store->conn)) != NULL) {
		if (PQresultStatus(result) != PGRES_COMMAND_OK && status == EX_OK)
			status = report_failure(store, result, "cannot copy the batch");
		PQclear(result);
	}
	return status;
}

/* Marks the rows that the upsert reports, by their seq column. */
static int mark_changed_rows(struct store *store, const PGresult *result, struct batch *batch)
{
	int rows = PQntuples(result);

	for (int i = 0; i < rows; i++) {
		long seq;

		if (!parse_long_range(PQgetvalue(result, i, 0), 0, (long)batch->count - 1, &seq)) {
			log_error("cannot read the upsert result: seq '%s' is out of range",
			          PQgetvalue(result, i, 0));
			return EX_SOFTWARE;
		}
		batch->rows[seq].outcome =
			strcmp(PQgetvalue(result, i, 1), "t") == 0 ? ROW_INSERTED : ROW_UPDATED;
	}
	return EX_OK;
}

static int upsert_batch(struct store *store, struct batch *batch)
{
	PGresult *result = PQexecPrepared(store->conn, UPSERT_STATEMENT, 0, NULL, NULL, NULL, 0);
	int status;

	if (PQresultStatus(result) == PGRES_TUPLES_OK)
		status = mark_changed_rows(store, result, batch);
	else
		status = report_failure(store, result, "cannot upsert the batch");
	PQclear(result);
	return status;
}

static void reset_outcomes(struct batch *batch)
{
	for (size_t i = 0; i < batch->count; i++)
		batch->rows[i].outcome = ROW_UNCHANGED;
}

int store_write_batch(struct store *store, struct batch *batch)
{
	int status;

	batch_select_unique(batch);
	status = run_command(store, "BEGIN", "cannot begin a transaction");
	if (status != EX_OK)
		return status;

	status = copy_batch(store, batch);
	if (status == EX_OK)
		status = upsert_batch(store, batch);
	if (status == EX_OK)
		status = run_command(store, "COMMIT", "cannot commit the batch");

	if (status != EX_OK) {
		reset_outcomes(batch);
		if (PQstatus(store->conn) == CONNECTION_OK)
			PQclear(PQexec(store->conn, "ROLLBACK"));
	}
	return status;
}
