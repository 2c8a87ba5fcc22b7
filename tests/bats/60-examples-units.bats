#!/usr/bin/env bats
# The example scripts, the man pages buoy-fetch(1) and buoy(7), and the
# systemd units. The examples run for real against PostgreSQL, Redis and a
# local HTTP server that serves the sample realtime2 files; the units are
# checked by systemd-analyze verify and their ExecStart scripts are run.

load '../lib/common'

EXAMPLES_DIR=$REPO_ROOT/examples
EXAMPLES=(ingest-once embedded serve watch-station)
UNITS=(buoy-ingest.service buoy-ingest.timer buoy-stream.service)

setup_file() {
	start_postgres
	start_redis
	start_ndbc_server
	buoy-upsert --init
}

teardown_file() {
	stop_services
}

# Prints a URL where nothing listens, to make every fetch fail.
closed_url() {
	echo "http://127.0.0.1:$(free_port)/"
}

# Starts a command in its own process group, so that the whole pipeline
# inside an example can be stopped by that group's id. Sets $GROUP.
start_group() {
	setsid "$@" &
	GROUP=$!
	remember_pid "$GROUP"
}

stop_group() {
	kill -TERM -- "-$GROUP" 2>/dev/null || true
	wait "$GROUP" 2>/dev/null || true
}

# Copies unit $1 into $BATS_TEST_TMPDIR/units with @BINDIR@ replaced by the
# directory of the programs under test and @WEBDIR@ by the live page's
# folder, as make install does.
install_unit_copy() {
	mkdir -p "$BATS_TEST_TMPDIR/units"
	sed -e "s|@BINDIR@|$BUOY_BIN|g" -e "s|@WEBDIR@|$REPO_ROOT/web|g" \
		"$REPO_ROOT/systemd/$1" >"$BATS_TEST_TMPDIR/units/$1"
}

# Prints the command line of the ExecStart= of unit copy $1.
exec_start() {
	sed -n 's/^ExecStart=//p' "$BATS_TEST_TMPDIR/units/$1"
}

# Writes stand-ins for buoy-sub and buoy-sse into $BATS_TEST_TMPDIR/fake:
# the one named $1 exits with status $2 after a moment; the other runs
# until SIGTERM, as buoy-sse does once its input has ended.
write_fake_stream_programs() {
	local fake=$BATS_TEST_TMPDIR/fake name
	mkdir -p "$fake"
	for name in buoy-sub buoy-sse; do
		if [[ $name == "$1" ]]; then
			printf '#!/bin/sh\nsleep 0.2\nexit %d\n' "$2" >"$fake/$name"
		else
			printf '#!/bin/sh\ntrap "exit 0" TERM\nwhile :; do sleep 0.1; done\n' >"$fake/$name"
		fi
		chmod +x "$fake/$name"
	done
}

