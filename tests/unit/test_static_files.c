/*
 * Unit tests for buoy-sse's static file paths and types: which request
 * paths are accepted and what file each names, why the others are
 * rejected, and the Content-Type of each extension. static_files.c lives
 * in cmd/buoy-sse/, outside libbuoy.a, so this file compiles it in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "../../cmd/buoy-sse/log_limit.c"
#include "../../cmd/buoy-sse/static_files.c"

struct path_case {
	const char *raw;
	enum static_result result;
	const char *relative;   /* for STATIC_OK; else the start of the reason or NULL */
};

static void check_path_cases(const struct path_case *cases, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		char relative[STATIC_PATH_MAX + 1] = "";
		const char *reason = NULL;
		enum static_result result = static_files_check_path(cases[i].raw, relative,
		                                                     sizeof relative, &reason);

		if (result != cases[i].result)
			fail_msg("path '%s': result %d, expected %d", cases[i].raw, result,
			         cases[i].result);
		if (result == STATIC_OK && strcmp(relative, cases[i].relative) != 0)
			fail_msg("path '%s': file '%s', expected '%s'", cases[i].raw, relative,
			         cases[i].relative);
		if (result == STATIC_BAD_PATH &&
		    (reason == NULL || strstr(reason, cases[i].relative) == NULL))
			fail_msg("path '%s': reason '%s', expected '%s'", cases[i].raw,
			         reason != NULL ? reason : "(none)", cases[i].relative);
	}
}

static void accepted_paths_name_files_under_root(void **state)
{
	static const struct path_case cases[] = {
		{ "/", STATIC_OK, "index.html" },
		{ "/index.html", STATIC_OK, "index.html" },
		{ "/app.js", STATIC_OK, "app.js" },
		{ "/sub/deeper/page.txt", STATIC_OK, "sub/deeper/page.txt" },
		{ "/a%20b.txt", STATIC_OK, "a b.txt" },
		{ "/%252e%252e", STATIC_OK, "%2e%2e" },
		{ "/..foo", STATIC_NOT_FOUND, NULL },
		{ "/a..b", STATIC_OK, "a..b" },
		{ "/%e2%82%ac.txt", STATIC_OK, "\xe2\x82\xac.txt" },
		{ "/100%", STATIC_OK, "100%" },
	};

	check_path_cases(cases, sizeof cases / sizeof cases[0]);
}

static void traversal_paths_are_bad_requests(void **state)
{
	static const struct path_case cases[] = {
		{ "/..", STATIC_BAD_PATH, "'..' segment" },
		{ "/../etc/passwd", STATIC_BAD_PATH, "'..' segment" },
		{ "/sub/../../etc/passwd", STATIC_BAD_PATH, "'..' segment" },
		{ "/./index.html", STATIC_BAD_PATH, "'..' segment" },
		{ "/%2e%2e/etc/passwd", STATIC_BAD_PATH, "'..' segment" },
		{ "/%2E%2e/etc/passwd", STATIC_BAD_PATH, "'..' segment" },
		{ "/.%2e/etc/passwd", STATIC_BAD_PATH, "'..' segment" },
		{ "/sub%2f..%2f..%2fetc%2fpasswd", STATIC_BAD_PATH, "encoded slash" },
		{ "/%2Fetc/passwd", STATIC_BAD_PATH, "encoded slash" },
		{ "/..%5c..%5cwin.ini", STATIC_BAD_PATH, "backslash" },
		{ "/sub\\page.txt", STATIC_BAD_PATH, "backslash" },
		{ "/index.html%00.txt", STATIC_BAD_PATH, "NUL" },
		{ "/sub//page.txt", STATIC_BAD_PATH, "empty segment" },
		{ "//etc/passwd", STATIC_BAD_PATH, "empty segment" },
		{ "etc/passwd", STATIC_BAD_PATH, "does not start with '/'" },
		{ "", STATIC_BAD_PATH, "does not start with '/'" },
		{ "*", STATIC_BAD_PATH, "does not start with '/'" },
	};

	check_path_cases(cases, sizeof cases / sizeof cases[0]);
}

static void hidden_and_directory_paths_are_not_found(void **state)
{
	static const struct path_case cases[] = {
		{ "/.git/config", STATIC_NOT_FOUND, NULL },
		{ "/.env", STATIC_NOT_FOUND, NULL },
		{ "/%2egit/config", STATIC_NOT_FOUND, NULL },
		{ "/sub/", STATIC_NOT_FOUND, NULL },
	};

	check_path_cases(cases, sizeof cases / sizeof cases[0]);
}

static void overlong_path_is_not_found(void **state)
{
	char raw[3 * STATIC_PATH_MAX];
	char relative[STATIC_PATH_MAX + 1];
	const char *reason = NULL;

	raw[0] = '/';
	memset(raw + 1, 'a', sizeof raw - 2);
	raw[sizeof raw - 1] = '\0';
	assert_int_equal(static_files_check_path(raw, relative, sizeof relative, &reason),
	                 STATIC_NOT_FOUND);

	/* Many short segments that only together pass the limit. */
	for (size_t i = 0; i + 2 < sizeof raw; i += 2) {
		raw[i] = '/';
		raw[i + 1] = 'a';
	}
	assert_int_equal(static_files_check_path(raw, relative, sizeof relative, &reason),
	                 STATIC_NOT_FOUND);
}

static void content_type_follows_extension(void **state)
{
	assert_string_equal(content_type_for("index.html"), "text/html; charset=utf-8");
	assert_string_equal(content_type_for("sub/app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(content_type_for("style.CSS"), "text/css; charset=utf-8");
	assert_string_equal(content_type_for("icon.svg"), "image/svg+xml");
	assert_string_equal(content_type_for("a.b/image.png"), "image/png");
	assert_string_equal(content_type_for("data.json"), "application/json");
	assert_string_equal(content_type_for("favicon.ico"), "image/x-icon");
	assert_string_equal(content_type_for("notes.txt"), "text/plain; charset=utf-8");
	assert_string_equal(content_type_for("a.b/noextension"), "application/octet-stream");
	assert_string_equal(content_type_for("archive.tar.gz"), "application/octet-stream");
	assert_string_equal(content_type_for("trailing."), "application/octet-stream");
}

static void root_must_be_a_directory(void **state)
{
	char error[256];
	char *root = static_files_resolve_root("/tmp/../tmp/", error, sizeof error);

	assert_non_null(root);
	assert_string_equal(root, "/tmp");
	free(root);

	assert_null(static_files_resolve_root("/nonexistent-buoy-folder", error, sizeof error));
	assert_non_null(strstr(error, "No such file or directory"));
	assert_null(static_files_resolve_root("/dev/null", error, sizeof error));
	assert_non_null(strstr(error, "not a directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted_paths_name_files_under_root),
		cmocka_unit_test(traversal_paths_are_bad_requests),
		cmocka_unit_test(hidden_and_directory_paths_are_not_found),
		cmocka_unit_test(overlong_path_is_not_found),
		cmocka_unit_test(content_type_follows_extension),
		cmocka_unit_test(root_must_be_a_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
