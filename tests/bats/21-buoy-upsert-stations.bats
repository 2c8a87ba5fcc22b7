#!/usr/bin/env bats
# buoy-upsert and station records: stored in the stations table, written
# only when something changed, never printed, checked field by field.
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

# Prints the stored row of station $1 as id|name|lat|lon|owner|type|active.
station_row() {
	query "SELECT id, coalesce(name, '<null>'), coalesce(lat::text, '<null>'),
		coalesce(lon::text, '<null>'), coalesce(owner, '<null>'),
		coalesce(type, '<null>'), active FROM stations WHERE id = '$1'"
}

updated_at() {
	query "SELECT updated_at FROM stations WHERE id = '$1'"
}

# Prints an observation record of station $1 at time $2 with wave height $3.
observation() {
	printf '{"stationId":"%s","timestamp":"%s","waveHeightM":%s,"windSpeedMps":5.1,"windDirDeg":200,"waterTempC":10.3,"pressureHpa":1013.2,"gustMps":null,"dominantPeriodS":null,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":null,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":null,"tideFt":null}\n' "$1" "$2" "$3"
}

@test "station record is stored and not printed" {
	echo '{"stationId":"st001","name":"BOSTON 16 NM East of Boston, MA","lat":42.346,"lon":-70.651,"owner":"N","type":"3-meter foam buoy"}' >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"stations_inserted":"1","stations_updated":"0","stations_unchanged":"0"'* ]]
	[ "$(station_row ST001)" = "ST001|BOSTON 16 NM East of Boston, MA|42.346|-70.651|N|3-meter foam buoy|t" ]
}

