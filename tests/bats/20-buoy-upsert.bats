#!/usr/bin/env bats
# buoy-upsert: options, the schema, exact values in PostgreSQL, printing
# only new or changed lines byte for byte, invalid lines, duplicate keys,
# commits while the writer pauses, signals and database failures.
#
# Each test uses its own station ids, so tests do not depend on each other.

bats_require_minimum_version 1.5.0

load '../lib/common'

setup_file() {
	start_postgres
	buoy-upsert --init
	BASE_URL=${DATABASE_URL%/*}
	export BASE_URL
}

teardown_file() {
	stop_services
}

teardown() {
	if [[ -n ${UPSERT_PID:-} ]]; then
		kill "$UPSERT_PID" 2>/dev/null || true
		wait "$UPSERT_PID" 2>/dev/null || true
	fi
	if [[ -n ${WRITER_PID:-} ]]; then
		kill "$WRITER_PID" 2>/dev/null || true
	fi
}

query() {
	psql "$DATABASE_URL" -Atc "$1"
}

# Creates an empty database named $1 and prints its URL.
new_database() {
	psql "$DATABASE_URL" -qc "CREATE DATABASE $1"
	echo "$BASE_URL/$1"
}

# Prints a record with every field: station $1, time $2, wave height $3.
record() {
	printf '{"stationId":"%s","timestamp":"%s","waveHeightM":%s,"windSpeedMps":5.1,"windDirDeg":200,"waterTempC":10.3,"pressureHpa":1013.2,"gustMps":null,"dominantPeriodS":9.09,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":-1.5,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":-0.3,"tideFt":null}\n' "$1" "$2" "$3"
}

@test "help goes to stdout" {
	run --separate-stderr buoy-upsert --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: buoy-upsert [-hqVv] [-b rows] [file ...]" ]
	[ "${lines[1]}" = "       buoy-upsert --init" ]
	[[ $output == *"--batch-size=ROWS"* ]]
	[[ $output == *"DATABASE_URL"* ]]
	[ -z "$stderr" ]
}

@test "version names libpq" {
	run --separate-stderr buoy-upsert --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "buoy-upsert 0.1.0" ]
	[[ ${lines[1]} =~ ^libpq\ [0-9]+\.[0-9]+$ ]]
}

@test "unknown option exits 64" {
	run --separate-stderr buoy-upsert --bogus
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-upsert: unknown option '--bogus'" ]
	[ "${stderr_lines[1]}" = "Try 'buoy-upsert --help' for more information." ]
	[ -z "$output" ]
}

@test "batch size out of range exits 64" {
	local size
	for size in 0 100001 -5 12x ''; do
		run --separate-stderr buoy-upsert --batch-size "$size"
		[ "$status" -eq 64 ]
		[ "${stderr_lines[0]}" = "buoy-upsert: invalid --batch-size: expected a whole number from 1 to 100000" ]
	done
}

@test "batch size without value exits 64" {
	run --separate-stderr buoy-upsert -b
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-upsert: option '-b' needs a value" ]
}

@test "init with a file argument exits 64" {
	run --separate-stderr buoy-upsert --init some.ndjson
	[ "$status" -eq 64 ]
	[ "${stderr_lines[0]}" = "buoy-upsert: --init reads no input: run it without file arguments" ]
}

@test "missing schema exits 78" {
	local url
	url=$(new_database missing_schema)
	record MISS1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/in"
	DATABASE_URL=$url run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 78 ]
	[[ $stderr == *"relation \\\"observations\\\" does not exist: run 'buoy-upsert --init' first"* ]]
	[ -z "$output" ]
}

@test "init twice succeeds" {
	local url
	url=$(new_database init_twice)
	DATABASE_URL=$url run --separate-stderr buoy-upsert --init
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	DATABASE_URL=$url run --separate-stderr buoy-upsert --init
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]

	run psql "$url" -Atc "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_name = 'observations'"
	[ "$output" = "id:bigint,station_id:text,observed_at:timestamp with time zone,wave_height_m:double precision,wind_speed_mps:double precision,wind_dir_deg:double precision,water_temp_c:double precision,pressure_hpa:double precision,gust_mps:double precision,dominant_period_s:double precision,average_period_s:double precision,mean_wave_dir_deg:double precision,air_temp_c:double precision,dew_point_c:double precision,visibility_nmi:double precision,pressure_tendency_hpa:double precision,tide_ft:double precision,created_at:timestamp with time zone,updated_at:timestamp with time zone" ]
	run psql "$url" -Atc "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)
		FROM information_schema.columns WHERE table_name = 'stations'"
	[ "$output" = "id:text,name:text,lat:double precision,lon:double precision,owner:text,type:text,active:boolean,updated_at:timestamp with time zone" ]
	run psql "$url" -Atc "SELECT indexdef FROM pg_indexes WHERE indexname = 'observations_station_time_key'"
	[ "$output" = "CREATE UNIQUE INDEX observations_station_time_key ON public.observations USING btree (station_id, observed_at)" ]
}

@test "init adds a dropped column back" {
	local url
	url=$(new_database upgrade)
	DATABASE_URL=$url buoy-upsert --init
	psql "$url" -qc "ALTER TABLE observations DROP COLUMN tide_ft"
	record UPGR1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/in"

	DATABASE_URL=$url run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 78 ]
	[[ $stderr == *"column observations.tide_ft does not exist: run 'buoy-upsert --init' to add it"* ]]

	DATABASE_URL=$url run buoy-upsert --init
	[ "$status" -eq 0 ]
	DATABASE_URL=$url run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
}

@test "closed port exits 69" {
	local port
	port=$(free_port)
	DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" \
		run --separate-stderr buoy-upsert </dev/null
	[ "$status" -eq 69 ]
	[[ $stderr == *"cannot connect to PostgreSQL: connection to server at \\\"127.0.0.1\\\", port $port failed: Connection refused"* ]]
	[ -z "$output" ]
}

@test "invalid DATABASE_URL exits 78 without the password" {
	DATABASE_URL='postgresql://postgres:hunter2@[::1/postgres' \
		run --separate-stderr buoy-upsert </dev/null
	[ "$status" -eq 78 ]
	[[ $stderr == *"invalid DATABASE_URL"* ]]
	[[ $stderr != *"hunter2"* ]]
}

@test "failed login does not log the password" {
	DATABASE_URL="postgresql://postgres:hunter2@127.0.0.1:$PG_PORT/no_such_database" \
		run --separate-stderr buoy-upsert </dev/null
	[ "$status" -eq 69 ]
	[[ $stderr == *'database \"no_such_database\" does not exist'* ]]
	[[ $stderr != *"hunter2"* ]]
}

@test "new records are stored exactly" {
	{
		record EXACT1 2024-05-01T12:00:00Z 1.2
		echo '{"stationId":"exact1","timestamp":"2024-05-01T12:10:00Z","waveHeightM":0.30000000000000004,"windSpeedMps":null,"windDirDeg":null,"waterTempC":null,"pressureHpa":null,"futureField":[1,2]}'
		echo '{ "timestamp" : "2024-05-01T12:20:00Z",  "stationId":"EXACT1", "waveHeightM":1e-7,"windSpeedMps":123456789.125,"windDirDeg":0,"waterTempC":-0.5,"pressureHpa":1013.25 }'
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[[ $stderr == *'"lines_read":"3","inserted":"3","updated":"0","unchanged":"0"'* ]]

	run query "SELECT to_char(observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
		wave_height_m, wind_speed_mps, wind_dir_deg, water_temp_c, pressure_hpa, gust_mps,
		dominant_period_s, average_period_s, air_temp_c, pressure_tendency_hpa, tide_ft IS NULL
		FROM observations WHERE station_id = 'EXACT1' ORDER BY observed_at"
	[ "${lines[0]}" = "2024-05-01T12:00:00Z|1.2|5.1|200|10.3|1013.2||9.09||-1.5|-0.3|t" ]
	[ "${lines[1]}" = "2024-05-01T12:10:00Z|0.30000000000000004||||||||||t" ]
	[ "${lines[2]}" = "2024-05-01T12:20:00Z|1e-07|123456789.125|0|-0.5|1013.25||||||t" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "second run prints nothing" {
	{
		record AGAIN1 2024-05-01T12:00:00Z 1.2
		record AGAIN1 2024-05-01T12:10:00Z null
	} >"$BATS_TEST_TMPDIR/in"
	run buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"inserted":"0","updated":"0","unchanged":"2"'* ]]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'AGAIN1'")" = 2 ]
}

@test "changed value is printed once" {
	record CHANGE1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/first"
	{
		record CHANGE1 2024-05-01T12:00:00Z 1.3
		record CHANGE1 2024-05-01T12:10:00Z 2.0
	} >"$BATS_TEST_TMPDIR/second"
	run buoy-upsert <"$BATS_TEST_TMPDIR/first"
	[ "$status" -eq 0 ]
	query "SELECT id, created_at FROM observations WHERE station_id = 'CHANGE1'" >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/second")" ]
	[[ $stderr == *'"inserted":"1","updated":"1","unchanged":"0"'* ]]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	run query "SELECT wave_height_m FROM observations WHERE station_id = 'CHANGE1' ORDER BY observed_at"
	[ "$output" = "$(printf '1.3\n2')" ]
	run query "SELECT id, created_at FROM observations WHERE station_id = 'CHANGE1' AND observed_at = '2024-05-01T12:00:00Z'"
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
	run query "SELECT updated_at > created_at FROM observations WHERE station_id = 'CHANGE1' AND observed_at = '2024-05-01T12:00:00Z'"
	[ "$output" = t ]
}

@test "null in a later load keeps the stored value" {
	record NULL1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/first"
	record NULL1 2024-05-01T12:00:00Z null >"$BATS_TEST_TMPDIR/second"
	run buoy-upsert <"$BATS_TEST_TMPDIR/first"
	[ "$status" -eq 0 ]
	query "SELECT updated_at FROM observations WHERE station_id = 'NULL1'" >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"inserted":"0","updated":"0","unchanged":"1"'* ]]
	[ "$(query "SELECT wave_height_m FROM observations WHERE station_id = 'NULL1'")" = 1.2 ]
	[ "$(query "SELECT updated_at FROM observations WHERE station_id = 'NULL1'")" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
}

@test "invalid line in the middle exits 65" {
	{
		record BAD1 2024-05-01T12:00:00Z 1.2
		echo '{"stationId":"BAD1","timestamp":"2024-05-01 12:10"}'
		echo 'not json'
		record BAD1 2024-05-01T12:20:00Z 1.4
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = "$(sed -n 1p "$BATS_TEST_TMPDIR/in")" ]
	[ "${lines[1]}" = "$(sed -n 4p "$BATS_TEST_TMPDIR/in")" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ $stderr == *'stdin:2: timestamp is missing or not a UTC time written as YYYY-MM-DDTHH:MM:SSZ; the line is skipped'* ]]
	[[ $stderr == *'stdin:3: not valid JSON: '*'; the line is skipped'* ]]
	[[ $stderr == *'"invalid":"2"'* ]]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'BAD1'")" = 2 ]
}

@test "duplicate key in one batch keeps the later line" {
	{
		record DUP1 2024-05-01T12:00:00Z 1.0
		record DUP1 2024-05-01T12:10:00Z 5.0
		record DUP1 2024-05-01T12:00:00Z 2.0
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(sed -n 2p "$BATS_TEST_TMPDIR/in")" ]
	[ "${lines[1]}" = "$(sed -n 3p "$BATS_TEST_TMPDIR/in")" ]
	[ "${#lines[@]}" -eq 2 ]
	run query "SELECT wave_height_m FROM observations WHERE station_id = 'DUP1' ORDER BY observed_at"
	[ "$output" = "$(printf '2\n5')" ]
}

@test "status and blank lines are skipped" {
	{
		echo '{"upstream":"down","reason":"test","timestamp":"2024-05-01T12:00:00Z"}'
		echo
		echo '   '
		record SKIP1 2024-05-01T12:00:00Z 1.2
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n 4p "$BATS_TEST_TMPDIR/in")" ]
	[[ $stderr == *'"lines_read":"4","inserted":"1"'* ]]
}

@test "file arguments name their lines" {
	record FILE1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/a.ndjson"
	echo '{"stationId":"FILE1"}' >>"$BATS_TEST_TMPDIR/a.ndjson"
	record FILE1 2024-05-01T12:10:00Z 1.3 >"$BATS_TEST_TMPDIR/stdin"
	echo '[]' >>"$BATS_TEST_TMPDIR/stdin"

	run --separate-stderr buoy-upsert "$BATS_TEST_TMPDIR/a.ndjson" - <"$BATS_TEST_TMPDIR/stdin"
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = "$(sed -n 1p "$BATS_TEST_TMPDIR/a.ndjson")" ]
	[ "${lines[1]}" = "$(sed -n 1p "$BATS_TEST_TMPDIR/stdin")" ]
	[[ $stderr == *"$BATS_TEST_TMPDIR/a.ndjson:2: timestamp is missing"* ]]
	[[ $stderr == *'stdin:2: expected a JSON object, found array; the line is skipped'* ]]
}

@test "missing file exits 66 after the others" {
	record NOFILE1 2024-05-01T12:00:00Z 1.2 >"$BATS_TEST_TMPDIR/a.ndjson"

	run --separate-stderr buoy-upsert "$BATS_TEST_TMPDIR/none.ndjson" "$BATS_TEST_TMPDIR/a.ndjson"
	[ "$status" -eq 66 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/a.ndjson")" ]
	[[ $stderr == *"cannot open $BATS_TEST_TMPDIR/none.ndjson: No such file or directory"* ]]
}

@test "small batches keep input order" {
	record ORDER1 2024-05-01T12:10:00Z 1.0 >"$BATS_TEST_TMPDIR/old"
	run buoy-upsert <"$BATS_TEST_TMPDIR/old"
	[ "$status" -eq 0 ]
	{
		record ORDER1 2024-05-01T12:30:00Z 3.0
		record ORDER1 2024-05-01T12:10:00Z 1.0
		record ORDER1 2024-05-01T12:20:00Z 2.0
		record ORDER1 2024-05-01T12:00:00Z 0.5
		record ORDER1 2024-05-01T12:40:00Z 4.0
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert -b 2 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed 2d "$BATS_TEST_TMPDIR/in")" ]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'ORDER1'")" = 5 ]
}

@test "long line is rejected per line" {
	{
		record LONG1 2024-05-01T12:00:00Z 1.2
		printf '{"stationId":"LONG1","pad":"%s"}\n' "$(head -c 70000 /dev/zero | tr '\0' x)"
		record LONG1 2024-05-01T12:10:00Z 1.3
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ $stderr == *'stdin:2: line is longer than 65536 bytes; the line is skipped'* ]]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'LONG1'")" = 2 ]
}

@test "many rows in one batch" {
	# 5000 rows of about 200 bytes each take several COPY messages.
	awk 'BEGIN {
		for (i = 0; i < 5000; i++)
			printf "{\"stationId\":\"MANY%d\",\"timestamp\":\"2024-05-%02dT%02d:%02d:00Z\",\"waveHeightM\":%d.25,\"windSpeedMps\":null,\"windDirDeg\":null,\"waterTempC\":null,\"pressureHpa\":null,\"tideFt\":-%d.5}\n", i % 3, 1 + int(i / 288), int(i / 12) % 24, (i % 12) * 5, i, i
	}' >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert -b 5000 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[ "$(query "SELECT count(*), sum(wave_height_m), sum(tide_ft) FROM observations WHERE station_id LIKE 'MANY%'")" = "5000|12498750|-12500000" ]

	run --separate-stderr buoy-upsert -b 5000 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"unchanged":"5000"'* ]]
}

@test "paused writer gets its rows committed" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	buoy-upsert <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	UPSERT_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/fifo"
	record LIVE1 2024-05-01T12:00:00Z 1.2 >&7

	wait_for "[ \"\$(psql '$DATABASE_URL' -Atc \"SELECT count(*) FROM observations WHERE station_id = 'LIVE1'\")\" = 1 ]"
	record LIVE1 2024-05-01T12:10:00Z 1.3 >&7
	wait_for "[ \"\$(psql '$DATABASE_URL' -Atc \"SELECT count(*) FROM observations WHERE station_id = 'LIVE1'\")\" = 2 ]"

	local status=0
	kill -TERM "$UPSERT_PID"
	wait "$UPSERT_PID" || status=$?
	UPSERT_PID=
	exec 7>&-
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(record LIVE1 2024-05-01T12:00:00Z 1.2; record LIVE1 2024-05-01T12:10:00Z 1.3)" ]
	grep -q '"message":"stopped by Terminated"' "$BATS_TEST_TMPDIR/err"
	grep -q '"lines_read":"2","inserted":"2"' "$BATS_TEST_TMPDIR/err"
}

@test "lost connection exits 75" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	buoy-upsert <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	UPSERT_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/fifo"
	record LOST1 2024-05-01T12:00:00Z 1.2 >&7
	wait_for "[ \"\$(psql '$DATABASE_URL' -Atc \"SELECT count(*) FROM observations WHERE station_id = 'LOST1'\")\" = 1 ]"

	query "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'buoy-upsert'"
	record LOST1 2024-05-01T12:10:00Z 1.3 >&7
	exec 7>&-

	local status=0
	wait "$UPSERT_PID" || status=$?
	UPSERT_PID=
	[ "$status" -eq 75 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(record LOST1 2024-05-01T12:00:00Z 1.2)" ]
	grep -q '"not_stored":"1"' "$BATS_TEST_TMPDIR/err"
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'LOST1'")" = 1 ]
}
