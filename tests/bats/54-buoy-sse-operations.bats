#!/usr/bin/env bats
# buoy-sse for operators: /metrics checked by promtool and against known
# traffic, the limits on request size and request time, and the rate limit
# on repeated warnings.
#
# buoy-sse reads a FIFO whose writer stays open on fd 7. Every background
# process closes fd 3 (bats' own output) and fd 7, so that neither bats nor
# buoy-sse waits on a descriptor a child still holds.

bats_require_minimum_version 1.5.0

load '../lib/common'
load '../lib/sse'

OBS_1='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2}'
OBS_2='{"stationId":"44013","timestamp":"2022-06-05T13:10:00Z","waveHeightM":0.6,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2}'
OBS_3='{"stationId":"tplm2","timestamp":"2022-06-05T13:20:00Z","waveHeightM":null,"windSpeedMps":5.1,"windDirDeg":90,"waterTempC":null,"pressureHpa":1012.0}'

SSE_PID=
PORT=
BASE=
ERR=

teardown() {
	sse_teardown
}

# Opens a stream in the background into file $1 and waits for its
# connection event. The client's PID is in CLIENT_PID.
open_stream() {
	curl -sN --max-time 20 "$BASE/v1/observations/stream" >"$1" 2>/dev/null 3>&- 7>&- &
	CLIENT_PID=$!
	wait_for "grep -q '^event: connection' '$1'"
}

count_events() {
	grep -c '^event: observation$' "$1" || true
}

health_field() {
	curl -s "$BASE/health" | jq -r ".$1"
}

# Prints the value of the sample $1 (name with labels) on /metrics.
metric() {
	curl -s "$BASE/metrics" | awk -v name="$1" '$1 == name { print $2 }'
}

# Prints how many log lines have a message starting with $1.
count_logged() {
	jq -r --arg start "$1" 'select(.message | startswith($start)) | .message' "$ERR" | wc -l
}

# Prints the sum of N over the "N more $1" log lines.
sum_held_back() {
	jq -r --arg what " more $1" 'select(.message | endswith($what)) | .message' "$ERR" |
		awk '{ sum += $1 } END { print sum + 0 }'
}

# Opens $1 connections that each send a request line and one header byte
# every 0.2 seconds, and prints, for each, the bytes sent and the seconds
# until the server closed it (at most $2 seconds).
slow_clients() {
	python3 -c '
import socket, sys, time
port, count, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
start = time.monotonic()
sent = [0] * count
closed = [None] * count
while None in closed and time.monotonic() - start < limit:
    for i, s in enumerate(sockets):
        if closed[i] is not None:
            continue
        try:
            s.send(request[sent[i]:sent[i] + 1])
            sent[i] += 1
            s.setblocking(False)
            if s.recv(1) == b"":
                closed[i] = time.monotonic() - start
        except BlockingIOError:
            pass
        except OSError:
            closed[i] = time.monotonic() - start
        finally:
            s.setblocking(True)
    time.sleep(0.2)
for i in range(count):
    print(sent[i], "%.2f" % closed[i] if closed[i] is not None else "open")
' "$PORT" "$1" "$2"
}

@test "help and the man page list the request limits" {
	run --separate-stderr buoy-sse --help
	[ "$status" -eq 0 ]
	[[ $output == *"--max-request-body BYTES"* ]]
	[[ $output == *"--max-request-headers BYTES"* ]]
	[[ $output == *"--request-timeout DURATION"* ]]
	grep -q 'max-request-body' "$REPO_ROOT/man/buoy-sse.1"
	grep -q 'max-request-headers' "$REPO_ROOT/man/buoy-sse.1"
	grep -q 'request-timeout' "$REPO_ROOT/man/buoy-sse.1"
	grep -q 'buoy_sse_broadcast_latency_seconds' "$REPO_ROOT/man/buoy-sse.1"
}

@test "request limits out of range are usage errors" {
	run --separate-stderr buoy-sse --request-timeout 50ms
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --request-timeout '50ms'"* ]]
	run --separate-stderr buoy-sse --request-timeout 6m
	[ "$status" -eq 64 ]

	run --separate-stderr buoy-sse --max-request-headers 1023
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --max-request-headers '1023'"* ]]
	run --separate-stderr buoy-sse --max-request-headers 65537
	[ "$status" -eq 64 ]

	run --separate-stderr buoy-sse --max-request-body 65537
	[ "$status" -eq 64 ]
	[[ $stderr == "buoy-sse: invalid --max-request-body '65537'"* ]]
	[[ $stderr == *"Try 'buoy-sse --help' for more information."* ]]
}

