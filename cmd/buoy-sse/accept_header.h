/* Content negotiation for the event stream. */
#ifndef BUOY_SSE_ACCEPT_HEADER_H
#define BUOY_SSE_ACCEPT_HEADER_H

#include <stdbool.h>

/*
 * Returns true when an Accept header value allows text/event-stream: it
 * lists text/event-stream, or a wildcard range that covers it ("text/"
 * followed by an asterisk, or an asterisk on both sides of the slash),
 * with a quality above zero. A missing (NULL) or empty header allows any
 * type, as HTTP defines for a missing one.
 */
bool accept_allows_event_stream(const char *accept);

#endif
