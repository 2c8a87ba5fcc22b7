#include "listen_address.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "numparse.h"

/* Pending connections the kernel queues before accept(); Linux caps it at
 * net.core.somaxconn. */
#define LISTEN_BACKLOG 4096

/* Splits text at the colon before the port, honouring "[v6]" brackets.
 * Returns false when the text has no such colon. */
static bool split_host_port(const char *text, const char **host, size_t *host_len,
                            const char **port)
{
	const char *colon;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return false;
		*host = text + 1;
		*host_len = (size_t)(close - text - 1);
		*port = close + 2;
		return true;
	}

	colon = strrchr(text, ':');
	if (colon == NULL || memchr(text, ':', (size_t)(colon - text)) != NULL)
		return false;
	*host = text;
	*host_len = (size_t)(colon - text);
	*port = colon + 1;
	return true;
}

bool listen_address_parse(const char *text, struct listen_address *address,
                          char *error, size_t error_size)
{
	const char *host;
	const char *port;
	size_t host_len;
	long port_number;

	if (!split_host_port(text, &host, &host_len, &port)) {
		snprintf(error, error_size, "invalid listen address '%s': expected host:port, "
		         "[IPv6]:port or :port", text);
		return false;
	}
	if (host_len > LISTEN_HOST_MAX) {
		snprintf(error, error_size, "invalid listen address '%s': host is longer than %d bytes",
		         text, LISTEN_HOST_MAX);
		return false;
	}
	if (!parse_long_range(port, 1, 65535, &port_number)) {
		snprintf(error, error_size, "invalid listen address '%s': port must be a number "
		         "from 1 to 65535", text);
		return false;
	}

	memcpy(address->host, host, host_len);
	address->host[host_len] = '\0';
	snprintf(address->port, sizeof address->port, "%ld", port_number);
	return true;
}

/* Binds and listens on one resolved address. Returns the socket, or -1
 * with errno set. */
static int open_one(const struct addrinfo *info)
{
	int fd = socket(info->ai_family, info->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	                info->ai_protocol);
	int on = 1;
	int off = 0;
	int saved_errno;

	if (fd < 0)
		return -1;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
		goto fail;
	/* An IPv6 wildcard socket also accepts IPv4 clients, whatever the
	 * net.ipv6.bindv6only default is. */
	if (info->ai_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0)
		goto fail;
	if (bind(fd, info->ai_addr, info->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0)
		goto fail;
	return fd;

fail:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return -1;
}

static int open_resolved(const char *host, const char *port, char *error, size_t error_size)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *list;
	int fd = -1;
	int status = getaddrinfo(host, port, &hints, &list);

	if (status != 0) {
		snprintf(error, error_size, "cannot resolve listen host '%s': %s",
		         host, gai_strerror(status));
		errno = EADDRNOTAVAIL;
		return -1;
	}

	errno = EADDRNOTAVAIL;
	for (const struct addrinfo *info = list; info != NULL && fd < 0; info = info->ai_next)
		fd = open_one(info);
	if (fd < 0)
		snprintf(error, error_size, "cannot listen on %s%s%s:%s: %s",
		         strchr(host, ':') != NULL ? "[" : "", host,
		         strchr(host, ':') != NULL ? "]" : "", port, strerror(errno));

	freeaddrinfo(list);
	return fd;
}

int listen_address_open(const struct listen_address *address, char *error, size_t error_size)
{
	int fd;

	if (address->host[0] != '\0')
		return open_resolved(address->host, address->port, error, error_size);

	/* Without IPv6 the "::" socket fails with EAFNOSUPPORT or
	 * EADDRNOTAVAIL; a port in use or a port below 1024 fails the same
	 * way on IPv4, so only those are reported at once. */
	fd = open_resolved("::", address->port, error, error_size);
	if (fd < 0 && errno != EADDRINUSE && errno != EACCES)
		fd = open_resolved("0.0.0.0", address->port, error, error_size);
	return fd;
}