@test "unchanged station record writes nothing" {
	echo '{"stationId":"ST002","name":"Station two","lat":1.5,"lon":2.5,"owner":"N","type":"buoy"}' >"$BATS_TEST_TMPDIR/in"
	run buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	updated_at ST002 >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"stations_inserted":"0","stations_updated":"0","stations_unchanged":"1"'* ]]
	[ "$(updated_at ST002)" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
}

@test "changed station record is updated" {
	echo '{"stationId":"ST003","name":"Old name","lat":1.5,"lon":2.5,"owner":"N","type":"buoy"}' >"$BATS_TEST_TMPDIR/first"
	echo '{"stationId":"ST003","name":"New name","lat":1.5,"lon":2.75,"owner":"N","type":"buoy"}' >"$BATS_TEST_TMPDIR/second"
	run buoy-upsert <"$BATS_TEST_TMPDIR/first"
	[ "$status" -eq 0 ]
	updated_at ST003 >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"stations_inserted":"0","stations_updated":"1","stations_unchanged":"0"'* ]]
	[ "$(station_row ST003)" = "ST003|New name|1.5|2.75|N|buoy|t" ]
	[ "$(query "SELECT updated_at > '$(cat "$BATS_TEST_TMPDIR/before")' FROM stations WHERE id = 'ST003'")" = t ]
}

@test "null in a station record keeps the stored value" {
	echo '{"stationId":"ST004","name":"Kept","lat":10,"lon":20,"owner":"N","type":"buoy"}' >"$BATS_TEST_TMPDIR/first"
	echo '{"stationId":"ST004","name":null,"lat":null,"lon":null,"owner":null,"type":null}' >"$BATS_TEST_TMPDIR/second"
	run buoy-upsert <"$BATS_TEST_TMPDIR/first"
	[ "$status" -eq 0 ]
	updated_at ST004 >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/second"
	[ "$status" -eq 0 ]
	[[ $stderr == *'"stations_unchanged":"1"'* ]]
	[ "$(station_row ST004)" = "ST004|Kept|10|20|N|buoy|t" ]
	[ "$(updated_at ST004)" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
}

@test "new station with nulls stores NULL" {
	echo '{"stationId":"ST005","name":null,"lat":null,"lon":-0.5,"owner":null}' >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(station_row ST005)" = "ST005|<null>|<null>|-0.5|<null>|<null>|t" ]
}

@test "stations and observations in one input" {
	{
		echo '{"stationId":"ST006","name":"Six","lat":42,"lon":-70,"owner":"N","type":"buoy"}'
		observation ST006 2024-05-01T12:00:00Z 1.2
		echo '{"stationId":"ST007","name":"Seven","lat":43,"lon":-71,"owner":"N","type":"buoy"}'
		observation UNLIST1 2024-05-01T12:00:00Z 2.5
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(sed -n 2p "$BATS_TEST_TMPDIR/in")" ]
	[ "${lines[1]}" = "$(sed -n 4p "$BATS_TEST_TMPDIR/in")" ]
	[ "${#lines[@]}" -eq 2 ]
	[[ $stderr == *'"lines_read":"4","inserted":"2"'* ]]
	[[ $stderr == *'"stations_inserted":"2"'* ]]
	[ "$(query "SELECT string_agg(id, ',' ORDER BY id) FROM stations WHERE id IN ('ST006', 'ST007')")" = "ST006,ST007" ]
	[ "$(query "SELECT wave_height_m FROM observations WHERE station_id = 'UNLIST1'")" = 2.5 ]
	[ "$(query "SELECT count(*) FROM stations WHERE id = 'UNLIST1'")" = 0 ]
}

@test "station twice in one batch is merged" {
	{
		echo '{"stationId":"ST008","name":"First name","lat":1,"lon":2,"owner":"N","type":"buoy"}'
		echo '{"stationId":"ST008","name":null,"lat":3,"lon":null}'
		echo '{"stationId":"ST008","name":"Last name","lat":null,"lon":null,"type":null}'
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[[ $stderr == *'"stations_inserted":"1","stations_updated":"0","stations_unchanged":"2"'* ]]
	[ "$(station_row ST008)" = "ST008|Last name|3|2|N|buoy|t" ]
}

@test "station split across batches ends the same" {
	{
		echo '{"stationId":"ST009","name":"Name","lat":null,"lon":null}'
		echo '{"stationId":"ST009","name":null,"lat":5,"lon":6,"owner":"N"}'
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert -b 1 <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[[ $stderr == *'"stations_inserted":"1","stations_updated":"1","stations_unchanged":"0"'* ]]
	[ "$(station_row ST009)" = "ST009|Name|5|6|N|<null>|t" ]
}

@test "invalid station records exit 65" {
	{
		echo '{"stationId":"ST010","name":"Good","lat":1,"lon":2}'
		echo '{"stationId":"ST011","lat":91,"lon":0}'
		echo '{"stationId":"ST011","lat":0,"lon":-180.5}'
		echo '{"stationId":"ST011","lat":"north","lon":0}'
		echo '{"stationId":"ST011","name":7,"lat":0,"lon":0}'
		echo '{"stationId":"ST011","name":"a\u0000b","lat":0,"lon":0}'
		echo '{"stationId":"NOT-AN-ID","lat":0,"lon":0}'
		echo '{"stationId":"ST012","name":"Also good","lat":-90,"lon":180}'
	} >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ $stderr == *'stdin:2: lat is out of range: expected a number from -90 to 90 or null; the line is skipped'* ]]
	[[ $stderr == *'stdin:3: lon is out of range: expected a number from -180 to 180 or null; the line is skipped'* ]]
	[[ $stderr == *'stdin:4: lat is string: expected a number or null; the line is skipped'* ]]
	[[ $stderr == *'stdin:5: name is number: expected a string or null; the line is skipped'* ]]
	[[ $stderr == *'stdin:6: name contains a NUL character; the line is skipped'* ]]
	[[ $stderr == *'stdin:7: stationId is missing or not a station id (1 to 8 letters and digits); the line is skipped'* ]]
	[[ $stderr == *'"invalid":"6","stations_inserted":"2"'* ]]
	[ "$(query "SELECT string_agg(id, ',' ORDER BY id) FROM stations WHERE id LIKE 'ST01%'")" = "ST010,ST012" ]
}

@test "line with lat, lon and timestamp is an observation" {
	printf '{"stationId":"ST013","timestamp":"2024-05-01T12:00:00Z","lat":1,"lon":2,"waveHeightM":1.5,"windSpeedMps":null,"windDirDeg":null,"waterTempC":null,"pressureHpa":null}\n' >"$BATS_TEST_TMPDIR/in"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_TMPDIR/in")" ]
	[ "$(query "SELECT count(*) FROM stations WHERE id = 'ST013'")" = 0 ]
	[ "$(query "SELECT wave_height_m FROM observations WHERE station_id = 'ST013'")" = 1.5 ]
}

@test "station records from buoy-fetch --stations" {
	local ids
	require_ndbc_data
	buoy-fetch --stations -f "$NDBC_DATA/stations/station_table.txt" >"$BATS_TEST_TMPDIR/stations"
	ids=$(jq -r .stationId "$BATS_TEST_TMPDIR/stations" | sort -u | wc -l)
	[ "$ids" -gt 1000 ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/stations"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *"\"stations_inserted\":\"$ids\",\"stations_updated\":\"0\""* ]]
	[ "$(query "SELECT count(*) FROM stations WHERE id NOT LIKE 'ST0%'")" = "$ids" ]
	[ "$(station_row 44013)" = "$(jq -r 'select(.stationId == "44013") | [.stationId, .name, .lat, .lon, .owner, .type, "t"] | join("|")' "$BATS_TEST_TMPDIR/stations")" ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/stations"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *"\"stations_inserted\":\"0\",\"stations_updated\":\"0\",\"stations_unchanged\":\"$(wc -l <"$BATS_TEST_TMPDIR/stations")\""* ]]
}
