#!/usr/bin/env bats
# Real EventSource clients on the serve pipeline, buoy-sub | buoy-sse, fed
# by buoy-publish through a real Redis:
#
#   - the eventsource npm package (eventsource-client.js), through a
#     restart of the pipeline on the same port;
#   - headless Chromium loading browser/stream.html, from the stream's own
#     origin and from another one.
#
# The npm packages are installed from package-lock.json in setup_file.

load '../lib/common'

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

setup_file() {
	npm ci --prefix "$BATS_TEST_DIRNAME" --no-audit --no-fund \
		>"$BATS_FILE_TMPDIR/npm.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/npm.log" >&2
		return 1
	}
	start_redis
}

teardown_file() {
	stop_services
}

setup() {
	export BUOY_CHANNEL="observations:test$BATS_TEST_NUMBER"
	: >"$BATS_TEST_TMPDIR/pids"
}

teardown() {
	stop_test_pids
}

# Starts buoy-sub | buoy-sse, joined through a FIFO, on port PORT (a free
# one unless given), sets SUB_PID and SSE_PID and waits until the stream
# is up. File descriptor 3 is closed for every background process so that
# bats does not wait for it.
start_serve() {
	local fifo

	PORT=${1:-$(free_port)}
	fifo=$(mktemp -u "$BATS_TEST_TMPDIR/serve.XXXXXX")
	mkfifo "$fifo"
	buoy-sub >"$fifo" 2>>"$BATS_TEST_TMPDIR/sub.log" 3>&- &
	SUB_PID=$!
	test_pid "$SUB_PID"
	buoy-sse --listen "127.0.0.1:$PORT" <"$fifo" 2>>"$BATS_TEST_TMPDIR/sse.log" 3>&- &
	SSE_PID=$!
	test_pid "$SSE_PID"

	wait_for "health | grep -q '\"upstream\":\"up\"'" 100
}

stop_serve() {
	kill "$SSE_PID" "$SUB_PID"
	wait_for "! kill -0 $SSE_PID && ! kill -0 $SUB_PID" 50
}

health() {
	curl -s --max-time 2 "http://127.0.0.1:$PORT/health"
}

# Prints COUNT observations of station 44013, one a minute from
# 2022-06-05T00:00:00Z plus FIRST minutes.
observations() {
	awk -v first="$1" -v count="$2" 'BEGIN {
		for (i = first; i < first + count; i++)
			printf "{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T%02d:%02d:00Z\",\"waveHeightM\":%.1f,\"windSpeedMps\":%d,\"windDirDeg\":280,\"waterTempC\":13.9,\"pressureHpa\":1015.2,\"gustMps\":null}\n",
				int(i / 60), i % 60, (i % 30) / 10, i % 20
	}'
}

# Prints the ids buoy-sse gives the observations on stdin, one a line.
expected_ids() {
	sed 's/.*"timestamp":"\([^"]*\)".*/\1-44013/; s/[-:]//g; s/44013$/-44013/'
}

publish() {
	buoy-publish <"$1" 2>>"$BATS_TEST_TMPDIR/publish.log"
}

# Prints the lines of FILE as one JSON array of strings.
json_lines() {
	jq -R . "$1" | jq -cs .
}

require_chromium() {
	if [[ ! -x $CHROMIUM ]]; then
		skip "$CHROMIUM not found: run scripts/install-deps as root to install chromium"
	fi
}

# Loads the test page in Chromium in MODE (same-origin or cross-origin),
# publishes 3 observations once the page is connected, and leaves what
# the page received in $BATS_TEST_TMPDIR/page.json.
drive_page() {
	local mode=$1 driver

	observations 0 3 >"$BATS_TEST_TMPDIR/sent"
	CHROMIUM=$CHROMIUM node "$BATS_TEST_DIRNAME/browser/drive.js" "$mode" \
		"http://127.0.0.1:$PORT" 3 20000 >"$BATS_TEST_TMPDIR/page.json" \
		2>"$BATS_TEST_TMPDIR/drive.log" 3>&- &
	driver=$!
	test_pid "$driver"

	wait_for "health | grep -q '\"clients\":1,'" 200
	publish "$BATS_TEST_TMPDIR/sent"
	wait_for "! kill -0 $driver" 300
}

