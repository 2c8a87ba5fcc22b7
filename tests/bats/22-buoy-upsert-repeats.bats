#!/usr/bin/env bats
# buoy-upsert and repeated times: one input, or several loads, holding the
# same station and time more than once. Each key keeps one row whose every
# measurement is the latest non-null value; what is printed is the record
# as stored; loading the same input again prints and writes nothing.
#
# Each test uses its own station ids, so tests do not depend on each other.

bats_require_minimum_version 1.5.0

load '../lib/common'

setup_file() {
	start_postgres
	buoy-upsert --init
}

teardown_file() {
	stop_services
}

query() {
	psql "$DATABASE_URL" -Atc "$1"
}

# Prints a record of station $1 at time $2 with every measurement set.
full() {
	printf '{"stationId":"%s","timestamp":"%s","waveHeightM":1.2,"windSpeedMps":5.1,"windDirDeg":200,"waterTempC":10.3,"pressureHpa":1013.2,"gustMps":6.5,"dominantPeriodS":9.09,"averagePeriodS":6.1,"meanWaveDirDeg":110,"airTempC":-1.5,"dewPointC":-3,"visibilityNmi":5.5,"pressureTendencyHpa":-0.3,"tideFt":1.25}\n' "$1" "$2"
}

# Prints a record of station $1 at time $2 with only wind and pressure.
sparse() {
	printf '{"stationId":"%s","timestamp":"%s","waveHeightM":null,"windSpeedMps":5.1,"windDirDeg":200,"waterTempC":null,"pressureHpa":1013.2,"gustMps":null,"dominantPeriodS":null,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":null,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":null,"tideFt":null}\n' "$1" "$2"
}

# Prints the stored measurements of station $1 at time $2, '|'-separated.
stored() {
	query "SELECT concat_ws('|', wave_height_m, wind_speed_mps, wind_dir_deg, water_temp_c,
		pressure_hpa, gust_mps, dominant_period_s, average_period_s, mean_wave_dir_deg,
		air_temp_c, dew_point_c, visibility_nmi, pressure_tendency_hpa, tide_ft)
		FROM observations WHERE station_id = '$1' AND observed_at = '$2'"
}

FULL_VALUES='1.2|5.1|200|10.3|1013.2|6.5|9.09|6.1|110|-1.5|-3|5.5|-0.3|1.25'
T0=2024-05-01T12:00:00Z

# Prints station $1's row count, then each row's updated_at.
row_state() {
	query "SELECT count(*) FROM observations WHERE station_id = '$1'"
	query "SELECT updated_at FROM observations WHERE station_id = '$1' ORDER BY observed_at"
}

@test "identical lines store one row" {
	{ full REP1 $T0; full REP1 $T0; } >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(full REP1 $T0)" ]
	[[ $stderr == *'"inserted":"1","updated":"0","unchanged":"1"'* ]]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id = 'REP1'")" = 1 ]
	[ "$(stored REP1 $T0)" = "$FULL_VALUES" ]
}

@test "sparse then full line stores the full values" {
	{ sparse REP2 $T0; full REP2 $T0; } >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(full REP2 $T0)" ]
	[ "$(stored REP2 $T0)" = "$FULL_VALUES" ]
}

@test "full then sparse line stores the full values" {
	{ full REP3 $T0; sparse REP3 $T0; } >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	# The later, sparse line is printed with the merged values.
	[ "$output" = "$(full REP3 $T0)" ]
	[[ $stderr == *'"inserted":"1","updated":"0","unchanged":"1"'* ]]
	[ "$(stored REP3 $T0)" = "$FULL_VALUES" ]
}

