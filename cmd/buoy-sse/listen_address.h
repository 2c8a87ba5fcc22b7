/* The address buoy-sse listens on: "host:port", "[v6]:port" or ":port". */
#ifndef BUOY_SSE_LISTEN_ADDRESS_H
#define BUOY_SSE_LISTEN_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

#define LISTEN_HOST_MAX 255

struct listen_address {
	char host[LISTEN_HOST_MAX + 1];   /* brackets removed; empty: every interface */
	char port[sizeof "65535"];
};

/* Parses text into address. The port must be a number from 1 to 65535.
 * Returns false with a message in error. */
bool listen_address_parse(const char *text, struct listen_address *address,
                          char *error, size_t error_size);

/*
 * Opens a non-blocking TCP socket listening on address. An empty host
 * listens on every IPv6 and IPv4 interface, or on every IPv4 interface
 * when the system has no IPv6. Returns the socket, or -1 with a message
 * in error naming the address and the reason.
 */
int listen_address_open(const struct listen_address *address, char *error, size_t error_size);

#endif
