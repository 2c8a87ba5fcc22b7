#!/usr/bin/env bats
# The serve pipeline, buoy-sub | buoy-sse, under faults and load, with
# curl -N as the client and buoy-publish feeding a real Redis:
#
#   - Redis stops and comes back on the same port while clients stay
#     connected;
#   - 10 and 50 clients receive byte-identical streams;
#   - two instances on the same Redis give the same events the same ids;
#   - 100 clients that vanish are forgotten within 5 seconds.
#
# Each test runs its own pipelines on its own channel, so that a test
# never sees another test's events. The streams run with --heartbeat 0 so
# that a client's output is exactly the events sent.

load '../lib/common'

EVENTS=200

setup_file() {
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

# Starts buoy-sub | buoy-sse, joined through a FIFO, as pipeline NAME:
# sets SUB_PID[NAME], SSE_PID[NAME] and PORT[NAME], and waits until the
# stream is up. File descriptor 3 is closed for every background process
# so that bats does not wait for it.
declare -gA SUB_PID SSE_PID PORT

start_serve() {
	local name=$1 fifo=$BATS_TEST_TMPDIR/$1.fifo

	PORT[$name]=$(free_port)
	mkfifo "$fifo"
	buoy-sub >"$fifo" 2>"$BATS_TEST_TMPDIR/$name-sub.log" 3>&- &
	SUB_PID[$name]=$!
	test_pid "${SUB_PID[$name]}"
	buoy-sse --listen "127.0.0.1:${PORT[$name]}" --heartbeat 0 <"$fifo" \
		2>"$BATS_TEST_TMPDIR/$name-sse.log" 3>&- &
	SSE_PID[$name]=$!
	test_pid "${SSE_PID[$name]}"

	wait_for "health $name | grep -q '\"upstream\":\"up\"'" 100
}

health() {
	curl -s --max-time 2 "http://127.0.0.1:${PORT[$1]}/health"
}

stream_url() {
	echo "http://127.0.0.1:${PORT[$1]}/v1/observations/stream"
}

# Connects COUNT curl clients to pipeline NAME, their output in
# GROUP1.sse, GROUP2.sse and on and their PIDs in GROUP.pids, then waits
# until the server counts TOTAL clients.
connect_clients() {
	local name=$1 group=$BATS_TEST_TMPDIR/$2 count=$3 total=$4 i

	for ((i = 1; i <= count; i++)); do
		curl -sN --max-time 60 "$(stream_url "$name")" >"$group$i.sse" 3>&- &
		test_pid $!
		echo $! >>"$group.pids"
	done
	wait_for "health $name | grep -q '\"clients\":$total,'" 100
}

# Prints COUNT observations of station 44013, one a minute from
# 2022-06-05T00:00:00Z plus FIRST minutes, as buoy-fetch would.
observations() {
	awk -v first="$1" -v count="$2" 'BEGIN {
		for (i = first; i < first + count; i++)
			printf "{\"stationId\":\"44013\",\"timestamp\":\"2022-06-05T%02d:%02d:00Z\",\"waveHeightM\":%.1f,\"windSpeedMps\":%d,\"windDirDeg\":%d,\"waterTempC\":13.9,\"pressureHpa\":1015.2,\"gustMps\":null,\"dominantPeriodS\":null,\"averagePeriodS\":null,\"meanWaveDirDeg\":null,\"airTempC\":null,\"dewPointC\":null,\"visibilityNmi\":null,\"pressureTendencyHpa\":null,\"tideFt\":null}\n",
				int(i / 60), i % 60, (i % 30) / 10, i % 20, (i * 7) % 360
	}'
}