@test "examples pass bash -n" {
	local name
	for name in "${EXAMPLES[@]}"; do
		run bash -n "$EXAMPLES_DIR/$name.sh"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "examples are executable with a header comment" {
	local name
	for name in "${EXAMPLES[@]}"; do
		[ -x "$EXAMPLES_DIR/$name.sh" ]
		[ "$(head -n 1 "$EXAMPLES_DIR/$name.sh")" = "#!/usr/bin/env bash" ]
		[[ $(sed -n 2p "$EXAMPLES_DIR/$name.sh") == "# Shows "* ]]
		grep -q '^set -euo pipefail$' "$EXAMPLES_DIR/$name.sh"
	done
}

@test "examples without arguments exit 64" {
	local name
	for name in ingest-once embedded watch-station; do
		BUOY_STATIONS= run "$EXAMPLES_DIR/$name.sh"
		[ "$status" -eq 64 ]
		[[ $output == "usage: $name.sh "* ]]
	done
}

@test "ingest-once stores and publishes every row" {
	require_ndbc_data
	local published=$BATS_TEST_TMPDIR/published
	redis-cli -p "$REDIS_PORT" subscribe observations:new >"$published" &
	remember_pid $!
	local subscriber=$!
	wait_for "grep -q '^subscribe$' $published"

	run "$EXAMPLES_DIR/ingest-once.sh" 44013 tplm2
	[ "$status" -eq 0 ]

	run psql "$DATABASE_URL" -Atc \
		"select station_id, count(*) from observations group by station_id order by station_id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "44013|6508" ]
	[ "${lines[1]}" = "TPLM2|1094" ]
	[ "${#lines[@]}" -eq 2 ]

	wait_for "[ \$(grep -c '^{\"stationId\"' $published) -ge 7602 ]" 300
	kill "$subscriber"
	grep '^{"stationId"' "$published" >"$BATS_TEST_TMPDIR/got"
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/expected"
	buoy-fetch -f "$NDBC_DATA/realtime2/TPLM2.txt" >>"$BATS_TEST_TMPDIR/expected"
	cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got"
}

@test "ingest-once a second time publishes nothing" {
	require_ndbc_data
	"$EXAMPLES_DIR/ingest-once.sh" 44017

	local published=$BATS_TEST_TMPDIR/published
	redis-cli -p "$REDIS_PORT" subscribe observations:new >"$published" &
	remember_pid $!
	local subscriber=$!
	wait_for "grep -q '^subscribe$' $published"

	BUOY_STATIONS=44017 run "$EXAMPLES_DIR/ingest-once.sh"
	[ "$status" -eq 0 ]
	sleep 0.5
	kill "$subscriber"
	run grep -c '^{"stationId"' "$published"
	[ "$output" = "0" ]
}

@test "ingest-once exits 69 when every fetch fails" {
	BUOY_NDBC_URL=$(closed_url) BUOY_STATIONS="44013 TPLM2" run "$EXAMPLES_DIR/ingest-once.sh"
	[ "$status" -eq 69 ]
	[[ $output == *"cannot fetch 44013"* ]]
	[[ $output == *"cannot fetch TPLM2"* ]]
}

@test "watch-station prints only its station" {
	local out=$BATS_TEST_TMPDIR/watch
	BUOY_CHANNEL=watch-test start_group "$EXAMPLES_DIR/watch-station.sh" tplm2 >"$out"
	wait_for "redis-cli -p $REDIS_PORT pubsub numsub watch-test | tail -n 1 | grep -qx 1"

	local other='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2}'
	local wanted='{"stationId":"TPLM2","timestamp":"2022-06-05T14:00:00Z","waveHeightM":null,"windSpeedMps":4.1,"windDirDeg":90,"waterTempC":25.3,"pressureHpa":1012}'
	redis-cli -p "$REDIS_PORT" publish watch-test "$other" >/dev/null
	redis-cli -p "$REDIS_PORT" publish watch-test "$wanted" >/dev/null
	wait_for "grep -q TPLM2 $out"
	stop_group

	run cat "$out"
	[ "$output" = "2022-06-05T14:00:00Z TPLM2 wave - m, wind 4.1 m/s from 90, water 25.3 C" ]
}

@test "serve streams what is published" {
	local port
	port=$(free_port)
	BUOY_CHANNEL=serve-test start_group "$EXAMPLES_DIR/serve.sh" "$port" \
		2>"$BATS_TEST_TMPDIR/serve.log"
	wait_for "curl -sf http://127.0.0.1:$port/health | grep -q '\"upstream\":\"up\"'" 100

	local stream=$BATS_TEST_TMPDIR/stream
	curl -sN --max-time 30 "http://127.0.0.1:$port/v1/observations/stream" >"$stream" &
	remember_pid $!
	local client=$!
	wait_for "grep -q '^event: connection' $stream"

	local record='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":0.5,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2}'
	redis-cli -p "$REDIS_PORT" publish serve-test "$record" >/dev/null
	wait_for "grep -q '^event: observation' $stream"
	kill "$client"
	stop_group

	run grep -x "data: $record" "$stream"
	[ "$status" -eq 0 ]
}

@test "embedded example listens on BUOY_LISTEN" {
	require_ndbc_data
	local port
	port=$(free_port)
	BUOY_LISTEN=127.0.0.1:$port start_group "$EXAMPLES_DIR/embedded.sh" 44013 \
		2>"$BATS_TEST_TMPDIR/embedded.log"
	wait_for "curl -sf -o /dev/null http://127.0.0.1:$port/health" 100
	run curl -s "http://127.0.0.1:$port/health"
	stop_group
	[ "$status" -eq 0 ]
	[[ $output == *'"upstream":"up"'* ]]
}

@test "man pages lint clean" {
	local page
	for page in buoy-fetch.1 buoy.7; do
		run mandoc -Tlint -W warning "$REPO_ROOT/man/$page"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "buoy-fetch.1 documents every option" {
	local options option
	options=$(buoy-fetch --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$options" ]
	for option in $options; do
		grep -qF -- "Fl \\${option#-}" "$REPO_ROOT/man/buoy-fetch.1" ||
			{ echo "buoy-fetch.1 does not document $option"; return 1; }
	done
}

@test "buoy.7 lists every record field in order" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/records"
	local printed documented
	printed=$(head -n 1 "$BATS_TEST_TMPDIR/records" | jq -r 'keys_unsorted[]')
	documented=$(sed -n 's/^\.It Li \([A-Za-z]*\) Ta .*/\1/p' "$REPO_ROOT/man/buoy.7")
	[ "$documented" = "$printed" ]
}

@test "buoy.7 refers to all five programs" {
	local program
	for program in buoy-fetch buoy-upsert buoy-publish buoy-sub buoy-sse; do
		grep -qx "\.Xr $program 1 ," "$REPO_ROOT/man/buoy.7"
	done
}

@test "units pass systemd-analyze verify" {
	if ! command -v systemd-analyze >/dev/null; then
		skip "systemd-analyze not installed (Debian package systemd)"
	fi
	local unit
	for unit in "${UNITS[@]}"; do
		install_unit_copy "$unit"
	done
	for unit in "${UNITS[@]}"; do
		# --man=no: the man pages are checked in the repository below,
		# not looked up in the installed system.
		run systemd-analyze verify --man=no "$BATS_TEST_TMPDIR/units/$unit"
		echo "$unit: $output"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
	done
}

@test "units run programs from @BINDIR@" {
	local unit
	for unit in buoy-ingest.service buoy-stream.service; do
		grep -q '^ExecStart=/bin/bash .*@BINDIR@/buoy-' "$REPO_ROOT/systemd/$unit"
		install_unit_copy "$unit"
		run grep -c '@BINDIR@\|@WEBDIR@' "$BATS_TEST_TMPDIR/units/$unit"
		[ "$output" = "0" ]
	done
}

@test "units' man pages exist" {
	local unit page
	for unit in "${UNITS[@]}"; do
		for page in $(sed -n 's/^Documentation=//p' "$REPO_ROOT/systemd/$unit"); do
			[[ $page =~ ^man:([a-z-]+)\(([0-9])\)$ ]]
			[ -f "$REPO_ROOT/man/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" ] ||
				{ echo "$unit: no man/${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"; return 1; }
		done
	done
}

@test "ingest unit fails when the fetch fails" {
	install_unit_copy buoy-ingest.service
	local command
	command=$(exec_start buoy-ingest.service)
	BUOY_NDBC_URL=$(closed_url) BUOY_STATIONS="44013 46042" run eval "$command"
	[ "$status" -eq 69 ]
	[[ $output == *"cannot fetch 46042"* ]]
}

@test "ingest unit stores its stations" {
	require_ndbc_data
	install_unit_copy buoy-ingest.service
	local command
	command=$(exec_start buoy-ingest.service)
	BUOY_STATIONS="41002" run eval "$command"
	[ "$status" -eq 0 ]
	run psql "$DATABASE_URL" -Atc "select count(*) from observations where station_id = '41002'"
	[ "$output" = "6560" ]
}

@test "stream unit exits with buoy-sub's status" {
	install_unit_copy buoy-stream.service
	write_fake_stream_programs buoy-sub 78
	local command
	command=$(exec_start buoy-stream.service | sed "s|$BUOY_BIN|$BATS_TEST_TMPDIR/fake|g")
	mkdir -p "$BATS_TEST_TMPDIR/run"
	RUNTIME_DIRECTORY=$BATS_TEST_TMPDIR/run run timeout 10 bash -c "eval \"\$1\"" _ "$command"
	[ "$status" -eq 78 ]
}

@test "stream unit exits with buoy-sse's status" {
	install_unit_copy buoy-stream.service
	write_fake_stream_programs buoy-sse 69
	local command
	command=$(exec_start buoy-stream.service | sed "s|$BUOY_BIN|$BATS_TEST_TMPDIR/fake|g")
	mkdir -p "$BATS_TEST_TMPDIR/run"
	RUNTIME_DIRECTORY=$BATS_TEST_TMPDIR/run run timeout 10 bash -c "eval \"\$1\"" _ "$command"
	[ "$status" -eq 69 ]
}
