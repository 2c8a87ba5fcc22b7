#!/usr/bin/env bats
# Both pipelines end to end, on real Redis, PostgreSQL and a local HTTP
# server that serves the sample realtime2 files at NDBC's paths:
#
#   buoy-fetch 44013 | buoy-upsert | buoy-publish      (ingest)
#   buoy-sub | buoy-sse                               (serve)
#
# Three curl -N clients must each receive every observation of 44013.txt.

load '../lib/common'

CLIENTS=3
ROWS_44013=6508

setup_file() {
	require_ndbc_data
	start_postgres
	start_redis
	start_ndbc_server
	buoy-upsert --init

	SSE_PORT=$(free_port)
	export SSE_PORT
	mkfifo "$BATS_FILE_TMPDIR/serve.fifo"
	buoy-sub >"$BATS_FILE_TMPDIR/serve.fifo" 2>"$BATS_FILE_TMPDIR/sub.log" &
	remember_pid $!
	buoy-sse --listen "127.0.0.1:$SSE_PORT" <"$BATS_FILE_TMPDIR/serve.fifo" \
		2>"$BATS_FILE_TMPDIR/sse.log" &
	remember_pid $!
	wait_for "curl -sf http://127.0.0.1:$SSE_PORT/health | grep -q '\"upstream\":\"up\"'" 100

	local i
	for ((i = 1; i <= CLIENTS; i++)); do
		curl -sN --max-time 120 "http://127.0.0.1:$SSE_PORT/v1/observations/stream" \
			>"$BATS_FILE_TMPDIR/client$i.sse" &
		remember_pid $!
	done
	for ((i = 1; i <= CLIENTS; i++)); do
		wait_for "grep -q '^event: connection' $BATS_FILE_TMPDIR/client$i.sse"
	done
}

teardown_file() {
	stop_services
}

count_events() {
	grep -c '^event: observation' "$1" || true
}

@test "ingest delivers every row to every client" {
	set -o pipefail
	buoy-fetch 44013 | buoy-upsert | buoy-publish 2>"$BATS_FILE_TMPDIR/publish.log"

	local i
	for ((i = 1; i <= CLIENTS; i++)); do
		wait_for "[ \$(grep -c '^event: observation' $BATS_FILE_TMPDIR/client$i.sse) -ge $ROWS_44013 ]" 600
	done
	for ((i = 1; i <= CLIENTS; i++)); do
		"$BATS_TEST_DIRNAME/check_stream.py" "$NDBC_DATA/realtime2/44013.txt" 44013 \
			"$BATS_FILE_TMPDIR/client$i.sse"
	done
}

@test "stream data lines equal buoy-fetch output" {
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/expected"
	local i
	for ((i = 1; i <= CLIENTS; i++)); do
		sed -n 's/^data: \(.*"stationId".*\)$/\1/p' "$BATS_FILE_TMPDIR/client$i.sse" \
			>"$BATS_TEST_TMPDIR/got$i"
		cmp "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/got$i"
	done
}

@test "database holds every row" {
	run psql "$DATABASE_URL" -Atc "select count(*), count(wave_height_m), min(observed_at) at time zone 'UTC' from observations where station_id = '44013'"
	[ "$status" -eq 0 ]
	local with_wave
	with_wave=$(awk 'NR > 2 && $9 != "MM"' "$NDBC_DATA/realtime2/44013.txt" | wc -l)
	[ "$output" = "$ROWS_44013|$with_wave|2022-04-21 00:00:00" ]
}

@test "second ingest publishes nothing" {
	set -o pipefail
	buoy-fetch 44013 | buoy-upsert >"$BATS_TEST_TMPDIR/upserted"
	[ ! -s "$BATS_TEST_TMPDIR/upserted" ]

	buoy-fetch 44013 | buoy-upsert | buoy-publish
	sleep 1
	local i
	for ((i = 1; i <= CLIENTS; i++)); do
		[ "$(count_events "$BATS_FILE_TMPDIR/client$i.sse")" -eq "$ROWS_44013" ]
	done
}
