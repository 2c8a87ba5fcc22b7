#!/usr/bin/env bats
# buoy-publish: options, exit codes, lines published unchanged and in
# order, invalid lines, retries while Redis is down, error replies, --tee.

bats_require_minimum_version 1.5.0

load '../lib/common'

setup_file() {
	start_redis
}

teardown_file() {
	stop_services
}

teardown() {
	if [[ -n ${LISTENER_PID:-} ]]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
	if [[ -n ${WRITER_PID:-} ]]; then
		kill "$WRITER_PID" 2>/dev/null || true
	fi
}

OBS_1='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"gustMps":4}'
OBS_2='{"stationId":"44013","timestamp":"2022-06-05T13:10:00Z","waveHeightM":null,"windSpeedMps":3.0,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"futureField":[1,2]}'
OBS_3='{ "stationId": "TPLM2", "timestamp": "2022-06-05T13:20:00Z", "waveHeightM": null, "windSpeedMps": 5.1, "windDirDeg": 90, "waterTempC": null, "pressureHpa": 1012.0 }'
STATUS_LINE='{"upstream":"down","reason":"test","timestamp":"2022-06-05T13:00:00Z"}'

# Subscribes redis-cli to channel $1, writing what it receives to
# $BATS_TEST_TMPDIR/received, and waits until Redis counts the subscriber.
start_listener() {
	redis-cli -p "$REDIS_PORT" subscribe "$1" >"$BATS_TEST_TMPDIR/received" &
	LISTENER_PID=$!
	wait_for "[ \"\$(redis-cli -p $REDIS_PORT pubsub numsub $1 | tail -n 1)\" = 1 ]"
}

# Prints the payloads redis-cli received: after the three lines of the
# subscribe confirmation, every third line ("message", channel, payload).
received_messages() {
	awk 'NR > 3 && NR % 3 == 0' "$BATS_TEST_TMPDIR/received"
}

# Waits until the listener has received $1 messages.
wait_for_messages() {
	wait_for "[ \$(received_messages | wc -l) -ge $1 ]"
}

# Prints a REDIS_URL for a loopback port where nothing listens.
unused_redis_url() {
	echo "redis://127.0.0.1:$(free_port)"
}

@test "help goes to stdout" {
	run --separate-stderr buoy-publish --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: buoy-publish [-hqtVv] [-c channel] [-m file] [file ...]" ]
	[[ $output == *"--tee"* ]]
	[ -z "$stderr" ]
}

@test "version names hiredis" {
	run buoy-publish --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "buoy-publish 0.1.0" ]
	[[ $output == *"hiredis 0.14."* ]]
}

@test "unknown option exits 64" {
	run --separate-stderr buoy-publish --bogus
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-publish: unknown option '--bogus'" ]
	[ "${stderr_lines[1]}" = "Try 'buoy-publish --help' for more information." ]
	[ -z "$output" ]
}

@test "channel without value exits 64" {
	run --separate-stderr buoy-publish --channel
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-publish: option '--channel' needs a value" ]
}

@test "empty channel exits 64" {
	run --separate-stderr buoy-publish --channel ''
	[ "$status" -eq 64 ]
	[[ $stderr == *"the channel name must not be empty"* ]]
}

@test "invalid REDIS_URL exits 78" {
	REDIS_URL=http://127.0.0.1:6379 run --separate-stderr buoy-publish </dev/null
	[ "$status" -eq 78 ]
	[[ $stderr == *"REDIS_URL must start with redis://"* ]]
}

@test "lines published unchanged and in order" {
	printf '%s\n' "$OBS_1" "$OBS_2" "$OBS_3" >"$BATS_TEST_TMPDIR/in"
	start_listener pub-order
	run --separate-stderr buoy-publish --channel pub-order <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *"lines published to pub-order: 3, failed: 0, invalid: 0"* ]]
	wait_for_messages 3
	received_messages >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/got"
}

@test "BUOY_CHANNEL picks the channel" {
	start_listener pub-env
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	BUOY_CHANNEL=pub-env run buoy-publish <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	wait_for_messages 1
	[ "$(received_messages)" = "$OBS_1" ]
}

@test "CRLF line published without its CR" {
	printf '%s\r\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	start_listener pub-crlf
	run buoy-publish --channel pub-crlf <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	wait_for_messages 1
	[ "$(received_messages)" = "$OBS_1" ]
}

@test "invalid lines skipped with position, exit 65" {
	printf '%s\n' "$OBS_1" 'not json' '{"stationId":"44013"}' "$OBS_2" >"$BATS_TEST_TMPDIR/in"
	start_listener pub-invalid
	run --separate-stderr buoy-publish --channel pub-invalid <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[[ $stderr == *"stdin:2: not valid JSON"*"; the line is skipped"* ]]
	[[ $stderr == *"stdin:3: "*"; the line is skipped"* ]]
	[[ $stderr != *"stdin:1:"* ]]
	[[ $stderr != *"stdin:4:"* ]]
	[[ $stderr == *"lines published to pub-invalid: 2, failed: 0, invalid: 2"* ]]
	wait_for_messages 2
	[ "$(received_messages)" = "$OBS_1"$'\n'"$OBS_2" ]
}

