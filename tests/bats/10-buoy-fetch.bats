#!/usr/bin/env bats
# buoy-fetch: options, exit codes, every standard meteorological sample
# file read with -f, and fetching over HTTP from a local server.

load '../lib/common'

setup_file() {
	if [[ -d $NDBC_DATA/realtime2 ]]; then
		start_ndbc_server
	fi
}

teardown_file() {
	stop_services
}

# The newest row of realtime2/44013.txt, as a record.
NEWEST_44013='{"stationId":"44013","timestamp":"2022-06-05T13:00:00Z","waveHeightM":null,"windSpeedMps":3,"windDirDeg":280,"waterTempC":13.9,"pressureHpa":1015.2,"gustMps":4,"dominantPeriodS":null,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":null,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":1.6,"tideFt":null}'

@test "help goes to stdout" {
	run buoy-fetch --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: buoy-fetch [-qv] [-i interval] [-p pause] [-r retries] [-t timeout]" ]
	[ "${lines[1]}" = "                  [--state file] station ..." ]
	[[ $output == *"--interval TIME"* ]]
}

@test "version names the libraries" {
	run buoy-fetch --version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "buoy-fetch 0.1.0" ]
	[[ $output == *"libcurl 7."* ]]
	[[ $output == *"zlib "* ]]
}

@test "unknown option exits 64" {
	run buoy-fetch --bogus
	[ "$status" -eq 64 ]
	[[ $output == *"Try 'buoy-fetch --help'"* ]]
}

@test "no station exits 64" {
	run buoy-fetch
	[ "$status" -eq 64 ]
	[[ $output == *"buoy-fetch: no station given"* ]]
}

@test "invalid station id exits 64" {
	run buoy-fetch '44013/../x'
	[ "$status" -eq 64 ]
	[[ $output == *"invalid station id '44013/../x'"* ]]
}

@test "invalid interval exits 64" {
	run buoy-fetch --interval 5x 44013
	[ "$status" -eq 64 ]
	[[ $output == *"invalid interval '5x'"* ]]
}

@test "interval with files exits 64" {
	run buoy-fetch --interval 1m -f x.txt
	[ "$status" -eq 64 ]
}

@test "every standard file gives one record per row" {
	require_ndbc_data
	local -A rows=(
		[realtime2/41002.txt]=6560 [realtime2/44013.txt]=6508
		[realtime2/44017.txt]=1099 [realtime2/TPLM2.txt]=1094
		[historical/44005h1978.txt]=162 [historical/46035h1985.txt]=2566
		[historical/46035h1999.txt]=8758 [historical/46035h2004.txt]=8770
		[historical/46035h2005.txt]=8746 [historical/46035h2007.txt]=5949
		[historical/44009h2013.txt]=7885 [historical/42040h2016.txt]=39535
		[historical/46035h2017.txt]=8719 [historical/46097h201908qc.txt]=4464
		[historical/tplm2h2020.txt]=8770 [historical/tplm2h2021.txt]=8509
		[historical/monthly/tplm2_2022-01.txt]=744 [historical/monthly/tplm2_2022-02.txt]=672
		[historical/monthly/tplm2_2022-03.txt]=742 [historical/monthly/tplm2_2022-04.txt]=719
		[historical/monthly/tplm2_2022-05.txt]=742 [historical/monthly/tplm2_2022-06.txt]=720
		[historical/monthly/tplm2_2022-07.txt]=740
		[latest/latest_obs_2022-12-30.txt]=806 [hourly2/hour_15.txt]=2147
	)
	local file
	for file in "${!rows[@]}"; do
		buoy-fetch -f "$NDBC_DATA/$file" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" ||
			{ echo "$file: exit $?"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
		[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq "${rows[$file]}" ] ||
			{ echo "$file: $(wc -l <"$BATS_TEST_TMPDIR/out") records, expected ${rows[$file]}"; return 1; }
		[ ! -s "$BATS_TEST_TMPDIR/err" ] || { echo "$file:"; cat "$BATS_TEST_TMPDIR/err"; return 1; }
		# Oldest first, and every record has all sixteen fields.
		jq -se 'map(.timestamp) == (map(.timestamp) | sort)' "$BATS_TEST_TMPDIR/out" >/dev/null ||
			{ echo "$file: not oldest first"; return 1; }
		jq -se 'all(.[]; keys | length == 16)' "$BATS_TEST_TMPDIR/out" >/dev/null ||
			{ echo "$file: a record lacks fields"; return 1; }
	done
}

@test "realtime file: newest row, MM as null" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/out"
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" = "$NEWEST_44013" ]
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out" | jq -r .timestamp)" = "2022-04-21T00:00:00Z" ]
}

