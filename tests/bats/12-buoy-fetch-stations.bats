#!/usr/bin/env bats
# buoy-fetch --stations: NDBC's station table as station records, read with
# -f and fetched from a local server.

load '../lib/common'

setup_file() {
	if [[ -f $NDBC_DATA/stations/station_table.txt ]]; then
		start_ndbc_server
	fi
}

teardown_file() {
	stop_services
}

require_station_table() {
	STATION_TABLE=$NDBC_DATA/stations/station_table.txt
	if [[ ! -f $STATION_TABLE ]]; then
		skip "sample station table not found in $NDBC_DATA/stations (set BUOY_TEST_DATA to the sample folder)"
	fi
}

# Rows of the sample table, as records, read off the file by hand.
BOSTON_44013='{"stationId":"44013","name":"BOSTON 16 NM East of Boston, MA","lat":42.346,"lon":-70.651,"owner":"N","type":"3-meter discus buoy"}'
SAND_KEY_SANF1='{"stationId":"SANF1","name":"Sand Key, FL","lat":24.456,"lon":-81.877,"owner":"N","type":"C-MAN Station"}'

@test "stations: one record per row" {
	require_station_table
	run --separate-stderr buoy-fetch --stations -f "$STATION_TABLE"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(grep -vc '^#' "$STATION_TABLE")" -eq 1709 ]
	[ "${#lines[@]}" -eq 1709 ]
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/out"
	# Valid JSON, the six keys in order, and never a timestamp.
	[ "$(jq -c 'keys_unsorted' "$BATS_TEST_TMPDIR/out" | sort -u)" = '["stationId","name","lat","lon","owner","type"]' ]
	# Sorted by id, each id once.
	jq -r .stationId "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/ids"
	LC_ALL=C sort -c -u "$BATS_TEST_TMPDIR/ids"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/ids")" = 00922 ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/ids")" = ZBQN7 ]
}

@test "stations: exact records of sample rows" {
	require_station_table
	buoy-fetch --stations -f "$STATION_TABLE" >"$BATS_TEST_TMPDIR/out"
	local -A expected=(
		[44013]=$BOSTON_44013
		[SANF1]=$SAND_KEY_SANF1
		[15319]='{"stationId":"15319","name":"Sanha - WANE 25947","lat":-5.583,"lon":11.833,"owner":"CT","type":"Fixed Drilling Platform"}'
		[31260]='{"stationId":"31260","name":null,"lat":-23.031,"lon":-43.088,"owner":"HC","type":"Buoy"}'
		[41300]='{"stationId":"41300","name":"West Indies","lat":15.85,"lon":-57.467,"owner":"F","type":null}'
		[42396]='{"stationId":"42396","name":"Jack & St Malo FPU - Walker Ridge Block 758","lat":26.235,"lon":-91.261,"owner":"CT","type":"Fixed Drilling Platform"}'
		[13010]='{"stationId":"13010","name":"Soul","lat":0,"lon":0,"owner":"PR","type":"Atlas Buoy"}'
		[62114]='{"stationId":"62114","name":"Tartan \"A\" AWS","lat":58.3,"lon":0,"owner":"X","type":"Oil Platform"}'
	)
	local id
	for id in "${!expected[@]}"; do
		[ "$(grep -F "\"stationId\":\"$id\"" "$BATS_TEST_TMPDIR/out")" = "${expected[$id]}" ] ||
			{ echo "$id: $(grep -F "\"stationId\":\"$id\"" "$BATS_TEST_TMPDIR/out")"; return 1; }
	done
}

# Python's html.unescape and float() read every row independently of the
# C parser; the two must agree on every field of every station.
@test "stations: every row agrees with Python" {
	require_station_table
	buoy-fetch --stations -f "$STATION_TABLE" >"$BATS_TEST_TMPDIR/out"
	run python3 - "$STATION_TABLE" "$BATS_TEST_TMPDIR/out" <<-'END'
	import html, json, re, sys

	def text(field):
	    return html.unescape(field).strip() or None

	expected = {}
	for line in open(sys.argv[1], encoding="utf-8"):
	    if line.startswith("#"):
	        continue
	    row = line.rstrip("\n").split("|")
	    where = re.match(r"([\d.]+) ([NS]) +([\d.]+) ([EW])", row[6].strip())
	    lat = float(where[1]) * (-1 if where[2] == "S" else 1)
	    lon = float(where[3]) * (-1 if where[4] == "W" else 1)
	    expected[row[0].upper()] = {"stationId": row[0].upper(), "name": text(row[4]),
	                                "lat": lat, "lon": lon, "owner": text(row[1]),
	                                "type": text(row[2])}
	printed = {}
	for line in open(sys.argv[2], encoding="utf-8"):
	    record = json.loads(line)
	    printed[record["stationId"]] = record
	wrong = [id for id in expected if printed.get(id) != expected[id]]
	print(len(expected), len(printed), " ".join(wrong[:5]))
	END
	[ "$status" -eq 0 ]
	[ "$output" = "1709 1709 " ]
}

