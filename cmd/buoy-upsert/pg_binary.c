#include "pg_binary.h"

#include <stdlib.h>
#include <string.h>

/* PostgreSQL's epoch, 2000-01-01 00:00:00 UTC, in Unix time. */
#define POSTGRES_EPOCH_UNIX 946684800

/* Initial size of an array's buffer, which doubles as elements are added. */
#define ARRAY_INITIAL_CAPACITY 4096

static void put_u32(unsigned char *out, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		out[i] = (unsigned char)(value >> (24 - 8 * i));
}

static void put_u64(unsigned char *out, uint64_t value)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(value >> (56 - 8 * i));
}

void pg_array_reset(struct pg_array *array, uint32_t element_type)
{
	array->len = PG_ARRAY_HEADER_SIZE;
	array->element_type = element_type;
	array->count = 0;
	array->has_null = false;
}

void pg_array_free(struct pg_array *array)
{
	free(array->data);
	memset(array, 0, sizeof *array);
}

static int reserve(struct pg_array *array, size_t extra)
{
	size_t capacity = array->capacity > 0 ? array->capacity : ARRAY_INITIAL_CAPACITY;
	unsigned char *data;

	if (array->len + extra <= array->capacity)
		return 0;
	while (capacity < array->len + extra)
		capacity *= 2;
	data = realloc(array->data, capacity);
	if (data == NULL)
		return -1;
	array->data = data;
	array->capacity = capacity;
	return 0;
}

/* Appends an element of len bytes and returns where its bytes go. */
static unsigned char *add_element(struct pg_array *array, uint32_t len)
{
	unsigned char *out;

	if (reserve(array, 4 + (size_t)len) != 0)
		return NULL;
	out = array->data + array->len;
	put_u32(out, len);
	array->len += 4 + (size_t)len;
	array->count++;
	return out + 4;
}

int pg_array_add_text(struct pg_array *array, const char *text)
{
	size_t len = strlen(text);
	unsigned char *out = add_element(array, (uint32_t)len);

	if (out == NULL)
		return -1;
	memcpy(out, text, len);
	return 0;
}

int pg_array_add_float8(struct pg_array *array, double value)
{
	unsigned char *out = add_element(array, 8);
	uint64_t bits;

	if (out == NULL)
		return -1;
	memcpy(&bits, &value, sizeof bits);
	put_u64(out, bits);
	return 0;
}

int pg_array_add_timestamptz(struct pg_array *array, time_t time)
{
	unsigned char *out = add_element(array, 8);
	int64_t micros = ((int64_t)time - POSTGRES_EPOCH_UNIX) * 1000000;

	if (out == NULL)
		return -1;
	put_u64(out, (uint64_t)micros);
	return 0;
}

int pg_array_add_null(struct pg_array *array)
{
	if (reserve(array, 4) != 0)
		return -1;
	put_u32(array->data + array->len, UINT32_MAX);   /* a length of -1 */
	array->len += 4;
	array->count++;
	array->has_null = true;
	return 0;
}

int pg_array_finish(struct pg_array *array)
{
	unsigned char *header;

	if (reserve(array, 0) != 0)
		return -1;
	header = array->data;
	put_u32(header, 1);                      /* dimensions */
	put_u32(header + 4, array->has_null);
	put_u32(header + 8, array->element_type);
	put_u32(header + 12, array->count);      /* length */
	put_u32(header + 16, 1);                 /* lower bound */
	return 0;
}

bool pg_int4_array_open(struct pg_int4_array_reader *reader, const char *data, size_t len)
{
	int32_t dimensions;

	reader->at = (const unsigned char *)data;
	reader->end = reader->at + len;
	reader->remaining = 0;
	if (len < 12)
		return false;

	dimensions = pg_binary_int32(data);
	if (dimensions == 0)
		return true;
	if (dimensions != 1 || len < PG_ARRAY_HEADER_SIZE ||
	    pg_binary_int32(data + 8) != PG_OID_INT4 || pg_binary_int32(data + 12) < 0)
		return false;
	reader->remaining = (uint32_t)pg_binary_int32(data + 12);
	reader->at += PG_ARRAY_HEADER_SIZE;
	return true;
}

bool pg_int4_array_next(struct pg_int4_array_reader *reader, int32_t *value)
{
	if (reader->remaining == 0 || reader->end - reader->at < 8 ||
	    pg_binary_int32((const char *)reader->at) != 4)
		return false;
	*value = pg_binary_int32((const char *)reader->at + 4);
	reader->at += 8;
	reader->remaining--;
	return true;
}

int32_t pg_binary_int32(const char *in)
{
	const unsigned char *bytes = (const unsigned char *)in;
	uint32_t value = 0;

	for (int i = 0; i < 4; i++)
		value = value << 8 | bytes[i];
	return (int32_t)value;
}

int64_t pg_binary_int64(const char *in)
{
	uint64_t high = (uint32_t)pg_binary_int32(in);
	uint64_t low = (uint32_t)pg_binary_int32(in + 4);

	return (int64_t)(high << 32 | low);
}

double pg_binary_float8(const char *in)
{
	uint64_t bits = (uint64_t)pg_binary_int64(in);
	double value;

	memcpy(&value, &bits, sizeof value);
	return value;
}

time_t pg_binary_unix_time(int64_t micros)
{
	int64_t seconds = micros / 1000000;

	if (micros % 1000000 < 0)
		seconds--;
	return (time_t)(seconds + POSTGRES_EPOCH_UNIX);
}
