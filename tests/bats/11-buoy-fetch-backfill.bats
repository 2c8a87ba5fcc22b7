#!/usr/bin/env bats
# buoy-fetch -f over repeated times and many files: rows of one station and
# time merge into one record, files print oldest first together, and a
# progress line shows on a terminal only.

load '../lib/common'

HEADER='#YY  MM DD hh mm WDIR WSPD GST  WVHT   DPD   APD MWD   PRES  ATMP  WTMP  DEWP  VIS PTDY  TIDE'
UNITS='#yr  mo dy hr mn degT m/s  m/s     m   sec   sec degT   hPa  degC  degC  degC  nmi  hPa    ft'

# Writes a realtime2-style file: the header, the units line, then each
# argument as a row.
write_file() {
	local path=$1
	shift
	printf '%s\n' "$HEADER" "$UNITS" "$@" >"$path"
}

# The record of station 44013 at 2022-06-05 $1 with the given JSON values
# for windSpeedMps, pressureHpa and airTempC; the rest is null.
record() {
	printf '{"stationId":"44013","timestamp":"2022-06-05T%s:00Z","waveHeightM":null,"windSpeedMps":%s,"windDirDeg":280,"waterTempC":null,"pressureHpa":%s,"gustMps":null,"dominantPeriodS":null,"averagePeriodS":null,"meanWaveDirDeg":null,"airTempC":%s,"dewPointC":null,"visibilityNmi":null,"pressureTendencyHpa":null,"tideFt":null}' \
		"$1" "$2" "$3" "$4"
}

@test "identical rows print once" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM' \
		'2022 06 05 12 50 280  4.0   MM    MM    MM    MM  MM 1015.0    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(record 12:50 4 1015 null)" ]
	[ "${lines[1]}" = "$(record 13:00 3 1015.2 12.5)" ]
	[ -z "$stderr" ]
}

@test "sparse row, then full row" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM     MM    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.5   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "$(record 13:00 3.5 1015.2 12.5)" ]
}

@test "full row, then sparse row" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.5   MM    MM    MM    MM  MM     MM    MM    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "$(record 13:00 3.5 1015.2 12.5)" ]
}

# Realtime files run newest first; the later row in the file still wins.
@test "newest-first file: later row wins" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 10 280  5.0   MM    MM    MM    MM  MM 1015.4    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.5   MM    MM    MM    MM  MM     MM  12.5    MM    MM   MM   MM    MM' \
		'2022 06 05 12 50 280  4.0   MM    MM    MM    MM  MM 1015.0    MM    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(record 12:50 4 1015 null)" ]
	[ "${lines[1]}" = "$(record 13:00 3.5 1015.2 12.5)" ]
	[ "${lines[2]}" = "$(record 13:10 5 1015.4 null)" ]
}

# The yearly file and the realtime file overlap at 13:00; the file named
# later on the command line is the later row.
@test "repeated time across files merges" {
	write_file "$BATS_TEST_TMPDIR/44013h2022.txt" \
		'2022 06 05 12 50 280  4.0   MM    MM    MM    MM  MM 1015.0    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2    MM    MM    MM   MM   MM    MM'
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 10 280  5.0   MM    MM    MM    MM  MM 1015.4    MM    MM    MM   MM   MM    MM' \
		'2022 06 05 13 00 280  3.5   MM    MM    MM    MM  MM     MM  12.5    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013h2022.txt" -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(record 12:50 4 1015 null)" ]
	[ "${lines[1]}" = "$(record 13:00 3.5 1015.2 12.5)" ]
	[ "${lines[2]}" = "$(record 13:10 5 1015.4 null)" ]

	# In the other order the yearly file's wind speed is the later one.
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/44013.txt" -f "$BATS_TEST_TMPDIR/44013h2022.txt"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "$(record 13:00 3 1015.2 12.5)" ]
}

@test "files print oldest first together" {
	require_ndbc_data
	run --separate-stderr buoy-fetch -f "$NDBC_DATA/historical/46035h2017.txt" \
		-f "$NDBC_DATA/historical/44005h1978.txt" -f "$NDBC_DATA/historical/46035h1985.txt"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq $((8719 + 162 + 2566)) ]
	[ "$(jq -r .timestamp <<<"${lines[0]}")" = "1978-12-16T12:00:00Z" ]
	[ "$(jq -r .stationId <<<"${lines[162]}")" = "46035" ]
	[ "$(jq -r .timestamp <<<"${lines[-1]}" | cut -c1-4)" = "2017" ]
	printf '%s\n' "${lines[@]}" | jq -r .timestamp | sort -c
}