@test "both non-null: the later line wins" {
	{
		full REP4 $T0
		sparse REP4 $T0 | sed 's/"windSpeedMps":5.1/"windSpeedMps":7.5/'
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(full REP4 $T0 | sed 's/"windSpeedMps":5.1/"windSpeedMps":7.5/')" ]
	[ "$(stored REP4 $T0)" = "${FULL_VALUES/|5.1|/|7.5|}" ]
}

@test "sparse then full across batches" {
	{ sparse REP5 $T0; full REP5 $T0; } >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert -b 1 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[[ $stderr == *'"inserted":"1","updated":"1","unchanged":"0"'* ]]
	[ "$(stored REP5 $T0)" = "$FULL_VALUES" ]
}

@test "full then sparse across batches" {
	{ full REP6 $T0; sparse REP6 $T0; } >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert -b 1 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(full REP6 $T0)" ]
	[[ $stderr == *'"inserted":"1","updated":"0","unchanged":"1"'* ]]
	[ "$(stored REP6 $T0)" = "$FULL_VALUES" ]
}

@test "second load of repeated times changes nothing" {
	local batch
	{
		full REP7 2024-05-01T12:00:00Z
		full REP7 2024-05-01T12:00:00Z
		sparse REP7 2024-05-01T12:10:00Z
		full REP7 2024-05-01T12:10:00Z
		full REP7 2024-05-01T12:20:00Z
		sparse REP7 2024-05-01T12:20:00Z
		sparse REP7 2024-05-01T12:30:00Z
		sparse REP7 2024-05-01T12:30:00Z
	} >"$BATS_TEST_TMPDIR/in"
	run buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	row_state REP7 >"$BATS_TEST_TMPDIR/before"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/before")" = 4 ]

	for batch in 10000 1 2 3; do
		run --separate-stderr buoy-upsert -b "$batch" <"$BATS_TEST_TMPDIR/in"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		[[ $stderr == *'"inserted":"0","updated":"0","unchanged":"8"'* ]]
		[ "$(row_state REP7)" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
	done
	[ "$(stored REP7 2024-05-01T12:20:00Z)" = "$FULL_VALUES" ]
	[ "$(stored REP7 2024-05-01T12:30:00Z)" = '5.1|200|1013.2' ]
}

@test "split across a batch boundary, then loaded again" {
	{
		full REP8 2024-05-01T12:00:00Z
		sparse REP8 2024-05-01T12:10:00Z
		full REP8 2024-05-01T12:10:00Z
		sparse REP8 2024-05-01T12:00:00Z
	} >"$BATS_TEST_TMPDIR/in"

	# -b 2 puts each time's two lines in different batches.
	run --separate-stderr buoy-upsert -b 2 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(full REP8 2024-05-01T12:00:00Z)" ]
	[ "${lines[1]}" = "$(sparse REP8 2024-05-01T12:10:00Z)" ]
	[ "${lines[2]}" = "$(full REP8 2024-05-01T12:10:00Z)" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(stored REP8 2024-05-01T12:00:00Z)" = "$FULL_VALUES" ]
	[ "$(stored REP8 2024-05-01T12:10:00Z)" = "$FULL_VALUES" ]
	row_state REP8 >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert -b 2 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(row_state REP8)" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
}

@test "update prints the values as stored" {
	full REP9 $T0 >"$BATS_TEST_TMPDIR/first"
	printf '{"note":"revised","stationId":"REP9","timestamp":"%s","waveHeightM":2.5,"windSpeedMps":null,"windDirDeg":null,"waterTempC":null,"pressureHpa":null,"extra":{"a":[1,2.50]}}\n' $T0 >"$BATS_TEST_TMPDIR/second"
	run buoy-upsert <"$BATS_TEST_TMPDIR/first"
	[ "$status" -eq 0 ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[[ $stderr == *'"inserted":"0","updated":"1","unchanged":"0"'* ]]
	# Unknown fields keep their place; measurements missing from the line
	# are added at the end.
	[ "$output" = '{"note":"revised","stationId":"REP9","timestamp":"2024-05-01T12:00:00Z","waveHeightM":2.5,"windSpeedMps":5.1,"windDirDeg":200,"waterTempC":10.3,"pressureHpa":1013.2,"extra":{"a":[1,2.5]},"gustMps":6.5,"dominantPeriodS":9.09,"averagePeriodS":6.1,"meanWaveDirDeg":110,"airTempC":-1.5,"dewPointC":-3,"visibilityNmi":5.5,"pressureTendencyHpa":-0.3,"tideFt":1.25}' ]
	[ "$(stored REP9 $T0)" = "${FULL_VALUES/1.2|/2.5|}" ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "merged record keeps unknown fields" {
	{
		full REP10 $T0
		printf '{"stationId":"REP10","timestamp":"%s","source":"hourly","waveHeightM":null,"windSpeedMps":6,"windDirDeg":null,"waterTempC":null,"pressureHpa":null,"gustMps":null,"dominantPeriodS":null,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":null,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":null,"tideFt":null}\n' $T0
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = '{"stationId":"REP10","timestamp":"2024-05-01T12:00:00Z","source":"hourly","waveHeightM":1.2,"windSpeedMps":6,"windDirDeg":200,"waterTempC":10.3,"pressureHpa":1013.2,"gustMps":6.5,"dominantPeriodS":9.09,"averagePeriodS":6.1,"meanWaveDirDeg":110,"airTempC":-1.5,"dewPointC":-3,"visibilityNmi":5.5,"pressureTendencyHpa":-0.3,"tideFt":1.25}' ]
	[ "$(stored REP10 $T0)" = "${FULL_VALUES/|5.1|/|6|}" ]
}

@test "key inserted by another session meanwhile" {
	local writer status=0
	sparse REP11 $T0 >"$BATS_TEST_TMPDIR/in"
	full REP11 $T0 >>"$BATS_TEST_TMPDIR/in"

	# Another session inserts the key and commits only after buoy-upsert's
	# statement has taken its snapshot, so the plain INSERT of the new key
	# fails with a unique violation, and the batch runs again.
	psql "$DATABASE_URL" -qc "BEGIN;
		INSERT INTO observations (station_id, observed_at, wave_height_m)
			VALUES ('REP11', '$T0', 9.5);
		SELECT pg_sleep(2);
		COMMIT;" >/dev/null &
	writer=$!
	wait_for "[ \"\$(psql '$DATABASE_URL' -Atc \"SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'\")\" = 1 ]"

	buoy-upsert <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || status=$?
	wait "$writer"
	[ "$status" -eq 0 ]
	grep -q 'batch conflicted with another session (SQLSTATE 23505); running it again, attempt 2 of 3' "$BATS_TEST_TMPDIR/err"
	grep -q '"inserted":"0","updated":"1","unchanged":"1"' "$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(full REP11 $T0)" ]
	[ "$(stored REP11 $T0)" = "$FULL_VALUES" ]
}