@test "blank and status lines ignored" {
	printf '%s\n' '' "$STATUS_LINE" '   ' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	start_listener pub-ignored
	run --separate-stderr buoy-publish --channel pub-ignored <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[[ $stderr == *"lines published to pub-ignored: 1, failed: 0, invalid: 0"* ]]
	wait_for_messages 1
	[ "$(received_messages)" = "$OBS_1" ]
}

@test "too long line skipped, exit 65" {
	{
		echo "$OBS_1"
		printf '{"stationId":"%070000d"}\n' 0
		echo "$OBS_2"
	} >"$BATS_TEST_TMPDIR/in"
	start_listener pub-long
	run --separate-stderr buoy-publish --channel pub-long <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[[ $stderr == *"stdin:2: line is longer than 65536 bytes; the line is skipped"* ]]
	wait_for_messages 2
	[ "$(received_messages)" = "$OBS_1"$'\n'"$OBS_2" ]
}

@test "files as arguments, named in messages" {
	printf '%s\n' "$OBS_1" 'oops' >"$BATS_TEST_TMPDIR/a.ndjson"
	printf '%s\n' "$OBS_2" >"$BATS_TEST_TMPDIR/b.ndjson"
	start_listener pub-files
	run --separate-stderr buoy-publish --channel pub-files \
		"$BATS_TEST_TMPDIR/a.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	[ "$status" -eq 65 ]
	[[ $stderr == *"$BATS_TEST_TMPDIR/a.ndjson:2: not valid JSON"* ]]
	wait_for_messages 2
	[ "$(received_messages)" = "$OBS_1"$'\n'"$OBS_2" ]
}

@test "missing file skipped, exit 66" {
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/b.ndjson"
	start_listener pub-missing
	run --separate-stderr buoy-publish --channel pub-missing \
		"$BATS_TEST_TMPDIR/none.ndjson" "$BATS_TEST_TMPDIR/b.ndjson"
	[ "$status" -eq 66 ]
	[[ $stderr == *"cannot open $BATS_TEST_TMPDIR/none.ndjson: No such file or directory; the file is skipped"* ]]
	wait_for_messages 1
	[ "$(received_messages)" = "$OBS_1" ]
}

@test "Redis down: three retries, then exit 75" {
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	local url start elapsed
	url=$(unused_redis_url)
	start=$EPOCHREALTIME
	REDIS_URL=$url run --separate-stderr timeout 20 buoy-publish <"$BATS_TEST_TMPDIR/in"
	elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
	[ "$status" -eq 75 ]
	[[ $stderr == *"cannot publish stdin:1 to observations:new: cannot connect to Redis at ${url#redis://}: Connection refused; retry 1 of 3 in 100 ms"* ]]
	[[ $stderr == *"retry 2 of 3 in 200 ms"* ]]
	[[ $stderr == *"retry 3 of 3 in 400 ms"* ]]
	[[ $stderr != *"retry 4"* ]]
	[[ $stderr == *"cannot publish stdin:1 to observations:new: cannot connect to Redis at ${url#redis://}: Connection refused; the line is dropped"* ]]
	[[ $stderr == *"lines published to observations:new: 0, failed: 1, invalid: 0"* ]]
	# The pauses add up to 700 ms; a refused connect takes no time.
	awk -v t="$elapsed" 'BEGIN { exit !(t >= 0.7 && t < 5) }'
}

@test "Redis down: failures outrank invalid lines" {
	printf '%s\n' "$OBS_1" 'bad' "$OBS_2" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL=$(unused_redis_url) run --separate-stderr buoy-publish -q <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ]
	[ "$(grep -c 'the line is dropped' <<<"$stderr")" -eq 2 ]
	[[ $stderr == *"stdin:2: not valid JSON"* ]]
}

@test "Redis down: --tee still copies valid lines" {
	printf '%s\n' "$OBS_1" 'bad' "$OBS_2" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL=$(unused_redis_url) run --separate-stderr buoy-publish -q --tee <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ]
	[ "$output" = "$OBS_1"$'\n'"$OBS_2" ]
}

@test "--tee output equals valid input" {
	printf '%s\n' "$OBS_1" '' "$STATUS_LINE" 'bad' "$OBS_2" "$OBS_3" >"$BATS_TEST_TMPDIR/in"
	printf '%s\n' "$OBS_1" "$OBS_2" "$OBS_3" >"$BATS_TEST_TMPDIR/expected"
	start_listener pub-tee
	buoy-publish --tee --channel pub-tee <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "${status:-0}" -eq 65 ]
	cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/out"
	wait_for_messages 3
	received_messages >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got"
}

