#!/usr/bin/env bats
# buoy-sse --static DIR: files served over GET and HEAD with their type,
# length and date, 304 replies, every path that tries to leave DIR, files
# that are not served, the size limit, and the stream, /health and
# /metrics winning over files of the same name.
#
# buoy-sse reads a FIFO whose writer stays open on fd 7. Every background
# process closes fd 3 (bats' own output) and fd 7, so that neither bats nor
# buoy-sse waits on a descriptor a child still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'
load '../lib/sse'

SSE_PID=
PORT=
BASE=
ERR=
SITE=
WWW=

# Builds the folder to serve, $WWW, beside a file that must never be
# served, $SITE/secret.txt.
setup() {
	SITE=$BATS_TEST_TMPDIR/site
	WWW=$SITE/www
	mkdir -p "$WWW/sub" "$SITE/outside"
	echo 'SECRET outside the static folder' >"$SITE/secret.txt"
	echo 'SECRET in a folder outside' >"$SITE/outside/inner.txt"
	printf '<!DOCTYPE html>\n<title>index</title>\n' >"$WWW/index.html"
	printf 'console.log("app");\n' >"$WWW/app.js"
	printf 'in sub\n' >"$WWW/sub/page.txt"
}

teardown() {
	sse_teardown
}

# Requests PATH exactly as written, with any further curl arguments. The
# status code goes to $output, the body to $BODY and the headers, without
# carriage returns, to $HEADERS.
fetch() {
	local path=$1
	shift
	BODY=$BATS_TEST_TMPDIR/body
	HEADERS=$BATS_TEST_TMPDIR/headers
	run curl -s --max-time 5 --path-as-is -o "$BODY" -D "$HEADERS.raw" -w '%{http_code}' \
		"$@" "$BASE$path"
	tr -d '\r' <"$HEADERS.raw" >"$HEADERS"
}

# Sends the request target $1 as is, such as one without a leading slash.
fetch_target() {
	fetch / --request-target "$1"
}

# Prints the value of header $1 of the last reply.
header() {
	awk -v name="$(tr '[:upper:]' '[:lower:]' <<<"$1")" '
		{ split($0, part, ": "); if (tolower(part[1]) == name) print substr($0, length(part[1]) + 3) }
	' "$HEADERS"
}

# Checks that the last reply is the JSON error $1 with status $2 and that
# nothing from outside the static folder leaked into it. Each check
# returns by itself, so that the function also fails on the left of ||.
check_error() {
	[ "$output" = "$2" ] || { echo "status $output, expected $2" >&2; return 1; }
	[ "$(jq -r .error "$BODY")" = "$1" ] || { echo "body: $(cat "$BODY")" >&2; return 1; }
	[ "$(jq -r .statusCode "$BODY")" = "$2" ] || { echo "body: $(cat "$BODY")" >&2; return 1; }
	[ "$(header Content-Type)" = application/json ] || { echo "not JSON" >&2; return 1; }
	if grep -q -e SECRET -e 'root:' "$BODY"; then
		echo "a file outside the static folder leaked: $(cat "$BODY")" >&2
		return 1
	fi
}

http_date() {
	date -u -r "$1" '+%a, %d %b %Y %H:%M:%S GMT'
}

@test "index.html is served at /" {
	start_sse --static "$WWW"
	fetch /
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/index.html"
	[ "$(header Content-Type)" = 'text/html; charset=utf-8' ]
	[ "$(header Content-Length)" = "$(stat -c %s "$WWW/index.html")" ]
	[ "$(header Cache-Control)" = no-cache ]
	[ "$(header Last-Modified)" = "$(http_date "$WWW/index.html")" ]

	fetch '/?stations=44013'
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/index.html"
}

@test "subfolder files are served byte for byte" {
	head -c 100000 /dev/urandom >"$WWW/sub/random.bin"
	start_sse --static "$WWW"

	fetch /sub/random.bin
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/sub/random.bin"
	[ "$(header Content-Length)" = 100000 ]

	fetch /sub/page.txt
	[ "$output" = 200 ]
	[ "$(cat "$BODY")" = 'in sub' ]
}

