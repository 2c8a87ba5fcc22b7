#!/usr/bin/env bats
# buoy-sse: options, the stream's headers and events, status lines, end of
# input, error replies, /health, /metrics, slow and departed clients, and
# SIGTERM.
#
# buoy-sse reads a FIFO whose writer stays open on fd 7. Every background
# process closes fd 3 (bats' own output) and fd 7, so that neither bats nor
# buoy-sse waits on a descriptor a child still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'
load '../lib/sse'

OBS_1='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"gustMps":4}'
OBS_2='{"stationId":"44013","timestamp":"2022-06-05T13:10:00Z","waveHeightM":null,"windSpeedMps":3.0,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"futureField":[1,2]}'
OBS_3='{ "stationId": "tplm2", "timestamp": "2022-06-05T13:20:00Z", "waveHeightM": null, "windSpeedMps": 5.1, "windDirDeg": 90, "waterTempC": null, "pressureHpa": 1012.0 }'

SSE_PID=
PORT=
BASE=
ERR=

teardown() {
	sse_teardown
}

# Opens a stream in the background into file $1 (headers in $1.headers),
# with any further arguments passed to curl, and waits for its connection
# event. The client's PID is in CLIENT_PID.
open_stream() {
	local file=$1
	shift
	curl -sN --max-time 20 -D "$file.headers" "$@" "$BASE/v1/observations/stream" \
		>"$file" 2>/dev/null 3>&- 7>&- &
	CLIENT_PID=$!
	wait_for "grep -q '^event: connection' '$file'"
}

# Prints the number of observation events in file $1.
count_events() {
	grep -c '^event: observation$' "$1" || true
}

# Waits until file $1 holds $2 observation events.
wait_for_events() {
	wait_for "[ \$(count_events '$1') -ge $2 ]"
}

# Prints the value of the /health field $1.
health_field() {
	curl -s "$BASE/health" | jq -r ".$1"
}

@test "help prints usage to stdout" {
	run --separate-stderr buoy-sse --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: buoy-sse "* ]]
	[[ $output == *"--max-client-buffer"* ]]
	[[ $output == *"--max-clients"* ]]
	[[ $output == *"--heartbeat"* ]]
	[ -z "$stderr" ]
}

@test "version names buoy-sse and libevent" {
	run --separate-stderr buoy-sse --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "buoy-sse 0.1.0" ]
	[[ ${lines[1]} =~ ^libevent\ 2\.[0-9]+\.[0-9]+ ]]
}

@test "unknown option is a usage error" {
	run --separate-stderr buoy-sse --bogus
	[ "$status" -eq 64 ]
	[[ $stderr == *"Try 'buoy-sse --help' for more information."* ]]
	[ -z "$output" ]
}

@test "out-of-range option values are usage errors" {
	run --separate-stderr buoy-sse --max-clients 0
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --max-clients '0'"* ]]

	run --separate-stderr buoy-sse --max-client-buffer 100
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --max-client-buffer '100'"* ]]

	run --separate-stderr buoy-sse --heartbeat 2h
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --heartbeat '2h'"* ]]
}

@test "invalid --listen is a usage error" {
	run --separate-stderr buoy-sse --listen localhost </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"invalid listen address 'localhost'"* ]]
	[[ $stderr == *"Try 'buoy-sse --help'"* ]]

	run --separate-stderr buoy-sse --listen 127.0.0.1:70000 </dev/null
	[ "$status" -eq 64 ]
	[[ $stderr == *"port must be a number from 1 to 65535"* ]]
}

@test "invalid BUOY_LISTEN is a configuration error" {
	BUOY_LISTEN='[::1' run --separate-stderr buoy-sse </dev/null
	[ "$status" -eq 78 ]
	[[ $stderr == *"BUOY_LISTEN: invalid listen address '[::1'"* ]]
}

@test "port in use exits 69 with the address" {
	start_sse
	run --separate-stderr buoy-sse --listen "127.0.0.1:$PORT" </dev/null
	[ "$status" -eq 69 ]
	[[ $stderr == *"cannot listen on 127.0.0.1:$PORT: Address already in use"* ]]
}