@test "error reply counted without retries" {
	printf '%s\n' "$OBS_1" "$OBS_2" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT/99" run --separate-stderr buoy-publish <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ]
	[[ $stderr == *"cannot publish stdin:1 to observations:new: cannot select database 99 at Redis 127.0.0.1:$REDIS_PORT: ERR DB index is out of range; the line is dropped"* ]]
	[[ $stderr == *"lines published to observations:new: 0, failed: 2, invalid: 0"* ]]
	[[ $stderr != *"retry"* ]]
}

@test "ACL user authenticates, password not logged" {
	redis-cli -p "$REDIS_PORT" acl setuser buoytest on '>s3cret-pw' '~*' '&*' +@all -publish >/dev/null
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL="redis://buoytest:s3cret-pw@127.0.0.1:$REDIS_PORT" \
		run --separate-stderr buoy-publish -v <"$BATS_TEST_TMPDIR/in"
	redis-cli -p "$REDIS_PORT" acl deluser buoytest >/dev/null
	# AUTH succeeded, so PUBLISH itself met the ACL rule: an error reply.
	[ "$status" -eq 75 ]
	[[ $stderr == *"cannot publish stdin:1 to observations:new: Redis replied with an error: NOPERM"* ]]
	[[ $stderr != *"s3cret-pw"* ]]
}

@test "wrong password reported, not logged" {
	redis-cli -p "$REDIS_PORT" acl setuser buoytest2 on '>right-pw' '~*' '&*' +@all >/dev/null
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL="redis://buoytest2:wrong-pw@127.0.0.1:$REDIS_PORT" \
		run --separate-stderr buoy-publish <"$BATS_TEST_TMPDIR/in"
	redis-cli -p "$REDIS_PORT" acl deluser buoytest2 >/dev/null
	[ "$status" -eq 75 ]
	[[ $stderr == *"cannot authenticate at Redis 127.0.0.1:$REDIS_PORT: WRONGPASS"* ]]
	[[ $stderr != *"wrong-pw"* ]]
	[[ $stderr != *"retry"* ]]
}

@test "SIGTERM stops it while waiting for input" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	sleep 30 >"$BATS_TEST_TMPDIR/fifo" &
	WRITER_PID=$!
	buoy-publish <"$BATS_TEST_TMPDIR/fifo" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$! status=0
	sleep 0.3
	kill -TERM "$pid"
	wait_for "! kill -0 $pid" 10
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	grep -q 'lines published to observations:new: 0, failed: 0, invalid: 0' "$BATS_TEST_TMPDIR/err"
}

@test "metrics file has the run's counts" {
	printf '%s\n' "$OBS_1" "not json" "$OBS_2" >"$BATS_TEST_TMPDIR/in"
	run buoy-publish -q --metrics-file "$BATS_TEST_TMPDIR/publish.prom" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	run grep -c . "$BATS_TEST_TMPDIR/publish.prom"
	[ "$output" -eq 11 ]
	grep -qx 'buoy_publish_last_run_lines{channel="observations:new",result="published"} 2' "$BATS_TEST_TMPDIR/publish.prom"
	grep -qx 'buoy_publish_last_run_lines{channel="observations:new",result="failed"} 0' "$BATS_TEST_TMPDIR/publish.prom"
	grep -qx 'buoy_publish_last_run_lines{channel="observations:new",result="invalid"} 1' "$BATS_TEST_TMPDIR/publish.prom"
	grep -qx 'buoy_publish_last_run_exit_status 65' "$BATS_TEST_TMPDIR/publish.prom"
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '*.tmp')" ]
	if command -v promtool >/dev/null; then
		promtool check metrics <"$BATS_TEST_TMPDIR/publish.prom"
	fi
}

@test "metrics file counts failures with Redis down" {
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	REDIS_URL=redis://127.0.0.1:$(free_port) run buoy-publish -q -m "$BATS_TEST_TMPDIR/down.prom" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 75 ]
	grep -qx 'buoy_publish_last_run_lines{channel="observations:new",result="failed"} 1' "$BATS_TEST_TMPDIR/down.prom"
	grep -qx 'buoy_publish_last_run_exit_status 75' "$BATS_TEST_TMPDIR/down.prom"
}

@test "unwritable metrics file is reported" {
	printf '%s\n' "$OBS_1" >"$BATS_TEST_TMPDIR/in"
	run buoy-publish -m "$BATS_TEST_TMPDIR/no/such/dir/x.prom" "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[[ $output == *"cannot write the metrics file $BATS_TEST_TMPDIR/no/such/dir/x.prom: No such file or directory"* ]]
}