@test "a file that cannot be read leaves the others" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 00 280  3.0   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM'
	run --separate-stderr buoy-fetch -f "$BATS_TEST_TMPDIR/missing.txt" -f "$BATS_TEST_TMPDIR/44013.txt"
	[ "$status" -eq 66 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "$(record 13:00 3 1015.2 12.5)" ]
	[[ $stderr == *"cannot read $BATS_TEST_TMPDIR/missing.txt: No such file or directory"* ]]
}

@test "no progress when stderr is not a terminal" {
	require_ndbc_data
	buoy-fetch -f "$NDBC_DATA/historical/46035h2017.txt" -f "$NDBC_DATA/historical/44005h1978.txt" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq $((8719 + 162)) ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

# Runs buoy-fetch with stderr on a pseudo-terminal (script(1)) and stdout in
# $BATS_TEST_TMPDIR/out; what the terminal showed goes to
# $BATS_TEST_TMPDIR/tty, with the terminal's "\r\n" turned into "\n".
fetch_on_terminal() {
	local command="buoy-fetch"
	local arg
	for arg in "$@"; do
		command+=" $(printf '%q' "$arg")"
	done
	script -qec "$command >$(printf '%q' "$BATS_TEST_TMPDIR/out")" /dev/null \
		>"$BATS_TEST_TMPDIR/tty.raw"
	sed 's/\r$//' "$BATS_TEST_TMPDIR/tty.raw" >"$BATS_TEST_TMPDIR/tty"
}

@test "progress line on a terminal" {
	require_ndbc_data
	fetch_on_terminal -f "$NDBC_DATA/historical/46035h2017.txt" \
		-f "$NDBC_DATA/historical/44005h1978.txt"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq $((8719 + 162)) ]

	# The line is rewritten in place: every update starts with '\r'.
	grep -q $'^\rbuoy-fetch: 0/2 files, 0 rows, 0 rows/s, 46035h2017.txt' "$BATS_TEST_TMPDIR/tty"

	# It ends with the totals and a newline, and nothing else is shown.
	[ "$(wc -l <"$BATS_TEST_TMPDIR/tty")" -eq 1 ]
	local last
	last=$(tail -n 1 "$BATS_TEST_TMPDIR/tty")
	last=${last##*$'\r'}
	[[ $last =~ ^buoy-fetch:\ 2/2\ files,\ 8,881\ rows,\ [0-9,]+\ rows/s\ *$ ]]
}

@test "progress line cleared before a warning" {
	write_file "$BATS_TEST_TMPDIR/44013.txt" \
		'2022 06 05 13 00 280  x.y   MM    MM    MM    MM  MM 1015.2  12.5    MM    MM   MM   MM    MM' \
		'2022 06 05 12 50 280  4.0   MM    MM    MM    MM  MM 1015.0    MM    MM    MM   MM   MM    MM'
	cp "$BATS_TEST_TMPDIR/44013.txt" "$BATS_TEST_TMPDIR/44013h2022.txt"
	fetch_on_terminal -f "$BATS_TEST_TMPDIR/44013.txt" -f "$BATS_TEST_TMPDIR/44013h2022.txt"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1 ]

	# Each warning starts at the left margin, after the line was blanked.
	[ "$(grep -c $'\r *\rbuoy-fetch: warning: .*44013.txt:3: invalid WSPD value' "$BATS_TEST_TMPDIR/tty")" -eq 1 ]
	[ "$(grep -c $'\r *\rbuoy-fetch: warning: .*44013h2022.txt:3: invalid WSPD value' "$BATS_TEST_TMPDIR/tty")" -eq 1 ]
	tail -n 1 "$BATS_TEST_TMPDIR/tty" | grep -q 'buoy-fetch: 2/2 files, 2 rows'
}

@test "no progress for one file" {
	require_ndbc_data
	fetch_on_terminal -f "$NDBC_DATA/historical/44005h1978.txt"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 162 ]
	[ ! -s "$BATS_TEST_TMPDIR/tty" ]
}