@test "BUOY_LISTEN sets the address" {
	PORT=$(free_port)
	ERR=$BATS_TEST_TMPDIR/stderr
	BUOY_LISTEN="127.0.0.1:$PORT" buoy-sse </dev/null 2>"$ERR" 3>&- &
	SSE_PID=$!
	wait_for "curl -s -o /dev/null http://127.0.0.1:$PORT/health"
	run curl -s "http://127.0.0.1:$PORT/health"
	[ "$status" -eq 0 ]
	[[ $output == '{"status":"degraded","upstream":"down",'* ]]
}

@test "colon and port listens on every interface" {
	PORT=$(free_port)
	ERR=$BATS_TEST_TMPDIR/stderr
	buoy-sse --listen ":$PORT" </dev/null 2>"$ERR" 3>&- &
	SSE_PID=$!
	wait_for "curl -s -o /dev/null http://127.0.0.1:$PORT/health"
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health"
	[ "$output" = 503 ]
	if python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		run curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$PORT/health"
		[ "$output" = 503 ]
	fi
}

@test "stream sends the four headers" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	local headers=$BATS_TEST_TMPDIR/s1.headers
	run tr -d '\r' <"$headers"
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "$(grep -ci '^Content-Type:' "$headers")" -eq 1 ]
	grep -qx 'Content-Type: text/event-stream' <(tr -d '\r' <"$headers")
	grep -qx 'Cache-Control: no-cache' <(tr -d '\r' <"$headers")
	grep -qx 'Connection: keep-alive' <(tr -d '\r' <"$headers")
	grep -qx 'X-Accel-Buffering: no' <(tr -d '\r' <"$headers")
}

@test "stream starts with retry and the connection event" {
	start_sse
	local started=$EPOCHREALTIME
	open_stream "$BATS_TEST_TMPDIR/s1"
	local elapsed_ms=$(( (${EPOCHREALTIME/./} - ${started/./}) / 1000 ))
	[ "$elapsed_ms" -lt 2000 ]
	run cat "$BATS_TEST_TMPDIR/s1"
	[ "${lines[0]}" = "retry: 2000" ]
	[ "${lines[1]}" = "event: connection" ]
	[[ ${lines[2]} =~ ^data:\ \{\"status\":\"connected\",\"timestamp\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"\}$ ]]
}

@test "three clients receive every observation once in order" {
	start_sse
	for n in 1 2 3; do
		open_stream "$BATS_TEST_TMPDIR/s$n"
	done
	printf '%s\n' "$OBS_1" "$OBS_2" "$OBS_3" >&7
	for n in 1 2 3; do
		wait_for_events "$BATS_TEST_TMPDIR/s$n" 3
	done
	sleep 0.2

	for n in 1 2 3; do
		local file=$BATS_TEST_TMPDIR/s$n
		[ "$(count_events "$file")" -eq 3 ]
		run grep '^id: ' "$file"
		[ "${lines[0]}" = "id: 20220605T130000Z-44013" ]
		[ "${lines[1]}" = "id: 20220605T131000Z-44013" ]
		[ "${lines[2]}" = "id: 20220605T132000Z-TPLM2" ]
		[ "${#lines[@]}" -eq 3 ]
		run grep '^data: ' "$file"
		[ "${lines[1]}" = "data: $OBS_1" ]
		[ "${lines[2]}" = "data: $OBS_2" ]
		[ "${lines[3]}" = "data: $OBS_3" ]
		[ "${#lines[@]}" -eq 4 ]
	done
}

@test "event block is id, event, data and a blank line" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	printf '%s\n' "$OBS_1" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" 1
	run cat "$BATS_TEST_TMPDIR/s1"
	[ "${lines[3]}" = "id: 20220605T130000Z-44013" ]
	[ "${lines[4]}" = "event: observation" ]
	[ "${lines[5]}" = "data: $OBS_1" ]
	# bats drops empty lines from $lines, so count them in the raw file.
	[ "$(grep -c '^$' "$BATS_TEST_TMPDIR/s1")" -eq 2 ]
}

@test "HTTP/1.0 client gets the stream unchunked" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1" --http1.0
	printf '%s\n' "$OBS_1" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" 1
	grep -q '^HTTP/1.0 200' "$BATS_TEST_TMPDIR/s1.headers"
	run -1 grep -qi '^Transfer-Encoding' "$BATS_TEST_TMPDIR/s1.headers"
	run grep '^data: ' "$BATS_TEST_TMPDIR/s1"
	[ "${lines[1]}" = "data: $OBS_1" ]
}

