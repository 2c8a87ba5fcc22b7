#include "store.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <libpq-fe.h>

#include "log.h"
#include "schema.h"
#include "upsert_params.h"
#include "upsert_result.h"

#define UPSERT_STATEMENT "buoy_upsert"

/* Maximum runs of the upsert for one batch, when concurrent writers make
 * it fail (see is_conflict). */
#define UPSERT_ATTEMPTS_MAX 3

struct store {
	PGconn *conn;
	struct upsert_params params;
	double database_ms;
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
		log_error("%s: run 'buoy-upsert --init' first", message);
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
	/* The input is UTF-8 JSON, whatever the database's encoding. */
	const char *const keywords[] = { "dbname", "fallback_application_name", "client_encoding",
	                                 NULL };
	const char *const values[] = { conninfo, "buoy-upsert", "UTF8", NULL };
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
	upsert_params_free(&store->params);
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
	char *sql = schema_upsert_sql();
	PGresult *result;
	int status = EX_OK;

	if (sql == NULL) {
		log_error("cannot prepare the upsert: out of memory");
		return EX_OSERR;
	}

	result = PQprepare(store->conn, UPSERT_STATEMENT, sql, 0, NULL);
	if (PQresultStatus(result) != PGRES_COMMAND_OK)
		status = report_failure(store, result, "cannot prepare the upsert");
	PQclear(result);
	free(sql);
	return status;
}

/* A unique violation means that another session inserted a key of the
 * batch after the statement's snapshot was taken. Deadlocks and
 * serialization failures also come from concurrent writers. Run again with
 * a new snapshot, the statement finds their rows and can succeed. */
static bool is_conflict(const PGresult *result)
{
	const char *sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);

	return sqlstate != NULL && (strcmp(sqlstate, "23505") == 0 ||
	                            strcmp(sqlstate, "40P01") == 0 ||
	                            strcmp(sqlstate, "40001") == 0);
}

static double elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static int send_upsert(struct store *store)
{
	const struct upsert_params *params = &store->params;
	struct timespec start;
	int sent;

	clock_gettime(CLOCK_MONOTONIC, &start);
	sent = PQsendQueryPrepared(store->conn, UPSERT_STATEMENT, SCHEMA_PARAM_COUNT,
	                           params->values, params->lengths, params->formats, 1);
	store->database_ms += elapsed_ms(&start);
	if (sent != 1)
		return report_failure(store, NULL, "cannot send the batch");
	return EX_OK;
}

/* Waits for the statement's result, which the caller clears, and reads
 * libpq's results to the end, as it requires before the next statement. */
static PGresult *wait_for_result(struct store *store)
{
	struct timespec start;
	PGresult *first = NULL;
	PGresult *result;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((result = PQgetResult(store->conn)) != NULL) {
		if (first == NULL)
			first = result;
		else
			PQclear(result);
	}
	store->database_ms += elapsed_ms(&start);
	return first;
}

/* Returns the result of the upsert sent last, running it again after a
 * conflict, or NULL after logging why it failed. The caller clears the
 * result. */
static PGresult *finish_upsert(struct store *store, int *status)
{
	for (int attempt = 1;; attempt++) {
		PGresult *result = wait_for_result(store);

		if (PQresultStatus(result) == PGRES_TUPLES_OK)
			return result;

		if (!is_conflict(result) || attempt == UPSERT_ATTEMPTS_MAX) {
			*status = report_failure(store, result, "cannot store the batch");
			if (is_conflict(result))
				*status = EX_TEMPFAIL;
			PQclear(result);
			return NULL;
		}
		log_warning("batch conflicted with another session (SQLSTATE %s); "
		            "running it again, attempt %d of %d",
		            PQresultErrorField(result, PG_DIAG_SQLSTATE), attempt + 1,
		            UPSERT_ATTEMPTS_MAX);
		PQclear(result);

		*status = send_upsert(store);
		if (*status != EX_OK)
			return NULL;
	}
}

static void reset_outcomes(struct batch *batch)
{
	for (size_t i = 0; i < batch->count; i++)
		batch->rows[i].outcome = ROW_UNCHANGED;
	batch->stations_inserted = 0;
	batch->stations_updated = 0;
}

int store_send_batch(struct store *store, struct batch *batch)
{
	batch_select_unique(batch);
	if (upsert_params_build(&store->params, batch) != 0) {
		log_error("cannot store the batch: out of memory");
		return EX_OSERR;
	}
	return send_upsert(store);
}

int store_finish_batch(struct store *store, struct batch *batch)
{
	char error[256];
	PGresult *result;
	int status = EX_OK;

	result = finish_upsert(store, &status);
	if (result == NULL)
		return status;

	/* The batch is committed by now, so a result that cannot be read is
	 * reported, and the rows it does not name count as unchanged. */
	if (upsert_result_apply(result, batch, error, sizeof error) != 0) {
		log_error("cannot read the upsert result: %s", error);
		reset_outcomes(batch);
		status = EX_SOFTWARE;
	}
	PQclear(result);
	return status;
}

void store_poll(struct store *store)
{
	PQconsumeInput(store->conn);
}

double store_database_ms(const struct store *store)
{
	return store->database_ms;
}
