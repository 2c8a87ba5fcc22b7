#!/usr/bin/env bats
# buoy-sub: options, exit codes, messages printed unchanged, invalid
# messages dropped, status lines, reconnection, a silent Redis, signals and
# the terminal format.

bats_require_minimum_version 1.5.0

load '../lib/common'

setup_file() {
	start_redis
}

teardown_file() {
	stop_services
}

teardown() {
	if [[ -n ${SUB_PID:-} ]]; then
		kill "$SUB_PID" 2>/dev/null || true
		wait "$SUB_PID" 2>/dev/null || true
	fi
	# A Redis stopped with SIGSTOP must run again to act on SIGTERM.
	if [[ -n ${PAUSED_REDIS_PID:-} ]]; then
		kill -CONT "$PAUSED_REDIS_PID" 2>/dev/null || true
	fi
	if [[ -n ${OWN_REDIS:-} ]]; then
		stop_redis
	fi
}

OBS_1='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"gustMps":4}'
OBS_2='{"stationId":"44013","timestamp":"2022-06-05T13:10:00Z","waveHeightM":null,"windSpeedMps":3.0,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"futureField":[1,2]}'
OBS_3='{ "stationId": "TPLM2", "timestamp": "2022-06-05T13:20:00Z", "waveHeightM": null, "windSpeedMps": 5.1, "windDirDeg": 90, "waterTempC": null, "pressureHpa": 1012.0 }'

OUT=
ERR=

# Starts buoy-sub with the given options in the background, its stdout and
# stderr in $OUT and $ERR.
start_sub() {
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	buoy-sub "$@" >"$OUT" 2>"$ERR" &
	SUB_PID=$!
}

# Prints the number of lines in $OUT that contain $1.
count_lines() {
	grep -cF -- "$1" "$OUT" || true
}

# Waits until $OUT has $1 or more lines containing $2.
wait_for_lines() {
	wait_for "[ \$(count_lines '$2') -ge $1 ]" "${3:-50}"
}

# Waits until channel $1 has a subscriber.
wait_for_subscriber() {
	wait_for "[ \"\$(redis-cli -p $REDIS_PORT pubsub numsub $1 | tail -n 1)\" -ge 1 ]"
}

publish() {
	redis-cli -p "$REDIS_PORT" publish "$1" "$2" >/dev/null
}

# Sends SIGTERM to buoy-sub and stores its exit status in SUB_STATUS.
stop_sub() {
	kill -TERM "$SUB_PID"
	SUB_STATUS=0
	wait "$SUB_PID" || SUB_STATUS=$?
	SUB_PID=
}

# Starts a Redis of this test's own, so that stopping it leaves the file's
# Redis alone.
start_own_redis() {
	start_redis "$@"
	OWN_REDIS=1
}

@test "help goes to stdout" {
	run --separate-stderr buoy-sub --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: buoy-sub [-hqVv] [-c channel] [--json] [--no-status]" ]
	[[ $output == *"--no-status"* ]]
	[ -z "$stderr" ]
}

@test "version names hiredis" {
	run buoy-sub --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "buoy-sub 0.1.0" ]
	[[ $output == *"hiredis 0.14."* ]]
}

@test "unknown option exits 64" {
	run --separate-stderr buoy-sub --bogus
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-sub: unknown option '--bogus'" ]
	[ "${stderr_lines[1]}" = "Try 'buoy-sub --help' for more information." ]
	[ -z "$output" ]
}

@test "argument exits 64" {
	run --separate-stderr buoy-sub extra
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-sub: unexpected argument 'extra'" ]
}

@test "invalid REDIS_URL exits 78" {
	REDIS_URL=redis://127.0.0.1:99999 run --separate-stderr buoy-sub
	[ "$status" -eq 78 ]
	[[ $stderr == *"REDIS_URL has an invalid host or port"* ]]
}

