/* Unit tests for redis_url: parsing REDIS_URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "redis_url.h"

static void parse_ok(const char *text, struct redis_url *url)
{
	char error[256] = "";
	bool parsed = redis_url_parse(text, url, error, sizeof error);

	if (!parsed)
		fail_msg("%s: %s", text, error);
}

/* Checks that text is rejected and returns the error message. */
static const char *parse_fails(const char *text)
{
	static char error[256];
	struct redis_url url;

	error[0] = '\0';
	assert_false(redis_url_parse(text, &url, error, sizeof error));
	assert_true(error[0] != '\0');
	return error;
}

static void host_only_gets_defaults(void **state)
{
	struct redis_url url;

	parse_ok("redis://localhost", &url);
	assert_string_equal(url.host, "localhost");
	assert_int_equal(url.port, 6379);
	assert_int_equal(url.database, 0);
	assert_string_equal(url.user, "");
	assert_string_equal(url.password, "");
}

static void host_port_and_database(void **state)
{
	struct redis_url url;

	parse_ok("redis://127.0.0.1:6380/2", &url);
	assert_string_equal(url.host, "127.0.0.1");
	assert_int_equal(url.port, 6380);
	assert_int_equal(url.database, 2);

	parse_ok("redis://cache.example:65535", &url);
	assert_string_equal(url.host, "cache.example");
	assert_int_equal(url.port, 65535);

	parse_ok("redis://h:1/", &url);
	assert_int_equal(url.port, 1);
	assert_int_equal(url.database, 0);
}

static void password_only(void **state)
{
	struct redis_url url;

	parse_ok("redis://:s3cret@redis.internal:6379", &url);
	assert_string_equal(url.user, "");
	assert_string_equal(url.password, "s3cret");
	assert_string_equal(url.host, "redis.internal");

	/* Credentials without a colon are a password, as in redis-cli -u. */
	parse_ok("redis://s3cret@redis.internal", &url);
	assert_string_equal(url.user, "");
	assert_string_equal(url.password, "s3cret");
	assert_string_equal(url.host, "redis.internal");
}

static void user_and_password(void **state)
{
	struct redis_url url;

	parse_ok("redis://alice:s3cret@10.1.2.3:7000/5", &url);
	assert_string_equal(url.user, "alice");
	assert_string_equal(url.password, "s3cret");
	assert_string_equal(url.host, "10.1.2.3");
	assert_int_equal(url.port, 7000);
	assert_int_equal(url.database, 5);

	parse_ok("redis://alice:pa:ss@host", &url);
	assert_string_equal(url.user, "alice");
	assert_string_equal(url.password, "pa:ss");
}

static void ipv6_host(void **state)
{
	struct redis_url url;

	parse_ok("redis://[::1]:6380/1", &url);
	assert_string_equal(url.host, "::1");
	assert_int_equal(url.port, 6380);
	assert_int_equal(url.database, 1);

	parse_ok("redis://[::1]", &url);
	assert_string_equal(url.host, "::1");
	assert_int_equal(url.port, 6379);

	parse_ok("redis://:pw@[fe80::1:2]:7000", &url);
	assert_string_equal(url.host, "fe80::1:2");
	assert_string_equal(url.password, "pw");
	assert_int_equal(url.port, 7000);
}

static void bad_ipv6_host(void **state)
{
	parse_fails("redis://[::1");
	parse_fails("redis://[::1]x");
	parse_fails("redis://[::1]6379");
	parse_fails("redis://[]:6379");
}

static void bad_port(void **state)
{
	static const char *const cases[] = {
		"redis://host:0", "redis://host:65536", "redis://host:abc", "redis://host:",
		"redis://host:-1", "redis://host:6379x", "redis://host:+6379",
		"redis://host:99999999999", "redis://[::1]:", "redis://host:6379:1",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_non_null(strstr(parse_fails(cases[i]), "host or port"));
}

static void bad_database(void **state)
{
	static const char *const cases[] = {
		"redis://host/x", "redis://host/-1", "redis://host/1/2", "redis://host/1000001",
		"redis://host:6379/ 1",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_non_null(strstr(parse_fails(cases[i]), "database"));
}

static void bad_scheme_or_host(void **state)
{
	assert_non_null(strstr(parse_fails("http://localhost:6379"), "redis://"));
	assert_non_null(strstr(parse_fails("rediss://localhost"), "redis://"));
	assert_non_null(strstr(parse_fails("localhost:6379"), "redis://"));
	assert_non_null(strstr(parse_fails(""), "redis://"));
	parse_fails("redis://");
	parse_fails("redis://:6379");
	parse_fails("redis://:pw@");
	parse_fails("redis:///0");
}

static void too_long_parts(void **state)
{
	char text[700];
	char secret[REDIS_URL_SECRET_MAX + 2];
	char host[REDIS_URL_HOST_MAX + 2];
	struct redis_url url;

	memset(secret, 'p', sizeof secret - 1);
	secret[sizeof secret - 1] = '\0';
	snprintf(text, sizeof text, "redis://:%s@host", secret);
	assert_null(strstr(parse_fails(text), "ppp"));

	/* The longest password that fits is accepted. */
	secret[REDIS_URL_SECRET_MAX] = '\0';
	snprintf(text, sizeof text, "redis://:%s@host", secret);
	parse_ok(text, &url);
	assert_int_equal(strlen(url.password), REDIS_URL_SECRET_MAX);

	memset(host, 'h', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(text, sizeof text, "redis://%s:6379", host);
	parse_fails(text);
}

static void error_never_contains_password(void **state)
{
	static const char *const cases[] = {
		"redis://alice:hunter2@host:badport",
		"redis://:hunter2@host/x",
		"redis://:hunter2@[::1",
		"redis://:hunter2@",
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_null(strstr(parse_fails(cases[i]), "hunter2"));
}

/*
 * The credentials end at the last '@', as in Python's urllib.parse, so a
 * password may contain '@' (the parser does no percent-decoding).
 */
static void password_with_at_sign(void **state)
{
	struct redis_url url;
	char error[256] = "";

	if (!redis_url_parse("redis://:p@ss@host:6379", &url, error, sizeof error))
		return;
	assert_string_equal(url.host, "host");
	assert_string_equal(url.password, "p@ss");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(host_only_gets_defaults),
		cmocka_unit_test(host_port_and_database),
		cmocka_unit_test(password_only),
		cmocka_unit_test(user_and_password),
		cmocka_unit_test(ipv6_host),
		cmocka_unit_test(bad_ipv6_host),
		cmocka_unit_test(bad_port),
		cmocka_unit_test(bad_database),
		cmocka_unit_test(bad_scheme_or_host),
		cmocka_unit_test(too_long_parts),
		cmocka_unit_test(error_never_contains_password),
		cmocka_unit_test(password_with_at_sign),
	};

	return cmocka_run_group_tests_name("redis_url", tests, NULL, NULL);
}