# Checks that page.json holds the connection event and then the 3
# observations in $BATS_TEST_TMPDIR/sent, with their ids.
check_page() {
	run jq -c '[.state, .errors, [.events[].type]]' "$BATS_TEST_TMPDIR/page.json"
	[ "$output" = '["done",0,["connection","observation","observation","observation"]]' ]

	run jq -r '.events[0].data | fromjson | .status' "$BATS_TEST_TMPDIR/page.json"
	[ "$output" = connected ]

	run jq -c '[.events[1:][].data]' "$BATS_TEST_TMPDIR/page.json"
	[ "$output" = "$(json_lines "$BATS_TEST_TMPDIR/sent")" ]

	expected_ids <"$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/ids"
	run jq -c '[.events[1:][].lastEventId]' "$BATS_TEST_TMPDIR/page.json"
	[ "$output" = "$(json_lines "$BATS_TEST_TMPDIR/ids")" ]
}

@test "eventsource npm client receives events and reconnects after a server restart" {
	local client log=$BATS_TEST_TMPDIR/client.log

	start_serve
	observations 0 3 >"$BATS_TEST_TMPDIR/before"
	observations 3 3 >"$BATS_TEST_TMPDIR/after"
	node "$BATS_TEST_DIRNAME/eventsource-client.js" \
		"http://127.0.0.1:$PORT/v1/observations/stream" 6 30000 \
		>"$BATS_TEST_TMPDIR/client.json" 2>"$log" 3>&- &
	client=$!
	test_pid "$client"

	wait_for "grep -q '^connection' $log" 100
	publish "$BATS_TEST_TMPDIR/before"
	wait_for "[ \$(grep -c '^observation' $log) -eq 3 ]" 100

	stop_serve
	wait_for "grep -q '^error' $log" 50
	start_serve "$PORT"
	wait_for "[ \$(grep -c '^connection' $log) -eq 2 ]" 100
	publish "$BATS_TEST_TMPDIR/after"
	wait_for "! kill -0 $client" 100

	run jq -c '[.timedOut, (.opens | length), [.connections[].status]]' \
		"$BATS_TEST_TMPDIR/client.json"
	[ "$output" = '[false,2,["connected","connected"]]' ]

	cat "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" >"$BATS_TEST_TMPDIR/sent"
	run jq -c '[.observations[].data]' "$BATS_TEST_TMPDIR/client.json"
	[ "$output" = "$(json_lines "$BATS_TEST_TMPDIR/sent")" ]

	expected_ids <"$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/ids"
	run jq -c '[.observations[].lastEventId]' "$BATS_TEST_TMPDIR/client.json"
	[ "$output" = "$(json_lines "$BATS_TEST_TMPDIR/ids")" ]

	# retry: 2000 sets the delay; without it the package waits 3 seconds.
	run jq -e '.reconnectDelaysMs[-1] | . >= 1900 and . < 2900' "$BATS_TEST_TMPDIR/client.json"
	[ "$status" -eq 0 ]
}

@test "Chromium EventSource on a page of the stream's origin receives the events" {
	require_chromium
	start_serve
	drive_page same-origin
	check_page
}

@test "Chromium EventSource on a page of another origin receives the events" {
	require_chromium
	start_serve

	curl -s --max-time 1 -D "$BATS_TEST_TMPDIR/headers" -o /dev/null \
		-H 'Origin: http://127.0.0.1:1' "http://127.0.0.1:$PORT/v1/observations/stream" || true
	if ! grep -qi '^access-control-allow-origin:' "$BATS_TEST_TMPDIR/headers"; then
		skip "buoy-sse sends no Access-Control-Allow-Origin, so browsers refuse the stream to pages of other origins"
	fi

	drive_page cross-origin
	check_page
}
