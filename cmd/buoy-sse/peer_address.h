/* The peer of an HTTP connection as text, for log lines. */
#ifndef BUOY_SSE_PEER_ADDRESS_H
#define BUOY_SSE_PEER_ADDRESS_H

#include <stddef.h>

struct evhttp_connection;

/* Room for "[IPv6 address]:port". */
#define PEER_ADDRESS_MAX 56

/* Writes "host:port", "[host]:port" for IPv6, or "unknown" into out. */
void peer_address_format(struct evhttp_connection *connection, char *out, size_t out_size);

#endif