@test "Content-Type follows the extension" {
	local name type
	local -A types=(
		[page.html]='text/html; charset=utf-8'
		[app.js]='text/javascript; charset=utf-8'
		[style.css]='text/css; charset=utf-8'
		[icon.svg]='image/svg+xml'
		[image.png]='image/png'
		[data.json]='application/json'
		[favicon.ico]='image/x-icon'
		[notes.txt]='text/plain; charset=utf-8'
		[LOUD.PNG]='image/png'
		[Mixed.Html]='text/html; charset=utf-8'
		[module.wasm]='application/octet-stream'
		[no-extension]='application/octet-stream'
		[archive.tar.gz]='application/octet-stream'
	)
	for name in "${!types[@]}"; do
		echo "$name" >"$WWW/$name"
	done
	start_sse --static "$WWW"

	for name in "${!types[@]}"; do
		fetch "/$name"
		[ "$output" = 200 ] || { echo "$name: $output" >&2; return 1; }
		type=$(header Content-Type)
		[ "$type" = "${types[$name]}" ] || { echo "$name: $type" >&2; return 1; }
	done
}

@test "percent-encoded names are decoded once" {
	echo spaced >"$WWW/a b.txt"
	echo literal >"$WWW/%2e%2e"
	start_sse --static "$WWW"

	fetch /a%20b.txt
	[ "$output" = 200 ]
	[ "$(cat "$BODY")" = spaced ]

	fetch /%252e%252e
	[ "$output" = 200 ]
	[ "$(cat "$BODY")" = literal ]
}

@test "If-Modified-Since not older gets 304" {
	touch -d '2026-01-02 03:04:05 UTC' "$WWW/app.js"
	start_sse --static "$WWW"

	fetch /app.js -H 'If-Modified-Since: Fri, 02 Jan 2026 03:04:05 GMT'
	[ "$output" = 304 ]
	[ ! -s "$BODY" ]
	[ "$(header Last-Modified)" = 'Fri, 02 Jan 2026 03:04:05 GMT' ]
	[ "$(header Cache-Control)" = no-cache ]

	fetch /app.js -H 'If-Modified-Since: Sat, 03 Jan 2026 00:00:00 GMT'
	[ "$output" = 304 ]

	fetch /app.js -H 'If-Modified-Since: Fri, 02 Jan 2026 03:04:04 GMT'
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/app.js"

	fetch /app.js -H 'If-Modified-Since: yesterday'
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/app.js"
}

@test "changed file is served at once" {
	start_sse --static "$WWW"
	fetch /app.js
	cmp "$BODY" "$WWW/app.js"

	echo 'console.log("changed, and longer than before");' >"$WWW/app.js"
	fetch /app.js
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/app.js"
	[ "$(header Content-Length)" = "$(stat -c %s "$WWW/app.js")" ]
}

@test "HEAD sends the length without a body" {
	start_sse --static "$WWW"
	run curl -s --max-time 5 -I "$BASE/app.js" -o "$BATS_TEST_TMPDIR/head" -w '%{http_code} ' \
		--next -s --max-time 5 "$BASE/index.html" -w ' %{num_connects}'
	[ "$status" -eq 0 ]
	[[ $output == "200 <!DOCTYPE html>"* ]]
	[[ $output == *"<title>index</title>"* ]]
	# The second request reused the connection (no new connect), so the
	# HEAD reply had no body.
	[[ $output == *" 0" ]]

	tr -d '\r' <"$BATS_TEST_TMPDIR/head" >"$BATS_TEST_TMPDIR/head.txt"
	grep -qx "Content-Length: $(stat -c %s "$WWW/app.js")" "$BATS_TEST_TMPDIR/head.txt"
	grep -qx 'Content-Type: text/javascript; charset=utf-8' "$BATS_TEST_TMPDIR/head.txt"
	grep -qx "Last-Modified: $(http_date "$WWW/app.js")" "$BATS_TEST_TMPDIR/head.txt"

	# curl -I writes the headers where the body would go; no body follows.
	fetch /missing.js -I
	[ "$output" = 404 ]
	[ "$(header Content-Type)" = application/json ]
	[ "$(header Content-Length)" -gt 0 ]
	run grep -c '"error"' "$BODY"
	[ "$output" = 0 ]
}

