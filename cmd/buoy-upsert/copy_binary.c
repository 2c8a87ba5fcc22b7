#include "copy_binary.h"

#include <string.h>

/* PostgreSQL counts timestamps in microseconds from 2000-01-01 00:00:00 UTC. */
#define POSTGRES_EPOCH_UNIX 946684800

static size_t put_u16(unsigned char *out, uint16_t value)
{
	out[0] = (unsigned char)(value >> 8);
	out[1] = (unsigned char)value;
	return 2;
}

static size_t put_u32(unsigned char *out, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		out[i] = (unsigned char)(value >> (24 - 8 * i));
	return 4;
}

static size_t put_u64(unsigned char *out, uint64_t value)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(value >> (56 - 8 * i));
	return 8;
}

size_t copy_binary_header(unsigned char *out)
{
	static const unsigned char signature[11] = "PGCOPY\n\377\r\n";   /* and a NUL */
	size_t len = sizeof signature;

	memcpy(out, signature, sizeof signature);
	len += put_u32(out + len, 0);   /* flags: no OIDs */
	len += put_u32(out + len, 0);   /* header extension length */
	return len;
}

static size_t put_field_length(unsigned char *out, int32_t length)
{
	return put_u32(out, (uint32_t)length);
}

static size_t put_double(unsigned char *out, double value)
{
	uint64_t bits;
	size_t len;

	memcpy(&bits, &value, sizeof bits);
	len = put_field_length(out, 8);
	return len + put_u64(out + len, bits);
}

size_t copy_binary_row(const struct observation *obs, int32_t seq, unsigned char *out)
{
	size_t id_len = strlen(obs->station_id);
	int64_t micros = ((int64_t)obs->observed_at - POSTGRES_EPOCH_UNIX) * 1000000;
	size_t len = put_u16(out, 3 + OBS_FIELD_COUNT);

	len += put_field_length(out + len, 4);
	len += put_u32(out + len, (uint32_t)seq);

	len += put_field_length(out + len, (int32_t)id_len);
	memcpy(out + len, obs->station_id, id_len);
	len += id_len;

	len += put_field_length(out + len, 8);
	len += put_u64(out + len, (uint64_t)micros);

	for (int field = 0; field < OBS_FIELD_COUNT; field++) {
		if (observation_has(obs, field))
			len += put_double(out + len, obs->value[field]);
		else
			len += put_field_length(out + len, -1);   /* NULL */
	}
	return len;
}

size_t copy_binary_trailer(unsigned char *out)
{
	return put_u16(out, 0xffff);   /* a field count of -1 */
}
