#include "json_check.h"

#include <stdio.h>
#include <string.h>

struct cursor {
	const unsigned char *start;
	const unsigned char *at;
	const unsigned char *end;
	int depth;
	const char *problem;        /* set by the first failure */
};

static bool fail(struct cursor *cursor, const char *problem)
{
	if (cursor->problem == NULL)
		cursor->problem = problem;
	return false;
}

static void skip_space(struct cursor *cursor)
{
	while (cursor->at < cursor->end && (*cursor->at == ' ' || *cursor->at == '\t' ||
	                                    *cursor->at == '\n' || *cursor->at == '\r'))
		cursor->at++;
}

static bool is_digit(const struct cursor *cursor)
{
	return cursor->at < cursor->end && *cursor->at >= '0' && *cursor->at <= '9';
}

static bool skip_digits(struct cursor *cursor)
{
	if (!is_digit(cursor))
		return fail(cursor, "expected a digit");
	while (is_digit(cursor))
		cursor->at++;
	return true;
}

/* number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ] */
static bool check_number(struct cursor *cursor)
{
	if (*cursor->at == '-')
		cursor->at++;
	if (cursor->at < cursor->end && *cursor->at == '0') {
		cursor->at++;
		if (is_digit(cursor))
			return fail(cursor, "number with a leading zero");
	} else if (!skip_digits(cursor)) {
		return false;
	}
	if (cursor->at < cursor->end && *cursor->at == '.') {
		cursor->at++;
		if (!skip_digits(cursor))
			return false;
	}
	if (cursor->at < cursor->end && (*cursor->at == 'e' || *cursor->at == 'E')) {
		cursor->at++;
		if (cursor->at < cursor->end && (*cursor->at == '+' || *cursor->at == '-'))
			cursor->at++;
		if (!skip_digits(cursor))
			return false;
	}
	return true;
}

/* Checks one UTF-8 sequence of two to four bytes: no overlong forms, no
 * surrogates, nothing above U+10FFFF. */
static bool check_utf8(struct cursor *cursor)
{
	const unsigned char *p = cursor->at;
	unsigned char lead = *p;
	int extra;
	unsigned long code;

	if (lead >= 0xC2 && lead <= 0xDF) {
		extra = 1;
		code = lead & 0x1F;
	} else if (lead >= 0xE0 && lead <= 0xEF) {
		extra = 2;
		code = lead & 0x0F;
	} else if (lead >= 0xF0 && lead <= 0xF4) {
		extra = 3;
		code = lead & 0x07;
	} else {
		return fail(cursor, "invalid UTF-8");
	}
	if (cursor->end - p <= extra)
		return fail(cursor, "invalid UTF-8");
	for (int i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return fail(cursor, "invalid UTF-8");
		code = (code << 6) | (p[i] & 0x3F);
	}
	if ((extra == 2 && code < 0x800) || (extra == 3 && code < 0x10000) ||
	    (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
		return fail(cursor, "invalid UTF-8");
	cursor->at += extra + 1;
	return true;
}

static bool check_escape(struct cursor *cursor)
{
	cursor->at++;
	if (cursor->at >= cursor->end)
		return fail(cursor, "unterminated string");
	if (strchr("\"\\/bfnrt", *cursor->at) != NULL && *cursor->at != '\0') {
		cursor->at++;
		return true;
	}
	if (*cursor->at != 'u')
		return fail(cursor, "invalid escape in a string");
	cursor->at++;
	for (int i = 0; i < 4; i++, cursor->at++) {
		if (cursor->at >= cursor->end || strchr("0123456789abcdefABCDEF", *cursor->at) == NULL ||
		    *cursor->at == '\0')
			return fail(cursor, "invalid \\u escape in a string");
	}
	return true;
}

static bool check_string(struct cursor *cursor)
{
	cursor->at++;
	while (cursor->at < cursor->end) {
		unsigned char c = *cursor->at;

		if (c == '"') {
			cursor->at++;
			return true;
		}
		if (c < 0x20)
			return fail(cursor, "control character or NUL inside a string");
		if (c == '\\') {
			if (!check_escape(cursor))
				return false;
		} else if (c >= 0x80) {
			if (!check_utf8(cursor))
				return false;
		} else {
			cursor->at++;
		}
	}
	return fail(cursor, "unterminated string");
}

static bool check_literal(struct cursor *cursor, const char *word)
{
	size_t len = strlen(word);

	if ((size_t)(cursor->end - cursor->at) < len || memcmp(cursor->at, word, len) != 0)
		return fail(cursor, "unexpected character");
	cursor->at += len;
	return true;
}

static bool check_value(struct cursor *cursor);

/* Checks the members of an object or the elements of an array, after the
 * opening bracket, up to and including close. */
static bool check_members(struct cursor *cursor, char close, bool is_object)
{
	if (++cursor->depth > JSON_CHECK_DEPTH_MAX)
		return fail(cursor, "nested too deeply");
	cursor->at++;
	skip_space(cursor);
	if (cursor->at < cursor->end && *cursor->at == close) {
		cursor->at++;
		cursor->depth--;
		return true;
	}
	for (;;) {
		if (is_object) {
			skip_space(cursor);
			if (cursor->at >= cursor->end || *cursor->at != '"')
				return fail(cursor, "expected a string as object key");
			if (!check_string(cursor))
				return false;
			skip_space(cursor);
			if (cursor->at >= cursor->end || *cursor->at != ':')
				return fail(cursor, "expected ':' after an object key");
			cursor->at++;
		}
		if (!check_value(cursor))
			return false;
		skip_space(cursor);
		if (cursor->at < cursor->end && *cursor->at == ',') {
			cursor->at++;
			continue;
		}
		if (cursor->at < cursor->end && *cursor->at == close) {
			cursor->at++;
			cursor->depth--;
			return true;
		}
		return fail(cursor, is_object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool check_value(struct cursor *cursor)
{
	skip_space(cursor);
	if (cursor->at >= cursor->end)
		return fail(cursor, "unexpected end of input");

	switch (*cursor->at) {
	case '{':
		return check_members(cursor, '}', true);
	case '[':
		return check_members(cursor, ']', false);
	case '"':
		return check_string(cursor);
	case 't':
		return check_literal(cursor, "true");
	case 'f':
		return check_literal(cursor, "false");
	case 'n':
		return check_literal(cursor, "null");
	default:
		if (*cursor->at == '-' || (*cursor->at >= '0' && *cursor->at <= '9'))
			return check_number(cursor);
		return fail(cursor, "unexpected character");
	}
}

bool json_check_strict(const char *text, size_t len, char *error, size_t error_size)
{
	struct cursor cursor = {
		.start = (const unsigned char *)text,
		.at = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
	};

	if (check_value(&cursor)) {
		skip_space(&cursor);
		if (cursor.at == cursor.end)
			return true;
		fail(&cursor, "unexpected text after the JSON value");
	}
	snprintf(error, error_size, "%s at byte %zu", cursor.problem,
	         (size_t)(cursor.at - cursor.start) + 1);
	return false;
}