@test "other methods on files get 405" {
	local method
	start_sse --static "$WWW"
	for method in POST PUT DELETE PATCH OPTIONS; do
		fetch /app.js -X "$method"
		check_error METHOD_NOT_ALLOWED 405
		[ "$(header Allow)" = 'GET, HEAD' ]
	done
}

@test "missing file gets the JSON 404" {
	start_sse --static "$WWW"
	fetch /missing.html
	check_error NOT_FOUND 404
	[[ $(jq -r .message "$BODY") == "no such file: "* ]]

	fetch /sub/missing/deeper.txt
	check_error NOT_FOUND 404

	fetch /app.js/more
	check_error NOT_FOUND 404
}

@test "dot-dot and dot segments get 400" {
	local path
	start_sse --static "$WWW"
	for path in /../secret.txt /sub/../../secret.txt /.. /sub/.. /./index.html /sub/. \
		/%2e%2e/secret.txt /%2E%2E/secret.txt /.%2e/secret.txt /%2e./secret.txt \
		/sub/%2e%2e/%2e%2e/secret.txt /%2e/index.html; do
		fetch "$path"
		check_error BAD_REQUEST 400 || { echo "$path: $output" >&2; return 1; }
		[[ $(jq -r .message "$BODY") == *"'..' segment"* ]]
	done
}

@test "encoded slashes, backslashes and NUL get 400" {
	local path
	start_sse --static "$WWW"
	for path in /sub%2f..%2f..%2fsecret.txt /sub%2F..%2F..%2Fsecret.txt /%2fetc/passwd \
		/..%5c..%5csecret.txt /sub%5Cpage.txt /index.html%00.txt /%00 /a%00; do
		fetch "$path"
		check_error BAD_REQUEST 400 || { echo "$path: $output" >&2; return 1; }
	done

	fetch_target '/sub\page.txt'
	check_error BAD_REQUEST 400
	fetch_target '/..\secret.txt'
	check_error BAD_REQUEST 400
}

@test "empty segments and relative targets get 400" {
	local target
	start_sse --static "$WWW"
	for target in /sub//page.txt '/sub///page.txt' 'secret.txt' '../secret.txt' '*'; do
		fetch_target "$target"
		check_error BAD_REQUEST 400 || { echo "$target: $output" >&2; return 1; }
	done
}

@test "absolute paths stay under the static folder" {
	local target
	# libevent reads //etc/passwd as host "etc" and path /passwd; in the
	# absolute form http://host//etc/passwd the path keeps its empty segment.
	start_sse --static "$WWW"
	for target in /etc/passwd //etc/passwd "$SITE/secret.txt" "/$SITE/secret.txt" \
		"http://127.0.0.1:$PORT/etc/passwd"; do
		fetch_target "$target"
		check_error NOT_FOUND 404 || { echo "$target: $output" >&2; return 1; }
	done

	for target in "http://127.0.0.1:$PORT/../secret.txt" "http://127.0.0.1:$PORT//etc/passwd"; do
		fetch_target "$target"
		check_error BAD_REQUEST 400 || { echo "$target: $output" >&2; return 1; }
	done
}

@test "symlinks out of the static folder get 404" {
	ln -s ../secret.txt "$WWW/escape.txt"
	ln -s "$SITE/secret.txt" "$WWW/absolute-escape.txt"
	ln -s ../outside "$WWW/outdir"
	ln -s / "$WWW/root"
	ln -s ../../secret.txt "$WWW/sub/escape2.txt"
	ln -s loop "$WWW/loop"
	start_sse --static "$WWW"

	local path
	for path in /escape.txt /absolute-escape.txt /outdir/inner.txt /root/etc/passwd \
		/sub/escape2.txt /loop; do
		fetch "$path"
		check_error NOT_FOUND 404 || { echo "$path: $output" >&2; return 1; }
	done
}

@test "symlinks inside the static folder are followed" {
	ln -s index.html "$WWW/home.html"
	ln -s sub "$WWW/alias"
	ln -s ../app.js "$WWW/sub/app-link.js"
	start_sse --static "$WWW"

	fetch /home.html
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/index.html"
	[ "$(header Content-Type)" = 'text/html; charset=utf-8' ]

	fetch /alias/page.txt
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/sub/page.txt"

	fetch /sub/app-link.js
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/app.js"
}

