#include "http_get.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

struct http_client {
	CURL *curl;
	long timeout_ms;
};

/* State of one transfer, reached from libcurl's callbacks. */
struct transfer {
	struct http_body *body;
	struct http_validators received;
	bool too_large;
};

struct http_client *http_client_new(long timeout_ms)
{
	struct http_client *client;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	client = calloc(1, sizeof *client);
	if (client == NULL)
		return NULL;
	client->curl = curl_easy_init();
	if (client->curl == NULL) {
		free(client);
		return NULL;
	}
	client->timeout_ms = timeout_ms;
	return client;
}

void http_client_free(struct http_client *client)
{
	if (client == NULL)
		return;
	curl_easy_cleanup(client->curl);
	free(client);
	curl_global_cleanup();
}

void http_body_free(struct http_body *body)
{
	free(body->data);
	memset(body, 0, sizeof *body);
}

const char *http_library_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
	struct transfer *transfer = user;
	struct http_body *body = transfer->body;
	size_t len = size * count;

	if (len > HTTP_BODY_MAX - body->len) {
		transfer->too_large = true;
		return 0;
	}
	if (body->len + len + 1 > body->capacity) {
		size_t capacity = body->capacity ? body->capacity : 65536;
		char *grown;

		while (capacity < body->len + len + 1)
			capacity *= 2;
		grown = realloc(body->data, capacity);
		if (grown == NULL)
			return 0;
		body->data = grown;
		body->capacity = capacity;
	}
	memcpy(body->data + body->len, data, len);
	body->len += len;
	body->data[body->len] = '\0';
	return len;
}

/* Stores the value of header line "Name: value\r\n" into out when its name
 * is name. */
static void keep_header(const char *line, size_t len, const char *name, char *out)
{
	size_t name_len = strlen(name);
	size_t start = name_len + 1;

	if (len <= start || strncasecmp(line, name, name_len) != 0 || line[name_len] != ':')
		return;
	while (start < len && (line[start] == ' ' || line[start] == '\t'))
		start++;
	while (len > start && isspace((unsigned char)line[len - 1]))
		len--;
	if (len - start <= HTTP_VALIDATOR_MAX) {
		memcpy(out, line + start, len - start);
		out[len - start] = '\0';
	}
}

static size_t on_header(char *line, size_t size, size_t count, void *user)
{
	struct transfer *transfer = user;
	size_t len = size * count;

	/* A redirect or a 100 Continue starts a new header block. */
	if (len > 5 && strncmp(line, "HTTP/", 5) == 0)
		memset(&transfer->received, 0, sizeof transfer->received);
	keep_header(line, len, "ETag", transfer->received.etag);
	keep_header(line, len, "Last-Modified", transfer->received.last_modified);
	return len;
}

static struct curl_slist *conditional_headers(const struct http_validators *validators)
{
	struct curl_slist *headers = NULL;
	char line[HTTP_VALIDATOR_MAX + 32];

	if (validators == NULL)
		return NULL;
	if (validators->etag[0] != '\0') {
		snprintf(line, sizeof line, "If-None-Match: %s", validators->etag);
		headers = curl_slist_append(headers, line);
	}
	if (validators->last_modified[0] != '\0') {
		snprintf(line, sizeof line, "If-Modified-Since: %s", validators->last_modified);
		headers = curl_slist_append(headers, line);
	}
	return headers;
}

static void set_options(struct http_client *client, const char *url, struct transfer *transfer,
                        struct curl_slist *headers)
{
	CURL *curl = client->curl;
	long connect_ms = client->timeout_ms < 10000 ? client->timeout_ms : 10000;

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, client->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "buoy-fetch/" BUOY_VERSION);
	curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, transfer);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
}

static enum http_result finish(CURLcode code, long http_status, const char *url,
                               struct transfer *transfer, struct http_validators *validators,
                               char *error, size_t error_size)
{
	if (transfer->too_large) {
		snprintf(error, error_size, "file larger than %u MiB at %s",
		         HTTP_BODY_MAX / (1024 * 1024), url);
		return HTTP_FAILED;
	}
	if (code != CURLE_OK) {
		snprintf(error, error_size, "%s (%s)", curl_easy_strerror(code), url);
		return HTTP_FAILED;
	}
	if (http_status == 304)
		return HTTP_NOT_MODIFIED;
	if (http_status != 200) {
		snprintf(error, error_size, "HTTP %ld from %s", http_status, url);
		return HTTP_FAILED;
	}
	if (validators != NULL)
		*validators = transfer->received;
	return HTTP_FETCHED;
}

enum http_result http_get(struct http_client *client, const char *url,
                          struct http_validators *validators, struct http_body *body,
                          long *status, char *error, size_t error_size)
{
	struct transfer transfer = { .body = body };
	struct curl_slist *headers = conditional_headers(validators);
	long http_status = 0;
	CURLcode code;

	body->len = 0;
	if (body->data != NULL)
		body->data[0] = '\0';
	set_options(client, url, &transfer, headers);
	code = curl_easy_perform(client->curl);
	curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &http_status);
	curl_slist_free_all(headers);
	if (status != NULL)
		*status = http_status;
	return finish(code, http_status, url, &transfer, validators, error, error_size);
}