@test "messages printed unchanged, in order" {
	start_sub --channel sub-order
	wait_for_lines 1 '{"upstream":"up"'
	publish sub-order "$OBS_1"
	publish sub-order "$OBS_2"
	publish sub-order "$OBS_3"
	wait_for_lines 1 TPLM2
	stop_sub
	[ "$SUB_STATUS" -eq 0 ]
	run cat "$OUT"
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} =~ ^\{\"upstream\":\"up\",\"timestamp\":\"[0-9-]{10}T[0-9:]{8}Z\"\}$ ]]
	[ "${lines[1]}" = "$OBS_1" ]
	[ "${lines[2]}" = "$OBS_2" ]
	[ "${lines[3]}" = "$OBS_3" ]
	grep -q "subscribed to sub-order at Redis 127.0.0.1:$REDIS_PORT" "$ERR"
}

@test "BUOY_CHANNEL picks the channel" {
	BUOY_CHANNEL=sub-env start_sub --no-status
	wait_for_subscriber sub-env
	publish sub-env "$OBS_1"
	wait_for_lines 1 44013
	stop_sub
	[ "$(cat "$OUT")" = "$OBS_1" ]
}

@test "invalid messages dropped with a report" {
	start_sub --no-status --channel sub-invalid
	wait_for_subscriber sub-invalid
	publish sub-invalid 'not json'
	sleep 1.1
	publish sub-invalid '{"stationId":"44013"}'
	sleep 1.1
	publish sub-invalid '{"upstream":"down"}'
	sleep 1.1
	publish sub-invalid "$(printf '{"stationId":"%070000d"}' 0)"
	sleep 1.1
	publish sub-invalid "$(printf '{"stationId":"44013",\n"timestamp":"2022-06-05T13:00:00Z"}')"
	publish sub-invalid "$OBS_1"
	wait_for_lines 1 44013
	stop_sub
	[ "$SUB_STATUS" -eq 0 ]
	[ "$(cat "$OUT")" = "$OBS_1" ]
	grep -q 'message 1 on sub-invalid: not valid JSON.*; the message is dropped' "$ERR"
	grep -q 'message 2 on sub-invalid: .*timestamp.*; the message is dropped' "$ERR"
	grep -q 'message 3 on sub-invalid: message is a status line, not an observation; the message is dropped' "$ERR"
	grep -q 'message 4 on sub-invalid: message is longer than 65536 bytes; the message is dropped' "$ERR"
	grep -q 'message 5 on sub-invalid: message contains a newline' "$ERR"
}

@test "repeated invalid messages rate-limited" {
	start_sub --no-status --channel sub-flood
	wait_for_subscriber sub-flood
	local i
	for i in 1 2 3 4 5; do
		publish sub-flood "bad $i"
	done
	publish sub-flood "$OBS_1"
	wait_for_lines 1 44013
	stop_sub
	[ "$(grep -c 'the message is dropped' "$ERR")" -eq 1 ]
	grep -q '4 more invalid messages on sub-flood were dropped since the last report' "$ERR"
}

@test "--no-status prints no status lines" {
	start_sub --no-status --channel sub-quiet
	wait_for_subscriber sub-quiet
	publish sub-quiet "$OBS_1"
	wait_for_lines 1 44013
	stop_sub
	[ "$(cat "$OUT")" = "$OBS_1" ]
}

@test "Redis unreachable at start: one down line" {
	local port
	port=$(free_port)
	REDIS_URL=redis://127.0.0.1:$port start_sub
	wait_for_lines 1 '"upstream":"down"'
	# Let several reconnect attempts fail: 100, 200, 400, 800 ms apart.
	sleep 1.6
	stop_sub
	[ "$SUB_STATUS" -eq 0 ]
	run cat "$OUT"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == '{"upstream":"down","reason":"cannot connect to Redis at 127.0.0.1:'$port': Connection refused","timestamp":"'* ]]
	[ "$(grep -c 'Connection refused' "$ERR")" -eq 1 ]
}