@test "promtool accepts /metrics after traffic" {
	if ! command -v promtool >/dev/null; then
		skip "promtool is not installed (Debian package prometheus)"
	fi
	start_sse --heartbeat 100ms
	open_stream "$BATS_TEST_TMPDIR/s1"
	open_stream "$BATS_TEST_TMPDIR/s2"
	printf '%s\n' "$OBS_1" 'bad' "$OBS_2" >&7
	wait_for "[ \$(count_events '$BATS_TEST_TMPDIR/s2') -eq 2 ]"
	kill "$CLIENT_PID"
	wait_for "[ \"\$(health_field clients)\" = 1 ]"
	wait_for "grep -q '^: keep-alive' '$BATS_TEST_TMPDIR/s1'"

	curl -s "$BASE/metrics" >"$BATS_TEST_TMPDIR/metrics"
	run promtool check metrics <"$BATS_TEST_TMPDIR/metrics"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# Every sample belongs to a metric with HELP and TYPE lines.
	local name
	for name in $(grep -v '^#' "$BATS_TEST_TMPDIR/metrics" | sed -E 's/[{ ].*//; s/_(bucket|sum|count)$//' | sort -u); do
		grep -q "^# HELP $name " "$BATS_TEST_TMPDIR/metrics"
		grep -q "^# TYPE $name " "$BATS_TEST_TMPDIR/metrics"
	done
}

@test "metrics count events, latencies and stream durations" {
	start_sse --heartbeat 1h
	open_stream "$BATS_TEST_TMPDIR/s1"
	local first=$CLIENT_PID
	open_stream "$BATS_TEST_TMPDIR/s2"
	printf '%s\n' "$OBS_1" "$OBS_2" "$OBS_3" 'not json' >&7
	wait_for "[ \$(count_events '$BATS_TEST_TMPDIR/s2') -eq 3 ]"
	kill "$first"
	wait_for "[ \"\$(health_field clients)\" = 1 ]"

	curl -s "$BASE/metrics" >"$BATS_TEST_TMPDIR/metrics"
	run cat "$BATS_TEST_TMPDIR/metrics"
	grep -qx 'buoy_sse_clients 1' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="observation"} 6' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="connection"} 2' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="gap"} 0' <<<"$output"
	grep -qx 'buoy_sse_events_sent_total{type="heartbeat"} 0' <<<"$output"
	grep -qx '# TYPE buoy_sse_broadcast_latency_seconds histogram' <<<"$output"
	grep -qx 'buoy_sse_broadcast_latency_seconds_count 3' <<<"$output"
	grep -qx 'buoy_sse_broadcast_latency_seconds_bucket{le="+Inf"} 3' <<<"$output"
	grep -qx 'buoy_sse_broadcast_latency_seconds_bucket{le="0.25"} 3' <<<"$output"
	grep -qx '# TYPE buoy_sse_connection_duration_seconds histogram' <<<"$output"
	grep -qx 'buoy_sse_connection_duration_seconds_count 1' <<<"$output"
	grep -qx 'buoy_sse_connection_duration_seconds_bucket{le="60"} 1' <<<"$output"
	grep -qx 'buoy_sse_connection_duration_seconds_bucket{le="+Inf"} 1' <<<"$output"
	grep -qE '^buoy_sse_connection_duration_seconds_sum 0\.[0-9]+|^buoy_sse_connection_duration_seconds_sum [1-9]' <<<"$output"
	grep -qx 'buoy_sse_clients_disconnected_total 1' <<<"$output"
	grep -qx 'buoy_sse_clients_dropped_total{reason="buffer_full"} 0' <<<"$output"
	grep -qx 'buoy_sse_clients_dropped_total{reason="write_error"} 0' <<<"$output"
	grep -qx 'buoy_sse_input_lines_total 4' <<<"$output"
	grep -qx 'buoy_sse_invalid_lines_total 1' <<<"$output"
	grep -qx 'buoy_sse_observations_received_total 3' <<<"$output"
	grep -qx 'buoy_sse_upstream_up 1' <<<"$output"
	grep -qx 'buoy_sse_request_timeouts_total 0' <<<"$output"

	echo '{"upstream":"down","reason":"test"}' >&7
	wait_for "[ \"\$(metric buoy_sse_upstream_up)\" = 0 ]"
}