@test "static folder through a symlink works" {
	ln -s "$WWW" "$SITE/current"
	start_sse --static "$SITE/current"
	fetch /app.js
	[ "$output" = 200 ]
	cmp "$BODY" "$WWW/app.js"

	fetch /../secret.txt
	check_error BAD_REQUEST 400
}

@test "directories, FIFOs and hidden files get 404" {
	mkfifo "$WWW/pipe.txt"
	echo hidden >"$WWW/.env"
	mkdir "$WWW/.git" "$WWW/folder.html"
	echo '[core]' >"$WWW/.git/config"
	ln -s /dev/null "$WWW/sub/null.txt"
	start_sse --static "$WWW"

	local path
	for path in /sub /sub/ /folder.html /pipe.txt /.env /.git/config /.git /sub/null.txt; do
		fetch "$path"
		check_error NOT_FOUND 404 || { echo "$path: $output" >&2; return 1; }
	done

	# The FIFO was not opened for reading: the server still answers.
	fetch /health
	[ "$output" = 200 ]
}

@test "file over 8 MiB gets 500" {
	truncate -s $((8 * 1024 * 1024)) "$WWW/limit.bin"
	truncate -s $((8 * 1024 * 1024 + 1)) "$WWW/big.bin"
	start_sse --static "$WWW"

	fetch /limit.bin
	[ "$output" = 200 ]
	[ "$(stat -c %s "$BODY")" -eq $((8 * 1024 * 1024)) ]

	fetch /big.bin
	check_error INTERNAL_ERROR 500
	[[ $(jq -r .message "$BODY") == *"8 MiB limit"* ]]
	wait_for "grep -q 'static file too large to serve' '$ERR'"
	grep 'static file too large' "$ERR" | grep -q 'big.bin'
	grep 'static file too large' "$ERR" | grep -q '8388609 bytes'
}

@test "stream, health and metrics win over files" {
	mkdir -p "$WWW/v1/observations"
	echo 'file named stream' >"$WWW/v1/observations/stream"
	echo 'file named health' >"$WWW/health"
	echo 'file named metrics' >"$WWW/metrics"
	echo 'other file' >"$WWW/v1/observations/other"
	start_sse --static "$WWW"

	fetch /health
	[ "$output" = 200 ]
	[ "$(jq -r .status "$BODY")" = ok ]

	fetch /metrics
	[ "$output" = 200 ]
	grep -q '^buoy_sse_clients 0$' "$BODY"

	fetch /v1/observations/stream --max-time 1
	[ "$(header Content-Type)" = text/event-stream ]
	grep -qx 'event: connection' "$BODY"
	run grep -c 'file named' "$BODY"
	[ "$output" = 0 ]

	# HEAD on those paths keeps its 405, and other paths under v1 are files.
	fetch /health -I
	[ "$output" = 405 ]
	fetch /v1/observations/other
	[ "$output" = 200 ]
	[ "$(cat "$BODY")" = 'other file' ]
}

@test "without --static other paths get 404" {
	start_sse
	local path
	for path in / /index.html /app.js; do
		fetch "$path"
		check_error NOT_FOUND 404
		[[ $(jq -r .message "$BODY") == "no such path: "* ]]
	done

	fetch / -X POST
	check_error NOT_FOUND 404
}

@test "--static missing folder is a usage error" {
	run --separate-stderr buoy-sse --static "$SITE/missing"
	[ "$status" -eq 64 ]
	[[ $stderr == *"cannot use '$SITE/missing' as the static folder: No such file or directory"* ]]

	run --separate-stderr buoy-sse --static "$SITE/secret.txt"
	[ "$status" -eq 64 ]
	[[ $stderr == *"cannot use '$SITE/secret.txt' as the static folder: not a directory"* ]]
}

@test "help and the man page describe --static" {
	run --separate-stderr buoy-sse --help
	[ "$status" -eq 0 ]
	[[ $output == *"--static DIR"* ]]
	grep -q 'Fl \\-static Ar dir' "$REPO_ROOT/man/buoy-sse.1"
}