@test "1978 file: two-digit year and sentinels" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/historical/44005h1978.txt" >"$BATS_TEST_TMPDIR/out"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/out")" = '{"stationId":"44005","timestamp":"1978-12-16T12:00:00Z","waveHeightM":1.7,"windSpeedMps":11.2,"windDirDeg":267,"waterTempC":null,"pressureHpa":1017.5,"gustMps":null,"dominantPeriodS":null,"averagePeriodS":4.3,"meanWaveDirDeg":null,"airTempC":7.2,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":null,"tideFt":null}' ]
}

@test "latest_obs: station from STN column" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/latest/latest_obs_2022-12-30.txt" >"$BATS_TEST_TMPDIR/out"
	run jq -c 'select(.stationId == "13002") | [.timestamp, .windDirDeg, .windSpeedMps, .gustMps, .airTempC, .waterTempC, .pressureHpa]' "$BATS_TEST_TMPDIR/out"
	[ "$output" = '["2022-12-30T01:00:00Z",43,8.3,10,22.6,23.5,null]' ]
}

@test "hourly2: several rows per station" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/hourly2/hour_15.txt" >"$BATS_TEST_TMPDIR/out"
	run jq -r 'select(.stationId == "YRSV2") | .timestamp' "$BATS_TEST_TMPDIR/out"
	[ "${lines[0]}" = "2012-02-24T15:00:00Z" ]
	[ "${lines[1]}" = "2012-02-24T15:15:00Z" ]
}

@test "monthly file: station from its name" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/historical/monthly/tplm2_2022-01.txt" >"$BATS_TEST_TMPDIR/out"
	[ "$(jq -r .stationId "$BATS_TEST_TMPDIR/out" | sort -u)" = "TPLM2" ]
}

@test "gzip file is read" {
	require_ndbc_data
	gzip -c "$NDBC_DATA/historical/tplm2h2021.txt" >"$BATS_TEST_TMPDIR/tplm2h2021.txt.gz"
	buoy-fetch -f "$BATS_TEST_TMPDIR/tplm2h2021.txt.gz" >"$BATS_TEST_TMPDIR/gz"
	buoy-fetch -f "$NDBC_DATA/historical/tplm2h2021.txt" >"$BATS_TEST_TMPDIR/plain"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/gz")" -eq 8509 ]
	cmp "$BATS_TEST_TMPDIR/gz" "$BATS_TEST_TMPDIR/plain"
}

@test "stdin needs --station" {
	printf '%s\n' '#YY  MM DD hh mm WDIR WSPD WVHT WTMP PRES' \
		'2022 06 05 13 00 280  3.0   MM 13.9 1015.2' >"$BATS_TEST_TMPDIR/in"
	run buoy-fetch -f - <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[[ $output == *"-:1: the file has no STN column"*"--station"* ]]

	run buoy-fetch --station tplm2 -f - <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.stationId, .windSpeedMps, .windDirDeg] | @csv' <<<"$output")" = '"TPLM2",3,280' ]
}

@test "bad row is reported and skipped" {
	cat >"$BATS_TEST_TMPDIR/44013.txt" <<-'END'
	#YY  MM DD hh mm WDIR WSPD GST  WVHT  WTMP   PRES
	#yr  mo dy hr mn degT m/s  m/s     m  degC    hPa
	2022 06 05 13 00 280  3.0  4.0   0.5  13.9 1015.2
	2022 06 05 12 50 270  x.y  4.0   0.5  13.9 1015.2
	2022 06 05 12 40 280  4.0  5.0   0.5  13.9 1015.2 9
	2022 06 05 12 30 280  4.0  5.0   0.5  13.9 1015.2
	2022 06 05 12 20 280  4.0  5.0   0.5  13
	END
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .timestamp <<<"${lines[0]}")" = "2022-06-05T12:30:00Z" ]
	[ "$(jq -r .timestamp <<<"${lines[1]}")" = "2022-06-05T13:00:00Z" ]
	[[ $stderr == *"44013.txt:4: invalid WSPD value 'x.y'; the row is skipped"* ]]
	[[ $stderr == *"44013.txt:5: row has more fields than the 11 columns of the header; the row is skipped"* ]]
	[[ $stderr == *"44013.txt:7: row has 10 fields but the header names 11 columns; the row is skipped"* ]]
}

@test "file without header exits 65" {
	printf '2022 06 05 13 00 280 3.0\n' >"$BATS_TEST_TMPDIR/44013.txt"
	run buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 65 ]
	[[ $output == *"44013.txt:1: no header line"* ]]
}

@test "missing file exits 66" {
	run buoy-fetch -f "$BATS_TEST_TMPDIR/nothing.txt"
	[ "$status" -eq 66 ]
	[[ $output == *"cannot read $BATS_TEST_TMPDIR/nothing.txt: No such file or directory"* ]]
}

