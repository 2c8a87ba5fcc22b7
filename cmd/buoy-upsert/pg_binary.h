/*
 * PostgreSQL's binary wire format, as buoy-upsert uses it: one-dimensional
 * arrays sent as the parameters of the upsert statement and read there
 * with unnest(), and the integer fields of its binary results.
 *
 * The binary format carries a double's exact bits and a timestamp as an
 * integer, so no value is rounded through text on its way in or out. The
 * array layout is the one that array_send writes and array_recv reads in
 * PostgreSQL's src/backend/utils/adt/arrayfuncs.c. It starts with five
 * big-endian int32: dimensions, a has-nulls flag, the element type's OID,
 * the length and the lower bound. Each element follows as an int32 byte
 * length (-1 for NULL) and its bytes. A timestamptz is an int64 of
 * microseconds since 2000-01-01 00:00:00 UTC.
 */
#ifndef BUOY_UPSERT_PG_BINARY_H
#define BUOY_UPSERT_PG_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Element type OIDs, fixed in PostgreSQL's pg_type.dat. */
#define PG_OID_INT4 23
#define PG_OID_TEXT 25
#define PG_OID_FLOAT8 701
#define PG_OID_TIMESTAMPTZ 1184

/* Bytes of the header in front of an array's elements. */
#define PG_ARRAY_HEADER_SIZE 20

struct pg_array {
	unsigned char *data;         /* the header, then the elements */
	size_t len;
	size_t capacity;
	uint32_t element_type;
	uint32_t count;
	bool has_null;
};

/* Empties the array and sets its element type, keeping its memory. */
void pg_array_reset(struct pg_array *array, uint32_t element_type);
void pg_array_free(struct pg_array *array);

/* Each appends one element. Returns 0, or -1 when memory runs out. */
int pg_array_add_text(struct pg_array *array, const char *text);
int pg_array_add_float8(struct pg_array *array, double value);
int pg_array_add_timestamptz(struct pg_array *array, time_t time);
int pg_array_add_null(struct pg_array *array);

/* Writes the header. Call after the last element; then data and len are
 * the parameter's value. Returns 0, or -1 when memory runs out. */
int pg_array_finish(struct pg_array *array);

/* An integer[] of one dimension, or none, from a binary result field. */
struct pg_int4_array_reader {
	const unsigned char *at;
	const unsigned char *end;
	uint32_t remaining;
};

/* Checks the header of the len bytes at data. Returns false when they are
 * not a one-dimensional integer[] or an empty array. */
bool pg_int4_array_open(struct pg_int4_array_reader *reader, const char *data, size_t len);

/* Reads the next element. Returns false at the end, or for an element
 * that is NULL or cut short. */
bool pg_int4_array_next(struct pg_int4_array_reader *reader, int32_t *value);

/* Read big-endian integers and doubles from binary result fields. */
int32_t pg_binary_int32(const char *in);
int64_t pg_binary_int64(const char *in);
double pg_binary_float8(const char *in);

/* Converts a binary timestamptz to Unix time, in whole seconds rounded
 * down. */
time_t pg_binary_unix_time(int64_t micros);

#endif