@test "invalid lines are logged and not broadcast" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	printf '%s\n' 'not json' '{"stationId":"44013"}' "$OBS_1" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" 1
	sleep 0.2
	[ "$(count_events "$BATS_TEST_TMPDIR/s1")" -eq 1 ]
	run grep -c '^data: ' "$BATS_TEST_TMPDIR/s1"
	[ "$output" -eq 2 ]
	grep -q 'stdin:1: not valid JSON' "$ERR"
	grep -q 'the line is skipped' "$ERR"
	[ "$(metric buoy_sse_invalid_lines_total)" -ge 1 ]
	[ "$(metric buoy_sse_input_lines_total)" -eq 3 ]
}

@test "a burst of invalid lines is reported at most once a second" {
	start_sse
	for i in $(seq 1 50); do
		echo "bad line $i"
	done >&7
	wait_for "[ \$(metric buoy_sse_invalid_lines_total) -eq 50 ]"
	wait_for "grep -q 'more invalid lines on stdin were skipped without a report' '$ERR'" 30
	[ "$(grep -c 'the line is skipped' "$ERR")" -le 3 ]
}

@test "upstream down rejects new streams and keeps open ones" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	echo '{"upstream":"down","reason":"Redis connection lost","timestamp":"2026-12-04T19:30:00Z"}' >&7
	wait_for "[ \"\$(health_field upstream)\" = down ]"

	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/observations/stream"
	[ "$status" -eq 0 ]
	[ "$(jq -r .error <<<"$output")" = SERVICE_UNAVAILABLE ]
	[ "$(jq -r .statusCode <<<"$output")" = 500 ]
	[[ $(jq -r .message <<<"$output") == *"buoy-sub"* ]]
	grep -q '^HTTP/1.1 500' "$BATS_TEST_TMPDIR/h"
	grep -qi '^Content-Type: application/json' "$BATS_TEST_TMPDIR/h"
	grep -q 'upstream down' "$ERR"

	echo '{"upstream":"up","timestamp":"2026-12-04T19:31:00Z"}' >&7
	printf '%s\n' "$OBS_1" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" 1
	kill -0 "$CLIENT_PID"
	[ "$(health_field upstream)" = up ]
}

@test "end of stdin rejects new streams and keeps open ones" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	printf '%s\n' "$OBS_1" >&7
	exec 7>&-
	wait_for "[ \"\$(health_field upstream)\" = down ]"

	run curl -s -o /dev/null -w '%{http_code}' "$BASE/v1/observations/stream"
	[ "$output" = 500 ]
	run curl -s "$BASE/v1/observations/stream"
	[ "$(jq -r .error <<<"$output")" = SERVICE_UNAVAILABLE ]
	grep -q 'stdin reached end of file' "$ERR"
	kill -0 "$SSE_PID"
	kill -0 "$CLIENT_PID"
	[ "$(count_events "$BATS_TEST_TMPDIR/s1")" -eq 1 ]
}

@test "POST gets 405 with Allow GET" {
	start_sse
	run curl -s -X POST -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/observations/stream"
	[ "$(jq -r .error <<<"$output")" = METHOD_NOT_ALLOWED ]
	[ "$(jq -r .statusCode <<<"$output")" = 405 ]
	grep -q '^HTTP/1.1 405' "$BATS_TEST_TMPDIR/h"
	grep -qx 'Allow: GET' <(tr -d '\r' <"$BATS_TEST_TMPDIR/h")

	run curl -s -o /dev/null -w '%{http_code}' -X DELETE "$BASE/health"
	[ "$output" = 405 ]
}

