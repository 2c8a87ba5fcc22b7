#!/usr/bin/env bats
# buoy-sse: the event history, resuming with Last-Event-ID or the
# lastEventId parameter, the gap event, and the stations filter.
#
# Each buoy-sse reads a FIFO. Every background process closes fd 3 (bats'
# own output) and fd 7 (the test's writer), so that neither bats nor
# buoy-sse waits on a descriptor a child still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'

SSE_PIDS=()
PORT=
BASE=

# Stops every buoy-sse the test started. Each must exit 0 on SIGTERM and,
# in the sanitizer build, without a sanitizer report.
teardown() {
	exec 7>&- 2>/dev/null || true
	local pid failed=0
	for pid in $(jobs -p); do
		if [[ " ${SSE_PIDS[*]} " != *" $pid "* ]]; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	for pid in "${SSE_PIDS[@]}"; do
		kill -TERM "$pid"
		local status=0
		wait "$pid" || status=$?
		if [[ $status -ne 0 ]]; then
			echo "buoy-sse $pid exited $status on SIGTERM" >&2
			failed=1
		fi
	done
	SSE_PIDS=()
	if grep -E 'Sanitizer|runtime error' "$BATS_TEST_TMPDIR"/*.err >&2 2>/dev/null; then
		failed=1
	fi
	return "$failed"
}

# Starts buoy-sse on a free port reading FIFO $1, with its stderr in
# $BATS_TEST_TMPDIR/$2.err and the further arguments as options. Sets PORT
# and BASE; the caller opens the FIFO's writer, then calls wait_for_sse.
launch_sse() {
	local input=$1 name=$2
	shift 2
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	buoy-sse --listen "127.0.0.1:$PORT" "$@" <"$input" 2>"$BATS_TEST_TMPDIR/$name.err" \
		3>&- 7>&- &
	SSE_PIDS+=("$!")
}

wait_for_sse() {
	wait_for "curl -s -o /dev/null $1/health"
}

# Starts one buoy-sse with the given options, its input written through
# fd 7 and its stderr in $ERR.
start_sse() {
	mkfifo "$BATS_TEST_TMPDIR/stdin"
	launch_sse "$BATS_TEST_TMPDIR/stdin" sse "$@"
	ERR=$BATS_TEST_TMPDIR/sse.err
	exec 7>"$BATS_TEST_TMPDIR/stdin"
	wait_for_sse "$BASE"
}

# Prints observation number $1 (minutes after 2022-06-05T13:00:00Z) of
# station $2 (default 44013), with $3 bytes of padding (default none).
obs() {
	local n=$1 station=${2:-44013} padding=
	if [[ -n ${3:-} ]]; then
		padding=,\"padding\":\"$(printf '%*s' "$3" '' | tr ' ' x)\"
	fi
	printf '{"stationId":"%s","timestamp":"2022-06-05T%02d:%02d:00Z","waveHeightM":0.5,"windSpeedMps":%d,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2%s}\n' \
		"$station" $((13 + n / 60)) $((n % 60)) "$n" "$padding"
}

# Prints the event id of observation $1 of station $2 (default 44013).
event_id() {
	local n=$1 station=${2:-44013}
	printf '20220605T%02d%02d00Z-%s\n' $((13 + n / 60)) $((n % 60)) "${station^^}"
}

# Prints the event ids of observations $1 to $2 of station $3, one a line.
event_ids() {
	local n
	for ((n = $1; n <= $2; n++)); do
		event_id "$n" "${3:-44013}"
	done
}

# Opens a stream in the background into file $1 from base URL $2 with
# query $3 (may be empty) and any further arguments passed to curl, and
# waits for its connection event. The client's PID is in CLIENT_PID.
open_stream_at() {
	local file=$1 base=$2 query=$3
	shift 3
	curl -sN --max-time 30 "$@" "$base/v1/observations/stream$query" \
		>"$file" 2>/dev/null 3>&- 7>&- &
	CLIENT_PID=$!
	wait_for "grep -q '^event: connection' '$file'"
}

open_stream() {
	local file=$1
	shift
	open_stream_at "$file" "$BASE" "$@"
}

count_events() {
	grep -c '^event: observation$' "$1" || true
}

wait_for_events() {
	wait_for "[ \$(count_events '$1') -ge $2 ]" "${3:-50}"
}

# Prints the ids of the events in stream file $1, one a line.
ids_in() {
	grep '^id: ' "$1" | cut -c5- || true
}

# Prints the data line of the gap event in stream file $1.
gap_data() {
	grep -A1 '^event: gap$' "$1" | sed -n 's/^data: //p'
}

@test "history option out of range is a usage error" {
	run --separate-stderr buoy-sse --history 100001
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --history '100001': expected a number of events from 0 to 100000"* ]]
	[[ $stderr == *"Try 'buoy-sse --help' for more information."* ]]

	run --separate-stderr buoy-sse --history -1
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --history '-1'"* ]]
}

@test "Last-Event-ID replays exactly the missed events" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/a" ""
	for n in $(seq 1 10); do obs "$n"; done >&7
	wait_for_events "$BATS_TEST_TMPDIR/a" 10
	local fourth
	fourth=$(ids_in "$BATS_TEST_TMPDIR/a" | sed -n 4p)
	[ "$fourth" = "$(event_id 4)" ]

	open_stream "$BATS_TEST_TMPDIR/b" "" -H "Last-Event-ID: $fourth"
	wait_for_events "$BATS_TEST_TMPDIR/b" 6
	obs 11 >&7
	obs 12 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 8
	wait_for_events "$BATS_TEST_TMPDIR/a" 12
	sleep 0.2

	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_ids 5 12)" ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/a")" = "$(event_ids 1 12)" ]
	run grep -c '^event: gap$' "$BATS_TEST_TMPDIR/b"
	[ "$output" = 0 ]
	run grep -v '^$' "$BATS_TEST_TMPDIR/b"
	[ "${lines[0]}" = "retry: 2000" ]
	[ "${lines[1]}" = "event: connection" ]
	[ "${lines[3]}" = "id: $(event_id 5)" ]
	[ "${lines[5]}" = "data: $(obs 5)" ]
	[ "$(grep -c '^data: ' "$BATS_TEST_TMPDIR/b")" -eq 9 ]
	# Replayed events count as sent: 12 to client a and 8 to client b.
	run curl -s "$BASE/metrics"
	grep -qx 'buoy_sse_events_sent_total{type="observation"} 20' <<<"$output"
}

@test "replay after the newest id sends only live events" {
	start_sse
	for n in 1 2 3; do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 3 ]"
	open_stream "$BATS_TEST_TMPDIR/b" "" -H "Last-Event-ID: $(event_id 3)"
	obs 4 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 1
	sleep 0.2
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_id 4)" ]
}

@test "HTTP/1.0 client gets the replay unchunked" {
	start_sse
	for n in 1 2 3; do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 3 ]"
	open_stream "$BATS_TEST_TMPDIR/b" "" --http1.0 -H "Last-Event-ID: $(event_id 1)"
	obs 4 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 3
	sleep 0.2

	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_ids 2 4)" ]
	run grep '^data: ' "$BATS_TEST_TMPDIR/b"
	[ "${lines[1]}" = "data: $(obs 2)" ]
	[ "${lines[3]}" = "data: $(obs 4)" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "lastEventId parameter resumes and the header wins" {
	start_sse
	for n in $(seq 1 10); do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 10 ]"

	open_stream "$BATS_TEST_TMPDIR/b" "?lastEventId=$(event_id 7)"
	wait_for_events "$BATS_TEST_TMPDIR/b" 3
	open_stream "$BATS_TEST_TMPDIR/c" "?lastEventId=$(event_id 2)" \
		-H "Last-Event-ID: $(event_id 8)"
	wait_for_events "$BATS_TEST_TMPDIR/c" 2
	sleep 0.2

	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_ids 8 10)" ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/c")" = "$(event_ids 9 10)" ]
}

@test "unknown id gets the gap event then the whole history" {
	start_sse
	for n in $(seq 1 5); do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 5 ]"

	open_stream "$BATS_TEST_TMPDIR/b" "" -H 'Last-Event-ID: 20000101T000000Z-"X'
	wait_for_events "$BATS_TEST_TMPDIR/b" 5
	obs 6 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 6
	sleep 0.2

	run grep -v '^$' "$BATS_TEST_TMPDIR/b"
	[ "${lines[1]}" = "event: connection" ]
	[ "${lines[3]}" = "event: gap" ]
	[ "${lines[5]}" = "id: $(event_id 1)" ]
	local data
	data=$(gap_data "$BATS_TEST_TMPDIR/b")
	[ "$(jq -r .lastEventId <<<"$data")" = '20000101T000000Z-"X' ]
	[ "$(jq -r .oldestId <<<"$data")" = "$(event_id 1)" ]
	[ "$(jq -r .message <<<"$data")" = "events after lastEventId may be missing: fetch them from the database, then follow this stream" ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_ids 1 6)" ]
	[ "$(grep -c '^event: gap$' "$BATS_TEST_TMPDIR/b")" -eq 1 ]
}

@test "history 3 keeps the last three events" {
	start_sse --history 3
	for n in $(seq 1 6); do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 6 ]"

	open_stream "$BATS_TEST_TMPDIR/evicted" "" -H "Last-Event-ID: $(event_id 2)"
	wait_for_events "$BATS_TEST_TMPDIR/evicted" 3
	open_stream "$BATS_TEST_TMPDIR/kept" "" -H "Last-Event-ID: $(event_id 4)"
	wait_for_events "$BATS_TEST_TMPDIR/kept" 2
	sleep 0.2

	[ "$(ids_in "$BATS_TEST_TMPDIR/evicted")" = "$(event_ids 4 6)" ]
	[ "$(jq -r .oldestId <<<"$(gap_data "$BATS_TEST_TMPDIR/evicted")")" = "$(event_id 4)" ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/kept")" = "$(event_ids 5 6)" ]
	[ "$(grep -c '^event: gap$' "$BATS_TEST_TMPDIR/kept")" -eq 0 ]
}

@test "history 0 sends the gap event and no replay" {
	start_sse --history 0
	for n in 1 2 3; do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 3 ]"

	open_stream "$BATS_TEST_TMPDIR/b" "" -H "Last-Event-ID: $(event_id 1)"
	obs 4 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 1
	sleep 0.2

	local data
	data=$(gap_data "$BATS_TEST_TMPDIR/b")
	[ "$(jq -r .lastEventId <<<"$data")" = "$(event_id 1)" ]
	[ "$(jq .oldestId <<<"$data")" = null ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_id 4)" ]
}

@test "replay larger than half the client buffer starts with a gap" {
	start_sse --max-client-buffer 131072
	# 60 events of about 2.2 KB: about 130 KB, twice the 64 KiB budget.
	for n in $(seq 1 60); do obs "$n" 44013 2000; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 60 ]"

	open_stream "$BATS_TEST_TMPDIR/b" "" -H "Last-Event-ID: $(event_id 1)"
	wait_for "grep -q '^id: $(event_id 60)$' '$BATS_TEST_TMPDIR/b'"
	sleep 0.2

	local count first
	count=$(count_events "$BATS_TEST_TMPDIR/b")
	[ "$count" -gt 20 ]
	[ "$count" -le 32 ]
	first=$((61 - count))
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_ids "$first" 60)" ]
	[ "$(jq -r .oldestId <<<"$(gap_data "$BATS_TEST_TMPDIR/b")")" = "$(event_id "$first")" ]
}

@test "stations filter applies to replay and live events" {
	start_sse --heartbeat 200ms
	local n
	for n in $(seq 1 9); do
		case $((n % 3)) in
		0) obs "$n" 44013 ;;
		1) obs "$n" tplm2 ;;
		2) obs "$n" 46042 ;;
		esac
	done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 9 ]"

	open_stream "$BATS_TEST_TMPDIR/b" "?stations=TPLM2,46042&lastEventId=$(event_id 3)"
	open_stream "$BATS_TEST_TMPDIR/live" "?stations=44013"
	obs 10 tplm2 >&7
	obs 12 44013 >&7
	obs 14 46042 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 6
	wait_for_events "$BATS_TEST_TMPDIR/live" 1
	wait_for "grep -q '^: keep-alive$' '$BATS_TEST_TMPDIR/live'"
	sleep 0.2

	local expected
	expected=$(printf '%s\n' "$(event_id 4 TPLM2)" "$(event_id 5 46042)" "$(event_id 7 TPLM2)" \
		"$(event_id 8 46042)" "$(event_id 10 TPLM2)" "$(event_id 14 46042)")
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$expected" ]
	[ "$(ids_in "$BATS_TEST_TMPDIR/live")" = "$(event_id 12 44013)" ]
	grep -q '^event: connection$' "$BATS_TEST_TMPDIR/live"
}

@test "gap oldestId is the oldest event the filter passes" {
	start_sse
	obs 1 44013 >&7
	obs 2 tplm2 >&7
	obs 3 tplm2 >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 3 ]"

	open_stream "$BATS_TEST_TMPDIR/tplm2" "?stations=TPLM2&lastEventId=unknown"
	open_stream "$BATS_TEST_TMPDIR/none" "?stations=46042&lastEventId=unknown"
	wait_for_events "$BATS_TEST_TMPDIR/tplm2" 2

	[ "$(jq -r .oldestId <<<"$(gap_data "$BATS_TEST_TMPDIR/tplm2")")" = "$(event_id 2 TPLM2)" ]
	[ "$(jq .oldestId <<<"$(gap_data "$BATS_TEST_TMPDIR/none")")" = null ]
	[ "$(count_events "$BATS_TEST_TMPDIR/none")" -eq 0 ]
}

@test "stations ids are case-insensitive" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/upper" "?stations=TPLM2"
	open_stream "$BATS_TEST_TMPDIR/lower" "?stations=tplm2"
	open_stream "$BATS_TEST_TMPDIR/mixed" "?stations=TpLm2,44009"
	obs 1 tplm2 >&7
	obs 2 44013 >&7
	obs 3 TPLM2 >&7
	local name
	for name in upper lower mixed; do
		wait_for_events "$BATS_TEST_TMPDIR/$name" 2
	done
	sleep 0.2
	for name in upper lower mixed; do
		[ "$(ids_in "$BATS_TEST_TMPDIR/$name")" = "$(event_id 1 TPLM2; event_id 3 TPLM2)" ]
	done
}

@test "invalid stations list gets 400 naming the id" {
	start_sse
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/observations/stream?stations=44013,bad!"
	[ "$status" -eq 0 ]
	grep -q '^HTTP/1.1 400' "$BATS_TEST_TMPDIR/h"
	grep -qi '^Content-Type: application/json' "$BATS_TEST_TMPDIR/h"
	[ "$(jq -r .error <<<"$output")" = BAD_REQUEST ]
	[ "$(jq -r .statusCode <<<"$output")" = 400 ]
	[[ $(jq -r .message <<<"$output") == "invalid station id 'bad!' in stations"* ]]

	run curl -s "$BASE/v1/observations/stream?stations=44013,,46042"
	[[ $(jq -r .message <<<"$output") == "invalid station id '' in stations"* ]]

	run curl -s "$BASE/v1/observations/stream?stations=123456789"
	[[ $(jq -r .message <<<"$output") == "invalid station id '123456789' in stations"* ]]

	local many
	many=$(seq -s, 10001 10101)
	run curl -s "$BASE/v1/observations/stream?stations=$many"
	[ "$(jq -r .message <<<"$output")" = "too many station ids in stations: at most 100" ]

	run curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/observations/stream?stations"
	[ "$output" = 400 ]
	[ "$(curl -s "$BASE/health" | jq .clients)" = 0 ]
}

@test "unknown parameters are ignored" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/b" "?nocache=123&stations=44013"
	obs 1 >&7
	wait_for_events "$BATS_TEST_TMPDIR/b" 1
	[ "$(ids_in "$BATS_TEST_TMPDIR/b")" = "$(event_id 1)" ]
}

@test "client log shows filter and resume" {
	start_sse
	for n in 1 2 3; do obs "$n"; done >&7
	wait_for "[ \"\$(curl -s $BASE/health | jq .eventsReceived)\" = 3 ]"
	open_stream "$BATS_TEST_TMPDIR/plain" ""
	open_stream "$BATS_TEST_TMPDIR/resumed" "?stations=44013" -H "Last-Event-ID: $(event_id 1)"
	open_stream "$BATS_TEST_TMPDIR/gap" "" -H "Last-Event-ID: unknown"

	run jq -r 'select(.message == "client connected") | [.stations, .resume, .replayed_events] | join(" ")' "$ERR"
	[ "${lines[0]}" = "all no 0" ]
	[ "${lines[1]}" = "44013 from history 2" ]
	[ "${lines[2]}" = "all gap 3" ]
}

@test "two instances give the same ids and a client resumes across them" {
	local dir=$BATS_TEST_TMPDIR
	mkfifo "$dir/source" "$dir/in1" "$dir/in2"
	launch_sse "$dir/in1" sse1
	local base1=$BASE
	launch_sse "$dir/in2" sse2
	local base2=$BASE
	tee "$dir/in1" <"$dir/source" >"$dir/in2" 2>/dev/null 3>&- &
	exec 7>"$dir/source"
	wait_for_sse "$base1"
	wait_for_sse "$base2"

	open_stream_at "$dir/a" "$base1" ""
	local client_a=$CLIENT_PID
	open_stream_at "$dir/watch2" "$base2" ""
	local n
	for n in $(seq 1 6); do obs "$n" "$([[ $((n % 2)) -eq 0 ]] && echo 44013 || echo tplm2)"; done >&7
	wait_for_events "$dir/a" 6
	wait_for_events "$dir/watch2" 6
	# Client a leaves instance 1; events 7 and 8 arrive while it is away.
	kill "$client_a"
	wait "$client_a" || true
	[ "$(ids_in "$dir/a")" = "$(ids_in "$dir/watch2")" ]

	for n in 7 8; do obs "$n"; done >&7
	wait_for_events "$dir/watch2" 8
	local last
	last=$(ids_in "$dir/a" | tail -n 1)
	[ "$last" = "$(event_id 6)" ]

	open_stream_at "$dir/b" "$base2" "" -H "Last-Event-ID: $last"
	obs 9 >&7
	wait_for_events "$dir/b" 3
	wait_for_events "$dir/watch2" 9
	sleep 0.2

	[ "$(ids_in "$dir/b")" = "$(event_ids 7 9)" ]
	[ "$(grep -c '^event: gap$' "$dir/b")" -eq 0 ]
	[ "$(ids_in "$dir/a"; ids_in "$dir/b")" = "$(ids_in "$dir/watch2")" ]
	[ "$(cat "$dir/a" "$dir/b" | grep -c '^data: {"stationId')" -eq 9 ]
}