@test "stations: bad ids reported, rest printed" {
	require_station_table
	# Lines 101 and 502 of the sample get ids that are not station ids.
	sed -e '101s/^31053|/31-053|/' -e '502s/^45007|/|/' "$STATION_TABLE" >"$BATS_TEST_TMPDIR/station_table.txt"
	run --separate-stderr buoy-fetch --stations -f "$BATS_TEST_TMPDIR/station_table.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq $((1709 - 2)) ]
	[[ $stderr == *"station_table.txt:101: invalid station id '31-053': expected 1 to 8 letters and digits; the row is skipped"* ]]
	[[ $stderr == *"station_table.txt:502: missing station id; the row is skipped"* ]]
	[ "$(grep -c 'the row is skipped' <<<"$stderr")" -eq 2 ]
	[[ "${lines[*]}" != *'"31053"'* ]]
	[[ "${lines[*]}" == *'"31201"'* ]]
}

# Written for the test from the rows of 42396 and 44013: NDBC escapes '&'
# in some copies of the table, and a row may lack its location.
@test "stations: references decoded, no location is null" {
	cat >"$BATS_TEST_TMPDIR/station_table.txt" <<-'END'
	# STATION_ID | OWNER | TTYPE | HULL | NAME | PAYLOAD | LOCATION | TIMEZONE | FORECAST | NOTE
	#
	44013|N|3-meter discus buoy|3D85|BOSTON 16 NM East of Boston, MA|ARES payload||E| |
	42396|CT|Fixed Drilling Platform||Jack &amp; St Malo FPU &#8211; 26&#176;14'|| 26.235 N 91.261 W (26&#176;14'6" N 91&#176;15'40" W)|| |
	END
	run --separate-stderr buoy-fetch --stations -f "$BATS_TEST_TMPDIR/station_table.txt"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"stationId":"42396","name":"Jack & St Malo FPU – 26°14'"'"'","lat":26.235,"lon":-91.261,"owner":"CT","type":"Fixed Drilling Platform"}' ]
	[ "${lines[1]}" = '{"stationId":"44013","name":"BOSTON 16 NM East of Boston, MA","lat":null,"lon":null,"owner":"N","type":"3-meter discus buoy"}' ]
}

@test "stations: ids select stations" {
	require_station_table
	run --separate-stderr buoy-fetch --stations -f "$STATION_TABLE" sanf1 44013
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$BOSTON_44013" ]
	[ "${lines[1]}" = "$SAND_KEY_SANF1" ]
}

@test "stations: unknown id is reported" {
	require_station_table
	run --separate-stderr buoy-fetch --stations -f "$STATION_TABLE" 44013 99999
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "$BOSTON_44013" ]
	[[ $stderr == *"station_table.txt: station 99999 is not in the table"* ]]
}

@test "stations: gzip and stdin read" {
	require_station_table
	buoy-fetch --stations -f "$STATION_TABLE" >"$BATS_TEST_TMPDIR/plain"
	gzip -c "$STATION_TABLE" >"$BATS_TEST_TMPDIR/station_table.txt.gz"
	buoy-fetch --stations -f "$BATS_TEST_TMPDIR/station_table.txt.gz" >"$BATS_TEST_TMPDIR/gz"
	buoy-fetch --stations -f - <"$STATION_TABLE" >"$BATS_TEST_TMPDIR/stdin"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/plain")" -eq 1709 ]
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/gz"
	cmp "$BATS_TEST_TMPDIR/plain" "$BATS_TEST_TMPDIR/stdin"
}

@test "stations: observation file exits 65" {
	require_ndbc_data
	run buoy-fetch --stations -f "$NDBC_DATA/realtime2/44013.txt"
	[ "$status" -eq 65 ]
	[[ $output == *"44013.txt:3: no header line: expected '# STATION_ID | OWNER | TTYPE | ...' before the first row of a station table"* ]]
}