# Prints the events buoy-sse sends for the observations on stdin.
expected_events() {
	awk '{
		ts = $0
		sub(/.*"timestamp":"/, "", ts)
		sub(/".*/, "", ts)
		gsub(/[-:]/, "", ts)
		printf "id: %s-44013\nevent: observation\ndata: %s\n\n", ts, $0
	}'
}

publish() {
	buoy-publish <"$1" 2>>"$BATS_TEST_TMPDIR/publish.log"
}

count_events() {
	grep -c '^event: observation' "$1" || true
}

wait_for_events() {
	wait_for "[ \$(count_events $1) -ge $2 ]" 100
}

# Checks that FILE starts with the retry line and the connection event,
# then holds exactly the events in EXPECTED.
check_stream() {
	local file=$1 expected=$2

	[ "$(sed -n 1p "$file")" = "retry: 2000" ]
	[ "$(sed -n 2p "$file")" = "event: connection" ]
	[[ "$(sed -n 3p "$file")" == 'data: {"status":"connected","timestamp":"'*'Z"}' ]]
	[ -z "$(sed -n 4p "$file")" ]
	tail -n +5 "$file" >"$file.events"
	cmp "$expected" "$file.events"
}

# Sends EVENTS observations to COUNT clients of one pipeline and checks
# that every client received every event once, in order, byte for byte.
check_identical_streams() {
	local count=$1 i

	start_serve a
	connect_clients a client "$count" "$count"
	observations 0 "$EVENTS" >"$BATS_TEST_TMPDIR/sent"
	expected_events <"$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/expected"
	publish "$BATS_TEST_TMPDIR/sent"

	for ((i = 1; i <= count; i++)); do
		wait_for_events "$BATS_TEST_TMPDIR/client$i.sse" "$EVENTS"
	done
	sleep 0.2
	for ((i = 1; i <= count; i++)); do
		check_stream "$BATS_TEST_TMPDIR/client$i.sse" "$BATS_TEST_TMPDIR/expected"
	done
}

is_running() {
	[[ -r /proc/$1/cmdline && $(tr '\0' ' ' <"/proc/$1/cmdline") == *"$2"* ]]
}

@test "open streams survive a Redis restart and receive the events published after it" {
	start_serve a
	connect_clients a old 2 2
	observations 0 3 >"$BATS_TEST_TMPDIR/before"
	observations 3 3 >"$BATS_TEST_TMPDIR/after"
	publish "$BATS_TEST_TMPDIR/before"
	wait_for_events "$BATS_TEST_TMPDIR/old1.sse" 3
	wait_for_events "$BATS_TEST_TMPDIR/old2.sse" 3

	local old_redis=$REDIS_PID
	stop_redis
	wait_for "! kill -0 $old_redis" 50
	wait_for "health a | grep -q '\"upstream\":\"down\"'" 50

	run curl -s --max-time 5 -o "$BATS_TEST_TMPDIR/refused" \
		-w '%{http_code} %{content_type}' "$(stream_url a)"
	[ "$status" -eq 0 ]
	[ "$output" = "500 application/json" ]
	run jq -ce '[.error, .statusCode, (.message | type)]' "$BATS_TEST_TMPDIR/refused"
	[ "$output" = '["SERVICE_UNAVAILABLE",500,"string"]' ]

	run curl -s --max-time 5 -o "$BATS_TEST_TMPDIR/health" -w '%{http_code}' \
		"http://127.0.0.1:${PORT[a]}/health"
	[ "$output" = 503 ]
	run jq -ce '[.status, .upstream, .clients]' "$BATS_TEST_TMPDIR/health"
	[ "$output" = '["degraded","down",2]' ]
	local pid
	while read -r pid; do
		kill -0 "$pid"
	done <"$BATS_TEST_TMPDIR/old.pids"

	start_redis "$REDIS_PORT" 3>&-
	wait_for "health a | grep -q '\"upstream\":\"up\"'" 100
	connect_clients a new 1 3
	publish "$BATS_TEST_TMPDIR/after"

	wait_for_events "$BATS_TEST_TMPDIR/new1.sse" 3
	wait_for_events "$BATS_TEST_TMPDIR/old1.sse" 6
	wait_for_events "$BATS_TEST_TMPDIR/old2.sse" 6
	cat "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" | expected_events \
		>"$BATS_TEST_TMPDIR/expected-old"
	expected_events <"$BATS_TEST_TMPDIR/after" >"$BATS_TEST_TMPDIR/expected-new"
	check_stream "$BATS_TEST_TMPDIR/old1.sse" "$BATS_TEST_TMPDIR/expected-old"
	check_stream "$BATS_TEST_TMPDIR/old2.sse" "$BATS_TEST_TMPDIR/expected-old"
	check_stream "$BATS_TEST_TMPDIR/new1.sse" "$BATS_TEST_TMPDIR/expected-new"

	is_running "${SUB_PID[a]}" buoy-sub
	is_running "${SSE_PID[a]}" buoy-sse
}

@test "10 clients receive byte-identical streams of $EVENTS events" {
	check_identical_streams 10
}

@test "50 clients receive byte-identical streams of $EVENTS events" {
	check_identical_streams 50
}

@test "two instances on one Redis send the same events with the same ids" {
	start_serve a
	start_serve b
	connect_clients a a 3 3
	connect_clients b b 3 3
	observations 0 "$EVENTS" >"$BATS_TEST_TMPDIR/sent"
	expected_events <"$BATS_TEST_TMPDIR/sent" >"$BATS_TEST_TMPDIR/expected"
	publish "$BATS_TEST_TMPDIR/sent"

	local file
	for file in "$BATS_TEST_TMPDIR"/[ab][123].sse; do
		wait_for_events "$file" "$EVENTS"
	done
	sleep 0.2
	for file in "$BATS_TEST_TMPDIR"/[ab][123].sse; do
		check_stream "$file" "$BATS_TEST_TMPDIR/expected"
	done
	[ "$(grep -c '^id: 20220605T' "$BATS_TEST_TMPDIR/a1.sse.events")" -eq "$EVENTS" ]
}

@test "100 clients that disconnect leave no client counted within 5 seconds" {
	start_serve a
	connect_clients a client 100 100

	local pid
	while read -r pid; do
		kill "$pid"
	done <"$BATS_TEST_TMPDIR/client.pids"

	wait_for "health a | grep -q '\"clients\":0,'" 50
	is_running "${SSE_PID[a]}" buoy-sse
}