@test "heartbeat comments are counted per client" {
	start_sse --heartbeat 200ms
	open_stream "$BATS_TEST_TMPDIR/s1"
	wait_for "[ \$(grep -c '^: keep-alive' '$BATS_TEST_TMPDIR/s1') -ge 2 ]"
	local sent
	sent=$(metric 'buoy_sse_events_sent_total{type="heartbeat"}')
	[ "$sent" -ge 2 ]
}

@test "a slow client is counted as dropped for buffer_full" {
	start_sse --max-client-buffer 131072 --heartbeat 1h
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

	python3 -c '
import json, sys
for i in range(20000):
    print(json.dumps({"stationId": "44013", "timestamp": "2022-06-05T13:00:00Z",
        "waveHeightM": i, "windSpeedMps": 3, "windDirDeg": 280, "waterTempC": 13.9,
        "pressureHpa": 1015.2, "padding": "x" * 300}, separators=(",", ":")))
' >&7
	wait_for "[ \"\$(metric 'buoy_sse_clients_dropped_total{reason=\"buffer_full\"}')\" = 1 ]" 100
	[ "$(metric buoy_sse_clients)" = 0 ]
	[ "$(metric buoy_sse_connection_duration_seconds_count)" = 1 ]
	[ "$(metric buoy_sse_clients_disconnected_total)" = 1 ]
	[ "$(metric 'buoy_sse_clients_dropped_total{reason="write_error"}')" = 0 ]
	wait_for "[ \"\$(metric buoy_sse_broadcast_latency_seconds_count)\" = 20000 ]" 100
	run jq -r 'select(.message == "client disconnected") | .reason' "$ERR"
	[ "$output" = "unsent output over the --max-client-buffer limit" ]
}

@test "oversized headers get libevent's 400 and the server keeps serving" {
	start_sse --max-request-headers 1024
	local big
	big=$(head -c 2000 /dev/zero | tr '\0' a)
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$BASE/health"
	[ "$output" = 400 ]
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Small: ${big:0:500}" "$BASE/health"
	[ "$output" = 200 ]
	run curl -s "$BASE/health"
	[ "$(jq -r .status <<<"$output")" = ok ]
}

@test "a body over --max-request-body gets 413" {
	start_sse --max-request-body 100
	head -c 200 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/body"
	run curl -s -o /dev/null -w '%{http_code}' --data-binary "@$BATS_TEST_TMPDIR/body" "$BASE/health"
	[ "$output" = 413 ]
	run curl -s -o /dev/null -w '%{http_code}' "$BASE/health"
	[ "$output" = 200 ]
}

