#!/usr/bin/env bats
# buoy-upsert with many rows: memory stays flat however long the input,
# and NDBC's real 45-day files load once, then re-read as unchanged.
# bench/store-bench measures speed; these tests only check behaviour.

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

# Writes $1 observation lines of 1,000 stations named VOL<n>, ten minutes
# apart, to file $2.
generate() {
	awk -v rows="$1" 'BEGIN {
		for (i = 0; i < rows; i++) {
			t = 1700000000 + int(i / 1000) * 600
			printf "{\"stationId\":\"VOL%d\",\"timestamp\":\"%s\",\"waveHeightM\":%.1f,\"windSpeedMps\":%.1f,\"windDirDeg\":%d,\"waterTempC\":%.1f,\"pressureHpa\":%.1f,\"gustMps\":null,\"dominantPeriodS\":null,\"averagePeriodS\":null,\"meanWaveDirDeg\":null,\"airTempC\":null,\"dewPointC\":null,\"visibilityNmi\":null,\"pressureTendencyHpa\":null,\"tideFt\":null}\n", i % 1000, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), (i % 50) / 10, (i % 200) / 10, i % 360, (i % 100) / 10, 1000 + (i % 300) / 10
		}
	}' >"$2"
}

# Runs buoy-upsert on file $1 with the options that follow, output to
# $BATS_TEST_TMPDIR/out and err, and prints its maximum resident set size
# in KiB and its exit status, from the kernel's rusage of the child.
max_rss_kib() {
	local input=$1
	shift
	python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "rb") as i, open(sys.argv[2], "wb") as o, open(sys.argv[3], "wb") as e:
    status = subprocess.run(sys.argv[4:], stdin=i, stdout=o, stderr=e).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, status)
' "$input" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/err" "$(command -v buoy-upsert)" "$@"
}

@test "memory stays flat from 20,000 to 300,000 rows" {
	local small large
	# AddressSanitizer keeps freed memory in quarantine, which would grow
	# its process for reasons of its own.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
	generate 20000 "$BATS_TEST_TMPDIR/small"
	generate 300000 "$BATS_TEST_TMPDIR/large"

	# Small batches: a leak per batch would add up over 300 of them.
	read -r small status < <(max_rss_kib "$BATS_TEST_TMPDIR/small" -b 1000)
	[ "$status" -eq 0 ]
	query "TRUNCATE observations"
	read -r large status < <(max_rss_kib "$BATS_TEST_TMPDIR/large" -b 1000)
	[ "$status" -eq 0 ]

	echo "max RSS: $small KiB for 20,000 rows, $large KiB for 300,000 rows"
	[ "$large" -le $((small + 2048)) ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 300000 ]
	grep -q '"inserted":"300000","updated":"0","unchanged":"0"' "$BATS_TEST_TMPDIR/err"
	[ "$(query "SELECT count(*) FROM observations WHERE station_id LIKE 'VOL%'")" = 300000 ]
}

@test "real 45-day files re-read as unchanged" {
	local station keys
	require_ndbc_data
	for station in 44013 41002 44017 TPLM2; do
		buoy-fetch -f "$NDBC_DATA/realtime2/$station.txt" >>"$BATS_TEST_TMPDIR/in" 2>/dev/null
	done
	keys=$(jq -r '[.stationId, .timestamp] | @tsv' "$BATS_TEST_TMPDIR/in" | sort -u | wc -l)
	[ "$keys" -gt 10000 ]

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(query "SELECT count(*) FROM observations WHERE station_id IN ('44013', '41002', '44017', 'TPLM2')")" = "$keys" ]
	query "SELECT md5(string_agg(updated_at::text, ',' ORDER BY station_id, observed_at)) FROM observations" >"$BATS_TEST_TMPDIR/before"

	run --separate-stderr buoy-upsert <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ $stderr == *'"inserted":"0","updated":"0"'* ]]
	[ "$(query "SELECT md5(string_agg(updated_at::text, ',' ORDER BY station_id, observed_at)) FROM observations")" = "$(cat "$BATS_TEST_TMPDIR/before")" ]
}