@test "reconnects after Redis restarts" {
	start_own_redis
	local port=$REDIS_PORT
	start_sub --channel sub-restart
	wait_for_lines 1 '"upstream":"up"'
	stop_redis
	wait_for_lines 1 '"upstream":"down"'
	start_redis "$port"
	wait_for_lines 2 '"upstream":"up"' 100
	publish sub-restart "$OBS_2"
	wait_for_lines 1 44013
	stop_sub
	[ "$SUB_STATUS" -eq 0 ]
	run cat "$OUT"
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[0]} == '{"upstream":"up",'* ]]
	[[ ${lines[1]} == '{"upstream":"down","reason":"lost connection to Redis at 127.0.0.1:'$port': connection closed by the server",'* ]]
	[[ ${lines[2]} == '{"upstream":"up",'* ]]
	[ "${lines[3]}" = "$OBS_2" ]
	[ "$(grep -c 'lost connection to Redis' "$ERR")" -eq 1 ]
	[ "$(grep -c 'subscribed to sub-restart' "$ERR")" -eq 2 ]
}

@test "silent Redis noticed by PING" {
	start_own_redis
	start_sub --channel sub-silent
	wait_for_lines 1 '"upstream":"up"'
	kill -STOP "$REDIS_PID"
	PAUSED_REDIS_PID=$REDIS_PID
	# A PING goes out within 5 s and its PONG is due 5 s later.
	wait_for_lines 1 '"upstream":"down"' 130
	kill -CONT "$REDIS_PID"
	PAUSED_REDIS_PID=
	wait_for_lines 2 '"upstream":"up"' 100
	stop_sub
	[ "$SUB_STATUS" -eq 0 ]
	grep -q '"upstream":"down","reason":"lost connection to Redis at 127.0.0.1:'"$REDIS_PORT"': no reply to PING within 5000 ms"' "$OUT"
}

@test "SIGTERM stops it within a second" {
	start_sub --channel sub-stop
	wait_for_lines 1 '"upstream":"up"'
	local start=$EPOCHREALTIME elapsed
	stop_sub
	elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	[ "$SUB_STATUS" -eq 0 ]
	awk -v t="$elapsed" 'BEGIN { exit !(t < 1) }'
	grep -q 'stopping on SIGTERM' "$ERR"
}

@test "SIGINT stops it while Redis is down" {
	REDIS_URL=redis://127.0.0.1:$(free_port) start_sub
	wait_for_lines 1 '"upstream":"down"'
	sleep 0.5
	kill -INT "$SUB_PID"
	wait_for "! kill -0 $SUB_PID" 10
	local status=0
	wait "$SUB_PID" || status=$?
	SUB_PID=
	[ "$status" -eq 0 ]
}

# Runs buoy-sub with the given options on a pseudo-terminal for about two
# seconds while one observation is published, and stores the terminal's
# text, without carriage returns, in $OUT.
run_on_terminal() {
	local channel=$1
	shift
	OUT=$BATS_TEST_TMPDIR/terminal
	script -qefc "timeout -s TERM 2 buoy-sub --channel $channel $*" \
		"$BATS_TEST_TMPDIR/typescript" </dev/null >/dev/null 2>&1 &
	SUB_PID=$!
	wait_for_subscriber "$channel"
	publish "$channel" "$OBS_1"
	wait "$SUB_PID" || true
	SUB_PID=
	tr -d '\r' <"$BATS_TEST_TMPDIR/typescript" >"$OUT"
}

@test "terminal: readable lines" {
	run_on_terminal sub-tty
	grep -qxF -- '-- upstream up' "$OUT"
	grep -qxF '2022-06-05T13:00:00Z  44013  wave 0.5 m  wind 3.0 m/s gusts 4.0 m/s from 280°  water 13.9 °C  pressure 1015.2 hPa' "$OUT"
}

@test "terminal: --json prints NDJSON" {
	run_on_terminal sub-tty-json --json --no-status
	grep -qxF -- "$OBS_1" "$OUT"
	[ "$(count_lines upstream)" -eq 0 ]
}