@test "HEAD gets headers only, then the connection goes on" {
	start_sse
	run curl -s --max-time 5 -I "$BASE/health" -o /dev/null -w '%{http_code}' \
		--next -s --max-time 5 "$BASE/health"
	[ "$status" -eq 0 ]
	[[ $output == 405* ]]
	[ "$(jq -r .status <<<"${output#405}")" = ok ]
}

@test "Accept without event-stream gets 400" {
	start_sse
	run curl -s -H 'Accept: application/json' -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/observations/stream"
	[ "$(jq -r .error <<<"$output")" = NOT_ACCEPTABLE ]
	[ "$(jq -r .statusCode <<<"$output")" = 400 ]
	grep -q '^HTTP/1.1 400' "$BATS_TEST_TMPDIR/h"

	run curl -s -o /dev/null -w '%{http_code}' -H 'Accept: text/event-stream;q=0, text/html' \
		"$BASE/v1/observations/stream"
	[ "$output" = 400 ]
}

@test "Accept with a matching range gets the stream" {
	start_sse
	local accept
	for accept in 'text/event-stream' 'text/*' '*/*' 'application/json, text/event-stream;q=0.5'; do
		run curl -s -o /dev/null -w '%{http_code}' --max-time 1 -H "Accept: $accept" \
			"$BASE/v1/observations/stream"
		[ "$output" = 200 ]
	done
}

@test "unknown path gets 404" {
	start_sse
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/nothing"
	[ "$(jq -r .error <<<"$output")" = NOT_FOUND ]
	[ "$(jq -r .statusCode <<<"$output")" = 404 ]
	grep -q '^HTTP/1.1 404' "$BATS_TEST_TMPDIR/h"
}

@test "health reports state and counts" {
	start_sse
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/health"
	grep -q '^HTTP/1.1 200' "$BATS_TEST_TMPDIR/h"
	[ "$(jq -r .status <<<"$output")" = ok ]
	[ "$(jq -r .upstream <<<"$output")" = up ]
	[ "$(jq -r .clients <<<"$output")" = 0 ]
	[ "$(jq -r .eventsReceived <<<"$output")" = 0 ]
	[[ $(jq -r .uptimeSeconds <<<"$output") =~ ^[0-9]+$ ]]

	open_stream "$BATS_TEST_TMPDIR/s1"
	printf '%s\n' "$OBS_1" "$OBS_2" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" 2
	run curl -s "$BASE/health"
	[ "$(jq -r .clients <<<"$output")" = 1 ]
	[ "$(jq -r .eventsReceived <<<"$output")" = 2 ]

	echo '{"upstream":"down"}' >&7
	wait_for "[ \"\$(health_field status)\" = degraded ]"
	run curl -s -o /dev/null -w '%{http_code}' "$BASE/health"
	[ "$output" = 503 ]
}

@test "metrics use the Prometheus text format" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	open_stream "$BATS_TEST_TMPDIR/s2"
	printf '%s\n' "$OBS_1" 'bad' >&7
	wait_for_events "$BATS_TEST_TMPDIR/s2" 1
	wait_for "[ \"\$(metric buoy_sse_invalid_lines_total)\" = 1 ]"

	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/metrics"
	grep -qix 'Content-Type: text/plain; version=0.0.4; charset=utf-8' <(tr -d '\r' <"$BATS_TEST_TMPDIR/h")
	[[ $output == *'# TYPE buoy_sse_clients gauge'* ]]
	[[ $output == *'# TYPE buoy_sse_events_sent_total counter'* ]]
	[[ $output == *'# TYPE buoy_sse_upstream_up gauge'* ]]
	local name
	for name in buoy_sse_clients buoy_sse_events_sent_total buoy_sse_input_lines_total \
		buoy_sse_invalid_lines_total buoy_sse_upstream_up buoy_sse_clients_dropped_total; do
		grep -q "^# HELP $name " <<<"$output"
		grep -q "^# TYPE $name " <<<"$output"
	done
	grep -qx 'buoy_sse_clients 2' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="observation"} 2' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="connection"} 2' <<<"$output"
	grep -qx 'buoy_sse_input_lines_total 2' <<<"$output"
	grep -qx 'buoy_sse_invalid_lines_total 1' <<<"$output"
	grep -qx 'buoy_sse_upstream_up 1' <<<"$output"
	grep -qx 'buoy_sse_clients_dropped_total{reason="buffer_full"} 0' <<<"$output"
}

@test "SIGTERM ends the streams and exits 0" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	local client=$CLIENT_PID
	open_stream "$BATS_TEST_TMPDIR/s2"
	stop_sse
	[ "$SSE_STATUS" -eq 0 ]
	# curl exits 0 only when the chunked reply ended properly.
	local client_status=0
	wait "$client" || client_status=$?
	[ "$client_status" -eq 0 ]
	grep -q 'stopping on SIGTERM' "$ERR"
	grep -q '"stopped"' "$ERR"
}

@test "SIGINT exits 0" {
	start_sse
	kill -INT "$SSE_PID"
	local sse_status=0
	wait "$SSE_PID" || sse_status=$?
	SSE_PID=
	[ "$sse_status" -eq 0 ]
	grep -q 'stopping on SIGINT' "$ERR"
}