@test "station over HTTP equals the file" {
	require_ndbc_data
	buoy-fetch 44013 >"$BATS_TEST_TMPDIR/http"
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/file"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/http")" -eq 6508 ]
	cmp "$BATS_TEST_TMPDIR/http" "$BATS_TEST_TMPDIR/file"
}

@test "lower-case station id is fetched upper case" {
	require_ndbc_data
	buoy-fetch tplm2 >"$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1094 ]
	[ "$(jq -r .stationId "$BATS_TEST_TMPDIR/out" | sort -u)" = "TPLM2" ]
}

@test "base URL without trailing slash" {
	require_ndbc_data
	BUOY_NDBC_URL=${BUOY_NDBC_URL%/} buoy-fetch 44017 >"$BATS_TEST_TMPDIR/out"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1099 ]
}

@test "HTTP 404 names the URL and exits 69" {
	require_ndbc_data
	run buoy-fetch 99999
	[ "$status" -eq 69 ]
	[[ $output == *"cannot fetch 99999: HTTP 404 from ${BUOY_NDBC_URL}data/realtime2/99999.txt"* ]]
}

@test "one failing station: others print, exit 75" {
	require_ndbc_data
	run --separate-stderr buoy-fetch 99999 44017
	[ "$status" -eq 75 ]
	[ "${#lines[@]}" -eq 1099 ]
	[[ $stderr == *"cannot fetch 99999: HTTP 404"* ]]
}

@test "refused connection exits 69" {
	local port
	port=$(free_port)
	BUOY_NDBC_URL=http://127.0.0.1:$port/ run buoy-fetch 44013
	[ "$status" -eq 69 ]
	[[ $output == *"cannot fetch 44013:"*"http://127.0.0.1:$port/data/realtime2/44013.txt"* ]]
}

@test "interval prints each observation once" {
	require_ndbc_data
	buoy-fetch --interval 1s 44013 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	wait_for "[ \$(wc -l <$BATS_TEST_TMPDIR/out) -ge 6508 ]"
	sleep 2.5
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 6508 ]
	# The polls after the first are conditional and answered 304.
	grep -q '"GET /data/realtime2/44013.txt HTTP/1.1" 304' "$BATS_FILE_TMPDIR/http.log"
}

@test "non-stdmet file exits 65" {
	require_ndbc_data
	run buoy-fetch -f "$NDBC_DATA/realtime2/45183.ocean"
	[ "$status" -eq 65 ]
	[[ $output == *"45183.ocean:1: the header has no WVHT column: this is not a standard meteorological (stdmet) file"* ]]
}

@test "other realtime2 kinds exit 65" {
	require_ndbc_data
	local file
	for file in 44013.supl 41002.spec TPLM2.cwind 44013.dmv; do
		run buoy-fetch -f "$NDBC_DATA/realtime2/$file"
		[ "$status" -eq 65 ] || { echo "$file: exit $status"; return 1; }
		[ "${#lines[@]}" -eq 1 ] || { echo "$file: $output"; return 1; }
	done
}

@test "empty file exits 65" {
	: >"$BATS_TEST_TMPDIR/44013.txt"
	run buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 65 ]
	[[ $output == *"44013.txt: the file is empty"* ]]
}

@test "station option with station ids exits 64" {
	run buoy-fetch --station 44013 46042
	[ "$status" -eq 64 ]
	[[ $output == *"--station names the station of files read with -f"* ]]
}

@test "closed stdout exits 74" {
	require_ndbc_data
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	head -c 100 "$BATS_TEST_TMPDIR/fifo" >/dev/null &
	local status=0
	buoy-fetch -f "$NDBC_DATA/realtime2/44013.txt" >"$BATS_TEST_TMPDIR/fifo" \
		2>"$BATS_TEST_TMPDIR/err" || status=$?
	[ "$status" -eq 74 ]
	grep -q "cannot write to stdout: Broken pipe" "$BATS_TEST_TMPDIR/err"
}

@test "latest prints every station once" {
	require_ndbc_data
	run --separate-stderr buoy-fetch --latest
	[ "$status" -eq 0 ]
	local stations
	stations=$(awk 'NR > 2 { print $1 }' "$NDBC_DATA/latest/latest_obs_2022-12-30.txt" | sort -u | wc -l)
	[ "${#lines[@]}" -eq "$stations" ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .stationId | sort -u | wc -l)" -eq "$stations" ]
}

@test "latest with ids prints only those" {
	require_ndbc_data
	run --separate-stderr buoy-fetch --latest 13002 lDlC3
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .stationId <<<"${lines[0]}")" = LDLC3 ]
	[ "$(jq -c '[.stationId, .timestamp, .windDirDeg, .windSpeedMps, .airTempC, .waterTempC]' <<<"${lines[1]}")" = '["13002","2022-12-30T01:00:00Z",43,8.3,22.6,23.5]' ]
}