@test "stations: empty file exits 65" {
	: >"$BATS_TEST_TMPDIR/station_table.txt"
	run buoy-fetch --stations -f "$BATS_TEST_TMPDIR/station_table.txt"
	[ "$status" -eq 65 ]
	[[ $output == *"station_table.txt: the file is empty"* ]]
}

@test "stations: missing file exits 66" {
	run buoy-fetch --stations -f "$BATS_TEST_TMPDIR/nothing.txt"
	[ "$status" -eq 66 ]
	[[ $output == *"cannot read $BATS_TEST_TMPDIR/nothing.txt: No such file or directory"* ]]
}

@test "stations: closed stdout exits 74" {
	require_station_table
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	head -c 100 "$BATS_TEST_TMPDIR/fifo" >/dev/null &
	local status=0
	buoy-fetch --stations -f "$STATION_TABLE" >"$BATS_TEST_TMPDIR/fifo" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 74 ]
	grep -q "cannot write to stdout: Broken pipe" "$BATS_TEST_TMPDIR/err"
}

@test "stations over HTTP equal the file" {
	require_station_table
	run --separate-stderr buoy-fetch --stations
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	printf '%s\n' "${lines[@]}" >"$BATS_TEST_TMPDIR/http"
	buoy-fetch --stations -f "$STATION_TABLE" >"$BATS_TEST_TMPDIR/file"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/http")" -eq 1709 ]
	cmp "$BATS_TEST_TMPDIR/http" "$BATS_TEST_TMPDIR/file"
	grep -q '"GET /data/stations/station_table.txt HTTP/1.1" 200' "$BATS_FILE_TMPDIR/http.log"
}

@test "stations over HTTP with ids" {
	require_station_table
	run --separate-stderr buoy-fetch --stations SANF1 44013
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$BOSTON_44013" ]
	[ "${lines[1]}" = "$SAND_KEY_SANF1" ]
}

@test "stations with interval: unchanged table is 304" {
	require_station_table
	buoy-fetch --stations --interval 1s 44013 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	wait_for "[ -s $BATS_TEST_TMPDIR/out ]"
	sleep 2.5
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$BOSTON_44013" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
	[ "$(grep -c '"GET /data/stations/station_table.txt HTTP/1.1" 304' "$BATS_FILE_TMPDIR/http.log")" -ge 1 ]
}

@test "stations with state: second run gets 304 and prints nothing" {
	require_station_table
	local state=$BATS_TEST_TMPDIR/fetch.state
	printf '{"stations":{"44013":{"etag":"\\"kept\\"","lastModified":null,"lastPrinted":"2022-06-05T13:00:00Z"}}}\n' >"$state"

	run --separate-stderr buoy-fetch --stations --state "$state" 44013
	[ "$status" -eq 0 ]
	[ "$output" = "$BOSTON_44013" ]
	[ "$(jq -r '.stationTable.lastModified' "$state")" != "null" ]
	[ "$(jq -r '.stations["44013"].lastPrinted' "$state")" = "2022-06-05T13:00:00Z" ]
	[ "$(jq -r '.stations["44013"].etag' "$state")" = '"kept"' ]

	run --separate-stderr buoy-fetch --stations --state "$state" 44013
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$stderr" ]
	[ "$(grep -c '"GET /data/stations/station_table.txt HTTP/1.1" 304' "$BATS_FILE_TMPDIR/http.log")" -ge 1 ]
}

@test "stations: refused connection exits 69" {
	local port
	port=$(free_port)
	BUOY_NDBC_URL=http://127.0.0.1:$port run buoy-fetch --stations --retries 0
	[ "$status" -eq 69 ]
	[[ $output == *"cannot fetch station_table.txt:"*"http://127.0.0.1:$port/data/stations/station_table.txt"* ]]
}

@test "stations: conflicting options exit 64" {
	run buoy-fetch --stations --latest
	[ "$status" -eq 64 ]
	[[ $output == *"--stations and --latest read different files"* ]]
	run buoy-fetch --stations --station 44013 -f x
	[ "$status" -eq 64 ]
	[[ $output == *"it cannot be used with --stations"* ]]
	run buoy-fetch --stations 'x/y'
	[ "$status" -eq 64 ]
	[[ $output == *"invalid station id 'x/y'"* ]]
}

@test "stations: help names the option" {
	run buoy-fetch --help
	[ "$status" -eq 0 ]
	[[ $output == *"--stations         print NDBC's station table as station records"* ]]
	[[ $output == *"data/stations/station_table.txt with --stations"* ]]
}