@test "headers sent byte by byte are cut at --request-timeout" {
	start_sse --request-timeout 2s
	run slow_clients 1 8
	[ "$status" -eq 0 ]
	local sent=${output% *} seconds=${output#* }
	# Bytes kept coming, 0.2 s apart, until the server closed at 2 s.
	[ "$sent" -ge 5 ]
	[[ $seconds =~ ^[0-9.]+$ ]]
	awk -v s="$seconds" 'BEGIN { exit !(s >= 1.5 && s < 4) }'

	[ "$(metric buoy_sse_request_timeouts_total)" = 1 ]
	run jq -r 'select(.message | startswith("connection closed: its request did not arrive")) | .address + " " + .limit_seconds' "$ERR"
	[[ $output =~ ^127\.0\.0\.1:[0-9]+\ 2\.000$ ]]
	run curl -s -o /dev/null -w '%{http_code}' "$BASE/health"
	[ "$output" = 200 ]
}

@test "a stream outlives --request-timeout once its request arrived" {
	start_sse --request-timeout 1s --heartbeat 1h
	open_stream "$BATS_TEST_TMPDIR/s1"
	sleep 2
	kill -0 "$CLIENT_PID"
	printf '%s\n' "$OBS_1" >&7
	wait_for "[ \$(count_events '$BATS_TEST_TMPDIR/s1') -eq 1 ]"
	[ "$(metric buoy_sse_request_timeouts_total)" = 0 ]
}

@test "a slow request after an idle keep-alive gap is cut" {
	start_sse --request-timeout 1s
	run python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(5)
def ask():
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = b""
    while not reply.endswith(b"}\n"):
        reply += s.recv(4096)
    return reply.split(b"\r\n")[0].decode()
print(ask())
time.sleep(1.5)
print(ask())
start = time.monotonic()
sent = 0
try:
    for byte in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
        s.send(bytes([byte]))
        sent += 1
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                break
        except BlockingIOError:
            pass
        s.setblocking(True)
        time.sleep(0.2)
except OSError:
    pass
print(sent, "%.2f" % (time.monotonic() - start))
' "$PORT"
	[ "$status" -eq 0 ]
	# The idle gap outlasted the deadline without a close.
	[ "${lines[0]}" = "HTTP/1.1 200 OK" ]
	[ "${lines[1]}" = "HTTP/1.1 200 OK" ]
	local sent=${lines[2]% *} seconds=${lines[2]#* }
	[ "$sent" -ge 3 ]
	awk -v s="$seconds" 'BEGIN { exit !(s >= 0.7 && s < 2.5) }'
	[ "$(metric buoy_sse_request_timeouts_total)" = 1 ]
}

@test "slow requests closed in the same second are logged once with a count" {
	start_sse --request-timeout 1s
	run slow_clients 5 6
	[ "$status" -eq 0 ]
	[ "$(grep -c ' open$' <<<"$output")" -eq 0 ]
	[ "$(metric buoy_sse_request_timeouts_total)" = 5 ]
	local what='connections were closed without a report for not sending their request in time'
	wait_for "[ \$(sum_held_back '$what') -ge 1 ]" 30
	local logged held
	logged=$(count_logged 'connection closed: its request did not arrive')
	held=$(sum_held_back "$what")
	[ "$logged" -le 2 ]
	[ $((logged + held)) -eq 5 ]
}

@test "50 rejected stream requests give a few log lines and a count" {
	start_sse --max-clients 1
	open_stream "$BATS_TEST_TMPDIR/s1"
	local i codes= started=$SECONDS
	for i in $(seq 1 50); do
		codes+=$(curl -s -o /dev/null -w '%{http_code} ' --max-time 5 "$BASE/v1/observations/stream")
	done
	# At most one line for each second the requests took, started or not.
	local most=$((SECONDS - started + 2))
	[ "$codes" = "$(printf '503 %.0s' $(seq 1 50))" ]
	[ "$(metric 'buoy_sse_stream_requests_rejected_total{reason="max_clients"}')" = 50 ]

	local what='stream requests were rejected without a report: the --max-clients limit was reached'
	wait_for "[ \$(( \$(count_logged 'stream request rejected with 503') + \$(sum_held_back '$what') )) -eq 50 ]" 30
	[ "$(count_logged 'stream request rejected with 503')" -le "$most" ]
	run jq -r 'select(.message | startswith("stream request rejected with 503")) | .address + " " + .clients' "$ERR"
	[[ ${lines[0]} =~ ^127\.0\.0\.1:[0-9]+\ 1$ ]]
}

@test "requests rejected while the upstream is down are rate limited" {
	start_sse
	echo '{"upstream":"down","reason":"test"}' >&7
	wait_for "[ \"\$(health_field upstream)\" = down ]"
	local i started=$SECONDS
	for i in $(seq 1 20); do
		curl -s -o /dev/null --max-time 5 "$BASE/v1/observations/stream"
	done
	local most=$((SECONDS - started + 2))
	[ "$(metric 'buoy_sse_stream_requests_rejected_total{reason="upstream_down"}')" = 20 ]
	local what='stream requests were rejected without a report: the observation source is down'
	wait_for "[ \$(( \$(count_logged 'stream request rejected with 500') + \$(sum_held_back '$what') )) -eq 20 ]" 30
	[ "$(count_logged 'stream request rejected with 500')" -le "$most" ]
}

@test "SIGTERM with a request still arriving exits 0" {
	start_sse --request-timeout 5s
	python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
time.sleep(10)
' "$PORT" 3>&- 7>&- &
	sleep 0.3
	stop_sse
	[ "$SSE_STATUS" -eq 0 ]
	grep -q '"stopped"' "$ERR"
}

@test "a gap event is counted by type" {
	start_sse
	printf '%s\n' "$OBS_1" >&7
	wait_for "[ \"\$(health_field eventsReceived)\" = 1 ]"
	curl -sN --max-time 20 -H 'Last-Event-ID: 20200101T000000Z-44013' \
		"$BASE/v1/observations/stream" >"$BATS_TEST_TMPDIR/s1" 2>/dev/null 3>&- 7>&- &
	wait_for "grep -q '^event: gap' '$BATS_TEST_TMPDIR/s1'"
	[ "$(metric 'buoy_sse_events_sent_total{type="gap"}')" = 1 ]
	[ "$(metric 'buoy_sse_events_sent_total{type="connection"}')" = 1 ]
}