@test "latest with interval prints nothing twice" {
	require_ndbc_data
	buoy-fetch --latest --interval 1s 13002 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 2.5
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1 ]
}

# Starts flaky_server.py over the sample site with the given failure
# rules and exports BUOY_NDBC_URL.
start_flaky_server() {
	local port
	port=$(free_port)
	"$REPO_ROOT/tests/lib/flaky_server.py" "$port" "$(make_ndbc_site)" "$@" \
		2>"$BATS_TEST_TMPDIR/flaky.log" &
	remember_pid $!
	export BUOY_NDBC_URL="http://127.0.0.1:$port/"
	wait_for "curl -s -o /dev/null $BUOY_NDBC_URL"
}

@test "5xx is retried, the other stations land" {
	require_ndbc_data
	start_flaky_server /data/realtime2/44013.txt=-1
	run --separate-stderr buoy-fetch --retries 1 44017 44013 TPLM2
	[ "$status" -eq 75 ]
	[ "${#lines[@]}" -eq $((1099 + 1094)) ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -r .stationId | sort -u | tr '\n' ' ')" = "44017 TPLM2 " ]
	[[ $stderr == *"retry 1 of 1 in 1000 ms"* ]]
	[[ $stderr == *"cannot fetch 44013: HTTP 500 from ${BUOY_NDBC_URL}data/realtime2/44013.txt"* ]]
	[ "$(grep -c 'GET /data/realtime2/44013.txt' "$BATS_TEST_TMPDIR/flaky.log")" -eq 2 ]
}

@test "a passing 5xx is retried to success" {
	require_ndbc_data
	start_flaky_server /data/realtime2/44017.txt=2
	run --separate-stderr buoy-fetch --retries 2 44017
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1099 ]
	[ "$(grep -c 'GET /data/realtime2/44017.txt' "$BATS_TEST_TMPDIR/flaky.log")" -eq 3 ]
}

@test "404 is not retried" {
	require_ndbc_data
	start_flaky_server
	run --separate-stderr buoy-fetch --retries 3 99999
	[ "$status" -eq 69 ]
	[[ $stderr != *retry* ]]
	[ "$(grep -c 'GET /data/realtime2/99999.txt' "$BATS_TEST_TMPDIR/flaky.log")" -eq 1 ]
}

@test "invalid retries and pause exit 64" {
	run buoy-fetch --retries 11 44013
	[ "$status" -eq 64 ]
	[[ $output == *"invalid retries '11'"* ]]
	run buoy-fetch --pause 2m 44013
	[ "$status" -eq 64 ]
	[[ $output == *"invalid pause '2m'"* ]]
}

@test "state makes a second run print nothing" {
	require_ndbc_data
	local state=$BATS_TEST_TMPDIR/fetch.state
	run --separate-stderr buoy-fetch --state "$state" 44013
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6508 ]
	[ "$(jq -r '.stations["44013"].lastPrinted' "$state")" = "2022-06-05T13:00:00Z" ]
	[ -n "$(jq -r '.stations["44013"].lastModified' "$state")" ]

	run --separate-stderr buoy-fetch --state "$state" 44013
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(grep -c '"GET /data/realtime2/44013.txt HTTP/1.1" 304' "$BATS_FILE_TMPDIR/http.log")" -ge 1 ]
}

@test "state keeps other stations" {
	require_ndbc_data
	local state=$BATS_TEST_TMPDIR/fetch.state
	buoy-fetch --state "$state" 44013 >/dev/null
	buoy-fetch --state "$state" 44017 >/dev/null
	[ "$(jq -r '.stations | keys | join(" ")' "$state")" = "44013 44017" ]
	[ "$(jq -r '.stations["44017"].lastPrinted' "$state")" = "2018-09-25T00:50:00Z" ]
}

@test "state with latest prints each station once" {
	require_ndbc_data
	local state=$BATS_TEST_TMPDIR/fetch.state
	buoy-fetch --state "$state" --latest >"$BATS_TEST_TMPDIR/first"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/first")" -gt 700 ]
	run --separate-stderr buoy-fetch --state "$state" --latest
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "unreadable state file exits 78" {
	echo 'not json' >"$BATS_TEST_TMPDIR/fetch.state"
	run buoy-fetch --state "$BATS_TEST_TMPDIR/fetch.state" 44013
	[ "$status" -eq 78 ]
	[[ $output == *"cannot read the state file $BATS_TEST_TMPDIR/fetch.state: not a JSON object"* ]]
}

@test "state with files exits 64" {
	run buoy-fetch --state x -f y
	[ "$status" -eq 64 ]
}