@test "departed client leaves the count within 5 seconds" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	open_stream "$BATS_TEST_TMPDIR/s2"
	[ "$(health_field clients)" = 2 ]
	kill "$CLIENT_PID"
	wait_for "[ \"\$(health_field clients)\" = 1 ]" 50
	grep -q '"client disconnected"' "$ERR"
	[ "$(metric buoy_sse_clients_disconnected_total)" = 1 ]
}

@test "client that sends more after its request is released" {
	start_sse
	python3 - "$PORT" >"$BATS_TEST_TMPDIR/client.out" <<-'END' &
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"GET /v1/observations/stream HTTP/1.1\r\nHost: x\r\n\r\n" + b"A" * 10000)
	print(s.recv(15).decode(), flush=True)
	time.sleep(1)
	s.close()
	END
	local client=$!
	wait_for "grep -q 'HTTP/1.1 200' $BATS_TEST_TMPDIR/client.out" 50
	[ "$(health_field clients)" = 1 ]
	wait "$client"
	wait_for "[ \"\$(health_field clients)\" = 0 ]" 50
}

@test "client logs carry address and reason" {
	start_sse
	open_stream "$BATS_TEST_TMPDIR/s1"
	kill "$CLIENT_PID"
	wait_for "grep -q 'client disconnected' '$ERR'"
	run jq -r 'select(.message == "client connected") | .address + " " + .path' "$ERR"
	[[ $output =~ ^127\.0\.0\.1:[0-9]+\ /v1/observations/stream$ ]]
	run jq -r 'select(.message == "client disconnected") | .reason' "$ERR"
	[ "$output" = "connection closed by the client or the network" ]
	run jq -r 'select(.message == "client disconnected") | .duration_seconds' "$ERR"
	[[ $output =~ ^[0-9]+\.[0-9]{3}$ ]]
}

@test "max clients answers 503" {
	start_sse --max-clients 1
	open_stream "$BATS_TEST_TMPDIR/s1"
	run curl -s -D "$BATS_TEST_TMPDIR/h" "$BASE/v1/observations/stream"
	[ "$(jq -r .error <<<"$output")" = TOO_MANY_CLIENTS ]
	[ "$(jq -r .statusCode <<<"$output")" = 503 ]
	grep -q '^HTTP/1.1 503' "$BATS_TEST_TMPDIR/h"
	[ "$(metric 'buoy_sse_stream_requests_rejected_total{reason="max_clients"}')" = 1 ]
}

@test "slow client is dropped and others keep up" {
	start_sse --max-client-buffer 131072
	# A client that sends its request and never reads, with a small
	# receive buffer so that the server's output backs up quickly.
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /v1/observations/stream HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(30)
' "$PORT" 3>&- 7>&- &
	wait_for "[ \"\$(health_field clients)\" = 1 ]"
	open_stream "$BATS_TEST_TMPDIR/s1"

	local count=20000
	python3 -c '
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"stationId": "44013", "timestamp": "2022-06-05T13:00:00Z",
        "waveHeightM": i, "windSpeedMps": 3, "windDirDeg": 280, "waterTempC": 13.9,
        "pressureHpa": 1015.2, "padding": "x" * 300}, separators=(",", ":")))
' "$count" >&7
	wait_for_events "$BATS_TEST_TMPDIR/s1" "$count" 100
	[ "$(count_events "$BATS_TEST_TMPDIR/s1")" -eq "$count" ]
	wait_for "[ \"\$(metric 'buoy_sse_clients_dropped_total{reason=\"buffer_full\"}')\" = 1 ]"
	[ "$(health_field clients)" = 1 ]
	grep -q 'over the --max-client-buffer limit' "$ERR"
}

@test "heartbeat comments reach idle streams" {
	start_sse --heartbeat 200ms
	open_stream "$BATS_TEST_TMPDIR/s1"
	wait_for "grep -q '^: keep-alive$' '$BATS_TEST_TMPDIR/s1'"
	[ "$(count_events "$BATS_TEST_TMPDIR/s1")" -eq 0 ]
}

@test "man page passes mandoc lint" {
	run mandoc -Tlint -W warning "$REPO_ROOT/man/buoy-sse.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man page documents every long option" {
	local option
	for option in $(buoy-sse --help | grep -o -- '--[a-z-]*' | sort -u); do
		grep -q -- "${option#--}" "$REPO_ROOT/man/buoy-sse.1"
	done
}
