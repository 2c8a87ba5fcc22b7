/*
 * Rows in PostgreSQL's binary COPY format, for
 * COPY buoy_upsert_batch (seq, station_id, observed_at, <measurements>)
 * FROM STDIN (FORMAT binary).
 *
 * The binary format carries a double's exact bits and a timestamp as an
 * integer, so no value is rounded through text on its way in. The format is
 * described in the PostgreSQL manual, section "COPY", "Binary Format".
 */
#ifndef BUOY_UPSERT_COPY_BINARY_H
#define BUOY_UPSERT_COPY_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "observation.h"

#define COPY_HEADER_SIZE 19
#define COPY_TRAILER_SIZE 2

/* Field count, then length and bytes of seq, station_id, observed_at and
 * each measurement. */
#define COPY_ROW_MAX (2 + (4 + 4) + (4 + STATION_ID_MAX) + (4 + 8) + OBS_FIELD_COUNT * (4 + 8))

/* Each writes into out, which has room for the matching _SIZE or _MAX,
 * and returns the number of bytes written. */
size_t copy_binary_header(unsigned char *out);
size_t copy_binary_row(const struct observation *obs, int32_t seq, unsigned char *out);
size_t copy_binary_trailer(unsigned char *out);

#endif
