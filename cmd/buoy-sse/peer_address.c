#include "peer_address.h"

#include <stdio.h>
#include <string.h>

#include <event2/http.h>

void peer_address_format(struct evhttp_connection *connection, char *out, size_t out_size)
{
	char *host = NULL;
	ev_uint16_t port = 0;

	if (connection != NULL)
		evhttp_connection_get_peer(connection, &host, &port);
	if (host == NULL)
		snprintf(out, out_size, "unknown");
	else if (strchr(host, ':') != NULL)
		snprintf(out, out_size, "[%s]:%u", host, (unsigned)port);
	else
		snprintf(out, out_size, "%s:%u", host, (unsigned)port);
}
